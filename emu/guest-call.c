/* SPDX-License-Identifier: MIT */
/*
 * Calls from the host into emulated code (struct mm_cpu_ops.call), and the
 * run loop that serves the guest's calls back into the host.
 *
 * A call: a flat 64-bit context of the CPU is put in place (see
 * enter_context: often the engine holds one already and nothing is
 * restored), the arguments are written with the MS x64 convention (RCX, RDX,
 * R8, R9, then the stack above 32 bytes of shadow space) and the return
 * address is the return trap. Then the loop:
 *
 *   run ──► stopped at a thunk   save the engine's state, call the host
 *    ▲                           function outside uc_emu_start (it may call
 *    │                           emulated code again: nesting), restore,
 *    │                           RAX = result, emulate RET, run again
 *    └──── stopped at the trap   RAX is the result; restore the engine
 *          anything else         stop record, MM_ERR_STOPPED
 *
 * A nested call runs on the same CPU's stack below the RSP of the level that
 * called the host, and leaves the engine as it found it. An outermost call
 * (or a call from an SMI that a guest level raised, e.g. a DXE driver's
 * Communicate) leaves the engine in a flat 64-bit state with the general
 * registers clobbered, and says so with the flat64/smm64 flags; the SMI code
 * knows, through e->calls, that the CPU that arrived last must go back to
 * its trap state too. Saving and restoring whole contexts (several KiB each)
 * per call was the main cost of an emulated MMI handler call.
 */
#include <stdlib.h>
#include <string.h>

#include "core/image.h"
#include "core/log.h"
#include "core/stop.h"
#include "emu/guest.h"

#define STACK_GAP 0x100 /* bytes left below an interrupted level's RSP */
#define HOST_ARGS 16    /* argument slots passed to a host service */
#define HOST_STACK_REACH (8ull << 20) /* how far above our frame the host stack goes */

typedef uint64_t(__attribute__((ms_abi)) *host_fn16)(uint64_t, uint64_t, uint64_t, uint64_t,
						      uint64_t, uint64_t, uint64_t, uint64_t,
						      uint64_t, uint64_t, uint64_t, uint64_t,
						      uint64_t, uint64_t, uint64_t, uint64_t);

/* Extension fini: frees the contexts (the pages go with the machine). */
static void guest_fini(struct mm_machine *m, void *data)
{
	struct mm_emu_guest *g = data;

	(void)m;
	if (g->e && g->e->guest == g)
		g->e->guest = NULL;
	for (unsigned i = 0; i < MM_CALL_MAX_DEPTH; i++)
		if (g->ctx[i])
			uc_context_free(g->ctx[i]);
	free(g);
}

/* Creates the guest-call state of e: thunk pages, hooks, patched tables. */
static struct mm_emu_guest *guest_create(struct mm_machine *m, struct mm_emu *e)
{
	struct mm_emu_guest *g = calloc(1, sizeof(*g));

	if (!g || mm_extension_add(m, "emu-guest", guest_fini, g)) {
		free(g);
		mm_fail(m, MM_ERR_NOMEM, "emu: out of memory");
		return NULL;
	}
	g->e = e;
	for (unsigned i = 0; i < MM_CALL_MAX_DEPTH; i++)
		if (uc_context_alloc(e->uc, &g->ctx[i])) {
			mm_fail(m, MM_ERR_NOMEM, "emu: no memory for a context");
			return NULL;
		}
	if (mm_emu_thunk_init(g))
		return NULL;
	e->guest = g; /* the callout hooks look from now on */
	return g;
}

struct mm_emu_guest *mm_emu_guest(struct mm_machine *m)
{
	struct mm_emu *e = mm_emu_get(m);
	struct mm_emu_guest *g;

	if (!e) {
		mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
		return NULL;
	}
	g = mm_extension_get(m, "emu-guest");
	if (g)
		return g;
	g = guest_create(m, e);
	if (g && mm_emu_thunk_refresh(m))
		return NULL;
	return g;
}

/*
 * Puts a 64-bit context of cpu in the engine for a call that starts a level
 * of its own (outermost, or the first inside an SMI a guest level raised)
 * and returns the stack top to build the call on:
 *   in an SMI      the CPU's state at its host call, below its RSP there;
 *                  nothing to restore when the engine holds the stub's
 *                  64-bit state (smm64, fast path) - only registers the
 *                  model rewrites before resuming differ
 *   outside        the flat state the engine holds (flat64: reset state or
 *                  the stub's after RSM), else the reset state; on the
 *                  CPU's SMM stack (initialization, MM communicate)
 * *smm tells which of the two states the engine is left in.
 */
static uint64_t fresh_context(struct mm_emu *e, unsigned cpu, bool *smm)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];

	if (e->in_smi && c->trap_valid) {
		if (!e->smm64)
			uc_context_restore(e->uc, c->trap_ctx);
		*smm = true;
		return c->arrival.rsp - STACK_GAP;
	}
	*smm = e->smm64;
	if (!e->flat64 && !e->smm64)
		uc_context_restore(e->uc, e->reset_ctx);
	return c->stack_top - STACK_GAP;
}

