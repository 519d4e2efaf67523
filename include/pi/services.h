/* SPDX-License-Identifier: MIT */
/*
 * Function types shared by the UEFI boot services and the MM System Table
 * (UEFI 2.10 chapter 7; PI 1.8 volume 4 section 4.2 reuses them by name).
 */
#ifndef PI_SERVICES_H
#define PI_SERVICES_H

#include "base.h"

typedef EFI_STATUS(EFIAPI *EFI_ALLOCATE_POOL)(IN EFI_MEMORY_TYPE PoolType, IN UINTN Size,
					      OUT VOID **Buffer);
typedef EFI_STATUS(EFIAPI *EFI_FREE_POOL)(IN VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_ALLOCATE_PAGES)(IN EFI_ALLOCATE_TYPE Type,
					       IN EFI_MEMORY_TYPE MemoryType, IN UINTN Pages,
					       IN OUT EFI_PHYSICAL_ADDRESS *Memory);
typedef EFI_STATUS(EFIAPI *EFI_FREE_PAGES)(IN EFI_PHYSICAL_ADDRESS Memory, IN UINTN Pages);
typedef EFI_STATUS(EFIAPI *EFI_INSTALL_PROTOCOL_INTERFACE)(IN OUT EFI_HANDLE *Handle,
							   IN EFI_GUID *Protocol,
							   IN EFI_INTERFACE_TYPE InterfaceType,
							   IN VOID *Interface);
typedef EFI_STATUS(EFIAPI *EFI_UNINSTALL_PROTOCOL_INTERFACE)(IN EFI_HANDLE Handle,
							     IN EFI_GUID *Protocol,
							     IN VOID *Interface);
typedef EFI_STATUS(EFIAPI *EFI_REINSTALL_PROTOCOL_INTERFACE)(IN EFI_HANDLE Handle,
							     IN EFI_GUID *Protocol,
							     IN VOID *OldInterface,
							     IN VOID *NewInterface);
typedef EFI_STATUS(EFIAPI *EFI_HANDLE_PROTOCOL)(IN EFI_HANDLE Handle, IN EFI_GUID *Protocol,
						OUT VOID **Interface);
typedef EFI_STATUS(EFIAPI *EFI_LOCATE_HANDLE)(IN EFI_LOCATE_SEARCH_TYPE SearchType,
					      IN EFI_GUID *Protocol OPTIONAL,
					      IN VOID *SearchKey OPTIONAL,
					      IN OUT UINTN *BufferSize, OUT EFI_HANDLE *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_LOCATE_PROTOCOL)(IN EFI_GUID *Protocol,
						IN VOID *Registration OPTIONAL,
						OUT VOID **Interface);

#endif /* PI_SERVICES_H */
