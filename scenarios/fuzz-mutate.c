/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer's mutations and dictionary (include/mmemu/fuzz.h).
 *
 * A mutation stacks 1 to 16 havoc operations: bit flips, random bytes,
 * arithmetic and interesting values (1, 2, 4, 8 bytes, little endian),
 * inserting, deleting and duplicating blocks, dictionary tokens (overwrite
 * or insert), and planting an interesting pointer (SMRAM and its edges, the
 * buffers, the save state) in an 8-byte slot of the input's layout; with a
 * second corpus entry, splicing comes first. The PRNG is xoshiro256**
 * seeded by splitmix64: the same seed gives the same mutations.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hex.h"
#include "fuzz-internal.h"

#define HAVOC_MAX_STACK 16
#define BLOCK_MAX 64   /* bytes inserted, deleted or duplicated at once */
#define ARITH_MAX 35

/* ---- PRNG ---- */

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void fuzz_rng_seed(struct mm_fuzz *f, uint64_t seed)
{
	for (unsigned i = 0; i < 4; i++)
		f->rng[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t next(struct mm_fuzz *f)
{
	uint64_t *s = f->rng;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

uint64_t fuzz_rng_below(struct mm_fuzz *f, uint64_t n)
{
	return n ? next(f) % n : 0;
}

/* ---- dictionary ---- */

static enum mm_err add_token(struct mm_fuzz *f, const void *data, size_t len)
{
	struct fuzz_token *t;

	if (!len || len > FUZZ_TOKEN_MAX || f->ndict >= FUZZ_DICT_MAX)
		return MM_OK;
	for (size_t i = 0; i < f->ndict; i++)
		if (f->dict[i].len == len && !memcmp(f->dict[i].data, data, len))
			return MM_OK;
	t = realloc(f->dict, (f->ndict + 1) * sizeof(*t));
	if (!t)
		return MM_ERR_NOMEM;
	f->dict = t;
	t[f->ndict].len = (uint8_t)len;
	memcpy(t[f->ndict++].data, data, len);
	return MM_OK;
}

/* v as a 4-byte and, when it needs more, an 8-byte little-endian token. */
static enum mm_err add_value(struct mm_fuzz *f, uint64_t v)
{
	uint8_t b[8];
	enum mm_err rc;

	for (unsigned i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	rc = add_token(f, b, 8);
	if (!rc && v <= UINT32_MAX)
		rc = add_token(f, b, 4);
	return rc;
}

enum mm_err fuzz_dict_builtin(struct mm_fuzz *f)
{
	static const uint64_t lengths[] = { 1, 8, 16, 24, 32, 64, 128, 256, 4096, 0x7FFFFFFF,
					    0xFFFFFFFF };
	enum mm_err rc = MM_OK;

	if (f->c.target.kind == MM_FUZZ_COMMUNICATE)
		rc = add_token(f, f->c.target.guid, 16);
	for (size_t i = 0; !rc && i < sizeof(lengths) / sizeof(lengths[0]); i++)
		rc = add_value(f, lengths[i]);
	if (!rc && f->max_len)
		rc = add_value(f, f->max_len);
	for (unsigned i = 0; !rc && i < f->nptrs; i++)
		rc = add_value(f, f->ptrs[i]);
	return rc;
}

/* Decodes the quoted value of an AFL dictionary line; returns its length or -1. */
static int parse_dict_value(const char *p, uint8_t *out)
{
	int n = 0;

	p = strchr(p, '"');
	if (!p)
		return -1;
	for (p++; *p && *p != '"'; p++) {
		int c = (unsigned char)*p;

		if (c == '\\') {
			p++;
			if (*p == 'x' && mm_hex_digit(p[1]) >= 0 && mm_hex_digit(p[2]) >= 0) {
				c = mm_hex_digit(p[1]) * 16 + mm_hex_digit(p[2]);
				p += 2;
			} else if (*p == '\\' || *p == '"') {
				c = (unsigned char)*p;
			} else {
				return -1;
			}
		}
		if (n == FUZZ_TOKEN_MAX)
			return -1;
		out[n++] = (uint8_t)c;
	}
	return *p == '"' ? n : -1;
}

enum mm_err fuzz_dict_load(struct mm_fuzz *f, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	unsigned lineno = 0;
	enum mm_err rc = MM_OK;

	if (!fp) {
		snprintf(err, errlen, "%s: cannot read the dictionary", path);
		return MM_ERR_IO;
	}
	while (!rc && fgets(line, sizeof(line), fp)) {
		const char *p = line;
		uint8_t tok[FUZZ_TOKEN_MAX];
		int n;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '#' || *p == '\n' || *p == '\r' || !*p)
			continue;
		n = parse_dict_value(p, tok);
		if (n <= 0) {
			snprintf(err, errlen, "%s:%u: expected name=\"value\" (at most %d bytes)",
				 path, lineno, FUZZ_TOKEN_MAX);
			rc = MM_ERR_FORMAT;
		} else {
			rc = add_token(f, tok, (size_t)n);
		}
	}
	fclose(fp);
	return rc;
}

/* ---- havoc ---- */

static const int64_t interesting[] = {
	0, 1, -1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF,
	(int64_t)0x80000000ll, (int64_t)0xFFFFFFFFll, 0x7FFFFFFFFFFFFFFFll, INT64_MIN,
	16, 24, 32, 64, 100, 128, 256, 512, 1024, 4096,
};

static void put_le(uint8_t *p, uint64_t v, unsigned width)
{
	for (unsigned i = 0; i < width; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned width)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < width; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* A width of 1, 2, 4 or 8 bytes that fits len (0: none fits). */
static unsigned pick_width(struct mm_fuzz *f, size_t len)
{
	unsigned w = 1u << fuzz_rng_below(f, 4);

	while (w > len && w > 1)
		w /= 2;
	return w <= len ? w : 0;
}

static void op_arith(struct mm_fuzz *f, uint8_t *d, size_t len)
{
	unsigned w = pick_width(f, len);
	size_t at;
	uint64_t delta;

	if (!w)
		return;
	at = fuzz_rng_below(f, len - w + 1);
	delta = 1 + fuzz_rng_below(f, ARITH_MAX);
	if (fuzz_rng_below(f, 2))
		delta = (uint64_t)0 - delta;
	put_le(d + at, get_le(d + at, w) + delta, w);
}

static void op_interesting(struct mm_fuzz *f, uint8_t *d, size_t len)
{
	unsigned w = pick_width(f, len);
	size_t n = sizeof(interesting) / sizeof(interesting[0]);

	if (w)
		put_le(d + fuzz_rng_below(f, len - w + 1),
		       (uint64_t)interesting[fuzz_rng_below(f, n)], w);
}

/* Inserts n bytes at at (random ones, or a copy of a block of the input). */
static void op_insert(struct mm_fuzz *f, uint8_t *d, size_t *len, bool duplicate)
{
	size_t room = f->max_len - *len, n, at, from;

	if (!room || (duplicate && !*len))
		return;
	n = 1 + fuzz_rng_below(f, room < BLOCK_MAX ? room : BLOCK_MAX);
	if (duplicate && n > *len)
		n = *len;
	at = fuzz_rng_below(f, *len + 1);
	memmove(d + at + n, d + at, *len - at);
	if (duplicate) {
		from = fuzz_rng_below(f, *len - n + 1);
		/* the source may have moved: it lies in the bytes shifted by n when >= at */
		memmove(d + at, d + (from >= at ? from + n : from), n);
	} else if (fuzz_rng_below(f, 2)) {
		memset(d + at, (int)fuzz_rng_below(f, 256), n);
	} else {
		for (size_t i = 0; i < n; i++)
			d[at + i] = (uint8_t)next(f);
	}
	*len += n;
}

static void op_delete(struct mm_fuzz *f, uint8_t *d, size_t *len)
{
	size_t n, at;

	if (*len < 2)
		return;
	n = 1 + fuzz_rng_below(f, *len - 1 < BLOCK_MAX ? *len - 1 : BLOCK_MAX);
	at = fuzz_rng_below(f, *len - n + 1);
	memmove(d + at, d + at + n, *len - at - n);
	*len -= n;
}

static void op_token(struct mm_fuzz *f, uint8_t *d, size_t *len, bool insert)
{
	const struct fuzz_token *t;
	size_t at;

	if (!f->ndict)
		return;
	t = &f->dict[fuzz_rng_below(f, f->ndict)];
	if (insert && *len + t->len <= f->max_len) {
		at = fuzz_rng_below(f, *len + 1);
		memmove(d + at + t->len, d + at, *len - at);
		memcpy(d + at, t->data, t->len);
		*len += t->len;
	} else if (t->len <= *len) {
		at = fuzz_rng_below(f, *len - t->len + 1);
		memcpy(d + at, t->data, t->len);
	}
}

/*
 * Offset of the first 8-byte slot of the input's layout: the message for a
 * communicate, the saved registers for a SW SMI (the scratch bytes after
 * them are 8-byte aligned too).
 */
static size_t slot_origin(const struct mm_fuzz *f)
{
	if (f->c.target.kind == MM_FUZZ_COMMUNICATE)
		return 0;
	return f->c.target.sw_value >= 0 ? 1 : 2;
}

/* Writes an interesting pointer into an 8-byte slot, growing the input to hold it. */
static void op_plant(struct mm_fuzz *f, uint8_t *d, size_t *len)
{
	size_t origin = slot_origin(f), slots, at;

	if (!f->nptrs || origin + 8 > f->max_len)
		return;
	slots = (f->max_len - origin) / 8;
	/* mostly within the input, sometimes one slot past its end */
	at = *len > origin ? (*len - origin) / 8 + 1 : 1;
	at = origin + 8 * fuzz_rng_below(f, at < slots ? at : slots);
	if (at + 8 > *len) {
		memset(d + *len, 0, at + 8 - *len);
		*len = at + 8;
	}
	put_le(d + at, f->ptrs[fuzz_rng_below(f, f->nptrs)], 8);
}

/* Splice: the head of the input up to a random point, then other's tail. */
static void op_splice(struct mm_fuzz *f, uint8_t *d, size_t *len, const struct fuzz_entry *o)
{
	size_t cut, tail;

	if (!o->len)
		return;
	cut = fuzz_rng_below(f, (*len < o->len ? *len : o->len) + 1);
	tail = o->len - cut;
	if (cut + tail > f->max_len)
		tail = f->max_len - cut;
	memcpy(d + cut, o->data + cut, tail);
	*len = cut + tail;
}

/* One havoc operation on d[0..*len). */
static void havoc_once(struct mm_fuzz *f, uint8_t *d, size_t *len)
{
	switch (fuzz_rng_below(f, 12)) {
	case 0:
		if (*len)
			d[fuzz_rng_below(f, *len)] ^= (uint8_t)(1u << fuzz_rng_below(f, 8));
		break;
	case 1:
		if (*len)
			d[fuzz_rng_below(f, *len)] = (uint8_t)next(f);
		break;
	case 2:
		op_arith(f, d, *len);
		break;
	case 3:
	case 4:
		op_interesting(f, d, *len);
		break;
	case 5:
		op_insert(f, d, len, false);
		break;
	case 6:
		op_delete(f, d, len);
		break;
	case 7:
		op_insert(f, d, len, true);
		break;
	case 8:
		op_token(f, d, len, false);
		break;
	case 9:
		op_token(f, d, len, true);
		break;
	default:
		op_plant(f, d, len);
		break;
	}
}

void fuzz_mutate(struct mm_fuzz *f, size_t *len, const struct fuzz_entry *other)
{
	unsigned n = 1u << fuzz_rng_below(f, 5); /* 1, 2, 4, 8 or 16 operations */

	if (n > HAVOC_MAX_STACK)
		n = HAVOC_MAX_STACK;
	if (*len > f->max_len)
		*len = f->max_len;
	if (other)
		op_splice(f, f->work, len, other);
	for (unsigned i = 0; i < n; i++)
		havoc_once(f, f->work, len);
}
