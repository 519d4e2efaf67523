/* SPDX-License-Identifier: MIT */
/*
 * Snapshots of core/snapshot.c on the host CPU path with the native sample
 * drivers: guest memory (writes by native code and plain host stores, seen
 * by write protection), SIGSEGV chaining, pool and page heaps, host
 * registers, stop record, determinism, and the tables snapshots refuse to
 * put back.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>

#include "core/machine.h"
#include "core/child-dispatch.h"
#include "core/snapshot.h"
#include "tests/drivers/sample.h"

#define DRIVER(name) MMEMU_TEST_DRIVER_DIR "/" name ".so"

/* A host-path machine with the native producer, GUID and SW samples dispatched. */
static struct mm_machine *samples_machine(void)
{
	static const char *const paths[] = { DRIVER("sample-producer"),
					     DRIVER("sample-guid-handler"),
					     DRIVER("sample-sw-handler") };
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_HOST;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	for (unsigned i = 0; i < 3; i++)
		if (mm_driver_load_native(m, paths[i], NULL))
			fail_msg("load %s: %s", paths[i], mm_machine_error(m));
	if (mm_dispatch(m))
		fail_msg("dispatch: %s", mm_machine_error(m));
	return m;
}

static const struct mm_region *smram(struct mm_machine *m)
{
	return &m->mem.regions[m->mem.smram[0]];
}

static uint8_t *smram_copy(struct mm_machine *m)
{
	uint8_t *c = malloc(smram(m)->desc.size);

	assert_non_null(c);
	memcpy(c, smram(m)->host, smram(m)->desc.size);
	return c;
}

static SAMPLE_MESSAGE sample_send(struct mm_machine *m, uint32_t cmd, uint32_t a, uint32_t b)
{
	const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	struct {
		SAMPLE_MESSAGE h;
		uint8_t data[8];
	} msg = { .h = { .Command = cmd, .A = a, .B = b, .Status = 1 },
		  .data = { 9, 8, 7, 6, 5, 4, 3, 2 } };
	uint64_t len = sizeof(msg), status = 1;

	if (mm_communicate_msg(m, (const uint8_t *)&guid, &msg, sizeof(msg), 0, &msg, &len,
			       &status))
		fail_msg("communicate: %s", mm_machine_error(m));
	return msg.h;
}

/* Native code writes SMRAM unseen: the restore after it compares all and puts it back. */
static void test_mm_snapshot_restore_native_writes(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	uint8_t *snap;
	SAMPLE_MESSAGE a1, a2;

	(void)state;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	snap = smram_copy(m);
	a1 = sample_send(m, SAMPLE_CMD_REVERSE, 8, 0);
	assert_int_equal(a1.Status, EFI_SUCCESS);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		assert_memory_equal(snap, smram(m)->host, smram(m)->desc.size);
		sample_send(m, SAMPLE_CMD_ADD, 1, (uint32_t)i);
	}
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	a2 = sample_send(m, SAMPLE_CMD_REVERSE, 8, 0);
	assert_memory_equal(&a1, &a2, sizeof(a1));
	free(snap);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* Pool blocks and pages allocated after the snapshot are gone after the restore. */
static void test_mm_snapshot_restore_pool_and_pages(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	uint64_t free_pages, pages = 0, page2 = 0;
	void *p, *q;

	(void)state;
	free_pages = m->smram.free_pages;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	p = mm_pool_alloc(m, EfiRuntimeServicesData, 100, false);
	assert_non_null(p);
	memset(p, 0xAB, 100);
	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 3,
				       &pages, false),
			 MM_OK);
	assert_int_not_equal(m->smram.free_pages, free_pages);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_int_equal(m->smram.free_pages, free_pages);
	assert_false(mm_page_is_allocated(&m->smram, pages, 4096));
	/* the same requests get the same answers: the heaps are as they were */
	q = mm_pool_alloc(m, EfiRuntimeServicesData, 100, false);
	assert_ptr_equal(p, q);
	assert_int_not_equal(((uint8_t *)q)[0], 0xAB);
	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 3,
				       &page2, false),
			 MM_OK);
	assert_int_equal(pages, page2);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* Registers of the host store, the stop record and the SMI count come back. */
static void test_mm_snapshot_restore_sw_smi_registers(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	uint64_t rax = 0, count;

	(void)state;
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RCX, 0x41), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RAX, 7), MM_OK);
	count = m->smi.count;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	assert_int_equal(mm_sw_smi(m, 0, SAMPLE_SW_MMI_VALUE, 3), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(rax, 0x42);
	m->stop.kind = MM_STOP_FAULT; /* as a failed run leaves it */
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(rax, 7);
	assert_int_equal(m->smi.count, count);
	assert_null(mm_machine_stop(m));
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* Host writes through mm_mem_write are marked; pages written behind the back are found. */
static void test_mm_snap_mark_host_writes(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	struct mm_snapshot_stats st;
	uint64_t buf = 0, a = smram(m)->desc.base + 0x3000;
	uint8_t before[64], now[64], junk[64];

	(void)state;
	assert_int_equal(mm_ram_alloc(m, 4096, EfiRuntimeServicesData, &buf), MM_OK);
	assert_int_equal(mm_mem_read(m, buf, before, sizeof(before)), MM_OK);
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	memset(junk, 0x5A, sizeof(junk));
	for (int i = 0; i < 4; i++) { /* past the first restores, which compare all */
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	}
	assert_int_equal(mm_mem_write(m, buf, junk, sizeof(junk)), MM_OK);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_int_equal(mm_mem_read(m, buf, now, sizeof(now)), MM_OK);
	assert_memory_equal(before, now, sizeof(now));
	mm_snapshot_stats(s, &st);
	assert_int_equal(st.pages_restored, 1);
	/* an unmarked write to SMRAM: write protection sees it (marking: the full compare) */
	memcpy(before, (void *)(uintptr_t)a, sizeof(before));
	memset((void *)(uintptr_t)a, 0x77, 8);
	mm_snap_native_ran(m->snap);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_memory_equal(before, (void *)(uintptr_t)a, sizeof(before));
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* A handler registered after the snapshot cannot be taken back: the restore says so. */
static EFI_STATUS EFIAPI nop_handler(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	(void)h, (void)c, (void)b, (void)n;
	return EFI_SUCCESS;
}

static void test_mm_snapshot_restore_refuses_new_handlers(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	const EFI_GUID type = SAMPLE_HANDLER_GUID;
	EFI_HANDLE h = NULL;

	(void)state;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)nop_handler, &type, &h), MM_OK);
	assert_int_equal(mm_snapshot_restore(m, s), MM_ERR_UNSUPPORTED);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/*
 * Native drivers under write protection: their stores fault and are listed,
 * so every restore is exact without a full compare (many restores, past the
 * ones that used to compare all).
 */
