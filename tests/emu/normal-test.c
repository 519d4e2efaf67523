/* SPDX-License-Identifier: MIT */
/*
 * Tests of emu/normal.c: the SW SMI snippet (a real OUT 0xB2 on the chosen
 * CPU, RIP and I/O information in the save state, registers after RSM),
 * normal-world code run with mm_cpu_run (SMIs it raises, faults), and SMRAM
 * seen from outside SMM (chipset open/closed/locked, SMRR).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "devices/chipset.h"
#include "emu-support.h"

/* What the handler side saw during the last SMI. */
struct seen {
	unsigned calls, bsp;
	uint64_t rip[4], rax[4];
	EFI_MM_SAVE_STATE_IO_INFO io[4];
	enum mm_err io_err[4];
	uint64_t new_rax; /* written to the BSP's RAX through the save state */
};

/* In SMM: records every CPU's save state, writes RAX of the BSP, runs MmEntryPoint. */
static void observe(struct mm_machine *m, unsigned bsp, void *user)
{
	struct seen *s = user;
	const struct mm_save_state_ops *ss = m->cpus.save_state;

	s->calls++;
	s->bsp = bsp;
	for (unsigned i = 0; i < m->cpus.count && i < 4; i++) {
		ss->get_reg(m, i, EFI_MM_SAVE_STATE_REGISTER_RIP, 8, &s->rip[i]);
		ss->get_reg(m, i, EFI_MM_SAVE_STATE_REGISTER_RAX, 8, &s->rax[i]);
		s->io_err[i] = ss->io_info(m, i, &s->io[i]);
	}
	if (s->new_rax)
		ss->set_reg(m, bsp, EFI_MM_SAVE_STATE_REGISTER_RAX, 8, &s->new_rax);
	mm_mm_entry(m, bsp); /* the chipset's root handler sets EOS again */
}

static void test_mm_emu_sw_smi_runs_snippet(void **state)
{
	struct mm_machine *m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	struct seen s = { .new_rax = 0xC0DE };
	uint64_t code, after_out, v;

	(void)state;
	assert_int_equal(mm_emu_snippet(m, &code, &after_out), MM_OK);
	assert_true(mm_mem_inside_smram(m, code, 1) == false);
	assert_int_equal(mm_emu_set_entry(m, observe, &s), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RAX, 0x1111111111111111ull), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RBX, 0x2222), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RIP, 0x4000), MM_OK);
	assert_int_equal(mm_sw_smi(m, 1, 0xA5, 0x5A), MM_OK);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.bsp, 1); /* the CPU that executed the OUT */
	/* the SMI came right after OUT 0xB2: AL held the value */
	assert_int_equal(s.rip[1], after_out);
	assert_int_equal(s.rax[1], 0x11111111111111A5ull);
	assert_int_equal(s.io_err[1], MM_OK);
	assert_int_equal(s.io[1].IoPort, 0xB2);
	assert_int_equal(s.io[1].IoWidth, EFI_MM_SAVE_STATE_IO_WIDTH_UINT8);
	assert_int_equal(s.io[1].IoType, EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT);
	assert_int_equal(s.io[1].IoData, 0xA5);
	assert_int_equal(s.io_err[0], MM_ERR_NOT_FOUND); /* CPU 0 did not cause it */
	/* after RSM: RAX from WriteSaveState, the rest preserved, back from the snippet */
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RAX, &v), MM_OK);
	assert_int_equal(v, 0xC0DE);
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RBX, &v), MM_OK);
	assert_int_equal(v, 0x2222);
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RIP, &v), MM_OK);
	assert_int_equal(v, 0x4000);
	/* the data byte reached APM_STS */
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0xB3, 1), 0x5A);
	/* a second SMI works too (EOS set again by the root handler) */
	assert_int_equal(mm_sw_smi(m, 0, 0x11, 0), MM_OK);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.bsp, 0);
	mm_machine_destroy(m);
}

/* Copies code to a fresh normal-world page; returns its address. */
static uint64_t ram_code(struct mm_machine *m, const uint8_t *code, size_t len)
{
	uint64_t at;

	assert_int_equal(mm_page_alloc(m, &m->ram, AllocateAnyPages, EfiBootServicesCode, 1, &at,
				       true), MM_OK);
	memcpy((void *)(uintptr_t)at, code, len);
	return at;
}

