/* SPDX-License-Identifier: MIT */
/*
 * The normal world on the emulated CPUs: code outside SMM, the OUT that
 * raises a software SMI, and what SMRAM looks like from there.
 *
 * SW SMI snippet. mm_sw_smi() with the CPU model makes CPU cpu execute,
 * in its outside state, a snippet the model keeps in a normal-RAM page:
 *
 *   snippet+0x00  mov al, [data]     data page byte 0: APM_STS data
 *   snippet+0x06  out 0xB3, al
 *   snippet+0x08  mov al, [value]    data page byte 1: APM_CNT value
 *   snippet+0x0E  out 0xB2, al       -> OUT hook -> mm_io_write -> chipset
 *   snippet+0x10  hlt                   -> mm_smi_raise; the block ends here
 *   snippet+0x1000 data, value       (its own page: the code never changes)
 *
 * Like real code it changes only AL (left = value, unless a handler writes
 * RAX through the save state); every other register is preserved. The OUT
 * hook (UC_HOOK_INSN) calls the port bus; when SMI# is asserted it records
 * the I/O information (port, width, data, CPU) and stops the engine. In
 * Unicorn 2.0.1 the rest of the translated block runs first, so the snippet
 * ends its block with the HLT right after the OUT, and the SMI is taken at
 * that boundary: the save state holds RIP = snippet+0x10. After RSM the CPU
 * is back at the HLT, where the snippet ends: the model does not emulate the
 * HLT and puts RIP back to its value before mm_sw_smi (the snippet behaves
 * as a function the interrupted code called). When a handler moved RIP
 * through the save state, the CPU stays where RSM sent it.
 *
 * The snippet runs in whatever flat, identity-mapped 64-bit state the
 * engine holds (the engine's reset state, or the state the stub's RSM left)
 * with only RAX and RIP loaded, and it touches no SMRAM, so it needs none of
 * the guards below: the SMI round trip stays cheap.
 *
 * SMRAM seen from outside SMM (mm_cpu_run). Normal-world code runs with
 * paging off from the engine's reset state. While it runs, every guest
 * range it must not see is replaced in the engine by an MMIO region that
 * reads all ones and drops (and logs) writes: SMRAM regions while the
 * chipset has SMRAM closed or locked (m->lock.smram), and the SMRR range
 * while SMRR is valid, whatever the chipset says. The swap is undone before
 * any SMI is taken, so SMM code never runs with it (and never with a memory
 * hook: both would slow every access).
 *
 * SMRR: one IA32_SMRR_PHYSBASE/PHYSMASK pair serves all CPUs (firmware
 * programs every CPU alike). At attach the model programs it to cover TSEG
 * (the first SMRAM region) with write-back type and the valid bit, as
 * firmware's relocation handler does, when TSEG is a naturally aligned
 * power of two; mm_emu_set_smrr() changes it.
 */
#include <inttypes.h>
#include <string.h>

#include "core/stop.h"
#include "emu/model.h"

#define SNIPPET_AFTER_OUT 0x10 /* offset of the HLT after OUT 0xB2 */
#define SNIPPET_DATA 0x1000    /* data page: [0] APM_STS data, [1] APM_CNT value */
#define PHYS_MASK ((1ull << 39) - 1) /* MAXPHYADDR 39 */
#define SMRR_TYPE_WB 6ull
#define OP_HLT 0xF4

/* Builds the snippet (see the head comment) in its code page at at. */
static void snippet_build(uint8_t *code, uint64_t at)
{
	int32_t data = (int32_t)(at + SNIPPET_DATA - (at + 6));
	int32_t value = (int32_t)(at + SNIPPET_DATA + 1 - (at + 0x0E));
	uint8_t *p = code;

	*p++ = 0x8A, *p++ = 0x05; /* mov al, [rip + rel32] */
	memcpy(p, &data, 4), p += 4;
	*p++ = 0xE6, *p++ = 0xB3; /* out 0xB3, al */
	*p++ = 0x8A, *p++ = 0x05;
	memcpy(p, &value, 4), p += 4;
	*p++ = 0xE6, *p++ = 0xB2; /* out 0xB2, al */
	*p++ = OP_HLT;
}

