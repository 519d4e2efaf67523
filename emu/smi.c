/* SPDX-License-Identifier: MIT */
/*
 * Taking an SMI on the emulated CPUs (the model's struct mm_cpu_ops), and
 * the entry-vector code: BSP election and rendezvous.
 *
 * One SMI, N CPUs (deterministic, whatever the host):
 *   1. arrival   SMI# is broadcast. The CPU that executed the trigger (the
 *                OUT to 0xB2) arrives first, then the others in index order.
 *                Each one: outside state into its save-state map (I/O
 *                fields for the trigger CPU only), SMM entry state, entry
 *                stub up to the host call (or the fast path).
 *   2. election  The first arrival is the BSP (the monarch); the others are
 *                APs and wait in the rendezvous (their context stays saved at
 *                the host call, marked waiting).
 *   3. BSP       MmEntryPoint (mm_mm_entry) runs on the host for the BSP,
 *                outside uc_emu_start, so that it may call emulated code.
 *                MmStartupThisAp(cpu) runs the procedure "on" a waiting AP:
 *                synchronously, with the AP as executing CPU (native
 *                procedures through mm_call).
 *   4. release   Every CPU, in index order, returns from the host call and
 *                executes RSM, which the model implements: the outside state
 *                is read back from the map (so a handler's WriteSaveState is
 *                what the interrupted code sees) and the stack canary is
 *                checked.
 *
 * Fast path: the context captured at a CPU's first arrival is restored on
 * later SMIs instead of running the 16-to-64-bit path again.
 */
#include <string.h>

#include "core/call.h"
#include "core/stop.h"
#include "emu/gdb.h"
#include "emu/guest.h"
#include "emu/model.h"

#define NO_CPU (~0u)

/* Records what cpu looked like on arrival (the engine holds its state). */
static void record_arrival(struct mm_emu *e, unsigned cpu)
{
	struct mm_emu_arrival *a = &e->cpu[cpu].arrival;
	uc_x86_msr efer = { .rid = 0xC0000080 };

	uc_reg_read(e->uc, UC_X86_REG_RIP, &a->rip);
	uc_reg_read(e->uc, UC_X86_REG_RSP, &a->rsp);
	uc_reg_read(e->uc, UC_X86_REG_RCX, &a->rcx);
	uc_reg_read(e->uc, UC_X86_REG_CR0, &a->cr0);
	uc_reg_read(e->uc, UC_X86_REG_CR3, &a->cr3);
	uc_reg_read(e->uc, UC_X86_REG_CR4, &a->cr4);
	uc_reg_read(e->uc, UC_X86_REG_MSR, &efer);
	a->efer = efer.value;
	a->smbase = e->cpu[cpu].smbase;
	a->fast = false;
	a->count++;
}

/* Save state, then the stub up to the host call (or the fast path). */
static enum mm_err arrive(struct mm_emu *e, unsigned cpu, bool with_io, unsigned *live)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	uint8_t *map = mm_emu_ptr(e, c->smbase + MM_SAVE_STATE_MAP, 0x10000 - MM_SAVE_STATE_MAP);
	enum mm_emu_event ev;
	uc_err uerr;

	e->layout->write(e, cpu, map, with_io);
	if (e->fast_path && c->trap_valid) {
		c->arrival.fast = true;
		c->arrival.count++;
		return MM_OK;
	}
	uc_context_restore(e->uc, c->entry_ctx);
	if (mm_gdb_attached(e))
		mm_gdb_smi_entry(e, cpu);
	ev = mm_emu_run(e, cpu, MM_STUB_ENTRY, &uerr);
	if (ev != MM_EMU_EV_HOST_CALL)
		return mm_emu_stop(e, cpu, ev, uerr, "SMI entry (stub)");
	record_arrival(e, cpu);
	/* Saved for the fast path, and for resuming when other CPUs use the engine. */
	if (!c->trap_valid || e->ncpus > 1) {
		uc_context_save(e->uc, c->trap_ctx);
		c->ctx_gen++;
	}
	c->trap_valid = true;
	*live = cpu;
	return MM_OK;
}

/* Checks (and re-arms) the canary at the bottom of cpu's SMM stack. */
static enum mm_err check_canary(struct mm_emu *e, unsigned cpu)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	uint64_t addr = c->stack_top - MM_EMU_STACK_SIZE;
	uint64_t *bottom = mm_emu_ptr(e, addr, 8);
	uint64_t found;

	if (*bottom == c->params->canary)
		return MM_OK;
	found = *bottom;
	*bottom = c->params->canary;
	return mm_emu_stop_canary(e, cpu, addr, found, c->params->canary);
}

