/* SPDX-License-Identifier: MIT */
/*
 * mmemu fuzz: coverage-guided fuzzing of an MMI handler from a scenario's end
 * state (include/mmemu/fuzz.h, docs/fuzzing.md).
 *
 * One process runs the engine in chunks of executions and prints a status
 * line between them. With -j N the parent forks N workers instead, each with
 * its own machine and seed (seed + worker index), sharing the corpus and
 * findings directories (each worker re-reads the corpus every few seconds);
 * the workers send their statistics over a pipe and the parent prints the
 * sum. SIGINT and SIGTERM stay blocked and are polled between chunks, so an
 * interrupted run still ends with its summary and the right exit code.
 *
 * Exit codes: 0 no findings, 1 findings, 2 bad usage or a harness error.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmemu/oracle.h>

#include "cli.h"
#include "fuzz-minimize.h"
#include "fuzz-status.h"
#include "fuzz-target.h"

#define MAX_JOBS 64
#define SYNC_SECONDS 2.0   /* how often a worker re-reads the shared corpus */
#define REPORT_SECONDS 0.5 /* how often a worker reports to the parent */
#define CHUNK_SECONDS 0.1  /* the time one mm_fuzz_iterate call aims at */

struct fuzz_opts {
	struct mm_fuzz_config cfg;
	uint64_t runs;     /* total executions, 0: no limit */
	double seconds;    /* wall-clock limit, 0: none */
	unsigned jobs;
	bool have_target, have_seed;
	const char *out;   /* --minimize: the output */
	bool minimize;
	char tmp_corpus[64]; /* a corpus directory made for -j without --corpus */
};

/* What a worker sends its parent; fixed size, below PIPE_BUF: written atomically. */
struct worker_report {
	struct mm_fuzz_stats s;
	int final;         /* the last report: the worker is done */
	int error;         /* the harness failed (message in msg) */
	char msg[256];
};

static void fuzz_usage(FILE *out)
{
	fprintf(out,
		"usage: mmemu fuzz SCENARIO (--guid GUID | --sw-smi [VALUE]) [OPTIONS]\n"
		"       mmemu fuzz --minimize FINDING.bin|FINDING.yaml... -o OUT [SCENARIO TARGET]\n"
		"Fuzzes the MMI handlers of GUID (MM communicate messages) or the SW SMI VALUE\n"
		"(with no VALUE the APMC value is fuzzed too), starting every execution from\n"
		"the state SCENARIO ends in. Exit code: 0 no findings, 1 findings, 2 error.\n\n"
		"  --guid GUID          fuzz the communicate messages of this handler GUID\n"
		"  --sw-smi [VALUE]     fuzz a SW SMI (and its saved registers) instead\n"
		"  --cpu N              the CPU raising the SW SMI (default 0)\n"
		"  --corpus DIR         seed inputs read from DIR, new ones written there\n"
		"  --findings DIR       write a reproducer scenario per finding into DIR\n"
		"  --seed N             mutator seed (default: from the clock; printed)\n"
		"  --runs N             stop after N executions (all workers together)\n"
		"  --time SECONDS       stop after SECONDS\n"
		"  -j, --jobs N         N worker processes sharing corpus and findings\n"
		"  --oracles LIST       oracle classes, comma-separated, 'all' (default) or 'none'\n"
		"  --dict FILE          AFL-style dictionary added to the built-in tokens\n"
		"  --max-len N          largest input, bytes (default 4096)\n"
		"  --minimize           shrink each finding input while it gives the same finding;\n"
		"                       -o OUT names the result (a directory for several inputs)\n"
		"  -o, --output OUT     output of --minimize\n");
}

/* Handles --sw-smi and its optional VALUE (the next argument, when a number). */
static int opt_sw_smi(struct fuzz_opts *o, int argc, char **argv)
{
	const char *v = optarg;
	uint64_t n;

	if (!v && optind < argc && !cli_fuzz_parse_number(argv[optind], 0xff, &n))
		v = argv[optind++];
	o->cfg.target.kind = MM_FUZZ_SW_SMI;
	o->cfg.target.sw_value = -1;
	if (v) {
		if (cli_fuzz_parse_number(v, 0xff, &n)) {
			fprintf(stderr, "mmemu fuzz: --sw-smi value '%s' is not a byte\n", v);
			return -1;
		}
		o->cfg.target.sw_value = (int)n;
	}
	return 0;
}

