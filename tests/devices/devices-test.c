/* SPDX-License-Identifier: MIT */
/* Tests of devices/devices.c: attaching the platform's devices to a machine. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/machine.h"
#include "devices/chipset.h"
#include "devices/devices.h"
#include "support.h"

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

static void test_mm_devices_attach_claims_ports(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	assert_non_null(cs);
	assert_non_null(cs->pm.root_handle);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, DEBUGCON_PORT, 1), DEBUGCON_READBACK);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, SERIAL_COM1 + 5, 1), 0x60);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, ICH9_PMBASE_DEFAULT + ICH9_PMIO_SMI_EN, 4),
			 ICH9_SMI_EN_GBL_SMI_EN | ICH9_SMI_EN_APMC_EN | ICH9_SMI_EN_EOS);
	assert_true(m->lock.smram_changed != NULL);
}

static void test_mm_devices_attach_twice_fails(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	assert_int_equal(mm_devices_attach(m), MM_ERR_EXISTS);
	assert_ptr_equal(mm_chipset(m), cs);
	assert_non_null(strstr(mm_machine_error(m), "already attached"));
}

static void test_mm_devices_attach_fails_on_taken_port(void **state)
{
	struct mm_machine *m = NULL;
	char err[256] = "";

	(void)state;
	assert_int_equal(mm_core_create(NULL, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, DEBUGCON_PORT, 1, NULL, NULL, NULL, "other"),
			 MM_OK);
	assert_int_equal(mm_devices_attach(m), MM_ERR_EXISTS);
	assert_non_null(strstr(mm_machine_error(m), "debug port"));
	mm_machine_destroy(m); /* frees the half-attached chipset (ASan checks) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_devices_attach_claims_ports, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_devices_attach_twice_fails, setup,
						teardown),
		cmocka_unit_test(test_mm_devices_attach_fails_on_taken_port),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
