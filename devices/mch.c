/* SPDX-License-Identifier: MIT */
/*
 * The Q35 memory controller hub's SMRAM control and the PCI configuration
 * mechanism #1 that reaches it: 0xCF8 (address dword) and 0xCFC..0xCFF
 * (data). Both this path and ECAM (pci-ecam.c) go through pci_config_read/
 * _write, one configuration space model: bus 0 device 0 function 0 (the
 * MCH, 8086:29C0) is served here, 0:1f.0, the ICH9 LPC bridge (PMBASE,
 * ACPI_CNTL...), by lpc.c. Every other function reads as all ones (no
 * device) and drops writes.
 *
 * Registers (Q35 MCH datasheet 316966; offsets and bits as EDK2's
 * OvmfPkg/Include/IndustryStandard/Q35MchIch9.h and QEMU's
 * include/hw/pci-host/q35.h name them):
 *
 *   0x60 PCIEXBAR 64 bits: ECAM base and enable, read-only here (pci-ecam.c)
 *   0x9D SMRAM    D_OPEN(6) D_CLS(5) D_LCK(4) G_SMRAME(3) C_BASE_SEG(2:0)=010b
 *   0x9E ESMRAMC  H_SMRAME(7) E_SMERR(6) SM_CACHE(5) SM_L1(4) SM_L2(3)
 *                 TSEG_SZ(2:1) T_EN(0)
 *
 * SMRAM state. The core keeps one state (open, closed, locked: core/lock.h)
 * and this register mirrors it both ways:
 *   - a write that leaves D_LCK set means locked, else D_OPEN set means
 *     open, else closed; the core is told with mm_smram_set_state();
 *   - a change made through the core (mm_ready_to_lock, EFI_MM_ACCESS
 *     _PROTOCOL) reaches the register through m->lock.smram_changed.
 * Setting D_LCK clears D_OPEN. Once D_LCK is set only D_CLS stays
 * writable: D_OPEN, D_LCK, G_SMRAME and the whole ESMRAMC are read-only
 * until reset, and a write trying to change them is logged as a warning.
 * Like QEMU's pci_default_write_config, the lock in force at the start of
 * an access applies to all of its bytes. G_SMRAME, D_CLS and ESMRAMC are
 * stored but do not change what the core does yet.
 */
#include "core/call.h"
#include "core/machine.h"
#include "chipset.h"
#include "pci-ecam.h"

#define PCI_CFG_ENABLE (1u << 31)
#define MCH_SMRAM_WRITABLE (MCH_SMRAM_D_OPEN | MCH_SMRAM_D_CLS | MCH_SMRAM_D_LCK | \
			    MCH_SMRAM_G_SMRAME)
#define MCH_SMRAM_LOCKED_WRITABLE MCH_SMRAM_D_CLS
#define MCH_ESMRAMC_WRITABLE (MCH_ESMRAMC_H_SMRAME | MCH_ESMRAMC_TSEG_MASK | MCH_ESMRAMC_T_EN)

/* The SMRAM state the register's D_OPEN/D_LCK bits describe. */
static enum mm_smram_state smram_reg_state(uint8_t reg)
{
	if (reg & MCH_SMRAM_D_LCK)
		return MM_SMRAM_LOCKED;
	return reg & MCH_SMRAM_D_OPEN ? MM_SMRAM_OPEN : MM_SMRAM_CLOSED;
}

/* Sets D_OPEN/D_LCK of the register to describe state, keeping the other bits. */
static void smram_reg_mirror(struct mm_chipset *cs, enum mm_smram_state state)
{
	uint8_t reg = cs->mch.config[MCH_SMRAM] & ~(MCH_SMRAM_D_OPEN | MCH_SMRAM_D_LCK);

	if (state == MM_SMRAM_OPEN)
		reg |= MCH_SMRAM_D_OPEN;
	else if (state == MM_SMRAM_LOCKED)
		reg |= MCH_SMRAM_D_LCK;
	cs->mch.config[MCH_SMRAM] = reg;
}

/* m->lock.smram_changed: mirrors a core-side change, then calls the previous hook. */
static void mch_smram_changed(struct mm_machine *m, void *user, enum mm_smram_state state)
{
	struct mm_chipset *cs = user;

	smram_reg_mirror(cs, state);
	if (cs->mch.prev_hook)
		cs->mch.prev_hook(m, cs->mch.prev_user, state);
}