/* Reads a number option into *out; -1 with a message when bad. */
static int opt_number(const char *name, const char *s, uint64_t max, uint64_t *out)
{
	if (cli_fuzz_parse_number(s, max, out)) {
		fprintf(stderr, "mmemu fuzz: %s '%s' is not a number up to %llu\n", name, s,
			(unsigned long long)max);
		return -1;
	}
	return 0;
}

/* Handles one option c of getopt_long; 0, 1 (--help) or -1 (bad). */
static int fuzz_option(struct fuzz_opts *o, int c, int argc, char **argv)
{
	char err[256];
	uint64_t v;

	switch (c) {
	case 'g':
		o->cfg.target.kind = MM_FUZZ_COMMUNICATE;
		o->have_target = true;
		if (cli_fuzz_parse_guid(optarg, o->cfg.target.guid)) {
			fprintf(stderr, "mmemu fuzz: '%s' is not a GUID "
					"(XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)\n", optarg);
			return -1;
		}
		return 0;
	case 's':
		o->have_target = true;
		return opt_sw_smi(o, argc, argv);
	case 'C':
		if (opt_number("--cpu", optarg, 1023, &v))
			return -1;
		o->cfg.target.cpu = (unsigned)v;
		return 0;
	case 'c': o->cfg.corpus_dir = optarg; return 0;
	case 'f': o->cfg.findings_dir = optarg; return 0;
	case 'd': o->cfg.dict = optarg; return 0;
	case 'o': o->out = optarg; return 0;
	case 'm': o->minimize = true; return 0;
	case 'S':
		o->have_seed = true;
		return opt_number("--seed", optarg, UINT64_MAX, &o->cfg.seed);
	case 'r': return opt_number("--runs", optarg, UINT64_MAX, &o->runs);
	case 't':
		if (opt_number("--time", optarg, 1u << 30, &v))
			return -1;
		o->seconds = (double)v;
		return 0;
	case 'j':
		if (opt_number("-j", optarg, MAX_JOBS, &v) || v == 0) {
			fprintf(stderr, "mmemu fuzz: -j takes 1..%d\n", MAX_JOBS);
			return -1;
		}
		o->jobs = (unsigned)v;
		return 0;
	case 'l':
		if (opt_number("--max-len", optarg, 1u << 24, &v))
			return -1;
		o->cfg.target.max_len = (uint32_t)v;
		return 0;
	case 'O':
		if (cli_fuzz_parse_oracles(optarg, &o->cfg.oracles, err, sizeof(err))) {
			fprintf(stderr, "mmemu fuzz: --oracles: %s\n", err);
			return -1;
		}
		return 0;
	case 'h': fuzz_usage(stdout); return 1;
	default: fuzz_usage(stderr); return -1;
	}
}

