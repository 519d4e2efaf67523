/* SPDX-License-Identifier: MIT */
/*
 * Tests scenarios/fuzz*.c (include/mmemu/fuzz.h) on the sample vulnerable
 * drivers (tests/drivers/vuln, PE builds): from a trivial seed the fuzzer
 * finds each bug within a bounded number of executions, the fixed twin
 * gives no finding of that class within the same budget, every reproducer
 * it writes replays to the same stop through mm_scenario_run, minimization
 * shrinks, and the same seed gives the same statistics. Bounds are counts
 * of executions, never time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <mmemu/mmemu.h>
#include <mmemu/oracle.h>

#define PE MMEMU_TEST_DRIVER_DIR "/pe/"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

/* Executions allowed to find a bug, and run on each fixed twin. */
#ifdef SANITIZED
#define FIND_BUDGET 20000
#define FIXED_BUDGET 300
#else
#define FIND_BUDGET 200000
#define FIXED_BUDGET 2000
#endif

struct vuln {
	const char *name;     /* driver file name without .efi */
	const char *guid;     /* handler GUID (communicate), NULL: SW SMI */
	uint32_t oracle;
	uint64_t budget;      /* instruction budget (0: the platform's) */
};

static const struct vuln vulns[] = {
	{ "vuln-smram-write", "E8AD3D03-576A-40AD-85EF-457314172D08", MM_ORACLE_SMRAM_WRITE, 0 },
	{ "vuln-comm-oob", "3D703415-BD9C-42FD-BD81-AEAD01522555", MM_ORACLE_COMM_OOB, 0 },
	{ "vuln-double-fetch", "D6D04C65-E723-4F02-906D-554B78665205", MM_ORACLE_DOUBLE_FETCH, 0 },
	{ "vuln-pool", "8CD92CC2-F67D-48BB-9659-3B276156F269", MM_ORACLE_POOL, 0 },
	{ "vuln-stack", "7D665485-B67D-42EF-8756-875FE6AC4594", MM_ORACLE_STACK, 0 },
	{ "vuln-disclosure", "5728283C-D316-401C-AAE4-DA78DBDE001D", MM_ORACLE_DISCLOSURE, 0 },
	{ "vuln-callout", "0C2A52AD-6FCC-4D47-AE2C-8CFC61EB7882", MM_ORACLE_CALLOUT, 0 },
	{ "vuln-hang", "6CFD1358-CC79-41C6-91FD-5FA2259DDD56", MM_ORACLE_HANG, 100000 },
	{ "vuln-sw-smram-write", NULL, MM_ORACLE_SMRAM_WRITE, 0 },
};

/* A scratch directory per test run, removed at the end. */
static char workdir[64];
/* The fuzzer of the running test, freed by the test or after a failure. */
static struct mm_fuzz *live;

static void done(struct mm_fuzz *f)
{
	mm_fuzz_free(f);
	live = NULL;
}

static int free_live(void **state)
{
	(void)state;
	done(live);
	return 0;
}

/* "8-4-4-4-12" text to EFI_GUID bytes. */
static void parse_guid(const char *s, uint8_t g[16])
{
	unsigned a, b, c, d[8];

	assert_int_equal(sscanf(s, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &a, &b, &c, &d[0],
				&d[1], &d[2], &d[3], &d[4], &d[5], &d[6], &d[7]),
			 11);
	for (int i = 0; i < 4; i++)
		g[i] = (uint8_t)(a >> (8 * i));
	g[4] = (uint8_t)b, g[5] = (uint8_t)(b >> 8);
	g[6] = (uint8_t)c, g[7] = (uint8_t)(c >> 8);
	for (int i = 0; i < 8; i++)
		g[8 + i] = (uint8_t)d[i];
}

