/* SPDX-License-Identifier: MIT */
/* Tests of emu/stub.c: the entry stub reaches 64-bit mode on its own stack. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/machine.h"
#include "emu/emu.h"
#include "emu/stub.h"

/* A default platform taken by the Unicorn model, with cpus CPUs. */
static struct mm_machine *emu_machine(unsigned cpus)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	mm_platform_default(&p);
	p.cpus = cpus;
	p.cpu_engine = MM_CPU_UNICORN;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	if (!mm_extension_get(m, "emu") && mm_emu_attach(m))
		fail_msg("mm_emu_attach: %s", mm_machine_error(m));
	return m;
}

static unsigned entries;

static void count_entry(struct mm_machine *m, unsigned bsp, void *user)
{
	(void)m, (void)bsp, (void)user;
	entries++;
}

static void test_mm_stub_install_reaches_long_mode(void **state)
{
	struct mm_machine *m = emu_machine(4);
	struct mm_emu_arrival a;
	uint64_t top, size, smbase;

	(void)state;
	entries = 0;
	assert_int_equal(mm_emu_set_entry(m, count_entry, NULL), MM_OK);
	assert_int_equal(m->cpus.model->smi(m, 2), MM_OK);
	assert_int_equal(entries, 1);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(mm_emu_arrival(m, i, &a), MM_OK);
		assert_int_equal(mm_emu_stack(m, i, &top, &size), MM_OK);
		assert_int_equal(mm_emu_smbase(m, i, &smbase), MM_OK);
		assert_int_equal(a.count, 1);
		assert_true(a.efer & 0x400);               /* LMA */
		assert_true(a.cr0 & 0x80000001u);          /* PG, PE */
		assert_true(a.cr4 & 0x20);                 /* PAE */
		assert_int_equal(a.rcx, i);                /* CPU index from the parameter block */
		assert_int_equal(a.rsp, top - 0x28 - 8);   /* its own stack, after the call */
		assert_true(mm_mem_inside_smram(m, top - size, size));
		assert_int_equal(a.smbase, smbase);
	}
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_stub_install_reaches_long_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