/* Parses argv into *o; leaves optind at the first operand. 0, 1 (--help), -1. */
static int parse_opts(struct fuzz_opts *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guid", required_argument, NULL, 'g' },
		{ "sw-smi", optional_argument, NULL, 's' },
		{ "cpu", required_argument, NULL, 'C' },
		{ "corpus", required_argument, NULL, 'c' },
		{ "findings", required_argument, NULL, 'f' },
		{ "seed", required_argument, NULL, 'S' },
		{ "runs", required_argument, NULL, 'r' },
		{ "time", required_argument, NULL, 't' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "oracles", required_argument, NULL, 'O' },
		{ "dict", required_argument, NULL, 'd' },
		{ "max-len", required_argument, NULL, 'l' },
		{ "minimize", no_argument, NULL, 'm' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->jobs = 1;
	o->cfg.oracles = MM_ORACLE_ALL;
	optind = 1;
	while ((c = getopt_long(argc, argv, "hj:o:", opts, NULL)) != -1)
		if ((rc = fuzz_option(o, c, argc, argv)))
			return rc;
	if (o->runs && o->runs < o->jobs)
		o->jobs = (unsigned)o->runs;
	if (!o->have_seed)
		o->cfg.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return 0;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Blocks SIGINT and SIGTERM: they are polled between chunks (stop_requested). */
static void block_stop_signals(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* True when SIGINT or SIGTERM arrived (they are blocked, so they wait pending). */
static bool stop_requested(void)
{
	sigset_t s;

	return !sigpending(&s) && (sigismember(&s, SIGINT) == 1 || sigismember(&s, SIGTERM) == 1);
}

/*
 * Where a fuzzing loop reports: every REPORT_SECONDS and once at the end,
 * report(ctx, stats, final) is called; it returns false to stop the loop.
 */
struct loop_sink {
	bool (*report)(void *ctx, const struct mm_fuzz_stats *s, bool final);
	void *ctx;
};

/*
 * Runs f until runs executions (0: no limit), seconds (0: none), a stop
 * signal or the sink says stop, in chunks sized to take about CHUNK_SECONDS.
 * Re-reads the corpus directory every SYNC_SECONDS when sync is set.
 * Returns MM_OK or the engine's error.
 */
static enum mm_err fuzz_loop(struct mm_fuzz *f, uint64_t runs, double seconds, bool sync,
			     const struct loop_sink *sink)
{
	double t0 = now_seconds(), last_report = t0, last_sync = t0;
	uint64_t chunk = 16;
	struct mm_fuzz_stats s;
	enum mm_err e = MM_OK;

	for (;;) {
		double t1, t2;
		uint64_t n = chunk;

		/* The engine's count includes the executions of the seeds. */
		mm_fuzz_stats(f, &s);
		if (runs && s.execs >= runs)
			break;
		if (runs && runs - s.execs < n)
			n = runs - s.execs;
		if ((seconds > 0 && now_seconds() - t0 >= seconds) || stop_requested())
			break;
		t1 = now_seconds();
		e = mm_fuzz_iterate(f, n);
		if (e)
			break;
		t2 = now_seconds();
		/* Aim the next chunk at CHUNK_SECONDS, growing at most 4x at a time. */
		if (t2 - t1 < CHUNK_SECONDS / 2 && chunk < (1u << 20))
			chunk *= 2;
		else if (t2 - t1 > CHUNK_SECONDS * 2 && chunk > 1)
			chunk /= 2;
		if (sync && t2 - last_sync >= SYNC_SECONDS) {
			last_sync = t2;
			if ((e = mm_fuzz_sync(f)))
				break;
		}
		if (t2 - last_report >= REPORT_SECONDS) {
			last_report = t2;
			mm_fuzz_stats(f, &s);
			if (!sink->report(sink->ctx, &s, false))
				break;
		}
	}
	mm_fuzz_stats(f, &s);
	sink->report(sink->ctx, &s, true);
	return e;
}

/* The single-process status printer. */
static bool print_report(void *ctx, const struct mm_fuzz_stats *s, bool final)
{
	struct cli_fuzz_status *st = ctx;

	if (final)
		cli_fuzz_status_final(st, s);
	else
		cli_fuzz_status_update(st, s);
	return true;
}

/* Creates the engine for cfg; prints the reason and returns NULL when it cannot. */
static struct mm_fuzz *create_engine(const struct mm_fuzz_config *cfg, char *err, size_t errlen)
{
	struct mm_fuzz *f = NULL;
	enum mm_err e = mm_fuzz_create(cfg, &f, err, errlen);

	if (e) {
		if (!*err)
			snprintf(err, errlen, "%s", mm_strerror(e));
		return NULL;
	}
	return f;
}

/* Fuzzes in this process. Returns the exit code. */
static int fuzz_single(struct fuzz_opts *o, struct cli_fuzz_status *st)
{
	struct loop_sink sink = { print_report, st };
	char err[512] = "";
	struct mm_fuzz *f = create_engine(&o->cfg, err, sizeof(err));
	struct mm_fuzz_stats s;
	enum mm_err e;

	if (!f) {
		fprintf(stderr, "mmemu fuzz: %s\n", err);
		return CLI_USAGE;
	}
	cli_fuzz_status_start(st);
	e = fuzz_loop(f, o->runs, o->seconds, false, &sink);
	mm_fuzz_stats(f, &s);
	mm_fuzz_free(f);
	if (e) {
		fprintf(stderr, "mmemu fuzz: harness error: %s\n", mm_strerror(e));
		return CLI_USAGE;
	}
	return s.findings ? CLI_FAIL : CLI_OK;
}

/* A worker's sink: sends the report to the parent; stops when the parent is gone. */
static bool send_report(void *ctx, const struct mm_fuzz_stats *s, bool final)
{
	struct worker_report r = { .s = *s, .final = final };
	int fd = *(int *)ctx;

	return write(fd, &r, sizeof(r)) == (ssize_t)sizeof(r);
}

/* Sends the failure in r->msg to the parent and ends the worker. */
static void worker_fail(int fd, struct worker_report *r)
{
	ssize_t n;

	r->final = 1;
	r->error = 1;
	/* If the write fails the parent is gone, or sees the worker die. */
	n = write(fd, r, sizeof(*r));
	(void)n;
	_exit(CLI_USAGE);
}

/* Worker i of a -j run: its own engine and seed; never returns. */
static void worker_main(struct fuzz_opts *o, unsigned i, int fd)
{
	struct loop_sink sink = { send_report, &fd };
	struct mm_fuzz_config cfg = o->cfg;
	uint64_t runs = o->runs ? o->runs / o->jobs + (i < o->runs % o->jobs) : 0;
	struct worker_report r = { 0 };
	struct mm_fuzz *f;
	enum mm_err e;

	cfg.seed += i;
	f = create_engine(&cfg, r.msg, sizeof(r.msg));
	if (!f)
		worker_fail(fd, &r);
	mm_fuzz_stats(f, &r.s);
	send_report(&fd, &r.s, false); /* the start state is built */
	e = fuzz_loop(f, runs, o->seconds, true, &sink);
	mm_fuzz_free(f);
	if (e) {
		snprintf(r.msg, sizeof(r.msg), "harness error: %s", mm_strerror(e));
		worker_fail(fd, &r);
	}
	_exit(CLI_OK);
}

/* The parent's view of one worker. */
struct worker {
	pid_t pid;
	int fd;                 /* reports from it; -1 when it ended */
	struct worker_report last;
	bool have_report;
};

/* Forks the workers. Returns 0, or -1 (the ones started are killed). */
static int start_workers(struct fuzz_opts *o, struct worker *w)
{
	for (unsigned i = 0; i < o->jobs; i++) {
		int p[2];

		if (pipe(p))
			goto fail;
		fflush(NULL);
		w[i].pid = fork();
		if (w[i].pid < 0) {
			close(p[0]);
			close(p[1]);
			goto fail;
		}
		if (w[i].pid == 0) {
			close(p[0]);
			for (unsigned k = 0; k < i; k++)
				close(w[k].fd);
			worker_main(o, i, p[1]);
		}
		close(p[1]);
		w[i].fd = p[0];
	}
	return 0;
fail:
	fprintf(stderr, "mmemu fuzz: cannot start workers: %s\n", strerror(errno));
	for (unsigned i = 0; i < o->jobs; i++)
		if (w[i].pid > 0) {
			kill(w[i].pid, SIGKILL);
			waitpid(w[i].pid, NULL, 0);
		}
	return -1;
}

/* Sums the workers' latest statistics (edges and corpus: the largest). */
static void sum_reports(const struct worker *w, unsigned n, double t0, struct mm_fuzz_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->since_new_edge = -1;
	for (unsigned i = 0; i < n; i++) {
		const struct mm_fuzz_stats *s = &w[i].last.s;

		if (!w[i].have_report)
			continue;
		out->execs += s->execs;
		out->edges = s->edges > out->edges ? s->edges : out->edges;
		out->corpus = s->corpus > out->corpus ? s->corpus : out->corpus;
		out->findings += s->findings;
		for (unsigned c = 0; c < CLI_FUZZ_CLASSES; c++)
			out->findings_by_class[c] += s->findings_by_class[c];
		if (out->since_new_edge < 0 || s->since_new_edge < out->since_new_edge)
			out->since_new_edge = s->since_new_edge;
		out->snapshot_bytes += s->snapshot_bytes;
	}
	if (out->since_new_edge < 0)
		out->since_new_edge = 0;
	out->seconds = now_seconds() - t0;
}

/*
 * Reads what worker w sent; at end of file reaps it. Returns 0, or -1 when
 * the worker failed (message printed unless it is last_err, the last one).
 */
static int read_worker(struct worker *w, unsigned i, char last_err[256])
{
	struct worker_report r;
	ssize_t n = read(w->fd, &r, sizeof(r));
	int status = 0;

	if (n < 0 && errno == EINTR)
		return 0;
	if (n == (ssize_t)sizeof(r)) {
		w->last = r;
		w->have_report = true;
		if (r.error) {
			/* Every worker fails the same way on a bad scenario: say it once. */
			if (strcmp(last_err, r.msg))
				fprintf(stderr, "mmemu fuzz: %s\n", r.msg);
			snprintf(last_err, 256, "%s", r.msg);
			return -1;
		}
		return 0;
	}
	close(w->fd);
	w->fd = -1;
	while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
		;
	w->pid = 0;
	if (!w->have_report || !w->last.final) {
		fprintf(stderr, "\nmmemu fuzz: worker %u died (%s %d)\n", i,
			WIFSIGNALED(status) ? "signal" : "exit code",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return -1;
	}
	return 0;
}

/* True once a worker has reported. */
static bool any_report(const struct worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].have_report)
			return true;
	return false;
}

/* Tells the live workers to finish (they poll SIGTERM between chunks). */
static void stop_workers(struct worker *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, SIGTERM);
}

/* Waits for the workers, printing the summed status. Returns the exit code. */
static int parent_loop(struct fuzz_opts *o, struct worker *w, struct cli_fuzz_status *st)
{
	double t0 = now_seconds(), last = t0;
	struct mm_fuzz_stats sum;
	bool failed = false, stopping = false, started = false;
	char last_err[256] = "";

	for (;;) {
		struct pollfd pfd[MAX_JOBS];
		unsigned idx[MAX_JOBS], n = 0;

		for (unsigned i = 0; i < o->jobs; i++)
			if (w[i].fd >= 0) {
				pfd[n] = (struct pollfd){ .fd = w[i].fd, .events = POLLIN };
				idx[n++] = i;
			}
		if (n == 0)
			break;
		if (!stopping && (stop_requested() || failed)) {
			stopping = true;
			stop_workers(w, o->jobs);
		}
		if (poll(pfd, n, 100) < 0 && errno != EINTR)
			break;
		for (unsigned k = 0; k < n; k++)
			if (pfd[k].revents && read_worker(&w[idx[k]], idx[k], last_err))
				failed = true;
		if (!started && !failed && any_report(w, o->jobs)) {
			/* The workers have built their start states: fuzzing begins. */
			started = true;
			t0 = last = now_seconds();
			cli_fuzz_status_start(st);
		}
		if (started && now_seconds() - last >= REPORT_SECONDS) {
			last = now_seconds();
			sum_reports(w, o->jobs, t0, &sum);
			cli_fuzz_status_update(st, &sum);
		}
	}
	if (failed)
		return CLI_USAGE;
	sum_reports(w, o->jobs, t0, &sum);
	cli_fuzz_status_final(st, &sum);
	return sum.findings ? CLI_FAIL : CLI_OK;
}

/* Removes the temporary corpus directory of a -j run without --corpus. */
static void remove_tmp_corpus(const char *dir)
{
	char cmd[128];

	if (!*dir || strchr(dir, '\''))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "mmemu fuzz: could not remove %s\n", dir);
}

