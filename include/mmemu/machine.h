/* SPDX-License-Identifier: MIT */
/*
 * A simulated platform: memory map, CPUs, chipset and the MM Foundation.
 *
 * Guest RAM and SMRAM are identity mapped: guest-physical address A is host
 * address A, so native drivers, emulated drivers and the Foundation share
 * pointers. Two machines can live in one process when their memory maps do
 * not overlap; creating a machine whose map overlaps a live one fails with
 * MM_ERR_MAP.
 */
#ifndef MMEMU_MACHINE_H
#define MMEMU_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "log.h"

struct mm_machine;

#define MM_MAX_REGIONS 32
#define MM_MAX_CPUS 256

enum mm_region_kind {
	MM_REGION_RAM,   /* normal-world RAM, described in the memory map */
	MM_REGION_SMRAM, /* SMRAM: TSEG or the legacy window */
};

struct mm_region_desc {
	const char *name;
	uint64_t base;
	uint64_t size;
	enum mm_region_kind kind;
	uint32_t efi_type; /* EFI_MEMORY_TYPE reported in the memory map (RAM only);
			   * RAM of another type than EfiConventionalMemory is
			   * never allocated from: only fixed addresses reach it */
};

enum mm_save_state_layout {
	MM_SAVE_STATE_INTEL64, /* Intel SDM vol. 3, 64-bit SMRAM state save map */
	MM_SAVE_STATE_AMD64,   /* AMD APM vol. 2; the layout QEMU and OVMF use */
};

/* How SMIs are taken. */
enum mm_cpu_engine {
	MM_CPU_HOST,    /* no CPU model: the Foundation runs directly on the host */
	MM_CPU_UNICORN, /* the Unicorn CPU model: entry stub, save-state map, RSM */
};

/*
 * How MM is initialised (PI 1.8 vol. 4, 1.4 and 1.5): by the MM IPL in DXE
 * (the default: the UEFI world of traditional drivers exists from the start)
 * or as standalone MM in SEC/PEI (the Foundation and standalone drivers run
 * before any DXE world; the DXE side hands its system table over later with
 * mm_dxe_handover(), include/mmemu/dxe.h).
 */
enum mm_init_model {
	MM_INIT_DXE = 0,
	MM_INIT_STANDALONE_PEI,
};

struct mm_platform {
	const char *name;
	unsigned cpus; /* 1 .. MM_MAX_CPUS */
	struct mm_region_desc regions[MM_MAX_REGIONS];
	unsigned nregions;
	enum mm_save_state_layout save_state;
	uint64_t smbase_default; /* SMBASE before relocation, 0x30000 on x86 */
	uint32_t tile_size;      /* SMBASE tile size: power of two, >= 0x2000 */
	uint64_t instruction_budget; /* per SMI on the emulated CPU; 0 = default */
	enum mm_cpu_engine cpu_engine;
	enum mm_init_model init_model; /* MM_INIT_DXE unless the platform says otherwise */
};

/*
 * Fills *p with the embedded default platform: 4 CPUs, 255 MiB of RAM from
 * 0x100000 (plus low RAM from 0x10000 to 0xA0000) and 8 MiB of TSEG at
 * 0x0F800000, Intel64 save state, SMIs taken by the Unicorn CPU model.
 */
void mm_platform_default(struct mm_platform *p);

/*
 * Creates a machine from platform p (NULL: the embedded default) and stores it
 * in *out. On failure *out is NULL and, when err is not NULL, a message naming
 * the offending field is written to err (errlen bytes at most).
 * Returns MM_OK, MM_ERR_INVALID (the platform makes no sense), MM_ERR_MAP (its
 * memory cannot be mapped here) or MM_ERR_NOMEM.
 */
enum mm_err mm_machine_create(const struct mm_platform *p, struct mm_machine **out, char *err,
			      size_t errlen);

/* Destroys m: unloads its drivers and unmaps its memory. m may be NULL. */
void mm_machine_destroy(struct mm_machine *m);

/* Returns the message of the last failure of m ("" when none). */
const char *mm_machine_error(const struct mm_machine *m);

/* Returns the platform m was created from. */
const struct mm_platform *mm_machine_platform(const struct mm_machine *m);

#endif /* MMEMU_MACHINE_H */
