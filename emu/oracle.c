/* SPDX-License-Identifier: MIT */
/*
 * SMM bug oracles (include/mmemu/oracle.h): their state, the MMI boundaries
 * the Foundation reports (core/oracle-hook.h), the oracles that need no
 * memory hook (disclosure, and hang, callout and canary stops claimed as
 * oracle findings) and the finding records. The memory watching is in
 * emu/oracle-mem.c.
 *
 * An MMI, as the oracles see it:
 *   mmi_begin   remember the CommBuffer, copy the input, reset the taint
 *               set (for a SMI: taint the interrupted CPUs' registers),
 *               the per-byte first-read table, "fired"
 *   handlers    memory hooks fire findings (stop record, engine stopped)
 *   mmi_end     disclosure scan of the CommBuffer, red zones of the pool
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <capstone/capstone.h>

#include "core/call.h"
#include "core/image.h"
#include "core/stop.h"
#include "emu/guest.h"
#include "emu/oracle.h"

static const char *const class_names[] = { "smram-write", "callout", "comm-oob", "double-fetch",
					   "pool", "stack", "disclosure", "hang" };

const char *mm_oracle_name(uint32_t oracle)
{
	for (unsigned i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (oracle == 1u << i)
			return class_names[i];
	return NULL;
}

uint32_t mm_oracle_parse(const char *name)
{
	if (!name)
		return 0;
	if (!strcmp(name, "all"))
		return MM_ORACLE_ALL;
	for (unsigned i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
		if (!strcmp(name, class_names[i]))
			return 1u << i;
	return 0;
}

struct mm_oracle *mm_oracle_get(const struct mm_machine *m)
{
	return mm_extension_get(m, MM_ORACLE_EXT);
}

uint32_t mm_oracle_enabled(const struct mm_machine *m)
{
	const struct mm_oracle *o = mm_oracle_get(m);

	return o ? o->mask : 0;
}

enum mm_err mm_oracle_finding(const struct mm_machine *m, struct mm_oracle_finding *out)
{
	const struct mm_oracle *o = mm_oracle_get(m);

	if (!o || !o->has_finding)
		return MM_ERR_NOT_FOUND;
	*out = o->finding;
	return MM_OK;
}

/* Disassembles the instruction at rip into buf ("" when unreadable). */
static void disassemble(struct mm_oracle *o, uint64_t rip, char *buf, size_t len)
{
	const uint8_t *code = rip ? mm_mem_ptr(o->m, rip, 16) : NULL;
	cs_insn *insn = NULL;
	csh h;

	buf[0] = 0;
	if (!code || cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK)
		return;
	if (cs_disasm(h, code, 16, rip, 1, &insn) == 1)
		snprintf(buf, len, "%.31s %.120s", insn->mnemonic, insn->op_str);
	if (insn)
		cs_free(insn, 1);
	cs_close(&h);
}

/*
 * The backtrace we can give cheaply: the drivers executing, innermost
 * first (driver code built without frame pointers has no RBP chain to walk).
 */
static void backtrace_text(const struct mm_machine *m, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = m->exec_depth; i-- > 0 && n + 1 < len;) {
		const struct mm_image *img = m->exec_stack[i];
		int w = snprintf(buf + n, len - n, "%s%s", n ? " <- " : "",
				 img && img->name ? img->name : "?");

		if (w < 0)
			break;
		n += (size_t)w;
	}
	if (!buf[0])
		snprintf(buf, len, "foundation");
}

/* Fills the finding record beyond the stop record. */
static void record_finding(struct mm_oracle *o, uint32_t cls, uint64_t rip, uint64_t addr)
{
	struct mm_oracle_finding *f = &o->finding;

	memset(f, 0, sizeof(*f));
	f->oracle = cls;
	f->rip = rip;
	f->address = addr;
	f->comm_buffer = o->buffer;
	f->input_len = o->input_len;
	memcpy(f->input, o->input, sizeof(f->input));
	backtrace_text(o->m, f->backtrace, sizeof(f->backtrace));
	o->has_finding = true;
}

/* Stops the engine from a hook so that the driver call ends with MM_ERR_STOPPED. */
static void stop_engine(struct mm_oracle *o)
{
	struct mm_emu_guest *g = mm_extension_get(o->m, "emu-guest");

	if (!o->e)
		return;
	if (g)
		g->callout = true; /* the run loop's "stop already recorded" flag */
	uc_emu_stop(o->e->uc);
}

