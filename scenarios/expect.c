/* SPDX-License-Identifier: MIT */
/*
 * The `expect:` mapping of a step (and `expect-at-end`), from YAML to the
 * model. Which keys a step accepts depends on its action: `status` and
 * `message` only on communicate, `drivers`/`order`/`reason` on dispatch,
 * `hex` on read-memory, `value` on read-port.
 */
#include <stdio.h>
#include <string.h>

#include <mmemu/driver.h>

#include "loader.h"
#include "names.h"

static const char *const common_keys[] = { "registers", "handlers", "log", "stop", "smram",
					    "error", "leaks", NULL };

/* Keys only some actions accept, with the action (SC_ACTION_COUNT: end block). */
static const struct {
	const char *key;
	int action;
	int action2;
} special_keys[] = {
	{ "status", SC_COMMUNICATE, -1 },
	{ "message", SC_COMMUNICATE, -1 },
	{ "message-length", SC_COMMUNICATE, -1 },
	{ "drivers", SC_DISPATCH, SC_ACTION_COUNT },
	{ "order", SC_DISPATCH, SC_ACTION_COUNT },
	{ "reason", SC_DISPATCH, SC_ACTION_COUNT },
	{ "entry-status", SC_DISPATCH, SC_ACTION_COUNT },
	{ "hex", SC_READ_MEMORY, -1 },
	{ "mask", SC_READ_MEMORY, -1 },
	{ "fields", SC_READ_MEMORY, -1 },
	{ "value", SC_READ_PORT, -1 },
};

#define NSPECIAL (sizeof(special_keys) / sizeof(special_keys[0]))

/* Names of a string list. */
static bool load_names(struct ld *l, const struct sc_node *n, const char *what, char ***out,
		       size_t *count)
{
	char **v;
	size_t i = 0;

	if (!ld_seq(l, n, what))
		return false;
	v = sc_alloc(&l->s->arena, (n->n + 1) * sizeof(char *));
	if (!v)
		return ld_fail(l, n, "out of memory");
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!ld_str(l, c, what, &v[i++]))
			return false;
	*out = v;
	*count = i;
	return true;
}

static bool load_log(struct ld *l, const struct sc_node *n, struct sc_expect *e)
{
	static const char *const keys[] = { "contains", "regex", "absent", NULL };

	if (!ld_seq(l, n, "log"))
		return false;
	e->logs = sc_alloc(&l->s->arena, (n->n + 1) * sizeof(*e->logs));
	if (!e->logs)
		return ld_fail(l, n, "out of memory");
	for (const struct sc_node *c = n->first; c; c = c->next) {
		struct sc_log_check *x = &e->logs[e->nlogs++];

		if (!ld_map(l, c, "log check") || !ld_keys(l, c, keys))
			return false;
		if (c->n != 2)
			return ld_fail(l, c, "log check: expected one of contains, regex, absent");
		for (unsigned i = 0; keys[i]; i++)
			if (!strcmp(c->first->text, keys[i]))
				x->kind = (enum sc_log_kind)i;
		x->line = c->line;
		if (!ld_str(l, c->first->next, c->first->text, &x->text))
			return false;
	}
	return true;
}

/* A stop kind by name. */
static bool stop_kind(struct ld *l, const struct sc_node *n, enum mm_stop_kind *out)
{
	if (!ld_scalar(l, n, "stop"))
		return false;
	for (int k = MM_STOP_NONE; k <= MM_STOP_HOST; k++) {
		const char *name = mm_stop_kind_name((enum mm_stop_kind)k);

		if (name && !strcmp(name, n->text)) {
			*out = (enum mm_stop_kind)k;
			return true;
		}
	}
	return ld_fail(l, n,
		       "stop: expected none, fault, unmapped, hang, canary, callout, oracle or "
		       "host, got '%.40s'",
		       n->text);
}

static bool load_stop(struct ld *l, const struct sc_node *n, struct sc_expect *e)
{
	static const char *const keys[] = { "kind", "contains", NULL };
	const struct sc_node *v;

	if (n->kind != SC_MAP)
		return stop_kind(l, n, &e->stop);
	if (!ld_keys(l, n, keys))
		return false;
	if (!(v = ld_get(n, "kind")))
		return ld_fail(l, n, "stop: 'kind' is required");
	if (!stop_kind(l, v, &e->stop))
		return false;
	if ((v = ld_get(n, "contains")) && !ld_str(l, v, "contains", &e->stop_contains))
		return false;
	return true;
}

