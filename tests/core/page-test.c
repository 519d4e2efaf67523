/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/page.c: the three allocation types and their edges, memory
 * types and owners, exhaustion, coalescing, refused frees, and the EFIAPI
 * MmAllocatePages/MmFreePages over the machine's SMRAM heap.
 *
 * Most tests use a private heap over two made-up ranges (a heap never touches
 * the memory it manages), so that addresses are known exactly:
 *
 *   A: 0x100000 .. 0x110000  (16 pages)
 *   B: 0x200000 .. 0x208000  ( 8 pages)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

#define A_BASE 0x100000ull
#define A_PAGES 16
#define B_BASE 0x200000ull
#define B_PAGES 8
#define PG EFI_PAGE_SIZE

struct fixture {
	struct mm_machine *m;
	struct mm_page_heap h;
	struct mm_test_log log;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->m = mm_test_machine();
	f->h.name = "test";
	assert_int_equal(mm_page_heap_add(f->m, &f->h, A_BASE, A_PAGES * PG), MM_OK);
	assert_int_equal(mm_page_heap_add(f->m, &f->h, B_BASE, B_PAGES * PG), MM_OK);
	mm_test_log_attach(f->m, &f->log, MM_LOG_WARN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_page_heap_fini(&f->h);
	mm_machine_destroy(f->m);
	test_free(f);
	return 0;
}

static unsigned count_runs(const struct mm_page_run *r)
{
	unsigned n = 0;

	for (; r; r = r->next)
		n++;
	return n;
}

static enum mm_err alloc(struct fixture *f, EFI_ALLOCATE_TYPE type, uint64_t pages, uint64_t *addr)
{
	return mm_page_alloc(f->m, &f->h, type, EfiRuntimeServicesData, pages, addr, false);
}

static void test_mm_page_heap_add_rejects_bad_ranges(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_page_heap_add(f->m, &f->h, 0x300000, 0), MM_ERR_INVALID);
	assert_int_equal(mm_page_heap_add(f->m, &f->h, 0x300800, PG), MM_ERR_INVALID);
	assert_int_equal(mm_page_heap_add(f->m, &f->h, 0x300000, 0x800), MM_ERR_INVALID);
	assert_int_equal(mm_page_heap_add(f->m, &f->h, A_BASE + PG, PG), MM_ERR_INVALID);
	assert_int_equal(mm_page_heap_add(f->m, &f->h, A_BASE - PG, 2 * PG), MM_ERR_INVALID);
	assert_int_equal(mm_page_heap_add(f->m, &f->h, UINT64_MAX - PG + 1, 2 * PG),
			 MM_ERR_INVALID);
	assert_int_equal(f->h.total_pages, A_PAGES + B_PAGES);
	assert_int_equal(f->h.free_pages, A_PAGES + B_PAGES);
}

static void test_mm_page_alloc_any_takes_top_of_highest_fit(void **state)
{
	struct fixture *f = *state;
	uint64_t a = 0, b = 0;

	assert_int_equal(alloc(f, AllocateAnyPages, 1, &a), MM_OK);
	assert_int_equal(a, B_BASE + (B_PAGES - 1) * PG);
	/* 9 pages do not fit in B: the top of A. */
	assert_int_equal(alloc(f, AllocateAnyPages, 9, &b), MM_OK);
	assert_int_equal(b, A_BASE + (A_PAGES - 9) * PG);
	assert_int_equal(f->h.free_pages, A_PAGES + B_PAGES - 10);
	assert_true(mm_page_is_allocated(&f->h, a, PG));
	assert_true(mm_page_is_allocated(&f->h, b, 9 * PG));
	assert_false(mm_page_is_allocated(&f->h, b, 10 * PG));
}

static void test_mm_page_alloc_max_address_edges(void **state)
{
	struct fixture *f = *state;
	uint64_t a;

	/* The last byte may sit exactly at the limit. */
	a = A_BASE + PG - 1;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_OK);
	assert_int_equal(a, A_BASE);
	/* One byte lower and nothing fits any more. */
	a = A_BASE + 2 * PG - 2;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_ERR_NOMEM);
	/* A limit inside A's top page: the page below it. */
	a = A_BASE + A_PAGES * PG - 1 - 0x10;
	assert_int_equal(alloc(f, AllocateMaxAddress, 2, &a), MM_OK);
	assert_int_equal(a, A_BASE + (A_PAGES - 3) * PG);
	/* A limit between the ranges takes the top free pages of A. */
	a = 0x1FFFFF;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_OK);
	assert_int_equal(a, A_BASE + (A_PAGES - 1) * PG);
	/* No limit at all: like AllocateAnyPages. */
	a = UINT64_MAX;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_OK);
	assert_int_equal(a, B_BASE + (B_PAGES - 1) * PG);
	/* A limit below the heap. */
	a = 0xFFFFF;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_ERR_NOMEM);
	a = 0;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_ERR_NOMEM);
}

