/* SPDX-License-Identifier: MIT */
/*
 * Memory services of the boot services (UEFI 2.10, 7.2) over the machine's
 * normal RAM (the "ram" page heap): AllocatePages/FreePages, a pool whose
 * blocks take whole pages (bookkeeping host-side, a free of anything else is
 * refused), and GetMemoryMap.
 *
 * The memory map is built from the platform's regions: a RAM region is cut
 * by the allocated runs of the RAM heap (each reported with its memory
 * type; the rest with the region's type, EfiConventionalMemory normally);
 * an SMRAM region is one EfiReservedMemoryType descriptor. Descriptors are
 * DESC_SIZE bytes apart, larger than the structure, as EDK2's are, so that a
 * driver stepping by sizeof() instead of DescriptorSize is caught.
 */
#include <stdlib.h>
#include <string.h>

#include "core/call.h"
#include "core/machine.h"

#define DESC_SIZE 48

struct mm_dxe_block {
	uint64_t addr;
	uint64_t size;
	struct mm_dxe_block *next;
};

/* True when type may be allocated (UEFI 2.10, AllocatePages / AllocatePool). */
static bool type_ok(uint32_t type)
{
	if (type >= 0x70000000)
		return true; /* OEM and OS-loader reserved ranges */
	return type < EfiMaxMemoryType && type != EfiConventionalMemory &&
	       type != EfiPersistentMemory && type != EfiUnacceptedMemoryType;
}

void *mm_dxe_pool_alloc(struct mm_machine *m, uint32_t type, uint64_t size)
{
	struct mm_dxe_block *b;
	uint64_t addr = 0;

	if (!size || size > m->ram.total_pages * EFI_PAGE_SIZE)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (mm_page_alloc(m, &m->ram, AllocateAnyPages, type, EFI_SIZE_TO_PAGES(size), &addr,
			  false)) {
		free(b);
		return NULL;
	}
	b->addr = addr;
	b->size = size;
	b->next = m->dxe.blocks;
	m->dxe.blocks = b;
	m->dxe.map_key++;
	return (void *)(uintptr_t)addr;
}

