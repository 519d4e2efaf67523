/* SPDX-License-Identifier: MIT */
/*
 * The recorder (include/mmemu/record.h): a small event log of one scenario
 * run, fed by the run hooks. It only reads the machine: the SMI counter,
 * BSP and source CPU, the registers of the CPUs around each step
 * (mm_cpu_get_reg), communicate buffers (mm_mem_read) and the stop record.
 *
 * SMIs are noticed passively: whenever an event arrives and the machine's
 * SMI counter moved, the SMIs since the last look join the timeline, with
 * the first SMI log line since the last SMI as their source (the event
 * that raised it: "software SMI 0x42 ..."). Every table is bounded;
 * a full one drops events and the report says so.
 */
#include <stdlib.h>
#include <string.h>

#include <mmemu/debug.h>
#include <mmemu/mmemu.h>

#include "core/image.h"
#include "core/machine.h"
#include "record.h"

struct mm_recorder *mm_recorder_create(void)
{
	return calloc(1, sizeof(struct mm_recorder));
}

void mm_recorder_free(struct mm_recorder *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->nsteps; i++) {
		free(rec->steps[i].failure);
		free(rec->steps[i].before);
		free(rec->steps[i].after);
		free(rec->steps[i].fields);
		free(rec->steps[i].log);
	}
	free(rec->steps);
	free(rec->smis);
	free(rec->handlers);
	free(rec->failure);
	free(rec->setup_log);
	free(rec->name);
	free(rec->file);
	free(rec);
}

void mm_recorder_hooks(struct mm_recorder *rec, struct mm_run_hooks *h)
{
	*h = (struct mm_run_hooks){
		.user = rec,
		.log_mask = MM_RECORDER_LOG_MASK,
		.attach = mm_recorder_on_attach,
		.step_begin = mm_recorder_on_step_begin,
		.step_end = mm_recorder_on_step_end,
		.handler = mm_recorder_on_handler,
		.log = mm_recorder_on_log,
		.detach = mm_recorder_on_detach,
	};
}

void mm_recorder_set_title(struct mm_recorder *rec, const char *name, const char *file)
{
	free(rec->name);
	free(rec->file);
	rec->name = name ? strdup(name) : NULL;
	rec->file = file ? strdup(file) : NULL;
}

size_t mm_recorder_smis(const struct mm_recorder *rec)
{
	return rec ? rec->nsmis : 0;
}

/* Grows array *v of *n elements of size sz by one; NULL when full or no memory. */
static void *push(void *v, size_t *n, size_t sz, size_t max, bool *cut)
{
	void **pv = v;
	char *p;

	if (*n >= max) {
		*cut = true;
		return NULL;
	}
	if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4...: double at powers of two */
		p = realloc(*pv, (*n ? *n * 2 : 1) * sz);
		if (!p) {
			*cut = true;
			return NULL;
		}
		*pv = p;
	}
	p = (char *)*pv + (*n)++ * sz;
	memset(p, 0, sz);
	return p;
}

/* The step in progress, or NULL before the first / after the last one. */
static struct rec_step *current(struct mm_recorder *rec)
{
	if (!rec->nsteps || rec->steps[rec->nsteps - 1].done)
		return NULL;
	return &rec->steps[rec->nsteps - 1];
}

/* Adds the SMIs the machine delivered since the last look. */
static void catch_up_smis(struct mm_recorder *rec)
{
	struct mm_machine *m = rec->m;

	if (!m)
		return;
	while (rec->last_smi < m->smi.count) {
		struct rec_smi *s = push(&rec->smis, &rec->nsmis, sizeof(*s), REC_MAX_SMIS, &rec->cut);

		rec->last_smi++;
		if (!s)
			continue;
		s->number = rec->last_smi;
		s->source_cpu = m->smi.source_cpu;
		s->bsp = m->cpus.bsp;
		s->ncpus = m->cpus.count;
		s->step = rec->nsteps ? rec->nsteps - 1 : 0;
		snprintf(s->source, sizeof(s->source), "%s",
			 rec->source[0] ? rec->source
					: (current(rec) ? current(rec)->action : "(before the steps)"));
		rec->source[0] = 0;
		rec->asserted = false;
	}
}

