/* SPDX-License-Identifier: MIT */
/*
 * Runs a loaded scenario on a fresh machine: loads its drivers, executes the
 * steps, and checks each step's expectations. The first failed expectation
 * ends the run with "FILE:LINE: step N (action): what: expected X, got Y"
 * followed by the step's last log lines. Output holds no host addresses and
 * no timing, so two runs print the same.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/mmemu.h>

#include "core/dispatcher.h"
#include "core/image.h"
#include "core/machine.h"
#include "names.h"
#include "platform.h"
#include "runner.h"

#define LOG_CAP (1u << 20)   /* bytes of log kept per step */
#define LOG_TAIL 20          /* lines shown after a failure */
#define HANDLERS_MAX 256     /* handler calls recorded per step */

/* Log sink: keeps the step's lines, echoes --log categories to stderr. */
static void sink(void *user, enum mm_log_cat cat, const char *line)
{
	struct sc_run *r = user;
	size_t len = strlen(line);

	sc_hooks_log(r, cat, line);
	if (r->echo_mask & (uint32_t)cat)
		fprintf(stderr, "[%s] %s\n", mm_log_cat_name(cat), line);
	if (!(r->s->log_mask & (uint32_t)cat))
		return;
	if (r->log_len + len + 2 > LOG_CAP) {
		r->log_dropped++;
		return;
	}
	if (r->log_len + len + 2 > r->log_cap) {
		size_t cap = r->log_cap ? r->log_cap * 2 : 4096;
		char *p;

		while (cap < r->log_len + len + 2)
			cap *= 2;
		p = realloc(r->log, cap);
		if (!p) {
			r->log_dropped++;
			return;
		}
		r->log = p;
		r->log_cap = cap;
	}
	memcpy(r->log + r->log_len, line, len);
	r->log_len += len;
	r->log[r->log_len++] = '\n';
	r->log[r->log_len] = 0;
}

/* Handler observer: records "Name+0xOFF" of every driver handler that ran. */
static void observer(void *user, const char *driver, uint64_t address, const uint8_t *type,
		     uint64_t status)
{
	struct sc_run *r = user;
	const struct mm_image *img;

	sc_hooks_handler(r, driver, address, type, status);
	if (!driver || r->nhandlers >= HANDLERS_MAX)
		return;
	img = mm_image_find(r->m, address);
	snprintf(r->handlers[r->nhandlers++], sizeof(r->handlers[0]), "%s+0x%llx", driver,
		 (unsigned long long)(img ? address - img->base : 0));
}

/* Starts a failure message for the current step (only the first one counts). */
bool sc_failf(struct sc_run *r, const char *fmt, ...)
{
	char what[1024];
	va_list ap;
	size_t n;

	if (r->message)
		return false;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	n = strlen(r->s->path) + strlen(r->label) + strlen(what) + 64;
	r->message = malloc(n + 1);
	if (r->message)
		snprintf(r->message, n + 1, "%s:%u: %s: %s", r->s->path, r->line, r->label, what);
	return false;
}

/* Appends the last LOG_TAIL lines of the step's log to the failure message. */
static void add_log_tail(struct sc_run *r)
{
	const char *start = r->log ? r->log : "";
	size_t len = r->log_len, ml, extra;
	unsigned lines = 0;
	char *p;

	if (!r->message || !len)
		return;
	while (len && lines <= LOG_TAIL) {
		len--;
		if (len && start[len - 1] == '\n' && ++lines == LOG_TAIL)
			break;
	}
	start += len;
	ml = strlen(r->message);
	extra = strlen(start) * 2 + 64;
	p = realloc(r->message, ml + extra);
	if (!p)
		return;
	r->message = p;
	p += ml;
	p += sprintf(p, "\nlog of the step:");
	while (*start) {
		const char *nl = strchr(start, '\n');
		size_t l = nl ? (size_t)(nl - start) : strlen(start);

		p += sprintf(p, "\n  | %.*s", (int)l, start);
		start += l + (nl != NULL);
	}
}

static void clear_step(struct sc_run *r)
{
	r->log_len = 0;
	if (r->log)
		r->log[0] = 0;
	r->log_dropped = 0;
	r->nhandlers = 0;
	mm_machine_clear_stop(r->m);
}

