/* SPDX-License-Identifier: MIT */
/*
 * Tests emu/cover.c and emu/drcov.c: blocks of an emulated driver are
 * recorded only once coverage is on, attributed to the driver's image, and
 * written and merged as drcov version 2 files.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "support.h"
#include <mmemu/debug.h>
#include <mmemu/mmemu.h>

#include "emu-support.h"

#define SW_HANDLER MMEMU_TEST_DRIVER_DIR "/pe/pe-sample-sw-handler.efi"

/* A Unicorn machine with the SW handler image dispatched (coverage on when cover). */
static struct mm_machine *machine(bool cover)
{
	struct mm_machine *m;
	unsigned index;

	if (access(SW_HANDLER, R_OK))
		skip(); /* no PE images in this build */
	m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	if (cover)
		assert_int_equal(mm_coverage_enable(m), MM_OK);
	assert_int_equal(mm_driver_load_image(m, SW_HANDLER, NULL, &index), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	return m;
}

static unsigned bb_count(const char *text)
{
	const char *p = strstr(text, "BB Table: ");
	unsigned n = 0;

	assert_non_null(p);
	assert_int_equal(sscanf(p, "BB Table: %u bbs", &n), 1);
	return n;
}

static void test_mm_coverage_enable_records_driver_blocks(void **state)
{
	struct mm_machine *m = machine(true);
	char path[] = "/tmp/mmemu-cover-XXXXXX";
	size_t len;
	char *text;
	int fd = mkstemp(path);

	(void)state;
	close(fd);
	assert_true(mm_coverage_blocks(m) > 0);
	assert_int_equal(mm_coverage_write_drcov(m, path), MM_OK);
	text = (char *)mm_test_read_file(path, &len);
	assert_memory_equal(text, "DRCOV VERSION: 2\n", 17);
	assert_non_null(strstr(text, "Module Table: version 2, count 1\n"));
	assert_non_null(strstr(text, "Columns: id, base, end, entry, checksum, timestamp, path\n"));
	assert_non_null(strstr(text, ", SampleSwHandler\n"));
	assert_true(bb_count(text) > 0);
	/* header, then exactly 8 bytes per block */
	assert_int_equal(len - (size_t)(strstr(text, " bbs\n") + 5 - text), bb_count(text) * 8u);
	free(text);
	remove(path);
	mm_machine_destroy(m);
}

static void test_mm_coverage_enable_off_records_nothing(void **state)
{
	struct mm_machine *m = machine(false);

	(void)state;
	assert_int_equal(mm_coverage_blocks(m), 0);
	assert_int_equal(mm_coverage_write_drcov(m, "/tmp/mmemu-never.drcov"), MM_ERR_STATE);
	mm_machine_destroy(m);
}

static void test_mm_coverage_merge_drcov_dedups_and_skips_bad(void **state)
{
	struct mm_machine *m = machine(true);
	char a[] = "/tmp/mmemu-cover-a-XXXXXX", bad[] = "/tmp/mmemu-cover-b-XXXXXX",
	     out[] = "/tmp/mmemu-cover-m-XXXXXX";
	const char *paths[] = { a, a, bad, "/nonexistent/x.drcov" };
	unsigned skipped = 0;
	size_t la, lm;
	char *ta, *tm;
	FILE *f;

	(void)state;
	close(mkstemp(a));
	close(mkstemp(out));
	f = fdopen(mkstemp(bad), "w");
	fputs("DRCOV VERSION: 2\nModule Table: version 2, count 5\nBB Table: 9 bbs\n", f);
	fclose(f);
	assert_int_equal(mm_coverage_write_drcov(m, a), MM_OK);
	assert_int_equal(mm_coverage_merge_drcov(paths, 4, out, &skipped), MM_OK);
	assert_int_equal(skipped, 2);
	ta = (char *)mm_test_read_file(a, &la);
	tm = (char *)mm_test_read_file(out, &lm);
	assert_int_equal(bb_count(tm), bb_count(ta));
	assert_non_null(strstr(tm, ", SampleSwHandler\n"));
	free(ta);
	free(tm);
	remove(a);
	remove(bad);
	remove(out);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_coverage_enable_records_driver_blocks),
		cmocka_unit_test(test_mm_coverage_enable_off_records_nothing),
		cmocka_unit_test(test_mm_coverage_merge_drcov_dedups_and_skips_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