/*
 * Puts the engine in c's state at the host call. When the engine still
 * holds the stub's 64-bit SMM state (an RSM was the last thing it ran, or
 * only the SW SMI snippet since), that state differs from c's trap context
 * only in the registers the stub uses after the call (RSP; RBX and RCX for
 * fidelity): writing three registers replaces restoring the whole context.
 */
static void to_trap(struct mm_emu *e, struct mm_emu_cpu *c)
{
	static const int ids[] = { UC_X86_REG_RSP, UC_X86_REG_RBX, UC_X86_REG_RCX };
	uint64_t self = c->params->self, index = c->params->cpu_index;
	void *vals[] = { &c->arrival.rsp, &self, &index };

	if (e->smm64) {
		uc_reg_write_batch(e->uc, (int *)ids, vals, 3);
		return;
	}
	uc_context_restore(e->uc, c->trap_ctx);
}

/* Returns from the host call (emulated RET) and runs cpu to its RSM. */
static enum mm_err resume(struct mm_emu *e, unsigned cpu, unsigned live)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	uint64_t rsp = 0, *ret;
	enum mm_emu_event ev;
	enum mm_err err;
	uc_err uerr;

	if (live != cpu)
		to_trap(e, c);
	uc_reg_read(e->uc, UC_X86_REG_RSP, &rsp);
	ret = mm_emu_ptr(e, rsp, 8);
	if (!ret || !mm_mem_inside_smram(e->m, rsp, 8))
		return mm_emu_stop_msg(e, cpu, "return to the interrupted code (RSM)",
				       "stack pointer 0x%llx at the host call is not in SMRAM",
				       (unsigned long long)rsp);
	rsp += 8;
	uc_reg_write(e->uc, UC_X86_REG_RSP, &rsp);
	ev = mm_emu_run(e, cpu, *ret, &uerr);
	if (ev != MM_EMU_EV_RSM)
		return mm_emu_stop(e, cpu, ev, uerr, "return to the interrupted code (RSM)");
	if (mm_gdb_attached(e))
		mm_gdb_rsm(e, cpu);
	e->flat64 = e->smm64 = true; /* the stub's RSM is in its flat 64-bit part */
	err = mm_emu_rsm(e, cpu, c->smbase, false);
	if (!err)
		err = check_canary(e, cpu);
	return err;
}

enum mm_err mm_emu_rsm(struct mm_emu *e, unsigned cpu, uint64_t smbase, bool relocate)
{
	const uint8_t *map = mm_emu_ptr(e, smbase + MM_SAVE_STATE_MAP, 0x10000 - MM_SAVE_STATE_MAP);
	uint64_t next = e->layout->restore(e, cpu, map);

	mm_log(e->m, MM_LOG_SMI, "CPU %u: RSM to RIP 0x%llx", cpu,
	       (unsigned long long)e->cpu[cpu].reg[MM_REG_RIP]);
	if (next == smbase)
		return MM_OK;
	if (relocate) {
		e->cpu[cpu].smbase = next;
		return MM_OK;
	}
	mm_log(e->m, MM_LOG_SMI, "CPU %u: SMBASE 0x%llx -> 0x%llx at RSM", cpu,
	       (unsigned long long)smbase, (unsigned long long)next);
	return mm_emu_set_smbase(e, cpu, next);
}

/*
 * Arrival: source first, then every other CPU in index order. The first
 * arrival is the BSP. On failure the CPUs that arrived are left waiting
 * (their outside state is untouched: the maps were written from it).
 */
static enum mm_err rendezvous(struct mm_emu *e, unsigned source, unsigned *bsp,
			      unsigned *live)
{
	enum mm_err err = MM_OK;

	e->arrived = 0;
	*bsp = NO_CPU;
	for (unsigned n = 0; n < e->ncpus && !err; n++) {
		unsigned cpu = n == 0 ? source : n <= source ? n - 1 : n;

		err = arrive(e, cpu, cpu == source, live);
		if (err)
			break;
		e->order[e->arrived++] = cpu;
		e->cpu[cpu].waiting = true;
		e->cpu[cpu].arrival.order = n;
		if (*bsp == NO_CPU)
			*bsp = cpu; /* the first arrival is the monarch */
	}
	for (unsigned i = 0; err && i < e->ncpus; i++)
		e->cpu[i].waiting = false;
	return err;
}