static EFI_STATUS EFIAPI DxeAllocatePool(EFI_MEMORY_TYPE PoolType, UINTN Size, VOID **Buffer)
{
	DXE_ENTER(m, "gBS->AllocatePool", DxeAllocatePool);
	if (!Buffer || !mm_caller_ptr_ok(m, Buffer, sizeof(*Buffer)) || !type_ok(PoolType))
		return EFI_INVALID_PARAMETER;
	*Buffer = Size ? mm_dxe_pool_alloc(m, PoolType, Size) : NULL;
	if (!*Buffer && Size)
		return EFI_OUT_OF_RESOURCES;
	mm_log(m, MM_LOG_MEMORY, "gBS->AllocatePool: %s, %llu bytes of type %d at %p",
	       mm_executing_name(m), (unsigned long long)Size, (int)PoolType, *Buffer);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeFreePool(VOID *Buffer)
{
	DXE_ENTER(m, "gBS->FreePool", DxeFreePool);
	for (struct mm_dxe_block **p = &m->dxe.blocks; *p; p = &(*p)->next) {
		struct mm_dxe_block *b = *p;

		if (b->addr != (uint64_t)(uintptr_t)Buffer)
			continue;
		mm_page_free(m, &m->ram, b->addr, EFI_SIZE_TO_PAGES(b->size));
		*p = b->next;
		free(b);
		m->dxe.map_key++;
		return EFI_SUCCESS;
	}
	mm_log(m, MM_LOG_WARN, "gBS->FreePool: %s freed %p, not a pool block of the boot "
	       "services", mm_executing_name(m), Buffer);
	return EFI_INVALID_PARAMETER;
}

static EFI_STATUS EFIAPI DxeAllocatePages(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType,
					  UINTN Pages, EFI_PHYSICAL_ADDRESS *Memory)
{
	uint64_t addr;
	enum mm_err err;

	DXE_ENTER(m, "gBS->AllocatePages", DxeAllocatePages);
	if (!Memory || !mm_caller_ptr_ok(m, Memory, sizeof(*Memory)) ||
	    (unsigned)Type >= MaxAllocateType || !type_ok(MemoryType))
		return EFI_INVALID_PARAMETER;
	addr = *Memory;
	err = mm_page_alloc(m, &m->ram, Type, MemoryType, Pages, &addr, false);
	if (err == MM_ERR_NOMEM || (err == MM_ERR_INVALID && Pages > m->ram.total_pages))
		return EFI_OUT_OF_RESOURCES;
	if (err)
		return mm_err_to_efi(err);
	*Memory = addr;
	m->dxe.map_key++;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeFreePages(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages)
{
	enum mm_err err;

	DXE_ENTER(m, "gBS->FreePages", DxeFreePages);
	for (struct mm_dxe_block *b = m->dxe.blocks; b; b = b->next)
		if (b->addr == Memory) {
			mm_log(m, MM_LOG_WARN, "gBS->FreePages: %s frees pool block 0x%llx",
			       mm_executing_name(m), (unsigned long long)Memory);
			return EFI_NOT_FOUND;
		}
	err = mm_page_free(m, &m->ram, Memory, Pages);
	if (err)
		return err == MM_ERR_NOT_FOUND ? EFI_NOT_FOUND : EFI_INVALID_PARAMETER;
	m->dxe.map_key++;
	return EFI_SUCCESS;
}

/* Collects descriptors into out (up to cap; NULL: count only); merges neighbours. */
struct map_builder {
	EFI_MEMORY_DESCRIPTOR *out;
	uint64_t cap;
	uint64_t count;
	EFI_MEMORY_DESCRIPTOR last;
};

static void emit(struct map_builder *b, uint32_t type, uint64_t base, uint64_t size, uint64_t attr)
{
	EFI_MEMORY_DESCRIPTOR *l = &b->last;

	if (!size)
		return;
	if (b->count && l->Type == type && l->Attribute == attr &&
	    l->PhysicalStart + l->NumberOfPages * EFI_PAGE_SIZE == base) {
		l->NumberOfPages += size / EFI_PAGE_SIZE;
	} else {
		*l = (EFI_MEMORY_DESCRIPTOR){ type, base, 0, size / EFI_PAGE_SIZE, attr };
		b->count++;
	}
	if (b->out && b->count <= b->cap)
		memcpy((uint8_t *)b->out + (b->count - 1) * DESC_SIZE, l, sizeof(*l));
}

/* Emits RAM region [base, end) cut by the RAM heap's allocated runs. */
static void emit_ram(struct mm_machine *m, struct map_builder *b, uint64_t base, uint64_t end,
		     uint32_t type)
{
	uint64_t at = base;

	for (struct mm_page_run *r = m->ram.used; r; r = r->next) {
		uint64_t rs = r->base, re = r->base + r->pages * EFI_PAGE_SIZE;

		if (re <= at || rs >= end)
			continue;
		if (rs > at)
			emit(b, type, at, rs - at, EFI_MEMORY_WB);
		rs = rs < at ? at : rs;
		re = re > end ? end : re;
		emit(b, r->efi_type, rs, re - rs, EFI_MEMORY_WB);
		at = re;
	}
	if (at < end)
		emit(b, type, at, end - at, EFI_MEMORY_WB);
}

const struct mm_region_desc *mm_dxe_next_region(const struct mm_machine *m, uint64_t at)
{
	const struct mm_region_desc *next = NULL;

	for (unsigned i = 0; i < m->mem.count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[i].desc;

		if (d->base >= at && (!next || d->base < next->base))
			next = d;
	}
	return next;
}

/* Walks the regions in address order. */
static void build_map(struct mm_machine *m, struct map_builder *b)
{
	uint64_t at = 0;

	for (;;) {
		const struct mm_region_desc *next = mm_dxe_next_region(m, at);

		if (!next)
			return;
		if (next->kind == MM_REGION_SMRAM)
			emit(b, EfiReservedMemoryType, next->base, next->size, EFI_MEMORY_WB);
		else
			emit_ram(m, b, next->base, next->base + next->size, next->efi_type);
		at = next->base + next->size;
	}
}

static EFI_STATUS EFIAPI DxeGetMemoryMap(UINTN *MemoryMapSize, EFI_MEMORY_DESCRIPTOR *MemoryMap,
					 UINTN *MapKey, UINTN *DescriptorSize,
					 UINT32 *DescriptorVersion)
{
	struct map_builder b = { 0 };
	uint64_t need;

	DXE_ENTER(m, "gBS->GetMemoryMap", DxeGetMemoryMap);
	if (!MemoryMapSize || !mm_caller_ptr_ok(m, MemoryMapSize, sizeof(*MemoryMapSize)))
		return EFI_INVALID_PARAMETER;
	build_map(m, &b);
	need = b.count * DESC_SIZE;
	if (DescriptorSize && mm_caller_ptr_ok(m, DescriptorSize, sizeof(*DescriptorSize)))
		*DescriptorSize = DESC_SIZE;
	if (DescriptorVersion && mm_caller_ptr_ok(m, DescriptorVersion, sizeof(UINT32)))
		*DescriptorVersion = EFI_MEMORY_DESCRIPTOR_VERSION;
	if (*MemoryMapSize < need) {
		*MemoryMapSize = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (!MemoryMap || !mm_caller_ptr_ok(m, MemoryMap, need))
		return EFI_INVALID_PARAMETER;
	b = (struct map_builder){ MemoryMap, need / DESC_SIZE, 0, { 0 } };
	memset(MemoryMap, 0, need);
	build_map(m, &b);
	*MemoryMapSize = need;
	if (MapKey && mm_caller_ptr_ok(m, MapKey, sizeof(*MapKey)))
		*MapKey = m->dxe.map_key;
	return EFI_SUCCESS;
}

void mm_dxe_memory_table(EFI_BOOT_SERVICES *bs)
{
	bs->AllocatePages = DxeAllocatePages;
	bs->FreePages = DxeFreePages;
	bs->GetMemoryMap = DxeGetMemoryMap;
	bs->AllocatePool = DxeAllocatePool;
	bs->FreePool = DxeFreePool;
}

void mm_dxe_memory_fini(struct mm_machine *m)
{
	while (m->dxe.blocks) {
		struct mm_dxe_block *b = m->dxe.blocks;

		m->dxe.blocks = b->next;
		free(b);
	}
}
