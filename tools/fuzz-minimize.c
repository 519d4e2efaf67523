/* SPDX-License-Identifier: MIT */
/*
 * mmemu fuzz --minimize: shrinks finding inputs with mm_fuzz_minimize and
 * writes the smallest input with its reproducer scenario.
 *
 * A raw input (.bin) needs the scenario and target on the command line; a
 * reproducer scenario written by the fuzzer names them itself (its base:
 * scenario, its platform oracles, its communicate or sw-smi step), and its
 * input is the raw file beside it (same name, .bin).
 */
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz-minimize.h"
#include "fuzz-target.h"

#define MAX_INPUT (16u << 20)

/* Reads all of path into *data (malloc'd); 0 or -1 (message printed). */
static int read_file(const char *path, uint8_t **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);

	if (!f || !buf) {
		fprintf(stderr, "mmemu fuzz: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	for (;;) {
		size_t r;

		if (n == cap) {
			uint8_t *b = cap < MAX_INPUT ? realloc(buf, cap * 2) : NULL;

			if (!b) {
				fprintf(stderr, "mmemu fuzz: %s: too large\n", path);
				free(buf);
				fclose(f);
				return -1;
			}
			buf = b;
			cap *= 2;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*data = buf;
	*len = n;
	return 0;
}

static int write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "mmemu fuzz: cannot write %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Decodes hex digits (spaces allowed) into *data; 0 or -1. */
static int parse_hex(const char *s, uint8_t **data, size_t *len)
{
	uint8_t *buf = malloc(strlen(s) / 2 + 1);
	size_t n = 0;
	unsigned v;

	if (!buf)
		return -1;
	while (*s) {
		if (*s == ' ' || *s == '\n' || *s == '\r') {
			s++;
			continue;
		}
		if (sscanf(s, "%2x", &v) != 1 || !s[1]) {
			free(buf);
			return -1;
		}
		buf[n++] = (uint8_t)v;
		s += 2;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* Copies YAML scalar v (plain or double-quoted, \" and \\ escapes) into out. */
static void unquote(const char *v, char *out, size_t len)
{
	size_t n = 0;

	if (*v != '"') {
		snprintf(out, len, "%.*s", (int)strcspn(v, "\r\n"), v);
		return;
	}
	for (v++; *v && *v != '"' && n + 1 < len; v++)
		out[n++] = *v == '\\' && v[1] ? *++v : *v;
	out[n] = 0;
}

/* Reads the oracle list of a "platform: { oracles: [a, b], ... }" line. */
static int platform_line(const char *line, struct mm_fuzz_config *cfg)
{
	const char *o = strstr(line, "oracles: ["), *b = strstr(line, "instruction-budget: ");
	char list[512], err[256];
	size_t n = 0;

	cfg->oracles = 0;
	if (o) {
		for (o += 10; *o && *o != ']' && n + 1 < sizeof(list); o++)
			if (*o != ' ')
				list[n++] = *o;
		list[n] = 0;
		if (cli_fuzz_parse_oracles(n ? list : "none", &cfg->oracles, err, sizeof(err)))
			return -1;
	}
	if (b && sscanf(b + 20, "%" SCNu64, &cfg->instruction_budget) != 1)
		return -1;
	return 0;
}

/* Reads the target of a "- sw-smi: { value: 0x5b, data: 0x00, cpu: 1 }" line. */
static int sw_smi_line(const char *line, struct mm_fuzz_config *cfg)
{
	const char *v = strstr(line, "value: "), *c = strstr(line, "cpu: ");
	unsigned value, cpu = 0;

	if (!v || sscanf(v + 7, "%x", &value) != 1 || value > 0xff ||
	    (c && sscanf(c + 5, "%u", &cpu) != 1))
		return -1;
	cfg->target.kind = MM_FUZZ_SW_SMI;
	cfg->target.sw_value = (int)value;
	cfg->target.cpu = cpu;
	return 0;
}

/* What a reproducer says besides the configuration. */
struct repro {
	char base[4096];    /* its base: scenario, as written */
	char payload[65536]; /* communicate payload hex, when there is one */
	bool target;
};

/* Applies one line of a reproducer to cfg and *r. */
static int repro_line(const char *line, struct mm_fuzz_config *cfg, struct repro *r)
{
	line += strspn(line, " ");
	if (!strncmp(line, "base: ", 6)) {
		unquote(line + 6, r->base, sizeof(r->base));
	} else if (!strncmp(line, "platform: {", 11)) {
		return platform_line(line, cfg);
	} else if (!strncmp(line, "guid: ", 6)) {
		char g[64];

		unquote(line + 6, g, sizeof(g));
		cfg->target.kind = MM_FUZZ_COMMUNICATE;
		r->target = true;
		return cli_fuzz_parse_guid(g, cfg->target.guid);
	} else if (!strncmp(line, "- sw-smi: {", 11)) {
		r->target = true;
		return sw_smi_line(line, cfg);
	} else if (!strncmp(line, "payload: ", 9)) {
		unquote(line + 9, r->payload, sizeof(r->payload));
	}
	return 0;
}

/*
 * Reads a reproducer written by the fuzzer (mm_fuzz_write_reproducer: base:
 * the start scenario, relative to the reproducer; platform: the oracles; a
 * communicate or sw-smi step) into cfg, its start scenario into *scenario
 * (malloc'd), and its input into *data: the raw .bin beside it, or the
 * communicate payload. Returns 0 or -1 (message printed).
 */
static int read_reproducer(const char *path, struct mm_fuzz_config *cfg, char **scenario,
			   uint8_t **data, size_t *len)
{
	struct repro *r = calloc(1, sizeof(*r));
	char line[70000], bin[4096];
	const char *slash = strrchr(path, '/');
	FILE *f = fopen(path, "r");
	int rc = 0;

	*scenario = NULL;
	if (!f || !r) {
		fprintf(stderr, "mmemu fuzz: %s: %s\n", path, strerror(errno));
		goto fail;
	}
	cfg->oracles = 0;
	while (!rc && fgets(line, sizeof(line), f))
		rc = repro_line(line, cfg, r);
	fclose(f);
	f = NULL;
	if (rc || !r->base[0] || !r->target) {
		fprintf(stderr, "mmemu fuzz: %s: not a reproducer written by mmemu fuzz (no base "
				"scenario or target); give the raw input with SCENARIO --guid/--sw-smi "
				"instead\n", path);
		goto fail;
	}
	*scenario = malloc(strlen(path) + strlen(r->base) + 1);
	if (!*scenario)
		goto fail;
	sprintf(*scenario, "%.*s%s", r->base[0] == '/' || !slash ? 0 : (int)(slash - path + 1),
		path, r->base);
	snprintf(bin, sizeof(bin), "%.*s.bin", (int)(strlen(path) - 5), path);
	if (!access(bin, R_OK))
		rc = read_file(bin, data, len);
	else if (cfg->target.kind == MM_FUZZ_COMMUNICATE && !parse_hex(r->payload, data, len))
		rc = 0;
	else {
		fprintf(stderr, "mmemu fuzz: %s: no input (%s is missing)\n", path, bin);
		rc = -1;
	}
	if (rc)
		goto fail;
	free(r);
	return 0;
fail:
	if (f)
		fclose(f);
	free(r);
	free(*scenario);
	*scenario = NULL;
	return -1;
}

/*
 * The output paths for input number i of n named name: the raw bytes and the
 * reproducer scenario.
 */
static void output_paths(const char *out, int n, const char *name, char *bin, char *yaml,
			 size_t len)
{
	char copy[4096], *base;

	if (n == 1 && ends_with(out, ".yaml")) {
		snprintf(yaml, len, "%s", out);
		snprintf(bin, len, "%.*s.bin", (int)(strlen(out) - 5), out);
	} else if (n == 1) {
		snprintf(bin, len, "%s", out);
		snprintf(yaml, len, "%s.yaml", out);
	} else {
		snprintf(copy, sizeof(copy), "%s", name);
		base = basename(copy);
		base[strcspn(base, ".")] = 0;
		snprintf(bin, len, "%s/%s.bin", out, base);
		snprintf(yaml, len, "%s/%s.yaml", out, base);
	}
}

/* Minimizes data[0..len) of input name on f; writes the results. Returns the exit code. */
static int minimize_one(struct mm_fuzz *f, const char *name, const uint8_t *data, size_t len,
			const char *bin, const char *yaml)
{
	struct mm_fuzz_result r;
	uint8_t *min = NULL;
	size_t minlen = 0;
	enum mm_err e = mm_fuzz_minimize(f, data, len, &min, &minlen);

	if (e == MM_ERR_NOT_FOUND) {
		fprintf(stderr, "mmemu fuzz: %s: the input gives no finding\n", name);
		return CLI_FAIL;
	}
	if (e) {
		fprintf(stderr, "mmemu fuzz: %s: %s\n", name, mm_strerror(e));
		return CLI_USAGE;
	}
	if (mm_fuzz_exec(f, min, minlen, &r) || write_file(bin, min, minlen) ||
	    mm_fuzz_write_reproducer(f, min, minlen, yaml)) {
		fprintf(stderr, "mmemu fuzz: %s: cannot write the result\n", name);
		free(min);
		return CLI_USAGE;
	}
	printf("%s: %zu -> %zu bytes, %s (%s stop): %s, %s\n", name, len, minlen,
	       r.finding ? cli_fuzz_class_name((unsigned)cli_fuzz_finding_slot(r.finding)) : "no finding",
	       mm_stop_kind_name(r.stop), bin, yaml);
	free(min);
	return CLI_OK;
}

/* Builds the engine for cfg; prints why not and returns NULL. */
static struct mm_fuzz *engine(const struct mm_fuzz_config *cfg)
{
	struct mm_fuzz *f = NULL;
	char err[512] = "";
	enum mm_err e = mm_fuzz_create(cfg, &f, err, sizeof(err));

	if (e) {
		fprintf(stderr, "mmemu fuzz: %s: %s\n", cfg->scenario, *err ? err : mm_strerror(e));
		return NULL;
	}
	return f;
}

/* Minimizes the raw inputs of files[0..n) on the scenario and target of cfg. */
static int minimize_raw(const struct mm_fuzz_config *cfg, int n, char **files, const char *out)
{
	struct mm_fuzz *f = engine(cfg);
	int rc = CLI_OK;

	if (!f)
		return CLI_USAGE;
	for (int i = 0; i < n; i++) {
		char bin[4096], yaml[4096];
		uint8_t *data;
		size_t len;
		int r;

		if (read_file(files[i], &data, &len)) {
			rc = CLI_USAGE;
			continue;
		}
		output_paths(out, n, files[i], bin, yaml, sizeof(bin));
		r = minimize_one(f, files[i], data, len, bin, yaml);
		rc = r > rc ? r : rc;
		free(data);
	}
	mm_fuzz_free(f);
	return rc;
}

/* True when data[0..len) gives a finding on f. */
static bool gives_finding(struct mm_fuzz *f, const uint8_t *data, size_t len)
{
	struct mm_fuzz_result r;

	return mm_fuzz_exec(f, data, len, &r) == MM_OK && r.finding;
}

/* Minimizes reproducers files[0..n), each on its own scenario and target. */
static int minimize_reproducers(const struct mm_fuzz_config *base, int n, char **files,
				const char *out)
{
	int rc = CLI_OK;

	for (int i = 0; i < n; i++) {
		struct mm_fuzz_config cfg = *base;
		char bin[4096], yaml[4096], *scenario;
		struct mm_fuzz *f;
		uint8_t *data;
		size_t len;
		int r = CLI_USAGE;

		if (read_reproducer(files[i], &cfg, &scenario, &data, &len)) {
			rc = CLI_USAGE;
			continue;
		}
		cfg.scenario = scenario;
		f = engine(&cfg);
		if (f && cfg.target.kind == MM_FUZZ_SW_SMI && !gives_finding(f, data, len)) {
			/* The sw-smi step names the value either way: maybe it was fuzzed. */
			mm_fuzz_free(f);
			cfg.target.sw_value = -1;
			f = engine(&cfg);
		}
		if (f) {
			output_paths(out, n, files[i], bin, yaml, sizeof(bin));
			r = minimize_one(f, files[i], data, len, bin, yaml);
			mm_fuzz_free(f);
		}
		rc = r > rc ? r : rc;
		free(data);
		free(scenario);
	}
	return rc;
}

int cli_fuzz_minimize_files(struct mm_fuzz_config *cfg, bool have_target, int n, char **operands,
			const char *out)
{
	if (!out) {
		fprintf(stderr, "mmemu fuzz: --minimize needs -o OUT\n");
		return CLI_USAGE;
	}
	if (n < (have_target ? 2 : 1)) {
		fprintf(stderr, "mmemu fuzz: --minimize needs finding files (and with --guid or "
				"--sw-smi, the scenario first)\n");
		return CLI_USAGE;
	}
	if (n - have_target > 1 && mkdir(out, 0777) && errno != EEXIST) {
		fprintf(stderr, "mmemu fuzz: cannot create %s: %s\n", out, strerror(errno));
		return CLI_USAGE;
	}
	if (have_target) {
		cfg->scenario = operands[0];
		return minimize_raw(cfg, n - 1, operands + 1, out);
	}
	return minimize_reproducers(cfg, n, operands, out);
}