/* Loads one driver, in `dispatch: order` mode with its DEPEX switched off. */
static bool load_driver(struct sc_run *r, const struct sc_driver *d, bool ignore_depex)
{
	unsigned index = 0, count = 0;
	struct mm_driver *drv;
	enum mm_err err = d->fv ? mm_driver_load_fv(r->m, d->path, (const char *const *)d->modules,
						    d->nmodules, &count)
			  : d->image ? mm_driver_load_image_type(r->m, d->path, d->depex,
								 (enum mm_module_type)d->type, &index)
				     : mm_driver_load_native(r->m, d->path, &index);

	if (err) {
		r->line = d->line;
		snprintf(r->label, sizeof(r->label), "driver");
		return sc_failf(r, "loading '%s': %s: %s", d->path, sc_err_name(err),
				mm_machine_error(r->m));
	}
	if (d->debug && (drv = mm_driver_at(r->m, index)) &&
	    (err = mm_symbols_add(r->m, drv->name, d->debug))) {
		r->line = d->line;
		snprintf(r->label, sizeof(r->label), "driver");
		return sc_failf(r, "debug file '%s': %s: %s", d->debug, sc_err_name(err),
				mm_machine_error(r->m));
	}
	if (d->fv) /* its drivers are the last count loaded */
		index = mm_driver_count(r->m) - count;
	for (unsigned i = 0; ignore_depex && i < (d->fv ? count : 1); i++) {
		drv = mm_driver_at(r->m, index + i);
		if (drv && (drv->state == MM_DRIVER_PENDING ||
			    drv->state == MM_DRIVER_UNREQUESTED)) {
			drv->has_depex = false;
			memset(&drv->shape, 0, sizeof(drv->shape));
			drv->state = MM_DRIVER_PENDING;
		}
	}
	return true;
}

/* `dispatch`: all pending drivers, or in order mode load+dispatch one by one. */
static enum mm_err do_dispatch(struct sc_run *r)
{
	enum mm_err err;

	if (!r->s->dispatch_order || r->drivers_loaded)
		return mm_dispatch(r->m);
	r->drivers_loaded = true;
	for (size_t i = 0; i < r->s->ndrivers; i++) {
		unsigned line = r->line;
		char label[sizeof(r->label)];

		memcpy(label, r->label, sizeof(label));
		if (!load_driver(r, &r->s->drivers[i], true))
			return MM_ERR_IO;
		r->line = line;
		memcpy(r->label, label, sizeof(label));
		err = mm_dispatch(r->m);
		if (err)
			return err;
	}
	return MM_OK;
}

static enum mm_err power_cycle(struct sc_run *r);

/* A step's action. Returns its mm_err; *status for communicate. */
static enum mm_err do_action(struct sc_run *r, const struct sc_step *st)
{
	switch (st->action) {
	case SC_DISPATCH:
		return do_dispatch(r);
	case SC_SET_REGISTERS:
		for (int i = 0; i < MM_REG_COUNT; i++) {
			enum mm_err err;

			if (!(st->regs.which & (1ull << i)))
				continue;
			err = mm_cpu_set_reg(r->m, st->regs.cpu, (enum mm_reg)i, st->regs.value[i]);
			if (err)
				return err;
		}
		return MM_OK;
	case SC_SW_SMI:
		return mm_sw_smi(r->m, st->cpu, (uint8_t)st->value, (uint8_t)st->data);
	case SC_COMMUNICATE:
		return sc_communicate(r, st);
	case SC_WRITE_MEMORY:
	case SC_READ_MEMORY:
		return sc_memory_step(r, st);
	case SC_WRITE_PORT:
		return mm_port_write(r->m, st->port, st->width, st->value);
	case SC_READ_PORT:
		return mm_port_read(r->m, st->port, st->width, &r->port_value);
	case SC_END_OF_DXE:
		return mm_end_of_dxe(r->m);
	case SC_READY_TO_LOCK:
		return mm_ready_to_lock(r->m);
	case SC_SMRAM:
		return mm_smram_set_state(r->m, st->smram);
	case SC_POWER_CYCLE:
		return power_cycle(r);
	default:
		return MM_ERR_INVALID;
	}
}

static bool run_steps(struct sc_run *r, const struct sc_step *steps, size_t n,
		      const char *prefix);

