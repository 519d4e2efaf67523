/* SPDX-License-Identifier: MIT */
/*
 * MM communication (PI 1.8 vol. 4, EFI_MM_COMMUNICATION_PROTOCOL): the
 * validation of an EFI_MM_COMMUNICATE_HEADER and the dispatch of its message
 * to the handlers registered for its HeaderGuid. The public entry points are
 * mm_communicate() and mm_communicate_msg() (include/mmemu/run.h).
 */
#ifndef CORE_COMMUNICATE_H
#define CORE_COMMUNICATE_H

#include <stdbool.h>
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

#define MM_COMM_MAX_NESTING 8 /* communicates in progress at once that get an SMRAM size */

/*
 * Communicate state of a machine.
 *
 * sizes: the CommBufferSize each handler gets lives in SMRAM, one UINTN per
 * communicate in progress (as PiSmmCore's is a local of its SMI entry, on
 * the SMM stack), so that an emulated handler can read and write it and the
 * oracles see an SMRAM address.
 *
 * pending: the buffer the MM IPL placed before it raised an SMI through the
 * chipset (EFI_MM_COMMUNICATION2.Communicate with the CPU model), as
 * PiSmmIpl does with the communication buffer of the SMM core's private
 * data; MmEntryPoint handles it (mm_comm_entry) before the root handlers.
 */
struct mm_comm {
	UINTN *sizes;             /* SMRAM, MM_COMM_MAX_NESTING entries */
	unsigned depth;           /* communicates in progress */
	bool pending;             /* a buffer waits for the next MmEntryPoint */
	bool done;                /* ... and MmEntryPoint handled it */
	uint64_t pending_buffer;
	uint64_t pending_size;    /* in: the buffer's size; out: header + MessageLength */
	uint64_t pending_status;  /* out: what Communicate returns */
};

/* Allocates the SMRAM sizes (machine creation). MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_comm_init(struct mm_machine *m);

/*
 * MmEntryPoint's part of MM communicate: when the MM IPL placed a buffer
 * (m->comm.pending), validates it and runs its handlers as the BSP, then
 * records the status and size for the IPL (m->comm.done).
 */
void mm_comm_entry(struct mm_machine *m);

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
