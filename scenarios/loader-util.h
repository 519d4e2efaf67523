/* SPDX-License-Identifier: MIT */
/*
 * The loader's toolkit (loader-util.c): typed reads of YAML nodes that report
 * the first problem as "FILE:LINE:COLUMN: message", key checks with "did you
 * mean", numbers, hex, GUIDs and file paths.
 */
#ifndef SCENARIOS_LOADER_UTIL_H
#define SCENARIOS_LOADER_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct ld {
	struct mm_scenario *s;
	struct sc_arena *tree;          /* YAML trees, freed after loading */
	const char *file;               /* the file being read */
	char *err;
	size_t errlen;
	bool failed;
	unsigned repeat_depth;
	uint64_t repeat_product;
	const char *chain[SC_MAX_INCLUDES + 1]; /* platform include chain (real paths) */
	unsigned nchain;
	unsigned base_depth;            /* `base:` scenarios above this one */
};

/* Records the first problem, at n's mark; returns false. */
bool ld_fail(struct ld *l, const struct sc_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

bool ld_is_null(const struct sc_node *n);
bool ld_map(struct ld *l, const struct sc_node *n, const char *what);
bool ld_seq(struct ld *l, const struct sc_node *n, const char *what);
bool ld_scalar(struct ld *l, const struct sc_node *n, const char *what);
/*
 * Checks that every key of map n is one of known (NULL-terminated), that keys
 * are scalars and not repeated. Unknown keys get the nearest known key.
 */
bool ld_keys(struct ld *l, const struct sc_node *n, const char *const *known);
/* The value of key in map n, or NULL. */
const struct sc_node *ld_get(const struct sc_node *n, const char *key);
/* The key node holding key in map n, or NULL. */
const struct sc_node *ld_key(const struct sc_node *n, const char *key);
/* An unsigned number (decimal or 0x hex, '_' allowed) in [0, max]. */
bool ld_u64(struct ld *l, const struct sc_node *n, uint64_t max, const char *what,
	    uint64_t *out);
bool ld_bool(struct ld *l, const struct sc_node *n, bool *out);
/* A string scalar copied into the scenario's arena. */
bool ld_str(struct ld *l, const struct sc_node *n, const char *what, char **out);
/* Hex bytes (whitespace between digits allowed) of at most max bytes. */
bool ld_hex(struct ld *l, const struct sc_node *n, size_t max, struct sc_bytes *out);
/* A GUID in registry form or by a known name, into 16 bytes. */
bool ld_guid(struct ld *l, const struct sc_node *n, uint8_t out[16]);
/* A value by name from table t (names.h) or a number up to max. */
bool ld_named(struct ld *l, const struct sc_node *n, const void *t, uint64_t max,
	      const char *what, uint64_t *out);
/*
 * Resolves path (relative: against the directory of the current file) into
 * the scenario arena. Returns NULL on out of memory (reported).
 */
char *ld_resolve(struct ld *l, const struct sc_node *n, const char *path);
/* True when path names a readable regular file. */
bool ld_exists(const char *path);
/* Edit distance of a and b (bounded work: both are short keys). */
unsigned ld_distance(const char *a, const char *b);

#endif /* SCENARIOS_LOADER_UTIL_H */
