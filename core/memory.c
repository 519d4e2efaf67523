/* SPDX-License-Identifier: MIT */
/*
 * Guest memory: validation of the platform's regions, their identity mapping
 * into the host, and checked access by guest address.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "snapshot.h"
#include "machine.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define PAGE_MASK 0xFFFull

static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

enum mm_err mm_memory_check(struct mm_machine *m, const struct mm_platform *p)
{
	unsigned nsmram = 0;

	if (p->nregions == 0 || p->nregions > MM_MAX_REGIONS)
		return mm_fail(m, MM_ERR_INVALID, "platform.memory: %u regions (1..%d allowed)",
			       p->nregions, MM_MAX_REGIONS);
	for (unsigned i = 0; i < p->nregions; i++) {
		const struct mm_region_desc *r = &p->regions[i];
		const char *name = r->name ? r->name : "?";

		if (r->size == 0 || (r->base & PAGE_MASK) || (r->size & PAGE_MASK))
			return mm_fail(m, MM_ERR_INVALID,
				       "platform.memory[%u] (%s): base 0x%llx size 0x%llx must be "
				       "non-empty and 4 KiB aligned",
				       i, name, (unsigned long long)r->base,
				       (unsigned long long)r->size);
		if (r->base + r->size < r->base)
			return mm_fail(m, MM_ERR_INVALID, "platform.memory[%u] (%s): wraps around",
				       i, name);
		if (r->kind != MM_REGION_RAM && r->kind != MM_REGION_SMRAM)
			return mm_fail(m, MM_ERR_INVALID, "platform.memory[%u] (%s): bad kind %d",
				       i, name, (int)r->kind);
		if (r->kind == MM_REGION_SMRAM)
			nsmram++;
		for (unsigned j = 0; j < i; j++) {
			const struct mm_region_desc *o = &p->regions[j];

			if (ranges_overlap(r->base, r->size, o->base, o->size))
				return mm_fail(m, MM_ERR_INVALID,
					       "platform.memory[%u] (%s) overlaps "
					       "platform.memory[%u] (%s)",
					       i, name, j, o->name ? o->name : "?");
		}
	}
	if (nsmram == 0)
		return mm_fail(m, MM_ERR_INVALID, "platform.memory: no SMRAM region");
	return MM_OK;
}

/*
 * Maps size bytes at exactly want, never over an existing mapping. Kernels
 * (and valgrind) that do not know MAP_FIXED_NOREPLACE get a plain hint, whose
 * result the caller checks just the same.
 */
static void *map_at(void *want, uint64_t size)
{
	const int prot = PROT_READ | PROT_WRITE | PROT_EXEC;
	const int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
	void *got = mmap(want, size, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);

	if (got == MAP_FAILED && errno == EINVAL)
		got = mmap(want, size, prot, flags, -1, 0);
	return got;
}

enum mm_err mm_memory_map(struct mm_machine *m)
{
	const struct mm_platform *p = &m->platform;

	m->mem.count = 0;
	m->mem.smram_count = 0;
	for (unsigned i = 0; i < p->nregions; i++) {
		const struct mm_region_desc *d = &p->regions[i];
		struct mm_region *r = &m->mem.regions[i];
		void *want = (void *)(uintptr_t)d->base;
		void *got;

		r->desc = *d;
		got = map_at(want, d->size);
		if (got == MAP_FAILED || got != want) {
			int e = errno;

			if (got != MAP_FAILED)
				munmap(got, d->size);
			mm_memory_unmap(m);
			return mm_fail(m, MM_ERR_MAP,
				       "platform.memory[%u] (%s): cannot map 0x%llx..0x%llx at its "
				       "guest address: %s (another machine or the host uses it)",
				       i, d->name ? d->name : "?", (unsigned long long)d->base,
				       (unsigned long long)(d->base + d->size - 1),
				       got == MAP_FAILED ? strerror(e) : "kernel chose another address");
		}
		r->host = got;
		r->mapped = true;
		m->mem.count = i + 1;
		if (d->kind == MM_REGION_SMRAM)
			m->mem.smram[m->mem.smram_count++] = i;
	}
	return MM_OK;
}

void mm_memory_unmap(struct mm_machine *m)
{
	for (unsigned i = 0; i < m->mem.count; i++) {
		struct mm_region *r = &m->mem.regions[i];

		if (r->mapped)
			munmap(r->host, r->desc.size);
		r->mapped = false;
	}
	m->mem.count = 0;
	m->mem.smram_count = 0;
}

void *mm_mem_ptr(const struct mm_machine *m, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < m->mem.count; i++) {
		const struct mm_region *r = &m->mem.regions[i];
		uint64_t off = addr - r->desc.base;

		if (addr >= r->desc.base && off < r->desc.size && len <= r->desc.size - off) {
			if (m->snap) /* the caller may write: a snapshot must know */
				mm_snap_mark(m->snap, addr, len);
			return r->host + off;
		}
	}
	return NULL;
}

enum mm_err mm_mem_read(struct mm_machine *m, uint64_t addr, void *buf, uint64_t len)
{
	void *p = mm_mem_ptr(m, addr, len);

	if (!p)
		return mm_fail(m, MM_ERR_RANGE, "read of 0x%llx bytes at 0x%llx: not guest memory",
			       (unsigned long long)len, (unsigned long long)addr);
	memcpy(buf, p, len);
	return MM_OK;
}

enum mm_err mm_mem_write(struct mm_machine *m, uint64_t addr, const void *buf, uint64_t len)
{
	void *p = mm_mem_ptr(m, addr, len);

	if (!p)
		return mm_fail(m, MM_ERR_RANGE, "write of 0x%llx bytes at 0x%llx: not guest memory",
			       (unsigned long long)len, (unsigned long long)addr);
	memcpy(p, buf, len);
	return MM_OK;
}

bool mm_mem_overlaps_smram(const struct mm_machine *m, uint64_t addr, uint64_t len)
{
	uint64_t end;

	if (len == 0)
		len = 1;
	end = addr + len;
	if (end < addr) /* wraps: it covers the top of the address space */
		end = UINT64_MAX;
	for (unsigned i = 0; i < m->mem.smram_count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[m->mem.smram[i]].desc;

		if (addr < d->base + d->size && d->base < end)
			return true;
	}
	return false;
}

bool mm_mem_inside_smram(const struct mm_machine *m, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < m->mem.smram_count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[m->mem.smram[i]].desc;
		uint64_t off = addr - d->base;

		if (addr >= d->base && off < d->size && len <= d->size - off)
			return true;
	}
	return false;
}

enum mm_err mm_ram_alloc(struct mm_machine *m, uint64_t size, uint32_t efi_type, uint64_t *addr)
{
	if (!addr || size == 0 || size > m->ram.total_pages * EFI_PAGE_SIZE)
		return mm_fail(m, MM_ERR_INVALID, "ram_alloc: bad size 0x%llx",
			       (unsigned long long)size);
	return mm_page_alloc(m, &m->ram, AllocateAnyPages, efi_type, EFI_SIZE_TO_PAGES(size),
			     addr, false);
}

enum mm_err mm_ram_free(struct mm_machine *m, uint64_t addr, uint64_t size)
{
	return mm_page_free(m, &m->ram, addr, EFI_SIZE_TO_PAGES(size));
}
