/* SPDX-License-Identifier: MIT */
/* Tests of devices/pci-ecam.c: ECAM and CF8/CFC reach the same configuration registers. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <mmemu/io.h>
#include <mmemu/pci.h>

#include "core/machine.h"
#include "devices/chipset.h"
#include "devices/pci-ecam.h"
#include "support.h"

#define ECAM 0xB0000000ull
#define ECAM_ADDR(base, bus, dev, fn, reg)                                                 \
	((base) + ((uint64_t)(bus) << 20) + ((dev) << 15) + ((fn) << 12) + (reg))
#define CFG(bus, dev, fn, reg)                                                             \
	(0x80000000u | ((bus) << 16) | ((dev) << 11) | ((fn) << 8) | ((reg) & 0xFC))

struct fixture {
	struct mm_machine *m;
	struct mm_test_log log;
};

static int setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.m = mm_test_machine();
	mm_test_log_attach(f.m, &f.log, MM_LOG_WARN);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_machine_destroy(f->m);
	return 0;
}

static uint32_t cf8_read(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
			 unsigned reg, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(mm_port_write(m, PCI_CONFIG_ADDRESS, 4, CFG(bus, dev, fn, reg)), MM_OK);
	assert_int_equal(mm_port_read(m, (uint16_t)(PCI_CONFIG_DATA + (reg & 3)), size, &v),
			 MM_OK);
	return v;
}

static void cf8_write(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
		      unsigned reg, unsigned size, uint32_t v)
{
	assert_int_equal(mm_port_write(m, PCI_CONFIG_ADDRESS, 4, CFG(bus, dev, fn, reg)), MM_OK);
	assert_int_equal(mm_port_write(m, (uint16_t)(PCI_CONFIG_DATA + (reg & 3)), size, v),
			 MM_OK);
}

static uint64_t ecam_read(struct mm_machine *m, unsigned bus, unsigned dev, unsigned fn,
			  unsigned reg, unsigned size)
{
	return mm_io_read(m, MM_IO_MMIO, ECAM_ADDR(ECAM, bus, dev, fn, reg), size);
}

static void test_pci_ecam_ids_match_cf8(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ecam_read(f->m, 0, 0, 0, 0, 4), 0x29C08086u);
	assert_int_equal(cf8_read(f->m, 0, 0, 0, 0, 4), 0x29C08086u);
	assert_int_equal(ecam_read(f->m, 0, 31, 0, 0, 4), 0x29188086u);
	assert_int_equal(cf8_read(f->m, 0, 31, 0, 0, 4), 0x29188086u);
	assert_int_equal(ecam_read(f->m, 0, 0, 0, 2, 2), 0x29C0);
	assert_int_equal(ecam_read(f->m, 0, 0, 0, 3, 1), 0x29);
}

static void test_pci_ecam_pciexbar_reports_window(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ecam_read(f->m, 0, 0, 0, MCH_PCIEXBAR, 4), 0xB0000001u);
	assert_int_equal(cf8_read(f->m, 0, 0, 0, MCH_PCIEXBAR, 4), 0xB0000001u);
	assert_int_equal(cf8_read(f->m, 0, 0, 0, MCH_PCIEXBAR + 4, 4), 0);
	assert_int_equal(ecam_read(f->m, 0, 0, 0, MCH_PCIEXBAR, 8), 0xB0000001ull);
	/* read-only here: a write that would move the window is refused, and said so */
	cf8_write(f->m, 0, 0, 0, MCH_PCIEXBAR, 4, 0xE0000001u);
	assert_int_equal(ecam_read(f->m, 0, 0, 0, MCH_PCIEXBAR, 4), 0xB0000001u);
	assert_true(mm_test_log_contains(&f->log, "PCIEXBAR"));
}

static void test_pci_ecam_absent_functions_read_ones(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(ecam_read(f->m, 0, 1, 0, 0, 4), 0xFFFFFFFFu);
	assert_int_equal(ecam_read(f->m, 0, 0, 1, 0, 2), 0xFFFF);
	assert_int_equal(ecam_read(f->m, 1, 0, 0, 0, 4), 0xFFFFFFFFu);
	assert_int_equal(ecam_read(f->m, 255, 31, 7, 0xFFC, 4), 0xFFFFFFFFu);
	assert_int_equal(cf8_read(f->m, 0, 2, 0, 0, 4), 0xFFFFFFFFu);
	/* extended space of an existing function without capabilities reads 0 */
	assert_int_equal(ecam_read(f->m, 0, 0, 0, 0x100, 4), 0);
	/* a write to an absent function is dropped, the MCH untouched */
	mm_io_write(f->m, MM_IO_MMIO, ECAM_ADDR(ECAM, 0, 3, 0, MCH_SMRAM), 1, 0xFF);
	assert_int_equal(ecam_read(f->m, 0, 3, 0, MCH_SMRAM, 1), 0xFF);
	assert_int_equal(ecam_read(f->m, 0, 0, 0, MCH_SMRAM, 1),
			 cf8_read(f->m, 0, 0, 0, MCH_SMRAM, 1));
}

