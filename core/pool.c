/* SPDX-License-Identifier: MIT */
/*
 * The SMRAM pool: byte allocations carved from pages of the SMRAM heap, with
 * every piece of bookkeeping on the host side, out of the driver's reach.
 *
 *   size classes   16 32 64 ... 4096 bytes (9 classes, powers of two)
 *   carrier pages  4 pages (1 when SMRAM is tight) taken from m->smram,
 *                  marked pool + internal, cut into blocks of one class
 *   free stacks    per class, a host array of free block addresses
 *   live table     open-addressing hash map (linear probing, multiply-shift
 *                  hash, dead-slot markers) from block address to
 *                  {size, class, type, owner, internal}
 *   large blocks   more than 4096 bytes: pages of their own, still in the
 *                  live table so that MmFreePool finds them
 *
 * Blocks are 16-byte aligned (carriers are page aligned, class sizes divide
 * a page). A free is valid only if its address is a key of the live table,
 * so a pointer outside SMRAM, inside a block, never handed out or already
 * freed is refused in O(1). Carrier pages are kept by the pool once carved:
 * freed blocks go back to their class, not to the page heap.
 *
 * The hot path (a small allocation and its free) is a class computation, a
 * stack pop or push and one hash probe: no host allocation, no logging cost
 * when MM_LOG_MEMORY is off.
 *
 * Debug mode (mm_pool_set_debug, for the bug oracles) sends every request
 * down the slow paths: blocks get a red zone and may be poisoned, frees are
 * checked and parked in a quarantine before their memory is reused.
 */
#include <stdlib.h>
#include <string.h>

#include "call.h"
#include "machine.h"
#include "oracle-hook.h"

#define POOL_MIN_SHIFT 4
#define POOL_CLASSES 9
#define POOL_MAX_SMALL (1u << (POOL_MIN_SHIFT + POOL_CLASSES - 1)) /* 4096 */
#define POOL_LARGE 0xFF        /* class of a block with pages of its own */
#define CARRIER_PAGES 4
#define TABLE_MIN_SLOTS 512
#define TOMB 1                 /* address of a dead slot (blocks are 16-byte aligned) */
#define HASH_MUL 0x9E3779B97F4A7C15ull /* 2^64 / golden ratio */
#define CARRIER_TYPE EfiRuntimeServicesData
#define OEM_TYPE_FIRST 0x70000000u

/* One live block: a slot of the live table (addr 0 = empty slot). */
struct pool_block {
	uint64_t addr;
	uint64_t size;      /* bytes requested */
	const char *owner;  /* driver executing at allocation, or "foundation" */
	uint32_t efi_type;
	uint8_t cls;        /* size class, or POOL_LARGE */
	bool internal;
	uint8_t debug;      /* MM_POOL_DEBUG_* the block was allocated with */
};

/* Free blocks of one size class; cap is every block ever carved for it. */
struct pool_class {
	uint64_t *free;
	uint32_t top;
	uint32_t cap;
};

/* A driver name kept by the pool: images (and their names) may go away first. */
struct owner_name {
	struct owner_name *next;
	char name[];
};

struct mm_pool {
	struct pool_class cls[POOL_CLASSES];
	struct pool_block *tab;
	uint64_t mask;     /* slots - 1 (slots a power of two) */
	unsigned shift;    /* 64 - log2(slots) */
	uint64_t live;     /* live slots */
	uint64_t used;     /* live and dead (TOMB) slots */
	uint64_t grow_at;  /* used count at which the table is rebuilt (half full) */
	struct owner_name *names;
	/* The last owner looked up: image, its name pointer, our copy. */
	const struct mm_image *last_img;
	const char *last_src;
	const char *last_owner;
	uint64_t last_base;
	uint64_t last_guid[2];
	/* Debug mode (mm_pool_set_debug): freed blocks waiting in quarantine. */
	unsigned debug;
	struct pool_block quar[MM_POOL_QUARANTINE];
	unsigned quar_n, quar_next;
	uint64_t quar_lo, quar_hi; /* bounds of the quarantined blocks */
	uint64_t gen;      /* bumps on every change of the blocks (snapshots) */
};

static inline uint64_t slot_of(const struct mm_pool *pool, uint64_t addr)
{
	return (addr * HASH_MUL) >> pool->shift;
}

/*
 * Returns the live-table slot of the block at addr, or NULL. addr must be
 * 16-byte aligned (so that it is never the TOMB marker).
 */
static inline struct pool_block *table_find(const struct mm_pool *pool, uint64_t addr)
{
	uint64_t i = slot_of(pool, addr);

	for (;;) {
		struct pool_block *b = &pool->tab[i];

		if (b->addr == addr)
			return addr ? b : NULL;
		if (!b->addr)
			return NULL;
		i = (i + 1) & pool->mask;
	}
}

