/* SPDX-License-Identifier: MIT */
/*
 * Host -> emulated calls (emu/guest-call.c): arguments in registers and on
 * the stack, nesting through host services (depth >= 3), faults, hangs and
 * callouts becoming stop records, and the engine staying usable after them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <mmemu/run.h>
#include <mmemu/stop.h>

#include "core/call.h"
#include "guest-support.h"

/* RAX = sum of six arguments (four registers, two stack slots above the shadow space). */
static const uint8_t sum6[] = { 0x48, 0x89, 0xC8, 0x48, 0x01, 0xD0, 0x4C, 0x01, 0xC0,
				0x4C, 0x01, 0xC8, 0x48, 0x03, 0x44, 0x24, 0x28,
				0x48, 0x03, 0x44, 0x24, 0x30, 0xC3 };
static const uint8_t ud2[] = { 0x0F, 0x0B };
static const uint8_t spin[] = { 0xEB, 0xFE };
/* mov rax, [0x00000DEAD0000000]; ret */
static const uint8_t wild_read[] = { 0x48, 0xA1, 0x00, 0x00, 0x00, 0xD0, 0xEA, 0x0D, 0, 0,
				     0xC3 };

static int setup(void **state)
{
	*state = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

static void test_mm_emu_guest_call_six_args(void **state)
{
	struct mm_machine *m = *state;
	uint64_t fn = guest_code(m, "sum6", sum6, sizeof(sum6));
	const uint64_t args[6] = { 1, 20, 300, 4000, 50000, 600000 };
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, fn, 6, args, &ret), MM_OK);
	assert_int_equal(ret, 654321);
	assert_int_equal(mm_call(m, fn, 6, args, &ret), MM_OK); /* again: engine state restored */
	assert_int_equal(ret, 654321);
}

/* The nesting test's state: the guest function, the deepest level reached. */
static uint64_t nest_fn;
static unsigned nest_deepest;

/* Host service: n > 0 calls the guest again with n - 1; returns its result + 1. */
static uint64_t __attribute__((ms_abi)) host_nest(uint64_t n)
{
	struct mm_machine *m = mm_current();
	struct mm_emu_guest *g = m ? mm_emu_guest(m) : NULL;
	uint64_t arg = n - 1, r = 0;

	if (!g)
		return ~0ull;
	if (g->depth > nest_deepest)
		nest_deepest = g->depth;
	if (!n)
		return 100;
	if (mm_call(m, nest_fn, 1, &arg, &r))
		return ~0ull;
	return r + 1;
}

/* sub rsp,0x28; call [rip+6]; add rsp,0x28; ret; int3 x2; dq thunk */
static uint64_t nest_code(struct mm_machine *m, uint64_t thunk)
{
	uint8_t code[24] = { 0x48, 0x83, 0xEC, 0x28, 0xFF, 0x15, 0x06, 0, 0, 0, 0x48, 0x83,
			     0xC4, 0x28, 0xC3, 0xCC };

	memcpy(code + 16, &thunk, 8);
	return guest_code(m, "nest", code, sizeof(code));
}

static void test_mm_emu_guest_call_nesting(void **state)
{
	struct mm_machine *m = *state;
	struct mm_emu_guest *g = mm_emu_guest(m);
	uint64_t thunk, arg = 5, ret = 0;

	assert_non_null(g);
	thunk = mm_emu_thunk_get(g, (uint64_t)(uintptr_t)host_nest, true);
	assert_true(thunk != 0);
	nest_fn = nest_code(m, thunk);
	nest_deepest = 0;
	assert_int_equal(mm_call(m, nest_fn, 1, &arg, &ret), MM_OK);
	assert_int_equal(ret, 105);
	assert_int_equal(nest_deepest, 6); /* guest levels 5..0 */
	assert_int_equal(g->depth, 0);
}

/* A stop of kind, then the engine still runs a good call. */
static void expect_stop(struct mm_machine *m, const void *code, size_t len,
			enum mm_stop_kind kind)
{
	uint64_t fn = guest_code(m, "bad", code, len);
	uint64_t good = guest_code(m, "sum6", sum6, sizeof(sum6));
	const uint64_t args[6] = { 1, 1, 1, 1, 1, 1 };
	const struct mm_stop *s;
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, fn, 0, NULL, &ret), MM_ERR_STOPPED);
	s = mm_machine_stop(m);
	assert_non_null(s);
	assert_int_equal(s->kind, kind);
	assert_non_null(strstr(s->where, "bad"));
	mm_machine_clear_stop(m);
	assert_int_equal(mm_call(m, good, 6, args, &ret), MM_OK);
	assert_int_equal(ret, 6);
}

