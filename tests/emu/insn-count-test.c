/* SPDX-License-Identifier: MIT */
/*
 * Tests of instruction counting (emu/insn-count.c and the charging of each
 * handler call in core/mmi.c): counts grow only while counting is on, an
 * emulated GUID handler is charged what it executed, a machine without the
 * CPU model refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/driver.h>
#include <mmemu/machine.h>
#include <mmemu/observe.h>
#include <mmemu/run.h>

#include "guest-support.h"
#include "tests/drivers/sample.h"

#define PE_HANDLER MMEMU_BINARY_DIR "/tests/drivers/pe/pe-sample-guid-handler.efi"

/* What the observer saw of the last handler. */
struct seen {
	struct mm_machine *m;
	uint64_t insns, calls;
};

static void observer(void *user, const char *driver, uint64_t address, const uint8_t *type,
		     uint64_t status)
{
	struct seen *s = user;

	(void)driver, (void)address, (void)type, (void)status;
	s->insns = mm_handler_instructions(s->m);
	s->calls++;
}

/* One ADD round trip to the PE sample handler; returns its status. */
static uint64_t add(struct mm_machine *m)
{
	const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = 40, .B = 2, .Status = 1 };
	uint64_t len = sizeof(msg), status = 1;

	if (mm_communicate_msg(m, (const uint8_t *)&guid, &msg, sizeof(msg), 0, &msg, &len,
			       &status))
		fail_msg("communicate: %s", mm_machine_error(m));
	assert_int_equal(msg.Result, 42);
	return status;
}

static void test_mm_count_instructions_charges_the_handler(void **state)
{
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	struct seen seen = { .m = m };
	uint64_t before;

	(void)state;
	if (access(PE_HANDLER, R_OK)) {
		mm_machine_destroy(m);
		skip(); /* no clang/lld-link: no PE images */
	}
	assert_int_equal(mm_driver_load_native(m, MMEMU_TEST_DRIVER_DIR "/sample-producer.so", NULL),
			 MM_OK);
	assert_int_equal(mm_driver_load_image(m, PE_HANDLER, SAMPLE_PROTOCOL_GUID_STR, NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	mm_observe_handlers(m, observer, &seen);
	/* off: nothing counted */
	assert_int_equal(add(m), EFI_SUCCESS);
	assert_int_equal(mm_instructions(m), 0);
	assert_int_equal(seen.insns, 0);
	/* on: the handler is charged, and the total grows by at least as much */
	assert_int_equal(mm_count_instructions(m, true), MM_OK);
	before = mm_instructions(m);
	assert_int_equal(add(m), EFI_SUCCESS);
	assert_true(seen.insns > 20);
	assert_true(mm_instructions(m) - before >= seen.insns);
	/* the same input, the same count */
	before = seen.insns;
	assert_int_equal(add(m), EFI_SUCCESS);
	assert_int_equal(seen.insns, before);
	/* off again */
	assert_int_equal(mm_count_instructions(m, false), MM_OK);
	before = mm_instructions(m);
	assert_int_equal(add(m), EFI_SUCCESS);
	assert_int_equal(mm_instructions(m), before);
	mm_machine_destroy(m);
}

static void test_mm_count_instructions_needs_the_model(void **state)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[256];

	(void)state;
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_HOST;
	assert_int_equal(mm_machine_create(&p, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_count_instructions(m, true), MM_ERR_UNSUPPORTED);
	assert_int_equal(mm_instructions(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_count_instructions_charges_the_handler),
		cmocka_unit_test(test_mm_count_instructions_needs_the_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
