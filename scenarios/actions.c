/* SPDX-License-Identifier: MIT */
/*
 * The scenario actions that move bytes: communicate (header + message in a
 * normal-world buffer, then MM communicate) and guest memory reads/writes
 * as code outside SMM would do them.
 */
#include <stdlib.h>
#include <string.h>

#include <mmemu/flash.h>
#include <mmemu/mmemu.h>

#include "runner.h"

#define HEADER_SIZE 24 /* EFI_MM_COMMUNICATE_HEADER: GUID, UINTN MessageLength (PI 1.8 vol. 4) */

/* The guest buffer for a communicate step: fixed (checked) or allocated. */
static enum mm_err comm_buffer(struct sc_run *r, const struct sc_step *st, uint64_t size,
			       uint64_t *addr)
{
	if (!st->has_address)
		return mm_ram_alloc(r->m, size, st->memory_type, addr);
	if (!mm_mem_ptr(r->m, st->address, size)) {
		sc_failf(r, "address 0x%llx: %llu bytes are not in guest memory",
			 (unsigned long long)st->address, (unsigned long long)size);
		return MM_ERR_RANGE;
	}
	if (!st->width && mm_mem_overlaps_smram(r->m, st->address, size)) {
		sc_failf(r, "address 0x%llx is in SMRAM (say allow-smram: true for that)",
			 (unsigned long long)st->address);
		return MM_ERR_RANGE;
	}
	*addr = st->address;
	return MM_OK;
}

enum mm_err sc_communicate(struct sc_run *r, const struct sc_step *st)
{
	uint64_t size = st->has_buffer_size ? st->buffer_size : HEADER_SIZE + st->payload.len;
	uint64_t len = st->has_message_length ? st->message_length : st->payload.len;
	uint64_t addr = 0, sz;
	enum mm_err err;

	err = comm_buffer(r, st, size, &addr);
	if (err)
		return err;
	err = mm_mem_write(r->m, addr, st->guid, 16);
	if (!err)
		err = mm_mem_write(r->m, addr + 16, &len, 8);
	if (!err && st->payload.len)
		err = mm_mem_write(r->m, addr + HEADER_SIZE, st->payload.data, st->payload.len);
	if (err)
		return err;
	r->comm_addr = addr;
	sz = size;
	r->comm_status = 0;
	err = mm_communicate(r->m, addr, &sz, &r->comm_status);
	r->comm_length = 0;
	mm_mem_read(r->m, addr + 16, &r->comm_length, 8);
	return err;
}

enum mm_err sc_memory_step(struct sc_run *r, const struct sc_step *st)
{
	uint64_t len = st->action == SC_WRITE_MEMORY ? st->payload.len : st->length;

	if (mm_mem_overlaps_smram(r->m, st->address, len) &&
	    mm_smram_state(r->m) != MM_SMRAM_OPEN)
		return MM_ERR_DENIED; /* closed SMRAM is invisible from outside */
	if (st->action == SC_WRITE_MEMORY)
		return mm_mem_write(r->m, st->address, st->payload.data, len);
	free(r->mem);
	r->mem = malloc(len ? len : 1);
	r->mem_len = 0;
	if (!r->mem)
		return MM_ERR_NOMEM;
	/* flash is MMIO, not memory: its array contents read as they are */
	if (mm_mem_read(r->m, st->address, r->mem, len) &&
	    mm_flash_peek(r->m, st->address, r->mem, len))
		return MM_ERR_RANGE;
	r->mem_len = len;
	return MM_OK;
}
