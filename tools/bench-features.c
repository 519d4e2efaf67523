/* SPDX-License-Identifier: MIT */
/*
 * mmemu bench features: what the debugging features cost.
 *
 * Off, compiled in vs not compiled in: callgrind instructions per SW SMI and
 * per communicate of `mmemu bench-worker features-*` (this build) and of
 * mmemu-bench-nofeat beside it (the same worker linked against libmmemu
 * built with MMEMU_DEBUG_FEATURES=0), and their ratio. Instruction counts,
 * not times: stable enough to show a difference of a few instructions.
 *
 * On: the same 1-CPU Unicorn machine with the emulated PE benchmark driver
 * runs SW SMIs and communicates with coverage, then an instruction trace
 * (to /dev/null) switched on; the overhead factor is the rate off divided
 * by the rate on (wall clock).
 */
#include <libgen.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-features.h"
#include "cli.h"

/* tools/cmd-bench.c */
long long callgrind_total(const char *self, const char *what, unsigned long n,
			  const char *const *functions);
const char *self_path(void);

#define FEAT_SMIS 3000
#define FEAT_COMMS 3000

static const char *const feat_names[BENCH_FEAT_COUNT] = { "off", "coverage", "trace_insn" };

static double feat_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SW SMIs per second; -1 on failure. */
static double smi_rate(struct mm_machine *m)
{
	double t0 = feat_seconds();

	if (bench_feat_smis(m, FEAT_SMIS))
		return -1;
	return FEAT_SMIS / (feat_seconds() - t0);
}

/* Communicate round trips per second to the emulated handler; -1 on failure. */
static double comm_rate(struct mm_machine *m)
{
	uint64_t buf;
	double t0;

	if (bench_feat_buffer(m, &buf))
		return -1;
	t0 = feat_seconds();
	if (bench_feat_comms(m, buf, FEAT_COMMS))
		return -1;
	return FEAT_COMMS / (feat_seconds() - t0);
}

/* Rates with each feature off, then on, and the overhead factors. */
static int feature_rates(FILE *out)
{
	double smi[BENCH_FEAT_COUNT], comm[BENCH_FEAT_COUNT];
	FILE *sink = fopen("/dev/null", "w");

	if (!sink)
		return -1;
	for (int f = 0; f < BENCH_FEAT_COUNT; f++) {
		struct mm_machine *m = bench_feat_machine((enum bench_feat)f, sink);

		if (!m) {
			fclose(sink);
			return -1;
		}
		smi[f] = smi_rate(m);
		comm[f] = comm_rate(m);
		mm_machine_destroy(m);
		if (smi[f] <= 0 || comm[f] <= 0) {
			fprintf(stderr, "bench features: an SMI or communicate failed (%s)\n",
				feat_names[f]);
			fclose(sink);
			return -1;
		}
		fprintf(out, "features_%s_sw_smi_rate: %.0f SMIs/s\n", feat_names[f], smi[f]);
		fprintf(out, "features_%s_communicate_rate: %.0f round-trips/s\n", feat_names[f],
			comm[f]);
	}
	for (int f = 1; f < BENCH_FEAT_COUNT; f++) {
		fprintf(out, "features_%s_sw_smi_overhead: %.2fx\n", feat_names[f], smi[0] / smi[f]);
		fprintf(out, "features_%s_communicate_overhead: %.2fx\n", feat_names[f],
			comm[0] / comm[f]);
	}
	fclose(sink);
	return 0;
}

/* Callgrind instructions per iteration of a features worker of exe; -1 when unavailable. */
static double worker_instructions(const char *exe, const char *what, const char *function)
{
	const char *const fns[] = { function, NULL };
	const unsigned long n1 = 50, n2 = 300;
	long long a = callgrind_total(exe, what, n1, fns);
	long long b = callgrind_total(exe, what, n2, fns);

	if (a < 0 || b < 0)
		return -1;
	return (double)(b - a) / (double)(n2 - n1);
}

/* The instructions of one SMI and one communicate with the features compiled in and out. */
static void feature_instructions(FILE *out)
{
	static const struct {
		const char *label, *what, *function, *unit;
	} loops[] = {
		{ "sw_smi", "features-smi", "mm_sw_smi", "SMI" },
		{ "communicate", "features-communicate", "mm_communicate", "communicate" },
	};
	const char *self = self_path();
	char nofeat[4096], dir[4096];

	snprintf(dir, sizeof(dir), "%s", self);
	snprintf(nofeat, sizeof(nofeat), "%s/mmemu-bench-nofeat", dirname(dir));
	if (access(nofeat, X_OK)) {
		fprintf(out, "features_compiled_out: unavailable (no %s; it is built with "
			     "MMEMU_DEBUG_FEATURES=ON in the build tree)\n", nofeat);
		return;
	}
	for (size_t i = 0; i < sizeof(loops) / sizeof(loops[0]); i++) {
		double in = worker_instructions(self, loops[i].what, loops[i].function);
		double no = worker_instructions(nofeat, loops[i].what, loops[i].function);

		if (in < 0 || no < 0) {
			fprintf(out, "features_%s_instructions: unavailable (valgrind missing or "
				     "the worker failed)\n", loops[i].label);
			continue;
		}
		fprintf(out, "features_compiled_in_off_%s_instructions: %.1f instructions/%s\n",
			loops[i].label, in, loops[i].unit);
		fprintf(out, "features_compiled_out_%s_instructions: %.1f instructions/%s\n",
			loops[i].label, no, loops[i].unit);
		fprintf(out, "features_compiled_in_off_%s_ratio: %.4f\n", loops[i].label, in / no);
	}
}

int bench_features(FILE *out)
{
	if (feature_rates(out))
		return -1;
	fflush(out);
	feature_instructions(out);
	return 0;
}
