/* SPDX-License-Identifier: MIT */
/*
 * Installing the SMI entry stub: the SMRAM structures it uses (GDT, page
 * tables, stacks, host-call page), its copy and parameter block in each
 * tile, and the SMM entry context of each CPU.
 *
 * Unicorn has no API to set a segment base, so the entry context (real mode
 * with CS base = SMBASE) is made by emulated code: the setup routine of the
 * stub jumps from the engine's 64-bit reset state to a 16-bit descriptor
 * based at SMBASE and clears CR0.PE; the hidden base survives, and the
 * context left behind is saved per CPU.
 */
#include <stddef.h>
#include <string.h>

#include "emu/model.h"

#define PT_PAGES 6 /* PML4, PDPT, 4 page directories: 4 GiB of 2 MiB pages */
#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_A 0x20ull
#define PTE_D 0x40ull
#define PTE_PS 0x80ull

#define CHECK_OFF(field, have)                                                             \
	(offsetof(struct mm_stub_params, field) == (have))

_Static_assert(sizeof(struct mm_stub_params) == 0x60, "mirrors P_SIZE of smi-stub.S");
_Static_assert(offsetof(struct mm_stub_params, host_entry) == 0x30, "mirrors smi-stub.S");

/* Compares the info table of the assembled stub with struct mm_stub_params. */
enum mm_err mm_stub_check(struct mm_machine *m, const struct mm_stub_info **out)
{
	const struct mm_stub_info *i = (const void *)(mm_smi_stub + MM_STUB_INFO);

	if (mm_smi_stub_size < MM_STUB_INFO + sizeof(*i) || memcmp(i->magic, "MMSTUB01", 8))
		return mm_fail(m, MM_ERR_FORMAT, "emu: the embedded SMI stub has no info table");
	if (i->code_size > MM_STUB_INFO || i->params != MM_STUB_PARAMS ||
	    i->p_size != sizeof(struct mm_stub_params) || !CHECK_OFF(stack_top, i->p_stack_top) ||
	    !CHECK_OFF(stack_size, i->p_stack_size) || !CHECK_OFF(cr3, i->p_cr3) ||
	    !CHECK_OFF(gdt_limit, i->p_gdt) || !CHECK_OFF(pm32_off, i->p_pm32) ||
	    !CHECK_OFF(lm64_off, i->p_lm64) || !CHECK_OFF(host_entry, i->p_host_entry) ||
	    !CHECK_OFF(cpu_index, i->p_cpu_index) || !CHECK_OFF(canary, i->p_canary) ||
	    !CHECK_OFF(self, i->p_self) || !CHECK_OFF(setup_off, i->p_setup) ||
	    !CHECK_OFF(reloc_field, i->p_reloc_field) ||
	    !CHECK_OFF(reloc_smbase, i->p_reloc_smbase))
		return mm_fail(m, MM_ERR_FORMAT,
			       "emu: smi-stub.S and struct mm_stub_params disagree (rebuild both)");
	*out = i;
	return MM_OK;
}

/* Allocates pages of SMRAM for the model's own use (a data structure). */
static enum mm_err smram_pages(struct mm_emu *e, uint64_t pages, uint64_t *addr)
{
	enum mm_err err = mm_page_alloc(e->m, &e->m->smram, AllocateAnyPages,
					EfiRuntimeServicesData, pages, addr, true);

	if (err)
		return mm_fail(e->m, err, "emu: cannot allocate %llu SMRAM pages for the CPU model",
			       (unsigned long long)pages);
	if (*addr + pages * EFI_PAGE_SIZE > 0x100000000ull)
		return mm_fail(e->m, MM_ERR_RANGE,
			       "emu: SMRAM at 0x%llx is above 4 GiB; the entry stub needs it below",
			       (unsigned long long)*addr);
	memset((void *)(uintptr_t)*addr, 0, pages * EFI_PAGE_SIZE);
	return MM_OK;
}

/* A flat GDT: 32-bit code, data, 64-bit code; accessed bits preset. */
static void build_gdt(uint64_t *gdt)
{
	gdt[0] = 0;
	gdt[MM_SEL_CODE32 / 8] = 0x00CF9B000000FFFFull;
	gdt[MM_SEL_DATA / 8] = 0x00CF93000000FFFFull;
	gdt[MM_SEL_CODE64 / 8] = 0x00AF9B000000FFFFull;
}

/* Identity map of the first 4 GiB with 2 MiB pages, accessed/dirty preset. */
static void build_page_tables(uint64_t base)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)base;
	uint64_t *pdpt = pml4 + 512;

	pml4[0] = (base + 0x1000) | PTE_P | PTE_RW | PTE_A;
	for (unsigned i = 0; i < 4; i++) {
		uint64_t *pd = pml4 + 512 * (2 + i);

		pdpt[i] = (base + 0x1000 * (2 + i)) | PTE_P | PTE_RW | PTE_A;
		for (unsigned j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30) + ((uint64_t)j << 21) + (PTE_P | PTE_RW | PTE_A |
									    PTE_D | PTE_PS);
	}
}

enum mm_err mm_stub_build(struct mm_emu *e)
{
	enum mm_err err;

	e->pt_pages = PT_PAGES;
	e->stacks_pages = (uint64_t)e->ncpus * MM_EMU_STACK_SIZE / EFI_PAGE_SIZE;
	err = smram_pages(e, 1, &e->gdt);
	if (!err)
		err = smram_pages(e, e->pt_pages, &e->pt);
	if (!err)
		err = smram_pages(e, e->stacks_pages, &e->stacks);
	if (!err)
		err = smram_pages(e, 1, &e->host_call);
	if (err)
		return err;
	build_gdt((uint64_t *)(uintptr_t)e->gdt);
	build_page_tables(e->pt);
	/* The trap: the model's code hook stops here before it executes. */
	memset((void *)(uintptr_t)e->host_call, 0xCC, EFI_PAGE_SIZE);
	*(uint8_t *)(uintptr_t)e->host_call = 0xC3; /* ret */
	return MM_OK;
}

