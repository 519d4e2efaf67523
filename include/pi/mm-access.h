/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_ACCESS_PROTOCOL (PI 1.8A volume 4, chapter 5 "UEFI Protocols"): the
 * memory controller's view of MMRAM. It opens MMRAM to code outside MM,
 * closes it again, locks the configuration until reset, and describes every
 * MMRAM region. EDK2 calls it EFI_SMM_ACCESS2_PROTOCOL (MdePkg
 * Protocol/SmmAccess2.h); EFI_MMRAM_DESCRIPTOR and the state bits come from
 * EDK2 MdePkg Pi/PiMultiPhase.h (PI volume 4 MMRAM descriptor).
 *
 * EFI_MMRAM_DESCRIPTOR:
 *   0x00 PhysicalStart  address on the bus (what I/O agents see)
 *   0x08 CpuStart       address the CPUs use (may differ)
 *   0x10 PhysicalSize   bytes
 *   0x18 RegionState    EFI_MMRAM_* and EFI_* bits below    sizeof = 0x20
 */
#ifndef PI_MM_ACCESS_H
#define PI_MM_ACCESS_H

#include "base.h"

#define EFI_MM_ACCESS_PROTOCOL_GUID                                                        \
	{ 0xc2702b74, 0x800c, 0x4131, { 0x87, 0x46, 0x8f, 0xb5, 0xb8, 0x9c, 0xe4, 0xac } }
#define EFI_SMM_ACCESS2_PROTOCOL_GUID EFI_MM_ACCESS_PROTOCOL_GUID

/* RegionState bits: hardware state, capability, allocation, pre-use work. */
#define EFI_MMRAM_OPEN 0x00000001
#define EFI_MMRAM_CLOSED 0x00000002
#define EFI_MMRAM_LOCKED 0x00000004
#define EFI_CACHEABLE 0x00000008
#define EFI_ALLOCATED 0x00000010
#define EFI_NEEDS_TESTING 0x00000020
#define EFI_NEEDS_ECC_INITIALIZATION 0x00000040
#define EFI_SMRAM_OPEN EFI_MMRAM_OPEN
#define EFI_SMRAM_CLOSED EFI_MMRAM_CLOSED
#define EFI_SMRAM_LOCKED EFI_MMRAM_LOCKED

typedef struct {
	EFI_PHYSICAL_ADDRESS PhysicalStart;
	EFI_PHYSICAL_ADDRESS CpuStart;
	UINT64 PhysicalSize;
	UINT64 RegionState;
} EFI_MMRAM_DESCRIPTOR;
typedef EFI_MMRAM_DESCRIPTOR EFI_SMRAM_DESCRIPTOR;

typedef struct _EFI_MM_ACCESS_PROTOCOL EFI_MM_ACCESS_PROTOCOL;

/*
 * Makes MMRAM visible outside MM. EFI_SUCCESS; EFI_UNSUPPORTED if MMRAM
 * cannot be hidden at all; EFI_DEVICE_ERROR if the configuration is locked.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_OPEN)(IN EFI_MM_ACCESS_PROTOCOL *This);
/*
 * Hides MMRAM from code outside MM. EFI_SUCCESS; EFI_UNSUPPORTED;
 * EFI_DEVICE_ERROR if it cannot be closed.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_CLOSE)(IN EFI_MM_ACCESS_PROTOCOL *This);
/* Locks the MMRAM configuration (write-once). EFI_SUCCESS; EFI_UNSUPPORTED. */
typedef EFI_STATUS(EFIAPI *EFI_MM_LOCK)(IN EFI_MM_ACCESS_PROTOCOL *This);
/*
 * Copies the MMRAM region descriptors into MmramMap, whose size in bytes is
 * *MmramMapSize; *MmramMapSize returns the size needed. EFI_SUCCESS;
 * EFI_BUFFER_TOO_SMALL.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_CAPABILITIES)(IN CONST EFI_MM_ACCESS_PROTOCOL *This,
						IN OUT UINTN *MmramMapSize,
						IN OUT EFI_MMRAM_DESCRIPTOR *MmramMap);

/*
 *   0x00 Open  0x08 Close  0x10 Lock  0x18 GetCapabilities
 *   0x20 LockState  0x21 OpenState (BOOLEAN)   sizeof = 0x28
 */
struct _EFI_MM_ACCESS_PROTOCOL {
	EFI_MM_OPEN Open;
	EFI_MM_CLOSE Close;
	EFI_MM_LOCK Lock;
	EFI_MM_CAPABILITIES GetCapabilities;
	BOOLEAN LockState; /* TRUE once MMRAM is locked */
	BOOLEAN OpenState; /* TRUE while MMRAM is open */
};

extern EFI_GUID gEfiMmAccessProtocolGuid;
extern EFI_GUID gEfiSmmAccess2ProtocolGuid;

typedef EFI_MM_ACCESS_PROTOCOL EFI_SMM_ACCESS2_PROTOCOL;
typedef EFI_MM_OPEN EFI_SMM_OPEN2;
typedef EFI_MM_CLOSE EFI_SMM_CLOSE2;
typedef EFI_MM_LOCK EFI_SMM_LOCK2;
typedef EFI_MM_CAPABILITIES EFI_SMM_CAPABILITIES2;

#endif /* PI_MM_ACCESS_H */
