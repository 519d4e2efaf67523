/* SPDX-License-Identifier: MIT */
/*
 * ICH9 power management I/O space (LPC D31:F0, 128 ports at PMBASE): PM1,
 * GPE0, SMI_EN and SMI_STS, the SMI# gating, and the chipset's root MMI
 * handler that turns SMI_STS into child dispatches.
 *
 * Offsets and bits: ICH9 datasheet 316972, 13.8.3 (as QEMU's
 * include/hw/southbridge/ich9.h and coreboot's ICH/PCH smihandler.c name
 * them). PMBASE is 0x600, OVMF's choice on Q35; the platform file will be
 * able to move it later.
 *
 *   PMBASE+0x00 PM1_STS  16  write 1 to clear
 *         +0x02 PM1_EN   16
 *         +0x04 PM1_CNT  32  SLP_EN (bit 13) and GBL_RLS (bit 2) write-only
 *         +0x08 PM1_TMR  32  read-only, reads 0 (no clock: runs are deterministic)
 *         +0x20 GPE0_STS 64  write 1 to clear
 *         +0x28 GPE0_EN  64
 *         +0x30 SMI_EN   32  EOS (bit 1) also cleared by the chipset
 *         +0x34 SMI_STS  32  write 1 to clear
 *         +0x38 ALT_GPI_SMI_EN  16  GPI[15:0] may raise an SMI
 *         +0x3A ALT_GPI_SMI_STS 16  write 1 to clear
 *   anything else reads 0, writes are dropped.
 *
 * The PM ports move with the LPC bridge's PMBASE and are decoded only
 * while ACPI_CNTL.ACPI_EN is set (lpc.c calls ich9_pm_decode()).
 *
 * SMI sources besides APMC, each with its enable and status bit:
 *   Sx       SLP_SMI_EN/SLP_SMI_STS (bit 4): SLP_EN written to PM1_CNT
 *            traps before the sleep; the sleep happens after the Sx
 *            children ran (recorded in slept_typ/sleeps, logged).
 *   buttons  PWRBTN_EN/PWRBTN_STS (PM1 bit 8) with SCI_EN clear latch
 *            PM1_STS_REG (SMI_STS bit 8). The standby button uses the ACPI
 *            fixed sleep button bit 9 (SLPBTN_EN/SLPBTN_STS), which ICH9
 *            reserves: our extension, so the standby dispatcher has a source.
 *   GPI      a rising input on GPI[n] latches ALT_GPI_SMI_STS bit n (and
 *            GPE0_STS bit 16+n); with ALT_GPI_SMI_EN bit n set it latches
 *            GPI_STS (SMI_STS bit 10). GPIO_ROUT and GPI_INV are not
 *            modelled: every GPI is an active-high SMI-capable input.
 *   timers   PERIODIC (bit 14) and SWSMI_TMR (bit 6): lpc.c.
 *   IO trap  MONITOR_STS (bit 21): io-trap.c.
 * The child dispatchers' Register/UnRegister enable exactly the sources
 * children wait for (SLP_SMI_EN, PWRBTN_EN, SLPBTN_EN, ALT_GPI_SMI_EN), as
 * EDK2's PCH dispatchers do; software may still clear them.
 *
 * SMI# gating. An SMI source (a bit of SMI_STS) latches its status when it
 * fires (some only while their SMI_EN enable is set, see smi_sources[]).
 * The chipset asserts SMI# when GBL_SMI_EN is set, EOS is set and some
 * latched status is enabled; asserting SMI# clears EOS, so no further SMI#
 * is signalled until software sets EOS again at the end of its handler. The
 * condition is evaluated after every event and every write to the PM space,
 * so a status still pending when EOS is set raises the next SMI at once.
 *
 * Reset state: GBL_SMI_EN | APMC_EN | EOS, so that software SMIs work from
 * the start as they do on OVMF once its SMM is set up. The platform file
 * will control this later.
 */
#include <stddef.h>

#include "core/call.h"
#include "core/machine.h"
#include "chipset.h"

