/* SPDX-License-Identifier: MIT */
/*
 * Steps of a scenario (the `steps:` list and `repeat` blocks) and the
 * structured `fields` byte layouts, from YAML to the model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pi/base.h>

#include "loader.h"
#include "names.h"

static const char *const action_keys[] = { "dispatch", "set-registers", "sw-smi",
					    "communicate", "write-memory", "read-memory",
					    "write-port", "read-port", "end-of-dxe",
					    "ready-to-lock", "smram", "repeat", "power-cycle",
					    NULL };

/* Finds the register called name ("rax"); MM_REG_COUNT when none. */
static enum mm_reg reg_by_name(const char *name)
{
	for (int r = 0; r < MM_REG_COUNT; r++) {
		const char *n = mm_reg_name((enum mm_reg)r);

		if (n && !strcmp(n, name))
			return (enum mm_reg)r;
	}
	return MM_REG_COUNT;
}

bool sc_load_regs(struct ld *l, const struct sc_node *n, struct sc_regs *r)
{
	const char *keys[MM_REG_COUNT + 2];
	uint64_t x;

	if (!ld_map(l, n, "registers"))
		return false;
	for (int i = 0; i < MM_REG_COUNT; i++)
		keys[i] = mm_reg_name((enum mm_reg)i);
	keys[MM_REG_COUNT] = "cpu";
	keys[MM_REG_COUNT + 1] = NULL;
	r->present = true;
	for (const struct sc_node *k = n->first; k && k->next; k = k->next->next) {
		enum mm_reg reg;

		if (k->kind != SC_SCALAR)
			return ld_fail(l, k, "expected a scalar key");
		if (!strcmp(k->text, "cpu")) {
			if (!ld_u64(l, k->next, MM_MAX_CPUS - 1, "cpu", &x))
				return false;
			r->cpu = (unsigned)x;
			continue;
		}
		reg = reg_by_name(k->text);
		if (reg == MM_REG_COUNT)
			return ld_keys(l, n, keys);
		if (!ld_u64(l, k->next, UINT64_MAX, k->text, &r->value[reg]))
			return false;
		r->which |= 1ull << reg;
	}
	return ld_keys(l, n, keys);
}

/* ---- fields ---- */

struct field_buf {
	uint8_t *data, *mask;
	size_t len, cap;
	struct mm_run_field *fields;
	size_t nfields, fcap;
};