void mm_recorder_on_attach(void *user, struct mm_machine *m)
{
	struct mm_recorder *rec = user;

	rec->m = m;
	rec->last_smi = m->smi.count;
	/* instruction counts per handler; the per-instruction hook is the price */
	if (m->platform.cpu_engine == MM_CPU_UNICORN)
		mm_count_instructions(m, true);
}

/* Reads the first REC_REGS registers of every CPU (up to REC_MAX_CPUS). */
static unsigned read_regs(struct mm_machine *m, uint64_t regs[REC_MAX_CPUS][REC_REGS])
{
	unsigned n = mm_cpu_count(m);

	if (n > REC_MAX_CPUS)
		n = REC_MAX_CPUS;
	for (unsigned c = 0; c < n; c++)
		for (int i = 0; i < REC_REGS; i++)
			if (mm_cpu_get_reg(m, c, (enum mm_reg)i, &regs[c][i]))
				regs[c][i] = 0;
	return n;
}

void mm_recorder_on_step_begin(void *user, struct mm_machine *m, const struct mm_run_step *s)
{
	struct mm_recorder *rec = user;
	struct rec_step *st;

	catch_up_smis(rec);
	rec->source[0] = 0; /* what raised no SMI in the last step is not this step's source */
	st = push(&rec->steps, &rec->nsteps, sizeof(*st), REC_MAX_STEPS, &rec->cut);
	if (!st)
		return;
	snprintf(st->label, sizeof(st->label), "%s", s->label ? s->label : "");
	snprintf(st->action, sizeof(st->action), "%s", s->action ? s->action : "");
	st->line = s->line;
	st->cpu = s->cpu;
	st->ncpus = read_regs(m, st->regs_in);
}

/* Copies the declared layout of the message, when the step had one. */
static void keep_fields(struct rec_step *st, const struct mm_run_step *s)
{
	if (!s->nfields || !(st->fields = calloc(s->nfields, sizeof(*st->fields))))
		return;
	for (size_t i = 0; i < s->nfields; i++) {
		struct rec_field *f = &st->fields[i];

		snprintf(f->type, sizeof(f->type), "%s", s->fields[i].type);
		snprintf(f->name, sizeof(f->name), "%s", s->fields[i].name ? s->fields[i].name : "");
		f->offset = s->fields[i].offset;
		f->size = s->fields[i].size;
	}
	st->nfields = s->nfields;
}

/* Copies the communicate buffer after the call, and the header+payload before. */
static void keep_buffers(struct rec_step *st, struct mm_machine *m, const struct mm_run_step *s)
{
	uint64_t len_after = 0;
	size_t in = 24 + s->payload_len, out;

	st->comm = true;
	keep_fields(st, s);
	st->comm_addr = s->comm_addr;
	st->comm_status = s->comm_status;
	if (in > REC_MAX_BUFFER)
		in = REC_MAX_BUFFER;
	st->before = malloc(in);
	if (st->before) {
		memcpy(st->before, s->comm_guid, 16);
		memcpy(st->before + 16, &s->comm_length_in, 8);
		memcpy(st->before + 24, s->payload, in - 24);
		st->before_len = in;
	}
	if (!s->comm_addr || mm_mem_read(m, s->comm_addr + 16, &len_after, 8))
		return;
	out = 24 + (len_after > s->payload_len ? len_after : s->payload_len);
	if (out > REC_MAX_BUFFER)
		out = REC_MAX_BUFFER;
	st->after = malloc(out);
	while (st->after && out > 24 && mm_mem_read(m, s->comm_addr, st->after, out))
		out = out > 24 + 16 ? out / 2 : 24; /* the tail may leave mapped memory */
	if (st->after && !mm_mem_read(m, s->comm_addr, st->after, out))
		st->after_len = out;
}

