/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/mmi.c: the dispatch rules of core/mmi.h (result combination,
 * deferred unregistration, nesting bound) and the EFIAPI services.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "core/mmi.h"
#include "support.h"

static const EFI_GUID type_a = { 0xa0a0a0a0, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static const EFI_GUID type_b = { 0xb0b0b0b0, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };

#define NHANDLERS 3

/* What the handlers of one test do, passed to them as the MMI Context. */
struct script {
	EFI_STATUS status[NHANDLERS]; /* what handler i returns */
	int calls[64];                 /* indexes of the handlers called, in order */
	int ncalls;
	EFI_HANDLE handles[NHANDLERS]; /* dispatch handles of the handlers */
	EFI_HANDLE seen_handle[NHANDLERS];
	void *seen_buffer;
	UINTN *seen_size;
	EFI_STATUS inner;              /* status of a nested MmiManage */
	unsigned recursion;            /* how many times the recursive handler ran */
	EFI_STATUS deepest;            /* the status the innermost recursion got */
};

static int setup(void **state)
{
	*state = mm_test_machine();
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* Records handler i being called and returns its scripted status. */
static EFI_STATUS record(int i, EFI_HANDLE h, CONST VOID *context, VOID *buf, UINTN *size)
{
	struct script *s = (struct script *)context;

	s->calls[s->ncalls++] = i;
	s->seen_handle[i] = h;
	s->seen_buffer = buf;
	s->seen_size = size;
	return s->status[i];
}

static EFI_STATUS EFIAPI h0(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	return record(0, h, c, b, n);
}

static EFI_STATUS EFIAPI h1(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	return record(1, h, c, b, n);
}

static EFI_STATUS EFIAPI h2(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	return record(2, h, c, b, n);
}

static EFI_MM_HANDLER_ENTRY_POINT const handlers[NHANDLERS] = { h0, h1, h2 };

/* Registers h0, h1, h2 for type in that order. */
static void register_all(struct mm_machine *m, struct script *s, const EFI_GUID *type)
{
	for (int i = 0; i < NHANDLERS; i++)
		assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)handlers[i], type,
						 &s->handles[i]),
				 MM_OK);
}

static const EFI_STATUS statuses[] = {
	EFI_SUCCESS,
	EFI_INTERRUPT_PENDING,
	EFI_WARN_INTERRUPT_SOURCE_QUIESCED,
	EFI_WARN_INTERRUPT_SOURCE_PENDING,
	EFI_UNSUPPORTED,
};
#define NSTATUSES (sizeof(statuses) / sizeof(statuses[0]))

/*
 * The rules of core/mmi.h restated: how many handlers run and what
 * MmiManage returns, for scripted statuses st.
 */
static EFI_STATUS expected(const EFI_STATUS *st, bool root, int *ncalled)
{
	bool success = false, ipending = false, spending = false;

	for (int i = 0; i < NHANDLERS; i++) {
		*ncalled = i + 1;
		if (!root && st[i] == EFI_SUCCESS)
			return EFI_SUCCESS;
		if (!root && st[i] == EFI_INTERRUPT_PENDING)
			return EFI_INTERRUPT_PENDING;
		success |= st[i] == EFI_SUCCESS || st[i] == EFI_WARN_INTERRUPT_SOURCE_QUIESCED;
		ipending |= st[i] == EFI_INTERRUPT_PENDING;
		spending |= st[i] == EFI_WARN_INTERRUPT_SOURCE_PENDING;
	}
	if (success)
		return EFI_SUCCESS;
	if (ipending)
		return EFI_INTERRUPT_PENDING;
	return spending ? EFI_WARN_INTERRUPT_SOURCE_PENDING : EFI_NOT_FOUND;
}

/* Runs every combination of statuses over three handlers of type. */
static void check_all_combinations(struct mm_machine *m, const EFI_GUID *type)
{
	struct script s = { .ncalls = 0 };

	register_all(m, &s, type);
	for (size_t a = 0; a < NSTATUSES; a++)
		for (size_t b = 0; b < NSTATUSES; b++)
			for (size_t c = 0; c < NSTATUSES; c++) {
				EFI_STATUS want, got;
				int ncalled = 0;

				s.status[0] = statuses[a];
				s.status[1] = statuses[b];
				s.status[2] = statuses[c];
				s.ncalls = 0;
				want = expected(s.status, !type, &ncalled);
				got = mm_mmi_manage(m, type, &s, NULL, NULL);
				if (got != want || s.ncalls != ncalled)
					fail_msg("statuses %zu,%zu,%zu: got 0x%llx after %d calls, "
						 "want 0x%llx after %d",
						 a, b, c, (unsigned long long)got, s.ncalls,
						 (unsigned long long)want, ncalled);
				for (int i = 0; i < s.ncalls; i++)
					assert_int_equal(s.calls[i], i);
			}
}

