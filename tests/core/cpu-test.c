/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/cpu.c: the host store, EFI_MM_CPU_PROTOCOL over it,
 * MmStartupThisAp and the CPU-model hooks.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

static int setup(void **state)
{
	struct mm_machine *m = NULL;
	char err[256] = "";

	if (mm_core_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_core_create: %s", err);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* Calls an EFIAPI service the way a driver does: through mm_call, so mm_current() works. */
static EFI_STATUS efi_call_v(struct mm_machine *m, const void *fn, const uint64_t *args,
			     unsigned n)
{
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)fn, n, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

#define efi_call(m, fn, n, ...)                                                            \
	efi_call_v(m, (const void *)(fn), (const uint64_t[]){ __VA_ARGS__ }, n)

#define U(x) ((uint64_t)(uintptr_t)(x))

static EFI_STATUS read_ss(struct mm_machine *m, UINTN width, EFI_MM_SAVE_STATE_REGISTER reg,
			  UINTN cpu, void *buf)
{
	return efi_call(m, MmReadSaveState, 5, U(m->cpus.protocol), (uint64_t)width,
			(uint64_t)reg, (uint64_t)cpu, U(buf));
}

static EFI_STATUS write_ss(struct mm_machine *m, UINTN width, EFI_MM_SAVE_STATE_REGISTER reg,
			   UINTN cpu, const void *buf)
{
	return efi_call(m, MmWriteSaveState, 5, U(m->cpus.protocol), (uint64_t)width,
			(uint64_t)reg, (uint64_t)cpu, U(buf));
}

static void test_mm_cpus_init_protocol_installed(void **state)
{
	struct mm_machine *m = *state;
	void *iface = NULL;

	assert_int_equal(mm_cpu_count(m), 4);
	assert_int_equal(mm_locate_protocol(m, &m->mmdb, &gEfiMmCpuProtocolGuid, NULL, &iface),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, m->cpus.protocol);
	assert_true(mm_mem_inside_smram(m, U(iface), sizeof(EFI_MM_CPU_PROTOCOL)));
	assert_ptr_equal(m->cpus.protocol->ReadSaveState, MmReadSaveState);
	assert_ptr_equal(m->cpus.protocol->WriteSaveState, MmWriteSaveState);
	assert_ptr_equal(m->cpus.save_state, &mm_save_state_host);
}

static void test_mm_cpus_init_save_state_arrays(void **state)
{
	struct mm_machine *m = *state;

	assert_true(mm_mem_inside_smram(m, U(m->cpus.save_state_size), 4 * sizeof(UINTN)));
	assert_true(mm_mem_inside_smram(m, U(m->cpus.save_state_ptr), 4 * sizeof(VOID *)));
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(m->cpus.save_state_size[i], 0x400);
		assert_true(mm_mem_inside_smram(m, U(m->cpus.save_state_ptr[i]), 0x400));
		if (i)
			assert_ptr_not_equal(m->cpus.save_state_ptr[i],
					     m->cpus.save_state_ptr[i - 1]);
	}
	assert_ptr_equal(m->mmst->CpuSaveStateSize, m->cpus.save_state_size);
	assert_ptr_equal(m->mmst->CpuSaveState, m->cpus.save_state_ptr);
	assert_int_equal(m->mmst->NumberOfCpus, 4);
}

static void test_MmReadSaveState_widths(void **state)
{
	struct mm_machine *m = *state;
	uint64_t v;

	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RAX, 0x1122334455667788ull), MM_OK);
	v = 0;
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, 1, &v), EFI_SUCCESS);
	assert_int_equal(v, 0x1122334455667788ull);
	v = 0;
	assert_int_equal(read_ss(m, 4, EFI_MM_SAVE_STATE_REGISTER_RAX, 1, &v), EFI_SUCCESS);
	assert_int_equal(v, 0x55667788);
	v = 0;
	assert_int_equal(read_ss(m, 2, EFI_MM_SAVE_STATE_REGISTER_RAX, 1, &v), EFI_SUCCESS);
	assert_int_equal(v, 0x7788);
	v = 0;
	assert_int_equal(read_ss(m, 1, EFI_MM_SAVE_STATE_REGISTER_RAX, 1, &v), EFI_SUCCESS);
	assert_int_equal(v, 0x88);
	/* another CPU has its own registers */
	v = 1;
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, 0, &v), EFI_SUCCESS);
	assert_int_equal(v, 0);
}

