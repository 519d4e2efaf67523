/* SPDX-License-Identifier: MIT */
/* Guest memory seen from the host: checked access and normal-world buffers. */
#ifndef MMEMU_MEMORY_H
#define MMEMU_MEMORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;

/*
 * Returns the host pointer for guest range [addr, addr+len) when all of it lies
 * in one mapped RAM or SMRAM region of m, else NULL. len may be 0 (then addr
 * must still be inside a region). Never dereferences anything.
 */
void *mm_mem_ptr(const struct mm_machine *m, uint64_t addr, uint64_t len);

/* Copies len bytes of guest memory at addr to buf. MM_OK or MM_ERR_RANGE. */
enum mm_err mm_mem_read(struct mm_machine *m, uint64_t addr, void *buf, uint64_t len);
/* Copies len bytes of buf to guest memory at addr. MM_OK or MM_ERR_RANGE. */
enum mm_err mm_mem_write(struct mm_machine *m, uint64_t addr, const void *buf, uint64_t len);

/* True when [addr, addr+len) overlaps any SMRAM range of m (len 0 counts as 1). */
bool mm_mem_overlaps_smram(const struct mm_machine *m, uint64_t addr, uint64_t len);
/* True when all of [addr, addr+len) lies inside one SMRAM range of m. */
bool mm_mem_inside_smram(const struct mm_machine *m, uint64_t addr, uint64_t len);

/*
 * Allocates pages of normal-world RAM (outside SMRAM) of EFI memory type
 * efi_type for at least size bytes, for buffers the "OS" side hands to MM.
 * Stores the guest address in *addr. Returns MM_OK, MM_ERR_INVALID or
 * MM_ERR_NOMEM.
 */
enum mm_err mm_ram_alloc(struct mm_machine *m, uint64_t size, uint32_t efi_type, uint64_t *addr);
/*
 * Frees a buffer from mm_ram_alloc. MM_OK, MM_ERR_INVALID (unaligned) or
 * MM_ERR_NOT_FOUND (not allocated by mm_ram_alloc).
 */
enum mm_err mm_ram_free(struct mm_machine *m, uint64_t addr, uint64_t size);

/* One live SMRAM allocation, for leak reports. */
struct mm_alloc_info {
	uint64_t addr;
	uint64_t size;
	uint32_t efi_type;
	bool pool;          /* pool block (true) or pages (false) */
	const char *owner;  /* driver executing when it was allocated, or "foundation" */
};

typedef void (*mm_alloc_visit)(void *user, const struct mm_alloc_info *info);

/*
 * Calls visit for every live SMRAM allocation made by drivers (pool blocks and
 * page ranges; the Foundation's own are left out unless all is true).
 * Returns the number visited.
 */
unsigned mm_smram_allocations(struct mm_machine *m, bool all, mm_alloc_visit visit, void *user);

#endif /* MMEMU_MEMORY_H */
