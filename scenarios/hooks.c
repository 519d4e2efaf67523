/* SPDX-License-Identifier: MIT */
/*
 * The runner's side of the run hooks (include/mmemu/record.h): turns what
 * runner.c sees (steps, handler returns, log lines) into hook calls. Every
 * function returns at once when the run has no hooks, so a plain run pays
 * one pointer test per event.
 */
#include <mmemu/mmemu.h>
#include <mmemu/record.h>

#include "names.h"
#include "runner.h"

uint32_t sc_hooks_log_mask(const struct sc_run *r)
{
	return r->hooks ? r->hooks->log_mask : 0;
}

void sc_hooks_attach(struct sc_run *r)
{
	if (r->hooks && r->hooks->attach)
		r->hooks->attach(r->hooks->user, r->m);
}

/* The step as the hooks see it; the communicate part only after the action. */
static struct mm_run_step step_of(const struct sc_run *r, const struct sc_step *st, bool end)
{
	struct mm_run_step s = {
		.label = r->label,
		.line = st->line,
		.action = sc_action_name(st->action),
		.cpu = st->action == SC_SW_SMI ? st->cpu : 0,
	};

	if (end && st->action == SC_COMMUNICATE) {
		s.communicate = true;
		s.comm_addr = r->comm_addr;
		s.comm_status = r->comm_status;
		s.comm_guid = st->guid;
		s.comm_length_in = st->has_message_length ? st->message_length : st->payload.len;
		s.payload = st->payload.data;
		s.payload_len = st->payload.len;
		s.fields = st->payload.fields;
		s.nfields = st->payload.nfields;
	}
	return s;
}

void sc_hooks_step_begin(struct sc_run *r, const struct sc_step *st)
{
	struct mm_run_step s;

	if (!r->hooks || !r->hooks->step_begin)
		return;
	s = step_of(r, st, false);
	r->hooks->step_begin(r->hooks->user, r->m, &s);
}

void sc_hooks_step_end(struct sc_run *r, const struct sc_step *st, enum mm_err err)
{
	struct mm_run_step s;

	if (!r->hooks || !r->hooks->step_end || !r->m)
		return;
	s = step_of(r, st, true);
	s.err = err;
	s.failure = r->message;
	r->hooks->step_end(r->hooks->user, r->m, &s);
}

void sc_hooks_handler(struct sc_run *r, const char *driver, uint64_t address,
		      const uint8_t *type, uint64_t status)
{
	if (r->hooks && r->hooks->handler)
		r->hooks->handler(r->hooks->user, driver, address, type, status);
}

void sc_hooks_log(struct sc_run *r, enum mm_log_cat cat, const char *line)
{
	if (r->hooks && r->hooks->log)
		r->hooks->log(r->hooks->user, (uint32_t)cat, line);
}

void sc_hooks_detach(struct sc_run *r)
{
	if (r->hooks && r->hooks->detach)
		r->hooks->detach(r->hooks->user, r->m, r->message);
}
