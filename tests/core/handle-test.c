/* SPDX-License-Identifier: MIT */
/* Tests of core/handle.c: install, uninstall, reinstall, lookup, purge. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/guid-names.h"
#include "core/machine.h"
#include "support.h"

static const EFI_GUID guid_a = { 0x11111111, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static const EFI_GUID guid_b = { 0x22222222, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };

/* A machine plus a private database, so that the Foundation's own protocols stay out. */
struct fixture {
	struct mm_machine *m;
	struct mm_protocol_db db;
	struct mm_test_log log;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = mm_test_machine();
	mm_test_log_attach(f->m, &f->log, MM_LOG_WARN);
	f->db.name = "test";
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

/* Notification used by the reinstall and purge tests: counts calls in *Interface. */
static EFI_STATUS EFIAPI count_notify(CONST EFI_GUID *Protocol, VOID *Interface,
				      EFI_HANDLE Handle)
{
	(void)Protocol;
	(void)Handle;
	(*(int *)Interface)++;
	return EFI_SUCCESS;
}

static void test_mm_protocol_install_new_handle(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL;
	void *iface = NULL;
	int a;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_non_null(h);
	assert_true(mm_handle_valid(db, h));
	assert_true(mm_protocol_present(db, &guid_a));
	assert_false(mm_protocol_present(db, &guid_b));
	assert_int_equal(db->install_count, 1);
	assert_int_equal(mm_protocol_get(m, db, h, &guid_a, &iface), MM_OK);
	assert_ptr_equal(iface, &a);
}

static void test_mm_protocol_install_existing_handle(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL, h0;
	void *iface = NULL;
	int a, b;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	h0 = h;
	assert_int_equal(mm_protocol_install(m, db, &h, &guid_b, &b), MM_OK);
	assert_ptr_equal(h, h0);
	assert_int_equal(mm_protocol_get(m, db, h, &guid_b, &iface), MM_OK);
	assert_ptr_equal(iface, &b);
	assert_int_equal(db->install_count, 2);
}

static void test_mm_protocol_install_errors(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL, bogus = (EFI_HANDLE)&h;
	int a;

	assert_int_equal(mm_protocol_install(m, db, NULL, &guid_a, &a), MM_ERR_INVALID);
	assert_int_equal(mm_protocol_install(m, db, &h, NULL, &a), MM_ERR_INVALID);
	assert_null(h);
	assert_int_equal(mm_protocol_install(m, db, &bogus, &guid_a, &a), MM_ERR_INVALID);
	assert_true(mm_test_log_contains(&f->log, "unknown handle"));
	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_ERR_INVALID);
	assert_int_equal(db->install_count, 1);
	assert_null(db->handles->next);
}

static void test_mm_protocol_uninstall_last_frees_handle(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL;
	int a, b;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_install(m, db, &h, &guid_b, &b), MM_OK);
	assert_int_equal(mm_protocol_uninstall(m, db, h, &guid_a, &a), MM_OK);
	assert_true(mm_handle_valid(db, h));
	assert_false(mm_protocol_present(db, &guid_a));
	assert_int_equal(mm_protocol_uninstall(m, db, h, &guid_b, &b), MM_OK);
	assert_false(mm_handle_valid(db, h));
	assert_false(mm_protocol_present(db, &guid_b));
	assert_null(db->handles);
}

