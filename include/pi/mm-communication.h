/* SPDX-License-Identifier: MIT */
/*
 * MM communication: how code outside MM hands a buffer to the MMI handlers
 * registered for a GUID (PI 1.9 volume 4, section 5.7).
 *
 *   EFI_MM_COMMUNICATION_PROTOCOL   Communicate(This, CommBuffer, CommSize)
 *   EFI_MM_COMMUNICATION2_PROTOCOL  Communicate(This, Physical, Virtual, CommSize)
 *   EFI_MM_COMMUNICATION3_PROTOCOL  Communicate(This, Physical, Virtual)
 *
 * The first two take a buffer that starts with EFI_MM_COMMUNICATE_HEADER;
 * the third one that starts with EFI_MM_COMMUNICATE_HEADER_V3, which an MM
 * core tells apart by its HeaderGuid (gEfiMmCommunicateHeaderV3Guid).
 *
 * EFI_MM_COMMUNICATE_HEADER (EDK2 MdePkg Protocol/MmCommunication.h, packed):
 *   0x00 HeaderGuid     EFI_GUID  selects the handlers
 *   0x10 MessageLength  UINTN     bytes of Data, header excluded
 *   0x18 Data[]                   sizeof = 0x19 (Data[1], packed)
 *
 * EFI_MM_COMMUNICATE_HEADER_V3 (PI 1.9 section 5.7.6; EDK2 MdePkg
 * Pi/PiMultiPhase.h):
 *   0x00 HeaderGuid     EFI_GUID  always gEfiMmCommunicateHeaderV3Guid
 *   0x10 BufferSize     UINT64    whole buffer, header included
 *   0x18 Reserved       UINT64
 *   0x20 MessageGuid    EFI_GUID  selects the handlers
 *   0x30 MessageSize    UINT64    bytes of MessageData
 *   0x38 MessageData[]            sizeof = 0x38
 */
#ifndef PI_MM_COMMUNICATION_H
#define PI_MM_COMMUNICATION_H

#include "base.h"

#define EFI_MM_COMMUNICATION_PROTOCOL_GUID                                                 \
	{ 0xc68ed8e2, 0x9dc6, 0x4cbd, { 0x9d, 0x94, 0xdb, 0x65, 0xac, 0xc5, 0xc3, 0x32 } }
#define EFI_SMM_COMMUNICATION_PROTOCOL_GUID EFI_MM_COMMUNICATION_PROTOCOL_GUID
#define EFI_MM_COMMUNICATION2_PROTOCOL_GUID                                                \
	{ 0x378daedc, 0xf06b, 0x4446, { 0x83, 0x14, 0x40, 0xab, 0x93, 0x3c, 0x87, 0xa3 } }
#define EFI_MM_COMMUNICATION3_PROTOCOL_GUID                                                \
	{ 0xf7234a14, 0x0df2, 0x46c0, { 0xad, 0x28, 0x90, 0xe6, 0xb8, 0x83, 0xa7, 0x2f } }
#define EFI_MM_COMMUNICATE_HEADER_V3_GUID                                                  \
	{ 0x68e8c853, 0x2ba9, 0x4dd7, { 0x9a, 0xc0, 0x91, 0xe1, 0x61, 0x55, 0xc9, 0x35 } }
#define COMMUNICATE_HEADER_V3_GUID EFI_MM_COMMUNICATE_HEADER_V3_GUID

/*
 * EDK2 declares this header packed, so sizeof is 25, not 32; code that
 * sizes buffers with sizeof (EFI_MM_COMMUNICATE_HEADER) gets the bytes it
 * expects. Taking the address of a member of a packed structure draws a
 * compiler warning: compare HeaderGuid by value (copy it first) or with
 * memcmp, and use MM_COMMUNICATE_HEADER_SIZE for the header's length.
 */
#pragma pack(push, 1)
typedef struct {
	EFI_GUID HeaderGuid;
	UINTN MessageLength;
	UINT8 Data[1];
} EFI_MM_COMMUNICATE_HEADER;
#pragma pack(pop)

