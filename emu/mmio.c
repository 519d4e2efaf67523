/* SPDX-License-Identifier: MIT */
/*
 * MMIO on the emulated CPU. Guest memory is identity-mapped RAM and SMRAM;
 * devices such as flash and ECAM are MMIO and never host-mapped: the engine
 * gets one uc_mmio_map window per bus range, and each access of a window is
 * one mm_io_read/mm_io_write on the machine's MMIO bus at its absolute
 * address (so a device moved on the bus is still found, and what no device
 * claims reads all ones).
 *
 * Windows are mapped at attach for the ranges claimed then (the chipset's)
 * and on the first access for ranges claimed later (a flash image mapped by
 * a scenario): an unmapped access that falls in a bus range maps that
 * range and is retried. Any other unmapped access stays a fault.
 */
#include <stdlib.h>

#include <unicorn/unicorn.h>

#include "core/machine.h"
#include "emu/mmio.h"
#include "emu/model.h"

#define MMIO_MAX_WINDOWS 32
#define PAGE_MASK 0xFFFull

struct mmio_window {
	struct mm_machine *m;
	uint64_t base, size;
};

struct mmio_state {
	struct mm_emu *e;
	struct mmio_window win[MMIO_MAX_WINDOWS];
	unsigned count;
};

/* uc_mmio_map read callback: offset is relative to the window. */
static uint64_t window_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
	struct mmio_window *w = user;

	(void)uc;
	return mm_io_read(w->m, MM_IO_MMIO, w->base + offset, size);
}

/* uc_mmio_map write callback. */
static void window_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value,
			 void *user)
{
	struct mmio_window *w = user;

	(void)uc;
	mm_io_write(w->m, MM_IO_MMIO, w->base + offset, size, value);
}

/* True when [base, base+size) is already a window. */
static bool window_exists(const struct mmio_state *s, uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < s->count; i++)
		if (base < s->win[i].base + s->win[i].size && s->win[i].base < base + size)
			return true;
	return false;
}

/* Maps the bus range r as a window (page-aligned). MM_OK, MM_ERR_MAP, MM_ERR_NOMEM. */
static enum mm_err window_map(struct mmio_state *s, const struct mm_io_range *r)
{
	struct mm_machine *m = s->e->m;
	uint64_t base = r->base & ~PAGE_MASK;
	uint64_t size = ((r->base + r->len + PAGE_MASK) & ~PAGE_MASK) - base;
	struct mmio_window *w;
	uc_err u;

	if (window_exists(s, base, size))
		return MM_OK;
	if (s->count == MMIO_MAX_WINDOWS)
		return mm_fail(m, MM_ERR_NOMEM, "emu: more than %d MMIO windows", MMIO_MAX_WINDOWS);
	w = &s->win[s->count];
	*w = (struct mmio_window){ m, base, size };
	u = uc_mmio_map(s->e->uc, base, size, window_read, w, window_write, w);
	if (u)
		return mm_fail(m, MM_ERR_MAP, "emu: cannot map MMIO %s at 0x%llx+0x%llx: %s",
			       r->name, (unsigned long long)base, (unsigned long long)size,
			       uc_strerror(u));
	s->count++;
	mm_log(m, MM_LOG_IO, "emu: MMIO window 0x%llx+0x%llx for %s", (unsigned long long)base,
	       (unsigned long long)size, r->name);
	return MM_OK;
}

/* The bus range holding addr, or NULL. */
static const struct mm_io_range *bus_range(const struct mm_machine *m, uint64_t addr)
{
	for (unsigned i = 0; i < m->io.count[MM_IO_MMIO]; i++) {
		const struct mm_io_range *r = &m->io.ranges[MM_IO_MMIO][i];

		if (addr >= r->base && addr - r->base < r->len)
			return r;
	}
	return NULL;
}

bool mm_emu_mmio_claims(const struct mm_machine *m, uint64_t addr, uint64_t len)
{
	const struct mm_io_range *r = bus_range(m, addr);

	return r && len <= r->len - (addr - r->base);
}

/* UC_HOOK_MEM_UNMAPPED: maps the bus range of addr, if any, and retries the access. */
static bool on_unmapped_mmio(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			     int64_t value, void *user)
{
	struct mmio_state *s = user;
	struct mm_emu *e = s->e;
	const struct mm_io_range *r = bus_range(e->m, addr);

	(void)uc, (void)size, (void)value;
	if (!r || type == UC_MEM_FETCH_UNMAPPED || window_map(s, r))
		return false;
	/* the engine's own hook may have run first and recorded a fault */
	if (e->event == MM_EMU_EV_UNMAPPED && e->fault_addr == addr)
		e->event = MM_EMU_EV_NONE;
	return true;
}

/* Frees the windows' state with the machine (the engine goes with the model). */
static void mmio_fini(struct mm_machine *m, void *data)
{
	(void)m;
	free(data);
}

enum mm_err mm_emu_mmio_attach(struct mm_emu *e)
{
	struct mmio_state *s = calloc(1, sizeof(*s));
	enum mm_err err = MM_OK;
	uc_hook h;

	if (!s || mm_extension_add(e->m, "emu-mmio", mmio_fini, s)) {
		free(s);
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: out of memory");
	}
	s->e = e;
	for (unsigned i = 0; !err && i < e->m->io.count[MM_IO_MMIO]; i++)
		err = window_map(s, &e->m->io.ranges[MM_IO_MMIO][i]);
	if (!err && uc_hook_add(e->uc, &h, UC_HOOK_MEM_UNMAPPED, on_unmapped_mmio, s, 1, 0))
		err = mm_fail(e->m, MM_ERR_NOMEM, "emu: cannot hook unmapped MMIO accesses");
	return err;
}
