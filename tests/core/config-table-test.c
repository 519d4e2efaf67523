/* SPDX-License-Identifier: MIT */
/* Tests of core/config-table.c: install, update, delete, growth, MMST mirror. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

/* The machine, with an MMST even if the Foundation has none yet. */
struct fixture {
	struct mm_machine *m;
	EFI_MM_SYSTEM_TABLE own;
	bool borrowed;
};

static EFI_GUID guid_n(unsigned n)
{
	EFI_GUID g = { 0xc0f16000 + n, 0x1234, 0x5678, { 9, 8, 7, 6, 5, 4, 3, (UINT8)n } };

	return g;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = mm_test_machine();
	if (!f->m->mmst) {
		f->m->mmst = &f->own;
		f->borrowed = true;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->borrowed)
		f->m->mmst = NULL;
	mm_machine_destroy(f->m);
	free(f);
	return 0;
}

/* The MMST shows exactly the table of the machine. */
static void assert_mirrored(struct mm_machine *m)
{
	assert_int_equal(m->mmst->NumberOfTableEntries, m->config_count);
	assert_ptr_equal(m->mmst->MmConfigurationTable, m->config);
}

static void test_mm_config_table_set_install(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	unsigned before = m->config_count;
	EFI_GUID g = guid_n(1);
	int t;

	assert_null(mm_config_table_get(m, &g));
	assert_int_equal(mm_config_table_set(m, &g, &t), MM_OK);
	assert_ptr_equal(mm_config_table_get(m, &g), &t);
	assert_int_equal(m->config_count, before + 1);
	assert_true(mm_mem_inside_smram(m, (uint64_t)(uintptr_t)m->config,
					m->config_cap * sizeof(EFI_CONFIGURATION_TABLE)));
	assert_mirrored(m);
	assert_memory_equal(&m->mmst->MmConfigurationTable[before].VendorGuid, &g, sizeof(g));
	assert_ptr_equal(m->mmst->MmConfigurationTable[before].VendorTable, &t);
}

static void test_mm_config_table_set_update(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	EFI_GUID g = guid_n(2);
	unsigned count;
	int t1, t2;

	assert_int_equal(mm_config_table_set(m, &g, &t1), MM_OK);
	count = m->config_count;
	assert_int_equal(mm_config_table_set(m, &g, &t2), MM_OK);
	assert_int_equal(m->config_count, count);
	assert_ptr_equal(mm_config_table_get(m, &g), &t2);
	assert_mirrored(m);
}

static void test_mm_config_table_set_delete_keeps_order(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	unsigned before = m->config_count;
	EFI_GUID g1 = guid_n(1), g2 = guid_n(2), g3 = guid_n(3);
	int t1, t2, t3;

	assert_int_equal(mm_config_table_set(m, &g1, &t1), MM_OK);
	assert_int_equal(mm_config_table_set(m, &g2, &t2), MM_OK);
	assert_int_equal(mm_config_table_set(m, &g3, &t3), MM_OK);
	assert_int_equal(mm_config_table_set(m, &g2, NULL), MM_OK);
	assert_int_equal(m->config_count, before + 2);
	assert_null(mm_config_table_get(m, &g2));
	assert_ptr_equal(m->config[before].VendorTable, &t1);
	assert_ptr_equal(m->config[before + 1].VendorTable, &t3);
	assert_mirrored(m);
	assert_int_equal(mm_config_table_set(m, &g2, NULL), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_config_table_set(m, NULL, &t1), MM_ERR_INVALID);
	assert_int_equal(m->config_count, before + 2);
}

static void test_mm_config_table_set_grows(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	unsigned before = m->config_count, cap = m->config_cap;
	int tables[40];

	for (unsigned i = 0; i < 40; i++) {
		EFI_GUID g = guid_n(100 + i);

		assert_int_equal(mm_config_table_set(m, &g, &tables[i]), MM_OK);
	}
	assert_true(m->config_cap > cap);
	assert_int_equal(m->config_count, before + 40);
	assert_mirrored(m);
	for (unsigned i = 0; i < 40; i++) {
		EFI_GUID g = guid_n(100 + i);

		assert_ptr_equal(mm_config_table_get(m, &g), &tables[i]);
	}
	assert_true(mm_mem_inside_smram(m, (uint64_t)(uintptr_t)m->config,
					m->config_count * sizeof(EFI_CONFIGURATION_TABLE)));
}

/* Arguments of a driver-side MmInstallConfigurationTable. */
struct config_call {
	const EFI_MM_SYSTEM_TABLE *st;
	const EFI_GUID *guid;
	void *table;
};

static uint64_t EFIAPI drv_install_table(uint64_t arg)
{
	struct config_call *c = (struct config_call *)(uintptr_t)arg;

	return MmInstallConfigurationTable(c->st, c->guid, c->table, 16);
}

static EFI_STATUS as_driver(struct mm_machine *m, struct config_call *c)
{
	uint64_t arg = (uint64_t)(uintptr_t)c, ret = 0;

	assert_int_equal(
		mm_call(m, (uint64_t)(uintptr_t)drv_install_table, 1, &arg, &ret), MM_OK);
	return ret;
}

static void test_MmInstallConfigurationTable_from_driver(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	EFI_GUID g = guid_n(7);
	int t;
	struct config_call c = { m->mmst, &g, &t };

	assert_int_equal(MmInstallConfigurationTable(m->mmst, &g, &t, 16), EFI_UNSUPPORTED);
	assert_int_equal(as_driver(m, &c), EFI_SUCCESS);
	assert_ptr_equal(mm_config_table_get(m, &g), &t);
	c.table = NULL;
	assert_int_equal(as_driver(m, &c), EFI_SUCCESS);
	assert_int_equal(as_driver(m, &c), EFI_NOT_FOUND);
	c.guid = NULL;
	assert_int_equal(as_driver(m, &c), EFI_INVALID_PARAMETER);
	assert_null(mm_config_table_get(m, &g));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_config_table_set_install, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_config_table_set_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_config_table_set_delete_keeps_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_config_table_set_grows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_MmInstallConfigurationTable_from_driver, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
