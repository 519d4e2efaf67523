/* SPDX-License-Identifier: MIT */
/*
 * The Unicorn CPU model: attaches one x86-64 engine to a machine, places the
 * SMBASE tiles in TSEG, installs the SMI entry stub and takes SMIs the way
 * hardware does (save-state map, entry stub, host entry vector, RSM).
 */
#ifndef EMU_EMU_H
#define EMU_EMU_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/error.h>

struct mm_machine;

/*
 * Attaches the CPU model to m (platform.cpu_engine == MM_CPU_UNICORN):
 * engine, tiles, stub, SMBASE relocation, save-state ops. The model is freed
 * with the machine. Returns MM_OK, MM_ERR_INVALID (tiles do not fit SMRAM,
 * bad tile size), MM_ERR_NOMEM, MM_ERR_MAP (Unicorn refused the memory map),
 * MM_ERR_STATE (already attached), MM_ERR_STOPPED (relocation failed).
 */
enum mm_err mm_emu_attach(struct mm_machine *m);

/*
 * Selects the fast path (true): after a CPU's first SMI, later SMIs restore
 * the context captured at the end of its stub's mode switch instead of
 * running the 16-to-64-bit path. Same observable result. Returns MM_OK or
 * MM_ERR_STATE (no model attached).
 */
enum mm_err mm_emu_set_fast_path(struct mm_machine *m, bool fast);

/*
 * Delivers an SMI to every CPU through the model directly, source being the
 * CPU that raised it (no chipset, no I/O information): for tests and the
 * bare baseline of the benchmark. Returns as struct mm_cpu_ops.smi.
 */
enum mm_err mm_emu_smi(struct mm_machine *m, unsigned source);

/* What a CPU looked like when its stub reached the host entry vector. */
struct mm_emu_arrival {
	uint64_t rip, rsp, rcx, cr0, cr3, cr4, efer;
	uint64_t smbase;
	uint64_t count; /* host calls of this CPU so far */
	bool fast;      /* arrived through the fast path */
	unsigned order; /* arrival rank in the last SMI: 0 = first = BSP */
};

/* Copies the last arrival record of cpu. MM_OK, MM_ERR_INVALID, MM_ERR_STATE. */
enum mm_err mm_emu_arrival(struct mm_machine *m, unsigned cpu, struct mm_emu_arrival *out);
/* SMBASE of cpu now. MM_OK, MM_ERR_INVALID, MM_ERR_STATE. */
enum mm_err mm_emu_smbase(struct mm_machine *m, unsigned cpu, uint64_t *smbase);

/*
 * The host code run at the rendezvous instead of MmEntryPoint (tests and the
 * bare baseline of the benchmark); NULL restores mm_mm_entry.
 */
typedef void (*mm_emu_entry_fn)(struct mm_machine *m, unsigned bsp, void *user);
enum mm_err mm_emu_set_entry(struct mm_machine *m, mm_emu_entry_fn fn, void *user);

/*
 * Test hook: points the host-entry address of cpu's parameter block at addr
 * (0 restores the host-call trap), e.g. at a hang or a fault, to prove that
 * the model contains them. Returns MM_OK, MM_ERR_INVALID, MM_ERR_STATE.
 */
enum mm_err mm_emu_test_host_entry(struct mm_machine *m, unsigned cpu, uint64_t addr);
/*
 * SMRR (Intel SDM vol. 3, "System Management Range Registers"): sets
 * IA32_SMRR_PHYSBASE (0x1F2) and IA32_SMRR_PHYSMASK (0x1F3) of every CPU, as
 * firmware does in its SMBASE relocation handler. While PHYSMASK bit 11
 * (valid) is set, normal-world accesses to addresses a with
 * (a & mask) == (base & mask) (bits 12 and up) are refused, whatever the
 * chipset says. mm_emu_attach programs them to cover TSEG when its size is
 * a power of two and its base is aligned to it. MM_OK, MM_ERR_STATE,
 * MM_ERR_INVALID (mask not contiguous).
 */
#define MM_MSR_SMRR_PHYSBASE 0x1F2
#define MM_MSR_SMRR_PHYSMASK 0x1F3
#define MM_SMRR_VALID 0x800ull
enum mm_err mm_emu_set_smrr(struct mm_machine *m, uint64_t physbase, uint64_t physmask);
enum mm_err mm_emu_get_smrr(struct mm_machine *m, uint64_t *physbase, uint64_t *physmask);
/* Address of the SW SMI snippet (normal RAM) and of its HLT, after the OUT 0xB2. */
enum mm_err mm_emu_snippet(struct mm_machine *m, uint64_t *code, uint64_t *after_out);

/* Address and size of cpu's SMM stack (for canary tests). */
enum mm_err mm_emu_stack(struct mm_machine *m, unsigned cpu, uint64_t *top, uint64_t *size);

#endif /* EMU_EMU_H */