static void test_MmReadSaveState_bad_width(void **state)
{
	struct mm_machine *m = *state;
	uint64_t v[2] = { 0 };

	assert_int_equal(read_ss(m, 3, EFI_MM_SAVE_STATE_REGISTER_RAX, 0, v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(read_ss(m, 16, EFI_MM_SAVE_STATE_REGISTER_RAX, 0, v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(read_ss(m, 0, EFI_MM_SAVE_STATE_REGISTER_RAX, 0, v),
			 EFI_INVALID_PARAMETER);
	/* selectors and limits are 4 bytes wide in the save state */
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_CS, 0, v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(read_ss(m, 4, EFI_MM_SAVE_STATE_REGISTER_CS, 0, v), EFI_SUCCESS);
	assert_int_equal(v[0], 0x38);
	assert_int_equal(read_ss(m, 2, EFI_MM_SAVE_STATE_REGISTER_GDTLIMIT, 0, v), EFI_SUCCESS);
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_GDTLIMIT, 0, v),
			 EFI_INVALID_PARAMETER);
}

static void test_MmReadSaveState_errors(void **state)
{
	struct mm_machine *m = *state;
	uint8_t io[sizeof(EFI_MM_SAVE_STATE_IO_INFO)];
	uint64_t v = 0;

	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, 4, &v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, (UINTN)-1, &v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, 0, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_XMM0, 0, &v), EFI_NOT_FOUND);
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_LDTBASE, 0, &v), EFI_NOT_FOUND);
	assert_int_equal(read_ss(m, 8, (EFI_MM_SAVE_STATE_REGISTER)1000, 0, &v), EFI_NOT_FOUND);
	/* no I/O instruction caused an SMI */
	assert_int_equal(read_ss(m, sizeof(io), EFI_MM_SAVE_STATE_REGISTER_IO, 0, io),
			 EFI_NOT_FOUND);
}

static void test_MmReadSaveState_pseudo_registers(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SAVE_STATE_IO_INFO info;
	uint64_t v = 0;

	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID, 2, &v),
			 EFI_SUCCESS);
	assert_int_equal(v, 2);
	assert_int_equal(read_ss(m, 4, EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID, 2, &v),
			 EFI_INVALID_PARAMETER);
	v = 0;
	assert_int_equal(read_ss(m, 4, EFI_MM_SAVE_STATE_REGISTER_LMA, 0, &v), EFI_SUCCESS);
	assert_int_equal(v, EFI_MM_SAVE_STATE_REGISTER_LMA_64BIT);
	v = 0;
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_LMA, 0, &v), EFI_SUCCESS);
	assert_int_equal(v, 64);
	assert_int_equal(read_ss(m, 2, EFI_MM_SAVE_STATE_REGISTER_LMA, 0, &v),
			 EFI_INVALID_PARAMETER);

	m->cpus.host[3].io = (EFI_MM_SAVE_STATE_IO_INFO){ 0x5a, 0xb2,
		EFI_MM_SAVE_STATE_IO_WIDTH_UINT8, EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT };
	m->cpus.host[3].io_valid = true;
	memset(&info, 0xcc, sizeof(info));
	assert_int_equal(read_ss(m, sizeof(info), EFI_MM_SAVE_STATE_REGISTER_IO, 3, &info),
			 EFI_SUCCESS);
	assert_int_equal(info.IoData, 0x5a);
	assert_int_equal(info.IoPort, 0xb2);
	assert_int_equal(info.IoWidth, EFI_MM_SAVE_STATE_IO_WIDTH_UINT8);
	assert_int_equal(info.IoType, EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT);
	assert_int_equal(read_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_IO, 3, &info),
			 EFI_INVALID_PARAMETER);
}

