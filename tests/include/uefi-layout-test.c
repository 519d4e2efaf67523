/* SPDX-License-Identifier: MIT */
/*
 * Binary layouts of include/pi/uefi-system-table.h, hob.h and pcd.h
 * (UEFI 2.10 tables 4.3-4.5; PI 1.8 vol. 3 HOBs; EDK2 Pcd.h member order),
 * checked at compile time; the run only reports success.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <pi/dxe-services.h>
#include <pi/hob.h>
#include <pi/pcd.h>
#include <pi/uefi-system-table.h>

#define OFF(t, f, o) _Static_assert(offsetof(t, f) == (o), #t "." #f)

OFF(EFI_SYSTEM_TABLE, FirmwareVendor, 0x18);
OFF(EFI_SYSTEM_TABLE, FirmwareRevision, 0x20);
OFF(EFI_SYSTEM_TABLE, ConsoleInHandle, 0x28);
OFF(EFI_SYSTEM_TABLE, ConOut, 0x40);
OFF(EFI_SYSTEM_TABLE, RuntimeServices, 0x58);
OFF(EFI_SYSTEM_TABLE, BootServices, 0x60);
OFF(EFI_SYSTEM_TABLE, NumberOfTableEntries, 0x68);
OFF(EFI_SYSTEM_TABLE, ConfigurationTable, 0x70);
_Static_assert(sizeof(EFI_SYSTEM_TABLE) == 0x78, "EFI_SYSTEM_TABLE size");

OFF(EFI_BOOT_SERVICES, RaiseTPL, 0x18);
OFF(EFI_BOOT_SERVICES, RestoreTPL, 0x20);
OFF(EFI_BOOT_SERVICES, AllocatePages, 0x28);
OFF(EFI_BOOT_SERVICES, FreePages, 0x30);
OFF(EFI_BOOT_SERVICES, GetMemoryMap, 0x38);
OFF(EFI_BOOT_SERVICES, AllocatePool, 0x40);
OFF(EFI_BOOT_SERVICES, FreePool, 0x48);
OFF(EFI_BOOT_SERVICES, CreateEvent, 0x50);
OFF(EFI_BOOT_SERVICES, SetTimer, 0x58);
OFF(EFI_BOOT_SERVICES, WaitForEvent, 0x60);
OFF(EFI_BOOT_SERVICES, SignalEvent, 0x68);
OFF(EFI_BOOT_SERVICES, CloseEvent, 0x70);
OFF(EFI_BOOT_SERVICES, CheckEvent, 0x78);
OFF(EFI_BOOT_SERVICES, InstallProtocolInterface, 0x80);
OFF(EFI_BOOT_SERVICES, ReinstallProtocolInterface, 0x88);
OFF(EFI_BOOT_SERVICES, UninstallProtocolInterface, 0x90);
OFF(EFI_BOOT_SERVICES, HandleProtocol, 0x98);
OFF(EFI_BOOT_SERVICES, Reserved, 0xA0);
OFF(EFI_BOOT_SERVICES, RegisterProtocolNotify, 0xA8);
OFF(EFI_BOOT_SERVICES, LocateHandle, 0xB0);
OFF(EFI_BOOT_SERVICES, LocateDevicePath, 0xB8);
OFF(EFI_BOOT_SERVICES, InstallConfigurationTable, 0xC0);
OFF(EFI_BOOT_SERVICES, LoadImage, 0xC8);
OFF(EFI_BOOT_SERVICES, StartImage, 0xD0);
OFF(EFI_BOOT_SERVICES, Exit, 0xD8);
OFF(EFI_BOOT_SERVICES, UnloadImage, 0xE0);
OFF(EFI_BOOT_SERVICES, ExitBootServices, 0xE8);
OFF(EFI_BOOT_SERVICES, GetNextMonotonicCount, 0xF0);
OFF(EFI_BOOT_SERVICES, Stall, 0xF8);
OFF(EFI_BOOT_SERVICES, SetWatchdogTimer, 0x100);
OFF(EFI_BOOT_SERVICES, ConnectController, 0x108);
OFF(EFI_BOOT_SERVICES, DisconnectController, 0x110);
OFF(EFI_BOOT_SERVICES, OpenProtocol, 0x118);
OFF(EFI_BOOT_SERVICES, CloseProtocol, 0x120);
OFF(EFI_BOOT_SERVICES, OpenProtocolInformation, 0x128);
OFF(EFI_BOOT_SERVICES, ProtocolsPerHandle, 0x130);
OFF(EFI_BOOT_SERVICES, LocateHandleBuffer, 0x138);
OFF(EFI_BOOT_SERVICES, LocateProtocol, 0x140);
OFF(EFI_BOOT_SERVICES, InstallMultipleProtocolInterfaces, 0x148);
OFF(EFI_BOOT_SERVICES, UninstallMultipleProtocolInterfaces, 0x150);
OFF(EFI_BOOT_SERVICES, CalculateCrc32, 0x158);
OFF(EFI_BOOT_SERVICES, CopyMem, 0x160);
OFF(EFI_BOOT_SERVICES, SetMem, 0x168);
OFF(EFI_BOOT_SERVICES, CreateEventEx, 0x170);
_Static_assert(sizeof(EFI_BOOT_SERVICES) == 0x178, "EFI_BOOT_SERVICES size");

OFF(EFI_RUNTIME_SERVICES, GetTime, 0x18);
OFF(EFI_RUNTIME_SERVICES, GetVariable, 0x48);
OFF(EFI_RUNTIME_SERVICES, SetVariable, 0x58);
OFF(EFI_RUNTIME_SERVICES, ResetSystem, 0x68);
OFF(EFI_RUNTIME_SERVICES, QueryVariableInfo, 0x80);

/* DXE Services Table (PI 1.8A vol. 2, 9.1; EDK2 Pi/PiDxeCis.h) */
OFF(EFI_DXE_SERVICES, AddMemorySpace, 0x18);
OFF(EFI_DXE_SERVICES, GetMemorySpaceDescriptor, 0x38);
OFF(EFI_DXE_SERVICES, GetMemorySpaceMap, 0x48);
OFF(EFI_DXE_SERVICES, SetMemorySpaceCapabilities, 0xA0);
_Static_assert(sizeof(EFI_DXE_SERVICES) == 0xA8, "EFI_DXE_SERVICES size");
OFF(EFI_GCD_MEMORY_SPACE_DESCRIPTOR, GcdMemoryType, 0x20);
OFF(EFI_GCD_MEMORY_SPACE_DESCRIPTOR, ImageHandle, 0x28);
_Static_assert(sizeof(EFI_GCD_MEMORY_SPACE_DESCRIPTOR) == 0x38, "GCD descriptor size");
_Static_assert(sizeof(EFI_RUNTIME_SERVICES) == 0x88, "EFI_RUNTIME_SERVICES size");

