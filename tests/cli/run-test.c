/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `mmemu run` and `mmemu check` (tools/cmd-run.c,
 * tools/report.c): the built mmemu binary runs over scenarios/suite and the
 * deliberately broken files of scenarios/broken, from the source directory so
 * that paths in the output are the short relative ones, with the sample
 * drivers of this build. Asserts exit codes, result and summary lines, the
 * exact load error messages, JUnit and TAP output, determinism under -j and
 * how --shard splits a suite.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define MMEMU MMEMU_BINARY_DIR "/tools/mmemu"
#define SUITE "scenarios/suite"
#define BROKEN "scenarios/broken"
#define OVMF "scenarios/ovmf"

struct output {
	char *text;
	int status; /* exit code, or -1 when mmemu did not exit normally */
};

/* Runs "mmemu ARGS" from the source directory, stdout and stderr together. */
static struct output mmemu(const char *fmt, ...)
{
	struct output o = { NULL, -1 };
	char args[2048], cmd[4096];
	size_t len = 0, cap = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && MMEMU_DRIVER_DIR='%s/tests/drivers' '%s' %s 2>&1",
		 MMEMU_SOURCE_DIR, MMEMU_BINARY_DIR, MMEMU, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 16384;
			o.text = realloc(o.text, cap);
			assert_non_null(o.text);
		}
		n = fread(o.text + len, 1, cap - len - 1, p);
		if (n == 0)
			break;
		len += n;
	}
	o.text[len] = 0;
	st = pclose(p);
	o.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return o;
}

/*
 * Replaces host addresses (0x7f.. and 0x5.. with 12 hex digits: where native
 * drivers and the harness are mapped, which ASLR moves between processes) by
 * "0xHOST", so that outputs of two runs can be compared.
 */
static void mask_host_addresses(char *text)
{
	for (char *p = strstr(text, "0x"); p; p = strstr(p + 1, "0x")) {
		size_t n = strspn(p + 2, "0123456789abcdef");

		if (n == 12 && (p[2] == '7' || p[2] == '5'))
			memcpy(p + 2, "HOST00000000", 12);
	}
}

/* Lines of text that start with prefix. */
static unsigned count_lines(const char *text, const char *prefix)
{
	unsigned n = 0;
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, len);
	return n;
}

