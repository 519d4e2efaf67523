/* SPDX-License-Identifier: MIT */
/*
 * Assembling the platform's devices: one struct mm_chipset per machine,
 * attached as the extension "chipset", then every device claims its ports.
 * The root MMI handler is registered by the PM device (ich9-pm.c), which
 * owns SMI_STS.
 */
#include <stdlib.h>

#include "core/machine.h"
#include "core/snapshot.h"
#include "devices.h"
#include "chipset.h"
#include "pci-ecam.h"

struct mm_chipset *mm_chipset(const struct mm_machine *m)
{
	return mm_extension_get(m, "chipset");
}

/*
 * Undoes the attach when the machine is destroyed: flushes partial output
 * lines, unhooks the SMRAM mirror and the root handler, frees the state.
 */
static void chipset_fini(struct mm_machine *m, void *data)
{
	struct mm_chipset *cs = data;

	serial_detach(m, cs);
	debug_port_detach(m, cs);
	pci_ecam_detach(m, cs);
	mch_detach(m, cs);
	io_trap_detach(m, cs);
	lpc_detach(m, cs);
	ich9_pm_detach(m, cs);
	free(cs);
}

enum mm_err mm_devices_attach(struct mm_machine *m)
{
	struct mm_chipset *cs;
	enum mm_err err;

	if (mm_chipset(m))
		return mm_fail(m, MM_ERR_EXISTS, "chipset: devices already attached");
	cs = calloc(1, sizeof(*cs));
	if (!cs)
		return mm_fail(m, MM_ERR_NOMEM, "chipset: out of memory");
	err = mm_extension_add(m, "chipset", chipset_fini, cs);
	if (err) {
		free(cs);
		return err;
	}
	/* From here on chipset_fini frees cs with the machine, even on failure. */
	err = ich9_pm_attach(m, cs);
	if (!err)
		err = lpc_attach(m, cs);
	if (!err)
		err = io_trap_attach(m, cs);
	if (!err)
		err = apmc_attach(m, cs);
	if (!err)
		err = mch_attach(m, cs);
	if (!err)
		err = pci_ecam_attach(m, cs);
	if (!err)
		err = debug_port_attach(m, cs);
	if (!err)
		err = serial_attach(m, cs);
	if (!err) /* plain data: a snapshot copies it whole */
		err = mm_snapshot_part_add_plain(m, "chipset", cs, sizeof(*cs));
	return err;
}