static void test_MmWriteSaveState_widths(void **state)
{
	struct mm_machine *m = *state;
	uint64_t v = 0xaabbccdd, out = 0;

	assert_int_equal(mm_cpu_set_reg(m, 2, MM_REG_RBX, 0x1111111122222222ull), MM_OK);
	assert_int_equal(write_ss(m, 4, EFI_MM_SAVE_STATE_REGISTER_RBX, 2, &v), EFI_SUCCESS);
	assert_int_equal(mm_cpu_get_reg(m, 2, MM_REG_RBX, &out), MM_OK);
	assert_int_equal(out, 0x11111111aabbccddull);
	v = 0x0102030405060708ull;
	assert_int_equal(write_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RIP, 2, &v), EFI_SUCCESS);
	assert_int_equal(mm_cpu_get_reg(m, 2, MM_REG_RIP, &out), MM_OK);
	assert_int_equal(out, v);
	assert_int_equal(write_ss(m, 16, EFI_MM_SAVE_STATE_REGISTER_RBX, 2, &v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(write_ss(m, 5, EFI_MM_SAVE_STATE_REGISTER_RBX, 2, &v),
			 EFI_INVALID_PARAMETER);
}

static void test_MmWriteSaveState_errors(void **state)
{
	struct mm_machine *m = *state;
	uint64_t v = 0, cr0 = 0;

	assert_int_equal(write_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, 4, &v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(write_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_RAX, 0, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(write_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_CR0, 0, &v), EFI_UNSUPPORTED);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_CR0, &cr0), MM_OK);
	assert_int_not_equal(cr0, 0);
	assert_int_equal(write_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_XMM3, 0, &v), EFI_NOT_FOUND);
	assert_int_equal(write_ss(m, 8, EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID, 0, &v),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(write_ss(m, 24, EFI_MM_SAVE_STATE_REGISTER_IO, 0, &v), EFI_NOT_FOUND);
	assert_int_equal(write_ss(m, 4, EFI_MM_SAVE_STATE_REGISTER_LMA, 0, &v), EFI_SUCCESS);
}

struct ap_record {
	unsigned executing;
	unsigned calls;
	void *arg;
};

static VOID EFIAPI ap_procedure(VOID *Buffer)
{
	struct ap_record *r = Buffer;

	r->executing = mm_current()->cpus.executing;
	r->calls++;
	r->arg = Buffer;
}

static void test_MmStartupThisAp_runs_on_ap(void **state)
{
	struct mm_machine *m = *state;
	struct ap_record r = { 99, 0, NULL };

	m->cpus.in_smm = true; /* as MmEntryPoint would have it */
	m->cpus.executing = 0;
	assert_int_equal(efi_call(m, MmStartupThisAp, 3, U(ap_procedure), 2, U(&r)), EFI_SUCCESS);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.executing, 2);
	assert_ptr_equal(r.arg, &r);
	assert_int_equal(m->cpus.executing, 0);
	m->cpus.in_smm = false;
}

static void test_MmStartupThisAp_invalid(void **state)
{
	struct mm_machine *m = *state;
	struct ap_record r = { 0 };

	m->cpus.in_smm = true;
	m->cpus.executing = 1;
	assert_int_equal(efi_call(m, MmStartupThisAp, 3, U(ap_procedure), 4, U(&r)),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_call(m, MmStartupThisAp, 3, U(ap_procedure), 1, U(&r)),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(efi_call(m, MmStartupThisAp, 3, 0, 2, U(&r)), EFI_INVALID_PARAMETER);
	m->cpus.in_smm = false;
	assert_int_equal(efi_call(m, MmStartupThisAp, 3, U(ap_procedure), 2, U(&r)),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(r.calls, 0);
}

static void test_mm_cpu_set_reg_invalid(void **state)
{
	struct mm_machine *m = *state;
	uint64_t v;

	assert_int_equal(mm_cpu_set_reg(m, 4, MM_REG_RAX, 1), MM_ERR_INVALID);
	assert_int_equal(mm_cpu_set_reg(m, 0, MM_REG_COUNT, 1), MM_ERR_INVALID);
	assert_int_equal(mm_cpu_get_reg(m, 4, MM_REG_RAX, &v), MM_ERR_INVALID);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, NULL), MM_ERR_INVALID);
	assert_int_equal(mm_cpu_set_reg(m, 3, MM_REG_DR7, 0x455), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 3, MM_REG_DR7, &v), MM_OK);
	assert_int_equal(v, 0x455);
}

