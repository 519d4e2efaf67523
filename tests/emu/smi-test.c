/* SPDX-License-Identifier: MIT */
/*
 * Tests of emu/smi.c and emu/tiles.c: SMBASE relocation and the SMM base HOB
 * data, SMBASE changes at RSM, fault/hang containment, the stack canary, and
 * the fast path giving the same result as the full path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <pi/smm-base-hob.h>

#include "core/call.h"
#include "emu-support.h"

static void nothing(struct mm_machine *m, unsigned bsp, void *user)
{
	(void)m, (void)bsp, (void)user;
}

static void nothing(struct mm_machine *m, unsigned bsp, void *user);

static void test_mm_emu_tiles_init_relocates(void **state)
{
	struct mm_machine *m = emu_machine_layout(4, MM_SAVE_STATE_INTEL64);
	SMM_BASE_HOB_DATA *hob = mm_config_table_get(m, &gSmmBaseHobGuid);
	uint64_t smbase[4];

	(void)state;
	assert_int_equal(mm_emu_set_entry(m, nothing, NULL), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(mm_emu_smbase(m, i, &smbase[i]), MM_OK);
		assert_int_not_equal(smbase[i], 0x30000);
		assert_true(mm_mem_inside_smram(m, smbase[i] + 0x8000, 0x8000));
		if (i)
			assert_int_equal(smbase[i] - smbase[i - 1], 0x2000);
		/* the map of the SMI records the SMBASE (Intel 0x7EF8) */
		assert_int_equal(*(uint32_t *)(uintptr_t)(smbase[i] + 0xFEF8), smbase[i]);
	}
	/* the default SMBASE area got its bytes back */
	assert_int_equal(*(uint8_t *)(uintptr_t)0x38000, 0);
	if (hob) { /* published when core's configuration table is there */
		assert_int_equal(hob->NumberOfProcessors, 4);
		for (unsigned i = 0; i < 4; i++)
			assert_int_equal(hob->SmBase[i], smbase[i]);
	}
	mm_machine_destroy(m);
}

static void test_mm_emu_attach_refuses_bad_tile(void **state)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	(void)state;
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_UNICORN;
	p.cpus = 256;
	p.tile_size = 0x10000; /* 16 MiB of tiles: more than TSEG */
	assert_int_equal(mm_machine_create(&p, &m, err, sizeof(err)), MM_ERR_INVALID);
	assert_null(m);
	assert_non_null(strstr(err, "tile"));
}

/* In SMM: moves CPU 0's SMBASE by one page-aligned tile via the map. */
static void move_smbase(struct mm_machine *m, unsigned bsp, void *user)
{
	uint64_t *to = user, from;

	(void)bsp;
	assert_int_equal(mm_emu_smbase(m, 0, &from), MM_OK);
	*(uint32_t *)(uintptr_t)(from + 0xFEF8) = (uint32_t)*to;
}

static void test_mm_emu_rsm_applies_smbase(void **state)
{
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	uint64_t to, now;
	struct mm_emu_arrival a;

	(void)state;
	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesCode,
				       8, &to, true), MM_OK);
	to -= 0x8000; /* entry point at the start of the new 32 KiB */
	assert_int_equal(mm_emu_set_entry(m, move_smbase, &to), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	assert_int_equal(mm_emu_smbase(m, 0, &now), MM_OK);
	assert_int_equal(now, to);
	/* the next SMI enters at the new SMBASE */
	assert_int_equal(mm_emu_set_entry(m, nothing, NULL), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	assert_int_equal(mm_emu_arrival(m, 0, &a), MM_OK);
	assert_int_equal(a.smbase, to);
	mm_machine_destroy(m);
}

/* Puts code bytes in a fresh SMRAM page; returns its address. */
static uint64_t smram_code(struct mm_machine *m, const uint8_t *code, size_t len)
{
	uint64_t at;

	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesCode, 1,
				       &at, true), MM_OK);
	memcpy((void *)(uintptr_t)at, code, len);
	return at;
}

static void contained(const uint8_t *code, size_t len, const char *expect,
		      enum mm_stop_kind kind, const char *insn)
{
	struct mm_machine *m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	uint64_t at = smram_code(m, code, len), rax;
	unsigned before = 0;
	const struct mm_stop *st;