/* -v after a dispatch step: every driver, its state, entry status and reason. */
static void print_drivers(struct sc_run *r)
{
	for (unsigned i = 0; i < mm_driver_count(r->m); i++) {
		struct mm_driver_info d;
		const char *st;
		char num[32] = "-", order[16] = "-";

		if (mm_driver_get_info(r->m, i, &d))
			continue;
		if (d.state == MM_DRIVER_DISPATCHED || d.state == MM_DRIVER_FAILED) {
			st = sc_name_of(sc_status_names(), d.entry_status);
			if (!st)
				snprintf(num, sizeof(num), "0x%llx", (unsigned long long)d.entry_status);
		} else {
			st = NULL;
		}
		if (d.dispatch_order)
			snprintf(order, sizeof(order), "%u", d.dispatch_order);
		fprintf(r->out, "    %-3s %-26s %-15s %-22s %s\n", order, d.name,
			mm_driver_state_name(d.state), st ? st : num, d.reason ? d.reason : "");
	}
}

/* Runs one step (a repeat runs its body count times) and checks it. */
static bool run_step(struct sc_run *r, const struct sc_step *st, const char *label)
{
	enum mm_err err;
	bool ok;

	if (st->action == SC_REPEAT) {
		for (uint64_t i = 0; i < st->count; i++) {
			char inner[48];

			snprintf(inner, sizeof(inner), "%s.", label);
			r->iteration = i + 1;
			if (!run_steps(r, st->steps, st->nsteps, inner))
				return false;
		}
		r->iteration = 0;
		return true;
	}
	clear_step(r);
	r->line = st->line;
	if (r->iteration)
		snprintf(r->label, sizeof(r->label), "step %s (%s, iteration %llu)", label,
			 sc_action_name(st->action), (unsigned long long)r->iteration);
	else
		snprintf(r->label, sizeof(r->label), "step %s (%s)", label,
			 sc_action_name(st->action));
	if (r->verbose)
		fprintf(r->out, "  %s:%u: %s\n", r->s->path, st->line, r->label);
	r->steps_run++;
	sc_hooks_step_begin(r, st);
	err = do_action(r, st);
	if (r->verbose && st->action == SC_DISPATCH)
		print_drivers(r);
	ok = !r->message && sc_check(r, st, &st->expect, err);
	sc_hooks_step_end(r, st, err);
	return ok;
}

static bool run_steps(struct sc_run *r, const struct sc_step *steps, size_t n,
		      const char *prefix)
{
	for (size_t i = 0; i < n; i++) {
		char label[96];

		snprintf(label, sizeof(label), "%.60s%zu", prefix, i + 1);
		if (!run_step(r, &steps[i], label))
			return false;
	}
	return true;
}

/* A `requires:` file that is missing, or NULL. */
static const char *missing_requirement(const struct mm_scenario *s)
{
	for (size_t i = 0; i < s->nrequires; i++) {
		FILE *f = fopen(s->requires[i], "rb");

		if (!f)
			return s->requires[i];
		fclose(f);
	}
	return NULL;
}

