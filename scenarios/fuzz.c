/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer (include/mmemu/fuzz.h): the start state, one execution, the
 * fuzzing loop, statistics and minimization. Mutations are in
 * fuzz-mutate.c, the corpus directory and reproducers in fuzz-corpus.c.
 *
 * The start state is the machine a scenario leaves after its steps
 * (sc_run_prepare) plus one normal-world buffer allocated for the inputs
 * (the communicate buffer, header first, or the SW SMI scratch buffer),
 * captured by a snapshot. When the machine cannot be snapshotted the
 * fuzzer rebuilds it from the scenario before every execution instead:
 * slower, same results.
 *
 * Coverage: the edges of emulated code (emu/fuzz-edges.h) plus one pseudo
 * edge per (EFI status, stop kind, finding) outcome, so that native drivers,
 * which give no edges, still keep inputs that end differently.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mmemu/mmemu.h>
#include <mmemu/oracle.h>

#include "core/machine.h"
#include "emu/fuzz-edges.h"
#include "fuzz-internal.h"
#include "model.h"
#include "runner.h"

#define DEFAULT_MAX_LEN 4096u
#define MAX_MAX_LEN (1u << 20)
#define EFI_RUNTIME_SERVICES_DATA 6
#define MINIMIZE_MAX_RUNS 4096

/* Seconds on the monotonic clock (statistics only: no decision depends on it). */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

const char *fuzz_class_name(uint32_t finding, const struct mm_stop *stop)
{
	if (finding && finding != MM_FUZZ_FINDING_CRASH && mm_oracle_name(finding))
		return mm_oracle_name(finding);
	return stop ? mm_stop_kind_name(stop->kind) : "crash";
}

/* Interesting pointers: SMRAM and its edges, the buffers, the save state. */
static void find_pointers(struct mm_fuzz *f)
{
	const struct mm_platform *p = mm_machine_platform(f->m);
	uint64_t smbase;
	unsigned cpu = f->c.target.kind == MM_FUZZ_SW_SMI ? f->c.target.cpu : 0;

	f->nptrs = 0;
	for (unsigned i = 0; i < p->nregions && f->nptrs + 6 <= FUZZ_PTRS_MAX; i++) {
		const struct mm_region_desc *r = &p->regions[i];

		if (r->kind != MM_REGION_SMRAM)
			continue;
		if (!f->smram_end) {
			f->smram_base = r->base;
			f->smram_end = r->base + r->size;
		}
		f->ptrs[f->nptrs++] = r->base;
		f->ptrs[f->nptrs++] = r->base + 0x100;
		f->ptrs[f->nptrs++] = r->base - 4;      /* an 8-byte access straddles the base */
		f->ptrs[f->nptrs++] = r->base + r->size - 8;
		f->ptrs[f->nptrs++] = r->base + r->size - 4;
		f->ptrs[f->nptrs++] = r->base + r->size / 2;
	}
	f->save_state = 0;
	if (!mm_fuzz_cpu_smbase(f->m, cpu, &smbase))
		f->save_state = smbase + 0xFC00;
	if (f->save_state && f->nptrs < FUZZ_PTRS_MAX)
		f->ptrs[f->nptrs++] = f->save_state;
	if (f->nptrs + 2 <= FUZZ_PTRS_MAX) {
		f->ptrs[f->nptrs++] = f->buf_addr;
		f->ptrs[f->nptrs++] = f->c.target.kind == MM_FUZZ_COMMUNICATE
					      ? f->buf_addr + FUZZ_HEADER_SIZE
					      : f->buf_addr + f->buf_size / 2;
	}
}

/* Checks that the target exists in the machine built (a handler, a CPU). */
static enum mm_err check_target(struct mm_fuzz *f, char *err, size_t errlen)
{
	const struct mm_fuzz_target *t = &f->c.target;

	if (t->kind == MM_FUZZ_COMMUNICATE) {
		if (mm_mmi_first_handler(f->m, (const EFI_GUID *)t->guid))
			return MM_OK;
		snprintf(err, errlen, "%s: no MMI handler is registered for the target GUID",
			 f->scenario_path);
		return MM_ERR_INVALID;
	}
	if (t->cpu >= mm_cpu_count(f->m)) {
		snprintf(err, errlen, "%s: the target CPU %u does not exist (%u CPUs)",
			 f->scenario_path, t->cpu, mm_cpu_count(f->m));
		return MM_ERR_INVALID;
	}
	return MM_OK;
}

