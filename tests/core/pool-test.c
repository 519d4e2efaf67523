/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/pool.c: block sizes and alignment, zeroing, large blocks,
 * refused frees (each kind logged), exhaustion and recovery, the live-block
 * table under growth, the owner/internal listing of mm_smram_allocations and
 * the EFIAPI MmAllocatePool/MmFreePool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

#define PG EFI_PAGE_SIZE
#define DATA EfiRuntimeServicesData

struct fixture {
	struct mm_machine *m;
	struct mm_test_log log;
};

static int setup(void **state)
{
	struct fixture *f = test_calloc(1, sizeof(*f));

	f->m = mm_test_machine();
	mm_test_log_attach(f->m, &f->log, MM_LOG_WARN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_machine_destroy(f->m);
	test_free(f);
	return 0;
}

static uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void test_mm_pool_alloc_sizes_are_aligned_and_disjoint(void **state)
{
	static const uint64_t sizes[] = { 1, 8, 15, 16, 17, 31, 32, 33, 100, 255, 256, 257,
					  1000, 2048, 2049, 4095, 4096, 4097, 10000 };
	struct fixture *f = *state;
	void *p[sizeof(sizes) / sizeof(sizes[0])];
	size_t n = sizeof(sizes) / sizeof(sizes[0]);

	for (size_t i = 0; i < n; i++) {
		p[i] = mm_pool_alloc(f->m, DATA, sizes[i], false);
		assert_non_null(p[i]);
		assert_int_equal(addr_of(p[i]) & 15, 0);
		assert_true(mm_mem_inside_smram(f->m, addr_of(p[i]), sizes[i]));
		assert_true(mm_page_is_allocated(&f->m->smram, addr_of(p[i]), sizes[i]));
		memset(p[i], (int)i + 1, sizes[i]);
	}
	/* No block overlaps another: each kept its own fill pattern. */
	for (size_t i = 0; i < n; i++) {
		const uint8_t *b = p[i];

		for (uint64_t k = 0; k < sizes[i]; k++)
			assert_int_equal(b[k], i + 1);
	}
	for (size_t i = 0; i < n; i++)
		assert_int_equal(mm_pool_free(f->m, p[i]), MM_OK);
}

static void test_mm_pool_alloc_size_zero_gives_a_block(void **state)
{
	struct fixture *f = *state;
	void *p = mm_pool_alloc(f->m, DATA, 0, false);
	void *q = mm_pool_alloc(f->m, DATA, 0, false);

	assert_non_null(p);
	assert_non_null(q);
	assert_ptr_not_equal(p, q);
	assert_int_equal(mm_pool_free(f->m, p), MM_OK);
	assert_int_equal(mm_pool_free(f->m, q), MM_OK);
}

static void test_mm_pool_zalloc_zeroes_reused_block(void **state)
{
	struct fixture *f = *state;
	uint8_t *p = mm_pool_alloc(f->m, DATA, 200, false);
	uint8_t *q;

	assert_non_null(p);
	memset(p, 0xAA, 200);
	assert_int_equal(mm_pool_free(f->m, p), MM_OK);
	q = mm_pool_zalloc(f->m, DATA, 200, false);
	assert_ptr_equal(q, p); /* the freed block comes back first */
	for (unsigned i = 0; i < 200; i++)
		assert_int_equal(q[i], 0);
	assert_int_equal(mm_pool_free(f->m, q), MM_OK);
	/* Large blocks too. */
	p = mm_pool_alloc(f->m, DATA, 3 * PG, false);
	memset(p, 0x55, 3 * PG);
	assert_int_equal(mm_pool_free(f->m, p), MM_OK);
	q = mm_pool_zalloc(f->m, DATA, 3 * PG, false);
	assert_non_null(q);
	for (unsigned i = 0; i < 3 * PG; i++)
		assert_int_equal(q[i], 0);
	assert_int_equal(mm_pool_free(f->m, q), MM_OK);
}

static void test_mm_pool_alloc_large_block_has_own_pages(void **state)
{
	struct fixture *f = *state;
	uint64_t before = f->m->smram.free_pages;
	void *p = mm_pool_alloc(f->m, EfiRuntimeServicesCode, 5 * PG + 1, false);
	const struct mm_page_run *r;

	assert_non_null(p);
	assert_int_equal(addr_of(p) & EFI_PAGE_MASK, 0);
	r = mm_page_find(&f->m->smram, addr_of(p), 1);
	assert_non_null(r);
	assert_int_equal(r->base, addr_of(p));
	assert_int_equal(r->pages, 6);
	assert_true(r->pool);
	assert_int_equal(f->m->smram.free_pages, before - 6);
	assert_int_equal(mm_pool_free(f->m, p), MM_OK);
	assert_int_equal(f->m->smram.free_pages, before);
	assert_false(mm_page_is_allocated(&f->m->smram, addr_of(p), 1));
	assert_int_equal(mm_pool_free(f->m, p), MM_ERR_INVALID);
}

static void test_mm_pool_alloc_absurd_size(void **state)
{
	struct fixture *f = *state;
	uint64_t before = f->m->smram.free_pages;

	assert_null(mm_pool_alloc(f->m, DATA, UINT64_MAX, false));
	assert_null(mm_pool_alloc(f->m, DATA, UINT64_MAX - 15, false));
	assert_null(mm_pool_alloc(f->m, DATA, f->m->smram.total_pages * PG + 1, false));
	assert_null(mm_pool_zalloc(f->m, DATA, UINT64_MAX, false));
	assert_int_equal(f->m->smram.free_pages, before);
}

/* Frees p, expects a refusal, and checks the WARN line names address and reason. */
static void expect_bad_free(struct fixture *f, const void *p, const char *why)
{
	char addr[32];

	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)addr_of(p));
	f->log.count = 0;
	assert_int_equal(mm_pool_free(f->m, (void *)p), MM_ERR_INVALID);
	assert_true(mm_test_log_contains(&f->log, addr));
	assert_true(mm_test_log_contains(&f->log, why));
	assert_true(mm_test_log_contains(&f->log, "foundation")); /* the executing driver */
}

