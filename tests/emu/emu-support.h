/* SPDX-License-Identifier: MIT */
/* Shared by the tests of emu/: a machine taken by the Unicorn CPU model. */
#ifndef TESTS_EMU_SUPPORT_H
#define TESTS_EMU_SUPPORT_H

#include "core/machine.h"
#include "emu/emu.h"

/* A default platform with cpus CPUs, layout ss, the Unicorn model attached. */
static inline struct mm_machine *emu_machine_layout(unsigned cpus, enum mm_save_state_layout ss)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	mm_platform_default(&p);
	p.cpus = cpus;
	p.save_state = ss;
	p.cpu_engine = MM_CPU_UNICORN;
	p.instruction_budget = 100000;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	if (!mm_extension_get(m, "emu") && mm_emu_attach(m))
		fail_msg("mm_emu_attach: %s", mm_machine_error(m));
	return m;
}

#endif /* TESTS_EMU_SUPPORT_H */
