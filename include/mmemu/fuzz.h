/* SPDX-License-Identifier: MIT */
/*
 * Coverage-guided fuzzing of MMI handlers (docs/fuzzing.md).
 *
 * A fuzzer starts from a scenario: the scenario's machine is built, its
 * drivers dispatched and its steps run (expect-at-end is not checked), one
 * normal-world buffer for the inputs is allocated, then a snapshot
 * (include/mmemu/snapshot.h) is taken. Every execution restores that
 * snapshot (or, when the machine cannot be snapshotted, rebuilds it from the
 * scenario: slower, same results), delivers one input to the target and
 * collects the edges the CPU model executed and the stop record (fault,
 * hang, oracle finding). Everything but the timing statistics is
 * deterministic: the same configuration and seed give the same executions.
 *
 * Targets and how an input's bytes are used:
 *   MM_FUZZ_COMMUNICATE  the bytes are the message of an MM communicate to
 *                        the target's HeaderGuid: the header is built by the
 *                        fuzzer, MessageLength is the input length, the
 *                        buffer (24-byte header + max_len bytes) lies in
 *                        normal-world RAM at a fixed address; the
 *                        communicate is given the whole buffer's size.
 *   MM_FUZZ_SW_SMI       a SW SMI: byte 0 is the APMC value (unless the
 *                        target fixes it: then there is no such byte), the
 *                        next byte is the data port value, the next 16 * 8
 *                        bytes the interrupted context's RAX..R15 (little
 *                        endian, in that order: RAX RCX RDX RBX RSP RBP RSI
 *                        RDI R8..R15, SDM encoding order) written to the
 *                        save state of the CPU raising the SMI, and the rest
 *                        is copied into a normal-world scratch buffer whose
 *                        address the mutator plants in registers.
 * Missing bytes read as zero; bytes beyond max_len are ignored.
 *
 * The same machinery serves `mmemu fuzz`, the libFuzzer entry point and the
 * AFL++ persistent-mode harness (tools/ and tests/fuzz/).
 */
#ifndef MMEMU_FUZZ_H
#define MMEMU_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "stop.h"

enum mm_fuzz_kind {
	MM_FUZZ_COMMUNICATE,
	MM_FUZZ_SW_SMI,
};

struct mm_fuzz_target {
	enum mm_fuzz_kind kind;
	uint8_t guid[16];  /* communicate: the handlers' HeaderGuid (EFI_GUID layout) */
	uint32_t max_len;  /* largest input used, bytes (0: 4096) */
	int sw_value;      /* SW SMI: the APMC value, or -1 to fuzz it too */
	unsigned cpu;      /* SW SMI: the CPU raising it */
};

struct mm_fuzz_config {
	const char *scenario;       /* the scenario whose end state is the start state */
	struct mm_fuzz_target target;
	/*
	 * enum mm_oracle_class bits on, replacing the scenario platform's
	 * `oracles` (0: keep the scenario's; none there: coverage only)
	 */
	uint32_t oracles;
	uint64_t seed;              /* of the mutator: same seed, same executions */
	const char *corpus_dir;     /* inputs read at start, new ones written; NULL: memory only */
	const char *findings_dir;   /* reproducer scenarios written there (created); NULL: none */
	const char *dict;           /* AFL-style dictionary file added to the built-in one, or NULL */
	uint64_t instruction_budget; /* per SMI, in translated blocks (0: the scenario platform's) */
};

/* Returned for a stop that is not an oracle finding (fault, hang without the oracle...). */
#define MM_FUZZ_FINDING_CRASH (1u << 31)

/* What one execution did. */
struct mm_fuzz_result {
	/*
	 * it reached an edge never seen before, or an edge with a hit count in
	 * a new AFL bucket (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+), or ended
	 * with a new (status, stop, finding) outcome
	 */
	bool new_coverage;
	uint32_t finding;           /* oracle class bit, MM_FUZZ_FINDING_CRASH, or 0 */
	enum mm_stop_kind stop;     /* MM_STOP_NONE when the SMI ended normally */
	uint64_t status;            /* EFI_STATUS of the communicate (0 for a SW SMI) */
	uint32_t edges;             /* distinct edges of this execution (outcome included) */
};

struct mm_fuzz_stats {
	uint64_t execs;
	uint32_t edges;             /* distinct edges over all executions */
	uint32_t corpus;            /* inputs kept */
	uint32_t findings;          /* unique findings (by class and instruction) */
	uint32_t findings_by_class[9]; /* index: bit number of the oracle class; [8]: crash */
	double seconds;             /* since mm_fuzz_create */
	double since_new_edge;      /* seconds since the last new edge */
	uint64_t snapshot_bytes;    /* host memory of the snapshot */
};

struct mm_fuzz;

