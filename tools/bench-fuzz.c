/* SPDX-License-Identifier: MIT */
/*
 * mmemu bench fuzz: figures of the fuzzer (include/mmemu/fuzz.h).
 *
 *   - executions per second on a small emulated GUID handler (the 256-byte
 *     copy handler of tests/drivers/pe/pe-bench.c) with the snapshot reset
 *     between executions, coverage only and with every oracle on; and in the
 *     same run, the bare-Unicorn baseline of the same handler (a second
 *     engine calling its code in a loop: no Foundation, no reset, no hooks);
 *   - memory per worker: the resident set of a fuzzing process after its
 *     executions;
 *   - time to find (executions and seconds) each sample bug of
 *     tests/drivers/vuln, seed 1, from an empty corpus.
 *
 * Every measurement runs in a forked child, so each starts from a fresh
 * process (one default-platform machine per process; the resident set is
 * the fuzzer's alone) and reports back through a pipe.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mmemu/bench.h>
#include <mmemu/fuzz.h>
#include <mmemu/oracle.h>

#include "cli.h"
#include "fuzz-target.h"

#define RATE_SECONDS 2.0    /* measuring time of each rate */
#define FIND_SECONDS 30.0   /* time-to-find gives up after this */
#define FIND_EXECS 3000000u /* ... or this many executions */

/* 2f4c8a31-95d2-4b7e-8c1a-6e0d93b5a742: pe-bench.c's handler */
#define PE_BENCH_GUID "2F4C8A31-95D2-4B7E-8C1A-6E0D93B5A742"

/* The sample bugs (tests/drivers/vuln/vuln.h): class, handler GUID or SW SMI. */
static const struct vuln {
	const char *cls;
	const char *guid;   /* NULL: the SW SMI 0x5B */
	uint32_t oracle;
} vulns[] = {
	{ "smram-write", "E8AD3D03-576A-40AD-85EF-457314172D08", MM_ORACLE_SMRAM_WRITE },
	{ "sw-smram-write", NULL, MM_ORACLE_SMRAM_WRITE },
	{ "comm-oob", "3D703415-BD9C-42FD-BD81-AEAD01522555", MM_ORACLE_COMM_OOB },
	{ "double-fetch", "D6D04C65-E723-4F02-906D-554B78665205", MM_ORACLE_DOUBLE_FETCH },
	{ "pool", "8CD92CC2-F67D-48BB-9659-3B276156F269", MM_ORACLE_POOL },
	{ "stack", "7D665485-B67D-42EF-8756-875FE6AC4594", MM_ORACLE_STACK },
	{ "disclosure", "5728283C-D316-401C-AAE4-DA78DBDE001D", MM_ORACLE_DISCLOSURE },
	{ "callout", "0C2A52AD-6FCC-4D47-AE2C-8CFC61EB7882", MM_ORACLE_CALLOUT },
	{ "hang", "6CFD1358-CC79-41C6-91FD-5FA2259DDD56", MM_ORACLE_HANG },
};

/* What a measuring child reports. */
struct bench_result {
	int ok;
	int found;          /* time to find: the expected class was found */
	uint64_t execs;
	double seconds;
	double rate;
	uint64_t rss;       /* bytes, at the end */
	char err[256];
};

