/* SPDX-License-Identifier: MIT */
/*
 * How `mmemu run` reports scenario results: the plain one-line-per-scenario
 * form, TAP version 13 and JUnit XML. The writers only format; cmd-run.c
 * decides what ran and in which order.
 */
#ifndef TOOLS_REPORT_H
#define TOOLS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum report_outcome {
	REPORT_PASS,
	REPORT_FAIL,
	REPORT_SKIP,
	REPORT_ERROR, /* the file could not be read or loaded: counts as failed, exit 2 */
};

/* One scenario's result, as the writers need it. */
struct report_case {
	const char *name;    /* scenario name; the file for REPORT_ERROR */
	const char *file;    /* the path as found on the command line or in a directory */
	enum report_outcome outcome;
	const char *message; /* failure, skip or load error text; NULL when passed */
	const char *output;  /* what -v printed for this scenario; NULL or "" when none */
	double seconds;      /* wall-clock time of the run */
};

/* Totals printed in the summary line and the JUnit header. */
struct report_totals {
	unsigned passed, failed, skipped, errors; /* errors are also counted in failed */
};

/* Adds c to *t. */
void report_count(struct report_totals *t, const struct report_case *c);

/*
 * Prints c in the plain form: "PASS name (file)", "FAIL name (file)" with the
 * message indented below, "SKIP name (file) (reason)", "ERROR file: message".
 * The -v output, if any, comes first.
 */
void report_plain_case(FILE *out, const struct report_case *c);

/* Prints "TAP version 13" and the plan "1..n". */
void report_tap_header(FILE *out, size_t n);
/* Prints c as TAP test point number index (1-based), with a YAML block on failure. */
void report_tap_case(FILE *out, size_t index, const struct report_case *c);

/*
 * Prints the summary line "N passed, N failed[, N skipped][ in S.SSs]";
 * seconds < 0 leaves the time out. prefix ("" or "# ") comes first.
 */
void report_summary(FILE *out, const char *prefix, const struct report_totals *t,
		    double seconds);

/*
 * Writes a JUnit XML file at path: one testsuite "mmemu" with a testcase per
 * scenario (failure/skipped/error elements with escaped text). timing false
 * writes every time as 0 so the file is identical between runs. Returns 0,
 * or -1 when the file cannot be written (errno set).
 */
int report_junit_write(const char *path, const struct report_case *cases, size_t n,
		       bool timing);

/* Writes s to out escaped for XML text and attributes (no control characters). */
void report_xml_escape(FILE *out, const char *s);

#endif /* TOOLS_REPORT_H */
