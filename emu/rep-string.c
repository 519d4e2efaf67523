/* SPDX-License-Identifier: MIT */
/*
 * REP STOS and REP MOVS on the host.
 *
 * Unicorn 2.0.1 runs a REP string instruction one element per translated
 * block (the translator jumps back to the instruction after each element),
 * and every guest store to RAM takes its slow path (the TLB entries of RAM
 * carry TLB_NOTDIRTY for good: that Unicorn keeps no dirty bitmap, so
 * notdirty_write never clears the flag, and each store allocates and frees a
 * page collection). A SetMem of 256 KiB with `rep stosb`, as EDK2's
 * BaseMemoryLibRepStr does, thus costs 262,144 blocks and slow stores,
 * about 22 ms (84 ns each, measured on OVMF's dispatch). Upstream Unicorn changed the store path in late 2024
 * (unicorn-engine/unicorn pull request 2031, "Optimize Notdirty write").
 *
 * The block hook calls mm_emu_rep_string for every block of at most four
 * bytes. A REP string instruction is a block of its own from its second
 * element on; when its operands are plain guest memory the hook does the
 * remaining elements with memset/memmove on the identity mapping, advances
 * RDI (and RSI), and sets RCX to 0, so that the instruction then runs no
 * element and falls through. The result in memory and registers is the
 * instruction's (Intel SDM vol. 2B, REP/STOS/MOVS: DF = 0, 64-bit address
 * size). The first element runs in the block before, as Unicorn translated it.
 *
 * It stays on Unicorn's path whenever the fast path could differ from the
 * architecture or hide an access from a watcher:
 *   - a memory hook is installed (oracles, tracing, watchpoints, snapshot
 *     write tracking: e->mem_watchers > 0);
 *   - the CPU is not in 64-bit mode on the stub's code segment and page
 *     tables (identity map of the first 4 GiB), or DF = 1, or an address-size,
 *     segment or LOCK prefix is present;
 *   - an operand range leaves one guest memory region, crosses 4 GiB, or
 *     touches memory the normal-world guard hides;
 *   - a MOVS destination starts inside its source (forward element copy
 *     differs from memmove there), or the destination covers the
 *     instruction itself.
 * A MOVS source may also be device memory (flash reads by pointer): the
 * elements are then read from the bus one by one, as the engine would, and
 * only the stores and the per-element blocks are saved.
 * Translated code in the destination is dropped, as a guest store would.
 * The instruction budget, coverage and an instruction trace (which add no
 * memory hook) then see the instruction twice (its first element, then the
 * rest), not once per element.
 */
#include <string.h>

#include "core/io.h"
#include "emu/mmio.h"
#include "emu/model.h"
#include "emu/stub.h"

#define CR0_PG (1ull << 31)
#define EFLAGS_DF (1ull << 10)
#define MSR_EFER 0xC0000080u  /* Intel SDM vol. 4, IA32_EFER */
#define EFER_LMA (1ull << 10)
#define IDENTITY_LIMIT (1ull << 32) /* what emu/stub.c's page tables map */

struct rep_op {
	unsigned unit; /* element size in bytes */
	bool movs;     /* MOVS (else STOS) */
};

/* Decodes [F3|66]* [REX] AA/AB/A4/A5 filling exactly size bytes. */
static bool decode(const uint8_t *p, uint32_t size, struct rep_op *op)
{
	bool rep = false, osize = false, rexw = false;
	uint32_t i = 0;

	for (; i < size; i++) {
		if (p[i] == 0xF3 && !rep)
			rep = true;
		else if (p[i] == 0x66 && !osize)
			osize = true;
		else
			break;
	}
	if (i < size && (p[i] & 0xF0) == 0x40) { /* REX, last before the opcode */
		rexw = p[i] & 0x08;
		i++;
	}
	if (!rep || i + 1 != size)
		return false;
	op->movs = p[i] == 0xA4 || p[i] == 0xA5;
	if (p[i] == 0xAA || p[i] == 0xA4)
		op->unit = 1;
	else if (p[i] == 0xAB || p[i] == 0xA5)
		op->unit = rexw ? 8 : osize ? 2 : 4;
	else
		return false;
	return true;
}

/* True when [addr, addr+len) overlaps memory the normal-world guard hides. */
static bool hidden(const struct mm_emu *e, uint64_t addr, uint64_t len)
{
	for (unsigned i = 0; i < e->nhidden; i++)
		if (addr < e->hidden[i].hi && e->hidden[i].lo < addr + len)
			return true;
	return false;
}

