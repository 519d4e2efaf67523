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

/* MM System Table services (PI 1.8 vol. 4, 4.2). */
EFI_STATUS EFIAPI MmAllocatePool(EFI_MEMORY_TYPE PoolType, UINTN Size, VOID **Buffer);
EFI_STATUS EFIAPI MmFreePool(VOID *Buffer);

#endif /* CORE_POOL_H */
