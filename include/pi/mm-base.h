/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_BASE_PROTOCOL (PI 1.8A volume 4, chapter 5 "UEFI Protocols"): lets
 * a traditional MM driver, which also sees the UEFI boot services during its
 * entry point, ask whether it runs inside MMRAM and find the MM System Table.
 * EDK2's EFI_SMM_BASE2_PROTOCOL (MdePkg Protocol/SmmBase2.h) names the
 * members InSmm and GetSmstLocation, so it has its own structure of the same
 * layout.
 */
#ifndef PI_MM_BASE_H
#define PI_MM_BASE_H

#include "base.h"
#include "mm-system-table.h"

#define EFI_MM_BASE_PROTOCOL_GUID                                                          \
	{ 0xf4ccbfb7, 0xf6e0, 0x47fd, { 0x9d, 0xd4, 0x10, 0xa8, 0xf1, 0x50, 0xc1, 0x91 } }
#define EFI_SMM_BASE2_PROTOCOL_GUID EFI_MM_BASE_PROTOCOL_GUID

typedef struct _EFI_MM_BASE_PROTOCOL EFI_MM_BASE_PROTOCOL;

/*
 * Sets *InMmram to TRUE inside an MM driver's entry point (running from
 * MMRAM), FALSE otherwise. EFI_SUCCESS; EFI_INVALID_PARAMETER if InMmram is NULL.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_INSIDE_OUT)(IN CONST EFI_MM_BASE_PROTOCOL *This,
					      OUT BOOLEAN *InMmram);
/*
 * Returns the MM System Table in *Mmst. EFI_SUCCESS; EFI_INVALID_PARAMETER if
 * Mmst is NULL; EFI_UNSUPPORTED outside MM.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_GET_MMST_LOCATION)(IN CONST EFI_MM_BASE_PROTOCOL *This,
						     IN OUT EFI_MM_SYSTEM_TABLE **Mmst);

struct _EFI_MM_BASE_PROTOCOL {
	EFI_MM_INSIDE_OUT InMm;
	EFI_MM_GET_MMST_LOCATION GetMmstLocation;
};

extern EFI_GUID gEfiMmBaseProtocolGuid;
extern EFI_GUID gEfiSmmBase2ProtocolGuid;

typedef struct _EFI_SMM_BASE2_PROTOCOL EFI_SMM_BASE2_PROTOCOL;

typedef EFI_STATUS(EFIAPI *EFI_SMM_INSIDE_OUT2)(IN CONST EFI_SMM_BASE2_PROTOCOL *This,
						OUT BOOLEAN *InSmram);
typedef EFI_STATUS(EFIAPI *EFI_SMM_GET_SMST_LOCATION2)(IN CONST EFI_SMM_BASE2_PROTOCOL *This,
						       IN OUT EFI_SMM_SYSTEM_TABLE2 **Smst);

struct _EFI_SMM_BASE2_PROTOCOL {
	EFI_SMM_INSIDE_OUT2 InSmm;
	EFI_SMM_GET_SMST_LOCATION2 GetSmstLocation;
};

#endif /* PI_MM_BASE_H */
