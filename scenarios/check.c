/* SPDX-License-Identifier: MIT */
/*
 * Expectations after a step: each check compares and, on a mismatch,
 * records "expectation: expected X, got Y". Checked in a fixed order: stop,
 * error, status, then the rest.
 */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include <mmemu/mmemu.h>

#include "names.h"
#include "runner.h"

/* Hex text of up to 64 bytes for messages (longer: "..."). */
static void hex_text(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	size_t o = 0;

	out[0] = 0;
	for (size_t i = 0; i < len && i < 64 && o + 4 < outlen; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%02x", p[i]);
	if (len > 64 && o + 4 < outlen)
		snprintf(out + o, outlen - o, "...");
}

/* Compares got (got_len bytes) with the expected bytes (masked). */
static bool check_bytes(struct sc_run *r, const char *what, const struct sc_bytes *want,
			const uint8_t *got, size_t got_len)
{
	char a[200], b[200];

	if (got_len < want->len) {
		hex_text(got, got_len, b, sizeof(b));
		return sc_failf(r, "%s: expected at least %zu bytes, got %zu (%s)", what, want->len,
				got_len, b);
	}
	for (size_t i = 0; i < want->len; i++) {
		uint8_t m = want->mask ? want->mask[i] : 0xff;

		if ((got[i] & m) != (want->data[i] & m)) {
			hex_text(want->data, want->len, a, sizeof(a));
			hex_text(got, want->len, b, sizeof(b));
			return sc_failf(r, "%s: expected %s, got %s (first difference at byte %zu)",
					what, a, b, i);
		}
	}
	return true;
}

static bool check_stop(struct sc_run *r, const struct sc_expect *e)
{
	const struct mm_stop *s = mm_machine_stop(r->m);
	enum mm_stop_kind got = s ? s->kind : MM_STOP_NONE;

	if (r->at_end)
		got = r->last_stop;
	else if (got != MM_STOP_NONE)
		r->last_stop = got;
	if (got != e->stop)
		return sc_failf(r, "stop: expected %s, got %s%s%s", mm_stop_kind_name(e->stop),
				mm_stop_kind_name(got), s && got ? ": " : "",
				s && got ? s->message : "");
	if (e->stop_contains && (!s || !strstr(s->message, e->stop_contains)))
		return sc_failf(r, "stop: expected a message containing \"%s\", got \"%s\"",
				e->stop_contains, s ? s->message : "");
	return true;
}

static bool check_error(struct sc_run *r, const struct sc_expect *e, enum mm_err err)
{
	if (err == MM_ERR_STOPPED && e->stop != MM_STOP_NONE && e->error != MM_ERR_STOPPED)
		err = MM_OK; /* the expected stop is the step's result */
	if ((int)err == e->error)
		return true;
	return sc_failf(r, "error: expected %s, got %s%s%s", sc_err_name((enum mm_err)e->error),
			sc_err_name(err), err ? ": " : "", err ? mm_machine_error(r->m) : "");
}

static const char *status_text(uint64_t s, char *buf, size_t len)
{
	const char *n = sc_name_of(sc_status_names(), s);

	if (n)
		return n;
	snprintf(buf, len, "0x%llx", (unsigned long long)s);
	return buf;
}

static bool check_regs(struct sc_run *r, const struct sc_regs *want)
{
	for (int i = 0; i < MM_REG_COUNT; i++) {
		uint64_t v = 0;
		enum mm_err err;

		if (!(want->which & (1ull << i)))
			continue;
		err = mm_cpu_get_reg(r->m, want->cpu, (enum mm_reg)i, &v);
		if (err)
			return sc_failf(r, "registers: cpu %u %s: %s", want->cpu,
					mm_reg_name((enum mm_reg)i), mm_strerror(err));
		if (v != want->value[i])
			return sc_failf(r, "registers: cpu %u %s: expected 0x%llx, got 0x%llx",
					want->cpu, mm_reg_name((enum mm_reg)i),
					(unsigned long long)want->value[i], (unsigned long long)v);
	}
	return true;
}

/* True when expected handler name w matches recorded "Name+0xOFF" got. */
static bool handler_match(const char *w, const char *got)
{
	size_t n = strlen(w);
	const char *plus = strchr(got, '+');

	if (!strncmp(got, w, n) && (got[n] == 0 || got[n] == '+' || strchr(w, '+')))
		return true;
	return plus && (size_t)(plus - got) == n && !strncmp(got, w, n);
}

static bool check_handlers(struct sc_run *r, const struct sc_expect *e)
{
	char got[512] = "", want[512] = "";
	bool ok = e->nhandlers == r->nhandlers;

	for (unsigned i = 0; ok && i < r->nhandlers; i++)
		ok = handler_match(e->handlers[i], r->handlers[i]);
	if (ok)
		return true;
	for (size_t i = 0; i < e->nhandlers; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s%s", i ? ", " : "",
			 e->handlers[i]);
	for (unsigned i = 0; i < r->nhandlers; i++) {
		char name[112];
		char *plus;

		snprintf(name, sizeof(name), "%s", r->handlers[i]);
		plus = strchr(name, '+');
		if (plus)
			*plus = 0;
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? ", " : "", name);
	}
	return sc_failf(r, "handlers: expected [%s], got [%s]", want, got);
}

