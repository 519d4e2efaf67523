/* SPDX-License-Identifier: MIT */
/*
 * Tests emu/symbols.c on an ELF file with DWARF at hand: this test program.
 * An image registered over the program's own load range gets the program
 * as its symbol file; a function's address then resolves to its name and
 * this file's name and line.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
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

#include "core/image.h"
#include "core/machine.h"
#include "emu/debug-info.h"

/* On one line, so that any compiler puts its first instruction on MARKER_LINE. */
enum { MARKER_LINE = __LINE__ + 1 };
__attribute__((noinline)) int symbols_test_marker(int x) { return x * 3 + 1; }

static struct mm_machine *machine(void)
{
	struct mm_machine *m = NULL;
	char err[256];

	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	return m;
}

/* Registers an image "selftest" at this program's load base; returns the base. */
static uint64_t add_self(struct mm_machine *m)
{
	Dl_info info;

	assert_true(dladdr((void *)symbols_test_marker, &info) != 0);
	assert_non_null(mm_image_add(m, "selftest", NULL, (uint64_t)(uintptr_t)info.dli_fbase,
				     64u << 20, MM_ENGINE_EMULATED));
	return (uint64_t)(uintptr_t)info.dli_fbase;
}

static void test_mm_symbolize_function_and_line(void **state)
{
	struct mm_machine *m = machine();
	char buf[256] = "", exe[4096] = "", want[64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	enum mm_err err;

	(void)state;
	assert_true(n > 0);
	add_self(m);
	err = mm_symbols_add(m, "selftest", exe);
	if (err == MM_ERR_UNSUPPORTED) {
		mm_machine_destroy(m);
		skip(); /* built without libdw */
	}
	assert_int_equal(err, MM_OK);
	assert_true(mm_symbolize(m, (uint64_t)(uintptr_t)symbols_test_marker, buf, sizeof(buf)));
	assert_non_null(strstr(buf, "symbols_test_marker+0x0"));
	snprintf(want, sizeof(want), "(symbols-test.c:%d)", MARKER_LINE);
	if (!strstr(buf, want)) {
		mm_machine_destroy(m); /* so that the next tests can map their machines */
		fail_msg("'%s' does not contain '%s'", buf, want);
	}
	mm_machine_destroy(m);
}

static void test_mm_coverage_write_lcov_marks_run_lines(void **state)
{
	struct mm_machine *m = machine();
	char exe[4096] = "", path[] = "/tmp/mmemu-lcov-XXXXXX", want[64], *text;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	FILE *f;
	long len;

	(void)state;
	assert_true(n > 0);
	add_self(m);
	if (mm_symbols_add(m, "selftest", exe) == MM_ERR_UNSUPPORTED || mm_coverage_enable(m)) {
		mm_machine_destroy(m);
		skip(); /* built without libdw, or no CPU model on the default platform */
	}
	mm_cover_record(m, (uint64_t)(uintptr_t)symbols_test_marker, 4);
	close(mkstemp(path));
	assert_int_equal(mm_coverage_write_lcov(m, path), MM_OK);
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	assert_non_null(strstr(text, "symbols-test.c\n"));
	snprintf(want, sizeof(want), "\nDA:%d,1\n", MARKER_LINE);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, ",0\n")); /* lines that did not run are listed too */
	assert_non_null(strstr(text, "end_of_record\n"));
	free(text);
	remove(path);
	mm_machine_destroy(m);
}

static void test_mm_symbolize_unknown_image(void **state)
{
	struct mm_machine *m = machine();
	char buf[64] = "x";

	(void)state;
	assert_false(mm_symbolize(m, 0x12345, buf, sizeof(buf)));
	assert_string_equal(buf, "x");
	mm_machine_destroy(m);
}

static void test_mm_symbols_add_bad_file(void **state)
{
	struct mm_machine *m = machine();
	enum mm_err err = mm_symbols_add(m, "x", "/nonexistent/file.debug");

	(void)state;
	assert_true(err == MM_ERR_IO || err == MM_ERR_UNSUPPORTED);
	err = mm_symbols_add(m, "x", "/proc/self/status");
	assert_true(err == MM_ERR_FORMAT || err == MM_ERR_UNSUPPORTED);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_symbolize_function_and_line),
		cmocka_unit_test(test_mm_coverage_write_lcov_marks_run_lines),
		cmocka_unit_test(test_mm_symbolize_unknown_image),
		cmocka_unit_test(test_mm_symbols_add_bad_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
