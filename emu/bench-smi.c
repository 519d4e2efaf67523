/* SPDX-License-Identifier: MIT */
/*
 * SMI throughput of the Unicorn CPU model: SW SMIs per second through
 * OUT 0xB2 (mm_sw_smi) -> entry stub -> Foundation -> RSM, on the full path
 * (16-to-64-bit stub every time) and the fast path (context restored at the
 * host call), with 1 and 8 CPUs, and in the same run a bare baseline: the
 * same stub and model, SMIs delivered to the model directly (no chipset)
 * and the Foundation replaced by a host call that returns at once, so the
 * overhead of everything above the model is a ratio.
 * Prints one "name: value unit" line per figure. Rates are per second of the
 * benchmarking thread's CPU time (CLOCK_THREAD_CPUTIME_ID): the host cost
 * of an SMI, which wall-clock time on a loaded, shared machine overstates.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <mmemu/mmemu.h>

#include "emu.h"

/* CPU time of this thread, in seconds. */
static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void bare_entry(struct mm_machine *m, unsigned bsp, void *user)
{
	(void)m, (void)bsp, (void)user;
}

/* A default machine with cpus CPUs taken by the Unicorn model. */
static struct mm_machine *smi_machine(unsigned cpus, bool fast, bool bare)
{
	struct mm_platform p;
	struct mm_machine *m;
	char err[512];

	mm_platform_default(&p);
	p.cpus = cpus;
	p.cpu_engine = MM_CPU_UNICORN;
	if (mm_machine_create(&p, &m, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return NULL;
	}
	if (mm_emu_set_fast_path(m, fast))
		goto fail;
	if (bare && mm_emu_set_entry(m, bare_entry, NULL))
		goto fail;
	return m;
fail:
	{
		fprintf(stderr, "bench: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
		return NULL;
	}
}

/* SMIs per second for about 0.3 s of SW SMIs; -1 on failure. */
static double smi_rate(unsigned cpus, bool fast, bool bare)
{
	struct mm_machine *m = smi_machine(cpus, fast, bare);
	double t0, t1;
	uint64_t n = 0;

	if (!m)
		return -1;
	t0 = seconds();
	do {
		for (unsigned i = 0; i < 1000; i++) {
			if (bare ? mm_emu_smi(m, 0) : mm_sw_smi(m, 0, 0x42, 0)) {
				fprintf(stderr, "bench: %s\n", mm_machine_error(m));
				mm_machine_destroy(m);
				return -1;
			}
		}
		n += 1000;
		t1 = seconds();
	} while (t1 - t0 < 0.3);
	mm_machine_destroy(m);
	return n / (t1 - t0);
}

int mm_bench_smi(FILE *out, const char *filter)
{
	static const struct {
		const char *name;
		unsigned cpus;
		bool fast, bare;
	} runs[] = {
		{ "smi_bare_full_1cpu", 1, false, true },
		{ "smi_full_1cpu", 1, false, false },
		{ "smi_bare_fast_1cpu", 1, true, true },
		{ "smi_fast_1cpu", 1, true, false },
		{ "smi_full_8cpu", 8, false, false },
		{ "smi_fast_8cpu", 8, true, false },
	};
	double rate[sizeof(runs) / sizeof(runs[0])];
	int rc = 0;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		rate[i] = -1;
		if (filter && *filter && !strstr(runs[i].name, filter))
			continue;
		rate[i] = smi_rate(runs[i].cpus, runs[i].fast, runs[i].bare);
		if (rate[i] < 0) {
			rc = -1;
			continue;
		}
		fprintf(out, "%s_rate: %.0f SMIs/s\n", runs[i].name, rate[i]);
	}
	if (rate[0] > 0 && rate[1] > 0)
		fprintf(out, "smi_full_1cpu_overhead: %.2f x bare\n", rate[0] / rate[1]);
	if (rate[2] > 0 && rate[3] > 0)
		fprintf(out, "smi_fast_1cpu_overhead: %.2f x bare\n", rate[2] / rate[3]);
	return rc;
}
