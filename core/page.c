/* SPDX-License-Identifier: MIT */
/*
 * Page heaps: page-granular allocation over a set of guest ranges, with the
 * AllocatePages/FreePages rules of UEFI 2.10 section 7.2.
 *
 * A heap keeps three address-ordered lists of runs (host-side, never in guest
 * memory): the ranges it was given, its free runs and its allocated runs.
 *
 *   range  [0x0F800000 ...................................... 0x10000000)
 *   free   [....)              [..........)
 *   used        [..][........]             [...][.........................)
 *
 * Adjacent free runs coalesce, but never across the start of a range: two
 * regions that happen to touch are still two host mappings. Allocated runs
 * never merge, so that a free crossing two allocations can be refused.
 * Allocation is deterministic: AllocateAnyPages and AllocateMaxAddress take
 * the top of the highest free run that fits, as EDK2 does.
 */
#include <stdlib.h>

#include "call.h"
#include "machine.h"

#define PAGE_MASK ((uint64_t)EFI_PAGE_MASK)
/* More pages than this cannot be expressed as a byte count. */
#define MAX_PAGES (UINT64_MAX >> EFI_PAGE_SHIFT)
/* Memory types UEFI reserves (EfiMaxMemoryType..0x6FFFFFFF are invalid). */
#define OEM_TYPE_FIRST 0x70000000u

static uint64_t run_end(const struct mm_page_run *r)
{
	return r->base + EFI_PAGES_TO_SIZE(r->pages);
}

static struct mm_page_run *run_new(uint64_t base, uint64_t pages)
{
	struct mm_page_run *r = calloc(1, sizeof(*r));

	if (r) {
		r->base = base;
		r->pages = pages;
	}
	return r;
}

static void runs_free(struct mm_page_run *r)
{
	while (r) {
		struct mm_page_run *next = r->next;

		free(r);
		r = next;
	}
}

/* Links r into the address-ordered list *head. */
static void list_insert(struct mm_page_run **head, struct mm_page_run *r)
{
	struct mm_page_run **pp = head;

	while (*pp && (*pp)->base < r->base)
		pp = &(*pp)->next;
	r->next = *pp;
	*pp = r;
}

/* Unlinks r from *head (r must be on it). */
static void list_remove(struct mm_page_run **head, struct mm_page_run *r)
{
	struct mm_page_run **pp = head;

	while (*pp != r)
		pp = &(*pp)->next;
	*pp = r->next;
}

/* True when a range of h starts at addr: free runs must not merge across it. */
static bool range_starts_at(const struct mm_page_heap *h, uint64_t addr)
{
	for (const struct mm_page_run *r = h->ranges; r; r = r->next)
		if (r->base == addr)
			return true;
	return false;
}

/* Returns r to the free list of h, merging it with free neighbours. */
static void free_insert(struct mm_page_heap *h, struct mm_page_run *r)
{
	struct mm_page_run *prev = NULL, *next = h->free;

	while (next && next->base < r->base) {
		prev = next;
		next = next->next;
	}
	r->efi_type = 0;
	r->owner = NULL;
	r->internal = false;
	r->pool = false;
	if (next && run_end(r) == next->base && !range_starts_at(h, next->base)) {
		r->pages += next->pages;
		r->next = next->next;
		free(next);
	} else {
		r->next = next;
	}
	if (prev && run_end(prev) == r->base && !range_starts_at(h, r->base)) {
		prev->pages += r->pages;
		prev->next = r->next;
		free(r);
	} else if (prev) {
		prev->next = r;
	} else {
		h->free = r;
	}
}

