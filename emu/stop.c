/* SPDX-License-Identifier: MIT */
/*
 * Describing a guest stop on the emulated CPU as a stop record
 * (include/mmemu/stop.h): its kind (hang, fault, unmapped, canary), which
 * CPU, which step, where (RIP, linear address, mode), the data address and
 * the faulting instruction, disassembled with capstone. The one-line message
 * also becomes the machine's error message; the machine stays usable (every
 * SMI starts from saved contexts).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <capstone/capstone.h>

#include "core/stop.h"
#include "emu/gdb.h"
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

/* The stop kind of an engine event. */
static enum mm_stop_kind kind_of(enum mm_emu_event ev)
{
	switch (ev) {
	case MM_EMU_EV_BUDGET:
		return MM_STOP_HANG;
	case MM_EMU_EV_UNMAPPED:
		return MM_STOP_UNMAPPED;
	default: /* exception, triple fault, invalid instruction, unexpected halt */
		return MM_STOP_FAULT;
	}
}

/* Says why the engine stopped, in words. */
static void describe(struct mm_emu *e, enum mm_emu_event ev, uc_err uerr, char *why, size_t len)
{
	switch (ev) {
	case MM_EMU_EV_BUDGET:
		snprintf(why, len, "instruction budget exhausted (%" PRIu64 " blocks): endless loop?",
			 e->budget);
		break;
	case MM_EMU_EV_EXCEPTION:
		snprintf(why, len, "CPU exception %d (%s), no handler in SMM (triple fault)",
			 e->exc_vector, exception_name(e->exc_vector));
		break;
	case MM_EMU_EV_UNMAPPED:
		snprintf(why, len, "access to unmapped memory at 0x%" PRIx64, e->fault_addr);
		break;
	case MM_EMU_EV_INVALID:
		snprintf(why, len, "invalid instruction");
		break;
	default:
		snprintf(why, len, "stopped unexpectedly (%s)",
			 uerr ? uc_strerror(uerr) : "HLT or stop without reaching its target");
		break;
	}
}

enum mm_err mm_emu_stop(struct mm_emu *e, unsigned cpu, enum mm_emu_event ev, uc_err uerr,
			const char *step)
{
	uint64_t rip = 0, pc;
	unsigned bits;
	char why[160], insn[192];
	struct mm_stop *s;

	uc_reg_read(e->uc, UC_X86_REG_RIP, &rip);
	bits = mode_and_pc(e, cpu, rip, &pc);
	disassemble(e, pc, bits, insn, sizeof(insn));
	describe(e, ev, uerr, why, sizeof(why));
	s = mm_stop_set(e->m, kind_of(ev), cpu, pc,
			"CPU %u stopped %s during %s: %s; RIP 0x%" PRIx64 " (linear 0x%" PRIx64
			", %u-bit): %s",
			cpu, e->normal ? "outside SMM" : "in SMM", step, why,
			rip, pc, bits, insn);
	snprintf(s->mode, sizeof(s->mode), "%u-bit", bits);
	snprintf(s->insn, sizeof(s->insn), "%.95s", insn);
	snprintf(s->step, sizeof(s->step), "%.63s", step);
	if (ev == MM_EMU_EV_UNMAPPED)
		s->address = e->fault_addr;
	if (mm_gdb_attached(e))
		mm_gdb_stop_record(e, cpu, ev);
	return MM_ERR_STOPPED;
}

enum mm_err mm_emu_stop_canary(struct mm_emu *e, unsigned cpu, uint64_t addr, uint64_t found,
			       uint64_t expected)
{
	struct mm_stop *s = mm_stop_set(e->m, MM_STOP_CANARY, cpu, e->cpu[cpu].reg[MM_REG_RIP],
					"CPU %u: SMM stack canary at 0x%" PRIx64 " overwritten "
					"(0x%016" PRIx64 ", expected 0x%016" PRIx64 "): the SMM "
					"stack overflowed or was corrupted",
					cpu, addr, found, expected);

	s->address = addr;
	snprintf(s->mode, sizeof(s->mode), "64-bit");
	snprintf(s->step, sizeof(s->step), "RSM (stack canary check)");
	if (mm_gdb_attached(e))
		mm_gdb_stop_record(e, cpu, MM_EMU_EV_NONE);
	return MM_ERR_STOPPED;
}

enum mm_err mm_emu_stop_msg(struct mm_emu *e, unsigned cpu, const char *step, const char *fmt,
			    ...)
{
	uint64_t rip = 0;
	char msg[256];
	struct mm_stop *s;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	uc_reg_read(e->uc, UC_X86_REG_RIP, &rip);
	s = mm_stop_set(e->m, MM_STOP_FAULT, cpu, rip, "CPU %u during %s: %s", cpu, step, msg);
	snprintf(s->step, sizeof(s->step), "%.63s", step);
	snprintf(s->mode, sizeof(s->mode), "64-bit");
	if (mm_gdb_attached(e))
		mm_gdb_stop_record(e, cpu, MM_EMU_EV_NONE);
	return MM_ERR_STOPPED;
}