/* PM1_STS write-1-to-clear bits: TMROF, BM, GBL, PWRBTN, SLPBTN, RTC, PWRBTNOR, PCIEXPWAK, WAK. */
#define PM1_STS_W1C 0xCF31u
#define PM1_STS_GBL (1u << 5)
/* PM1_EN: TMROF_EN, GBL_EN, PWRBTN_EN, SLPBTN_EN, RTC_EN, PCIEXPWAK_DIS. */
#define PM1_EN_RW 0x4721u
#define PM1_BUTTONS (ICH9_PM1_PWRBTN | ICH9_PM1_SLPBTN)
/* PM1_CNT: SCI_EN, BM_RLD, SLP_TYP read/write; GBL_RLS, SLP_EN write-only. */
#define PM1_CNT_RW 0x1C03u
#define PM1_CNT_GBL_RLS (1u << 2)
#define PM1_CNT_WO (PM1_CNT_GBL_RLS | ICH9_PM1_CNT_SLP_EN)
/* SMI_EN read/write bits; BIOS_RLS is write-only. */
#define SMI_EN_RW                                                                          \
	(ICH9_SMI_EN_GBL_SMI_EN | ICH9_SMI_EN_EOS | ICH9_SMI_EN_BIOS_EN |                  \
	 ICH9_SMI_EN_LEGACY_USB_EN | ICH9_SMI_EN_SLP_SMI_EN | ICH9_SMI_EN_APMC_EN |        \
	 ICH9_SMI_EN_SWSMI_TMR_EN | ICH9_SMI_EN_MCSMI_EN | ICH9_SMI_EN_TCO_EN |            \
	 ICH9_SMI_EN_PERIODIC_EN | ICH9_SMI_EN_LEGACY_USB2_EN | ICH9_SMI_EN_INTEL_USB2_EN)

/* One register of the PM space; fields of struct ich9_pm_state hold the values. */
struct pm_reg {
	uint8_t off;
	uint8_t width;
	size_t field; /* offsetof a uint32_t in struct ich9_pm_state */
	uint32_t rw;  /* bits a write stores */
	uint32_t w1c; /* bits a written 1 clears */
	uint32_t wo;  /* write-only bits: act, read as 0 */
	const char *name;
};

#define PM_FIELD(f) offsetof(struct ich9_pm_state, f)

static const struct pm_reg pm_regs[] = {
	{ ICH9_PMIO_PM1_STS, 2, PM_FIELD(pm1_sts), 0, PM1_STS_W1C, 0, "PM1_STS" },
	{ ICH9_PMIO_PM1_EN, 2, PM_FIELD(pm1_en), PM1_EN_RW, 0, 0, "PM1_EN" },
	{ ICH9_PMIO_PM1_CNT, 4, PM_FIELD(pm1_cnt), PM1_CNT_RW, 0, PM1_CNT_WO, "PM1_CNT" },
	{ ICH9_PMIO_GPE0_STS, 4, PM_FIELD(gpe0_sts[0]), 0, ~0u, 0, "GPE0_STS" },
	{ ICH9_PMIO_GPE0_STS + 4, 4, PM_FIELD(gpe0_sts[1]), 0, ~0u, 0, "GPE0_STS_HI" },
	{ ICH9_PMIO_GPE0_EN, 4, PM_FIELD(gpe0_en[0]), ~0u, 0, 0, "GPE0_EN" },
	{ ICH9_PMIO_GPE0_EN + 4, 4, PM_FIELD(gpe0_en[1]), ~0u, 0, 0, "GPE0_EN_HI" },
	{ ICH9_PMIO_SMI_EN, 4, PM_FIELD(smi_en), SMI_EN_RW, 0, ICH9_SMI_EN_BIOS_RLS, "SMI_EN" },
	{ ICH9_PMIO_SMI_STS, 4, PM_FIELD(smi_sts), 0, ~0u, 0, "SMI_STS" },
	{ ICH9_PMIO_ALT_GPI_SMI_EN, 2, PM_FIELD(alt_gpi_smi_en), 0xFFFF, 0, 0, "ALT_GPI_SMI_EN" },
	{ ICH9_PMIO_ALT_GPI_SMI_STS, 2, PM_FIELD(alt_gpi_smi_sts), 0, 0xFFFF, 0,
	  "ALT_GPI_SMI_STS" },
};

