/* SPDX-License-Identifier: MIT */
/*
 * Tests of emu/save-state.c: both layouts field by field (outside registers
 * in, SMI, read through the ops; write in SMM, RSM, read outside), the I/O
 * information of the triggering OUT.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "emu-support.h"

static const struct {
	enum mm_reg reg;
	EFI_MM_SAVE_STATE_REGISTER efi;
	UINTN width;
} fields[] = {
	{ MM_REG_RAX, EFI_MM_SAVE_STATE_REGISTER_RAX, 8 },
	{ MM_REG_RBX, EFI_MM_SAVE_STATE_REGISTER_RBX, 8 },
	{ MM_REG_RCX, EFI_MM_SAVE_STATE_REGISTER_RCX, 8 },
	{ MM_REG_RDX, EFI_MM_SAVE_STATE_REGISTER_RDX, 8 },
	{ MM_REG_RSI, EFI_MM_SAVE_STATE_REGISTER_RSI, 8 },
	{ MM_REG_RDI, EFI_MM_SAVE_STATE_REGISTER_RDI, 8 },
	{ MM_REG_RBP, EFI_MM_SAVE_STATE_REGISTER_RBP, 8 },
	{ MM_REG_RSP, EFI_MM_SAVE_STATE_REGISTER_RSP, 8 },
	{ MM_REG_R8, EFI_MM_SAVE_STATE_REGISTER_R8, 8 },
	{ MM_REG_R9, EFI_MM_SAVE_STATE_REGISTER_R9, 8 },
	{ MM_REG_R10, EFI_MM_SAVE_STATE_REGISTER_R10, 8 },
	{ MM_REG_R11, EFI_MM_SAVE_STATE_REGISTER_R11, 8 },
	{ MM_REG_R12, EFI_MM_SAVE_STATE_REGISTER_R12, 8 },
	{ MM_REG_R13, EFI_MM_SAVE_STATE_REGISTER_R13, 8 },
	{ MM_REG_R14, EFI_MM_SAVE_STATE_REGISTER_R14, 8 },
	{ MM_REG_R15, EFI_MM_SAVE_STATE_REGISTER_R15, 8 },
	{ MM_REG_RIP, EFI_MM_SAVE_STATE_REGISTER_RIP, 8 },
	{ MM_REG_RFLAGS, EFI_MM_SAVE_STATE_REGISTER_RFLAGS, 8 },
	{ MM_REG_CR0, EFI_MM_SAVE_STATE_REGISTER_CR0, 8 },
	{ MM_REG_CR3, EFI_MM_SAVE_STATE_REGISTER_CR3, 8 },
	{ MM_REG_CR4, EFI_MM_SAVE_STATE_REGISTER_CR4, 4 },
	{ MM_REG_DR6, EFI_MM_SAVE_STATE_REGISTER_DR6, 8 },
	{ MM_REG_DR7, EFI_MM_SAVE_STATE_REGISTER_DR7, 8 },
	{ MM_REG_CS, EFI_MM_SAVE_STATE_REGISTER_CS, 2 },
	{ MM_REG_DS, EFI_MM_SAVE_STATE_REGISTER_DS, 2 },
	{ MM_REG_ES, EFI_MM_SAVE_STATE_REGISTER_ES, 2 },
	{ MM_REG_FS, EFI_MM_SAVE_STATE_REGISTER_FS, 2 },
	{ MM_REG_GS, EFI_MM_SAVE_STATE_REGISTER_GS, 2 },
	{ MM_REG_SS, EFI_MM_SAVE_STATE_REGISTER_SS, 2 },
	{ MM_REG_TR, EFI_MM_SAVE_STATE_REGISTER_TR_SEL, 2 },
	{ MM_REG_LDTR, EFI_MM_SAVE_STATE_REGISTER_LDTR_SEL, 2 },
	{ MM_REG_GDTR_BASE, EFI_MM_SAVE_STATE_REGISTER_GDTBASE, 8 },
	{ MM_REG_IDTR_BASE, EFI_MM_SAVE_STATE_REGISTER_IDTBASE, 8 },
};
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* A distinct value per register that fits its field. */
static uint64_t value_of(unsigned i, UINTN width, unsigned cpu)
{
	uint64_t v = 0x1122334455667788ull ^ ((uint64_t)(i + 1) * 0x0101010101ull) ^ cpu;

	return width == 8 ? v : v & ((1ull << (8 * width)) - 1);
}

struct probe {
	unsigned cpu;
	uint64_t got[NFIELDS];
	enum mm_err err[NFIELDS];
	uint64_t smbase_in_map;
	uint8_t lma;
	uint64_t new_rax, new_rip;
	EFI_MM_SAVE_STATE_IO_INFO io[2];
	enum mm_err io_err[2];
};

/* In SMM: reads every field of probe->cpu, then writes RAX and RIP. */
static void read_all(struct mm_machine *m, unsigned bsp, void *user)
{
	struct probe *p = user;
	const struct mm_save_state_ops *ops = m->cpus.save_state;

	(void)bsp;
	for (unsigned i = 0; i < NFIELDS; i++) {
		p->got[i] = 0;
		p->err[i] = ops->get_reg(m, p->cpu, fields[i].efi, fields[i].width, &p->got[i]);
	}
	ops->get_reg(m, p->cpu, EFI_MM_SAVE_STATE_REGISTER_LMA, 1, &p->lma);
	for (unsigned c = 0; c < 2; c++)
		p->io_err[c] = ops->io_info(m, c, &p->io[c]);
	if (p->new_rax)
		assert_int_equal(ops->set_reg(m, p->cpu, EFI_MM_SAVE_STATE_REGISTER_RAX, 8,
					      &p->new_rax), MM_OK);
	if (p->new_rip)
		assert_int_equal(ops->set_reg(m, p->cpu, EFI_MM_SAVE_STATE_REGISTER_RIP, 8,
					      &p->new_rip), MM_OK);
}

