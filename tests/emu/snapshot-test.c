/* SPDX-License-Identifier: MIT */
/*
 * Snapshots on the Unicorn CPU model (emu/snapshot.c with core/snapshot.c):
 * the PE sample drivers on the emulated CPU, restores after communicates and
 * SW SMIs, determinism, stops (hang, oracle finding) and oracles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>
#include <mmemu/oracle.h>

#include "core/machine.h"
#include "core/snapshot.h"
#include "emu/emu.h"
#include "tests/drivers/sample.h"

/* Handler GUIDs of tests/drivers/vuln/vuln.h (that header also defines driver globals). */
#define VULN_SMRAM_WRITE_HANDLER_GUID                                                      \
	{ 0xe8ad3d03, 0x576a, 0x40ad, { 0x85, 0xef, 0x45, 0x73, 0x14, 0x17, 0x2d, 0x08 } }
#define VULN_HANG_HANDLER_GUID                                                             \
	{ 0x6cfd1358, 0xcc79, 0x41c6, { 0x91, 0xfd, 0x5f, 0xa2, 0x25, 0x9d, 0xdd, 0x56 } }

#define PE(name) MMEMU_BINARY_DIR "/tests/drivers/pe/pe-" name ".efi"
#define VULN_PE(name) MMEMU_BINARY_DIR "/tests/drivers/pe/vuln-" name ".efi"

/* A default machine on the Unicorn model with the PE samples dispatched, or NULL. */
static struct mm_machine *samples_machine(void)
{
	static const char *const paths[] = { PE("sample-producer"), PE("sample-guid-handler"),
					     PE("sample-sw-handler") };
	static const char *const depex[] = {
		"TRUE", SAMPLE_PROTOCOL_GUID_STR,
		"gEfiMmSwDispatchProtocolGuid AND gEfiMmCpuProtocolGuid" };
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	if (access(paths[0], R_OK))
		return NULL; /* no clang/lld-link: the tests skip */
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_UNICORN;
	p.instruction_budget = 200000;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	for (unsigned i = 0; i < 3; i++)
		if (mm_driver_load_image(m, paths[i], depex[i], NULL))
			fail_msg("load %s: %s", paths[i], mm_machine_error(m));
	if (mm_dispatch(m))
		fail_msg("dispatch: %s", mm_machine_error(m));
	return m;
}

/* A copy of the first SMRAM region of m. */
static uint8_t *smram_copy(struct mm_machine *m, uint64_t *base, uint64_t *size)
{
	const struct mm_region *r = &m->mem.regions[m->mem.smram[0]];
	uint8_t *copy = malloc(r->desc.size);

	assert_non_null(copy);
	memcpy(copy, r->host, r->desc.size);
	*base = r->desc.base;
	*size = r->desc.size;
	return copy;
}

/* Sends the sample ADD (or REVERSE with n bytes) and returns the message. */
static SAMPLE_MESSAGE sample_send(struct mm_machine *m, uint32_t cmd, uint32_t a, uint32_t b)
{
	const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	struct {
		SAMPLE_MESSAGE h;
		uint8_t data[16];
	} msg = { .h = { .Command = cmd, .A = a, .B = b, .Status = 1 },
		  .data = { 1, 2, 3, 4, 5, 6, 7, 8 } };
	uint64_t len = sizeof(msg), status = 1;

	if (mm_communicate_msg(m, (const uint8_t *)&guid, &msg, sizeof(msg), 0, &msg, &len,
			       &status))
		fail_msg("communicate: %s", mm_machine_error(m));
	return msg.h;
}

/* Counts live SMRAM allocations of drivers. */
static void count_alloc(void *user, const struct mm_alloc_info *a)
{
	(void)a;
	(*(unsigned *)user)++;
}

static unsigned allocations(struct mm_machine *m)
{
	unsigned n = 0;

	mm_smram_allocations(m, true, count_alloc, &n);
	return n;
}