/* Stores b in the first empty or dead slot of its probe sequence (there is room). */
static inline void table_put(struct mm_pool *pool, const struct pool_block *b)
{
	uint64_t i = slot_of(pool, b->addr);

	while (pool->tab[i].addr > TOMB)
		i = (i + 1) & pool->mask;
	if (!pool->tab[i].addr)
		pool->used++;
	pool->tab[i] = *b;
	pool->live++;
	pool->gen++;
}

/* Marks slot b dead: probes go on past it, inserts may reuse it. */
static inline void table_remove(struct mm_pool *pool, struct pool_block *b)
{
	b->addr = TOMB;
	pool->live--;
	pool->gen++;
}

/* Allocates a table of 2^bits empty slots for pool. */
static enum mm_err table_alloc(struct mm_pool *pool, unsigned bits)
{
	pool->tab = calloc((size_t)1 << bits, sizeof(*pool->tab));
	if (!pool->tab)
		return MM_ERR_NOMEM;
	pool->mask = ((uint64_t)1 << bits) - 1;
	pool->shift = 64 - bits;
	pool->grow_at = ((uint64_t)1 << bits) / 2;
	pool->live = pool->used = 0;
	return MM_OK;
}

/*
 * Rebuilds the live table when live and dead slots reach half of it: twice
 * as large when live blocks alone fill a quarter, else the same size
 * without the dead slots.
 */
static enum mm_err table_rebuild(struct mm_machine *m, struct mm_pool *pool)
{
	struct pool_block *old = pool->tab;
	uint64_t slots = pool->mask + 1, live = pool->live, used = pool->used;
	unsigned bits = 64 - pool->shift;

	if (table_alloc(pool, live + 1 > slots / 4 ? bits + 1 : bits)) {
		pool->tab = old;
		pool->mask = slots - 1;
		pool->shift = 64 - bits;
		pool->grow_at = slots / 2;
		pool->live = live;
		pool->used = used;
		return mm_fail(m, MM_ERR_NOMEM, "pool: out of host memory for %llu blocks",
			       (unsigned long long)live);
	}
	for (uint64_t i = 0; i < slots; i++)
		if (old[i].addr > TOMB)
			table_put(pool, &old[i]);
	free(old);
	return MM_OK;
}

/* Records a live block; fails only when the host cannot rebuild the table. */
static enum mm_err table_insert(struct mm_machine *m, struct mm_pool *pool,
				const struct pool_block *b)
{
	if (pool->used >= pool->grow_at && table_rebuild(m, pool))
		return MM_ERR_NOMEM;
	table_put(pool, b);
	return MM_OK;
}

/* Finds or makes the pool's copy of img's name, and remembers it for next time. */
static const char *owner_intern(struct mm_pool *pool, const struct mm_image *img)
{
	struct owner_name *n;
	size_t len;

	for (n = pool->names; n; n = n->next)
		if (!strcmp(n->name, img->name))
			break;
	if (!n) {
		len = strlen(img->name) + 1;
		n = malloc(sizeof(*n) + len);
		if (!n)
			return "?";
		memcpy(n->name, img->name, len);
		n->next = pool->names;
		pool->names = n;
	}
	pool->last_img = img;
	pool->last_src = img->name;
	pool->last_base = img->base;
	memcpy(&pool->last_guid, &img->guid, sizeof(pool->last_guid));
	pool->last_owner = n->name;
	return n->name;
}

static inline const struct mm_image *executing(const struct mm_machine *m)
{
	return m->exec_depth ? m->exec_stack[m->exec_depth - 1] : NULL;
}

/*
 * The owner of a new allocation when it is cheap to know: "foundation", or
 * the remembered copy for the same image as last time; NULL otherwise. An
 * image and its name may be freed and their memory reused for another
 * driver, so the key includes the image's base and GUID, not just pointers.
 */
static inline const char *owner_fast(const struct mm_pool *pool, const struct mm_image *img)
{
	uint64_t g[2];

	if (!img || !img->name)
		return "foundation";
	memcpy(g, &img->guid, sizeof(g));
	if (img == pool->last_img && img->name == pool->last_src && img->base == pool->last_base &&
	    g[0] == pool->last_guid[0] && g[1] == pool->last_guid[1])
		return pool->last_owner;
	return NULL;
}

const char *mm_alloc_owner(struct mm_machine *m)
{
	const struct mm_image *img = executing(m);
	const char *owner;

	if (!m->pool)
		return mm_executing_name(m);
	owner = owner_fast(m->pool, img);
	return owner ? owner : owner_intern(m->pool, img);
}

