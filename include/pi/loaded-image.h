/* SPDX-License-Identifier: MIT */
/*
 * EFI_LOADED_IMAGE_PROTOCOL (UEFI 2.10, section 9.1): installed on the image
 * handle the MM dispatcher creates for every driver before calling its entry
 * point, describing where the image was loaded. In MM, SystemTable is NULL
 * (the driver gets the MM System Table as its second entry argument).
 *
 *   offset  field
 *   0x00    Revision          (UINT32, padded)
 *   0x08    ParentHandle
 *   0x10    SystemTable
 *   0x18    DeviceHandle
 *   0x20    FilePath
 *   0x28    Reserved
 *   0x30    LoadOptionsSize   (UINT32, padded)
 *   0x38    LoadOptions
 *   0x40    ImageBase
 *   0x48    ImageSize
 *   0x50    ImageCodeType     (EFI_MEMORY_TYPE, 4 bytes)
 *   0x54    ImageDataType     (EFI_MEMORY_TYPE, 4 bytes)
 *   0x58    Unload
 *   0x60    (size)
 */
#ifndef PI_LOADED_IMAGE_H
#define PI_LOADED_IMAGE_H

#include "base.h"

#define EFI_LOADED_IMAGE_PROTOCOL_GUID                                                     \
	{ 0x5b1b31a1, 0x9562, 0x11d2, { 0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b } }

#define EFI_LOADED_IMAGE_PROTOCOL_REVISION 0x1000

/* UEFI 2.10, section 7.4, UnloadImage / EFI_LOADED_IMAGE_PROTOCOL.Unload. */
typedef EFI_STATUS(EFIAPI *EFI_IMAGE_UNLOAD)(IN EFI_HANDLE ImageHandle);

struct _EFI_SYSTEM_TABLE;

typedef struct {
	UINT32 Revision;
	EFI_HANDLE ParentHandle;
	struct _EFI_SYSTEM_TABLE *SystemTable; /* EFI_SYSTEM_TABLE *; NULL in MM */
	EFI_HANDLE DeviceHandle;
	VOID *FilePath;                         /* EFI_DEVICE_PATH_PROTOCOL * */
	VOID *Reserved;
	UINT32 LoadOptionsSize;
	VOID *LoadOptions;
	VOID *ImageBase;
	UINT64 ImageSize;
	EFI_MEMORY_TYPE ImageCodeType;
	EFI_MEMORY_TYPE ImageDataType;
	EFI_IMAGE_UNLOAD Unload;
} EFI_LOADED_IMAGE_PROTOCOL;

extern EFI_GUID gEfiLoadedImageProtocolGuid;

#endif /* PI_LOADED_IMAGE_H */
