/* SPDX-License-Identifier: MIT */
/*
 * UEFI base types, status codes and common structures.
 *
 * Our own declarations of the facts in the UEFI specification (2.10, section
 * 2.3.1 "Data Types" and appendix D "Status Codes") and the PI specification,
 * volume 4. Names follow the specifications so that driver code written for
 * EDK2 compiles unchanged; layouts are checked by static asserts in
 * tests/include/pi-layout-test.c.
 */
#ifndef PI_BASE_H
#define PI_BASE_H

#include <stddef.h>
#include <stdint.h>

/* MS x64 calling convention for every function a driver sees (UEFI 2.3.4). */
#if defined(__x86_64__)
#define EFIAPI __attribute__((ms_abi))
#else
#define EFIAPI
#endif

#define IN
#define OUT
#define OPTIONAL
#define CONST const

typedef uint8_t UINT8;
typedef int8_t INT8;
typedef uint16_t UINT16;
typedef int16_t INT16;
typedef uint32_t UINT32;
typedef int32_t INT32;
typedef uint64_t UINT64;
typedef int64_t INT64;
typedef uint64_t UINTN;
typedef int64_t INTN;
typedef unsigned char BOOLEAN;
typedef char CHAR8;
typedef uint16_t CHAR16;
typedef void VOID;

#ifndef TRUE
#define TRUE ((BOOLEAN)1)
#define FALSE ((BOOLEAN)0)
#endif
#ifndef NULL
#define NULL ((void *)0)
#endif

typedef UINTN EFI_STATUS;
typedef VOID *EFI_HANDLE;
typedef VOID *EFI_EVENT;
typedef UINTN EFI_TPL;
typedef UINT64 EFI_LBA;
typedef UINT64 EFI_PHYSICAL_ADDRESS;
typedef UINT64 EFI_VIRTUAL_ADDRESS;

/* UEFI 2.10, table 2.3: 128-bit buffer, 64-bit aligned. */
typedef struct {
	UINT32 Data1;
	UINT16 Data2;
	UINT16 Data3;
	UINT8 Data4[8];
} EFI_GUID;

/* Status codes, UEFI 2.10 appendix D. Errors have the high bit set. */
#define MAX_BIT 0x8000000000000000ULL
#define ENCODE_ERROR(code) ((EFI_STATUS)(MAX_BIT | (code)))
#define ENCODE_WARNING(code) ((EFI_STATUS)(code))
#define EFI_ERROR(status) (((INTN)(EFI_STATUS)(status)) < 0)

#define EFI_SUCCESS ((EFI_STATUS)0)
#define EFI_LOAD_ERROR ENCODE_ERROR(1)
#define EFI_INVALID_PARAMETER ENCODE_ERROR(2)
#define EFI_UNSUPPORTED ENCODE_ERROR(3)
#define EFI_BAD_BUFFER_SIZE ENCODE_ERROR(4)
#define EFI_BUFFER_TOO_SMALL ENCODE_ERROR(5)
#define EFI_NOT_READY ENCODE_ERROR(6)
#define EFI_DEVICE_ERROR ENCODE_ERROR(7)
#define EFI_WRITE_PROTECTED ENCODE_ERROR(8)
#define EFI_OUT_OF_RESOURCES ENCODE_ERROR(9)
#define EFI_VOLUME_CORRUPTED ENCODE_ERROR(10)
#define EFI_VOLUME_FULL ENCODE_ERROR(11)
#define EFI_NO_MEDIA ENCODE_ERROR(12)
#define EFI_MEDIA_CHANGED ENCODE_ERROR(13)
#define EFI_NOT_FOUND ENCODE_ERROR(14)
#define EFI_ACCESS_DENIED ENCODE_ERROR(15)
#define EFI_NO_RESPONSE ENCODE_ERROR(16)
#define EFI_NO_MAPPING ENCODE_ERROR(17)
#define EFI_TIMEOUT ENCODE_ERROR(18)
#define EFI_NOT_STARTED ENCODE_ERROR(19)
#define EFI_ALREADY_STARTED ENCODE_ERROR(20)
#define EFI_ABORTED ENCODE_ERROR(21)
#define EFI_ICMP_ERROR ENCODE_ERROR(22)
#define EFI_TFTP_ERROR ENCODE_ERROR(23)
#define EFI_PROTOCOL_ERROR ENCODE_ERROR(24)
#define EFI_INCOMPATIBLE_VERSION ENCODE_ERROR(25)
#define EFI_SECURITY_VIOLATION ENCODE_ERROR(26)
#define EFI_CRC_ERROR ENCODE_ERROR(27)
#define EFI_END_OF_MEDIA ENCODE_ERROR(28)
#define EFI_END_OF_FILE ENCODE_ERROR(31)
#define EFI_INVALID_LANGUAGE ENCODE_ERROR(32)
#define EFI_COMPROMISED_DATA ENCODE_ERROR(33)
#define EFI_IP_ADDRESS_CONFLICT ENCODE_ERROR(34)
#define EFI_HTTP_ERROR ENCODE_ERROR(35)