/*
 * Builds the start state in f->m: the scenario's machine after its steps,
 * the input buffer, the edge hook. Deterministic: every build places the
 * buffer at the same address.
 */
static enum mm_err build_start(struct mm_fuzz *f, char *err, size_t errlen)
{
	enum mm_err rc;
	uint64_t size = f->c.target.kind == MM_FUZZ_COMMUNICATE
				? FUZZ_HEADER_SIZE + (uint64_t)f->max_len
				: f->max_len;

	rc = sc_run_prepare(f->s, &f->m, err, errlen);
	if (rc)
		return rc;
	rc = check_target(f, err, errlen);
	if (!rc && mm_ram_alloc(f->m, size, EFI_RUNTIME_SERVICES_DATA, &f->buf_addr)) {
		snprintf(err, errlen, "fuzz: cannot allocate %llu bytes of RAM for the inputs: %s",
			 (unsigned long long)size, mm_machine_error(f->m));
		rc = MM_ERR_NOMEM;
	}
	if (rc) {
		mm_machine_destroy(f->m);
		f->m = NULL;
		return rc;
	}
	f->buf_size = size;
	/* native drivers only: no emulated CPU, no edges (MM_ERR_STATE) */
	if (mm_fuzz_edges_enable(f->m, f->map) == MM_ERR_NOMEM) {
		snprintf(err, errlen, "fuzz: %s", mm_machine_error(f->m));
		return MM_ERR_NOMEM;
	}
	mm_fuzz_edges_track(f->m, f->touched, FUZZ_TOUCHED_MAX, &f->ntouched);
	return MM_OK;
}

/*
 * Puts f->m back into the start state: the snapshot, else a new build. A
 * restore refused (the last input changed tables a snapshot does not hold,
 * such as MMI handlers) rebuilds the machine and snapshots it again.
 */
static enum mm_err restore(struct mm_fuzz *f)
{
	char err[256];
	bool had_snapshot = f->snap != NULL;

	if (f->snap && !mm_snapshot_restore(f->m, f->snap))
		return MM_OK;
	mm_snapshot_free(f->snap);
	f->snap = NULL;
	mm_machine_destroy(f->m);
	f->m = NULL;
	if (build_start(f, err, sizeof(err)))
		return MM_ERR_STATE;
	if (had_snapshot && mm_snapshot_take(f->m, &f->snap))
		f->snap = NULL;
	return MM_OK;
}

/* Delivers a communicate input: header, message, MM communicate. */
static void deliver_communicate(struct mm_fuzz *f, const uint8_t *data, size_t len,
				struct mm_fuzz_result *r)
{
	uint64_t size = f->buf_size, msg_len = len;
	uint8_t hdr[FUZZ_HEADER_SIZE];

	memcpy(hdr, f->c.target.guid, 16);
	memcpy(hdr + 16, &msg_len, 8);
	mm_mem_write(f->m, f->buf_addr, hdr, sizeof(hdr));
	if (len)
		mm_mem_write(f->m, f->buf_addr + FUZZ_HEADER_SIZE, data, len);
	mm_communicate(f->m, f->buf_addr, &size, &r->status);
}

/* enum mm_reg of the SDM encoding order RAX RCX RDX RBX RSP RBP RSI RDI R8..R15. */
static const enum mm_reg sdm_order[FUZZ_SW_REGS] = {
	MM_REG_RAX, MM_REG_RCX, MM_REG_RDX, MM_REG_RBX, MM_REG_RSP, MM_REG_RBP,
	MM_REG_RSI, MM_REG_RDI, MM_REG_R8, MM_REG_R9, MM_REG_R10, MM_REG_R11,
	MM_REG_R12, MM_REG_R13, MM_REG_R14, MM_REG_R15,
};

/* Byte i of the input, zero beyond its end. */
static uint8_t byte_at(const uint8_t *data, size_t len, size_t i)
{
	return i < len ? data[i] : 0;
}