/* Occurrences of needle in text. */
static unsigned count_substr(const char *text, const char *needle)
{
	unsigned n = 0;

	for (const char *p = strstr(text, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The last line of text (without its newline), copied into buf. */
static const char *last_line(const char *text, char *buf, size_t size)
{
	size_t len = strlen(text);
	const char *start;

	while (len && text[len - 1] == '\n')
		len--;
	start = text + len;
	while (start > text && start[-1] != '\n')
		start--;
	snprintf(buf, size, "%.*s", (int)(text + len - start), start);
	return buf;
}

/* Number of *.yaml files directly in dir (relative to the source tree). */
static unsigned count_yaml(const char *dir)
{
	char path[4096];
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", MMEMU_SOURCE_DIR, dir);
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		n += len > 5 && !strcmp(e->d_name + len - 5, ".yaml");
	}
	closedir(d);
	return n;
}

static void test_cmd_run_suite_passes(void **state)
{
	unsigned n = count_yaml(SUITE);
	struct output o = mmemu("run --no-timing " SUITE);
	char expect[64], last[256];
	unsigned skipped;

	(void)state;
	skipped = count_lines(o.text, "SKIP ");
	/* Scenarios over Debian's OVMF files skip where the ovmf package is absent. */
	if (skipped)
		snprintf(expect, sizeof(expect), "%u passed, 0 failed, %u skipped", n - skipped,
			 skipped);
	else
		snprintf(expect, sizeof(expect), "%u passed, 0 failed", n);
	assert_string_equal(last_line(o.text, last, sizeof(last)), expect);
	assert_int_equal(count_lines(o.text, "PASS "), n - skipped);
	assert_int_equal(o.status, 0);
	free(o.text);
}

/*
 * scenarios/ovmf drives the SMM drivers of Debian's OVMF image: every
 * scenario passes, or every one is skipped where the ovmf package is absent.
 */
static void test_cmd_run_ovmf_passes(void **state)
{
	unsigned n = count_yaml(OVMF);
	struct output o = mmemu("run --no-timing -j 2 " OVMF);
	unsigned skipped = count_lines(o.text, "SKIP ");
	char expect[64], last[256];

	(void)state;
	assert_true(n >= 3);
	if (skipped) {
		assert_int_equal(skipped, n);
		snprintf(expect, sizeof(expect), "0 passed, 0 failed, %u skipped", n);
	} else {
		snprintf(expect, sizeof(expect), "%u passed, 0 failed", n);
	}
	assert_string_equal(last_line(o.text, last, sizeof(last)), expect);
	assert_int_equal(o.status, 0);
	free(o.text);
}

static void test_cmd_run_summary_has_time(void **state)
{
	struct output o = mmemu("run " SUITE "/communicate-add.yaml");
	char last[256];
	double secs = -1;
	char tail = 0;

	(void)state;
	last_line(o.text, last, sizeof(last));
	assert_int_equal(sscanf(last, "1 passed, 0 failed in %lfs%c", &secs, &tail), 1);
	assert_true(secs >= 0);
	assert_int_equal(o.status, 0);
	free(o.text);
}

static void test_cmd_run_result_line_names_file(void **state)
{
	struct output o = mmemu("run --no-timing " SUITE "/communicate-add.yaml");

	(void)state;
	assert_string_equal(o.text, "PASS communicate-add (" SUITE "/communicate-add.yaml)\n"
				    "1 passed, 0 failed\n");
	free(o.text);
}

/* Each broken file and the one message mmemu check must print for it. */
static const struct {
	const char *file;
	const char *message;
} broken[] = {
	{ "yaml-syntax.yaml",
	  BROKEN "/yaml-syntax.yaml:5:1: YAML syntax error: did not find expected ',' or ']' "
		 "while parsing a flow sequence" },
	{ "unknown-key.yaml", BROKEN "/unknown-key.yaml:4:1: unknown key 'stpes', did you mean "
				     "'steps'?" },
	{ "wrong-type.yaml", BROKEN "/wrong-type.yaml:2:10: drivers: expected a list, got a scalar" },
	{ "out-of-range.yaml",
	  BROKEN "/out-of-range.yaml:6:22: value: 0x142 is out of range (0..0xff)" },
	{ "bad-guid.yaml",
	  BROKEN "/bad-guid.yaml:7:13: malformed GUID 'F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A': "
		 "expected XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX or a known gEfi...Guid name" },
	{ "bad-hex.yaml",
	  BROKEN "/bad-hex.yaml:3:45: malformed hex: 'G' at offset 7 is not a hex digit" },
	{ "missing-driver.yaml",
	  BROKEN "/missing-driver.yaml:3:13: driver 'sample-does-not-exist.so' not found in "
		 "$MMEMU_DRIVER_DIR or " MMEMU_BINARY_DIR "/tests/drivers" },
	{ "circular-include.yaml",
	  BROKEN "/circular-include.yaml: " BROKEN "/circular-platform-b.yaml:2:10: circular "
		 "platform include: '" BROKEN "/circular-platform-a.yaml' includes itself" },
};

static void test_cmd_check_broken_messages(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		struct output o = mmemu("check " BROKEN "/%s", broken[i].file);
		char expect[1024];

		snprintf(expect, sizeof(expect), "%s\n", broken[i].message);
		assert_string_equal(o.text, expect);
		assert_int_equal(o.status, 2);
		free(o.text);
	}
}

/* mmemu run reports the same message on its ERROR line and goes on. */
static void test_cmd_run_broken_error_lines(void **state)
{
	struct output o = mmemu("run --no-timing " BROKEN);
	char *text = malloc(strlen(o.text) + 2);

	(void)state;
	assert_non_null(text);
	sprintf(text, "\n%s", o.text); /* every line now starts after a newline */
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		char line[1100];

		snprintf(line, sizeof(line), "\nERROR %s\n", broken[i].message);
		assert_int_equal(count_substr(text, line), 1);
	}
	assert_int_equal(o.status, 2);
	free(text);
	free(o.text);
}

