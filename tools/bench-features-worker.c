/* SPDX-License-Identifier: MIT */
/*
 * The benchmark machine of `mmemu bench features` and its two loops (SW SMIs
 * through the real entry stub, save-state map and RSM; communicates to the
 * emulated 256-byte copy handler). Linked into mmemu and into
 * mmemu-bench-nofeat, so that both builds measure exactly the same code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/debug.h>

#include "bench-features.h"
#include "cli.h"

#define FEAT_OFFSET 0x60000000ull /* as cmd-bench.c: clear of valgrind's load address */
#define FEAT_COPY 256
/* 2f4c8a31-95d2-4b7e-8c1a-6e0d93b5a742: tests/drivers/pe/pe-bench.c's handler GUID */
static const uint8_t feat_guid[16] = { 0x31, 0x8a, 0x4c, 0x2f, 0xd2, 0x95, 0x7e, 0x4b,
				       0x8c, 0x1a, 0x6e, 0x0d, 0x93, 0xb5, 0xa7, 0x42 };

struct mm_machine *bench_feat_machine(enum bench_feat f, FILE *sink)
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
	if (f == BENCH_FEAT_COVERAGE)
		e = mm_coverage_enable(m);
	else if (f == BENCH_FEAT_TRACE)
		e = mm_trace_enable(m, &t);
	snprintf(path, sizeof(path), "%s/pe/pe-bench.efi", cli_driver_dir());
	if (e || mm_driver_load_image(m, path, NULL, NULL) || mm_dispatch(m)) {
		fprintf(stderr, "bench features: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

int bench_feat_smis(struct mm_machine *m, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		if (mm_sw_smi(m, 0, 0x42, 0))
			return -1;
	return 0;
}

int bench_feat_buffer(struct mm_machine *m, uint64_t *buf)
{
	uint8_t hdr[24], msg[FEAT_COPY] = { 0 };
	uint64_t len = FEAT_COPY;

	if (mm_ram_alloc(m, 24 + FEAT_COPY, 6 /* EfiRuntimeServicesData */, buf))
		return -1;
	memcpy(hdr, feat_guid, 16);
	memcpy(hdr + 16, &len, 8);
	if (mm_mem_write(m, *buf, hdr, sizeof(hdr)) || mm_mem_write(m, *buf + 24, msg, len))
		return -1;
	return 0;
}

int bench_feat_comms(struct mm_machine *m, uint64_t buf, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		uint64_t size = 24 + FEAT_COPY, status;

		if (mm_communicate(m, buf, &size, &status) || status)
			return -1;
	}
	return 0;
}

int bench_features_worker(const char *what, unsigned long n)
{
	struct mm_machine *m = bench_feat_machine(BENCH_FEAT_OFF, NULL);
	uint64_t buf;
	int rc;

	if (!m)
		return CLI_FAIL;
	if (!strcmp(what, "features-smi"))
		rc = bench_feat_smis(m, n) ? CLI_FAIL : CLI_OK;
	else if (!strcmp(what, "features-communicate"))
		rc = bench_feat_buffer(m, &buf) || bench_feat_comms(m, buf, n) ? CLI_FAIL : CLI_OK;
	else
		rc = CLI_USAGE;
	mm_machine_destroy(m);
	return rc;
}