/*
 * The SMI sources, indexed by their SMI_STS bit (as coreboot's
 * southbridge_smi[32]). enable is the SMI_EN bit that gates the source, 0
 * for the summary bits whose enables live in their own registers (PM1_EN,
 * GPE0_EN, TCO...). latch_disabled: the status latches even while the
 * enable is clear (the SMI then fires when software enables it). dispatch
 * runs the child dispatcher; sources without one are cleared and logged
 * until their dispatchers exist. Summary bits are write-1-to-clear in
 * SMI_STS until the registers they summarise are modelled.
 */
struct smi_source {
	const char *name;
	uint32_t enable;
	bool latch_disabled;
	EFI_STATUS (*dispatch)(struct mm_machine *m, struct mm_chipset *cs);
};

static const struct smi_source smi_sources[32] = {
	[ICH9_SMI_STS_BIOS] = { "BIOS", ICH9_SMI_EN_BIOS_EN, true, NULL },
	[ICH9_SMI_STS_LEGACY_USB] = { "LEGACY_USB", ICH9_SMI_EN_LEGACY_USB_EN, false, NULL },
	[ICH9_SMI_STS_SLP_SMI] = { "SLP_SMI", ICH9_SMI_EN_SLP_SMI_EN, false,
				   ich9_pm_slp_smi_dispatch },
	[ICH9_SMI_STS_APM] = { "APM", ICH9_SMI_EN_APMC_EN, false, apmc_smi_dispatch },
	[ICH9_SMI_STS_SWSMI_TMR] = { "SWSMI_TMR", ICH9_SMI_EN_SWSMI_TMR_EN, false,
				     lpc_swsmi_tmr_dispatch },
	[ICH9_SMI_STS_PM1] = { "PM1", 0, true, ich9_pm_pm1_dispatch },
	[ICH9_SMI_STS_GPE0] = { "GPE0", 0, true, NULL },
	[ICH9_SMI_STS_GPI] = { "GPI", 0, true, ich9_pm_gpi_dispatch },
	[ICH9_SMI_STS_MCSMI] = { "MCSMI", ICH9_SMI_EN_MCSMI_EN, true, NULL },
	[ICH9_SMI_STS_DEVMON] = { "DEVMON", 0, true, NULL },
	[ICH9_SMI_STS_TCO] = { "TCO", ICH9_SMI_EN_TCO_EN, true, NULL },
	[ICH9_SMI_STS_PERIODIC] = { "PERIODIC", ICH9_SMI_EN_PERIODIC_EN, true,
				    lpc_periodic_dispatch },
	[ICH9_SMI_STS_SERIRQ] = { "SERIRQ_SMI", 0, true, NULL },
	[ICH9_SMI_STS_SMBUS] = { "SMBUS_SMI", 0, true, NULL },
	[ICH9_SMI_STS_LEGACY_USB2] = { "LEGACY_USB2", ICH9_SMI_EN_LEGACY_USB2_EN, true, NULL },
	[ICH9_SMI_STS_INTEL_USB2] = { "INTEL_USB2", ICH9_SMI_EN_INTEL_USB2_EN, true, NULL },
	[ICH9_SMI_STS_PCI_EXP] = { "PCI_EXP_SMI", 0, true, NULL },
	[ICH9_SMI_STS_MONITOR] = { "MONITOR", 0, true, io_trap_smi_dispatch },
	[ICH9_SMI_STS_SPI] = { "SPI", 0, true, NULL },
};

static uint32_t *pm_field(struct ich9_pm_state *pm, const struct pm_reg *r)
{
	return (uint32_t *)((char *)pm + r->field);
}

/* Returns the register holding PM offset off, or NULL for unmodelled ports. */
static const struct pm_reg *pm_reg_at(unsigned off)
{
	for (size_t i = 0; i < sizeof(pm_regs) / sizeof(pm_regs[0]); i++)
		if (off >= pm_regs[i].off && off < pm_regs[i].off + pm_regs[i].width)
			return &pm_regs[i];
	return NULL;
}

/* SMI_STS bits whose source is enabled by smi_en (summary bits always are). */
static uint32_t smi_enabled_mask(uint32_t smi_en)
{
	uint32_t mask = 0;

	for (unsigned bit = 0; bit < 32; bit++) {
		const struct smi_source *s = &smi_sources[bit];

		if (s->name && (!s->enable || (smi_en & s->enable)))
			mask |= 1u << bit;
	}
	return mask;
}

