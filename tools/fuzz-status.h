/* SPDX-License-Identifier: MIT */
/* The status line and summary of `mmemu fuzz` (tools/fuzz-status.c). */
#ifndef TOOLS_FUZZ_STATUS_H
#define TOOLS_FUZZ_STATUS_H

#include <stdbool.h>
#include <stdio.h>

#include <mmemu/fuzz.h>

struct cli_fuzz_status {
	FILE *out;
	bool tty;             /* refresh one line in place; else a line every few seconds */
	unsigned jobs;
	const struct mm_fuzz_config *cfg;
	double t0;            /* when fuzzing started (monotonic seconds) */
	double last_print;    /* when the last line was printed */
	uint64_t last_execs;  /* executions at that time, for the current rate */
	bool line_open;       /* a \r line is on screen without its newline */
};

/* Sets st up to print to out about fuzzing cfg with jobs workers. */
void cli_fuzz_status_init(struct cli_fuzz_status *st, FILE *out, const struct mm_fuzz_config *cfg,
		      unsigned jobs);
/* Prints the header line and marks the start of fuzzing (the start state is built). */
void cli_fuzz_status_start(struct cli_fuzz_status *st);
/* Prints the status line when it is time to (s: all workers together). */
void cli_fuzz_status_update(struct cli_fuzz_status *st, const struct mm_fuzz_stats *s);
/* Prints the final summary. */
void cli_fuzz_status_final(struct cli_fuzz_status *st, const struct mm_fuzz_stats *s);

#endif /* TOOLS_FUZZ_STATUS_H */
