/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL (PI 1.8A volume 4, section 7.4):
 * child handlers called when at least Period (100 ns units) has elapsed,
 * driven by a periodic MMI of one of the chipset's tick intervals. EDK2's
 * EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL (MdePkg
 * Protocol/SmmPeriodicTimerDispatch2.h) names the tick field SmiTickInterval,
 * so the SMM names get their own structures of the same layout.
 */
#ifndef PI_MM_PERIODIC_TIMER_DISPATCH_H
#define PI_MM_PERIODIC_TIMER_DISPATCH_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL_GUID                                       \
	{ 0x4cec368e, 0x8e8e, 0x4d71, { 0x8b, 0xe1, 0x95, 0x8c, 0x45, 0xfc, 0x8a, 0x53 } }
#define EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL_GUID EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL_GUID

/*
 * Period: the least time between two calls of the child. MmiTickInterval:
 * the MMI rate the child asks for (one of GetNextShorterInterval's values,
 * or 0 to let the parent choose). Both in 100 ns units.
 */
typedef struct {
	UINT64 Period;
	UINT64 MmiTickInterval;
} EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT;

/* Passed to the child as CommBuffer: time since its last call, 0 if unknown. */
typedef struct {
	UINT64 ElapsedTime;
} EFI_MM_PERIODIC_TIMER_CONTEXT;

typedef struct _EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL;

/*
 * Registers DispatchFunction to run every RegisterContext->Period. Returns the
 * handle in *DispatchHandle. EFI_SUCCESS; EFI_INVALID_PARAMETER for a period
 * out of range; EFI_OUT_OF_RESOURCES; EFI_DEVICE_ERROR.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_PERIODIC_TIMER_REGISTER)(
	IN CONST EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *This,
	IN EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
	IN CONST EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT *RegisterContext,
	OUT EFI_HANDLE *DispatchHandle);
/* Removes a child. EFI_SUCCESS, or EFI_INVALID_PARAMETER for an unknown handle. */
typedef EFI_STATUS(EFIAPI *EFI_MM_PERIODIC_TIMER_UNREGISTER)(
	IN CONST EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *This, IN EFI_HANDLE DispatchHandle);
/*
 * Iterates over the supported tick intervals, longest first: call with
 * *MmiTickInterval NULL to get a pointer to the longest, pass it back to get
 * the next shorter one; *MmiTickInterval is NULL after the last. EFI_SUCCESS.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_PERIODIC_TIMER_INTERVAL)(
	IN CONST EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *This, IN OUT UINT64 **MmiTickInterval);

struct _EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL {
	EFI_MM_PERIODIC_TIMER_REGISTER Register;
	EFI_MM_PERIODIC_TIMER_UNREGISTER UnRegister;
	EFI_MM_PERIODIC_TIMER_INTERVAL GetNextShorterInterval;
};

extern EFI_GUID gEfiMmPeriodicTimerDispatchProtocolGuid;
extern EFI_GUID gEfiSmmPeriodicTimerDispatch2ProtocolGuid;

/* EDK2's SMM spelling (PiSmmCis.h): the handler type is the same function type. */
typedef EFI_MM_HANDLER_ENTRY_POINT EFI_SMM_HANDLER_ENTRY_POINT2;

typedef struct {
	UINT64 Period;
	UINT64 SmiTickInterval;
} EFI_SMM_PERIODIC_TIMER_REGISTER_CONTEXT;

typedef EFI_MM_PERIODIC_TIMER_CONTEXT EFI_SMM_PERIODIC_TIMER_CONTEXT;

typedef struct _EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_SMM_PERIODIC_TIMER_REGISTER2)(
	IN CONST EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL *This,
	IN EFI_SMM_HANDLER_ENTRY_POINT2 DispatchFunction,
	IN CONST EFI_SMM_PERIODIC_TIMER_REGISTER_CONTEXT *RegisterContext,
	OUT EFI_HANDLE *DispatchHandle);
typedef EFI_STATUS(EFIAPI *EFI_SMM_PERIODIC_TIMER_UNREGISTER2)(
	IN CONST EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL *This, IN EFI_HANDLE DispatchHandle);
typedef EFI_STATUS(EFIAPI *EFI_SMM_PERIODIC_TIMER_INTERVAL2)(
	IN CONST EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL *This, IN OUT UINT64 **SmiTickInterval);

struct _EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL {
	EFI_SMM_PERIODIC_TIMER_REGISTER2 Register;
	EFI_SMM_PERIODIC_TIMER_UNREGISTER2 UnRegister;
	EFI_SMM_PERIODIC_TIMER_INTERVAL2 GetNextShorterInterval;
};

#endif /* PI_MM_PERIODIC_TIMER_DISPATCH_H */