static void test_mm_pool_free_refuses_bad_pointers(void **state)
{
	struct fixture *f = *state;
	uint8_t *p = mm_pool_alloc(f->m, DATA, 64, false);
	uint8_t *big = mm_pool_alloc(f->m, DATA, 2 * PG, false);
	uint64_t ram = 0;

	assert_non_null(p);
	assert_non_null(big);
	assert_int_equal(mm_ram_alloc(f->m, PG, EfiBootServicesData, &ram), MM_OK);
	expect_bad_free(f, NULL, "NULL");
	expect_bad_free(f, (void *)(uintptr_t)0x1000, "outside guest memory");
	expect_bad_free(f, (void *)(uintptr_t)ram, "normal RAM");
	expect_bad_free(f, p + 16, "interior pointer");
	expect_bad_free(f, p + 1, "interior pointer");
	expect_bad_free(f, big + PG, "interior pointer");
	expect_bad_free(f, (void *)(uintptr_t)0x0F800000, "never allocated");
	assert_int_equal(mm_pool_free(f->m, p), MM_OK);
	expect_bad_free(f, p, "double free");
	assert_int_equal(mm_pool_free(f->m, big), MM_OK);
	expect_bad_free(f, big, "never allocated");
	assert_int_equal(mm_ram_free(f->m, ram, PG), MM_OK);
}

