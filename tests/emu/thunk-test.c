/* SPDX-License-Identifier: MIT */
/*
 * Thunks (emu/thunk.c): one per host function and side, an indirect jump a
 * native caller can take, the MMST and boot services pointing at them (SMRAM
 * and RAM sides), emulated code calling a Foundation service through the
 * MMST, a boot service called by emulated code after ReadyToLock being
 * a callout, and a native driver's protocol member called by emulated code.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/memory.h>
#include <mmemu/run.h>
#include <mmemu/stop.h>

#include "core/call.h"
#include "core/machine.h"
#include "guest-support.h"
#include "tests/drivers/sample.h"

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

static uint64_t __attribute__((ms_abi)) host_twice(uint64_t x)
{
	return 2 * x;
}

static uint64_t __attribute__((ms_abi)) host_plus(uint64_t x)
{
	return x + 7;
}

typedef uint64_t(__attribute__((ms_abi)) *fn1)(uint64_t);

static void test_mm_emu_thunk_get_unique(void **state)
{
	struct mm_machine *m = *state;
	struct mm_emu_guest *g = mm_emu_guest(m);
	uint64_t a, b, c, r;
	const uint8_t *p;

	assert_non_null(g);
	a = mm_emu_thunk_get(g, (uint64_t)(uintptr_t)host_twice, true);
	b = mm_emu_thunk_get(g, (uint64_t)(uintptr_t)host_plus, true);
	c = mm_emu_thunk_get(g, (uint64_t)(uintptr_t)host_twice, false);
	assert_int_equal(mm_emu_thunk_get(g, (uint64_t)(uintptr_t)host_twice, true), a);
	assert_true(a != b && a != c);
	assert_true(mm_mem_inside_smram(m, a, MM_THUNK_SIZE));
	assert_false(mm_mem_inside_smram(m, c, MM_THUNK_SIZE));
	assert_int_equal(mm_emu_thunk_target(g, b), (uint64_t)(uintptr_t)host_plus);
	assert_int_equal(mm_emu_thunk_target(g, a + 1), 0);
	p = (const uint8_t *)(uintptr_t)a;
	assert_int_equal(p[0], 0xFF);
	assert_int_equal(p[1], 0x25);
	/* a native caller jumps through it */
	r = ((fn1)(uintptr_t)b)(5);
	assert_int_equal(r, 12);
}

static void test_mm_emu_thunk_refresh_tables(void **state)
{
	struct mm_machine *m = *state;
	struct mm_emu_guest *g = mm_emu_guest(m);
	uint64_t pool = (uint64_t)(uintptr_t)m->mmst->MmAllocatePool;
	uint64_t read = (uint64_t)(uintptr_t)m->cpus.protocol->ReadSaveState;

	assert_non_null(g);
	assert_true(mm_mem_inside_smram(m, pool, MM_THUNK_SIZE));
	assert_int_equal(mm_emu_thunk_target(g, pool), (uint64_t)(uintptr_t)MmAllocatePool);
	assert_int_equal(mm_emu_thunk_target(g, read), (uint64_t)(uintptr_t)MmReadSaveState);
	assert_int_equal(mm_emu_thunk_refresh(m), MM_OK); /* idempotent */
	assert_int_equal((uint64_t)(uintptr_t)m->mmst->MmAllocatePool, pool);
}

