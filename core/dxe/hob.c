/* SPDX-License-Identifier: MIT */
/*
 * The HOB list the DXE world finds in its configuration table
 * (gEfiHobListGuid; PI 1.8 volume 3, chapter 5), built once from the
 * platform when the world is created:
 *
 *   PHIT (EFI_HOB_HANDOFF_INFO_TABLE)
 *   one resource descriptor per RAM region (system memory) and per SMRAM
 *     region (reserved memory)
 *   one memory allocation HOB per run of RAM allocated at that point
 *   the SMM base HOB (gSmmBaseHobGuid, SMM_BASE_HOB_DATA): the SMBASE of
 *     every CPU, copied from the MM configuration table when the CPU model
 *     published it there, else the platform's default tiles
 *     (smbase_default + index * tile_size)
 *   standalone model only: the EFI_PEI_MM_CORE_GUID HOB, MM_CORE_LOADED
 *   end of list
 */
#include <string.h>

#include <pi/smm-base-hob.h>

#include "core/machine.h"

#define ALIGN8(x) (((x) + 7) & ~(uint64_t)7)

struct hob_writer {
	uint8_t *at;
};

static void *put(struct hob_writer *w, uint16_t type, uint64_t len)
{
	EFI_HOB_GENERIC_HEADER *h = (EFI_HOB_GENERIC_HEADER *)w->at;

	h->HobType = type;
	h->HobLength = (uint16_t)ALIGN8(len);
	w->at += ALIGN8(len);
	return h;
}

static void *put_guid(struct hob_writer *w, const EFI_GUID *guid, uint64_t data_len)
{
	EFI_HOB_GUID_TYPE *g = put(w, EFI_HOB_TYPE_GUID_EXTENSION, sizeof(*g) + data_len);

	g->Name = *guid;
	return g + 1;
}

/* The SMM base HOB data: published by the CPU model, or default tiles. */
static void put_smm_base(struct mm_machine *m, struct hob_writer *w)
{
	const SMM_BASE_HOB_DATA *pub = mm_config_table_get(m, &gSmmBaseHobGuid);
	unsigned n = m->cpus.count;
	SMM_BASE_HOB_DATA *d = put_guid(w, &gSmmBaseHobGuid, sizeof(*d) + 8ull * n);

	d->ProcessorIndex = 0;
	d->NumberOfProcessors = n;
	for (unsigned i = 0; i < n; i++)
		d->SmBase[i] = m->platform.smbase_default + (uint64_t)i * m->platform.tile_size;
	if (!pub || !mm_mem_inside_smram(m, (uint64_t)(uintptr_t)pub, sizeof(*pub)))
		return;
	for (unsigned i = 0; i < pub->NumberOfProcessors; i++) {
		unsigned cpu = pub->ProcessorIndex + i;

		if (cpu < n && mm_mem_ptr(m, (uint64_t)(uintptr_t)&pub->SmBase[i], 8))
			d->SmBase[cpu] = pub->SmBase[i];
	}
}

static uint64_t list_size(struct mm_machine *m)
{
	uint64_t size = sizeof(EFI_HOB_HANDOFF_INFO_TABLE) +
			m->mem.count * sizeof(EFI_HOB_RESOURCE_DESCRIPTOR) +
			ALIGN8(sizeof(EFI_HOB_GUID_TYPE) + sizeof(SMM_BASE_HOB_DATA) +
			       8ull * m->cpus.count) +
			sizeof(EFI_HOB_GUID_TYPE) + sizeof(EFI_PEI_MM_CORE_HOB_DATA) +
			sizeof(EFI_HOB_GENERIC_HEADER);

	for (struct mm_page_run *r = m->ram.used; r; r = r->next)
		size += sizeof(EFI_HOB_MEMORY_ALLOCATION);
	return size + 2 * sizeof(EFI_HOB_MEMORY_ALLOCATION); /* the list's own pages */
}

static void put_resources(struct mm_machine *m, struct hob_writer *w, EFI_HOB_HANDOFF_INFO_TABLE *phit)
{
	for (unsigned i = 0; i < m->mem.count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[i].desc;
		EFI_HOB_RESOURCE_DESCRIPTOR *r = put(w, EFI_HOB_TYPE_RESOURCE_DESCRIPTOR, sizeof(*r));
		bool smram = d->kind == MM_REGION_SMRAM;

		r->ResourceType = smram ? EFI_RESOURCE_MEMORY_RESERVED : EFI_RESOURCE_SYSTEM_MEMORY;
		r->ResourceAttribute = EFI_RESOURCE_ATTRIBUTE_PRESENT |
				       EFI_RESOURCE_ATTRIBUTE_INITIALIZED |
				       EFI_RESOURCE_ATTRIBUTE_TESTED |
				       EFI_RESOURCE_ATTRIBUTE_WRITE_BACK_CACHEABLE;
		r->PhysicalStart = d->base;
		r->ResourceLength = d->size;
		if (smram)
			continue;
		if (!phit->EfiMemoryBottom || d->base < phit->EfiMemoryBottom)
			phit->EfiMemoryBottom = d->base;
		if (d->base + d->size > phit->EfiMemoryTop)
			phit->EfiMemoryTop = d->base + d->size;
	}
}

enum mm_err mm_dxe_hob_build(struct mm_machine *m)
{
	uint64_t size = list_size(m);
	uint8_t *list = mm_dxe_ram_zalloc(m, size);
	struct hob_writer w = { list };
	EFI_HOB_HANDOFF_INFO_TABLE *phit;

	if (!list)
		return mm_fail(m, MM_ERR_NOMEM, "DXE world: no RAM for the HOB list");
	phit = put(&w, EFI_HOB_TYPE_HANDOFF, sizeof(*phit));
	phit->Version = EFI_HOB_HANDOFF_TABLE_VERSION;
	phit->BootMode = BOOT_WITH_FULL_CONFIGURATION;
	put_resources(m, &w, phit);
	phit->EfiFreeMemoryBottom = phit->EfiMemoryBottom;
	phit->EfiFreeMemoryTop = phit->EfiMemoryTop;
	for (struct mm_page_run *r = m->ram.used; r; r = r->next) {
		EFI_HOB_MEMORY_ALLOCATION *a = put(&w, EFI_HOB_TYPE_MEMORY_ALLOCATION, sizeof(*a));

		a->AllocDescriptor.MemoryBaseAddress = r->base;
		a->AllocDescriptor.MemoryLength = r->pages * EFI_PAGE_SIZE;
		a->AllocDescriptor.MemoryType = r->efi_type;
	}
	put_smm_base(m, &w);
	if (m->platform.init_model == MM_INIT_STANDALONE_PEI) {
		EFI_PEI_MM_CORE_HOB_DATA *c = put_guid(&w, &gEfiPeiMmCoreGuid, sizeof(*c));

		c->Flags = EFI_PEI_MM_CORE_LOADED;
	}
	phit->EfiEndOfHobList = (uint64_t)(uintptr_t)w.at;
	put(&w, EFI_HOB_TYPE_END_OF_HOB_LIST, sizeof(EFI_HOB_GENERIC_HEADER));
	m->dxe.hob_list = list;
	m->dxe.hob_size = (uint64_t)(w.at - list);
	return mm_dxe_config_set(m, &gEfiHobListGuid, list);
}
