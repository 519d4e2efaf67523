/* SPDX-License-Identifier: MIT */
/* Tests of devices/debug-port.c: the debugcon port 0x402 and its line buffer. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/machine.h"
#include "devices/chipset.h"
#include "support.h"

struct fixture {
	struct mm_machine *m;
	struct mm_test_log log;
};

static int setup(void **state)
{
	static struct fixture f; /* the log is large: keep it off the stack */

	memset(&f, 0, sizeof(f));
	f.m = mm_test_machine();
	mm_test_log_attach(f.m, &f.log, MM_LOG_DEBUG);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_machine_destroy(f->m);
	return 0;
}

static void puts_port(struct mm_machine *m, const char *s)
{
	for (; *s; s++)
		mm_io_write(m, MM_IO_PORT, DEBUGCON_PORT, 1, (uint8_t)*s);
}

static void test_debug_port_line_goes_to_log(void **state)
{
	struct fixture *f = *state;

	puts_port(f->m, "hello, MM");
	assert_int_equal(f->log.count, 0); /* line-buffered */
	puts_port(f->m, "\r\n");
	assert_int_equal(f->log.count, 1);
	assert_string_equal(f->log.lines[0], "debugcon: hello, MM");
	puts_port(f->m, "second\n");
	assert_int_equal(f->log.count, 2);
	assert_string_equal(f->log.lines[1], "debugcon: second");
}

static void test_debug_port_reads_signature(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_io_read(f->m, MM_IO_PORT, DEBUGCON_PORT, 1), DEBUGCON_READBACK);
}

static void test_debug_port_escapes_control_bytes(void **state)
{
	struct fixture *f = *state;

	mm_io_write(f->m, MM_IO_PORT, DEBUGCON_PORT, 1, 'a');
	mm_io_write(f->m, MM_IO_PORT, DEBUGCON_PORT, 1, 0x1b);
	mm_io_write(f->m, MM_IO_PORT, DEBUGCON_PORT, 1, 0xff);
	mm_io_write(f->m, MM_IO_PORT, DEBUGCON_PORT, 1, '\n');
	assert_int_equal(f->log.count, 1);
	assert_string_equal(f->log.lines[0], "debugcon: a\\x1b\\xff");
}

static void test_debug_port_cuts_long_lines(void **state)
{
	struct fixture *f = *state;

	for (unsigned i = 0; i < LINE_MAX_CHARS + 5; i++)
		mm_io_write(f->m, MM_IO_PORT, DEBUGCON_PORT, 1, 'x');
	assert_int_equal(f->log.count, 1);
	assert_int_equal(strlen(f->log.lines[0]), strlen("debugcon: ") + LINE_MAX_CHARS);
	puts_port(f->m, "\n");
	assert_int_equal(f->log.count, 2);
	assert_string_equal(f->log.lines[1], "debugcon: xxxxx");
}

static void test_debug_port_flushes_partial_line_at_destroy(void **state)
{
	struct fixture *f = *state;

	puts_port(f->m, "no newline");
	assert_int_equal(f->log.count, 0);
	mm_machine_destroy(f->m);
	f->m = NULL;
	assert_true(mm_test_log_contains(&f->log, "debugcon: no newline"));
}

static void test_debug_port_silent_when_category_off(void **state)
{
	struct fixture *f = *state;

	mm_log_set_mask(f->m, MM_LOG_WARN);
	puts_port(f->m, "quiet\n");
	assert_int_equal(f->log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_debug_port_line_goes_to_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_port_reads_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_port_escapes_control_bytes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_debug_port_cuts_long_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_port_flushes_partial_line_at_destroy,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_port_silent_when_category_off, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
