/* SPDX-License-Identifier: MIT */
/*
 * End-to-end tests of `mmemu fuzz` (tools/cmd-fuzz.c and its fuzz-*.c
 * helpers) and of the AFL++ harness built as a plain file driver
 * (tools/afl/mmemu-afl.c), run from the source directory on the fuzzing
 * start states of scenarios/fuzz/: VulnSmramWrite, where fuzzing must find
 * a bug, and its fixed twin, where it must not. Asserts exit codes, the
 * summary line, findings and reproducers written, -j with two workers,
 * the errors for bad targets and options, and --minimize.
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define MMEMU MMEMU_BINARY_DIR "/tools/mmemu"
#define AFL MMEMU_BINARY_DIR "/tools/mmemu-afl"
#define VULN "scenarios/fuzz/smram-write.yaml"
#define FIXED "scenarios/fuzz/smram-write-fixed.yaml"
#define GUID "E8AD3D03-576A-40AD-85EF-457314172D08"

struct output {
	char *text;
	int status;  /* exit code, or -1 when the process did not exit normally */
	int signal;  /* the signal that ended it, or 0 */
};

/* Runs the shell command cmd from the source directory, stdout and stderr together. */
static struct output run(const char *fmt, ...)
{
	struct output o = { NULL, -1, 0 };
	char line[4096], cmd[8192];
	size_t len = 0, cap = 0;
	va_list ap;
	FILE *p;
	int st;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "cd '%s' && MMEMU_DRIVER_DIR='%s/tests/drivers' %s 2>&1",
		 MMEMU_SOURCE_DIR, MMEMU_BINARY_DIR, line);
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
	/* sh reports a child killed by signal s as exit code 128 + s. */
	if (o.status > 128)
		o.signal = o.status - 128;
	return o;
}

/* Fails the test with the output when text does not contain what. */
static void expect_text(const struct output *o, const char *what)
{
	if (!strstr(o->text, what))
		fail_msg("expected '%s' in:\n%s", what, o->text);
}

static void expect_status(const struct output *o, int status)
{
	if (o->status != status)
		fail_msg("expected exit code %d, got %d:\n%s", status, o->status, o->text);
}

/* A fresh scratch directory under the build tree; its path is in dir. */
static void scratch_dir(char *dir, size_t len, const char *name)
{
	char cmd[4300];

	snprintf(dir, len, "%s/tests/scratch-fuzz-%s", MMEMU_BINARY_DIR, name);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	assert_int_equal(system(cmd), 0);
}

/* Number of files in dir whose name ends with suffix. */
static unsigned count_files(const char *dir, const char *suffix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t a = strlen(e->d_name), b = strlen(suffix);

		n += a > b && !strcmp(e->d_name + a - b, suffix);
	}
	closedir(d);
	return n;
}