enum mm_err mm_page_heap_add(struct mm_machine *m, struct mm_page_heap *h, uint64_t base,
			     uint64_t size)
{
	struct mm_page_run *range, *run;
	uint64_t end = base + size;

	if (size == 0 || (base & PAGE_MASK) || (size & PAGE_MASK) || end < base)
		return mm_fail(m, MM_ERR_INVALID,
			       "%s heap: range 0x%llx size 0x%llx must be non-empty and 4 KiB aligned",
			       h->name, (unsigned long long)base, (unsigned long long)size);
	for (const struct mm_page_run *r = h->ranges; r; r = r->next)
		if (base < run_end(r) && r->base < end)
			return mm_fail(m, MM_ERR_INVALID,
				       "%s heap: range 0x%llx..0x%llx overlaps 0x%llx..0x%llx",
				       h->name, (unsigned long long)base,
				       (unsigned long long)(end - 1), (unsigned long long)r->base,
				       (unsigned long long)(run_end(r) - 1));
	range = run_new(base, size >> EFI_PAGE_SHIFT);
	run = run_new(base, size >> EFI_PAGE_SHIFT);
	if (!range || !run) {
		free(range);
		free(run);
		return mm_fail(m, MM_ERR_NOMEM, "%s heap: out of host memory", h->name);
	}
	list_insert(&h->ranges, range);
	free_insert(h, run);
	h->total_pages += range->pages;
	h->free_pages += range->pages;
	return MM_OK;
}

void mm_page_heap_fini(struct mm_page_heap *h)
{
	runs_free(h->free);
	runs_free(h->used);
	runs_free(h->ranges);
	h->free = h->used = h->ranges = NULL;
	h->total_pages = h->free_pages = 0;
}

/*
 * Finds where n pages can go below end_limit (exclusive, page aligned): the
 * top of the highest free run that fits. Returns that run and sets *base,
 * or NULL.
 */
static struct mm_page_run *find_highest(struct mm_page_heap *h, uint64_t pages, uint64_t end_limit,
					uint64_t *base)
{
	struct mm_page_run *best = NULL;
	uint64_t bytes = EFI_PAGES_TO_SIZE(pages);

	for (struct mm_page_run *r = h->free; r; r = r->next) {
		uint64_t top = run_end(r) < end_limit ? run_end(r) : end_limit;

		if (top < r->base || top - r->base < bytes)
			continue;
		if (!best || top - bytes > *base) {
			best = r;
			*base = top - bytes;
		}
	}
	return best;
}

/* Returns the free run of h holding all of [base, base+bytes), or NULL. */
static struct mm_page_run *find_free_at(struct mm_page_heap *h, uint64_t base, uint64_t bytes)
{
	for (struct mm_page_run *r = h->free; r; r = r->next)
		if (base >= r->base && base < run_end(r) && bytes <= run_end(r) - base)
			return r;
	return NULL;
}

/*
 * Takes [base, base+pages) out of free run r (which holds it) and returns it
 * as a run of its own, or NULL when the host is out of memory (then nothing
 * changed).
 */
static struct mm_page_run *carve(struct mm_page_heap *h, struct mm_page_run *r, uint64_t base,
				 uint64_t pages)
{
	uint64_t end = base + EFI_PAGES_TO_SIZE(pages);
	struct mm_page_run *out, *tail = NULL;

	out = run_new(base, pages);
	if (!out)
		return NULL;
	if (base > r->base && end < run_end(r)) {
		tail = run_new(end, (run_end(r) - end) >> EFI_PAGE_SHIFT);
		if (!tail) {
			free(out);
			return NULL;
		}
	}
	if (tail) { /* a hole in the middle: r keeps the head, tail follows it */
		r->pages = (base - r->base) >> EFI_PAGE_SHIFT;
		tail->next = r->next;
		r->next = tail;
	} else if (base == r->base && end == run_end(r)) {
		list_remove(&h->free, r);
		free(r);
	} else if (base == r->base) {
		r->base = end;
		r->pages -= pages;
	} else {
		r->pages -= pages;
	}
	h->free_pages -= pages;
	return out;
}