/* Programs SMRR over TSEG when it is a naturally aligned power of two. */
static void smrr_default(struct mm_emu *e)
{
	for (unsigned i = 0; i < e->m->mem.count; i++) {
		const struct mm_region_desc *d = &e->m->mem.regions[i].desc;

		if (d->kind != MM_REGION_SMRAM)
			continue;
		if (d->size < EFI_PAGE_SIZE || (d->size & (d->size - 1)) || (d->base & (d->size - 1))) {
			mm_log(e->m, MM_LOG_CPU, "emu: SMRAM 0x%llx+0x%llx is not an SMRR range: "
			       "SMRR left invalid", (unsigned long long)d->base,
			       (unsigned long long)d->size);
			return;
		}
		e->smrr_base = d->base | SMRR_TYPE_WB;
		e->smrr_mask = (~(d->size - 1) & PHYS_MASK & ~0xFFFull) | MM_SMRR_VALID;
		return;
	}
}

/* Allocates and fills the snippet pages; programs SMRR over TSEG. */
enum mm_err mm_emu_normal_init(struct mm_emu *e)
{
	enum mm_err err = mm_page_alloc(e->m, &e->m->ram, AllocateAnyPages, EfiRuntimeServicesCode,
					2, &e->snippet, true);

	if (err)
		return mm_fail(e->m, err, "emu: no normal-world RAM for the SW SMI snippet");
	memset((void *)(uintptr_t)e->snippet, 0, 2 * EFI_PAGE_SIZE);
	snippet_build((uint8_t *)(uintptr_t)e->snippet, e->snippet);
	uc_ctl_remove_cache(e->uc, e->snippet, e->snippet + EFI_PAGE_SIZE);
	smrr_default(e);
	return MM_OK;
}

/* IN from any mode: the port bus answers (devices, or all ones). */
uint32_t mm_emu_on_in(uc_engine *uc, uint32_t port, int size, void *user)
{
	struct mm_emu *e = user;

	(void)uc;
	return (uint32_t)mm_io_read(e->m, MM_IO_PORT, port, (unsigned)size);
}

/* The EFI width code of an I/O access of size bytes. */
static EFI_MM_SAVE_STATE_IO_WIDTH io_width(int size)
{
	return size == 1 ? EFI_MM_SAVE_STATE_IO_WIDTH_UINT8
	       : size == 2 ? EFI_MM_SAVE_STATE_IO_WIDTH_UINT16
			   : EFI_MM_SAVE_STATE_IO_WIDTH_UINT32;
}

/*
 * OUT from any mode goes to the port bus. From normal-world code it is also
 * the possible cause of an SMI: when SMI# is asserted after it, the engine
 * stops (at the end of the block) and the I/O fields will describe it.
 */
void mm_emu_on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
	struct mm_emu *e = user;
	struct mm_machine *m = e->m;
	struct mm_cpu_host *h = &m->cpus.host[e->running];

	if (e->normal) /* the cause of an SMI this OUT may raise */
		h->io = (EFI_MM_SAVE_STATE_IO_INFO){
			.IoData = value,
			.IoPort = port,
			.IoWidth = io_width(size),
			.IoType = EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT,
		};
	mm_io_write(m, MM_IO_PORT, port, (unsigned)size, value);
	if (e->normal && m->smi.pending && e->event == MM_EMU_EV_NONE) {
		h->io_valid = true;
		e->event = MM_EMU_EV_SMI;
		uc_emu_stop(uc); /* takes effect at the end of this block */
	}
}

/* True when SMRR is valid; its range in [*lo, *hi). */
static bool smrr_range(const struct mm_emu *e, uint64_t *lo, uint64_t *hi)
{
	uint64_t bits = e->smrr_mask & PHYS_MASK & ~0xFFFull;

	if (!(e->smrr_mask & MM_SMRR_VALID))
		return false;
	*lo = e->smrr_base & bits;
	*hi = *lo + ((~bits & PHYS_MASK) + 1);
	return true;
}

