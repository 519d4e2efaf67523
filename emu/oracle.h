/* SPDX-License-Identifier: MIT */
/*
 * Internals of the bug oracles (include/mmemu/oracle.h), shared by
 * emu/oracle.c (state, MMI boundaries, findings) and emu/oracle-mem.c (the
 * Unicorn memory hooks that watch the CommBuffer, SMRAM writes, the stacks
 * and the pool).
 */
#ifndef EMU_ORACLE_H
#define EMU_ORACLE_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/oracle.h>

#include "core/oracle-hook.h"
#include "emu/model.h"

#define MM_ORACLE_MAX_TAINT 64        /* untrusted SMRAM pointers kept per MMI */
#define MM_ORACLE_TAINT_WINDOW 0x1000 /* bytes from an untrusted pointer a write may hit */
#define MM_ORACLE_MAX_TRACK 0x10000   /* message bytes the double-fetch oracle follows */
#define MM_ORACLE_WRITTEN UINT64_MAX  /* a tracked byte SMM wrote: later reads are fine */
#define MM_ORACLE_GUARD 0x1000        /* the guard below each SMM stack */
/* The planted secret (16 bytes in an SMRAM pool block). */
#define MM_ORACLE_SECRET "mmemu:SMRAM-key!"

/* Oracles that only work through Unicorn hooks (pool works at free without them). */
#define MM_ORACLE_NEEDS_CPU (MM_ORACLE_SMRAM_WRITE | MM_ORACLE_COMM_OOB | MM_ORACLE_DOUBLE_FETCH | \
			     MM_ORACLE_STACK)

struct mm_oracle {
	struct mm_oracle_hooks hooks; /* first: core finds it as the extension's data */
	struct mm_machine *m;
	struct mm_emu *e;             /* NULL without the CPU model */
	uint32_t mask;
	unsigned hooked;              /* Unicorn hook groups installed (emu/oracle-mem.c) */
	uint64_t secret;              /* SMRAM address of the planted secret, 0: none */
	unsigned depth;               /* MMIs in progress */
	/* the MMI in progress */
	uint64_t buffer, size, message, length; /* buffer 0: a SMI, no CommBuffer */
	uint64_t page_lo, page_hi;    /* the CommBuffer's pages */
	uint64_t taint[MM_ORACLE_MAX_TAINT];
	unsigned ntaint;
	uint64_t *first_read;         /* per tracked message byte: RIP of its first read */
	uint64_t track, track_cap;
	bool fired;                   /* a finding ended this MMI */
	uint64_t input_len;
	uint8_t input[MM_ORACLE_INPUT_MAX];
	/* disclosure: the caller's buffer already held the secret / the pool pattern */
	bool input_has_secret, input_has_poison;
	bool has_finding;
	struct mm_oracle_finding finding;
};

/* The oracle state of m, or NULL. */
struct mm_oracle *mm_oracle_get(const struct mm_machine *m);
/* Registers o's per-MMI state with the snapshots of m (emu/snapshot.c). */
enum mm_err mm_oracle_snapshot_attach(struct mm_machine *m, struct mm_oracle *o);
/*
 * Records a finding of class cls at guest instruction rip (0: host side)
 * touching addr: the stop record (kind MM_STOP_ORACLE) and the finding.
 * in_engine: called from a Unicorn hook, so the engine is stopped and the
 * call into the driver ends with MM_ERR_STOPPED. Only the first finding of
 * an MMI counts.
 */
void mm_oracle_fire(struct mm_oracle *o, uint32_t cls, uint64_t rip, uint64_t addr,
		    bool in_engine, const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* Adds the Unicorn hooks the classes in mask need (once per class). */
enum mm_err mm_oracle_mem_hooks(struct mm_oracle *o, uint32_t mask);
/* Adds v to the untrusted pointers of the MMI when it points into SMRAM. */
void mm_oracle_taint(struct mm_oracle *o, uint64_t v);

#endif /* EMU_ORACLE_H */