/* Size class of a small request (1 .. POOL_MAX_SMALL bytes): ceil(log2(size)) - 4. */
static inline unsigned class_of(uint64_t size)
{
	return 64 - __builtin_clzll((size - 1) | ((1u << POOL_MIN_SHIFT) - 1)) - POOL_MIN_SHIFT;
}

/* Takes internal pages from SMRAM that only the pool may free. */
static enum mm_err carrier_alloc(struct mm_machine *m, uint32_t efi_type, uint64_t pages,
				 const char *owner, uint64_t *base)
{
	struct mm_page_run *r;
	enum mm_err err;

	err = mm_page_alloc(m, &m->smram, AllocateAnyPages, efi_type, pages, base, true);
	if (err)
		return err;
	r = mm_page_find(&m->smram, *base, 1);
	r->pool = true;
	r->owner = owner;
	return MM_OK;
}

/* Carves a new carrier into free blocks of class c; the lowest block pops first. */
static enum mm_err refill(struct mm_machine *m, unsigned c)
{
	struct pool_class *pc = &m->pool->cls[c];
	uint64_t bsize = (uint64_t)1 << (c + POOL_MIN_SHIFT);
	uint64_t pages = CARRIER_PAGES, base, n;
	uint64_t *stack;

	if (carrier_alloc(m, CARRIER_TYPE, pages, "foundation", &base)) {
		pages = EFI_SIZE_TO_PAGES(bsize);
		if (carrier_alloc(m, CARRIER_TYPE, pages, "foundation", &base))
			return MM_ERR_NOMEM;
	}
	n = EFI_PAGES_TO_SIZE(pages) / bsize;
	stack = realloc(pc->free, (pc->cap + n) * sizeof(*stack));
	if (!stack) {
		mm_page_find(&m->smram, base, 1)->pool = false;
		mm_page_free(m, &m->smram, base, pages);
		return mm_fail(m, MM_ERR_NOMEM, "pool: out of host memory");
	}
	pc->free = stack;
	pc->cap += (uint32_t)n;
	for (uint64_t i = n; i-- > 0;)
		pc->free[pc->top++] = base + i * bsize;
	mm_log(m, MM_LOG_MEMORY, "pool: carrier 0x%llx (%llu pages) for %llu-byte blocks",
	       (unsigned long long)base, (unsigned long long)pages, (unsigned long long)bsize);
	return MM_OK;
}

/* Gives a block of more than POOL_MAX_SMALL bytes pages of its own. */
static void *alloc_large(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal)
{
	struct pool_block b = { 0, size, mm_alloc_owner(m), efi_type, POOL_LARGE, internal, 0 };
	uint64_t pages = EFI_SIZE_TO_PAGES(size);

	if (size > EFI_PAGES_TO_SIZE(m->smram.total_pages)) {
		mm_log(m, MM_LOG_MEMORY, "pool: %s asked for 0x%llx bytes, more than SMRAM holds",
		       b.owner, (unsigned long long)size);
		mm_fail(m, MM_ERR_NOMEM, "pool: 0x%llx bytes is more than SMRAM holds",
			(unsigned long long)size);
		return NULL;
	}
	if (carrier_alloc(m, efi_type, pages, b.owner, &b.addr))
		return NULL;
	if (table_insert(m, m->pool, &b)) {
		mm_page_find(&m->smram, b.addr, 1)->pool = false;
		mm_page_free(m, &m->smram, b.addr, pages);
		return NULL;
	}
	mm_log(m, MM_LOG_MEMORY, "pool: %s allocated 0x%llx size 0x%llx type %u (pages)%s",
	       b.owner, (unsigned long long)b.addr, (unsigned long long)size, efi_type,
	       internal ? " (internal)" : "");
	return (void *)(uintptr_t)b.addr;
}

/*
 * The hot path of an allocation: a small block from a non-empty class, a
 * table with room, a known owner, logging off. Returns 0 when any of that
 * does not hold (then alloc_slow does the whole job).
 */
static inline uint64_t alloc_fast(struct mm_machine *m, uint32_t efi_type, uint64_t size,
				  bool internal)
{
	struct mm_pool *pool = m->pool;
	struct pool_block *b;
	struct pool_class *pc;
	const char *owner;
	uint64_t addr, i;
	unsigned c;

	if (size - 1 >= POOL_MAX_SMALL || (m->log.mask & MM_LOG_MEMORY) || pool->debug)
		return 0;
	c = class_of(size);
	pc = &pool->cls[c];
	if (!pc->top || pool->used >= pool->grow_at)
		return 0;
	owner = owner_fast(pool, executing(m));
	if (!owner)
		return 0;
	addr = pc->free[--pc->top];
	for (i = slot_of(pool, addr); pool->tab[i].addr > TOMB; i = (i + 1) & pool->mask)
		;
	b = &pool->tab[i];
	if (!b->addr)
		pool->used++;
	b->addr = addr;
	b->size = size;
	b->owner = owner;
	b->efi_type = efi_type;
	b->cls = (uint8_t)c;
	b->internal = internal;
	b->debug = 0;
	pool->live++;
	pool->gen++;
	return addr;
}