/* Writes the start-state scenario of driver (dispatch only) and returns its path. */
static char *start_scenario(const char *driver, uint32_t oracle)
{
	char *path = malloc(256);
	FILE *f;

	assert_non_null(path);
	snprintf(path, 256, "%s/%s.yaml", workdir, driver);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "description: start state for fuzzing %s\n", driver);
	fprintf(f, "platform: { include: %s/scenarios/platforms/unicorn.yaml, oracles: [%s] }\n",
		MMEMU_SOURCE_DIR, mm_oracle_name(oracle));
	fprintf(f, "drivers:\n  - image: %s%s.efi\nsteps:\n  - dispatch: {}\n", PE, driver);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void need_pe(void)
{
	if (access(PE "vuln-smram-write.efi", R_OK))
		skip(); /* no PE images in this build (no clang/lld-link) */
}

/* The fuzzer for vulnerability v (its fixed twin when fixed). */
static struct mm_fuzz *make(const struct vuln *v, bool fixed, const char *findings,
			    uint64_t seed)
{
	char driver[64], err[512];
	struct mm_fuzz_config c = { 0 };
	struct mm_fuzz *f = NULL;
	char *path;
	enum mm_err rc;

	snprintf(driver, sizeof(driver), "%s%s", v->name, fixed ? "-fixed" : "");
	path = start_scenario(driver, v->oracle);
	c.scenario = path;
	c.seed = seed;
	c.findings_dir = findings;
	c.instruction_budget = v->budget;
	if (v->guid) {
		c.target.kind = MM_FUZZ_COMMUNICATE;
		parse_guid(v->guid, c.target.guid);
		c.target.max_len = 256;
	} else {
		c.target.kind = MM_FUZZ_SW_SMI;
		c.target.sw_value = 0x5B;
		c.target.cpu = 1;
		c.target.max_len = 256;
	}
	rc = mm_fuzz_create(&c, &f, err, sizeof(err));
	if (rc)
		print_error("mm_fuzz_create: %s\n", err);
	assert_int_equal(rc, MM_OK);
	free(path);
	live = f;
	return f;
}

/* Index of a class bit in findings_by_class. */
static unsigned class_index(uint32_t bit)
{
	return (unsigned)__builtin_ctz(bit);
}

/* Iterates until a finding of class bit or budget executions; returns the executions. */
static uint64_t fuzz_until(struct mm_fuzz *f, uint32_t bit, uint64_t budget)
{
	struct mm_fuzz_stats st;

	do {
		assert_int_equal(mm_fuzz_iterate(f, 1), MM_OK);
		mm_fuzz_stats(f, &st);
	} while (!st.findings_by_class[class_index(bit)] && st.execs < budget);
	return st.findings_by_class[class_index(bit)] ? st.execs : 0;
}

