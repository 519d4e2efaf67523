/* SPDX-License-Identifier: MIT */
/*
 * The platform's devices: the ICH9/Q35-style chipset (APM control and status
 * ports, PM SMI_EN/SMI_STS, SMRAM control), the debug and serial ports.
 */
#ifndef DEVICES_DEVICES_H
#define DEVICES_DEVICES_H

#include <mmemu/error.h>

struct mm_machine;

/*
 * Creates every device of m's platform, claims their port and MMIO ranges and
 * registers the chipset's root MMI handler. Returns MM_OK or an error with the
 * machine's message set.
 */
enum mm_err mm_devices_attach(struct mm_machine *m);

#endif /* DEVICES_DEVICES_H */