/* Host pointer of a plain-memory operand range, or NULL. */
static uint8_t *operand(struct mm_emu *e, uint64_t addr, uint64_t len)
{
	if (addr >= IDENTITY_LIMIT || len > IDENTITY_LIMIT - addr || hidden(e, addr, len))
		return NULL;
	return mm_emu_ptr(e, addr, len);
}

/*
 * Unicorn 2.0.1 hands an uc_mmio_map callback at most 4 bytes: a wider
 * access arrives as 4-byte accesses, lowest address first
 * (tests/emu/rep-string-test.c checks that both paths read alike).
 */
#define MMIO_ACCESS_MAX 4u

/*
 * MOVS from device memory: the engine would read each element from the bus
 * in accesses of up to MMIO_ACCESS_MAX bytes; so does this, in a host loop.
 * Only for aligned elements of a range one device claims, outside guest RAM.
 */
static bool mmio_copy(struct mm_emu *e, uint8_t *dst, uint64_t src, uint64_t len, unsigned unit)
{
	unsigned piece = unit < MMIO_ACCESS_MAX ? unit : MMIO_ACCESS_MAX;

	if ((src & (unit - 1)) || src >= IDENTITY_LIMIT || len > IDENTITY_LIMIT - src ||
	    hidden(e, src, len) || !mm_emu_mmio_claims(e->m, src, len))
		return false;
	for (uint64_t i = 0; i < len; i += piece) {
		uint64_t v = mm_io_read(e->m, MM_IO_MMIO, src + i, piece);

		memcpy(dst + i, &v, piece); /* little-endian: the access's low bytes */
	}
	return true;
}

bool mm_emu_rep_string(struct mm_emu *e, uint64_t addr, uint32_t size)
{
	int ids[] = { UC_X86_REG_RCX, UC_X86_REG_RDI, UC_X86_REG_RSI, UC_X86_REG_EFLAGS,
		      UC_X86_REG_CR3, UC_X86_REG_CS, UC_X86_REG_RAX, UC_X86_REG_CR0 };
	uint64_t rcx = 0, rdi = 0, rsi = 0, flags = 0, cr3 = 0, cs = 0, rax = 0, cr0 = 0;
	void *vals[] = { &rcx, &rdi, &rsi, &flags, &cr3, &cs, &rax, &cr0 };
	uc_x86_msr efer = { .rid = MSR_EFER };
	const uint8_t *code = mm_emu_ptr(e, addr, size);
	struct rep_op op;
	uint8_t *dst, *src = NULL;
	uint64_t len;

	if (!code || !decode(code, size, &op))
		return false;
	if (uc_reg_read_batch(e->uc, ids, vals, (int)(sizeof(ids) / sizeof(ids[0]))) ||
	    uc_reg_read(e->uc, UC_X86_REG_MSR, &efer))
		return false;
	if (!(efer.value & EFER_LMA) ||
	    ((cr0 & CR0_PG) && ((cs & 0xFFFF) != MM_SEL_CODE64 || cr3 != e->pt)) ||
	    (flags & EFLAGS_DF) || rcx == 0 || rcx > IDENTITY_LIMIT / op.unit)
		return false;
	len = rcx * op.unit;
	dst = operand(e, rdi, len);
	if (!dst || (rdi < addr + size && addr < rdi + len))
		return false;
	if (op.movs) {
		src = operand(e, rsi, len);
		if (src && rdi > rsi && rdi < rsi + len)
			return false;
		if (src)
			memmove(dst, src, len);
		else if (!mmio_copy(e, dst, rsi, len, op.unit))
			return false;
	} else if (op.unit == 1) {
		memset(dst, (int)(rax & 0xFF), len);
	} else {
		for (uint64_t i = 0; i < len; i += op.unit) /* little-endian element copies */
			memcpy(dst + i, &rax, op.unit);
	}
	uc_ctl_remove_cache(e->uc, rdi, rdi + len);
	rdi += len;
	rsi += op.movs ? len : 0;
	rcx = 0;
	uc_reg_write(e->uc, UC_X86_REG_RDI, &rdi);
	uc_reg_write(e->uc, UC_X86_REG_RCX, &rcx);
	if (op.movs)
		uc_reg_write(e->uc, UC_X86_REG_RSI, &rsi);
	e->rep_fast++;
	return true;
}