static void test_cmd_check_suite_ok(void **state)
{
	unsigned n = count_yaml(SUITE);
	struct output o = mmemu("check " SUITE);

	(void)state;
	assert_int_equal(count_lines(o.text, "ok " SUITE "/"), n);
	assert_int_equal(count_lines(o.text, ""), n);
	assert_int_equal(o.status, 0);
	free(o.text);
}

static void test_cmd_check_usage(void **state)
{
	struct output o = mmemu("check");

	(void)state;
	assert_non_null(strstr(o.text, "usage: mmemu check"));
	assert_int_equal(o.status, 2);
	free(o.text);
}

/* A load error is reported and counted as failed, the run goes on, exit 2. */
static void test_cmd_run_broken_continues(void **state)
{
	struct output o = mmemu("run --no-timing " BROKEN " " SUITE "/communicate-add.yaml");
	unsigned errors = count_yaml(BROKEN) - 2; /* expectation-fails, requires-missing */
	char expect[64], last[256];

	(void)state;
	assert_int_equal(count_lines(o.text, "ERROR " BROKEN "/"), errors);
	assert_int_equal(count_lines(o.text, "FAIL expectation-fails (" BROKEN
					    "/expectation-fails.yaml)"), 1);
	assert_int_equal(count_lines(o.text, "SKIP requires-missing (" BROKEN
					    "/requires-missing.yaml) ("), 1);
	assert_int_equal(count_lines(o.text, "PASS communicate-add ("), 1);
	snprintf(expect, sizeof(expect), "1 passed, %u failed, 1 skipped", errors + 1);
	assert_string_equal(last_line(o.text, last, sizeof(last)), expect);
	assert_int_equal(o.status, 2);
	free(o.text);
}

/* A failed expectation: exit 1, the message indented under the FAIL line. */
static void test_cmd_run_failure_exit_1(void **state)
{
	struct output o = mmemu("run --no-timing " BROKEN "/expectation-fails.yaml");
	const char *msg;

	(void)state;
	assert_int_equal(strncmp(o.text, "FAIL expectation-fails (", 24), 0);
	msg = strchr(o.text, '\n');
	assert_non_null(msg);
	assert_int_equal(strncmp(msg + 1, "    ", 4), 0);
	assert_non_null(strstr(o.text, "expectation-fails.yaml"));
	assert_non_null(strstr(msg, "2b000000")); /* expected Result 43 */
	assert_non_null(strstr(msg, "2a000000")); /* actual Result 42 */
	assert_non_null(strstr(o.text, "\n0 passed, 1 failed\n"));
	assert_int_equal(o.status, 1);
	free(o.text);
}

static void test_cmd_run_skip_exit_0(void **state)
{
	struct output o = mmemu("run --no-timing " BROKEN "/requires-missing.yaml");

	(void)state;
	assert_int_equal(count_lines(o.text, "SKIP requires-missing ("), 1);
	assert_non_null(strstr(o.text, "\n0 passed, 0 failed, 1 skipped\n"));
	assert_int_equal(o.status, 0);
	free(o.text);
}

static void test_cmd_run_missing_file_exit_2(void **state)
{
	struct output o = mmemu("run --no-timing " SUITE "/no-such-scenario.yaml");

	(void)state;
	assert_int_equal(count_lines(o.text, "ERROR " SUITE "/no-such-scenario.yaml"), 1);
	assert_non_null(strstr(o.text, "\n0 passed, 1 failed\n"));
	assert_int_equal(o.status, 2);
	free(o.text);
}

static void test_cmd_run_bad_usage_exit_2(void **state)
{
	static const char *const bad[] = {
		"run",
		"run --shard 0/2 " SUITE,
		"run --shard 3/2 " SUITE,
		"run --shard 1/0 " SUITE,
		"run --shard x " SUITE,
		"run -j 0 " SUITE,
		"run -j two " SUITE,
		"run --log no-such-category " SUITE,
		"run --no-such-option " SUITE,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct output o = mmemu("%s", bad[i]);

		assert_int_equal(o.status, 2);
		assert_null(strstr(o.text, " passed, "));
		assert_int_equal(count_lines(o.text, "PASS "), 0);
		free(o.text);
	}
}

