/* SPDX-License-Identifier: MIT */
/*
 * PCI express enhanced configuration access (ECAM) and the routing of every
 * configuration access to the function that owns it. CF8/CFC (mch.c) and the
 * ECAM window reach the same registers through pci_config_read/_write.
 *
 * ECAM layout (PCI Express Base 3.0, 7.2.2): address = base + bus << 20 +
 * dev << 15 + fn << 12 + reg. Q35 places the window where the MCH's
 * PCIEXBAR (0x60) says; OVMF programs 0xB0000000 with 256 buses, the reset
 * state here, so that drivers that read PcdPciExpressBaseAddress find it.
 * PCIEXBAR is read-only in this model: moving the window is a platform
 * decision (mm_pci_set_ecam), not something a driver under test does.
 */
#include <mmemu/pci.h>

#include "core/machine.h"
#include "chipset.h"
#include "pci-ecam.h"

#define ECAM_BUS_SHIFT 20
#define ECAM_DEVFN_SHIFT 12

/* All ones of size bytes: what an absent function returns. */
static uint64_t all_ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

/* One access of up to 4 bytes to an existing function, or all ones. */
static uint64_t config_read4(struct mm_machine *m, struct mm_chipset *cs, unsigned bus,
			     unsigned devfn, unsigned reg, unsigned size)
{
	if (bus != 0 || (devfn != 0 && devfn != ICH9_LPC_DEVFN))
		return all_ones(size);
	if (reg >= PCI_CONFIG_SPACE)
		return 0; /* extended space of a function without extended capabilities */
	if (reg + size > PCI_CONFIG_SPACE)
		size = PCI_CONFIG_SPACE - reg;
	if (devfn == 0)
		return mch_config_read(m, cs, reg, size);
	return lpc_config_read(m, cs, reg, size);
}

uint64_t pci_config_read(struct mm_machine *m, struct mm_chipset *cs, unsigned bus,
			 unsigned devfn, unsigned reg, unsigned size)
{
	if (size == 8)
		return config_read4(m, cs, bus, devfn, reg, 4) |
		       config_read4(m, cs, bus, devfn, reg + 4, 4) << 32;
	return config_read4(m, cs, bus, devfn, reg, size);
}

/* One write of up to 4 bytes; absent functions and extended space drop it. */
static void config_write4(struct mm_machine *m, struct mm_chipset *cs, unsigned bus,
			  unsigned devfn, unsigned reg, unsigned size, uint64_t value)
{
	if (bus != 0 || (devfn != 0 && devfn != ICH9_LPC_DEVFN)) {
		mm_log(m, MM_LOG_IO, "pci: config write to absent function %02x:%02x.%x dropped",
		       bus, devfn >> 3, devfn & 7);
		return;
	}
	if (reg >= PCI_CONFIG_SPACE)
		return;
	if (reg + size > PCI_CONFIG_SPACE)
		size = PCI_CONFIG_SPACE - reg;
	if (devfn == 0)
		mch_config_write(m, cs, reg, size, value);
	else
		lpc_config_write(m, cs, reg, size, value);
}

void pci_config_write(struct mm_machine *m, struct mm_chipset *cs, unsigned bus, unsigned devfn,
		      unsigned reg, unsigned size, uint64_t value)
{
	if (size == 8) {
		config_write4(m, cs, bus, devfn, reg, 4, value & 0xFFFFFFFFu);
		config_write4(m, cs, bus, devfn, reg + 4, 4, value >> 32);
		return;
	}
	config_write4(m, cs, bus, devfn, reg, size, value);
}

uint64_t pci_ecam_base(const struct mm_chipset *cs)
{
	const uint8_t *c = &cs->mch.config[MCH_PCIEXBAR];
	uint32_t lo = c[0] | c[1] << 8 | c[2] << 16 | (uint32_t)c[3] << 24;

	return (lo & MCH_PCIEXBAR_EN) ? (lo & MCH_PCIEXBAR_BASE_MASK) : 0;
}

/* mm_io read callback of the ECAM window. */
static uint64_t ecam_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct mm_chipset *cs = user;
	uint64_t off = addr - pci_ecam_base(cs);
	unsigned reg = off & (PCI_CONFIG_SPACE_EXT - 1);

	if (reg & (size - 1) || reg + size > PCI_CONFIG_SPACE_EXT) {
		mm_log(m, MM_LOG_WARN, "pci: misaligned ECAM read of %u bytes at 0x%llx", size,
		       (unsigned long long)addr);
		return all_ones(size);
	}
	return pci_config_read(m, cs, (unsigned)(off >> ECAM_BUS_SHIFT),
			       (unsigned)(off >> ECAM_DEVFN_SHIFT) & 0xFF, reg, size);
}

/* mm_io write callback of the ECAM window. */
static void ecam_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
		       uint64_t value)
{
	struct mm_chipset *cs = user;
	uint64_t off = addr - pci_ecam_base(cs);
	unsigned reg = off & (PCI_CONFIG_SPACE_EXT - 1);

	if (reg & (size - 1) || reg + size > PCI_CONFIG_SPACE_EXT) {
		mm_log(m, MM_LOG_WARN, "pci: misaligned ECAM write of %u bytes at 0x%llx dropped",
		       size, (unsigned long long)addr);
		return;
	}
	pci_config_write(m, cs, (unsigned)(off >> ECAM_BUS_SHIFT),
			 (unsigned)(off >> ECAM_DEVFN_SHIFT) & 0xFF, reg, size, value);
}

