/* SPDX-License-Identifier: MIT */
/*
 * The ICH9 LPC bridge, PCI device 0:1f.0 (8086:2918 on Q35), reached through
 * CF8/CFC (mch.c routes it here), and the chipset's notion of time: the
 * periodic SMI and the software SMI timer.
 *
 * Configuration registers modelled (ICH9 datasheet 316972, 13.1; names as
 * QEMU's include/hw/southbridge/ich9.h):
 *
 *   0x40 PMBASE      bits 15:7 base of the 128 PM ports, bit 0 reads 1
 *   0x44 ACPI_CNTL   ACPI_EN (7): the PM ports are decoded; SCI_IRQ_SEL (2:0)
 *   0xA0 GEN_PMCON_1 PER_SMI_SEL (1:0): periodic SMI every 64/32/16/8 s
 *   0xA4 GEN_PMCON_3 SWSMI_RATE_SEL (7:6): SW SMI timer 1.5/16/32/64 ms
 * Other bytes read as stored at reset and drop writes. A write to PMBASE or
 * ACPI_CNTL moves or drops the PM port range (ich9_pm_decode). Reset state:
 * PMBASE 0x600 with ACPI_EN set, where OVMF leaves them on Q35, so the PM
 * ports work from the start as before this device existed.
 *
 * Time. No wall clock: now_ns moves only through lpc_advance_time()
 * (mm_advance_time). The periodic timer free-runs from time 0 (restarting
 * when PER_SMI_SEL changes) and latches PERIODIC_STS at every period, SMI#
 * only with PERIODIC_EN. The SW SMI timer is one-shot: it starts when
 * SWSMI_TMR_EN goes from 0 to 1 and latches SWSMI_TMR_STS when it expires;
 * its parent dispatcher restarts it after the children ran while the enable
 * stays set, as EDK2's PCH dispatcher does.
 *
 * The PI periodic timer dispatcher (core/periodic-timer-dispatch.c) sees
 * both as MMI ticks, in 100 ns units: 64 s = 640000000 ... 8 s = 80000000
 * through PERIODIC, 64 ms = 640000 ... 1.5 ms = 15000 through SWSMI_TMR;
 * programming a tick writes PER_SMI_SEL or SWSMI_RATE_SEL and enables one
 * source, disabling the other.
 */
#include <string.h>

#include "core/call.h"
#include "core/machine.h"
#include "chipset.h"

#define NS_PER_S 1000000000ull
#define NS_PER_100NS 100ull

/* Periodic SMI period by PER_SMI_SEL, ns. */
static const uint64_t periodic_ns[4] = { 64 * NS_PER_S, 32 * NS_PER_S, 16 * NS_PER_S,
					 8 * NS_PER_S };
/* SW SMI timer by SWSMI_RATE_SEL, ns. */
static const uint64_t swsmi_ns[4] = { 1500000, 16000000, 32000000, 64000000 };
/* The MMI ticks the dispatcher sees, longest first, 100 ns. */
static const uint64_t tick_intervals[8] = { 640000000, 320000000, 160000000, 80000000,
					    640000, 320000, 160000, 15000 };

/* Bits of each config byte software may change. */
static uint8_t writable(unsigned reg)
{
	switch (reg) {
	case ICH9_LPC_PMBASE: return ICH9_LPC_PMBASE_MASK & 0xFF;
	case ICH9_LPC_PMBASE + 1: return ICH9_LPC_PMBASE_MASK >> 8;
	case ICH9_LPC_ACPI_CNTL: return ICH9_LPC_ACPI_CNTL_ACPI_EN | 0x7;
	case ICH9_LPC_GEN_PMCON_1: return ICH9_GEN_PMCON_1_PER_SMI_SEL;
	case ICH9_LPC_GEN_PMCON_3: return ICH9_GEN_PMCON_3_SWSMI_RATE_SEL;
	default: return 0;
	}
}

static uint64_t periodic_period(const struct mm_chipset *cs)
{
	return periodic_ns[cs->lpc.config[ICH9_LPC_GEN_PMCON_1] & ICH9_GEN_PMCON_1_PER_SMI_SEL];
}

static uint64_t swsmi_rate(const struct mm_chipset *cs)
{
	return swsmi_ns[cs->lpc.config[ICH9_LPC_GEN_PMCON_3] >> ICH9_GEN_PMCON_3_SWSMI_RATE_SHIFT];
}

