/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/dxe/: the boot services, the MM IPL protocols, the HOB list,
 * the PCD protocol, the two initialization models and the callout rule,
 * with the traditional and combined sample drivers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <mmemu/dxe.h>
#include <mmemu/mmemu.h>
#include <pi/hob.h>
#include <pi/mm-ready-to-lock.h>
#include <pi/pcd.h>
#include <pi/smm-base-hob.h>
#include <pi/uefi-system-table.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"
#include "tests/drivers/traditional.h"

#define DRIVER(name) MMEMU_TEST_DRIVER_DIR "/" name ".so"

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

static void test_mm_dxe_system_table_outside_smram(void **state)
{
	struct mm_machine *m;
	EFI_SYSTEM_TABLE *st = world(&m);

	(void)state;
	assert_int_equal(st->Hdr.Signature, EFI_SYSTEM_TABLE_SIGNATURE);
	assert_int_equal(st->BootServices->Hdr.Signature, EFI_BOOT_SERVICES_SIGNATURE);
	assert_false(mm_mem_overlaps_smram(m, (uint64_t)(uintptr_t)st, sizeof(*st)));
	assert_false(mm_mem_overlaps_smram(m, (uint64_t)(uintptr_t)st->BootServices, 0x178));
	/* Every member but Reserved is a function. */
	for (size_t off = 0x18; off < sizeof(EFI_BOOT_SERVICES); off += 8)
		if (off != offsetof(EFI_BOOT_SERVICES, Reserved))
			assert_non_null(*(void **)((uint8_t *)st->BootServices + off));
	done(m);
}

static void test_CalculateCrc32_vectors(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	UINT32 crc = 0;
	char v1[] = "123456789", v2[] = "The quick brown fox jumps over the lazy dog";

	(void)state;
	assert_int_equal(bs->CalculateCrc32(v1, 9, &crc), EFI_SUCCESS);
	assert_int_equal(crc, 0xCBF43926);
	assert_int_equal(bs->CalculateCrc32(v2, strlen(v2), &crc), EFI_SUCCESS);
	assert_int_equal(crc, 0x414FA339);
	assert_int_equal(bs->CalculateCrc32(v1, 0, &crc), EFI_INVALID_PARAMETER);
	done(m);
}

static void test_GetMemoryMap_buffer_too_small(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	UINTN size = 0, key = 0, dsize = 0;
	UINT32 ver = 0;
	EFI_MEMORY_DESCRIPTOR *map = NULL;
	bool smram = false, conv = false;

	(void)state;
	assert_int_equal(bs->GetMemoryMap(&size, NULL, &key, &dsize, &ver), EFI_BUFFER_TOO_SMALL);
	assert_true(size > 0);
	assert_int_equal(dsize, 48);
	assert_int_equal(ver, EFI_MEMORY_DESCRIPTOR_VERSION);
	size += 4 * dsize; /* the allocation below may split a run */
	assert_int_equal(bs->AllocatePool(EfiBootServicesData, size, (VOID **)&map), EFI_SUCCESS);
	assert_int_equal(bs->GetMemoryMap(&size, map, &key, &dsize, &ver), EFI_SUCCESS);
	for (UINTN i = 0; i < size / dsize; i++) {
		EFI_MEMORY_DESCRIPTOR *d = (void *)((uint8_t *)map + i * dsize);

		if (d->PhysicalStart == 0x0F800000 && d->Type == EfiReservedMemoryType)
			smram = true;
		if (d->Type == EfiConventionalMemory)
			conv = true;
	}
	assert_true(smram);
	assert_true(conv);
	assert_int_equal(bs->FreePool(map), EFI_SUCCESS);
	assert_int_equal(bs->FreePool(map), EFI_INVALID_PARAMETER);
	done(m);
}

