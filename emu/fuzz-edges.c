/* SPDX-License-Identifier: MIT */
/*
 * Edge coverage for the fuzzer (emu/fuzz-edges.h): a UC_HOOK_BLOCK callback
 * counting AFL-style edges in the caller's 64 KiB map. The hook is added by
 * mm_fuzz_edges_enable and deleted by mm_fuzz_edges_disable; in between
 * every translated block calls it once per execution of the block.
 */
#include <stdlib.h>
#include <string.h>

#include "emu/fuzz-edges.h"
#include "emu/model.h"

#define EDGES_EXT "fuzz-edges"

struct edges {
	struct mm_machine *m;
	uint8_t *map;
	uint32_t prev;   /* id of the previous block, shifted right by one */
	uint16_t *touched; /* mm_fuzz_edges_track's list, or NULL */
	uint32_t cap, *count;
	uc_hook hook;
	bool installed;
};

/* The 16-bit id of the block at addr: its address hashed (Fibonacci hashing). */
static inline uint32_t block_id(uint64_t addr)
{
	return (uint32_t)((addr * 0x9E3779B97F4A7C15ull) >> 48);
}

/* Block hook: counts the edge prev -> this block (a count of 255 stays). */
static void on_block(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
	struct edges *x = user;
	uint32_t cur = block_id(addr);
	uint8_t *slot = &x->map[(cur ^ x->prev) & (MM_FUZZ_EDGE_MAP_SIZE - 1)];

	(void)uc, (void)size;
	if (!*slot && x->touched && *x->count <= x->cap) {
		if (*x->count < x->cap)
			x->touched[*x->count] = (uint16_t)(slot - x->map);
		++*x->count;
	}
	if (*slot != 0xFF)
		(*slot)++;
	x->prev = cur >> 1;
}

/* Deletes the hook while the engine still exists; the struct goes with it. */
static void edges_fini(struct mm_machine *m, void *data)
{
	struct edges *x = data;
	struct mm_emu *e = mm_emu_get(m);

	if (x->installed && e)
		uc_hook_del(e->uc, x->hook);
	free(x);
}

enum mm_err mm_fuzz_edges_enable(struct mm_machine *m, uint8_t *map)
{
	struct mm_emu *e = mm_emu_get(m);
	struct edges *x;
	uc_err u;

	if (!e)
		return mm_fail(m, MM_ERR_STATE, "fuzz edges: no emulated CPU");
	x = mm_extension_get(m, EDGES_EXT);
	if (!x) {
		x = calloc(1, sizeof(*x));
		if (!x || mm_extension_add(m, EDGES_EXT, edges_fini, x)) {
			free(x);
			return mm_fail(m, MM_ERR_NOMEM, "fuzz edges: out of memory");
		}
		x->m = m;
	}
	x->map = map;
	x->prev = 0;
	if (x->installed)
		return MM_OK;
	u = uc_hook_add(e->uc, &x->hook, UC_HOOK_BLOCK, on_block, x, 1, 0);
	if (u)
		return mm_fail(m, MM_ERR_NOMEM, "fuzz edges: uc_hook_add: %s", uc_strerror(u));
	x->installed = true;
	/* blocks translated before the hook existed would never report */
	mm_emu_drop_translations(e);
	return MM_OK;
}

void mm_fuzz_edges_track(struct mm_machine *m, uint16_t *touched, uint32_t cap, uint32_t *count)
{
	struct edges *x = mm_extension_get(m, EDGES_EXT);

	if (!x)
		return;
	x->touched = count ? touched : NULL;
	x->cap = cap;
	x->count = count;
}

void mm_fuzz_edges_reset(struct mm_machine *m)
{
	struct edges *x = mm_extension_get(m, EDGES_EXT);

	if (!x || !x->installed)
		return;
	x->prev = 0;
}

void mm_fuzz_edges_disable(struct mm_machine *m)
{
	struct edges *x = mm_extension_get(m, EDGES_EXT);
	struct mm_emu *e = mm_emu_get(m);

	if (!x || !x->installed || !e)
		return;
	uc_hook_del(e->uc, x->hook);
	x->installed = false;
	x->map = NULL;
	mm_emu_drop_translations(e); /* drop the blocks that call the hook */
}

enum mm_err mm_fuzz_cpu_smbase(const struct mm_machine *m, unsigned cpu, uint64_t *smbase)
{
	const struct mm_emu *e = mm_emu_get(m);

	if (!e)
		return MM_ERR_STATE;
	if (cpu >= e->ncpus)
		return MM_ERR_INVALID;
	*smbase = e->cpu[cpu].smbase;
	return MM_OK;
}