static char *strdup_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *strdup_printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	p = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (p) {
		va_start(ap, fmt);
		vsnprintf(p, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	return p;
}

/* The steps of s, after those of its `base:` chain (labelled "base.N"). */
static bool run_all_steps(struct sc_run *r, const struct mm_scenario *s, const char *prefix)
{
	char inner[64];

	snprintf(inner, sizeof(inner), "base.%.50s", prefix);
	if (s->base && !run_all_steps(r, s->base, inner))
		return false;
	return run_steps(r, s->steps, s->nsteps, prefix);
}

/*
 * Attaches the run to the new machine r->m and gives it the platform facts
 * and the drivers (loaded, not dispatched); false when something failed
 * (r->message).
 */
static bool setup_machine(struct sc_run *r)
{
	const struct mm_scenario *s = r->s;

	mm_log_set_sink(r->m, sink, r);
	mm_log_set_mask(r->m, s->log_mask | r->echo_mask | MM_LOG_WARN | sc_hooks_log_mask(r));
	mm_observe_handlers(r->m, observer, r);
	sc_hooks_attach(r);
	if (sc_platform_ext_apply(r))
		return false;
	if (!s->dispatch_order) {
		for (size_t i = 0; i < s->ndrivers; i++)
			if (!load_driver(r, &s->drivers[i], false))
				return false;
	}
	return true;
}

/* Loads the drivers and runs the steps; false when something failed (r->message). */
static bool run_to_end_of_steps(struct sc_run *r)
{
	return setup_machine(r) && run_all_steps(r, r->s, "");
}

/*
 * `power-cycle`: the machine goes away and a new one is built from the same
 * platform, its drivers loaded again (a `dispatch` step runs them). Only
 * the writable flash, the variable store, keeps its contents, as on a
 * board: RAM, SMRAM and every driver's state start over. The hooks see the
 * old machine detach and the new one attach. When the new machine cannot
 * be built r->m is NULL and the run ends.
 */
static enum mm_err power_cycle(struct sc_run *r)
{
	uint8_t *flash = NULL;
	uint64_t len = 0;
	bool has_flash = mm_flash_copy(r->m, &flash, &len) == MM_OK;
	char err[256];
	enum mm_err rc;

	sc_hooks_detach(r);
	mm_observe_handlers(r->m, NULL, NULL);
	mm_machine_destroy(r->m);
	r->m = NULL;
	r->drivers_loaded = false;
	rc = mm_machine_create(&r->s->platform, &r->m, err, sizeof(err));
	if (rc) {
		r->m = NULL;
		free(flash);
		sc_failf(r, "cannot build the machine again: %s", err);
		return rc;
	}
	rc = setup_machine(r) ? MM_OK : MM_ERR_STATE;
	if (!rc && has_flash)
		rc = mm_flash_load(r->m, flash, len);
	free(flash);
	return rc;
}

/* Builds the machine and runs everything; r->message holds a failure. */
static void run(struct sc_run *r)
{
	const struct mm_scenario *s = r->s;

	if (!run_to_end_of_steps(r))
		return;
	if (s->has_end) {
		r->line = s->end.line;
		snprintf(r->label, sizeof(r->label), "expect-at-end");
		r->at_end = true;
		sc_check(r, NULL, &s->end, MM_OK);
	}
}

enum mm_err mm_scenario_run(const struct mm_scenario *s, const struct mm_scenario_opts *o,
			    struct mm_scenario_result *res)
{
	struct sc_run r = { .s = s };
	const char *missing;
	char err[256];
	enum mm_err rc;

	memset(res, 0, sizeof(*res));
	if (!s)
		return MM_ERR_INVALID;
	missing = missing_requirement(s);
	if (missing) {
		res->skipped = true;
		res->passed = true;
		res->message = strdup_printf("%s: skipped: requires '%s', which is missing",
					     s->path, missing);
		return MM_OK;
	}
	r.echo_mask = o ? o->log_mask : 0;
	r.verbose = o && o->verbose;
	r.out = o && o->out ? o->out : stdout;
	r.hooks = o ? o->hooks : NULL;
	rc = mm_machine_create(&s->platform, &r.m, err, sizeof(err));
	if (rc) {
		res->message = strdup_printf("%s: cannot build the machine: %s", s->path, err);
		return rc;
	}
	run(&r);
	if (r.m) /* NULL after a power cycle that could not rebuild it */
		sc_platform_ext_finish(&r);
	add_log_tail(&r);
	if (r.m) {
		sc_hooks_detach(&r);
		mm_observe_handlers(r.m, NULL, NULL);
		mm_machine_destroy(r.m);
	}
	free(r.log);
	free(r.mem);
	res->passed = r.message == NULL;
	res->steps_run = r.steps_run;
	res->message = r.message;
	return MM_OK;
}

enum mm_err sc_run_prepare(const struct mm_scenario *s, struct mm_machine **m, char *err,
			   size_t errlen)
{
	struct sc_run r = { .s = s, .out = stdout };
	const char *missing = missing_requirement(s);
	enum mm_err rc;

	*m = NULL;
	if (missing) {
		snprintf(err, errlen, "%s: requires '%s', which is missing", s->path, missing);
		return MM_ERR_IO;
	}
	rc = mm_machine_create(&s->platform, &r.m, err, errlen);
	if (rc)
		return rc;
	run_to_end_of_steps(&r);
	add_log_tail(&r);
	if (!r.m) { /* a power cycle could not rebuild it */
		snprintf(err, errlen, "%s", r.message ? r.message : "no machine");
		free(r.message);
		free(r.log);
		free(r.mem);
		return MM_ERR_STATE;
	}
	sc_hooks_detach(&r);
	mm_observe_handlers(r.m, NULL, NULL);
	mm_log_set_mask(r.m, 0);
	mm_log_set_sink(r.m, NULL, NULL);
	free(r.log);
	free(r.mem);
	if (r.message) {
		snprintf(err, errlen, "%s", r.message);
		free(r.message);
		mm_machine_destroy(r.m);
		return MM_ERR_STATE;
	}
	*m = r.m;
	return MM_OK;
}

void mm_scenario_result_free(struct mm_scenario_result *r)
{
	if (!r)
		return;
	free(r->message);
	r->message = NULL;
}
