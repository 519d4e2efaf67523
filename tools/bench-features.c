/* SPDX-License-Identifier: MIT */
/*
 * mmemu bench features: what coverage and tracing cost when on. The same
 * 1-CPU Unicorn machine with the emulated PE benchmark driver runs SW SMIs
 * (the real entry stub, save-state map and RSM) and communicates to the
 * emulated handler, with each feature off, then on; the overhead factor is
 * the rate off divided by the rate on. When off the features install no
 * hook at all, so "off" is the plain machine (compare `mmemu bench smi`).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mmemu/debug.h>

#include "cli.h"

#define FEAT_OFFSET 0x60000000ull /* as cmd-bench.c: clear of valgrind's load address */
#define FEAT_SMIS 3000
#define FEAT_COMMS 3000
#define FEAT_COPY 256
/* 2f4c8a31-95d2-4b7e-8c1a-6e0d93b5a742: tests/drivers/pe/pe-bench.c's handler GUID */
static const uint8_t feat_guid[16] = { 0x31, 0x8a, 0x4c, 0x2f, 0xd2, 0x95, 0x7e, 0x4b,
				       0x8c, 0x1a, 0x6e, 0x0d, 0x93, 0xb5, 0xa7, 0x42 };

enum feat { FEAT_OFF, FEAT_COVERAGE, FEAT_TRACE, FEAT_COUNT };
static const char *const feat_names[FEAT_COUNT] = { "off", "coverage", "trace_insn" };

static double feat_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The benchmark machine with feature f on; NULL (message printed) on failure. */
static struct mm_machine *feat_machine(enum feat f, FILE *sink)
{
	struct mm_trace_opts t = { .what = MM_TRACE_INSN, .limit = UINT64_MAX, .out = sink };
	char path[4096], err[512];
	struct mm_platform p;
	struct mm_machine *m;
	enum mm_err e = MM_OK;

	mm_platform_default(&p);
	for (unsigned i = 0; i < p.nregions; i++)
		p.regions[i].base += FEAT_OFFSET;
	p.cpus = 1;
	p.cpu_engine = MM_CPU_UNICORN;
	if (mm_machine_create(&p, &m, err, sizeof(err))) {
		fprintf(stderr, "bench features: %s\n", err);
		return NULL;
	}
	if (f == FEAT_COVERAGE)
		e = mm_coverage_enable(m);
	else if (f == FEAT_TRACE)
		e = mm_trace_enable(m, &t);
	snprintf(path, sizeof(path), "%s/pe/pe-bench.efi", cli_driver_dir());
	if (e || mm_driver_load_image(m, path, NULL, NULL) || mm_dispatch(m)) {
		fprintf(stderr, "bench features: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* SW SMIs per second; -1 on failure. */
static double smi_rate(struct mm_machine *m)
{
	double t0 = feat_seconds();

	for (unsigned i = 0; i < FEAT_SMIS; i++)
		if (mm_sw_smi(m, 0, 0x42, 0))
			return -1;
	return FEAT_SMIS / (feat_seconds() - t0);
}

/* Communicate round trips per second to the emulated handler; -1 on failure. */
static double comm_rate(struct mm_machine *m)
{
	uint8_t hdr[24], msg[FEAT_COPY] = { 0 };
	uint64_t buf, len = FEAT_COPY;
	double t0;

	if (mm_ram_alloc(m, 24 + FEAT_COPY, 6 /* EfiRuntimeServicesData */, &buf))
		return -1;
	memcpy(hdr, feat_guid, 16);
	memcpy(hdr + 16, &len, 8);
	if (mm_mem_write(m, buf, hdr, sizeof(hdr)) || mm_mem_write(m, buf + 24, msg, len))
		return -1;
	t0 = feat_seconds();
	for (unsigned i = 0; i < FEAT_COMMS; i++) {
		uint64_t size = 24 + FEAT_COPY, status;

		if (mm_communicate(m, buf, &size, &status) || status)
			return -1;
	}
	return FEAT_COMMS / (feat_seconds() - t0);
}

int bench_features(FILE *out)
{
	double smi[FEAT_COUNT], comm[FEAT_COUNT];
	FILE *sink = fopen("/dev/null", "w");

	if (!sink)
		return -1;
	for (int f = 0; f < FEAT_COUNT; f++) {
		struct mm_machine *m = feat_machine((enum feat)f, sink);

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
	for (int f = 1; f < FEAT_COUNT; f++) {
		fprintf(out, "features_%s_sw_smi_overhead: %.2fx\n", feat_names[f], smi[0] / smi[f]);
		fprintf(out, "features_%s_communicate_overhead: %.2fx\n", feat_names[f],
			comm[0] / comm[f]);
	}
	fclose(sink);
	return 0;
}