/* Where the allocation goes: *base and the free run holding it, per type. */
static enum mm_err place(struct mm_machine *m, struct mm_page_heap *h, EFI_ALLOCATE_TYPE type,
			 uint64_t pages, uint64_t want, uint64_t *base, struct mm_page_run **run)
{
	uint64_t bytes = EFI_PAGES_TO_SIZE(pages);
	uint64_t limit = UINT64_MAX;

	if (type == AllocateAddress) {
		if (want & PAGE_MASK)
			return mm_fail(m, MM_ERR_INVALID, "%s pages: address 0x%llx not page aligned",
				       h->name, (unsigned long long)want);
		*base = want;
		*run = want + bytes < want ? NULL : find_free_at(h, want, bytes);
		if (!*run)
			return mm_fail(m, MM_ERR_NOT_FOUND,
				       "%s pages: 0x%llx (%llu pages) is not free in the heap",
				       h->name, (unsigned long long)want, (unsigned long long)pages);
		return MM_OK;
	}
	if (type == AllocateMaxAddress && want != UINT64_MAX)
		limit = (want + 1) & ~PAGE_MASK;
	*run = find_highest(h, pages, limit, base);
	if (!*run)
		return mm_fail(m, MM_ERR_NOMEM, "%s pages: no room for %llu pages%s (%llu free)",
			       h->name, (unsigned long long)pages,
			       type == AllocateMaxAddress ? " below the maximum address" : "",
			       (unsigned long long)h->free_pages);
	return MM_OK;
}

enum mm_err mm_page_alloc(struct mm_machine *m, struct mm_page_heap *h, EFI_ALLOCATE_TYPE type,
			  uint32_t efi_type, uint64_t pages, uint64_t *addr, bool internal)
{
	struct mm_page_run *free_run, *r;
	uint64_t base = 0;
	enum mm_err err;

	h->gen++;
	if (!addr || (unsigned)type >= MaxAllocateType || pages == 0 || pages > MAX_PAGES)
		return mm_fail(m, MM_ERR_INVALID, "%s pages: bad request (type %d, %llu pages)",
			       h->name, (int)type, (unsigned long long)pages);
	if (efi_type >= EfiMaxMemoryType && efi_type < OEM_TYPE_FIRST)
		return mm_fail(m, MM_ERR_INVALID, "%s pages: bad memory type 0x%x", h->name,
			       efi_type);
	err = place(m, h, type, pages, *addr, &base, &free_run);
	if (err)
		return err;
	r = carve(h, free_run, base, pages);
	if (!r)
		return mm_fail(m, MM_ERR_NOMEM, "%s pages: out of host memory", h->name);
	r->efi_type = efi_type;
	r->owner = mm_alloc_owner(m);
	r->internal = internal;
	list_insert(&h->used, r);
	*addr = base;
	mm_log(m, MM_LOG_MEMORY, "%s: %s allocated pages 0x%llx..0x%llx (%llu pages) type %u%s",
	       h->name, r->owner, (unsigned long long)base,
	       (unsigned long long)(run_end(r) - 1), (unsigned long long)pages, efi_type,
	       internal ? " (internal)" : "");
	return MM_OK;
}

struct mm_page_run *mm_page_find(const struct mm_page_heap *h, uint64_t addr, uint64_t len)
{
	if (len == 0)
		len = 1;
	for (struct mm_page_run *r = h->used; r && r->base <= addr; r = r->next)
		if (addr < run_end(r) && len <= run_end(r) - addr)
			return r;
	return NULL;
}

bool mm_page_is_allocated(const struct mm_page_heap *h, uint64_t addr, uint64_t len)
{
	return mm_page_find(h, addr, len) != NULL;
}

/* Records and logs (MM_LOG_WARN) a refused free: it is the driver's bug. */
static enum mm_err bad_free(struct mm_machine *m, struct mm_page_heap *h, enum mm_err err,
			    uint64_t addr, uint64_t pages, const char *why)
{
	mm_log(m, MM_LOG_WARN, "%s: %s freed pages 0x%llx (%llu pages): %s", h->name,
	       mm_executing_name(m), (unsigned long long)addr, (unsigned long long)pages, why);
	return mm_fail(m, err, "%s: free of pages 0x%llx (%llu pages): %s", h->name,
		       (unsigned long long)addr, (unsigned long long)pages, why);
}

/*
 * Splits allocated run r so that [addr, addr+pages) can leave it. Returns the
 * run to free (r itself or a new one), or NULL when out of host memory.
 */