/* Bytes before Data: what MessageLength does not count. */
#define MM_COMMUNICATE_HEADER_SIZE offsetof(EFI_MM_COMMUNICATE_HEADER, Data)

/*
 * EDK2 declares this one packed as well; its fields fall on their natural
 * alignment with no padding, so the natural layout is the same, byte for byte.
 */
typedef struct {
	EFI_GUID HeaderGuid;
	UINT64 BufferSize;
	UINT64 Reserved;
	EFI_GUID MessageGuid;
	UINT64 MessageSize;
	UINT8 MessageData[];
} EFI_MM_COMMUNICATE_HEADER_V3;

#define MM_COMMUNICATE_HEADER_V3_SIZE sizeof(EFI_MM_COMMUNICATE_HEADER_V3)

typedef struct _EFI_MM_COMMUNICATION_PROTOCOL EFI_MM_COMMUNICATION_PROTOCOL;
typedef struct _EFI_MM_COMMUNICATION2_PROTOCOL EFI_MM_COMMUNICATION2_PROTOCOL;
typedef struct _EFI_MM_COMMUNICATION3_PROTOCOL EFI_MM_COMMUNICATION3_PROTOCOL;

/*
 * Sends CommBuffer to the handlers of its HeaderGuid. CommSize (may be NULL)
 * gives the buffer's size and returns the reply's. EFI_SUCCESS;
 * EFI_INVALID_PARAMETER for a NULL CommBuffer; EFI_BAD_BUFFER_SIZE if the
 * buffer is too large (MessageLength or *CommSize then give the maximum);
 * EFI_ACCESS_DENIED if the buffer lies where MM may not access it.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_COMMUNICATE)(IN CONST EFI_MM_COMMUNICATION_PROTOCOL *This,
					       IN OUT VOID *CommBuffer,
					       IN OUT UINTN *CommSize OPTIONAL);
/*
 * As EFI_MM_COMMUNICATE, with the buffer's physical address (what MM uses)
 * and its virtual address (what the caller uses; the same before
 * SetVirtualAddressMap). EFI_INVALID_PARAMETER if either is NULL.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_COMMUNICATE2)(IN CONST EFI_MM_COMMUNICATION2_PROTOCOL *This,
						IN OUT VOID *CommBufferPhysical,
						IN OUT VOID *CommBufferVirtual,
						IN OUT UINTN *CommSize OPTIONAL);
/*
 * As EFI_MM_COMMUNICATE2 for a buffer that starts with
 * EFI_MM_COMMUNICATE_HEADER_V3: sizes travel in the header (BufferSize,
 * MessageSize), so there is no CommSize.
 */
typedef EFI_STATUS(EFIAPI *EFI_MM_COMMUNICATE3)(IN CONST EFI_MM_COMMUNICATION3_PROTOCOL *This,
						IN OUT VOID *CommBufferPhysical,
						IN OUT VOID *CommBufferVirtual);

struct _EFI_MM_COMMUNICATION_PROTOCOL {
	EFI_MM_COMMUNICATE Communicate;
};

struct _EFI_MM_COMMUNICATION2_PROTOCOL {
	EFI_MM_COMMUNICATE2 Communicate;
};

struct _EFI_MM_COMMUNICATION3_PROTOCOL {
	EFI_MM_COMMUNICATE3 Communicate;
};

extern EFI_GUID gEfiMmCommunicationProtocolGuid;
extern EFI_GUID gEfiSmmCommunicationProtocolGuid;
extern EFI_GUID gEfiMmCommunication2ProtocolGuid;
extern EFI_GUID gEfiMmCommunication3ProtocolGuid;
extern EFI_GUID gEfiMmCommunicateHeaderV3Guid;

/* EDK2's SMM spellings (MdePkg Protocol/SmmCommunication.h). */
typedef EFI_MM_COMMUNICATE_HEADER EFI_SMM_COMMUNICATE_HEADER;
typedef EFI_MM_COMMUNICATION_PROTOCOL EFI_SMM_COMMUNICATION_PROTOCOL;

#endif /* PI_MM_COMMUNICATION_H */