#define EFI_WARN_UNKNOWN_GLYPH ENCODE_WARNING(1)
#define EFI_WARN_DELETE_FAILURE ENCODE_WARNING(2)
#define EFI_WARN_WRITE_FAILURE ENCODE_WARNING(3)
#define EFI_WARN_BUFFER_TOO_SMALL ENCODE_WARNING(4)
#define EFI_WARN_STALE_DATA ENCODE_WARNING(5)
#define EFI_WARN_FILE_SYSTEM ENCODE_WARNING(6)
#define EFI_WARN_RESET_REQUIRED ENCODE_WARNING(7)

/*
 * PI 1.8 volume 1, section 2.2.2: codes in the range the PI specification
 * reserves, which sets bit 61 as well (0xA000... for errors, 0x2000... for
 * warnings). MMI handlers return the interrupt-source ones.
 */
#define PI_ENCODE_ERROR(code) ((EFI_STATUS)(MAX_BIT | (MAX_BIT >> 2) | (code)))
#define PI_ENCODE_WARNING(code) ((EFI_STATUS)((MAX_BIT >> 2) | (code)))
#define EFI_INTERRUPT_PENDING PI_ENCODE_ERROR(0)
#define EFI_REQUEST_UNLOAD_IMAGE PI_ENCODE_ERROR(1)
#define EFI_NOT_AVAILABLE_YET PI_ENCODE_ERROR(2)
#define EFI_WARN_INTERRUPT_SOURCE_PENDING PI_ENCODE_WARNING(0)
#define EFI_WARN_INTERRUPT_SOURCE_QUIESCED PI_ENCODE_WARNING(1)

/* UEFI 2.10, section 4.2: header of every UEFI table. */
typedef struct {
	UINT64 Signature;
	UINT32 Revision;
	UINT32 HeaderSize;
	UINT32 CRC32;
	UINT32 Reserved;
} EFI_TABLE_HEADER;

/* UEFI 2.10, section 7.2, AllocatePages. */
typedef enum {
	AllocateAnyPages,
	AllocateMaxAddress,
	AllocateAddress,
	MaxAllocateType
} EFI_ALLOCATE_TYPE;

/* UEFI 2.10, table 7.6. */
typedef enum {
	EfiReservedMemoryType,
	EfiLoaderCode,
	EfiLoaderData,
	EfiBootServicesCode,
	EfiBootServicesData,
	EfiRuntimeServicesCode,
	EfiRuntimeServicesData,
	EfiConventionalMemory,
	EfiUnusableMemory,
	EfiACPIReclaimMemory,
	EfiACPIMemoryNVS,
	EfiMemoryMappedIO,
	EfiMemoryMappedIOPortSpace,
	EfiPalCode,
	EfiPersistentMemory,
	EfiUnacceptedMemoryType,
	EfiMaxMemoryType
} EFI_MEMORY_TYPE;

/* UEFI 2.10, section 7.2, GetMemoryMap. */
typedef struct {
	UINT32 Type;
	EFI_PHYSICAL_ADDRESS PhysicalStart;
	EFI_VIRTUAL_ADDRESS VirtualStart;
	UINT64 NumberOfPages;
	UINT64 Attribute;
} EFI_MEMORY_DESCRIPTOR;

#define EFI_MEMORY_DESCRIPTOR_VERSION 1
#define EFI_PAGE_SIZE 0x1000
#define EFI_PAGE_MASK 0xFFF
#define EFI_PAGE_SHIFT 12
#define EFI_SIZE_TO_PAGES(size) (((size) >> EFI_PAGE_SHIFT) + (((size) & EFI_PAGE_MASK) ? 1 : 0))
#define EFI_PAGES_TO_SIZE(pages) ((pages) << EFI_PAGE_SHIFT)

/* UEFI 2.10, section 7.3, InstallProtocolInterface. */
typedef enum { EFI_NATIVE_INTERFACE } EFI_INTERFACE_TYPE;

/* UEFI 2.10, section 7.3, LocateHandle. */
typedef enum { AllHandles, ByRegisterNotify, ByProtocol } EFI_LOCATE_SEARCH_TYPE;

/* UEFI 2.10, section 8.2: time as the runtime services report it. */
typedef struct {
	UINT16 Year;
	UINT8 Month;
	UINT8 Day;
	UINT8 Hour;
	UINT8 Minute;
	UINT8 Second;
	UINT8 Pad1;
	UINT32 Nanosecond;
	INT16 TimeZone;
	UINT8 Daylight;
	UINT8 Pad2;
} EFI_TIME;

/* UEFI 2.10, section 4.6: one entry of the configuration table. */
typedef struct {
	EFI_GUID VendorGuid;
	VOID *VendorTable;
} EFI_CONFIGURATION_TABLE;

#endif /* PI_BASE_H */