/* One `log` check against the step's lines. */
static bool check_log(struct sc_run *r, const struct sc_log_check *c)
{
	const char *log = r->log ? r->log : "";
	bool found;

	if (c->kind == SC_LOG_REGEX) {
		regex_t re;
		int rc = regcomp(&re, c->text, REG_EXTENDED | REG_NOSUB | REG_NEWLINE);

		if (rc)
			return sc_failf(r, "log: bad regex \"%s\"", c->text);
		found = !regexec(&re, log, 0, NULL, 0);
		regfree(&re);
	} else {
		found = strstr(log, c->text) != NULL;
	}
	if (c->kind == SC_LOG_ABSENT && found)
		return sc_failf(r, "log: expected no line containing \"%s\", got one", c->text);
	if (c->kind != SC_LOG_ABSENT && !found)
		return sc_failf(r, "log: expected a line %s \"%s\", got none",
				c->kind == SC_LOG_REGEX ? "matching" : "containing", c->text);
	return true;
}

static void count_visit(void *user, const struct mm_alloc_info *info)
{
	(void)user;
	(void)info;
}

/* Looks a driver up by name. */
static bool find_driver(struct sc_run *r, const char *name, struct mm_driver_info *out)
{
	for (unsigned i = 0; i < mm_driver_count(r->m); i++)
		if (!mm_driver_get_info(r->m, i, out) && out->name && !strcmp(out->name, name))
			return true;
	return false;
}

/* ": REASON" of a driver left behind, or "" (into buf). */
static const char *driver_why(const struct mm_driver_info *info, char *buf, size_t len)
{
	if (!info->reason || !info->reason[0])
		return "";
	snprintf(buf, len, ": %s", info->reason);
	return buf;
}

