/* SPDX-License-Identifier: MIT */
/*
 * Typed reads of YAML nodes for the scenario loader: each check reports the
 * first problem with its file, line and column and what was expected.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/guid-names.h"
#include "loader-util.h"
#include "names.h"

bool ld_fail(struct ld *l, const struct sc_node *n, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	if (l->failed)
		return false;
	l->failed = true;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(l->err, l->errlen, "%s:%u:%u: %s", l->file, n->line, n->col, what);
	else
		snprintf(l->err, l->errlen, "%s: %s", l->file, what);
	return false;
}

bool ld_is_null(const struct sc_node *n)
{
	if (!n || n->kind != SC_SCALAR || !n->plain)
		return false;
	return !n->len || !strcmp(n->text, "~") || !strcmp(n->text, "null") ||
	       !strcmp(n->text, "Null") || !strcmp(n->text, "NULL");
}

/* "a mapping", "a list", "a scalar" for messages. */
static const char *kind_name(const struct sc_node *n)
{
	if (ld_is_null(n))
		return "nothing";
	return n->kind == SC_MAP ? "a mapping" : n->kind == SC_SEQ ? "a list" : "a scalar";
}

bool ld_map(struct ld *l, const struct sc_node *n, const char *what)
{
	if (n->kind == SC_MAP)
		return true;
	return ld_fail(l, n, "%s: expected a mapping, got %s", what, kind_name(n));
}

bool ld_seq(struct ld *l, const struct sc_node *n, const char *what)
{
	if (n->kind == SC_SEQ)
		return true;
	return ld_fail(l, n, "%s: expected a list, got %s", what, kind_name(n));
}

bool ld_scalar(struct ld *l, const struct sc_node *n, const char *what)
{
	if (n->kind == SC_SCALAR && !ld_is_null(n))
		return true;
	return ld_fail(l, n, "%s: expected a scalar, got %s", what, kind_name(n));
}