/* A driver state by name (mm_driver_state_name). */
static bool driver_state(struct ld *l, const struct sc_node *n, int *out)
{
	if (!ld_scalar(l, n, "driver state"))
		return false;
	for (int s = MM_DRIVER_PENDING; s <= MM_DRIVER_BAD_DEPEX; s++) {
		const char *name = mm_driver_state_name((enum mm_driver_state)s);

		if (name && !strcmp(name, n->text)) {
			*out = s;
			return true;
		}
	}
	return ld_fail(l, n, "unknown driver state '%.40s'", n->text);
}

/* Finds or adds the check for driver name. */
static struct sc_driver_check *driver_check(struct sc_expect *e, const char *name)
{
	for (size_t i = 0; i < e->ndrivers; i++)
		if (!strcmp(e->drivers[i].name, name))
			return &e->drivers[i];
	return NULL;
}


/*
 * The expected bytes of a mapping n: exact `hex`, optionally with a same-size
 * `mask`, or per-field `fields` (with `any`). what names n in messages.
 */
static bool load_expected_bytes(struct ld *l, const struct sc_node *n, const char *what,
				struct sc_bytes *out)
{
	const struct sc_node *v;
	struct sc_bytes mask;

	if ((v = ld_get(n, "hex")) && ld_get(n, "fields"))
		return ld_fail(l, n, "%s: give hex or fields, not both", what);
	if (v && !ld_hex(l, v, SC_MAX_PAYLOAD, out))
		return false;
	if ((v = ld_get(n, "fields")) && !sc_load_fields(l, v, true, out))
		return false;
	if ((v = ld_get(n, "mask"))) {
		if (!ld_get(n, "hex"))
			return ld_fail(l, v, "mask: needs 'hex'");
		if (!ld_hex(l, v, SC_MAX_PAYLOAD, &mask))
			return false;
		if (mask.len != out->len)
			return ld_fail(l, v, "mask: %zu bytes, expected %zu (as many as hex)",
				       mask.len, out->len);
		out->mask = mask.data;
	}
	return true;
}

/* What a driver map gives per driver. */
enum driver_map { MAP_STATE, MAP_REASON, MAP_STATUS };

/* One value of a driver map into c. */
static bool driver_map_value(struct ld *l, const struct sc_node *v, enum driver_map what,
			     struct sc_driver_check *c)
{
	switch (what) {
	case MAP_REASON:
		return ld_str(l, v, "reason", &c->reason);
	case MAP_STATUS:
		c->has_status = true;
		return ld_named(l, v, sc_status_names(), UINT64_MAX, "entry-status", &c->status);
	default:
		return driver_state(l, v, &c->state);
	}
}

/*
 * `drivers: {Name: state}`, `reason: {Name: "text"}` and `entry-status:
 * {Name: EFI_STATUS}` into e->drivers.
 */
static bool load_driver_map(struct ld *l, const struct sc_node *n, enum driver_map what,
			    struct sc_expect *e, size_t cap)
{
	static const char *const names[] = { "drivers", "reason", "entry-status" };

	if (!ld_map(l, n, names[what]))
		return false;
	for (const struct sc_node *k = n->first; k && k->next; k = k->next->next) {
		struct sc_driver_check *c;

		if (!ld_scalar(l, k, "driver name"))
			return false;
		c = driver_check(e, k->text);
		if (!c) {
			if (e->ndrivers >= cap)
				return ld_fail(l, k, "too many driver checks");
			c = &e->drivers[e->ndrivers++];
			c->state = -1;
			if (!ld_str(l, k, "driver name", &c->name))
				return false;
		}
		if (!driver_map_value(l, k->next, what, c))
			return false;
	}
	return true;
}

static bool load_message(struct ld *l, const struct sc_node *n, struct sc_expect *e)
{
	static const char *const keys[] = { "hex", "mask", "fields", "length", NULL };
	const struct sc_node *v;

	if (!ld_map(l, n, "message") || !ld_keys(l, n, keys))
		return false;
	e->has_message = true;
	if (!load_expected_bytes(l, n, "message", &e->message))
		return false;
	if ((v = ld_get(n, "length"))) {
		if (!ld_u64(l, v, UINT64_MAX, "length", &e->message_len_exact))
			return false;
		e->has_message_len_exact = true;
	}
	return true;
}

/* read-memory's hex/mask/fields directly in expect. */
static bool load_hex_expect(struct ld *l, const struct sc_node *n, struct sc_expect *e)
{
	if (!ld_get(n, "hex") && !ld_get(n, "fields"))
		return true;
	e->has_hex = true;
	return load_expected_bytes(l, n, "expect", &e->hex);
}