static bool check_drivers(struct sc_run *r, const struct sc_expect *e)
{
	struct mm_driver_info info;
	unsigned last = 0;
	char a[32], b[32], why[224];

	for (size_t i = 0; i < e->ndrivers; i++) {
		const struct sc_driver_check *c = &e->drivers[i];

		if (!find_driver(r, c->name, &info))
			return sc_failf(r, "drivers: expected a driver named %s, got none", c->name);
		if (c->state >= 0 && (int)info.state != c->state)
			return sc_failf(r, "drivers: %s: expected %s, got %s%s%s%s", c->name,
					mm_driver_state_name((enum mm_driver_state)c->state),
					mm_driver_state_name(info.state),
					info.state == MM_DRIVER_FAILED ? " with " : "",
					info.state == MM_DRIVER_FAILED
						? status_text(info.entry_status, a, sizeof(a)) : "",
					driver_why(&info, why, sizeof(why)));
		if (c->has_status && (info.state != MM_DRIVER_DISPATCHED &&
				      info.state != MM_DRIVER_FAILED))
			return sc_failf(r, "entry-status: %s: expected %s, got no entry call (%s%s)",
					c->name, status_text(c->status, a, sizeof(a)),
					mm_driver_state_name(info.state),
					driver_why(&info, why, sizeof(why)));
		if (c->has_status && info.entry_status != c->status)
			return sc_failf(r, "entry-status: %s: expected %s, got %s", c->name,
					status_text(c->status, a, sizeof(a)),
					status_text(info.entry_status, b, sizeof(b)));
		if (c->reason && (!info.reason || !strstr(info.reason, c->reason)))
			return sc_failf(r, "reason: %s: expected \"%s\", got \"%s\"", c->name,
					c->reason, info.reason ? info.reason : "");
	}
	for (size_t i = 0; i < e->norder; i++) {
		if (!find_driver(r, e->order[i], &info))
			return sc_failf(r, "order: expected a driver named %s, got none",
					e->order[i]);
		if (!info.dispatch_order)
			return sc_failf(r, "order: expected %s dispatched, got %s", e->order[i],
					mm_driver_state_name(info.state));
		if (info.dispatch_order < last)
			return sc_failf(r, "order: expected %s after %s, got it before",
					e->order[i], e->order[i - 1]);
		last = info.dispatch_order;
	}
	return true;
}

/* Expectations only some actions have. */
static bool check_action(struct sc_run *r, const struct sc_expect *e)
{
	char a[32], b[32];

	if (e->has_status && r->comm_status != e->status)
		return sc_failf(r, "status: expected %s, got %s", status_text(e->status, a, 32),
				status_text(r->comm_status, b, 32));
	if (e->has_message_length && r->comm_length != e->message_length)
		return sc_failf(r, "message-length: expected %llu, got %llu",
				(unsigned long long)e->message_length,
				(unsigned long long)r->comm_length);
	if (e->has_message) {
		uint64_t len = r->comm_length;
		uint8_t *buf = mm_mem_ptr(r->m, r->comm_addr + 24, len);

		if (e->has_message_len_exact && len != e->message_len_exact)
			return sc_failf(r, "message: expected %llu bytes, got %llu",
					(unsigned long long)e->message_len_exact,
					(unsigned long long)len);
		if (!buf)
			return sc_failf(r, "message: MessageLength %llu runs outside guest memory",
					(unsigned long long)len);
		if (!check_bytes(r, "message", &e->message, buf, len))
			return false;
	}
	if (e->has_hex && !check_bytes(r, "hex", &e->hex, r->mem, r->mem_len))
		return false;
	if (e->has_value && r->port_value != e->value)
		return sc_failf(r, "value: expected 0x%x, got 0x%x", e->value, r->port_value);
	return check_drivers(r, e);
}

bool sc_check(struct sc_run *r, const struct sc_step *st, const struct sc_expect *e,
	      enum mm_err err)
{
	(void)st;
	if (!check_stop(r, e) || !check_error(r, e, err))
		return false;
	if (err)
		return true; /* an expected error: the other results do not exist */
	if (!check_action(r, e))
		return false;
	if (e->regs.present && !check_regs(r, &e->regs))
		return false;
	if (e->has_handlers && !check_handlers(r, e))
		return false;
	for (size_t i = 0; i < e->nlogs; i++)
		if (!check_log(r, &e->logs[i]))
			return false;
	if (e->smram >= 0 && (int)mm_smram_state(r->m) != e->smram)
		return sc_failf(r, "smram: expected %s, got %s", sc_smram_name(e->smram),
				sc_smram_name((int)mm_smram_state(r->m)));
	if (e->has_leaks) {
		unsigned n = mm_smram_allocations(r->m, false, count_visit, NULL);

		if (n != e->leaks)
			return sc_failf(r, "leaks: expected %llu, got %u",
					(unsigned long long)e->leaks, n);
	}
	return true;
}