static void test_mm_snapshot_restore_after_communicate(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	struct mm_snapshot_stats st;
	uint64_t base, size, rcx = 0;
	uint8_t *before;
	unsigned allocs;
	SAMPLE_MESSAGE r;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RCX, 0x1111), MM_OK);
	allocs = allocations(m);
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	before = smram_copy(m, &base, &size);
	r = sample_send(m, SAMPLE_CMD_ADD, 40, 2);
	assert_int_equal(r.Result, 42);
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RCX, 0x2222), MM_OK);
	assert_memory_not_equal(before, (void *)(uintptr_t)base, size); /* the SMI wrote SMRAM */
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_memory_equal(before, (void *)(uintptr_t)base, size);
	assert_int_equal(allocations(m), allocs);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RCX, &rcx), MM_OK);
	assert_int_equal(rcx, 0x1111);
	mm_snapshot_stats(s, &st);
	assert_int_equal(st.restores, 1);
	assert_true(st.pages_restored > 0);
	assert_true(st.bytes >= size);
	free(before);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* A, B, restore, A: the same result and the same SMRAM as the first A. */
static void test_mm_snapshot_restore_deterministic(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	uint64_t base, size;
	uint8_t *after_a, *snap;
	SAMPLE_MESSAGE a1, a2;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	snap = smram_copy(m, &base, &size);
	a1 = sample_send(m, SAMPLE_CMD_REVERSE, 8, 0);
	after_a = smram_copy(m, &base, &size);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		sample_send(m, SAMPLE_CMD_ADD, (uint32_t)i, 7);
	}
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_memory_equal(snap, (void *)(uintptr_t)base, size);
	a2 = sample_send(m, SAMPLE_CMD_REVERSE, 8, 0);
	assert_memory_equal(&a1, &a2, sizeof(a1));
	assert_memory_equal(after_a, (void *)(uintptr_t)base, size);
	free(after_a);
	free(snap);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

static void test_mm_snapshot_restore_after_sw_smi(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	uint64_t rax = 0, count;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RCX, 0x10), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RAX, 0), MM_OK);
	count = m->smi.count;
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(mm_sw_smi(m, 0, SAMPLE_SW_MMI_VALUE, 1), MM_OK);
		assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
		assert_int_equal(rax, 0x11);
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
		assert_int_equal(rax, 0);
		assert_int_equal(m->smi.count, count);
	}
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

static void test_mm_snapshot_take_twice(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL, *t = NULL;
	struct mm_snapshot_stats st;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	assert_int_equal(mm_snapshot_take(m, &t), MM_ERR_STATE);
	assert_null(t);
	assert_int_equal(mm_snapshot_restore(m, NULL), MM_ERR_INVALID);
	mm_snapshot_free(s);
	assert_null(m->snap);
	/* free, then a new one works */
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	mm_machine_destroy(m); /* before the snapshot: it is orphaned, not broken */
	mm_snapshot_stats(s, &st); /* (m is gone: nothing may be asked of it) */
	assert_int_equal(st.restores, 1);
	mm_snapshot_free(s);
}

/* A machine with the PE vuln driver of class name dispatched, or NULL. */
static struct mm_machine *vuln_machine(const char *name)
{
	char path[512];
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	snprintf(path, sizeof(path), "%s", name);
	if (access(path, R_OK))
		return NULL;
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_UNICORN;
	p.instruction_budget = 100000;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	if (mm_driver_load_image(m, path, "TRUE", NULL) || mm_dispatch(m))
		fail_msg("%s: %s", path, mm_machine_error(m));
	return m;
}

/* Communicates msg to guid; returns the mm_communicate_msg result. */
static enum mm_err send_raw(struct mm_machine *m, const EFI_GUID *guid, void *msg, uint64_t len)
{
	uint64_t status = 0, out = len;

	return mm_communicate_msg(m, (const uint8_t *)guid, msg, len, 0, msg, &out, &status);
}