/* Reads a whole file into a malloc'd string. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = 0;
	fclose(f);
	return s;
}

static void test_cmd_run_junit_well_formed(void **state)
{
	char path[] = "/tmp/mmemu-junit-XXXXXX";
	unsigned n = count_yaml(SUITE) + count_yaml(BROKEN);
	char head[128];
	struct output o;
	char *xml;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	o = mmemu("run --no-timing --junit %s " SUITE " " BROKEN, path);
	assert_int_equal(o.status, 2);
	xml = slurp(path);
	unlink(path);
	assert_int_equal(strncmp(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39), 0);
	snprintf(head, sizeof(head), "<testsuite name=\"mmemu\" tests=\"%u\" failures=\"1\"", n);
	assert_non_null(strstr(xml, head));
	assert_int_equal(count_substr(xml, "<testcase "), n);
	assert_int_equal(count_substr(xml, "<failure "), 1);
	assert_int_equal(count_substr(xml, "</failure>"), 1);
	assert_int_equal(count_substr(xml, "<skipped "), 1);
	assert_int_equal(count_substr(xml, "<error "), count_yaml(BROKEN) - 2);
	assert_int_equal(count_substr(xml, "<testsuite "), count_substr(xml, "</testsuite>"));
	assert_null(strstr(xml, "time=\"0.0001"));
	assert_non_null(strstr(xml, "</testsuites>\n"));
	free(xml);
	free(o.text);
}

static void test_cmd_run_tap_plan(void **state)
{
	unsigned n = count_yaml(SUITE);
	struct output o = mmemu("run --tap --no-timing " SUITE);
	char head[64];

	(void)state;
	snprintf(head, sizeof(head), "TAP version 13\n1..%u\n", n);
	assert_int_equal(strncmp(o.text, head, strlen(head)), 0);
	assert_int_equal(count_lines(o.text, "ok "), n);
	assert_int_equal(count_lines(o.text, "not ok "), 0);
	assert_int_equal(count_lines(o.text, "ok 1 - "), 1);
	assert_int_equal(o.status, 0);
	free(o.text);
}

static void test_cmd_run_tap_failure_block(void **state)
{
	struct output o = mmemu("run --tap --no-timing " BROKEN "/expectation-fails.yaml "
				BROKEN "/requires-missing.yaml");

	(void)state;
	assert_int_equal(strncmp(o.text, "TAP version 13\n1..2\nnot ok 1 - expectation-fails (", 50),
			 0);
	assert_non_null(strstr(o.text, "\n  ---\n  severity: fail\n  message: |\n    "));
	assert_int_equal(count_lines(o.text, "ok 2 - requires-missing ("), 1);
	assert_non_null(strstr(o.text, " # SKIP "));
	assert_int_equal(o.status, 1);
	free(o.text);
}

/* -j 2 prints exactly what -j 1 prints. */
static void test_cmd_run_parallel_deterministic(void **state)
{
	struct output a = mmemu("run --no-timing -j 1 " SUITE " " BROKEN);
	struct output b = mmemu("run --no-timing -j 2 " SUITE " " BROKEN);
	struct output c = mmemu("run --no-timing -j 5 " SUITE " " BROKEN);

	(void)state;
	mask_host_addresses(a.text);
	mask_host_addresses(b.text);
	mask_host_addresses(c.text);
	assert_true(strlen(a.text) > 100);
	assert_string_equal(a.text, b.text);
	assert_string_equal(a.text, c.text);
	assert_int_equal(a.status, 2);
	assert_int_equal(b.status, 2);
	free(a.text);
	free(b.text);
	free(c.text);
}

