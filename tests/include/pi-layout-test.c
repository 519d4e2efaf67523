/* SPDX-License-Identifier: MIT */
/*
 * Tests of include/pi: every structure's size and field offsets as EDK2
 * binaries lay them out on x86-64 (checked at compile time), GUID values
 * byte by byte against the specifications, and status code values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <pi/mm-guids.h>

#define SIZE(type, n) _Static_assert(sizeof(type) == (n), "sizeof " #type)
#define AT(type, field, off)                                                                \
	_Static_assert(offsetof(type, field) == (off), "offset of " #type "." #field)

_Static_assert(sizeof(void *) == 8, "the layouts below are those of a 64-bit host");

/* base.h: scalar types (UEFI 2.10, table 2.3) */
SIZE(UINT8, 1);
SIZE(UINT16, 2);
SIZE(UINT32, 4);
SIZE(UINT64, 8);
SIZE(UINTN, 8);
SIZE(INTN, 8);
SIZE(BOOLEAN, 1);
SIZE(CHAR16, 2);
SIZE(EFI_STATUS, 8);
SIZE(EFI_HANDLE, 8);
SIZE(EFI_PHYSICAL_ADDRESS, 8);
SIZE(EFI_MEMORY_TYPE, 4);
SIZE(EFI_ALLOCATE_TYPE, 4);
SIZE(EFI_INTERFACE_TYPE, 4);
SIZE(EFI_LOCATE_SEARCH_TYPE, 4);

/* base.h: structures */
SIZE(EFI_GUID, 16);
AT(EFI_GUID, Data1, 0);
AT(EFI_GUID, Data2, 4);
AT(EFI_GUID, Data3, 6);
AT(EFI_GUID, Data4, 8);

SIZE(EFI_TABLE_HEADER, 24);
AT(EFI_TABLE_HEADER, Signature, 0);
AT(EFI_TABLE_HEADER, Revision, 8);
AT(EFI_TABLE_HEADER, HeaderSize, 12);
AT(EFI_TABLE_HEADER, CRC32, 16);
AT(EFI_TABLE_HEADER, Reserved, 20);

SIZE(EFI_MEMORY_DESCRIPTOR, 40);
AT(EFI_MEMORY_DESCRIPTOR, Type, 0);
AT(EFI_MEMORY_DESCRIPTOR, PhysicalStart, 8);
AT(EFI_MEMORY_DESCRIPTOR, VirtualStart, 16);
AT(EFI_MEMORY_DESCRIPTOR, NumberOfPages, 24);
AT(EFI_MEMORY_DESCRIPTOR, Attribute, 32);

SIZE(EFI_TIME, 16);
AT(EFI_TIME, Year, 0);
AT(EFI_TIME, Month, 2);
AT(EFI_TIME, Day, 3);
AT(EFI_TIME, Hour, 4);
AT(EFI_TIME, Minute, 5);
AT(EFI_TIME, Second, 6);
AT(EFI_TIME, Pad1, 7);
AT(EFI_TIME, Nanosecond, 8);
AT(EFI_TIME, TimeZone, 12);
AT(EFI_TIME, Daylight, 14);
AT(EFI_TIME, Pad2, 15);

SIZE(EFI_CONFIGURATION_TABLE, 24);
AT(EFI_CONFIGURATION_TABLE, VendorGuid, 0);
AT(EFI_CONFIGURATION_TABLE, VendorTable, 16);

/* mm-cpu-io.h */
SIZE(EFI_MM_IO_WIDTH, 4);
SIZE(EFI_MM_IO_ACCESS, 16);
AT(EFI_MM_IO_ACCESS, Read, 0);
AT(EFI_MM_IO_ACCESS, Write, 8);
SIZE(EFI_MM_CPU_IO_PROTOCOL, 32);
AT(EFI_MM_CPU_IO_PROTOCOL, Mem, 0);
AT(EFI_MM_CPU_IO_PROTOCOL, Io, 16);

/* mm-system-table.h */
SIZE(EFI_MM_ENTRY_CONTEXT, 40);
AT(EFI_MM_ENTRY_CONTEXT, MmStartupThisAp, 0);
AT(EFI_MM_ENTRY_CONTEXT, CurrentlyExecutingCpu, 8);
AT(EFI_MM_ENTRY_CONTEXT, NumberOfCpus, 16);
AT(EFI_MM_ENTRY_CONTEXT, CpuSaveStateSize, 24);
AT(EFI_MM_ENTRY_CONTEXT, CpuSaveState, 32);