static void test_mm_mmi_manage_guid_combinations(void **state)
{
	check_all_combinations(*state, &type_a);
}

static void test_mm_mmi_manage_root_combinations(void **state)
{
	check_all_combinations(*state, NULL);
}

static void test_mm_mmi_manage_spec_cases(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .ncalls = 0 };

	register_all(m, &s, &type_a);
	/* GUID type: INTERRUPT_PENDING ends the dispatch even after a QUIESCED. */
	s.status[0] = EFI_WARN_INTERRUPT_SOURCE_QUIESCED;
	s.status[1] = EFI_INTERRUPT_PENDING;
	s.status[2] = EFI_SUCCESS;
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL), EFI_INTERRUPT_PENDING);
	assert_int_equal(s.ncalls, 2);
	/* Only errors: NOT_FOUND, every handler called. */
	s.ncalls = 0;
	s.status[0] = s.status[1] = s.status[2] = EFI_DEVICE_ERROR;
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL), EFI_NOT_FOUND);
	assert_int_equal(s.ncalls, 3);
	assert_int_equal(m->mmi.dispatch_count, 5);
}

static void test_mm_mmi_manage_no_handler(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .ncalls = 0 };

	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL), EFI_NOT_FOUND);
	assert_int_equal(mm_mmi_manage(m, NULL, &s, NULL, NULL), EFI_NOT_FOUND);
	register_all(m, &s, &type_a);
	assert_int_equal(mm_mmi_manage(m, &type_b, &s, NULL, NULL), EFI_NOT_FOUND);
	assert_int_equal(mm_mmi_manage(m, NULL, &s, NULL, NULL), EFI_NOT_FOUND);
	assert_int_equal(s.ncalls, 0);
}

static void test_mm_mmi_manage_passes_arguments(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .ncalls = 0 };
	char buffer[16];
	UINTN size = sizeof(buffer);

	register_all(m, &s, &type_a);
	s.status[0] = s.status[1] = EFI_WARN_INTERRUPT_SOURCE_PENDING;
	s.status[2] = EFI_SUCCESS;
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, buffer, &size), EFI_SUCCESS);
	for (int i = 0; i < NHANDLERS; i++)
		assert_ptr_equal(s.seen_handle[i], s.handles[i]);
	assert_ptr_equal(s.seen_buffer, buffer);
	assert_ptr_equal(s.seen_size, &size);
}

/* h0 variant that unregisters itself, then returns its scripted status. */
static EFI_STATUS EFIAPI unregister_self(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	EFI_STATUS st = MmiHandlerUnRegister(h);

	assert_int_equal(st, EFI_SUCCESS);
	return record(0, h, c, b, n);
}

/* h0 variant that unregisters handler 1 before it runs. */
static EFI_STATUS EFIAPI unregister_next(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	const struct script *s = c;

	assert_int_equal(MmiHandlerUnRegister(s->handles[1]), EFI_SUCCESS);
	return record(0, h, c, b, n);
}

static void test_mm_mmi_unregister_self_during_dispatch(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .status = { EFI_WARN_INTERRUPT_SOURCE_PENDING,
					EFI_WARN_INTERRUPT_SOURCE_PENDING,
					EFI_WARN_INTERRUPT_SOURCE_PENDING } };

	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)unregister_self, &type_a,
					 &s.handles[0]),
			 MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h1, &type_a, &s.handles[1]),
			 MM_OK);
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL),
			 EFI_WARN_INTERRUPT_SOURCE_PENDING);
	assert_int_equal(s.ncalls, 2);
	assert_false(m->mmi.pending_removal);
	s.ncalls = 0;
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL),
			 EFI_WARN_INTERRUPT_SOURCE_PENDING);
	assert_int_equal(s.ncalls, 1);
	assert_int_equal(s.calls[0], 1);
	assert_int_equal(mm_mmi_unregister(m, s.handles[0]), MM_ERR_INVALID);
}

static void test_mm_mmi_unregister_other_during_dispatch(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .status = { EFI_WARN_INTERRUPT_SOURCE_PENDING,
					EFI_SUCCESS, EFI_WARN_INTERRUPT_SOURCE_PENDING } };

	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)unregister_next, &type_a,
					 &s.handles[0]),
			 MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h1, &type_a, &s.handles[1]),
			 MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h2, &type_a, &s.handles[2]),
			 MM_OK);
	/* h1 would have returned SUCCESS; it is marked and skipped. */
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL),
			 EFI_WARN_INTERRUPT_SOURCE_PENDING);
	assert_int_equal(s.ncalls, 2);
	assert_int_equal(s.calls[0], 0);
	assert_int_equal(s.calls[1], 2);
	assert_false(m->mmi.pending_removal);
	assert_int_equal(mm_mmi_unregister(m, s.handles[1]), MM_ERR_INVALID);
	assert_int_equal(mm_mmi_unregister(m, s.handles[2]), MM_OK);
}