enum mm_err mm_emu_set_smrr(struct mm_machine *m, uint64_t physbase, uint64_t physmask)
{
	struct mm_emu *e = mm_emu_get(m);
	uint64_t size = (~(physmask & PHYS_MASK & ~0xFFFull) & PHYS_MASK) + 1;

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	if ((physmask & MM_SMRR_VALID) && (size & (size - 1)))
		return mm_fail(m, MM_ERR_INVALID, "IA32_SMRR_PHYSMASK 0x%" PRIx64
			       ": the mask is not contiguous", physmask);
	e->smrr_base = physbase;
	e->smrr_mask = physmask;
	mm_log(m, MM_LOG_CPU, "SMRR: PHYSBASE 0x%" PRIx64 " PHYSMASK 0x%" PRIx64 "%s", physbase,
	       physmask, physmask & MM_SMRR_VALID ? "" : " (invalid)");
	return MM_OK;
}

enum mm_err mm_emu_get_smrr(struct mm_machine *m, uint64_t *physbase, uint64_t *physmask)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	*physbase = e->smrr_base;
	*physmask = e->smrr_mask;
	return MM_OK;
}

enum mm_err mm_emu_snippet(struct mm_machine *m, uint64_t *code, uint64_t *after_out)
{
	struct mm_emu *e = mm_emu_get(m);

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "emu: no CPU model attached");
	*code = e->snippet;
	*after_out = e->snippet + SNIPPET_AFTER_OUT;
	return MM_OK;
}