SIZE(EFI_MM_SYSTEM_TABLE, 240);
AT(EFI_MM_SYSTEM_TABLE, Hdr, 0);
AT(EFI_MM_SYSTEM_TABLE, MmFirmwareVendor, 24);
AT(EFI_MM_SYSTEM_TABLE, MmFirmwareRevision, 32);
AT(EFI_MM_SYSTEM_TABLE, MmInstallConfigurationTable, 40);
AT(EFI_MM_SYSTEM_TABLE, MmIo, 48);
AT(EFI_MM_SYSTEM_TABLE, MmAllocatePool, 80);
AT(EFI_MM_SYSTEM_TABLE, MmFreePool, 88);
AT(EFI_MM_SYSTEM_TABLE, MmAllocatePages, 96);
AT(EFI_MM_SYSTEM_TABLE, MmFreePages, 104);
AT(EFI_MM_SYSTEM_TABLE, MmStartupThisAp, 112);
AT(EFI_MM_SYSTEM_TABLE, CurrentlyExecutingCpu, 120);
AT(EFI_MM_SYSTEM_TABLE, NumberOfCpus, 128);
AT(EFI_MM_SYSTEM_TABLE, CpuSaveStateSize, 136);
AT(EFI_MM_SYSTEM_TABLE, CpuSaveState, 144);
AT(EFI_MM_SYSTEM_TABLE, NumberOfTableEntries, 152);
AT(EFI_MM_SYSTEM_TABLE, MmConfigurationTable, 160);
AT(EFI_MM_SYSTEM_TABLE, MmInstallProtocolInterface, 168);
AT(EFI_MM_SYSTEM_TABLE, MmUninstallProtocolInterface, 176);
AT(EFI_MM_SYSTEM_TABLE, MmHandleProtocol, 184);
AT(EFI_MM_SYSTEM_TABLE, MmRegisterProtocolNotify, 192);
AT(EFI_MM_SYSTEM_TABLE, MmLocateHandle, 200);
AT(EFI_MM_SYSTEM_TABLE, MmLocateProtocol, 208);
AT(EFI_MM_SYSTEM_TABLE, MmiManage, 216);
AT(EFI_MM_SYSTEM_TABLE, MmiHandlerRegister, 224);
AT(EFI_MM_SYSTEM_TABLE, MmiHandlerUnRegister, 232);

/* mm-cpu.h */
SIZE(EFI_MM_SAVE_STATE_REGISTER, 4);
SIZE(EFI_MM_SAVE_STATE_IO_WIDTH, 4);
SIZE(EFI_MM_SAVE_STATE_IO_TYPE, 4);
SIZE(EFI_MM_SAVE_STATE_IO_INFO, 24);
AT(EFI_MM_SAVE_STATE_IO_INFO, IoData, 0);
AT(EFI_MM_SAVE_STATE_IO_INFO, IoPort, 8);
AT(EFI_MM_SAVE_STATE_IO_INFO, IoWidth, 12);
AT(EFI_MM_SAVE_STATE_IO_INFO, IoType, 16);
SIZE(EFI_MM_CPU_PROTOCOL, 16);
AT(EFI_MM_CPU_PROTOCOL, ReadSaveState, 0);
AT(EFI_MM_CPU_PROTOCOL, WriteSaveState, 8);

_Static_assert(EFI_MM_SAVE_STATE_REGISTER_GDTBASE == 4, "GDTBASE");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_LDTINFO == 10, "LDTINFO");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_ES == 20, "ES");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_DR6 == 29, "DR6");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_R8 == 30, "R8");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_RAX == 38, "RAX");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_RIP == 46, "RIP");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_RFLAGS == 51, "RFLAGS");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_CR0 == 52, "CR0");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_CR3 == 53, "CR3");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_CR4 == 54, "CR4");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_FCW == 256, "FCW");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_MM0 == 264, "MM0");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_XMM0 == 272, "XMM0");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_XMM15 == 287, "XMM15");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_IO == 512, "IO");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_LMA == 513, "LMA");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_PROCESSOR_ID == 514, "PROCESSOR_ID");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_LMA_32BIT == 32, "LMA_32BIT");
_Static_assert(EFI_MM_SAVE_STATE_REGISTER_LMA_64BIT == 64, "LMA_64BIT");
_Static_assert(EFI_MM_SAVE_STATE_IO_TYPE_REP_PREFIX == 8, "IO_TYPE_REP_PREFIX");
_Static_assert(EFI_SMM_SAVE_STATE_REGISTER_RAX == EFI_MM_SAVE_STATE_REGISTER_RAX, "SMM alias");