/* Writes the return address and the stack arguments; returns the entry RSP. */
static uint64_t build_frame(struct mm_emu_guest *g, uint64_t top, unsigned nargs,
			    const uint64_t *args)
{
	unsigned stack_args = nargs > 4 ? nargs - 4 : 0;
	uint64_t rsp = (top - 8 - 32 - 8ull * stack_args) & ~0xFull;
	uint64_t *p;

	rsp -= 8; /* at entry, RSP + 8 is 16-byte aligned */
	p = (uint64_t *)(uintptr_t)rsp;
	p[0] = g->ret_trap;
	memset(p + 1, 0, 32);
	for (unsigned i = 0; i < stack_args; i++)
		p[5 + i] = args[4 + i];
	return rsp;
}

/* Sets RCX, RDX, R8, R9 (the first four arguments) and RSP. */
static void set_args(struct mm_emu *e, uint64_t rsp, unsigned nargs, const uint64_t *args)
{
	static const int ids[] = { UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9,
				   UC_X86_REG_RSP };
	uint64_t v[5] = { 0, 0, 0, 0, rsp };
	void *ptrs[5];

	for (unsigned i = 0; i < 5; i++) {
		if (i < 4 && i < nargs)
			v[i] = args[i];
		ptrs[i] = &v[i];
	}
	uc_reg_write_batch(e->uc, (int *)ids, ptrs, 5);
}

/*
 * The guest called thunk g->hit: reads its arguments, calls the host
 * function with the engine's state saved (the host may run emulated code),
 * writes RAX and returns into the guest (RET emulated). *next receives the
 * return address. MM_OK, or MM_ERR_STOPPED for a stack outside memory.
 */
static enum mm_err serve_host_call(struct mm_emu_guest *g, unsigned cpu, uint64_t *next)
{
	static const int ids[] = { UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9,
				   UC_X86_REG_RSP };
	struct mm_emu *e = g->e;
	uint64_t a[HOST_ARGS] = { 0 }, rsp = 0, fn = mm_emu_thunk_target(g, g->hit), rax;
	void *ptrs[5] = { &a[0], &a[1], &a[2], &a[3], &rsp };
	const uint64_t *stack;
	unsigned level = g->depth - 1;

	uc_reg_read_batch(e->uc, (int *)ids, ptrs, 5);
	stack = mm_mem_ptr(e->m, rsp, 8 * (5 + HOST_ARGS - 4));
	if (!stack)
		return mm_emu_stop_msg(e, cpu, "call of a Foundation service",
				       "stack pointer 0x%llx is not in guest memory",
				       (unsigned long long)rsp);
	*next = stack[0];
	for (unsigned i = 4; i < HOST_ARGS; i++)
		a[i] = stack[5 + i - 4];
	uc_context_save(e->uc, g->ctx[level]);
	g->resume_rsp[level] = rsp;
	g->host_calls++;
	rax = ((host_fn16)(uintptr_t)fn)(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
					 a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
	uc_context_restore(e->uc, g->ctx[level]);
	e->flat64 = e->smm64 = false; /* the flags describe the state before the restore */
	rsp += 8;
	uc_reg_write(e->uc, UC_X86_REG_RAX, &rax);
	uc_reg_write(e->uc, UC_X86_REG_RSP, &rsp);
	return MM_OK;
}

/* Runs the guest from begin until it returns to the trap; *ret gets RAX. */
static enum mm_err run_loop(struct mm_emu_guest *g, unsigned cpu, uint64_t begin, uint64_t *ret)
{
	struct mm_emu *e = g->e;
	enum mm_emu_event ev;
	enum mm_err err;
	uc_err uerr;