void mm_recorder_on_step_end(void *user, struct mm_machine *m, const struct mm_run_step *s)
{
	struct mm_recorder *rec = user;
	struct rec_step *st = current(rec);
	const struct mm_stop *stop;

	catch_up_smis(rec);
	if (!st)
		return;
	st->err = s->err;
	st->failure = s->failure ? strdup(s->failure) : NULL;
	read_regs(m, st->regs_out);
	if (s->communicate)
		keep_buffers(st, m, s);
	stop = mm_machine_stop(m);
	if (stop && stop->kind != MM_STOP_NONE)
		st->stop = *stop;
	st->done = true;
}

void mm_recorder_on_handler(void *user, const char *driver, uint64_t address,
			    const uint8_t *type_guid, uint64_t status)
{
	struct mm_recorder *rec = user;
	struct rec_handler *h;

	catch_up_smis(rec);
	h = push(&rec->handlers, &rec->nhandlers, sizeof(*h), REC_MAX_HANDLERS, &rec->cut);
	if (!h)
		return;
	snprintf(h->driver, sizeof(h->driver), "%s", driver ? driver : "");
	if (rec->m) {
		mm_addr_text(rec->m, address, h->where);
		mm_symbolize(rec->m, address, h->sym, sizeof(h->sym));
	}
	else
		snprintf(h->where, sizeof(h->where), "0x%llx", (unsigned long long)address);
	h->root = !type_guid;
	if (type_guid)
		memcpy(h->guid, type_guid, 16);
	h->status = status;
	h->insns = rec->m ? mm_handler_instructions(rec->m) : 0;
	h->step = rec->nsteps ? rec->nsteps - 1 : 0;
	/* an SMI of this step (a communicate may run its handlers without one) */
	if (current(rec) && rec->nsmis && rec->smis[rec->nsmis - 1].step == h->step)
		h->smi = rec->smis[rec->nsmis - 1].number;
}

/* Appends line to the log buffer *buf (capped). */
static void append(char **buf, size_t *len, bool *cut, const char *line)
{
	size_t n = strlen(line);
	char *p;

	if (*len + n + 2 > REC_LOG_CAP) {
		*cut = true;
		return;
	}
	p = realloc(*buf, *len + n + 2);
	if (!p)
		return;
	memcpy(p + *len, line, n);
	*len += n;
	p[(*len)++] = '\n';
	p[*len] = 0;
	*buf = p;
}

/* True for an SMI log line that says what raised the next SMI. */
static bool raises_smi(uint32_t cat, const char *line)
{
	return cat == MM_LOG_SMI && strncmp(line, "SMI #", 5) && strncmp(line, "SMI# asserted", 13) &&
	       !strstr(line, "returned") && !strstr(line, "no handler");
}

void mm_recorder_on_log(void *user, uint32_t cat, const char *line)
{
	struct mm_recorder *rec = user;
	struct rec_step *st = current(rec);
	char buf[512];
	bool cut = false;

	if (cat == MM_LOG_SMI && !strncmp(line, "SMI# asserted", 13))
		rec->asserted = true;
	else if (!rec->asserted && !rec->source[0] && raises_smi(cat, line))
		snprintf(rec->source, sizeof(rec->source), "%s", line);
	else if (cat == MM_LOG_SMI && !strncmp(line, "SMI #", 5) && strstr(line, "MmEntryPoint"))
		catch_up_smis(rec);
	snprintf(buf, sizeof(buf), "[%s] %s", mm_log_cat_name((enum mm_log_cat)cat), line);
	if (st)
		append(&st->log, &st->log_len, &st->log_cut, buf);
	else if (!rec->nsteps)
		append(&rec->setup_log, &rec->setup_len, &cut, buf);
}

void mm_recorder_on_detach(void *user, struct mm_machine *m, const char *failure)
{
	struct mm_recorder *rec = user;

	catch_up_smis(rec);
	free(rec->failure);
	rec->failure = failure ? strdup(failure) : NULL;
	(void)m;
	rec->m = NULL; /* the machine goes away next */
}