/* MMIO read of a hidden range: all ones, as the bus returns for nothing. */
static uint64_t hidden_read(uc_engine *uc, uint64_t off, unsigned size, void *user)
{
	struct mm_emu_hidden *h = user;

	(void)uc;
	mm_log(h->e->m, MM_LOG_LOCK, "CPU %u outside SMM read %u bytes of hidden SMRAM at 0x%llx: "
	       "all ones", h->e->running, size, (unsigned long long)(h->lo + off));
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* MMIO write of a hidden range: dropped, and logged as misuse. */
static void hidden_write(uc_engine *uc, uint64_t off, unsigned size, uint64_t value, void *user)
{
	struct mm_emu_hidden *h = user;

	(void)uc;
	mm_log(h->e->m, MM_LOG_LOCK | MM_LOG_WARN,
	       "CPU %u outside SMM wrote 0x%llx (%u bytes) to SMRAM at 0x%llx (%s%s): dropped",
	       h->e->running, (unsigned long long)value, size, (unsigned long long)(h->lo + off),
	       mm_smram_state_name(h->e->m->lock.smram),
	       h->e->smrr_mask & MM_SMRR_VALID ? ", SMRR valid" : "");
}

/* Replaces [lo, hi) of region r in the engine by the all-ones MMIO region. */
static enum mm_err hide(struct mm_emu *e, const struct mm_region *r, uint64_t lo, uint64_t hi)
{
	struct mm_emu_hidden *h = &e->hidden[e->nhidden];
	uint64_t base = r->desc.base, end = base + r->desc.size;
	uc_err u;

	if (e->nhidden == MM_EMU_MAX_HIDDEN)
		return mm_fail(e->m, MM_ERR_NOMEM, "emu: too many hidden SMRAM ranges");
	*h = (struct mm_emu_hidden){ e, base, r->desc.size, lo, hi, r->host };
	u = uc_mem_unmap(e->uc, base, r->desc.size);
	if (!u && lo > base)
		u = uc_mem_map_ptr(e->uc, base, lo - base, UC_PROT_ALL, r->host);
	if (!u)
		u = uc_mmio_map(e->uc, lo, hi - lo, hidden_read, h, hidden_write, h);
	if (!u && hi < end)
		u = uc_mem_map_ptr(e->uc, hi, end - hi, UC_PROT_ALL, r->host + (hi - base));
	e->nhidden++;
	if (u)
		return mm_fail(e->m, MM_ERR_MAP, "emu: cannot hide 0x%llx..0x%llx: %s",
			       (unsigned long long)lo, (unsigned long long)hi, uc_strerror(u));
	return MM_OK;
}

/* Gives every hidden region its identity mapping back. */
static void guard_off(struct mm_emu *e)
{
	for (unsigned i = 0; i < e->nhidden; i++) {
		struct mm_emu_hidden *h = &e->hidden[i];

		uc_mem_unmap(e->uc, h->base, h->size);
		uc_mem_map_ptr(e->uc, h->base, h->size, UC_PROT_ALL, h->host);
		uc_ctl_remove_cache(e->uc, h->base, h->base + h->size);
	}
	e->nhidden = 0;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Hides SMRAM (closed/locked) and the SMRR range from normal-world code. */
static enum mm_err guard_on(struct mm_emu *e)
{
	bool closed = e->m->lock.smram != MM_SMRAM_OPEN;
	uint64_t slo = 0, shi = 0;
	bool smrr = smrr_range(e, &slo, &shi);
	enum mm_err err = MM_OK;

	for (unsigned i = 0; i < e->m->mem.count && !err; i++) {
		const struct mm_region *r = &e->m->mem.regions[i];
		uint64_t base = r->desc.base, end = base + r->desc.size, lo = end, hi = base;

		if (closed && r->desc.kind == MM_REGION_SMRAM)
			lo = base, hi = end;
		if (smrr && slo < end && shi > base) { /* add the SMRR part of the region */
			lo = min_u64(lo, max_u64(slo, base));
			hi = max_u64(hi, min_u64(shi, end));
		}
		if (lo < hi)
			err = hide(e, r, lo, hi);
	}
	if (err)
		guard_off(e);
	return err;
}

static const int gpr_ids[] = {
	UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI,
	UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8,  UC_X86_REG_R9,
	UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
	UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_EFLAGS,
};
#define NGPR (sizeof(gpr_ids) / sizeof(gpr_ids[0]))
_Static_assert(MM_REG_RAX == 0 && MM_REG_R15 == 15 && MM_REG_RIP == 16 && MM_REG_RFLAGS == 17,
	       "gpr_ids follows enum mm_reg");

/* Moves cpu's general registers, RIP and RFLAGS between its file and the engine. */
static void gprs_transfer(struct mm_emu *e, unsigned cpu, bool to_engine)
{
	void *ptrs[NGPR];

	for (unsigned i = 0; i < NGPR; i++)
		ptrs[i] = &e->cpu[cpu].reg[i];
	if (to_engine)
		uc_reg_write_batch(e->uc, (int *)gpr_ids, ptrs, NGPR);
	else
		uc_reg_read_batch(e->uc, (int *)gpr_ids, ptrs, NGPR);
}

/* Takes the SMI cpu's OUT raised (every CPU), then forgets its cause. */
static enum mm_err take_smi(struct mm_emu *e, unsigned cpu)
{
	enum mm_err err = mm_smi_service(e->m);

	e->m->cpus.host[cpu].io_valid = false;
	return err;
}

/*
 * Runs normal-world code of cpu from rip until HLT, with SMRAM guarded,
 * taking the SMIs it raises. Registers go back to cpu's file.
 */
static enum mm_err normal_run(struct mm_emu *e, unsigned cpu, uint64_t rip, uint64_t budget)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	uint64_t saved_budget = e->budget;
	enum mm_err err = MM_OK;

	for (;;) {
		enum mm_emu_event ev;
		const uint8_t *prev;
		uc_err uerr;

		uc_context_restore(e->uc, e->reset_ctx); /* paging off: page tables are in SMRAM */
		c->reg[MM_REG_RIP] = rip;
		gprs_transfer(e, cpu, true);
		err = guard_on(e);
		if (err)
			break;
		e->normal = true;
		e->blocks = 0;
		e->budget = budget;
		ev = mm_emu_run(e, cpu, rip, &uerr);
		e->budget = saved_budget;
		if (ev != MM_EMU_EV_SMI && (ev != MM_EMU_EV_NONE || uerr))
			err = mm_emu_stop(e, cpu, ev, uerr, "normal-world code");
		e->normal = false;
		guard_off(e);
		if (err)
			break;
		gprs_transfer(e, cpu, false);
		if (ev == MM_EMU_EV_NONE)
			break; /* HLT */
		/* The SMI is taken at the end of the OUT's block, before a HLT ending it. */
		prev = mm_emu_ptr(e, c->reg[MM_REG_RIP] - 1, 1);
		if (prev && *prev == OP_HLT)
			c->reg[MM_REG_RIP]--;
		err = take_smi(e, cpu);
		if (err)
			break;
		rip = c->reg[MM_REG_RIP];
	}
	return err;
}

/* Public (include/mmemu/cpu.h): normal-world code on cpu until HLT. */
enum mm_err mm_cpu_run(struct mm_machine *m, unsigned cpu, uint64_t entry, uint64_t max_insns)
{
	struct mm_emu *e = mm_emu_get(m);
	unsigned prev = m->cpus.executing;
	enum mm_err err;

	if (!e)
		return mm_fail(m, MM_ERR_UNSUPPORTED,
			       "mm_cpu_run: needs the Unicorn CPU model (platform.cpu_engine)");
	if (cpu >= e->ncpus)
		return mm_fail(m, MM_ERR_INVALID, "mm_cpu_run: no CPU %u (%u CPUs)", cpu, e->ncpus);
	if (m->cpus.in_smm)
		return mm_fail(m, MM_ERR_STATE, "mm_cpu_run: the CPUs are in SMM");
	m->cpus.executing = cpu;
	err = normal_run(e, cpu, entry, max_insns ? max_insns : e->budget);
	m->cpus.executing = prev;
	return err;
}

/* Runs the snippet on cpu up to its HLT (or the SMI after OUT 0xB2). */
static enum mm_err snippet_run(struct mm_emu *e, unsigned cpu, enum mm_emu_event *ev)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	uc_err uerr;

	bool smm64 = e->flat64 && e->smm64;

	if (!e->flat64)
		uc_context_restore(e->uc, e->reset_ctx);
	uc_reg_write(e->uc, UC_X86_REG_RAX, &c->reg[MM_REG_RAX]);
	e->normal = true;
	e->blocks = 0;
	*ev = mm_emu_run(e, cpu, e->snippet, &uerr);
	e->normal = false;
	if (*ev != MM_EMU_EV_SMI && (*ev != MM_EMU_EV_NONE || uerr))
		return mm_emu_stop(e, cpu, *ev, uerr, "SW SMI snippet (OUT 0xB2)");
	e->flat64 = true; /* the snippet changes no mode, no control register */
	e->smm64 = smm64;
	uc_reg_read(e->uc, UC_X86_REG_RAX, &c->reg[MM_REG_RAX]);
	return MM_OK;
}