/* A hang stops the run; after a restore the stop record is gone and runs go on. */
static void test_mm_snapshot_restore_after_hang(void **state)
{
	struct mm_machine *m = vuln_machine(VULN_PE("hang"));
	const EFI_GUID guid = VULN_HANG_HANDLER_GUID;
	struct mm_snapshot *s = NULL;
	uint64_t base, size;
	uint8_t msg[64] = { 0 }, *snap;

	(void)state;
	if (!m)
		skip();
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	snap = smram_copy(m, &base, &size);
	for (int i = 0; i < 3; i++) {
		memset(msg, 0xFF, sizeof(msg));
		send_raw(m, &guid, msg, sizeof(msg));
		assert_non_null(mm_machine_stop(m));
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		assert_null(mm_machine_stop(m));
		assert_false(m->cpus.in_smm);
		assert_memory_equal(snap, (void *)(uintptr_t)base, size);
	}
	free(snap);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/* An oracle finding is forgotten by a restore; the same input finds it again. */
static void test_mm_snapshot_restore_under_oracle(void **state)
{
	struct mm_machine *m = vuln_machine(VULN_PE("smram-write"));
	const EFI_GUID guid = VULN_SMRAM_WRITE_HANDLER_GUID;
	struct mm_oracle_finding f1, f2;
	struct mm_snapshot *s = NULL;
	uint64_t dest;
	uint8_t msg[64];

	(void)state;
	if (!m)
		skip();
	assert_int_equal(mm_oracle_enable(m, MM_ORACLE_SMRAM_WRITE), MM_OK);
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	memset(msg, 0, sizeof(msg));
	dest = m->mem.regions[m->mem.smram[0]].desc.base + 0x1000; /* Dest: into SMRAM */
	memcpy(msg, &dest, sizeof(dest));
	send_raw(m, &guid, msg, sizeof(msg));
	if (mm_oracle_finding(m, &f1) != MM_OK)
		fail_msg("no finding: %s", mm_machine_error(m));
	assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
	assert_int_not_equal(mm_oracle_finding(m, &f2), MM_OK);
	assert_null(mm_machine_stop(m));
	send_raw(m, &guid, msg, sizeof(msg));
	assert_int_equal(mm_oracle_finding(m, &f2), MM_OK);
	assert_int_equal(f1.oracle, f2.oracle);
	assert_int_equal(f1.rip, f2.rip);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

/*
 * Write protection with the JIT: Unicorn keeps its TLB entries across a
 * restore, but they point at host memory, so a re-protected page faults
 * again at the next run's store. Every restore is exact, run after run.
 */
static void test_mm_snapshot_restore_protected_jit_stores(void **state)
{
	struct mm_machine *m = samples_machine();
	struct mm_snapshot *s = NULL;
	uint64_t base, size;
	uint8_t *snap;

	(void)state;
	if (!m)
		skip();
	setenv("MMEMU_SNAP_TRACK", "protect", 1); /* all-emulated machines mark by default */
	assert_int_equal(mm_snapshot_take(m, &s), MM_OK);
	unsetenv("MMEMU_SNAP_TRACK");
	assert_true(mm_snap_protected(m->snap));
	snap = smram_copy(m, &base, &size);
	for (uint32_t i = 0; i < 8; i++) {
		SAMPLE_MESSAGE r = sample_send(m, SAMPLE_CMD_ADD, i, 1);

		assert_int_equal(r.Result, i + 1);
		assert_memory_not_equal(snap, (void *)(uintptr_t)base, size);
		assert_int_equal(mm_snapshot_restore(m, s), MM_OK);
		assert_memory_equal(snap, (void *)(uintptr_t)base, size);
	}
	free(snap);
	mm_snapshot_free(s);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_snapshot_restore_after_communicate),
		cmocka_unit_test(test_mm_snapshot_restore_deterministic),
		cmocka_unit_test(test_mm_snapshot_restore_after_sw_smi),
		cmocka_unit_test(test_mm_snapshot_take_twice),
		cmocka_unit_test(test_mm_snapshot_restore_after_hang),
		cmocka_unit_test(test_mm_snapshot_restore_under_oracle),
		cmocka_unit_test(test_mm_snapshot_restore_protected_jit_stores),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
