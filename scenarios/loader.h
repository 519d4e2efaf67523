/* SPDX-License-Identifier: MIT */
/* Loading steps and expectations (steps.c, expect.c) for loader.c. */
#ifndef SCENARIOS_LOADER_H
#define SCENARIOS_LOADER_H

#include "loader-util.h"

/* Loads the list n of steps into *out / *count. */
bool sc_load_steps(struct ld *l, const struct sc_node *n, struct sc_step **out, size_t *count);
/*
 * Loads the `expect` mapping n of a step doing action (SC_ACTION_COUNT: the
 * expect-at-end block) into *e.
 */
bool sc_load_expect(struct ld *l, const struct sc_node *n, enum sc_action action,
		    struct sc_expect *e);
/*
 * Loads a `fields` list (u8/u16/u32/u64/guid/bytes) into bytes; with
 * allow_any, `any` values leave their bytes out of the mask.
 */
bool sc_load_fields(struct ld *l, const struct sc_node *n, bool allow_any, struct sc_bytes *out);

/* Loads a registers mapping ({cpu: N, rax: V, ...}) into *r. */
bool sc_load_regs(struct ld *l, const struct sc_node *n, struct sc_regs *r);

#endif /* SCENARIOS_LOADER_H */
