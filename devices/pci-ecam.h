/* SPDX-License-Identifier: MIT */
/*
 * The platform's one PCI configuration space model. Both ways in reach it:
 * mechanism #1 through ports 0xCF8/0xCFC (mch.c) and PCI express enhanced
 * configuration access (ECAM, pci-ecam.c), an MMIO window of 1 MiB per bus
 * and 4 KiB per function. Functions that exist: 0:0.0 (the Q35 MCH, mch.c)
 * and 0:1f.0 (the ICH9 LPC bridge, lpc.c); every other function reads all
 * ones and drops writes.
 */
#ifndef DEVICES_PCI_ECAM_H
#define DEVICES_PCI_ECAM_H

#include <stdint.h>

#include <mmemu/error.h>

struct mm_machine;
struct mm_chipset;

/*
 * PCIEXBAR, MCH 0:0.0 offset 0x60, 64 bits (Q35 datasheet 316966 5.1.13;
 * Q35MchIch9.h MCH_PCIEXBAR_LOW/HIGH): base in bits 35:28, LENGTH in 2:1
 * (00: 256 MiB, 256 buses), PCIEXBAREN in bit 0.
 */
#define MCH_PCIEXBAR 0x60
#define MCH_PCIEXBAR_EN 0x1u
#define MCH_PCIEXBAR_LEN_256M 0x0u
#define MCH_PCIEXBAR_BASE_MASK 0xF0000000u

/* Bytes of configuration space of one function through ECAM; 256 through CF8/CFC. */
#define PCI_CONFIG_SPACE_EXT 0x1000u
#define PCI_CONFIG_SPACE 0x100u

/*
 * Reads size (1, 2, 4; 8 as two dwords) bytes at register reg of function
 * bus:devfn (devfn = dev << 3 | fn). reg + size stays inside 4 KiB. Bytes of
 * an existing function past its 256 modelled ones read 0.
 */
uint64_t pci_config_read(struct mm_machine *m, struct mm_chipset *cs, unsigned bus,
			 unsigned devfn, unsigned reg, unsigned size);
/* Writes like pci_config_read reads; absent functions drop the write (logged). */
void pci_config_write(struct mm_machine *m, struct mm_chipset *cs, unsigned bus, unsigned devfn,
		      unsigned reg, unsigned size, uint64_t value);

/* The MCH's own registers (mch.c): reg is a byte offset below 256. */
uint64_t mch_config_read(struct mm_machine *m, struct mm_chipset *cs, unsigned reg,
			 unsigned size);
void mch_config_write(struct mm_machine *m, struct mm_chipset *cs, unsigned reg, unsigned size,
		      uint64_t value);

/* The ECAM window base PCIEXBAR describes, or 0 when disabled. */
uint64_t pci_ecam_base(const struct mm_chipset *cs);

/* Claims the ECAM window PCIEXBAR describes (reset: 0xB0000000, enabled). */
enum mm_err pci_ecam_attach(struct mm_machine *m, struct mm_chipset *cs);
/* Nothing outside the chipset struct to undo yet; kept for symmetry. */
void pci_ecam_detach(struct mm_machine *m, struct mm_chipset *cs);

#endif /* DEVICES_PCI_ECAM_H */