	assert_int_equal(mm_emu_set_entry(m, nothing, &before), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RAX, 77), MM_OK);
	assert_int_equal(mm_emu_test_host_entry(m, 1, at), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_ERR_STOPPED);
	assert_non_null(strstr(mm_machine_error(m), "CPU 1"));
	if (!strstr(mm_machine_error(m), expect))
		fail_msg("%s", mm_machine_error(m));
	st = mm_machine_stop(m);
	assert_non_null(st);
	assert_int_equal(st->kind, kind);
	assert_int_equal(st->cpu, 1);
	assert_string_equal(st->mode, "64-bit");
	assert_int_equal(st->rip, at);
	if (!strstr(st->insn, insn))
		fail_msg("insn '%s', expected '%s'", st->insn, insn);
	assert_string_equal(st->step, "SMI entry (stub)");
	if (kind == MM_STOP_UNMAPPED)
		assert_int_equal(st->address, 0x7000000000ull);
	assert_false(m->cpus.in_smm);
	/* the machine stays usable */
	assert_int_equal(mm_emu_test_host_entry(m, 1, 0), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(rax, 77);
	mm_machine_destroy(m);
}

static void test_mm_emu_smi_contains_hang(void **state)
{
	static const uint8_t loop[] = { 0xEB, 0xFE }; /* jmp . */

	(void)state;
	contained(loop, sizeof(loop), "budget", MM_STOP_HANG, "jmp");
}

static void test_mm_emu_smi_contains_unmapped(void **state)
{
	/* mov rax, [0x7000000000] */
	static const uint8_t load[] = { 0x48, 0xA1, 0, 0, 0, 0, 0x70, 0, 0, 0 };

	(void)state;
	contained(load, sizeof(load), "unmapped memory at 0x7000000000", MM_STOP_UNMAPPED,
		  "movabs");
}

static void test_mm_emu_smi_contains_fault(void **state)
{
	static const uint8_t ud2[] = { 0x0F, 0x0B };

	(void)state;
	contained(ud2, sizeof(ud2), "ud2", MM_STOP_FAULT, "ud2");
}

/* In SMM: tramples the bottom of CPU 0's stack. */
static void trample(struct mm_machine *m, unsigned bsp, void *user)
{
	uint64_t top, size;

	(void)bsp, (void)user;
	assert_int_equal(mm_emu_stack(m, 0, &top, &size), MM_OK);
	memset((void *)(uintptr_t)(top - size), 0x41, 16);
}

static void test_mm_emu_smi_detects_canary(void **state)
{
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_AMD64);

	(void)state;
	assert_int_equal(mm_emu_set_entry(m, trample, NULL), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_ERR_STOPPED);
	assert_non_null(strstr(mm_machine_error(m), "canary"));
	assert_non_null(mm_machine_stop(m));
	assert_int_equal(mm_machine_stop(m)->kind, MM_STOP_CANARY);
	assert_int_equal(mm_machine_stop(m)->cpu, 0);
	assert_int_not_equal(mm_machine_stop(m)->address, 0);
	assert_int_equal(mm_emu_set_entry(m, nothing, NULL), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK); /* re-armed */
	mm_machine_destroy(m);
}

struct snapshot {
	uint64_t reg[MM_REG_COUNT];
	uint8_t map[0x400];
};

/* In SMM: copies CPU 0's save-state map, writes RAX = 0x99. */
static void snap(struct mm_machine *m, unsigned bsp, void *user)
{
	struct snapshot *s = user;
	uint64_t smbase, v = 0x99;

	(void)bsp;
	mm_emu_smbase(m, 0, &smbase);
	memcpy(s->map, (void *)(uintptr_t)(smbase + 0xFC00), sizeof(s->map));
	m->cpus.save_state->set_reg(m, 0, EFI_MM_SAVE_STATE_REGISTER_RAX, 8, &v);
}

static void run_path(bool fast, struct snapshot *s, struct mm_emu_arrival *a)
{
	struct mm_machine *m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);

	assert_int_equal(mm_emu_set_fast_path(m, fast), MM_OK);
	assert_int_equal(mm_emu_set_entry(m, snap, s), MM_OK);
	for (unsigned n = 0; n < 3; n++) {
		assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RBX, 0x1000 + n), MM_OK);
		assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RIP, 0x2000 + n), MM_OK);
		assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	}
	for (unsigned r = 0; r < MM_REG_COUNT; r++)
		assert_int_equal(mm_cpu_get_reg(m, 0, (enum mm_reg)r, &s->reg[r]), MM_OK);
	assert_int_equal(mm_emu_arrival(m, 0, a), MM_OK);
	mm_machine_destroy(m);
}

static void test_mm_emu_set_fast_path_same_result(void **state)
{
	static struct snapshot full, fast;
	struct mm_emu_arrival af, aq;

	(void)state;
	run_path(false, &full, &af);
	run_path(true, &fast, &aq);
	assert_false(af.fast);
	assert_true(aq.fast); /* the third SMI took the fast path */
	assert_int_equal(af.count, 3);
	assert_int_equal(aq.count, 3);
	assert_int_equal(full.reg[MM_REG_RAX], 0x99);
	assert_memory_equal(full.reg, fast.reg, sizeof(full.reg));
	assert_memory_equal(full.map, fast.map, sizeof(full.map));
}

