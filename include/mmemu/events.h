/* SPDX-License-Identifier: MIT */
/*
 * Platform events raised the way hardware raises them: the chipset latches
 * the status bit, signals SMI# when the source is enabled, and the SMI is
 * delivered before the call returns. Time is simulated: it moves only
 * through mm_advance_time(), never by the wall clock.
 */
#ifndef MMEMU_EVENTS_H
#define MMEMU_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;

/*
 * Presses the power button: PWRBTN_STS latches and, with PWRBTN_EN set and
 * SCI_EN clear, the SMI runs the power button children.
 * Returns MM_OK (ran or masked), MM_ERR_STATE (no chipset), MM_ERR_STOPPED.
 */
enum mm_err mm_power_button_press(struct mm_machine *m);
/* Presses the standby (sleep) button; as mm_power_button_press with SLPBTN. */
enum mm_err mm_standby_button_press(struct mm_machine *m);
/*
 * Advances simulated time by ns nanoseconds; every periodic or SW SMI timer
 * expiry on the way is an SMI, delivered at its moment. Returns MM_OK,
 * MM_ERR_STATE (no chipset), MM_ERR_RANGE (time overflows), MM_ERR_STOPPED.
 */
enum mm_err mm_advance_time(struct mm_machine *m, uint64_t ns);
/* Simulated time since the machine was created, in ns (0 without a chipset). */
uint64_t mm_time_ns(const struct mm_machine *m);
/*
 * Drives general-purpose input gpi to level; a rising edge latches
 * ALT_GPI_SMI_STS and raises the SMI when ALT_GPI_SMI_EN enables that GPI.
 * Returns MM_OK, MM_ERR_INVALID (gpi out of range), MM_ERR_STATE,
 * MM_ERR_STOPPED.
 */
enum mm_err mm_gpi_set(struct mm_machine *m, unsigned gpi, bool level);
/*
 * Asks for sleep state slp_typ (the ICH9 SLP_TYP code: 1 S1, 5 S3, 6 S4,
 * 7 S5) as an OS does: writes SLP_TYP and SLP_EN to PM1_CNT on CPU 0. With
 * SLP_SMI_EN set the Sx children run first. Returns MM_OK, MM_ERR_INVALID
 * (slp_typ above 7), MM_ERR_STATE, MM_ERR_STOPPED.
 */
enum mm_err mm_sleep(struct mm_machine *m, unsigned slp_typ);
/*
 * The sleeps that happened: *count of them (may be NULL), the SLP_TYP of the
 * last in *slp_typ (may be NULL). Returns MM_OK or MM_ERR_STATE.
 */
enum mm_err mm_sleep_state(const struct mm_machine *m, unsigned *slp_typ, uint64_t *count);

#endif /* MMEMU_EVENTS_H */
