/* SPDX-License-Identifier: MIT */
/*
 * The lock-down sequence, as GUIDs with no interface behind them (PI 1.8A
 * volume 4: the MM End Of DXE and MM Ready To Lock protocols in chapter 4,
 * the DXE MM Ready To Lock protocol in chapter 5; the End of DXE event group
 * in volume 2):
 *
 *   outside MM                               inside MM
 *   EndOfDxe event group signalled    --->   EFI_MM_END_OF_DXE_PROTOCOL installed
 *   EFI_DXE_MM_READY_TO_LOCK_PROTOCOL --->   EFI_MM_READY_TO_LOCK_PROTOCOL installed
 *   installed (boot-services database)       (after EndOfDxe; then MMRAM is locked)
 *
 * Drivers register protocol notifies on the MM GUIDs to take their last
 * actions before third-party code runs. EDK2's SMM spellings (SmmEndOfDxe,
 * SmmReadyToLock, DxeSmmReadyToLock) are the same GUIDs.
 */
#ifndef PI_MM_READY_TO_LOCK_H
#define PI_MM_READY_TO_LOCK_H

#include "base.h"

#define EFI_MM_END_OF_DXE_PROTOCOL_GUID                                                    \
	{ 0x24e70042, 0xd5c5, 0x4260, { 0x8c, 0x39, 0x0a, 0xd3, 0xaa, 0x32, 0xe9, 0x3d } }
#define EFI_SMM_END_OF_DXE_PROTOCOL_GUID EFI_MM_END_OF_DXE_PROTOCOL_GUID

#define EFI_MM_READY_TO_LOCK_PROTOCOL_GUID                                                 \
	{ 0x47b7fa8c, 0xf4bd, 0x4af6, { 0x82, 0x00, 0x33, 0x30, 0x86, 0xf0, 0xd2, 0xc8 } }
#define EFI_SMM_READY_TO_LOCK_PROTOCOL_GUID EFI_MM_READY_TO_LOCK_PROTOCOL_GUID

#define EFI_DXE_MM_READY_TO_LOCK_PROTOCOL_GUID                                             \
	{ 0x60ff8964, 0xe906, 0x41d0, { 0xaf, 0xed, 0xf2, 0x41, 0xe9, 0x74, 0xe0, 0x8e } }
#define EFI_DXE_SMM_READY_TO_LOCK_PROTOCOL_GUID EFI_DXE_MM_READY_TO_LOCK_PROTOCOL_GUID

/* Event group signalled by the DXE platform code at End of DXE (PI volume 2). */
#define EFI_END_OF_DXE_EVENT_GROUP_GUID                                                    \
	{ 0x02ce967a, 0xdd7e, 0x4ffc, { 0x9e, 0xe7, 0x81, 0x0c, 0xf0, 0x47, 0x08, 0x80 } }

extern EFI_GUID gEfiMmEndOfDxeProtocolGuid;
extern EFI_GUID gEfiSmmEndOfDxeProtocolGuid;
extern EFI_GUID gEfiMmReadyToLockProtocolGuid;
extern EFI_GUID gEfiSmmReadyToLockProtocolGuid;
extern EFI_GUID gEfiDxeMmReadyToLockProtocolGuid;
extern EFI_GUID gEfiDxeSmmReadyToLockProtocolGuid;
extern EFI_GUID gEfiEndOfDxeEventGroupGuid;

#endif /* PI_MM_READY_TO_LOCK_H */