/* Runs MmEntryPoint (or the installed replacement) on the BSP; APs wait. */
static void run_entry(struct mm_emu *e, unsigned bsp)
{
	struct mm_machine *m = e->m;

	m->cpus.in_smm = true;
	m->cpus.bsp = bsp;
	m->cpus.executing = bsp;
	mm_log(m, MM_LOG_SMI, "rendezvous: %u CPUs arrived, BSP %u runs MmEntryPoint", e->arrived,
	       bsp);
	if (e->entry)
		e->entry(m, bsp, e->entry_user);
	else
		mm_mm_entry(m, bsp);
	m->cpus.executing = bsp;
}

/* Release: every CPU, in index order, returns from the host call and RSMs. */
static enum mm_err release(struct mm_emu *e, unsigned live)
{
	enum mm_err err = MM_OK;

	for (unsigned i = 0; i < e->ncpus; i++) {
		enum mm_err r = resume(e, i, live);

		e->cpu[i].waiting = false;
		live = NO_CPU;
		if (r && !err)
			err = r;
	}
	return err;
}

static enum mm_err emu_smi(struct mm_machine *m, unsigned source)
{
	struct mm_emu *e = mm_emu_get(m);
	unsigned live = NO_CPU, bsp;
	uint64_t calls;
	enum mm_err err;

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	if (source >= e->ncpus)
		return mm_fail(m, MM_ERR_INVALID, "SMI from CPU %u: only %u CPUs", source, e->ncpus);
	if (m->cpus.in_smm)
		return mm_fail(m, MM_ERR_STATE, "SMI delivered while the CPUs are in SMM");
	e->blocks = 0;
	e->normal = false;
	e->in_smi = true;
	err = rendezvous(e, source, &bsp, &live);
	if (err) {
		e->in_smi = false;
		return err;
	}
	calls = e->calls;
	run_entry(e, bsp);
	if (e->calls != calls)
		live = NO_CPU; /* emulated calls ran on the engine: every CPU goes back to its trap */
	err = release(e, live);
	m->cpus.in_smm = false;
	e->in_smi = false;
	e->smis++;
	return err;
}

enum mm_err mm_emu_smi(struct mm_machine *m, unsigned source)
{
	return emu_smi(m, source);
}

/*
 * MmStartupThisAp: runs procedure(arg) on AP cpu, which must be waiting in
 * the rendezvous. Synchronous and deterministic: the AP becomes the
 * executing CPU for the call (native procedures run through mm_call; an
 * emulated one would run on the AP's engine context), then the caller is
 * executing again.
 */
static enum mm_err emu_startup_ap(struct mm_machine *m, unsigned cpu, uint64_t procedure,
				  uint64_t arg)
{
	struct mm_emu *e = mm_emu_get(m);
	unsigned prev = m->cpus.executing;
	enum mm_err err;

	if (!e || cpu >= e->ncpus)
		return mm_fail(m, MM_ERR_INVALID, "MmStartupThisAp: no CPU %u", cpu);
	if (!m->cpus.in_smm || !e->cpu[cpu].waiting)
		return mm_fail(m, MM_ERR_STATE, "MmStartupThisAp: CPU %u is not waiting in SMM",
			       cpu);
	if (cpu == m->cpus.bsp)
		return mm_fail(m, MM_ERR_INVALID, "MmStartupThisAp: CPU %u is the BSP", cpu);
	mm_log(m, MM_LOG_SMI, "rendezvous: AP %u runs 0x%llx for CPU %u", cpu,
	       (unsigned long long)procedure, prev);
	e->cpu[cpu].waiting = false; /* busy: not available to a nested request */
	m->cpus.executing = cpu;
	err = mm_call(m, procedure, 1, &arg, NULL);
	m->cpus.executing = prev;
	e->cpu[cpu].waiting = true;
	return err;
}

static enum mm_err emu_get_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t *v)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e || cpu >= e->ncpus || (unsigned)reg >= MM_REG_COUNT || !v)
		return mm_fail(m, MM_ERR_INVALID, "get_reg: bad CPU %u or register %d", cpu,
			       (int)reg);
	*v = e->cpu[cpu].reg[reg];
	return MM_OK;
}

static enum mm_err emu_set_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t v)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e || cpu >= e->ncpus || (unsigned)reg >= MM_REG_COUNT)
		return mm_fail(m, MM_ERR_INVALID, "set_reg: bad CPU %u or register %d", cpu,
			       (int)reg);
	e->cpu[cpu].reg[reg] = v;
	return MM_OK;
}

const struct mm_cpu_ops mm_emu_cpu_ops = {
	.call = mm_emu_guest_call, /* emu/guest-call.c */
	.smi = emu_smi,
	.startup_ap = emu_startup_ap,
	.get_reg = emu_get_reg,
	.set_reg = emu_set_reg,
	.sw_smi = mm_emu_sw_smi,
};
