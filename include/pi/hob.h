/* SPDX-License-Identifier: MIT */
/*
 * Hand-Off Blocks (PI 1.8 volume 3, chapter 5 "HOB Code Definitions"): the
 * list the HOB producer phase leaves for DXE, found through the
 * configuration table entry gEfiHobListGuid. Every HOB starts with the
 * generic header; lengths are multiples of 8; the list ends with
 * EFI_HOB_TYPE_END_OF_HOB_LIST and starts with the PHIT HOB.
 *
 *   EFI_HOB_GENERIC_HEADER        0x00 HobType 0x02 HobLength 0x04 Reserved  = 0x08
 *   EFI_HOB_HANDOFF_INFO_TABLE    Version, BootMode, 5 addresses            = 0x38
 *   EFI_HOB_MEMORY_ALLOCATION     header + descriptor (Name, Base, Length,
 *                                 MemoryType, Reserved[4])                  = 0x30
 *   EFI_HOB_RESOURCE_DESCRIPTOR   Owner, Type, Attribute, Start, Length     = 0x30
 *   EFI_HOB_GUID_TYPE             header + Name, data follows               = 0x18
 *
 * EFI_PEI_MM_CORE_GUID (PI 1.8 volume 4, 1.4/1.5): a GUID HOB whose data
 * says the MM Foundation was already loaded (standalone MM initialised in
 * SEC or PEI). The specification names the GUID and the
 * EFI_PEI_MM_CORE_LOADED flag; EDK2's MdePkg has no definition of it. The
 * value below is the one published code uses (not confirmed against the PI
 * PDF); the data layout (one UINT32 of flags) is ours.
 */
#ifndef PI_HOB_H
#define PI_HOB_H

#include "base.h"

#define EFI_HOB_LIST_GUID                                                                  \
	{ 0x7739f24c, 0x93d7, 0x11d4, { 0x9a, 0x3a, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d } }
#define EFI_PEI_MM_CORE_GUID                                                               \
	{ 0x8d1b3618, 0x111b, 0x4cba, { 0xb7, 0x9a, 0x55, 0xb3, 0x2f, 0x60, 0xf0, 0x29 } }

#define EFI_HOB_TYPE_HANDOFF 0x0001
#define EFI_HOB_TYPE_MEMORY_ALLOCATION 0x0002
#define EFI_HOB_TYPE_RESOURCE_DESCRIPTOR 0x0003
#define EFI_HOB_TYPE_GUID_EXTENSION 0x0004
#define EFI_HOB_TYPE_FV 0x0005
#define EFI_HOB_TYPE_CPU 0x0006
#define EFI_HOB_TYPE_MEMORY_POOL 0x0007
#define EFI_HOB_TYPE_FV2 0x0009
#define EFI_HOB_TYPE_UNUSED 0xFFFE
#define EFI_HOB_TYPE_END_OF_HOB_LIST 0xFFFF

#define EFI_HOB_HANDOFF_TABLE_VERSION 0x0009

typedef UINT32 EFI_BOOT_MODE;
#define BOOT_WITH_FULL_CONFIGURATION 0x00

typedef UINT32 EFI_RESOURCE_TYPE;
#define EFI_RESOURCE_SYSTEM_MEMORY 0x00000000
#define EFI_RESOURCE_MEMORY_MAPPED_IO 0x00000001
#define EFI_RESOURCE_IO 0x00000002
#define EFI_RESOURCE_FIRMWARE_DEVICE 0x00000003
#define EFI_RESOURCE_MEMORY_MAPPED_IO_PORT 0x00000004
#define EFI_RESOURCE_MEMORY_RESERVED 0x00000005
#define EFI_RESOURCE_IO_RESERVED 0x00000006

typedef UINT32 EFI_RESOURCE_ATTRIBUTE_TYPE;
#define EFI_RESOURCE_ATTRIBUTE_PRESENT 0x00000001
#define EFI_RESOURCE_ATTRIBUTE_INITIALIZED 0x00000002
#define EFI_RESOURCE_ATTRIBUTE_TESTED 0x00000004
#define EFI_RESOURCE_ATTRIBUTE_UNCACHEABLE 0x00000400
#define EFI_RESOURCE_ATTRIBUTE_WRITE_COMBINEABLE 0x00000800
#define EFI_RESOURCE_ATTRIBUTE_WRITE_THROUGH_CACHEABLE 0x00001000
#define EFI_RESOURCE_ATTRIBUTE_WRITE_BACK_CACHEABLE 0x00002000

typedef struct {
	UINT16 HobType;
	UINT16 HobLength;
	UINT32 Reserved;
} EFI_HOB_GENERIC_HEADER;

typedef struct {
	EFI_HOB_GENERIC_HEADER Header;
	UINT32 Version;
	EFI_BOOT_MODE BootMode;
	EFI_PHYSICAL_ADDRESS EfiMemoryTop;
	EFI_PHYSICAL_ADDRESS EfiMemoryBottom;
	EFI_PHYSICAL_ADDRESS EfiFreeMemoryTop;
	EFI_PHYSICAL_ADDRESS EfiFreeMemoryBottom;
	EFI_PHYSICAL_ADDRESS EfiEndOfHobList;
} EFI_HOB_HANDOFF_INFO_TABLE;

typedef struct {
	EFI_GUID Name;
	EFI_PHYSICAL_ADDRESS MemoryBaseAddress;
	UINT64 MemoryLength;
	UINT32 MemoryType; /* EFI_MEMORY_TYPE */
	UINT8 Reserved[4];
} EFI_HOB_MEMORY_ALLOCATION_HEADER;

typedef struct {
	EFI_HOB_GENERIC_HEADER Header;
	EFI_HOB_MEMORY_ALLOCATION_HEADER AllocDescriptor;
} EFI_HOB_MEMORY_ALLOCATION;

typedef struct {
	EFI_HOB_GENERIC_HEADER Header;
	EFI_GUID Owner;
	EFI_RESOURCE_TYPE ResourceType;
	EFI_RESOURCE_ATTRIBUTE_TYPE ResourceAttribute;
	EFI_PHYSICAL_ADDRESS PhysicalStart;
	UINT64 ResourceLength;
} EFI_HOB_RESOURCE_DESCRIPTOR;

typedef struct {
	EFI_HOB_GENERIC_HEADER Header;
	EFI_GUID Name;
} EFI_HOB_GUID_TYPE;

/* Data of the EFI_PEI_MM_CORE_GUID HOB (our layout: see the head of this file). */
#define EFI_PEI_MM_CORE_LOADED 0x00000001
typedef struct {
	UINT32 Flags;
	UINT32 Reserved;
} EFI_PEI_MM_CORE_HOB_DATA;

extern EFI_GUID gEfiHobListGuid;
extern EFI_GUID gEfiPeiMmCoreGuid;

#endif /* PI_HOB_H */
