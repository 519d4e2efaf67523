/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_SW_DISPATCH_PROTOCOL (PI 1.8A volume 4, section 7.2): child handlers
 * for software MMIs, one per SwMmiInputValue (the byte written to the APM
 * command port on x86). This is the "2" form EDK2 calls
 * EFI_SMM_SW_DISPATCH2_PROTOCOL (MdePkg Protocol/SmmSwDispatch2.h); its
 * structures spell the fields "Smi" instead of "Mmi", so the SMM names get
 * their own structures with the same layout (checked in pi-layout-test.c).
 */
#ifndef PI_MM_SW_DISPATCH_H
#define PI_MM_SW_DISPATCH_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_SW_DISPATCH_PROTOCOL_GUID                                                   \
	{ 0x18a3c6dc, 0x5eea, 0x48c8, { 0xa1, 0xc1, 0xb5, 0x33, 0x89, 0xf9, 0x89, 0x99 } }
#define EFI_SMM_SW_DISPATCH2_PROTOCOL_GUID EFI_MM_SW_DISPATCH_PROTOCOL_GUID

/* Which software MMI value a child handles; the parent allows one child per value. */
typedef struct {
	UINTN SwMmiInputValue;
} EFI_MM_SW_REGISTER_CONTEXT;

/*
 * Passed to the child as CommBuffer (CommBufferSize = its size):
 *
 *   0x00 SwMmiCpuIndex  UINTN  CPU that raised the software MMI
 *   0x08 CommandPort    UINT8  value written to the command port
 *   0x09 DataPort       UINT8  value of the data port   sizeof = 0x10
 */
typedef struct {
	UINTN SwMmiCpuIndex;
	UINT8 CommandPort;
	UINT8 DataPort;
} EFI_MM_SW_CONTEXT;

typedef struct _EFI_MM_SW_DISPATCH_PROTOCOL EFI_MM_SW_DISPATCH_PROTOCOL;

/*
 * Registers DispatchFunction for the software MMI value in *RegisterContext
 * (the parent may assign one and write it back). Returns the handle in
 * *DispatchHandle. EFI_SUCCESS; EFI_INVALID_PARAMETER if the value is out of
 * range or taken; EFI_OUT_OF_RESOURCES; EFI_DEVICE_ERROR if the source could
 * not be enabled.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_SW_REGISTER)(IN CONST EFI_MM_SW_DISPATCH_PROTOCOL *This,
					       IN EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
					       IN OUT EFI_MM_SW_REGISTER_CONTEXT *RegisterContext,
					       OUT EFI_HANDLE *DispatchHandle);
/* Removes a child. EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle. */
typedef EFI_STATUS(EFIAPI *EFI_MM_SW_UNREGISTER)(IN CONST EFI_MM_SW_DISPATCH_PROTOCOL *This,
						 IN EFI_HANDLE DispatchHandle);

struct _EFI_MM_SW_DISPATCH_PROTOCOL {
	EFI_MM_SW_REGISTER Register;
	EFI_MM_SW_UNREGISTER UnRegister;
	UINTN MaximumSwiValue; /* largest value Register() accepts */
};

extern EFI_GUID gEfiMmSwDispatchProtocolGuid;
extern EFI_GUID gEfiSmmSwDispatch2ProtocolGuid;

/* EDK2's SMM spelling (PiSmmCis.h): the handler type is the same function type. */
typedef EFI_MM_HANDLER_ENTRY_POINT EFI_SMM_HANDLER_ENTRY_POINT2;

typedef struct {
	UINTN SwSmiInputValue;
} EFI_SMM_SW_REGISTER_CONTEXT;

typedef struct {
	UINTN SwSmiCpuIndex;
	UINT8 CommandPort;
	UINT8 DataPort;
} EFI_SMM_SW_CONTEXT;

typedef struct _EFI_SMM_SW_DISPATCH2_PROTOCOL EFI_SMM_SW_DISPATCH2_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_SMM_SW_REGISTER2)(IN CONST EFI_SMM_SW_DISPATCH2_PROTOCOL *This,
						 IN EFI_SMM_HANDLER_ENTRY_POINT2 DispatchFunction,
						 IN OUT EFI_SMM_SW_REGISTER_CONTEXT *RegisterContext,
						 OUT EFI_HANDLE *DispatchHandle);
typedef EFI_STATUS(EFIAPI *EFI_SMM_SW_UNREGISTER2)(IN CONST EFI_SMM_SW_DISPATCH2_PROTOCOL *This,
						   IN EFI_HANDLE DispatchHandle);

struct _EFI_SMM_SW_DISPATCH2_PROTOCOL {
	EFI_SMM_SW_REGISTER2 Register;
	EFI_SMM_SW_UNREGISTER2 UnRegister;
	UINTN MaximumSwiValue;
};

#endif /* PI_MM_SW_DISPATCH_H */
