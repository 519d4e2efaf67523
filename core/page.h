/* SPDX-License-Identifier: MIT */
/*
 * Page heaps: a page-granular allocator over a set of guest ranges. The
 * machine has two: one over SMRAM (MmAllocatePages, the pool, images) and one
 * over normal-world RAM (buffers the OS side hands to MM, boot services).
 */
#ifndef CORE_PAGE_H
#define CORE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/memory.h>
#include <pi/services.h>

struct mm_machine;

/* A run of pages, free or allocated; kept in address order. */
struct mm_page_run {
	uint64_t base;
	uint64_t pages;
	uint32_t efi_type;   /* allocated runs */
	const char *owner;   /* driver name or "foundation" (allocated runs) */
	bool internal;       /* the Foundation's own allocation */
	bool pool;           /* carrier pages of the pool (freed only by the pool) */
	struct mm_page_run *next;
};

struct mm_page_heap {
	const char *name;            /* "smram" or "ram", for messages */
	struct mm_page_run *free;    /* free runs, address order */
	struct mm_page_run *used;    /* allocated runs, address order */
	struct mm_page_run *ranges;  /* the ranges added, address order (never coalesced) */
	uint64_t total_pages;
	uint64_t free_pages;
	uint64_t gen;                /* bumps on every allocation and free (snapshots) */
};

/* Adds the page-aligned range [base, base+size) to heap h. */
enum mm_err mm_page_heap_add(struct mm_machine *m, struct mm_page_heap *h, uint64_t base,
			     uint64_t size);
/* Releases the bookkeeping of h (not the guest memory). */
void mm_page_heap_fini(struct mm_page_heap *h);

/*
 * Allocates pages from h with the AllocatePages rules of UEFI 2.10 section 7.2:
 * AllocateAnyPages (highest fit), AllocateMaxAddress (*addr is the highest
 * address the last page may end at... inclusive limit), AllocateAddress (exactly
 * *addr). Stores the base in *addr. owner/internal are recorded for reports.
 * Returns MM_OK, MM_ERR_INVALID (bad type, zero or absurd count, unaligned
 * address), MM_ERR_NOMEM, MM_ERR_NOT_FOUND (AllocateAddress range not free or
 * not in the heap).
 */
enum mm_err mm_page_alloc(struct mm_machine *m, struct mm_page_heap *h, EFI_ALLOCATE_TYPE type,
			  uint32_t efi_type, uint64_t pages, uint64_t *addr, bool internal);
/*
 * Frees pages [addr, addr + pages*4K) of h; they must be exactly one
 * allocation or a part of one. Returns MM_OK, MM_ERR_INVALID (unaligned) or
 * MM_ERR_NOT_FOUND (not allocated from h); the failure is logged.
 */
enum mm_err mm_page_free(struct mm_machine *m, struct mm_page_heap *h, uint64_t addr,
			 uint64_t pages);
/* True when [addr, addr+len) lies in one allocated run of h. */
bool mm_page_is_allocated(const struct mm_page_heap *h, uint64_t addr, uint64_t len);
/*
 * Returns the allocated run of h that holds all of [addr, addr+len) (len 0
 * counts as 1), or NULL. The pool uses it to mark its carrier pages.
 */
struct mm_page_run *mm_page_find(const struct mm_page_heap *h, uint64_t addr, uint64_t len);

/*
 * Snapshots (core/snapshot.c): a copy of the runs of h, and putting it back.
 * mm_page_heap_save returns NULL when out of host memory; restore fails only
 * with MM_ERR_NOMEM (h is unchanged then).
 */
struct mm_page_heap_saved;
struct mm_page_heap_saved *mm_page_heap_save(const struct mm_page_heap *h);
enum mm_err mm_page_heap_restore(struct mm_page_heap *h, const struct mm_page_heap_saved *s);
void mm_page_heap_saved_free(struct mm_page_heap_saved *s);
size_t mm_page_heap_saved_bytes(const struct mm_page_heap_saved *s);

/* MM System Table services over the SMRAM heap (PI 1.8 vol. 4, 4.2). */
EFI_STATUS EFIAPI MmAllocatePages(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType, UINTN Pages,
				  EFI_PHYSICAL_ADDRESS *Memory);
EFI_STATUS EFIAPI MmFreePages(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages);

#endif /* CORE_PAGE_H */
