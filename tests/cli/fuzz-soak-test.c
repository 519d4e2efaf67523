/* SPDX-License-Identifier: MIT */
/*
 * Soak test of the fuzzer as `mmemu fuzz` drives it (include/mmemu/fuzz.h,
 * tools/cmd-fuzz.c): a million executions on the fixed twin of
 * VulnSmramWrite (scenarios/fuzz/smram-write-fixed.yaml) with coverage and
 * every oracle on. Asserts that every execution ran, that the harness never
 * failed, that the fixed driver gives no finding, and that memory stays
 * bounded: the resident set after all executions exceeds the one after the
 * first 100,000 by at most SOAK_RSS_GROWTH.
 *
 * Sanitizer builds run a tenth of the executions (ASan makes each several
 * times slower) and allow for ASan's quarantine of freed memory (256 MiB by
 * default) in the bound; the plain build runs the full million. The test
 * has the ctest label "soak".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>
#include <mmemu/oracle.h>

#if defined(__SANITIZE_ADDRESS__)
#define SOAK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SOAK_ASAN 1
#endif
#endif

#ifdef SOAK_ASAN
#define SOAK_EXECS 100000ull
#define SOAK_WARMUP 10000ull
#define SOAK_RSS_GROWTH (320ull << 20)
#else
#define SOAK_EXECS 1000000ull
#define SOAK_WARMUP 100000ull
#define SOAK_RSS_GROWTH (16ull << 20)
#endif

#define CHUNK 10000ull

/* The resident set of this process in bytes, from /proc/self/statm. */
static uint64_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%lu %lu", &size, &resident), 2);
	fclose(f);
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* Runs f until its execution count reaches n, in chunks; every chunk must succeed. */
static void run_until(struct mm_fuzz *f, uint64_t n)
{
	struct mm_fuzz_stats s;

	for (mm_fuzz_stats(f, &s); s.execs < n; mm_fuzz_stats(f, &s))
		assert_int_equal(mm_fuzz_iterate(f, n - s.execs < CHUNK ? n - s.execs : CHUNK),
				 MM_OK);
}

static void test_mm_fuzz_iterate_soak(void **state)
{
	struct mm_fuzz_config c = {
		.scenario = MMEMU_SOURCE_DIR "/scenarios/fuzz/smram-write-fixed.yaml",
		.target = { .kind = MM_FUZZ_COMMUNICATE,
			    .guid = { 0x03, 0x3d, 0xad, 0xe8, 0x6a, 0x57, 0xad, 0x40, 0x85, 0xef, 0x45,
				      0x73, 0x14, 0x17, 0x2d, 0x08 } },
		.oracles = MM_ORACLE_ALL,
		.seed = 1,
	};
	struct mm_fuzz_stats s;
	struct mm_fuzz *f = NULL;
	uint64_t warm, end;
	char err[512] = "";

	(void)state;
	if (mm_fuzz_create(&c, &f, err, sizeof(err)) != MM_OK)
		fail_msg("mm_fuzz_create: %s", err);
	run_until(f, SOAK_WARMUP);
	warm = rss_bytes();
	run_until(f, SOAK_EXECS);
	end = rss_bytes();
	mm_fuzz_stats(f, &s);
	print_message("soak: %llu execs in %.1f s, %u edges, corpus %u, RSS %.1f -> %.1f MiB\n",
		      (unsigned long long)s.execs, s.seconds, s.edges, s.corpus, warm / 1048576.0,
		      end / 1048576.0);
	assert_true(s.execs >= SOAK_EXECS);
	assert_int_equal(s.findings, 0);
	assert_true(s.edges > 0);
	if (end > warm + SOAK_RSS_GROWTH)
		fail_msg("RSS grew from %llu to %llu bytes between %llu and %llu executions",
			 (unsigned long long)warm, (unsigned long long)end, SOAK_WARMUP, SOAK_EXECS);
	mm_fuzz_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_fuzz_iterate_soak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
