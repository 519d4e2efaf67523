/* SPDX-License-Identifier: MIT */
/* Name tables of the scenario format (names.c). */
#ifndef SCENARIOS_NAMES_H
#define SCENARIOS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct sc_name {
	const char *name;
	uint64_t value;
};

/* Each table ends with a NULL name. */
const struct sc_name *sc_status_names(void);
const struct sc_name *sc_memory_type_names(void);
const struct sc_name *sc_err_names(void);
const struct sc_name *sc_smram_names(void);
const struct sc_name *sc_smram_verbs(void);

/* Looks name up in t; true and *value when found. */
bool sc_name_find(const struct sc_name *t, const char *name, uint64_t *value);
/* The name of value in t, or NULL. */
const char *sc_name_of(const struct sc_name *t, uint64_t value);

#endif /* SCENARIOS_NAMES_H */