void mm_oracle_fire(struct mm_oracle *o, uint32_t cls, uint64_t rip, uint64_t addr,
		    bool in_engine, const char *fmt, ...)
{
	struct mm_machine *m = o->m;
	char detail[200], insn[160], where[MM_ADDR_TEXT];
	struct mm_stop *s;
	va_list ap;

	if (o->fired)
		return;
	o->fired = true;
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	disassemble(o, rip, insn, sizeof(insn));
	where[0] = 0;
	if (rip)
		mm_addr_text(m, rip, where);
	else if (m->exec_depth) /* host side: the driver that called the service */
		snprintf(where, sizeof(where), "%s", mm_executing_name(m));
	record_finding(o, cls, rip, addr);
	s = mm_stop_set(m, MM_STOP_ORACLE, m->cpus.executing, rip, "oracle %s: %s%s%s%s%s",
			mm_oracle_name(cls), detail, where[0] ? "; at " : "", where,
			insn[0] ? ": " : "", insn);
	snprintf(s->oracle, sizeof(s->oracle), "%s", mm_oracle_name(cls));
	snprintf(s->insn, sizeof(s->insn), "%.95s", insn);
	snprintf(s->mode, sizeof(s->mode), "64-bit");
	snprintf(s->step, sizeof(s->step), "%s", o->buffer ? "MMI handler (communicate)"
							    : "MMI handler (SMI)");
	if (!s->where[0])
		snprintf(s->where, sizeof(s->where), "%.95s", where);
	s->address = addr;
	if (in_engine)
		stop_engine(o);
}

/* A SMI: every CPU's interrupted registers are attacker-chosen pointers. */
static void taint_registers(struct mm_oracle *o)
{
	if (!o->e)
		return;
	for (unsigned c = 0; c < o->e->ncpus; c++)
		for (unsigned r = MM_REG_RAX; r <= MM_REG_R15; r++)
			if (r != MM_REG_RSP)
				mm_oracle_taint(o, o->e->cpu[c].reg[r]);
}

/* Makes room for the first-read table of a message of length bytes. */
static void track_reset(struct mm_oracle *o, uint64_t length)
{
	uint64_t n = length < MM_ORACLE_MAX_TRACK ? length : MM_ORACLE_MAX_TRACK;

	o->track = 0;
	if (!(o->mask & MM_ORACLE_DOUBLE_FETCH))
		return;
	if (n > o->track_cap) {
		uint64_t *p = realloc(o->first_read, n * sizeof(*p));

		if (!p)
			return; /* no tracking this MMI */
		o->first_read = p;
		o->track_cap = n;
	}
	if (n) /* an empty message: first_read may still be NULL */
		memset(o->first_read, 0, n * sizeof(*o->first_read));
	o->track = n;
}

static int64_t find_poison(const uint8_t *p, uint64_t n);

/*
 * Disclosure evidence the caller supplied: bytes the input itself held are
 * not a leak (a fuzzer learns the secret from the oracle's own scan).
 */
static void note_input_evidence(struct mm_oracle *o)
{
	const uint8_t *p = mm_mem_ptr(o->m, o->buffer, o->size);

	o->input_has_secret = p && memmem(p, o->size, MM_ORACLE_SECRET,
					  sizeof(MM_ORACLE_SECRET) - 1);
	o->input_has_poison = p && find_poison(p, o->size) >= 0;
}

/* core/oracle-hook.h: an MMI starts. */
static void on_mmi_begin(struct mm_machine *m, uint64_t buffer, uint64_t size, uint64_t message,
			 uint64_t length)
{
	struct mm_oracle *o = mm_oracle_get(m);

	if (!o || !o->mask || o->depth++)
		return;
	o->fired = false;
	o->ntaint = 0;
	o->buffer = buffer;
	o->size = size;
	o->message = message;
	o->length = length;
	o->page_lo = buffer & ~0xFFFull;
	o->page_hi = (buffer + size + 0xFFF) & ~0xFFFull;
	o->input_len = buffer ? length : 0;
	memset(o->input, 0, sizeof(o->input));
	if (buffer && mm_mem_ptr(m, message, 1))
		memcpy(o->input, (const void *)(uintptr_t)message,
		       length < MM_ORACLE_INPUT_MAX ? length : MM_ORACLE_INPUT_MAX);
	track_reset(o, buffer ? length : 0);
	if (buffer && (o->mask & MM_ORACLE_DISCLOSURE))
		note_input_evidence(o);
	if (!buffer) {
		if (o->mask & MM_ORACLE_SMRAM_WRITE)
			taint_registers(o);
		return;
	}
	if ((o->mask & MM_ORACLE_SMRAM_WRITE) && mm_mem_overlaps_smram(m, buffer, size))
		mm_oracle_fire(o, MM_ORACLE_SMRAM_WRITE, 0, buffer, false,
			       "CommBuffer 0x%llx size 0x%llx overlaps SMRAM and reached the "
			       "handlers", (unsigned long long)buffer, (unsigned long long)size);
}

