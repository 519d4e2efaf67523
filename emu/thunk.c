/* SPDX-License-Identifier: MIT */
/*
 * Thunks: the Foundation's services as guest code (see emu/guest.h).
 *
 * Which table members are services: every 8-byte word of an exported table
 * whose value lies in the executable segment of the object holding the
 * Foundation, or of a native driver's object (found with dl_iterate_phdr):
 * an emulated driver that located a protocol a native driver installed
 * calls its members through thunks like the Foundation's. Data pointers
 * never point into an executable segment. Replacing a member by a thunk of
 * the same function changes nothing for native callers: the thunk jumps
 * there (only a native driver comparing its member with its own function
 * would see the difference). Interfaces outside guest memory (a native
 * driver's static data) are invisible to emulated code and left alone.
 */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpu.h"
#include "core/log.h"
#include "core/page.h"
#include "core/stop.h"
#include "core/handle.h"
#include "core/image.h"
#include "emu/guest.h"

#define IFACE_SCAN_WORDS 32 /* members looked at in an interface of unknown size */

/* dl_iterate_phdr callback: the PF_X segment containing data[0]. */
static int find_text(struct dl_phdr_info *info, size_t size, void *data)
{
	uint64_t *r = data;

	(void)size;
	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;

		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X) && r[0] >= lo && r[0] < hi) {
			r[1] = lo;
			r[2] = hi;
			return 1;
		}
	}
	return 0;
}

/* True when addr is in an executable segment of a native driver's object. */
static bool native_code(const struct mm_emu_guest *g, uint64_t addr)
{
	const struct mm_image *img = mm_image_find(g->e->m, addr);
	uint64_t r[3] = { addr, 0, 0 };

	if (!img || img->engine != MM_ENGINE_NATIVE)
		return false;
	return dl_iterate_phdr(find_text, r) != 0;
}

/* Where the Foundation's code is: the segment holding mm_call. */
static void host_text(struct mm_emu_guest *g)
{
	uint64_t r[3] = { (uint64_t)(uintptr_t)&mm_call, 0, 0 };

	dl_iterate_phdr(find_text, r);
	g->text_lo = r[1];
	g->text_hi = r[2];
}

/* Code hook on a thunk page: stop before the jump; the run loop calls the host. */
static void on_thunk(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mm_emu_guest *g = user;

	(void)size;
	if (addr == g->ret_trap)
		g->returned = true;
	else if (addr & (MM_THUNK_SIZE - 1))
		return; /* a jump into the middle of a thunk: let it fault */
	else
		g->hit = addr;
	uc_emu_stop(uc);
}

/* True when addr is on a RAM thunk page (boot services, DXE protocols). */
static bool on_ram_thunks(const struct mm_emu_guest *g, uint64_t addr)
{
	for (unsigned i = 0; i < MM_THUNK_PAGES && g->ram.page[i]; i++)
		if (addr - g->ram.page[i] < EFI_PAGE_SIZE)
			return true;
	return false;
}

/*
 * Block hook: SMM code fetching outside SMRAM is a callout. Only while a
 * host->guest call runs in SMM; the stub and normal-world code are not
 * watched. The RAM thunks (boot services) are left to the DXE world's rule,
 * which makes them callouts after ReadyToLock, as for native drivers.
 * Installed over the address ranges outside SMRAM only (see
 * mm_emu_callout_hooks), so that code in SMRAM, the common case, pays nothing.
 */
static void on_block_callout(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mm_emu *e = user;
	struct mm_emu_guest *g = e->guest;
	struct mm_machine *m = e->m;
	struct mm_stop *s;

	(void)size;
	if (!g || !g->depth || !m->cpus.in_smm || g->callout || mm_mem_inside_smram(m, addr, 1) ||
	    on_ram_thunks(g, addr))
		return;
	if (m->dxe.callouts_expected) {
		mm_log(m, MM_LOG_WARN, "callout (expected): %s fetched code at 0x%llx outside SMRAM",
		       mm_executing_name(m), (unsigned long long)addr);
		return;
	}
	g->callout = true;
	s = mm_stop_set(m, MM_STOP_CALLOUT, m->cpus.executing, addr,
			"callout: %s executed code at 0x%llx, outside SMRAM, in SMM",
			mm_executing_name(m), (unsigned long long)addr);
	s->address = addr;
	snprintf(s->mode, sizeof(s->mode), "64-bit");
	uc_emu_stop(uc);
}

