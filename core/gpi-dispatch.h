/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_GPI_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.6) and the GPI child
 * dispatcher: the chipset's root MMI handler calls mm_gpi_dispatch_run()
 * for each general-purpose input whose SMI status it found latched.
 */
#ifndef CORE_GPI_DISPATCH_H
#define CORE_GPI_DISPATCH_H

#include <pi/mm-gpi-dispatch.h>

#include "child-dispatch.h"

struct mm_machine;

struct mm_gpi_dispatch {
	struct mm_child_list list;
	EFI_MM_GPI_DISPATCH_PROTOCOL *protocol; /* in SMRAM */
};

/* Installs the protocol (NumSupportedGpis 0 until a chipset sets it). MM_OK or MM_ERR_NOMEM. */
enum mm_err mm_gpi_dispatch_init(struct mm_machine *m);
void mm_gpi_dispatch_fini(struct mm_machine *m);
/* Sets NumSupportedGpis: the chipset's count of GPIs that can raise an SMI. */
void mm_gpi_dispatch_set_count(struct mm_machine *m, UINTN count);
/*
 * Calls the children registered for GPI gpi with CommBuffer an
 * EFI_MM_GPI_REGISTER_CONTEXT naming it. Returns as mm_child_dispatch.
 */
EFI_STATUS mm_gpi_dispatch_run(struct mm_machine *m, UINT64 gpi);

#endif /* CORE_GPI_DISPATCH_H */