/*
 * Asserts SMI# when the gating allows it (see the head comment) and clears
 * EOS as the chipset does when it signals an SMI.
 */
static void pm_update_smi(struct mm_machine *m, struct mm_chipset *cs, unsigned cpu)
{
	struct ich9_pm_state *pm = &cs->pm;
	uint32_t active = pm->smi_sts & smi_enabled_mask(pm->smi_en);

	if (!active || !(pm->smi_en & ICH9_SMI_EN_GBL_SMI_EN) || !(pm->smi_en & ICH9_SMI_EN_EOS))
		return;
	pm->smi_en &= ~ICH9_SMI_EN_EOS;
	pm->smi_asserted++;
	mm_log(m, MM_LOG_SMI, "chipset: SMI# asserted by CPU %u, SMI_STS 0x%08x", cpu, pm->smi_sts);
	mm_smi_raise(m, cpu);
}

void ich9_pm_smi_event(struct mm_machine *m, struct mm_chipset *cs, unsigned bit, unsigned cpu)
{
	const struct smi_source *s = bit < 32 ? &smi_sources[bit] : NULL;

	if (!s || !s->name) {
		mm_log(m, MM_LOG_WARN, "chipset: SMI event for undefined SMI_STS bit %u", bit);
		return;
	}
	if (s->enable && !(cs->pm.smi_en & s->enable) && !s->latch_disabled) {
		mm_log(m, MM_LOG_SMI, "chipset: SMI source %s disabled (SMI_EN 0x%08x)", s->name,
		       cs->pm.smi_en);
		return;
	}
	cs->pm.smi_sts |= 1u << bit;
	pm_update_smi(m, cs, cpu);
	if (!(cs->pm.smi_en & ICH9_SMI_EN_GBL_SMI_EN))
		mm_log(m, MM_LOG_SMI, "chipset: %s latched, GBL_SMI_EN clear: no SMI#", s->name);
}

/* Reads one byte of the PM space. */
static uint8_t pm_read_byte(struct ich9_pm_state *pm, unsigned off)
{
	const struct pm_reg *r = pm_reg_at(off);

	if (!r)
		return 0;
	return (uint8_t)((*pm_field(pm, r) & ~r->wo) >> ((off - r->off) * 8));
}

/* mm_io read callback of the PM space: little-endian bytes of the registers. */
static uint64_t pm_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct mm_chipset *cs = user;
	unsigned off = (unsigned)(addr - cs->pm.pmbase);
	uint64_t v = 0;

	for (unsigned i = 0; i < size && off + i < ICH9_PMIO_SIZE; i++)
		v |= (uint64_t)pm_read_byte(&cs->pm, off + i) << (8 * i);
	mm_log(m, MM_LOG_IO, "chipset: PM read  PMBASE+0x%02x/%u = 0x%llx", off, size,
	       (unsigned long long)v);
	return v;
}

/*
 * The sleep happens: recorded in the chipset state and logged. What a
 * sleeping platform does next (wake, resume) is not modelled.
 */
static void pm_enter_sleep(struct mm_machine *m, struct mm_chipset *cs, unsigned typ)
{
	cs->pm.slept_typ = typ;
	cs->pm.sleeps++;
	mm_log(m, MM_LOG_SMI, "chipset: sleep, SLP_TYP %u (sleep #%llu)", typ,
	       (unsigned long long)cs->pm.sleeps);
}