static void check_layout(enum mm_save_state_layout layout)
{
	struct mm_machine *m = emu_machine_layout(2, layout);
	struct probe p = { .cpu = 1, .new_rax = 0xC0FFEE, .new_rip = 0x123456 };
	uint64_t v;

	for (unsigned i = 0; i < NFIELDS; i++)
		assert_int_equal(mm_cpu_set_reg(m, 1, fields[i].reg,
						value_of(i, fields[i].width, 1)), MM_OK);
	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_EFER, 0x500), MM_OK);
	assert_int_equal(mm_emu_set_entry(m, read_all, &p), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	for (unsigned i = 0; i < NFIELDS; i++) {
		assert_int_equal(p.err[i], MM_OK);
		assert_int_equal(p.got[i], value_of(i, fields[i].width, 1));
	}
	assert_int_equal(p.lma, 64);
	/* no OUT caused this SMI */
	assert_int_equal(p.io_err[0], MM_ERR_NOT_FOUND);
	assert_int_equal(p.io_err[1], MM_ERR_NOT_FOUND);
	/* RSM: what the handler wrote is what the interrupted code sees */
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RAX, &v), MM_OK);
	assert_int_equal(v, 0xC0FFEE);
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RIP, &v), MM_OK);
	assert_int_equal(v, 0x123456);
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RBX, &v), MM_OK);
	assert_int_equal(v, value_of(1, 8, 1));
	mm_machine_destroy(m);
}

static void test_intel64_get_reg_fields(void **state)
{
	(void)state;
	check_layout(MM_SAVE_STATE_INTEL64);
}

static void test_amd64_get_reg_fields(void **state)
{
	(void)state;
	check_layout(MM_SAVE_STATE_AMD64);
}

/* Read-only registers refuse writes; bad widths are refused. */
static void refuse(struct mm_machine *m, unsigned bsp, void *user)
{
	const struct mm_save_state_ops *ops = m->cpus.save_state;
	uint64_t v = 1;

	(void)bsp, (void)user;
	assert_int_equal(ops->set_reg(m, 0, EFI_MM_SAVE_STATE_REGISTER_CR3, 8, &v),
			 MM_ERR_UNSUPPORTED);
	assert_int_equal(ops->get_reg(m, 0, EFI_MM_SAVE_STATE_REGISTER_RAX, 3, &v),
			 MM_ERR_INVALID);
	assert_int_equal(ops->get_reg(m, 0, EFI_MM_SAVE_STATE_REGISTER_FCW, 2, &v),
			 MM_ERR_NOT_FOUND);
}

static void test_intel64_set_reg_refuses(void **state)
{
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);

	(void)state;
	assert_int_equal(mm_emu_set_entry(m, refuse, NULL), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 0), MM_OK);
	mm_machine_destroy(m);
}

/* The OUT to 0xB2 of CPU 1 shows in CPU 1's I/O fields only. */
static void check_io(enum mm_save_state_layout layout)
{
	struct mm_machine *m = emu_machine_layout(2, layout);
	struct probe p = { .cpu = 1 };
	struct mm_cpu_host *h = &m->cpus.host[1];
	uint64_t rax;

	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RAX, 0xAAAAAAAAAAAAAA00ull), MM_OK);
	h->io = (EFI_MM_SAVE_STATE_IO_INFO){ .IoData = 0x5A, .IoPort = 0xB2,
					     .IoWidth = EFI_MM_SAVE_STATE_IO_WIDTH_UINT8,
					     .IoType = EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT };
	h->io_valid = true;
	assert_int_equal(mm_emu_set_entry(m, read_all, &p), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 1), MM_OK);
	assert_int_equal(p.io_err[0], MM_ERR_NOT_FOUND);
	assert_int_equal(p.io_err[1], MM_OK);
	assert_int_equal(p.io[1].IoPort, 0xB2);
	assert_int_equal(p.io[1].IoData, 0x5A);
	assert_int_equal(p.io[1].IoWidth, EFI_MM_SAVE_STATE_IO_WIDTH_UINT8);
	assert_int_equal(p.io[1].IoType, EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT);
	/* the OUT had its data in AL */
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(rax, 0xAAAAAAAAAAAAAA5Aull);
	mm_machine_destroy(m);
}

static void test_intel64_io_info_out(void **state)
{
	(void)state;
	check_io(MM_SAVE_STATE_INTEL64);
}

static void test_amd64_io_info_out(void **state)
{
	(void)state;
	check_io(MM_SAVE_STATE_AMD64);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intel64_get_reg_fields),
		cmocka_unit_test(test_amd64_get_reg_fields),
		cmocka_unit_test(test_intel64_set_reg_refuses),
		cmocka_unit_test(test_intel64_io_info_out),
		cmocka_unit_test(test_amd64_io_info_out),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
