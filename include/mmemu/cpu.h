/* SPDX-License-Identifier: MIT */
/* CPU registers of the simulated platform, as code outside SMM sees them. */
#ifndef MMEMU_CPU_H
#define MMEMU_CPU_H

#include <stdint.h>

#include "error.h"

struct mm_machine;

enum mm_reg {
	MM_REG_RAX, MM_REG_RBX, MM_REG_RCX, MM_REG_RDX,
	MM_REG_RSI, MM_REG_RDI, MM_REG_RBP, MM_REG_RSP,
	MM_REG_R8, MM_REG_R9, MM_REG_R10, MM_REG_R11,
	MM_REG_R12, MM_REG_R13, MM_REG_R14, MM_REG_R15,
	MM_REG_RIP, MM_REG_RFLAGS,
	MM_REG_CR0, MM_REG_CR3, MM_REG_CR4, MM_REG_EFER,
	MM_REG_CS, MM_REG_DS, MM_REG_ES, MM_REG_FS, MM_REG_GS, MM_REG_SS,
	MM_REG_GDTR_BASE, MM_REG_GDTR_LIMIT, MM_REG_IDTR_BASE, MM_REG_IDTR_LIMIT,
	MM_REG_LDTR, MM_REG_TR, MM_REG_DR6, MM_REG_DR7,
	MM_REG_COUNT
};

/*
 * Sets register reg of CPU cpu as the interrupted (non-SMM) code would have
 * it when the next SMI arrives. Returns MM_OK or MM_ERR_INVALID.
 */
enum mm_err mm_cpu_set_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t value);
/*
 * Reads register reg of CPU cpu outside SMM (after RSM: what the interrupted
 * code sees). Returns MM_OK or MM_ERR_INVALID.
 */
enum mm_err mm_cpu_get_reg(struct mm_machine *m, unsigned cpu, enum mm_reg reg, uint64_t *value);
/* Returns the name of reg ("rax"), or NULL. */
const char *mm_reg_name(enum mm_reg reg);
/* Returns the number of CPUs of m. */
unsigned mm_cpu_count(const struct mm_machine *m);

/*
 * Runs normal-world (non-SMM) code on CPU cpu with the Unicorn CPU model:
 * from entry, with cpu's outside general registers and RFLAGS, in a flat
 * identity-mapped 64-bit mode, until the code executes HLT. Outside SMM,
 * SMRAM that is closed or locked, and the CPU's SMRR range, read as all
 * ones and ignore writes. An OUT that raises SMI# is taken at the end of
 * its translation block (before a HLT that ends it): every CPU enters SMM,
 * then the code resumes after RSM. The registers it leaves (RIP after the
 * HLT) are what mm_cpu_get_reg returns. max_insns bounds the run (charged per
 * translated block, like the SMM budget; 0: the platform's budget).
 * Returns MM_OK (halted), MM_ERR_INVALID (no such CPU), MM_ERR_UNSUPPORTED
 * (no CPU model), MM_ERR_STATE (called during an SMI) or MM_ERR_STOPPED
 * (fault, hang, unmapped access: see the stop record).
 */
enum mm_err mm_cpu_run(struct mm_machine *m, unsigned cpu, uint64_t entry, uint64_t max_insns);

#endif /* MMEMU_CPU_H */