/* Emulated code calls MmAllocatePool through the MMST member (the SMRAM thunk). */
static void test_mm_emu_thunk_emulated_caller(void **state)
{
	struct mm_machine *m = *state;
	uint64_t tramp = guest_code(m, "tramp", guest_trampoline, sizeof(guest_trampoline));
	uint64_t slot = 0, ret = 1, args[4];
	struct mm_emu_guest *g = mm_emu_guest(m);
	uint64_t calls = g->host_calls;

	assert_int_equal(mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesData, 1,
				       &slot, true),
			 MM_OK);
	args[0] = (uint64_t)(uintptr_t)m->mmst->MmAllocatePool;
	args[1] = EfiRuntimeServicesData;
	args[2] = 64;
	args[3] = slot;
	assert_int_equal(mm_call(m, tramp, 4, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	assert_true(mm_mem_inside_smram(m, *(uint64_t *)(uintptr_t)slot, 64));
	assert_int_equal(g->host_calls, calls + 1);
}

/* After ReadyToLock, a boot service called by emulated code is a callout. */
static void test_mm_emu_thunk_boot_service_callout(void **state)
{
	struct mm_platform p;
	struct mm_machine *m;
	char err[256];
	uint64_t tramp, args[2], ret = 0;
	const struct mm_stop *s;

	(void)state;
	mm_machine_destroy(*state);
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_UNICORN;
	p.init_model = MM_INIT_DXE;
	p.instruction_budget = 100000;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("create: %s", err);
	*state = m;
	if (!mm_extension_get(m, "emu"))
		assert_int_equal(mm_emu_attach(m), MM_OK);
	assert_int_equal(mm_dxe_create(m), MM_OK);
	assert_non_null(mm_emu_guest(m));
	assert_int_equal(mm_emu_thunk_refresh(m), MM_OK);
	assert_false(mm_mem_inside_smram(m, (uint64_t)(uintptr_t)m->dxe.bs->Stall, 16));
	tramp = guest_code(m, "caller", guest_trampoline, sizeof(guest_trampoline));
	args[0] = (uint64_t)(uintptr_t)m->dxe.bs->Stall;
	args[1] = 1;
	assert_int_equal(mm_call(m, tramp, 2, args, &ret), MM_OK); /* before the lock: fine */
	assert_int_equal(ret, EFI_SUCCESS);
	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	assert_int_equal(mm_call(m, tramp, 2, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_ACCESS_DENIED);
	s = mm_machine_stop(m);
	assert_non_null(s);
	assert_int_equal(s->kind, MM_STOP_CALLOUT);
}

/*
 * An emulated driver calls a protocol member a native driver installed: the
 * PE GUID handler uses SAMPLE_PROTOCOL.Add of the native sample producer,
 * whose member now points at a thunk in SMRAM.
 */
static void test_mm_emu_thunk_refresh_native_protocol(void **state)
{
	struct mm_machine *m = *state;
	const char *pe = MMEMU_BINARY_DIR "/tests/drivers/pe/pe-sample-guid-handler.efi";
	const EFI_GUID guid = SAMPLE_HANDLER_GUID, proto_guid = SAMPLE_PROTOCOL_GUID;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = 40, .B = 2, .Status = 1 };
	uint64_t len = sizeof(msg), status = 1;
	SAMPLE_PROTOCOL *proto = NULL;

	if (access(pe, R_OK))
		skip(); /* no clang/lld-link: no PE images */
	assert_int_equal(mm_driver_load_native(m, MMEMU_TEST_DRIVER_DIR "/sample-producer.so", NULL),
			 MM_OK);
	assert_int_equal(mm_driver_load_image(m, pe, SAMPLE_PROTOCOL_GUID_STR, NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	if (mm_communicate_msg(m, (const uint8_t *)&guid, &msg, sizeof(msg), 0, &msg, &len,
			       &status))
		fail_msg("communicate: %s", mm_machine_error(m));
	assert_int_equal(status, EFI_SUCCESS);
	assert_int_equal(msg.Status, EFI_SUCCESS);
	assert_int_equal(msg.Result, 42);
	/* the member is a thunk now, and still works for native callers */
	mm_current_machine = m; /* the test acts as driver code */
	assert_int_equal(m->mmst->MmLocateProtocol((EFI_GUID *)&proto_guid, NULL, (VOID **)&proto),
			 EFI_SUCCESS);
	mm_current_machine = NULL;
	assert_true(mm_mem_inside_smram(m, (uint64_t)(uintptr_t)proto->Add, MM_THUNK_SIZE));
	msg.Result = 0;
	assert_int_equal(proto->Add(1, 2, &msg.Result), EFI_SUCCESS);
	assert_int_equal(msg.Result, 3);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_mm_emu_thunk_get_unique),
		T(test_mm_emu_thunk_refresh_tables),
		T(test_mm_emu_thunk_emulated_caller),
		T(test_mm_emu_thunk_boot_service_callout),
		T(test_mm_emu_thunk_refresh_native_protocol),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
