/* SPDX-License-Identifier: MIT */
/*
 * The Unicorn engine of a machine: one UC_MODE_64 engine for all CPUs, the
 * guest memory shared with it (uc_mem_map_ptr over the identity mappings),
 * the hooks every run needs, and attaching/detaching the model.
 *
 * Hooks are all installed before any code runs (Unicorn does not apply a
 * hook to code translated before it was added) and none of them watches
 * memory writes, which would put every access on Unicorn's slow path:
 *   code hook on the host-call page   the stub reached the host entry vector
 *   invalid instruction               RSM (0F AA), which Unicorn rejects outside SMM
 *   block hook                        instruction budget (charged per block);
 *                                     REP STOS/MOVS done on the host
 *                                     (emu/rep-string.c)
 *   interrupt hook                    CPU exceptions inside SMM
 *   unmapped memory hook              records the faulting address
 *   IN / OUT instruction hooks        the port bus (devices); an OUT from
 *                                     normal-world code that asserts SMI#
 *                                     stops the engine (emu/normal.c)
 */
#include <stdlib.h>
#include <string.h>

#include "emu/mmio.h"
#include "emu/model.h"

struct mm_emu *mm_emu_get(const struct mm_machine *m)
{
	if (m->cpus.model == &mm_emu_cpu_ops) /* every SMI asks: skip the name lookup */
		return m->cpus.model_data;
	return mm_extension_get(m, "emu");
}

/* Code hook on the host-call page: the stub arrived; stop before the trap executes. */
static void on_host_call(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mm_emu *e = user;

	(void)size;
	if (addr != e->host_call)
		return;
	e->event = MM_EMU_EV_HOST_CALL;
	uc_emu_stop(uc);
}

/* True when the instruction at rip (IP in real mode) is RSM (0F AA). */
static bool at_rsm(struct mm_emu *e, uint64_t rip)
{
	const uint8_t *op = mm_emu_ptr(e, rip, 2);
	uint64_t cr0 = 1;

	if (op && op[0] == 0x0F && op[1] == 0xAA)
		return true;
	uc_reg_read(e->uc, UC_X86_REG_CR0, &cr0);
	if (cr0 & 1) /* protected mode: rip was linear already */
		return false;
	/* real mode: our SMM code runs with CS base = SMBASE */
	op = mm_emu_ptr(e, e->cpu[e->running].smbase + (rip & 0xFFFF), 2);
	return op && op[0] == 0x0F && op[1] == 0xAA;
}

/* Invalid instruction: RSM is ours to emulate; anything else is a fault. */
static bool on_invalid(uc_engine *uc, void *user)
{
	struct mm_emu *e = user;
	uint64_t rip = 0;

	uc_reg_read(uc, UC_X86_REG_RIP, &rip);
	if (at_rsm(e, rip)) {
		e->event = MM_EMU_EV_RSM;
		uc_emu_stop(uc);
		return true;
	}
	e->event = MM_EMU_EV_INVALID;
	return false;
}

/*
 * Block hook: the instruction budget, charged one unit per translated block;
 * and REP string instructions, blocks of their own, done on the host.
 */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mm_emu *e = user;

	if (size <= 4 && !e->mem_watchers)
		mm_emu_rep_string(e, addr, size);
	if (++e->blocks > e->budget && e->event == MM_EMU_EV_NONE) {
		e->event = MM_EMU_EV_BUDGET;
		uc_emu_stop(uc);
	}
}

/* CPU exception inside SMM: there is no IDT to take it, so the SMI ends. */
static void on_interrupt(uc_engine *uc, uint32_t vector, void *user)
{
	struct mm_emu *e = user;

	e->event = MM_EMU_EV_EXCEPTION;
	e->exc_vector = (int)vector;
	uc_emu_stop(uc);
}

/* Access to unmapped memory: recorded; Unicorn then fails the run. */
static bool on_unmapped(uc_engine *uc, uc_mem_type type, uint64_t addr, int size,
			int64_t value, void *user)
{
	struct mm_emu *e = user;

	(void)uc, (void)size, (void)value;
	e->event = MM_EMU_EV_UNMAPPED;
	e->fault_addr = addr;
	e->fault_type = type;
	return false;
}

enum mm_emu_event mm_emu_run(struct mm_emu *e, unsigned cpu, uint64_t begin, uc_err *uerr)
{
	e->event = MM_EMU_EV_NONE;
	e->running = cpu;
	e->flat64 = false; /* the caller says so again when the run leaves it flat */
	e->smm64 = false;
	/* until = 0 always: a nonzero until costs a block invalidation per start. */
	*uerr = uc_emu_start(e->uc, begin, 0, 0, 0);
	return e->event;
}