static void test_mm_cpu_run_takes_smi(void **state)
{
	/* mov al, 0x42; out 0xB2, al; hlt */
	static const uint8_t code[] = { 0xB0, 0x42, 0xE6, 0xB2, 0xF4 };
	struct mm_machine *m = emu_machine_layout(2, MM_SAVE_STATE_AMD64);
	struct seen s = { 0 };
	uint64_t at = ram_code(m, code, sizeof(code)), v;

	(void)state;
	assert_int_equal(mm_emu_set_entry(m, observe, &s), MM_OK);
	assert_int_equal(mm_cpu_run(m, 0, at, 0), MM_OK);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.rip[0], at + 4); /* before the HLT that ends the block */
	assert_int_equal(s.io[0].IoPort, 0xB2);
	assert_int_equal(s.io[0].IoData, 0x42);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RIP, &v), MM_OK);
	assert_int_equal(v, at + 5); /* resumed, then halted */
	mm_machine_destroy(m);
}

static void test_mm_cpu_run_contains_fault(void **state)
{
	static const uint8_t code[] = { 0x90, 0x0F, 0x0B }; /* nop; ud2 */
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	uint64_t at = ram_code(m, code, sizeof(code));
	const struct mm_stop *st;

	(void)state;
	assert_int_equal(mm_cpu_run(m, 0, at, 0), MM_ERR_STOPPED);
	st = mm_machine_stop(m);
	assert_non_null(st);
	assert_int_equal(st->kind, MM_STOP_FAULT);
	assert_int_equal(st->cpu, 0);
	assert_string_equal(st->mode, "64-bit");
	assert_non_null(strstr(st->insn, "ud2"));
	assert_non_null(strstr(st->message, "outside SMM"));
	mm_machine_destroy(m);
}

/*
 * mov rax, [moffs64]; mov [moffs64], rax... : reads the SMRAM qword at addr
 * into RAX, then stores RBX there; hlt.
 */
static uint64_t peek_poke(struct mm_machine *m, uint64_t addr)
{
	uint8_t code[32], *p = code;

	*p++ = 0x48, *p++ = 0xA1; /* mov rax, [addr] */
	memcpy(p, &addr, 8), p += 8;
	*p++ = 0x48, *p++ = 0x89, *p++ = 0x1C, *p++ = 0x25; /* mov [disp32], rbx */
	memcpy(p, &addr, 4), p += 4;
	*p++ = 0xF4;
	return ram_code(m, code, (size_t)(p - code));
}

/* Runs peek_poke on CPU 0 against *target; returns RAX, what the read saw. */
static uint64_t access_from_outside(struct mm_machine *m, uint64_t code)
{
	uint64_t rax = 0;

	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RBX, 0xBADBADBADull), MM_OK);
	assert_int_equal(mm_cpu_run(m, 0, code, 0), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
	return rax;
}

static void test_mm_cpu_run_smram_lock(void **state)
{
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	uint64_t secret, code, base, mask;

	(void)state;
	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 1,
				       &secret, true), MM_OK);
	assert_true(secret < 0x80000000ull); /* disp32 of the store */
	*(uint64_t *)(uintptr_t)secret = 0x5EC12E7;
	code = peek_poke(m, secret);
	/* SMRR covers TSEG from attach, as firmware programs it */
	assert_int_equal(mm_emu_get_smrr(m, &base, &mask), MM_OK);
	assert_true(mask & MM_SMRR_VALID);
	assert_int_equal(base & ~0xFFFull, 0x0F800000);
	/* SMRR refuses even while the chipset has SMRAM open */
	assert_int_equal(mm_smram_state(m), MM_SMRAM_OPEN);
	assert_int_equal(access_from_outside(m, code), ~0ull);
	assert_int_equal(*(uint64_t *)(uintptr_t)secret, 0x5EC12E7);
	/* open and SMRR invalid: the real bytes, and the store lands */
	assert_int_equal(mm_emu_set_smrr(m, base, mask & ~MM_SMRR_VALID), MM_OK);
	assert_int_equal(access_from_outside(m, code), 0x5EC12E7);
	assert_int_equal(*(uint64_t *)(uintptr_t)secret, 0xBADBADBADull);
	*(uint64_t *)(uintptr_t)secret = 0x5EC12E7;
	/* closed, then locked: all ones, the store dropped */
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_CLOSED), MM_OK);
	assert_int_equal(access_from_outside(m, code), ~0ull);
	assert_int_equal(*(uint64_t *)(uintptr_t)secret, 0x5EC12E7);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_LOCKED), MM_OK);
	assert_int_equal(access_from_outside(m, code), ~0ull);
	assert_int_equal(*(uint64_t *)(uintptr_t)secret, 0x5EC12E7);
	/* SMM still sees SMRAM, and SMIs still work */
	assert_int_equal(mm_sw_smi(m, 0, 0x10, 0), MM_OK);
	mm_machine_destroy(m);
}

