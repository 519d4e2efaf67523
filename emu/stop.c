/* SPDX-License-Identifier: MIT */
/*
 * Describing a guest stop on the emulated CPU: which CPU, which step, why,
 * where (RIP, linear address, mode) and the faulting instruction,
 * disassembled with capstone. The text goes into the machine's error
 * message; the machine stays usable (every SMI starts from saved contexts).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "emu/model.h"

/* The mode the engine is in, and the linear address of RIP in it. */
static unsigned mode_and_pc(struct mm_emu *e, unsigned cpu, uint64_t rip, uint64_t *pc)
{
	uint64_t cr0 = 0, cs = 0;

	uc_reg_read(e->uc, UC_X86_REG_CR0, &cr0);
	uc_reg_read(e->uc, UC_X86_REG_CS, &cs);
	if (!(cr0 & 1)) { /* real mode: our SMM code runs with CS base = SMBASE */
		*pc = e->cpu[cpu].smbase + (rip & 0xFFFF);
		return 16;
	}
	*pc = rip;
	if (cs == MM_SEL_CODE32)
		return 32;
	return 64;
}

/* Disassembles the instruction at pc into buf ("?" when unreadable). */
static void disassemble(struct mm_emu *e, uint64_t pc, unsigned bits, char *buf, size_t len)
{
	uint8_t code[16];
	cs_insn *insn = NULL;
	csh h;

	snprintf(buf, len, "(unreadable)");
	if (uc_mem_read(e->uc, pc, code, sizeof(code)) != UC_ERR_OK &&
	    uc_mem_read(e->uc, pc, code, 1) != UC_ERR_OK)
		return;
	if (cs_open(CS_ARCH_X86, bits == 16 ? CS_MODE_16 : bits == 32 ? CS_MODE_32 : CS_MODE_64,
		    &h) != CS_ERR_OK)
		return;
	if (cs_disasm(h, code, sizeof(code), pc, 1, &insn) == 1)
		snprintf(buf, len, "%.31s %.159s", insn->mnemonic, insn->op_str);
	else
		snprintf(buf, len, "(invalid: %02x %02x %02x)", code[0], code[1], code[2]);
	if (insn)
		cs_free(insn, 1);
	cs_close(&h);
}

static const char *exception_name(int v)
{
	static const char *const names[] = { "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD",
					     "#NM", "#DF", "?",   "#TS", "#NP", "#SS", "#GP",
					     "#PF" };

	return v >= 0 && v < (int)(sizeof(names) / sizeof(names[0])) ? names[v] : "exception";
}

enum mm_err mm_emu_stop(struct mm_emu *e, unsigned cpu, enum mm_emu_event ev, uc_err uerr,
			const char *step)
{
	uint64_t rip = 0, pc;
	unsigned bits;
	char why[160], insn[192];

	uc_reg_read(e->uc, UC_X86_REG_RIP, &rip);
	bits = mode_and_pc(e, cpu, rip, &pc);
	disassemble(e, pc, bits, insn, sizeof(insn));
	switch (ev) {
	case MM_EMU_EV_BUDGET:
		snprintf(why, sizeof(why), "instruction budget exhausted (%" PRIu64
			 " blocks): endless loop?", e->budget);
		break;
	case MM_EMU_EV_EXCEPTION:
		snprintf(why, sizeof(why), "CPU exception %d (%s), no handler in SMM (triple fault)",
			 e->exc_vector, exception_name(e->exc_vector));
		break;
	case MM_EMU_EV_UNMAPPED:
		snprintf(why, sizeof(why), "access to unmapped memory at 0x%" PRIx64,
			 e->fault_addr);
		break;
	case MM_EMU_EV_INVALID:
		snprintf(why, sizeof(why), "invalid instruction");
		break;
	default:
		snprintf(why, sizeof(why), "stopped unexpectedly (%s)",
			 uerr ? uc_strerror(uerr) : "HLT or stop without reaching its target");
		break;
	}
	return mm_fail(e->m, MM_ERR_STOPPED,
		       "CPU %u stopped in SMM during %s: %s; RIP 0x%" PRIx64 " (linear 0x%" PRIx64
		       ", %u-bit): %s",
		       cpu, step, why, rip, pc, bits, insn);
}