static void test_mm_protocol_uninstall_stale_handle_never_revalidates(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE old = NULL, fresh[32] = { NULL };
	int a;

	assert_int_equal(mm_protocol_install(m, db, &old, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_uninstall(m, db, old, &guid_a, &a), MM_OK);
	/* New handles must not take the retired one's address. */
	for (unsigned i = 0; i < 32; i++) {
		assert_int_equal(mm_protocol_install(m, db, &fresh[i], &guid_b, &a), MM_OK);
		assert_ptr_not_equal(fresh[i], old);
	}
	assert_false(mm_handle_valid(db, old));
	assert_int_equal(mm_protocol_install(m, db, &old, &guid_a, &a), MM_ERR_INVALID);
}

static void test_mm_protocol_uninstall_errors(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL;
	int a, b;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_uninstall(m, db, h, &guid_a, &b), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_protocol_uninstall(m, db, h, &guid_b, &a), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_protocol_uninstall(m, db, h, NULL, &a), MM_ERR_INVALID);
	assert_int_equal(mm_protocol_uninstall(m, db, (EFI_HANDLE)&a, &guid_a, &a),
			 MM_ERR_INVALID);
	assert_int_equal(mm_protocol_uninstall(m, db, NULL, &guid_a, &a), MM_ERR_INVALID);
	assert_true(mm_handle_valid(db, h));
	assert_true(mm_protocol_present(db, &guid_a));
}

static void test_mm_protocol_reinstall_replaces_and_notifies(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL;
	void *reg = NULL, *iface = NULL;
	int a = 0, b = 0;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_int_equal(mm_notify_register(m, db, &guid_a, count_notify, &reg), EFI_SUCCESS);
	assert_int_equal(mm_protocol_reinstall(m, db, h, &guid_a, &a, &b), MM_OK);
	assert_int_equal(db->install_count, 2);
	assert_int_equal(b, 1); /* notified with the new interface */
	assert_int_equal(a, 0);
	assert_int_equal(mm_protocol_get(m, db, h, &guid_a, &iface), MM_OK);
	assert_ptr_equal(iface, &b);
}

static void test_mm_protocol_reinstall_errors(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL;
	int a, b;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_reinstall(m, db, h, &guid_a, &b, &a), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_protocol_reinstall(m, db, h, &guid_b, &a, &b), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_protocol_reinstall(m, db, (EFI_HANDLE)&b, &guid_a, &a, &b),
			 MM_ERR_INVALID);
	assert_int_equal(mm_protocol_reinstall(m, db, h, NULL, &a, &b), MM_ERR_INVALID);
	assert_int_equal(db->install_count, 1);
}

static void test_mm_protocol_get_errors(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h = NULL;
	void *iface = &iface;
	int a;

	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_get(m, db, h, &guid_b, &iface), MM_ERR_NOT_FOUND);
	assert_null(iface);
	assert_int_equal(mm_protocol_get(m, db, (EFI_HANDLE)&a, &guid_a, &iface), MM_ERR_INVALID);
	assert_int_equal(mm_protocol_get(m, db, h, NULL, &iface), MM_ERR_INVALID);
	assert_int_equal(mm_protocol_get(m, db, h, &guid_a, NULL), MM_ERR_INVALID);
}

static void test_mm_protocol_present_counts_interfaces(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	EFI_HANDLE h1 = NULL, h2 = NULL;
	int a, b;

	assert_int_equal(mm_protocol_install(m, db, &h1, &guid_a, &a), MM_OK);
	assert_int_equal(mm_protocol_install(m, db, &h2, &guid_a, &b), MM_OK);
	assert_ptr_not_equal(h1, h2);
	assert_int_equal(mm_protocol_uninstall(m, db, h1, &guid_a, &a), MM_OK);
	assert_true(mm_protocol_present(db, &guid_a));
	assert_int_equal(mm_protocol_uninstall(m, db, h2, &guid_a, &b), MM_OK);
	assert_false(mm_protocol_present(db, &guid_a));
}

