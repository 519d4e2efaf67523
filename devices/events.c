/* SPDX-License-Identifier: MIT */
/*
 * The public event API (include/mmemu/events.h): each call changes a
 * chipset input as hardware would and then delivers the SMI it raised, if
 * any, as the CPU does at its next instruction boundary.
 */
#include <mmemu/events.h>

#include "core/machine.h"
#include "chipset.h"

/* The chipset of m, or NULL with the machine's message set. */
static struct mm_chipset *chipset_or_fail(struct mm_machine *m, const char *what)
{
	struct mm_chipset *cs = m ? mm_chipset(m) : NULL;

	if (m && !cs)
		mm_fail(m, MM_ERR_STATE, "%s: the machine has no chipset", what);
	return cs;
}

/* Presses one of the PM1 buttons and delivers the SMI. */
static enum mm_err press(struct mm_machine *m, uint32_t bit, const char *what)
{
	struct mm_chipset *cs = chipset_or_fail(m, what);

	if (!cs)
		return m ? MM_ERR_STATE : MM_ERR_INVALID;
	ich9_pm_button(m, cs, bit);
	return mm_smi_service(m);
}

enum mm_err mm_power_button_press(struct mm_machine *m)
{
	return press(m, ICH9_PM1_PWRBTN, "power button");
}

enum mm_err mm_standby_button_press(struct mm_machine *m)
{
	return press(m, ICH9_PM1_SLPBTN, "standby button");
}

enum mm_err mm_advance_time(struct mm_machine *m, uint64_t ns)
{
	struct mm_chipset *cs = chipset_or_fail(m, "advance time");

	if (!cs)
		return m ? MM_ERR_STATE : MM_ERR_INVALID;
	return lpc_advance_time(m, cs, ns);
}

uint64_t mm_time_ns(const struct mm_machine *m)
{
	const struct mm_chipset *cs = m ? mm_chipset(m) : NULL;

	return cs ? cs->lpc.now_ns : 0;
}

enum mm_err mm_gpi_set(struct mm_machine *m, unsigned gpi, bool level)
{
	struct mm_chipset *cs = chipset_or_fail(m, "GPI");

	if (!cs)
		return m ? MM_ERR_STATE : MM_ERR_INVALID;
	if (gpi >= ICH9_NUM_GPIS)
		return mm_fail(m, MM_ERR_INVALID, "GPI %u: the chipset has GPI[0..%u]", gpi,
			       ICH9_NUM_GPIS - 1);
	ich9_pm_gpi_set(m, cs, gpi, level);
	return mm_smi_service(m);
}

enum mm_err mm_sleep(struct mm_machine *m, unsigned slp_typ)
{
	struct mm_chipset *cs = chipset_or_fail(m, "sleep");
	uint64_t port, cnt;
	unsigned prev;
	enum mm_err err;

	if (!cs)
		return m ? MM_ERR_STATE : MM_ERR_INVALID;
	if (slp_typ > 7)
		return mm_fail(m, MM_ERR_INVALID, "sleep: SLP_TYP %u is not a 3-bit code", slp_typ);
	if (!cs->pm.decoded)
		return mm_fail(m, MM_ERR_STATE, "sleep: PM ports not decoded (ACPI_EN clear)");
	port = cs->pm.pmbase + ICH9_PMIO_PM1_CNT;
	prev = m->cpus.executing;
	m->cpus.executing = 0;
	cnt = mm_io_read(m, MM_IO_PORT, port, 4) & ~(uint64_t)ICH9_PM1_CNT_SLP_TYP;
	mm_io_write(m, MM_IO_PORT, port, 4,
		    cnt | (slp_typ << ICH9_PM1_CNT_SLP_TYP_SHIFT) | ICH9_PM1_CNT_SLP_EN);
	err = mm_smi_service(m);
	m->cpus.executing = prev;
	return err;
}

enum mm_err mm_sleep_state(const struct mm_machine *m, unsigned *slp_typ, uint64_t *count)
{
	const struct mm_chipset *cs = m ? mm_chipset(m) : NULL;

	if (!cs)
		return MM_ERR_STATE;
	if (slp_typ)
		*slp_typ = cs->pm.slept_typ;
	if (count)
		*count = cs->pm.sleeps;
	return MM_OK;
}