/* Acts on the write-only bits written to PM1_CNT and SMI_EN. */
static void pm_write_only(struct mm_machine *m, struct mm_chipset *cs, const struct pm_reg *r,
			  uint32_t bits)
{
	unsigned cpu = m->cpus.executing;

	if (r->off == ICH9_PMIO_SMI_EN && (bits & ICH9_SMI_EN_BIOS_RLS)) {
		/* BIOS_RLS hands an event to the ACPI OS: GBL_STS, an SCI (not modelled). */
		cs->pm.pm1_sts |= PM1_STS_GBL;
	}
	if (r->off == ICH9_PMIO_PM1_CNT && (bits & PM1_CNT_GBL_RLS))
		ich9_pm_smi_event(m, cs, ICH9_SMI_STS_BIOS, cpu);
	if (r->off == ICH9_PMIO_PM1_CNT && (bits & ICH9_PM1_CNT_SLP_EN)) {
		unsigned typ = (cs->pm.pm1_cnt & ICH9_PM1_CNT_SLP_TYP) >>
			       ICH9_PM1_CNT_SLP_TYP_SHIFT;

		if (cs->pm.smi_en & ICH9_SMI_EN_SLP_SMI_EN) {
			cs->pm.slp_typ = typ;
			ich9_pm_smi_event(m, cs, ICH9_SMI_STS_SLP_SMI, cpu);
		} else {
			pm_enter_sleep(m, cs, typ);
		}
	}
}

/* Applies the bytes of a write that fall in register r (value already shifted). */
static void pm_write_reg(struct mm_machine *m, struct mm_chipset *cs, const struct pm_reg *r,
			 uint32_t value, uint32_t bytes)
{
	uint32_t *f = pm_field(&cs->pm, r);

	*f = (*f & ~(r->rw & bytes)) | (value & r->rw & bytes);
	*f &= ~(value & r->w1c & bytes);
	if (value & r->wo & bytes)
		pm_write_only(m, cs, r, value & r->wo & bytes);
}

/*
 * Latches the summary bits of SMI_STS whose sources are pending and
 * enabled after software changed an enable: PM1_STS_REG for the buttons
 * (only while SCI_EN is clear: else the event is the OS's SCI), GPI_STS for
 * ALT_GPI_SMI.
 */
static void pm_summaries(struct mm_machine *m, struct mm_chipset *cs)
{
	struct ich9_pm_state *pm = &cs->pm;
	unsigned cpu = m->cpus.executing;

	if ((pm->pm1_sts & pm->pm1_en & PM1_BUTTONS) && !(pm->pm1_cnt & ICH9_PM1_CNT_SCI_EN) &&
	    !(pm->smi_sts & (1u << ICH9_SMI_STS_PM1)))
		ich9_pm_smi_event(m, cs, ICH9_SMI_STS_PM1, cpu);
	if ((pm->alt_gpi_smi_sts & pm->alt_gpi_smi_en) &&
	    !(pm->smi_sts & (1u << ICH9_SMI_STS_GPI)))
		ich9_pm_smi_event(m, cs, ICH9_SMI_STS_GPI, cpu);
}

/*
 * mm_io write callback of the PM space. The bytes of one access are grouped
 * by register so that a register sees its whole new value at once (SLP_TYP
 * and SLP_EN in one dword write), then SMI# gating is re-evaluated.
 */
static void pm_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
		     uint64_t value)
{
	struct mm_chipset *cs = user;
	unsigned off = (unsigned)(addr - cs->pm.pmbase);
	uint32_t old_en = cs->pm.smi_en;

	mm_log(m, MM_LOG_IO, "chipset: PM write PMBASE+0x%02x/%u = 0x%llx", off, size,
	       (unsigned long long)value);
	for (unsigned i = 0; i < size && off + i < ICH9_PMIO_SIZE;) {
		const struct pm_reg *r = pm_reg_at(off + i);
		uint32_t v = 0, bytes = 0;

		if (!r) {
			i++;
			continue;
		}
		for (; i < size && off + i < (unsigned)r->off + r->width; i++) {
			unsigned shift = (off + i - r->off) * 8;

			v |= (uint32_t)((value >> (8 * i)) & 0xFF) << shift;
			bytes |= 0xFFu << shift;
		}
		pm_write_reg(m, cs, r, v, bytes);
	}
	if (old_en != cs->pm.smi_en)
		lpc_smi_en_changed(m, cs, old_en);
	pm_summaries(m, cs);
	pm_update_smi(m, cs, m->cpus.executing);
}

