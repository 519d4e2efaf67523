/* SPDX-License-Identifier: MIT */
/* Tests of core/mmst.c: the MM System Table every driver receives. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

#define U(x) ((uint64_t)(uintptr_t)(x))

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

static void test_mm_mmst_init_header(void **state)
{
	struct mm_machine *m = *state;
	const EFI_MM_SYSTEM_TABLE *st = m->mmst;
	static const CHAR16 vendor[] = { 'm', 'm', 'e', 'm', 'u', 0 };

	assert_non_null(st);
	assert_true(mm_mem_inside_smram(m, U(st), sizeof(*st)));
	assert_int_equal(st->Hdr.Signature, MM_MMST_SIGNATURE);
	assert_int_equal(st->Hdr.Signature, 0x54534d53);
	assert_int_equal(st->Hdr.Revision, (1 << 16) | 80);
	assert_int_equal(st->Hdr.HeaderSize, sizeof(EFI_MM_SYSTEM_TABLE));
	assert_non_null(st->MmFirmwareVendor);
	assert_true(mm_mem_inside_smram(m, U(st->MmFirmwareVendor), sizeof(vendor)));
	assert_memory_equal(st->MmFirmwareVendor, vendor, sizeof(vendor));
	assert_int_not_equal(st->MmFirmwareRevision, 0);
}

static void test_mm_mmst_init_services(void **state)
{
	const EFI_MM_SYSTEM_TABLE *st = ((struct mm_machine *)*state)->mmst;

	assert_ptr_equal(st->MmInstallConfigurationTable, MmInstallConfigurationTable);
	assert_ptr_equal(st->MmIo.Mem.Read, MmMemRead);
	assert_ptr_equal(st->MmIo.Mem.Write, MmMemWrite);
	assert_ptr_equal(st->MmIo.Io.Read, MmIoRead);
	assert_ptr_equal(st->MmIo.Io.Write, MmIoWrite);
	assert_ptr_equal(st->MmAllocatePool, MmAllocatePool);
	assert_ptr_equal(st->MmFreePool, MmFreePool);
	assert_ptr_equal(st->MmAllocatePages, MmAllocatePages);
	assert_ptr_equal(st->MmFreePages, MmFreePages);
	assert_ptr_equal(st->MmStartupThisAp, MmStartupThisAp);
	assert_ptr_equal(st->MmInstallProtocolInterface, MmInstallProtocolInterface);
	assert_ptr_equal(st->MmUninstallProtocolInterface, MmUninstallProtocolInterface);
	assert_ptr_equal(st->MmHandleProtocol, MmHandleProtocol);
	assert_ptr_equal(st->MmRegisterProtocolNotify, MmRegisterProtocolNotify);
	assert_ptr_equal(st->MmLocateHandle, MmLocateHandle);
	assert_ptr_equal(st->MmLocateProtocol, MmLocateProtocol);
	assert_ptr_equal(st->MmiManage, MmiManage);
	assert_ptr_equal(st->MmiHandlerRegister, MmiHandlerRegister);
	assert_ptr_equal(st->MmiHandlerUnRegister, MmiHandlerUnRegister);
}

static void test_mm_mmst_init_cpu_fields(void **state)
{
	struct mm_machine *m = *state;
	const EFI_MM_SYSTEM_TABLE *st = m->mmst;

	assert_int_equal(st->CurrentlyExecutingCpu, 0);
	assert_int_equal(st->NumberOfCpus, 4);
	assert_non_null(st->CpuSaveStateSize);
	assert_non_null(st->CpuSaveState);
	assert_ptr_equal(st->CpuSaveStateSize, m->cpus.save_state_size);
	assert_ptr_equal(st->CpuSaveState, m->cpus.save_state_ptr);
	assert_int_equal(st->CpuSaveStateSize[3], 0x400);
	assert_ptr_equal(st->MmConfigurationTable, m->config);
	assert_int_equal(st->NumberOfTableEntries, m->config_count);
}

/* A driver's view: it allocates through the table and frees through it. */
static void test_mm_mmst_init_services_work(void **state)
{
	struct mm_machine *m = *state;
	uint64_t args[3] = { EfiRuntimeServicesData, 64, 0 }, ret = 1;
	void *p = NULL;

	args[2] = U(&p);
	assert_int_equal(mm_call(m, U(m->mmst->MmAllocatePool), 3, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	assert_true(mm_mem_inside_smram(m, U(p), 64));
	args[0] = U(p);
	assert_int_equal(mm_call(m, U(m->mmst->MmFreePool), 1, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_mmst_init_header),
		T(test_mm_mmst_init_services),
		T(test_mm_mmst_init_cpu_fields),
		T(test_mm_mmst_init_services_work),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