static void test_LocateHandleBuffer_finds_ipl_protocols(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	EFI_HANDLE *handles = NULL;
	UINTN n = 0;
	EFI_MM_ACCESS_PROTOCOL *access = NULL;

	(void)state;
	assert_int_equal(bs->LocateHandleBuffer(ByProtocol, &gEfiMmAccessProtocolGuid, NULL, &n,
						&handles), EFI_SUCCESS);
	assert_int_equal(n, 1);
	assert_int_equal(bs->OpenProtocol(handles[0], &gEfiMmAccessProtocolGuid, (VOID **)&access,
					  NULL, NULL, EFI_OPEN_PROTOCOL_GET_PROTOCOL), EFI_SUCCESS);
	assert_non_null(access);
	assert_int_equal(bs->FreePool(handles), EFI_SUCCESS);
	done(m);
}

static void test_Access_capabilities_and_lock(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	EFI_MM_ACCESS_PROTOCOL *a;
	EFI_MMRAM_DESCRIPTOR d[4];
	UINTN size = 0;

	(void)state;
	assert_int_equal(bs->LocateProtocol(&gEfiMmAccessProtocolGuid, NULL, (VOID **)&a), EFI_SUCCESS);
	assert_int_equal(a->GetCapabilities(a, &size, d), EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(EFI_MMRAM_DESCRIPTOR));
	assert_int_equal(a->GetCapabilities(a, &size, d), EFI_SUCCESS);
	assert_int_equal(d[0].CpuStart, 0x0F800000);
	assert_int_equal(d[0].PhysicalSize, 0x800000);
	assert_true(d[0].RegionState & EFI_MMRAM_OPEN);
	assert_int_equal(a->Close(a), EFI_SUCCESS);
	assert_int_equal(a->Lock(a), EFI_SUCCESS);
	assert_int_equal(mm_smram_state(m), MM_SMRAM_LOCKED);
	assert_true(a->LockState);
	assert_int_equal(a->Open(a), EFI_DEVICE_ERROR);
	assert_int_equal(a->GetCapabilities(a, &size, d), EFI_SUCCESS);
	assert_true(d[0].RegionState & EFI_MMRAM_LOCKED);
	done(m);
}

static void test_hob_list_walk(void **state)
{
	struct mm_machine *m;
	EFI_SYSTEM_TABLE *st = world(&m);
	uint8_t *p = NULL;
	bool phit = false, smm_base = false, end = false;
	unsigned resources = 0;

	(void)state;
	for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
		if (!memcmp(&st->ConfigurationTable[i].VendorGuid, &gEfiHobListGuid, 16))
			p = st->ConfigurationTable[i].VendorTable;
	assert_non_null(p);
	for (unsigned n = 0; n < 256 && !end; n++) {
		EFI_HOB_GENERIC_HEADER *h = (void *)p;

		assert_int_equal(h->HobLength % 8, 0);
		if (h->HobType == EFI_HOB_TYPE_HANDOFF)
			phit = n == 0;
		if (h->HobType == EFI_HOB_TYPE_RESOURCE_DESCRIPTOR)
			resources++;
		if (h->HobType == EFI_HOB_TYPE_GUID_EXTENSION &&
		    !memcmp(&((EFI_HOB_GUID_TYPE *)h)->Name, &gSmmBaseHobGuid, 16)) {
			SMM_BASE_HOB_DATA *d = (void *)((EFI_HOB_GUID_TYPE *)h + 1);

			smm_base = d->NumberOfProcessors == 4 && d->SmBase[0] != 0;
		}
		end = h->HobType == EFI_HOB_TYPE_END_OF_HOB_LIST;
		p += h->HobLength ? h->HobLength : 8;
	}
	assert_true(phit);
	assert_int_equal(resources, 3);
	assert_true(smm_base);
	assert_true(end);
	done(m);
}

