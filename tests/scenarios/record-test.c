/* SPDX-License-Identifier: MIT */
/*
 * Tests scenarios/record.c and scenarios/report-html.c: a scenario with a
 * communicate and a SW SMI on the emulated CPU runs with the recorder's
 * hooks; the recorder saw the SMI and the handlers, and the HTML page names
 * them, is well nested and refers to nothing outside itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <mmemu/mmemu.h>
#include <mmemu/record.h>

#define PE MMEMU_TEST_DRIVER_DIR "/pe/"

static const char scenario[] =
	"description: recorder test\n"
	"platform: " MMEMU_SOURCE_DIR "/scenarios/platforms/unicorn.yaml\n"
	"drivers:\n"
	"  - image: " PE "pe-sample-guid-handler.efi\n"
	"  - image: " PE "pe-sample-sw-handler.efi\n"
	"  - image: " PE "pe-sample-producer.efi\n"
	"steps:\n"
	"  - dispatch: {}\n"
	"  - communicate:\n"
	"      guid: F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A0\n"
	"      fields: [ {u32: 1, name: Command}, {u32: 40}, {u32: 2}, {u32: 0, name: Result},\n"
	"                {u64: 0} ]\n"
	"    expect: { status: EFI_SUCCESS }\n"
	"  - set-registers: { cpu: 3, rcx: 0xFFFFFFFF, rbx: 0 }\n"
	"  - sw-smi: { value: 0x42, data: 0xC3, cpu: 3 }\n"
	"    expect: { handlers: [SampleSwHandler], stop: none }\n";

/* Runs the scenario with a recorder; returns the recorder (caller frees). */
static struct mm_recorder *record(bool *passed)
{
	char path[] = "/tmp/mmemu-record-test-XXXXXX.yaml", err[512];
	struct mm_scenario_result r = { 0 };
	struct mm_scenario_opts o = { 0 };
	struct mm_run_hooks h;
	struct mm_scenario *s = NULL;
	struct mm_recorder *rec = mm_recorder_create();
	int fd;
	FILE *f;

	if (access(PE "pe-sample-sw-handler.efi", R_OK)) {
		mm_recorder_free(rec);
		skip(); /* no PE images in this build (no clang/lld-link) */
	}
	fd = mkstemps(path, 5);
	f = fdopen(fd, "w");
	assert_non_null(rec);
	assert_non_null(f);
	fputs(scenario, f);
	fclose(f);
	assert_int_equal(mm_scenario_load(path, &s, err, sizeof(err)), MM_OK);
	mm_recorder_hooks(rec, &h);
	mm_recorder_set_title(rec, "record-test", path);
	o.hooks = &h;
	assert_int_equal(mm_scenario_run(s, &o, &r), MM_OK);
	*passed = r.passed;
	if (!r.passed)
		print_message("%s\n", r.message ? r.message : "?");
	mm_scenario_result_free(&r);
	mm_scenario_free(s);
	remove(path);
	return rec;
}

static char *render(const struct mm_recorder *rec)
{
	char *html = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&html, &len);

	assert_non_null(f);
	assert_int_equal(mm_recorder_write_html(rec, f), MM_OK);
	fclose(f);
	return html;
}

/* True when every <tag> of html closes in order (void elements aside). */
static bool well_nested(const char *html)
{
	static const char *const voids[] = { "meta", "br", "hr", "img", "!DOCTYPE" };
	char stack[64][16];
	int depth = 0;

	for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
		bool close = p[1] == '/';
		size_t n = strcspn(p + 1 + close, " >");
		char tag[16];
		bool is_void = false;

		if (n == 0 || n >= sizeof(tag))
			return false;
		memcpy(tag, p + 1 + close, n);
		tag[n] = 0;
		for (size_t i = 0; i < sizeof(voids) / sizeof(voids[0]); i++)
			is_void |= !strcmp(tag, voids[i]);
		if (is_void)
			continue;
		if (!close) {
			if (depth == 64)
				return false;
			strcpy(stack[depth++], tag);
		} else if (!depth || strcmp(stack[--depth], tag)) {
			return false;
		}
	}
	return depth == 0;
}

static void test_mm_recorder_write_html_names_the_smi(void **state)
{
	bool passed = false;
	struct mm_recorder *rec = record(&passed);
	char *html;

	(void)state;
	assert_true(passed);
	assert_int_equal(mm_recorder_smis(rec), 1);
	html = render(rec);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "SMI #1"));
	assert_non_null(strstr(html, "SampleSwHandler"));
	assert_non_null(strstr(html, "SampleGuidHandler"));
	assert_non_null(strstr(html, "F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A0"));
	assert_non_null(strstr(html, "EFI_SUCCESS"));
	assert_non_null(strstr(html, "<td>software SMI 0x42, data 0xc3, from CPU 3</td>"));
	assert_non_null(strstr(html, "BSP"));
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "<script"));
	assert_true(well_nested(html));
	free(html);
	mm_recorder_free(rec);
}

static void test_mm_recorder_write_html_shows_buffers_and_registers(void **state)
{
	bool passed = false;
	struct mm_recorder *rec = record(&passed);
	char *html = render(rec);

	(void)state;
	/* the ADD result (42 = 0x2a) is in the buffer after, not before */
	assert_non_null(strstr(html, "<b>before</b>"));
	assert_non_null(strstr(html, "<b>after"));
	assert_non_null(strstr(html, "0020  02 00 00 00 00 00 00 00"));
	assert_non_null(strstr(html, "0020  02 00 00 00 <span class=\"chg\">2a</span> 00 00 00"));
	/* emulated handlers carry their instruction counts (the root one includes its child) */
	assert_non_null(strstr(html, " instructions</span>"));
	assert_null(strstr(html, "> 0 instructions</span>"));
	/* the declared fields: named or numbered, the changed one marked */
	assert_non_null(strstr(html, "<td>Command</td><td><code>u32</code></td><td>0x0</td>"));
	assert_non_null(strstr(html, "<td><span class=\"muted\">#1</span></td>"));
	assert_non_null(strstr(html, "<tr class=\"chg\"><td>Result</td><td><code>u32</code></td>"
				     "<td>0xc</td><td><code>0x0</code> <span class=\"muted\">(0)"
				     "</span></td><td><code>0x2a</code>"));
	assert_null(strstr(html, "<tr class=\"chg\"><td>Command</td>"));
	/* rbx became the SW SMI data 0xC3 on CPU 3 */
	assert_non_null(strstr(html, "Registers of CPU 3"));
	assert_non_null(strstr(html, "0x00000000000000c3"));
	free(html);
	mm_recorder_free(rec);
}

static void test_mm_recorder_write_html_empty_recorder(void **state)
{
	struct mm_recorder *rec = mm_recorder_create();
	char *html = render(rec);

	(void)state;
	assert_non_null(strstr(html, "No SMI was delivered"));
	assert_true(well_nested(html));
	free(html);
	mm_recorder_free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_recorder_write_html_names_the_smi),
		cmocka_unit_test(test_mm_recorder_write_html_shows_buffers_and_registers),
		cmocka_unit_test(test_mm_recorder_write_html_empty_recorder),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
