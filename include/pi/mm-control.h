/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_CONTROL_PROTOCOL (PI 1.8A volume 4, chapter 5 "UEFI Protocols"):
 * raises an MMI from outside MM, on x86 by writing the APM command and data
 * ports (0xB2/0xB3). EDK2 calls it EFI_SMM_CONTROL2_PROTOCOL (MdePkg
 * Protocol/SmmControl2.h).
 */
#ifndef PI_MM_CONTROL_H
#define PI_MM_CONTROL_H

#include "base.h"

#define EFI_MM_CONTROL_PROTOCOL_GUID                                                       \
	{ 0x843dc720, 0xab1e, 0x42cb, { 0x93, 0x57, 0x8a, 0x00, 0x78, 0xf3, 0x56, 0x1b } }
#define EFI_SMM_CONTROL2_PROTOCOL_GUID EFI_MM_CONTROL_PROTOCOL_GUID

typedef struct _EFI_MM_CONTROL_PROTOCOL EFI_MM_CONTROL_PROTOCOL;
typedef UINTN EFI_MM_PERIOD;

/*
 * Raises an MMI, writing *CommandPort and *DataPort when given. Periodic and
 * ActivationInterval ask for a repeating one. EFI_SUCCESS; EFI_DEVICE_ERROR
 * for an unsupported timing; EFI_INVALID_PARAMETER for an unsupported period
 * or an uncleared periodic activation; EFI_NOT_STARTED if MM is not set up.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_ACTIVATE)(IN CONST EFI_MM_CONTROL_PROTOCOL *This,
					    IN OUT UINT8 *CommandPort OPTIONAL,
					    IN OUT UINT8 *DataPort OPTIONAL,
					    IN BOOLEAN Periodic OPTIONAL,
					    IN UINTN ActivationInterval OPTIONAL);
/*
 * Acknowledges the MMI source Trigger() set. EFI_SUCCESS; EFI_DEVICE_ERROR;
 * EFI_INVALID_PARAMETER if Periodic is not supported.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_DEACTIVATE)(IN CONST EFI_MM_CONTROL_PROTOCOL *This,
					      IN BOOLEAN Periodic OPTIONAL);

/* 0x00 Trigger  0x08 Clear  0x10 MinimumTriggerPeriod   sizeof = 0x18 */
struct _EFI_MM_CONTROL_PROTOCOL {
	EFI_MM_ACTIVATE Trigger;
	EFI_MM_DEACTIVATE Clear;
	EFI_MM_PERIOD MinimumTriggerPeriod; /* shortest period Trigger() accepts */
};

extern EFI_GUID gEfiMmControlProtocolGuid;
extern EFI_GUID gEfiSmmControl2ProtocolGuid;

typedef EFI_MM_CONTROL_PROTOCOL EFI_SMM_CONTROL2_PROTOCOL;
typedef EFI_MM_PERIOD EFI_SMM_PERIOD;
typedef EFI_MM_ACTIVATE EFI_SMM_ACTIVATE2;
typedef EFI_MM_DEACTIVATE EFI_SMM_DEACTIVATE2;

#endif /* PI_MM_CONTROL_H */