/*
 * Loads c->scenario, builds its machine, runs its steps, takes the snapshot
 * and loads the corpus. On failure *out is NULL and err (errlen bytes) says
 * why. Returns MM_OK, MM_ERR_IO, MM_ERR_FORMAT (scenario, dictionary), MM_ERR_INVALID
 * (the target cannot be fuzzed: no handler for the GUID...), MM_ERR_NOMEM.
 */
enum mm_err mm_fuzz_create(const struct mm_fuzz_config *c, struct mm_fuzz **out, char *err,
			   size_t errlen);

/*
 * Frees f and its machine (NULL is fine). The fuzzer owns a machine: with
 * the default platform's fixed addresses only one fuzzer (or machine) can
 * exist in a process at a time; use processes for parallel workers.
 */
void mm_fuzz_free(struct mm_fuzz *f);

/*
 * Restores the snapshot and runs one input; fills *r. Inputs that reach new
 * edges are not added to the corpus here (see mm_fuzz_iterate), so that
 * external engines (libFuzzer, AFL++) keep control. A finding new by (class,
 * instruction) is counted in the statistics and, with findings_dir, written
 * there (input minimized first, at most 256 more executions, not counted):
 * <class>-<where>-<n>.yaml (see mm_fuzz_write_reproducer) and .bin (the raw
 * input); <class> is the oracle name or, for MM_FUZZ_FINDING_CRASH, the stop
 * kind ("unmapped", "fault"...); <where> is the driver+offset of the stop.
 * Returns MM_OK (whatever the guest did: see *r) or MM_ERR_NOMEM /
 * MM_ERR_STATE when the harness itself failed.
 */
enum mm_err mm_fuzz_exec(struct mm_fuzz *f, const uint8_t *data, size_t len,
			 struct mm_fuzz_result *r);

/*
 * The edge map of the last mm_fuzz_exec (hit counts saturating at 255,
 * AFL-style buckets not applied) and its size (65536), for external
 * engines. Index: hash16(block) ^ (hash16(previous block) >> 1); one extra
 * slot per (status, stop, finding) outcome. Drivers running natively give
 * no edges (only outcomes) unless built with their own instrumentation.
 */
const uint8_t *mm_fuzz_edge_map(const struct mm_fuzz *f, size_t *len);

/*
 * Adds an input to the corpus (and to corpus_dir, unless it is there) and
 * executes it once, as mm_fuzz_exec, so that its coverage and findings count.
 * Returns MM_OK, MM_ERR_NOMEM, or mm_fuzz_exec's errors.
 */
enum mm_err mm_fuzz_add_seed(struct mm_fuzz *f, const uint8_t *data, size_t len);

/*
 * Runs n rounds of: pick a corpus entry, mutate it, execute it, keep it when
 * it reached new edges, write a reproducer for a new finding. An empty corpus
 * first gets a trivial seed (16 zero bytes; a SW SMI: value, data and
 * registers zero), executed as mm_fuzz_add_seed. Returns MM_OK, or an error
 * of the harness itself.
 */
enum mm_err mm_fuzz_iterate(struct mm_fuzz *f, uint64_t n);

/*
 * Reads corpus_dir again and adds the inputs other workers wrote (files named
 * by 16 lower-case hex digits, the hash of their bytes, not yet in memory),
 * executing each once in name order. Creates corpus_dir when missing.
 * Returns MM_OK (also without corpus_dir), MM_ERR_IO, MM_ERR_NOMEM.
 */
enum mm_err mm_fuzz_sync(struct mm_fuzz *f);

void mm_fuzz_stats(const struct mm_fuzz *f, struct mm_fuzz_stats *out);

/*
 * Executes data[0..len) and writes a scenario file at path that replays it
 * on the fuzzer's start state and expects the stop record it gave: `base:`
 * the fuzzed scenario (relative to path's directory), a `platform` override
 * when the configuration changed oracles or the budget, then the input as
 * steps (communicate at the fuzzer's buffer address; or set-registers,
 * write-memory of the scratch bytes, sw-smi) with `expect: stop: {kind,
 * contains: <the whole stop message>}` (or `stop: none`). `mmemu run` on it
 * gives the same stop record. Returns MM_OK, MM_ERR_IO, MM_ERR_NOMEM.
 */
enum mm_err mm_fuzz_write_reproducer(struct mm_fuzz *f, const uint8_t *data, size_t len,
				     const char *path);

/*
 * Shrinks the input of the finding data[0..len) while it still gives the same
 * finding (class and instruction): cuts blocks (halving sizes), then zeroes
 * bytes, in at most 4096 executions (not counted in the statistics); stores
 * the smallest in *out (malloc'd) and its length in *outlen. Returns MM_OK,
 * MM_ERR_NOT_FOUND (the input gives no finding), MM_ERR_NOMEM.
 */
enum mm_err mm_fuzz_minimize(struct mm_fuzz *f, const uint8_t *data, size_t len, uint8_t **out,
			     size_t *outlen);

#endif /* MMEMU_FUZZ_H */