/* Delivers a SW SMI input: value, data, registers, scratch memory, the SMI. */
static void deliver_sw_smi(struct mm_fuzz *f, const uint8_t *data, size_t len)
{
	const struct mm_fuzz_target *t = &f->c.target;
	size_t at = 0;
	uint8_t value = t->sw_value >= 0 ? (uint8_t)t->sw_value : byte_at(data, len, at++);
	uint8_t port_data = byte_at(data, len, at++);

	for (unsigned i = 0; i < FUZZ_SW_REGS; i++, at += 8) {
		uint64_t v = 0;

		for (unsigned b = 0; b < 8; b++)
			v |= (uint64_t)byte_at(data, len, at + b) << (8 * b);
		mm_cpu_set_reg(f->m, t->cpu, sdm_order[i], v);
	}
	if (len > at)
		mm_mem_write(f->m, f->buf_addr, data + at, len - at);
	mm_sw_smi(f->m, t->cpu, value, port_data);
}

/* Hashes the outcome into a pseudo edge: new statuses and stops count as coverage. */
static void note_outcome(struct mm_fuzz *f, const struct mm_fuzz_result *r)
{
	uint64_t h = (r->status * 0x9E3779B97F4A7C15ull) ^ ((uint64_t)r->stop << 40) ^
		     ((uint64_t)r->finding << 8);
	uint8_t *slot;

	h ^= h >> 29;
	h *= 0xBF58476D1CE4E5B9ull;
	slot = &f->map[(h >> 48) & (MM_FUZZ_EDGE_MAP_SIZE - 1)];
	if (!*slot && f->ntouched <= FUZZ_TOUCHED_MAX) {
		if (f->ntouched < FUZZ_TOUCHED_MAX)
			f->touched[f->ntouched] = (uint16_t)(slot - f->map);
		f->ntouched++;
	}
	if (*slot != 0xFF)
		(*slot)++;
}

/* Zeroes the map: the slots the last execution listed, or all of it after an overflow. */
static void clear_map(struct mm_fuzz *f)
{
	if (f->ntouched <= FUZZ_TOUCHED_MAX)
		for (uint32_t k = 0; k < f->ntouched; k++)
			f->map[f->touched[k]] = 0;
	else
		memset(f->map, 0, MM_FUZZ_EDGE_MAP_SIZE);
	f->ntouched = 0;
}

enum mm_err fuzz_run(struct mm_fuzz *f, const uint8_t *data, size_t len,
		     struct mm_fuzz_result *r)
{
	const struct mm_stop *stop;
	enum mm_err rc;

	memset(r, 0, sizeof(*r));
	if (len > f->max_len)
		len = f->max_len;
	rc = restore(f);
	if (rc)
		return rc;
	mm_machine_clear_stop(f->m);
	clear_map(f);
	mm_fuzz_edges_reset(f->m);
	if (f->c.target.kind == MM_FUZZ_COMMUNICATE)
		deliver_communicate(f, data, len, r);
	else
		deliver_sw_smi(f, data, len);
	stop = mm_machine_stop(f->m);
	r->stop = stop ? stop->kind : MM_STOP_NONE;
	if (r->stop == MM_STOP_ORACLE)
		r->finding = mm_oracle_parse(stop->oracle);
	if (r->stop != MM_STOP_NONE && !r->finding)
		r->finding = MM_FUZZ_FINDING_CRASH;
	note_outcome(f, r);
	return MM_OK;
}

/* AFL's hit-count buckets: 1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+. */
static uint8_t bucket(uint8_t n)
{
	if (n <= 3)
		return n == 3 ? 4 : n;
	if (n <= 7)
		return 8;
	if (n <= 15)
		return 16;
	if (n <= 31)
		return 32;
	return n <= 127 ? 64 : 128;
}

/* Merges the last map into the buckets seen; fills r->edges and r->new_coverage. */
/* Merges slot i of the last execution's map into the buckets seen so far. */
static void merge_slot(struct mm_fuzz *f, size_t i, struct mm_fuzz_result *r)
{
	uint8_t b;

	if (!f->map[i])
		return;
	r->edges++;
	b = bucket(f->map[i]);
	if (!(b & ~f->virgin[i]))
		return;
	if (!f->virgin[i])
		f->edges++;
	f->virgin[i] |= b;
	r->new_coverage = true;
}

