/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/dxe/dxe-services.c: the DXE services table in the
 * configuration table, the GCD memory space map derived from the platform,
 * and the members mmemu does not provide.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <mmemu/dxe.h>
#include <mmemu/mmemu.h>
#include <pi/dxe-services.h>
#include <pi/uefi-system-table.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

/* A default machine with its DXE world; the test acts as DXE host code. */
static EFI_SYSTEM_TABLE *world(struct mm_machine **out)
{
	struct mm_machine *m = mm_test_machine();
	uint64_t st = 0;

	assert_int_equal(mm_dxe_system_table(m, &st), MM_OK);
	mm_current_machine = m;
	*out = m;
	return (EFI_SYSTEM_TABLE *)(uintptr_t)st;
}

static void done(struct mm_machine *m)
{
	mm_current_machine = NULL;
	mm_machine_destroy(m);
}

/* The table the configuration table lists under gEfiDxeServicesTableGuid. */
static EFI_DXE_SERVICES *find_ds(EFI_SYSTEM_TABLE *st)
{
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
		if (!memcmp(&st->ConfigurationTable[i].VendorGuid, &gEfiDxeServicesTableGuid,
			    sizeof(EFI_GUID)))
			return st->ConfigurationTable[i].VendorTable;
	return NULL;
}

static void test_mm_dxe_services_install_in_config_table(void **state)
{
	struct mm_machine *m;
	EFI_DXE_SERVICES *ds = find_ds(world(&m));

	(void)state;
	assert_non_null(ds);
	assert_true(ds->Hdr.Signature == DXE_SERVICES_SIGNATURE);
	assert_int_equal(ds->Hdr.HeaderSize, sizeof(*ds));
	assert_false(mm_mem_overlaps_smram(m, (uint64_t)(uintptr_t)ds, sizeof(*ds)));
	for (size_t off = sizeof(EFI_TABLE_HEADER); off < sizeof(*ds); off += 8)
		assert_non_null(*(void **)((uint8_t *)ds + off));
	done(m);
}

/* The default platform: lowram, a gap, ram, TSEG, then nothing up to 4 GiB. */
static void test_DxeGetMemorySpaceMap_default_platform(void **state)
{
	struct mm_machine *m;
	EFI_SYSTEM_TABLE *st = world(&m);
	EFI_DXE_SERVICES *ds = find_ds(st);
	EFI_GCD_MEMORY_SPACE_DESCRIPTOR *map = NULL;
	UINTN n = 0;
	uint64_t at = 0;

	(void)state;
	assert_int_equal(ds->GetMemorySpaceMap(&n, &map), EFI_SUCCESS);
	assert_int_equal(n, 6);
	for (UINTN i = 0; i < n; i++) {
		assert_true(map[i].BaseAddress == at); /* contiguous from 0 */
		at += map[i].Length;
	}
	assert_true(at == 1ull << 32);
	assert_int_equal(map[0].GcdMemoryType, EfiGcdMemoryTypeNonExistent);
	assert_int_equal(map[1].GcdMemoryType, EfiGcdMemoryTypeSystemMemory);
	assert_true(map[1].BaseAddress == 0x10000);
	assert_int_equal(map[2].GcdMemoryType, EfiGcdMemoryTypeNonExistent);
	assert_int_equal(map[3].GcdMemoryType, EfiGcdMemoryTypeSystemMemory);
	assert_int_equal(map[4].GcdMemoryType, EfiGcdMemoryTypeReserved);
	assert_true(map[4].BaseAddress == 0x0F800000);
	assert_int_equal(map[5].GcdMemoryType, EfiGcdMemoryTypeNonExistent);
	/* present memory is tested: SmmMemLib records none as untested */
	assert_true((map[3].Capabilities & EFI_MEMORY_TESTED) != 0);
	assert_int_equal(st->BootServices->FreePool(map), EFI_SUCCESS);
	assert_int_equal(ds->GetMemorySpaceMap(NULL, &map), EFI_INVALID_PARAMETER);
	done(m);
}

static void test_DxeGetMemorySpaceDescriptor_finds_range(void **state)
{
	struct mm_machine *m;
	EFI_DXE_SERVICES *ds = find_ds(world(&m));
	EFI_GCD_MEMORY_SPACE_DESCRIPTOR d;

	(void)state;
	assert_int_equal(ds->GetMemorySpaceDescriptor(0x200000, &d), EFI_SUCCESS);
	assert_int_equal(d.GcdMemoryType, EfiGcdMemoryTypeSystemMemory);
	assert_true(d.BaseAddress == 0x100000);
	assert_int_equal(ds->GetMemorySpaceDescriptor(0x0F900000, &d), EFI_SUCCESS);
	assert_int_equal(d.GcdMemoryType, EfiGcdMemoryTypeReserved);
	assert_int_equal(ds->GetMemorySpaceDescriptor(1ull << 40, &d), EFI_NOT_FOUND);
	done(m);
}

static void test_DxeDispatch_unsupported(void **state)
{
	struct mm_machine *m;
	EFI_DXE_SERVICES *ds = find_ds(world(&m));

	(void)state;
	assert_int_equal(ds->Dispatch(), EFI_UNSUPPORTED);
	assert_int_equal(ds->AddMemorySpace(), EFI_UNSUPPORTED);
	done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_dxe_services_install_in_config_table),
		cmocka_unit_test(test_DxeGetMemorySpaceMap_default_platform),
		cmocka_unit_test(test_DxeGetMemorySpaceDescriptor_finds_range),
		cmocka_unit_test(test_DxeDispatch_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
