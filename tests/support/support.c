/* SPDX-License-Identifier: MIT */
/* Helpers shared by the unit tests. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"

struct mm_machine *mm_test_machine(void)
{
	struct mm_machine *m = NULL;
	char err[512] = "";

	if (mm_machine_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_machine_create: %s", err);
	assert_non_null(m);
	return m;
}

static void capture(void *user, enum mm_log_cat cat, const char *line)
{
	struct mm_test_log *log = user;

	(void)cat;
	if (log->count >= MM_TEST_LOG_LINES) {
		log->dropped++;
		return;
	}
	snprintf(log->lines[log->count++], sizeof(log->lines[0]), "%s", line);
}

void mm_test_log_attach(struct mm_machine *m, struct mm_test_log *log, uint32_t mask)
{
	memset(log, 0, sizeof(*log));
	mm_log_set_sink(m, capture, log);
	mm_log_set_mask(m, mask);
}

bool mm_test_log_contains(const struct mm_test_log *log, const char *needle)
{
	for (unsigned i = 0; i < log->count; i++)
		if (strstr(log->lines[i], needle))
			return true;
	return false;
}

uint8_t *mm_test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}
