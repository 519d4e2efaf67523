/* SPDX-License-Identifier: MIT */
/* Helpers shared by the unit tests: a default machine and a log capture. */
#ifndef TESTS_SUPPORT_H
#define TESTS_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/mmemu.h>

#define MM_TEST_LOG_LINES 512

/* Log lines captured from a machine (see mm_test_log_attach). */
struct mm_test_log {
	char lines[MM_TEST_LOG_LINES][256];
	unsigned count;   /* lines kept (at most MM_TEST_LOG_LINES) */
	unsigned dropped; /* lines past the capacity */
};

/* Creates a machine on the default platform; fails the test on error. */
struct mm_machine *mm_test_machine(void);
/*
 * Sends the log of m, with categories mask enabled, into log (cleared first).
 * log must outlive m (destroying a machine logs): use static or fixture storage.
 */
void mm_test_log_attach(struct mm_machine *m, struct mm_test_log *log, uint32_t mask);
/*
 * Reads the whole file at path into a malloc'd buffer with a NUL after its
 * last byte (so text files are strings) and stores its size in *len; fails
 * the test when the file cannot be read.
 */
uint8_t *mm_test_read_file(const char *path, size_t *len);
/* True when some captured line contains needle. */
bool mm_test_log_contains(const struct mm_test_log *log, const char *needle);

#endif /* TESTS_SUPPORT_H */