/* Merges the last execution: its listed slots, or the whole map after an overflow. */
static void merge_coverage(struct mm_fuzz *f, struct mm_fuzz_result *r)
{
	const uint64_t *words = (const uint64_t *)f->map;

	if (f->ntouched <= FUZZ_TOUCHED_MAX) {
		for (uint32_t k = 0; k < f->ntouched; k++)
			merge_slot(f, f->touched[k], r);
	} else {
		for (size_t w = 0; w < MM_FUZZ_EDGE_MAP_SIZE / 8; w++)
			for (size_t i = w * 8; words[w] && i < w * 8 + 8; i++)
				merge_slot(f, i, r);
	}
	if (r->new_coverage)
		f->t_new_edge = now();
}

enum mm_err mm_fuzz_exec(struct mm_fuzz *f, const uint8_t *data, size_t len,
			 struct mm_fuzz_result *r)
{
	enum mm_err rc;

	if (!f || !r || (!data && len))
		return MM_ERR_INVALID;
	rc = fuzz_run(f, data, len, r);
	if (rc)
		return rc;
	f->execs++;
	merge_coverage(f, r);
	if (r->finding)
		return fuzz_note_finding(f, data, len > f->max_len ? f->max_len : len, r);
	return MM_OK;
}

const uint8_t *mm_fuzz_edge_map(const struct mm_fuzz *f, size_t *len)
{
	*len = f ? MM_FUZZ_EDGE_MAP_SIZE : 0;
	return f ? f->map : NULL;
}

/* The seed used when the corpus is empty: zeros (message, or value/data/registers). */
static enum mm_err add_trivial_seed(struct mm_fuzz *f)
{
	size_t len = f->c.target.kind == MM_FUZZ_COMMUNICATE ? 16 : 2 + FUZZ_SW_REGS * 8;
	uint8_t zero[2 + FUZZ_SW_REGS * 8] = { 0 };

	return mm_fuzz_add_seed(f, zero, len < f->max_len ? len : f->max_len);
}

/* One round: pick, mutate, execute, keep when new. */
static enum mm_err round_once(struct mm_fuzz *f)
{
	const struct fuzz_entry *e = &f->corpus[fuzz_rng_below(f, f->ncorpus)];
	const struct fuzz_entry *other = NULL;
	struct mm_fuzz_result r;
	size_t len = e->len;
	enum mm_err rc;

	memcpy(f->work, e->data, len);
	if (f->ncorpus > 1 && fuzz_rng_below(f, 8) == 0)
		other = &f->corpus[fuzz_rng_below(f, f->ncorpus)];
	fuzz_mutate(f, &len, other);
	rc = mm_fuzz_exec(f, f->work, len, &r);
	if (rc || !r.new_coverage)
		return rc;
	return fuzz_corpus_add(f, f->work, len, NULL);
}

enum mm_err mm_fuzz_iterate(struct mm_fuzz *f, uint64_t n)
{
	enum mm_err rc = MM_OK;

	if (!f)
		return MM_ERR_INVALID;
	if (!f->ncorpus)
		rc = add_trivial_seed(f);
	for (uint64_t i = 0; !rc && i < n; i++)
		rc = round_once(f);
	return rc;
}

void mm_fuzz_stats(const struct mm_fuzz *f, struct mm_fuzz_stats *out)
{
	struct mm_snapshot_stats ss;
	double t;

	memset(out, 0, sizeof(*out));
	if (!f)
		return;
	t = now();
	out->execs = f->execs;
	out->edges = f->edges;
	out->corpus = (uint32_t)f->ncorpus;
	out->findings = (uint32_t)f->nfound;
	memcpy(out->findings_by_class, f->by_class, sizeof(out->findings_by_class));
	out->seconds = t - f->t_start;
	out->since_new_edge = t - f->t_new_edge;
	if (f->snap) {
		mm_snapshot_stats(f->snap, &ss);
		out->snapshot_bytes = ss.bytes;
	}
}

