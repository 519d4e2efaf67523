/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.7) and its child
 * dispatcher: the chipset's root MMI handler calls
 * mm_standby_button_dispatch_run() when the button was pressed.
 */
#ifndef CORE_STANDBY_BUTTON_DISPATCH_H
#define CORE_STANDBY_BUTTON_DISPATCH_H

#include <pi/mm-standby-button-dispatch.h>

#include "child-dispatch.h"

struct mm_machine;

struct mm_standby_button_dispatch {
	struct mm_child_list list;
	EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL *protocol; /* in SMRAM */
};

/* Installs the protocol in the MM database. MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_standby_button_dispatch_init(struct mm_machine *m);
void mm_standby_button_dispatch_fini(struct mm_machine *m);
/*
 * Calls the children registered for phase (entry: the press). Returns as
 * mm_child_dispatch: EFI_NOT_FOUND when none is registered.
 */
EFI_STATUS mm_standby_button_dispatch_run(struct mm_machine *m, unsigned phase);

#endif /* CORE_STANDBY_BUTTON_DISPATCH_H */