unsigned ld_distance(const char *a, const char *b)
{
	unsigned row[64], la = (unsigned)strlen(a), lb = (unsigned)strlen(b);

	if (la > 63 || lb > 63)
		return 99;
	for (unsigned j = 0; j <= lb; j++)
		row[j] = j;
	for (unsigned i = 1; i <= la; i++) {
		unsigned diag = row[0];

		row[0] = i;
		for (unsigned j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Reports an unknown key with the nearest known one. */
static bool unknown_key(struct ld *l, const struct sc_node *k, const char *const *known)
{
	const char *best = NULL;
	unsigned best_d = 99;

	for (const char *const *p = known; *p; p++) {
		unsigned d = ld_distance(k->text, *p);

		if (d < best_d) {
			best_d = d;
			best = *p;
		}
	}
	if (best)
		return ld_fail(l, k, "unknown key '%.64s', did you mean '%s'?", k->text, best);
	return ld_fail(l, k, "unknown key '%.64s': no keys are allowed here", k->text);
}

bool ld_keys(struct ld *l, const struct sc_node *n, const char *const *known)
{
	for (const struct sc_node *k = n->first; k && k->next; k = k->next->next) {
		const char *const *p = known;

		if (k->kind != SC_SCALAR)
			return ld_fail(l, k, "expected a scalar key, got %s", kind_name(k));
		while (*p && strcmp(*p, k->text))
			p++;
		if (!*p)
			return unknown_key(l, k, known);
		if (ld_key(n, k->text) != k)
			return ld_fail(l, k, "duplicate key '%s'", k->text);
	}
	return true;
}

const struct sc_node *ld_key(const struct sc_node *n, const char *key)
{
	if (!n || n->kind != SC_MAP)
		return NULL;
	for (const struct sc_node *k = n->first; k && k->next; k = k->next->next)
		if (k->kind == SC_SCALAR && !strcmp(k->text, key))
			return k;
	return NULL;
}

const struct sc_node *ld_get(const struct sc_node *n, const char *key)
{
	const struct sc_node *k = ld_key(n, key);

	return k ? k->next : NULL;
}

/* Parses text as a number; false when it is not one or overflows. */
static bool parse_number(const char *t, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	bool digits = false;

	if (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')) {
		base = 16;
		t += 2;
	}
	for (; *t; t++) {
		unsigned d;

		if (*t == '_' && digits)
			continue;
		if (isdigit((unsigned char)*t))
			d = (unsigned)(*t - '0');
		else if (base == 16 && isxdigit((unsigned char)*t))
			d = (unsigned)(tolower((unsigned char)*t) - 'a' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
		digits = true;
	}
	*out = v;
	return digits;
}

bool ld_u64(struct ld *l, const struct sc_node *n, uint64_t max, const char *what,
	    uint64_t *out)
{
	uint64_t v;

	if (n->kind != SC_SCALAR || ld_is_null(n))
		return ld_fail(l, n, "%s: expected an integer, got %s", what, kind_name(n));
	if (!parse_number(n->text, &v)) {
		if (n->text[0] == '-' || (isdigit((unsigned char)n->text[0]) && n->len > 16))
			return ld_fail(l, n, "%s: %.40s is out of range (0..0x%llx)", what, n->text,
				       (unsigned long long)max);
		return ld_fail(l, n, "%s: expected an integer (decimal or 0x hex), got '%.40s'",
			       what, n->text);
	}
	if (v > max)
		return ld_fail(l, n, "%s: %.40s is out of range (0..0x%llx)", what, n->text,
			       (unsigned long long)max);
	*out = v;
	return true;
}

bool ld_bool(struct ld *l, const struct sc_node *n, bool *out)
{
	if (n->kind == SC_SCALAR && (!strcmp(n->text, "true") || !strcmp(n->text, "false"))) {
		*out = n->text[0] == 't';
		return true;
	}
	return ld_fail(l, n, "expected true or false");
}

bool ld_str(struct ld *l, const struct sc_node *n, const char *what, char **out)
{
	if (!ld_scalar(l, n, what))
		return false;
	*out = sc_strndup(&l->s->arena, n->text, n->len);
	return *out ? true : ld_fail(l, n, "out of memory");
}

bool ld_hex(struct ld *l, const struct sc_node *n, size_t max, struct sc_bytes *out)
{
	size_t digits = 0;
	uint8_t *p;

	if (n->kind != SC_SCALAR)
		return ld_fail(l, n, "expected hex bytes as a string, got %s", kind_name(n));
	for (size_t i = 0; i < n->len; i++) {
		char c = n->text[i];

		if (isxdigit((unsigned char)c))
			digits++;
		else if (!isspace((unsigned char)c))
			return ld_fail(l, n, "malformed hex: '%c' at offset %zu is not a hex digit",
				       isprint((unsigned char)c) ? c : '?', i);
	}
	if (digits % 2)
		return ld_fail(l, n, "malformed hex: odd number of hex digits (%zu)", digits);
	if (digits / 2 > max)
		return ld_fail(l, n, "hex: %zu bytes is more than the limit of %zu", digits / 2,
			       max);
	p = sc_alloc(&l->s->arena, digits / 2 + 1);
	if (!p)
		return ld_fail(l, n, "out of memory");
	digits = 0;
	for (size_t i = 0; i < n->len; i++) {
		char c = n->text[i];
		unsigned d;

		if (!isxdigit((unsigned char)c))
			continue;
		d = isdigit((unsigned char)c) ? (unsigned)(c - '0')
					      : (unsigned)(tolower((unsigned char)c) - 'a' + 10);
		p[digits / 2] = (uint8_t)(p[digits / 2] << 4 | d);
		digits++;
	}
	out->data = p;
	out->len = digits / 2;
	out->mask = NULL;
	return true;
}

bool ld_guid(struct ld *l, const struct sc_node *n, uint8_t out[16])
{
	const EFI_GUID *g;
	EFI_GUID v;

	if (!ld_scalar(l, n, "guid"))
		return false;
	if (mm_guid_parse(n->text, n->len, &v)) {
		memcpy(out, &v, 16);
		return true;
	}
	g = mm_guid_by_name(n->text, n->len);
	if (g) {
		memcpy(out, g, 16);
		return true;
	}
	return ld_fail(l, n,
		       "malformed GUID '%.64s': expected XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX or a "
		       "known gEfi...Guid name",
		       n->text);
}

bool ld_named(struct ld *l, const struct sc_node *n, const void *t, uint64_t max,
	      const char *what, uint64_t *out)
{
	if (n->kind == SC_SCALAR && !ld_is_null(n) && !isdigit((unsigned char)n->text[0])) {
		if (sc_name_find(t, n->text, out))
			return true;
		return ld_fail(l, n, "%s: unknown name '%.64s'", what, n->text);
	}
	return ld_u64(l, n, max, what, out);
}

char *ld_resolve(struct ld *l, const struct sc_node *n, const char *path)
{
	const char *slash = strrchr(l->file, '/');
	size_t dir = slash ? (size_t)(slash - l->file) + 1 : 0;
	size_t len = strlen(path);
	char *out;

	if (path[0] == '/')
		dir = 0;
	out = sc_alloc(&l->s->arena, dir + len + 1);
	if (!out) {
		ld_fail(l, n, "out of memory");
		return NULL;
	}
	memcpy(out, l->file, dir);
	memcpy(out + dir, path, len);
	return out;
}

bool ld_exists(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}