/* Checks the configuration and copies it (strings too) into f. */
static enum mm_err copy_config(struct mm_fuzz *f, const struct mm_fuzz_config *c, char *err,
			       size_t errlen)
{
	if (!c->scenario) {
		snprintf(err, errlen, "fuzz: no scenario given");
		return MM_ERR_INVALID;
	}
	if (c->target.kind != MM_FUZZ_COMMUNICATE && c->target.kind != MM_FUZZ_SW_SMI) {
		snprintf(err, errlen, "fuzz: unknown target kind %d", (int)c->target.kind);
		return MM_ERR_INVALID;
	}
	if (c->target.kind == MM_FUZZ_SW_SMI && c->target.sw_value > 0xFF) {
		snprintf(err, errlen, "fuzz: SW SMI value %d is out of range", c->target.sw_value);
		return MM_ERR_INVALID;
	}
	if (c->oracles & ~(uint32_t)MM_ORACLE_ALL) {
		snprintf(err, errlen, "fuzz: unknown oracle bits 0x%x", c->oracles);
		return MM_ERR_INVALID;
	}
	f->c = *c;
	f->max_len = c->target.max_len ? c->target.max_len : DEFAULT_MAX_LEN;
	if (f->max_len > MAX_MAX_LEN)
		f->max_len = MAX_MAX_LEN;
	f->scenario_path = strdup(c->scenario);
	f->corpus_dir = dup_or_null(c->corpus_dir);
	f->findings_dir = dup_or_null(c->findings_dir);
	f->dict_path = dup_or_null(c->dict);
	f->map = calloc(1, MM_FUZZ_EDGE_MAP_SIZE);
	f->virgin = calloc(1, MM_FUZZ_EDGE_MAP_SIZE);
	f->work = malloc(2 * (size_t)f->max_len + 16);
	if (!f->scenario_path || (c->corpus_dir && !f->corpus_dir) ||
	    (c->findings_dir && !f->findings_dir) || (c->dict && !f->dict_path) || !f->map ||
	    !f->virgin || !f->work) {
		snprintf(err, errlen, "fuzz: out of memory");
		return MM_ERR_NOMEM;
	}
	f->c.scenario = f->scenario_path;
	f->c.corpus_dir = f->corpus_dir;
	f->c.findings_dir = f->findings_dir;
	f->c.dict = f->dict_path;
	return MM_OK;
}

/* Loads the scenario and applies the configuration's oracles and budget to it. */
static enum mm_err load_scenario(struct mm_fuzz *f, char *err, size_t errlen)
{
	enum mm_err rc = mm_scenario_load(f->scenario_path, &f->s, err, errlen);

	if (rc)
		return rc;
	if (f->c.oracles)
		f->s->platform_ext.oracles = f->c.oracles;
	if (f->c.instruction_budget)
		f->s->platform.instruction_budget = f->c.instruction_budget;
	f->oracles = f->s->platform_ext.oracles;
	return MM_OK;
}

/* Everything of create after the configuration: start state, dictionary, corpus. */
static enum mm_err start(struct mm_fuzz *f, char *err, size_t errlen)
{
	enum mm_err rc = load_scenario(f, err, errlen);

	if (!rc)
		rc = build_start(f, err, errlen);
	if (rc)
		return rc;
	find_pointers(f);
	if (mm_snapshot_take(f->m, &f->snap))
		f->snap = NULL; /* not snapshottable: rebuild per execution */
	fuzz_rng_seed(f, f->c.seed);
	rc = fuzz_dict_builtin(f);
	if (!rc && f->dict_path)
		rc = fuzz_dict_load(f, f->dict_path, err, errlen);
	if (rc == MM_ERR_NOMEM)
		snprintf(err, errlen, "fuzz: out of memory");
	if (!rc && f->corpus_dir) {
		rc = mm_fuzz_sync(f);
		if (rc)
			snprintf(err, errlen, "fuzz: reading the corpus '%s' failed: %s",
				 f->corpus_dir, mm_strerror(rc));
	}
	return rc;
}

enum mm_err mm_fuzz_create(const struct mm_fuzz_config *c, struct mm_fuzz **out, char *err,
			   size_t errlen)
{
	char dummy[1];
	struct mm_fuzz *f;
	enum mm_err rc;

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	*out = NULL;
	if (!c) {
		snprintf(err, errlen, "fuzz: no configuration");
		return MM_ERR_INVALID;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		snprintf(err, errlen, "fuzz: out of memory");
		return MM_ERR_NOMEM;
	}
	f->t_start = f->t_new_edge = now();
	rc = copy_config(f, c, err, errlen);
	if (!rc)
		rc = start(f, err, errlen);
	if (rc) {
		mm_fuzz_free(f);
		return rc;
	}
	*out = f;
	return MM_OK;
}

