/* SPDX-License-Identifier: MIT */
/*
 * REP STOS/MOVS done on the host (emu/rep-string.c): every case runs the
 * same guest code twice on the same memory, once with the host path allowed
 * and once with Unicorn doing every element (a memory watcher present), and
 * must leave the same bytes and registers. The cases the host path takes
 * must have been taken (rep_fast grew); the ones it must refuse (DF = 1, a
 * MOVS destination inside its source, a watcher, the oracles' hooks) must not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <mmemu/oracle.h>
#include <mmemu/snapshot.h>

#include "core/io.h"
#include "emu/model.h"
#include "guest-support.h"

#define BUF_PAGES 4
#define BUF_SIZE (BUF_PAGES * EFI_PAGE_SIZE)
#define DEV_BASE 0xFE000000ull
#define DEV_SIZE 0x10000ull

/*
 * f(dst, src_or_value, count, out): RDI = dst, RSI = RAX = src_or_value,
 * RCX = count, the REP instruction (OP bytes, patched in), then out[0..2] =
 * RDI, RSI, RCX. RDI and RSI are saved (callee-saved in the MS x64 ABI).
 */
#define OP_AT 17
static const uint8_t body[] = {
	0x57,                   /* push rdi */
	0x56,                   /* push rsi */
	0x48, 0x89, 0xCF,       /* mov rdi, rcx */
	0x48, 0x89, 0xD6,       /* mov rsi, rdx */
	0x48, 0x89, 0xD0,       /* mov rax, rdx */
	0x4C, 0x89, 0xC1,       /* mov rcx, r8 */
	0x90, 0x90, 0x90,       /* (std or nops) */
	0x90, 0x90, 0x90,       /* OP_AT: the REP instruction, nop-padded */
	0xFC,                   /* cld */
	0x49, 0x89, 0x39,       /* mov [r9], rdi */
	0x49, 0x89, 0x71, 0x08, /* mov [r9+8], rsi */
	0x49, 0x89, 0x49, 0x10, /* mov [r9+16], rcx */
	0x5E,                   /* pop rsi */
	0x5F,                   /* pop rdi */
	0xC3,                   /* ret */
};

struct fixture {
	struct mm_machine *m;
	struct mm_emu *e;
	uint8_t *buf;      /* BUF_SIZE bytes of RAM */
	uint64_t buf_addr;
	uint64_t dev_reads;
};

/* Device memory: each byte reads as the low byte of its address, mixed. */
static uint64_t dev_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct fixture *f = user;
	uint64_t v = 0;

	(void)m;
	f->dev_reads++;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(uint8_t)((addr + i) * 7 + 3) << (8 * i);
	return v;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	f->e = mm_emu_get(f->m);
	assert_non_null(f->e);
	assert_int_equal(mm_page_alloc(f->m, &f->m->ram, AllocateAnyPages, EfiBootServicesData,
				       BUF_PAGES, &f->buf_addr, true),
			 MM_OK);
	f->buf = (uint8_t *)(uintptr_t)f->buf_addr;
	assert_int_equal(mm_io_add(f->m, MM_IO_MMIO, DEV_BASE, DEV_SIZE, dev_read, NULL, f, "dev"),
			 MM_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_machine_destroy(f->m);
	free(f);
	return 0;
}

/* The guest function with op (up to 3 bytes) and, with down, STD before it. */
static uint64_t make_fn(struct fixture *f, const uint8_t *op, size_t oplen, bool down)
{
	uint8_t code[sizeof(body)];

	memcpy(code, body, sizeof(code));
	memcpy(code + OP_AT, op, oplen);
	if (down)
		code[OP_AT - 1] = 0xFD; /* std */
	return guest_code(f->m, "rep", code, sizeof(code));
}

/* Fills the buffer with a fixed pattern. */
static void pattern(struct fixture *f)
{
	for (size_t i = 0; i < BUF_SIZE; i++)
		f->buf[i] = (uint8_t)(i * 13 + 5);
}

