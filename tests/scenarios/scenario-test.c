/* SPDX-License-Identifier: MIT */
/*
 * Tests of the scenario engine (scenarios/): the loader accepts the format's
 * constructs and reports each class of error at the right file:line:column;
 * the runner passes and fails the right way on the sample drivers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>

static char dir[256];

/* Writes text to dir/name and returns the path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Loads text as a scenario; returns the error message ("" on success). */
static const char *load_err(const char *text)
{
	static char err[512];
	struct mm_scenario *s = NULL;
	enum mm_err rc = mm_scenario_load(put("t.yaml", text), &s, err, sizeof(err));

	if (!rc) {
		assert_non_null(s);
		mm_scenario_free(s);
		return "";
	}
	assert_null(s);
	/* strip the directory */
	return strstr(err, "t.yaml") ? strstr(err, "t.yaml") : err;
}

/* Runs text as a scenario and returns whether it passed; message in msg. */
static bool run_text(const char *text, char *msg, size_t len)
{
	char err[512];
	struct mm_scenario *s = NULL;
	struct mm_scenario_result r;
	bool passed;

	assert_int_equal(mm_scenario_load(put("r.yaml", text), &s, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_scenario_run(s, NULL, &r), MM_OK);
	passed = r.passed;
	snprintf(msg, len, "%s", r.message ? r.message : "");
	mm_scenario_result_free(&r);
	mm_scenario_free(s);
	return passed;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mmemu-scn-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	setenv("MMEMU_DRIVER_DIR", MMEMU_TEST_DRIVER_DIR, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_mm_scenario_load_every_construct(void **state)
{
	(void)state;
	put("plat.yaml", "cpus: 2\nsave-state: amd64\n");
	put("msg.bin", "abcd");
	assert_string_equal(load_err(
		"name: all\n"
		"description: every construct\n"
		"platform: { include: plat.yaml, cpus: 4, cpu-engine: host,\n"
		"  memory: [ { name: low, base: 0x10000, size: 0x90000, type: ram, efi-type: EfiConventionalMemory },\n"
		"            { name: tseg, base: 0x0F800000, size: 0x800000, type: smram } ],\n"
		"  smbase: { default: 0x30000, tile-size: 0x2000 }, instruction-budget: 1_000_000 }\n"
		"requires: [ msg.bin ]\n"
		"log: [dispatch, mmi]\n"
		"drivers:\n  - native: sample-producer.so\n"
		"dispatch: depex\n"
		"steps:\n"
		"  - dispatch:\n"
		"    expect: { drivers: { SampleLate: not-dispatched }, order: [A, B], reason: { SampleLate: waits } }\n"
		"  - set-registers: { cpu: 1, rcx: 0x1233, rbx: 0 }\n"
		"  - sw-smi: { value: 0x42, data: 0x5A, cpu: 1 }\n"
		"    expect: { registers: { cpu: 1, rax: 0x1234 }, handlers: [SampleSwHandler] }\n"
		"  - communicate: { guid: F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A0, payload: \"01000000 28000000\",\n"
		"      buffer-size: 256, memory-type: EfiRuntimeServicesData, message-length: 24 }\n"
		"    expect: { status: EFI_SUCCESS, message: { hex: \"01\", mask: \"ff\" }, message-length: 24 }\n"
		"  - communicate: { guid: gEfiMmSwDispatchProtocolGuid, payload-file: msg.bin }\n"
		"  - communicate: { guid: F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A0, fields: [ {u8: 1}, {u16: 2}, {u32: 3}, {u64: 4}, {guid: gEfiMmSwDispatchProtocolGuid}, {bytes: \"00ff\"} ], address: 0x200000 }\n"
		"    expect: { message: { fields: [ {u32: any}, {u32: 1} ], length: 24 }, log: [ {contains: x}, {regex: \"a.*b\"}, {absent: y} ] }\n"
		"  - write-memory: { address: 0x300000, hex: deadbeef }\n"
		"  - read-memory: { address: 0x300000, length: 4 }\n"
		"    expect: { hex: deadbeef }\n"
		"  - write-port: { port: 0x80, width: 1, value: 0x12 }\n"
		"  - read-port: { port: 0xB3, width: 1 }\n"
		"    expect: { value: 0x5A }\n"
		"  - end-of-dxe: {}\n"
		"  - ready-to-lock: {}\n"
		"  - smram: lock\n"
		"    expect: { error: denied, stop: { kind: fault, contains: x }, smram: locked, leaks: 0 }\n"
		"  - repeat: { count: 3, steps: [ { sw-smi: { value: 1 } } ] }\n"
		"expect-at-end: { smram: locked, leaks: 0, stop: none }\n"),
		"");
}

static void test_mm_scenario_load_errors(void **state)
{
	(void)state;
	assert_string_equal(load_err("steps: [\n"), "t.yaml:2:1: YAML syntax error: did not find expected node content while parsing a flow node");
	assert_string_equal(load_err("name: x\nstepz: []\n"),
			    "t.yaml:2:1: unknown key 'stepz', did you mean 'steps'?");
	assert_string_equal(load_err("steps: 3\n"), "t.yaml:1:8: steps: expected a list, got a scalar");
	assert_string_equal(load_err("platform: { cpus: 300 }\n"),
			    "t.yaml:1:19: cpus: 300 is out of range (0..0x100)");
	assert_string_equal(load_err("steps:\n  - sw-smi: { value: x }\n"),
			    "t.yaml:2:22: value: expected an integer (decimal or 0x hex), got 'x'");
	assert_string_equal(load_err("steps:\n  - write-port: { port: 1, width: 3, value: 1 }\n"),
			    "t.yaml:2:35: width: expected 1, 2 or 4, got 3");
	assert_string_equal(load_err("steps:\n  - write-memory: { address: 0, fields: [ {u8: 256} ] }\n"),
			    "t.yaml:2:48: u8: 256 is out of range (0..0xff)");
	assert_string_equal(load_err("steps:\n  - communicate: { guid: 1234 }\n"),
			    "t.yaml:2:26: malformed GUID '1234': expected XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX or a known gEfi...Guid name");
	assert_string_equal(load_err("steps:\n  - write-memory: { address: 0, hex: abc }\n"),
			    "t.yaml:2:38: malformed hex: odd number of hex digits (3)");
	assert_string_equal(load_err("drivers:\n  - native: ./nope.so\n"),
			    strstr(load_err("drivers:\n  - native: ./nope.so\n"), "t.yaml:2:13: driver file '") ? load_err("drivers:\n  - native: ./nope.so\n") : "wrong");
	assert_string_equal(load_err("steps:\n  - repeat: { count: 10000001, steps: [] }\n"),
			    "t.yaml:2:22: count: 10000001 is out of range (0..0x989680)");
	assert_string_equal(load_err("steps:\n  - sw-smi: { value: 1 }\n    expect: { status: EFI_SUCCESS }\n"),
			    "t.yaml:3:15: 'status' does not apply to a step of action sw-smi");
	assert_string_equal(load_err("a: &x 1\nb: *x\n"),
			    "t.yaml:2:4: YAML aliases (*name) are not supported in scenarios");
	assert_string_equal(load_err("steps: [ { sw-smi: {value: 1}, dispatch: {} } ]\n"),
			    "t.yaml:1:32: step: one action per step ('sw-smi' and 'dispatch')");
}

/* The `image:` driver kind and its `depex:` / `type:` keys. */
static void test_mm_scenario_load_image_driver_errors(void **state)
{
	(void)state;
	assert_string_equal(load_err("drivers:\n  - { native: a.so, image: a.efi }\n"),
			    "t.yaml:2:5: driver: 'native' or 'image', not both");
	assert_string_equal(load_err("drivers:\n  - { native: a.so, depex: TRUE }\n"),
			    "t.yaml:2:21: 'depex' and 'type' go with 'image' drivers only");
	assert_string_equal(load_err("drivers:\n  - { image: a.efi, type: dxe }\n"),
			    "t.yaml:2:27: type: expected standalone, traditional or combined, not 'dxe'");
}

/* The `fv:` driver kind and its `modules:` key. */
static void test_mm_scenario_load_fv_driver(void **state)
{
	(void)state;
	const char *e = load_err("drivers:\n  - { fv: a.fd }\n");

	assert_true(!strncmp(e, "t.yaml:2:11: firmware image '", 29));
	assert_non_null(strstr(e, "/a.fd' not found"));
	assert_string_equal(load_err("drivers:\n  - { native: a.so, modules: [A] }\n"),
			    "t.yaml:2:21: 'modules' goes with 'fv' drivers only");
	assert_string_equal(load_err("drivers:\n  - { fv: a.fd, type: standalone }\n"),
			    "t.yaml:2:17: driver: 'fv' takes only 'modules' beside it, not 'type'");
	assert_string_equal(load_err("drivers:\n  - { fv: a.fd, modules: A }\n"),
			    "t.yaml:2:26: modules: expected a list, got a scalar");
	/* A required image may be absent: the run skips. */
	assert_string_equal(load_err("requires: [ /nonexistent/x.fd ]\n"
				     "drivers:\n  - { fv: /nonexistent/x.fd, modules: [A, B] }\n"),
			    "");
}

static void test_mm_scenario_load_circular_include(void **state)
{
	(void)state;
	put("a.yaml", "include: b.yaml\n");
	put("b.yaml", "include: a.yaml\n");
	const char *e = load_err("platform: a.yaml\n");

	assert_non_null(strstr(e, "b.yaml:1:10: circular platform include"));
}

static void test_mm_scenario_load_missing_payload_file(void **state)
{
	(void)state;
	const char *e = load_err("steps:\n  - communicate: { guid: gEfiMmSwDispatchProtocolGuid, payload-file: no.bin }\n");

	assert_non_null(strstr(e, "t.yaml:2:70: payload file '"));
}

static void test_mm_scenario_run_sample_pass(void **state)
{
	char msg[2048];

	(void)state;
	bool ok = run_text(
		"drivers:\n"
		"  - native: sample-producer.so\n"
		"  - native: sample-guid-handler.so\n"
		"  - native: sample-sw-handler.so\n"
		"  - native: sample-late.so\n"
		"steps:\n"
		"  - dispatch:\n"
		"    expect: { drivers: { SampleLate: not-dispatched } }\n"
		"  - set-registers: { cpu: 1, rcx: 0x1233 }\n"
		"  - sw-smi: { value: 0x42, data: 0x5A, cpu: 1 }\n"
		"    expect: { registers: { cpu: 1, rax: 0x1234, rbx: 0x5A } }\n"
		"  - communicate:\n"
		"      guid: F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A0\n"
		"      fields: [ {u32: 1}, {u32: 40}, {u32: 2}, {u32: 0}, {u64: 0} ]\n"
		"    expect:\n"
		"      status: EFI_SUCCESS\n"
		"      message: { fields: [ {u32: 1}, {u32: any}, {u32: 2}, {u32: 42}, {u64: 0} ] }\n"
		"      handlers: [SampleGuidHandler]\n"
		"  - write-memory: { address: 0x300000, hex: deadbeef }\n"
		"  - read-memory: { address: 0x300000, length: 4 }\n"
		"    expect: { hex: deadbeef }\n"
		"expect-at-end: { stop: none }\n",
		msg, sizeof(msg));

	if (!ok)
		print_message("%s\n", msg);
	assert_true(ok);
}

static void test_mm_scenario_run_sample_fail(void **state)
{
	char msg[4096];

	(void)state;
	assert_false(run_text("drivers:\n  - native: sample-sw-handler.so\n"
			      "steps:\n  - dispatch:\n"
			      "  - set-registers: { cpu: 0, rcx: 1 }\n"
			      "  - sw-smi: { value: 0x42 }\n"
			      "    expect: { registers: { cpu: 0, rax: 7 } }\n",
			      msg, sizeof(msg)));
	assert_non_null(strstr(msg, "r.yaml:6: step 3 (sw-smi): registers: cpu 0 rax: expected 0x7, got 0x2"));
}

/* `status` and `char16` fields: their bytes, and what they refuse. */
static void test_mm_scenario_fields_status_char16(void **state)
{
	char msg[2048];

	(void)state;
	bool ok = run_text(
		"steps:\n"
		"  - write-memory:\n"
		"      address: 0x300000\n"
		"      fields: [ {char16: Ab}, {status: EFI_BUFFER_TOO_SMALL}, {status: 3} ]\n"
		"  - read-memory: { address: 0x300000, length: 22 }\n"
		"    expect: { hex: \"41006200 0000 0500000000000080 0300000000000000\" }\n"
		"  - read-memory: { address: 0x300000, length: 22 }\n"
		"    expect: { fields: [ {char16: Ab}, {status: any}, {u64: 3} ] }\n",
		msg, sizeof(msg));

	if (!ok)
		print_message("%s\n", msg);
	assert_true(ok);
	assert_string_equal(load_err("steps:\n  - write-memory: { address: 0, fields: [ "
				     "{status: EFI_NO_SUCH} ] }\n"),
			    "t.yaml:2:52: status: unknown name 'EFI_NO_SUCH'");
	assert_non_null(strstr(load_err("steps:\n  - write-memory: { address: 0, fields: [ "
					"{char16: \"\xc3\xa9\"} ] }\n"),
			       "char16: only ASCII characters, got byte 0xc3"));
}

/* A field's optional `name` labels it (the SMI report) without changing its bytes. */
static void test_mm_scenario_fields_name(void **state)
{
	char msg[2048];

	(void)state;
	bool ok = run_text(
		"steps:\n"
		"  - write-memory:\n"
		"      address: 0x300000\n"
		"      fields: [ {u16: 0x1234, name: Command}, {name: Flags, u8: 7} ]\n"
		"  - read-memory: { address: 0x300000, length: 3 }\n"
		"    expect: { hex: \"341207\" }\n",
		msg, sizeof(msg));

	if (!ok)
		print_message("%s\n", msg);
	assert_true(ok);
	assert_non_null(strstr(load_err("steps:\n  - write-memory: { address: 0, fields: [ "
					"{name: A} ] }\n"),
			       "field: expected exactly one of"));
	assert_non_null(strstr(load_err("steps:\n  - write-memory: { address: 0, fields: [ "
					"{u8: 1, u16: 2, name: A} ] }\n"),
			       "field: expected exactly one of"));
	assert_non_null(strstr(load_err("steps:\n  - write-memory: { address: 0, fields: [ "
					"{u8: 1, name: [A]} ] }\n"),
			       "name"));
}

/* `power-cycle`: a fresh machine, drivers loaded but not dispatched. */
static void test_mm_scenario_run_power_cycle(void **state)
{
	char msg[2048];

	(void)state;
	bool ok = run_text(
		"drivers:\n"
		"  - native: sample-sw-handler.so\n"
		"steps:\n"
		"  - dispatch: {}\n"
		"  - write-memory: { address: 0x300000, hex: deadbeef }\n"
		"  - power-cycle: {}\n"
		"  - read-memory: { address: 0x300000, length: 4 }\n"
		"    expect: { hex: \"00000000\" }\n"
		"  - set-registers: { cpu: 1, rcx: 0x1233, rax: 0 }\n"
		"  - sw-smi: { value: 0x42, cpu: 1 }\n"
		"    expect: { handlers: [] }\n"
		"  - dispatch: {}\n"
		"    expect: { drivers: { SampleSwHandler: dispatched } }\n"
		"  - sw-smi: { value: 0x42, cpu: 1 }\n"
		"    expect: { registers: { cpu: 1, rax: 0x1234 } }\n",
		msg, sizeof(msg));

	if (!ok)
		print_message("%s\n", msg);
	assert_true(ok);
}

static void test_mm_scenario_run_skipped(void **state)
{
	char err[256];
	struct mm_scenario *s = NULL;
	struct mm_scenario_result r;

	(void)state;
	assert_int_equal(mm_scenario_load(put("s.yaml", "requires: [ /nonexistent/x.fd ]\n"), &s,
					  err, sizeof(err)),
			 MM_OK);
	assert_int_equal(mm_scenario_run(s, NULL, &r), MM_OK);
	assert_true(r.skipped);
	mm_scenario_result_free(&r);
	mm_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_scenario_load_every_construct),
		cmocka_unit_test(test_mm_scenario_load_errors),
		cmocka_unit_test(test_mm_scenario_load_image_driver_errors),
		cmocka_unit_test(test_mm_scenario_load_fv_driver),
		cmocka_unit_test(test_mm_scenario_load_circular_include),
		cmocka_unit_test(test_mm_scenario_load_missing_payload_file),
		cmocka_unit_test(test_mm_scenario_run_sample_pass),
		cmocka_unit_test(test_mm_scenario_run_sample_fail),
		cmocka_unit_test(test_mm_scenario_run_skipped),
		cmocka_unit_test(test_mm_scenario_fields_status_char16),
		cmocka_unit_test(test_mm_scenario_fields_name),
		cmocka_unit_test(test_mm_scenario_run_power_cycle),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
