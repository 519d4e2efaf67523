/* SPDX-License-Identifier: MIT */
/*
 * Stop records: why the guest stopped. A fault, a hang, a corrupted stack or
 * an oracle hit inside SMM ends the SMI (or the call into driver code) with a
 * record; the host process and the machine stay usable, and the record stays
 * until the next one replaces it or mm_machine_clear_stop() clears it.
 */
#ifndef MMEMU_STOP_H
#define MMEMU_STOP_H

#include <stdint.h>

struct mm_machine;

enum mm_stop_kind {
	MM_STOP_NONE,
	MM_STOP_FAULT,     /* CPU exception with no handler (triple fault), invalid instruction */
	MM_STOP_UNMAPPED,  /* access to memory that does not exist */
	MM_STOP_HANG,      /* instruction budget exhausted */
	MM_STOP_CANARY,    /* SMM stack canary overwritten */
	MM_STOP_CALLOUT,   /* code outside SMRAM reached from SMM, or a service after lock */
	MM_STOP_ORACLE,    /* a bug oracle fired (see oracle) */
	MM_STOP_HOST,      /* the harness refused to go on (nesting too deep, ...) */
};

struct mm_stop {
	enum mm_stop_kind kind;
	unsigned cpu;
	uint64_t rip;          /* guest address of the instruction, 0 when not known */
	uint64_t address;      /* the data address involved, 0 when none */
	char mode[8];          /* "16-bit", "32-bit", "64-bit" */
	char where[96];        /* image+offset of rip ("SampleSw+0x1a3"), or "" */
	char insn[96];         /* disassembly of the instruction at rip, or "" */
	char step[64];         /* what the machine was doing ("SMI entry (stub)", ...) */
	char oracle[32];       /* the oracle class for MM_STOP_ORACLE */
	char message[320];     /* one line saying all of the above */
};

/* The last stop record of m, or NULL when the guest has not stopped. */
const struct mm_stop *mm_machine_stop(const struct mm_machine *m);
/* Forgets the stop record of m. */
void mm_machine_clear_stop(struct mm_machine *m);
/* Returns the name of a stop kind ("fault", "hang", ...). */
const char *mm_stop_kind_name(enum mm_stop_kind kind);

#endif /* MMEMU_STOP_H */
