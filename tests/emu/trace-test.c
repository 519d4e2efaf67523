/* SPDX-License-Identifier: MIT */
/*
 * Tests emu/trace.c: the --trace specification parser, the instruction
 * trace of an emulated driver (image+offset, disassembly, the line limit)
 * and the call and io lines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mmemu/debug.h>
#include <mmemu/mmemu.h>

#include "emu-support.h"

#define SW_HANDLER MMEMU_TEST_DRIVER_DIR "/pe/pe-sample-sw-handler.efi"

static void test_mm_trace_parse_words_and_range(void **state)
{
	struct mm_trace_opts o = { 0 };

	(void)state;
	assert_int_equal(mm_trace_parse("insn,calls,mem:1000-1fff,io", &o), MM_OK);
	assert_int_equal(o.what, MM_TRACE_INSN | MM_TRACE_CALLS | MM_TRACE_MEM | MM_TRACE_IO);
	assert_int_equal(o.mem_lo, 0x1000);
	assert_int_equal(o.mem_hi, 0x1fff);
	assert_int_equal(mm_trace_parse("calls", &o), MM_OK);
	assert_int_equal(o.what, MM_TRACE_CALLS);
}

static void test_mm_trace_parse_rejects_bad(void **state)
{
	struct mm_trace_opts o = { 0 };

	(void)state;
	assert_int_equal(mm_trace_parse("", &o), MM_ERR_INVALID);
	assert_int_equal(mm_trace_parse("insn,bogus", &o), MM_ERR_INVALID);
	assert_int_equal(mm_trace_parse("mem:2000-1000", &o), MM_ERR_INVALID);
	assert_int_equal(mm_trace_parse("mem:zz", &o), MM_ERR_INVALID);
	assert_int_equal(mm_trace_parse("mem:", &o), MM_ERR_INVALID);
}

/* Reads what the trace wrote to f. */
static char *contents(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	n = ftell(f);
	buf = calloc(1, (size_t)n + 1);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

static void test_mm_trace_enable_insn_with_limit(void **state)
{
	struct mm_machine *m;
	struct mm_trace_opts o = { .what = MM_TRACE_INSN | MM_TRACE_CALLS, .limit = 10 };
	unsigned index;
	char *text;
	FILE *f = tmpfile();

	(void)state;
	if (access(SW_HANDLER, R_OK))
		skip();
	m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	o.out = f;
	assert_int_equal(mm_trace_enable(m, &o), MM_OK);
	assert_int_equal(mm_trace_enable(m, &o), MM_ERR_STATE); /* once per machine */
	assert_int_equal(mm_driver_load_image(m, SW_HANDLER, NULL, &index), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_trace_lines(m), 10);
	text = contents(f);
	assert_non_null(strstr(text, "insn  0x"));
	assert_non_null(strstr(text, "SampleSwHandler+0x"));
	assert_non_null(strstr(text, "trace: limit of 10 lines reached\n"));
	free(text);
	mm_machine_destroy(m);
	fclose(f);
}

static void test_mm_trace_handler_and_log_lines(void **state)
{
	struct mm_machine *m;
	struct mm_trace_opts o = { .what = MM_TRACE_CALLS | MM_TRACE_IO };
	static const uint8_t guid[16] = { 0x78, 0x56, 0x34, 0x12, 0xbc, 0x9a, 0xf0, 0xde,
					  1, 2, 3, 4, 5, 6, 7, 8 };
	char err[256];
	char *text;
	FILE *f = tmpfile();

	(void)state;
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	o.out = f;
	assert_int_equal(mm_trace_enable(m, &o), MM_OK);
	assert_true(mm_log_mask(m) & MM_LOG_IO);
	mm_trace_handler(m, NULL, 0x1234, guid, 0x8000000000000003ull);
	mm_trace_handler(m, NULL, 0x1234, NULL, 0);
	mm_trace_log(m, MM_LOG_IO, "port 0xb2 write 0x42");
	mm_trace_log(m, MM_LOG_SMI, "not an io line");
	assert_int_equal(mm_trace_lines(m), 3);
	text = contents(f);
	assert_non_null(strstr(text, "call  (Foundation/chipset) type 12345678-9abc-def0-0102-030405060708 "
				     "returned 0x8000000000000003\n"));
	assert_non_null(strstr(text, "(root handler) returned 0x0\n"));
	assert_non_null(strstr(text, "io    port 0xb2 write 0x42\n"));
	assert_null(strstr(text, "not an io line"));
	free(text);
	mm_machine_destroy(m);
	fclose(f);
}

static void test_mm_trace_enable_needs_cpu_model_for_insn(void **state)
{
	struct mm_machine *m;
	struct mm_trace_opts o = { .what = MM_TRACE_INSN };
	struct mm_platform p;
	char err[256];

	(void)state;
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_HOST;
	assert_int_equal(mm_machine_create(&p, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_trace_enable(m, &o), MM_ERR_STATE);
	o.what = 0;
	assert_int_equal(mm_trace_enable(m, &o), MM_ERR_INVALID);
	assert_int_equal(mm_trace_lines(m), 0);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_trace_parse_words_and_range),
		cmocka_unit_test(test_mm_trace_parse_rejects_bad),
		cmocka_unit_test(test_mm_trace_enable_insn_with_limit),
		cmocka_unit_test(test_mm_trace_handler_and_log_lines),
		cmocka_unit_test(test_mm_trace_enable_needs_cpu_model_for_insn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