/* One measurement: its configuration and what to do. */
struct bench_job {
	struct mm_fuzz_config cfg;
	uint32_t find;      /* 0: measure the rate; else run until this class is found */
	unsigned long bare; /* > 0: time this many bare calls (and a tenth of them) instead */
	const char *driver; /* the PE image of the bare baseline */
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The resident set of this process, bytes. */
static uint64_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (!f)
		return 0;
	if (fscanf(f, "%lu %lu", &size, &resident) != 2)
		resident = 0;
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Executions per second of f over about RATE_SECONDS, after a warm-up. */
static int measure_rate(struct mm_fuzz *f, struct bench_result *r)
{
	struct mm_fuzz_stats s0, s1;
	double t0, t;

	if (mm_fuzz_iterate(f, 2000))
		return -1;
	mm_fuzz_stats(f, &s0);
	t0 = now_seconds();
	do {
		if (mm_fuzz_iterate(f, 1000))
			return -1;
		t = now_seconds() - t0;
	} while (t < RATE_SECONDS);
	mm_fuzz_stats(f, &s1);
	r->execs = s1.execs;
	r->seconds = t;
	r->rate = (double)(s1.execs - s0.execs) / t;
	return 0;
}

/* Runs f until a finding of class bit cls, or the limits. */
static int measure_find(struct mm_fuzz *f, uint32_t cls, struct bench_result *r)
{
	int slot = cli_fuzz_finding_slot(cls);
	double t0 = now_seconds();
	struct mm_fuzz_stats s;
	uint64_t chunk = 1;

	for (mm_fuzz_stats(f, &s); !s.findings_by_class[slot]; mm_fuzz_stats(f, &s)) {
		if (s.execs >= FIND_EXECS || now_seconds() - t0 >= FIND_SECONDS)
			break;
		if (mm_fuzz_iterate(f, chunk))
			return -1;
		/* Exact counts for quick finds, then larger steps. */
		if (s.execs >= 256 && chunk < 4096)
			chunk *= 2;
	}
	r->found = s.findings_by_class[slot] > 0;
	r->execs = s.execs;
	r->seconds = now_seconds() - t0;
	return 0;
}

/* Seconds per bare call: two runs (n and n / 10) so that the set-up cancels out. */
static int measure_bare(const struct bench_job *j, struct bench_result *r)
{
	double t0 = now_seconds(), t1, t2;

	if (mm_bench_emulated_worker("bare", j->driver, j->bare / 10))
		return -1;
	t1 = now_seconds();
	if (mm_bench_emulated_worker("bare", j->driver, j->bare))
		return -1;
	t2 = now_seconds();
	r->rate = (double)(j->bare - j->bare / 10) / ((t2 - t1) - (t1 - t0));
	return 0;
}

/* The child's side of a measurement; fills *r. */
static void child_measure(const struct bench_job *j, struct bench_result *r)
{
	struct mm_fuzz *f = NULL;
	int rc;

	if (j->bare) {
		r->ok = !measure_bare(j, r);
		if (!r->ok)
			snprintf(r->err, sizeof(r->err), "the bare baseline failed");
		return;
	}
	if (mm_fuzz_create(&j->cfg, &f, r->err, sizeof(r->err)))
		return;
	rc = j->find ? measure_find(f, j->find, r) : measure_rate(f, r);
	r->rss = rss_bytes();
	mm_fuzz_free(f);
	r->ok = !rc;
	if (rc)
		snprintf(r->err, sizeof(r->err), "harness error");
}

/* Runs job j in a forked child; 0 with *r filled, -1 (message printed). */
static int measure(const struct bench_job *j, struct bench_result *r)
{
	int p[2], status;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (pipe(p))
		return -1;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		struct bench_result cr = { 0 };

		close(p[0]);
		child_measure(j, &cr);
		_exit(write(p[1], &cr, sizeof(cr)) == (ssize_t)sizeof(cr) ? 0 : 1);
	}
	close(p[1]);
	n = pid < 0 ? -1 : read(p[0], r, sizeof(*r));
	close(p[0]);
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	if (n != (ssize_t)sizeof(*r) || !r->ok) {
		fprintf(stderr, "bench fuzz: %s: %s\n", j->cfg.scenario ? j->cfg.scenario : "bare",
			n == (ssize_t)sizeof(*r) ? r->err : "the measuring process died");
		return -1;
	}
	return 0;
}

/* Writes a start-state scenario for driver image (a path) into path. */
static int write_start(const char *path, const char *image)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "description: mmemu bench fuzz start state\n"
		   "platform: { cpu-engine: unicorn, instruction-budget: 100000 }\n"
		   "drivers:\n  - image: %s\nsteps:\n  - dispatch: {}\n", image);
	return fclose(f) ? -1 : 0;
}

