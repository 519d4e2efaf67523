/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_SX_DISPATCH_PROTOCOL (PI 1.8A volume 4, section 7.3): child handlers
 * for sleep-state transitions (entry to or exit from S0..S5). EDK2's
 * EFI_SMM_SX_DISPATCH2_PROTOCOL (MdePkg Protocol/SmmSxDispatch2.h) is the same
 * layout with the same field names, so its names are plain aliases.
 */
#ifndef PI_MM_SX_DISPATCH_H
#define PI_MM_SX_DISPATCH_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_SX_DISPATCH_PROTOCOL_GUID                                                   \
	{ 0x456d2859, 0xa84b, 0x4e47, { 0xa2, 0xee, 0x32, 0x76, 0xd8, 0x86, 0x99, 0x7d } }
#define EFI_SMM_SX_DISPATCH2_PROTOCOL_GUID EFI_MM_SX_DISPATCH_PROTOCOL_GUID

typedef enum { SxS0, SxS1, SxS2, SxS3, SxS4, SxS5, EfiMaximumSleepType } EFI_SLEEP_TYPE;

typedef enum { SxEntry, SxExit, EfiMaximumPhase } EFI_SLEEP_PHASE;

/* Which transition a child handles; it is also the Context the child receives. */
typedef struct {
	EFI_SLEEP_TYPE Type;
	EFI_SLEEP_PHASE Phase;
} EFI_MM_SX_REGISTER_CONTEXT;

typedef struct _EFI_MM_SX_DISPATCH_PROTOCOL EFI_MM_SX_DISPATCH_PROTOCOL;

/*
 * Registers DispatchFunction for the Type/Phase in *RegisterContext; the
 * child is called with CommBuffer NULL. Returns the handle in *DispatchHandle.
 * EFI_SUCCESS; EFI_UNSUPPORTED for a transition the platform cannot trap;
 * EFI_INVALID_PARAMETER for Type/Phase out of range; EFI_OUT_OF_RESOURCES;
 * EFI_DEVICE_ERROR.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_SX_REGISTER)(IN CONST EFI_MM_SX_DISPATCH_PROTOCOL *This,
					       IN EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
					       IN CONST EFI_MM_SX_REGISTER_CONTEXT *RegisterContext,
					       OUT EFI_HANDLE *DispatchHandle);
/* Removes a child. EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle. */
typedef EFI_STATUS(EFIAPI *EFI_MM_SX_UNREGISTER)(IN CONST EFI_MM_SX_DISPATCH_PROTOCOL *This,
						 IN EFI_HANDLE DispatchHandle);

struct _EFI_MM_SX_DISPATCH_PROTOCOL {
	EFI_MM_SX_REGISTER Register;
	EFI_MM_SX_UNREGISTER UnRegister;
};

extern EFI_GUID gEfiMmSxDispatchProtocolGuid;
extern EFI_GUID gEfiSmmSxDispatch2ProtocolGuid;

typedef EFI_MM_SX_REGISTER_CONTEXT EFI_SMM_SX_REGISTER_CONTEXT;
typedef EFI_MM_SX_DISPATCH_PROTOCOL EFI_SMM_SX_DISPATCH2_PROTOCOL;
typedef EFI_MM_SX_REGISTER EFI_SMM_SX_REGISTER2;
typedef EFI_MM_SX_UNREGISTER EFI_SMM_SX_UNREGISTER2;

#endif /* PI_MM_SX_DISPATCH_H */