/* mm-sw-dispatch.h: the SMM structures must match the MM ones */
SIZE(EFI_MM_SW_REGISTER_CONTEXT, 8);
AT(EFI_MM_SW_REGISTER_CONTEXT, SwMmiInputValue, 0);
SIZE(EFI_MM_SW_CONTEXT, 16);
AT(EFI_MM_SW_CONTEXT, SwMmiCpuIndex, 0);
AT(EFI_MM_SW_CONTEXT, CommandPort, 8);
AT(EFI_MM_SW_CONTEXT, DataPort, 9);
SIZE(EFI_MM_SW_DISPATCH_PROTOCOL, 24);
AT(EFI_MM_SW_DISPATCH_PROTOCOL, Register, 0);
AT(EFI_MM_SW_DISPATCH_PROTOCOL, UnRegister, 8);
AT(EFI_MM_SW_DISPATCH_PROTOCOL, MaximumSwiValue, 16);
SIZE(EFI_SMM_SW_REGISTER_CONTEXT, 8);
AT(EFI_SMM_SW_REGISTER_CONTEXT, SwSmiInputValue, 0);
SIZE(EFI_SMM_SW_CONTEXT, 16);
AT(EFI_SMM_SW_CONTEXT, SwSmiCpuIndex, 0);
AT(EFI_SMM_SW_CONTEXT, CommandPort, 8);
AT(EFI_SMM_SW_CONTEXT, DataPort, 9);
SIZE(EFI_SMM_SW_DISPATCH2_PROTOCOL, 24);
AT(EFI_SMM_SW_DISPATCH2_PROTOCOL, Register, 0);
AT(EFI_SMM_SW_DISPATCH2_PROTOCOL, UnRegister, 8);
AT(EFI_SMM_SW_DISPATCH2_PROTOCOL, MaximumSwiValue, 16);

/* mm-sx-dispatch.h */
SIZE(EFI_SLEEP_TYPE, 4);
SIZE(EFI_SLEEP_PHASE, 4);
SIZE(EFI_MM_SX_REGISTER_CONTEXT, 8);
AT(EFI_MM_SX_REGISTER_CONTEXT, Type, 0);
AT(EFI_MM_SX_REGISTER_CONTEXT, Phase, 4);
SIZE(EFI_MM_SX_DISPATCH_PROTOCOL, 16);
AT(EFI_MM_SX_DISPATCH_PROTOCOL, Register, 0);
AT(EFI_MM_SX_DISPATCH_PROTOCOL, UnRegister, 8);
_Static_assert(SxS5 == 5 && EfiMaximumSleepType == 6 && SxExit == 1, "sleep enums");

/* mm-periodic-timer-dispatch.h */
SIZE(EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT, 16);
AT(EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT, Period, 0);
AT(EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT, MmiTickInterval, 8);
SIZE(EFI_MM_PERIODIC_TIMER_CONTEXT, 8);
AT(EFI_MM_PERIODIC_TIMER_CONTEXT, ElapsedTime, 0);
SIZE(EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL, 24);
AT(EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL, Register, 0);
AT(EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL, UnRegister, 8);
AT(EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL, GetNextShorterInterval, 16);
SIZE(EFI_SMM_PERIODIC_TIMER_REGISTER_CONTEXT, 16);
AT(EFI_SMM_PERIODIC_TIMER_REGISTER_CONTEXT, Period, 0);
AT(EFI_SMM_PERIODIC_TIMER_REGISTER_CONTEXT, SmiTickInterval, 8);
SIZE(EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL, 24);
AT(EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL, GetNextShorterInterval, 16);

