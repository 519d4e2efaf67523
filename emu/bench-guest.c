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
#define BENCH_SLICE 2000 /* iterations per timed slice */
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

/* One communicate round trip to the emulated handler (callgrind measures this). */
static __attribute__((noinline)) int bench_communicate_once(struct mm_machine *m, uint64_t buf)
{
	uint64_t size = 24 + BENCH_COPY, status = 1;

	return mm_communicate(m, buf, &size, &status) || status ? -1 : 0;
}

/*
 * The bare baseline: a second engine over the same memory, a stack and a
 * return trap in SMRAM, nothing else (no Foundation, no other hook).
 */
struct bare {
	uc_engine *uc;
	uint64_t handler, buf;
	uint64_t trap, stack, size_slot;
};

static void bare_trap(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	(void)addr, (void)size, (void)user;
	uc_emu_stop(uc);
}

/* Opens the bare engine for handler over m's memory; 0 or -1. */
static int bare_open(struct bare *b, struct mm_machine *m, uint64_t handler, uint64_t buf)
{
	uc_hook h;

	*b = (struct bare){ .handler = handler, .buf = buf };
	if (uc_open(UC_ARCH_X86, UC_MODE_64, &b->uc))
		return -1;
	for (unsigned i = 0; i < m->mem.count; i++)
		if (uc_mem_map_ptr(b->uc, m->mem.regions[i].desc.base, m->mem.regions[i].desc.size,
				   UC_PROT_ALL, m->mem.regions[i].host))
			return -1;
	if (mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 4, &b->stack,
			  true))
		return -1;
	b->trap = b->stack; /* first page: the trap (int3s), code only */
	memset((void *)(uintptr_t)b->trap, 0xCC, EFI_PAGE_SIZE);
	b->size_slot = b->stack + EFI_PAGE_SIZE;
	if (uc_hook_add(b->uc, &h, UC_HOOK_CODE, bare_trap, b, b->trap, b->trap))
		return -1;
	return 0;
}

/* One call of the handler: arguments in registers, return address on the stack. */
static __attribute__((noinline)) int bench_bare_once(struct bare *b)
{
	static const int ids[] = { UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9,
				   UC_X86_REG_RSP };
	uint64_t rsp = b->stack + 4 * EFI_PAGE_SIZE - 0x48;
	uint64_t v[5] = { 0, 0, b->buf + 24, b->size_slot, rsp };
	void *ptrs[5] = { &v[0], &v[1], &v[2], &v[3], &v[4] };

	*(uint64_t *)(uintptr_t)rsp = b->trap;
	*(uint64_t *)(uintptr_t)b->size_slot = BENCH_COPY;
	uc_reg_write_batch(b->uc, (int *)ids, ptrs, 5);
	return uc_emu_start(b->uc, b->handler, 0, 0, 0) ? -1 : 0;
}

/* The machine, buffer and bare engine both measurements use. */
struct emu_bench {
	struct mm_machine *m;
	uint64_t buf, handler;
	struct bare bare;
};

static void emu_bench_close(struct emu_bench *eb)
{
	if (eb->bare.uc)
		uc_close(eb->bare.uc);
	if (eb->m)
		mm_machine_destroy(eb->m);
}

/*
 * Loads and dispatches driver on a bench machine, then a second copy of the
 * image whose entry, called with no MMST, names the handler for the bare
 * engine. 0 or -1 (message on stderr).
 */
static int emu_bench_open(struct emu_bench *eb, const char *driver)
{
	struct mm_loaded_image li;

	*eb = (struct emu_bench){ .m = bench_machine() };
	if (!eb->m)
		return -1;
	if (mm_driver_load_image(eb->m, driver, NULL, NULL) || mm_dispatch(eb->m) ||
	    !(eb->buf = bench_buffer(eb->m)) || mm_image_load_file(eb->m, driver, &li) ||
	    mm_call(eb->m, li.entry, 2, (const uint64_t[2]){ 0, 0 }, &eb->handler) ||
	    bare_open(&eb->bare, eb->m, eb->handler, eb->buf)) {
		fprintf(stderr, "bench emulated: %s\n", mm_machine_error(eb->m));
		emu_bench_close(eb);
		return -1;
	}
	return 0;
}

/* Seconds taken by n iterations of what (communicate or bare); -1 on failure. */
static double timed(struct emu_bench *eb, bool bare, unsigned n)
{
	double t0 = seconds();

	for (unsigned i = 0; i < n; i++)
		if (bare ? bench_bare_once(&eb->bare) : bench_communicate_once(eb->m, eb->buf))
			return -1;
	return seconds() - t0;
}

/*
 * Both rates, measured in alternating slices of BENCH_SLICE iterations for
 * about a second in all, so that both see the same share of a noisy machine.
 */
static int rates(struct emu_bench *eb, double *rate, double *bare)
{
	double tc = 0, tb = 0, t;
	uint64_t n = 0;

	do {
		t = timed(eb, false, BENCH_SLICE);
		if (t < 0)
			return -1;
		tc += t;
		t = timed(eb, true, BENCH_SLICE);
		if (t < 0)
			return -1;
		tb += t;
		n += BENCH_SLICE;
	} while (tc + tb < 1.0);
	*rate = n / tc;
	*bare = n / tb;
	return 0;
}

int mm_bench_emulated(FILE *out, const char *driver)
{
	struct emu_bench eb;
	double rate = -1, bare = -1;
	int rc;

	if (emu_bench_open(&eb, driver))
		return -1;
	rc = rates(&eb, &rate, &bare);
	emu_bench_close(&eb);
	if (rc) {
		fprintf(stderr, "bench emulated: a call failed\n");
		return -1;
	}
	fprintf(out, "communicate_emulated_copy256_rate: %.0f round-trips/s\n", rate);
	fprintf(out, "emulated_bare_unicorn_copy256_rate: %.0f calls/s\n", bare);
	fprintf(out, "communicate_emulated_vs_bare: %.2fx slower\n", bare / rate);
	return 0;
}

int mm_bench_emulated_worker(const char *what, const char *driver, unsigned long n)
{
	struct emu_bench eb;
	int rc = 0;

	if (emu_bench_open(&eb, driver))
		return -1;
	for (unsigned long i = 0; i < n && !rc; i++)
		rc = !strcmp(what, "bare") ? bench_bare_once(&eb.bare)
					   : bench_communicate_once(eb.m, eb.buf);
	emu_bench_close(&eb);
	return rc;
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