/* Writes len bytes to path. */
static void write_bytes(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* The planted-pointer message: write 0x4141... to SMRAM at 0x0F800100, then junk. */
static void crash_input(uint8_t buf[64])
{
	uint64_t dest = 0x0F800100, value = 0x4141414141414141ull;

	memset(buf, 0x5A, 64);
	memcpy(buf, &dest, 8);
	memcpy(buf + 8, &value, 8);
}

static void test_cmd_fuzz_finds_smram_write(void **state)
{
	char dir[4096];
	struct output o;

	(void)state;
	scratch_dir(dir, sizeof(dir), "finds");
	o = run("'%s' fuzz " VULN " --guid " GUID " --seed 1 --runs 5000 --findings '%s' "
		"--corpus '%s'", MMEMU, dir, dir);
	expect_status(&o, 1);
	expect_text(&o, "mmemu fuzz: " VULN ", communicate " GUID ", oracles all, seed 1, 1 worker");
	expect_text(&o, "done: 5000 execs");
	expect_text(&o, "findings ");
	assert_null(strstr(o.text, "findings 0"));
	assert_true(count_files(dir, ".yaml") >= 1);
	free(o.text);
}

static void test_cmd_fuzz_fixed_twin_is_clean(void **state)
{
	struct output o;

	(void)state;
	o = run("'%s' fuzz " FIXED " --guid " GUID " --seed 7 --runs 5000", MMEMU);
	expect_status(&o, 0);
	expect_text(&o, "done: 5000 execs");
	expect_text(&o, "findings 0");
	free(o.text);
}

static void test_cmd_fuzz_jobs_share_the_runs(void **state)
{
	char dir[4096];
	struct output o;

	(void)state;
	scratch_dir(dir, sizeof(dir), "jobs");
	o = run("'%s' fuzz " FIXED " --guid " GUID " --seed 3 --runs 4001 -j 2 --corpus '%s' "
		"--oracles smram-write,comm-oob", MMEMU, dir);
	expect_status(&o, 0);
	expect_text(&o, "oracles smram-write,comm-oob, seed 3, 2 workers");
	expect_text(&o, "done: 4001 execs");
	free(o.text);
}

static void test_cmd_fuzz_sw_smi_value(void **state)
{
	struct output o;

	(void)state;
	o = run("'%s' fuzz " FIXED " --sw-smi 0x5B --cpu 1 --seed 2 --runs 300 --oracles none",
		MMEMU);
	expect_status(&o, 0);
	expect_text(&o, "SW SMI 0x5B on CPU 1, oracles none");
	expect_text(&o, "done: 300 execs");
	free(o.text);
}

static void test_cmd_fuzz_bad_target(void **state)
{
	struct output o;

	(void)state;
	o = run("'%s' fuzz " FIXED " --guid 11111111-2222-3333-4444-555555555555 --runs 10",
		MMEMU);
	expect_status(&o, 2);
	expect_text(&o, "no MMI handler is registered for the target GUID");
	free(o.text);
	o = run("'%s' fuzz " FIXED " --guid E8AD3D03-576A --runs 10", MMEMU);
	expect_status(&o, 2);
	expect_text(&o, "'E8AD3D03-576A' is not a GUID");
	free(o.text);
	o = run("'%s' fuzz " FIXED " --runs 10", MMEMU);
	expect_status(&o, 2);
	expect_text(&o, "--guid GUID or --sw-smi");
	free(o.text);
	o = run("'%s' fuzz scenarios/fuzz/missing.yaml --guid " GUID, MMEMU);
	expect_status(&o, 2);
	expect_text(&o, "missing.yaml: No such file or directory");
	free(o.text);
	o = run("'%s' fuzz " FIXED " --guid " GUID " --oracles smram-write,bogus", MMEMU);
	expect_status(&o, 2);
	expect_text(&o, "unknown oracle 'bogus'");
	free(o.text);
}

static void test_cmd_fuzz_minimize_raw_input(void **state)
{
	char dir[4096], in[4200], out[4200];
	uint8_t buf[64];
	struct output o;
	struct stat st;

	(void)state;
	scratch_dir(dir, sizeof(dir), "minimize");
	snprintf(in, sizeof(in), "%s/crash.bin", dir);
	snprintf(out, sizeof(out), "%s/min.bin", dir);
	crash_input(buf);
	write_bytes(in, buf, sizeof(buf));
	o = run("'%s' fuzz " VULN " --guid " GUID " --minimize '%s' -o '%s'", MMEMU, in, out);
	expect_status(&o, 0);
	expect_text(&o, "64 -> ");
	expect_text(&o, "smram-write");
	free(o.text);
	assert_int_equal(stat(out, &st), 0);
	assert_true(st.st_size <= 16);
	/* The reproducer written beside it replays the finding. */
	o = run("'%s' run '%s.yaml'", MMEMU, out);
	expect_status(&o, 0);
	free(o.text);
}

static void test_cmd_fuzz_minimize_needs_a_finding(void **state)
{
	char dir[4096], in[4200], out[4200];
	uint8_t zero[16] = { 0 };
	struct output o;

	(void)state;
	scratch_dir(dir, sizeof(dir), "minimize-none");
	snprintf(in, sizeof(in), "%s/benign.bin", dir);
	snprintf(out, sizeof(out), "%s/min.bin", dir);
	write_bytes(in, zero, 8);
	o = run("'%s' fuzz " VULN " --guid " GUID " --minimize '%s' -o '%s'", MMEMU, in, out);
	expect_status(&o, 1);
	expect_text(&o, "the input gives no finding");
	free(o.text);
}

static void test_afl_driver_runs_files_and_stdin(void **state)
{
	char dir[4096], benign[4200], crash[4200];
	uint8_t buf[64], zero[8] = { 0 };
	struct output o;

	(void)state;
	scratch_dir(dir, sizeof(dir), "afl");
	snprintf(benign, sizeof(benign), "%s/benign.bin", dir);
	snprintf(crash, sizeof(crash), "%s/crash.bin", dir);
	write_bytes(benign, zero, sizeof(zero));
	crash_input(buf);
	write_bytes(crash, buf, sizeof(buf));
	o = run("MMEMU_FUZZ_SCENARIO=" VULN " MMEMU_FUZZ_GUID=" GUID " '%s' '%s' '%s'", AFL,
		benign, benign);
	expect_status(&o, 0);
	free(o.text);
	o = run("MMEMU_FUZZ_SCENARIO=" VULN " MMEMU_FUZZ_GUID=" GUID " '%s' < '%s'", AFL, crash);
	expect_text(&o, "mmemu-afl: finding: smram-write");
	assert_int_equal(o.signal, 6); /* SIGABRT: the crash AFL++ records */
	free(o.text);
	o = run("MMEMU_FUZZ_SCENARIO=" VULN " '%s' < '%s'", AFL, crash);
	expect_status(&o, 2);
	expect_text(&o, "set one of MMEMU_FUZZ_GUID");
	free(o.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmd_fuzz_finds_smram_write),
		cmocka_unit_test(test_cmd_fuzz_fixed_twin_is_clean),
		cmocka_unit_test(test_cmd_fuzz_jobs_share_the_runs),
		cmocka_unit_test(test_cmd_fuzz_sw_smi_value),
		cmocka_unit_test(test_cmd_fuzz_bad_target),
		cmocka_unit_test(test_cmd_fuzz_minimize_raw_input),
		cmocka_unit_test(test_cmd_fuzz_minimize_needs_a_finding),
		cmocka_unit_test(test_afl_driver_runs_files_and_stdin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
