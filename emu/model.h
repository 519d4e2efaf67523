/* SPDX-License-Identifier: MIT */
/*
 * Internals of the Unicorn CPU model, shared by the files of emu/.
 *
 * One UC_MODE_64 engine serves all CPUs of a machine; each CPU owns saved
 * contexts (its SMM entry state, and its state at the host call for the fast
 * path and for resuming after the Foundation ran) and a register file with
 * its state outside SMM.
 */
#ifndef EMU_MODEL_H
#define EMU_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <unicorn/unicorn.h>

#include "core/machine.h"
#include "emu/emu.h"
#include "emu/stub.h"

#define MM_EMU_STACK_SIZE 0x4000            /* per-CPU SMRAM stack */
#define MM_EMU_DEFAULT_BUDGET 100000000ull  /* translated blocks per SMI */
#define MM_EMU_CANARY 0x5AFEC0DE57ACC0DEull /* base value, mixed with the CPU index */

/* Why the engine stopped. */
enum mm_emu_event {
	MM_EMU_EV_NONE,
	MM_EMU_EV_HOST_CALL, /* reached the host entry vector */
	MM_EMU_EV_RSM,       /* executed RSM */
	MM_EMU_EV_BUDGET,    /* instruction budget exhausted */
	MM_EMU_EV_EXCEPTION, /* CPU exception (vector in exc_vector) */
	MM_EMU_EV_UNMAPPED,  /* access to unmapped memory (fault_addr) */
	MM_EMU_EV_INVALID,   /* invalid instruction other than RSM */
	MM_EMU_EV_SMI,       /* normal-world code raised SMI# (OUT hook) */
};

#define MM_EMU_MAX_HIDDEN 8 /* guest regions the SMRAM guard may replace */

/* A range of guest memory hidden from normal-world code (see emu/normal.c). */
struct mm_emu_hidden {
	struct mm_emu *e;
	uint64_t base, size;     /* the whole region, remapped piecewise */
	uint64_t lo, hi;         /* the hidden part: MMIO reading all-ones */
	uint8_t *host;           /* the region's identity mapping */
};

/* One save-state layout: field offsets (from SMBASE) and the ops table. */
struct mm_emu_layout {
	const struct mm_save_state_ops *ops;
	uint32_t revision;
	uint16_t smbase_field;
	/*
	 * Writes the outside state of cpu into its map (map: host pointer of
	 * SMBASE+0xFC00), with the I/O information of the triggering OUT when
	 * with_io.
	 */
	void (*write)(struct mm_emu *e, unsigned cpu, uint8_t *map, bool with_io);
	/* RSM: reads the map back into cpu's outside state; returns the SMBASE field. */
	uint64_t (*restore)(struct mm_emu *e, unsigned cpu, const uint8_t *map);
};

struct mm_emu_cpu {
	uint64_t smbase;
	uint64_t reg[MM_REG_COUNT]; /* outside state */
	uc_context *entry_ctx;      /* SMM entry state: 16-bit, CS base SMBASE, IP 0x8000 */
	uc_context *trap_ctx;       /* state at the host call */
	bool trap_valid;            /* trap_ctx captured for the current parameters */
	uint64_t ctx_gen;           /* bumped whenever entry_ctx or trap_ctx is written (snapshots) */
	uint64_t stack_top;
	struct mm_stub_params *params; /* in the tile's data page */
	/* Recorded at the last host call (tests inspect it). */
	struct mm_emu_arrival arrival;
	bool waiting;               /* arrived, in the rendezvous, not yet RSM */
};

struct mm_emu {
	struct mm_machine *m;
	uc_engine *uc;
	uc_context *reset_ctx; /* the engine's 64-bit reset state */
	const struct mm_stub_info *info;
	const struct mm_emu_layout *layout;
	unsigned ncpus;
	struct mm_emu_cpu *cpu;

	/* SMRAM the model owns */
	uint64_t tiles_base, tiles_pages;
	uint64_t gdt, pt, pt_pages, stacks, stacks_pages, host_call;
	uint64_t hob; /* SMM_BASE_HOB_DATA, pages in SMRAM */
	/* default-SMBASE area during relocation, when it is not guest memory */
	uint8_t *reloc_host;
	uint64_t reloc_base, reloc_len;

	/* the run in progress */
	enum mm_emu_event event;
	unsigned running;    /* CPU the engine runs */
	uint64_t blocks;     /* translated blocks executed this SMI */
	uint64_t budget;
	uint64_t fault_addr;
	uc_mem_type fault_type; /* the access that faulted at fault_addr */
	int exc_vector;
	bool fast_path;
	/* The guest-call state once created (emu/guest-call.c), else NULL. */
	struct mm_emu_guest *guest;
	mm_emu_entry_fn entry; /* NULL: mm_mm_entry */
	void *entry_user;
	uint64_t smis;
	bool in_smi;         /* an SMI taken by the model is in progress (emu/smi.c) */
	uint64_t calls;      /* host->guest calls so far: a changed count means the engine ran them */
	bool normal;         /* the run in progress is normal-world code */
	bool flat64;         /* engine in a flat, identity-mapped 64-bit state */
	bool smm64;          /* ... namely the stub's 64-bit SMM state (after RSM) */
	/*
	 * mm_emu_run clears both; code that changes the engine's state some
	 * other way must clear them, or restore the state and the flags.
	 */