/*
 * The chipset's root MMI handler (PI 1.8 vol. 4, MmiHandlerRegister with a
 * NULL type), called by MmiManage(NULL) on the BSP at every SMI.
 *
 * Order: the latched and enabled SMI_STS bits are handled from bit 0 up.
 * For each, the status bit is cleared first, then its child dispatcher runs
 * (APM: the SW dispatcher with the APM_CNT value and the APM_STS data byte);
 * clearing first means that a source the child triggers again (a write to
 * 0xB2 from a SW handler) stays latched for the next SMI instead of being
 * lost. Sources without a child dispatcher are only cleared.
 *
 * EOS is set last, after every child returned: this ends the SMI for the
 * chipset, and a status latched meanwhile asserts the next SMI# right then
 * (delivered by the core when this SMI is over).
 *
 * Returns EFI_SUCCESS when a child handled a source, EFI_WARN_INTERRUPT_-
 * SOURCE_QUIESCED when sources were only cleared, EFI_NOT_FOUND when no
 * enabled source was latched (the SMI was not the chipset's).
 */
static EFI_STATUS EFIAPI ich9_root_mmi(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				       VOID *CommBuffer, UINTN *CommBufferSize)
{
	struct mm_machine *m = mm_current();
	struct mm_chipset *cs = m ? mm_chipset(m) : NULL;
	EFI_STATUS result = EFI_NOT_FOUND;
	uint32_t active;

	(void)DispatchHandle, (void)Context, (void)CommBuffer, (void)CommBufferSize;
	if (!cs)
		return EFI_NOT_FOUND;
	cs->pm.root_calls++;
	active = cs->pm.smi_sts & smi_enabled_mask(cs->pm.smi_en);
	mm_log(m, MM_LOG_SMI, "chipset: root handler, SMI_STS 0x%08x SMI_EN 0x%08x",
	       cs->pm.smi_sts, cs->pm.smi_en);
	for (unsigned bit = 0; bit < 32; bit++) {
		const struct smi_source *s = &smi_sources[bit];
		EFI_STATUS st;

		if (!(active & (1u << bit)))
			continue;
		cs->pm.smi_sts &= ~(1u << bit);
		if (!s->dispatch) {
			mm_log(m, MM_LOG_SMI, "chipset: SMI source %s: no child, cleared", s->name);
			if (result == EFI_NOT_FOUND)
				result = EFI_WARN_INTERRUPT_SOURCE_QUIESCED;
			continue;
		}
		st = s->dispatch(m, cs);
		mm_log(m, MM_LOG_SMI, "chipset: SMI source %s: child returned 0x%llx", s->name,
		       (unsigned long long)st);
		if (st == EFI_SUCCESS)
			result = EFI_SUCCESS;
		else if (result == EFI_NOT_FOUND)
			result = EFI_WARN_INTERRUPT_SOURCE_QUIESCED;
	}
	cs->pm.smi_en |= ICH9_SMI_EN_EOS;
	pm_update_smi(m, cs, m->cpus.executing);
	return result;
}

/* EFI_SLEEP_TYPE of an ICH9 SLP_TYP code; EfiMaximumSleepType for reserved codes. */
static EFI_SLEEP_TYPE sleep_type(unsigned slp_typ)
{
	switch (slp_typ) {
	case ICH9_SLP_TYP_S0: return SxS0;
	case ICH9_SLP_TYP_S1: return SxS1;
	case ICH9_SLP_TYP_S3: return SxS3;
	case ICH9_SLP_TYP_S4: return SxS4;
	case ICH9_SLP_TYP_S5: return SxS5;
	default: return EfiMaximumSleepType;
	}
}

/*
 * Parent of the Sx children (SLP_SMI_STS): runs the SxEntry children of the
 * trapped SLP_TYP, then lets the sleep happen, as EDK2's PCH dispatcher
 * does after its children (it clears SLP_SMI_EN and writes SLP_EN again).
 */
EFI_STATUS ich9_pm_slp_smi_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	EFI_SLEEP_TYPE type = sleep_type(cs->pm.slp_typ);
	EFI_STATUS st = EFI_NOT_FOUND;

	if (type == EfiMaximumSleepType)
		mm_log(m, MM_LOG_WARN, "chipset: SLP_EN with reserved SLP_TYP %u",
		       cs->pm.slp_typ);
	else
		st = mm_sx_dispatch_run(m, type, SxEntry);
	pm_enter_sleep(m, cs, cs->pm.slp_typ);
	return st;
}

