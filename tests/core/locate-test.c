/* SPDX-License-Identifier: MIT */
/* Tests of core/locate.c: LocateHandle (three search types) and LocateProtocol. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

static const EFI_GUID guid_a = { 0xaaaaaaaa, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static const EFI_GUID guid_b = { 0xbbbbbbbb, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };
static const EFI_GUID guid_c = { 0xcccccccc, 0x3333, 0x3333, { 3, 3, 3, 3, 3, 3, 3, 3 } };

/* A machine, a private database, three handles h[0..2] created in that order. */
struct fixture {
	struct mm_machine *m;
	struct mm_protocol_db db;
	struct mm_test_log log;
	EFI_HANDLE h[3];
	int iface[4];
};

static EFI_STATUS EFIAPI nop_notify(CONST EFI_GUID *Protocol, VOID *Interface, EFI_HANDLE Handle)
{
	(void)Protocol;
	(void)Interface;
	(void)Handle;
	return EFI_SUCCESS;
}

/* h[0]: a, b; h[1]: b; h[2]: a. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = mm_test_machine();
	mm_test_log_attach(f->m, &f->log, MM_LOG_WARN);
	f->db.name = "test";
	assert_int_equal(mm_protocol_install(f->m, &f->db, &f->h[0], &guid_a, &f->iface[0]), 0);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &f->h[0], &guid_b, &f->iface[1]), 0);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &f->h[1], &guid_b, &f->iface[2]), 0);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &f->h[2], &guid_a, &f->iface[3]), 0);
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

static void test_mm_locate_handle_all_handles(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE buf[4] = { 0 };
	UINTN size = 0;

	assert_int_equal(mm_locate_handle(f->m, &f->db, AllHandles, NULL, NULL, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	size = 2 * sizeof(EFI_HANDLE);
	assert_int_equal(mm_locate_handle(f->m, &f->db, AllHandles, NULL, NULL, &size, buf),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	assert_null(buf[0]);
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, AllHandles, NULL, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 3 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], f->h[0]);
	assert_ptr_equal(buf[1], f->h[1]);
	assert_ptr_equal(buf[2], f->h[2]);
}

static void test_mm_locate_handle_by_protocol(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE buf[3] = { 0 };
	UINTN size = sizeof(EFI_HANDLE);

	assert_int_equal(mm_locate_handle(f->m, &f->db, ByProtocol, &guid_a, NULL, &size, buf),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, 2 * sizeof(EFI_HANDLE));
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByProtocol, &guid_a, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_ptr_equal(buf[0], f->h[0]);
	assert_ptr_equal(buf[1], f->h[2]);
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByProtocol, &guid_b, NULL, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, 2 * sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], f->h[0]);
	assert_ptr_equal(buf[1], f->h[1]);
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByProtocol, &guid_c, NULL, &size, buf),
			 EFI_NOT_FOUND);
	assert_int_equal(size, 0);
}

static void test_mm_locate_handle_by_register_notify(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE buf[2] = { 0 }, h1 = NULL, h2 = NULL;
	UINTN size = sizeof(buf);
	void *reg = NULL;
	int x, y;

	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_a, nop_notify, &reg),
			 EFI_SUCCESS);
	/* installs before the registration are not new to it */
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, reg, &size, buf),
			 EFI_NOT_FOUND);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h1, &guid_a, &x), MM_OK);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h1, &guid_c, &y), MM_OK);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h2, &guid_a, &y), MM_OK);
	size = 0;
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, reg, &size, NULL),
			 EFI_BUFFER_TOO_SMALL);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	/* one at a time, oldest first; BUFFER_TOO_SMALL did not consume h1 */
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, reg, &size, buf),
			 EFI_SUCCESS);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h1);
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, reg, &size, buf),
			 EFI_SUCCESS);
	assert_ptr_equal(buf[0], h2);
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, reg, &size, buf),
			 EFI_NOT_FOUND);
	/* a reinstall is new again */
	assert_int_equal(mm_protocol_reinstall(f->m, &f->db, h1, &guid_a, &x, &x), MM_OK);
	size = sizeof(buf);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, reg, &size, buf),
			 EFI_SUCCESS);
	assert_ptr_equal(buf[0], h1);
}