static void test_mm_page_alloc_address_edges(void **state)
{
	struct fixture *f = *state;
	uint64_t a;

	a = A_BASE + 3 * PG;
	assert_int_equal(alloc(f, AllocateAddress, 2, &a), MM_OK);
	assert_int_equal(a, A_BASE + 3 * PG);
	/* Taken, or overlapping what is taken. */
	a = A_BASE + 4 * PG;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_ERR_NOT_FOUND);
	a = A_BASE + 2 * PG;
	assert_int_equal(alloc(f, AllocateAddress, 2, &a), MM_ERR_NOT_FOUND);
	/* Outside the heap, or running past its end. */
	a = 0x300000;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_ERR_NOT_FOUND);
	a = B_BASE + (B_PAGES - 1) * PG;
	assert_int_equal(alloc(f, AllocateAddress, 2, &a), MM_ERR_NOT_FOUND);
	a = UINT64_MAX & ~(uint64_t)EFI_PAGE_MASK;
	assert_int_equal(alloc(f, AllocateAddress, 2, &a), MM_ERR_NOT_FOUND);
	/* Unaligned. */
	a = A_BASE + 0x10;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_ERR_INVALID);
	/* The exact ends of a range. */
	a = B_BASE;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_OK);
	a = B_BASE + (B_PAGES - 1) * PG;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_OK);
	/* The free pages between the two allocations above: exactly. */
	a = B_BASE + PG;
	assert_int_equal(alloc(f, AllocateAddress, B_PAGES - 2, &a), MM_OK);
	assert_int_equal(f->h.free_pages, A_PAGES - 2);
}

static void test_mm_page_alloc_rejects_bad_requests(void **state)
{
	struct fixture *f = *state;
	uint64_t a = 0;

	assert_int_equal(alloc(f, MaxAllocateType, 1, &a), MM_ERR_INVALID);
	assert_int_equal(alloc(f, (EFI_ALLOCATE_TYPE)-1, 1, &a), MM_ERR_INVALID);
	assert_int_equal(alloc(f, AllocateAnyPages, 0, &a), MM_ERR_INVALID);
	assert_int_equal(alloc(f, AllocateAnyPages, UINT64_MAX, &a), MM_ERR_INVALID);
	assert_int_equal(alloc(f, AllocateAnyPages, A_PAGES + 1, &a), MM_ERR_NOMEM);
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, 1, 1, NULL, false),
			 MM_ERR_INVALID);
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, EfiMaxMemoryType, 1, &a,
				       false),
			 MM_ERR_INVALID);
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, 0x6FFFFFFF, 1, &a, false),
			 MM_ERR_INVALID);
	assert_int_equal(f->h.free_pages, A_PAGES + B_PAGES);
	/* OEM and OS types are valid. */
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, 0x70000000, 1, &a, false),
			 MM_OK);
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, 0xFFFFFFFF, 1, &a, false),
			 MM_OK);
}

static void test_mm_page_alloc_records_type_owner_internal(void **state)
{
	struct fixture *f = *state;
	const struct mm_page_run *r;
	uint64_t a = 0, b = 0;

	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, EfiACPIMemoryNVS, 2, &a,
				       true),
			 MM_OK);
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAnyPages, EfiRuntimeServicesCode, 1,
				       &b, false),
			 MM_OK);
	r = mm_page_find(&f->h, a + PG, 1);
	assert_non_null(r);
	assert_int_equal(r->base, a);
	assert_int_equal(r->pages, 2);
	assert_int_equal(r->efi_type, EfiACPIMemoryNVS);
	assert_true(r->internal);
	assert_string_equal(r->owner, "foundation");
	r = mm_page_find(&f->h, b, PG);
	assert_non_null(r);
	assert_int_equal(r->efi_type, EfiRuntimeServicesCode);
	assert_false(r->internal);
	/* Adjacent allocations stay separate runs. */
	assert_int_equal(count_runs(f->h.used), 2);
	assert_null(mm_page_find(&f->h, b, 2 * PG));
}