static uint16_t pmbase(const struct mm_chipset *cs)
{
	return (uint16_t)((cs->lpc.config[ICH9_LPC_PMBASE] |
			   cs->lpc.config[ICH9_LPC_PMBASE + 1] << 8) & ICH9_LPC_PMBASE_MASK);
}

/* Applies PMBASE/ACPI_EN to the PM port decode when they changed. */
static void update_decode(struct mm_machine *m, struct mm_chipset *cs)
{
	bool en = cs->lpc.config[ICH9_LPC_ACPI_CNTL] & ICH9_LPC_ACPI_CNTL_ACPI_EN;

	if (en == cs->pm.decoded && (!en || pmbase(cs) == cs->pm.pmbase))
		return;
	mm_log(m, MM_LOG_IO, "chipset: LPC PMBASE 0x%x, ACPI_EN %d", pmbase(cs), en);
	ich9_pm_decode(m, cs, pmbase(cs), en);
}

uint64_t lpc_config_read(struct mm_machine *m, struct mm_chipset *cs, unsigned reg,
			 unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)cs->lpc.config[(reg + i) & 0xFF] << (8 * i);
	mm_log(m, MM_LOG_IO, "chipset: LPC config read  0x%02x/%u = 0x%llx", reg, size,
	       (unsigned long long)v);
	return v;
}

void lpc_config_write(struct mm_machine *m, struct mm_chipset *cs, unsigned reg, unsigned size,
		      uint64_t value)
{
	uint8_t per_sel = cs->lpc.config[ICH9_LPC_GEN_PMCON_1] & ICH9_GEN_PMCON_1_PER_SMI_SEL;

	mm_log(m, MM_LOG_IO, "chipset: LPC config write 0x%02x/%u = 0x%llx", reg, size,
	       (unsigned long long)value);
	for (unsigned i = 0; i < size; i++) {
		unsigned r = (reg + i) & 0xFF;
		uint8_t w = writable(r), b = (uint8_t)(value >> (8 * i));

		cs->lpc.config[r] = (cs->lpc.config[r] & ~w) | (b & w);
	}
	if ((cs->lpc.config[ICH9_LPC_GEN_PMCON_1] & ICH9_GEN_PMCON_1_PER_SMI_SEL) != per_sel)
		cs->lpc.periodic_next = cs->lpc.now_ns + periodic_period(cs);
	update_decode(m, cs);
}

void lpc_smi_en_changed(struct mm_machine *m, struct mm_chipset *cs, uint32_t old_en)
{
	bool was = old_en & ICH9_SMI_EN_SWSMI_TMR_EN;
	bool is = cs->pm.smi_en & ICH9_SMI_EN_SWSMI_TMR_EN;

	if (was == is)
		return;
	cs->lpc.swsmi_deadline = is ? cs->lpc.now_ns + swsmi_rate(cs) : 0;
	mm_log(m, MM_LOG_SMI, "chipset: SW SMI timer %s", is ? "started" : "stopped");
}

/* Moves time to t and latches what expires exactly then. */
static void fire_timers(struct mm_machine *m, struct mm_chipset *cs, uint64_t t)
{
	cs->lpc.now_ns = t;
	if (cs->lpc.swsmi_deadline == t) {
		cs->lpc.swsmi_deadline = 0;
		ich9_pm_smi_event(m, cs, ICH9_SMI_STS_SWSMI_TMR, 0);
	}
	if (cs->lpc.periodic_next == t) {
		cs->lpc.periodic_next = t + periodic_period(cs);
		ich9_pm_smi_event(m, cs, ICH9_SMI_STS_PERIODIC, 0);
	}
}

enum mm_err lpc_advance_time(struct mm_machine *m, struct mm_chipset *cs, uint64_t ns)
{
	uint64_t target = cs->lpc.now_ns + ns;

	if (target < cs->lpc.now_ns)
		return mm_fail(m, MM_ERR_RANGE, "time: advancing %llu ns overflows",
			       (unsigned long long)ns);
	for (;;) {
		uint64_t next = cs->lpc.periodic_next;
		enum mm_err err;

		if (cs->lpc.swsmi_deadline && cs->lpc.swsmi_deadline < next)
			next = cs->lpc.swsmi_deadline;
		if (next > target)
			break;
		fire_timers(m, cs, next);
		err = mm_smi_service(m);
		if (err)
			return err;
	}
	cs->lpc.now_ns = target;
	return MM_OK;
}

