/* SPDX-License-Identifier: MIT */
/*
 * Guest memory: the machine's RAM and SMRAM regions, identity mapped into the
 * host (guest-physical address A is host address A), and checked access.
 *
 *   host address space (default platform)
 *   0x00010000 +------------------+ low RAM (default SMBASE 0x30000 lives here)
 *   0x000A0000 +------------------+ (hole: legacy VGA / SMRAM window)
 *   0x00100000 +------------------+ RAM, EfiConventionalMemory
 *   0x0F800000 +------------------+ TSEG (SMRAM), 8 MiB
 *   0x10000000 +------------------+
 */
#ifndef CORE_MEMORY_H
#define CORE_MEMORY_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/machine.h>
#include <mmemu/memory.h>

struct mm_region {
	struct mm_region_desc desc;
	uint8_t *host; /* == (uint8_t *)desc.base once mapped */
	bool mapped;
};

struct mm_memory {
	struct mm_region regions[MM_MAX_REGIONS];
	unsigned count;
	unsigned smram[MM_MAX_REGIONS]; /* indexes of the SMRAM regions */
	unsigned smram_count;
	unsigned comm_hint; /* region of the last communicate buffer (communicate.c) */
};

/* Validates the regions of platform p (sizes, page alignment, overlap). */
enum mm_err mm_memory_check(struct mm_machine *m, const struct mm_platform *p);
/* Maps every region of the platform at its guest-physical address. */
enum mm_err mm_memory_map(struct mm_machine *m);
/* Unmaps whatever mm_memory_map mapped. */
void mm_memory_unmap(struct mm_machine *m);

#endif /* CORE_MEMORY_H */
