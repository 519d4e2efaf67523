/* SPDX-License-Identifier: MIT */
/*
 * Emulated drivers on the Unicorn CPU model (issue 5): thunks through which
 * guest code reaches the Foundation's host services, and calls from the host
 * into guest code (struct mm_cpu_ops.call).
 *
 *   SMRAM thunk page(s)   MMST, MmIo, EFI_MM_CPU_PROTOCOL, every interface of
 *                         the MM protocol database; the last slot of the
 *                         first page is the return trap of host->guest calls
 *   RAM thunk page(s)     EFI system table, boot and runtime services, every
 *                         interface of the DXE protocol database
 *
 * One thunk = 16 bytes: `jmp qword [rip+0]` then the host function address,
 * so a native caller of a patched table member jumps straight through it. One
 * UC_HOOK_CODE per page stops the engine before an emulated caller executes
 * the jump; the run loop (emu/guest-call.c) then calls the host function
 * outside uc_emu_start, which may nest further emulated calls.
 */
#ifndef EMU_GUEST_H
#define EMU_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <unicorn/unicorn.h>

#include "core/call.h"
#include "emu/model.h"

#define MM_THUNK_SIZE 16
#define MM_THUNK_SLOTS (EFI_PAGE_SIZE / MM_THUNK_SIZE)
#define MM_THUNK_PAGES 4 /* per side: 1024 thunks each */

/* One side's thunks (SMRAM or normal RAM). */
struct mm_thunk_side {
	uint64_t page[MM_THUNK_PAGES]; /* guest addresses, 0: not yet allocated */
	uint64_t fn[MM_THUNK_PAGES * MM_THUNK_SLOTS]; /* host function of each slot */
	unsigned next; /* first slot never used */
	bool smram;
};

/* Per-machine state of emulated calls (the "emu-guest" extension). */
struct mm_emu_guest {
	struct mm_emu *e;
	struct mm_thunk_side smram, ram;
	uint64_t ret_trap;        /* the return address of every host->guest call */
	uint64_t text_lo, text_hi; /* the Foundation's executable segment (host) */
	uint64_t seen_installs;   /* both databases' install counts at the last refresh */
	bool seen_dxe;            /* the DXE world existed at the last refresh */
	/* the run in progress */
	uint64_t hit;             /* thunk the engine stopped at, 0: none */
	bool returned;            /* the engine reached ret_trap */
	bool callout;             /* the block hook recorded a callout */
	unsigned depth;           /* host->guest calls in progress */
	uint64_t host_calls;      /* guest->host calls so far (tests, bench) */
	uc_context *ctx[MM_CALL_MAX_DEPTH]; /* state at each level's host call */
	bool smi_level[MM_CALL_MAX_DEPTH];  /* each level started inside an SMI of the model */
	uint64_t resume_rsp[MM_CALL_MAX_DEPTH]; /* RSP at each level's host call */
};

/*
 * The guest-call state of m's model, set up on first use (thunk pages,
 * hooks, tables patched). NULL (error in m) when there is no model or no
 * memory.
 */
struct mm_emu_guest *mm_emu_guest(struct mm_machine *m);

/*
 * Points every Foundation service in the tables m exports (MMST, MM CPU
 * protocol, both protocol databases, the DXE system table and service
 * tables) at a thunk. Idempotent; call again after new tables appear.
 * MM_OK or MM_ERR_NOMEM (thunk pages full or no memory).
 */
enum mm_err mm_emu_thunk_refresh(struct mm_machine *m);

/*
 * The thunk of host function fn on the SMRAM (smram) or RAM side, created
 * when new. 0 when the side is full (error in m).
 */
uint64_t mm_emu_thunk_get(struct mm_emu_guest *g, uint64_t fn, bool smram);

/* The host function behind thunk address addr, or 0 when addr is no thunk. */
uint64_t mm_emu_thunk_target(const struct mm_emu_guest *g, uint64_t addr);

/* Adds the thunk pages' code hooks and the callout block hook (once). */
enum mm_err mm_emu_thunk_init(struct mm_emu_guest *g);

/* struct mm_cpu_ops.call of the Unicorn model (emu/guest-call.c). */
enum mm_err mm_emu_guest_call(struct mm_machine *m, unsigned cpu, uint64_t fn, unsigned nargs,
			      const uint64_t *args, uint64_t *ret);

/*
 * mmemu bench emulated (emu/bench-guest.c): communicate rate to the 256-byte
 * copy handler of the PE image at driver, and the bare-Unicorn baseline
 * calling the same handler. Prints "name: value unit" lines; 0 or -1.
 */
int mm_bench_emulated(FILE *out, const char *driver);
/* The callgrind worker: n host -> emulated -> host calls. 0 or -1. */
int mm_bench_emulated_nested_worker(unsigned long n);
/* The callgrind workers of the communicate and baseline figures (mmemu/bench.h). */
int mm_bench_emulated_worker(const char *what, const char *driver, unsigned long n);

#endif /* EMU_GUEST_H */
