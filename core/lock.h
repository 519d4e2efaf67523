/* SPDX-License-Identifier: MIT */
/*
 * The end of MM initialization: EndOfDxe, ReadyToLock, and the SMRAM
 * open/closed/locked state (PI 1.8 vol. 4, 1.6 and EFI_MM_ACCESS_PROTOCOL).
 * The chipset model (devices/) mirrors the state in its SMRAM control
 * register and may register a hook to be told of changes.
 */
#ifndef CORE_LOCK_H
#define CORE_LOCK_H

#include <stdbool.h>

#include <mmemu/run.h>

struct mm_machine;

struct mm_lock {
	bool end_of_dxe;
	bool ready_to_lock;
	enum mm_smram_state smram;
	/* Called after every SMRAM state change (chipset, CPU model). */
	void (*smram_changed)(struct mm_machine *m, void *user, enum mm_smram_state state);
	void *smram_user;
};

/* Returns the name of an SMRAM state ("open", "closed", "locked"). */
const char *mm_smram_state_name(enum mm_smram_state state);

#endif /* CORE_LOCK_H */
