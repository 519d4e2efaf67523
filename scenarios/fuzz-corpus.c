/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer's corpus, its directory and its findings (include/mmemu/fuzz.h).
 *
 * corpus_dir holds one file per input, named by the 64-bit hash of its
 * bytes in 16 hex digits; files are written under a temporary name and
 * renamed, so that workers sharing the directory never read half a file.
 *
 * A finding is new when its (class, instruction) pair is; each new one gets
 * findings_dir/<class>-<where>-<n>.yaml, a scenario that replays the input
 * on the fuzzer's start state (`base:` the fuzzed scenario) and expects the
 * stop record the input gave, and <same name>.bin, the raw input; both hold
 * the input minimized first (at most FUZZ_SHRINK_RUNS executions).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mmemu/mmemu.h>
#include <mmemu/oracle.h>

#include "emu/fuzz-edges.h"
#include "fuzz-internal.h"

#define HASH_NAME_LEN 16
#define FUZZ_SHRINK_RUNS 256 /* executions spent minimizing a new finding */

uint64_t fuzz_hash(const uint8_t *data, size_t len)
{
	uint64_t h = 0xCBF29CE484222325ull ^ len; /* FNV-1a, then a final mix */

	for (size_t i = 0; i < len; i++) {
		h ^= data[i];
		h *= 0x100000001B3ull;
	}
	h ^= h >> 33;
	h *= 0xFF51AFD7ED558CCDull;
	return h ^ (h >> 33);
}

static bool in_corpus(const struct mm_fuzz *f, uint64_t hash)
{
	for (size_t i = 0; i < f->ncorpus; i++)
		if (f->corpus[i].hash == hash)
			return true;
	return false;
}

/* Writes len bytes to path through a temporary file and a rename. */
static enum mm_err write_file(const char *path, const void *data, size_t len)
{
	char tmp[PATH_MAX];
	FILE *fp;
	bool ok;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		return MM_ERR_IO;
	fp = fopen(tmp, "wb");
	if (!fp)
		return MM_ERR_IO;
	ok = fwrite(data, 1, len, fp) == len;
	ok = !fclose(fp) && ok;
	if (!ok || rename(tmp, path)) {
		remove(tmp);
		return MM_ERR_IO;
	}
	return MM_OK;
}

/* Appends a copy of data (hash h) to the corpus in memory. */
static enum mm_err append(struct mm_fuzz *f, const uint8_t *data, size_t len, uint64_t h)
{
	struct fuzz_entry *e;

	if (f->ncorpus == f->corpus_cap) {
		size_t cap = f->corpus_cap ? f->corpus_cap * 2 : 64;

		e = realloc(f->corpus, cap * sizeof(*e));
		if (!e)
			return MM_ERR_NOMEM;
		f->corpus = e;
		f->corpus_cap = cap;
	}
	e = &f->corpus[f->ncorpus];
	e->data = malloc(len ? len : 1);
	if (!e->data)
		return MM_ERR_NOMEM;
	if (len)
		memcpy(e->data, data, len);
	e->len = (uint32_t)len;
	e->hash = h;
	f->ncorpus++;
	return MM_OK;
}

enum mm_err fuzz_corpus_add(struct mm_fuzz *f, const uint8_t *data, size_t len, bool *added)
{
	uint64_t h = fuzz_hash(data, len);
	char path[PATH_MAX];
	enum mm_err rc;

	if (added)
		*added = false;
	if (in_corpus(f, h))
		return MM_OK;
	rc = append(f, data, len, h);
	if (rc)
		return rc;
	if (added)
		*added = true;
	if (!f->corpus_dir)
		return MM_OK;
	snprintf(path, sizeof(path), "%s/%016llx", f->corpus_dir, (unsigned long long)h);
	return write_file(path, data, len); /* another worker may own the same file: fine */
}

enum mm_err mm_fuzz_add_seed(struct mm_fuzz *f, const uint8_t *data, size_t len)
{
	struct mm_fuzz_result r;
	enum mm_err rc;