static void test_mm_pool_free_names_the_driver(void **state)
{
	struct fixture *f = *state;
	uint64_t args[1] = { 0x0F800010 };
	uint64_t ret = 0;

	/* A "driver" whose code is MmFreePool itself: the log must name it. */
	assert_non_null(mm_image_add(f->m, "BadFreeDxe", NULL, addr_of((void *)MmFreePool), 1,
				     MM_ENGINE_NATIVE));
	assert_int_equal(mm_call(f->m, addr_of((void *)MmFreePool), 1, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_INVALID_PARAMETER);
	assert_true(mm_test_log_contains(&f->log, "BadFreeDxe"));
	assert_true(mm_test_log_contains(&f->log, "0xf800010"));
}

static void test_mm_pool_alloc_exhaustion_then_recovery(void **state)
{
	enum { BIG = 256 * 1024, MAX_BIG = 64, MAX_SMALL = 4096 };
	struct fixture *f = *state;
	void *big[MAX_BIG], *small[MAX_SMALL], *p;
	unsigned nbig = 0, nsmall = 0;

	while (nbig < MAX_BIG && (p = mm_pool_alloc(f->m, DATA, BIG, false)))
		big[nbig++] = p;
	assert_true(nbig > 0 && nbig < MAX_BIG);
	while (nsmall < MAX_SMALL && (p = mm_pool_alloc(f->m, DATA, 4096, false)))
		small[nsmall++] = p;
	assert_true(nsmall < MAX_SMALL);
	assert_int_equal(f->m->smram.free_pages, 0);
	assert_null(mm_pool_alloc(f->m, DATA, 4096, false));
	assert_null(mm_pool_alloc(f->m, DATA, BIG, false));
	/* Freeing makes room for the same size again. */
	assert_int_equal(mm_pool_free(f->m, small[nsmall / 2]), MM_OK);
	p = mm_pool_alloc(f->m, DATA, 4096, false);
	assert_ptr_equal(p, small[nsmall / 2]);
	assert_int_equal(mm_pool_free(f->m, big[0]), MM_OK);
	p = mm_pool_alloc(f->m, DATA, BIG, false);
	assert_ptr_equal(p, big[0]);
	for (unsigned i = 0; i < nsmall; i++)
		assert_int_equal(mm_pool_free(f->m, small[i]), MM_OK);
	for (unsigned i = 0; i < nbig; i++)
		assert_int_equal(mm_pool_free(f->m, big[i]), MM_OK);
}

static void test_MmAllocatePool_out_of_resources(void **state)
{
	struct fixture *f = *state;
	uint64_t args[3];
	uint64_t ret = 0;
	void *buf = NULL;

	args[0] = DATA;
	args[1] = f->m->smram.total_pages * PG;
	args[2] = addr_of(&buf);
	assert_int_equal(mm_call(f->m, addr_of((void *)MmAllocatePool), 3, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_OUT_OF_RESOURCES);
	assert_null(buf);
}

static void test_mm_pool_table_survives_growth(void **state)
{
	enum { N = 3000 };
	struct fixture *f = *state;
	void **p = test_malloc(N * sizeof(*p));
	unsigned base = mm_pool_visit(f->m, true, NULL, NULL);
	unsigned base_drv = mm_pool_visit(f->m, false, NULL, NULL);

	for (unsigned i = 0; i < N; i++) {
		p[i] = mm_pool_alloc(f->m, DATA, 16 + (i % 7) * 24, i % 3 == 0);
		assert_non_null(p[i]);
	}
	assert_int_equal(mm_pool_visit(f->m, true, NULL, NULL), base + N);
	assert_int_equal(mm_pool_visit(f->m, false, NULL, NULL), base_drv + N - N / 3);
	/* Free in a scrambled order: every block must still be found. */
	for (unsigned i = 0; i < N; i++) {
		unsigned k = (i * 1237) % N;

		assert_int_equal(mm_pool_free(f->m, p[k]), MM_OK);
	}
	assert_int_equal(mm_pool_visit(f->m, true, NULL, NULL), base);
	for (unsigned i = 0; i < N; i += 97)
		assert_int_equal(mm_pool_free(f->m, p[i]), MM_ERR_INVALID);
	/* New addresses (another class) over the dead slots: the table is rebuilt. */
	for (unsigned round = 0; round < 3; round++) {
		for (unsigned i = 0; i < N; i++) {
			p[i] = mm_pool_alloc(f->m, DATA, 100 + round * 150, false);
			assert_non_null(p[i]);
		}
		assert_int_equal(mm_pool_visit(f->m, true, NULL, NULL), base + N);
		for (unsigned i = 0; i < N; i++)
			assert_int_equal(mm_pool_free(f->m, p[(i * 1237) % N]), MM_OK);
		assert_int_equal(mm_pool_free(f->m, p[N / 2]), MM_ERR_INVALID);
	}
	assert_int_equal(mm_pool_visit(f->m, true, NULL, NULL), base);
	test_free(p);
}

/* Collects a listing into a fixed array, checking the address order. */
struct listing {
	struct mm_alloc_info v[512];
	unsigned n;
	bool sorted;
};

static void collect(void *user, const struct mm_alloc_info *info)
{
	struct listing *l = user;

	if (l->n && l->v[l->n - 1].addr > info->addr)
		l->sorted = false;
	if (l->n < 512)
		l->v[l->n++] = *info;
}

static const struct mm_alloc_info *find_info(const struct listing *l, uint64_t addr, bool pool)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].addr == addr && l->v[i].pool == pool)
			return &l->v[i];
	return NULL;
}