/* A write through one path is seen by the other: one model, two ways in. */
static void test_pci_ecam_write_coherent_with_cf8(void **state)
{
	struct fixture *f = *state;
	uint8_t smram;

	mm_io_write(f->m, MM_IO_MMIO, ECAM_ADDR(ECAM, 0, 0, 0, MCH_SMRAM), 1,
		    MCH_SMRAM_D_OPEN | MCH_SMRAM_G_SMRAME);
	smram = (uint8_t)cf8_read(f->m, 0, 0, 0, MCH_SMRAM, 1);
	assert_true(smram & MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_OPEN);
	cf8_write(f->m, 0, 0, 0, MCH_SMRAM, 1, MCH_SMRAM_G_SMRAME);
	assert_false(ecam_read(f->m, 0, 0, 0, MCH_SMRAM, 1) & MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_CLOSED);

	/* LPC PMBASE through ECAM, read back through CF8/CFC, moves the PM ports */
	mm_io_write(f->m, MM_IO_MMIO, ECAM_ADDR(ECAM, 0, 31, 0, ICH9_LPC_PMBASE), 4, 0x701);
	assert_int_equal(cf8_read(f->m, 0, 31, 0, ICH9_LPC_PMBASE, 4), 0x701);
	assert_int_equal(mm_chipset(f->m)->pm.pmbase, 0x700);
}

static void test_mm_pci_set_ecam_moves_window(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	assert_int_equal(mm_pci_set_ecam(f->m, 0xE0000000ull), MM_OK);
	assert_int_equal(mm_io_read(f->m, MM_IO_MMIO, ECAM_ADDR(0xE0000000ull, 0, 0, 0, 0), 4),
			 0x29C08086u);
	assert_int_equal(mm_io_read(f->m, MM_IO_MMIO, ECAM_ADDR(ECAM, 0, 0, 0, 0), 4),
			 0xFFFFFFFFu); /* nothing claims the old window */
	assert_int_equal(cf8_read(f->m, 0, 0, 0, MCH_PCIEXBAR, 4), 0xE0000001u);
	assert_int_equal(mm_pci_set_ecam(f->m, 0xE1000000ull), MM_ERR_INVALID);
	assert_int_equal(mm_pci_set_ecam(f->m, 0), MM_OK);
	assert_int_equal(cf8_read(f->m, 0, 0, 0, MCH_PCIEXBAR, 4), 0);
	assert_int_equal(mm_pci_config_read(f->m, 0, 31, 0, 2, 2, &v), MM_OK);
	assert_int_equal(v, 0x2918);
}

static void test_mm_pci_config_read_write(void **state)
{
	struct fixture *f = *state;
	uint32_t v = 0;

	assert_int_equal(mm_pci_config_read(f->m, 0, 0, 0, 0, 4, &v), MM_OK);
	assert_int_equal(v, 0x29C08086u);
	assert_int_equal(mm_pci_config_read(f->m, 0, 5, 0, 0, 4, &v), MM_OK);
	assert_int_equal(v, 0xFFFFFFFFu);
	assert_int_equal(mm_pci_config_read(f->m, 0, 0, 0, 1, 2, &v), MM_ERR_INVALID);
	assert_int_equal(mm_pci_config_read(f->m, 0, 32, 0, 0, 4, &v), MM_ERR_INVALID);
	assert_int_equal(mm_pci_config_read(f->m, 0, 0, 0, 0x1000, 4, &v), MM_ERR_INVALID);
	assert_int_equal(mm_pci_config_write(f->m, 0, 31, 0, ICH9_LPC_ACPI_CNTL, 1, 0), MM_OK);
	assert_false(mm_chipset(f->m)->pm.decoded);
	assert_int_equal(mm_pci_set_pmbase(f->m, 0x680), MM_OK);
	assert_true(mm_chipset(f->m)->pm.decoded);
	assert_int_equal(mm_chipset(f->m)->pm.pmbase, 0x680);
	assert_int_equal(mm_pci_set_pmbase(f->m, 0x681), MM_ERR_INVALID);
	assert_int_equal(mm_pci_set_pmbase(f->m, 0), MM_ERR_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pci_ecam_ids_match_cf8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pci_ecam_pciexbar_reports_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pci_ecam_absent_functions_read_ones, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pci_ecam_write_coherent_with_cf8, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_pci_set_ecam_moves_window, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_pci_config_read_write, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