	/* rendezvous of the SMI in progress (emu/smi.c) */
	unsigned order[MM_MAX_CPUS]; /* CPUs in arrival order */
	unsigned arrived;

	/* normal world (emu/normal.c) */
	uint64_t snippet;    /* SW SMI snippet: code page, then its data page */
	uint64_t smrr_base, smrr_mask; /* IA32_SMRR_PHYSBASE / PHYSMASK, all CPUs */
	struct mm_emu_hidden hidden[MM_EMU_MAX_HIDDEN];
	unsigned nhidden;    /* > 0 while the guard is on */

	struct mm_gdb *gdb;  /* attached debugger (emu/gdb.c), NULL: none */

	/* REP string instructions done on the host (emu/rep-string.c) */
	unsigned mem_watchers; /* memory hooks installed: > 0 keeps them on Unicorn's path */
	uint64_t rep_fast;     /* instructions done on the host so far */
};

/*
 * Block hook helper: when the block at addr of size bytes is a REP STOS/MOVS
 * whose operands are plain guest memory, does its remaining elements on the
 * host and leaves RCX = 0 (emu/rep-string.c). True when it did.
 */
bool mm_emu_rep_string(struct mm_emu *e, uint64_t addr, uint32_t size);

/* Host pointer of [addr, addr+len) for the model (guest memory or relocation area). */
void *mm_emu_ptr(struct mm_emu *e, uint64_t addr, uint64_t len);
/*
 * RSM of cpu from the map at SMBASE smbase: restores its outside state and
 * applies a changed SMBASE field (relocate: only record it). MM_OK or
 * MM_ERR_STOPPED (the new SMBASE is unusable).
 */
enum mm_err mm_emu_rsm(struct mm_emu *e, unsigned cpu, uint64_t smbase, bool relocate);
/* The model attached to m, or NULL. */
struct mm_emu *mm_emu_get(const struct mm_machine *m);
/* Runs the engine from begin until it stops; returns the event. */
enum mm_emu_event mm_emu_run(struct mm_emu *e, unsigned cpu, uint64_t begin, uc_err *uerr);
/* Describes a failed run of cpu in the machine error; returns MM_ERR_STOPPED. */
enum mm_err mm_emu_stop(struct mm_emu *e, unsigned cpu, enum mm_emu_event ev, uc_err uerr,
			const char *step);
/* Places the tiles, relocates every CPU and publishes the SMM base HOB data. */
enum mm_err mm_emu_tiles_init(struct mm_emu *e);
/* Moves cpu to SMBASE smbase (checked), refreshing its entry state. */
enum mm_err mm_emu_set_smbase(struct mm_emu *e, unsigned cpu, uint64_t smbase);
/* The save-state layout of the platform. */
const struct mm_emu_layout *mm_emu_layout(enum mm_save_state_layout which);
/* Normal world (emu/normal.c): snippet page and SMRR at attach. */
enum mm_err mm_emu_normal_init(struct mm_emu *e);
/* UC_HOOK_INSN callbacks for IN and OUT (every mode). */
uint32_t mm_emu_on_in(uc_engine *uc, uint32_t port, int size, void *user);
void mm_emu_on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user);
/* struct mm_cpu_ops.sw_smi: OUT 0xB3/0xB2 executed by cpu's normal-world code. */
enum mm_err mm_emu_sw_smi(struct mm_machine *m, unsigned cpu, uint8_t value, uint8_t data);
/* Records a stop for the canary of cpu at addr; returns MM_ERR_STOPPED. */
enum mm_err mm_emu_stop_canary(struct mm_emu *e, unsigned cpu, uint64_t addr, uint64_t found,
			       uint64_t expected);
/* Records a host-side refusal to go on (MM_STOP_FAULT); returns MM_ERR_STOPPED. */
enum mm_err mm_emu_stop_msg(struct mm_emu *e, unsigned cpu, const char *step, const char *fmt,
			    ...) __attribute__((format(printf, 4, 5)));
/*
 * Adds the callout block hooks over RAM outside SMRAM (emu/thunk.c), before
 * any code is translated: blocks then carry them without a flush.
 */
enum mm_err mm_emu_callout_hooks(struct mm_emu *e);

/*
 * Drops every translated block of the guest's memory regions, so that code
 * translated before a hook was added or removed is translated again with
 * it. Unicorn 2.0.1's own full flush (UC_CTL_TB_FLUSH, uc_ctl_flush_tlb)
 * writes its whole 1 GiB code buffer, which costs ~0.3 s and leaves 1 GiB
 * resident: never call it.
 */
void mm_emu_drop_translations(struct mm_emu *e);
/* Registers the model's part of machine snapshots (emu/snapshot.c). */
enum mm_err mm_emu_snapshot_attach(struct mm_emu *e);
/* The CPU-model ops registered with mm_cpus_set_model. */
extern const struct mm_cpu_ops mm_emu_cpu_ops;

#endif /* EMU_MODEL_H */