static void test_mm_page_alloc_exhaustion_then_free(void **state)
{
	struct fixture *f = *state;
	uint64_t addrs[A_PAGES + B_PAGES], a = 0;
	unsigned n = 0;

	while (n < A_PAGES + B_PAGES + 1 && alloc(f, AllocateAnyPages, 1, &a) == MM_OK)
		addrs[n++] = a;
	assert_int_equal(n, A_PAGES + B_PAGES);
	assert_int_equal(f->h.free_pages, 0);
	assert_null(f->h.free);
	assert_int_equal(alloc(f, AllocateAnyPages, 1, &a), MM_ERR_NOMEM);
	a = UINT64_MAX;
	assert_int_equal(alloc(f, AllocateMaxAddress, 1, &a), MM_ERR_NOMEM);
	a = A_BASE;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_page_free(f->m, &f->h, addrs[5], 1), MM_OK);
	assert_int_equal(alloc(f, AllocateAnyPages, 1, &a), MM_OK);
	assert_int_equal(a, addrs[5]);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(mm_page_free(f->m, &f->h, addrs[i], 1), MM_OK);
	assert_int_equal(f->h.free_pages, A_PAGES + B_PAGES);
	assert_int_equal(count_runs(f->h.free), 2);
	assert_null(f->h.used);
}

static void test_mm_page_free_coalesces(void **state)
{
	struct fixture *f = *state;
	uint64_t a[3];

	for (unsigned i = 0; i < 3; i++) {
		a[i] = A_BASE + (2 + 2 * i) * PG;
		assert_int_equal(alloc(f, AllocateAddress, 2, &a[i]), MM_OK);
	}
	/* A: free [0,2) | a0 | a1 | a2 | free [8,16) */
	assert_int_equal(count_runs(f->h.free), 3);
	assert_int_equal(mm_page_free(f->m, &f->h, a[1], 2), MM_OK);
	assert_int_equal(count_runs(f->h.free), 4);
	assert_int_equal(mm_page_free(f->m, &f->h, a[0], 2), MM_OK);
	assert_int_equal(count_runs(f->h.free), 3);
	assert_int_equal(f->h.free->base, A_BASE);
	assert_int_equal(f->h.free->pages, 6);
	assert_int_equal(mm_page_free(f->m, &f->h, a[2], 2), MM_OK);
	assert_int_equal(count_runs(f->h.free), 2);
	assert_int_equal(f->h.free->pages, A_PAGES);
	/* The whole range is one run again: a 16-page allocation fits. */
	assert_int_equal(alloc(f, AllocateAnyPages, A_PAGES, &a[0]), MM_OK);
	assert_int_equal(a[0], A_BASE);
}

static void test_mm_page_free_never_merges_adjacent_ranges(void **state)
{
	struct fixture *f = *state;
	uint64_t a = A_BASE + A_PAGES * PG;

	/* C touches A's end: still two runs, no allocation may straddle them. */
	assert_int_equal(mm_page_heap_add(f->m, &f->h, a, 4 * PG), MM_OK);
	assert_int_equal(count_runs(f->h.free), 3);
	a = A_BASE + (A_PAGES - 1) * PG;
	assert_int_equal(alloc(f, AllocateAddress, 2, &a), MM_ERR_NOT_FOUND);
	a = A_BASE + (A_PAGES - 1) * PG;
	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_OK);
	assert_int_equal(mm_page_free(f->m, &f->h, a, 1), MM_OK);
	assert_int_equal(count_runs(f->h.free), 3);
}

static void test_mm_page_free_partial(void **state)
{
	struct fixture *f = *state;
	uint64_t a = A_BASE;

	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAddress, EfiACPIReclaimMemory, 6, &a,
				       false),
			 MM_OK);
	/* The middle, then the ends: the rest keeps its type. */
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE + 2 * PG, 2), MM_OK);
	assert_int_equal(count_runs(f->h.used), 2);
	assert_false(mm_page_is_allocated(&f->h, A_BASE + 2 * PG, 1));
	assert_true(mm_page_is_allocated(&f->h, A_BASE, 2 * PG));
	assert_true(mm_page_is_allocated(&f->h, A_BASE + 4 * PG, 2 * PG));
	assert_int_equal(mm_page_find(&f->h, A_BASE + 5 * PG, 1)->efi_type, EfiACPIReclaimMemory);
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE, 1), MM_OK);
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE + 5 * PG, 1), MM_OK);
	assert_int_equal(mm_page_find(&f->h, A_BASE + PG, 1)->pages, 1);
	assert_int_equal(mm_page_find(&f->h, A_BASE + 4 * PG, 1)->pages, 1);
	assert_int_equal(f->h.free_pages, A_PAGES + B_PAGES - 2);
}

