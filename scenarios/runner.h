/* SPDX-License-Identifier: MIT */
/* State of one scenario run, shared by runner.c, actions.c and check.c. */
#ifndef SCENARIOS_RUNNER_H
#define SCENARIOS_RUNNER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"

struct sc_run {
	const struct mm_scenario *s;
	struct mm_machine *m;
	uint32_t echo_mask;       /* --log categories copied to stderr */
	bool verbose;
	FILE *out;
	bool drivers_loaded;      /* dispatch: order loaded them */
	bool at_end;
	uint64_t iteration;       /* of the innermost repeat, 0 outside */
	unsigned steps_run;
	unsigned line;            /* YAML line of the current step */
	char label[96];           /* "step 3 (sw-smi)" */
	char *message;            /* the failure, malloc'd */
	char *log;                /* the step's log lines, '\n' separated */
	size_t log_len, log_cap;
	unsigned log_dropped;
	char handlers[256][112];  /* "Name+0xOFF" of handlers called in the step */
	unsigned nhandlers;
	uint32_t port_value;      /* read-port */
	uint8_t *mem;             /* read-memory bytes (malloc'd) */
	size_t mem_len;
	uint64_t comm_addr;       /* communicate buffer */
	uint64_t comm_status;
	uint64_t comm_length;     /* MessageLength after the call */
	enum mm_stop_kind last_stop;
	const struct mm_run_hooks *hooks; /* observers (include/mmemu/record.h), or NULL */
};

/* Records the step's failure (printf format); returns false. */
bool sc_failf(struct sc_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* communicate, write-memory, read-memory (actions.c). */
enum mm_err sc_communicate(struct sc_run *r, const struct sc_step *st);
enum mm_err sc_memory_step(struct sc_run *r, const struct sc_step *st);
/* Tell r->hooks (include/mmemu/record.h) about the run, when there are any (hooks.c). */
uint32_t sc_hooks_log_mask(const struct sc_run *r);
void sc_hooks_attach(struct sc_run *r);
void sc_hooks_step_begin(struct sc_run *r, const struct sc_step *st);
void sc_hooks_step_end(struct sc_run *r, const struct sc_step *st, enum mm_err err);
void sc_hooks_handler(struct sc_run *r, const char *driver, uint64_t address,
		      const uint8_t *type, uint64_t status);
void sc_hooks_log(struct sc_run *r, enum mm_log_cat cat, const char *line);
void sc_hooks_detach(struct sc_run *r);
/*
 * Builds the machine of s and runs its platform setup, drivers and steps
 * (those of its `base:` chain first) but not `expect-at-end`, then hands the
 * machine over in *m (logging off) instead of destroying it: the fuzzer's
 * start state. On failure *m is NULL and err (errlen bytes) holds the
 * scenario's failure message. Returns MM_OK, MM_ERR_IO (a `requires:` file
 * is missing), MM_ERR_STATE (a step failed), or mm_machine_create's errors.
 */
enum mm_err sc_run_prepare(const struct mm_scenario *s, struct mm_machine **m, char *err,
			   size_t errlen);
/* Checks e after step st (NULL: the end block); err is the step's result (check.c). */
bool sc_check(struct sc_run *r, const struct sc_step *st, const struct sc_expect *e,
	      enum mm_err err);

#endif /* SCENARIOS_RUNNER_H */
