/* SPDX-License-Identifier: MIT */
/*
 * The CPU model's part of a machine snapshot (core/snapshot.h): the model's
 * bookkeeping (struct mm_emu and each struct mm_emu_cpu), each CPU's saved
 * contexts, and the tracking of guest memory written by emulated code.
 *
 * Emulated writes: under write protection (core/snapshot.c, the default)
 * the JIT's stores fault like any other and need nothing here. In marking
 * mode a UC_HOOK_MEM_WRITE hook over the mapped guest memory marks the
 * pages before the store lands; it costs every store Unicorn's inline fast
 * path (a hooked page's TLB entry stays on the slow path). Pages a restore rewrote lose
 * their translated blocks (uc_ctl_remove_cache), so that code the last
 * execution changed and the restore changed back is translated again.
 *
 * Contexts: a CPU's trap context (its state at the host call) and entry
 * context (SMM entry state) are copied through the engine (restore into the
 * engine, save into our copy). A restore copies them back only when they may
 * have changed: the CPU had no valid trap context at the snapshot or has none
 * now, its SMBASE moved, or several CPUs share the engine (each SMI saves
 * every CPU's trap context again). The engine's live state is not copied: the
 * restore clears the flags that promise one (flat64, smm64), so the next run
 * loads a saved context first.
 */
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"
#include "emu/model.h"
#include "emu/oracle.h"

struct emu_saved {
	struct mm_emu emu;        /* value fields; pointers are the live ones */
	struct mm_emu_cpu *cpu;   /* ncpus copies; their context pointers are ours */
	uc_hook write_hook;
	bool hooked;
};

/* Marks the pages an emulated store is about to write. */
static void on_write(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		     void *user)
{
	struct mm_emu *e = user;

	(void)uc;
	(void)type;
	(void)value;
	if (e->m->snap)
		mm_snap_mark(e->m->snap, addr, (uint64_t)size);
}

/*
 * Drops the translations of a page the restore rewrote, when it lies in a
 * driver image (code outside images, e.g. copied into pool blocks and
 * changed by an execution, keeps stale translations: a known limit).
 */
static void on_rewrite(void *user, uint64_t addr, uint64_t len)
{
	struct mm_emu *e = user;

	if (mm_image_find(e->m, addr))
		uc_ctl_remove_cache(e->uc, addr, addr + len);
}

/* Copies context from into to through the engine (clobbers the live state). */
static void ctx_copy(struct mm_emu *e, uc_context *to, const uc_context *from)
{
	uc_context_restore(e->uc, (uc_context *)from);
	uc_context_save(e->uc, to);
	e->flat64 = e->smm64 = false;
}

static void emu_drop(struct mm_machine *m, void *data, void *saved)
{
	struct mm_emu *e = data;
	struct emu_saved *s = saved;

	if (!s)
		return;
	/* During machine teardown the model may be gone already: then so is its engine. */
	if (s->hooked && m && mm_emu_get(m) == e) {
		uc_hook_del(e->uc, s->write_hook);
		e->mem_watchers--;
	}
	for (unsigned i = 0; s->cpu && i < s->emu.ncpus; i++) { /* e may be freed */
		if (s->cpu[i].trap_ctx)
			uc_context_free(s->cpu[i].trap_ctx);
		if (s->cpu[i].entry_ctx)
			uc_context_free(s->cpu[i].entry_ctx);
	}
	free(s->cpu);
	free(s);
}

/* Adds the write hook over the span of mapped guest memory. */
static bool hook_writes(struct mm_emu *e, struct emu_saved *s)
{
	const struct mm_memory *mem = &e->m->mem;
	uint64_t lo = UINT64_MAX, hi = 0;

	for (unsigned i = 0; i < mem->count; i++) {
		const struct mm_region_desc *d = &mem->regions[i].desc;

		if (!mem->regions[i].mapped)
			continue;
		lo = d->base < lo ? d->base : lo;
		hi = d->base + d->size - 1 > hi ? d->base + d->size - 1 : hi;
	}
	if (lo > hi)
		return true;
	if (uc_hook_add(e->uc, &s->write_hook, UC_HOOK_MEM_WRITE, (void *)on_write, e, lo, hi))
		return false;
	s->hooked = true;
	e->mem_watchers++;
	return true;
}

