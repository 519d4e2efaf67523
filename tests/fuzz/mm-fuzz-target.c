/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer entry point over the mmemu fuzzer (include/mmemu/fuzz.h): every
 * input is one execution of an MMI handler from a scenario's end state, as
 * in `mmemu fuzz`, but libFuzzer mutates and keeps the corpus.
 *
 * The target comes from the environment (tools/fuzz-target.h):
 *   MMEMU_FUZZ_SCENARIO   the scenario whose end state every input starts from
 *   MMEMU_FUZZ_GUID       fuzz the communicate messages of this handler GUID, or
 *   MMEMU_FUZZ_SW_SMI     a SW SMI value ("" or "any": fuzzed too; MMEMU_FUZZ_CPU)
 *   MMEMU_FUZZ_ORACLES    oracle classes, "all" (default) or "none"
 *   MMEMU_FUZZ_MAX_LEN    largest input used (default 4096)
 *   MMEMU_FUZZ_FINDINGS   a directory receiving a reproducer scenario per crash
 *
 * Coverage: libFuzzer sees the harness's own (host) code through
 * -fsanitize=fuzzer, and the guest's edges through an extra-counters array
 * that receives the CPU model's edge map after each execution. A finding
 * (oracle hit, fault, hang...) prints its class and stop kind, writes the
 * reproducer when asked to, and traps, so that libFuzzer saves the input as
 * a crash and exits non-zero.
 *
 * libFuzzer's interface has no context argument, so the engine and the
 * counters are file-scope state of this program: the exception to the
 * project's no-mutable-globals rule that every libFuzzer target makes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <mmemu/fuzz.h>
#include <mmemu/stop.h>

#include "fuzz-target.h"

/* The size of AFL's and libFuzzer's usual maps; edge indexes beyond it fold. */
#define EXTRA_COUNTERS 65536

/* libFuzzer collects this section's bytes as coverage counters after every input. */
__attribute__((section("__libfuzzer_extra_counters"), used))
static uint8_t guest_edges[EXTRA_COUNTERS];

static struct mm_fuzz *engine;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct mm_fuzz_config cfg;
	char err[512] = "";
	enum mm_err e;

	(void)argc;
	(void)argv;
	if (cli_fuzz_config_from_env(&cfg, err, sizeof(err))) {
		fprintf(stderr, "mm-fuzz-target: %s\n", err);
		exit(2);
	}
	e = mm_fuzz_create(&cfg, &engine, err, sizeof(err));
	if (e) {
		fprintf(stderr, "mm-fuzz-target: %s: %s\n", cfg.scenario, *err ? err : mm_strerror(e));
		exit(2);
	}
	return 0;
}

/* Copies the last execution's edge map into the extra counters (folding it). */
static void publish_edges(void)
{
	size_t len = 0;
	const uint8_t *map = mm_fuzz_edge_map(engine, &len);

	memset(guest_edges, 0, sizeof(guest_edges));
	if (!map)
		return;
	if (len <= EXTRA_COUNTERS) {
		memcpy(guest_edges, map, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		uint8_t *c = &guest_edges[i % EXTRA_COUNTERS];
		unsigned v = *c + map[i];

		*c = (uint8_t)(v > 255 ? 255 : v);
	}
}

/* Says what input data gave, keeps its reproducer when asked to, and traps. */
static void report_finding(const uint8_t *data, size_t size, const struct mm_fuzz_result *r)
{
	const char *dir = getenv("MMEMU_FUZZ_FINDINGS");
	int slot = cli_fuzz_finding_slot(r->finding);
	char path[4096];

	fprintf(stderr, "==mmemu== finding: %s (stop: %s), %zu-byte input\n",
		cli_fuzz_class_name((unsigned)slot), mm_stop_kind_name(r->stop), size);
	if (dir && *dir) {
		snprintf(path, sizeof(path), "%s/finding-%d-%s.yaml", dir, (int)getpid(),
			 cli_fuzz_class_name((unsigned)slot));
		if (mm_fuzz_write_reproducer(engine, data, size, path) == MM_OK)
			fprintf(stderr, "==mmemu== reproducer: %s\n", path);
	}
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_fuzz_result r;
	enum mm_err e = mm_fuzz_exec(engine, data, size, &r);

	if (e) {
		fprintf(stderr, "mm-fuzz-target: harness error: %s\n", mm_strerror(e));
		abort();
	}
	publish_edges();
	if (r.finding)
		report_finding(data, size, &r);
	return 0;
}
