/* SPDX-License-Identifier: MIT */
/*
 * mmemu run / mmemu check: the regression runner (docs/scenarios.md).
 *
 * run collects scenario files (directories recursively, sorted), keeps its
 * shard, loads them, keeps those whose name matches --filter, then runs them
 * on a pool of forked worker processes (tools/worker-pool.c), one scenario at
 * a time per worker: a machine maps guest memory at fixed addresses, so one
 * process holds one machine, and a driver that crashes its process takes only
 * its own scenario down (the pool starts a new worker). Workers send results
 * back through pipes; the parent prints them in input order whatever the
 * order in which workers finish, so -j N prints what -j 1 prints.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "run-debug.h"
#include "worker-pool.h"

#define MAX_JOBS 256

struct run_opts {
	const char *junit;   /* --junit FILE */
	bool tap;            /* --tap */
	unsigned jobs;       /* -j N */
	unsigned shard_i;    /* --shard I/N, 1-based; 0/0 when absent */
	unsigned shard_n;
	bool fail_fast;      /* -x */
	const char *filter;  /* -k SUBSTR */
	uint32_t log_mask;   /* --log */
	bool verbose;        /* -v */
	bool timing;         /* not --no-timing */
	struct run_debug dbg; /* --coverage, --report, --trace... (run-debug.c) */
	bool gdb;             /* --gdb: one scenario at a time */
};

/* One scenario file on its way through load, run and report. */
struct job {
	char *file;             /* as found: operand, or operand/sub/x.yaml */
	char *error;            /* set when the file could not be collected or loaded */
	struct mm_scenario *s;  /* loaded scenario, NULL on error */
	double start;
	bool done;
	struct report_case rc;
	char *message, *output; /* owned strings behind rc */
};