/* The three shards of a suite run every scenario exactly once. */
static void test_cmd_run_shard_splits(void **state)
{
	unsigned n = count_yaml(SUITE), total = 0;
	struct output all = mmemu("run --no-timing " SUITE);

	(void)state;
	for (unsigned i = 1; i <= 3; i++) {
		struct output o = mmemu("run --no-timing --shard %u/3 " SUITE, i);
		unsigned k = count_lines(o.text, "PASS ");

		/* shard i holds scenarios i-1, i-1+3, ...: ceil((n-(i-1))/3) of them */
		assert_int_equal(k, (n - (i - 1) + 2) / 3);
		total += k;
		for (const char *p = o.text; *p && !strncmp(p, "PASS ", 5); p = strchr(p, '\n') + 1) {
			char line[512];

			snprintf(line, sizeof(line), "%.*s", (int)(strchr(p, '\n') - p + 1), p);
			assert_int_equal(count_substr(all.text, line), 1);
		}
		assert_int_equal(o.status, 0);
		free(o.text);
	}
	assert_int_equal(total, n);
	free(all.text);
}

static void test_cmd_run_fail_fast(void **state)
{
	struct output o = mmemu("run --no-timing -x " BROKEN "/expectation-fails.yaml " SUITE
				"/communicate-add.yaml");
	struct output j = mmemu("run --no-timing -j 2 --fail-fast " BROKEN
				"/expectation-fails.yaml " SUITE "/communicate-add.yaml");

	(void)state;
	mask_host_addresses(o.text);
	mask_host_addresses(j.text);
	assert_int_equal(count_lines(o.text, "PASS "), 0);
	assert_non_null(strstr(o.text, "\n0 passed, 1 failed\n"));
	assert_int_equal(o.status, 1);
	assert_string_equal(o.text, j.text);
	free(o.text);
	free(j.text);
}

static void test_cmd_run_filter(void **state)
{
	struct output o = mmemu("run --no-timing -k communicate-a " SUITE);
	struct output none = mmemu("run --no-timing --filter no-such-name " SUITE);

	(void)state;
	assert_string_equal(o.text, "PASS communicate-add (" SUITE "/communicate-add.yaml)\n"
				    "1 passed, 0 failed\n");
	assert_int_equal(o.status, 0);
	assert_string_equal(none.text, "0 passed, 0 failed\n");
	assert_int_equal(none.status, 0);
	free(o.text);
	free(none.text);
}

static void test_cmd_run_verbose_shows_steps(void **state)
{
	struct output q = mmemu("run --no-timing " SUITE "/sw-smi-save-state.yaml");
	struct output v = mmemu("run --no-timing -v " SUITE "/sw-smi-save-state.yaml");

	(void)state;
	assert_true(count_lines(v.text, "") > count_lines(q.text, "") + 3);
	assert_non_null(strstr(v.text, "sw-smi"));
	assert_non_null(strstr(v.text, "PASS sw-smi-save-state ("));
	assert_int_equal(v.status, 0);
	free(q.text);
	free(v.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_run_suite_passes),
		cmocka_unit_test(test_cmd_run_ovmf_passes),
		cmocka_unit_test(test_cmd_run_summary_has_time),
		cmocka_unit_test(test_cmd_run_result_line_names_file),
		cmocka_unit_test(test_cmd_check_broken_messages),
		cmocka_unit_test(test_cmd_run_broken_error_lines),
		cmocka_unit_test(test_cmd_check_suite_ok),
		cmocka_unit_test(test_cmd_check_usage),
		cmocka_unit_test(test_cmd_run_broken_continues),
		cmocka_unit_test(test_cmd_run_failure_exit_1),
		cmocka_unit_test(test_cmd_run_skip_exit_0),
		cmocka_unit_test(test_cmd_run_missing_file_exit_2),
		cmocka_unit_test(test_cmd_run_bad_usage_exit_2),
		cmocka_unit_test(test_cmd_run_junit_well_formed),
		cmocka_unit_test(test_cmd_run_tap_plan),
		cmocka_unit_test(test_cmd_run_tap_failure_block),
		cmocka_unit_test(test_cmd_run_parallel_deterministic),
		cmocka_unit_test(test_cmd_run_shard_splits),
		cmocka_unit_test(test_cmd_run_fail_fast),
		cmocka_unit_test(test_cmd_run_filter),
		cmocka_unit_test(test_cmd_run_verbose_shows_steps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