/* Appends len bytes (mask byte m for each) to b, growing it in the arena. */
static bool fb_put(struct ld *l, const struct sc_node *at, struct field_buf *b,
		   const uint8_t *p, size_t len, uint8_t m)
{
	if (b->len + len > SC_MAX_PAYLOAD)
		return ld_fail(l, at, "fields: more than %u bytes", SC_MAX_PAYLOAD);
	if (b->len + len > b->cap) {
		size_t cap = (b->len + len) * 2 + 16;
		uint8_t *d = sc_alloc(&l->s->arena, cap), *mk = sc_alloc(&l->s->arena, cap);

		if (!d || !mk)
			return ld_fail(l, at, "out of memory");
		if (b->len) {
			memcpy(d, b->data, b->len);
			memcpy(mk, b->mask, b->len);
		}
		b->data = d;
		b->mask = mk;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	memset(b->mask + b->len, m, len);
	b->len += len;
	return true;
}

/* `char16`: an ASCII string as NUL-terminated UTF-16LE (a UEFI CHAR16 string). */
static bool load_char16(struct ld *l, const struct sc_node *v, struct field_buf *b)
{
	if (!ld_scalar(l, v, "char16"))
		return false;
	for (size_t i = 0; i <= v->len; i++) {
		uint8_t c[2] = { i < v->len ? (uint8_t)v->text[i] : 0, 0 };

		if (c[0] >= 0x80)
			return ld_fail(l, v, "char16: only ASCII characters, got byte 0x%02x",
				       c[0]);
		if (!fb_put(l, v, b, c, 2, 0xff))
			return false;
	}
	return true;
}

/* `status`: an EFI_STATUS (name or number) as a UINT64. */
static bool load_status_field(struct ld *l, const struct sc_node *v, struct field_buf *b)
{
	uint8_t tmp[8];
	uint64_t x;

	if (!ld_named(l, v, sc_status_names(), UINT64_MAX, "status", &x))
		return false;
	for (unsigned j = 0; j < 8; j++)
		tmp[j] = (uint8_t)(x >> (8 * j));
	return fb_put(l, v, b, tmp, 8, 0xff);
}

static const char *const field_keys[] = { "u8", "u16", "u32", "u64", "guid", "bytes", "status",
					   "char16", "name", NULL };

/* The value of one field: k is its type key, v the value. */
static bool load_field_value(struct ld *l, const struct sc_node *k, const struct sc_node *v,
			     bool allow_any, struct field_buf *b)
{
	const char *const *keys = field_keys;
	static const unsigned widths[] = { 1, 2, 4, 8 };
	uint8_t tmp[16] = { 0 };
	uint64_t x;

	for (unsigned i = 0; i < 4; i++) {
		if (strcmp(k->text, keys[i]))
			continue;
		if (allow_any && v->kind == SC_SCALAR && !strcmp(v->text, "any"))
			return fb_put(l, v, b, tmp, widths[i], 0);
		if (!ld_u64(l, v, widths[i] == 8 ? UINT64_MAX : (1ull << (8 * widths[i])) - 1,
			    k->text, &x))
			return false;
		for (unsigned j = 0; j < widths[i]; j++)
			tmp[j] = (uint8_t)(x >> (8 * j));
		return fb_put(l, v, b, tmp, widths[i], 0xff);
	}
	if (!strcmp(k->text, "guid")) {
		if (allow_any && v->kind == SC_SCALAR && !strcmp(v->text, "any"))
			return fb_put(l, v, b, tmp, 16, 0);
		return ld_guid(l, v, tmp) && fb_put(l, v, b, tmp, 16, 0xff);
	}
	if (!strcmp(k->text, "status")) {
		if (allow_any && v->kind == SC_SCALAR && !strcmp(v->text, "any"))
			return fb_put(l, v, b, tmp, 8, 0);
		return load_status_field(l, v, b);
	}
	if (!strcmp(k->text, "char16"))
		return load_char16(l, v, b);
	struct sc_bytes bytes;

	return ld_hex(l, v, SC_MAX_PAYLOAD, &bytes) &&
	       fb_put(l, v, b, bytes.data, bytes.len, 0xff);
}

/* Appends the layout record of the field that starts at offset and ends at b->len. */
static bool add_field_record(struct ld *l, const struct sc_node *at, struct field_buf *b,
			     const char *type, const struct sc_node *name, size_t offset)
{
	struct mm_run_field *f;

	if (b->nfields == b->fcap) {
		size_t cap = b->fcap * 2 + 8;
		struct mm_run_field *nf = sc_alloc(&l->s->arena, cap * sizeof(*nf));

		if (!nf)
			return ld_fail(l, at, "out of memory");
		if (b->nfields)
			memcpy(nf, b->fields, b->nfields * sizeof(*nf));
		b->fields = nf;
		b->fcap = cap;
	}
	f = &b->fields[b->nfields++];
	f->type = type;
	f->name = NULL;
	f->offset = offset;
	f->size = b->len - offset;
	if (name) {
		char *copy = sc_alloc(&l->s->arena, name->len + 1);

		if (!copy)
			return ld_fail(l, at, "out of memory");
		memcpy(copy, name->text, name->len + 1);
		f->name = copy;
	}
	return true;
}

/* One field: a map with one type key (u8 ... char16) and an optional `name`. */
static bool load_field(struct ld *l, const struct sc_node *n, bool allow_any, struct field_buf *b)
{
	const struct sc_node *k = NULL, *name;
	size_t start = b->len;

	if (!ld_map(l, n, "field") || !ld_keys(l, n, field_keys))
		return false;
	name = ld_get(n, "name");
	if (n->n != (name ? 4u : 2u))
		return ld_fail(l, n, "field: expected exactly one of u8, u16, u32, u64, guid, bytes, "
			       "status, char16 (and an optional name)");
	if (name && !ld_scalar(l, name, "name"))
		return false;
	for (const struct sc_node *c = n->first; c && c->next; c = c->next->next)
		if (strcmp(c->text, "name"))
			k = c;
	if (!k || !load_field_value(l, k, k->next, allow_any, b))
		return false;
	for (unsigned i = 0; field_keys[i]; i++)
		if (!strcmp(k->text, field_keys[i]))
			return add_field_record(l, k, b, field_keys[i], name, start);
	return false;
}

bool sc_load_fields(struct ld *l, const struct sc_node *n, bool allow_any, struct sc_bytes *out)
{
	struct field_buf b = { 0 };

	if (!ld_seq(l, n, "fields"))
		return false;
	for (const struct sc_node *c = n->first; c; c = c->next)
		if (!load_field(l, c, allow_any, &b))
			return false;
	if (!b.data) { /* an empty list */
		b.data = sc_alloc(&l->s->arena, 1);
		b.mask = sc_alloc(&l->s->arena, 1);
		if (!b.data || !b.mask)
			return ld_fail(l, n, "out of memory");
	}
	out->data = b.data;
	out->mask = allow_any ? b.mask : NULL;
	out->len = b.len;
	out->fields = b.fields;
	out->nfields = b.nfields;
	return true;
}

/* ---- actions ---- */

/* An action without parameters: null or an empty mapping. */
static bool load_empty(struct ld *l, const struct sc_node *n, const char *what)
{
	if (ld_is_null(n) || (n->kind == SC_MAP && !n->n))
		return true;
	return ld_fail(l, n, "%s: expected {} (no parameters)", what);
}

static bool load_sw_smi(struct ld *l, const struct sc_node *n, struct sc_step *st)
{
	static const char *const keys[] = { "value", "data", "cpu", NULL };
	const struct sc_node *v;
	uint64_t x;

	if (!ld_map(l, n, "sw-smi") || !ld_keys(l, n, keys))
		return false;
	if (!(v = ld_get(n, "value")))
		return ld_fail(l, n, "sw-smi: 'value' is required");
	if (!ld_u64(l, v, 0xff, "value", &x))
		return false;
	st->value = (uint32_t)x;
	if ((v = ld_get(n, "data"))) {
		if (!ld_u64(l, v, 0xff, "data", &x))
			return false;
		st->data = (uint32_t)x;
	}
	if ((v = ld_get(n, "cpu"))) {
		if (!ld_u64(l, v, MM_MAX_CPUS - 1, "cpu", &x))
			return false;
		st->cpu = (unsigned)x;
	}
	return true;
}

/* Reads payload-file (relative to the scenario) into st->payload. */
static bool load_payload_file(struct ld *l, const struct sc_node *v, struct sc_step *st)
{
	char *path;
	FILE *f;
	size_t n;

	if (!ld_scalar(l, v, "payload-file") || !(path = ld_resolve(l, v, v->text)))
		return false;
	if (!ld_exists(path) || !(f = fopen(path, "rb")))
		return ld_fail(l, v, "payload file '%s' not found", path);
	st->payload.data = sc_alloc(&l->s->arena, SC_MAX_PAYLOAD + 1);
	n = st->payload.data ? fread(st->payload.data, 1, SC_MAX_PAYLOAD + 1, f) : 0;
	fclose(f);
	if (!st->payload.data)
		return ld_fail(l, v, "out of memory");
	if (n > SC_MAX_PAYLOAD)
		return ld_fail(l, v, "payload file '%s' is larger than 16 MiB", path);
	st->payload.len = n;
	return true;
}

static bool load_communicate(struct ld *l, const struct sc_node *n, struct sc_step *st)
{
	static const char *const keys[] = { "guid", "payload", "payload-file", "fields",
					    "buffer-size", "memory-type", "address",
					    "message-length", "allow-smram", NULL };
	const struct sc_node *v;
	unsigned sources = 0;
	uint64_t x;
	bool smram_ok = false;

	if (!ld_map(l, n, "communicate") || !ld_keys(l, n, keys))
		return false;
	if (!(v = ld_get(n, "guid")))
		return ld_fail(l, n, "communicate: 'guid' is required");
	if (!ld_guid(l, v, st->guid))
		return false;
	for (unsigned i = 1; i <= 3; i++)
		sources += ld_key(n, keys[i]) != NULL;
	if (sources > 1)
		return ld_fail(l, n, "communicate: give one of payload, payload-file, fields");
	if ((v = ld_get(n, "payload")) && !ld_hex(l, v, SC_MAX_PAYLOAD, &st->payload))
		return false;
	if ((v = ld_get(n, "payload-file")) && !load_payload_file(l, v, st))
		return false;
	if ((v = ld_get(n, "fields")) && !sc_load_fields(l, v, false, &st->payload))
		return false;
	if ((v = ld_get(n, "buffer-size"))) {
		if (!ld_u64(l, v, SC_MAX_PAYLOAD + 24, "buffer-size", &st->buffer_size))
			return false;
		if (st->buffer_size < 24 + st->payload.len)
			return ld_fail(l, v,
				       "buffer-size: %llu is smaller than the header (24) plus the "
				       "payload (%zu)",
				       (unsigned long long)st->buffer_size, st->payload.len);
		st->has_buffer_size = true;
	}
	st->memory_type = EfiRuntimeServicesData;
	if ((v = ld_get(n, "memory-type"))) {
		if (!ld_named(l, v, sc_memory_type_names(), 0xffffffffu, "memory-type", &x))
			return false;
		st->memory_type = (uint32_t)x;
	}
	if ((v = ld_get(n, "address"))) {
		if (!ld_u64(l, v, UINT64_MAX - SC_MAX_PAYLOAD - 24, "address", &st->address))
			return false;
		st->has_address = true;
	}
	if ((v = ld_get(n, "message-length"))) {
		if (!ld_u64(l, v, UINT64_MAX, "message-length", &st->message_length))
			return false;
		st->has_message_length = true;
	}
	if ((v = ld_get(n, "allow-smram")) && !ld_bool(l, v, &smram_ok))
		return false;
	st->width = smram_ok; /* reused: 1 = fixed address may be SMRAM */
	return true;
}

static bool load_memory_step(struct ld *l, const struct sc_node *n, struct sc_step *st,
			     bool write)
{
	static const char *const wkeys[] = { "address", "hex", "fields", NULL };
	static const char *const rkeys[] = { "address", "length", NULL };
	const struct sc_node *v;

	if (!ld_map(l, n, sc_action_name(st->action)) || !ld_keys(l, n, write ? wkeys : rkeys))
		return false;
	if (!(v = ld_get(n, "address")))
		return ld_fail(l, n, "%s: 'address' is required", sc_action_name(st->action));
	if (!ld_u64(l, v, UINT64_MAX - SC_MAX_PAYLOAD, "address", &st->address))
		return false;
	if (!write) {
		if (!(v = ld_get(n, "length")))
			return ld_fail(l, n, "read-memory: 'length' is required");
		return ld_u64(l, v, SC_MAX_PAYLOAD, "length", &st->length);
	}
	if ((v = ld_get(n, "hex")) && ld_get(n, "fields"))
		return ld_fail(l, n, "write-memory: give hex or fields, not both");
	if (v)
		return ld_hex(l, v, SC_MAX_PAYLOAD, &st->payload);
	if ((v = ld_get(n, "fields")))
		return sc_load_fields(l, v, false, &st->payload);
	return ld_fail(l, n, "write-memory: 'hex' or 'fields' is required");
}

static bool load_port_step(struct ld *l, const struct sc_node *n, struct sc_step *st,
			   bool write)
{
	static const char *const wkeys[] = { "port", "width", "value", NULL };
	static const char *const rkeys[] = { "port", "width", NULL };
	const struct sc_node *v;
	uint64_t x;

	if (!ld_map(l, n, sc_action_name(st->action)) || !ld_keys(l, n, write ? wkeys : rkeys))
		return false;
	if (!(v = ld_get(n, "port")))
		return ld_fail(l, n, "%s: 'port' is required", sc_action_name(st->action));
	if (!ld_u64(l, v, 0xffff, "port", &x))
		return false;
	st->port = (uint16_t)x;
	st->width = 1;
	if ((v = ld_get(n, "width"))) {
		if (!ld_u64(l, v, 0xffffffffu, "width", &x))
			return false;
		if (x != 1 && x != 2 && x != 4)
			return ld_fail(l, v, "width: expected 1, 2 or 4, got %llu",
				       (unsigned long long)x);
		st->width = (unsigned)x;
	}
	if (!write)
		return true;
	if (!(v = ld_get(n, "value")))
		return ld_fail(l, n, "write-port: 'value' is required");
	if (!ld_u64(l, v, st->width == 4 ? 0xffffffffull : (1ull << (8 * st->width)) - 1,
		    "value", &x))
		return false;
	st->value = (uint32_t)x;
	return true;
}

static bool load_smram_step(struct ld *l, const struct sc_node *n, struct sc_step *st)
{
	uint64_t x;

	if (!ld_scalar(l, n, "smram"))
		return false;
	if (!sc_name_find(sc_smram_verbs(), n->text, &x))
		return ld_fail(l, n, "smram: expected open, close or lock, got '%.40s'", n->text);
	st->smram = (enum mm_smram_state)x;
	return true;
}

static bool load_repeat(struct ld *l, const struct sc_node *n, struct sc_step *st)
{
	static const char *const keys[] = { "count", "steps", NULL };
	const struct sc_node *v;
	uint64_t saved = l->repeat_product;
	bool ok;

	if (!ld_map(l, n, "repeat") || !ld_keys(l, n, keys))
		return false;
	if (!(v = ld_get(n, "count")))
		return ld_fail(l, n, "repeat: 'count' is required");
	if (!ld_u64(l, v, SC_MAX_REPEAT, "count", &st->count))
		return false;
	if (st->count && l->repeat_product > SC_MAX_REPEAT / st->count)
		return ld_fail(l, v, "repeat: nested counts multiply to more than %llu",
			       (unsigned long long)SC_MAX_REPEAT);
	if (!(v = ld_get(n, "steps")))
		return ld_fail(l, n, "repeat: 'steps' is required");
	if (l->repeat_depth >= SC_MAX_REPEAT_DEPTH)
		return ld_fail(l, n, "repeat nested deeper than %d", SC_MAX_REPEAT_DEPTH);
	l->repeat_depth++;
	l->repeat_product *= st->count ? st->count : 1;
	ok = sc_load_steps(l, v, &st->steps, &st->nsteps);
	l->repeat_product = saved;
	l->repeat_depth--;
	return ok;
}

static bool load_action(struct ld *l, const struct sc_node *v, struct sc_step *st)
{
	switch (st->action) {
	case SC_DISPATCH:
	case SC_END_OF_DXE:
	case SC_READY_TO_LOCK:
	case SC_POWER_CYCLE:
		return load_empty(l, v, sc_action_name(st->action));
	case SC_SET_REGISTERS:
		if (!sc_load_regs(l, v, &st->regs))
			return false;
		st->cpu = st->regs.cpu;
		return true;
	case SC_SW_SMI:
		return load_sw_smi(l, v, st);
	case SC_COMMUNICATE:
		return load_communicate(l, v, st);
	case SC_WRITE_MEMORY:
	case SC_READ_MEMORY:
		return load_memory_step(l, v, st, st->action == SC_WRITE_MEMORY);
	case SC_WRITE_PORT:
	case SC_READ_PORT:
		return load_port_step(l, v, st, st->action == SC_WRITE_PORT);
	case SC_SMRAM:
		return load_smram_step(l, v, st);
	case SC_REPEAT:
		return load_repeat(l, v, st);
	default:
		return false;
	}
}

static bool load_step(struct ld *l, const struct sc_node *n, struct sc_step *st)
{
	const char *keys[SC_ACTION_COUNT + 2];
	const struct sc_node *action = NULL, *v;

	for (unsigned i = 0; i < SC_ACTION_COUNT; i++)
		keys[i] = action_keys[i];
	keys[SC_ACTION_COUNT] = "expect";
	keys[SC_ACTION_COUNT + 1] = NULL;
	if (!ld_map(l, n, "step") || !ld_keys(l, n, keys))
		return false;
	st->line = n->line;
	for (const struct sc_node *k = n->first; k && k->next; k = k->next->next) {
		if (!strcmp(k->text, "expect"))
			continue;
		if (action)
			return ld_fail(l, k, "step: one action per step ('%s' and '%s')",
				       action->text, k->text);
		action = k;
	}
	if (!action)
		return ld_fail(l, n, "step: expected an action (dispatch, sw-smi, communicate, ...)");
	for (unsigned i = 0; i < SC_ACTION_COUNT; i++)
		if (!strcmp(action_keys[i], action->text))
			st->action = (enum sc_action)i;
	st->line = action->line;
	if (!load_action(l, action->next, st))
		return false;
	st->expect.line = st->line;
	st->expect.smram = -1;
	if ((v = ld_get(n, "expect"))) {
		if (st->action == SC_REPEAT)
			return ld_fail(l, ld_key(n, "expect"),
				       "repeat: put expectations on the repeated steps");
		return sc_load_expect(l, v, st->action, &st->expect);
	}
	return true;
}

bool sc_load_steps(struct ld *l, const struct sc_node *n, struct sc_step **out, size_t *count)
{
	struct sc_step *steps;
	size_t i = 0;

	if (!ld_seq(l, n, "steps"))
		return false;
	steps = sc_alloc(&l->s->arena, (n->n + 1) * sizeof(*steps));
	if (!steps)
		return ld_fail(l, n, "out of memory");
	for (const struct sc_node *c = n->first; c; c = c->next) {
		steps[i].expect.smram = -1;
		if (!load_step(l, c, &steps[i++]))
			return false;
	}
	*out = steps;
	*count = i;
	return true;
}