/*
 * Parent of the button children (PM1_STS_REG): clears the pending, enabled
 * button status bits before the children run (so a child's PM write does
 * not latch them again), then calls the power and standby dispatchers.
 */
EFI_STATUS ich9_pm_pm1_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	uint32_t pending = cs->pm.pm1_sts & cs->pm.pm1_en & PM1_BUTTONS;
	EFI_STATUS st = EFI_NOT_FOUND, s2;

	cs->pm.pm1_sts &= ~pending;
	if (pending & ICH9_PM1_PWRBTN)
		st = mm_power_button_dispatch_run(m, EfiPowerButtonEntry);
	if (pending & ICH9_PM1_SLPBTN) {
		s2 = mm_standby_button_dispatch_run(m, EfiStandbyButtonEntry);
		if (st == EFI_NOT_FOUND || s2 == EFI_SUCCESS)
			st = s2;
	}
	return st;
}

/* Parent of the GPI children (GPI_STS): each enabled, latched GPI, lowest first. */
EFI_STATUS ich9_pm_gpi_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	uint32_t pending = cs->pm.alt_gpi_smi_sts & cs->pm.alt_gpi_smi_en;
	EFI_STATUS st = EFI_NOT_FOUND;

	cs->pm.alt_gpi_smi_sts &= ~pending;
	cs->pm.gpe0_sts[0] &= ~(pending << ICH9_GPE0_GPI_SHIFT);
	for (unsigned gpi = 0; gpi < ICH9_NUM_GPIS; gpi++) {
		EFI_STATUS s;

		if (!(pending & (1u << gpi)))
			continue;
		s = mm_gpi_dispatch_run(m, gpi);
		if (st == EFI_NOT_FOUND || s == EFI_SUCCESS)
			st = s;
	}
	return st;
}

void ich9_pm_button(struct mm_machine *m, struct mm_chipset *cs, uint32_t pm1_bit)
{
	cs->pm.pm1_sts |= pm1_bit;
	mm_log(m, MM_LOG_SMI, "chipset: %s button pressed (PM1_EN 0x%04x, SCI_EN %u)",
	       pm1_bit == ICH9_PM1_PWRBTN ? "power" : "sleep", cs->pm.pm1_en,
	       cs->pm.pm1_cnt & ICH9_PM1_CNT_SCI_EN);
	pm_summaries(m, cs);
}

void ich9_pm_gpi_set(struct mm_machine *m, struct mm_chipset *cs, unsigned gpi, bool level)
{
	uint32_t bit = 1u << gpi;
	bool rising = level && !(cs->pm.gpi_level & bit);

	cs->pm.gpi_level = level ? cs->pm.gpi_level | bit : cs->pm.gpi_level & ~bit;
	if (!rising)
		return;
	cs->pm.alt_gpi_smi_sts |= bit;
	cs->pm.gpe0_sts[0] |= bit << ICH9_GPE0_GPI_SHIFT;
	mm_log(m, MM_LOG_SMI, "chipset: GPI[%u] rose (ALT_GPI_SMI_EN 0x%04x)", gpi,
	       cs->pm.alt_gpi_smi_en);
	pm_summaries(m, cs);
}

void ich9_pm_set_smi_en(struct mm_machine *m, struct mm_chipset *cs, uint32_t clear,
			uint32_t set)
{
	uint32_t old = cs->pm.smi_en;

	cs->pm.smi_en = (old & ~clear) | (set & SMI_EN_RW);
	if (old != cs->pm.smi_en)
		lpc_smi_en_changed(m, cs, old);
	pm_update_smi(m, cs, m->cpus.executing);
}

/* Sets or clears bits of a PM register, as the dispatchers' Register does. */
static void set_bits(uint32_t *reg, uint32_t bits, bool on)
{
	*reg = on ? *reg | bits : *reg & ~bits;
}

/*
 * The children of the Sx, button and GPI dispatchers changed: enable the
 * sources they wait for and disable those nobody waits for.
 */