_Static_assert(sizeof(EFI_HOB_GENERIC_HEADER) == 0x08, "HOB header");
_Static_assert(sizeof(EFI_HOB_HANDOFF_INFO_TABLE) == 0x38, "PHIT");
OFF(EFI_HOB_HANDOFF_INFO_TABLE, EfiEndOfHobList, 0x30);
_Static_assert(sizeof(EFI_HOB_MEMORY_ALLOCATION) == 0x30, "memory allocation HOB");
_Static_assert(sizeof(EFI_HOB_RESOURCE_DESCRIPTOR) == 0x30, "resource descriptor HOB");
OFF(EFI_HOB_RESOURCE_DESCRIPTOR, PhysicalStart, 0x20);
_Static_assert(sizeof(EFI_HOB_GUID_TYPE) == 0x18, "GUID HOB");

OFF(PCD_PROTOCOL, Get8, 0x08);
OFF(PCD_PROTOCOL, GetSize, 0x38);
OFF(PCD_PROTOCOL, Get8Ex, 0x40);
OFF(PCD_PROTOCOL, Set8, 0x78);
OFF(PCD_PROTOCOL, Set8Ex, 0xA8);
OFF(PCD_PROTOCOL, CallbackOnSet, 0xD8);
OFF(PCD_PROTOCOL, GetNextTokenSpace, 0xF0);
_Static_assert(sizeof(PCD_PROTOCOL) == 0xF8, "PCD_PROTOCOL size");
OFF(EFI_PCD_PROTOCOL, Set8, 0x40);
OFF(EFI_PCD_PROTOCOL, CallbackOnSet, 0x70);
_Static_assert(sizeof(EFI_PCD_PROTOCOL) == 0x90, "EFI_PCD_PROTOCOL size");

static void test_uefi_layout_static_asserts(void **state)
{
	(void)state;
	assert_int_equal(sizeof(EFI_BOOT_SERVICES), 0x178);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_uefi_layout_static_asserts) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
