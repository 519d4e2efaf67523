/* SPDX-License-Identifier: MIT */
/*
 * The debugging options of `mmemu run` (run-debug.h). A worker runs its
 * scenario with run hooks (include/mmemu/record.h) that switch coverage and
 * tracing on once the machine exists, feed the recorder, and write the
 * coverage file and the report when the run ends, before the machine goes.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mmemu/record.h>

#include "run-debug.h"

/* One scenario's run with the features on. */
struct dbg_run {
	const struct run_debug *d;
	size_t index;
	const struct mm_scenario *s;
	struct mm_machine *m;
	struct mm_recorder *rec;  /* --report */
	FILE *trace_out;          /* --trace-file, or NULL for stderr */
	struct run_debug_note {
		char text[256];
	} note;                   /* a feature that could not start */
};

int run_debug_option(struct run_debug *d, int c, const char *arg)
{
	char *end;
	unsigned long long n;

	switch (c - RUN_DEBUG_OPT_BASE) {
	case 0: d->coverage_dir = arg; return 0;
	case 1: d->report = arg; return 0;
	case 2:
		if (mm_trace_parse(arg, &d->trace)) {
			fprintf(stderr, "mmemu run: --trace: '%s' is not a list of insn, calls, "
					"mem:LO-HI (hex), io\n", arg);
			return -1;
		}
		return 0;
	case 3: d->trace_file = arg; return 0;
	case 4:
		n = strtoull(arg, &end, 10);
		if (end == arg || *end || arg[0] == '-' || !n) {
			fprintf(stderr, "mmemu run: --trace-limit: '%s' is not a positive number\n",
				arg);
			return -1;
		}
		d->trace.limit = n;
		return 0;
	case 5:
		if (!strchr(arg, '=') || arg[0] == '=' || d->nsymbols == 16) {
			fprintf(stderr, "mmemu run: --symbols: '%s' is not IMAGE=PATH (at most 16)\n",
				arg);
			return -1;
		}
		d->symbols[d->nsymbols++] = arg;
		return 0;
	default:
		return 1;
	}
}