static void test_mm_emu_set_smrr_refuses_holes(void **state)
{
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);

	(void)state;
	assert_int_equal(mm_emu_set_smrr(m, 0x0F800000, 0x7FFF7FF800ull), MM_ERR_INVALID);
	mm_machine_destroy(m);
}

static void test_mm_sw_smi_returns_stopped(void **state)
{
	static const uint8_t loop[] = { 0xEB, 0xFE }; /* jmp . */
	struct mm_machine *m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	const struct mm_stop *st;
	uint64_t at, rip;
	uint32_t smi_en;

	(void)state;
	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesCode, 1,
				       &at, true), MM_OK);
	memcpy((void *)(uintptr_t)at, loop, sizeof(loop));
	assert_int_equal(mm_emu_test_host_entry(m, 1, at), MM_OK);
	assert_int_equal(mm_sw_smi(m, 0, 0x42, 0), MM_ERR_STOPPED);
	st = mm_machine_stop(m);
	assert_non_null(st);
	assert_int_equal(st->kind, MM_STOP_HANG);
	assert_int_equal(st->cpu, 1);
	assert_int_equal(st->rip, at);
	assert_non_null(strstr(st->insn, "jmp"));
	assert_false(m->cpus.in_smm);
	/*
	 * the machine goes on: the root handler that sets EOS never ran, so the
	 * chipset re-armed it when the SMI ended in a stop; the next SMI is taken
	 */
	mm_machine_clear_stop(m);
	smi_en = (uint32_t)mm_io_read(m, MM_IO_PORT, ICH9_PMBASE_DEFAULT + ICH9_PMIO_SMI_EN, 4);
	assert_int_equal(smi_en & ICH9_SMI_EN_EOS, ICH9_SMI_EN_EOS);
	assert_int_equal(mm_emu_test_host_entry(m, 1, 0), MM_OK);
	assert_int_equal(mm_sw_smi(m, 0, 0x42, 0), MM_OK);
	assert_null(mm_machine_stop(m));
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RIP, &rip), MM_OK);
	assert_int_equal(rip, 0);
	assert_int_equal(m->smi.count, 2);
	mm_machine_destroy(m);
}

static void test_mm_cpu_run_reads_ports(void **state)
{
	static const uint8_t code[] = { 0xE4, 0xB3, 0xF4 }; /* in al, 0xB3; hlt */
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	uint64_t at = ram_code(m, code, sizeof(code)), rax;

	(void)state;
	mm_io_write(m, MM_IO_PORT, 0xB3, 1, 0x77);
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_RAX, 0xAB00), MM_OK);
	assert_int_equal(mm_cpu_run(m, 0, at, 0), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(rax, 0xAB77);
	assert_int_equal(mm_cpu_run(m, 1, at, 0), MM_ERR_INVALID);
	mm_machine_destroy(m);
}

static void test_mm_cpu_run_needs_model(void **state)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;

	(void)state;
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_HOST;
	assert_int_equal(mm_machine_create(&p, &m, NULL, 0), MM_OK);
	assert_int_equal(mm_cpu_run(m, 0, 0x100000, 0), MM_ERR_UNSUPPORTED);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_emu_sw_smi_runs_snippet),
		cmocka_unit_test(test_mm_cpu_run_takes_smi),
		cmocka_unit_test(test_mm_cpu_run_contains_fault),
		cmocka_unit_test(test_mm_cpu_run_smram_lock),
		cmocka_unit_test(test_mm_emu_set_smrr_refuses_holes),
		cmocka_unit_test(test_mm_sw_smi_returns_stopped),
		cmocka_unit_test(test_mm_cpu_run_reads_ports),
		cmocka_unit_test(test_mm_cpu_run_needs_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
