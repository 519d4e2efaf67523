/* SPDX-License-Identifier: MIT */
/*
 * Observing the Foundation from outside: which handlers ran, in which order.
 * Scenarios use it for their `handlers` expectation. Costs one pointer test
 * per handler call when nobody observes.
 */
#ifndef MMEMU_OBSERVE_H
#define MMEMU_OBSERVE_H

#include <stdint.h>

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

#endif /* MMEMU_OBSERVE_H */
