/* SPDX-License-Identifier: MIT */
/* Tests of devices/lpc.c: the LPC bridge 0:1f.0, PMBASE relocation and ACPI_EN. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/machine.h"
#include "devices/chipset.h"
#include "support.h"

#define LPC(reg) (0x80000000u | (31u << 11) | ((reg) & 0xFC))

static int setup(void **state)
{
	*state = mm_test_machine();
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

static uint32_t cfg_read(struct mm_machine *m, unsigned reg)
{
	mm_io_write(m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4, LPC(reg));
	return (uint32_t)mm_io_read(m, MM_IO_PORT, PCI_CONFIG_DATA, 4);
}

static void cfg_write(struct mm_machine *m, unsigned reg, uint32_t v)
{
	mm_io_write(m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4, LPC(reg));
	mm_io_write(m, MM_IO_PORT, PCI_CONFIG_DATA, 4, v);
}

static void test_lpc_config_reset_state(void **state)
{
	struct mm_machine *m = *state;

	assert_int_equal(cfg_read(m, 0), 0x29188086);
	assert_int_equal(cfg_read(m, ICH9_LPC_PMBASE), ICH9_PMBASE_DEFAULT | 1);
	assert_true(cfg_read(m, ICH9_LPC_ACPI_CNTL) & ICH9_LPC_ACPI_CNTL_ACPI_EN);
}

static void test_lpc_config_write_moves_pmbase(void **state)
{
	struct mm_machine *m = *state;
	uint32_t smi_en;

	smi_en = (uint32_t)mm_io_read(m, MM_IO_PORT, ICH9_PMBASE_DEFAULT + ICH9_PMIO_SMI_EN, 4);
	cfg_write(m, ICH9_LPC_PMBASE, 0xB000 | 0x7F); /* low bits are read-only */
	assert_int_equal(cfg_read(m, ICH9_LPC_PMBASE), 0xB001);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0xB000 + ICH9_PMIO_SMI_EN, 4), smi_en);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, ICH9_PMBASE_DEFAULT + ICH9_PMIO_SMI_EN, 4),
			 0xFFFFFFFF);
	/* SMIs still work through the new ports: APMC gated by SMI_EN at 0xB030. */
	mm_io_write(m, MM_IO_PORT, 0xB000 + ICH9_PMIO_SMI_EN, 4, smi_en & ~ICH9_SMI_EN_APMC_EN);
	assert_int_equal(mm_sw_smi(m, 0, 0x42, 0), MM_OK);
	assert_int_equal(m->smi.count, 0);
}

static void test_lpc_config_acpi_en_clear_drops_decode(void **state)
{
	struct mm_machine *m = *state;

	cfg_write(m, ICH9_LPC_ACPI_CNTL, 0);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, ICH9_PMBASE_DEFAULT + ICH9_PMIO_SMI_EN, 4),
			 0xFFFFFFFF);
	assert_int_equal(mm_sleep(m, 5), MM_ERR_STATE);
	cfg_write(m, ICH9_LPC_ACPI_CNTL, ICH9_LPC_ACPI_CNTL_ACPI_EN);
	assert_int_not_equal(mm_io_read(m, MM_IO_PORT, ICH9_PMBASE_DEFAULT + ICH9_PMIO_SMI_EN, 4),
			     0xFFFFFFFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lpc_config_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_config_write_moves_pmbase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpc_config_acpi_en_clear_drops_decode, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