/* Removes the files of dir, then dir. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		remove(path);
	}
	closedir(d);
	rmdir(dir);
}

/* Replays every reproducer of dir with mm_scenario_run; returns how many passed. */
static unsigned replay_all(const char *dir, unsigned *total)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned passed = 0;

	*total = 0;
	assert_non_null(d);
	while ((de = readdir(d))) {
		struct mm_scenario_result r;
		struct mm_scenario *s = NULL;
		char path[512], err[512];
		size_t n = strlen(de->d_name);

		if (n < 5 || strcmp(de->d_name + n - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		(*total)++;
		if (mm_scenario_load(path, &s, err, sizeof(err))) {
			print_error("%s\n", err);
			continue;
		}
		assert_int_equal(mm_scenario_run(s, NULL, &r), MM_OK);
		if (r.passed)
			passed++;
		else
			print_error("%s\n", r.message);
		mm_scenario_result_free(&r);
		mm_scenario_free(s);
	}
	closedir(d);
	return passed;
}

/* Finds the bug of v, replays its reproducers, checks the fixed twin. */
static void find_and_replay(const struct vuln *v)
{
	char findings[128];
	struct mm_fuzz_stats st;
	struct mm_fuzz *f;
	unsigned total, passed;
	uint64_t execs;

	need_pe();
	snprintf(findings, sizeof(findings), "%s/findings-%s", workdir, v->name);
	f = make(v, false, findings, 1);
	execs = fuzz_until(f, v->oracle, FIND_BUDGET);
	mm_fuzz_stats(f, &st);
	print_message("%s: %s found after %llu executions (%u edges, corpus %u, %u findings, "
		      "%.0f exec/s, snapshot %llu bytes)\n",
		      v->name, mm_oracle_name(v->oracle), (unsigned long long)execs, st.edges,
		      st.corpus, st.findings, st.seconds > 0 ? st.execs / st.seconds : 0.0,
		      (unsigned long long)st.snapshot_bytes);
	assert_true(execs > 0);
	done(f); /* one default machine per process: the replay builds its own */
	passed = replay_all(findings, &total);
	assert_true(total >= 1);
	assert_int_equal(passed, total);
	remove_dir(findings);

	f = make(v, true, NULL, 1);
	assert_int_equal(fuzz_until(f, v->oracle, FIXED_BUDGET), 0);
	done(f);
}

#define VULN_TEST(fn, i)                         \
	static void fn(void **state)             \
	{                                        \
		(void)state;                     \
		find_and_replay(&vulns[i]);      \
	}
VULN_TEST(test_mm_fuzz_iterate_smram_write, 0)
VULN_TEST(test_mm_fuzz_iterate_comm_oob, 1)
VULN_TEST(test_mm_fuzz_iterate_double_fetch, 2)
VULN_TEST(test_mm_fuzz_iterate_pool, 3)
VULN_TEST(test_mm_fuzz_iterate_stack, 4)
VULN_TEST(test_mm_fuzz_iterate_disclosure, 5)
VULN_TEST(test_mm_fuzz_iterate_callout, 6)
VULN_TEST(test_mm_fuzz_iterate_sw_smram_write, 8)

/*
 * hang: the bug is found; the fixed twin is not checked, since it loops
 * Count / 2 times and a large Count exceeds any budget too (a real hang).
 */
static void test_mm_fuzz_iterate_hang(void **state)
{
	char findings[128];
	struct mm_fuzz *f;
	unsigned total, passed;

	(void)state;
	need_pe();
	snprintf(findings, sizeof(findings), "%s/findings-hang", workdir);
	f = make(&vulns[7], false, findings, 1);
	assert_true(fuzz_until(f, MM_ORACLE_HANG, FIND_BUDGET) > 0);
	done(f);
	passed = replay_all(findings, &total);
	assert_int_equal(passed, total);
	assert_true(total >= 1);
	remove_dir(findings);
}

/* A finding's input minimizes to no more bytes, with the same finding. */
static void test_mm_fuzz_minimize_shrinks(void **state)
{
	uint8_t in[64] = { 0 }, *out = NULL;
	struct mm_fuzz_result r;
	struct mm_fuzz *f;
	size_t outlen = 0;
	uint64_t smram = 0x0F800100;

	(void)state;
	need_pe();
	f = make(&vulns[0], false, NULL, 1);
	memcpy(in, &smram, 8); /* Dest into SMRAM, then garbage */
	memset(in + 8, 0x41, sizeof(in) - 8);
	assert_int_equal(mm_fuzz_exec(f, in, sizeof(in), &r), MM_OK);
	assert_int_equal(r.finding, MM_ORACLE_SMRAM_WRITE);
	assert_int_equal(mm_fuzz_minimize(f, in, sizeof(in), &out, &outlen), MM_OK);
	assert_non_null(out);
	assert_int_equal(outlen, 16); /* the handler needs 16 bytes */
	memcpy(&smram, out, 8); /* still a pointer into TSEG */
	assert_true(smram >= 0x0F800000 && smram < 0x10000000);
	for (size_t i = 8; i < outlen; i++)
		assert_int_equal(out[i], 0);
	assert_int_equal(mm_fuzz_exec(f, out, outlen, &r), MM_OK);
	assert_int_equal(r.finding, MM_ORACLE_SMRAM_WRITE);
	free(out);
	memset(in, 0, sizeof(in)); /* too short for the handler: no finding */
	assert_int_equal(mm_fuzz_minimize(f, in, 8, &out, &outlen), MM_ERR_NOT_FOUND);
	done(f);
}

/* The same seed gives the same executions: equal statistics. */
static void test_mm_fuzz_iterate_deterministic(void **state)
{
	struct mm_fuzz_stats a, b, c;
	struct mm_fuzz *f;

	(void)state;
	need_pe();
	f = make(&vulns[3], false, NULL, 42);
	assert_int_equal(mm_fuzz_iterate(f, 400), MM_OK);
	mm_fuzz_stats(f, &a);
	done(f);
	f = make(&vulns[3], false, NULL, 42);
	assert_int_equal(mm_fuzz_iterate(f, 400), MM_OK);
	mm_fuzz_stats(f, &b);
	done(f);
	f = make(&vulns[3], false, NULL, 43);
	assert_int_equal(mm_fuzz_iterate(f, 400), MM_OK);
	mm_fuzz_stats(f, &c);
	done(f);
	assert_int_equal(a.execs, b.execs);
	assert_int_equal(a.edges, b.edges);
	assert_int_equal(a.corpus, b.corpus);
	assert_int_equal(a.findings, b.findings);
	assert_memory_equal(a.findings_by_class, b.findings_by_class,
			    sizeof(a.findings_by_class));
	assert_true(a.edges > 0);
	assert_true(a.corpus > 1);
	/* another seed takes another path (the corpus differs in size or in edges) */
	assert_true(c.corpus != a.corpus || c.edges != a.edges || c.findings != a.findings);
}

/* The corpus directory: inputs written by hash, read back by a second fuzzer. */
static void test_mm_fuzz_sync_reads_corpus(void **state)
{
	static const uint8_t seed[16] = { 1, 2, 3 };
	char dir[128];
	struct mm_fuzz_config c = { 0 };
	struct mm_fuzz_stats st;
	struct mm_fuzz *f = NULL;
	char err[256], *path;
	unsigned files = 0;
	struct dirent *de;
	DIR *d;

	(void)state;
	need_pe();
	snprintf(dir, sizeof(dir), "%s/corpus", workdir);
	path = start_scenario("vuln-comm-oob-fixed", MM_ORACLE_COMM_OOB);
	c.scenario = path;
	c.corpus_dir = dir;
	c.target.kind = MM_FUZZ_COMMUNICATE;
	parse_guid(vulns[1].guid, c.target.guid);
	assert_int_equal(mm_fuzz_create(&c, &f, err, sizeof(err)), MM_OK);
	live = f;
	assert_int_equal(mm_fuzz_add_seed(f, seed, sizeof(seed)), MM_OK);
	assert_int_equal(mm_fuzz_iterate(f, 50), MM_OK);
	mm_fuzz_stats(f, &st);
	done(f);
	d = opendir(dir);
	assert_non_null(d);
	while ((de = readdir(d)))
		files += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(files, st.corpus);
	assert_int_equal(mm_fuzz_create(&c, &f, err, sizeof(err)), MM_OK);
	live = f;
	mm_fuzz_stats(f, &st);
	assert_int_equal(st.corpus, files);
	assert_int_equal(st.execs, files); /* each read input ran once */
	assert_int_equal(mm_fuzz_sync(f), MM_OK); /* nothing new */
	mm_fuzz_stats(f, &st);
	assert_int_equal(st.execs, files);
	done(f);
	remove_dir(dir);
	free(path);
}

/* A GUID nobody handles cannot be fuzzed. */
static void test_mm_fuzz_create_no_handler(void **state)
{
	struct mm_fuzz_config c = { 0 };
	struct mm_fuzz *f = (struct mm_fuzz *)&c;
	char err[256], *path;

	(void)state;
	need_pe();
	path = start_scenario("vuln-pool", MM_ORACLE_POOL);
	c.scenario = path;
	c.target.kind = MM_FUZZ_COMMUNICATE;
	c.target.guid[0] = 0x77;
	assert_int_equal(mm_fuzz_create(&c, &f, err, sizeof(err)), MM_ERR_INVALID);
	assert_null(f);
	assert_non_null(strstr(err, "no MMI handler"));
	free(path);
}

/* A native driver: no edges, outcomes only; the host-side disclosure oracle still fires. */
static void test_mm_fuzz_iterate_native(void **state)
{
	struct mm_fuzz_config c = { 0 };
	struct mm_fuzz_stats st;
	char path[128], err[512];
	struct mm_fuzz *f = NULL;
	FILE *fp;

	(void)state;
	snprintf(path, sizeof(path), "%s/native.yaml", workdir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "platform: { include: %s/scenarios/platforms/default.yaml, cpu-engine: host, "
		    "oracles: [disclosure] }\ndrivers: [ {native: %s/vuln-disclosure.so} ]\n"
		    "steps: [ {dispatch: {}} ]\n",
		MMEMU_SOURCE_DIR, MMEMU_TEST_DRIVER_DIR);
	fclose(fp);
	c.scenario = path;
	c.seed = 7;
	c.target.kind = MM_FUZZ_COMMUNICATE;
	c.target.max_len = 128;
	parse_guid(vulns[5].guid, c.target.guid);
	assert_int_equal(mm_fuzz_create(&c, &f, err, sizeof(err)), MM_OK);
	live = f;
	assert_true(fuzz_until(f, MM_ORACLE_DISCLOSURE, 2000) > 0);
	mm_fuzz_stats(f, &st);
	assert_true(st.edges >= 2); /* two outcomes: nothing, the finding */
	done(f);
	remove(path);
}

/* `base:` with `drivers`, or a base that loops, is refused at load. */
static void test_mm_scenario_load_base_errors(void **state)
{
	struct mm_scenario *s = NULL;
	char a[128], b[128], err[512];
	FILE *f;

	(void)state;
	snprintf(a, sizeof(a), "%s/base-a.yaml", workdir);
	snprintf(b, sizeof(b), "%s/base-b.yaml", workdir);
	f = fopen(a, "w");
	assert_non_null(f);
	fprintf(f, "base: base-b.yaml\n");
	fclose(f);
	f = fopen(b, "w");
	assert_non_null(f);
	fprintf(f, "base: base-a.yaml\n");
	fclose(f);
	assert_int_equal(mm_scenario_load(a, &s, err, sizeof(err)), MM_ERR_FORMAT);
	assert_non_null(strstr(err, "base: more than 16 levels"));
	f = fopen(b, "w");
	assert_non_null(f);
	fprintf(f, "steps: [ {end-of-dxe: {}} ]\n");
	fclose(f);
	assert_int_equal(mm_scenario_load(a, &s, err, sizeof(err)), MM_OK);
	mm_scenario_free(s);
	f = fopen(a, "w");
	assert_non_null(f);
	fprintf(f, "base: base-b.yaml\ndrivers: [ {native: x.so} ]\n");
	fclose(f);
	assert_int_equal(mm_scenario_load(a, &s, err, sizeof(err)), MM_ERR_FORMAT);
	assert_non_null(strstr(err, "drivers: not allowed with base"));
	remove(a);
	remove(b);
}

static int setup(void **state)
{
	(void)state;
	snprintf(workdir, sizeof(workdir), "/tmp/mmemu-fuzz-test-XXXXXX");
	return mkdtemp(workdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	remove_dir(workdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_scenario_load_base_errors),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_native, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_create_no_handler, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_minimize_shrinks, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_deterministic, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_sync_reads_corpus, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_smram_write, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_comm_oob, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_double_fetch, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_pool, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_stack, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_disclosure, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_callout, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_hang, free_live),
		cmocka_unit_test_teardown(test_mm_fuzz_iterate_sw_smram_write, free_live),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