static void test_mm_smram_allocations_lists_owner_and_type(void **state)
{
	struct fixture *f = *state;
	struct listing l = { .sorted = true };
	const struct mm_alloc_info *info;
	void *drv, *own, *big;
	uint64_t pages = 0, carrier;
	unsigned base_drv = mm_smram_allocations(f->m, false, NULL, NULL);
	unsigned base_all = mm_smram_allocations(f->m, true, NULL, NULL);
	unsigned base_pool = mm_pool_visit(f->m, false, NULL, NULL);

	/* The machine's own blocks (MMST...) exist but are internal. */
	assert_true(base_all > base_drv);
	drv = mm_pool_alloc(f->m, EfiACPIMemoryNVS, 48, false);
	own = mm_pool_alloc(f->m, DATA, 48, true);
	big = mm_pool_alloc(f->m, EfiRuntimeServicesCode, 3 * PG, false);
	assert_int_equal(mm_page_alloc(f->m, &f->m->smram, AllocateAnyPages, EfiReservedMemoryType,
				       2, &pages, false),
			 MM_OK);
	carrier = addr_of(drv) & ~(uint64_t)EFI_PAGE_MASK;
	assert_int_equal(mm_smram_allocations(f->m, false, collect, &l), base_drv + 3);
	assert_true(l.sorted);
	info = find_info(&l, addr_of(drv), true);
	assert_non_null(info);
	assert_int_equal(info->size, 48);
	assert_int_equal(info->efi_type, EfiACPIMemoryNVS);
	assert_string_equal(info->owner, "foundation");
	info = find_info(&l, addr_of(big), true);
	assert_non_null(info);
	assert_int_equal(info->size, 3 * PG);
	assert_int_equal(info->efi_type, EfiRuntimeServicesCode);
	info = find_info(&l, pages, false);
	assert_non_null(info);
	assert_int_equal(info->size, 2 * PG);
	assert_int_equal(info->efi_type, EfiReservedMemoryType);
	/* Internal blocks, carrier pages and large-block pages are left out. */
	assert_null(find_info(&l, addr_of(own), true));
	assert_null(find_info(&l, addr_of(big), false));
	for (unsigned i = 0; i < l.n; i++)
		assert_false(!l.v[i].pool && l.v[i].addr <= carrier &&
			     carrier < l.v[i].addr + l.v[i].size);
	/* all=true lists them too. */
	memset(&l, 0, sizeof(l));
	l.sorted = true;
	assert_true(mm_smram_allocations(f->m, true, collect, &l) >= base_all + 4);
	assert_true(l.sorted);
	assert_non_null(find_info(&l, addr_of(own), true));
	assert_non_null(find_info(&l, addr_of(big), false));
	/* mm_pool_visit: pool blocks only. */
	memset(&l, 0, sizeof(l));
	assert_int_equal(mm_pool_visit(f->m, false, collect, &l), base_pool + 2);
	for (unsigned i = 0; i < l.n; i++)
		assert_true(l.v[i].pool);
	mm_pool_free(f->m, drv);
	mm_pool_free(f->m, own);
	mm_pool_free(f->m, big);
	assert_int_equal(mm_page_free(f->m, &f->m->smram, pages, 2), MM_OK);
	assert_int_equal(mm_smram_allocations(f->m, false, NULL, NULL), base_drv);
	assert_true(mm_smram_allocations(f->m, true, NULL, NULL) >= base_all);
}

/* A pretend driver entry: allocates through the EFIAPI service. */
static EFI_STATUS EFIAPI fake_driver_alloc(UINTN size, VOID **buf)
{
	return MmAllocatePool(EfiRuntimeServicesData, size, buf);
}

