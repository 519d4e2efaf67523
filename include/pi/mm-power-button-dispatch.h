/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL (PI 1.8A volume 4, section 7.8):
 * child handlers for power-button presses and releases. EDK2's
 * EFI_SMM_POWER_BUTTON_DISPATCH2_PROTOCOL (MdePkg
 * Protocol/SmmPowerButtonDispatch2.h) is the same layout and field names.
 */
#ifndef PI_MM_POWER_BUTTON_DISPATCH_H
#define PI_MM_POWER_BUTTON_DISPATCH_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL_GUID                                         \
	{ 0x1b1183fa, 0x1823, 0x46a7, { 0x88, 0x72, 0x9c, 0x57, 0x87, 0x55, 0x40, 0x9d } }
#define EFI_SMM_POWER_BUTTON_DISPATCH2_PROTOCOL_GUID EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL_GUID

typedef enum {
	EfiPowerButtonEntry,
	EfiPowerButtonExit,
	EfiPowerButtonMax
} EFI_POWER_BUTTON_PHASE;

/* Whether the child runs on press (entry) or on release (exit). */
typedef struct {
	EFI_POWER_BUTTON_PHASE Phase;
} EFI_MM_POWER_BUTTON_REGISTER_CONTEXT;

typedef struct _EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL;

/*
 * Registers DispatchFunction for the phase in *RegisterContext; the child is
 * called with CommBuffer NULL. Returns the handle in *DispatchHandle.
 * EFI_SUCCESS; EFI_INVALID_PARAMETER; EFI_OUT_OF_RESOURCES; EFI_DEVICE_ERROR.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_POWER_BUTTON_REGISTER)(
	IN CONST EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL *This,
	IN EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
	IN EFI_MM_POWER_BUTTON_REGISTER_CONTEXT *RegisterContext, OUT EFI_HANDLE *DispatchHandle);
/* Removes a child. EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle. */
typedef EFI_STATUS(EFIAPI *EFI_MM_POWER_BUTTON_UNREGISTER)(
	IN CONST EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL *This, IN EFI_HANDLE DispatchHandle);

struct _EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL {
	EFI_MM_POWER_BUTTON_REGISTER Register;
	EFI_MM_POWER_BUTTON_UNREGISTER UnRegister;
};

extern EFI_GUID gEfiMmPowerButtonDispatchProtocolGuid;
extern EFI_GUID gEfiSmmPowerButtonDispatch2ProtocolGuid;

typedef EFI_MM_POWER_BUTTON_REGISTER_CONTEXT EFI_SMM_POWER_BUTTON_REGISTER_CONTEXT;
typedef EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL EFI_SMM_POWER_BUTTON_DISPATCH2_PROTOCOL;
typedef EFI_MM_POWER_BUTTON_REGISTER EFI_SMM_POWER_BUTTON_REGISTER2;
typedef EFI_MM_POWER_BUTTON_UNREGISTER EFI_SMM_POWER_BUTTON_UNREGISTER2;

#endif /* PI_MM_POWER_BUTTON_DISPATCH_H */