/* Tells the core the state the register now describes; on refusal, mirrors the core back. */
static void smram_sync_core(struct mm_machine *m, struct mm_chipset *cs)
{
	enum mm_smram_state want = smram_reg_state(cs->mch.config[MCH_SMRAM]);
	enum mm_err err;

	if (mm_smram_state(m) == want)
		return;
	mm_log(m, MM_LOG_LOCK, "chipset: SMRAM register 0x%02x: SMRAM %s -> %s",
	       cs->mch.config[MCH_SMRAM], mm_smram_state_name(mm_smram_state(m)),
	       mm_smram_state_name(want));
	err = mm_smram_set_state(m, want);
	if (err) {
		mm_log(m, MM_LOG_WARN, "chipset: SMRAM %s refused by the core (%s), stays %s",
		       mm_smram_state_name(want), mm_strerror(err),
		       mm_smram_state_name(mm_smram_state(m)));
		smram_reg_mirror(cs, mm_smram_state(m));
	}
}

/* A byte written to the SMRAM register; locked: D_LCK was set when the access began. */
static void smram_write(struct mm_machine *m, struct mm_chipset *cs, uint8_t v, bool locked)
{
	uint8_t old = cs->mch.config[MCH_SMRAM];
	uint8_t reg;

	if (locked) {
		reg = (old & ~MCH_SMRAM_LOCKED_WRITABLE) | (v & MCH_SMRAM_LOCKED_WRITABLE);
		if ((v ^ old) & (MCH_SMRAM_WRITABLE & ~MCH_SMRAM_LOCKED_WRITABLE))
			mm_log(m, MM_LOG_WARN,
			       "chipset: SMRAM register write 0x%02x by %s after D_LCK: only "
			       "D_CLS changes (now 0x%02x)",
			       v, mm_executing_name(m), reg);
	} else {
		reg = (v & MCH_SMRAM_WRITABLE) | MCH_SMRAM_C_BASE_SEG;
		if (reg & MCH_SMRAM_D_LCK)
			reg &= ~MCH_SMRAM_D_OPEN;
		if ((reg & MCH_SMRAM_D_OPEN) && (reg & MCH_SMRAM_D_CLS))
			mm_log(m, MM_LOG_WARN,
			       "chipset: SMRAM register 0x%02x sets D_OPEN and D_CLS together", v);
	}
	cs->mch.config[MCH_SMRAM] = reg;
	smram_sync_core(m, cs);
}

/* A byte written to ESMRAMC; read-only once SMRAM is locked. */
static void esmramc_write(struct mm_machine *m, struct mm_chipset *cs, uint8_t v, bool locked)
{
	uint8_t old = cs->mch.config[MCH_ESMRAMC];

	if (locked) {
		if ((v ^ old) & MCH_ESMRAMC_WRITABLE)
			mm_log(m, MM_LOG_WARN,
			       "chipset: ESMRAMC write 0x%02x after D_LCK ignored (stays 0x%02x)",
			       v, old);
		return;
	}
	cs->mch.config[MCH_ESMRAMC] = (old & ~MCH_ESMRAMC_WRITABLE) | (v & MCH_ESMRAMC_WRITABLE);
}

/* The bus of the 0xCF8 latch (bits 23:16). */
static unsigned cfg_bus(uint32_t address)
{
	return (address >> 16) & 0xFF;
}

/* The device and function of the 0xCF8 latch (bits 15:8). */
static unsigned cfg_devfn(uint32_t address)
{
	return (address >> 8) & 0xFF;
}

/* mm_io read callback of 0xCF8..0xCFB: only a dword read of 0xCF8 returns the latch. */
static uint64_t cfg_addr_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct mm_chipset *cs = user;

	(void)m;
	if (addr == PCI_CONFIG_ADDRESS && size == 4)
		return cs->mch.config_address;
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* mm_io write callback of 0xCF8..0xCFB: only a dword write of 0xCF8 sets the latch. */
static void cfg_addr_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
			   uint64_t value)
{
	struct mm_chipset *cs = user;

	if (addr == PCI_CONFIG_ADDRESS && size == 4) {
		cs->mch.config_address = (uint32_t)value;
		return;
	}
	mm_log(m, MM_LOG_IO, "chipset: %u-byte write 0x%llx to port 0x%llx dropped", size,
	       (unsigned long long)value, (unsigned long long)addr);
}

/* mm_io read callback of 0xCFC..0xCFF: bytes of the selected function's config space. */
static uint64_t cfg_data_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct mm_chipset *cs = user;
	uint32_t a = cs->mch.config_address;
	unsigned reg = (a & 0xFC) + (unsigned)(addr - PCI_CONFIG_DATA);

	if (!(a & PCI_CFG_ENABLE))
		return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
	return pci_config_read(m, cs, cfg_bus(a), cfg_devfn(a), reg, size);
}

/* mm_io write callback of 0xCFC..0xCFF: to the selected function's config space. */
static void cfg_data_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
			   uint64_t value)
{
	struct mm_chipset *cs = user;
	uint32_t a = cs->mch.config_address;
	unsigned reg = (a & 0xFC) + (unsigned)(addr - PCI_CONFIG_DATA);

	if (!(a & PCI_CFG_ENABLE)) {
		mm_log(m, MM_LOG_IO, "chipset: config write with 0xCF8 disabled (0x%08x)", a);
		return;
	}
	pci_config_write(m, cs, cfg_bus(a), cfg_devfn(a), reg, size, value);
}