static struct mm_page_run *split_used(struct mm_page_heap *h, struct mm_page_run *r,
				      uint64_t addr, uint64_t pages)
{
	uint64_t end = addr + EFI_PAGES_TO_SIZE(pages);
	struct mm_page_run *out, *tail;

	if (addr == r->base && end == run_end(r)) {
		list_remove(&h->used, r);
		return r;
	}
	out = run_new(addr, pages);
	if (!out)
		return NULL;
	if (addr > r->base && end < run_end(r)) {
		tail = run_new(end, (run_end(r) - end) >> EFI_PAGE_SHIFT);
		if (!tail) {
			free(out);
			return NULL;
		}
		*tail = *r;
		tail->base = end;
		tail->pages = (run_end(r) - end) >> EFI_PAGE_SHIFT;
		r->pages = (addr - r->base) >> EFI_PAGE_SHIFT;
		r->next = tail;
	} else if (addr == r->base) {
		r->base = end;
		r->pages -= pages;
	} else {
		r->pages -= pages;
	}
	return out;
}

enum mm_err mm_page_free(struct mm_machine *m, struct mm_page_heap *h, uint64_t addr,
			 uint64_t pages)
{
	struct mm_page_run *r, *out;
	uint64_t bytes;

	h->gen++;
	if (addr & PAGE_MASK)
		return bad_free(m, h, MM_ERR_INVALID, addr, pages, "address not page aligned");
	if (pages == 0 || pages > MAX_PAGES)
		return bad_free(m, h, MM_ERR_INVALID, addr, pages, "bad page count");
	bytes = EFI_PAGES_TO_SIZE(pages);
	if (addr + bytes < addr)
		return bad_free(m, h, MM_ERR_NOT_FOUND, addr, pages, "range wraps around");
	r = mm_page_find(h, addr, bytes);
	if (!r)
		return bad_free(m, h, MM_ERR_NOT_FOUND, addr, pages,
				mm_page_find(h, addr, 1) ? "range crosses the end of its allocation"
							 : "not allocated");
	out = split_used(h, r, addr, pages);
	if (!out)
		return mm_fail(m, MM_ERR_NOMEM, "%s pages: out of host memory", h->name);
	mm_log(m, MM_LOG_MEMORY, "%s: %s freed pages 0x%llx..0x%llx (%llu pages) type %u of %s",
	       h->name, mm_executing_name(m), (unsigned long long)addr,
	       (unsigned long long)(addr + bytes - 1), (unsigned long long)pages, r->efi_type,
	       r->owner ? r->owner : "?");
	h->free_pages += pages;
	free_insert(h, out);
	return MM_OK;
}

/* True for the memory types a driver may request (UEFI 2.10, AllocatePages). */
static bool page_type_ok(EFI_MEMORY_TYPE t)
{
	uint32_t v = (uint32_t)t;

	if (v >= EfiMaxMemoryType && v < OEM_TYPE_FIRST)
		return false;
	return v != EfiConventionalMemory && v != EfiPersistentMemory &&
	       v != EfiUnacceptedMemoryType;
}

/*
 * True when the host may read and write len bytes at p on behalf of the
 * executing driver: guest memory for emulated code; a native driver's
 * pointers are host pointers (its own stack, say) that its code uses anyway.
 */
static bool out_ptr_ok(const struct mm_machine *m, const void *p, uint64_t len)
{
	const struct mm_image *img = mm_executing_image(m);

	if (!p)
		return false;
	if (img && img->engine == MM_ENGINE_EMULATED)
		return mm_mem_ptr(m, (uint64_t)(uintptr_t)p, len) != NULL;
	return true;
}

