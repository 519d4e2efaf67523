/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_CPU_IO_PROTOCOL (PI 1.8 volume 4, section 7.2; EDK2 calls the same
 * layout EFI_MM_CPU_IO2 / EFI_SMM_CPU_IO2_PROTOCOL). The MM System Table
 * embeds one as its MmIo field.
 */
#ifndef PI_MM_CPU_IO_H
#define PI_MM_CPU_IO_H

#include "base.h"

#define EFI_MM_CPU_IO_PROTOCOL_GUID                                                        \
	{ 0x3242a9d8, 0xce70, 0x4aa0, { 0x95, 0x5d, 0x5e, 0x7b, 0x14, 0x0d, 0xe4, 0xd2 } }
#define EFI_SMM_CPU_IO2_PROTOCOL_GUID EFI_MM_CPU_IO_PROTOCOL_GUID

typedef struct _EFI_MM_CPU_IO_PROTOCOL EFI_MM_CPU_IO_PROTOCOL;
typedef EFI_MM_CPU_IO_PROTOCOL EFI_SMM_CPU_IO2_PROTOCOL;

typedef enum {
	MM_IO_UINT8 = 0,
	MM_IO_UINT16 = 1,
	MM_IO_UINT32 = 2,
	MM_IO_UINT64 = 3
} EFI_MM_IO_WIDTH;
typedef EFI_MM_IO_WIDTH EFI_SMM_IO_WIDTH;
#define SMM_IO_UINT8 MM_IO_UINT8
#define SMM_IO_UINT16 MM_IO_UINT16
#define SMM_IO_UINT32 MM_IO_UINT32
#define SMM_IO_UINT64 MM_IO_UINT64

typedef EFI_STATUS(EFIAPI *EFI_MM_CPU_IO)(IN CONST EFI_MM_CPU_IO_PROTOCOL *This,
					  IN EFI_MM_IO_WIDTH Width, IN UINT64 Address,
					  IN UINTN Count, IN OUT VOID *Buffer);
typedef EFI_MM_CPU_IO EFI_SMM_CPU_IO2;

typedef struct {
	EFI_MM_CPU_IO Read;
	EFI_MM_CPU_IO Write;
} EFI_MM_IO_ACCESS;
typedef EFI_MM_IO_ACCESS EFI_SMM_IO_ACCESS2;

struct _EFI_MM_CPU_IO_PROTOCOL {
	EFI_MM_IO_ACCESS Mem;
	EFI_MM_IO_ACCESS Io;
};

extern EFI_GUID gEfiMmCpuIoProtocolGuid;
extern EFI_GUID gEfiSmmCpuIo2ProtocolGuid;

#endif /* PI_MM_CPU_IO_H */