static void test_mm_locate_handle_invalid_parameters(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE buf[3];
	UINTN size = sizeof(buf);

	assert_int_equal(mm_locate_handle(f->m, &f->db, AllHandles, NULL, NULL, NULL, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_locate_handle(f->m, &f->db, AllHandles, NULL, NULL, &size, NULL),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByProtocol, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, NULL, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_locate_handle(f->m, &f->db, ByRegisterNotify, NULL, &size, &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_true(mm_test_log_contains(&f->log, "unknown registration"));
	assert_int_equal(mm_locate_handle(f->m, &f->db, (EFI_LOCATE_SEARCH_TYPE)7, NULL, NULL,
					  &size, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(size, sizeof(buf));
}

static void test_mm_locate_protocol_first_in_creation_order(void **state)
{
	struct fixture *f = *state;
	void *iface = &iface;

	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_a, NULL, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &f->iface[0]);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_b, NULL, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &f->iface[1]);
	assert_int_equal(mm_protocol_uninstall(f->m, &f->db, f->h[0], &guid_a, &f->iface[0]),
			 MM_OK);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_a, NULL, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &f->iface[3]);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, NULL, &iface), EFI_NOT_FOUND);
	assert_null(iface);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, NULL, NULL, &iface),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_a, NULL, NULL),
			 EFI_INVALID_PARAMETER);
}

static void test_mm_locate_protocol_with_registration(void **state)
{
	struct fixture *f = *state;
	EFI_HANDLE h = NULL;
	void *reg = NULL, *iface = NULL;
	int x, y;

	assert_int_equal(mm_notify_register(f->m, &f->db, &guid_c, nop_notify, &reg),
			 EFI_SUCCESS);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, reg, &iface), EFI_NOT_FOUND);
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_c, &x), MM_OK);
	h = NULL;
	assert_int_equal(mm_protocol_install(f->m, &f->db, &h, &guid_c, &y), MM_OK);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, reg, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &x);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, reg, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &y);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, reg, &iface), EFI_NOT_FOUND);
	assert_null(iface);
	/* the registration is unchanged by a plain lookup */
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, NULL, &iface), EFI_SUCCESS);
	assert_ptr_equal(iface, &x);
	assert_int_equal(mm_locate_protocol(f->m, &f->db, &guid_c, &x, &iface),
			 EFI_INVALID_PARAMETER);
}

/* Arguments of driver-side calls to MmLocateHandle / MmLocateProtocol. */
struct locate_call {
	EFI_LOCATE_SEARCH_TYPE type;
	EFI_GUID *guid;
	UINTN *size;
	EFI_HANDLE *buf;
	void **iface;
};

static uint64_t EFIAPI drv_locate_handle(uint64_t arg)
{
	struct locate_call *c = (struct locate_call *)(uintptr_t)arg;

	return MmLocateHandle(c->type, c->guid, NULL, c->size, c->buf);
}

static uint64_t EFIAPI drv_locate_protocol(uint64_t arg)
{
	struct locate_call *c = (struct locate_call *)(uintptr_t)arg;

	return MmLocateProtocol(c->guid, NULL, c->iface);
}

/* Runs fn(c) as driver code, so that the EFIAPI service finds the machine. */
static EFI_STATUS as_driver(struct mm_machine *m, uint64_t(EFIAPI *fn)(uint64_t),
			    struct locate_call *c)
{
	uint64_t arg = (uint64_t)(uintptr_t)c, ret = 0;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)fn, 1, &arg, &ret), MM_OK);
	return ret;
}

static void test_MmLocateHandle_uses_mm_database(void **state)
{
	struct fixture *f = *state;
	EFI_GUID g = guid_c;
	EFI_HANDLE h = NULL, buf[2] = { 0 };
	UINTN size = sizeof(buf);
	void *iface = NULL;
	int x;
	struct locate_call c = { ByProtocol, &g, &size, buf, &iface };

	assert_int_equal(MmLocateHandle(ByProtocol, &g, NULL, &size, buf), EFI_UNSUPPORTED);
	assert_int_equal(MmLocateProtocol(&g, NULL, &iface), EFI_UNSUPPORTED);
	assert_int_equal(as_driver(f->m, drv_locate_handle, &c), EFI_NOT_FOUND);
	assert_int_equal(mm_protocol_install(f->m, &f->m->mmdb, &h, &guid_c, &x), MM_OK);
	size = sizeof(buf);
	assert_int_equal(as_driver(f->m, drv_locate_handle, &c), EFI_SUCCESS);
	assert_int_equal(size, sizeof(EFI_HANDLE));
	assert_ptr_equal(buf[0], h);
	assert_int_equal(as_driver(f->m, drv_locate_protocol, &c), EFI_SUCCESS);
	assert_ptr_equal(iface, &x);
	c.size = NULL;
	assert_int_equal(as_driver(f->m, drv_locate_handle, &c), EFI_INVALID_PARAMETER);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_locate_handle_all_handles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_locate_handle_by_protocol, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_locate_handle_by_register_notify, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_locate_handle_invalid_parameters, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_locate_protocol_first_in_creation_order,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_locate_protocol_with_registration, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_MmLocateHandle_uses_mm_database, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