/* Every allocation alloc_fast declines: sizes 0 and large, refills, growth, logging. */
static void *alloc_plain(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal)
{
	struct mm_pool *pool = m->pool;
	struct pool_block b;
	struct pool_class *pc;
	unsigned c;

	if (size == 0)
		size = 1; /* a valid minimal block, as EDK2 gives */
	if (size > POOL_MAX_SMALL)
		return alloc_large(m, efi_type, size, internal);
	c = class_of(size);
	pc = &pool->cls[c];
	if (!pc->top && refill(m, c))
		return NULL;
	b = (struct pool_block){ pc->free[pc->top - 1], size, mm_alloc_owner(m), efi_type,
				 (uint8_t)c, internal, 0 };
	if (table_insert(m, pool, &b))
		return NULL;
	pc->top--;
	mm_log(m, MM_LOG_MEMORY, "pool: %s allocated 0x%llx size 0x%llx type %u%s", b.owner,
	       (unsigned long long)b.addr, (unsigned long long)size, efi_type,
	       internal ? " (internal)" : "");
	return (void *)(uintptr_t)b.addr;
}

/*
 * Debug mode: the block gets MM_POOL_REDZONE more bytes, filled with the red
 * zone byte, and its body the fresh pattern, as the mode asks.
 */
static void *alloc_debug(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal)
{
	unsigned dbg = m->pool->debug;
	uint64_t req = size ? size : 1, extra = (dbg & MM_POOL_DEBUG_REDZONE) ? MM_POOL_REDZONE : 0;
	uint64_t pattern = MM_POOL_FRESH_PATTERN;
	uint8_t *p = alloc_plain(m, efi_type, req + extra, internal);
	struct pool_block *b;

	if (!p)
		return NULL;
	b = table_find(m->pool, (uint64_t)(uintptr_t)p);
	b->size = req;
	b->debug = (uint8_t)dbg;
	if (dbg & MM_POOL_DEBUG_POISON)
		for (uint64_t i = 0; i < req; i++)
			p[i] = (uint8_t)(pattern >> (8 * (i & 7)));
	if (extra)
		memset(p + req, MM_POOL_REDZONE_BYTE, extra);
	return p;
}

static __attribute__((noinline)) void *alloc_slow(struct mm_machine *m, uint32_t efi_type,
						  uint64_t size, bool internal)
{
	if (m->pool->debug)
		return alloc_debug(m, efi_type, size, internal);
	return alloc_plain(m, efi_type, size, internal);
}

void *mm_pool_alloc(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal)
{
	uint64_t addr = alloc_fast(m, efi_type, size, internal);

	if (__builtin_expect(addr != 0, 1))
		return (void *)(uintptr_t)addr;
	return alloc_slow(m, efi_type, size, internal);
}

void *mm_pool_zalloc(struct mm_machine *m, uint32_t efi_type, uint64_t size, bool internal)
{
	void *p = mm_pool_alloc(m, efi_type, size, internal);

	if (p)
		memset(p, 0, size);
	return p;
}

/* True when addr is on the free stack of class c (it was freed already). */
static bool on_free_stack(const struct mm_pool *pool, unsigned c, uint64_t addr)
{
	for (uint32_t i = 0; i < pool->cls[c].top; i++)
		if (pool->cls[c].free[i] == addr)
			return true;
	return false;
}

/* Returns the live block that contains addr (not at its start), or NULL. */
static const struct pool_block *block_around(const struct mm_pool *pool, uint64_t addr)
{
	for (uint64_t i = 0; i <= pool->mask; i++) {
		const struct pool_block *b = &pool->tab[i];

		if (b->addr > TOMB && addr > b->addr && addr - b->addr < b->size)
			return b;
	}
	return NULL;
}

/* Says why addr is not a live block, for the log and the failure message. */
static const char *why_not_block(struct mm_machine *m, uint64_t addr, const char **owner)
{
	const struct pool_block *b;

	*owner = NULL;
	if (!addr)
		return "NULL pointer";
	if (!mm_mem_inside_smram(m, addr, 1))
		return mm_mem_ptr(m, addr, 1) ? "pointer into normal RAM, not SMRAM"
					       : "pointer outside guest memory";
	for (unsigned c = 0; c < POOL_CLASSES; c++)
		if (on_free_stack(m->pool, c, addr))
			return "double free";
	for (unsigned i = 0; i < m->pool->quar_n; i++)
		if (m->pool->quar[i].addr == addr)
			return "double free (block in quarantine)";
	b = block_around(m->pool, addr);
	if (b) {
		*owner = b->owner;
		return "interior pointer of a live block";
	}
	return "never allocated by the pool";
}