static void pm_children_changed(struct mm_machine *m, struct mm_child_list *l, void *user)
{
	struct mm_chipset *cs = user;
	uint32_t gpis = 0;

	if (l == &m->sx.list) {
		ich9_pm_set_smi_en(m, cs, l->count ? 0 : ICH9_SMI_EN_SLP_SMI_EN,
				   l->count ? ICH9_SMI_EN_SLP_SMI_EN : 0);
		return;
	}
	if (l == &m->power_button.list)
		set_bits(&cs->pm.pm1_en, ICH9_PM1_PWRBTN, l->count);
	if (l == &m->standby_button.list)
		set_bits(&cs->pm.pm1_en, ICH9_PM1_SLPBTN, l->count);
	if (l == &m->gpi.list) {
		for (struct mm_child *c = l->entries; c; c = c->next)
			if (!c->removed)
				gpis |= 1u << ((const EFI_MM_GPI_REGISTER_CONTEXT *)c->reg)->GpiNum;
		cs->pm.alt_gpi_smi_en = gpis;
	}
	pm_summaries(m, cs);
}

/* Hooks the dispatchers whose sources live in the PM space (NULL cs: unhooks). */
static void pm_hook_children(struct mm_machine *m, struct mm_chipset *cs)
{
	struct mm_child_list *lists[] = { &m->sx.list, &m->power_button.list,
					  &m->standby_button.list, &m->gpi.list };

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		lists[i]->changed = cs ? pm_children_changed : NULL;
		lists[i]->changed_user = cs;
	}
	mm_gpi_dispatch_set_count(m, cs ? ICH9_NUM_GPIS : 0);
}

enum mm_err ich9_pm_decode(struct mm_machine *m, struct mm_chipset *cs, uint16_t base,
			   bool enabled)
{
	struct ich9_pm_state *pm = &cs->pm;
	enum mm_err err;

	if (pm->decoded && (pm->pmbase != base || !enabled)) {
		mm_io_remove(m, MM_IO_PORT, pm->pmbase);
		pm->decoded = false;
		mm_log(m, MM_LOG_IO, "chipset: PM ports at 0x%x released", pm->pmbase);
	}
	pm->pmbase = base;
	if (!enabled || pm->decoded)
		return MM_OK;
	err = mm_io_add(m, MM_IO_PORT, base, ICH9_PMIO_SIZE, pm_read, pm_write, cs, "ich9-pm");
	if (err) {
		mm_log(m, MM_LOG_WARN, "chipset: PM ports cannot move to 0x%x: %s", base,
		       mm_strerror(err));
		return mm_fail(m, err, "chipset: cannot claim PM ports 0x%x..0x%x: %s", base,
			       base + ICH9_PMIO_SIZE - 1, mm_strerror(err));
	}
	pm->decoded = true;
	mm_log(m, MM_LOG_IO, "chipset: PM ports at 0x%x", base);
	return MM_OK;
}

/*
 * An SMI that ended in a stop never reached the root handler's end: set EOS
 * as it would have, so the machine takes the next SMI (the stop is reported).
 */
static void pm_smi_aborted(struct mm_machine *m, void *user)
{
	struct mm_chipset *cs = user;

	cs->pm.smi_en |= ICH9_SMI_EN_EOS;
	mm_log(m, MM_LOG_SMI, "chipset: SMI ended in a stop; EOS set again");
}

enum mm_err ich9_pm_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	struct ich9_pm_state *pm = &cs->pm;
	enum mm_err err;

	pm->smi_en = ICH9_SMI_EN_GBL_SMI_EN | ICH9_SMI_EN_APMC_EN | ICH9_SMI_EN_EOS;
	err = ich9_pm_decode(m, cs, ICH9_PMBASE_DEFAULT, true);
	if (err)
		return err;
	err = mm_mmi_register(m, (uint64_t)(uintptr_t)ich9_root_mmi, NULL, &pm->root_handle);
	if (err)
		return mm_fail(m, err, "chipset: cannot register the root MMI handler: %s",
			       mm_strerror(err));
	pm_hook_children(m, cs);
	m->smi.aborted = pm_smi_aborted;
	m->smi.aborted_user = cs;
	return MM_OK;
}

void ich9_pm_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	pm_hook_children(m, NULL);
	m->smi.aborted = NULL;
	if (cs->pm.root_handle)
		mm_mmi_unregister(m, cs->pm.root_handle);
	cs->pm.root_handle = NULL;
}