static void test_mm_snapshot_restore_native_exact(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	struct mm_snapshot_stats st;
	uint8_t *snap;

	(void)state;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	assert_true(mm_snap_protected(m->snap));
	snap = smram_copy(m);
	for (uint32_t i = 0; i < 12; i++) {
		SAMPLE_MESSAGE r = sample_send(m, i & 1 ? SAMPLE_CMD_ADD : SAMPLE_CMD_REVERSE, 8, i);

		assert_int_equal(r.Status, EFI_SUCCESS);
		assert_memory_not_equal(snap, smram(m)->host, smram(m)->desc.size);
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		assert_memory_equal(snap, smram(m)->host, smram(m)->desc.size);
	}
	mm_snapshot_stats(s, &st);
	assert_true(st.pages_restored >= 12);
	free(snap);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* Plain memcpy/memset by host code into RAM and SMRAM after take is put back. */
static void test_mm_snapshot_restore_plain_host_writes(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	const struct mm_region *ram = NULL;
	uint8_t *sm = smram(m)->host + 0x5000, *rp, before[256], junk[256];

	(void)state;
	for (unsigned i = 0; i < m->mem.count && !ram; i++)
		if (m->mem.regions[i].desc.kind != MM_REGION_SMRAM)
			ram = &m->mem.regions[i];
	assert_non_null(ram);
	rp = ram->host + ram->desc.size / 2; /* a RAM page nobody allocated */
	memset(junk, 0xC3, sizeof(junk));
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	for (int i = 0; i < 5; i++) {
		memcpy(before, rp, sizeof(before));
		memcpy(rp, junk, sizeof(junk));
		memcpy(sm, junk, sizeof(junk));
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		assert_memory_equal(rp, before, sizeof(before));
		assert_memory_not_equal(sm, junk, sizeof(junk));
	}
	mm_snapshot_free(s);
	/* without a snapshot the memory is writable again */
	memcpy(rp, junk, sizeof(junk));
	assert_memory_equal(rp, junk, sizeof(junk));
	mm_machine_destroy(m);
}

/* A SIGSEGV handler installed before the snapshot still gets the faults that are not ours. */
static sigjmp_buf chain_jmp;
static volatile sig_atomic_t chain_hits;

static void chain_handler(int sig)
{
	(void)sig;
	chain_hits++;
	siglongjmp(chain_jmp, 1);
}

static void test_mm_snapshot_take_chains_sigsegv(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	struct sigaction sa, old;
	volatile uint8_t *none = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(none != MAP_FAILED);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = chain_handler;
	sa.sa_flags = SA_NODEFER;
	assert_int_equal(sigaction(SIGSEGV, &sa, &old), 0);
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	if (!sigsetjmp(chain_jmp, 1))
		none[0] = 1; /* not guest memory: the handler before ours sees it */
	assert_int_equal(chain_hits, 1);
	smram(m)->host[0x6000] ^= 1; /* guest memory: ours, the store just happens */
	assert_int_equal(chain_hits, 1);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	mm_snapshot_free(s);
	sigaction(SIGSEGV, &old, NULL);
	munmap((void *)none, 4096);
	mm_machine_destroy(m);
}

/* A child dispatcher registration after the snapshot is reported like a new MMI handler. */
static void test_mm_snapshot_restore_refuses_new_children(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	struct mm_child *c = NULL;
	uint32_t ctx = 0;

	(void)state;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_int_equal(mm_child_add(m, &m->sx.list, (uint64_t)(uintptr_t)nop_handler, &ctx,
				      sizeof(ctx), &c),
			 EFI_SUCCESS);
	assert_int_equal(mm_snapshot_restore(m, s), MM_ERR_UNSUPPORTED);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_snapshot_restore_native_writes),
		cmocka_unit_test(test_mm_snapshot_restore_pool_and_pages),
		cmocka_unit_test(test_mm_snapshot_restore_sw_smi_registers),
		cmocka_unit_test(test_mm_snap_mark_host_writes),
		cmocka_unit_test(test_mm_snapshot_restore_refuses_new_handlers),
		cmocka_unit_test(test_mm_snapshot_restore_native_exact),
		cmocka_unit_test(test_mm_snapshot_restore_plain_host_writes),
		cmocka_unit_test(test_mm_snapshot_take_chains_sigsegv),
		cmocka_unit_test(test_mm_snapshot_restore_refuses_new_children),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