struct outcome {
	uint8_t mem[BUF_SIZE];
	uint64_t regs[3]; /* RDI, RSI, RCX after the instruction */
	uint64_t fast;    /* instructions the host did */
	uint64_t dev_reads;
};

/* Runs fn once from the pattern; with watched, as if a memory hook were installed. */
static void run(struct fixture *f, uint64_t fn, uint64_t dst, uint64_t src, uint64_t count,
		bool watched, struct outcome *o)
{
	uint64_t out_addr = f->buf_addr + BUF_SIZE - 32; /* outside every operand below */
	uint64_t args[4] = { dst, src, count, out_addr }, ret = 0, fast = f->e->rep_fast;

	pattern(f);
	f->dev_reads = 0;
	f->e->mem_watchers += watched;
	assert_int_equal(mm_call(f->m, fn, 4, args, &ret), MM_OK);
	f->e->mem_watchers -= watched;
	memcpy(o->mem, f->buf, BUF_SIZE - 32);
	memcpy(o->regs, f->buf + BUF_SIZE - 32, sizeof(o->regs));
	o->fast = f->e->rep_fast - fast;
	o->dev_reads = f->dev_reads;
}

/* Both runs agree; returns whether the host path took the instruction. */
static bool same_both_ways(struct fixture *f, const uint8_t *op, size_t oplen, bool down,
			   uint64_t dst, uint64_t src, uint64_t count)
{
	uint64_t fn = make_fn(f, op, oplen, down);
	struct outcome *fast = calloc(1, sizeof(*fast)), *slow = calloc(1, sizeof(*slow));
	bool took;

	assert_non_null(fast);
	assert_non_null(slow);
	run(f, fn, dst, src, count, false, fast);
	run(f, fn, dst, src, count, true, slow);
	assert_int_equal(slow->fast, 0);
	assert_memory_equal(fast->mem, slow->mem, BUF_SIZE - 32);
	assert_int_equal(fast->regs[0], slow->regs[0]);
	assert_int_equal(fast->regs[1], slow->regs[1]);
	assert_int_equal(fast->regs[2], slow->regs[2]);
	assert_int_equal(fast->dev_reads, slow->dev_reads);
	took = fast->fast > 0;
	free(fast);
	free(slow);
	return took;
}

static const uint8_t stosb[] = { 0xF3, 0xAA };
static const uint8_t stosw[] = { 0x66, 0xF3, 0xAB };
static const uint8_t stosd[] = { 0xF3, 0xAB };
static const uint8_t stosq[] = { 0xF3, 0x48, 0xAB };
static const uint8_t movsb[] = { 0xF3, 0xA4 };
static const uint8_t movsd[] = { 0xF3, 0xA5 };
static const uint8_t movsq[] = { 0xF3, 0x48, 0xA5 };

static void test_mm_emu_rep_string_stos_every_size(void **state)
{
	struct fixture *f = *state;
	uint64_t d = f->buf_addr + 3; /* unaligned, crossing pages */

	assert_true(same_both_ways(f, stosb, sizeof(stosb), false, d, 0xAB, 5000));
	assert_true(same_both_ways(f, stosw, sizeof(stosw), false, d, 0x1234, 1001));
	assert_true(same_both_ways(f, stosd, sizeof(stosd), false, d, 0xDEADBEEF, 999));
	assert_true(same_both_ways(f, stosq, sizeof(stosq), false, d, 0x1122334455667788ull, 700));
}

static void test_mm_emu_rep_string_movs(void **state)
{
	struct fixture *f = *state;
	uint64_t b = f->buf_addr;

	assert_true(same_both_ways(f, movsb, sizeof(movsb), false, b + 8000, b + 1, 5000));
	assert_true(same_both_ways(f, movsd, sizeof(movsd), false, b + 9000, b + 4, 1000));
	/* destination below an overlapping source: a forward copy is a memmove */
	assert_true(same_both_ways(f, movsb, sizeof(movsb), false, b + 100, b + 103, 3000));
}