/*
 * Offset of the first run of 8 bytes of the fresh-block pattern in p[0..n),
 * starting at any of its 8 rotations, or -1. Any 8 consecutive bytes of the
 * pattern hold its byte 0xA5 once, so only the windows around each 0xA5
 * (found with memchr) are compared.
 */
static int64_t find_poison(const uint8_t *p, uint64_t n)
{
	const uint64_t pat = MM_POOL_FRESH_PATTERN;
	const uint8_t *a = p;
	uint64_t from = 0; /* windows before this offset are checked */

	while (n >= 8 && (a = memchr(a, (uint8_t)pat, n - (uint64_t)(a - p)))) {
		uint64_t at = (uint64_t)(a - p);
		uint64_t lo = at >= 7 ? at - 7 : 0;

		for (uint64_t i = lo > from ? lo : from; i <= at && i + 8 <= n; i++) {
			unsigned k = (unsigned)((at - i) ? 8 - (at - i) : 0); /* rotation of p[i] */
			unsigned j = 0;

			while (j < 8 && p[i + j] == (uint8_t)(pat >> (8 * ((k + j) & 7))))
				j++;
			if (j == 8)
				return (int64_t)i;
		}
		from = at + 1;
		a++;
	}
	return -1;
}

/* Disclosure: SMRAM contents in the CommBuffer after the handlers ran. */
static void scan_disclosure(struct mm_oracle *o)
{
	const uint8_t *p = mm_mem_ptr(o->m, o->buffer, o->size);
	const uint8_t *hit;
	int64_t at;

	if (!p || o->fired)
		return;
	hit = o->input_has_secret ? NULL
				  : memmem(p, o->size, MM_ORACLE_SECRET, sizeof(MM_ORACLE_SECRET) - 1);
	if (hit) {
		mm_oracle_fire(o, MM_ORACLE_DISCLOSURE, 0, o->buffer + (uint64_t)(hit - p), false,
			       "the planted SMRAM secret (from 0x%llx) is in the CommBuffer at "
			       "0x%llx after the MMI", (unsigned long long)o->secret,
			       (unsigned long long)(o->buffer + (uint64_t)(hit - p)));
		return;
	}
	at = o->input_has_poison ? -1 : find_poison(p, o->size);
	if (at >= 0)
		mm_oracle_fire(o, MM_ORACLE_DISCLOSURE, 0, o->buffer + (uint64_t)at, false,
			       "uninitialised SMRAM pool memory (fresh-block pattern) is in the "
			       "CommBuffer at 0x%llx after the MMI",
			       (unsigned long long)(o->buffer + (uint64_t)at));
}

/* core/oracle-hook.h: the MMI ends. */
static void on_mmi_end(struct mm_machine *m)
{
	struct mm_oracle *o = mm_oracle_get(m);

	if (!o || !o->depth || --o->depth)
		return;
	if ((o->mask & MM_ORACLE_DISCLOSURE) && o->buffer)
		scan_disclosure(o);
	if ((o->mask & MM_ORACLE_POOL) && !o->fired)
		mm_pool_check_redzones(m);
	o->buffer = o->size = o->message = o->length = 0;
	o->track = 0;
	o->ntaint = 0;
}