static void test_mm_reg_name_all(void **state)
{
	(void)state;
	assert_string_equal(mm_reg_name(MM_REG_RAX), "rax");
	assert_string_equal(mm_reg_name(MM_REG_R15), "r15");
	assert_string_equal(mm_reg_name(MM_REG_DR7), "dr7");
	assert_null(mm_reg_name(MM_REG_COUNT));
	for (int r = 0; r < MM_REG_COUNT; r++)
		assert_non_null(mm_reg_name((enum mm_reg)r));
}

/* A fake CPU model and save-state layout that record what they were asked. */
static unsigned model_calls;

static enum mm_err model_get_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg,
				 uint64_t *v)
{
	(void)m;
	model_calls++;
	*v = 0x1000 + cpu * 0x100 + reg;
	return MM_OK;
}

static enum mm_err model_set_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg,
				 uint64_t v)
{
	(void)m, (void)cpu, (void)reg, (void)v;
	model_calls++;
	return MM_ERR_UNSUPPORTED;
}

static enum mm_err layout_get_reg(struct mm_machine *m, unsigned cpu,
				  EFI_MM_SAVE_STATE_REGISTER reg, UINTN width, void *buf)
{
	(void)m;
	memset(buf, (int)(cpu + reg), width);
	return MM_OK;
}

static const struct mm_cpu_ops fake_model = {
	.get_reg = model_get_reg,
	.set_reg = model_set_reg,
};

static const struct mm_save_state_ops fake_layout = {
	.name = "fake",
	.get_reg = layout_get_reg,
};

static void test_mm_cpus_set_model_routes(void **state)
{
	struct mm_machine *m = *state;
	uint8_t buf[8] = { 0 };
	uint64_t v = 0;

	model_calls = 0;
	mm_cpus_set_model(m, &fake_model, &fake_layout, NULL);
	assert_int_equal(mm_cpu_get_reg(m, 1, MM_REG_RCX, &v), MM_OK);
	assert_int_equal(v, 0x1100 + MM_REG_RCX);
	assert_int_equal(mm_cpu_set_reg(m, 1, MM_REG_RCX, 5), MM_ERR_UNSUPPORTED);
	assert_int_equal(model_calls, 2);
	assert_int_equal(read_ss(m, 2, EFI_MM_SAVE_STATE_REGISTER_RAX, 1, buf), EFI_SUCCESS);
	assert_int_equal(buf[0], 1 + EFI_MM_SAVE_STATE_REGISTER_RAX);
	assert_int_equal(buf[2], 0);
	/* the layout has no io_info: no I/O information */
	assert_int_equal(read_ss(m, 24, EFI_MM_SAVE_STATE_REGISTER_IO, 1, buf), EFI_NOT_FOUND);
	mm_cpus_set_model(m, NULL, NULL, NULL);
	assert_ptr_equal(m->cpus.save_state, &mm_save_state_host);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_cpus_init_protocol_installed),
		T(test_mm_cpus_init_save_state_arrays),
		T(test_MmReadSaveState_widths),
		T(test_MmReadSaveState_bad_width),
		T(test_MmReadSaveState_errors),
		T(test_MmReadSaveState_pseudo_registers),
		T(test_MmWriteSaveState_widths),
		T(test_MmWriteSaveState_errors),
		T(test_MmStartupThisAp_runs_on_ap),
		T(test_MmStartupThisAp_invalid),
		T(test_mm_cpu_set_reg_invalid),
		cmocka_unit_test(test_mm_reg_name_all),
		T(test_mm_cpus_set_model_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