/* Refuses a free (the driver's bug): logged under MM_LOG_WARN. */
static enum mm_err bad_free(struct mm_machine *m, uint64_t addr)
{
	const char *owner;
	const char *why = why_not_block(m, addr, &owner);
	struct mm_oracle_hooks *h = m->pool->debug ? mm_oracle_hooks(m) : NULL;

	if (h && h->pool && !strncmp(why, "double free", 11))
		h->pool(m, "double free", addr, addr, 0);

	mm_log(m, MM_LOG_WARN, "pool: %s freed 0x%llx: %s%s%s", mm_executing_name(m),
	       (unsigned long long)addr, why, owner ? " allocated by " : "", owner ? owner : "");
	return mm_fail(m, MM_ERR_INVALID, "pool: free of 0x%llx refused: %s",
		       (unsigned long long)addr, why);
}

/* Returns the pages of a large block to the SMRAM heap. */
static enum mm_err free_large(struct mm_machine *m, uint64_t addr, uint64_t size)
{
	struct mm_page_run *r = mm_page_find(&m->smram, addr, 1);

	if (r)
		r->pool = false;
	return mm_page_free(m, &m->smram, addr, EFI_SIZE_TO_PAGES(size));
}

/* The hot path of a free: a live small block, logging off. False: use free_slow. */
static inline bool free_fast(struct mm_machine *m, uint64_t addr)
{
	struct mm_pool *pool = m->pool;
	struct pool_block *b;
	struct pool_class *pc;

	if ((m->log.mask & MM_LOG_MEMORY) || (addr & 15) || pool->debug)
		return false;
	b = table_find(pool, addr);
	if (!b || b->cls == POOL_LARGE)
		return false;
	pc = &pool->cls[b->cls];
	table_remove(pool, b);
	pc->free[pc->top++] = addr;
	return true;
}

/* Gives a block back for real: to its class, or its pages to the heap. */
static enum mm_err release(struct mm_machine *m, uint64_t addr, uint64_t size, unsigned c)
{
	if (c == POOL_LARGE)
		return free_large(m, addr, size);
	m->pool->cls[c].free[m->pool->cls[c].top++] = addr;
	return MM_OK;
}

/* First damaged byte of b's red zone, or 0 (blocks without one: 0). */
static uint64_t redzone_damage(const struct pool_block *b)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)(b->addr + b->size);

	if (!(b->debug & MM_POOL_DEBUG_REDZONE))
		return 0;
	for (unsigned i = 0; i < MM_POOL_REDZONE; i++)
		if (p[i] != MM_POOL_REDZONE_BYTE)
			return b->addr + b->size + i;
	return 0;
}

/* Recomputes the bounds of the quarantine. */
static void quar_bounds(struct mm_pool *pool)
{
	pool->quar_lo = UINT64_MAX;
	pool->quar_hi = 0;
	for (unsigned i = 0; i < pool->quar_n; i++) {
		const struct pool_block *q = &pool->quar[i];

		if (q->addr < pool->quar_lo)
			pool->quar_lo = q->addr;
		if (q->addr + q->size > pool->quar_hi)
			pool->quar_hi = q->addr + q->size;
	}
}

/*
 * Debug mode free: reports a damaged red zone, poisons the block and puts it
 * in quarantine; the oldest quarantined block is released when it is full.
 */
static enum mm_err free_debug(struct mm_machine *m, struct pool_block *b)
{
	struct mm_pool *pool = m->pool;
	struct pool_block blk = *b;
	uint64_t bad = redzone_damage(b);
	struct mm_oracle_hooks *h;
	enum mm_err err = MM_OK;

	if (bad && (h = mm_oracle_hooks(m)) && h->pool)
		h->pool(m, "overflow", bad, blk.addr, blk.size);
	table_remove(pool, b);
	memset((void *)(uintptr_t)blk.addr, MM_POOL_FREED_BYTE, blk.size);
	if (pool->quar_n == MM_POOL_QUARANTINE) {
		struct pool_block *old = &pool->quar[pool->quar_next];

		err = release(m, old->addr, old->size + ((old->debug & MM_POOL_DEBUG_REDZONE) ?
							  MM_POOL_REDZONE : 0), old->cls);
		pool->quar[pool->quar_next] = blk;
		pool->quar_next = (pool->quar_next + 1) % MM_POOL_QUARANTINE;
	} else {
		pool->quar[pool->quar_n++] = blk;
	}
	quar_bounds(pool);
	return err;
}