static enum mm_err add_hooks(struct mm_emu *e)
{
	uc_hook h;
	uc_err u;

	u = uc_hook_add(e->uc, &h, UC_HOOK_CODE, on_host_call, e, e->host_call, e->host_call);
	if (!u)
		u = uc_hook_add(e->uc, &h, UC_HOOK_INSN_INVALID, on_invalid, e, 1, 0);
	if (!u)
		u = uc_hook_add(e->uc, &h, UC_HOOK_BLOCK, on_block, e, 1, 0);
	if (!u)
		u = uc_hook_add(e->uc, &h, UC_HOOK_INTR, on_interrupt, e, 1, 0);
	if (!u)
		u = uc_hook_add(e->uc, &h, UC_HOOK_MEM_UNMAPPED, on_unmapped, e, 1, 0);
	if (!u)
		u = uc_hook_add(e->uc, &h, UC_HOOK_INSN, mm_emu_on_in, e, 1, 0, UC_X86_INS_IN);
	if (!u)
		u = uc_hook_add(e->uc, &h, UC_HOOK_INSN, mm_emu_on_out, e, 1, 0, UC_X86_INS_OUT);
	if (u)
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: uc_hook_add: %s", uc_strerror(u));
	return MM_OK;
}

/* Shares every RAM and SMRAM region of m with the engine. */
static enum mm_err map_memory(struct mm_emu *e)
{
	for (unsigned i = 0; i < e->m->mem.count; i++) {
		const struct mm_region *r = &e->m->mem.regions[i];
		uc_err u = uc_mem_map_ptr(e->uc, r->desc.base, r->desc.size, UC_PROT_ALL, r->host);

		if (u)
			return mm_fail(e->m, MM_ERR_MAP,
				       "platform.memory[%u] (%s): Unicorn cannot map 0x%llx+0x%llx: %s",
				       i, r->desc.name ? r->desc.name : "?",
				       (unsigned long long)r->desc.base,
				       (unsigned long long)r->desc.size, uc_strerror(u));
	}
	return MM_OK;
}

/* Frees the model (extension fini; runs when the machine is destroyed). */
static void emu_fini(struct mm_machine *m, void *data)
{
	struct mm_emu *e = data;

	if (m->cpus.model_data == e)
		mm_cpus_set_model(m, NULL, &mm_save_state_host, NULL);
	for (unsigned i = 0; e->cpu && i < e->ncpus; i++) {
		if (e->cpu[i].entry_ctx)
			uc_context_free(e->cpu[i].entry_ctx);
		if (e->cpu[i].trap_ctx)
			uc_context_free(e->cpu[i].trap_ctx);
	}
	free(e->cpu);
	if (e->reset_ctx)
		uc_context_free(e->reset_ctx);
	if (e->uc)
		uc_close(e->uc);
	free(e);
}

void mm_emu_drop_translations(struct mm_emu *e)
{
	const struct mm_memory *mem = &e->m->mem;

	for (unsigned i = 0; i < mem->count; i++) {
		const struct mm_region *r = &mem->regions[i];

		if (r->mapped)
			uc_ctl_remove_cache(e->uc, r->desc.base, r->desc.base + r->desc.size);
	}
}

/* Creates the engine, its memory map, hooks and per-CPU contexts. */
static enum mm_err engine_open(struct mm_emu *e)
{
	uc_err u = uc_open(UC_ARCH_X86, UC_MODE_64, &e->uc);
	enum mm_err err;

	if (u)
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: uc_open: %s", uc_strerror(u));
	err = map_memory(e);
	if (!err)
		err = mm_stub_build(e);
	if (!err)
		err = add_hooks(e);
	if (!err)
		err = mm_emu_mmio_attach(e);
	if (err)
		return err;
	if (uc_context_alloc(e->uc, &e->reset_ctx) || uc_context_save(e->uc, e->reset_ctx))
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: cannot save the engine's reset state");
	for (unsigned i = 0; i < e->ncpus; i++)
		if (uc_context_alloc(e->uc, &e->cpu[i].trap_ctx) ||
		    uc_context_alloc(e->uc, &e->cpu[i].entry_ctx))
			return mm_fail(e->m, MM_ERR_NOMEM, "emu: no memory for CPU %u's context", i);
	return MM_OK;
}