/*
 * Fuzzes with o->jobs worker processes; the parent only adds up their
 * reports. Returns the exit code.
 */
static int fuzz_parallel(struct fuzz_opts *o, struct cli_fuzz_status *st)
{
	struct worker w[MAX_JOBS];
	int rc;

	if (!o->cfg.corpus_dir) {
		snprintf(o->tmp_corpus, sizeof(o->tmp_corpus), "/tmp/mmemu-fuzz-corpus-XXXXXX");
		if (!mkdtemp(o->tmp_corpus)) {
			fprintf(stderr, "mmemu fuzz: cannot create a corpus directory: %s\n",
				strerror(errno));
			return CLI_USAGE;
		}
		o->cfg.corpus_dir = o->tmp_corpus;
	}
	memset(w, 0, sizeof(w));
	if (start_workers(o, w)) {
		remove_tmp_corpus(o->tmp_corpus);
		return CLI_USAGE;
	}
	rc = parent_loop(o, w, st);
	remove_tmp_corpus(o->tmp_corpus);
	return rc;
}

/* Checks the operands and target of a fuzzing run. Returns 0 or -1 (printed). */
static int check_fuzz_args(struct fuzz_opts *o, int argc, char **argv)
{
	if (optind != argc - 1) {
		fprintf(stderr, "mmemu fuzz: give exactly one scenario file\n");
		fuzz_usage(stderr);
		return -1;
	}
	o->cfg.scenario = argv[optind];
	if (access(o->cfg.scenario, R_OK)) {
		fprintf(stderr, "mmemu fuzz: %s: %s\n", o->cfg.scenario, strerror(errno));
		return -1;
	}
	if (!o->have_target) {
		fprintf(stderr, "mmemu fuzz: say what to fuzz: --guid GUID or --sw-smi [VALUE]\n");
		return -1;
	}
	if (o->out) {
		fprintf(stderr, "mmemu fuzz: -o is for --minimize\n");
		return -1;
	}
	return 0;
}

int cmd_fuzz(int argc, char **argv)
{
	struct cli_fuzz_status st;
	struct fuzz_opts o;
	int rc = parse_opts(&o, argc, argv);

	if (rc)
		return rc > 0 ? CLI_OK : CLI_USAGE;
	if (o.minimize)
		return cli_fuzz_minimize_files(&o.cfg, o.have_target, argc - optind, argv + optind,
					   o.out);
	if (check_fuzz_args(&o, argc, argv))
		return CLI_USAGE;
	block_stop_signals();
	cli_fuzz_status_init(&st, stdout, &o.cfg, o.jobs);
	return o.jobs > 1 ? fuzz_parallel(&o, &st) : fuzz_single(&o, &st);
}