/* Every free free_fast declines: refusals, large blocks, logging. */
static __attribute__((noinline)) enum mm_err free_slow(struct mm_machine *m, uint64_t addr)
{
	struct mm_pool *pool = m->pool;
	struct pool_block *b = addr & 15 ? NULL : table_find(pool, addr);
	unsigned c;
	uint64_t size;

	if (!b)
		return bad_free(m, addr);
	if (pool->debug)
		return free_debug(m, b);
	c = b->cls;
	size = b->size;
	mm_log(m, MM_LOG_MEMORY, "pool: %s freed 0x%llx size 0x%llx type %u of %s",
	       mm_executing_name(m), (unsigned long long)addr, (unsigned long long)size,
	       b->efi_type, b->owner);
	table_remove(pool, b);
	if (c == POOL_LARGE)
		return free_large(m, addr, size);
	pool->cls[c].free[pool->cls[c].top++] = addr;
	return MM_OK;
}

enum mm_err mm_pool_free(struct mm_machine *m, void *p)
{
	uint64_t addr = (uint64_t)(uintptr_t)p;

	if (__builtin_expect(free_fast(m, addr), 1))
		return MM_OK;
	return free_slow(m, addr);
}

void mm_pool_set_debug(struct mm_machine *m, unsigned flags)
{
	struct mm_pool *pool = m->pool;

	if (!pool)
		return;
	pool->gen++;
	if (!(flags & MM_POOL_DEBUG_REDZONE)) { /* leaving: the quarantine is released */
		for (unsigned i = 0; i < pool->quar_n; i++) {
			const struct pool_block *q = &pool->quar[i];

			release(m, q->addr, q->size + ((q->debug & MM_POOL_DEBUG_REDZONE) ?
						       MM_POOL_REDZONE : 0), q->cls);
		}
		pool->quar_n = pool->quar_next = 0;
		quar_bounds(pool);
	}
	pool->debug = flags & (MM_POOL_DEBUG_REDZONE | MM_POOL_DEBUG_POISON);
}

enum mm_pool_hit mm_pool_probe(const struct mm_machine *m, uint64_t addr, uint64_t *block,
			       uint64_t *size)
{
	const struct mm_pool *pool = m->pool;

	if (!pool || !(pool->debug & MM_POOL_DEBUG_REDZONE))
		return MM_POOL_HIT_NONE;
	if (addr >= pool->quar_lo && addr < pool->quar_hi)
		for (unsigned i = 0; i < pool->quar_n; i++)
			if (addr - pool->quar[i].addr < pool->quar[i].size) {
				*block = pool->quar[i].addr;
				*size = pool->quar[i].size;
				return MM_POOL_HIT_FREED;
			}
	/* small blocks sit at multiples of their class size inside their carrier */
	for (unsigned c = 0; c < POOL_CLASSES; c++) {
		uint64_t csize = (uint64_t)1 << (c + POOL_MIN_SHIFT), base = addr & ~(csize - 1);
		const struct pool_block *b = base ? table_find(pool, base) : NULL;

		if (b && b->cls == c && (b->debug & MM_POOL_DEBUG_REDZONE) &&
		    addr - base >= b->size && addr - base < b->size + MM_POOL_REDZONE) {
			*block = base;
			*size = b->size;
			return MM_POOL_HIT_REDZONE;
		}
	}
	return MM_POOL_HIT_NONE;
}

bool mm_pool_check_redzones(struct mm_machine *m)
{
	struct mm_pool *pool = m->pool;
	struct mm_oracle_hooks *h;

	if (!pool || !(pool->debug & MM_POOL_DEBUG_REDZONE))
		return false;
	for (uint64_t i = 0; i <= pool->mask; i++) {
		const struct pool_block *b = &pool->tab[i];
		uint64_t bad = b->addr > TOMB ? redzone_damage(b) : 0;

		if (!bad)
			continue;
		if ((h = mm_oracle_hooks(m)) && h->pool)
			h->pool(m, "overflow", bad, b->addr, b->size);
		return true;
	}
	return false;
}

enum mm_err mm_pool_init(struct mm_machine *m)
{
	m->pool = calloc(1, sizeof(*m->pool));
	if (!m->pool || table_alloc(m->pool, __builtin_ctz(TABLE_MIN_SLOTS))) {
		free(m->pool);
		m->pool = NULL;
		return mm_fail(m, MM_ERR_NOMEM, "pool: out of host memory");
	}
	return MM_OK;
}

void mm_pool_fini(struct mm_machine *m)
{
	if (!m->pool)
		return;
	while (m->pool->names) {
		struct owner_name *n = m->pool->names;

		m->pool->names = n->next;
		free(n);
	}
	for (unsigned c = 0; c < POOL_CLASSES; c++)
		free(m->pool->cls[c].free);
	free(m->pool->tab);
	free(m->pool);
	m->pool = NULL;
}