/* Registers h2 for type_a while a dispatch of type_a runs. */
static EFI_STATUS EFIAPI register_late(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	struct script *s = (struct script *)c;

	assert_int_equal(MmiHandlerRegister(h2, &type_a, &s->handles[2]), EFI_SUCCESS);
	return record(0, h, c, b, n);
}

static void test_mm_mmi_register_during_dispatch(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .status = { EFI_WARN_INTERRUPT_SOURCE_PENDING,
					EFI_WARN_INTERRUPT_SOURCE_PENDING, EFI_SUCCESS } };

	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)register_late, &type_a,
					 &s.handles[0]),
			 MM_OK);
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL),
			 EFI_WARN_INTERRUPT_SOURCE_PENDING);
	assert_int_equal(s.ncalls, 1);
	s.ncalls = 0;
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL), EFI_SUCCESS);
	/* register_late, then the first h2, whose SUCCESS ends the dispatch. */
	assert_int_equal(s.ncalls, 2);
	assert_int_equal(s.calls[1], 2);
}

/* Dispatches type_b from inside a type_a handler. */
static EFI_STATUS EFIAPI nest_once(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	struct script *s = (struct script *)c;

	s->inner = MmiManage(&type_b, c, b, n);
	return record(0, h, c, b, n);
}

static void test_mm_mmi_manage_nested(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .status = { EFI_SUCCESS, EFI_INTERRUPT_PENDING } };

	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)nest_once, &type_a,
					 &s.handles[0]),
			 MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h1, &type_b, &s.handles[1]),
			 MM_OK);
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(s.inner, EFI_INTERRUPT_PENDING);
	assert_int_equal(s.ncalls, 2);
	assert_int_equal(s.calls[0], 1); /* the inner handler finished first */
	assert_int_equal(m->mmi.max_depth, 2);
	assert_int_equal(m->mmi.depth, 0);
}

/* Re-enters MmiManage for its own type until refused. */
static EFI_STATUS EFIAPI recurse(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	struct script *s = (struct script *)c;
	EFI_STATUS st;

	(void)h;
	s->recursion++;
	st = MmiManage(&type_a, c, b, n);
	if (st == EFI_ABORTED)
		s->deepest = st;
	return EFI_SUCCESS;
}

static void test_mm_mmi_manage_depth_bound(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .ncalls = 0 };
	static struct mm_test_log log; /* outlives the test: teardown still logs */

	mm_test_log_attach(m, &log, MM_LOG_WARN);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)recurse, &type_a, &s.handles[0]),
			 MM_OK);
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(s.recursion, MM_MMI_MAX_DEPTH);
	assert_int_equal(s.deepest, EFI_ABORTED);
	assert_int_equal(m->mmi.max_depth, MM_MMI_MAX_DEPTH);
	assert_int_equal(m->mmi.depth, 0);
	assert_true(mm_test_log_contains(&log, "nested deeper than 16"));
}

/* Registers h1 for type_b from inside driver code. */
static EFI_STATUS EFIAPI register_from_driver(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	struct script *s = (struct script *)c;

	(void)h;
	(void)b;
	(void)n;
	return MmiHandlerRegister(h1, &type_b, &s->handles[1]);
}

