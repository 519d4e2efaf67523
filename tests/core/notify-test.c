/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/notify.c: registration, order, nesting, cancellation during a
 * walk. Every notification below receives the test's record as its Interface
 * (the tests install &rec), which is how they reach it without globals.
 */
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

static const EFI_GUID guid_a = { 0xaaaaaaaa, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static const EFI_GUID guid_b = { 0xbbbbbbbb, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };

/* What the notifications saw and what they are told to do. */
struct rec {
	struct mm_protocol_db *db;
	char order[32];          /* one letter per call */
	unsigned n;
	const EFI_GUID *protocol; /* arguments of the last call */
	void *iface;
	EFI_HANDLE handle;
	void *reg_self;          /* registration of notify_cancel_self */
	void *reg_other;         /* registration notify_cancel_other cancels */
	void *reg_new;           /* registration notify_register_more makes */
	EFI_HANDLE nested;       /* handle notify_nest installs guid_b on */
};

struct fixture {
	struct mm_machine *m;
	struct mm_protocol_db db;
	struct mm_test_log log;
	struct rec rec;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = mm_test_machine();
	mm_test_log_attach(f->m, &f->log, MM_LOG_WARN);
	f->db.name = "test";
	f->rec.db = &f->db;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_protocol_db_fini(&f->db);
	mm_machine_destroy(f->m);
	free(f);
	return 0;
}

/* Records a call as letter c; rec is the Interface of the install. */
static void note(struct rec *r, char c, const EFI_GUID *p, EFI_HANDLE h)
{
	if (r->n < sizeof(r->order) - 1)
		r->order[r->n++] = c;
	r->protocol = p;
	r->iface = r;
	r->handle = h;
}

static EFI_STATUS EFIAPI notify_a(CONST EFI_GUID *Protocol, VOID *Interface, EFI_HANDLE Handle)
{
	note(Interface, 'A', Protocol, Handle);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI notify_b(CONST EFI_GUID *Protocol, VOID *Interface, EFI_HANDLE Handle)
{
	note(Interface, 'B', Protocol, Handle);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI notify_c(CONST EFI_GUID *Protocol, VOID *Interface, EFI_HANDLE Handle)
{
	note(Interface, 'C', Protocol, Handle);
	return EFI_SUCCESS;
}

/* Installs guid_b (same record as interface) from inside a guid_a notification. */
static EFI_STATUS EFIAPI notify_nest(CONST EFI_GUID *Protocol, VOID *Interface,
				     EFI_HANDLE Handle)
{
	struct rec *r = Interface;

	note(r, 'N', Protocol, Handle);
	if (mm_current() && !r->nested)
		mm_protocol_install(mm_current(), r->db, &r->nested, &guid_b, r);
	note(r, 'n', Protocol, Handle);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI notify_cancel_self(CONST EFI_GUID *Protocol, VOID *Interface,
					    EFI_HANDLE Handle)
{
	struct rec *r = Interface;

	note(r, 'S', Protocol, Handle);
	mm_notify_register(mm_current(), r->db, Protocol, NULL, &r->reg_self);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI notify_cancel_other(CONST EFI_GUID *Protocol, VOID *Interface,
					     EFI_HANDLE Handle)
{
	struct rec *r = Interface;

	note(r, 'O', Protocol, Handle);
	if (r->reg_other)
		mm_notify_register(mm_current(), r->db, Protocol, NULL, &r->reg_other);
	r->reg_other = NULL;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI notify_register_more(CONST EFI_GUID *Protocol, VOID *Interface,
					      EFI_HANDLE Handle)
{
	struct rec *r = Interface;

	note(r, 'R', Protocol, Handle);
	if (!r->reg_new)
		mm_notify_register(mm_current(), r->db, Protocol, notify_c, &r->reg_new);
	return EFI_SUCCESS;
}

static void reg(struct fixture *f, const EFI_GUID *g, EFI_MM_NOTIFY_FN fn, void **out)
{
	void *dummy;

	assert_int_equal(mm_notify_register(f->m, &f->db, g, fn, out ? out : &dummy),
			 EFI_SUCCESS);
}

static void test_mm_notify_register_invalid_parameters(void **state)
{
	struct fixture *f = *state;
	void *r = NULL;

	assert_int_equal(mm_notify_register(f->m, &f->db, NULL, notify_a, &r),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_a, notify_a, NULL),
			 EFI_INVALID_PARAMETER);
	assert_null(r);
}

static void test_mm_notify_fire_registration_order_and_arguments(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;

	reg(f, &guid_a, notify_b, NULL);
	reg(f, &guid_a, notify_a, NULL);
	reg(f, &guid_a, notify_c, NULL);
	reg(f, &guid_b, notify_c, NULL);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "BAC");
	assert_ptr_equal(f->rec.protocol, &guid_a);
	assert_ptr_equal(f->rec.handle, h);
	assert_int_equal(mm_protocol_reinstall(f->m, &f->db, h, &guid_a, &f->rec, &f->rec),
			 MM_OK);
	assert_string_equal(f->rec.order, "BACBAC");
	/* uninstall notifies nobody */
	assert_int_equal(mm_protocol_uninstall(f->m, &f->db, h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "BACBAC");
}

static void test_mm_notify_register_does_not_fire_for_earlier_installs(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;

	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	reg(f, &guid_a, notify_a, NULL);
	assert_int_equal(f->rec.n, 0);
	h = NULL;
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "A");
}

static void test_mm_notify_fire_nested_install(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;
	void *iface = NULL;

	reg(f, &guid_a, notify_nest, NULL);
	reg(f, &guid_a, notify_a, NULL);
	reg(f, &guid_b, notify_b, NULL);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	/* N starts, B runs inside it for guid_b, N ends, then A for guid_a */
	assert_string_equal(f->rec.order, "NBnA");
	assert_non_null(f->rec.nested);
	assert_int_equal(mm_protocol_get(f->m, &f->db, f->rec.nested, &guid_b, &iface), MM_OK);
	assert_ptr_equal(iface, &f->rec);
	assert_int_equal(f->db.install_count, 2);
	assert_int_equal(f->db.notify_depth, 0);
}

static void test_mm_notify_fire_self_cancel_during_walk(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;

	reg(f, &guid_a, notify_a, NULL);
	reg(f, &guid_a, notify_cancel_self, &f->rec.reg_self);
	reg(f, &guid_a, notify_b, NULL);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "ASB");
	assert_null(mm_notify_lookup(&f->db, f->rec.reg_self));
	h = NULL;
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "ASBAB");
}

static void test_mm_notify_fire_cancel_later_registration(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;

	reg(f, &guid_a, notify_cancel_other, NULL);
	reg(f, &guid_a, notify_a, &f->rec.reg_other);
	reg(f, &guid_a, notify_b, NULL);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "OB");
}

static void test_mm_notify_fire_registration_during_walk_waits(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;

	reg(f, &guid_a, notify_register_more, NULL);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "R");
	assert_non_null(mm_notify_lookup(&f->db, f->rec.reg_new));
	h = NULL;
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "RRC");
}

