/* SPDX-License-Identifier: MIT */
/* Tests of devices/serial.c: the minimal 16550 at COM1. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/machine.h"
#include "devices/chipset.h"
#include "support.h"

#define THR (SERIAL_COM1 + 0)
#define IER (SERIAL_COM1 + 1)
#define IIR (SERIAL_COM1 + 2)
#define LCR (SERIAL_COM1 + 3)
#define LSR (SERIAL_COM1 + 5)
#define MSR (SERIAL_COM1 + 6)
#define SCR (SERIAL_COM1 + 7)

struct fixture {
	struct mm_machine *m;
	struct mm_test_log log;
};

static int setup(void **state)
{
	static struct fixture f;

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

static uint8_t inb(struct mm_machine *m, uint64_t port)
{
	return (uint8_t)mm_io_read(m, MM_IO_PORT, port, 1);
}

static void outb(struct mm_machine *m, uint64_t port, uint8_t v)
{
	mm_io_write(m, MM_IO_PORT, port, 1, v);
}

static void test_serial_lsr_always_ready(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(inb(f->m, LSR), 0x60);
	outb(f->m, THR, 'x');
	assert_int_equal(inb(f->m, LSR), 0x60);
	assert_int_equal(inb(f->m, MSR), 0);
	assert_int_equal(inb(f->m, THR), 0); /* no input */
	assert_int_equal(inb(f->m, IIR), 0x01);
}

static void test_serial_thr_lines_go_to_log(void **state)
{
	struct fixture *f = *state;

	for (const char *s = "UART ok\r\n"; *s; s++)
		outb(f->m, THR, (uint8_t)*s);
	assert_int_equal(f->log.count, 1);
	assert_string_equal(f->log.lines[0], "serial: UART ok");
}

static void test_serial_dlab_selects_divisor(void **state)
{
	struct fixture *f = *state;

	outb(f->m, LCR, 0x83); /* DLAB, 8N1 */
	outb(f->m, THR, 0x01); /* DLL: 115200 baud */
	outb(f->m, IER, 0x00); /* DLM */
	assert_int_equal(inb(f->m, THR), 0x01);
	outb(f->m, LCR, 0x03);
	assert_int_equal(inb(f->m, LCR), 0x03);
	outb(f->m, THR, '\n');
	assert_int_equal(f->log.count, 1); /* the divisor byte was not output */
	assert_string_equal(f->log.lines[0], "serial: ");
}

static void test_serial_scratch_reads_back(void **state)
{
	struct fixture *f = *state;

	outb(f->m, SCR, 0xA5);
	assert_int_equal(inb(f->m, SCR), 0xA5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_serial_lsr_always_ready, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_thr_lines_go_to_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_dlab_selects_divisor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_serial_scratch_reads_back, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
