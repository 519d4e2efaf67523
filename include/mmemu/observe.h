/* SPDX-License-Identifier: MIT */
/*
 * Observing the Foundation from outside: which handlers ran, in which order.
 * Scenarios use it for their `handlers` expectation. Costs one pointer test
 * per handler call when nobody observes.
 */
#ifndef MMEMU_OBSERVE_H
#define MMEMU_OBSERVE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;

/*
 * Called after every MMI handler (root or GUID) and every SW SMI child
 * handler returns. driver: name of the image holding the handler, or NULL
 * when no image holds it (a Foundation or chipset handler). address: the
 * handler's entry. type_guid: the 16-byte handler type (EFI_GUID layout), or
 * NULL for a root handler. status: the EFI_STATUS the handler returned.
 */
typedef void (*mm_handler_observer)(void *user, const char *driver, uint64_t address,
				    const uint8_t *type_guid /* NULL: root */, uint64_t status);

/* Sets the handler observer of m (fn NULL: none); user is passed back to fn. */
void mm_observe_handlers(struct mm_machine *m, mm_handler_observer fn, void *user);

/*
 * Turns instruction counting on the emulated CPU on or off: a per-instruction
 * hook, so emulated code runs several times slower while it is on (the SMI
 * report turns it on); nothing is counted or slowed while it is off.
 * Returns MM_OK, MM_ERR_UNSUPPORTED (no CPU model, or debugging features
 * compiled out), MM_ERR_NOMEM.
 */
enum mm_err mm_count_instructions(struct mm_machine *m, bool on);

/* Instructions the emulated CPU executed while counting was on. */
uint64_t mm_instructions(const struct mm_machine *m);

/*
 * During a handler observer call: the instructions the emulated CPU executed
 * inside that handler, the handlers and services it called included; 0 when
 * counting is off or the handler is native code that called no emulated code.
 */
uint64_t mm_handler_instructions(const struct mm_machine *m);

#endif /* MMEMU_OBSERVE_H */
