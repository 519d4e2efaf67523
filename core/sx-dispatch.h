/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_SX_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.3) and the Sx child
 * dispatcher: the chipset's root MMI handler calls mm_sx_dispatch_run() when
 * software wrote SLP_EN with SLP_SMI_EN set, before the sleep happens.
 */
#ifndef CORE_SX_DISPATCH_H
#define CORE_SX_DISPATCH_H

#include <pi/mm-sx-dispatch.h>

#include "child-dispatch.h"

struct mm_machine;

struct mm_sx_dispatch {
	struct mm_child_list list;
	EFI_MM_SX_DISPATCH_PROTOCOL *protocol; /* in SMRAM */
};

/* Installs the protocol in the MM database. MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_sx_dispatch_init(struct mm_machine *m);
void mm_sx_dispatch_fini(struct mm_machine *m);
/*
 * Calls the children registered for type and phase. Returns as
 * mm_child_dispatch: EFI_NOT_FOUND when none is registered.
 */
EFI_STATUS mm_sx_dispatch_run(struct mm_machine *m, EFI_SLEEP_TYPE type, EFI_SLEEP_PHASE phase);
/* True when a child waits for some sleep type's entry (the chipset enables SLP_SMI). */
bool mm_sx_dispatch_wanted(const struct mm_machine *m);

#endif /* CORE_SX_DISPATCH_H */
