/* SPDX-License-Identifier: MIT */
/*
 * The memory-watching oracles (include/mmemu/oracle.h) as Unicorn hooks,
 * added once when a class is first enabled (the translation cache is then
 * flushed so that code translated before sees them) and filtered by the
 * callbacks: they return at once outside an MMI, outside SMM, or when the
 * class is off. A memory hook puts every access on Unicorn's slow path,
 * which is the price of turning these oracles on.
 *
 *   RAM regions    read + write   comm-oob, double-fetch, taint (CommBuffer pages)
 *   SMRAM regions  write          smram-write, stack guard, pool red zones / UAF
 *   SMRAM regions  read           pool: reads of freed blocks and red zones
 */
#include <string.h>

#include "emu/oracle.h"

/* Which hook groups are installed (struct mm_oracle.hooked). */
enum { HOOKED_RAM = 1, HOOKED_SMRAM_WRITE = 2, HOOKED_SMRAM_READ = 4 };

/* True while SMM driver code of an MMI runs on the engine. */
static inline bool watching(const struct mm_oracle *o)
{
	return o->depth && !o->fired && o->m->cpus.in_smm && !o->e->normal;
}

static uint64_t rip_of(struct mm_oracle *o)
{
	uint64_t rip = 0;

	uc_reg_read(o->e->uc, UC_X86_REG_RIP, &rip);
	return rip;
}

void mm_oracle_taint(struct mm_oracle *o, uint64_t v)
{
	if (o->ntaint >= MM_ORACLE_MAX_TAINT || !mm_mem_inside_smram(o->m, v, 1))
		return;
	for (unsigned i = 0; i < o->ntaint; i++)
		if (o->taint[i] == v)
			return;
	o->taint[o->ntaint++] = v;
}

/* A read of message bytes [off, off+n): double fetch when one was read before. */
static void track_read(struct mm_oracle *o, uint64_t off, uint64_t n, uint64_t rip)
{
	for (uint64_t i = off; i < off + n && i < o->track; i++) {
		uint64_t first = o->first_read[i];

		if (first && first != MM_ORACLE_WRITTEN) {
			o->finding.first_rip = first;
			mm_oracle_fire(o, MM_ORACLE_DOUBLE_FETCH, rip, o->message + i, true,
				       "CommBuffer byte 0x%llx (message +0x%llx) read twice in one MMI: "
				       "first by the instruction at %s, again here",
				       (unsigned long long)(o->message + i), (unsigned long long)i,
				       MM_ADDR(o->m, first));
			o->finding.first_rip = first;
			return;
		}
		if (!first)
			o->first_read[i] = rip;
	}
}

/* Marks message bytes SMM wrote: reading back what it wrote is no double fetch. */
static void track_write(struct mm_oracle *o, uint64_t off, uint64_t n)
{
	for (uint64_t i = off; i < off + n && i < o->track; i++)
		o->first_read[i] = MM_ORACLE_WRITTEN;
}

/*
 * A read from the message: the 4- and 8-byte values in it are pointers the
 * attacker chose (a 16-byte load carries two of them).
 */
static void taint_read(struct mm_oracle *o, uint64_t addr, int size)
{
	const uint8_t *p = mm_mem_ptr(o->m, addr, (uint64_t)size);
	uint32_t v32;
	uint64_t v;

	if (!p)
		return;
	if (size == 4) {
		memcpy(&v32, p, 4);
		mm_oracle_taint(o, v32);
	}
	for (int off = 0; off + 8 <= size; off += 8) {
		memcpy(&v, p + off, 8);
		mm_oracle_taint(o, v);
	}
}

/* UC_HOOK_MEM_READ | WRITE on normal RAM: accesses to the CommBuffer's pages. */
static void on_ram(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		   void *user)
{
	struct mm_oracle *o = user;
	uint64_t rip, n = (uint64_t)size;
	bool write = type == UC_MEM_WRITE;

	(void)uc, (void)value;
	if (!o->buffer || addr + n <= o->page_lo || addr >= o->page_hi || !watching(o))
		return;
	rip = rip_of(o);
	if ((o->mask & MM_ORACLE_COMM_OOB) &&
	    (addr < o->message || addr + n > o->message + o->length)) {
		mm_oracle_fire(o, MM_ORACLE_COMM_OOB, rip, addr, true,
			       "%s of %d bytes at 0x%llx, outside the message [0x%llx, 0x%llx) the "
			       "caller passed (MessageLength 0x%llx)", write ? "write" : "read",
			       size, (unsigned long long)addr, (unsigned long long)o->message,
			       (unsigned long long)(o->message + o->length),
			       (unsigned long long)o->length);
		return;
	}
	if (addr < o->message || addr >= o->message + o->length)
		return;
	if (write) {
		track_write(o, addr - o->message, n);
		return;
	}
	if (o->mask & MM_ORACLE_SMRAM_WRITE)
		taint_read(o, addr, size);
	if (o->track)
		track_read(o, addr - o->message, n, rip);
}