/* Allocates page number i of side and hooks it (fresh code: no stale translation). */
static enum mm_err side_page(struct mm_emu_guest *g, struct mm_thunk_side *side, unsigned i)
{
	struct mm_machine *m = g->e->m;
	uint64_t addr = 0;
	uc_hook h;
	enum mm_err err;

	err = mm_page_alloc(m, side->smram ? &m->smram : &m->ram, AllocateAnyPages,
			    side->smram ? EfiRuntimeServicesCode : EfiBootServicesCode, 1, &addr,
			    true);
	if (err)
		return mm_fail(m, err, "emu: no %s page for thunks", side->smram ? "SMRAM" : "RAM");
	memset((void *)(uintptr_t)addr, 0xCC, EFI_PAGE_SIZE); /* int3 between thunks */
	if (uc_hook_add(g->e->uc, &h, UC_HOOK_CODE, on_thunk, g, addr, addr + EFI_PAGE_SIZE - 1))
		return mm_fail(m, MM_ERR_NOMEM, "emu: cannot hook the thunk page 0x%llx",
			       (unsigned long long)addr);
	side->page[i] = addr;
	return MM_OK;
}

/*
 * Adds on_block_callout over every gap between SMRAM regions (and below the
 * first, above the last). Unicorn decides at translation time whether a
 * block calls any block hook, from the hooks' ranges: blocks in SMRAM then
 * run without a call per block. Added when the engine opens, before any
 * code is translated, so that every block outside SMRAM has the hook without
 * a flush of the translation cache (which in Unicorn 2.0 clears its whole
 * code buffer: 0.2 s and more). The hook looks only once a guest call state
 * exists (e->guest).
 */
enum mm_err mm_emu_callout_hooks(struct mm_emu *e)
{
	struct mm_machine *m = e->m;
	uint64_t lo = 0;
	uc_hook h;

	for (;;) {
		uint64_t next = UINT64_MAX, end = 0;

		/* the lowest SMRAM region at or above lo */
		for (unsigned i = 0; i < m->mem.smram_count; i++) {
			const struct mm_region_desc *d = &m->mem.regions[m->mem.smram[i]].desc;

			if (d->base >= lo && d->base < next) {
				next = d->base;
				end = d->base + d->size;
			}
		}
		if (next > lo && uc_hook_add(e->uc, &h, UC_HOOK_BLOCK, on_block_callout, e, lo,
					     next == UINT64_MAX ? UINT64_MAX : next - 1))
			return mm_fail(m, MM_ERR_NOMEM, "emu: cannot add the callout hook");
		if (next == UINT64_MAX || !end)
			break;
		lo = end;
	}
	return MM_OK;
}

enum mm_err mm_emu_thunk_init(struct mm_emu_guest *g)
{
	enum mm_err err;

	g->smram.smram = true;
	host_text(g);
	err = side_page(g, &g->smram, 0);
	if (err)
		return err;
	/* The last slot of the first SMRAM page is the return trap (an int3). */
	g->ret_trap = g->smram.page[0] + EFI_PAGE_SIZE - MM_THUNK_SIZE;
	return MM_OK;
}

static uint64_t slot_addr(const struct mm_thunk_side *side, unsigned n);

/* Writes thunk slot n of side for fn: jmp qword [rip+0]; dq fn. */
static uint64_t write_thunk(struct mm_emu_guest *g, struct mm_thunk_side *side, unsigned n,
			    uint64_t fn)
{
	static const uint8_t jmp[6] = { 0xFF, 0x25, 0, 0, 0, 0 };
	uint64_t addr = slot_addr(side, n);
	uint8_t *p = (uint8_t *)(uintptr_t)addr;

	memcpy(p, jmp, sizeof(jmp));
	memcpy(p + 6, &fn, 8);
	side->fn[n] = fn;
	uc_ctl_remove_cache(g->e->uc, addr & ~0xFFFull, (addr & ~0xFFFull) + EFI_PAGE_SIZE);
	return addr;
}

/* Guest address of slot n of side. */
static uint64_t slot_addr(const struct mm_thunk_side *side, unsigned n)
{
	return side->page[n / MM_THUNK_SLOTS] + (uint64_t)(n % MM_THUNK_SLOTS) * MM_THUNK_SIZE;
}

