/* SPDX-License-Identifier: MIT */
/*
 * Where core/ tells the bug oracles (emu/oracle.c, include/mmemu/oracle.h)
 * what the Foundation is doing. core/ knows nothing of emu/, so the oracles
 * attach as the machine extension MM_ORACLE_EXT whose data starts with this
 * table, and point m->oracle at it; every call site is one pointer test
 * while no oracle was ever enabled (the communicate and SMI hot paths).
 */
#ifndef CORE_ORACLE_HOOK_H
#define CORE_ORACLE_HOOK_H

#include <stdint.h>

#include <mmemu/stop.h>

#include "machine.h"

#define MM_ORACLE_EXT "oracle"

struct mm_oracle_hooks {
	/*
	 * An MMI starts: a communicate request with its validated buffer
	 * (buffer, size; the message at message, length bytes), or an SMI
	 * (all four 0) whose handlers take their input from the save state.
	 */
	void (*mmi_begin)(struct mm_machine *m, uint64_t buffer, uint64_t size, uint64_t message,
			  uint64_t length);
	/* The MMI that began last ends (handlers returned or stopped). */
	void (*mmi_end)(struct mm_machine *m);
	/* A stop record was just set: an oracle may claim it (hang, callout, canary). */
	void (*stopped)(struct mm_machine *m, struct mm_stop *s);
	/* A pool finding (overflow seen at free, ...): kind is the oracle class name. */
	void (*pool)(struct mm_machine *m, const char *what, uint64_t addr, uint64_t block,
		     uint64_t size);
};

/* The oracle hooks of m, or NULL when no oracle was ever enabled. */
static inline struct mm_oracle_hooks *mm_oracle_hooks(const struct mm_machine *m)
{
	return m->oracle;
}

#endif /* CORE_ORACLE_HOOK_H */