/* smram-write: addr within the window of an untrusted pointer. */
static bool check_taint(struct mm_oracle *o, uint64_t addr, int size)
{
	for (unsigned i = 0; i < o->ntaint; i++)
		if (addr - o->taint[i] < MM_ORACLE_TAINT_WINDOW) {
			o->finding.source = o->taint[i];
			mm_oracle_fire(o, MM_ORACLE_SMRAM_WRITE, rip_of(o), addr, true,
				       "write of %d bytes to SMRAM at 0x%llx through the untrusted "
				       "pointer 0x%llx (from the %s)", size, (unsigned long long)addr,
				       (unsigned long long)o->taint[i],
				       o->buffer ? "CommBuffer" : "saved registers");
			o->finding.source = o->taint[i];
			return true;
		}
	return false;
}

/* stack: a write in the guard below the running CPU's SMM stack. */
static bool check_stack(struct mm_oracle *o, uint64_t addr)
{
	uint64_t bottom = o->e->cpu[o->e->running].stack_top - MM_EMU_STACK_SIZE;

	if (addr >= bottom || bottom - addr > MM_ORACLE_GUARD)
		return false;
	mm_oracle_fire(o, MM_ORACLE_STACK, rip_of(o), addr, true,
		       "write at 0x%llx, 0x%llx bytes below the bottom of CPU %u's SMM stack "
		       "(0x%llx): stack overflow", (unsigned long long)addr,
		       (unsigned long long)(bottom - addr), o->e->running,
		       (unsigned long long)bottom);
	return true;
}

/* pool: an access to a freed (quarantined) block or to a red zone. */
static void check_pool(struct mm_oracle *o, uint64_t addr, int size, bool write)
{
	uint64_t block = 0, bsize = 0;
	enum mm_pool_hit hit = mm_pool_probe(o->m, addr, &block, &bsize);

	if (hit == MM_POOL_HIT_FREED)
		mm_oracle_fire(o, MM_ORACLE_POOL, rip_of(o), addr, true,
			       "use after free: %s of %d bytes at 0x%llx in the freed SMRAM pool "
			       "block 0x%llx (0x%llx bytes)", write ? "write" : "read", size,
			       (unsigned long long)addr, (unsigned long long)block,
			       (unsigned long long)bsize);
	else if (hit == MM_POOL_HIT_REDZONE)
		mm_oracle_fire(o, MM_ORACLE_POOL, rip_of(o), addr, true,
			       "overflow: %s of %d bytes at 0x%llx, past the end of the SMRAM pool "
			       "block 0x%llx (0x%llx bytes)", write ? "write" : "read", size,
			       (unsigned long long)addr, (unsigned long long)block,
			       (unsigned long long)bsize);
}

/* UC_HOOK_MEM_WRITE (and READ with the pool oracle) on SMRAM. */
static void on_smram(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
		     void *user)
{
	struct mm_oracle *o = user;
	bool write = type == UC_MEM_WRITE;

	(void)uc, (void)value;
	if (!watching(o))
		return;
	if (write && (o->mask & MM_ORACLE_SMRAM_WRITE) && o->ntaint && check_taint(o, addr, size))
		return;
	if (write && (o->mask & MM_ORACLE_STACK) && check_stack(o, addr))
		return;
	if (o->mask & MM_ORACLE_POOL)
		check_pool(o, addr, size, write);
}

/* Adds one hook of types on every region of the kind (smram or not). */
static enum mm_err hook_regions(struct mm_oracle *o, int types, bool smram, uc_cb_hookmem_t cb)
{
	const struct mm_memory *mem = &o->m->mem;

	for (unsigned i = 0; i < mem->count; i++) {
		const struct mm_region *r = &mem->regions[i];
		uc_hook h;

		if ((r->desc.kind == MM_REGION_SMRAM) != smram)
			continue;
		if (uc_hook_add(o->e->uc, &h, types, (void *)cb, o, r->desc.base,
				r->desc.base + r->desc.size - 1))
			return mm_fail(o->m, MM_ERR_NOMEM, "oracle: cannot hook region %u", i);
		o->e->mem_watchers++; /* for the machine's life: REP strings stay on Unicorn */
	}
	return MM_OK;
}

enum mm_err mm_oracle_mem_hooks(struct mm_oracle *o, uint32_t mask)
{
	const uint32_t ram = MM_ORACLE_COMM_OOB | MM_ORACLE_DOUBLE_FETCH | MM_ORACLE_SMRAM_WRITE;
	const uint32_t smram_w = MM_ORACLE_SMRAM_WRITE | MM_ORACLE_STACK | MM_ORACLE_POOL;
	enum mm_err err = MM_OK;
	unsigned had = o->hooked;

	if ((mask & ram) && !(o->hooked & HOOKED_RAM)) {
		err = hook_regions(o, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, false, on_ram);
		o->hooked |= HOOKED_RAM;
	}
	/* one SMRAM hook serves all: reads too once the pool oracle is wanted */
	if (!err && (mask & MM_ORACLE_POOL) && !(o->hooked & HOOKED_SMRAM_READ)) {
		err = hook_regions(o, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, true, on_smram);
		o->hooked |= HOOKED_SMRAM_READ | HOOKED_SMRAM_WRITE;
	} else if (!err && (mask & smram_w) && !(o->hooked & HOOKED_SMRAM_WRITE)) {
		err = hook_regions(o, UC_HOOK_MEM_WRITE, true, on_smram);
		o->hooked |= HOOKED_SMRAM_WRITE;
	}
	if (!err && o->hooked != had) /* code translated before must see the hooks */
		mm_emu_drop_translations(o->e);
	return err;
}