/* A plausible 64-bit OS state: what the CPUs run before the first SMI. */
static void outside_reset(struct mm_emu_cpu *c)
{
	memset(c->reg, 0, sizeof(c->reg));
	c->reg[MM_REG_RFLAGS] = 0x2;
	c->reg[MM_REG_CR0] = 0x80000033; /* PG NE ET MP PE */
	c->reg[MM_REG_CR4] = 0x20;       /* PAE */
	c->reg[MM_REG_EFER] = 0x500;     /* LMA LME */
	c->reg[MM_REG_CS] = 0x38;
	c->reg[MM_REG_DS] = c->reg[MM_REG_ES] = c->reg[MM_REG_SS] = 0x30;
	c->reg[MM_REG_FS] = c->reg[MM_REG_GS] = 0x30;
	c->reg[MM_REG_DR6] = 0xFFFF0FF0;
	c->reg[MM_REG_DR7] = 0x400;
}

enum mm_err mm_emu_attach(struct mm_machine *m)
{
	struct mm_emu *e = NULL;
	enum mm_err err;

	if (mm_emu_get(m))
		return mm_fail(m, MM_ERR_STATE, "emu: the CPU model is already attached");
	e = calloc(1, sizeof(*e));
	if (!e)
		return mm_fail(m, MM_ERR_NOMEM, "emu: out of memory");
	e->m = m;
	e->ncpus = m->cpus.count ? m->cpus.count : m->platform.cpus;
	e->budget = m->platform.instruction_budget ? m->platform.instruction_budget
						   : MM_EMU_DEFAULT_BUDGET;
	e->layout = mm_emu_layout(m->platform.save_state);
	e->cpu = calloc(e->ncpus, sizeof(*e->cpu));
	if (!e->cpu || mm_extension_add(m, "emu", emu_fini, e)) {
		free(e->cpu);
		free(e);
		return mm_fail(m, MM_ERR_NOMEM, "emu: out of memory");
	}
	for (unsigned i = 0; i < e->ncpus; i++)
		outside_reset(&e->cpu[i]);
	err = mm_stub_check(m, &e->info);
	if (!err)
		err = engine_open(e);
	if (!err)
		err = mm_emu_callout_hooks(e);
	if (!err)
		err = mm_emu_tiles_init(e);
	if (!err)
		err = mm_emu_normal_init(e);
	if (!err)
		err = mm_emu_snapshot_attach(e);
	if (err)
		return err; /* the extension frees what was built */
	mm_cpus_set_model(m, &mm_emu_cpu_ops, e->layout->ops, e);
	return MM_OK;
}

/* Looks up the model and checks cpu; fails with MM_ERR_STATE / MM_ERR_INVALID. */
static enum mm_err model_cpu(struct mm_machine *m, unsigned cpu, struct mm_emu **out)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	if (cpu >= e->ncpus)
		return mm_fail(m, MM_ERR_INVALID, "emu: no CPU %u (%u CPUs)", cpu, e->ncpus);
	*out = e;
	return MM_OK;
}

enum mm_err mm_emu_set_fast_path(struct mm_machine *m, bool fast)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	e->fast_path = fast;
	return MM_OK;
}

enum mm_err mm_emu_arrival(struct mm_machine *m, unsigned cpu, struct mm_emu_arrival *out)
{
	struct mm_emu *e = NULL;
	enum mm_err err = model_cpu(m, cpu, &e);

	if (!err)
		*out = e->cpu[cpu].arrival;
	return err;
}

enum mm_err mm_emu_smbase(struct mm_machine *m, unsigned cpu, uint64_t *smbase)
{
	struct mm_emu *e = NULL;
	enum mm_err err = model_cpu(m, cpu, &e);

	if (!err)
		*smbase = e->cpu[cpu].smbase;
	return err;
}

enum mm_err mm_emu_set_entry(struct mm_machine *m, mm_emu_entry_fn fn, void *user)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	e->entry = fn;
	e->entry_user = user;
	return MM_OK;
}

enum mm_err mm_emu_test_host_entry(struct mm_machine *m, unsigned cpu, uint64_t addr)
{
	struct mm_emu *e = NULL;
	enum mm_err err = model_cpu(m, cpu, &e);

	if (err)
		return err;
	e->cpu[cpu].params->host_entry = addr ? addr : e->host_call;
	e->cpu[cpu].trap_valid = false;
	if (addr)
		uc_ctl_remove_cache(e->uc, addr & ~0xFFFull, (addr & ~0xFFFull) + 0x1000);
	return MM_OK;
}

enum mm_err mm_emu_stack(struct mm_machine *m, unsigned cpu, uint64_t *top, uint64_t *size)
{
	struct mm_emu *e = NULL;
	enum mm_err err = model_cpu(m, cpu, &e);

	if (!err) {
		*top = e->cpu[cpu].stack_top;
		*size = MM_EMU_STACK_SIZE;
	}
	return err;
}