static void test_pcd_get_set(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	PCD_PROTOCOL *pcd;
	uint16_t id = 0x29C0;
	UINTN tok = 0;

	(void)state;
	assert_int_equal(mm_pcd_set(m, 0x13, 2, &id), MM_OK);
	assert_int_equal(bs->LocateProtocol(&gPcdProtocolGuid, NULL, (VOID **)&pcd), EFI_SUCCESS);
	assert_int_equal(pcd->Get16(0x13), 0x29C0);
	assert_int_equal(pcd->GetSize(0x13), 2);
	assert_int_equal(*(uint16_t *)pcd->GetPtr(0x13), 0x29C0);
	assert_int_equal(pcd->Set16(0x13, 0x1234), EFI_SUCCESS);
	assert_int_equal(pcd->Get16(0x13), 0x1234);
	assert_int_equal(pcd->Set32(0x13, 1), EFI_INVALID_PARAMETER);
	assert_int_equal(pcd->Get32(0x99), 0);
	assert_int_equal(pcd->GetNextToken(NULL, &tok), EFI_SUCCESS);
	assert_int_equal(tok, 0x13);
	assert_int_equal(pcd->GetNextToken(NULL, &tok), EFI_NOT_FOUND);
	done(m);
}

static void test_events_end_of_dxe_group(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	EFI_EVENT ev;
	UINT64 c1 = 0, c2 = 0;

	(void)state;
	assert_int_equal(bs->CreateEventEx(0, TPL_CALLBACK, NULL, NULL, &gEfiEndOfDxeEventGroupGuid,
					   &ev), EFI_SUCCESS);
	assert_int_equal(bs->CheckEvent(ev), EFI_NOT_READY);
	assert_int_equal(mm_end_of_dxe(m), MM_OK);
	assert_int_equal(bs->CheckEvent(ev), EFI_SUCCESS);
	assert_int_equal(bs->CloseEvent(ev), EFI_SUCCESS);
	assert_int_equal(bs->CloseEvent(ev), EFI_INVALID_PARAMETER);
	assert_int_equal(bs->GetNextMonotonicCount(&c1), EFI_SUCCESS);
	assert_int_equal(bs->GetNextMonotonicCount(&c2), EFI_SUCCESS);
	assert_true(c2 > c1);
	assert_int_equal(bs->LoadImage(0, NULL, NULL, NULL, 0, NULL), EFI_UNSUPPORTED);
	done(m);
}

/* Communicates a TRADITIONAL_REPORT with command cmd through COMMUNICATION2. */
static EFI_STATUS report(EFI_BOOT_SERVICES *bs, EFI_GUID guid, UINT32 cmd, TRADITIONAL_REPORT *r)
{
	EFI_MM_COMMUNICATION2_PROTOCOL *c;
	uint8_t *buf = NULL;
	UINTN size = MM_COMMUNICATE_HEADER_SIZE + sizeof(*r);
	UINTN len = sizeof(*r);
	EFI_STATUS s;

	assert_int_equal(bs->LocateProtocol(&gEfiMmCommunication2ProtocolGuid, NULL, (VOID **)&c),
			 EFI_SUCCESS);
	assert_int_equal(bs->AllocatePool(EfiBootServicesData, size, (VOID **)&buf), EFI_SUCCESS);
	memset(buf, 0, size);
	memcpy(buf, &guid, 16);
	memcpy(buf + 16, &len, 8);
	memcpy(buf + MM_COMMUNICATE_HEADER_SIZE, &cmd, 4);
	s = c->Communicate(c, buf, buf, &size);
	memcpy(r, buf + MM_COMMUNICATE_HEADER_SIZE, sizeof(*r));
	bs->FreePool(buf);
	return s;
}

