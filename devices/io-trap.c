/* SPDX-License-Identifier: MIT */
/*
 * ICH9 IO traps (datasheet 316972, 10.1.49-51: IOTR0-3 at RCBA+0x1E80,
 * trapped cycle TRCR at +0x1E10, write data TWDR at +0x1E18, status TRSR at
 * +0x1E00). Four traps, each a dword-aligned range of up to 256 ports; a
 * CPU access inside an armed range is not forwarded but latches
 * MONITOR_STS (SMI_STS bit 21), which always signals SMI# (the per-trap
 * enable, TRSE, is the armed state).
 *
 * Model choice: RCBA is not modelled. The IO trap dispatcher's Register
 * arms a trap through mm_io_trap_hw.claim, which claims the range on the
 * port bus directly (EDK2's PCH dispatcher programs IOTRn itself; the
 * effect is the same), and UnRegister releases it. A trapped read returns
 * all ones (on hardware the SMI handler supplies the value through the
 * saved RAX); a trapped write is dropped after its data is recorded.
 * Ranges need not be aligned here; Address 0 gets a free range from
 * 0x2000 up, aligned to its length rounded up to a power of two.
 */
#include "core/call.h"
#include "core/machine.h"
#include "chipset.h"

#define TRAP_POOL_BASE 0x2000u

/* Records the trapped cycle and signals MONITOR_STS. */
static void trap_cycle(struct mm_machine *m, struct io_trap_slot *t, uint64_t port,
		       unsigned size, bool write, uint64_t value)
{
	struct mm_chipset *cs = t->cs;
	unsigned n = (unsigned)(t - cs->io_trap.slot);

	cs->io_trap.port = (uint16_t)port;
	cs->io_trap.write = write;
	cs->io_trap.width = size;
	cs->io_trap.data = write ? (uint32_t)value : 0;
	cs->io_trap.trsr |= 1u << n;
	mm_log(m, MM_LOG_SMI, "chipset: IO trap %u: %s%u of port 0x%llx (0x%llx)", n,
	       write ? "write" : "read", size * 8, (unsigned long long)port,
	       (unsigned long long)value);
	ich9_pm_smi_event(m, cs, ICH9_SMI_STS_MONITOR, m->cpus.executing);
}

static uint64_t trap_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	trap_cycle(m, user, addr, size, false, 0);
	return ~0ull;
}

static void trap_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
		       uint64_t value)
{
	trap_cycle(m, user, addr, size, true, value);
}

/* Claims [base, base+len) for trap t. */
static enum mm_err arm(struct mm_machine *m, struct io_trap_slot *t, uint16_t base, uint16_t len)
{
	enum mm_err err = mm_io_add(m, MM_IO_PORT, base, len, trap_read, trap_write, t, "io-trap");

	if (err)
		return err;
	t->armed = true;
	t->base = base;
	t->len = len;
	return MM_OK;
}

/* Arms t on the first free aligned range at or above TRAP_POOL_BASE. */
static enum mm_err arm_anywhere(struct mm_machine *m, struct io_trap_slot *t, uint16_t *base,
				uint16_t len)
{
	uint32_t align = 4;

	while (align < len)
		align <<= 1;
	for (uint32_t b = TRAP_POOL_BASE; b + len <= 0x10000; b += align) {
		if (arm(m, t, (uint16_t)b, len) == MM_OK) {
			*base = (uint16_t)b;
			return MM_OK;
		}
	}
	return mm_fail(m, MM_ERR_RANGE, "IO trap: no free range of %u ports", len);
}

/* mm_io_trap_hw.claim. */
static enum mm_err hw_claim(struct mm_machine *m, void *user, uint16_t *base, uint16_t len,
			    unsigned *slot)
{
	struct mm_chipset *cs = user;
	struct io_trap_slot *t = NULL;

	if (len > ICH9_IO_TRAP_MAX_LEN)
		return mm_fail(m, MM_ERR_RANGE, "IO trap: %u ports, a trap covers at most %u", len,
			       ICH9_IO_TRAP_MAX_LEN);
	for (unsigned i = 0; i < ICH9_IO_TRAPS && !t; i++)
		if (!cs->io_trap.slot[i].armed)
			t = &cs->io_trap.slot[i];
	if (!t)
		return mm_fail(m, MM_ERR_BUSY, "IO trap: all %u traps in use", ICH9_IO_TRAPS);
	*slot = (unsigned)(t - cs->io_trap.slot);
	return *base ? arm(m, t, *base, len) : arm_anywhere(m, t, base, len);
}

/* mm_io_trap_hw.release. */
static void hw_release(struct mm_machine *m, void *user, unsigned slot)
{
	struct mm_chipset *cs = user;
	struct io_trap_slot *t = slot < ICH9_IO_TRAPS ? &cs->io_trap.slot[slot] : NULL;

	if (!t || !t->armed)
		return;
	mm_io_remove(m, MM_IO_PORT, t->base);
	t->armed = false;
}

/* Parent of the IO trap children for MONITOR_STS: reports the trapped cycle. */
EFI_STATUS io_trap_smi_dispatch(struct mm_machine *m, struct mm_chipset *cs)
{
	cs->io_trap.trsr = 0;
	return mm_io_trap_dispatch_run(m, cs->io_trap.port, cs->io_trap.write, cs->io_trap.data);
}

enum mm_err io_trap_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	struct mm_io_trap_hw hw = { hw_claim, hw_release, cs };

	for (unsigned i = 0; i < ICH9_IO_TRAPS; i++)
		cs->io_trap.slot[i].cs = cs;
	mm_io_trap_attach_hw(m, &hw);
	return MM_OK;
}

void io_trap_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	(void)cs;
	mm_io_trap_attach_hw(m, NULL);
}