/* struct mm_cpu_ops.sw_smi: the snippet on cpu, the SMI it raises, the return. */
enum mm_err mm_emu_sw_smi(struct mm_machine *m, unsigned cpu, uint8_t value, uint8_t data)
{
	struct mm_emu *e = mm_emu_get(m);
	unsigned prev = m->cpus.executing;
	uint8_t *port_data;
	enum mm_emu_event ev;
	uint64_t rip;
	enum mm_err err;

	if (!e || cpu >= e->ncpus)
		return mm_fail(m, MM_ERR_INVALID, "software SMI on CPU %u: no such CPU", cpu);
	m->cpus.executing = cpu;
	if (m->cpus.in_smm) { /* from a handler: the chipset latches it until RSM */
		mm_io_write(m, MM_IO_PORT, 0xB3, 1, data);
		mm_io_write(m, MM_IO_PORT, 0xB2, 1, value);
		m->cpus.executing = prev;
		return MM_OK;
	}
	port_data = (uint8_t *)(uintptr_t)(e->snippet + SNIPPET_DATA);
	port_data[0] = data;
	port_data[1] = value;
	rip = e->cpu[cpu].reg[MM_REG_RIP];
	err = snippet_run(e, cpu, &ev);
	if (!err && ev == MM_EMU_EV_SMI) {
		e->cpu[cpu].reg[MM_REG_RIP] = e->snippet + SNIPPET_AFTER_OUT;
		err = take_smi(e, cpu);
	}
	/*
	 * Back at the snippet's HLT (or SMIs masked, or the guest stopped and the
	 * harness abandons the snippet): the snippet returns.
	 */
	if (err || ev == MM_EMU_EV_NONE ||
	    e->cpu[cpu].reg[MM_REG_RIP] == e->snippet + SNIPPET_AFTER_OUT)
		e->cpu[cpu].reg[MM_REG_RIP] = rip;
	m->cpus.executing = prev;
	return err;
}