/* Parent of the periodic timer children for the PERIODIC source. */
EFI_STATUS lpc_periodic_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	(void)cs;
	return mm_periodic_timer_dispatch_run(m);
}

/* Parent for the SW SMI timer: the children, then the one-shot timer restarts. */
EFI_STATUS lpc_swsmi_tmr_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	EFI_STATUS st = mm_periodic_timer_dispatch_run(m);

	if (cs->pm.smi_en & ICH9_SMI_EN_SWSMI_TMR_EN)
		cs->lpc.swsmi_deadline = cs->lpc.now_ns + swsmi_rate(cs);
	return st;
}

/* mm_periodic_timer_hw.set_tick: programs the source that produces tick. */
static void hw_set_tick(struct mm_machine *m, void *user, uint64_t tick)
{
	struct mm_chipset *cs = user;
	uint8_t *c = cs->lpc.config;

	for (unsigned i = 0; i < 4; i++) {
		if (tick == tick_intervals[i]) {
			lpc_config_write(m, cs, ICH9_LPC_GEN_PMCON_1, 1,
					 (c[ICH9_LPC_GEN_PMCON_1] & ~3u) | i);
			ich9_pm_set_smi_en(m, cs, ICH9_SMI_EN_SWSMI_TMR_EN,
					   ICH9_SMI_EN_PERIODIC_EN);
			return;
		}
		if (tick == tick_intervals[7 - i]) {
			lpc_config_write(m, cs, ICH9_LPC_GEN_PMCON_3, 1,
					 i << ICH9_GEN_PMCON_3_SWSMI_RATE_SHIFT);
			ich9_pm_set_smi_en(m, cs, ICH9_SMI_EN_PERIODIC_EN,
					   ICH9_SMI_EN_SWSMI_TMR_EN);
			return;
		}
	}
	ich9_pm_set_smi_en(m, cs, ICH9_SMI_EN_PERIODIC_EN | ICH9_SMI_EN_SWSMI_TMR_EN, 0);
}

/* mm_periodic_timer_hw.now: simulated time in 100 ns units. */
static uint64_t hw_now(struct mm_machine *m, void *user)
{
	const struct mm_chipset *cs = user;

	(void)m;
	return cs->lpc.now_ns / NS_PER_100NS;
}

/* Fills the configuration space of 0:1f.0 after reset. */
static void lpc_config_reset(struct mm_chipset *cs)
{
	uint8_t *c = cs->lpc.config;

	memset(c, 0, sizeof(cs->lpc.config));
	c[0x00] = ICH9_LPC_VENDOR_ID & 0xFF;
	c[0x01] = ICH9_LPC_VENDOR_ID >> 8;
	c[0x02] = ICH9_LPC_DEVICE_ID & 0xFF;
	c[0x03] = ICH9_LPC_DEVICE_ID >> 8;
	c[0x0A] = 0x01; /* subclass: ISA bridge */
	c[0x0B] = 0x06; /* class: bridge */
	c[0x0E] = 0x80; /* multi-function */
	c[ICH9_LPC_PMBASE] = (ICH9_PMBASE_DEFAULT & 0xFF) | ICH9_LPC_PMBASE_RTE;
	c[ICH9_LPC_PMBASE + 1] = ICH9_PMBASE_DEFAULT >> 8;
	c[ICH9_LPC_ACPI_CNTL] = ICH9_LPC_ACPI_CNTL_ACPI_EN;
}

enum mm_err lpc_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	struct mm_periodic_timer_hw hw = {
		.intervals = tick_intervals,
		.count = sizeof(tick_intervals) / sizeof(tick_intervals[0]),
		.set_tick = hw_set_tick,
		.now = hw_now,
		.user = cs,
	};

	lpc_config_reset(cs);
	cs->lpc.now_ns = 0;
	cs->lpc.periodic_next = periodic_period(cs);
	cs->lpc.swsmi_deadline = 0;
	return mm_periodic_timer_attach_hw(m, &hw);
}

void lpc_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	(void)cs;
	mm_periodic_timer_detach_hw(m);
}
