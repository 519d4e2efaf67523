/* SPDX-License-Identifier: MIT */
/* The MM System Table: built in SMRAM at machine creation. */
#ifndef CORE_MMST_H
#define CORE_MMST_H

#include <pi/mm-system-table.h>

struct mm_machine;

/* Allocates and fills the MMST (services, CPU count) in SMRAM. */
enum mm_err mm_mmst_init(struct mm_machine *m);

#endif /* CORE_MMST_H */
