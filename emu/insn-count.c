/* SPDX-License-Identifier: MIT */
/*
 * Instruction counting for the SMI report (include/mmemu/observe.h): while
 * on, a UC_HOOK_CODE counts every instruction the emulated CPU executes in
 * m->insns; the Foundation charges each handler call the difference
 * (core/mmi.c, core/child-dispatch.c). Off, no hook exists.
 */
#include <stdlib.h>

#include <mmemu/observe.h>

#include "core/machine.h"
#include "emu/model.h"

#define INSN_EXT "insn-count"

struct insn_count {
	uc_hook hook;
	bool on;
};

/* Code hook: one more instruction. */
static void on_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct mm_machine *m = user;

	(void)uc, (void)addr, (void)size;
	m->insns++;
}

/* The hook goes with the engine, which the model frees with the machine. */
static void insn_fini(struct mm_machine *m, void *data)
{
	(void)m;
	free(data);
}

enum mm_err mm_count_instructions(struct mm_machine *m, bool on)
{
	struct mm_emu *e = m ? mm_emu_get(m) : NULL;
	struct insn_count *c;

	if (!e)
		return m ? mm_fail(m, MM_ERR_UNSUPPORTED, "instruction counting needs the CPU model")
			 : MM_ERR_INVALID;
	c = mm_extension_get(m, INSN_EXT);
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c || mm_extension_add(m, INSN_EXT, insn_fini, c)) {
			free(c);
			return mm_fail(m, MM_ERR_NOMEM, "instruction counting: out of memory");
		}
	}
	if (on == c->on)
		return MM_OK;
	if (on && uc_hook_add(e->uc, &c->hook, UC_HOOK_CODE, (void *)on_insn, m, 1, 0))
		return mm_fail(m, MM_ERR_NOMEM, "instruction counting: uc_hook_add failed");
	if (!on)
		uc_hook_del(e->uc, c->hook);
	c->on = on;
	/* blocks translated before (or with) the hook must be translated again */
	mm_emu_drop_translations(e);
	return MM_OK;
}