/* The file name of a scenario: its name with anything but [A-Za-z0-9._-] as '_'. */
static void safe_name(const struct mm_scenario *s, char *buf, size_t len)
{
	const char *name = mm_scenario_name(s);

	snprintf(buf, len, "%s", name ? name : "scenario");
	for (char *p = buf; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
}

/* Gives the machine the --symbols files. */
static void add_symbols(const struct run_debug *d, struct mm_machine *m)
{
	for (unsigned i = 0; i < d->nsymbols; i++) {
		const char *eq = strchr(d->symbols[i], '=');
		char image[256];

		snprintf(image, sizeof(image), "%.*s", (int)(eq - d->symbols[i]), d->symbols[i]);
		if (mm_symbols_add(m, image, eq + 1))
			fprintf(stderr, "mmemu run: --symbols: %s\n", mm_machine_error(m));
	}
}

static void on_attach(void *user, struct mm_machine *m)
{
	struct dbg_run *r = user;
	struct mm_trace_opts t = r->d->trace;

	r->m = m;
	add_symbols(r->d, m);
	if (r->d->coverage_dir && mm_coverage_enable(m))
		snprintf(r->note.text, sizeof(r->note.text), "no coverage: %s",
			 mm_machine_error(m));
	if (t.what) {
		t.out = r->trace_out;
		if (mm_trace_enable(m, &t))
			fprintf(stderr, "mmemu run: --trace: %s\n", mm_machine_error(m));
	}
	if (r->rec)
		mm_recorder_on_attach(r->rec, m);
}

static void on_step_begin(void *user, struct mm_machine *m, const struct mm_run_step *s)
{
	struct dbg_run *r = user;

	if (r->rec)
		mm_recorder_on_step_begin(r->rec, m, s);
}

static void on_step_end(void *user, struct mm_machine *m, const struct mm_run_step *s)
{
	struct dbg_run *r = user;

	if (r->rec)
		mm_recorder_on_step_end(r->rec, m, s);
}

static void on_handler(void *user, const char *driver, uint64_t address, const uint8_t *type,
		       uint64_t status)
{
	struct dbg_run *r = user;

	if (r->rec)
		mm_recorder_on_handler(r->rec, driver, address, type, status);
	if (r->d->trace.what & MM_TRACE_CALLS)
		mm_trace_handler(r->m, driver, address, type, status);
}

static void on_log(void *user, uint32_t cat, const char *line)
{
	struct dbg_run *r = user;

	if (r->rec)
		mm_recorder_on_log(r->rec, cat, line);
	if (r->d->trace.what & MM_TRACE_IO)
		mm_trace_log(r->m, cat, line);
}

/* Writes the scenario's drcov file into the coverage directory. */
static void write_coverage(struct dbg_run *r, struct mm_machine *m)
{
	char name[128], *path;
	size_t len;

	if (!r->d->coverage_dir || r->note.text[0])
		return;
	safe_name(r->s, name, sizeof(name));
	len = strlen(r->d->coverage_dir) + strlen(name) + 32;
	path = malloc(len);
	if (!path)
		return;
	snprintf(path, len, "%s/%04zu-%s.drcov", r->d->coverage_dir, r->index + 1, name);
	if (mm_coverage_write_drcov(m, path))
		fprintf(stderr, "mmemu run: --coverage: %s\n", mm_machine_error(m));
	/* with --symbols, source lines too: NNNN-NAME.info beside the drcov file */
	snprintf(path, len, "%s/%04zu-%s.info", r->d->coverage_dir, r->index + 1, name);
	if (r->d->nsymbols && mm_coverage_write_lcov(m, path))
		fprintf(stderr, "mmemu run: --coverage: %s\n", mm_machine_error(m));
	free(path);
}

static void on_detach(void *user, struct mm_machine *m, const char *failure)
{
	struct dbg_run *r = user;

	write_coverage(r, m);
	if (r->rec)
		mm_recorder_on_detach(r->rec, m, failure);
	r->m = NULL;
}

/* The report's path: FILE for a single scenario, FILE-N.html (N from 1) otherwise. */
static char *report_path(const struct run_debug *d, size_t index)
{
	size_t len = strlen(d->report) + 32;
	char *p = malloc(len);
	const char *dot = strrchr(d->report, '.');

	if (!p)
		return NULL;
	if (d->total <= 1)
		snprintf(p, len, "%s", d->report);
	else if (dot && !strchr(dot, '/'))
		snprintf(p, len, "%.*s-%zu%s", (int)(dot - d->report), d->report, index + 1, dot);
	else
		snprintf(p, len, "%s-%zu", d->report, index + 1);
	return p;
}

static void write_report(struct dbg_run *r)
{
	char *path = report_path(r->d, r->index);
	FILE *f = path ? fopen(path, "w") : NULL;

	if (!f || mm_recorder_write_html(r->rec, f) || fclose(f))
		fprintf(stderr, "mmemu run: --report %s: %s\n", path ? path : "?", strerror(errno));
	free(path);
}

enum mm_err run_debug_scenario(const struct run_debug *d, size_t index,
			       const struct mm_scenario *s, struct mm_scenario_opts *so,
			       struct mm_scenario_result *res)
{
	struct dbg_run r = { .d = d, .index = index, .s = s };
	struct mm_run_hooks h = {
		.user = &r, .attach = on_attach, .step_begin = on_step_begin,
		.step_end = on_step_end, .handler = on_handler, .log = on_log,
		.detach = on_detach,
	};
	enum mm_err err;

	if (!d->coverage_dir && !d->report && !d->trace.what && !d->nsymbols)
		return mm_scenario_run(s, so, res);
	if (d->report) {
		r.rec = mm_recorder_create();
		if (!r.rec)
			return MM_ERR_NOMEM;
		mm_recorder_set_title(r.rec, mm_scenario_name(s), mm_scenario_path(s));
		h.log_mask = MM_RECORDER_LOG_MASK;
	}
	if (d->trace.what && d->trace_file) {
		r.trace_out = fopen(d->trace_file, index ? "a" : "w");
		if (!r.trace_out)
			fprintf(stderr, "mmemu run: --trace-file %s: %s\n", d->trace_file,
				strerror(errno));
	}
	so->hooks = &h;
	err = mm_scenario_run(s, so, res);
	so->hooks = NULL;
	if (r.note.text[0])
		fprintf(stderr, "mmemu run: %s: %s\n", mm_scenario_name(s), r.note.text);
	if (r.rec)
		write_report(&r);
	if (r.trace_out)
		fclose(r.trace_out);
	mm_recorder_free(r.rec);
	return err;
}

/* True for a per-scenario drcov file name (not the merged one). */
static bool is_part(const char *name)
{
	size_t n = strlen(name);

	return n > 6 && !strcmp(name + n - 6, ".drcov") && strcmp(name, "merged.drcov");
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int run_debug_finish(const struct run_debug *d, size_t n)
{
	DIR *dir;
	struct dirent *e;
	char **paths = NULL, *out;
	size_t np = 0, cap = 0;
	unsigned skipped = 0;
	int rc = 0;

	(void)n;
	if (!d->coverage_dir)
		return 0;
	dir = opendir(d->coverage_dir);
	if (!dir) {
		fprintf(stderr, "mmemu run: --coverage %s: %s\n", d->coverage_dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(dir))) {
		size_t len = strlen(d->coverage_dir) + strlen(e->d_name) + 2;

		if (!is_part(e->d_name))
			continue;
		if (np == cap) {
			char **v = realloc(paths, (cap = cap ? cap * 2 : 16) * sizeof(*v));

			if (!v)
				break;
			paths = v;
		}
		if (!(paths[np] = malloc(len)))
			break;
		snprintf(paths[np++], len, "%s/%s", d->coverage_dir, e->d_name);
	}
	closedir(dir);
	qsort(paths, np, sizeof(*paths), by_string);
	out = malloc(strlen(d->coverage_dir) + 16);
	if (out) {
		sprintf(out, "%s/merged.drcov", d->coverage_dir);
		if (mm_coverage_merge_drcov((const char *const *)paths, np, out, &skipped)) {
			fprintf(stderr, "mmemu run: --coverage: cannot write %s\n", out);
			rc = -1;
		} else if (skipped) {
			fprintf(stderr, "mmemu run: --coverage: %u unreadable drcov files skipped\n",
				skipped);
		}
	}
	for (size_t i = 0; i < np; i++)
		free(paths[i]);
	free(paths);
	free(out);
	return rc;
}

/* Creates the coverage directory when missing (parent side, before the workers). */
int run_debug_prepare(const struct run_debug *d)
{
	if (!d->coverage_dir || !mkdir(d->coverage_dir, 0777) || errno == EEXIST)
		return 0;
	fprintf(stderr, "mmemu run: --coverage %s: %s\n", d->coverage_dir, strerror(errno));
	return -1;
}