/* mm-power-button-dispatch.h, mm-standby-button-dispatch.h */
SIZE(EFI_MM_POWER_BUTTON_REGISTER_CONTEXT, 4);
AT(EFI_MM_POWER_BUTTON_REGISTER_CONTEXT, Phase, 0);
SIZE(EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL, 16);
AT(EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL, UnRegister, 8);
SIZE(EFI_MM_STANDBY_BUTTON_REGISTER_CONTEXT, 4);
AT(EFI_MM_STANDBY_BUTTON_REGISTER_CONTEXT, Phase, 0);
SIZE(EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL, 16);
AT(EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL, UnRegister, 8);
_Static_assert(EfiPowerButtonExit == 1 && EfiStandbyButtonExit == 1, "button phases");

/* mm-gpi-dispatch.h */
SIZE(EFI_MM_GPI_REGISTER_CONTEXT, 8);
AT(EFI_MM_GPI_REGISTER_CONTEXT, GpiNum, 0);
SIZE(EFI_MM_GPI_DISPATCH_PROTOCOL, 24);
AT(EFI_MM_GPI_DISPATCH_PROTOCOL, Register, 0);
AT(EFI_MM_GPI_DISPATCH_PROTOCOL, UnRegister, 8);
AT(EFI_MM_GPI_DISPATCH_PROTOCOL, NumSupportedGpis, 16);

/* mm-io-trap-dispatch.h */
SIZE(EFI_MM_IO_TRAP_REGISTER_CONTEXT, 8);
AT(EFI_MM_IO_TRAP_REGISTER_CONTEXT, Address, 0);
AT(EFI_MM_IO_TRAP_REGISTER_CONTEXT, Length, 2);
AT(EFI_MM_IO_TRAP_REGISTER_CONTEXT, Type, 4);
SIZE(EFI_MM_IO_TRAP_CONTEXT, 4);
AT(EFI_MM_IO_TRAP_CONTEXT, WriteData, 0);
SIZE(EFI_MM_IO_TRAP_DISPATCH_PROTOCOL, 16);
AT(EFI_MM_IO_TRAP_DISPATCH_PROTOCOL, UnRegister, 8);
_Static_assert(WriteTrap == 0 && ReadTrap == 1 && ReadWriteTrap == 2, "trap types");

/* mm-communication.h */
SIZE(EFI_MM_COMMUNICATE_HEADER, 25);
AT(EFI_MM_COMMUNICATE_HEADER, HeaderGuid, 0);
AT(EFI_MM_COMMUNICATE_HEADER, MessageLength, 16);
AT(EFI_MM_COMMUNICATE_HEADER, Data, 24);
_Static_assert(MM_COMMUNICATE_HEADER_SIZE == 24, "MM_COMMUNICATE_HEADER_SIZE");
SIZE(EFI_MM_COMMUNICATE_HEADER_V3, 56);
AT(EFI_MM_COMMUNICATE_HEADER_V3, HeaderGuid, 0);
AT(EFI_MM_COMMUNICATE_HEADER_V3, BufferSize, 16);
AT(EFI_MM_COMMUNICATE_HEADER_V3, Reserved, 24);
AT(EFI_MM_COMMUNICATE_HEADER_V3, MessageGuid, 32);
AT(EFI_MM_COMMUNICATE_HEADER_V3, MessageSize, 48);
AT(EFI_MM_COMMUNICATE_HEADER_V3, MessageData, 56);
_Static_assert(MM_COMMUNICATE_HEADER_V3_SIZE == 56, "MM_COMMUNICATE_HEADER_V3_SIZE");
SIZE(EFI_MM_COMMUNICATION_PROTOCOL, 8);
SIZE(EFI_MM_COMMUNICATION2_PROTOCOL, 8);
SIZE(EFI_MM_COMMUNICATION3_PROTOCOL, 8);

/* mm-access.h */
SIZE(EFI_MMRAM_DESCRIPTOR, 32);
AT(EFI_MMRAM_DESCRIPTOR, PhysicalStart, 0);
AT(EFI_MMRAM_DESCRIPTOR, CpuStart, 8);
AT(EFI_MMRAM_DESCRIPTOR, PhysicalSize, 16);
AT(EFI_MMRAM_DESCRIPTOR, RegionState, 24);
SIZE(EFI_MM_ACCESS_PROTOCOL, 40);
AT(EFI_MM_ACCESS_PROTOCOL, Open, 0);
AT(EFI_MM_ACCESS_PROTOCOL, Close, 8);
AT(EFI_MM_ACCESS_PROTOCOL, Lock, 16);
AT(EFI_MM_ACCESS_PROTOCOL, GetCapabilities, 24);
AT(EFI_MM_ACCESS_PROTOCOL, LockState, 32);
AT(EFI_MM_ACCESS_PROTOCOL, OpenState, 33);
_Static_assert(EFI_MMRAM_OPEN == 0x1 && EFI_MMRAM_CLOSED == 0x2 && EFI_MMRAM_LOCKED == 0x4,
	       "MMRAM hardware state bits");