/* A growing array of allocation records, for the sorted listings. */
struct alloc_list {
	struct mm_alloc_info *v;
	size_t n, cap;
};

static bool list_add(struct alloc_list *l, const struct mm_alloc_info *info)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct mm_alloc_info *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return false;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = *info;
	return true;
}

/* Address order; at one address the pages come before the pool block they carry. */
static int info_cmp(const void *a, const void *b)
{
	const struct mm_alloc_info *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return (int)x->pool - (int)y->pool;
}

static bool collect_pool(const struct mm_pool *pool, bool all, struct alloc_list *l)
{
	for (uint64_t i = 0; i <= pool->mask; i++) {
		const struct pool_block *b = &pool->tab[i];
		struct mm_alloc_info info = { b->addr, b->size, b->efi_type, true, b->owner };

		if (b->addr > TOMB && (all || !b->internal) && !list_add(l, &info))
			return false;
	}
	return true;
}

static bool collect_pages(const struct mm_page_heap *h, bool all, struct alloc_list *l)
{
	for (const struct mm_page_run *r = h->used; r; r = r->next) {
		struct mm_alloc_info info = { r->base, EFI_PAGES_TO_SIZE(r->pages), r->efi_type,
					      false, r->owner };

		if ((all || !r->internal) && !list_add(l, &info))
			return false;
	}
	return true;
}

/* Sorts l, hands every record to visit (may be NULL) and returns the count. */
static unsigned visit_sorted(struct mm_machine *m, struct alloc_list *l, bool ok,
			     mm_alloc_visit visit, void *user)
{
	unsigned n = (unsigned)l->n;

	if (!ok) {
		free(l->v);
		mm_fail(m, MM_ERR_NOMEM, "allocation listing: out of host memory");
		return 0;
	}
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), info_cmp);
	for (size_t i = 0; visit && i < l->n; i++)
		visit(user, &l->v[i]);
	free(l->v);
	return n;
}

unsigned mm_pool_visit(struct mm_machine *m, bool all, mm_alloc_visit visit, void *user)
{
	struct alloc_list l = { 0 };

	return visit_sorted(m, &l, collect_pool(m->pool, all, &l), visit, user);
}

unsigned mm_smram_allocations(struct mm_machine *m, bool all, mm_alloc_visit visit, void *user)
{
	struct alloc_list l = { 0 };
	bool ok = collect_pool(m->pool, all, &l) && collect_pages(&m->smram, all, &l);

	return visit_sorted(m, &l, ok, visit, user);
}

/* True for the pool types a driver may request (UEFI 2.10, AllocatePool). */
static bool pool_type_ok(EFI_MEMORY_TYPE t)
{
	uint32_t v = (uint32_t)t;

	if (v >= EfiMaxMemoryType && v < OEM_TYPE_FIRST)
		return false;
	return v != EfiPersistentMemory && v != EfiUnacceptedMemoryType;
}

/* Buffer must be writable: guest memory for emulated code (see page.c). */
static bool out_ptr_ok(const struct mm_machine *m, const void *p, uint64_t len)
{
	const struct mm_image *img = executing(m);

	if (!p)
		return false;
	if (img && img->engine == MM_ENGINE_EMULATED)
		return mm_mem_ptr(m, (uint64_t)(uintptr_t)p, len) != NULL;
	return true;
}

/*
 * The EFIAPI services keep their fast paths free of calls to System V
 * functions (but mm_current) and reach everything else through these MS ABI
 * helpers: an MS ABI function that calls System V code must save xmm6-15,
 * which would double the cost of a pool allocation.
 */
static EFIAPI __attribute__((noinline, cold)) EFI_STATUS
allocate_pool_slow(struct mm_machine *m, EFI_MEMORY_TYPE type, UINTN size, VOID **buffer)
{
	void *p;

	if (!pool_type_ok(type) || !out_ptr_ok(m, buffer, sizeof(*buffer))) {
		mm_log(m, MM_LOG_WARN, "MmAllocatePool by %s: bad pool type 0x%x or Buffer %p",
		       mm_executing_name(m), (unsigned)type, (void *)buffer);
		return EFI_INVALID_PARAMETER;
	}
	p = alloc_slow(m, type, size, false);
	if (!p)
		return EFI_OUT_OF_RESOURCES;
	*buffer = p;
	return EFI_SUCCESS;
}

static EFIAPI __attribute__((noinline, cold)) EFI_STATUS free_pool_slow(struct mm_machine *m,
									 VOID *buffer)
{
	return free_slow(m, (uint64_t)(uintptr_t)buffer) ? EFI_INVALID_PARAMETER : EFI_SUCCESS;
}

