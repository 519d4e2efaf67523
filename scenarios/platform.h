/* SPDX-License-Identifier: MIT */
/*
 * Platform facts beyond struct mm_platform (platform.c): the `pcds`,
 * `dxe-protocols`, `flash`, `ecam`, `pmbase` and `init-model` keys of a
 * platform, loaded into struct sc_platform_ext and applied to the machine
 * right after it is created.
 */
#ifndef SCENARIOS_PLATFORM_H
#define SCENARIOS_PLATFORM_H

#include <stdbool.h>

#include <mmemu/error.h>

#include "loader-util.h"

struct sc_run;

/* Loads the extra keys of platform map n into l->s (and init-model into p). */
bool sc_platform_ext_load(struct ld *l, const struct sc_node *n, struct mm_platform *p);

/* Applies the facts to r->m: PMBASE, ECAM, flash, PCDs, DXE protocols. */
enum mm_err sc_platform_ext_apply(struct sc_run *r);

/* After the run: saves the variable flash when `flash: save:` asked for it. */
enum mm_err sc_platform_ext_finish(struct sc_run *r);

#endif /* SCENARIOS_PLATFORM_H */