	if (!f || (!data && len))
		return MM_ERR_INVALID;
	if (len > f->max_len)
		len = f->max_len;
	rc = fuzz_corpus_add(f, data, len, NULL);
	if (rc && rc != MM_ERR_IO)
		return rc;
	return mm_fuzz_exec(f, data, len, &r); /* its coverage and findings count */
}

/* True when name is a corpus file name: 16 lower-case hex digits. */
static bool corpus_name(const char *name)
{
	if (strlen(name) != HASH_NAME_LEN)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The corpus file names of dir not in the corpus yet, sorted (deterministic order). */
static enum mm_err new_names(struct mm_fuzz *f, DIR *dir, char ***out, size_t *n)
{
	struct dirent *de;
	size_t cap = 0;
	char **v = NULL;

	*n = 0;
	while ((de = readdir(dir))) {
		char **nv;

		if (!corpus_name(de->d_name) ||
		    in_corpus(f, strtoull(de->d_name, NULL, 16)))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv)
				goto nomem;
			v = nv;
		}
		v[*n] = strdup(de->d_name);
		if (!v[*n])
			goto nomem;
		(*n)++;
	}
	if (*n)
		qsort(v, *n, sizeof(*v), by_name);
	*out = v;
	return MM_OK;
nomem:
	while (*n)
		free(v[--*n]);
	free(v);
	return MM_ERR_NOMEM;
}

/* Reads a corpus file (at most max_len bytes) into f->work; -1 when unreadable. */
static long read_input(struct mm_fuzz *f, const char *name)
{
	char path[PATH_MAX];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", f->corpus_dir, name);
	fp = fopen(path, "rb");
	if (!fp)
		return -1;
	n = fread(f->work, 1, f->max_len, fp);
	fclose(fp);
	return (long)n;
}

/* Adds one file another worker wrote, and runs it for its coverage. */
static enum mm_err sync_one(struct mm_fuzz *f, const char *name)
{
	struct mm_fuzz_result r;
	long n = read_input(f, name);
	enum mm_err rc;

	if (n < 0)
		return MM_OK; /* vanished or unreadable: not ours to judge */
	rc = append(f, f->work, (size_t)n, strtoull(name, NULL, 16));
	if (!rc)
		rc = mm_fuzz_exec(f, f->work, (size_t)n, &r);
	return rc;
}

enum mm_err mm_fuzz_sync(struct mm_fuzz *f)
{
	enum mm_err rc = MM_OK;
	char **names;
	size_t n, i;
	DIR *dir;

