/* SPDX-License-Identifier: MIT */
/* Tests of core/sw-dispatch.c: EFI_MM_SW_DISPATCH_PROTOCOL and the SW child dispatcher. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

#define U(x) ((uint64_t)(uintptr_t)(x))

/* What a child saw; also steers it. */
struct child {
	unsigned calls;
	EFI_HANDLE handle;
	EFI_MM_SW_REGISTER_CONTEXT *reg;
	EFI_MM_SW_CONTEXT ctx;
	void *ctx_ptr;
	UINTN size;
	UINTN *size_ptr;
	bool unregister_self;
	EFI_STATUS unregister_status;
	EFI_STATUS status;
};

static struct child *child_of(struct mm_machine *m)
{
	return mm_extension_get(m, "test-child");
}

static EFI_STATUS EFIAPI child(EFI_HANDLE DispatchHandle, CONST VOID *Context, VOID *CommBuffer,
			       UINTN *CommBufferSize)
{
	struct mm_machine *m = mm_current();
	struct child *c = child_of(m);

	c->calls++;
	c->handle = DispatchHandle;
	c->reg = (EFI_MM_SW_REGISTER_CONTEXT *)Context;
	memcpy(&c->ctx, CommBuffer, sizeof(c->ctx));
	c->ctx_ptr = CommBuffer;
	c->size = *CommBufferSize;
	c->size_ptr = CommBufferSize;
	if (c->unregister_self)
		c->unregister_status = m->sw.protocol->UnRegister(m->sw.protocol, DispatchHandle);
	return c->status;
}

static EFI_STATUS EFIAPI other_child(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				     VOID *CommBuffer, UINTN *CommBufferSize)
{
	(void)DispatchHandle, (void)Context, (void)CommBuffer, (void)CommBufferSize;
	return EFI_WARN_INTERRUPT_SOURCE_QUIESCED;
}

static void free_data(struct mm_machine *m, void *data)
{
	(void)m;
	free(data);
}