static void test_mm_protocol_purge_range_removes_interfaces_and_notifies(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	int image[4] = { 0 }, keep = 0;
	EFI_HANDLE h1 = NULL, h2 = NULL;
	void *reg = NULL;

	assert_int_equal(mm_protocol_install(m, db, &h1, &guid_a, &image[0]), MM_OK);
	assert_int_equal(mm_protocol_install(m, db, &h1, &guid_b, &image[1]), MM_OK);
	assert_int_equal(mm_protocol_install(m, db, &h2, &guid_a, &keep), MM_OK);
	assert_int_equal(mm_protocol_install(m, db, &h2, &guid_b, &image[2]), MM_OK);
	assert_int_equal(mm_notify_register(m, db, &guid_a, count_notify, &reg), EFI_SUCCESS);
	assert_int_equal(mm_protocol_purge_range(m, db, (uint64_t)(uintptr_t)image,
						 sizeof(image)),
			 3);
	assert_false(mm_handle_valid(db, h1));
	assert_true(mm_handle_valid(db, h2));
	assert_false(mm_protocol_present(db, &guid_b));
	assert_true(mm_protocol_present(db, &guid_a));
	/* the notification's code is the "image" now */
	assert_int_equal(mm_protocol_purge_range(m, db, (uint64_t)(uintptr_t)count_notify, 1), 1);
	assert_null(mm_notify_lookup(db, reg));
	h1 = NULL;
	assert_int_equal(mm_protocol_install(m, db, &h1, &guid_a, &image[3]), MM_OK);
	assert_int_equal(image[3], 0); /* the purged notification did not run */
}

/* Arguments of a driver-side call to MmInstallProtocolInterface. */
struct install_call {
	EFI_HANDLE *handle;
	EFI_GUID *guid;
	EFI_INTERFACE_TYPE type;
	void *iface;
};

static uint64_t EFIAPI drv_install(uint64_t arg)
{
	struct install_call *c = (struct install_call *)(uintptr_t)arg;

	return MmInstallProtocolInterface(c->handle, c->guid, c->type, c->iface);
}

static uint64_t EFIAPI drv_uninstall(uint64_t arg)
{
	struct install_call *c = (struct install_call *)(uintptr_t)arg;

	return MmUninstallProtocolInterface(*c->handle, c->guid, c->iface);
}

static uint64_t EFIAPI drv_handle_protocol(uint64_t arg)
{
	struct install_call *c = (struct install_call *)(uintptr_t)arg;

	return MmHandleProtocol(*c->handle, c->guid, (void **)c->iface);
}

/* Runs fn(c) as driver code, so that the EFIAPI service finds the machine. */
static EFI_STATUS as_driver(struct mm_machine *m, uint64_t(EFIAPI *fn)(uint64_t),
			    struct install_call *c)
{
	uint64_t arg = (uint64_t)(uintptr_t)c, ret = 0;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)fn, 1, &arg, &ret), MM_OK);
	return ret;
}

static void test_MmInstallProtocolInterface_outside_driver(void **state)
{
	EFI_HANDLE h = NULL;
	EFI_GUID g = guid_a;
	int a;

	(void)state;
	assert_int_equal(MmInstallProtocolInterface(&h, &g, EFI_NATIVE_INTERFACE, &a),
			 EFI_UNSUPPORTED);
	assert_int_equal(MmUninstallProtocolInterface(h, &g, &a), EFI_UNSUPPORTED);
	assert_int_equal(MmHandleProtocol(h, &g, (void **)&h), EFI_UNSUPPORTED);
	assert_null(h);
}

static void test_MmInstallProtocolInterface_from_driver(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	EFI_HANDLE h = NULL;
	EFI_GUID g = guid_a;
	void *iface = NULL;
	int a;
	struct install_call c = { &h, &g, EFI_NATIVE_INTERFACE, &a };

	assert_int_equal(as_driver(m, drv_install, &c), EFI_SUCCESS);
	assert_true(mm_handle_valid(&m->mmdb, h));
	assert_int_equal(as_driver(m, drv_install, &c), EFI_INVALID_PARAMETER);
	c.iface = &iface;
	assert_int_equal(as_driver(m, drv_handle_protocol, &c), EFI_SUCCESS);
	assert_ptr_equal(iface, &a);
	c.guid = (EFI_GUID *)&guid_b;
	assert_int_equal(as_driver(m, drv_handle_protocol, &c), EFI_UNSUPPORTED);
	c.guid = &g;
	c.iface = &a;
	assert_int_equal(as_driver(m, drv_uninstall, &c), EFI_SUCCESS);
	assert_false(mm_handle_valid(&m->mmdb, h));
	assert_int_equal(as_driver(m, drv_uninstall, &c), EFI_INVALID_PARAMETER);
}