static void test_mm_emu_guest_call_fault(void **state)
{
	expect_stop(*state, ud2, sizeof(ud2), MM_STOP_FAULT);
}

static void test_mm_emu_guest_call_unmapped(void **state)
{
	expect_stop(*state, wild_read, sizeof(wild_read), MM_STOP_UNMAPPED);
}

static void test_mm_emu_guest_call_budget(void **state)
{
	expect_stop(*state, spin, sizeof(spin), MM_STOP_HANG);
}

/* Inside an SMI: the call jumps to normal RAM (a RET there): a callout. */
struct callout_run {
	uint64_t fn;
	enum mm_err err;
};

static void callout_entry(struct mm_machine *m, unsigned bsp, void *user)
{
	struct callout_run *r = user;
	uint64_t ret = 0;

	(void)bsp;
	r->err = mm_call(m, r->fn, 0, NULL, &ret);
}

static void test_mm_emu_guest_call_callout_fetch(void **state)
{
	struct mm_machine *m = *state;
	uint8_t code[12] = { 0x48, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xE0 }; /* mov rax; jmp rax */
	uint64_t ram = 0;
	struct callout_run r = { 0 };
	const struct mm_stop *s;

	assert_int_equal(mm_page_alloc(m, &m->ram, AllocateAnyPages, EfiBootServicesCode, 1, &ram,
				       true),
			 MM_OK);
	*(uint8_t *)(uintptr_t)ram = 0xC3;
	memcpy(code + 2, &ram, 8);
	r.fn = guest_code(m, "jumper", code, sizeof(code));
	assert_int_equal(mm_emu_set_entry(m, callout_entry, &r), MM_OK);
	assert_int_equal(mm_emu_smi(m, 0), MM_OK);
	assert_int_equal(r.err, MM_ERR_STOPPED);
	s = mm_machine_stop(m);
	assert_non_null(s);
	assert_int_equal(s->kind, MM_STOP_CALLOUT);
	assert_int_equal(s->rip, ram);
	/* outside SMM the same jump is no callout (initialization runs anywhere) */
	mm_machine_clear_stop(m);
	assert_int_equal(mm_emu_set_entry(m, NULL, NULL), MM_OK);
	assert_int_equal(mm_call(m, r.fn, 0, NULL, NULL), MM_OK);
	assert_null(mm_machine_stop(m));
}

/* MmStartupThisAp with an emulated procedure: it runs on the AP's context. */
struct ap_run {
	uint64_t fn, slot;
	enum mm_err err;
};

static void ap_entry(struct mm_machine *m, unsigned bsp, void *user)
{
	struct ap_run *r = user;

	r->err = m->cpus.model->startup_ap(m, bsp == 0 ? 1 : 0, r->fn, r->slot);
}

static void test_mm_emu_guest_call_startup_ap(void **state)
{
	/* mov qword [rcx], 0x1234; ret */
	static const uint8_t store[] = { 0x48, 0xC7, 0x01, 0x34, 0x12, 0, 0, 0xC3 };
	struct ap_run r = { .err = MM_ERR_STATE };
	struct mm_machine *m;

	mm_machine_destroy(*state);
	m = emu_machine_layout(2, MM_SAVE_STATE_INTEL64);
	*state = m;
	r.fn = guest_code(m, "ap-proc", store, sizeof(store));
	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 1,
				       &r.slot, true),
			 MM_OK);
	assert_int_equal(mm_emu_set_entry(m, ap_entry, &r), MM_OK);
	assert_int_equal(mm_emu_smi(m, 0), MM_OK);
	assert_int_equal(r.err, MM_OK);
	assert_int_equal(*(uint64_t *)(uintptr_t)r.slot, 0x1234);
	/* a second SMI on the fast path takes the light path: same result */
	*(uint64_t *)(uintptr_t)r.slot = 0;
	assert_int_equal(mm_emu_set_fast_path(m, true), MM_OK);
	assert_int_equal(mm_emu_smi(m, 0), MM_OK);
	assert_int_equal(mm_emu_smi(m, 0), MM_OK);
	assert_int_equal(r.err, MM_OK);
	assert_int_equal(*(uint64_t *)(uintptr_t)r.slot, 0x1234);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mm_emu_guest_call_six_args), T(test_mm_emu_guest_call_nesting),
		T(test_mm_emu_guest_call_fault),    T(test_mm_emu_guest_call_unmapped),
		T(test_mm_emu_guest_call_budget),   T(test_mm_emu_guest_call_callout_fetch),
		T(test_mm_emu_guest_call_startup_ap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