static void test_mm_notify_register_cancel(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;
	void *r = NULL, *unknown = &r;

	reg(f, &guid_a, notify_a, &r);
	assert_non_null(mm_notify_lookup(&f->db, r));
	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_b, NULL, &r), EFI_NOT_FOUND);
	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_a, NULL, &r), EFI_SUCCESS);
	assert_null(mm_notify_lookup(&f->db, r));
	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_a, NULL, &r), EFI_NOT_FOUND);
	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_a, NULL, &unknown),
			 EFI_NOT_FOUND);
	assert_true(mm_test_log_contains(&f->log, "unknown"));
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_a, &f->rec), MM_OK);
	assert_int_equal(f->rec.n, 0);
}

/* Arguments of a driver-side MmRegisterProtocolNotify. */
struct register_call {
	const EFI_GUID *guid;
	EFI_MM_NOTIFY_FN fn;
	void **reg;
};

static uint64_t EFIAPI drv_register(uint64_t arg)
{
	struct register_call *c = (struct register_call *)(uintptr_t)arg;

	return MmRegisterProtocolNotify(c->guid, c->fn, c->reg);
}

static void test_MmRegisterProtocolNotify_uses_mm_database(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;
	void *r = NULL;
	struct register_call c = { &guid_a, notify_a, &r };
	uint64_t arg = (uint64_t)(uintptr_t)&c, ret = 1;

	assert_int_equal(MmRegisterProtocolNotify(&guid_a, notify_a, &r), EFI_UNSUPPORTED);
	assert_int_equal(mm_call(f->m, (uint64_t)(uintptr_t)drv_register, 1, &arg, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	assert_non_null(mm_notify_lookup(&f->m->mmdb, r));
	assert_int_equal(mm_protocol_install(f->m, &f->m->mmdb, &h, &guid_a, &f->rec), MM_OK);
	assert_string_equal(f->rec.order, "A");
	c.fn = NULL;
	assert_int_equal(mm_call(f->m, (uint64_t)(uintptr_t)drv_register, 1, &arg, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	c.guid = NULL;
	assert_int_equal(mm_call(f->m, (uint64_t)(uintptr_t)drv_register, 1, &arg, &ret), MM_OK);
	assert_int_equal(ret, EFI_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_notify_register_invalid_parameters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_mm_notify_fire_registration_order_and_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_mm_notify_register_does_not_fire_for_earlier_installs, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_mm_notify_fire_nested_install, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_notify_fire_self_cancel_during_walk, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_notify_fire_cancel_later_registration,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_notify_fire_registration_during_walk_waits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_notify_register_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_MmRegisterProtocolNotify_uses_mm_database,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
