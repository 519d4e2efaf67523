/* SPDX-License-Identifier: MIT */
/*
 * SMBASE tiles and relocation.
 *
 * The tiles follow the rules of EDK2's SMM base HOB (see emu/stub.h for the
 * map of one tile): CPU i gets SMBASE = T + i * tile_size - 0x8000, where T
 * is the start of one SMRAM allocation covering every CPU's entry point and
 * save-state map. Every CPU starts at the default SMBASE (0x30000) and is
 * moved to its tile the way firmware does it: an SMI at the default SMBASE
 * runs a relocation handler that writes the new SMBASE into the save-state
 * map, and RSM makes it take effect. The result is published for the
 * Foundation as gSmmBaseHobGuid data (SMM_BASE_HOB_DATA) in the MM
 * configuration table.
 */
#include <stdlib.h>
#include <string.h>

#include <pi/smm-base-hob.h>

#include "emu/model.h"

#define RELOC_LEN 0x8000 /* default SMBASE + 0x8000 .. + 0x10000 */

void *mm_emu_ptr(struct mm_emu *e, uint64_t addr, uint64_t len)
{
	if (e->reloc_host && addr >= e->reloc_base && addr - e->reloc_base <= e->reloc_len &&
	    len <= e->reloc_len - (addr - e->reloc_base))
		return e->reloc_host + (addr - e->reloc_base);
	return mm_mem_ptr(e->m, addr, len);
}

/* True when cpu's entry point and save-state map at smbase lie in SMRAM. */
static bool tile_in_smram(struct mm_emu *e, uint64_t smbase)
{
	return smbase + 0x10000 > smbase &&
	       mm_mem_inside_smram(e->m, smbase + MM_STUB_ENTRY, 0x10000 - MM_STUB_ENTRY);
}

/* Allocates the tiles of all CPUs in SMRAM; stores T in e->tiles_base. */
static enum mm_err place_tiles(struct mm_emu *e)
{
	uint64_t tile = e->m->platform.tile_size;
	uint64_t size = (uint64_t)(e->ncpus - 1) * tile + 0x8000;
	enum mm_err err;

	if (tile < MM_TILE_MIN || (tile & (tile - 1)))
		return mm_fail(e->m, MM_ERR_INVALID,
			       "platform.smbase.tile_size: 0x%llx must be a power of two >= 0x%x",
			       (unsigned long long)tile, MM_TILE_MIN);
	if (size < e->ncpus * tile)
		size = e->ncpus * tile;
	e->tiles_pages = size / EFI_PAGE_SIZE;
	err = mm_page_alloc(e->m, &e->m->smram, AllocateAnyPages, EfiRuntimeServicesCode,
			    e->tiles_pages, &e->tiles_base, true);
	if (err)
		return mm_fail(e->m, MM_ERR_INVALID,
			       "platform.cpus: %u SMBASE tiles of 0x%llx bytes (0x%llx in all) do "
			       "not fit in SMRAM",
			       e->ncpus, (unsigned long long)tile, (unsigned long long)size);
	memset((void *)(uintptr_t)e->tiles_base, 0, size);
	for (unsigned i = 0; i < e->ncpus; i++) {
		uint64_t smbase = e->tiles_base + i * tile - MM_STUB_ENTRY;

		if (!tile_in_smram(e, smbase) || smbase + 0x10000 > 0x100000000ull)
			return mm_fail(e->m, MM_ERR_INVALID,
				       "platform.smbase.tile_size: tile of CPU %u (SMBASE 0x%llx) is not "
				       "inside SMRAM below 4 GiB",
				       i, (unsigned long long)smbase);
	}
	return MM_OK;
}

/* Makes the default-SMBASE area usable; saves what the OS had there. */
static enum mm_err reloc_area_open(struct mm_emu *e, uint64_t def, uint8_t **saved)
{
	uint64_t base = def + MM_STUB_ENTRY;
	uint8_t *host = mm_mem_ptr(e->m, base, RELOC_LEN);

	*saved = malloc(RELOC_LEN);
	if (!*saved)
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: out of memory");
	if (host) {
		memcpy(*saved, host, RELOC_LEN);
		return MM_OK;
	}
	e->reloc_host = aligned_alloc(EFI_PAGE_SIZE, RELOC_LEN);
	if (!e->reloc_host ||
	    uc_mem_map_ptr(e->uc, base, RELOC_LEN, UC_PROT_ALL, e->reloc_host) != UC_ERR_OK) {
		free(e->reloc_host);
		e->reloc_host = NULL;
		return mm_fail(e->m, MM_ERR_MAP,
			       "platform.smbase.default: 0x%llx+0x8000 is neither guest memory nor "
			       "mappable",
			       (unsigned long long)def);
	}
	e->reloc_base = base;
	e->reloc_len = RELOC_LEN;
	return MM_OK;
}

/* Gives the default-SMBASE area back as it was. */
static void reloc_area_close(struct mm_emu *e, uint64_t def, uint8_t *saved)
{
	uint64_t base = def + MM_STUB_ENTRY;

	if (e->reloc_host) {
		uc_mem_unmap(e->uc, base, RELOC_LEN);
		free(e->reloc_host);
		e->reloc_host = NULL;
	} else if (saved) {
		memcpy(mm_mem_ptr(e->m, base, RELOC_LEN), saved, RELOC_LEN);
	}
	free(saved);
	uc_ctl_remove_cache(e->uc, base, base + RELOC_LEN);
}

