/* SPDX-License-Identifier: MIT */
/*
 * Internals of the fuzzer (include/mmemu/fuzz.h), shared by fuzz.c
 * (lifecycle, executions, the loop), fuzz-mutate.c (mutations, dictionary)
 * and fuzz-corpus.c (corpus directory, reproducers).
 */
#ifndef SCENARIOS_FUZZ_INTERNAL_H
#define SCENARIOS_FUZZ_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/fuzz.h>

#define FUZZ_HEADER_SIZE 24     /* EFI_MM_COMMUNICATE_HEADER: GUID, UINTN MessageLength */
#define FUZZ_SW_REGS 16         /* RAX..R15 in an SW SMI input */
#define FUZZ_TOKEN_MAX 64       /* bytes of one dictionary token */
#define FUZZ_DICT_MAX 1024      /* tokens */
#define FUZZ_PTRS_MAX 32        /* interesting pointers */
#define FUZZ_CLASSES 9          /* oracle classes (bits 0..7) and crash */

struct mm_machine;
struct mm_scenario;
struct mm_snapshot;

/* One corpus entry: an input kept because it reached new edges (or a seed). */
struct fuzz_entry {
	uint8_t *data;
	uint32_t len;
	uint64_t hash;
};

struct fuzz_token {
	uint8_t len;
	uint8_t data[FUZZ_TOKEN_MAX];
};

/* A unique finding: oracle class bit (or MM_FUZZ_FINDING_CRASH) and instruction. */
struct fuzz_key {
	uint32_t cls;
	uint64_t rip;
};

/* Map slots listed per execution before merging falls back to a whole-map scan. */
#define FUZZ_TOUCHED_MAX 4096

struct mm_fuzz {
	struct mm_fuzz_config c;     /* strings point to the copies below */
	char *scenario_path, *corpus_dir, *findings_dir, *dict_path;
	struct mm_scenario *s;
	struct mm_machine *m;
	struct mm_snapshot *snap;    /* NULL: every execution rebuilds the machine */
	uint32_t oracles;            /* the oracles on in the start state */
	uint32_t max_len;
	uint64_t buf_addr, buf_size; /* communicate buffer (header first), or SW SMI scratch */
	uint64_t save_state;         /* the target CPU's save state map, 0: unknown */
	uint64_t smram_base, smram_end; /* the first SMRAM range */
	uint64_t ptrs[FUZZ_PTRS_MAX];   /* interesting pointers planted by the mutator */
	unsigned nptrs;
	struct fuzz_token *dict;
	size_t ndict;
	uint8_t *map;                /* edge hit counts of the last execution */
	uint8_t *virgin;             /* per edge: the hit-count buckets seen so far */
	/* slots of map set in the last execution (FUZZ_TOUCHED_MAX + 1: overflowed, scan all) */
	uint16_t touched[FUZZ_TOUCHED_MAX];
	uint32_t ntouched;
	uint32_t edges;              /* edges seen so far */
	struct fuzz_entry *corpus;
	size_t ncorpus, corpus_cap;
	struct fuzz_key *found;
	size_t nfound, found_cap;
	uint32_t by_class[FUZZ_CLASSES];
	uint64_t execs;
	uint64_t rng[4];             /* xoshiro256** state */
	uint8_t *work;               /* the input being mutated, 2 * max_len bytes */
	double t_start, t_new_edge;  /* monotonic clock, for statistics only */
};

/* ---- fuzz.c ---- */

/*
 * Runs one input on the start state without recording findings; fills *r
 * and leaves the stop record in f->m. MM_OK or a harness error.
 */
enum mm_err fuzz_run(struct mm_fuzz *f, const uint8_t *data, size_t len,
		     struct mm_fuzz_result *r);
/*
 * Shrinks data[0..len) (cutting blocks, zeroing bytes) while it gives the
 * finding key, in at most max_runs executions; the result is malloc'd.
 */
enum mm_err fuzz_shrink(struct mm_fuzz *f, const uint8_t *data, size_t len,
			const struct fuzz_key *key, unsigned max_runs, uint8_t **out,
			size_t *outlen);
/* The class name of a finding bit ("smram-write", or the stop kind of a crash). */
const char *fuzz_class_name(uint32_t finding, const struct mm_stop *stop);

/* ---- fuzz-mutate.c ---- */

/* Seeds the PRNG. */
void fuzz_rng_seed(struct mm_fuzz *f, uint64_t seed);
/* A pseudo-random number below n (n > 0). */
uint64_t fuzz_rng_below(struct mm_fuzz *f, uint64_t n);
/* Adds the built-in tokens (GUID, lengths, SMRAM edges, buffers, save state). */
enum mm_err fuzz_dict_builtin(struct mm_fuzz *f);
/* Adds the tokens of an AFL-format dictionary file; MM_ERR_IO / MM_ERR_FORMAT. */
enum mm_err fuzz_dict_load(struct mm_fuzz *f, const char *path, char *err, size_t errlen);
/*
 * Mutates f->work[0..*len) in place (stacked havoc mutations, splicing
 * with corpus entry other when not NULL); *len stays <= f->max_len.
 */
void fuzz_mutate(struct mm_fuzz *f, size_t *len, const struct fuzz_entry *other);

/* ---- fuzz-corpus.c ---- */

/* 64-bit hash of an input (its corpus file name). */
uint64_t fuzz_hash(const uint8_t *data, size_t len);
/* Adds a copy of data to the corpus unless it is there; *added says which. */
enum mm_err fuzz_corpus_add(struct mm_fuzz *f, const uint8_t *data, size_t len, bool *added);
/* Records the finding of the last execution when new: stats, reproducer. */
enum mm_err fuzz_note_finding(struct mm_fuzz *f, const uint8_t *data, size_t len,
			      const struct mm_fuzz_result *r);

#endif /* SCENARIOS_FUZZ_INTERNAL_H */