	if (!f)
		return MM_ERR_INVALID;
	if (!f->corpus_dir)
		return MM_OK;
	dir = opendir(f->corpus_dir);
	if (!dir) {
		if (errno != ENOENT || mkdir(f->corpus_dir, 0777))
			return MM_ERR_IO;
		return MM_OK;
	}
	rc = new_names(f, dir, &names, &n);
	closedir(dir);
	if (rc)
		return rc;
	for (i = 0; i < n && !rc; i++)
		rc = sync_one(f, names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* ---- findings ---- */

/* Index of a finding in stats.findings_by_class. */
static unsigned class_index(uint32_t finding)
{
	unsigned i = 0;

	if (finding == MM_FUZZ_FINDING_CRASH)
		return FUZZ_CLASSES - 1;
	while (i < FUZZ_CLASSES - 1 && !(finding & (1u << i)))
		i++;
	return i;
}

/* Copies s into out as a file-name part: letters, digits, '+', '-', '_' ("unknown" if empty). */
static void name_part(char *out, size_t size, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < size; s++)
		out[n++] = (strchr("+-_", *s) || (*s >= '0' && *s <= '9') ||
			    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
				   ? *s
				   : '_';
	out[n] = 0;
	if (!n)
		snprintf(out, size, "unknown");
}

/* Records key as found; false when it was known already. */
static bool remember(struct mm_fuzz *f, const struct fuzz_key *key, enum mm_err *rc)
{
	struct fuzz_key *v;

	*rc = MM_OK;
	for (size_t i = 0; i < f->nfound; i++)
		if (f->found[i].cls == key->cls && f->found[i].rip == key->rip)
			return false;
	if (f->nfound == f->found_cap) {
		size_t cap = f->found_cap ? f->found_cap * 2 : 16;

		v = realloc(f->found, cap * sizeof(*v));
		if (!v) {
			*rc = MM_ERR_NOMEM;
			return false;
		}
		f->found = v;
		f->found_cap = cap;
	}
	f->found[f->nfound++] = *key;
	f->by_class[class_index(key->cls)]++;
	return true;
}

/* "<class>-<where>-<n>" of the finding in the machine's stop record, in out. */
static void finding_name(struct mm_fuzz *f, uint32_t finding, char *out, size_t size)
{
	const struct mm_stop *stop = mm_machine_stop(f->m);
	struct mm_oracle_finding of;
	char where[100], *arrow;

	name_part(where, sizeof(where), stop ? stop->where : NULL);
	if (!strcmp(where, "unknown") && !mm_oracle_finding(f->m, &of)) {
		arrow = strstr(of.backtrace, " <- ");
		if (arrow)
			*arrow = 0; /* the innermost driver */
		name_part(where, sizeof(where), of.backtrace);
	}
	snprintf(out, size, "%s-%s-%zu", fuzz_class_name(finding, stop), where, f->nfound);
}

/* Minimizes the input of a new finding and writes its reproducer and raw bytes. */
static enum mm_err write_finding(struct mm_fuzz *f, const uint8_t *data, size_t len,
				 const struct fuzz_key *key)
{
	char name[PATH_MAX - 8], path[PATH_MAX];
	uint8_t *small = NULL;
	size_t small_len = 0;
	enum mm_err rc;

	snprintf(name, sizeof(name), "%s/", f->findings_dir);
	finding_name(f, key->cls, name + strlen(name), sizeof(name) - strlen(name));
	rc = fuzz_shrink(f, data, len, key, FUZZ_SHRINK_RUNS, &small, &small_len);
	if (rc)
		return rc;
	mkdir(f->findings_dir, 0777);
	snprintf(path, sizeof(path), "%s.bin", name);
	rc = write_file(path, small, small_len);
	if (!rc) {
		snprintf(path, sizeof(path), "%s.yaml", name);
		rc = mm_fuzz_write_reproducer(f, small, small_len, path);
	}
	free(small);
	return rc == MM_ERR_IO ? MM_OK : rc; /* a full disk does not end fuzzing */
}

enum mm_err fuzz_note_finding(struct mm_fuzz *f, const uint8_t *data, size_t len,
			      const struct mm_fuzz_result *r)
{
	const struct mm_stop *stop = mm_machine_stop(f->m);
	struct fuzz_key key = { r->finding, stop ? stop->rip : 0 };
	uint8_t *map, *copy;
	enum mm_err rc;

	if (!remember(f, &key, &rc) || !f->findings_dir)
		return rc;
	/* writing runs the input again: keep the caller's input and edge map */
	map = malloc(MM_FUZZ_EDGE_MAP_SIZE);
	copy = malloc(len ? len : 1);
	if (!map || !copy) {
		free(map);
		free(copy);
		return MM_ERR_NOMEM;
	}
	memcpy(map, f->map, MM_FUZZ_EDGE_MAP_SIZE);
	if (len)
		memcpy(copy, data, len);
	rc = write_finding(f, copy, len, &key);
	memcpy(f->map, map, MM_FUZZ_EDGE_MAP_SIZE);
	f->ntouched = FUZZ_TOUCHED_MAX + 1; /* the list is the re-run's: clear the whole map next */
	free(map);
	free(copy);
	return rc;
}

/* ---- reproducers ---- */

/* Path of file relative to the directory dir (both absolute and canonical; "" is /). */
static void relative_path(char *out, size_t size, const char *dir, const char *file)
{
	size_t i = 0, common, n = 0;

	while (dir[i] && dir[i] == file[i])
		i++;
	common = i;
	if (dir[i] || file[i] != '/') /* diverged inside a component: back to its start */
		while (common && dir[common] != '/')
			common--;
	for (const char *p = dir + common; *p; p++)
		if (*p == '/')
			n += (size_t)snprintf(out + n, n < size ? size - n : 0, "../");
	snprintf(out + n, n < size ? size - n : 0, "%s", file + common + 1);
}

/* The `base:` value: the fuzzed scenario relative to the reproducer's directory. */
static void base_path(const struct mm_fuzz *f, const char *repro, char *out, size_t size)
{
	char dir[PATH_MAX], real_dir[PATH_MAX], real_s[PATH_MAX];
	const char *slash = strrchr(repro, '/');

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - repro) : 1,
		 slash ? repro : ".");
	if (slash == repro)
		snprintf(dir, sizeof(dir), "/");
	if (realpath(dir, real_dir) && realpath(f->scenario_path, real_s))
		relative_path(out, size, strcmp(real_dir, "/") ? real_dir : "", real_s);
	else
		snprintf(out, size, "%s", f->scenario_path);
}