static void test_mm_mmi_register_after_ready_to_lock(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .ncalls = 0 };
	uint64_t fn = (uint64_t)(uintptr_t)register_from_driver;
	static struct mm_test_log log; /* outlives the test: teardown still logs */

	mm_test_log_attach(m, &log, MM_LOG_MMI);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h0, &type_a, &s.handles[0]),
			 MM_OK);
	assert_false(mm_test_log_contains(&log, "after ReadyToLock"));
	m->lock.ready_to_lock = true;
	/* An image around the calling function makes it the executing driver. */
	assert_non_null(mm_image_add(m, "LateDriver", &type_b, fn, 1, MM_ENGINE_NATIVE));
	assert_int_equal(mm_mmi_register(m, fn, NULL, &s.handles[2]), MM_OK);
	assert_int_equal(mm_mmi_manage(m, NULL, &s, NULL, NULL), EFI_SUCCESS);
	assert_true(mm_test_log_contains(&log, "after ReadyToLock by foundation"));
	assert_true(mm_test_log_contains(&log, "after ReadyToLock by LateDriver"));
	/* The late registration works. */
	s.status[1] = EFI_SUCCESS;
	assert_int_equal(mm_mmi_manage(m, &type_b, &s, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(s.ncalls, 1);
}

static void test_mm_mmi_manage_logs_dispatch(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .status = { EFI_WARN_INTERRUPT_SOURCE_QUIESCED } };
	static struct mm_test_log log; /* outlives the test: teardown still logs */
	char line[128];

	mm_test_log_attach(m, &log, MM_LOG_MMI);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h0, NULL, &s.handles[0]),
			 MM_OK);
	assert_int_equal(mm_mmi_manage(m, NULL, &s, NULL, NULL), EFI_SUCCESS);
	snprintf(line, sizeof(line), "root: handler 0x%llx returned 0x%llx",
		 (unsigned long long)(uintptr_t)h0,
		 (unsigned long long)EFI_WARN_INTERRUPT_SOURCE_QUIESCED);
	assert_true(mm_test_log_contains(&log, line));
	assert_true(mm_test_log_contains(&log, "root: dispatch returned 0x0"));
}

static void test_mm_mmi_purge_range(void **state)
{
	struct mm_machine *m = *state;
	struct script s = { .status = { EFI_WARN_INTERRUPT_SOURCE_PENDING,
					EFI_WARN_INTERRUPT_SOURCE_PENDING,
					EFI_WARN_INTERRUPT_SOURCE_PENDING } };

	register_all(m, &s, &type_a);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)h1, NULL, &s.handles[0]), MM_OK);
	assert_int_equal(mm_mmi_purge_range(m, (uint64_t)(uintptr_t)h1, 1), 2);
	assert_int_equal(mm_mmi_purge_range(m, (uint64_t)(uintptr_t)h1, 1), 0);
	assert_int_equal(mm_mmi_manage(m, &type_a, &s, NULL, NULL),
			 EFI_WARN_INTERRUPT_SOURCE_PENDING);
	assert_int_equal(s.ncalls, 2);
	assert_int_equal(s.calls[0], 0);
	assert_int_equal(s.calls[1], 2);
	assert_int_equal(mm_mmi_manage(m, NULL, &s, NULL, NULL), EFI_NOT_FOUND);
}

/* Calls the EFIAPI services with bad arguments from driver context. */
static EFI_STATUS EFIAPI bad_arguments(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	EFI_HANDLE out = NULL;
	int not_a_handle;

	(void)c;
	(void)b;
	(void)n;
	assert_int_equal(MmiHandlerRegister(NULL, &type_a, &out), EFI_INVALID_PARAMETER);
	assert_int_equal(MmiHandlerRegister(h0, &type_a, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(MmiHandlerUnRegister(NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(MmiHandlerUnRegister(&not_a_handle), EFI_INVALID_PARAMETER);
	assert_int_equal(MmiHandlerUnRegister(h), EFI_SUCCESS);
	assert_int_equal(MmiHandlerUnRegister(h), EFI_INVALID_PARAMETER);
	return EFI_SUCCESS;
}

static void test_MmiHandlerRegister_invalid_parameters(void **state)
{
	struct mm_machine *m = *state;
	EFI_HANDLE h = NULL;
	static struct mm_test_log log; /* outlives the test: teardown still logs */

	mm_test_log_attach(m, &log, MM_LOG_WARN);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)bad_arguments, &type_a, &h),
			 MM_OK);
	assert_int_equal(mm_mmi_manage(m, &type_a, NULL, NULL, NULL), EFI_SUCCESS);
	assert_true(mm_test_log_contains(&log, "unknown dispatch handle"));
	assert_int_equal(mm_mmi_register(m, 0, &type_a, &h), MM_ERR_INVALID);
}

static void test_MmiManage_without_machine(void **state)
{
	EFI_HANDLE h = NULL;

	(void)state;
	assert_null(mm_current());
	assert_int_equal(MmiManage(&type_a, NULL, NULL, NULL), EFI_UNSUPPORTED);
	assert_int_equal(MmiHandlerRegister(h0, &type_a, &h), EFI_UNSUPPORTED);
	assert_int_equal(MmiHandlerUnRegister(h), EFI_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_guid_combinations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_root_combinations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_spec_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_no_handler, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_passes_arguments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_unregister_self_during_dispatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_unregister_other_during_dispatch,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_register_during_dispatch, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_depth_bound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_register_after_ready_to_lock, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_manage_logs_dispatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_mmi_purge_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_MmiHandlerRegister_invalid_parameters, setup,
						teardown),
		cmocka_unit_test(test_MmiManage_without_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