static void test_mm_page_free_refuses_bad_frees(void **state)
{
	struct fixture *f = *state;
	uint64_t a = A_BASE, b = A_BASE + PG;

	assert_int_equal(alloc(f, AllocateAddress, 1, &a), MM_OK);
	assert_int_equal(alloc(f, AllocateAddress, 1, &b), MM_OK);
	/* Never allocated (in the heap, and outside it). */
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE + 8 * PG, 1), MM_ERR_NOT_FOUND);
	assert_true(mm_test_log_contains(&f->log, "0x108000"));
	assert_true(mm_test_log_contains(&f->log, "not allocated"));
	assert_int_equal(mm_page_free(f->m, &f->h, 0x900000, 1), MM_ERR_NOT_FOUND);
	/* Unaligned, zero pages, absurd count, wrap-around. */
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE + 8, 1), MM_ERR_INVALID);
	assert_true(mm_test_log_contains(&f->log, "not page aligned"));
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE, 0), MM_ERR_INVALID);
	assert_int_equal(mm_page_free(f->m, &f->h, A_BASE, UINT64_MAX), MM_ERR_INVALID);
	assert_int_equal(mm_page_free(f->m, &f->h, 0xFFFFFFFFFFFFF000ull, 2), MM_ERR_NOT_FOUND);
	/* Crossing two allocations, or running past one. */
	assert_int_equal(mm_page_free(f->m, &f->h, a, 2), MM_ERR_NOT_FOUND);
	assert_true(mm_test_log_contains(&f->log, "crosses"));
	assert_int_equal(mm_page_free(f->m, &f->h, b, 3), MM_ERR_NOT_FOUND);
	/* Nothing was freed by the refusals. */
	assert_int_equal(f->h.free_pages, A_PAGES + B_PAGES - 2);
	/* Double free. */
	assert_int_equal(mm_page_free(f->m, &f->h, a, 1), MM_OK);
	assert_int_equal(mm_page_free(f->m, &f->h, a, 1), MM_ERR_NOT_FOUND);
	assert_true(strstr(mm_machine_error(f->m), "0x100000") != NULL);
}

static void test_mm_page_alloc_logs_under_memory(void **state)
{
	struct fixture *f = *state;
	uint64_t a = A_BASE;

	mm_test_log_attach(f->m, &f->log, MM_LOG_MEMORY);
	assert_int_equal(mm_page_alloc(f->m, &f->h, AllocateAddress, EfiRuntimeServicesCode, 3, &a,
				       false),
			 MM_OK);
	assert_true(mm_test_log_contains(&f->log, "foundation allocated pages 0x100000..0x102fff"));
	assert_int_equal(mm_page_free(f->m, &f->h, a, 3), MM_OK);
	assert_true(mm_test_log_contains(&f->log, "freed pages 0x100000"));
	/* Refusals go to MM_LOG_WARN only. */
	assert_int_equal(mm_page_free(f->m, &f->h, a, 3), MM_ERR_NOT_FOUND);
	assert_false(mm_test_log_contains(&f->log, "not allocated"));
}

/* --- EFIAPI over the machine's SMRAM ------------------------------------- */

static EFI_STATUS call_alloc(struct mm_machine *m, EFI_ALLOCATE_TYPE type, uint64_t mtype,
			     uint64_t pages, EFI_PHYSICAL_ADDRESS *mem)
{
	uint64_t args[4] = { type, mtype, pages, (uint64_t)(uintptr_t)mem };
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)MmAllocatePages, 4, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static EFI_STATUS call_free(struct mm_machine *m, EFI_PHYSICAL_ADDRESS mem, uint64_t pages)
{
	uint64_t args[2] = { mem, pages };
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)MmFreePages, 2, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static void test_MmAllocatePages_without_machine(void **state)
{
	EFI_PHYSICAL_ADDRESS a = 0;

	(void)state;
	assert_null(mm_current());
	assert_int_equal(MmAllocatePages(AllocateAnyPages, EfiRuntimeServicesData, 1, &a),
			 EFI_UNSUPPORTED);
	assert_int_equal(MmFreePages(0x0F800000, 1), EFI_UNSUPPORTED);
}