/* s as a YAML double-quoted scalar. */
static void put_quoted(FILE *fp, const char *s)
{
	fputc('"', fp);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c < 0x20 || c >= 0x7F)
			fprintf(fp, "\\x%02x", c);
		else
			fputc(c, fp);
	}
	fputc('"', fp);
}

static void put_hex(FILE *fp, const uint8_t *data, size_t len)
{
	fputc('"', fp);
	for (size_t i = 0; i < len; i++)
		fprintf(fp, "%s%02x", i && !(i % 32) ? " " : "", data[i]);
	fputc('"', fp);
}

/* The platform keys the fuzzer changed from the scenario's: oracles, budget. */
static void put_platform(FILE *fp, const struct mm_fuzz *f)
{
	const char *sep = "";

	if (!f->c.oracles && !f->c.instruction_budget)
		return;
	fprintf(fp, "platform: {");
	if (f->c.oracles) {
		fprintf(fp, " oracles: [");
		for (uint32_t bit = 1; bit & MM_ORACLE_ALL; bit <<= 1)
			if (f->c.oracles & bit) {
				fprintf(fp, "%s%s", sep, mm_oracle_name(bit));
				sep = ", ";
			}
		fprintf(fp, "]%s", f->c.instruction_budget ? "," : "");
	}
	if (f->c.instruction_budget)
		fprintf(fp, " instruction-budget: %llu",
			(unsigned long long)f->c.instruction_budget);
	fprintf(fp, " }\n");
}

static void put_guid(FILE *fp, const uint8_t g[16])
{
	fprintf(fp, "%02X%02X%02X%02X-%02X%02X-%02X%02X-", g[3], g[2], g[1], g[0], g[5], g[4],
		g[7], g[6]);
	fprintf(fp, "%02X%02X-%02X%02X%02X%02X%02X%02X", g[8], g[9], g[10], g[11], g[12], g[13],
		g[14], g[15]);
}

static void put_communicate(FILE *fp, const struct mm_fuzz *f, const uint8_t *data, size_t len)
{
	fprintf(fp, "  - communicate:\n      guid: ");
	put_guid(fp, f->c.target.guid);
	fprintf(fp, "\n      address: 0x%llx\n      buffer-size: %llu\n      payload: ",
		(unsigned long long)f->buf_addr, (unsigned long long)f->buf_size);
	put_hex(fp, data, len);
	fputc('\n', fp);
}