EFI_STATUS EFIAPI MmAllocatePages(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType, UINTN Pages,
				  EFI_PHYSICAL_ADDRESS *Memory)
{
	struct mm_machine *m = mm_current();
	uint64_t addr;
	enum mm_err err;

	if (!m)
		return EFI_UNSUPPORTED;
	if ((unsigned)Type >= MaxAllocateType || !page_type_ok(MemoryType) ||
	    !out_ptr_ok(m, Memory, sizeof(*Memory))) {
		mm_log(m, MM_LOG_WARN, "MmAllocatePages by %s: bad type %d, memory type 0x%x or "
		       "Memory pointer %p", mm_executing_name(m), (int)Type, (unsigned)MemoryType,
		       (void *)Memory);
		return EFI_INVALID_PARAMETER;
	}
	addr = Type == AllocateAnyPages ? 0 : *Memory;
	err = mm_page_alloc(m, &m->smram, Type, MemoryType, Pages, &addr, false);
	if (err)
		return mm_err_to_efi(err);
	*Memory = addr;
	return EFI_SUCCESS;
}

EFI_STATUS EFIAPI MmFreePages(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages)
{
	struct mm_machine *m = mm_current();
	const struct mm_page_run *r;

	if (!m)
		return EFI_UNSUPPORTED;
	r = mm_page_find(&m->smram, Memory, 1);
	if (r && (r->pool || r->internal)) {
		bad_free(m, &m->smram, MM_ERR_NOT_FOUND, Memory, Pages,
			 r->pool ? "pages of the pool" : "pages of the Foundation");
		return EFI_NOT_FOUND;
	}
	return mm_err_to_efi(mm_page_free(m, &m->smram, Memory, Pages));
}

/* A snapshot of a heap's runs: the free and used lists, copied. */
struct mm_page_heap_saved {
	struct mm_page_run *free, *used;
	uint64_t total_pages, free_pages, gen;
	size_t runs;
};

/* Copies the list of runs from; NULL when from is empty or out of memory (*ok false). */
static struct mm_page_run *runs_clone(const struct mm_page_run *from, size_t *count, bool *ok)
{
	struct mm_page_run *head = NULL, **tail = &head;

	for (; from; from = from->next) {
		struct mm_page_run *r = malloc(sizeof(*r));

		if (!r) {
			runs_free(head);
			*ok = false;
			return NULL;
		}
		*r = *from;
		r->next = NULL;
		*tail = r;
		tail = &r->next;
		(*count)++;
	}
	return head;
}

struct mm_page_heap_saved *mm_page_heap_save(const struct mm_page_heap *h)
{
	struct mm_page_heap_saved *s = calloc(1, sizeof(*s));
	bool ok = true;

	if (!s)
		return NULL;
	s->free = runs_clone(h->free, &s->runs, &ok);
	s->used = runs_clone(h->used, &s->runs, &ok);
	s->total_pages = h->total_pages;
	s->free_pages = h->free_pages;
	s->gen = h->gen;
	if (!ok) {
		mm_page_heap_saved_free(s);
		return NULL;
	}
	return s;
}

/*
 * Puts the runs of s back into h when h changed since (its generation
 * moved); the generation returns to the saved one, so that an unchanged
 * heap costs nothing at the next restore.
 */
enum mm_err mm_page_heap_restore(struct mm_page_heap *h, const struct mm_page_heap_saved *s)
{
	struct mm_page_run *free_runs, *used_runs;
	size_t n = 0;
	bool ok = true;

	if (h->gen == s->gen)
		return MM_OK;
	free_runs = runs_clone(s->free, &n, &ok);
	used_runs = runs_clone(s->used, &n, &ok);
	if (!ok) {
		runs_free(free_runs);
		runs_free(used_runs);
		return MM_ERR_NOMEM;
	}
	runs_free(h->free);
	runs_free(h->used);
	h->free = free_runs;
	h->used = used_runs;
	h->total_pages = s->total_pages;
	h->free_pages = s->free_pages;
	h->gen = s->gen;
	return MM_OK;
}

void mm_page_heap_saved_free(struct mm_page_heap_saved *s)
{
	if (!s)
		return;
	runs_free(s->free);
	runs_free(s->used);
	free(s);
}

size_t mm_page_heap_saved_bytes(const struct mm_page_heap_saved *s)
{
	return sizeof(*s) + s->runs * sizeof(struct mm_page_run);
}