static void *emu_take(struct mm_machine *m, void *data)
{
	struct mm_emu *e = data;
	struct emu_saved *s = calloc(1, sizeof(*s));
	bool ok = s != NULL;

	if (ok) {
		s->emu = *e;
		s->cpu = calloc(e->ncpus, sizeof(*s->cpu));
		ok = s->cpu != NULL;
	}
	for (unsigned i = 0; ok && i < e->ncpus; i++) {
		s->cpu[i] = e->cpu[i];
		s->cpu[i].trap_ctx = s->cpu[i].entry_ctx = NULL;
		ok = !uc_context_alloc(e->uc, &s->cpu[i].trap_ctx) &&
		     !uc_context_alloc(e->uc, &s->cpu[i].entry_ctx);
		if (ok) {
			ctx_copy(e, s->cpu[i].trap_ctx, e->cpu[i].trap_ctx);
			ctx_copy(e, s->cpu[i].entry_ctx, e->cpu[i].entry_ctx);
		}
	}
	if (ok && !mm_snap_protected(m->snap)) /* write protection sees stores itself */
		ok = hook_writes(e, s);
	if (!ok) {
		emu_drop(m, e, s);
		return NULL;
	}
	if (m->snap)
		mm_snap_set_rewrite_hook(m->snap, on_rewrite, e);
	s->emu.flat64 = s->emu.smm64 = false;
	return s;
}

/*
 * Puts back cpu i of the model; its contexts only when they were written
 * since the snapshot (ctx_gen), or, on one CPU, when its trap context may
 * stand for other parameters.
 */
static void cpu_restore(struct mm_emu *e, const struct emu_saved *s, unsigned i)
{
	struct mm_emu_cpu *c = &e->cpu[i];
	const struct mm_emu_cpu *was = &s->cpu[i];
	uc_context *trap = c->trap_ctx, *entry = c->entry_ctx;
	bool same = c->ctx_gen == was->ctx_gen ||
		    (c->trap_valid && was->trap_valid && e->ncpus == 1 &&
		     c->smbase == was->smbase);

	*c = *was;
	c->trap_ctx = trap;
	c->entry_ctx = entry;
	if (same)
		return;
	ctx_copy(e, trap, was->trap_ctx);
	ctx_copy(e, entry, was->entry_ctx);
}

static enum mm_err emu_restore(struct mm_machine *m, void *data, void *saved)
{
	struct mm_emu *e = data;
	const struct emu_saved *s = saved;
	struct mm_emu live = *e;

	(void)m;
	for (unsigned i = 0; i < e->ncpus; i++)
		cpu_restore(e, s, i);
	*e = s->emu;
	/* what the model owns stays as it is */
	e->m = live.m;
	e->uc = live.uc;
	e->reset_ctx = live.reset_ctx;
	e->info = live.info;
	e->layout = live.layout;
	e->ncpus = live.ncpus;
	e->cpu = live.cpu;
	e->reloc_host = live.reloc_host;
	e->gdb = live.gdb;
	e->mem_watchers = live.mem_watchers; /* counts the hooks installed now */
	/* the engine's live state is not the snapshot's: nothing may rely on it */
	e->flat64 = e->smm64 = false;
	return MM_OK;
}

static size_t emu_bytes(const void *saved)
{
	const struct emu_saved *s = saved;

	return sizeof(*s) + s->emu.ncpus * sizeof(*s->cpu);
}

static const struct mm_snapshot_part emu_part = {
	.name = "emu",
	.take = emu_take,
	.restore = emu_restore,
	.drop = emu_drop,
	.bytes = emu_bytes,
};

enum mm_err mm_emu_snapshot_attach(struct mm_emu *e)
{
	return mm_snapshot_part_add(e->m, &emu_part, e);
}

/*
 * The oracles' part: the state of the MMI in progress and the last finding.
 * What the oracles are set to (mask, hooks, the planted secret) stays live:
 * enable oracles before taking the snapshot.
 */
static void *oracle_take(struct mm_machine *m, void *data)
{
	struct mm_oracle *copy = malloc(sizeof(*copy));

	(void)m;
	if (copy)
		*copy = *(struct mm_oracle *)data;
	return copy;
}

static enum mm_err oracle_restore(struct mm_machine *m, void *data, void *saved)
{
	struct mm_oracle *o = data, live = *o;

	(void)m;
	*o = *(const struct mm_oracle *)saved;
	o->hooks = live.hooks;
	o->m = live.m;
	o->e = live.e;
	o->mask = live.mask;
	o->hooked = live.hooked;
	o->secret = live.secret;
	o->first_read = live.first_read;
	o->track_cap = live.track_cap;
	return MM_OK;
}

static void oracle_drop(struct mm_machine *m, void *data, void *saved)
{
	(void)m;
	(void)data;
	free(saved);
}

static size_t oracle_bytes(const void *saved)
{
	(void)saved;
	return sizeof(struct mm_oracle);
}

static const struct mm_snapshot_part oracle_part = {
	.name = "oracle",
	.take = oracle_take,
	.restore = oracle_restore,
	.drop = oracle_drop,
	.bytes = oracle_bytes,
};

enum mm_err mm_oracle_snapshot_attach(struct mm_machine *m, struct mm_oracle *o)
{
	return mm_snapshot_part_add(m, &oracle_part, o);
}