void mm_fuzz_free(struct mm_fuzz *f)
{
	if (!f)
		return;
	mm_snapshot_free(f->snap);
	if (f->m)
		mm_fuzz_edges_disable(f->m);
	mm_machine_destroy(f->m);
	mm_scenario_free(f->s);
	for (size_t i = 0; i < f->ncorpus; i++)
		free(f->corpus[i].data);
	free(f->corpus);
	free(f->found);
	free(f->dict);
	free(f->map);
	free(f->virgin);
	free(f->work);
	free(f->scenario_path);
	free(f->corpus_dir);
	free(f->findings_dir);
	free(f->dict_path);
	free(f);
}

/* ---- minimization ---- */

/* True when data[0..len) gives the finding key (class and instruction). */
static bool same_finding(struct mm_fuzz *f, const uint8_t *data, size_t len,
			 const struct fuzz_key *key, enum mm_err *rc)
{
	struct mm_fuzz_result r;
	const struct mm_stop *stop;

	*rc = fuzz_run(f, data, len, &r);
	if (*rc || r.finding != key->cls)
		return false;
	stop = mm_machine_stop(f->m);
	return (stop ? stop->rip : 0) == key->rip;
}

/* Cuts blocks, halving their size down to one byte, while the finding holds. */
static enum mm_err cut_blocks(struct mm_fuzz *f, uint8_t *cur, size_t *len,
			      const struct fuzz_key *key, unsigned *runs, unsigned max_runs)
{
	uint8_t *trial = malloc(*len ? *len : 1);
	enum mm_err rc = MM_OK;

	if (!trial)
		return MM_ERR_NOMEM;
	for (size_t bs = *len / 2 ? *len / 2 : 1; !rc && *runs < max_runs; bs /= 2) {
		for (size_t pos = 0; pos < *len && *runs < max_runs;) {
			size_t cut = pos + bs > *len ? *len - pos : bs;

			memcpy(trial, cur, pos);
			memcpy(trial + pos, cur + pos + cut, *len - pos - cut);
			(*runs)++;
			if (same_finding(f, trial, *len - cut, key, &rc)) {
				memcpy(cur, trial, *len - cut);
				*len -= cut;
			} else if (rc) {
				break;
			} else {
				pos += bs;
			}
		}
		if (bs == 1)
			break;
	}
	free(trial);
	return rc;
}

/* Zeroes bytes one at a time while the finding holds (simpler inputs read better). */
static enum mm_err zero_bytes(struct mm_fuzz *f, uint8_t *cur, size_t len,
			      const struct fuzz_key *key, unsigned *runs, unsigned max_runs)
{
	enum mm_err rc = MM_OK;

	for (size_t i = 0; i < len && *runs < max_runs; i++) {
		uint8_t old = cur[i];

		if (!old)
			continue;
		cur[i] = 0;
		(*runs)++;
		if (!same_finding(f, cur, len, key, &rc))
			cur[i] = old;
		if (rc)
			return rc;
	}
	return rc;
}

enum mm_err fuzz_shrink(struct mm_fuzz *f, const uint8_t *data, size_t len,
			const struct fuzz_key *key, unsigned max_runs, uint8_t **out,
			size_t *outlen)
{
	uint8_t *cur = malloc(len ? len : 1);
	unsigned runs = 0;
	enum mm_err rc;

	*out = NULL;
	*outlen = 0;
	if (!cur)
		return MM_ERR_NOMEM;
	if (len)
		memcpy(cur, data, len);
	rc = cut_blocks(f, cur, &len, key, &runs, max_runs);
	if (!rc)
		rc = zero_bytes(f, cur, len, key, &runs, max_runs);
	if (rc) {
		free(cur);
		return rc;
	}
	*out = cur;
	*outlen = len;
	return MM_OK;
}

enum mm_err mm_fuzz_minimize(struct mm_fuzz *f, const uint8_t *data, size_t len, uint8_t **out,
			     size_t *outlen)
{
	struct mm_fuzz_result r;
	struct fuzz_key key;
	enum mm_err rc;

	*out = NULL;
	*outlen = 0;
	if (!f || (!data && len))
		return MM_ERR_INVALID;
	if (len > f->max_len)
		len = f->max_len;
	rc = fuzz_run(f, data, len, &r);
	if (rc)
		return rc;
	if (!r.finding)
		return MM_ERR_NOT_FOUND;
	key.cls = r.finding;
	key.rip = mm_machine_stop(f->m) ? mm_machine_stop(f->m)->rip : 0;
	return fuzz_shrink(f, data, len, &key, MINIMIZE_MAX_RUNS, out, outlen);
}