EFI_STATUS EFIAPI MmAllocatePool(EFI_MEMORY_TYPE PoolType, UINTN Size, VOID **Buffer)
{
	struct mm_machine *m = mm_current();
	const struct mm_image *img;
	uint64_t addr;

	if (!m)
		return EFI_UNSUPPORTED;
	img = executing(m);
	if (Buffer && pool_type_ok(PoolType) && (!img || img->engine == MM_ENGINE_NATIVE)) {
		addr = alloc_fast(m, PoolType, Size, false);
		if (addr) {
			*Buffer = (VOID *)(uintptr_t)addr;
			return EFI_SUCCESS;
		}
	}
	return allocate_pool_slow(m, PoolType, Size, Buffer);
}

EFI_STATUS EFIAPI MmFreePool(VOID *Buffer)
{
	struct mm_machine *m = mm_current();

	if (!m)
		return EFI_UNSUPPORTED;
	if (free_fast(m, (uint64_t)(uintptr_t)Buffer))
		return EFI_SUCCESS;
	return free_pool_slow(m, Buffer);
}

/* A snapshot of the pool: the struct, its live table and its free stacks. */
struct mm_pool_saved {
	struct mm_pool pool;
	struct pool_block *tab;
	uint64_t *free[POOL_CLASSES];
};

struct mm_pool_saved *mm_pool_save(const struct mm_machine *m)
{
	const struct mm_pool *pool = m->pool;
	struct mm_pool_saved *s = calloc(1, sizeof(*s));
	size_t slots = pool->mask + 1;
	bool ok;

	if (!s)
		return NULL;
	s->pool = *pool;
	s->tab = malloc(slots * sizeof(*s->tab));
	ok = s->tab != NULL;
	if (ok)
		memcpy(s->tab, pool->tab, slots * sizeof(*s->tab));
	for (unsigned c = 0; ok && c < POOL_CLASSES; c++) {
		if (!pool->cls[c].cap)
			continue;
		s->free[c] = malloc(pool->cls[c].cap * sizeof(uint64_t));
		ok = s->free[c] != NULL;
		if (ok)
			memcpy(s->free[c], pool->cls[c].free, pool->cls[c].cap * sizeof(uint64_t));
	}
	if (!ok) {
		mm_pool_saved_free(s);
		return NULL;
	}
	return s;
}

/* Makes *p hold n elements of size bytes (contents kept up to n); false: no memory. */
static bool resize(void **p, size_t n, size_t size)
{
	void *q = realloc(*p, n ? n * size : 1);

	if (!q)
		return false;
	*p = q;
	return true;
}

/*
 * Puts the pool of s back when it changed since (generation moved). The
 * interned owner names stay (they only grow, and blocks may still name them).
 */
enum mm_err mm_pool_restore(struct mm_machine *m, const struct mm_pool_saved *s)
{
	struct mm_pool *pool = m->pool;
	struct owner_name *names = pool->names;
	size_t slots = s->pool.mask + 1;
	struct pool_block *tab = pool->tab;
	uint64_t *free_stack[POOL_CLASSES];

	if (pool->gen == s->pool.gen)
		return MM_OK;
	if (pool->mask != s->pool.mask && !resize((void **)&tab, slots, sizeof(*tab)))
		return MM_ERR_NOMEM;
	pool->tab = tab;
	for (unsigned c = 0; c < POOL_CLASSES; c++) {
		free_stack[c] = pool->cls[c].free;
		if (pool->cls[c].cap != s->pool.cls[c].cap &&
		    !resize((void **)&free_stack[c], s->pool.cls[c].cap, sizeof(uint64_t)))
			return MM_ERR_NOMEM;
		pool->cls[c].free = free_stack[c];
	}
	*pool = s->pool;
	pool->names = names;
	pool->tab = tab;
	memcpy(tab, s->tab, slots * sizeof(*tab));
	for (unsigned c = 0; c < POOL_CLASSES; c++) {
		pool->cls[c].free = free_stack[c];
		if (s->pool.cls[c].cap)
			memcpy(free_stack[c], s->free[c], s->pool.cls[c].cap * sizeof(uint64_t));
	}
	return MM_OK;
}

bool mm_pool_changed(const struct mm_machine *m, const struct mm_pool_saved *s)
{
	return m->pool->gen != s->pool.gen;
}

void mm_pool_saved_free(struct mm_pool_saved *s)
{
	if (!s)
		return;
	for (unsigned c = 0; c < POOL_CLASSES; c++)
		free(s->free[c]);
	free(s->tab);
	free(s);
}

size_t mm_pool_saved_bytes(const struct mm_pool_saved *s)
{
	size_t n = sizeof(*s) + (s->pool.mask + 1) * sizeof(*s->tab);

	for (unsigned c = 0; c < POOL_CLASSES; c++)
		n += s->pool.cls[c].cap * sizeof(uint64_t);
	return n;
}