static void test_mm_smram_allocations_records_driver_owner(void **state)
{
	struct fixture *f = *state;
	struct listing l = { .sorted = true };
	const struct mm_alloc_info *info;
	void *buf = NULL;
	uint64_t args[2] = { 40, addr_of(&buf) };
	uint64_t ret = 1;

	struct mm_image *img = mm_image_add(f->m, "LeakyDriver", NULL,
					    addr_of((void *)fake_driver_alloc), 1,
					    MM_ENGINE_NATIVE);

	assert_non_null(img);
	assert_int_equal(mm_call(f->m, addr_of((void *)fake_driver_alloc), 2, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	assert_non_null(buf);
	/* The leak outlives the driver's image (and the image's own copy of its name). */
	mm_image_remove(f->m, img);
	mm_smram_allocations(f->m, false, collect, &l);
	info = find_info(&l, addr_of(buf), true);
	assert_non_null(info);
	assert_string_equal(info->owner, "LeakyDriver");
	assert_int_equal(info->size, 40);
	assert_int_equal(mm_pool_free(f->m, buf), MM_OK);
}

static EFI_STATUS call_alloc_pool(struct mm_machine *m, uint64_t type, uint64_t size, void **buf)
{
	uint64_t args[3] = { type, size, addr_of(buf) };
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, addr_of((void *)MmAllocatePool), 3, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static EFI_STATUS call_free_pool(struct mm_machine *m, void *buf)
{
	uint64_t args[1] = { addr_of(buf) };
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, addr_of((void *)MmFreePool), 1, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static void test_MmAllocatePool_and_MmFreePool(void **state)
{
	struct fixture *f = *state;
	void *buf = NULL, *zero = NULL;

	assert_int_equal(call_alloc_pool(f->m, DATA, 100, &buf), EFI_SUCCESS);
	assert_true(mm_mem_inside_smram(f->m, addr_of(buf), 100));
	assert_int_equal(call_alloc_pool(f->m, DATA, 0, &zero), EFI_SUCCESS);
	assert_non_null(zero);
	assert_int_equal(call_alloc_pool(f->m, 0x70000000, 8, &zero), EFI_SUCCESS);
	assert_int_equal(call_free_pool(f->m, zero), EFI_SUCCESS);
	assert_int_equal(call_free_pool(f->m, buf), EFI_SUCCESS);
	assert_int_equal(call_free_pool(f->m, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(call_free_pool(f->m, NULL), EFI_INVALID_PARAMETER);
}

static void test_MmAllocatePool_invalid_parameters(void **state)
{
	struct fixture *f = *state;
	unsigned live = mm_pool_visit(f->m, true, NULL, NULL);
	void *buf = NULL;

	assert_int_equal(call_alloc_pool(f->m, DATA, 16, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc_pool(f->m, EfiMaxMemoryType, 16, &buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc_pool(f->m, 0x6FFFFFFF, 16, &buf), EFI_INVALID_PARAMETER);
	assert_int_equal(call_alloc_pool(f->m, EfiPersistentMemory, 16, &buf),
			 EFI_INVALID_PARAMETER);
	assert_null(buf);
	assert_int_equal(mm_pool_visit(f->m, true, NULL, NULL), live);
}

static void test_MmAllocatePool_without_machine(void **state)
{
	void *buf = NULL;

	(void)state;
	assert_null(mm_current());
	assert_int_equal(MmAllocatePool(DATA, 16, &buf), EFI_UNSUPPORTED);
	assert_int_equal(MmFreePool(&buf), EFI_UNSUPPORTED);
	assert_null(buf);
}

static void test_mm_pool_alloc_logs_under_memory(void **state)
{
	struct fixture *f = *state;
	void *p;
	char line[64];

	mm_test_log_attach(f->m, &f->log, MM_LOG_MEMORY);
	p = mm_pool_alloc(f->m, EfiRuntimeServicesCode, 24, false);
	assert_non_null(p);
	snprintf(line, sizeof(line), "foundation allocated 0x%llx size 0x18 type 5",
		 (unsigned long long)addr_of(p));
	assert_true(mm_test_log_contains(&f->log, line));
	assert_int_equal(mm_pool_free(f->m, p), MM_OK);
	snprintf(line, sizeof(line), "freed 0x%llx size 0x18", (unsigned long long)addr_of(p));
	assert_true(mm_test_log_contains(&f->log, line));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mm_pool_alloc_sizes_are_aligned_and_disjoint),
		T(test_mm_pool_alloc_size_zero_gives_a_block),
		T(test_mm_pool_zalloc_zeroes_reused_block),
		T(test_mm_pool_alloc_large_block_has_own_pages),
		T(test_mm_pool_alloc_absurd_size),
		T(test_mm_pool_free_refuses_bad_pointers),
		T(test_mm_pool_free_names_the_driver),
		T(test_mm_pool_alloc_exhaustion_then_recovery),
		T(test_MmAllocatePool_out_of_resources),
		T(test_mm_pool_table_survives_growth),
		T(test_mm_smram_allocations_lists_owner_and_type),
		T(test_mm_smram_allocations_records_driver_owner),
		T(test_MmAllocatePool_and_MmFreePool),
		T(test_MmAllocatePool_invalid_parameters),
		cmocka_unit_test(test_MmAllocatePool_without_machine),
		T(test_mm_pool_alloc_logs_under_memory),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
