/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.4) and the
 * periodic timer child dispatcher. The chipset describes its timer with
 * mm_periodic_timer_attach_hw(): the MMI tick intervals it can produce and
 * how to program one; the dispatcher picks the tick its children need and
 * the root MMI handler calls mm_periodic_timer_dispatch_run() at each tick.
 * All times are in the PI unit, 100 ns.
 */
#ifndef CORE_PERIODIC_TIMER_DISPATCH_H
#define CORE_PERIODIC_TIMER_DISPATCH_H

#include <pi/mm-periodic-timer-dispatch.h>

#include "child-dispatch.h"

struct mm_machine;

#define MM_PERIODIC_MAX_INTERVALS 16

/* The chipset's periodic MMI sources, as the dispatcher sees them. */
struct mm_periodic_timer_hw {
	const uint64_t *intervals; /* supported ticks, longest first, 100 ns */
	unsigned count;            /* at most MM_PERIODIC_MAX_INTERVALS */
	/* Programs the tick (one of intervals) or stops the timer (0). */
	void (*set_tick)(struct mm_machine *m, void *user, uint64_t tick);
	/* The simulated time, 100 ns. */
	uint64_t (*now)(struct mm_machine *m, void *user);
	void *user;
};

struct mm_periodic_timer_dispatch {
	struct mm_child_list list;
	EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *protocol; /* in SMRAM */
	UINT64 *intervals;        /* in SMRAM: what GetNextShorterInterval walks */
	unsigned count;           /* 0: no chipset timer, Register fails */
	uint64_t tick;            /* the tick programmed now, 0: stopped */
	struct mm_periodic_timer_hw hw;
};

/* Installs the protocol in the MM database. MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_periodic_timer_dispatch_init(struct mm_machine *m);
void mm_periodic_timer_dispatch_fini(struct mm_machine *m);
/*
 * Connects the chipset's timer (hw is copied; its intervals too, into
 * SMRAM). Returns MM_OK, MM_ERR_INVALID (no interval, too many, a zero one,
 * not longest first, no callback) or MM_ERR_NOMEM.
 */
enum mm_err mm_periodic_timer_attach_hw(struct mm_machine *m,
					const struct mm_periodic_timer_hw *hw);
/* Disconnects the chipset's timer; registrations stay, ticks stop. */
void mm_periodic_timer_detach_hw(struct mm_machine *m);
/*
 * One MMI tick: calls every child whose Period has elapsed since its last
 * call (or its registration), with EFI_MM_PERIODIC_TIMER_CONTEXT.ElapsedTime
 * that time. Returns as mm_child_dispatch.
 */
EFI_STATUS mm_periodic_timer_dispatch_run(struct mm_machine *m);

#endif /* CORE_PERIODIC_TIMER_DISPATCH_H */
