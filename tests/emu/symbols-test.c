/* SPDX-License-Identifier: MIT */
/*
 * Tests emu/symbols.c on an ELF file with DWARF at hand: this test program.
 * An image registered over the program's own load range gets the program
 * as its symbol file; a function's address then resolves to its name and
 * this file's name and line. A PE driver built with DWARF
 * (tests/drivers/pe: pe-dwarf-sw-handler.efi) finds its .debug file itself,
 * by its CodeView name or by its own name, and its trace lines and handler
 * addresses resolve to the driver's functions and source lines.
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
#include "emu-support.h"

#define DW_DIR MMEMU_TEST_DRIVER_DIR "/pe/"
#define DW_EFI DW_DIR "pe-dwarf-sw-handler.efi"
#define DW_DEBUG DW_DIR "SampleSwHandlerDw.debug"

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

/* The whole of file f. */
static char *contents(FILE *f)
{
	long n;
	char *buf;

	fflush(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	buf = calloc(1, (size_t)n + 1);
	rewind(f);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	return buf;
}

/* Skips unless the DWARF driver and its .debug were built and libdw is there. */
static void need_dwarf_driver(void)
{
	struct mm_machine *m;

	if (access(DW_EFI, R_OK) || access(DW_DEBUG, R_OK))
		skip(); /* no clang/lld-link, or no GNU objcopy */
	m = machine();
	if (mm_symbols_add(m, "x", DW_DEBUG) == MM_ERR_UNSUPPORTED) {
		mm_machine_destroy(m);
		skip();
	}
	mm_machine_destroy(m);
}

/* The line of "text" in the sample driver's source (1-based). */
static int source_line(const char *text)
{
	FILE *f = fopen(MMEMU_SOURCE_DIR "/tests/drivers/sample-sw-handler.c", "r");
	char line[512];
	int n = 0;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (strstr(line, text)) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	fail_msg("'%s' not in sample-sw-handler.c", text);
	return 0;
}

static void test_mm_symbolize_pe_finds_codeview_debug(void **state)
{
	struct mm_machine *m;
	struct mm_trace_opts o = { .what = MM_TRACE_INSN | MM_TRACE_CALLS, .limit = 100000 };
	FILE *f = tmpfile();
	char *text, *call, want[128];

	(void)state;
	need_dwarf_driver();
	m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	o.out = f;
	assert_int_equal(mm_trace_enable(m, &o), MM_OK);
	mm_observe_handlers(m, mm_trace_handler, m);
	assert_int_equal(mm_driver_load_image(m, DW_EFI, NULL, NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_sw_smi(m, 0, 0x42, 0), MM_OK);
	text = contents(f);
	/* The handler's return, named by its function and source file. */
	call = strstr(text, "call  SampleSwHandler+0x");
	if (!call || !strstr(call, " SampleSwHandler+0x0 (sample-sw-handler.c:") ||
	    strchr(call, '\n') < strstr(call, " SampleSwHandler+0x0 (sample-sw-handler.c:")) {
		mm_machine_destroy(m);
		fail_msg("no call line of the trace names SampleSwHandler+0x0 and its line");
	}
	/* An instruction of the handler's body, with the line of its ReadSaveState call. */
	snprintf(want, sizeof(want), "(sample-sw-handler.c:%d)",
		 source_line("status = cpu->ReadSaveState(cpu, sizeof(rcx)"));
	if (!strstr(text, want)) {
		mm_machine_destroy(m);
		fail_msg("no trace line ends in '%s'", want);
	}
	free(text);
	fclose(f);
	mm_machine_destroy(m);
}

/* Copies file from to to. */
static void copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	char buf[4096];
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void test_mm_symbols_find_stem_debug_beside_image(void **state)
{
	char dir[] = "/tmp/mmemu-symfind-XXXXXX", efi[256], dbg[256], found[4096] = "";
	struct mm_image img = { .name = "Foo" };

	(void)state;
	if (access(DW_EFI, R_OK) || access(DW_DEBUG, R_OK))
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(efi, sizeof(efi), "%s/Foo.efi", dir);
	snprintf(dbg, sizeof(dbg), "%s/Foo.debug", dir);
	copy_file(DW_EFI, efi);
	img.path = efi;
	assert_false(mm_symbols_find(&img, found, sizeof(found))); /* nothing beside it yet */
	copy_file(DW_DEBUG, dbg);
	assert_true(mm_symbols_find(&img, found, sizeof(found)));
	assert_string_equal(found, dbg);
	img.path = NULL; /* loaded from a buffer: nothing to look beside */
	assert_false(mm_symbols_find(&img, found, sizeof(found)));
	remove(dbg);
	remove(efi);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_symbolize_function_and_line),
		cmocka_unit_test(test_mm_coverage_write_lcov_marks_run_lines),
		cmocka_unit_test(test_mm_symbolize_unknown_image),
		cmocka_unit_test(test_mm_symbols_add_bad_file),
		cmocka_unit_test(test_mm_symbolize_pe_finds_codeview_debug),
		cmocka_unit_test(test_mm_symbols_find_stem_debug_beside_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
