/* SPDX-License-Identifier: MIT */
/*
 * MM communication (PI 1.8 vol. 4, EFI_MM_COMMUNICATION_PROTOCOL): the
 * validation of an EFI_MM_COMMUNICATE_HEADER and the dispatch of its message
 * to the handlers registered for its HeaderGuid. The public entry points are
 * mm_communicate() and mm_communicate_msg() (include/mmemu/run.h).
 */
#ifndef CORE_COMMUNICATE_H
#define CORE_COMMUNICATE_H

#include <stdint.h>

#include <pi/base.h>

struct mm_machine;

/* What a validated communicate buffer holds. */
struct mm_comm_request {
	uint64_t buffer;      /* guest address of the header */
	uint64_t size;        /* size of the whole buffer */
	EFI_GUID guid;        /* HeaderGuid, copied once */
	uint64_t message;     /* guest address of the message (buffer + 24) */
	uint64_t length;      /* MessageLength, copied once */
};

/*
 * Validates a communicate buffer: buffer and size name mapped memory, the
 * whole buffer lies outside SMRAM, size holds the 24-byte header, and
 * header + MessageLength fits in size without overflow. On success fills
 * *req and returns EFI_SUCCESS; otherwise returns EFI_INVALID_PARAMETER
 * (unmapped, truncated header), EFI_ACCESS_DENIED (overlaps SMRAM) or
 * EFI_BAD_BUFFER_SIZE (MessageLength too large), with the reason logged under
 * "communicate" and kept in the machine's error message.
 */
EFI_STATUS mm_comm_validate(struct mm_machine *m, uint64_t buffer, uint64_t size,
			    struct mm_comm_request *req);

#endif /* CORE_COMMUNICATE_H */