uint64_t mm_emu_thunk_get(struct mm_emu_guest *g, uint64_t fn, bool smram)
{
	struct mm_thunk_side *side = smram ? &g->smram : &g->ram;
	unsigned n = side->next;

	for (unsigned i = 0; i < side->next; i++)
		if (side->fn[i] == fn)
			return slot_addr(side, i);
	if (smram && n == MM_THUNK_SLOTS - 1)
		n++; /* the return trap's slot */
	if (n >= MM_THUNK_PAGES * MM_THUNK_SLOTS) {
		mm_fail(g->e->m, MM_ERR_NOMEM, "emu: more than %u thunks", n);
		return 0;
	}
	if (!side->page[n / MM_THUNK_SLOTS] && side_page(g, side, n / MM_THUNK_SLOTS))
		return 0;
	side->next = n + 1;
	return write_thunk(g, side, n, fn);
}

uint64_t mm_emu_thunk_target(const struct mm_emu_guest *g, uint64_t addr)
{
	const struct mm_thunk_side *sides[2] = { &g->smram, &g->ram };

	for (unsigned s = 0; s < 2; s++)
		for (unsigned i = 0; i < MM_THUNK_PAGES && sides[s]->page[i]; i++) {
			uint64_t off = addr - sides[s]->page[i];

			if (off < EFI_PAGE_SIZE && !(off % MM_THUNK_SIZE) && addr != g->ret_trap)
				return sides[s]->fn[i * MM_THUNK_SLOTS + off / MM_THUNK_SIZE];
		}
	return 0;
}

/*
 * Replaces the service pointers among the words of [table, table+bytes) by
 * thunks of the given side. Unmapped or partly mapped tables are skipped.
 */
static enum mm_err patch_table(struct mm_emu_guest *g, void *table, uint64_t bytes, bool smram)
{
	struct mm_machine *m = g->e->m;
	uint64_t base = (uint64_t)(uintptr_t)table;

	if (!table || !mm_mem_ptr(m, base, bytes))
		return MM_OK;
	for (uint64_t off = 0; off + 8 <= bytes; off += 8) {
		uint64_t *w = (uint64_t *)(uintptr_t)(base + off), t;

		if ((*w < g->text_lo || *w >= g->text_hi) && !native_code(g, *w))
			continue;
		t = mm_emu_thunk_get(g, *w, smram);
		if (!t)
			return MM_ERR_NOMEM;
		*w = t;
	}
	return MM_OK;
}

/* Patches the interfaces of db (Foundation services among their first words). */
static enum mm_err patch_db(struct mm_emu_guest *g, struct mm_protocol_db *db, bool smram)
{
	struct mm_machine *m = g->e->m;

	for (struct mm_handle *h = db->handles; h; h = h->next)
		for (struct mm_interface *i = h->ifaces; i; i = i->next) {
			uint64_t a = (uint64_t)(uintptr_t)i->iface, n = IFACE_SCAN_WORDS * 8;
			enum mm_err err;

			/* stay inside the region holding the interface */
			while (n > 8 && !mm_mem_ptr(m, a, n))
				n /= 2;
			err = patch_table(g, i->iface, n, smram);
			if (err)
				return err;
		}
	return MM_OK;
}

enum mm_err mm_emu_thunk_refresh(struct mm_machine *m)
{
	struct mm_emu_guest *g = mm_emu_guest(m);
	enum mm_err err;

	if (!g)
		return MM_ERR_STATE;
	g->seen_installs = m->mmdb.install_count + m->dxedb.install_count;
	g->seen_dxe = m->dxe.created;
	err = patch_table(g, m->mmst, sizeof(*m->mmst), true);
	if (!err)
		err = patch_table(g, m->cpus.protocol, sizeof(*m->cpus.protocol), true);
	if (!err)
		err = patch_db(g, &m->mmdb, true);
	if (!err && m->dxe.created) {
		err = patch_table(g, m->dxe.bs, sizeof(*m->dxe.bs), false);
		if (!err)
			err = patch_table(g, m->dxe.rt, sizeof(*m->dxe.rt), false);
		if (!err)
			err = patch_table(g, m->dxe.ds, sizeof(*m->dxe.ds), false);
		if (!err)
			err = patch_db(g, &m->dxedb, false);
		if (!err) {
			mm_dxe_table_crc(&m->dxe.bs->Hdr);
			mm_dxe_table_crc(&m->dxe.rt->Hdr);
			mm_dxe_table_crc(&m->dxe.st->Hdr);
		}
	}
	return err;
}
