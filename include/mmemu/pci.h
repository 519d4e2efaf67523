/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space of the simulated Q35 platform, as code outside SMM
 * reaches it: mechanism #1 (ports 0xCF8/0xCFC) and PCI express enhanced
 * configuration (ECAM, MMIO) see the same registers.
 */
#ifndef MMEMU_PCI_H
#define MMEMU_PCI_H

#include <stdint.h>

#include "error.h"

struct mm_machine;

/* Q35: the ECAM window OVMF programs (PcdPciExpressBaseAddress), 256 buses. */
#define MM_PCI_ECAM_DEFAULT 0xB0000000ull
#define MM_PCI_ECAM_SIZE 0x10000000ull

/*
 * Moves the ECAM window of m to base (256 MiB aligned, below 4 GiB), as
 * firmware programming the MCH's PCIEXBAR would; 0 disables it. Returns
 * MM_OK, MM_ERR_INVALID (misaligned), MM_ERR_EXISTS (overlaps a claimed
 * MMIO range) or MM_ERR_STATE (no chipset).
 */
enum mm_err mm_pci_set_ecam(struct mm_machine *m, uint64_t base);

/*
 * Reads (writes) size (1, 2, 4) bytes of the configuration register reg
 * (0..0xFFF) of function bus:dev.fn. An absent function reads all ones.
 * Returns MM_OK, MM_ERR_INVALID (bad size, alignment or numbers) or
 * MM_ERR_STATE (no chipset).
 */
enum mm_err mm_pci_config_read(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
			       unsigned reg, unsigned size, uint32_t *value);
enum mm_err mm_pci_config_write(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
				unsigned reg, unsigned size, uint32_t value);

/*
 * Sets the LPC bridge's PMBASE (and ACPI_EN) so that the PM ports decode at
 * base, as firmware does before MM runs. Returns MM_OK, MM_ERR_INVALID
 * (not 128-byte aligned, or 0) or MM_ERR_STATE (no chipset).
 */
enum mm_err mm_pci_set_pmbase(struct mm_machine *m, uint16_t base);

#endif /* MMEMU_PCI_H */