static int setup(void **state)
{
	struct mm_machine *m = NULL;
	struct child *c = calloc(1, sizeof(*c));
	char err[256] = "";

	assert_non_null(c);
	if (mm_core_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_core_create: %s", err);
	assert_int_equal(mm_extension_add(m, "test-child", free_data, c), MM_OK);
	mm_log_set_mask(m, 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* Calls Register as a driver does (through mm_call, so the service finds its machine). */
static EFI_STATUS sw_register(struct mm_machine *m, void *fn, EFI_MM_SW_REGISTER_CONTEXT *ctx,
			      EFI_HANDLE *h)
{
	uint64_t args[4] = { U(m->sw.protocol), U(fn), U(ctx), U(h) }, ret = 0;

	assert_int_equal(mm_call(m, U(m->sw.protocol->Register), 4, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static EFI_STATUS sw_unregister(struct mm_machine *m, EFI_HANDLE h)
{
	uint64_t args[2] = { U(m->sw.protocol), U(h) }, ret = 0;

	assert_int_equal(mm_call(m, U(m->sw.protocol->UnRegister), 2, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static void test_mm_sw_dispatch_init_protocol(void **state)
{
	struct mm_machine *m = *state;
	void *iface = NULL;

	assert_int_equal(mm_locate_protocol(m, &m->mmdb, &gEfiMmSwDispatchProtocolGuid, NULL,
					    &iface),
			 EFI_SUCCESS);
	assert_ptr_equal(iface, m->sw.protocol);
	assert_true(mm_mem_inside_smram(m, U(iface), sizeof(EFI_MM_SW_DISPATCH_PROTOCOL)));
	assert_int_equal(m->sw.protocol->MaximumSwiValue, 0xff);
	assert_true(mm_mem_inside_smram(m, U(m->sw.context), sizeof(EFI_MM_SW_CONTEXT)));
}

static void test_SwRegister_explicit_value(void **state)
{
	struct mm_machine *m = *state;
	struct child *c = child_of(m);
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x42 };
	EFI_HANDLE h = NULL;

	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
	assert_non_null(h);
	assert_int_equal(ctx.SwMmiInputValue, 0x42);
	c->status = EFI_SUCCESS;
	assert_int_equal(mm_sw_dispatch_run(m, 0x42, 0x07, 1), EFI_SUCCESS);
	assert_int_equal(c->calls, 1);
	assert_ptr_equal(c->handle, h);
	assert_int_equal(c->ctx.SwMmiCpuIndex, 1);
	assert_int_equal(c->ctx.CommandPort, 0x42);
	assert_int_equal(c->ctx.DataPort, 0x07);
	assert_int_equal(c->size, sizeof(EFI_MM_SW_CONTEXT));
	/* what the child gets lives in SMRAM, not in the caller's memory */
	assert_ptr_not_equal(c->reg, &ctx);
	assert_true(mm_mem_inside_smram(m, U(c->reg), sizeof(*c->reg)));
	assert_int_equal(c->reg->SwMmiInputValue, 0x42);
	assert_true(mm_mem_inside_smram(m, U(c->ctx_ptr), sizeof(EFI_MM_SW_CONTEXT)));
	assert_true(mm_mem_inside_smram(m, U(c->size_ptr), sizeof(UINTN)));
	/* other values have no child */
	assert_int_equal(mm_sw_dispatch_run(m, 0x43, 0, 0), EFI_NOT_FOUND);
	assert_int_equal(c->calls, 1);
}

static void test_SwRegister_duplicate(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x42 };
	EFI_HANDLE h1 = NULL, h2 = NULL;

	assert_int_equal(sw_register(m, child, &ctx, &h1), EFI_SUCCESS);
	assert_int_equal(sw_register(m, other_child, &ctx, &h2), EFI_INVALID_PARAMETER);
	assert_null(h2);
	assert_int_equal(m->sw.count, 1);
}

static void test_SwRegister_max(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x100 };
	EFI_HANDLE h = NULL;

	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_INVALID_PARAMETER);
	ctx.SwMmiInputValue = (UINTN)-2;
	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_INVALID_PARAMETER);
	ctx.SwMmiInputValue = 0xff;
	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
	ctx.SwMmiInputValue = 0;
	assert_int_equal(sw_register(m, other_child, &ctx, &h), EFI_SUCCESS); /* 0 is a value too */
	assert_int_equal(mm_sw_dispatch_run(m, 0, 0, 0), EFI_WARN_INTERRUPT_SOURCE_QUIESCED);
}

static void test_SwRegister_auto_pick(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx;
	EFI_HANDLE h[4] = { NULL };

	ctx.SwMmiInputValue = (UINTN)-1;
	assert_int_equal(sw_register(m, child, &ctx, &h[0]), EFI_SUCCESS);
	assert_int_equal(ctx.SwMmiInputValue, 1);
	ctx.SwMmiInputValue = (UINTN)-1;
	assert_int_equal(sw_register(m, child, &ctx, &h[1]), EFI_SUCCESS);
	assert_int_equal(ctx.SwMmiInputValue, 2);
	ctx.SwMmiInputValue = 3;
	assert_int_equal(sw_register(m, child, &ctx, &h[2]), EFI_SUCCESS);
	ctx.SwMmiInputValue = (UINTN)-1;
	assert_int_equal(sw_register(m, child, &ctx, &h[3]), EFI_SUCCESS);
	assert_int_equal(ctx.SwMmiInputValue, 4);
	/* a freed value is picked again, lowest first */
	assert_int_equal(sw_unregister(m, h[0]), EFI_SUCCESS);
	ctx.SwMmiInputValue = (UINTN)-1;
	assert_int_equal(sw_register(m, child, &ctx, &h[0]), EFI_SUCCESS);
	assert_int_equal(ctx.SwMmiInputValue, 1);
}

static void test_SwRegister_auto_exhausted(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx;
	EFI_HANDLE h = NULL;

	for (unsigned v = 1; v <= 0xff; v++) {
		ctx.SwMmiInputValue = (UINTN)-1;
		assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
		assert_int_equal(ctx.SwMmiInputValue, v);
	}
	ctx.SwMmiInputValue = (UINTN)-1;
	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_OUT_OF_RESOURCES);
	assert_int_equal(ctx.SwMmiInputValue, (UINTN)-1);
	assert_int_equal(m->sw.count, 0xff);
}

static void test_SwRegister_null_args(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x10 };
	EFI_HANDLE h = NULL;

	assert_int_equal(sw_register(m, NULL, &ctx, &h), EFI_INVALID_PARAMETER);
	assert_int_equal(sw_register(m, child, NULL, &h), EFI_INVALID_PARAMETER);
	assert_int_equal(sw_register(m, child, &ctx, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(m->sw.count, 0);
}

static void test_SwUnRegister_unknown(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x10 };
	EFI_HANDLE h = NULL;
	int junk;

	assert_int_equal(sw_unregister(m, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(sw_unregister(m, &junk), EFI_INVALID_PARAMETER);
	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
	assert_int_equal(sw_unregister(m, h), EFI_SUCCESS);
	assert_int_equal(mm_sw_dispatch_run(m, 0x10, 0, 0), EFI_NOT_FOUND);
	assert_int_equal(m->sw.count, 0);
	assert_null(m->sw.entries);
}

static void test_SwUnRegister_during_dispatch(void **state)
{
	struct mm_machine *m = *state;
	struct child *c = child_of(m);
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x20 };
	EFI_HANDLE h = NULL;

	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
	c->unregister_self = true;
	c->status = EFI_SUCCESS;
	assert_int_equal(mm_sw_dispatch_run(m, 0x20, 0, 0), EFI_SUCCESS);
	assert_int_equal(c->unregister_status, EFI_SUCCESS);
	assert_int_equal(c->calls, 1);
	assert_null(m->sw.entries); /* swept after the dispatch */
	assert_false(m->sw.pending_removal);
	assert_int_equal(mm_sw_dispatch_run(m, 0x20, 0, 0), EFI_NOT_FOUND);
	/* the value is free again */
	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
}

static void test_SwRegister_after_ready_to_lock(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x30 };
	EFI_HANDLE h = NULL;
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	mm_test_log_attach(m, log, MM_LOG_LOCK | MM_LOG_MMI);
	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
	assert_true(mm_test_log_contains(log, "after ReadyToLock"));
	assert_int_equal(mm_sw_dispatch_run(m, 0x30, 0, 0), EFI_SUCCESS);
	free(log);
}

static void test_mm_sw_dispatch_run_status(void **state)
{
	struct mm_machine *m = *state;
	struct child *c = child_of(m);
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x50 };
	EFI_HANDLE h = NULL;

	assert_int_equal(sw_register(m, child, &ctx, &h), EFI_SUCCESS);
	c->status = EFI_DEVICE_ERROR;
	assert_int_equal(mm_sw_dispatch_run(m, 0x50, 0, 0), EFI_DEVICE_ERROR);
	/* a child that scribbles on its RegisterContext does not change its value */
	c->status = EFI_SUCCESS;
	assert_int_equal(mm_sw_dispatch_run(m, 0x50, 0, 0), EFI_SUCCESS);
	c->reg->SwMmiInputValue = 0x99;
	assert_int_equal(mm_sw_dispatch_run(m, 0x50, 0, 0), EFI_SUCCESS);
	assert_int_equal(c->calls, 3);
	assert_int_equal(c->reg->SwMmiInputValue, 0x50);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_sw_dispatch_init_protocol),
		T(test_SwRegister_explicit_value),
		T(test_SwRegister_duplicate),
		T(test_SwRegister_max),
		T(test_SwRegister_auto_pick),
		T(test_SwRegister_auto_exhausted),
		T(test_SwRegister_null_args),
		T(test_SwUnRegister_unknown),
		T(test_SwUnRegister_during_dispatch),
		T(test_SwRegister_after_ready_to_lock),
		T(test_mm_sw_dispatch_run_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