_Static_assert(EFI_CACHEABLE == 0x8 && EFI_ALLOCATED == 0x10 && EFI_NEEDS_TESTING == 0x20 &&
		       EFI_NEEDS_ECC_INITIALIZATION == 0x40,
	       "MMRAM capability bits");

/* mm-control.h */
SIZE(EFI_MM_CONTROL_PROTOCOL, 24);
AT(EFI_MM_CONTROL_PROTOCOL, Trigger, 0);
AT(EFI_MM_CONTROL_PROTOCOL, Clear, 8);
AT(EFI_MM_CONTROL_PROTOCOL, MinimumTriggerPeriod, 16);

/* mm-base.h */
SIZE(EFI_MM_BASE_PROTOCOL, 16);
AT(EFI_MM_BASE_PROTOCOL, InMm, 0);
AT(EFI_MM_BASE_PROTOCOL, GetMmstLocation, 8);
SIZE(EFI_SMM_BASE2_PROTOCOL, 16);
AT(EFI_SMM_BASE2_PROTOCOL, InSmm, 0);
AT(EFI_SMM_BASE2_PROTOCOL, GetSmstLocation, 8);

/* smm-base-hob.h */
SIZE(SMM_BASE_HOB_DATA, 8);
AT(SMM_BASE_HOB_DATA, ProcessorIndex, 0);
AT(SMM_BASE_HOB_DATA, NumberOfProcessors, 4);
AT(SMM_BASE_HOB_DATA, SmBase, 8);

/* Compares g with the 16 bytes a specification GUID has in memory. */
static void assert_guid_bytes(const EFI_GUID *g, const uint8_t expect[16])
{
	assert_memory_equal(g, expect, 16);
}

/* Data1..3 are stored little-endian, Data4 as written (UEFI 2.10, appendix A). */
static void test_pi_guids_sw_dispatch_bytes(void **state)
{
	static const uint8_t expect[16] = { 0xdc, 0xc6, 0xa3, 0x18, 0xea, 0x5e, 0xc8, 0x48,
					    0xa1, 0xc1, 0xb5, 0x33, 0x89, 0xf9, 0x89, 0x99 };
	(void)state;
	assert_guid_bytes(&gEfiMmSwDispatchProtocolGuid, expect);
	assert_guid_bytes(&gEfiSmmSwDispatch2ProtocolGuid, expect);
}

static void test_pi_guids_mm_cpu_bytes(void **state)
{
	static const uint8_t expect[16] = { 0x97, 0x6b, 0x34, 0xeb, 0x5f, 0x97, 0x9f, 0x4a,
					    0x8b, 0x22, 0xf8, 0xe9, 0x2b, 0xb3, 0xd5, 0x69 };
	(void)state;
	assert_guid_bytes(&gEfiMmCpuProtocolGuid, expect);
	assert_guid_bytes(&gEfiSmmCpuProtocolGuid, expect);
}

static void test_pi_guids_communicate_header_v3_bytes(void **state)
{
	static const uint8_t expect[16] = { 0x53, 0xc8, 0xe8, 0x68, 0xa9, 0x2b, 0xd7, 0x4d,
					    0x9a, 0xc0, 0x91, 0xe1, 0x61, 0x55, 0xc9, 0x35 };
	(void)state;
	assert_guid_bytes(&gEfiMmCommunicateHeaderV3Guid, expect);
}

static void test_pi_guids_end_of_dxe_event_bytes(void **state)
{
	static const uint8_t expect[16] = { 0x7a, 0x96, 0xce, 0x02, 0x7e, 0xdd, 0xfc, 0x4f,
					    0x9e, 0xe7, 0x81, 0x0c, 0xf0, 0x47, 0x08, 0x80 };
	(void)state;
	assert_guid_bytes(&gEfiEndOfDxeEventGroupGuid, expect);
}

