/* SPDX-License-Identifier: MIT */
/*
 * AFL++ harness over the mmemu fuzzer (include/mmemu/fuzz.h): each input is
 * one execution of an MMI handler from a scenario's end state. The target
 * comes from the same environment variables as the libFuzzer target
 * (MMEMU_FUZZ_SCENARIO, MMEMU_FUZZ_GUID or MMEMU_FUZZ_SW_SMI, ...; see
 * tools/fuzz-target.h and docs/fuzzing.md).
 *
 * Built with afl-clang-fast it runs in persistent mode: the start state is
 * built once before the fork server starts (deferred __AFL_INIT), then
 * inputs arrive through shared memory (__AFL_FUZZ_TESTCASE_BUF) in an
 * __AFL_LOOP, and the guest's edges are added to AFL's coverage map
 * (__afl_area_ptr) after every execution. Built with any other compiler it
 * is a plain driver that runs each FILE argument, or stdin, once; that is
 * how the normal build tests it.
 *
 * A finding (oracle hit, fault, hang...) prints its class and aborts, the
 * crash AFL++ records. Exit codes otherwise: 0, 2 for a setup error.
 */
#define _GNU_SOURCE /* RTLD_DEFAULT */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmemu/fuzz.h>
#include <mmemu/stop.h>

#include "fuzz-target.h"

#define MAX_INPUT (1u << 20)

#ifdef __AFL_FUZZ_TESTCASE_LEN
__AFL_FUZZ_INIT();
#endif

/*
 * AFL++'s coverage map: afl-compiler-rt (linked by afl-clang-fast) defines
 * __afl_area_ptr and __afl_map_size. They are looked up at run time because
 * afl-clang-fast's pass declares __afl_area_ptr in every module it
 * instruments, and a declaration of ours would clash with it. Other builds
 * find neither: no map.
 */
struct afl_map {
	uint8_t **area;          /* &__afl_area_ptr (the fork server may move the map) */
	const uint32_t *size;    /* &__afl_map_size */
};

static struct afl_map afl_map_find(void)
{
	struct afl_map a = { dlsym(RTLD_DEFAULT, "__afl_area_ptr"),
			     dlsym(RTLD_DEFAULT, "__afl_map_size") };

	return a;
}

/* Adds the last execution's guest edges to AFL's map, when there is one. */
static void publish_edges(struct mm_fuzz *f, struct afl_map afl)
{
	uint8_t *area = afl.area ? *afl.area : NULL;
	uint32_t size = afl.size && *afl.size ? *afl.size : 65536;
	size_t len = 0;
	const uint8_t *map;

	if (!area)
		return;
	map = mm_fuzz_edge_map(f, &len);
	for (size_t i = 0; map && i < len; i++)
		if (map[i])
			area[i % size] += map[i];
}

/* Runs one input; aborts on a finding (AFL++'s crash), exits 2 on a harness error. */
static void run_one(struct mm_fuzz *f, struct afl_map afl, const uint8_t *data, size_t len)
{
	struct mm_fuzz_result r;
	enum mm_err e = mm_fuzz_exec(f, data, len, &r);

	if (e) {
		fprintf(stderr, "mmemu-afl: harness error: %s\n", mm_strerror(e));
		exit(2);
	}
	publish_edges(f, afl);
	if (r.finding) {
		fprintf(stderr, "mmemu-afl: finding: %s (stop: %s), %zu-byte input\n",
			cli_fuzz_class_name((unsigned)cli_fuzz_finding_slot(r.finding)),
			mm_stop_kind_name(r.stop), len);
		abort();
	}
}

/* Builds the engine from the environment; exits 2 when it cannot. */
static struct mm_fuzz *engine_from_env(void)
{
	struct mm_fuzz_config cfg;
	struct mm_fuzz *f = NULL;
	char err[512] = "";
	enum mm_err e;

	if (cli_fuzz_config_from_env(&cfg, err, sizeof(err))) {
		fprintf(stderr, "mmemu-afl: %s\n", err);
		exit(2);
	}
	e = mm_fuzz_create(&cfg, &f, err, sizeof(err));
	if (e) {
		fprintf(stderr, "mmemu-afl: %s: %s\n", cfg.scenario, *err ? err : mm_strerror(e));
		exit(2);
	}
	return f;
}

#ifdef __AFL_FUZZ_TESTCASE_LEN

int main(void)
{
	struct mm_fuzz *f = engine_from_env();
	struct afl_map afl = afl_map_find();
	const uint8_t *buf;

	__AFL_INIT();
	buf = __AFL_FUZZ_TESTCASE_BUF;
	while (__AFL_LOOP(100000))
		run_one(f, afl, buf, (size_t)__AFL_FUZZ_TESTCASE_LEN);
	mm_fuzz_free(f);
	return 0;
}

#else

/* Reads all of file f (at most MAX_INPUT bytes) into buf; returns the length or -1. */
static long read_input(FILE *in, uint8_t *buf)
{
	size_t n = fread(buf, 1, MAX_INPUT, in);

	return ferror(in) ? -1 : (long)n;
}

int main(int argc, char **argv)
{
	uint8_t *buf = malloc(MAX_INPUT);
	struct mm_fuzz *f;
	struct afl_map afl;
	long n;

	if (!buf)
		return 2;
	f = engine_from_env();
	afl = afl_map_find();
	for (int i = 1; i < argc || i == 1; i++) {
		FILE *in = i < argc ? fopen(argv[i], "rb") : stdin;

		if (!in || (n = read_input(in, buf)) < 0) {
			fprintf(stderr, "mmemu-afl: cannot read %s\n", i < argc ? argv[i] : "stdin");
			return 2;
		}
		if (in != stdin)
			fclose(in);
		run_one(f, afl, buf, (size_t)n);
	}
	mm_fuzz_free(f);
	free(buf);
	return 0;
}

#endif