/* Stores PCIEXBAR (low dword; the high one stays 0: the window is below 4 GiB). */
static void pciexbar_store(struct mm_chipset *cs, uint32_t lo)
{
	uint8_t *c = &cs->mch.config[MCH_PCIEXBAR];

	for (unsigned i = 0; i < 4; i++)
		c[i] = (uint8_t)(lo >> (8 * i));
	for (unsigned i = 4; i < 8; i++)
		c[i] = 0;
}

enum mm_err pci_ecam_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	enum mm_err err;

	pciexbar_store(cs, (uint32_t)MM_PCI_ECAM_DEFAULT | MCH_PCIEXBAR_LEN_256M |
				   MCH_PCIEXBAR_EN);
	err = mm_io_add(m, MM_IO_MMIO, MM_PCI_ECAM_DEFAULT, MM_PCI_ECAM_SIZE, ecam_read,
			ecam_write, cs, "pci-ecam");
	if (err)
		return mm_fail(m, err, "pci: cannot claim the ECAM window 0x%llx+0x%llx: %s",
			       (unsigned long long)MM_PCI_ECAM_DEFAULT,
			       (unsigned long long)MM_PCI_ECAM_SIZE, mm_strerror(err));
	return MM_OK;
}

void pci_ecam_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	(void)m, (void)cs;
}

enum mm_err mm_pci_set_ecam(struct mm_machine *m, uint64_t base)
{
	struct mm_chipset *cs = mm_chipset(m);
	uint64_t old;
	enum mm_err err = MM_OK;

	if (!cs)
		return mm_fail(m, MM_ERR_STATE, "pci: no chipset attached");
	if ((base & (MM_PCI_ECAM_SIZE - 1)) || base >= (1ull << 32))
		return mm_fail(m, MM_ERR_INVALID,
			       "pci: ECAM base 0x%llx is not 256 MiB aligned below 4 GiB",
			       (unsigned long long)base);
	old = pci_ecam_base(cs);
	if (old == base)
		return MM_OK;
	if (old)
		mm_io_remove(m, MM_IO_MMIO, old);
	if (base)
		err = mm_io_add(m, MM_IO_MMIO, base, MM_PCI_ECAM_SIZE, ecam_read, ecam_write, cs,
				"pci-ecam");
	if (err) {
		pciexbar_store(cs, 0);
		return mm_fail(m, err, "pci: cannot move the ECAM window to 0x%llx: %s",
			       (unsigned long long)base, mm_strerror(err));
	}
	pciexbar_store(cs, base ? (uint32_t)base | MCH_PCIEXBAR_LEN_256M | MCH_PCIEXBAR_EN : 0);
	return MM_OK;
}

/* Checks the arguments of mm_pci_config_read/_write; MM_OK or MM_ERR_INVALID. */
static enum mm_err config_args(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
			       unsigned reg, unsigned size)
{
	if (bus > 255 || dev > 31 || fn > 7 || reg >= PCI_CONFIG_SPACE_EXT ||
	    (size != 1 && size != 2 && size != 4) || (reg & (size - 1)))
		return mm_fail(m, MM_ERR_INVALID,
			       "pci: bad config access %u:%u.%u reg 0x%x size %u", bus, dev, fn,
			       reg, size);
	return MM_OK;
}

enum mm_err mm_pci_config_read(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
			       unsigned reg, unsigned size, uint32_t *value)
{
	struct mm_chipset *cs = mm_chipset(m);
	enum mm_err err;

	if (!cs)
		return mm_fail(m, MM_ERR_STATE, "pci: no chipset attached");
	if (!value)
		return mm_fail(m, MM_ERR_INVALID, "pci: NULL value");
	err = config_args(m, bus, dev, fn, reg, size);
	if (!err)
		*value = (uint32_t)pci_config_read(m, cs, bus, dev << 3 | fn, reg, size);
	return err;
}

enum mm_err mm_pci_config_write(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
				unsigned reg, unsigned size, uint32_t value)
{
	struct mm_chipset *cs = mm_chipset(m);
	enum mm_err err;

	if (!cs)
		return mm_fail(m, MM_ERR_STATE, "pci: no chipset attached");
	err = config_args(m, bus, dev, fn, reg, size);
	if (!err)
		pci_config_write(m, cs, bus, dev << 3 | fn, reg, size, value);
	return err;
}

enum mm_err mm_pci_set_pmbase(struct mm_machine *m, uint16_t base)
{
	struct mm_chipset *cs = mm_chipset(m);
	uint8_t acpi;

	if (!cs)
		return mm_fail(m, MM_ERR_STATE, "pci: no chipset attached");
	if (!base || (base & ~ICH9_LPC_PMBASE_MASK))
		return mm_fail(m, MM_ERR_INVALID, "pci: PMBASE 0x%x is not 128-byte aligned",
			       base);
	lpc_config_write(m, cs, ICH9_LPC_PMBASE, 2, base | ICH9_LPC_PMBASE_RTE);
	acpi = (uint8_t)lpc_config_read(m, cs, ICH9_LPC_ACPI_CNTL, 1);
	lpc_config_write(m, cs, ICH9_LPC_ACPI_CNTL, 1, acpi | ICH9_LPC_ACPI_CNTL_ACPI_EN);
	return MM_OK;
}