/* One relocation SMI of cpu at the default SMBASE def, to target. */
static enum mm_err relocate_cpu(struct mm_emu *e, unsigned cpu, uint64_t def, uc_context *ctx,
				uint64_t target)
{
	struct mm_stub_params *p = mm_emu_ptr(e, def + MM_STUB_PARAMS, sizeof(*p));
	uint8_t *map = mm_emu_ptr(e, def + MM_SAVE_STATE_MAP, 0x10000 - MM_SAVE_STATE_MAP);
	enum mm_emu_event ev;
	uc_err uerr;

	p->cpu_index = cpu;
	p->reloc_smbase = (uint32_t)target;
	e->cpu[cpu].smbase = def;
	e->layout->write(e, cpu, map, false);
	uc_context_restore(e->uc, ctx);
	e->blocks = 0;
	ev = mm_emu_run(e, cpu, MM_STUB_ENTRY + e->info->reloc16, &uerr);
	if (ev != MM_EMU_EV_RSM)
		return mm_emu_stop(e, cpu, ev, uerr, "SMBASE relocation");
	return mm_emu_rsm(e, cpu, def, true);
}

/* Relocates every CPU from the default SMBASE to its tile. */
static enum mm_err relocate_all(struct mm_emu *e)
{
	uint64_t def = e->m->platform.smbase_default ? e->m->platform.smbase_default : 0x30000;
	uint64_t tile = e->m->platform.tile_size;
	uc_context *ctx = NULL;
	uint8_t *saved = NULL;
	enum mm_err err;

	if (uc_context_alloc(e->uc, &ctx))
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: out of memory");
	err = reloc_area_open(e, def, &saved);
	if (!err) {
		memcpy(mm_emu_ptr(e, def + MM_STUB_ENTRY, MM_STUB_MAX), mm_smi_stub,
		       mm_smi_stub_size);
		mm_stub_fill_params(e, 0, def, mm_emu_ptr(e, def + MM_STUB_PARAMS,
							 sizeof(struct mm_stub_params)));
		uc_ctl_remove_cache(e->uc, def + MM_STUB_ENTRY, def + MM_STUB_ENTRY + MM_STUB_MAX);
		err = mm_stub_entry_context(e, 0, def, ctx);
	}
	for (unsigned i = 0; !err && i < e->ncpus; i++)
		err = relocate_cpu(e, i, def, ctx, e->tiles_base + i * tile - MM_STUB_ENTRY);
	if (saved || e->reloc_host)
		reloc_area_close(e, def, saved);
	uc_context_free(ctx);
	return err;
}

/* Publishes the SMBASE of every CPU as gSmmBaseHobGuid data in SMRAM. */
static enum mm_err publish_hob(struct mm_emu *e)
{
	uint64_t size = sizeof(SMM_BASE_HOB_DATA) + (uint64_t)e->ncpus * sizeof(UINT64);
	SMM_BASE_HOB_DATA *hob;
	enum mm_err err;

	err = mm_page_alloc(e->m, &e->m->smram, AllocateAnyPages, EfiRuntimeServicesData,
			    EFI_SIZE_TO_PAGES(size), &e->hob, true);
	if (err)
		return mm_fail(e->m, err, "emu: no SMRAM for the SMM base HOB data");
	hob = (SMM_BASE_HOB_DATA *)(uintptr_t)e->hob;
	hob->ProcessorIndex = 0;
	hob->NumberOfProcessors = e->ncpus;
	for (unsigned i = 0; i < e->ncpus; i++)
		hob->SmBase[i] = e->cpu[i].smbase;
	err = mm_config_table_set(e->m, &gSmmBaseHobGuid, hob);
	if (err == MM_ERR_UNSUPPORTED) { /* the configuration table is not there yet */
		mm_log(e->m, MM_LOG_CPU, "emu: SMM base HOB data at 0x%llx not published: %s",
		       (unsigned long long)e->hob, mm_strerror(err));
		return MM_OK;
	}
	return err;
}

/* Points the MMST's CpuSaveState arrays (when core has them) at the maps. */
static void publish_maps(struct mm_emu *e)
{
	for (unsigned i = 0; i < e->ncpus; i++) {
		if (e->m->cpus.save_state_ptr)
			e->m->cpus.save_state_ptr[i] =
				(VOID *)(uintptr_t)(e->cpu[i].smbase + MM_SAVE_STATE_MAP);
		if (e->m->cpus.save_state_size)
			e->m->cpus.save_state_size[i] = 0x10000 - MM_SAVE_STATE_MAP;
	}
}

enum mm_err mm_emu_tiles_init(struct mm_emu *e)
{
	enum mm_err err = place_tiles(e);

	if (!err)
		err = relocate_all(e);
	for (unsigned i = 0; !err && i < e->ncpus; i++)
		err = mm_stub_install(e, i);
	if (!err)
		err = publish_hob(e);
	if (!err)
		publish_maps(e);
	return err;
}

enum mm_err mm_emu_set_smbase(struct mm_emu *e, unsigned cpu, uint64_t smbase)
{
	if (!tile_in_smram(e, smbase) || smbase + 0x10000 > 0x100000000ull)
		return mm_fail(e->m, MM_ERR_STOPPED,
			       "CPU %u: RSM loaded SMBASE 0x%llx, whose entry point and save state "
			       "are not inside SMRAM below 4 GiB; SMBASE stays 0x%llx",
			       cpu, (unsigned long long)smbase,
			       (unsigned long long)e->cpu[cpu].smbase);
	e->cpu[cpu].smbase = smbase;
	if (e->hob)
		((SMM_BASE_HOB_DATA *)(uintptr_t)e->hob)->SmBase[cpu] = smbase;
	publish_maps(e);
	return mm_stub_install(e, cpu);
}