static void test_MmAllocatePages_allocates_smram(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	uint64_t free_before = m->smram.free_pages;
	EFI_PHYSICAL_ADDRESS a = 0, b;

	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiRuntimeServicesData, 3, &a),
			 EFI_SUCCESS);
	assert_true(mm_mem_inside_smram(m, a, 3 * PG));
	assert_int_equal(a & EFI_PAGE_MASK, 0);
	assert_int_equal(m->smram.free_pages, free_before - 3);
	assert_string_equal(mm_page_find(&m->smram, a, 1)->owner, "foundation");
	assert_false(mm_page_find(&m->smram, a, 1)->internal);
	/* AllocateAddress of what is taken: EFI_NOT_FOUND. */
	b = a;
	assert_int_equal(call_alloc(m, AllocateAddress, EfiRuntimeServicesData, 1, &b),
			 EFI_NOT_FOUND);
	/* AllocateMaxAddress below SMRAM: nothing fits. */
	b = 0x0F7FFFFF;
	assert_int_equal(call_alloc(m, AllocateMaxAddress, EfiRuntimeServicesData, 1, &b),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(b, 0x0F7FFFFF);
	b = 0x0F800FFF;
	assert_int_equal(call_alloc(m, AllocateMaxAddress, EfiRuntimeServicesCode, 1, &b),
			 EFI_SUCCESS);
	assert_int_equal(b, 0x0F800000);
	assert_int_equal(call_free(m, b, 1), EFI_SUCCESS);
	assert_int_equal(call_free(m, a, 3), EFI_SUCCESS);
	assert_int_equal(m->smram.free_pages, free_before);
}

static void test_MmAllocatePages_invalid_parameters(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	uint64_t free_before = m->smram.free_pages;
	EFI_PHYSICAL_ADDRESS a = 0;

	assert_int_equal(call_alloc(m, MaxAllocateType, EfiRuntimeServicesData, 1, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiRuntimeServicesData, 1, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiMaxMemoryType, 1, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc(m, AllocateAnyPages, 0x6FFFFFFF, 1, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiConventionalMemory, 1, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiPersistentMemory, 1, &a),
			 EFI_INVALID_PARAMETER);
	a = 0x0F800010;
	assert_int_equal(call_alloc(m, AllocateAddress, EfiRuntimeServicesData, 1, &a),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiRuntimeServicesData,
				    m->smram.total_pages + 1, &a),
			 EFI_OUT_OF_RESOURCES);
	assert_int_equal(m->smram.free_pages, free_before);
	/* OEM and OS memory types are fine. */
	assert_int_equal(call_alloc(m, AllocateAnyPages, 0x80000000, 1, &a), EFI_SUCCESS);
	assert_int_equal(mm_page_find(&m->smram, a, 1)->efi_type, 0x80000000);
	assert_int_equal(call_free(m, a, 1), EFI_SUCCESS);
}

static void test_MmFreePages_bad_frees(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	EFI_PHYSICAL_ADDRESS a = 0;
	void *p;

	assert_int_equal(call_alloc(m, AllocateAnyPages, EfiRuntimeServicesData, 2, &a),
			 EFI_SUCCESS);
	assert_int_equal(call_free(m, a + 0x10, 1), EFI_INVALID_PARAMETER);
	assert_int_equal(call_free(m, a, 3), EFI_NOT_FOUND);
	assert_int_equal(call_free(m, 0x200000, 1), EFI_NOT_FOUND); /* normal RAM */
	assert_int_equal(call_free(m, a, 2), EFI_SUCCESS);
	assert_int_equal(call_free(m, a, 2), EFI_NOT_FOUND);
	/* The pool's carrier pages are not the driver's to free. */
	p = mm_pool_alloc(m, EfiRuntimeServicesData, 32, false);
	assert_non_null(p);
	a = (uint64_t)(uintptr_t)p & ~(uint64_t)EFI_PAGE_MASK;
	assert_true(mm_page_find(&m->smram, a, 1)->pool);
	assert_int_equal(call_free(m, a, 1), EFI_NOT_FOUND);
	assert_true(mm_test_log_contains(&f->log, "pages of the pool"));
	assert_true(mm_page_is_allocated(&m->smram, a, PG));
	assert_int_equal(mm_pool_free(m, p), MM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_page_heap_add_rejects_bad_ranges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_any_takes_top_of_highest_fit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_max_address_edges, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_address_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_rejects_bad_requests, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_records_type_owner_internal,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_exhaustion_then_free, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_free_coalesces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_free_never_merges_adjacent_ranges,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_free_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_free_refuses_bad_frees, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_page_alloc_logs_under_memory, setup,
						teardown),
		cmocka_unit_test(test_MmAllocatePages_without_machine),
		cmocka_unit_test_setup_teardown(test_MmAllocatePages_allocates_smram, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_MmAllocatePages_invalid_parameters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_MmFreePages_bad_frees, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
