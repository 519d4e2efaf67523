/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_GPI_DISPATCH_PROTOCOL (PI 1.8A volume 4, section 7.6): child
 * handlers for MMIs raised by general-purpose inputs. EDK2's
 * EFI_SMM_GPI_DISPATCH2_PROTOCOL (MdePkg Protocol/SmmGpiDispatch2.h) is the
 * same layout and field names.
 */
#ifndef PI_MM_GPI_DISPATCH_H
#define PI_MM_GPI_DISPATCH_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_GPI_DISPATCH_PROTOCOL_GUID                                                  \
	{ 0x25566b03, 0xb577, 0x4cbf, { 0x95, 0x8c, 0xed, 0x66, 0x3e, 0xa2, 0x43, 0x80 } }
#define EFI_SMM_GPI_DISPATCH2_PROTOCOL_GUID EFI_MM_GPI_DISPATCH_PROTOCOL_GUID

/*
 * The logical GPI number (GPI[GpiNum]) a child handles. The child receives
 * another instance as CommBuffer, naming the GPI that fired.
 */
typedef struct {
	UINT64 GpiNum;
} EFI_MM_GPI_REGISTER_CONTEXT;

typedef struct _EFI_MM_GPI_DISPATCH_PROTOCOL EFI_MM_GPI_DISPATCH_PROTOCOL;

/*
 * Registers DispatchFunction for the GPI in *RegisterContext. Returns the
 * handle in *DispatchHandle. EFI_SUCCESS; EFI_INVALID_PARAMETER for a GPI out
 * of range; EFI_OUT_OF_RESOURCES; EFI_DEVICE_ERROR.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_GPI_REGISTER)(IN CONST EFI_MM_GPI_DISPATCH_PROTOCOL *This,
						IN EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
						IN CONST EFI_MM_GPI_REGISTER_CONTEXT *RegisterContext,
						OUT EFI_HANDLE *DispatchHandle);
/* Removes a child. EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle. */
typedef EFI_STATUS(EFIAPI *EFI_MM_GPI_UNREGISTER)(IN CONST EFI_MM_GPI_DISPATCH_PROTOCOL *This,
						  IN EFI_HANDLE DispatchHandle);

struct _EFI_MM_GPI_DISPATCH_PROTOCOL {
	EFI_MM_GPI_REGISTER Register;
	EFI_MM_GPI_UNREGISTER UnRegister;
	UINTN NumSupportedGpis; /* number of GPIs that can have handlers */
};

extern EFI_GUID gEfiMmGpiDispatchProtocolGuid;
extern EFI_GUID gEfiSmmGpiDispatch2ProtocolGuid;

typedef EFI_MM_GPI_REGISTER_CONTEXT EFI_SMM_GPI_REGISTER_CONTEXT;
typedef EFI_MM_GPI_DISPATCH_PROTOCOL EFI_SMM_GPI_DISPATCH2_PROTOCOL;
typedef EFI_MM_GPI_REGISTER EFI_SMM_GPI_REGISTER2;
typedef EFI_MM_GPI_UNREGISTER EFI_SMM_GPI_UNREGISTER2;

#endif /* PI_MM_GPI_DISPATCH_H */
