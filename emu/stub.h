/* SPDX-License-Identifier: MIT */
/*
 * The SMI entry stub (emu/smi-stub.S) seen from C: its parameter block, its
 * info table, and the code that installs it in the SMBASE tiles.
 *
 * One SMBASE tile (offsets from SMBASE; tile_size 0x2000 shown; tiles of
 * neighbouring CPUs interleave, as with EDK2's SMM base HOB):
 *
 *   SMBASE+0x8000 +-----------------------------+ tile start (code page)
 *                 | entry stub (smi-stub.S)     |  16-bit -> 64-bit, call host
 *   SMBASE+0x9000 +-----------------------------+ data page
 *                 | struct mm_stub_params       |  this CPU's parameter block
 *                 | (free)                      |
 *   SMBASE+0x9B00 | extra context of CPU i+3    |  (tile 0x2000 only)
 *   SMBASE+0x9C00 | save-state map of CPU i+3   |
 *   SMBASE+0xA000 +-----------------------------+ next tile
 *   ...
 *   SMBASE+0xFB00   extra context of this CPU
 *   SMBASE+0xFC00   save-state map of this CPU (Intel 0x7C00.., AMD 0xFE00..)
 *   SMBASE+0x10000
 *
 * Elsewhere in TSEG (one allocation each): the GDT, the PAE page tables (an
 * identity map of the first 4 GiB with 2 MiB pages), the per-CPU stacks
 * (canary at the bottom of each) and the host-call page.
 */
#ifndef EMU_STUB_H
#define EMU_STUB_H

#include <stddef.h>
#include <stdint.h>

#include <mmemu/error.h>
#include <unicorn/unicorn.h>

struct mm_machine;
struct mm_emu;

#define MM_STUB_ENTRY 0x8000     /* entry IP, and offset of the stub from SMBASE */
#define MM_STUB_PARAMS 0x9000    /* parameter block, from SMBASE */
#define MM_STUB_INFO 0x800       /* info table, from the stub start */
#define MM_STUB_MAX 0x1000       /* the stub must fit its code page */
#define MM_SAVE_STATE_MAP 0xFC00 /* save-state map, from SMBASE */
#define MM_TILE_MIN 0x2000

#define MM_SEL_CODE32 0x08 /* GDT selectors: mirror smi-stub.S */
#define MM_SEL_DATA 0x10
#define MM_SEL_CODE64 0x18

/* Parameter block: mirrors the P_* offsets of emu/smi-stub.S. */
struct __attribute__((packed)) mm_stub_params {
	uint64_t stack_top;   /* P_STACK_TOP: RSP before the host call */
	uint64_t stack_size;  /* P_STACK_SIZE: canary at stack_top - stack_size */
	uint64_t cr3;         /* P_CR3: PAE page tables */
	uint16_t gdt_limit;   /* P_GDT: operand of o32 lgdt */
	uint32_t gdt_base;
	uint16_t pad0;
	uint32_t pm32_off;    /* P_PM32: far pointer to the 32-bit part */
	uint16_t pm32_sel;
	uint16_t pad1;
	uint32_t lm64_off;    /* P_LM64: far pointer to the 64-bit part */
	uint16_t lm64_sel;
	uint16_t pad2;
	uint64_t host_entry;  /* P_HOST_ENTRY: the host-call trap */
	uint64_t cpu_index;   /* P_CPU_INDEX: passed in RCX */
	uint64_t canary;      /* P_CANARY: expected at the stack bottom */
	uint64_t self;        /* P_SELF: linear address of this block */
	uint32_t setup_off;   /* P_SETUP: far pointer to setup16 */
	uint16_t setup_sel;
	uint16_t reloc_field; /* P_RELOC_FIELD: SMBASE field of the map */
	uint32_t reloc_smbase; /* P_RELOC_SMBASE */
	uint32_t pad3;
};

/* Info table at MM_STUB_INFO: mirrors the table at the end of smi-stub.S. */
struct mm_stub_info {
	char magic[8]; /* "MMSTUB01" */
	uint32_t code_size;
	uint32_t pm32, lm64, after_call, setup64, setup16, reloc16; /* offsets */
	uint32_t params;
	uint32_t p_stack_top, p_stack_size, p_cr3, p_gdt, p_pm32, p_lm64, p_host_entry;
	uint32_t p_cpu_index, p_canary, p_self, p_setup, p_reloc_field, p_reloc_smbase, p_size;
};

/* The assembled stub (generated from smi-stub.S at build time). */
extern const uint8_t mm_smi_stub[];
extern const size_t mm_smi_stub_size;

/* Checks that the assembled stub and struct mm_stub_params agree. */
enum mm_err mm_stub_check(struct mm_machine *m, const struct mm_stub_info **info);
/* Builds the GDT, page tables, stacks and host-call page in SMRAM. */
enum mm_err mm_stub_build(struct mm_emu *e);
/* Copies the stub to the tile of cpu and fills its parameter block. */
enum mm_err mm_stub_install(struct mm_emu *e, unsigned cpu);
/*
 * Fills the parameter block params (host pointer) for cpu's stub at smbase.
 */
void mm_stub_fill_params(struct mm_emu *e, unsigned cpu, uint64_t smbase,
			 struct mm_stub_params *params);
/*
 * Runs the setup routine of the stub installed at smbase (parameter block
 * filled) and saves the SMM entry state it leaves in ctx. cpu names the
 * CPU in messages.
 */
enum mm_err mm_stub_entry_context(struct mm_emu *e, unsigned cpu, uint64_t smbase,
				  uc_context *ctx);

#endif /* EMU_STUB_H */