static void test_mm_emu_rep_string_refuses_what_differs(void **state)
{
	struct fixture *f = *state;
	uint64_t b = f->buf_addr;

	/*
	 * destination inside its source, down to the last element: the forward
	 * copy repeats the first bytes
	 */
	assert_false(same_both_ways(f, movsq, sizeof(movsq), false, b + 104, b + 100, 500));
	/* DF = 1: downwards */
	assert_false(same_both_ways(f, stosb, sizeof(stosb), true, b + 6000, 0x5A, 3000));
	assert_false(same_both_ways(f, movsb, sizeof(movsb), true, b + 9000, b + 4000, 3000));
	/* nothing to do */
	assert_false(same_both_ways(f, stosb, sizeof(stosb), false, b, 0x11, 0));
}

static void test_mm_emu_rep_string_movs_from_device(void **state)
{
	struct fixture *f = *state;

	/* the same reads of the same sizes reach the device, one per element */
	assert_true(same_both_ways(f, movsq, sizeof(movsq), false, f->buf_addr + 16, DEV_BASE + 64,
				   1000));
	assert_true(same_both_ways(f, movsb, sizeof(movsb), false, f->buf_addr + 16, DEV_BASE + 3,
				   777));
}

/* The oracles' memory hooks must see every element: no host path under them. */
static void test_mm_emu_rep_string_off_under_oracles(void **state)
{
	struct fixture *f = *state;
	uint64_t fn = make_fn(f, stosb, sizeof(stosb), false);
	struct outcome *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	run(f, fn, f->buf_addr + 10, 0x77, 2000, false, o);
	assert_int_equal(o->fast, 1);
	assert_int_equal(mm_oracle_enable(f->m, MM_ORACLE_ALL), MM_OK);
	assert_true(f->e->mem_watchers > 0);
	run(f, fn, f->buf_addr + 10, 0x77, 2000, false, o);
	assert_int_equal(o->fast, 0);
	assert_int_equal(o->regs[2], 0);
	assert_int_equal(o->mem[10], 0x77);
	assert_int_equal(o->mem[2009], 0x77);
	assert_int_not_equal(o->mem[2010], 0x77);
	free(o);
}

/*
 * Snapshots, in both modes: a restore puts back what the instruction wrote.
 * With a write hook (mode "hook") the host path stays off, also after a
 * restore, which puts back the model's state but not its hooks; with write
 * protection (mode "protect") it stays on, and its stores fault like a
 * native driver's.
 */
static void snapshot_round_trips(struct fixture *f, const char *mode, bool host_path)
{
	uint64_t fn = make_fn(f, stosb, sizeof(stosb), false);
	struct mm_snapshot *snap = NULL;

	assert_int_equal(setenv("MMEMU_SNAP_TRACK", mode, 1), 0);
	pattern(f);
	assert_int_equal(mm_snapshot_take(f->m, &snap), MM_OK);
	for (int round = 0; round < 2; round++) {
		uint64_t args[4] = { f->buf_addr + 10, 0x77, 2000, f->buf_addr + BUF_SIZE - 32 };
		uint64_t ret = 0, fast = f->e->rep_fast;

		assert_int_equal(mm_call(f->m, fn, 4, args, &ret), MM_OK);
		assert_int_equal(f->e->rep_fast - fast, host_path ? 1 : 0);
		assert_int_equal(f->buf[500], 0x77);
		assert_int_equal(mm_snapshot_restore(f->m, snap), MM_OK);
		assert_int_equal(f->buf[500], (uint8_t)(500 * 13 + 5));
		assert_int_equal(f->buf[2009], (uint8_t)(2009 * 13 + 5));
	}
	mm_snapshot_free(snap);
	unsetenv("MMEMU_SNAP_TRACK");
}

static void test_mm_emu_rep_string_off_under_snapshot_hook(void **state)
{
	snapshot_round_trips(*state, "hook", false);
}

static void test_mm_emu_rep_string_under_snapshot_protect(void **state)
{
	snapshot_round_trips(*state, "protect", true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_stos_every_size, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_movs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_refuses_what_differs, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_movs_from_device, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_off_under_oracles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_off_under_snapshot_hook,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_emu_rep_string_under_snapshot_protect,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
