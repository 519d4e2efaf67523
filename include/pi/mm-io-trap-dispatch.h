/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_IO_TRAP_DISPATCH_PROTOCOL (PI 1.8A volume 4, section 7.9): child
 * handlers for MMIs raised by reads or writes to a trapped I/O port range.
 * EDK2's EFI_SMM_IO_TRAP_DISPATCH2_PROTOCOL (MdePkg
 * Protocol/SmmIoTrapDispatch2.h) is the same layout and field names.
 */
#ifndef PI_MM_IO_TRAP_DISPATCH_H
#define PI_MM_IO_TRAP_DISPATCH_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_IO_TRAP_DISPATCH_PROTOCOL_GUID                                              \
	{ 0x58dc368d, 0x7bfa, 0x4e77, { 0xab, 0xbc, 0x0e, 0x29, 0x41, 0x8d, 0xf9, 0x30 } }
#define EFI_SMM_IO_TRAP_DISPATCH2_PROTOCOL_GUID EFI_MM_IO_TRAP_DISPATCH_PROTOCOL_GUID

typedef enum {
	WriteTrap,
	ReadTrap,
	ReadWriteTrap,
	IoTrapTypeMaximum
} EFI_MM_IO_TRAP_DISPATCH_TYPE;

/*
 * The trapped range. Address 0 asks the parent to allocate a range of Length
 * ports and write its base back.
 *
 *   0x00 Address  UINT16
 *   0x02 Length   UINT16
 *   0x04 Type     enum (4 bytes)   sizeof = 0x08
 */
typedef struct {
	UINT16 Address;
	UINT16 Length;
	EFI_MM_IO_TRAP_DISPATCH_TYPE Type;
} EFI_MM_IO_TRAP_REGISTER_CONTEXT;

/* Passed to the child as CommBuffer: the value written by the trapped access. */
typedef struct {
	UINT32 WriteData;
} EFI_MM_IO_TRAP_CONTEXT;

typedef struct _EFI_MM_IO_TRAP_DISPATCH_PROTOCOL EFI_MM_IO_TRAP_DISPATCH_PROTOCOL;

/*
 * Registers DispatchFunction for the range in *RegisterContext (allocating it
 * if Address is 0). Returns the handle in *DispatchHandle. EFI_SUCCESS;
 * EFI_OUT_OF_RESOURCES if no range or trap is free; EFI_INVALID_PARAMETER;
 * EFI_DEVICE_ERROR.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_IO_TRAP_DISPATCH_REGISTER)(
	IN CONST EFI_MM_IO_TRAP_DISPATCH_PROTOCOL *This,
	IN EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
	IN OUT EFI_MM_IO_TRAP_REGISTER_CONTEXT *RegisterContext, OUT EFI_HANDLE *DispatchHandle);
/* Removes a child. EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle. */
typedef EFI_STATUS(EFIAPI *EFI_MM_IO_TRAP_DISPATCH_UNREGISTER)(
	IN CONST EFI_MM_IO_TRAP_DISPATCH_PROTOCOL *This, IN EFI_HANDLE DispatchHandle);

struct _EFI_MM_IO_TRAP_DISPATCH_PROTOCOL {
	EFI_MM_IO_TRAP_DISPATCH_REGISTER Register;
	EFI_MM_IO_TRAP_DISPATCH_UNREGISTER UnRegister;
};

extern EFI_GUID gEfiMmIoTrapDispatchProtocolGuid;
extern EFI_GUID gEfiSmmIoTrapDispatch2ProtocolGuid;

typedef EFI_MM_IO_TRAP_DISPATCH_TYPE EFI_SMM_IO_TRAP_DISPATCH_TYPE;
typedef EFI_MM_IO_TRAP_REGISTER_CONTEXT EFI_SMM_IO_TRAP_REGISTER_CONTEXT;
typedef EFI_MM_IO_TRAP_CONTEXT EFI_SMM_IO_TRAP_CONTEXT;
typedef EFI_MM_IO_TRAP_DISPATCH_PROTOCOL EFI_SMM_IO_TRAP_DISPATCH2_PROTOCOL;
typedef EFI_MM_IO_TRAP_DISPATCH_REGISTER EFI_SMM_IO_TRAP_DISPATCH2_REGISTER;
typedef EFI_MM_IO_TRAP_DISPATCH_UNREGISTER EFI_SMM_IO_TRAP_DISPATCH2_UNREGISTER;

#endif /* PI_MM_IO_TRAP_DISPATCH_H */
