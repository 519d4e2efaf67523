/* SPDX-License-Identifier: MIT */
/*
 * Watching a scenario run from outside, and the SMI report built from it.
 *
 * A scenario run (mm_scenario_run) tells the hooks of its options when the
 * machine exists, around every step, after every handler and for every log
 * line. The recorder is one user of these hooks: it keeps a small event
 * log of the run (steps, SMIs, handler returns, communicate buffers,
 * registers of the CPUs around each step, log lines, the stop record) and
 * writes it as one self-contained HTML page (docs/debugging.md).
 */
#ifndef MMEMU_RECORD_H
#define MMEMU_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "observe.h"

struct mm_machine;

/*
 * One field of a message the scenario declared with `fields` (offsets in the
 * message, after the 24-byte communicate header).
 */
struct mm_run_field {
	const char *type; /* "u8", "u16", "u32", "u64", "guid", "bytes", "status", "char16" */
	const char *name; /* its `name`, or NULL */
	size_t offset, size;
};

/* One step as the hooks see it (fields valid during the call only). */
struct mm_run_step {
	const char *label;          /* "step 3 (sw-smi)" */
	unsigned line;              /* its YAML line */
	const char *action;         /* "sw-smi" */
	unsigned cpu;               /* the step's CPU (sw-smi), else 0 */
	/* step_end only */
	enum mm_err err;            /* what the action returned */
	const char *failure;        /* the failed expectation, or NULL */
	/* communicate steps (step_end only) */
	bool communicate;
	uint64_t comm_addr;         /* the buffer */
	uint64_t comm_status;       /* what MmCommunicate returned */
	const uint8_t *comm_guid;   /* the header as the step wrote it */
	uint64_t comm_length_in;
	const uint8_t *payload;     /* the payload as the step wrote it */
	size_t payload_len;
	const struct mm_run_field *fields; /* the payload's declared layout, or NULL */
	size_t nfields;
};

struct mm_run_hooks {
	void *user;          /* passed back to every hook */
	uint32_t log_mask;   /* log categories the hooks want on top of the scenario's */
	/* The machine is built; no driver is loaded yet. */
	void (*attach)(void *user, struct mm_machine *m);
	void (*step_begin)(void *user, struct mm_machine *m, const struct mm_run_step *s);
	void (*step_end)(void *user, struct mm_machine *m, const struct mm_run_step *s);
	/* Every handler return (as include/mmemu/observe.h). */
	mm_handler_observer handler;
	/* Every enabled log line. */
	void (*log)(void *user, uint32_t cat, const char *line);
	/* The run is over (failure: its message or NULL); the machine still exists. */
	void (*detach)(void *user, struct mm_machine *m, const char *failure);
};

struct mm_recorder;

/* Creates an empty recorder; NULL when out of memory. */
struct mm_recorder *mm_recorder_create(void);
/* Frees rec (NULL is fine). */
void mm_recorder_free(struct mm_recorder *rec);
/*
 * Fills *h with the recorder's hooks (h->user = rec). A caller that has
 * hooks of its own calls the mm_recorder_on_* functions from them.
 */
void mm_recorder_hooks(struct mm_recorder *rec, struct mm_run_hooks *h);
void mm_recorder_on_attach(void *rec, struct mm_machine *m);
void mm_recorder_on_step_begin(void *rec, struct mm_machine *m, const struct mm_run_step *s);
void mm_recorder_on_step_end(void *rec, struct mm_machine *m, const struct mm_run_step *s);
void mm_recorder_on_handler(void *rec, const char *driver, uint64_t address,
			    const uint8_t *type_guid, uint64_t status);
void mm_recorder_on_log(void *rec, uint32_t cat, const char *line);
void mm_recorder_on_detach(void *rec, struct mm_machine *m, const char *failure);
/* Log categories the recorder wants (dispatch, mmi, communicate, smi, debug). */
#define MM_RECORDER_LOG_MASK 0x455u
/* Names the scenario in the report (title, file); strings are copied. */
void mm_recorder_set_title(struct mm_recorder *rec, const char *name, const char *file);
/* Number of SMIs recorded. */
size_t mm_recorder_smis(const struct mm_recorder *rec);
/*
 * Writes the recorded run as one HTML page (inline CSS, no external
 * resource) to f. Returns MM_OK or MM_ERR_IO.
 */
enum mm_err mm_recorder_write_html(const struct mm_recorder *rec, FILE *f);

#endif /* MMEMU_RECORD_H */
