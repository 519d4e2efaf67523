/* SPDX-License-Identifier: MIT */
/*
 * The SMRAM pool: byte-granular allocations carved from pages of the SMRAM
 * page heap. All bookkeeping is host-side (out of band): a driver that
 * overruns a block can corrupt its neighbour's data but never the allocator.
 * A free of anything that is not a live block the pool handed out is refused.
 */
#ifndef CORE_POOL_H
#define CORE_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/memory.h>
#include <pi/services.h>

struct mm_machine;

/* Defined in pool.c; the machine holds a pointer to it. */
struct mm_pool;

enum mm_err mm_pool_init(struct mm_machine *m);
void mm_pool_fini(struct mm_machine *m);

/*
 * Allocates size bytes (8-byte aligned; 16 in fact) of efi_type from SMRAM.
 * internal marks the Foundation's own blocks. Returns NULL when SMRAM is
 * exhausted or size is absurd (logged).
 */
void *mm_pool_alloc(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal);
/* Returns zeroed memory as mm_pool_alloc. */
void *mm_pool_zalloc(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal);
/*
 * Frees a block. Returns MM_OK, or MM_ERR_INVALID when p is not a live block of
 * this pool (outside SMRAM, never allocated, already freed, header smashed);
 * the refusal is logged with the address.
 */
enum mm_err mm_pool_free(struct mm_machine *m, void *p);

/*
 * Name of the driver executing on m ("foundation" when none), as a copy that
 * stays valid until the machine is destroyed, even after the driver's image
 * is removed. Allocation records (pool and pages) keep it as their owner.
 */
const char *mm_alloc_owner(struct mm_machine *m);

/* Visits every live block (see mm_smram_allocations). */
unsigned mm_pool_visit(struct mm_machine *m, bool all, mm_alloc_visit visit, void *user);

/*
 * Debug mode of the pool, for the bug oracles (emu/oracle.c). Off by
 * default; the fast paths only test one flag when it is off.
 *   MM_POOL_DEBUG_REDZONE  MM_POOL_REDZONE bytes of MM_POOL_REDZONE_BYTE after
 *                          every new block, checked at free and by
 *                          mm_pool_check_redzones; freed blocks are filled
 *                          with MM_POOL_FREED_BYTE and kept unallocated in a
 *                          quarantine of MM_POOL_QUARANTINE blocks
 *   MM_POOL_DEBUG_POISON   new blocks filled with MM_POOL_FRESH_PATTERN
 *                          (little-endian 64-bit words), so that SMRAM
 *                          contents that leak are recognisable
 * Blocks allocated before the mode was turned on have no red zone.
 */
#define MM_POOL_DEBUG_REDZONE 1u
#define MM_POOL_DEBUG_POISON 2u
#define MM_POOL_REDZONE 32u
#define MM_POOL_REDZONE_BYTE 0xFB
#define MM_POOL_FREED_BYTE 0xFD
#define MM_POOL_QUARANTINE 64u
#define MM_POOL_FRESH_PATTERN 0xC35A4D41524D53A5ull /* bytes A5 'S' 'M' 'R' 'A' 'M' 'Z' C3 */

void mm_pool_set_debug(struct mm_machine *m, unsigned flags);

/*
 * Snapshots (core/snapshot.c): a copy of the pool's host state (live table,
 * free stacks, debug quarantine) and putting it back. mm_pool_save returns
 * NULL when out of host memory; mm_pool_restore fails only with MM_ERR_NOMEM.
 */
struct mm_pool_saved;
struct mm_pool_saved *mm_pool_save(const struct mm_machine *m);
enum mm_err mm_pool_restore(struct mm_machine *m, const struct mm_pool_saved *s);
void mm_pool_saved_free(struct mm_pool_saved *s);
/* True when the pool changed since s was taken. */
bool mm_pool_changed(const struct mm_machine *m, const struct mm_pool_saved *s);
size_t mm_pool_saved_bytes(const struct mm_pool_saved *s);

/* What an SMRAM address is to the pool in debug mode. */
enum mm_pool_hit {
	MM_POOL_HIT_NONE,
	MM_POOL_HIT_REDZONE, /* in the red zone after a live small block: overflow */
	MM_POOL_HIT_FREED,   /* in a quarantined (freed) block: use after free */
};

/*
 * Classifies addr (debug mode; MM_POOL_HIT_NONE otherwise); *block and *size
 * receive the block concerned. Cheap enough for a memory hook: a quarantine
 * scan and one table probe per size class.
 */
enum mm_pool_hit mm_pool_probe(const struct mm_machine *m, uint64_t addr, uint64_t *block,
			       uint64_t *size);

/*
 * Checks the red zone of every live block (debug mode); the first damaged
 * one is reported to the oracles (core/oracle-hook.h). True when one is.
 */
bool mm_pool_check_redzones(struct mm_machine *m);

/* MM System Table services (PI 1.8 vol. 4, 4.2). */
EFI_STATUS EFIAPI MmAllocatePool(EFI_MEMORY_TYPE PoolType, UINTN Size, VOID **Buffer);
EFI_STATUS EFIAPI MmFreePool(VOID *Buffer);

#endif /* CORE_POOL_H */
