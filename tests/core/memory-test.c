/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/memory.c: platform region checks, identity mapping (and its
 * refusal when the addresses are taken), the bounds of mm_mem_ptr, the SMRAM
 * range predicates, checked reads and writes, and normal-world buffers.
 *
 * The default platform: lowram 0x10000..0xA0000, ram 0x100000..0xF800000 and
 * TSEG 0xF800000..0x10000000 (ram and TSEG touch but are two regions).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/machine.h"
#include "support.h"

#define PG 0x1000ull
#define LOW_BASE 0x10000ull
#define LOW_END 0xA0000ull
#define RAM_BASE 0x100000ull
#define TSEG_BASE 0x0F800000ull
#define TSEG_SIZE 0x800000ull
#define TSEG_END (TSEG_BASE + TSEG_SIZE)
/* A spot for custom platforms, far from the default map. */
#define SPARE_BASE 0x60000000ull

static int setup(void **state)
{
	*state = mm_test_machine();
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* True when the host has nothing mapped at page addr. */
static bool host_unmapped(uint64_t addr)
{
	unsigned char vec;

	return mincore((void *)(uintptr_t)addr, PG, &vec) == -1 && errno == ENOMEM;
}

/* A valid two-region platform at SPARE_BASE: 64 KiB RAM then 1 MiB SMRAM. */
static void spare_platform(struct mm_platform *p)
{
	mm_platform_default(p);
	p->regions[0] = (struct mm_region_desc){ "r", SPARE_BASE, 0x10000, MM_REGION_RAM,
						 EfiConventionalMemory };
	p->regions[1] = (struct mm_region_desc){ "s", SPARE_BASE + 0x10000, 0x100000,
						 MM_REGION_SMRAM, EfiReservedMemoryType };
	p->nregions = 2;
}

static void check_platform_err(struct mm_machine *m, const struct mm_platform *p, enum mm_err want,
			 const char *msg_part)
{
	assert_int_equal(mm_memory_check(m, p), want);
	if (msg_part)
		assert_non_null(strstr(mm_machine_error(m), msg_part));
}

static void test_mm_memory_check_accepts_valid_platforms(void **state)
{
	struct mm_machine *m = *state;
	struct mm_platform p;

	mm_platform_default(&p);
	check_platform_err(m, &p, MM_OK, NULL);
	spare_platform(&p); /* adjacent regions are fine */
	check_platform_err(m, &p, MM_OK, NULL);
	p.nregions = MM_MAX_REGIONS;
	for (unsigned i = 2; i < MM_MAX_REGIONS; i++)
		p.regions[i] = (struct mm_region_desc){ "x", SPARE_BASE + 0x100000 * i, PG,
							MM_REGION_RAM, EfiConventionalMemory };
	check_platform_err(m, &p, MM_OK, NULL);
}

static void test_mm_memory_check_rejects_bad_counts_and_kinds(void **state)
{
	struct mm_machine *m = *state;
	struct mm_platform p;

	spare_platform(&p);
	p.nregions = 0;
	check_platform_err(m, &p, MM_ERR_INVALID, "regions");
	p.nregions = MM_MAX_REGIONS + 1;
	check_platform_err(m, &p, MM_ERR_INVALID, "regions");
	spare_platform(&p);
	p.regions[1].kind = (enum mm_region_kind)7;
	check_platform_err(m, &p, MM_ERR_INVALID, "memory[1]");
	spare_platform(&p);
	p.regions[1].kind = MM_REGION_RAM;
	check_platform_err(m, &p, MM_ERR_INVALID, "no SMRAM");
}

static void test_mm_memory_check_rejects_zero_and_unaligned(void **state)
{
	struct mm_machine *m = *state;
	struct mm_platform p;

	spare_platform(&p);
	p.regions[0].size = 0;
	check_platform_err(m, &p, MM_ERR_INVALID, "memory[0]");
	spare_platform(&p);
	p.regions[1].base += 0x800;
	check_platform_err(m, &p, MM_ERR_INVALID, "memory[1] (s)");
	spare_platform(&p);
	p.regions[0].size = 0x10001;
	check_platform_err(m, &p, MM_ERR_INVALID, "aligned");
	spare_platform(&p);
	p.regions[0].base = 0xFFFFFFFFFFFFF000ull;
	p.regions[0].size = 0x2000;
	check_platform_err(m, &p, MM_ERR_INVALID, "wraps");
	p.regions[0].size = 0x1000; /* ends exactly at 2^64 */
	check_platform_err(m, &p, MM_ERR_INVALID, "memory[0]");
}

static void test_mm_memory_check_rejects_overlaps(void **state)
{
	struct mm_machine *m = *state;
	struct mm_platform p;

	spare_platform(&p);
	p.regions[1].base = p.regions[0].base; /* identical start */
	check_platform_err(m, &p, MM_ERR_INVALID, "overlaps");
	spare_platform(&p);
	p.regions[1].base -= PG; /* last page shared */
	check_platform_err(m, &p, MM_ERR_INVALID, "memory[1] (s) overlaps");
	spare_platform(&p);
	p.regions[0].size = 0x100000; /* the SMRAM region lies inside the RAM one */
	check_platform_err(m, &p, MM_ERR_INVALID, "overlaps");
	spare_platform(&p);
	p.regions[2] = (struct mm_region_desc){ "big", SPARE_BASE - PG, 0x30000, MM_REGION_RAM,
						EfiConventionalMemory };
	p.nregions = 3; /* the new one covers both */
	check_platform_err(m, &p, MM_ERR_INVALID, "memory[2] (big) overlaps");
}

static void test_mm_machine_create_reports_bad_platform(void **state)
{
	struct mm_platform p;
	struct mm_machine *m2 = (struct mm_machine *)1;
	char err[256] = "";

	(void)state;
	spare_platform(&p);
	p.regions[1].size = 0;
	assert_int_equal(mm_machine_create(&p, &m2, err, sizeof(err)), MM_ERR_INVALID);
	assert_null(m2);
	assert_non_null(strstr(err, "memory[1]"));
	assert_true(host_unmapped(SPARE_BASE));
}

static void test_mm_memory_map_identity(void **state)
{
	struct mm_machine *m = *state;
	uint32_t v = 0x12345678, r = 0;

	assert_ptr_equal(mm_mem_ptr(m, LOW_BASE, 1), (void *)(uintptr_t)LOW_BASE);
	assert_ptr_equal(mm_mem_ptr(m, RAM_BASE, 1), (void *)(uintptr_t)RAM_BASE);
	assert_ptr_equal(mm_mem_ptr(m, TSEG_BASE + 0x123, 4), (void *)(uintptr_t)(TSEG_BASE + 0x123));
	assert_int_equal(m->mem.count, 3);
	assert_int_equal(m->mem.smram_count, 1);
	/* Bytes written through the host pointer are the guest's bytes. */
	memcpy((void *)(uintptr_t)(TSEG_BASE + 0x100), &v, sizeof(v));
	assert_int_equal(mm_mem_read(m, TSEG_BASE + 0x100, &r, sizeof(r)), MM_OK);
	assert_int_equal(r, v);
	/* Fresh memory is zero. */
	assert_int_equal(*(volatile uint8_t *)(uintptr_t)(RAM_BASE + 0x5000), 0);
}

static void test_mm_memory_map_refuses_taken_addresses(void **state)
{
	struct mm_machine *m = *state;
	struct mm_machine *m2 = (struct mm_machine *)1;
	struct mm_platform p;
	uint64_t v = 0xA5A5A5A5A5A5A5A5ull, r = 0;
	char err[256] = "";

	assert_int_equal(mm_mem_write(m, TSEG_BASE, &v, sizeof(v)), MM_OK);
	/* The whole default map is taken. */
	assert_int_equal(mm_machine_create(NULL, &m2, err, sizeof(err)), MM_ERR_MAP);
	assert_null(m2);
	assert_non_null(strstr(err, "memory[0]"));
	/* First region fresh, second one taken: the fresh one is given back. */
	spare_platform(&p);
	p.regions[1].base = TSEG_BASE;
	m2 = (struct mm_machine *)1;
	assert_int_equal(mm_machine_create(&p, &m2, err, sizeof(err)), MM_ERR_MAP);
	assert_null(m2);
	assert_non_null(strstr(err, "memory[1]"));
	assert_true(host_unmapped(SPARE_BASE));
	/* The live machine kept its memory and its bytes. */
	assert_int_equal(mm_mem_read(m, TSEG_BASE, &r, sizeof(r)), MM_OK);
	assert_int_equal(r, v);
}

static void test_mm_memory_unmap_on_destroy(void **state)
{
	struct mm_machine *m2 = NULL;
	struct mm_platform p;

	(void)state;
	spare_platform(&p);
	assert_int_equal(mm_machine_create(&p, &m2, NULL, 0), MM_OK);
	assert_false(host_unmapped(SPARE_BASE));
	assert_false(host_unmapped(SPARE_BASE + 0x10000));
	mm_machine_destroy(m2);
	assert_true(host_unmapped(SPARE_BASE));
	assert_true(host_unmapped(SPARE_BASE + 0x10000));
	/* The same addresses can be used again. */
	assert_int_equal(mm_machine_create(&p, &m2, NULL, 0), MM_OK);
	mm_machine_destroy(m2);
}

static void test_mm_mem_ptr_bounds(void **state)
{
	struct mm_machine *m = *state;

	/* Exact region. */
	assert_non_null(mm_mem_ptr(m, TSEG_BASE, TSEG_SIZE));
	assert_null(mm_mem_ptr(m, TSEG_BASE, TSEG_SIZE + 1));
	assert_non_null(mm_mem_ptr(m, TSEG_END - 1, 1));
	assert_null(mm_mem_ptr(m, TSEG_END - 1, 2));
	/* len 0: the address must still be inside. */
	assert_non_null(mm_mem_ptr(m, TSEG_BASE, 0));
	assert_null(mm_mem_ptr(m, TSEG_END, 0));
	assert_null(mm_mem_ptr(m, LOW_END, 0));
	assert_null(mm_mem_ptr(m, 0, 0));
	assert_null(mm_mem_ptr(m, LOW_BASE - 1, 1));
	/* Holes, and two regions that touch are still two regions. */
	assert_null(mm_mem_ptr(m, LOW_END - 4, 8));
	assert_null(mm_mem_ptr(m, 0xB0000, 1));
	assert_null(mm_mem_ptr(m, TSEG_BASE - 8, 16));
	/* Lengths that overflow the address space. */
	assert_null(mm_mem_ptr(m, RAM_BASE, UINT64_MAX));
	assert_null(mm_mem_ptr(m, RAM_BASE + 16, UINT64_MAX - 8));
	assert_null(mm_mem_ptr(m, TSEG_BASE + 0x10, (uint64_t)0 - 0x10));
	assert_null(mm_mem_ptr(m, UINT64_MAX, 2));
	assert_null(mm_mem_ptr(m, UINT64_MAX, 0));
}

static void test_mm_mem_overlaps_smram(void **state)
{
	struct mm_machine *m = *state;

	assert_true(mm_mem_overlaps_smram(m, TSEG_BASE, 1));
	assert_true(mm_mem_overlaps_smram(m, TSEG_BASE + 0x1000, 0x10));
	assert_true(mm_mem_overlaps_smram(m, TSEG_END - 1, 1));
	assert_false(mm_mem_overlaps_smram(m, TSEG_BASE - 1, 1));
	assert_true(mm_mem_overlaps_smram(m, TSEG_BASE - 1, 2));
	assert_false(mm_mem_overlaps_smram(m, TSEG_END, 0x1000));
	/* len 0 counts as 1. */
	assert_true(mm_mem_overlaps_smram(m, TSEG_BASE, 0));
	assert_false(mm_mem_overlaps_smram(m, TSEG_BASE - 1, 0));
	/* Covering all of SMRAM from below, and wrapping lengths. */
	assert_true(mm_mem_overlaps_smram(m, RAM_BASE, 0x20000000));
	assert_true(mm_mem_overlaps_smram(m, 0x100, UINT64_MAX));
	assert_true(mm_mem_overlaps_smram(m, TSEG_BASE + 8, UINT64_MAX));
	assert_false(mm_mem_overlaps_smram(m, UINT64_MAX, 2));
	assert_false(mm_mem_overlaps_smram(m, TSEG_END, UINT64_MAX - TSEG_END));
}

static void test_mm_mem_inside_smram(void **state)
{
	struct mm_machine *m = *state;

	assert_true(mm_mem_inside_smram(m, TSEG_BASE, TSEG_SIZE));
	assert_true(mm_mem_inside_smram(m, TSEG_END - 1, 1));
	assert_false(mm_mem_inside_smram(m, TSEG_BASE, TSEG_SIZE + 1));
	assert_false(mm_mem_inside_smram(m, TSEG_BASE - 1, 2));
	assert_false(mm_mem_inside_smram(m, TSEG_END, 1));
	assert_false(mm_mem_inside_smram(m, RAM_BASE, 16));
	assert_false(mm_mem_inside_smram(m, TSEG_BASE + 16, UINT64_MAX - 8));
	assert_false(mm_mem_inside_smram(m, TSEG_BASE, UINT64_MAX));
}

static void test_mm_mem_read_write_roundtrip(void **state)
{
	struct mm_machine *m = *state;
	uint8_t out[64], in[64];

	for (unsigned i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 1);
	assert_int_equal(mm_mem_write(m, RAM_BASE + 0x1000, out, sizeof(out)), MM_OK);
	assert_int_equal(mm_mem_read(m, RAM_BASE + 0x1000, in, sizeof(in)), MM_OK);
	assert_memory_equal(in, out, sizeof(out));
	assert_memory_equal((void *)(uintptr_t)(RAM_BASE + 0x1000), out, sizeof(out));
	/* Up to the last byte of a region. */
	assert_int_equal(mm_mem_write(m, TSEG_END - sizeof(out), out, sizeof(out)), MM_OK);
	assert_int_equal(mm_mem_read(m, TSEG_END - sizeof(out), in, sizeof(in)), MM_OK);
	assert_memory_equal(in, out, sizeof(out));
	assert_int_equal(mm_mem_read(m, TSEG_BASE, in, 0), MM_OK);
}

static void test_mm_mem_read_write_errors(void **state)
{
	struct mm_machine *m = *state;
	uint8_t buf[16], ones[16];

	memset(buf, 0x5A, sizeof(buf));
	memset(ones, 0xFF, sizeof(ones));
	assert_int_equal(mm_mem_read(m, 0x1000, buf, sizeof(buf)), MM_ERR_RANGE);
	assert_non_null(strstr(mm_machine_error(m), "0x1000"));
	/* Straddling a region end: nothing is read or written. */
	assert_int_equal(mm_mem_read(m, TSEG_END - 8, buf, sizeof(buf)), MM_ERR_RANGE);
	assert_int_equal(buf[0], 0x5A);
	assert_int_equal(mm_mem_write(m, TSEG_BASE - 8, ones, sizeof(ones)), MM_ERR_RANGE);
	assert_int_equal(*(volatile uint8_t *)(uintptr_t)(TSEG_BASE - 8), 0);
	assert_int_equal(*(volatile uint8_t *)(uintptr_t)TSEG_BASE, 0);
	assert_non_null(strstr(mm_machine_error(m), "write"));
	assert_int_equal(mm_mem_write(m, LOW_END - 4, ones, sizeof(ones)), MM_ERR_RANGE);
	assert_int_equal(mm_mem_read(m, RAM_BASE, buf, UINT64_MAX), MM_ERR_RANGE);
	assert_int_equal(mm_mem_write(m, UINT64_MAX - 4, ones, 8), MM_ERR_RANGE);
}

static void test_mm_ram_alloc_and_free(void **state)
{
	struct mm_machine *m = *state;
	uint64_t a = 0, b = 0;
	const struct mm_page_run *r;

	assert_int_equal(mm_ram_alloc(m, 0x1801, EfiBootServicesData, &a), MM_OK);
	assert_int_equal(a & (PG - 1), 0);
	assert_false(mm_mem_overlaps_smram(m, a, 0x2000));
	assert_non_null(mm_mem_ptr(m, a, 0x2000));
	r = mm_page_find(&m->ram, a, 0x2000);
	assert_non_null(r);
	assert_int_equal(r->pages, 2);
	assert_int_equal(r->efi_type, EfiBootServicesData);
	assert_int_equal(mm_ram_alloc(m, 1, EfiACPIMemoryNVS, &b), MM_OK);
	assert_int_not_equal(a, b);
	assert_int_equal(mm_ram_free(m, a, 0x1801), MM_OK);
	assert_int_equal(mm_ram_free(m, b, 1), MM_OK);
	assert_false(mm_page_is_allocated(&m->ram, a, 1));
	/* Refusals. */
	assert_int_equal(mm_ram_alloc(m, 0, EfiBootServicesData, &a), MM_ERR_INVALID);
	assert_int_equal(mm_ram_alloc(m, 16, EfiBootServicesData, NULL), MM_ERR_INVALID);
	assert_int_equal(mm_ram_alloc(m, UINT64_MAX, EfiBootServicesData, &a), MM_ERR_INVALID);
	assert_int_equal(mm_ram_alloc(m, 16, 0x12345, &a), MM_ERR_INVALID);
	/* A double free, a free of SMRAM: refused (header promises MM_ERR_INVALID). */
	assert_int_not_equal(mm_ram_free(m, a, 0x1801), MM_OK);
	assert_int_not_equal(mm_ram_free(m, TSEG_BASE, PG), MM_OK);
	assert_int_not_equal(mm_ram_free(m, RAM_BASE, 0), MM_OK);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mm_memory_check_accepts_valid_platforms),
		T(test_mm_memory_check_rejects_bad_counts_and_kinds),
		T(test_mm_memory_check_rejects_zero_and_unaligned),
		T(test_mm_memory_check_rejects_overlaps),
		cmocka_unit_test(test_mm_machine_create_reports_bad_platform),
		T(test_mm_memory_map_identity),
		T(test_mm_memory_map_refuses_taken_addresses),
		cmocka_unit_test(test_mm_memory_unmap_on_destroy),
		T(test_mm_mem_ptr_bounds),
		T(test_mm_mem_overlaps_smram),
		T(test_mm_mem_inside_smram),
		T(test_mm_mem_read_write_roundtrip),
		T(test_mm_mem_read_write_errors),
		T(test_mm_ram_alloc_and_free),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