static void test_traditional_drivers_phases_and_callout(void **state)
{
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs = world(&m)->BootServices;
	EFI_GUID tg = TRADITIONAL_HANDLER_GUID, cg = COMBINED_HANDLER_GUID;
	EFI_GUID dxe_p = COMBINED_DXE_PROTOCOL_GUID;
	struct mm_driver_info info;
	TRADITIONAL_REPORT r;
	static struct mm_test_log log; /* outlives the test: teardown still logs */
	const struct mm_stop *stop;
	VOID *iface;

	(void)state;
	assert_int_equal(mm_driver_load_native(m, DRIVER("traditional-sample"), NULL), MM_OK);
	assert_int_equal(mm_driver_load_native(m, DRIVER("traditional-combined"), NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(mm_driver_get_info(m, i, &info), MM_OK);
		assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
	}
	assert_int_equal(bs->LocateProtocol(&dxe_p, NULL, &iface), EFI_SUCCESS);
	assert_int_equal(report(bs, cg, TRADITIONAL_CMD_REPORT, &r), EFI_SUCCESS);
	assert_int_equal(r.DxePhaseCalls, 1);
	assert_int_equal(r.MmPhaseCalls, 1);
	assert_int_equal(report(bs, tg, TRADITIONAL_CMD_REPORT, &r), EFI_SUCCESS);
	assert_int_equal(r.EntryInMm, 1);
	assert_int_equal(r.EndOfDxeSeen, 0);
	assert_false(mm_mem_overlaps_smram(m, r.BootPool, 64));
	mm_test_log_attach(m, &log, MM_LOG_WARN);
	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	assert_false(mm_test_log_contains(&log, "never closed")); /* its notify closed it */
	assert_int_equal(report(bs, tg, TRADITIONAL_CMD_REPORT, &r), EFI_SUCCESS);
	assert_int_equal(r.EndOfDxeSeen, 1);
	assert_null(mm_machine_stop(m));
	/* The handler calls gBS->AllocatePool at runtime: a callout. */
	assert_int_equal(report(bs, tg, TRADITIONAL_CMD_CALLOUT, &r), EFI_SUCCESS);
	assert_int_equal(r.Status, EFI_ACCESS_DENIED);
	stop = mm_machine_stop(m);
	assert_non_null(stop);
	assert_int_equal(stop->kind, MM_STOP_CALLOUT);
	assert_non_null(strstr(stop->message, "TraditionalSample"));
	assert_non_null(strstr(stop->message, "gBS->AllocatePool"));
	done(m);
}

static void test_standalone_model_refuses_then_handover(void **state)
{
	struct mm_machine *m = mm_test_machine();
	struct mm_driver_info info;
	uint64_t st = 0;

	(void)state;
	assert_int_equal(mm_machine_set_init_model(m, MM_INIT_STANDALONE_PEI), MM_OK);
	assert_int_equal(mm_driver_load_native(m, DRIVER("traditional-sample"), NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_NOT_DISPATCHED);
	assert_non_null(strstr(info.reason, "standalone MM"));
	assert_int_equal(mm_dxe_system_table(m, &st), MM_ERR_STATE);
	assert_int_equal(mm_dxe_handover(m, &st), MM_OK);
	assert_int_not_equal(st, 0);
	{
		EFI_SYSTEM_TABLE *t = (EFI_SYSTEM_TABLE *)(uintptr_t)st;
		uint8_t *p = NULL;
		bool core = false;

		for (UINTN i = 0; i < t->NumberOfTableEntries; i++)
			if (!memcmp(&t->ConfigurationTable[i].VendorGuid, &gEfiHobListGuid, 16))
				p = t->ConfigurationTable[i].VendorTable;
		assert_non_null(p);
		for (EFI_HOB_GENERIC_HEADER *h = (void *)p; h->HobType != EFI_HOB_TYPE_END_OF_HOB_LIST;
		     h = (void *)((uint8_t *)h + h->HobLength))
			if (h->HobType == EFI_HOB_TYPE_GUID_EXTENSION &&
			    !memcmp(&((EFI_HOB_GUID_TYPE *)h)->Name, &gEfiPeiMmCoreGuid, 16))
				core = ((EFI_PEI_MM_CORE_HOB_DATA *)((EFI_HOB_GUID_TYPE *)h + 1))->Flags &
				       EFI_PEI_MM_CORE_LOADED;
		assert_true(core);
	}
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_dxe_system_table_outside_smram),
		cmocka_unit_test(test_CalculateCrc32_vectors),
		cmocka_unit_test(test_GetMemoryMap_buffer_too_small),
		cmocka_unit_test(test_LocateHandleBuffer_finds_ipl_protocols),
		cmocka_unit_test(test_Access_capabilities_and_lock),
		cmocka_unit_test(test_hob_list_walk),
		cmocka_unit_test(test_pcd_get_set),
		cmocka_unit_test(test_events_end_of_dxe_group),
		cmocka_unit_test(test_traditional_drivers_phases_and_callout),
		cmocka_unit_test(test_standalone_model_refuses_then_handover),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
