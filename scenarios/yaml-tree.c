/* SPDX-License-Identifier: MIT */
/*
 * YAML text to a small tree of scalars, sequences and mappings with their
 * marks, through libyaml's event API. Aliases are refused (they would let a
 * tiny file expand into an enormous one), and depth and node count are
 * bounded, so the work is linear in the input.
 */
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "model.h"

struct builder {
	struct sc_arena *a;
	const char *file;
	char *err;
	size_t errlen;
	struct sc_node *stack[SC_MAX_YAML_DEPTH + 1];
	unsigned depth;
	unsigned long nodes;
	struct sc_node *root;
};

/* Writes "FILE:LINE:COLUMN: message" from a libyaml mark (0-based). */
static void mark_error(struct builder *b, yaml_mark_t mark, const char *what)
{
	snprintf(b->err, b->errlen, "%s:%zu:%zu: %s", b->file, mark.line + 1, mark.column + 1,
		 what);
}

/* The libyaml parser's own problem, with its context when it has one. */
static void syntax_error(struct builder *b, const yaml_parser_t *p)
{
	char what[256];

	if (p->error == YAML_MEMORY_ERROR) {
		snprintf(b->err, b->errlen, "%s: out of memory", b->file);
		return;
	}
	if (p->context)
		snprintf(what, sizeof(what), "YAML syntax error: %s %s",
			 p->problem ? p->problem : "invalid input", p->context);
	else
		snprintf(what, sizeof(what), "YAML syntax error: %s",
			 p->problem ? p->problem : "invalid input");
	mark_error(b, p->problem_mark, what);
}

/* Attaches a new node for event e to the open collection (or as the root). */
static struct sc_node *add_node(struct builder *b, const yaml_event_t *e, enum sc_node_kind kind)
{
	struct sc_node *n;

	if (++b->nodes > SC_MAX_NODES) {
		mark_error(b, e->start_mark, "too many YAML nodes in one file");
		return NULL;
	}
	n = sc_alloc(b->a, sizeof(*n));
	if (!n) {
		snprintf(b->err, b->errlen, "%s: out of memory", b->file);
		return NULL;
	}
	n->kind = kind;
	n->line = (unsigned)e->start_mark.line + 1;
	n->col = (unsigned)e->start_mark.column + 1;
	if (b->depth) {
		struct sc_node *parent = b->stack[b->depth - 1];

		if (parent->last)
			parent->last->next = n;
		else
			parent->first = n;
		parent->last = n;
		parent->n++;
	} else if (!b->root) {
		b->root = n;
	}
	return n;
}

/* Handles one event. Returns 1 to go on, 0 at the end, -1 on error. */
static int on_event(struct builder *b, const yaml_event_t *e)
{
	struct sc_node *n;

	switch (e->type) {
	case YAML_STREAM_END_EVENT:
		return 0;
	case YAML_DOCUMENT_START_EVENT:
		if (b->root) {
			mark_error(b, e->start_mark, "expected one YAML document, found a second");
			return -1;
		}
		return 1;
	case YAML_ALIAS_EVENT:
		mark_error(b, e->start_mark, "YAML aliases (*name) are not supported in scenarios");
		return -1;
	case YAML_SCALAR_EVENT:
		n = add_node(b, e, SC_SCALAR);
		if (!n)
			return -1;
		n->len = e->data.scalar.length;
		n->text = sc_strndup(b->a, (const char *)e->data.scalar.value, n->len);
		n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if (!n->text) {
			snprintf(b->err, b->errlen, "%s: out of memory", b->file);
			return -1;
		}
		return 1;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT:
		if (b->depth >= SC_MAX_YAML_DEPTH) {
			mark_error(b, e->start_mark, "YAML nested too deeply (more than 64 levels)");
			return -1;
		}
		n = add_node(b, e, e->type == YAML_SEQUENCE_START_EVENT ? SC_SEQ : SC_MAP);
		if (!n)
			return -1;
		b->stack[b->depth++] = n;
		return 1;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		if (b->depth)
			b->depth--;
		return 1;
	default:
		return 1;
	}
}

struct sc_node *sc_yaml_parse(struct sc_arena *a, const char *file, const char *text,
			      size_t len, char *err, size_t errlen)
{
	struct builder b = { .a = a, .file = file, .err = err, .errlen = errlen };
	yaml_parser_t p;
	int state = 1;

	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "%s: out of memory", file);
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	while (state > 0) {
		yaml_event_t e;

		if (!yaml_parser_parse(&p, &e)) {
			syntax_error(&b, &p);
			state = -1;
			break;
		}
		state = on_event(&b, &e);
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	if (state < 0)
		return NULL;
	if (!b.root) {
		/* An empty file: a null document. */
		b.root = sc_alloc(a, sizeof(*b.root));
		if (!b.root) {
			snprintf(err, errlen, "%s: out of memory", file);
			return NULL;
		}
		b.root->kind = SC_SCALAR;
		b.root->line = b.root->col = 1;
		b.root->plain = true;
		b.root->text = sc_strndup(a, "", 0);
	}
	return b.root;
}
