/* SPDX-License-Identifier: MIT */
/*
 * Scenarios: YAML files that name a platform, drivers, steps and what must
 * hold (docs/scenarios.md). Loading checks the whole file; running builds a
 * fresh machine and checks every expectation.
 */
#ifndef MMEMU_SCENARIO_H
#define MMEMU_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct mm_scenario;
struct mm_run_hooks;

/*
 * Loads and validates the scenario file at path (with its includes). On
 * failure *out is NULL and err (errlen bytes) holds one message of the form
 * "FILE:LINE:COLUMN: what is wrong". Returns MM_OK, MM_ERR_IO (unreadable
 * file), MM_ERR_FORMAT (anything malformed), MM_ERR_NOMEM.
 */
enum mm_err mm_scenario_load(const char *path, struct mm_scenario **out, char *err,
			     size_t errlen);
/* Frees a scenario (NULL is fine). */
void mm_scenario_free(struct mm_scenario *s);
/* The scenario's name (its `name:`, else the file name without .yaml). */
const char *mm_scenario_name(const struct mm_scenario *s);
/* The path the scenario was loaded from. */
const char *mm_scenario_path(const struct mm_scenario *s);

struct mm_scenario_opts {
	uint32_t log_mask;  /* extra categories shown on stderr (--log); 0: none */
	bool verbose;       /* -v: print every step to out */
	FILE *out;          /* where -v writes (NULL: stdout) */
	/* Observers of the run (include/mmemu/record.h), or NULL. */
	const struct mm_run_hooks *hooks;
};

struct mm_scenario_result {
	bool passed;
	bool skipped;       /* a `requires:` file is missing */
	unsigned steps_run;
	/*
	 * Failure or skip text, malloc'd, NULL when passed: names the file, the
	 * step and its YAML line, the expectation, expected against actual, then
	 * the log lines of that step.
	 */
	char *message;
};

/*
 * Runs s on a fresh machine and fills *r. Returns MM_OK when the scenario ran
 * (passed, failed or skipped: see *r), or MM_ERR_NOMEM / MM_ERR_MAP when no
 * machine could be built (message in r->message).
 */
enum mm_err mm_scenario_run(const struct mm_scenario *s, const struct mm_scenario_opts *o,
			    struct mm_scenario_result *r);
/* Frees what a result holds. */
void mm_scenario_result_free(struct mm_scenario_result *r);

#endif /* MMEMU_SCENARIO_H */