	for (;;) {
		g->hit = 0;
		g->returned = false;
		ev = mm_emu_run(e, cpu, begin, &uerr);
		if (g->callout)
			return MM_ERR_STOPPED; /* recorded by the block hook */
		if (g->returned && ev == MM_EMU_EV_NONE && !uerr) {
			uc_reg_read(e->uc, UC_X86_REG_RAX, ret);
			return MM_OK;
		}
		if (!g->hit || ev != MM_EMU_EV_NONE || uerr)
			return mm_emu_stop(e, cpu, ev, uerr, "emulated driver code");
		err = serve_host_call(g, cpu, &begin);
		if (err)
			return err;
	}
}

/* True when p points into this thread's host stack (near our frame). */
static bool on_host_stack(uint64_t p)
{
	uint64_t here = (uint64_t)(uintptr_t)__builtin_frame_address(0);

	return p >= here && p < here + HOST_STACK_REACH;
}

/*
 * Arguments pointing at the host stack (a UINTN in/out value of host code
 * calling emulated code directly; the Foundation's own, like the
 * CommBufferSize of MMI handlers, live in SMRAM) are invisible to the
 * guest: each gets an 8-byte copy in the guest's stack above the frame,
 * passed instead and copied back after the call. Returns the new stack top.
 */
static uint64_t bounce_in(struct mm_machine *m, uint64_t top, unsigned nargs, uint64_t *a,
			  bool *bounced)
{
	for (unsigned i = 0; i < nargs; i++) {
		if (!a[i] || mm_mem_ptr(m, a[i], 1) || !on_host_stack(a[i]))
			continue;
		top -= 16;
		memcpy((void *)(uintptr_t)top, (const void *)(uintptr_t)a[i], 8);
		a[i] = top;
		bounced[i] = true;
	}
	return top;
}

/* Copies the bounced values back to the host. */
static void bounce_out(unsigned nargs, const uint64_t *orig, const uint64_t *a,
		       const bool *bounced)
{
	for (unsigned i = 0; i < nargs; i++)
		if (bounced[i])
			memcpy((void *)(uintptr_t)orig[i], (const void *)(uintptr_t)a[i], 8);
}

/*
 * Engine flags a nested call leaves as it found them (the level below
 * restores the engine state they describe).
 */
struct saved_flags {
	unsigned running;
	bool normal, flat64, smm64;
	enum mm_emu_event event;
};

/* True when the call starts a level of its own (see fresh_context). */
static bool fresh_level(const struct mm_emu_guest *g)
{
	return !g->depth || (g->e->in_smi && !g->smi_level[g->depth - 1]);
}

/* Restores the engine after a call: the flags, and the state a nested call found. */
static void leave(struct mm_emu_guest *g, bool fresh, bool smm, struct saved_flags f,
		  enum mm_err err)
{
	struct mm_emu *e = g->e;

	if (!fresh) {
		uc_context_restore(e->uc, g->ctx[g->depth - 1]);
		e->smm64 = f.smm64;
		e->flat64 = f.flat64;
	} else {
		/* a flat state with clobbered registers; after a failure, unknown */
		e->smm64 = !err && smm;
		e->flat64 = !err;
	}
	e->running = f.running;
	e->normal = f.normal;
	e->event = f.event;
}

enum mm_err mm_emu_guest_call(struct mm_machine *m, unsigned cpu, uint64_t fn, unsigned nargs,
			      const uint64_t *args, uint64_t *ret)
{
	struct mm_emu_guest *g = mm_emu_guest(m);
	struct mm_emu *e;
	struct saved_flags f;
	uint64_t top, rsp, a[MM_CALL_MAX_ARGS];
	bool bounced[MM_CALL_MAX_ARGS] = { false }, fresh, smm = false;
	enum mm_err err;

	if (!g)
		return MM_ERR_STATE;
	e = g->e;
	if (cpu >= e->ncpus)
		return mm_fail(m, MM_ERR_INVALID, "emu: call on CPU %u (%u CPUs)", cpu, e->ncpus);
	if (g->depth >= MM_CALL_MAX_DEPTH || nargs > MM_CALL_MAX_ARGS)
		return mm_fail(m, MM_ERR_STOPPED, "emu: emulated calls nested too deep");
	if (!g->depth && (g->seen_installs != m->mmdb.install_count + m->dxedb.install_count ||
			  g->seen_dxe != m->dxe.created) && mm_emu_thunk_refresh(m))
		return MM_ERR_NOMEM;
	f = (struct saved_flags){ e->running, e->normal, e->flat64, e->smm64, e->event };
	fresh = fresh_level(g);
	e->calls++;
	if (fresh) {
		if (!e->in_smi)
			e->blocks = 0; /* outside an SMI each call gets the whole budget */
		if (!g->depth)
			g->callout = false;
		top = fresh_context(e, cpu, &smm);
	} else {
		uc_context_restore(e->uc, g->ctx[g->depth - 1]);
		top = g->resume_rsp[g->depth - 1] - STACK_GAP;
	}
	if (!mm_mem_ptr(m, top - 0x1000, 0x1000)) {
		err = mm_emu_stop_msg(e, cpu, "emulated call", "no stack at 0x%llx",
				      (unsigned long long)top);
		goto out;
	}
	if (nargs)
		memcpy(a, args, nargs * sizeof(*a));
	top = bounce_in(m, top, nargs, a, bounced);
	rsp = build_frame(g, top, nargs, a);
	set_args(e, rsp, nargs, a);
	e->normal = false;
	g->smi_level[g->depth] = e->in_smi;
	g->depth++;
	err = run_loop(g, cpu, fn, ret);
	g->depth--;
	bounce_out(nargs, args, a, bounced);
out:
	leave(g, fresh, smm, f, err);
	if (err)
		mm_log(m, MM_LOG_WARN, "emulated call of %s failed", MM_ADDR(m, fn));
	return err;
}
