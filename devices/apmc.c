/* SPDX-License-Identifier: MIT */
/*
 * Advanced Power Management control and status ports (ICH9 datasheet
 * 316972, 13.9: APM_CNT at 0xB2, APM_STS at 0xB3; Q35MchIch9.h
 * ICH9_APM_CNT/ICH9_APM_STS).
 *
 * A write to APM_CNT is the software SMI: the value is stored and, while
 * APMC_EN is set in SMI_EN, APM_STS (bit 5) latches in SMI_STS; the PM
 * device then asserts SMI# by its gating rules (GBL_SMI_EN, EOS). APM_STS
 * is a plain read/write scratch byte software uses to pass data to the SMI
 * handler. Both ports read back what was written last.
 *
 * The core passes no CPU to port callbacks: the writer is the CPU the core
 * marks as executing (m->cpus.executing), and it is remembered as the CPU
 * that generated the software SMI (EFI_MM_SW_CONTEXT.SwMmiCpuIndex).
 */
#include "core/machine.h"
#include "core/sw-dispatch.h"
#include "chipset.h"

/* Stores the APM_CNT value and signals the APM SMI source. */
static void apm_cnt_write(struct mm_machine *m, struct mm_chipset *cs, uint8_t v)
{
	cs->apmc.cnt = v;
	cs->apmc.cpu = m->cpus.executing;
	cs->apmc.writes++;
	mm_log(m, MM_LOG_SMI, "chipset: APM_CNT 0x%02x (data 0x%02x) from CPU %u", v, cs->apmc.sts,
	       cs->apmc.cpu);
	ich9_pm_smi_event(m, cs, ICH9_SMI_STS_APM, cs->apmc.cpu);
}

/* mm_io read callback of 0xB2..0xB3. */
static uint64_t apmc_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct mm_chipset *cs = user;
	uint64_t v = 0;

	(void)m;
	for (unsigned i = 0; i < size; i++) {
		uint64_t port = addr + i;
		uint8_t b = port == ICH9_APM_CNT ? cs->apmc.cnt :
			    port == ICH9_APM_STS ? cs->apmc.sts : 0xFF;

		v |= (uint64_t)b << (8 * i);
	}
	return v;
}

/*
 * mm_io write callback of 0xB2..0xB3. A word write to 0xB2 (OUT DX, AX)
 * stores the data byte before it triggers, as one bus cycle would.
 */
static void apmc_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
		       uint64_t value)
{
	struct mm_chipset *cs = user;
	bool trigger = false;
	uint8_t cnt = 0;

	for (unsigned i = 0; i < size; i++) {
		uint64_t port = addr + i;
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (port == ICH9_APM_STS) {
			cs->apmc.sts = b;
		} else if (port == ICH9_APM_CNT) {
			cnt = b;
			trigger = true;
		}
	}
	if (trigger)
		apm_cnt_write(m, cs, cnt);
}

EFI_STATUS apmc_smi_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	mm_log(m, MM_LOG_SMI, "chipset: SW SMI 0x%02x data 0x%02x CPU %u", cs->apmc.cnt,
	       cs->apmc.sts, cs->apmc.cpu);
	return mm_sw_dispatch_run(m, cs->apmc.cnt, cs->apmc.sts, cs->apmc.cpu);
}

enum mm_err apmc_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	enum mm_err err = mm_io_add(m, MM_IO_PORT, ICH9_APM_CNT, 2, apmc_read, apmc_write, cs,
				    "apmc");

	if (err)
		return mm_fail(m, err, "chipset: cannot claim APM ports 0xB2..0xB3: %s",
			       mm_strerror(err));
	return MM_OK;
}