static void put_sw_smi(FILE *fp, const struct mm_fuzz *f, const uint8_t *data, size_t len)
{
	static const char *const regs[FUZZ_SW_REGS] = { "rax", "rcx", "rdx", "rbx", "rsp", "rbp",
							 "rsi", "rdi", "r8",  "r9",  "r10", "r11",
							 "r12", "r13", "r14", "r15" };
	const struct mm_fuzz_target *t = &f->c.target;
	size_t at = 0;
	unsigned value = t->sw_value >= 0 ? (unsigned)t->sw_value : (at < len ? data[at++] : 0);
	unsigned port_data = at < len ? data[at] : 0;

	at++;
	fprintf(fp, "  - set-registers: { cpu: %u", t->cpu);
	for (unsigned i = 0; i < FUZZ_SW_REGS; i++, at += 8) {
		uint64_t v = 0;

		for (unsigned b = 0; b < 8; b++)
			v |= (uint64_t)(at + b < len ? data[at + b] : 0) << (8 * b);
		fprintf(fp, ", %s: 0x%llx", regs[i], (unsigned long long)v);
	}
	fprintf(fp, " }\n");
	if (len > at) {
		fprintf(fp, "  - write-memory: { address: 0x%llx, hex: ",
			(unsigned long long)f->buf_addr);
		put_hex(fp, data + at, len - at);
		fprintf(fp, " }\n");
	}
	fprintf(fp, "  - sw-smi: { value: 0x%02x, data: 0x%02x, cpu: %u }\n", value, port_data,
		t->cpu);
}

/*
 * The expectation of the last step: the stop the input gave, or none. A hang
 * is expected without its instruction: where a budget counted in translated
 * blocks runs out depends on how the code was translated before, which a
 * replay on a fresh machine does not repeat.
 */
static void put_expect(FILE *fp, const struct mm_stop *stop)
{
	char text[sizeof(stop->message)], *rip;

	if (!stop || stop->kind == MM_STOP_NONE) {
		fprintf(fp, "    expect: { stop: none }\n");
		return;
	}
	snprintf(text, sizeof(text), "%s", stop->message);
	rip = strstr(text, "; RIP ");
	if (rip && (stop->kind == MM_STOP_HANG || !strcmp(stop->oracle, "hang")))
		*rip = 0;
	fprintf(fp, "    expect:\n      stop: { kind: %s, contains: ", mm_stop_kind_name(stop->kind));
	put_quoted(fp, text);
	fprintf(fp, " }\n");
}

enum mm_err mm_fuzz_write_reproducer(struct mm_fuzz *f, const uint8_t *data, size_t len,
				     const char *path)
{
	struct mm_fuzz_result r;
	const struct mm_stop *stop;
	char base[PATH_MAX];
	enum mm_err rc;
	FILE *fp;
	bool ok;

	if (!f || !path || (!data && len))
		return MM_ERR_INVALID;
	if (len > f->max_len)
		len = f->max_len;
	rc = fuzz_run(f, data, len, &r);
	if (rc)
		return rc;
	stop = mm_machine_stop(f->m);
	base_path(f, path, base, sizeof(base));
	fp = fopen(path, "w");
	if (!fp)
		return MM_ERR_IO;
	fprintf(fp, "# Written by the mmemu fuzzer: replays one input (%zu bytes) on the state\n"
		    "# '%s' leaves and expects the stop it gave.\n",
		len, mm_scenario_name(f->s));
	fprintf(fp, "description: ");
	put_quoted(fp, stop && stop->kind ? stop->message : "fuzz input");
	fprintf(fp, "\nbase: ");
	put_quoted(fp, base);
	fputc('\n', fp);
	put_platform(fp, f);
	fprintf(fp, "steps:\n");
	if (f->c.target.kind == MM_FUZZ_COMMUNICATE)
		put_communicate(fp, f, data, len);
	else
		put_sw_smi(fp, f, data, len);
	put_expect(fp, stop);
	ok = !ferror(fp);
	ok = !fclose(fp) && ok;
	return ok ? MM_OK : MM_ERR_IO;
}
