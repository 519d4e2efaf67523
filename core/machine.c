/* SPDX-License-Identifier: MIT */
/*
 * Creating and destroying the core of a machine: platform validation, guest
 * memory, the SMRAM and RAM page heaps, the pool, the MM System Table, the
 * CPUs and the protocols the Foundation itself produces. Devices and the CPU
 * model attach on top (emu/platform.c assembles the whole machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"
#include "mmst.h"

void mm_platform_default(struct mm_platform *p)
{
	memset(p, 0, sizeof(*p));
	p->name = "default";
	p->cpus = 4;
	p->regions[0] = (struct mm_region_desc){ "lowram", 0x10000, 0x90000, MM_REGION_RAM,
						 EfiConventionalMemory };
	p->regions[1] = (struct mm_region_desc){ "ram", 0x100000, 0x0F700000, MM_REGION_RAM,
						 EfiConventionalMemory };
	p->regions[2] = (struct mm_region_desc){ "tseg", 0x0F800000, 0x800000, MM_REGION_SMRAM,
						 EfiReservedMemoryType };
	p->nregions = 3;
	p->save_state = MM_SAVE_STATE_INTEL64;
	p->smbase_default = 0x30000;
	p->tile_size = 0x2000;
	p->instruction_budget = 0;
	p->cpu_engine = MM_CPU_UNICORN;
}

const struct mm_platform *mm_machine_platform(const struct mm_machine *m)
{
	return &m->platform;
}

static enum mm_err check_platform(struct mm_machine *m, const struct mm_platform *p)
{
	if (p->cpus == 0 || p->cpus > MM_MAX_CPUS)
		return mm_fail(m, MM_ERR_INVALID, "platform.cpus: %u (1..%d allowed)", p->cpus,
			       MM_MAX_CPUS);
	if (p->tile_size < 0x2000 || (p->tile_size & (p->tile_size - 1)))
		return mm_fail(m, MM_ERR_INVALID,
			       "platform.smbase.tile_size: 0x%x must be a power of two >= 0x2000",
			       p->tile_size);
	if (p->save_state != MM_SAVE_STATE_INTEL64 && p->save_state != MM_SAVE_STATE_AMD64)
		return mm_fail(m, MM_ERR_INVALID, "platform.save_state: unknown layout %d",
			       (int)p->save_state);
	return mm_memory_check(m, p);
}

/*
 * The page heaps: every SMRAM region, and the RAM regions of type
 * EfiConventionalMemory. RAM of another type (runtime data, ACPI NVS ...)
 * is memory the firmware already owns: it shows in the memory map with its
 * type, and only fixed addresses reach it, never an allocation.
 */
static enum mm_err add_heaps(struct mm_machine *m)
{
	m->smram.name = "smram";
	m->ram.name = "ram";
	for (unsigned i = 0; i < m->mem.count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[i].desc;
		struct mm_page_heap *h = d->kind == MM_REGION_SMRAM ? &m->smram : &m->ram;
		enum mm_err err;

		if (d->kind != MM_REGION_SMRAM && d->efi_type != EfiConventionalMemory)
			continue;
		err = mm_page_heap_add(m, h, d->base, d->size);
		if (err)
			return err;
	}
	return MM_OK;
}

enum mm_err mm_core_create(const struct mm_platform *p, struct mm_machine **out, char *err,
			   size_t errlen)
{
	struct mm_platform def;
	struct mm_machine *m;
	enum mm_err e;

	*out = NULL;
	if (!p) {
		mm_platform_default(&def);
		p = &def;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		if (err)
			snprintf(err, errlen, "out of memory");
		return MM_ERR_NOMEM;
	}
	m->platform = *p;
	m->log.mask = MM_LOG_WARN;
	m->mmdb.name = "mm";
	m->dxedb.name = "dxe";
	e = check_platform(m, p);
	if (!e)
		e = mm_memory_map(m);
	if (!e)
		e = add_heaps(m);
	if (!e)
		e = mm_pool_init(m);
	if (!e)
		e = mm_mmst_init(m);
	if (!e)
		e = mm_cpus_init(m, p->cpus);
	if (!e)
		e = mm_sw_dispatch_init(m);
	if (!e)
		e = mm_sx_dispatch_init(m);
	if (!e)
		e = mm_periodic_timer_dispatch_init(m);
	if (!e)
		e = mm_power_button_dispatch_init(m);
	if (!e)
		e = mm_standby_button_dispatch_init(m);
	if (!e)
		e = mm_gpi_dispatch_init(m);
	if (!e)
		e = mm_io_trap_dispatch_init(m);
	if (!e)
		e = mm_comm_init(m);
	if (e) {
		if (err)
			snprintf(err, errlen, "%s", m->errmsg);
		mm_machine_destroy(m);
		return e;
	}
	*out = m;
	return MM_OK;
}

enum mm_err mm_extension_add(struct mm_machine *m, const char *name,
			     void (*fini)(struct mm_machine *m, void *data), void *data)
{
	struct mm_extension *x = calloc(1, sizeof(*x));

	if (!x)
		return mm_fail(m, MM_ERR_NOMEM, "extension %s: out of memory", name);
	x->name = name;
	x->fini = fini;
	x->data = data;
	x->next = m->extensions;
	m->extensions = x;
	return MM_OK;
}

void *mm_extension_get(const struct mm_machine *m, const char *name)
{
	for (struct mm_extension *x = m->extensions; x; x = x->next)
		if (!strcmp(x->name, name))
			return x->data;
	return NULL;
}

void mm_machine_destroy(struct mm_machine *m)
{
	if (!m)
		return;
	/* Images go first: nothing may call into an unloaded driver. */
	mm_images_fini(m);
	while (m->extensions) {
		struct mm_extension *x = m->extensions;

		m->extensions = x->next;
		if (x->fini)
			x->fini(m, x->data);
		free(x);
	}
	mm_dispatcher_fini(m);
	mm_sw_dispatch_fini(m);
	mm_sx_dispatch_fini(m);
	mm_periodic_timer_dispatch_fini(m);
	mm_power_button_dispatch_fini(m);
	mm_standby_button_dispatch_fini(m);
	mm_gpi_dispatch_fini(m);
	mm_io_trap_dispatch_fini(m);
	mm_mmi_fini(m);
	mm_cpus_fini(m);
	mm_dxe_fini(m);
	mm_protocol_db_fini(&m->dxedb);
	mm_protocol_db_fini(&m->mmdb);
	mm_pool_fini(m);
	mm_page_heap_fini(&m->smram);
	mm_page_heap_fini(&m->ram);
	mm_io_fini(m);
	mm_memory_unmap(m);
	free(m);
}