static void test_pi_guids_smm_base_hob_bytes(void **state)
{
	static const uint8_t expect[16] = { 0xa7, 0x7b, 0x21, 0xc2, 0xbb, 0x03, 0x63, 0x4f,
					    0xa6, 0x47, 0x7c, 0x25, 0xc5, 0xfc, 0x9d, 0x73 };
	(void)state;
	assert_guid_bytes(&gSmmBaseHobGuid, expect);
}

/* Each EDK2 Smm name is the same GUID as its Mm name. */
static void test_pi_guids_smm_aliases_equal(void **state)
{
	static const struct {
		const EFI_GUID *mm, *smm;
	} pairs[] = {
		{ &gEfiMmCpuIoProtocolGuid, &gEfiSmmCpuIo2ProtocolGuid },
		{ &gEfiMmCpuProtocolGuid, &gEfiSmmCpuProtocolGuid },
		{ &gEfiMmSwDispatchProtocolGuid, &gEfiSmmSwDispatch2ProtocolGuid },
		{ &gEfiMmSxDispatchProtocolGuid, &gEfiSmmSxDispatch2ProtocolGuid },
		{ &gEfiMmPeriodicTimerDispatchProtocolGuid, &gEfiSmmPeriodicTimerDispatch2ProtocolGuid },
		{ &gEfiMmPowerButtonDispatchProtocolGuid, &gEfiSmmPowerButtonDispatch2ProtocolGuid },
		{ &gEfiMmStandbyButtonDispatchProtocolGuid, &gEfiSmmStandbyButtonDispatch2ProtocolGuid },
		{ &gEfiMmGpiDispatchProtocolGuid, &gEfiSmmGpiDispatch2ProtocolGuid },
		{ &gEfiMmIoTrapDispatchProtocolGuid, &gEfiSmmIoTrapDispatch2ProtocolGuid },
		{ &gEfiMmCommunicationProtocolGuid, &gEfiSmmCommunicationProtocolGuid },
		{ &gEfiMmEndOfDxeProtocolGuid, &gEfiSmmEndOfDxeProtocolGuid },
		{ &gEfiMmReadyToLockProtocolGuid, &gEfiSmmReadyToLockProtocolGuid },
		{ &gEfiDxeMmReadyToLockProtocolGuid, &gEfiDxeSmmReadyToLockProtocolGuid },
		{ &gEfiMmAccessProtocolGuid, &gEfiSmmAccess2ProtocolGuid },
		{ &gEfiMmControlProtocolGuid, &gEfiSmmControl2ProtocolGuid },
		{ &gEfiMmBaseProtocolGuid, &gEfiSmmBase2ProtocolGuid },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		assert_memory_equal(pairs[i].mm, pairs[i].smm, sizeof(EFI_GUID));
}

static void test_status_codes_values(void **state)
{
	(void)state;
	assert_int_equal(EFI_SUCCESS, 0);
	assert_true(EFI_NOT_FOUND == 0x800000000000000EULL);
	assert_true(EFI_INVALID_PARAMETER == 0x8000000000000002ULL);
	assert_true(EFI_INTERRUPT_PENDING == 0xA000000000000000ULL);
	assert_true(EFI_WARN_INTERRUPT_SOURCE_PENDING == 0x2000000000000000ULL);
	assert_true(EFI_WARN_INTERRUPT_SOURCE_QUIESCED == 0x2000000000000001ULL);
	assert_true(EFI_ERROR(EFI_NOT_FOUND));
	assert_true(EFI_ERROR(EFI_INTERRUPT_PENDING));
	assert_false(EFI_ERROR(EFI_WARN_INTERRUPT_SOURCE_QUIESCED));
	assert_false(EFI_ERROR(EFI_SUCCESS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pi_guids_sw_dispatch_bytes),
		cmocka_unit_test(test_pi_guids_mm_cpu_bytes),
		cmocka_unit_test(test_pi_guids_communicate_header_v3_bytes),
		cmocka_unit_test(test_pi_guids_end_of_dxe_event_bytes),
		cmocka_unit_test(test_pi_guids_smm_base_hob_bytes),
		cmocka_unit_test(test_pi_guids_smm_aliases_equal),
		cmocka_unit_test(test_status_codes_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
