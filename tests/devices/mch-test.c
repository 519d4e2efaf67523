/* SPDX-License-Identifier: MIT */
/* Tests of devices/mch.c: PCI config mechanism #1 and the Q35 SMRAM registers. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/machine.h"
#include "devices/chipset.h"
#include "support.h"

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

static uint64_t cfg_read(struct mm_machine *m, uint32_t address, unsigned reg, unsigned size)
{
	mm_io_write(m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4, address);
	return mm_io_read(m, MM_IO_PORT, PCI_CONFIG_DATA + (reg & 3), size);
}

static void cfg_write(struct mm_machine *m, uint32_t address, unsigned reg, unsigned size,
		      uint64_t v)
{
	mm_io_write(m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4, address);
	mm_io_write(m, MM_IO_PORT, PCI_CONFIG_DATA + (reg & 3), size, v);
}

static uint8_t smram_read(struct mm_machine *m)
{
	return (uint8_t)cfg_read(m, CFG(0, 0, 0, MCH_SMRAM), MCH_SMRAM, 1);
}

static void smram_write(struct mm_machine *m, uint8_t v)
{
	cfg_write(m, CFG(0, 0, 0, MCH_SMRAM), MCH_SMRAM, 1, v);
}

static void test_mch_config_ids(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f->m, CFG(0, 0, 0, 0), 0, 4), 0x29C08086);
	assert_int_equal(cfg_read(f->m, CFG(0, 0, 0, 0), 2, 2), 0x29C0);
	assert_int_equal(cfg_read(f->m, CFG(0, 0, 0, 8), 0xB, 1), 0x06);
	assert_int_equal(mm_io_read(f->m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4), CFG(0, 0, 0, 8));
}

static void test_mch_config_absent_functions_read_ones(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_read(f->m, CFG(0, 1, 0, 0), 0, 4), 0xFFFFFFFF);
	assert_int_equal(cfg_read(f->m, CFG(0, 0x1F, 1, 0), 0, 4), 0xFFFFFFFF);
	assert_int_equal(cfg_read(f->m, CFG(0, 0x1E, 0, 0), 0, 4), 0xFFFFFFFF);
	/* 0:1f.0 is the LPC bridge (lpc-test.c). */
	assert_int_equal(cfg_read(f->m, CFG(0, 0x1F, 0, 0), 0, 4), 0x29188086);
	assert_int_equal(cfg_read(f->m, CFG(1, 0, 0, 0), 0, 2), 0xFFFF);
	assert_int_equal(cfg_read(f->m, CFG(0, 0, 0, 0) & ~0x80000000u, 0, 4), 0xFFFFFFFF);
	/* A byte write to 0xCF8 does not change the address latch. */
	mm_io_write(f->m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 4, CFG(0, 0, 0, 0));
	mm_io_write(f->m, MM_IO_PORT, PCI_CONFIG_ADDRESS, 1, 0x9C);
	assert_int_equal(mm_io_read(f->m, MM_IO_PORT, PCI_CONFIG_DATA, 4), 0x29C08086);
}

static void test_mch_smram_mirrors_core_state_at_attach(void **state)
{
	struct fixture *f = *state;
	uint8_t reg = smram_read(f->m);

	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_OPEN);
	assert_int_equal(reg, MCH_SMRAM_D_OPEN | MCH_SMRAM_G_SMRAME | MCH_SMRAM_C_BASE_SEG);
	assert_true(cfg_read(f->m, CFG(0, 0, 0, MCH_ESMRAMC), MCH_ESMRAMC, 1) & MCH_ESMRAMC_T_EN);
}

static void test_mch_smram_open_close(void **state)
{
	struct fixture *f = *state;

	smram_write(f->m, MCH_SMRAM_G_SMRAME);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_CLOSED);
	assert_int_equal(smram_read(f->m), MCH_SMRAM_G_SMRAME | MCH_SMRAM_C_BASE_SEG);
	smram_write(f->m, MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_OPEN);
	smram_write(f->m, MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_CLS);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_CLOSED);
	assert_int_equal(f->log.count, 0);
}

static void test_mch_smram_lock_refuses_reopen(void **state)
{
	struct fixture *f = *state;

	smram_write(f->m, MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_LCK | MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_LOCKED);
	/* Setting D_LCK clears D_OPEN. */
	assert_int_equal(smram_read(f->m),
			 MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_LCK | MCH_SMRAM_C_BASE_SEG);
	smram_write(f->m, MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_LOCKED);
	assert_false(smram_read(f->m) & MCH_SMRAM_D_OPEN);
	assert_true(smram_read(f->m) & MCH_SMRAM_D_LCK);
	assert_true(mm_test_log_contains(&f->log, "after D_LCK"));
	/* D_CLS stays writable. */
	smram_write(f->m, MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_LCK | MCH_SMRAM_D_CLS);
	assert_true(smram_read(f->m) & MCH_SMRAM_D_CLS);
	/* ESMRAMC is read-only after lock. */
	cfg_write(f->m, CFG(0, 0, 0, MCH_ESMRAMC), MCH_ESMRAMC, 1, 0);
	assert_true(cfg_read(f->m, CFG(0, 0, 0, MCH_ESMRAMC), MCH_ESMRAMC, 1) & MCH_ESMRAMC_T_EN);
}

static void test_mch_smram_lock_in_same_access_as_esmramc(void **state)
{
	struct fixture *f = *state;

	/* A word write at 0x9C: the lock applies from the next access on. */
	cfg_write(f->m, CFG(0, 0, 0, 0x9C), 0x9D, 2,
		  MCH_SMRAM_G_SMRAME | MCH_SMRAM_D_LCK | (uint64_t)MCH_ESMRAMC_H_SMRAME << 8);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_LOCKED);
	assert_int_equal(cfg_read(f->m, CFG(0, 0, 0, MCH_ESMRAMC), MCH_ESMRAMC, 1) &
				 (MCH_ESMRAMC_H_SMRAME | MCH_ESMRAMC_T_EN),
			 MCH_ESMRAMC_H_SMRAME);
}

static void test_mch_smram_follows_core_changes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_smram_set_state(f->m, MM_SMRAM_CLOSED), MM_OK);
	assert_false(smram_read(f->m) & MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_set_state(f->m, MM_SMRAM_OPEN), MM_OK);
	assert_true(smram_read(f->m) & MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_ready_to_lock(f->m), MM_OK);
	assert_int_equal(smram_read(f->m) & (MCH_SMRAM_D_OPEN | MCH_SMRAM_D_LCK),
			 MCH_SMRAM_D_LCK);
	smram_write(f->m, MCH_SMRAM_D_OPEN);
	assert_int_equal(mm_smram_state(f->m), MM_SMRAM_LOCKED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mch_config_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mch_config_absent_functions_read_ones, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mch_smram_mirrors_core_state_at_attach, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mch_smram_open_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mch_smram_lock_refuses_reopen, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mch_smram_lock_in_same_access_as_esmramc,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mch_smram_follows_core_changes, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
