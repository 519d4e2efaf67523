/* SPDX-License-Identifier: MIT */
/*
 * SMI delivery and the Foundation's entry point.
 *
 * A device asserts SMI# with mm_smi_raise(); the code that executed the
 * triggering instruction (the CPU model at the next instruction boundary, or
 * the public API after its port write) then calls mm_smi_service(). With a
 * CPU model registered, the model takes the SMI on every CPU (entry stub,
 * save state, entry-vector code, RSM). Without one, the host path elects the
 * triggering CPU as BSP and calls mm_mm_entry() directly.
 *
 * mm_mm_entry() is MmEntryPoint (PI 1.8 vol. 4, 2.5): it updates
 * CurrentlyExecutingCpu, NumberOfCpus and the save-state arrays of the MMST,
 * then runs the root MMI handlers with MmiManage(NULL).
 */
#ifndef CORE_SMI_H
#define CORE_SMI_H

#include <stdbool.h>
#include <stdint.h>

#include <pi/base.h>

struct mm_machine;

#define MM_SMI_MAX_REENTRY 8 /* SMIs raised while in SMM are re-delivered at most this often */

struct mm_smi {
	bool pending;
	unsigned source_cpu;
	uint64_t count;     /* SMIs delivered */
	/*
	 * Called when an SMI ends in a stop (fault, hang...) instead of RSM, so
	 * that the chipset can end it as its handler would have (set EOS): the
	 * machine stays usable for the next SMI. Set by devices/.
	 */
	void (*aborted)(struct mm_machine *m, void *user);
	void *aborted_user;
};

/* Asserts SMI# (latched until delivered). */
void mm_smi_raise(struct mm_machine *m, unsigned source_cpu);
/* Delivers a pending SMI, if any. MM_OK or MM_ERR_STOPPED. */
enum mm_err mm_smi_service(struct mm_machine *m);
/* MmEntryPoint on CPU bsp: MMST update, MmiManage(NULL). Returns its status. */
EFI_STATUS mm_mm_entry(struct mm_machine *m, unsigned bsp);

#endif /* CORE_SMI_H */
