/* SPDX-License-Identifier: MIT */
/*
 * Snapshot internals shared by core/, emu/ and devices/: the parts that
 * other folders contribute to a snapshot, and the dirty-page tracking of
 * guest memory (see include/mmemu/snapshot.h and the "Snapshots" section of
 * docs/architecture.md).
 */
#ifndef CORE_SNAPSHOT_H
#define CORE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/snapshot.h>

struct mm_machine;

/*
 * A part of the machine's state that lives outside core/ (the CPU model, the
 * chipset): take copies it, restore puts the copy back, drop frees the copy
 * (and stops whatever tracking take started). data is what the part was
 * registered with.
 */
struct mm_snapshot_part {
	const char *name;
	void *(*take)(struct mm_machine *m, void *data);
	enum mm_err (*restore)(struct mm_machine *m, void *data, void *saved);
	void (*drop)(struct mm_machine *m, void *data, void *saved);
	size_t (*bytes)(const void *saved);
};

/*
 * Registers a part of m's state with the snapshots of m (once per part).
 * Returns MM_OK or MM_ERR_NOMEM.
 */
enum mm_err mm_snapshot_part_add(struct mm_machine *m, const struct mm_snapshot_part *ops,
				 void *data);
/* Registers the plain struct of size bytes at p: snapshots copy it whole. */
enum mm_err mm_snapshot_part_add_plain(struct mm_machine *m, const char *name, void *p,
				       size_t size);

/* Dirty-page tracking of the active snapshot (m->snap). */
struct mm_snap_track;

/*
 * Marks the guest pages of [addr, addr+len) as written since the snapshot,
 * so that the next restore copies them back. Must be called before the
 * bytes change (the first mark of an untracked page keeps its content).
 * Writers the tracking cannot see call it: the checked accessor mm_mem_ptr
 * does, the CPU model's write hook does. A no-op under write protection,
 * which sees every store.
 */
void mm_snap_mark(struct mm_snap_track *t, uint64_t addr, uint64_t len);

/*
 * Asks for a full compare of tracked memory at the next restore: native
 * driver code ran (it writes guest memory directly, unseen).
 */
void mm_snap_native_ran(struct mm_snap_track *t);

/*
 * True when t write-protects guest memory (MMEMU_SNAP_TRACK=protect, or
 * by default when a native driver is loaded): every store is seen, whoever
 * makes it, and the CPU model needs no write hook. False in marking mode.
 */
bool mm_snap_protected(const struct mm_snap_track *t);

/*
 * Makes the guest pages of [addr, addr+len) writable and lists them as
 * written. For host code that lets the KERNEL write guest memory (read(),
 * recv(), fread() straight into it): a protected page makes such a syscall
 * fail with EFAULT instead of faulting. Marking mode: mm_snap_mark.
 */
void mm_snap_unprotect(struct mm_snap_track *t, uint64_t addr, uint64_t len);

/*
 * Sets the function told of every guest page a restore rewrote (the CPU
 * model drops translations of it).
 */
void mm_snap_set_rewrite_hook(struct mm_snap_track *t,
			      void (*fn)(void *user, uint64_t addr, uint64_t len), void *user);

#endif /* CORE_SNAPSHOT_H */