/* core/oracle-hook.h: claims hang, callout and canary stops for their oracles. */
static void on_stopped(struct mm_machine *m, struct mm_stop *s)
{
	struct mm_oracle *o = mm_oracle_get(m);
	uint32_t cls = 0;
	char msg[sizeof(s->message)];

	if (!o)
		return;
	if (s->kind == MM_STOP_HANG)
		cls = MM_ORACLE_HANG;
	else if (s->kind == MM_STOP_CALLOUT)
		cls = MM_ORACLE_CALLOUT;
	else if (s->kind == MM_STOP_CANARY)
		cls = MM_ORACLE_STACK;
	if (!(o->mask & cls))
		return;
	o->fired = true;
	record_finding(o, cls, s->rip, s->address);
	s->kind = MM_STOP_ORACLE;
	snprintf(s->oracle, sizeof(s->oracle), "%s", mm_oracle_name(cls));
	snprintf(msg, sizeof(msg), "oracle %.31s: %.270s", s->oracle, s->message);
	memcpy(s->message, msg, sizeof(msg));
}

/* core/oracle-hook.h: the pool found an overflow or a double free at a free. */
static void on_pool(struct mm_machine *m, const char *what, uint64_t addr, uint64_t block,
		    uint64_t size)
{
	struct mm_oracle *o = mm_oracle_get(m);

	if (!o || !(o->mask & MM_ORACLE_POOL))
		return;
	mm_oracle_fire(o, MM_ORACLE_POOL, 0, addr, false,
		       "%s: SMRAM pool block 0x%llx (0x%llx bytes) damaged at 0x%llx", what,
		       (unsigned long long)block, (unsigned long long)size,
		       (unsigned long long)addr);
}

static void oracle_fini(struct mm_machine *m, void *data)
{
	struct mm_oracle *o = data;

	if (m->oracle == &o->hooks)
		m->oracle = NULL;
	free(o->first_read);
	free(o);
}

/* The oracle state of m, created on first use. */
static struct mm_oracle *oracle_state(struct mm_machine *m)
{
	struct mm_oracle *o = mm_oracle_get(m);

	if (o)
		return o;
	o = calloc(1, sizeof(*o));
	if (!o || mm_extension_add(m, MM_ORACLE_EXT, oracle_fini, o)) {
		free(o);
		return NULL;
	}
	o->hooks = (struct mm_oracle_hooks){ on_mmi_begin, on_mmi_end, on_stopped, on_pool };
	o->m = m;
	m->oracle = &o->hooks;
	mm_oracle_snapshot_attach(m, o); /* without it, snapshots keep the last finding */
	return o;
}

/* Plants the secret in an SMRAM pool block (once). */
static enum mm_err plant_secret(struct mm_oracle *o)
{
	void *p;

	if (o->secret)
		return MM_OK;
	p = mm_pool_alloc(o->m, EfiRuntimeServicesData, 64, true);
	if (!p)
		return mm_fail(o->m, MM_ERR_NOMEM, "oracle: no SMRAM for the planted secret");
	memset(p, 0, 64);
	memcpy(p, MM_ORACLE_SECRET, sizeof(MM_ORACLE_SECRET) - 1);
	o->secret = (uint64_t)(uintptr_t)p;
	return MM_OK;
}

enum mm_err mm_oracle_enable(struct mm_machine *m, uint32_t mask)
{
	struct mm_oracle *o;
	enum mm_err err;
	unsigned pool = 0;

	if (mask & ~(uint32_t)MM_ORACLE_ALL)
		return mm_fail(m, MM_ERR_INVALID, "oracle: unknown oracle bits 0x%x",
			       mask & ~(uint32_t)MM_ORACLE_ALL);
	if ((mask & MM_ORACLE_NEEDS_CPU) && !mm_emu_get(m))
		return mm_fail(m, MM_ERR_STATE, "oracle: the memory oracles need the emulated CPU "
			       "(platform cpu-engine: unicorn)");
	o = oracle_state(m);
	if (!o)
		return mm_fail(m, MM_ERR_NOMEM, "oracle: out of memory");
	o->e = mm_emu_get(m);
	if (mask & MM_ORACLE_POOL)
		pool |= MM_POOL_DEBUG_REDZONE;
	if (mask & MM_ORACLE_DISCLOSURE)
		pool |= MM_POOL_DEBUG_POISON;
	mm_pool_set_debug(m, pool);
	if ((mask & MM_ORACLE_DISCLOSURE) && (err = plant_secret(o)))
		return err;
	if (o->e && (err = mm_oracle_mem_hooks(o, mask)))
		return err;
	o->mask = mask;
	return MM_OK;
}
