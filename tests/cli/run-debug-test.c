/* SPDX-License-Identifier: MIT */
/*
 * Tests tools/run-debug.c through the mmemu binary: `mmemu run --coverage
 * DIR --report FILE --trace ...` writes one drcov file per scenario and the
 * merged one, the HTML report, and the trace; bad options are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define MMEMU MMEMU_BINARY_DIR "/tools/mmemu"
#define PE MMEMU_TEST_DRIVER_DIR "/pe/"

static char dir[64];

/* Runs mmemu with args (a printf format) in dir; returns its exit status. */
static int mmemu(const char *fmt, ...)
{
	char args[2048], cmd[4096];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && '%s' %s >out.txt 2>&1", dir, MMEMU, args);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The contents of dir/name (NUL-terminated, binary-safe enough for strstr), or NULL. */
static char *slurp(const char *name)
{
	char path[256];
	FILE *f;
	char *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = calloc(1, 1 << 20);
	n = fread(buf, 1, (1 << 20) - 1, f);
	fclose(f);
	for (size_t i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = ' ';
	return buf;
}

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mmemu-run-debug-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	put("a.yaml", "platform: " MMEMU_SOURCE_DIR "/scenarios/platforms/unicorn.yaml\n"
		      "drivers:\n  - image: " PE "pe-sample-sw-handler.efi\n"
		      "steps:\n  - dispatch: {}\n  - sw-smi: { value: 0x42, data: 1 }\n"
		      "    expect: { handlers: [SampleSwHandler] }\n");
	put("b.yaml", "platform: " MMEMU_SOURCE_DIR "/scenarios/platforms/unicorn.yaml\n"
		      "drivers:\n  - image: " PE "pe-sample-sw-handler.efi\n"
		      "steps:\n  - dispatch: {}\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void need_images(void)
{
	if (access(PE "pe-sample-sw-handler.efi", R_OK))
		skip();
}

static void test_run_debug_coverage_per_scenario_and_merged(void **state)
{
	char *a, *b, *merged;

	(void)state;
	need_images();
	assert_int_equal(mmemu("run --coverage cov a.yaml b.yaml"), 0);
	a = slurp("cov/0001-a.drcov");
	b = slurp("cov/0002-b.drcov");
	merged = slurp("cov/merged.drcov");
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(merged);
	assert_non_null(strstr(a, "DRCOV VERSION: 2"));
	assert_non_null(strstr(merged, ", SampleSwHandler\n"));
	/* a ran the handler on top of what b ran: it has more blocks */
	assert_true(strtoul(strstr(a, "BB Table: ") + 10, NULL, 10) >
		    strtoul(strstr(b, "BB Table: ") + 10, NULL, 10));
	assert_true(strtoul(strstr(merged, "BB Table: ") + 10, NULL, 10) ==
		    strtoul(strstr(a, "BB Table: ") + 10, NULL, 10));
	free(a);
	free(b);
	free(merged);
}

static void test_run_debug_report_and_trace(void **state)
{
	char *html, *trace;

	(void)state;
	need_images();
	assert_int_equal(mmemu("run --report r.html --trace insn,calls --trace-limit 500 "
			       "--trace-file t.txt a.yaml"), 0);
	html = slurp("r.html");
	trace = slurp("t.txt");
	assert_non_null(html);
	assert_non_null(trace);
	assert_non_null(strstr(html, "SMI #1"));
	assert_non_null(strstr(html, "SampleSwHandler"));
	assert_non_null(strstr(trace, "insn  0x"));
	assert_non_null(strstr(trace, "call  SampleSwHandler+0x"));
	free(html);
	free(trace);
}

static void test_run_debug_rejects_bad_options(void **state)
{
	(void)state;
	assert_int_equal(mmemu("run --trace nonsense a.yaml"), 2);
	assert_int_equal(mmemu("run --trace-limit 0 a.yaml"), 2);
	assert_int_equal(mmemu("run --coverage /proc/no/such/dir a.yaml"), 2);
	assert_int_equal(mmemu("run --symbols no-equals-sign a.yaml"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_debug_coverage_per_scenario_and_merged),
		cmocka_unit_test(test_run_debug_report_and_trace),
		cmocka_unit_test(test_run_debug_rejects_bad_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
