/* SPDX-License-Identifier: MIT */
/*
 * The interfaces the sample native drivers share with the tests that drive
 * them (tests/loader/native-test.c, tests/integration/samples-test.c). Every
 * GUID here was generated for mmemu; the _STR forms are the same GUIDs in
 * registry format, for DEPEX expressions.
 */
#ifndef TESTS_DRIVERS_SAMPLE_H
#define TESTS_DRIVERS_SAMPLE_H

#include <pi/base.h>

/* ---- gMmemuSampleProtocolGuid: produced by sample-producer ---- */

#define SAMPLE_PROTOCOL_GUID                                                               \
	{ 0xacbb3009, 0x5e54, 0x427d, { 0xa9, 0xd0, 0x73, 0xd1, 0xf3, 0xbb, 0x11, 0xa5 } }
#define SAMPLE_PROTOCOL_GUID_STR "acbb3009-5e54-427d-a9d0-73d1f3bb11a5"
#define SAMPLE_PROTOCOL_REVISION 0x00010000

typedef struct _SAMPLE_PROTOCOL SAMPLE_PROTOCOL;

/* Stores a + b in *Sum. EFI_INVALID_PARAMETER for a NULL Sum, EFI_BAD_BUFFER_SIZE on overflow. */
typedef EFI_STATUS(EFIAPI *SAMPLE_ADD)(IN UINT32 A, IN UINT32 B, OUT UINT32 *Sum);

struct _SAMPLE_PROTOCOL {
	UINT32 Revision;
	SAMPLE_ADD Add;
};

/* ---- the GUID MMI handler of sample-guid-handler ---- */

#define SAMPLE_HANDLER_GUID                                                                \
	{ 0xf05fb6d0, 0xed99, 0x4bec, { 0xa6, 0xe4, 0xc9, 0xc3, 0x71, 0x0e, 0x08, 0xa0 } }

enum {
	SAMPLE_CMD_ADD = 1,     /* Result = A + B through SAMPLE_PROTOCOL.Add */
	SAMPLE_CMD_REVERSE = 2, /* reverses the A bytes of Data in place */
};

/*
 * The message (after the EFI_MM_COMMUNICATE_HEADER):
 *
 *   0x00 Command  UINT32   SAMPLE_CMD_*
 *   0x04 A        UINT32   first operand; REVERSE: length of Data
 *   0x08 B        UINT32   second operand
 *   0x0C Result   UINT32   written by the handler
 *   0x10 Status   UINT64   written by the handler: EFI_SUCCESS, EFI_UNSUPPORTED
 *                          (unknown command), EFI_BAD_BUFFER_SIZE (Data
 *                          longer than the buffer), or the protocol's status
 *   0x18 Data[]            REVERSE only
 *
 * A buffer shorter than the header is left untouched.
 */
typedef struct {
	UINT32 Command;
	UINT32 A;
	UINT32 B;
	UINT32 Result;
	EFI_STATUS Status;
} SAMPLE_MESSAGE;

/* ---- sample-sw-handler ---- */

#define SAMPLE_SW_MMI_VALUE 0x42 /* RAX = RCX + 1, RBX = the APM data port value */

/* ---- sample-late: depends on a protocol nobody produces ---- */

#define SAMPLE_NEVER_PRODUCED_GUID_STR "bd852e07-ca64-44bf-b495-15a04bd202ac"

/* ---- sample-failing: registers this handler, then fails its entry ---- */

#define SAMPLE_FAILING_HANDLER_GUID                                                        \
	{ 0xa5a7a3f1, 0x073a, 0x465b, { 0x88, 0x56, 0xcf, 0x64, 0x62, 0x73, 0xae, 0xb4 } }

/* ---- sample-after-lock: counts ReadyToLock notifications ---- */

#define SAMPLE_LOCK_HANDLER_GUID                                                           \
	{ 0x15e1f81f, 0x6988, 0x4474, { 0xba, 0x8e, 0x34, 0x29, 0xbd, 0x2d, 0x7b, 0x38 } }

/* The reply of the lock handler: how many ReadyToLock notifies it has seen. */
typedef struct {
	UINT32 NotifyCount;
	UINT32 Reserved;
} SAMPLE_LOCK_MESSAGE;

/* ---- file GUIDs ---- */

#define SAMPLE_PRODUCER_FILE_GUID                                                          \
	{ 0x37d9efbb, 0xdfff, 0x4230, { 0x98, 0xae, 0x6d, 0xb6, 0x9e, 0xdd, 0xc9, 0x44 } }
#define SAMPLE_GUID_HANDLER_FILE_GUID                                                      \
	{ 0x8ae43146, 0x8b3e, 0x49fa, { 0x87, 0x7b, 0xec, 0xbb, 0xc5, 0x77, 0x53, 0x10 } }
#define SAMPLE_SW_HANDLER_FILE_GUID                                                        \
	{ 0xa9a4a82e, 0x4ab7, 0x45e9, { 0x86, 0x50, 0xb9, 0x89, 0x64, 0x6a, 0x73, 0x94 } }
#define SAMPLE_LATE_FILE_GUID                                                              \
	{ 0xe14c0910, 0x0bbb, 0x4073, { 0x9c, 0xb2, 0xa3, 0xa9, 0x7c, 0xb8, 0x6c, 0x3a } }
#define SAMPLE_FAILING_FILE_GUID                                                           \
	{ 0xd7c6b478, 0x1f2f, 0x4ee8, { 0xb3, 0x51, 0x08, 0x9b, 0x09, 0x23, 0x38, 0x3d } }
#define SAMPLE_AFTER_LOCK_FILE_GUID                                                        \
	{ 0x28de315a, 0xf2b0, 0x4cfd, { 0xb9, 0x73, 0x54, 0xf1, 0xf3, 0x52, 0x57, 0x27 } }

#endif /* TESTS_DRIVERS_SAMPLE_H */
