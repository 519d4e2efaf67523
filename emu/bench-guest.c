/* SPDX-License-Identifier: MIT */
/*
 * Benchmarks of emulated drivers (mmemu bench emulated, issue 5):
 *   - MM communicate round trips per second to the GUID handler of an
 *     emulated PE driver (tests/drivers/pe/pe-bench.c: copies 256 bytes),
 *     through the whole Foundation on a 1-CPU Unicorn machine, fast path on;
 *   - in the same run, the bare-Unicorn baseline: a second engine over the
 *     same memory calls the same handler directly in a loop (registers, a
 *     stack, a code hook on the return address), no Foundation at all;
 *   - the worker of the nested-call instruction count (host -> emulated ->
 *     host service -> back), which `mmemu bench` runs under callgrind.
 */
#include <string.h>
#include <time.h>

#include <mmemu/run.h>

#include "core/image.h"
#include "core/page.h"
#include "emu/guest.h"
#include "loader/image.h"

#define BENCH_OFFSET 0x60000000ull /* as tools/cmd-bench.c: clear of valgrind's load address */
#define BENCH_COPY 256
/* 2f4c8a31-95d2-4b7e-8c1a-6e0d93b5a742: pe-bench.c's handler GUID */
static const uint8_t bench_guid[16] = { 0x31, 0x8a, 0x4c, 0x2f, 0xd2, 0x95, 0x7e, 0x4b,
					0x8c, 0x1a, 0x6e, 0x0d, 0x93, 0xb5, 0xa7, 0x42 };

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A 1-CPU Unicorn machine at the benchmark offset, fast path on. */
static struct mm_machine *bench_machine(void)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512];

	mm_platform_default(&p);
	for (unsigned i = 0; i < p.nregions; i++)
		p.regions[i].base += BENCH_OFFSET;
	p.cpus = 1;
	p.cpu_engine = MM_CPU_UNICORN;
	if (mm_machine_create(&p, &m, err, sizeof(err))) {
		fprintf(stderr, "bench emulated: %s\n", err);
		return NULL;
	}
	if ((!mm_extension_get(m, "emu") && mm_emu_attach(m)) || mm_emu_set_fast_path(m, true)) {
		fprintf(stderr, "bench emulated: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* Communicate buffer (header + 256 bytes) in RAM; 0 on failure. */
static uint64_t bench_buffer(struct mm_machine *m)
{
	uint64_t addr = 0, len = BENCH_COPY;
	uint8_t hdr[24];

	if (mm_ram_alloc(m, sizeof(hdr) + BENCH_COPY, 6 /* EfiRuntimeServicesData */, &addr))
		return 0;
	memcpy(hdr, bench_guid, 16);
	memcpy(hdr + 16, &len, 8);
	memcpy((void *)(uintptr_t)addr, hdr, sizeof(hdr));
	memset((void *)(uintptr_t)addr + sizeof(hdr), 0, BENCH_COPY);
	return addr;
}

/* Round trips per second of communicate to the emulated handler; -1 on failure. */
static double communicate_rate(struct mm_machine *m, uint64_t buf)
{
	double t0 = seconds(), t1;
	uint64_t n = 0;

	do {
		for (unsigned i = 0; i < 10000; i++, n++) {
			uint64_t size = 24 + BENCH_COPY, status = 1;

			if (mm_communicate(m, buf, &size, &status) || status)
				return -1;
		}
		t1 = seconds();
	} while (t1 - t0 < 0.5);
	return n / (t1 - t0);
}

/* The bare baseline's state. */
struct bare {
	uc_engine *uc;
	uint64_t trap;
};

static void bare_trap(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	(void)addr, (void)size, (void)user;
	uc_emu_stop(uc);
}

/* Calls of handler per second on a fresh engine over m's memory; -1 on failure. */
static double bare_rate(struct mm_machine *m, uint64_t handler, uint64_t buf)
{
	static const int ids[] = { UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9,
				   UC_X86_REG_RSP };
	struct bare b = { 0 };
	uint64_t stack = 0, size_slot, v[5], n = 0;
	void *ptrs[5] = { &v[0], &v[1], &v[2], &v[3], &v[4] };
	double t0, t1, rate = -1;
	uc_hook h;

	if (uc_open(UC_ARCH_X86, UC_MODE_64, &b.uc))
		return -1;
	for (unsigned i = 0; i < m->mem.count; i++)
		if (uc_mem_map_ptr(b.uc, m->mem.regions[i].desc.base, m->mem.regions[i].desc.size,
				   UC_PROT_ALL, m->mem.regions[i].host))
			goto out;
	if (mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 4, &stack, true))
		goto out;
	b.trap = stack; /* first page: the trap (int3s), code only */
	memset((void *)(uintptr_t)b.trap, 0xCC, EFI_PAGE_SIZE);
	size_slot = stack + EFI_PAGE_SIZE;
	if (uc_hook_add(b.uc, &h, UC_HOOK_CODE, bare_trap, &b, b.trap, b.trap))
		goto out;
	t0 = seconds();
	do {
		for (unsigned i = 0; i < 10000; i++, n++) {
			uint64_t rsp = stack + 4 * EFI_PAGE_SIZE - 0x48;

			*(uint64_t *)(uintptr_t)rsp = b.trap;
			*(uint64_t *)(uintptr_t)size_slot = BENCH_COPY;
			v[0] = 0, v[1] = 0, v[2] = buf + 24, v[3] = size_slot, v[4] = rsp;
			uc_reg_write_batch(b.uc, (int *)ids, ptrs, 5);
			if (uc_emu_start(b.uc, handler, 0, 0, 0))
				goto out;
		}
		t1 = seconds();
	} while (t1 - t0 < 0.5);
	rate = n / (t1 - t0);
out:
	uc_close(b.uc);
	return rate;
}

int mm_bench_emulated(FILE *out, const char *driver)
{
	struct mm_machine *m = bench_machine();
	struct mm_loaded_image li;
	uint64_t buf, handler = 0;
	double rate, bare;

	if (!m)
		return -1;
	if (mm_driver_load_image(m, driver, NULL, NULL) || mm_dispatch(m) ||
	    !(buf = bench_buffer(m))) {
		fprintf(stderr, "bench emulated: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
		return -1;
	}
	rate = communicate_rate(m, buf);
	/* the baseline: a second copy of the image; its entry, called with no MMST, names the handler */
	if (rate > 0 && !mm_image_load_file(m, driver, &li))
		mm_call(m, li.entry, 2, (const uint64_t[2]){ 0, 0 }, &handler);
	bare = handler ? bare_rate(m, handler, buf) : -1;
	mm_machine_destroy(m);
	if (rate < 0 || bare < 0) {
		fprintf(stderr, "bench emulated: a call failed\n");
		return -1;
	}
	fprintf(out, "communicate_emulated_copy256_rate: %.0f round-trips/s\n", rate);
	fprintf(out, "emulated_bare_unicorn_copy256_rate: %.0f calls/s\n", bare);
	fprintf(out, "communicate_emulated_vs_bare: %.2fx slower\n", bare / rate);
	return 0;
}

/* Host service of the nested-call benchmark. */
static uint64_t __attribute__((ms_abi)) nested_host(uint64_t x)
{
	return x + 1;
}

int mm_bench_emulated_nested_worker(unsigned long n)
{
	/* sub rsp,0x28; call [rip+6]; add rsp,0x28; ret; int3 x2; dq thunk */
	uint8_t code[24] = { 0x48, 0x83, 0xEC, 0x28, 0xFF, 0x15, 0x06, 0, 0, 0, 0x48, 0x83,
			     0xC4, 0x28, 0xC3, 0xCC };
	struct mm_machine *m = bench_machine();
	struct mm_emu_guest *g = m ? mm_emu_guest(m) : NULL;
	uint64_t page = 0, thunk, arg = 1, ret = 0;
	int rc = -1;

	if (!g || mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesCode, 1, &page,
				true))
		goto out;
	thunk = mm_emu_thunk_get(g, (uint64_t)(uintptr_t)nested_host, true);
	memset((void *)(uintptr_t)page, 0xCC, EFI_PAGE_SIZE);
	memcpy(code + 16, &thunk, 8);
	memcpy((void *)(uintptr_t)page, code, sizeof(code));
	if (!thunk || !mm_image_add(m, "nested", NULL, page, EFI_PAGE_SIZE, MM_ENGINE_EMULATED))
		goto out;
	for (unsigned long i = 0; i < n; i++)
		if (mm_call(m, page, 1, &arg, &ret) || ret != 2)
			goto out;
	rc = 0;
out:
	if (m)
		mm_machine_destroy(m);
	return rc;
}
