/* SPDX-License-Identifier: MIT */
/*
 * The MM System Table (PI 1.8 volume 4, section 4.2) and the services it
 * points to. Fields are in the specification's order; offsets are checked in
 * tests/include/pi-layout-test.c. EFI_SMM_SYSTEM_TABLE2 is EDK2's name for
 * the same layout.
 */
#ifndef PI_MM_SYSTEM_TABLE_H
#define PI_MM_SYSTEM_TABLE_H

#include "base.h"
#include "mm-cpu-io.h"
#include "services.h"

#define MM_MMST_SIGNATURE 0x54534d53ULL /* 'S','M','S','T' */
#define SMM_SMST_SIGNATURE MM_MMST_SIGNATURE
#define MM_SPECIFICATION_MAJOR_REVISION 1
#define MM_SPECIFICATION_MINOR_REVISION 80
#define EFI_MM_SYSTEM_TABLE_REVISION                                                       \
	((MM_SPECIFICATION_MAJOR_REVISION << 16) | (MM_SPECIFICATION_MINOR_REVISION))

typedef struct _EFI_MM_SYSTEM_TABLE EFI_MM_SYSTEM_TABLE;
typedef EFI_MM_SYSTEM_TABLE EFI_SMM_SYSTEM_TABLE2;

typedef EFI_STATUS(EFIAPI *EFI_MM_INSTALL_CONFIGURATION_TABLE)(
	IN CONST EFI_MM_SYSTEM_TABLE *SystemTable, IN CONST EFI_GUID *Guid, IN VOID *Table,
	IN UINTN TableSize);

typedef VOID(EFIAPI *EFI_AP_PROCEDURE)(IN OUT VOID *Buffer);
typedef EFI_STATUS(EFIAPI *EFI_MM_STARTUP_THIS_AP)(IN EFI_AP_PROCEDURE Procedure,
						   IN UINTN CpuNumber,
						   IN OUT VOID *ProcArguments OPTIONAL);

typedef EFI_STATUS(EFIAPI *EFI_MM_NOTIFY_FN)(IN CONST EFI_GUID *Protocol, IN VOID *Interface,
					     IN EFI_HANDLE Handle);
typedef EFI_STATUS(EFIAPI *EFI_MM_REGISTER_PROTOCOL_NOTIFY)(IN CONST EFI_GUID *Protocol,
							    IN EFI_MM_NOTIFY_FN Function,
							    OUT VOID **Registration);

typedef EFI_STATUS(EFIAPI *EFI_MM_HANDLER_ENTRY_POINT)(IN EFI_HANDLE DispatchHandle,
						       IN CONST VOID *Context OPTIONAL,
						       IN OUT VOID *CommBuffer OPTIONAL,
						       IN OUT UINTN *CommBufferSize OPTIONAL);
typedef EFI_STATUS(EFIAPI *EFI_MM_INTERRUPT_MANAGE)(IN CONST EFI_GUID *HandlerType,
						    IN CONST VOID *Context OPTIONAL,
						    IN OUT VOID *CommBuffer OPTIONAL,
						    IN OUT UINTN *CommBufferSize OPTIONAL);
typedef EFI_STATUS(EFIAPI *EFI_MM_INTERRUPT_REGISTER)(IN EFI_MM_HANDLER_ENTRY_POINT Handler,
						      IN CONST EFI_GUID *HandlerType OPTIONAL,
						      OUT EFI_HANDLE *DispatchHandle);
typedef EFI_STATUS(EFIAPI *EFI_MM_INTERRUPT_UNREGISTER)(IN EFI_HANDLE DispatchHandle);

/* PI 1.8 volume 4, section 4.2: EFI_MM_ENTRY_CONTEXT, given to MmEntryPoint. */
typedef struct {
	EFI_MM_STARTUP_THIS_AP MmStartupThisAp;
	UINTN CurrentlyExecutingCpu;
	UINTN NumberOfCpus;
	UINTN *CpuSaveStateSize;
	VOID **CpuSaveState;
} EFI_MM_ENTRY_CONTEXT;

typedef VOID(EFIAPI *EFI_MM_ENTRY_POINT)(IN CONST EFI_MM_ENTRY_CONTEXT *MmEntryContext);

struct _EFI_MM_SYSTEM_TABLE {
	EFI_TABLE_HEADER Hdr;
	CHAR16 *MmFirmwareVendor;
	UINT32 MmFirmwareRevision;
	EFI_MM_INSTALL_CONFIGURATION_TABLE MmInstallConfigurationTable;
	EFI_MM_CPU_IO_PROTOCOL MmIo;
	EFI_ALLOCATE_POOL MmAllocatePool;
	EFI_FREE_POOL MmFreePool;
	EFI_ALLOCATE_PAGES MmAllocatePages;
	EFI_FREE_PAGES MmFreePages;
	EFI_MM_STARTUP_THIS_AP MmStartupThisAp;
	UINTN CurrentlyExecutingCpu;
	UINTN NumberOfCpus;
	UINTN *CpuSaveStateSize;
	VOID **CpuSaveState;
	UINTN NumberOfTableEntries;
	EFI_CONFIGURATION_TABLE *MmConfigurationTable;
	EFI_INSTALL_PROTOCOL_INTERFACE MmInstallProtocolInterface;
	EFI_UNINSTALL_PROTOCOL_INTERFACE MmUninstallProtocolInterface;
	EFI_HANDLE_PROTOCOL MmHandleProtocol;
	EFI_MM_REGISTER_PROTOCOL_NOTIFY MmRegisterProtocolNotify;
	EFI_LOCATE_HANDLE MmLocateHandle;
	EFI_LOCATE_PROTOCOL MmLocateProtocol;
	EFI_MM_INTERRUPT_MANAGE MmiManage;
	EFI_MM_INTERRUPT_REGISTER MmiHandlerRegister;
	EFI_MM_INTERRUPT_UNREGISTER MmiHandlerUnRegister;
};

/* Entry point of an MM standalone driver (PI 1.8 volume 4, section 3.3). */
typedef EFI_STATUS(EFIAPI *MM_IMAGE_ENTRY_POINT)(IN EFI_HANDLE ImageHandle,
						 IN EFI_MM_SYSTEM_TABLE *MmSystemTable);

#endif /* PI_MM_SYSTEM_TABLE_H */