uint64_t mch_config_read(struct mm_machine *m, struct mm_chipset *cs, unsigned reg,
			 unsigned size)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)cs->mch.config[(reg + i) & 0xFF] << (8 * i);
	mm_log(m, MM_LOG_IO, "chipset: MCH config read  0x%02x/%u = 0x%llx", reg, size,
	       (unsigned long long)v);
	return v;
}

/*
 * SMRAM and ESMRAMC are the writable MCH registers; PCIEXBAR is read-only
 * here (pci-ecam.c), a write trying to change it is logged as a warning.
 */
void mch_config_write(struct mm_machine *m, struct mm_chipset *cs, unsigned reg, unsigned size,
		      uint64_t value)
{
	bool locked = cs->mch.config[MCH_SMRAM] & MCH_SMRAM_D_LCK;

	mm_log(m, MM_LOG_IO, "chipset: MCH config write 0x%02x/%u = 0x%llx", reg, size,
	       (unsigned long long)value);
	for (unsigned i = 0; i < size; i++) {
		unsigned r = (reg + i) & 0xFF;
		uint8_t b = (uint8_t)(value >> (8 * i));

		if (r == MCH_SMRAM)
			smram_write(m, cs, b, locked);
		else if (r == MCH_ESMRAMC)
			esmramc_write(m, cs, b, locked);
		else if (r >= MCH_PCIEXBAR && r < MCH_PCIEXBAR + 8 && b != cs->mch.config[r])
			mm_log(m, MM_LOG_WARN,
			       "chipset: PCIEXBAR byte %u write 0x%02x by %s ignored (read-only "
			       "here; the platform places ECAM)",
			       r - MCH_PCIEXBAR, b, mm_executing_name(m));
	}
}

/* TSEG_SZ for the platform's SMRAM size: 1, 2 or 8 MiB, else the extended-TSEG code. */
static uint8_t esmramc_tseg_bits(const struct mm_machine *m)
{
	for (unsigned i = 0; i < m->platform.nregions; i++) {
		const struct mm_region_desc *d = &m->platform.regions[i];

		if (d->kind != MM_REGION_SMRAM)
			continue;
		switch (d->size) {
		case 0x100000: return 0u << 1;
		case 0x200000: return 1u << 1;
		case 0x800000: return MCH_ESMRAMC_TSEG_8MB;
		default: return MCH_ESMRAMC_TSEG_MASK;
		}
	}
	return 0;
}

/* Fills the configuration space of 0:0.0 as a Q35 host bridge after reset. */
static void mch_config_reset(struct mm_machine *m, struct mm_chipset *cs)
{
	uint8_t *c = cs->mch.config;

	c[0x00] = Q35_MCH_VENDOR_ID & 0xFF;
	c[0x01] = Q35_MCH_VENDOR_ID >> 8;
	c[0x02] = Q35_MCH_DEVICE_ID & 0xFF;
	c[0x03] = Q35_MCH_DEVICE_ID >> 8;
	c[0x0B] = 0x06; /* class: bridge, subclass 0: host bridge */
	c[MCH_SMRAM] = MCH_SMRAM_C_BASE_SEG | MCH_SMRAM_G_SMRAME;
	c[MCH_ESMRAMC] = MCH_ESMRAMC_SM_CACHE | MCH_ESMRAMC_SM_L1 | MCH_ESMRAMC_SM_L2 |
			 esmramc_tseg_bits(m) | MCH_ESMRAMC_T_EN;
	smram_reg_mirror(cs, mm_smram_state(m));
}

enum mm_err mch_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	enum mm_err err;

	mch_config_reset(m, cs);
	err = mm_io_add(m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4, cfg_addr_read, cfg_addr_write, cs,
			"pci-config-address");
	if (!err)
		err = mm_io_add(m, MM_IO_PORT, PCI_CONFIG_DATA, 4, cfg_data_read, cfg_data_write,
				cs, "pci-config-data");
	if (err)
		return mm_fail(m, err, "chipset: cannot claim PCI config ports 0xCF8..0xCFF: %s",
			       mm_strerror(err));
	cs->mch.prev_hook = m->lock.smram_changed;
	cs->mch.prev_user = m->lock.smram_user;
	m->lock.smram_changed = mch_smram_changed;
	m->lock.smram_user = cs;
	cs->mch.hooked = true;
	return MM_OK;
}

void mch_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	if (!cs->mch.hooked)
		return;
	if (m->lock.smram_changed == mch_smram_changed && m->lock.smram_user == cs) {
		m->lock.smram_changed = cs->mch.prev_hook;
		m->lock.smram_user = cs->mch.prev_user;
	}
	cs->mch.hooked = false;
}
