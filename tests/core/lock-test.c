/* SPDX-License-Identifier: MIT */
/* Tests of core/lock.c: EndOfDxe, ReadyToLock and the SMRAM state machine. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pi/mm-ready-to-lock.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

/* The order in which notifications and SMRAM changes happened. */
struct trace {
	char events[16][16];
	unsigned count;
	enum mm_smram_state states[8];
	unsigned changes;
	bool end_of_dxe_seen_by_rtl; /* EndOfDxe already set when ReadyToLock notified */
};

static struct trace *trace_of(struct mm_machine *m)
{
	return mm_extension_get(m, "test-trace");
}

static void add_event(struct trace *t, const char *what)
{
	if (t->count < 16)
		snprintf(t->events[t->count++], sizeof(t->events[0]), "%s", what);
}

static EFI_STATUS EFIAPI end_of_dxe_notify(CONST EFI_GUID *Protocol, VOID *Interface,
					   EFI_HANDLE Handle)
{
	(void)Protocol, (void)Interface, (void)Handle;
	add_event(trace_of(mm_current()), "eod");
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ready_to_lock_notify(CONST EFI_GUID *Protocol, VOID *Interface,
					      EFI_HANDLE Handle)
{
	struct mm_machine *m = mm_current();
	struct trace *t = trace_of(m);

	(void)Protocol, (void)Interface, (void)Handle;
	t->end_of_dxe_seen_by_rtl = m->lock.end_of_dxe;
	add_event(t, "rtl");
	return EFI_SUCCESS;
}

static void smram_changed(struct mm_machine *m, void *user, enum mm_smram_state state)
{
	struct trace *t = user;

	(void)m;
	if (t->changes < 8)
		t->states[t->changes] = state;
	t->changes++;
	add_event(t, mm_smram_state_name(state));
}

static void free_data(struct mm_machine *m, void *data)
{
	(void)m;
	free(data);
}

static int setup(void **state)
{
	struct mm_machine *m = NULL;
	struct trace *t = calloc(1, sizeof(*t));
	char err[256] = "";
	void *reg1 = NULL, *reg2 = NULL;

	assert_non_null(t);
	if (mm_core_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_core_create: %s", err);
	assert_int_equal(mm_extension_add(m, "test-trace", free_data, t), MM_OK);
	assert_int_equal(mm_notify_register(m, &m->mmdb, &gEfiMmEndOfDxeProtocolGuid,
					    end_of_dxe_notify, &reg1),
			 EFI_SUCCESS);
	assert_int_equal(mm_notify_register(m, &m->mmdb, &gEfiMmReadyToLockProtocolGuid,
					    ready_to_lock_notify, &reg2),
			 EFI_SUCCESS);
	m->lock.smram_changed = smram_changed;
	m->lock.smram_user = t;
	mm_log_set_mask(m, 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

static void test_mm_end_of_dxe_installs_once(void **state)
{
	struct mm_machine *m = *state;
	struct trace *t = trace_of(m);

	assert_false(mm_protocol_present(&m->mmdb, &gEfiMmEndOfDxeProtocolGuid));
	assert_int_equal(mm_end_of_dxe(m), MM_OK);
	assert_true(m->lock.end_of_dxe);
	assert_true(mm_protocol_present(&m->mmdb, &gEfiMmEndOfDxeProtocolGuid));
	assert_int_equal(t->count, 1);
	assert_string_equal(t->events[0], "eod");
	/* again: accepted, nothing installed, nobody notified */
	assert_int_equal(mm_end_of_dxe(m), MM_OK);
	assert_int_equal(t->count, 1);
	assert_false(m->lock.ready_to_lock);
	assert_int_equal(mm_smram_state(m), MM_SMRAM_OPEN);
}

static void test_mm_ready_to_lock_implies_end_of_dxe(void **state)
{
	struct mm_machine *m = *state;
	struct trace *t = trace_of(m);

	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	assert_true(m->lock.end_of_dxe);
	assert_true(m->lock.ready_to_lock);
	assert_true(mm_protocol_present(&m->mmdb, &gEfiMmEndOfDxeProtocolGuid));
	assert_true(mm_protocol_present(&m->mmdb, &gEfiMmReadyToLockProtocolGuid));
	assert_int_equal(mm_smram_state(m), MM_SMRAM_LOCKED);
	/* EndOfDxe, then ReadyToLock, then the lock */
	assert_int_equal(t->count, 3);
	assert_string_equal(t->events[0], "eod");
	assert_string_equal(t->events[1], "rtl");
	assert_string_equal(t->events[2], "locked");
	assert_true(t->end_of_dxe_seen_by_rtl);
	/* a second ReadyToLock changes nothing */
	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	assert_int_equal(t->count, 3);
}

static void test_mm_ready_to_lock_after_end_of_dxe(void **state)
{
	struct mm_machine *m = *state;
	struct trace *t = trace_of(m);

	assert_int_equal(mm_end_of_dxe(m), MM_OK);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_CLOSED), MM_OK);
	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	assert_int_equal(t->count, 4);
	assert_string_equal(t->events[0], "eod");
	assert_string_equal(t->events[1], "closed");
	assert_string_equal(t->events[2], "rtl");
	assert_string_equal(t->events[3], "locked");
}

static void test_mm_smram_set_state_transitions(void **state)
{
	struct mm_machine *m = *state;
	struct trace *t = trace_of(m);

	assert_int_equal(mm_smram_state(m), MM_SMRAM_OPEN);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_CLOSED), MM_OK);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_OPEN), MM_OK);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_OPEN), MM_OK); /* no change */
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_LOCKED), MM_OK);
	assert_int_equal(t->changes, 3);
	assert_int_equal(t->states[0], MM_SMRAM_CLOSED);
	assert_int_equal(t->states[1], MM_SMRAM_OPEN);
	assert_int_equal(t->states[2], MM_SMRAM_LOCKED);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_LOCKED), MM_OK);
	assert_int_equal(t->changes, 3);
}