/* Fuzz configuration of the GUID target guid (NULL: SW SMI 0x5B) on scenario. */
static struct mm_fuzz_config config(const char *scenario, const char *guid, uint32_t oracles)
{
	struct mm_fuzz_config c = { .scenario = scenario, .oracles = oracles, .seed = 1 };

	if (guid) {
		c.target.kind = MM_FUZZ_COMMUNICATE;
		cli_fuzz_parse_guid(guid, c.target.guid);
	} else {
		c.target.kind = MM_FUZZ_SW_SMI;
		c.target.sw_value = 0x5B;
	}
	return c;
}

/* Rates on pe-bench.efi: coverage only, every oracle, bare Unicorn; RSS. */
static int bench_rates(FILE *out, const char *dir)
{
	char scenario[4200], driver[4200];
	struct bench_job j = { 0 };
	struct bench_result cov, all, bare;

	snprintf(driver, sizeof(driver), "%s/pe/pe-bench.efi", cli_driver_dir());
	snprintf(scenario, sizeof(scenario), "%s/pe-bench.yaml", dir);
	if (write_start(scenario, driver))
		return -1;
	j.cfg = config(scenario, PE_BENCH_GUID, 0);
	if (measure(&j, &cov))
		return -1;
	j.cfg.oracles = MM_ORACLE_ALL;
	if (measure(&j, &all))
		return -1;
	j = (struct bench_job){ .bare = 1000000, .driver = driver };
	if (measure(&j, &bare))
		return -1;
	fprintf(out, "fuzz_execs_coverage_rate: %.0f execs/s (snapshot reset, target >= 150000)\n",
		cov.rate);
	fprintf(out, "fuzz_execs_all_oracles_rate: %.0f execs/s (target >= 80000)\n", all.rate);
	fprintf(out, "fuzz_bare_unicorn_rate: %.0f calls/s (same handler, no Foundation, "
		     "no reset)\n", bare.rate);
	fprintf(out, "fuzz_coverage_vs_bare: %.2fx slower\n", bare.rate / cov.rate);
	fprintf(out, "fuzz_rss_per_worker: %.1f MiB after %llu execs (coverage only), %.1f MiB "
		     "after %llu (every oracle)\n", cov.rss / 1048576.0,
		(unsigned long long)cov.execs, all.rss / 1048576.0, (unsigned long long)all.execs);
	return 0;
}

/* Time to find each sample bug, from an empty corpus, seed 1, every oracle on. */
static int bench_time_to_find(FILE *out, const char *dir)
{
	int rc = 0;

	for (size_t i = 0; i < sizeof(vulns) / sizeof(vulns[0]); i++) {
		const struct vuln *v = &vulns[i];
		char scenario[4200], driver[4200];
		struct bench_job j = { .find = v->oracle };
		struct bench_result r;

		snprintf(driver, sizeof(driver), "%s/pe/vuln-%s.efi", cli_driver_dir(), v->cls);
		snprintf(scenario, sizeof(scenario), "%s/vuln-%s.yaml", dir, v->cls);
		if (write_start(scenario, driver))
			return -1;
		j.cfg = config(scenario, v->guid, MM_ORACLE_ALL);
		if (measure(&j, &r)) {
			rc = -1;
			continue;
		}
		if (r.found)
			fprintf(out, "fuzz_time_to_find_%s: %llu execs, %.2f s\n", v->cls,
				(unsigned long long)r.execs, r.seconds);
		else
			fprintf(out, "fuzz_time_to_find_%s: not found in %llu execs, %.1f s\n",
				v->cls, (unsigned long long)r.execs, r.seconds);
		fflush(out);
		unlink(scenario);
	}
	return rc;
}

int bench_fuzz(FILE *out);

int bench_fuzz(FILE *out)
{
	char dir[] = "/tmp/mmemu-bench-fuzz-XXXXXX", path[4200];
	int rc;

	if (!mkdtemp(dir))
		return -1;
	rc = bench_rates(out, dir);
	fflush(out);
	rc |= bench_time_to_find(out, dir);
	snprintf(path, sizeof(path), "%s/pe-bench.yaml", dir);
	unlink(path);
	rmdir(dir);
	return rc;
}
