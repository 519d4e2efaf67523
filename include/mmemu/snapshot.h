/* SPDX-License-Identifier: MIT */
/*
 * Machine snapshots: capture a machine's whole state once, then put it back
 * many times, cheaply. The fuzzer (include/mmemu/fuzz.h) takes a snapshot
 * after a scenario's steps and restores it before every execution.
 *
 * What a snapshot holds: the CPU model's state (every CPU's registers and
 * the model's own bookkeeping), guest memory (SMRAM and the normal-world
 * RAM the machine maps), device registers, and the Foundation's host-side
 * state that an MMI can change (pool and page heaps, protocol and handle
 * databases, MMI handlers, child dispatcher registrations, the lock state,
 * the stop record, oracle state). A restore copies back only what changed
 * since the snapshot (dirtied guest pages, modified host tables), so its cost
 * grows with what the last execution touched, not with the machine's size.
 *
 * Contract: after mm_snapshot_restore(m, s), running the same input gives the
 * same result, the same coverage and the same guest memory as it did right
 * after mm_snapshot_take (determinism is tested).
 */
#ifndef MMEMU_SNAPSHOT_H
#define MMEMU_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;
struct mm_snapshot;

/*
 * Captures the state of m (between SMIs: not while MM code runs) into a new
 * snapshot stored in *out. From then on m tracks what it changes. A machine
 * has at most one snapshot at a time. Returns MM_OK, MM_ERR_STATE (inside an
 * SMI, or m already has a snapshot), MM_ERR_NOMEM.
 */
enum mm_err mm_snapshot_take(struct mm_machine *m, struct mm_snapshot **out);

/*
 * Puts m back into the state s captured. Returns MM_OK, MM_ERR_INVALID (s is
 * not m's snapshot), MM_ERR_STATE (inside an SMI).
 */
enum mm_err mm_snapshot_restore(struct mm_machine *m, struct mm_snapshot *s);

/* Frees s and stops change tracking on its machine (NULL is fine). */
void mm_snapshot_free(struct mm_snapshot *s);

/* What restores cost: for benchmarks and `mmemu fuzz` statistics. */
struct mm_snapshot_stats {
	uint64_t restores;       /* mm_snapshot_restore calls */
	uint64_t pages_restored; /* guest pages copied back, all restores */
	uint64_t host_restores;  /* restores that had to reset Foundation tables */
	size_t bytes;            /* host memory the snapshot holds */
};

/* Fills *out for s. */
void mm_snapshot_stats(const struct mm_snapshot *s, struct mm_snapshot_stats *out);

#endif /* MMEMU_SNAPSHOT_H */