static void test_mm_smram_set_state_open_after_lock(void **state)
{
	struct mm_machine *m = *state;
	struct trace *t = trace_of(m);
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_LOCKED), MM_OK);
	mm_test_log_attach(m, log, MM_LOG_LOCK | MM_LOG_WARN);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_OPEN), MM_ERR_DENIED);
	assert_int_equal(mm_smram_set_state(m, MM_SMRAM_CLOSED), MM_ERR_DENIED);
	assert_int_equal(mm_smram_state(m), MM_SMRAM_LOCKED);
	assert_int_equal(t->changes, 1);
	assert_true(mm_test_log_contains(log, "after lock"));
	assert_non_null(strstr(mm_machine_error(m), "refused"));
	free(log);
}

static void test_mm_smram_set_state_invalid(void **state)
{
	struct mm_machine *m = *state;

	assert_int_equal(mm_smram_set_state(m, (enum mm_smram_state)7), MM_ERR_INVALID);
	assert_int_equal(mm_smram_state(m), MM_SMRAM_OPEN);
	assert_string_equal(mm_smram_state_name(MM_SMRAM_CLOSED), "closed");
	assert_string_equal(mm_smram_state_name((enum mm_smram_state)7), "unknown");
}

static void test_mm_ready_to_lock_log(void **state)
{
	struct mm_machine *m = *state;
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	mm_test_log_attach(m, log, MM_LOG_LOCK);
	assert_int_equal(mm_ready_to_lock(m), MM_OK);
	assert_true(mm_test_log_contains(log, "EndOfDxe"));
	assert_true(mm_test_log_contains(log, "ReadyToLock: installing"));
	assert_true(mm_test_log_contains(log, "SW SMI handlers"));
	assert_true(mm_test_log_contains(log, "SMRAM open -> locked"));
	free(log);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_end_of_dxe_installs_once),
		T(test_mm_ready_to_lock_implies_end_of_dxe),
		T(test_mm_ready_to_lock_after_end_of_dxe),
		T(test_mm_smram_set_state_transitions),
		T(test_mm_smram_set_state_open_after_lock),
		T(test_mm_smram_set_state_invalid),
		T(test_mm_ready_to_lock_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