/* Checks the keys of n against the common ones and those action allows. */
static bool check_expect_keys(struct ld *l, const struct sc_node *n, enum sc_action action)
{
	const char *keys[sizeof(common_keys) / sizeof(common_keys[0]) + NSPECIAL];
	unsigned nk = 0;

	for (unsigned i = 0; common_keys[i]; i++)
		keys[nk++] = common_keys[i];
	for (unsigned i = 0; i < NSPECIAL; i++)
		keys[nk++] = special_keys[i].key;
	keys[nk] = NULL;
	if (!ld_keys(l, n, keys))
		return false;
	for (unsigned i = 0; i < NSPECIAL; i++) {
		const struct sc_node *k = ld_key(n, special_keys[i].key);

		if (k && special_keys[i].action != (int)action &&
		    special_keys[i].action2 != (int)action)
			return ld_fail(l, k, "'%s' does not apply to %s%s", k->text,
				       action == SC_ACTION_COUNT ? "expect-at-end"
								 : "a step of action ",
				       action == SC_ACTION_COUNT ? "" : sc_action_name(action));
	}
	return true;
}

bool sc_load_expect(struct ld *l, const struct sc_node *n, enum sc_action action,
		    struct sc_expect *e)
{
	const struct sc_node *v;
	uint64_t x;

	e->line = n->line;
	e->smram = -1;
	if (!ld_map(l, n, "expect") || !check_expect_keys(l, n, action))
		return false;
	if ((v = ld_get(n, "status")) &&
	    !ld_named(l, v, sc_status_names(), UINT64_MAX, "status", &e->status))
		return false;
	e->has_status = v != NULL;
	if ((v = ld_get(n, "registers")) && !sc_load_regs(l, v, &e->regs))
		return false;
	if ((v = ld_get(n, "message")) && !load_message(l, v, e))
		return false;
	if ((v = ld_get(n, "message-length"))) {
		if (!ld_u64(l, v, UINT64_MAX, "message-length", &e->message_length))
			return false;
		e->has_message_length = true;
	}
	if ((v = ld_get(n, "handlers"))) {
		if (!load_names(l, v, "handlers", &e->handlers, &e->nhandlers))
			return false;
		e->has_handlers = true;
	}
	if ((v = ld_get(n, "log")) && !load_log(l, v, e))
		return false;
	if ((v = ld_get(n, "stop")) && !load_stop(l, v, e))
		return false;
	if ((v = ld_get(n, "smram"))) {
		if (!ld_scalar(l, v, "smram") || !sc_name_find(sc_smram_names(), v->text, &x))
			return ld_fail(l, v, "smram: expected open, closed or locked");
		e->smram = (int)x;
	}
	if ((v = ld_get(n, "error"))) {
		if (!ld_scalar(l, v, "error") || !sc_name_find(sc_err_names(), v->text, &x))
			return ld_fail(l, v,
				       "error: expected an mm_err name (ok, invalid, denied, "
				       "not-found, range, state, stopped, ...)");
		e->error = (int)(int64_t)x;
	}
	if ((v = ld_get(n, "leaks"))) {
		if (!ld_u64(l, v, UINT32_MAX, "leaks", &e->leaks))
			return false;
		e->has_leaks = true;
	}
	size_t cap = 0;

	if ((v = ld_get(n, "drivers")))
		cap += v->n;
	if ((v = ld_get(n, "reason")))
		cap += v->n;
	if ((v = ld_get(n, "entry-status")))
		cap += v->n;
	if (cap) {
		e->drivers = sc_alloc(&l->s->arena, cap * sizeof(*e->drivers));
		if (!e->drivers)
			return ld_fail(l, n, "out of memory");
	}
	if ((v = ld_get(n, "drivers")) && !load_driver_map(l, v, MAP_STATE, e, cap))
		return false;
	if ((v = ld_get(n, "reason")) && !load_driver_map(l, v, MAP_REASON, e, cap))
		return false;
	if ((v = ld_get(n, "entry-status")) && !load_driver_map(l, v, MAP_STATUS, e, cap))
		return false;
	if ((v = ld_get(n, "order")) && !load_names(l, v, "order", &e->order, &e->norder))
		return false;
	if (action == SC_READ_MEMORY && !load_hex_expect(l, n, e))
		return false;
	if ((v = ld_get(n, "value"))) {
		if (!ld_u64(l, v, UINT32_MAX, "value", &x))
			return false;
		e->value = (uint32_t)x;
		e->has_value = true;
	}
	return true;
}