/* The canary of cpu: differs per CPU so that a copied stack is caught too. */
static uint64_t canary_of(unsigned cpu)
{
	return MM_EMU_CANARY ^ ((uint64_t)cpu * 0x9E3779B97F4A7C15ull);
}

void mm_stub_fill_params(struct mm_emu *e, unsigned cpu, uint64_t smbase,
			 struct mm_stub_params *p)
{
	uint64_t stub = smbase + MM_STUB_ENTRY;
	uint64_t top = e->stacks + (uint64_t)(cpu + 1) * MM_EMU_STACK_SIZE;

	memset(p, 0, sizeof(*p));
	p->stack_top = top;
	p->stack_size = MM_EMU_STACK_SIZE;
	p->cr3 = e->pt;
	p->gdt_limit = 4 * 8 - 1;
	p->gdt_base = (uint32_t)e->gdt;
	p->pm32_off = (uint32_t)(stub + e->info->pm32);
	p->pm32_sel = MM_SEL_CODE32;
	p->lm64_off = (uint32_t)(stub + e->info->lm64);
	p->lm64_sel = MM_SEL_CODE64;
	p->host_entry = e->host_call;
	p->cpu_index = cpu;
	p->canary = canary_of(cpu);
	p->self = smbase + MM_STUB_PARAMS;
	p->reloc_field = e->layout->smbase_field;
}

enum mm_err mm_stub_install(struct mm_emu *e, unsigned cpu)
{
	struct mm_emu_cpu *c = &e->cpu[cpu];
	uint64_t smbase = c->smbase;
	uint8_t *code = mm_emu_ptr(e, smbase + MM_STUB_ENTRY, MM_STUB_MAX);
	struct mm_stub_params *p = mm_emu_ptr(e, smbase + MM_STUB_PARAMS, sizeof(*p));
	uint64_t *bottom;

	if (!code || !p)
		return mm_fail(e->m, MM_ERR_RANGE, "emu: tile of CPU %u (SMBASE 0x%llx) is not mapped",
			       cpu, (unsigned long long)smbase);
	memcpy(code, mm_smi_stub, mm_smi_stub_size);
	mm_stub_fill_params(e, cpu, smbase, p);
	c->params = p;
	c->stack_top = p->stack_top;
	bottom = (uint64_t *)(uintptr_t)(p->stack_top - p->stack_size);
	*bottom = p->canary;
	c->trap_valid = false;
	uc_ctl_remove_cache(e->uc, smbase + MM_STUB_ENTRY, smbase + MM_STUB_ENTRY + MM_STUB_MAX);
	c->ctx_gen++;
	return mm_stub_entry_context(e, cpu, smbase, c->entry_ctx);
}

/* Writes the 16-bit code descriptor (base smbase) the setup routine jumps to. */
static uint16_t setup_descriptor(struct mm_emu *e, uint64_t smbase, uint64_t scratch)
{
	uint16_t sel = (uint16_t)((smbase >> 4) & 0xFFF8);
	uint64_t d = 0xFFFF | ((smbase & 0xFFFFFF) << 16) | (0x9Bull << 40) |
		     ((smbase >> 24 & 0xFF) << 56);
	uc_x86_mmr gdtr = { 0 };

	if (sel == 0 || scratch < sel)
		sel = 8;
	memcpy((void *)(uintptr_t)scratch, &d, sizeof(d));
	gdtr.base = scratch - sel;
	gdtr.limit = 0xFFFF;
	uc_reg_write(e->uc, UC_X86_REG_GDTR, &gdtr);
	return sel;
}

enum mm_err mm_stub_entry_context(struct mm_emu *e, unsigned cpu, uint64_t smbase,
				  uc_context *ctx)
{
	struct mm_stub_params *p = mm_emu_ptr(e, smbase + MM_STUB_PARAMS, sizeof(*p));
	uint64_t self = smbase + MM_STUB_PARAMS, ip = MM_STUB_ENTRY, zero = 0;
	uint64_t scratch = e->gdt + 0x800; /* second half of the GDT page */
	enum mm_emu_event ev;
	uc_err uerr;

	if (!p)
		return mm_fail(e->m, MM_ERR_RANGE, "emu: SMBASE 0x%llx of CPU %u is not mapped",
			       (unsigned long long)smbase, cpu);
	uc_context_restore(e->uc, e->reset_ctx);
	p->setup_sel = setup_descriptor(e, smbase, scratch);
	p->setup_off = MM_STUB_ENTRY + e->info->setup16;
	uc_reg_write(e->uc, UC_X86_REG_RBX, &self);
	e->blocks = 0;
	ev = mm_emu_run(e, cpu, smbase + MM_STUB_ENTRY + e->info->setup64, &uerr);
	memset((void *)(uintptr_t)scratch, 0, 8);
	if (ev != MM_EMU_EV_NONE || uerr != UC_ERR_OK)
		return mm_emu_stop(e, cpu, ev, uerr, "SMM entry state setup");
	uc_reg_write(e->uc, UC_X86_REG_RIP, &ip);
	uc_reg_write(e->uc, UC_X86_REG_RBX, &zero);
	uc_context_save(e->uc, ctx);
	return MM_OK;
}
