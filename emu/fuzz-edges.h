/* SPDX-License-Identifier: MIT */
/*
 * Edge coverage for the fuzzer (scenarios/fuzz.c), AFL style: every
 * translated block executed gets an id (its address hashed to 16 bits); the
 * edge from the previous block to this one counts in a 64 KiB map at
 * prev ^ cur, prev being the previous id shifted right by one (so that
 * A->B and B->A differ, and a block looping on itself does not hit slot 0).
 * The hook exists only while mm_fuzz_edges_enable is in force: a machine
 * that is not fuzzed pays nothing.
 */
#ifndef EMU_FUZZ_EDGES_H
#define EMU_FUZZ_EDGES_H

#include <stddef.h>
#include <stdint.h>

#include <mmemu/error.h>

struct mm_machine;

#define MM_FUZZ_EDGE_MAP_SIZE (1u << 16)

/*
 * Installs the block hook on m's CPU model; hit counts go to map
 * (MM_FUZZ_EDGE_MAP_SIZE bytes, owned by the caller, kept until disabled).
 * Returns MM_OK, MM_ERR_STATE (no emulated CPU: native drivers give no
 * edges), MM_ERR_NOMEM.
 */
enum mm_err mm_fuzz_edges_enable(struct mm_machine *m, uint8_t *map);
/*
 * Makes the hook also list the map slots it takes from 0 to 1, in
 * touched[0..cap): *count says how many (cap + 1 once the list overflowed:
 * then the caller scans the whole map). The caller resets *count with the
 * map; NULL touched stops the listing.
 */
void mm_fuzz_edges_track(struct mm_machine *m, uint16_t *touched, uint32_t cap, uint32_t *count);
/* Clears the previous block id: call before each execution. */
void mm_fuzz_edges_reset(struct mm_machine *m);
/* Removes the hook (nothing when it is not installed). */
void mm_fuzz_edges_disable(struct mm_machine *m);
/*
 * Stores the SMBASE of cpu in *smbase (its save state is at +0xFC00), for
 * the fuzzer's interesting pointers. Returns MM_OK, MM_ERR_STATE (no
 * emulated CPU) or MM_ERR_INVALID (no such CPU).
 */
enum mm_err mm_fuzz_cpu_smbase(const struct mm_machine *m, unsigned cpu, uint64_t *smbase);

#endif /* EMU_FUZZ_EDGES_H */