static void test_MmInstallProtocolInterface_bad_arguments(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	EFI_HANDLE h = NULL;
	EFI_GUID g = guid_a;
	int a;
	struct install_call c = { &h, &g, (EFI_INTERFACE_TYPE)1, &a };
	uint64_t count = m->mmdb.install_count;

	assert_int_equal(as_driver(m, drv_install, &c), EFI_INVALID_PARAMETER);
	c.type = EFI_NATIVE_INTERFACE;
	c.handle = NULL;
	assert_int_equal(as_driver(m, drv_install, &c), EFI_INVALID_PARAMETER);
	c.handle = &h;
	c.guid = NULL;
	assert_int_equal(as_driver(m, drv_install, &c), EFI_INVALID_PARAMETER);
	assert_null(h);
	assert_int_equal(m->mmdb.install_count, count);
}

static void test_mm_protocol_install_logs_guid_name(void **state)
{
	struct fixture *f = *state;
	struct mm_machine *m = f->m;
	struct mm_protocol_db *db = &f->db;
	const EFI_GUID *sw = mm_guid_by_name("gEfiMmSwDispatchProtocolGuid",
					     sizeof("gEfiMmSwDispatchProtocolGuid") - 1);
	static struct mm_test_log log; /* outlives the test: teardown still logs */
	EFI_HANDLE h = NULL;
	int a;

	assert_non_null(sw);
	mm_test_log_attach(m, &log, MM_LOG_PROTOCOL | MM_LOG_WARN);
	assert_int_equal(mm_protocol_install(m, db, &h, sw, &a), MM_OK);
	assert_true(mm_test_log_contains(&log, "gEfiMmSwDispatchProtocolGuid"));
	assert_int_equal(mm_protocol_install(m, db, &h, &guid_a, &a), MM_OK);
	assert_true(mm_test_log_contains(&log, "11111111-1111-1111-0101-010101010101"));
	assert_int_equal(mm_protocol_uninstall(m, db, (EFI_HANDLE)&a, &guid_a, &a),
			 MM_ERR_INVALID);
	assert_true(mm_test_log_contains(&log, "unknown handle"));
}

static void test_mm_caller_ptr_ok_checks_emulated_callers(void **state)
{
	struct mm_machine *m = ((struct fixture *)*state)->m;
	void *smram = mm_pool_alloc(m, EfiRuntimeServicesData, 64, true);
	struct mm_image *img;
	int host;

	assert_non_null(smram);
	assert_true(mm_caller_ptr_ok(m, &host, sizeof(host))); /* foundation / native */
	img = mm_image_add(m, "emulated", NULL, 0x0F900000, 0x1000, MM_ENGINE_EMULATED);
	assert_non_null(img);
	m->exec_stack[m->exec_depth++] = img;
	assert_false(mm_caller_ptr_ok(m, &host, sizeof(host)));
	assert_true(mm_caller_ptr_ok(m, smram, 64));
	m->exec_depth--;
	mm_pool_free(m, smram);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_protocol_install_new_handle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_install_existing_handle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_install_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_uninstall_last_frees_handle,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_mm_protocol_uninstall_stale_handle_never_revalidates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_uninstall_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_reinstall_replaces_and_notifies,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_reinstall_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_get_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_present_counts_interfaces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_mm_protocol_purge_range_removes_interfaces_and_notifies, setup,
			teardown),
		cmocka_unit_test(test_MmInstallProtocolInterface_outside_driver),
		cmocka_unit_test_setup_teardown(test_MmInstallProtocolInterface_from_driver,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_MmInstallProtocolInterface_bad_arguments,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_protocol_install_logs_guid_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_caller_ptr_ok_checks_emulated_callers,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
