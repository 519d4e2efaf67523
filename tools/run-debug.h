/* SPDX-License-Identifier: MIT */
/*
 * The debugging options of `mmemu run` (docs/debugging.md): --coverage DIR,
 * --report FILE.html, --trace SPEC, --trace-file FILE, --trace-limit N.
 * cmd-run.c parses with run_debug_option, calls run_debug_scenario in each
 * worker around mm_scenario_run, and run_debug_finish once at the end.
 */
#ifndef TOOLS_RUN_DEBUG_H
#define TOOLS_RUN_DEBUG_H

#include <stdbool.h>
#include <stddef.h>

#include <mmemu/debug.h>
#include <mmemu/mmemu.h>

struct run_debug {
	const char *coverage_dir;
	const char *report;
	const char *trace_file;
	struct mm_trace_opts trace; /* trace.what 0: no trace */
	const char *symbols[16];    /* --symbols IMAGE=PATH, as given */
	unsigned nsymbols;
	size_t total;               /* scenarios in the run (set by cmd-run before running) */
};

/* getopt_long entries for the options, to copy into the command's table. */
#define RUN_DEBUG_OPT_BASE 512
#define RUN_DEBUG_OPTIONS                                                        \
	{ "coverage", required_argument, NULL, RUN_DEBUG_OPT_BASE + 0 },         \
	{ "report", required_argument, NULL, RUN_DEBUG_OPT_BASE + 1 },           \
	{ "trace", required_argument, NULL, RUN_DEBUG_OPT_BASE + 2 },            \
	{ "trace-file", required_argument, NULL, RUN_DEBUG_OPT_BASE + 3 },       \
	{ "trace-limit", required_argument, NULL, RUN_DEBUG_OPT_BASE + 4 },      \
	{ "symbols", required_argument, NULL, RUN_DEBUG_OPT_BASE + 5 }
#define RUN_DEBUG_USAGE                                                                    \
	"  --coverage DIR      write the basic-block coverage of emulated code to DIR:\n"     \
	"                      one drcov file per scenario and merged.drcov\n"                  \
	"  --report FILE.html  write an HTML report of the SMIs (one scenario; with more,\n" \
	"                      FILE-N.html for scenario N)\n"                                   \
	"  --trace WHAT,...    trace insn, calls, mem:LO-HI, io (off by default)\n"            \
	"  --trace-file FILE   write the trace to FILE (default: stderr)\n"                   \
	"  --trace-limit N     stop the trace after N lines (default 100000)\n"                \
	"  --symbols IMAGE=ELF symbols and source lines of image IMAGE from ELF (the image\n" \
	"                      or its .debug file) for traces; repeatable\n"

/*
 * Handles option c (RUN_DEBUG_OPT_BASE + k) with argument arg. Returns 0,
 * or -1 with a message printed (bad argument), 1 when c is not ours.
 */
int run_debug_option(struct run_debug *d, int c, const char *arg);
/*
 * Runs scenario s (number index of d->total) with the debugging features
 * on, as mm_scenario_run does with so. Without any feature it is
 * mm_scenario_run itself.
 */
enum mm_err run_debug_scenario(const struct run_debug *d, size_t index,
			       const struct mm_scenario *s, struct mm_scenario_opts *so,
			       struct mm_scenario_result *r);
/* Before the workers: creates the coverage directory. Returns 0 or -1 (message printed). */
int run_debug_prepare(const struct run_debug *d);
/* After all scenarios: merges the coverage files. Returns 0, or -1 (message printed). */
int run_debug_finish(const struct run_debug *d, size_t n);

#endif /* TOOLS_RUN_DEBUG_H */
