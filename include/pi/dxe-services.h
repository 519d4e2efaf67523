/* SPDX-License-Identifier: MIT */
/*
 * The DXE Services Table (PI 1.8A volume 2, chapter 9 "DXE Services Table";
 * EDK2 MdePkg Pi/PiDxeCis.h): Global Coherency Domain services (the memory
 * and I/O space maps), dispatcher services and the firmware volume service.
 * Drivers find it in the system table's configuration table under
 * gEfiDxeServicesTableGuid (EDK2's DxeServicesTableLib keeps it in gDS).
 *
 * EFI_GCD_MEMORY_SPACE_DESCRIPTOR:
 *   0x00 BaseAddress
 *   0x08 Length
 *   0x10 Capabilities   EFI_MEMORY_* bits the range supports
 *   0x18 Attributes     EFI_MEMORY_* bits in effect
 *   0x20 GcdMemoryType  EFI_GCD_MEMORY_TYPE (4 bytes, then padding)
 *   0x28 ImageHandle
 *   0x30 DeviceHandle                                   sizeof = 0x38
 */
#ifndef PI_DXE_SERVICES_H
#define PI_DXE_SERVICES_H

#include "base.h"

#define DXE_SERVICES_GUID                                                                  \
	{ 0x05ad34ba, 0x6f02, 0x4214, { 0x95, 0x2e, 0x4d, 0xa0, 0x39, 0x8e, 0x2b, 0xb9 } }
#define DXE_SERVICES_SIGNATURE 0x565245535f455844ULL /* "DXE_SERV" */
#define DXE_SERVICES_REVISION ((1u << 16) | 70u)     /* PI 1.70 */

/* Capability bits of memory not yet in use (PI volume 2, GCD memory services). */
#define EFI_MEMORY_PRESENT 0x0100000000000000ULL
#define EFI_MEMORY_INITIALIZED 0x0200000000000000ULL
#define EFI_MEMORY_TESTED 0x0400000000000000ULL

typedef enum {
	EfiGcdMemoryTypeNonExistent,
	EfiGcdMemoryTypeReserved,
	EfiGcdMemoryTypeSystemMemory,
	EfiGcdMemoryTypeMemoryMappedIo,
	EfiGcdMemoryTypePersistent,
	EfiGcdMemoryTypeMoreReliable,
	EfiGcdMemoryTypeUnaccepted,
	EfiGcdMemoryTypeMaximum
} EFI_GCD_MEMORY_TYPE;

typedef struct {
	EFI_PHYSICAL_ADDRESS BaseAddress;
	UINT64 Length;
	UINT64 Capabilities;
	UINT64 Attributes;
	EFI_GCD_MEMORY_TYPE GcdMemoryType;
	EFI_HANDLE ImageHandle;
	EFI_HANDLE DeviceHandle;
} EFI_GCD_MEMORY_SPACE_DESCRIPTOR;

/*
 * The members. Only the memory space map queries are typed; the others are
 * kept as plain pointers (mmemu does not provide them: they return
 * EFI_UNSUPPORTED), in the table's order.
 */
typedef EFI_STATUS(EFIAPI *EFI_GET_MEMORY_SPACE_MAP)(
	OUT UINTN *NumberOfDescriptors, OUT EFI_GCD_MEMORY_SPACE_DESCRIPTOR **MemorySpaceMap);
typedef EFI_STATUS(EFIAPI *EFI_GET_MEMORY_SPACE_DESCRIPTOR)(
	IN EFI_PHYSICAL_ADDRESS BaseAddress, OUT EFI_GCD_MEMORY_SPACE_DESCRIPTOR *Descriptor);
typedef EFI_STATUS(EFIAPI *EFI_DXE_SERVICE_UNTYPED)(VOID);

typedef struct {
	EFI_TABLE_HEADER Hdr;
	EFI_DXE_SERVICE_UNTYPED AddMemorySpace;
	EFI_DXE_SERVICE_UNTYPED AllocateMemorySpace;
	EFI_DXE_SERVICE_UNTYPED FreeMemorySpace;
	EFI_DXE_SERVICE_UNTYPED RemoveMemorySpace;
	EFI_GET_MEMORY_SPACE_DESCRIPTOR GetMemorySpaceDescriptor;
	EFI_DXE_SERVICE_UNTYPED SetMemorySpaceAttributes;
	EFI_GET_MEMORY_SPACE_MAP GetMemorySpaceMap;
	EFI_DXE_SERVICE_UNTYPED AddIoSpace;
	EFI_DXE_SERVICE_UNTYPED AllocateIoSpace;
	EFI_DXE_SERVICE_UNTYPED FreeIoSpace;
	EFI_DXE_SERVICE_UNTYPED RemoveIoSpace;
	EFI_DXE_SERVICE_UNTYPED GetIoSpaceDescriptor;
	EFI_DXE_SERVICE_UNTYPED GetIoSpaceMap;
	EFI_DXE_SERVICE_UNTYPED Dispatch;
	EFI_DXE_SERVICE_UNTYPED Schedule;
	EFI_DXE_SERVICE_UNTYPED Trust;
	EFI_DXE_SERVICE_UNTYPED ProcessFirmwareVolume;
	EFI_DXE_SERVICE_UNTYPED SetMemorySpaceCapabilities;
} EFI_DXE_SERVICES;

extern EFI_GUID gEfiDxeServicesTableGuid;

#endif /* PI_DXE_SERVICES_H */
