/* SPDX-License-Identifier: MIT */
/*
 * Assembling a whole machine: the core (memory, Foundation), then the devices,
 * then the CPU model. This is the top of the dependency order
 * (emu -> devices -> core), so it lives here.
 */
#include <stdio.h>

#include "core/machine.h"
#include "devices/devices.h"
#include "emu.h"
#include "gdb.h"

enum mm_err mm_machine_create(const struct mm_platform *p, struct mm_machine **out, char *err,
			      size_t errlen)
{
	struct mm_machine *m;
	enum mm_err e = mm_core_create(p, &m, err, errlen);

	*out = NULL;
	if (e)
		return e;
	e = mm_devices_attach(m);
	if (!e && m->platform.cpu_engine == MM_CPU_UNICORN)
		e = mm_emu_attach(m);
	if (!e && m->platform.cpu_engine == MM_CPU_UNICORN)
		e = mm_gdb_from_env(m); /* MMEMU_GDB_PORT: mmemu run --gdb, mmemu debug */
	if (e) {
		if (err)
			snprintf(err, errlen, "%s", m->errmsg);
		mm_machine_destroy(m);
		return e;
	}
	*out = m;
	return MM_OK;
}