/* What the BSP saw during an SMI on 4 CPUs. */
struct broadcast {
	unsigned entries, bsp, ap_cpu;
	uint32_t smbase_field[4];
	uint64_t ap_arg;
	EFI_STATUS ap_status, bsp_self_status;
	unsigned executing_after;
};

static struct broadcast *the_broadcast;

/* MmStartupThisAp procedure: records which CPU runs it. */
static void EFIAPI ap_procedure(void *arg)
{
	struct mm_machine *m = mm_current();

	the_broadcast->ap_cpu = m->cpus.executing;
	the_broadcast->ap_arg = (uint64_t)(uintptr_t)arg;
}

/* In SMM on the BSP: every map was written; RAX of each CPU := 0x100 + index; APs run a procedure. */
static void bsp_entry(struct mm_machine *m, unsigned bsp, void *user)
{
	struct broadcast *b = user;
	uint64_t args[3] = { (uint64_t)(uintptr_t)ap_procedure, 3, 0x77 };
	uint64_t self[3] = { (uint64_t)(uintptr_t)ap_procedure, bsp, 0 };
	uint64_t ret = 1;

	b->entries++;
	b->bsp = bsp;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t smbase, rax = 0x100 + i;

		mm_emu_smbase(m, i, &smbase);
		b->smbase_field[i] = *(uint32_t *)(uintptr_t)(smbase + 0xFEF8);
		m->cpus.save_state->set_reg(m, i, EFI_MM_SAVE_STATE_REGISTER_RAX, 8, &rax);
	}
	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)MmStartupThisAp, 3, args, &ret), MM_OK);
	b->ap_status = ret;
	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)MmStartupThisAp, 3, self, &ret), MM_OK);
	b->bsp_self_status = ret;
	b->executing_after = m->cpus.executing;
}

static void test_mm_emu_smi_broadcast_one_bsp(void **state)
{
	struct mm_machine *m = emu_machine_layout(4, MM_SAVE_STATE_INTEL64);
	struct broadcast b = { 0 };
	struct mm_emu_arrival a;
	static const unsigned rank[4] = { 1, 2, 0, 3 }; /* CPU 2 first, then index order */

	(void)state;
	the_broadcast = &b;
	assert_int_equal(mm_emu_set_entry(m, bsp_entry, &b), MM_OK);
	assert_int_equal(mm_emu_smi(m, 2), MM_OK);
	assert_int_equal(b.entries, 1); /* only the BSP ran MmEntryPoint */
	assert_int_equal(b.bsp, 2);
	assert_int_equal(m->cpus.bsp, 2);
	for (unsigned i = 0; i < 4; i++) {
		uint64_t smbase, rax;

		/* every CPU's save state was written before the BSP ran */
		assert_int_equal(mm_emu_smbase(m, i, &smbase), MM_OK);
		assert_int_equal(b.smbase_field[i], smbase);
		/* every CPU executed RSM: its RAX comes from its map */
		assert_int_equal(mm_cpu_get_reg(m, i, MM_REG_RAX, &rax), MM_OK);
		assert_int_equal(rax, 0x100 + i);
		assert_int_equal(mm_emu_arrival(m, i, &a), MM_OK);
		assert_int_equal(a.order, rank[i]);
		assert_int_equal(a.count, 1);
	}
	/* MmStartupThisAp ran the procedure on waiting AP 3, not on the BSP itself */
	assert_int_equal(b.ap_status, EFI_SUCCESS);
	assert_int_equal(b.ap_cpu, 3);
	assert_int_equal(b.ap_arg, 0x77);
	assert_int_equal(b.bsp_self_status, EFI_INVALID_PARAMETER);
	assert_int_equal(b.executing_after, 2);
	/* outside an SMI there is nobody waiting */
	assert_int_equal(m->cpus.model->startup_ap(m, 1, (uint64_t)(uintptr_t)ap_procedure, 0),
			 MM_ERR_STATE);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_emu_tiles_init_relocates),
		cmocka_unit_test(test_mm_emu_attach_refuses_bad_tile),
		cmocka_unit_test(test_mm_emu_rsm_applies_smbase),
		cmocka_unit_test(test_mm_emu_smi_contains_hang),
		cmocka_unit_test(test_mm_emu_smi_contains_unmapped),
		cmocka_unit_test(test_mm_emu_smi_contains_fault),
		cmocka_unit_test(test_mm_emu_smi_detects_canary),
		cmocka_unit_test(test_mm_emu_set_fast_path_same_result),
		cmocka_unit_test(test_mm_emu_smi_broadcast_one_bsp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
