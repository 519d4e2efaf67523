/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_SW_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 6.2) and the SW child
 * dispatcher: the chipset's root MMI handler calls mm_sw_dispatch_run() with
 * the value written to the APM control port.
 */
#ifndef CORE_SW_DISPATCH_H
#define CORE_SW_DISPATCH_H

#include <stdbool.h>
#include <stdint.h>

#include <pi/mm-sw-dispatch.h>

struct mm_machine;
struct mm_sw_entry;

#define MM_SW_MAX_VALUE 0xFF /* an 8-bit APM control port */

struct mm_sw_dispatch {
	struct mm_sw_entry *entries;           /* registration order */
	EFI_MM_SW_DISPATCH_PROTOCOL *protocol; /* in SMRAM */
	EFI_MM_SW_CONTEXT *context;            /* in SMRAM, passed to handlers */
	UINTN *context_size;                   /* in SMRAM: the handler's CommBufferSize */
	unsigned count;                        /* live registrations */
	unsigned depth;                        /* dispatches in progress */
	bool pending_removal;                  /* an UnRegister during dispatch waits */
};

/* Installs the protocol in the MM database. */
enum mm_err mm_sw_dispatch_init(struct mm_machine *m);
void mm_sw_dispatch_fini(struct mm_machine *m);
/*
 * Calls the handler registered for value with EFI_MM_SW_CONTEXT {cpu, value,
 * data}. Returns the handler's status, or EFI_NOT_FOUND when none is registered.
 */
EFI_STATUS mm_sw_dispatch_run(struct mm_machine *m, uint8_t value, uint8_t data, unsigned cpu);

#endif /* CORE_SW_DISPATCH_H */