struct job_list {
	struct job *v;
	size_t n, cap;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Appends a job for file (copied); error (copied, may be NULL) marks it failed. */
static int job_add(struct job_list *l, const char *file, const char *error)
{
	struct job *j;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct job *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	j = &l->v[l->n];
	memset(j, 0, sizeof(*j));
	j->file = strdup(file);
	j->error = error ? strdup(error) : NULL;
	if (!j->file || (error && !j->error)) {
		free(j->file);
		free(j->error);
		return -1;
	}
	l->n++;
	return 0;
}

static void job_free(struct job *j)
{
	free(j->file);
	free(j->error);
	mm_scenario_free(j->s);
	free(j->message);
	free(j->output);
}

static void job_list_free(struct job_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		job_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

static bool is_scenario_name(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

static int by_file(const void *a, const void *b)
{
	return strcmp(((const struct job *)a)->file, ((const struct job *)b)->file);
}

/* Adds the scenario files under directory dir, recursively (hidden entries skipped). */
static int collect_dir(struct job_list *l, const char *dir, unsigned depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int rc = 0;

	if (!d || depth > 32) {
		if (d)
			closedir(d);
		return job_add(l, dir, d ? "directories nested too deep" : strerror(errno));
	}
	while (!rc && (e = readdir(d))) {
		size_t n = strlen(dir);
		struct stat st;
		char *path;

		if (e->d_name[0] == '.')
			continue;
		path = malloc(n + strlen(e->d_name) + 2);
		if (!path) {
			rc = -1;
			break;
		}
		sprintf(path, "%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/", e->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			rc = collect_dir(l, path, depth + 1);
		else if (is_scenario_name(e->d_name))
			rc = job_add(l, path, NULL);
		free(path);
	}
	closedir(d);
	return rc;
}

/*
 * Adds the scenarios one operand names: a file as it is (the loader reports
 * it if unreadable), a directory's *.yaml and *.yml files sorted by path.
 */
static int collect(struct job_list *l, const char *operand)
{
	size_t first = l->n;
	struct stat st;

	if (stat(operand, &st) != 0 || !S_ISDIR(st.st_mode))
		return job_add(l, operand, NULL);
	if (collect_dir(l, operand, 0))
		return -1;
	if (l->n == first)
		return job_add(l, operand, "no *.yaml or *.yml scenario files in this directory");
	qsort(l->v + first, l->n - first, sizeof(l->v[0]), by_file);
	return 0;
}

/* Loads j's scenario; a failure becomes j->error. */
static int job_load(struct job *j)
{
	char err[1024] = "";

	if (j->error)
		return 0;
	if (mm_scenario_load(j->file, &j->s, err, sizeof(err)) == MM_OK && j->s)
		return 0;
	mm_scenario_free(j->s);
	j->s = NULL;
	j->error = strdup(*err ? err : "could not be loaded");
	return j->error ? 0 : -1;
}

/* The name --filter matches: the scenario's, or the file's when it did not load. */
static const char *job_name(const struct job *j)
{
	const char *name = j->s ? mm_scenario_name(j->s) : NULL;

	return name ? name : j->file;
}

/* Marks j done with the given outcome; message and output are taken over. */
static void job_finish(struct job *j, enum report_outcome outcome, char *message, char *output)
{
	j->done = true;
	j->message = message;
	j->output = output;
	j->rc = (struct report_case){
		.name = job_name(j),
		.file = j->file,
		.outcome = outcome,
		.message = message,
		.output = output,
		.seconds = j->start ? now_seconds() - j->start : 0,
	};
}

/* What a worker needs to run job number index. */
struct run_ctx {
	struct job *v;
	const struct run_opts *o;
};

/*
 * The worker side: runs one scenario and sends back one record,
 *   outcome letter (P F S E), the -v output, NUL, the message, NUL.
 */
static void run_one(void *ctx, size_t index, int fd)
{
	const struct run_ctx *c = ctx;
	const struct job *j = &c->v[index];
	struct mm_scenario_result r = { 0 };
	struct mm_scenario_opts so = { .log_mask = c->o->log_mask, .verbose = c->o->verbose };
	char *out = NULL, *rec = NULL, outcome;
	size_t outlen = 0, reclen = 0;
	const char *msg;
	enum mm_err err;
	FILE *f;

	if (c->o->verbose)
		so.out = open_memstream(&out, &outlen);
	err = run_debug_scenario(&c->o->dbg, index, j->s, &so, &r);
	if (so.out)
		fclose(so.out);
	if (err != MM_OK)
		outcome = 'E';
	else
		outcome = r.skipped ? 'S' : r.passed ? 'P' : 'F';
	msg = r.message ? r.message : err != MM_OK ? mm_strerror(err) : "";
	f = open_memstream(&rec, &reclen);
	if (f) {
		fputc(outcome, f);
		fwrite(out ? out : "", 1, outlen + 1, f);
		fwrite(msg, 1, strlen(msg) + 1, f);
		fclose(f);
		pool_send_record(fd, rec, reclen);
	}
	free(rec);
	free(out);
	mm_scenario_result_free(&r);
}

/* Finishes j at once when it could not be loaded; true when it was. */
static bool job_failed_early(struct job *j)
{
	if (!j->error)
		return false;
	job_finish(j, REPORT_ERROR, strdup(j->error), NULL);
	return true;
}

/* Describes how a worker ended when it sent no complete record. */
static char *worker_death(int status)
{
	char text[128];

	if (WIFSIGNALED(status))
		snprintf(text, sizeof(text), "the worker process died of signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(text, sizeof(text), "the worker process exited with status %d "
			 "without a result", WEXITSTATUS(status));
	return strdup(text);
}

/* Turns a worker's result into its job's outcome. */
static void job_collect(struct job *j, const struct pool_result *res)
{
	static const char letters[] = "PFSE";
	static const enum report_outcome outcomes[] = { REPORT_PASS, REPORT_FAIL, REPORT_SKIP,
							REPORT_ERROR };
	const char *letter, *output, *nul;
	const char *b = res->record;

	letter = !res->died && res->len ? memchr(letters, b[0], 4) : NULL;
	nul = letter ? memchr(b + 1, 0, res->len - 1) : NULL;
	if (!letter || !nul || !memchr(nul + 1, 0, res->len - (size_t)(nul + 1 - b))) {
		job_finish(j, REPORT_ERROR, worker_death(res->status), NULL);
		return;
	}
	output = b + 1;
	job_finish(j, outcomes[letter - letters], *(nul + 1) ? strdup(nul + 1) : NULL,
		   *output ? strdup(output) : NULL);
}

static void print_case(const struct run_opts *o, size_t index, const struct job *j)
{
	if (o->tap)
		report_tap_case(stdout, index + 1, &j->rc);
	else
		report_plain_case(stdout, &j->rc);
	fflush(stdout);
}

/*
 * Runs the jobs on o->jobs workers, printing each result as soon as all those
 * before it are printed. Returns how many were printed (all of them, unless
 * --fail-fast stopped the run), or -1 on a host failure.
 */
static long run_jobs(struct job *v, size_t n, const struct run_opts *o)
{
	struct run_ctx ctx = { v, o };
	size_t next_launch = 0, next_print = 0;
	struct pool pool;
	long ret = -1;

	if (pool_start(&pool, o->jobs < n ? o->jobs : (unsigned)(n ? n : 1), run_one, &ctx))
		goto out;
	while (next_print < n) {
		struct pool_result res;
		int r;

		while (next_launch < n &&
		       (job_failed_early(&v[next_launch]) || pool_submit(&pool, next_launch))) {
			v[next_launch].start = now_seconds();
			next_launch++;
		}
		while (next_print < n && v[next_print].done) {
			const struct job *j = &v[next_print];

			print_case(o, next_print++, j);
			if (o->fail_fast && (j->rc.outcome == REPORT_FAIL ||
					     j->rc.outcome == REPORT_ERROR)) {
				ret = (long)next_print;
				goto out;
			}
		}
		if (next_print >= n)
			break;
		r = pool_wait(&pool, &res);
		if (r < 0)
			goto out;
		if (r > 0) {
			job_collect(&v[res.index], &res);
			free(res.record);
		}
	}
	ret = (long)next_print;
out:
	if (ret < 0)
		perror("mmemu run");
	pool_stop(&pool, ret < 0 || next_print < n);
	return ret;
}

static void run_usage(FILE *out)
{
	fprintf(out,
		"usage: mmemu run [OPTIONS] FILE|DIR...\n"
		"Runs scenario files (directories recursively: *.yaml, *.yml, sorted by path),\n"
		"prints PASS/FAIL/SKIP/ERROR per scenario and a summary line.\n\n"
		"  --junit FILE        also write a JUnit XML report to FILE\n"
		"  --tap               print TAP version 13 instead of the plain lines\n"
		"  -j, --jobs N        run N scenarios in parallel (one process each; default 1)\n"
		"  --shard I/N         run only shard I of N (scenario k, 0-based in sorted order,\n"
		"                      belongs to shard (k mod N)+1)\n"
		"  -x, --fail-fast     stop at the first failure\n"
		"  -k, --filter SUBSTR run only scenarios whose name contains SUBSTR\n"
		"  --log CATEGORY,...  show these log categories on stderr (mmemu --help lists them)\n"
		"  -v, --verbose       print every step\n"
		"  --no-timing         leave the time out of the summary and the JUnit file\n"
		RUN_DEBUG_USAGE
		"  --gdb PORT          debug with gdb: wait for it on 127.0.0.1:PORT at the first\n"
		"                      SMI entry (implies -j 1; docs/debugging.md)\n"
		"  --break-handler NAME  with --gdb: stop at this MMI handler's entry instead\n"
		"                      (0xADDR, IMAGE+OFFSET, or the handler type GUID/name)\n\n"
		"Exit status: 0 all passed (skips allowed), 1 a scenario failed, 2 bad usage\n"
		"or a file that could not be read or loaded.\n");
}

/* Parses "I/N" into o->shard_i, o->shard_n. */
static int parse_shard(const char *arg, struct run_opts *o)
{
	char *end;
	unsigned long i = strtoul(arg, &end, 10), n;

	if (end == arg || *end != '/' || arg[0] == '-')
		return -1;
	arg = end + 1;
	n = strtoul(arg, &end, 10);
	if (end == arg || *end || arg[0] == '-' || n == 0 || n > 1000000 || i < 1 || i > n)
		return -1;
	o->shard_i = (unsigned)i;
	o->shard_n = (unsigned)n;
	return 0;
}

/* Parses the options of run; returns 0, 1 for --help, -1 on bad usage (message printed). */
static int parse_run_opts(int argc, char **argv, struct run_opts *o)
{
	enum { OPT_JUNIT = 256, OPT_TAP, OPT_SHARD, OPT_LOG, OPT_NO_TIMING, OPT_GDB, OPT_BREAK };
	static const struct option opts[] = {
		{ "junit", required_argument, NULL, OPT_JUNIT },
		{ "tap", no_argument, NULL, OPT_TAP },
		{ "jobs", required_argument, NULL, 'j' },
		{ "shard", required_argument, NULL, OPT_SHARD },
		{ "fail-fast", no_argument, NULL, 'x' },
		{ "filter", required_argument, NULL, 'k' },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "verbose", no_argument, NULL, 'v' },
		{ "no-timing", no_argument, NULL, OPT_NO_TIMING },
		{ "help", no_argument, NULL, 'h' },
		RUN_DEBUG_OPTIONS,
		{ "gdb", required_argument, NULL, OPT_GDB },
		{ "break-handler", required_argument, NULL, OPT_BREAK },
		{ NULL, 0, NULL, 0 },
	};
	char err[256], *end;
	unsigned long n;
	int c;

	*o = (struct run_opts){ .jobs = 1, .timing = true };
	optind = 1;
	opterr = 1;
	while ((c = getopt_long(argc, argv, "hj:k:xv", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JUNIT: o->junit = optarg; break;
		case OPT_TAP: o->tap = true; break;
		case 'x': o->fail_fast = true; break;
		case 'k': o->filter = optarg; break;
		case 'v': o->verbose = true; break;
		case OPT_NO_TIMING: o->timing = false; break;
		case OPT_GDB: /* read by mm_machine_create in the worker (emu/gdb.c) */
			n = strtoul(optarg, &end, 10);
			if (end == optarg || *end || n < 1 || n > 65535) {
				fprintf(stderr, "mmemu run: --gdb: '%s' is not a port\n", optarg);
				return -1;
			}
			setenv("MMEMU_GDB_PORT", optarg, 1);
			o->gdb = true;
			break;
		case OPT_BREAK: setenv("MMEMU_GDB_BREAK_HANDLER", optarg, 1); break;
		case 'h': return 1;
		case 'j':
			n = strtoul(optarg, &end, 10);
			if (end == optarg || *end || optarg[0] == '-' || n < 1 || n > MAX_JOBS) {
				fprintf(stderr, "mmemu run: -j: '%s' is not 1..%d\n", optarg, MAX_JOBS);
				return -1;
			}
			o->jobs = (unsigned)n;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, o)) {
				fprintf(stderr, "mmemu run: --shard: '%s' is not I/N with 1 <= I <= N\n",
					optarg);
				return -1;
			}
			break;
		case OPT_LOG:
			if (mm_log_parse(optarg, &o->log_mask, err, sizeof(err))) {
				fprintf(stderr, "mmemu run: --log: %s\n", err);
				return -1;
			}
			break;
		default:
			if (run_debug_option(&o->dbg, c, optarg))
				return -1;
		}
	}
	if (o->gdb)
		o->jobs = 1; /* one debuggee at a time on the port */
	if (optind >= argc) {
		fprintf(stderr, "mmemu run: no scenario file or directory given\n");
		return -1;
	}
	return 0;
}

/* Collects every operand's files; -1 on a host failure. */
static int collect_operands(struct job_list *l, int argc, char **argv)
{
	for (int a = optind; a < argc; a++)
		if (collect(l, argv[a])) {
			perror("mmemu");
			return -1;
		}
	return 0;
}

/*
 * Keeps the jobs of the selected shard, loads them and drops those the
 * filter excludes; the survivors are packed at the front of l.
 */
static int select_jobs(struct job_list *l, const struct run_opts *o)
{
	size_t kept = 0;

	for (size_t k = 0; k < l->n; k++) {
		struct job *j = &l->v[k];
		bool keep = !o->shard_n || k % o->shard_n + 1 == o->shard_i;

		if (keep && job_load(j))
			return -1;
		if (keep && o->filter)
			keep = strstr(job_name(j), o->filter) != NULL;
		if (!keep) {
			job_free(j);
			continue;
		}
		l->v[kept++] = *j;
	}
	l->n = kept;
	return 0;
}

/* Prints the summary (and TAP's bail-out), writes JUnit; returns the exit code. */
static int run_finish(const struct job_list *l, size_t printed, const struct run_opts *o,
		      double t0)
{
	struct report_totals t = { 0 };
	struct report_case *cases = calloc(printed + 1, sizeof(*cases));
	int rc;

	if (!cases)
		return CLI_USAGE;
	for (size_t i = 0; i < printed; i++) {
		cases[i] = l->v[i].rc;
		report_count(&t, &cases[i]);
	}
	if (o->tap && printed < l->n)
		printf("Bail out! stopped at the first failure (--fail-fast)\n");
	report_summary(stdout, o->tap ? "# " : "", &t, o->timing ? now_seconds() - t0 : -1);
	fflush(stdout);
	rc = t.errors ? CLI_USAGE : t.failed ? CLI_FAIL : CLI_OK;
	if (o->junit && report_junit_write(o->junit, cases, printed, o->timing)) {
		fprintf(stderr, "mmemu run: --junit %s: %s\n", o->junit, strerror(errno));
		rc = CLI_USAGE;
	}
	free(cases);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	struct job_list l = { 0 };
	struct run_opts o;
	double t0 = now_seconds();
	long printed;
	int rc;

	rc = parse_run_opts(argc, argv, &o);
	if (rc) {
		run_usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? CLI_OK : CLI_USAGE;
	}
	if (collect_operands(&l, argc, argv) || select_jobs(&l, &o)) {
		job_list_free(&l);
		return CLI_USAGE;
	}
	o.dbg.total = l.n;
	if (run_debug_prepare(&o.dbg)) {
		job_list_free(&l);
		return CLI_USAGE;
	}
	if (o.tap)
		report_tap_header(stdout, l.n);
	printed = run_jobs(l.v, l.n, &o);
	rc = printed < 0 ? CLI_USAGE : run_finish(&l, (size_t)printed, &o, t0);
	if (printed >= 0 && run_debug_finish(&o.dbg, (size_t)printed))
		rc = CLI_USAGE;
	job_list_free(&l);
	return rc;
}

static void check_usage(FILE *out)
{
	fprintf(out, "usage: mmemu check FILE|DIR...\n"
		     "Loads and validates scenario files without running them: prints 'ok FILE'\n"
		     "or the first problem as FILE:LINE:COLUMN: message. Exit status 0 when all\n"
		     "are valid, 2 otherwise.\n");
}

int cmd_check(int argc, char **argv)
{
	struct job_list l = { 0 };
	int rc = CLI_OK;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		check_usage(stdout);
		return CLI_OK;
	}
	if (argc < 2 || argv[1][0] == '-') {
		check_usage(stderr);
		return CLI_USAGE;
	}
	optind = 1;
	if (collect_operands(&l, argc, argv)) {
		job_list_free(&l);
		return CLI_USAGE;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct job *j = &l.v[i];

		if (job_load(j)) {
			rc = CLI_USAGE;
			break;
		}
		if (j->error && !strncmp(j->error, j->file, strlen(j->file)) &&
		    j->error[strlen(j->file)] == ':')
			fprintf(stderr, "%s\n", j->error);
		else if (j->error)
			fprintf(stderr, "%s: %s\n", j->file, j->error);
		else
			printf("ok %s\n", j->file);
		fflush(stdout);
		if (j->error)
			rc = CLI_USAGE;
	}
	job_list_free(&l);
	return rc;
}
