/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_IO_TRAP_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.9) and the IO trap
 * child dispatcher. The chipset provides the trap hardware with
 * mm_io_trap_attach_hw(); Register claims a trap through it and the root
 * MMI handler calls mm_io_trap_dispatch_run() with the trapped cycle.
 */
#ifndef CORE_IO_TRAP_DISPATCH_H
#define CORE_IO_TRAP_DISPATCH_H

#include <stdbool.h>

#include <pi/mm-io-trap-dispatch.h>

#include "child-dispatch.h"

struct mm_machine;

/* The chipset's IO trap registers, as the dispatcher sees them. */
struct mm_io_trap_hw {
	/*
	 * Arms a free trap on [*base, *base + len) of the port space (*base 0:
	 * the chipset picks a free range and stores its base). Returns MM_OK
	 * with *slot set, MM_ERR_BUSY (every trap in use), MM_ERR_EXISTS (the
	 * range is claimed), MM_ERR_RANGE (no free range, or a range the traps
	 * cannot describe).
	 */
	enum mm_err (*claim)(struct mm_machine *m, void *user, uint16_t *base, uint16_t len,
			     unsigned *slot);
	/* Disarms the trap of slot. */
	void (*release)(struct mm_machine *m, void *user, unsigned slot);
	void *user;
};

struct mm_io_trap_dispatch {
	struct mm_child_list list;
	EFI_MM_IO_TRAP_DISPATCH_PROTOCOL *protocol; /* in SMRAM */
	struct mm_io_trap_hw hw;                    /* claim NULL: no trap hardware */
};

/* Installs the protocol in the MM database. MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_io_trap_dispatch_init(struct mm_machine *m);
void mm_io_trap_dispatch_fini(struct mm_machine *m);
/* Connects (hw not NULL) or disconnects (NULL) the chipset's trap hardware. */
void mm_io_trap_attach_hw(struct mm_machine *m, const struct mm_io_trap_hw *hw);
/*
 * A trapped cycle: calls the children whose range holds port and whose
 * Type matches the direction, with EFI_MM_IO_TRAP_CONTEXT.WriteData data
 * (0 for a read). Returns as mm_child_dispatch.
 */
EFI_STATUS mm_io_trap_dispatch_run(struct mm_machine *m, uint16_t port, bool write,
				   uint32_t data);

#endif /* CORE_IO_TRAP_DISPATCH_H */
