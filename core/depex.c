/* SPDX-License-Identifier: MIT */
/*
 * Dependency expressions (PI 1.8 vol. 2, chapter 10): a postfix byte code
 * over a stack of booleans.
 *
 *   opcode  operand          stack effect
 *   BEFORE  GUID (16 bytes)  whole expression only: BEFORE <guid> END
 *   AFTER   GUID (16 bytes)  whole expression only: AFTER <guid> END
 *   PUSH    GUID (16 bytes)  +1 (is the protocol installed?)
 *   AND, OR                  -2 +1
 *   NOT                      -1 +1
 *   TRUE, FALSE              +1
 *   END                      last byte; exactly one value left
 *   SOR                      first byte only (Schedule On Request)
 *
 * The validator and the evaluator walk the bytes with the same bounds, so a
 * hostile section can never make either read past len or grow the stack
 * beyond MM_DEPEX_MAX_STACK. The compiler turns EDK2 INF [Depex] text into
 * that byte code with a small recursive-descent parser.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "depex.h"
#include "guid-names.h"
#include "machine.h"

#define GUID_LEN sizeof(EFI_GUID)

/* Writes "offset N: message" to err and returns MM_ERR_FORMAT. */
static enum mm_err __attribute__((format(printf, 4, 5)))
bad(char *err, size_t errlen, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return MM_ERR_FORMAT;
	n = snprintf(err, errlen, "offset %zu: ", off);
	if (n >= 0 && (size_t)n < errlen) {
		va_start(ap, fmt);
		vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return MM_ERR_FORMAT;
}

/* Stack depth change of the stack-machine opcodes, and how many they pop. */
static bool stack_op(uint8_t op, int *pops, int *pushes)
{
	switch (op) {
	case MM_DEP_PUSH: case MM_DEP_TRUE: case MM_DEP_FALSE:
		*pops = 0, *pushes = 1;
		return true;
	case MM_DEP_AND: case MM_DEP_OR:
		*pops = 2, *pushes = 1;
		return true;
	case MM_DEP_NOT:
		*pops = 1, *pushes = 1;
		return true;
	default:
		return false;
	}
}

/* The spec's name of opcode op, or NULL when op is not one. */
static const char *op_name(uint8_t op)
{
	static const char *const names[] = { "BEFORE", "AFTER", "PUSH", "AND", "OR",
					     "NOT", "TRUE", "FALSE", "END", "SOR" };

	return op < sizeof(names) / sizeof(names[0]) ? names[op] : NULL;
}

/* Validates BEFORE/AFTER <guid> END, which must be the whole expression. */
static enum mm_err validate_order(const uint8_t *b, size_t len, struct mm_depex_shape *shape,
				  char *err, size_t errlen)
{
	if (len < 1 + GUID_LEN)
		return bad(err, errlen, 1, "%s: GUID operand truncated (%zu of 16 bytes)",
			   op_name(b[0]), len - 1);
	if (len == 1 + GUID_LEN)
		return bad(err, errlen, len, "missing END");
	if (b[1 + GUID_LEN] != MM_DEP_END)
		return bad(err, errlen, 1 + GUID_LEN,
			   "%s must be alone: BEFORE/AFTER <guid> END, found opcode 0x%02x",
			   op_name(b[0]), b[1 + GUID_LEN]);
	if (len > 2 + GUID_LEN)
		return bad(err, errlen, 2 + GUID_LEN, "%zu byte(s) after END",
			   len - 2 - GUID_LEN);
	shape->before = b[0] == MM_DEP_BEFORE;
	shape->after = b[0] == MM_DEP_AFTER;
	memcpy(&shape->target, b + 1, GUID_LEN);
	return MM_OK;
}

enum mm_err mm_depex_validate(const uint8_t *bytes, size_t len, struct mm_depex_shape *shape,
			      char *err, size_t errlen)
{
	struct mm_depex_shape local = { 0 };
	size_t off = 0;
	int depth = 0;

	if (!shape)
		shape = &local;
	memset(shape, 0, sizeof(*shape));
	if (!bytes || !len)
		return bad(err, errlen, 0, "empty expression");
	if (bytes[0] == MM_DEP_BEFORE || bytes[0] == MM_DEP_AFTER)
		return validate_order(bytes, len, shape, err, errlen);
	if (bytes[0] == MM_DEP_SOR) {
		shape->sor = true;
		off = 1;
	}
	while (off < len) {
		uint8_t op = bytes[off];
		int pops, pushes;

		if (op == MM_DEP_END) {
			if (depth != 1)
				return bad(err, errlen, off,
					   "END with %d value(s) on the stack, not 1", depth);
			if (off + 1 != len)
				return bad(err, errlen, off + 1, "%zu byte(s) after END",
					   len - off - 1);
			return MM_OK;
		}
		if (op == MM_DEP_SOR)
			return bad(err, errlen, off, "SOR is only allowed as the first opcode");
		if (op == MM_DEP_BEFORE || op == MM_DEP_AFTER)
			return bad(err, errlen, off, "%s must be alone: BEFORE/AFTER <guid> END",
				   op_name(op));
		if (!stack_op(op, &pops, &pushes))
			return bad(err, errlen, off, "unknown opcode 0x%02x", op);
		if (depth < pops)
			return bad(err, errlen, off, "%s: stack underflow (%d value(s), needs %d)",
				   op_name(op), depth, pops);
		depth += pushes - pops;
		if (depth > MM_DEPEX_MAX_STACK)
			return bad(err, errlen, off, "stack overflow: more than %d values",
				   MM_DEPEX_MAX_STACK);
		if (op == MM_DEP_PUSH) {
			if (len - off - 1 < GUID_LEN)
				return bad(err, errlen, off + 1,
					   "PUSH: GUID operand truncated (%zu of 16 bytes)",
					   len - off - 1);
			off += GUID_LEN;
		}
		off++;
	}
	return bad(err, errlen, len, "missing END");
}

/* Evaluation state: the value stack and the first absent GUID. */
struct eval {
	bool stack[MM_DEPEX_MAX_STACK];
	int depth;
	bool has_unresolved;
	EFI_GUID unresolved;
};

/* Applies the stack opcode at b (validated, not END) to ev. */
static void eval_op(struct eval *ev, const uint8_t *b, mm_depex_present_fn present, void *user)
{
	bool *s = ev->stack;

	switch (b[0]) {
	case MM_DEP_PUSH: {
		EFI_GUID g;
		bool v;

		memcpy(&g, b + 1, GUID_LEN);
		v = present && present(user, &g);
		if (!v && !ev->has_unresolved) {
			ev->has_unresolved = true;
			ev->unresolved = g;
		}
		s[ev->depth++] = v;
		break;
	}
	case MM_DEP_TRUE: s[ev->depth++] = true; break;
	case MM_DEP_FALSE: s[ev->depth++] = false; break;
	case MM_DEP_NOT: s[ev->depth - 1] = !s[ev->depth - 1]; break;
	case MM_DEP_AND:
		ev->depth--;
		s[ev->depth - 1] = s[ev->depth - 1] && s[ev->depth];
		break;
	case MM_DEP_OR:
		ev->depth--;
		s[ev->depth - 1] = s[ev->depth - 1] || s[ev->depth];
		break;
	}
}

enum mm_err mm_depex_eval(const uint8_t *bytes, size_t len, mm_depex_present_fn present,
			  void *user, bool *result, EFI_GUID *unresolved, bool *has_unresolved)
{
	struct mm_depex_shape shape;
	struct eval ev = { .depth = 0 };
	size_t off = 0;

	*result = false;
	if (has_unresolved)
		*has_unresolved = false;
	if (mm_depex_validate(bytes, len, &shape, NULL, 0))
		return MM_ERR_FORMAT;
	if (shape.before || shape.after)
		return MM_OK;
	if (shape.sor)
		off = 1;
	while (bytes[off] != MM_DEP_END) {
		eval_op(&ev, bytes + off, present, user);
		off += bytes[off] == MM_DEP_PUSH ? 1 + GUID_LEN : 1;
	}
	*result = ev.stack[0];
	if (!*result && ev.has_unresolved) {
		if (unresolved)
			*unresolved = ev.unresolved;
		if (has_unresolved)
			*has_unresolved = true;
	}
	return MM_OK;
}

/* Appends printf text to out at *pos, never past outlen-1. */
static void __attribute__((format(printf, 4, 5)))
put(char *out, size_t outlen, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= outlen)
		return;
	va_start(ap, fmt);
	n = vsnprintf(out + *pos, outlen - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos = *pos + (size_t)n < outlen ? *pos + (size_t)n : outlen - 1;
}

/* Appends the GUID at b by name when known, else in registry form. */
static void put_guid(char *out, size_t outlen, size_t *pos, const uint8_t *b)
{
	char text[MM_GUID_STRING_LEN + 1];
	const char *name;
	EFI_GUID g;

	memcpy(&g, b, GUID_LEN);
	name = mm_guid_name(&g);
	if (!name) {
		mm_guid_format(&g, text);
		name = text;
	}
	put(out, outlen, pos, " %s", name);
}

void mm_depex_format(const uint8_t *bytes, size_t len, char *out, size_t outlen)
{
	size_t pos = 0;

	if (!out || !outlen)
		return;
	out[0] = 0;
	for (size_t off = 0; bytes && off < len; off++) {
		uint8_t op = bytes[off];
		const char *name = op_name(op);

		if (!name) {
			put(out, outlen, &pos, "%s0x%02x?", pos ? " " : "", op);
			continue;
		}
		put(out, outlen, &pos, "%s%s", pos ? " " : "", name);
		if (op == MM_DEP_PUSH || op == MM_DEP_BEFORE || op == MM_DEP_AFTER) {
			if (len - off - 1 < GUID_LEN) {
				put(out, outlen, &pos, " <truncated GUID>");
				return;
			}
			put_guid(out, outlen, &pos, bytes + off + 1);
			off += GUID_LEN;
		}
	}
}

/*
 * The compiler. Grammar (NOT binds tighter than AND, AND than OR):
 *
 *   depex   := [SOR] (BEFORE guid | AFTER guid | or) [END]
 *   or      := and { OR and }
 *   and     := not { AND not }
 *   not     := NOT not | primary
 *   primary := "(" or ")" | TRUE | FALSE | guid
 *   guid    := EDK2 name (gEfiFooProtocolGuid) | XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX
 */
#define COMPILE_MAX_NEST 64

enum tok_kind {
	TOK_EOF, TOK_LPAREN, TOK_RPAREN, TOK_AND, TOK_OR, TOK_NOT, TOK_TRUE, TOK_FALSE,
	TOK_BEFORE, TOK_AFTER, TOK_SOR, TOK_END, TOK_WORD,
};

struct compiler {
	const char *src;
	size_t pos;           /* next unread character */
	enum tok_kind tok;    /* current token */
	size_t tok_start, tok_len;
	uint8_t *out;
	size_t cap, len;
	unsigned nest;
	bool overflow;        /* out too small */
	enum mm_err err;
	char *msg;
	size_t msglen;
};

/* Records an error at the current token's column (1-based); returns false. */
static bool __attribute__((format(printf, 2, 3))) cfail(struct compiler *c, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (c->err)
		return false;
	c->err = MM_ERR_FORMAT;
	if (c->msg && c->msglen) {
		n = snprintf(c->msg, c->msglen, "column %zu: ", c->tok_start + 1);
		if (n >= 0 && (size_t)n < c->msglen) {
			va_start(ap, fmt);
			vsnprintf(c->msg + n, c->msglen - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return false;
}

/* Characters of names, keywords and registry-format GUIDs. */
static bool word_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
	       ch == '_' || ch == '-';
}

/* The keyword s[0..n) is, or TOK_WORD (keywords are upper case, as in EDK2 INFs). */
static enum tok_kind keyword(const char *s, size_t n)
{
	static const struct {
		const char *word;
		enum tok_kind kind;
	} words[] = {
		{ "AND", TOK_AND }, { "OR", TOK_OR },         { "NOT", TOK_NOT },
		{ "TRUE", TOK_TRUE }, { "FALSE", TOK_FALSE }, { "BEFORE", TOK_BEFORE },
		{ "AFTER", TOK_AFTER }, { "SOR", TOK_SOR },   { "END", TOK_END },
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == n && !memcmp(words[i].word, s, n))
			return words[i].kind;
	return TOK_WORD;
}

/* Reads the next token into c->tok; false (error recorded) on a stray character. */
static bool next(struct compiler *c)
{
	const char *s = c->src;

	while (s[c->pos] == ' ' || s[c->pos] == '\t' || s[c->pos] == '\n' || s[c->pos] == '\r')
		c->pos++;
	c->tok_start = c->pos;
	c->tok_len = 0;
	if (!s[c->pos]) {
		c->tok = TOK_EOF;
		return true;
	}
	if (s[c->pos] == '(' || s[c->pos] == ')') {
		c->tok = s[c->pos] == '(' ? TOK_LPAREN : TOK_RPAREN;
		c->tok_len = 1;
		c->pos++;
		return true;
	}
	while (word_char(s[c->pos]))
		c->pos++;
	c->tok_len = c->pos - c->tok_start;
	if (!c->tok_len)
		return cfail(c, "unexpected character '%c'", s[c->pos]);
	c->tok = keyword(s + c->tok_start, c->tok_len);
	return true;
}

/* Appends n bytes to the output; past its capacity only counts them. */
static void emit(struct compiler *c, const void *p, size_t n)
{
	if (c->len + n > c->cap) {
		c->overflow = true;
		c->len += n;
		return;
	}
	memcpy(c->out + c->len, p, n);
	c->len += n;
}

/* Appends one opcode. */
static void emit_op(struct compiler *c, uint8_t op)
{
	emit(c, &op, 1);
}

/* Resolves the current word token to a GUID. */
static bool word_guid(struct compiler *c, EFI_GUID *g)
{
	const char *w = c->src + c->tok_start;
	const EFI_GUID *named;

	if (c->tok != TOK_WORD)
		return cfail(c, "expected a GUID name or registry-format GUID");
	if (c->tok_len == MM_GUID_STRING_LEN && mm_guid_parse(w, c->tok_len, g))
		return true;
	named = mm_guid_by_name(w, c->tok_len);
	if (!named)
		return cfail(c, "unknown GUID name '%.*s'", (int)c->tok_len, w);
	*g = *named;
	return true;
}

/* Emits op followed by the GUID of the current token, and advances. */
static bool emit_guid_op(struct compiler *c, uint8_t op)
{
	EFI_GUID g;

	if (!word_guid(c, &g))
		return false;
	emit_op(c, op);
	emit(c, &g, sizeof(g));
	return next(c);
}

static bool parse_or(struct compiler *c);

/* primary: a parenthesised expression, TRUE, FALSE or a GUID (PUSH). */
static bool parse_primary(struct compiler *c)
{
	switch (c->tok) {
	case TOK_LPAREN:
		if (!next(c) || !parse_or(c))
			return false;
		if (c->tok != TOK_RPAREN)
			return cfail(c, "expected ')'");
		return next(c);
	case TOK_TRUE:
	case TOK_FALSE:
		emit_op(c, c->tok == TOK_TRUE ? MM_DEP_TRUE : MM_DEP_FALSE);
		return next(c);
	case TOK_WORD:
		return emit_guid_op(c, MM_DEP_PUSH);
	case TOK_EOF:
		return cfail(c, "unexpected end of expression");
	case TOK_BEFORE:
	case TOK_AFTER:
		return cfail(c, "BEFORE/AFTER must be the whole expression");
	case TOK_SOR:
		return cfail(c, "SOR is only allowed first");
	default:
		return cfail(c, "unexpected '%.*s'", (int)c->tok_len, c->src + c->tok_start);
	}
}

/* not: NOT binds tightest; nesting of NOT and "(" is bounded (host stack). */
static bool parse_not(struct compiler *c)
{
	bool ok;

	if (c->tok != TOK_NOT && c->tok != TOK_LPAREN)
		return parse_primary(c);
	if (++c->nest > COMPILE_MAX_NEST)
		return cfail(c, "nested deeper than %d", COMPILE_MAX_NEST);
	if (c->tok == TOK_NOT) {
		ok = next(c) && parse_not(c);
		if (ok)
			emit_op(c, MM_DEP_NOT);
	} else {
		ok = parse_primary(c);
	}
	c->nest--;
	return ok;
}

/* and: not-terms joined by AND, left to right. */
static bool parse_and(struct compiler *c)
{
	if (!parse_not(c))
		return false;
	while (c->tok == TOK_AND) {
		if (!next(c) || !parse_not(c))
			return false;
		emit_op(c, MM_DEP_AND);
	}
	return true;
}

/* or: and-terms joined by OR, left to right (lowest precedence). */
static bool parse_or(struct compiler *c)
{
	if (!parse_and(c))
		return false;
	while (c->tok == TOK_OR) {
		if (!next(c) || !parse_and(c))
			return false;
		emit_op(c, MM_DEP_OR);
	}
	return true;
}

/* Parses the whole expression: the optional SOR, the body, an optional END. */
static bool parse_depex(struct compiler *c)
{
	bool sor = false;

	if (!next(c))
		return false;
	if (c->tok == TOK_SOR) {
		sor = true;
		emit_op(c, MM_DEP_SOR);
		if (!next(c))
			return false;
	}
	if (c->tok == TOK_BEFORE || c->tok == TOK_AFTER) {
		uint8_t op = c->tok == TOK_BEFORE ? MM_DEP_BEFORE : MM_DEP_AFTER;

		if (sor)
			return cfail(c, "BEFORE/AFTER cannot follow SOR");
		if (!next(c) || !emit_guid_op(c, op))
			return false;
	} else if (!parse_or(c)) {
		return false;
	}
	if (c->tok == TOK_END && !next(c))
		return false;
	if (c->tok != TOK_EOF)
		return cfail(c, "unexpected '%.*s' after the expression", (int)c->tok_len,
			     c->src + c->tok_start);
	emit_op(c, MM_DEP_END);
	return true;
}

enum mm_err mm_depex_compile(const char *expr, uint8_t *out, size_t outcap, size_t *outlen,
			     char *err, size_t errlen)
{
	struct compiler c = { .src = expr, .out = out, .cap = out ? outcap : 0,
			      .msg = err, .msglen = errlen };
	char verr[128];

	*outlen = 0;
	if (err && errlen)
		err[0] = 0;
	if (!expr) {
		if (err && errlen)
			snprintf(err, errlen, "column 1: no expression");
		return MM_ERR_FORMAT;
	}
	if (!parse_depex(&c))
		return c.err;
	*outlen = c.len;
	if (c.overflow) {
		if (err && errlen)
			snprintf(err, errlen, "compiled expression needs %zu bytes, %zu available",
				 c.len, outcap);
		return MM_ERR_RANGE;
	}
	/* The grammar keeps the encoding well-formed but not its stack depth. */
	if (mm_depex_validate(out, c.len, NULL, verr, sizeof(verr))) {
		if (err && errlen)
			snprintf(err, errlen, "column 1: expression too complex: %s", verr);
		return MM_ERR_FORMAT;
	}
	return MM_OK;
}
