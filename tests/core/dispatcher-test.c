/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/dispatcher.c: DEPEX-ordered dispatch across chains,
 * BEFORE/AFTER, Schedule On Request, reasons for drivers left behind, and
 * the unload of a driver whose entry point fails.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <pi/loaded-image.h>

#include "core/call.h"
#include "core/guid-names.h"
#include "core/machine.h"
#include "support.h"

static const EFI_GUID proto_x = { 0x0000000a, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static const EFI_GUID proto_y = { 0x0000000b, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };
static const EFI_GUID proto_z = { 0x0000000c, 0x3333, 0x3333, { 3, 3, 3, 3, 3, 3, 3, 3 } };
static const EFI_GUID mmi_type = { 0x0000000d, 0x4444, 0x4444, { 4, 4, 4, 4, 4, 4, 4, 4 } };

/*
 * What the entry points saw. Entry points take no context argument, so the
 * test keeps this one record for them (reset by setup).
 */
static struct {
	char order[32];           /* letters of the drivers run, in order */
	unsigned n;
	const void *system_table; /* last SystemTable argument */
	EFI_LOADED_IMAGE_PROTOCOL *loaded_image; /* last image's protocol */
	enum mm_err reentry;      /* what mm_dispatch returned from inside an entry */
} trace;

/* A fake driver image: the failing driver's handler and interface live here. */
static uint8_t fake_image[256] __attribute__((aligned(16)));

static int iface_x, iface_y;

static int setup(void **state)
{
	memset(&trace, 0, sizeof(trace));
	*state = mm_test_machine();
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* Records letter c and what every entry point checks about its arguments. */
static void ran(char c, EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	void *li = NULL;

	trace.order[trace.n++] = c;
	trace.system_table = st;
	assert_int_equal(MmHandleProtocol(image, &gEfiLoadedImageProtocolGuid, &li), EFI_SUCCESS);
	trace.loaded_image = li;
}

static void install(const EFI_GUID *guid, void *iface)
{
	EFI_HANDLE h = NULL;

	assert_int_equal(MmInstallProtocolInterface(&h, (EFI_GUID *)guid, EFI_NATIVE_INTERFACE,
						    iface),
			 EFI_SUCCESS);
}

static EFI_STATUS EFIAPI entry_a(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	ran('A', image, st);
	install(&proto_x, &iface_x);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI entry_b(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	ran('B', image, st);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI entry_c(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	ran('C', image, st);
	install(&proto_y, &iface_y);
	return EFI_WARN_STALE_DATA; /* a warning is a success */
}

static EFI_STATUS EFIAPI entry_d(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	ran('D', image, st);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI keep_handler(EFI_HANDLE h, CONST VOID *c, VOID *b, UINTN *n)
{
	(void)h;
	(void)c;
	(void)b;
	(void)n;
	return EFI_WARN_INTERRUPT_SOURCE_PENDING;
}

/* Registers a handler and a protocol inside fake_image, then fails. */
static EFI_STATUS EFIAPI entry_fail(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	uintptr_t code = (uintptr_t)(fake_image + 16);
	EFI_MM_HANDLER_ENTRY_POINT inside = (EFI_MM_HANDLER_ENTRY_POINT)code;
	EFI_HANDLE h1 = NULL, h2 = NULL;

	ran('F', image, st);
	assert_int_equal(MmiHandlerRegister(inside, &mmi_type, &h1), EFI_SUCCESS);
	assert_int_equal(MmiHandlerRegister(keep_handler, &mmi_type, &h2), EFI_SUCCESS);
	install(&proto_z, fake_image + 32);
	return EFI_DEVICE_ERROR;
}

static EFI_STATUS EFIAPI entry_reenter(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	ran('R', image, st);
	trace.reentry = mm_dispatch(mm_current());
	return EFI_SUCCESS;
}

static EFI_GUID file_guid(uint8_t n)
{
	EFI_GUID g = { 0xf11e0000u + n, 0x5555, 0x5555, { 5, 5, 5, 5, 5, 5, 5, n } };

	return g;
}

/* The registry text of g, in one of two rotating static buffers. */
static const char *text(const EFI_GUID *g)
{
	static char buf[4][MM_GUID_STRING_LEN + 1];
	static unsigned next;
	char *b = buf[next++ % 4];

	mm_guid_format(g, b);
	return b;
}

/*
 * Adds a driver named name with file GUID number n, the DEPEX compiled from
 * expr (NULL: no DEPEX), entry point fn and image img.
 */
static struct mm_driver *add(struct mm_machine *m, const char *name, uint8_t n,
			     const char *expr, void *fn, struct mm_image *img)
{
	struct mm_driver_desc desc = { .name = name, .guid = file_guid(n),
				       .type = MM_MODULE_STANDALONE,
				       .entry = (uint64_t)(uintptr_t)fn, .image = img };
	uint8_t depex[256];
	size_t len = 0;
	char err[128];
	struct mm_driver *d = NULL;

	if (expr) {
		if (mm_depex_compile(expr, depex, sizeof(depex), &len, err, sizeof(err)))
			fail_msg("%s: %s", expr, err);
		desc.depex = depex;
		desc.depex_len = len;
	}
	assert_int_equal(mm_driver_add(m, &desc, &d), MM_OK);
	assert_non_null(d);
	return d;
}

static void test_mm_dispatch_chain(void **state)
{
	struct mm_machine *m = *state;
	char both[128];
	struct mm_driver_info info;

	snprintf(both, sizeof(both), "%s AND %s", text(&proto_x), text(&proto_y));
	add(m, "B", 2, both, entry_b, NULL);
	add(m, "C", 3, NULL, entry_c, NULL);
	add(m, "A", 1, "TRUE", entry_a, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "CAB");
	assert_ptr_equal(trace.system_table, m->mmst);
	assert_int_equal(mm_driver_count(m), 3);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_string_equal(info.name, "B");
	assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
	assert_int_equal(info.dispatch_order, 3);
	assert_null(info.reason);
	assert_int_equal(mm_driver_get_info(m, 1, &info), MM_OK);
	assert_int_equal(info.dispatch_order, 1);
	assert_int_equal(info.entry_status, EFI_WARN_STALE_DATA);
	assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
	assert_int_equal(mm_driver_get_info(m, 3, &info), MM_ERR_NOT_FOUND);
}

static void test_mm_dispatch_chain_load_order(void **state)
{
	struct mm_machine *m = *state;
	char both[128];

	snprintf(both, sizeof(both), "%s AND %s", text(&proto_x), text(&proto_y));
	add(m, "A", 1, NULL, entry_a, NULL);
	add(m, "B", 2, both, entry_b, NULL);
	add(m, "C", 3, NULL, entry_c, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "ACB");
}

static void test_mm_dispatch_loaded_image(void **state)
{
	struct mm_machine *m = *state;
	struct mm_image *img = mm_image_add(m, "D", NULL, 0x12345000, 0x3000, MM_ENGINE_NATIVE);
	struct mm_driver *d;

	assert_non_null(img);
	d = add(m, "D", 4, NULL, entry_d, img);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "D");
	assert_non_null(trace.loaded_image);
	assert_true(mm_mem_inside_smram(m, (uint64_t)(uintptr_t)trace.loaded_image,
					sizeof(*trace.loaded_image)));
	assert_int_equal(trace.loaded_image->Revision, EFI_LOADED_IMAGE_PROTOCOL_REVISION);
	assert_ptr_equal(trace.loaded_image->ImageBase, (void *)0x12345000);
	assert_int_equal(trace.loaded_image->ImageSize, 0x3000);
	assert_null(trace.loaded_image->SystemTable);
	assert_true(mm_handle_valid(&m->mmdb, d->image_handle));
}

static void test_mm_dispatch_before_after(void **state)
{
	struct mm_machine *m = *state;
	EFI_GUID target = file_guid(3);
	char before[64], after[64];
	struct mm_driver_info info;

	snprintf(before, sizeof(before), "BEFORE %s", text(&target));
	snprintf(after, sizeof(after), "AFTER %s", text(&target));
	add(m, "After", 1, after, entry_a, NULL);
	add(m, "Before", 2, before, entry_b, NULL);
	add(m, "Target", 3, text(&proto_x), entry_c, NULL);
	add(m, "Other", 4, NULL, entry_d, NULL);
	/* Target needs X, which nobody produces yet: Before and After wait with it. */
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "D");
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_NOT_DISPATCHED);
	assert_non_null(strstr(info.reason, "AFTER driver"));
	assert_non_null(strstr(info.reason, text(&target)));
	assert_non_null(strstr(info.reason, "which was not dispatched"));
	/* Once X is there, Target runs between Before and After. */
	assert_int_equal(mm_protocol_install(m, &m->mmdb, &(EFI_HANDLE){ NULL }, &proto_x,
					     &iface_x),
			 MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "DBCA");
	assert_int_equal(mm_driver_get_info(m, 2, &info), MM_OK);
	assert_int_equal(info.dispatch_order, 3);
}

static void test_mm_dispatch_before_after_chained(void **state)
{
	struct mm_machine *m = *state;
	EFI_GUID target = file_guid(3), before_target = file_guid(2);
	char before[64], before2[64], after[64];

	snprintf(before, sizeof(before), "BEFORE %s", text(&target));
	snprintf(before2, sizeof(before2), "BEFORE %s", text(&before_target));
	snprintf(after, sizeof(after), "AFTER %s", text(&target));
	add(m, "After", 1, after, entry_a, NULL);
	add(m, "Before", 2, before, entry_b, NULL);
	add(m, "Target", 3, NULL, entry_c, NULL);
	add(m, "BeforeBefore", 4, before2, entry_d, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "DBCA");
}

static void test_mm_dispatch_before_after_target_missing(void **state)
{
	struct mm_machine *m = *state;
	EFI_GUID missing = file_guid(7), early = file_guid(1);
	char expr[64];
	struct mm_driver_info info;

	add(m, "Early", 1, NULL, entry_a, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	snprintf(expr, sizeof(expr), "BEFORE %s", text(&missing));
	add(m, "BeforeMissing", 2, expr, entry_b, NULL);
	snprintf(expr, sizeof(expr), "AFTER %s", text(&early));
	add(m, "AfterEarly", 3, expr, entry_c, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "A");
	assert_int_equal(mm_driver_get_info(m, 1, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_NOT_DISPATCHED);
	assert_non_null(strstr(info.reason, "which is not loaded"));
	assert_int_equal(mm_driver_get_info(m, 2, &info), MM_OK);
	assert_non_null(strstr(info.reason, "dispatched by an earlier run"));
}

static void test_mm_dispatch_sor(void **state)
{
	struct mm_machine *m = *state;
	EFI_GUID g = file_guid(1), unknown = file_guid(9);
	struct mm_driver_info info;

	add(m, "Sor", 1, "SOR TRUE", entry_a, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(trace.n, 0);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_UNREQUESTED);
	assert_int_equal(mm_driver_schedule(m, (const uint8_t *)&unknown), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_driver_schedule(m, (const uint8_t *)&g), MM_OK);
	assert_int_equal(mm_driver_schedule(m, (const uint8_t *)&g), MM_ERR_STATE);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "A");
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
	assert_int_equal(mm_driver_schedule(m, (const uint8_t *)&g), MM_ERR_STATE);
}

static void test_mm_dispatch_sor_with_depex(void **state)
{
	struct mm_machine *m = *state;
	EFI_GUID g = file_guid(2);
	char expr[64];
	struct mm_driver_info info;

	snprintf(expr, sizeof(expr), "SOR %s", text(&proto_x));
	add(m, "Sor", 2, expr, entry_b, NULL);
	assert_int_equal(mm_driver_schedule(m, (const uint8_t *)&g), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_NOT_DISPATCHED);
	add(m, "A", 1, NULL, entry_a, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "AB");
}

static void test_mm_dispatch_not_dispatched_reasons(void **state)
{
	struct mm_machine *m = *state;
	const EFI_GUID *gpi = mm_guid_by_name("gEfiMmCpuIoProtocolGuid", 23);
	char want[128], expr[128];
	struct mm_driver_info info;

	assert_non_null(gpi);
	assert_false(mm_protocol_present(&m->mmdb, gpi));
	snprintf(expr, sizeof(expr), "TRUE AND gEfiMmCpuIoProtocolGuid AND %s",
		 text(&proto_y));
	add(m, "NeedsCpuIo", 1, expr, entry_a, NULL);
	add(m, "NeedsY", 2, text(&proto_y), entry_b, NULL);
	add(m, "Never", 3, "NOT TRUE", entry_c, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(trace.n, 0);
	snprintf(want, sizeof(want), "waits for gEfiMmCpuIoProtocolGuid (%s)", text(gpi));
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_NOT_DISPATCHED);
	assert_string_equal(info.reason, want);
	assert_int_equal(info.dispatch_order, 0);
	snprintf(want, sizeof(want), "waits for %s", text(&proto_y));
	assert_int_equal(mm_driver_get_info(m, 1, &info), MM_OK);
	assert_string_equal(info.reason, want);
	assert_int_equal(mm_driver_get_info(m, 2, &info), MM_OK);
	assert_string_equal(info.reason, "DEPEX is FALSE: TRUE NOT END");
}

static void test_mm_dispatch_bad_depex(void **state)
{
	struct mm_machine *m = *state;
	static const uint8_t bad[] = { MM_DEP_TRUE, 0xff, MM_DEP_END };
	struct mm_driver_desc desc = { .name = "Bad", .depex = bad, .depex_len = sizeof(bad),
				       .entry = (uint64_t)(uintptr_t)entry_a };
	struct mm_driver_info info;
	static struct mm_test_log log; /* outlives the test: teardown still logs */

	mm_test_log_attach(m, &log, MM_LOG_WARN);
	assert_int_equal(mm_driver_add(m, &desc, NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(trace.n, 0);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_BAD_DEPEX);
	assert_string_equal(info.reason, "malformed DEPEX: offset 1: unknown opcode 0xff");
	assert_true(mm_test_log_contains(&log, "unknown opcode 0xff"));
}

static void test_mm_dispatch_failing_entry_unloaded(void **state)
{
	struct mm_machine *m = *state;
	struct mm_image *img = mm_image_add(m, "Fail", NULL, (uint64_t)(uintptr_t)fake_image,
					    sizeof(fake_image), MM_ENGINE_NATIVE);
	unsigned images = m->images.count;
	struct mm_driver_info info;
	static struct mm_test_log log; /* outlives the test: teardown still logs */

	mm_test_log_attach(m, &log, MM_LOG_DISPATCH);
	assert_non_null(img);
	add(m, "Fail", 1, NULL, entry_fail, img);
	add(m, "NeedsZ", 2, text(&proto_z), entry_b, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_string_equal(trace.order, "F");
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_FAILED);
	assert_int_equal(info.entry_status, EFI_DEVICE_ERROR);
	assert_int_equal(info.dispatch_order, 1);
	assert_int_equal(info.image_base, (uint64_t)(uintptr_t)fake_image);
	assert_non_null(strstr(info.reason, "0x8000000000000007"));
	/* Unloaded: image gone, its protocol and handler purged, its image handle too. */
	assert_int_equal(m->images.count, images - 1);
	assert_null(mm_image_find(m, (uint64_t)(uintptr_t)fake_image));
	assert_false(mm_protocol_present(&m->mmdb, &proto_z));
	assert_false(mm_protocol_present(&m->mmdb, &gEfiLoadedImageProtocolGuid));
	assert_int_equal(mm_mmi_manage(m, &mmi_type, NULL, NULL, NULL),
			 EFI_WARN_INTERRUPT_SOURCE_PENDING);
	assert_int_equal(m->mmi.dispatch_count, 1); /* only keep_handler ran */
	assert_int_equal(mm_driver_get_info(m, 1, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_NOT_DISPATCHED);
	assert_true(mm_test_log_contains(&log, "Fail unloaded (1 MMI handler(s), 1 protocol(s)"));
}

static void test_mm_dispatch_no_depex_logged(void **state)
{
	struct mm_machine *m = *state;
	static struct mm_test_log log; /* outlives the test: teardown still logs */

	mm_test_log_attach(m, &log, MM_LOG_DEPEX | MM_LOG_DISPATCH);
	add(m, "Plain", 1, NULL, entry_d, NULL);
	add(m, "Depex", 2, "TRUE OR FALSE", entry_b, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_true(mm_test_log_contains(&log, "Plain: no DEPEX, treated as TRUE"));
	assert_true(mm_test_log_contains(&log, "Depex: TRUE FALSE OR END = TRUE"));
	assert_true(mm_test_log_contains(&log, "Plain: entry returned 0x0"));
}

static void test_mm_dispatch_refuses_reentry(void **state)
{
	struct mm_machine *m = *state;
	struct mm_driver_info info;

	add(m, "Reenter", 1, NULL, entry_reenter, NULL);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(trace.reentry, MM_ERR_STATE);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
}

static void test_mm_dispatch_stopped(void **state)
{
	struct mm_machine *m = *state;
	struct mm_driver_info info;

	add(m, "A", 1, NULL, entry_a, NULL);
	add(m, "B", 2, NULL, entry_b, NULL);
	/* Calls nested too deep: mm_call reports the guest stopped. */
	m->exec_depth = MM_CALL_MAX_DEPTH;
	assert_int_equal(mm_dispatch(m), MM_ERR_STOPPED);
	m->exec_depth = 0;
	assert_int_equal(trace.n, 0);
	assert_int_equal(mm_driver_get_info(m, 0, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_FAILED);
	assert_int_equal(mm_driver_get_info(m, 1, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_PENDING);
	assert_false(m->disp.running);
}

static void test_mm_driver_state_name(void **state)
{
	(void)state;
	assert_string_equal(mm_driver_state_name(MM_DRIVER_PENDING), "pending");
	assert_string_equal(mm_driver_state_name(MM_DRIVER_UNREQUESTED), "unrequested");
	assert_string_equal(mm_driver_state_name(MM_DRIVER_DISPATCHED), "dispatched");
	assert_string_equal(mm_driver_state_name(MM_DRIVER_FAILED), "failed");
	assert_string_equal(mm_driver_state_name(MM_DRIVER_NOT_DISPATCHED), "not-dispatched");
	assert_string_equal(mm_driver_state_name(MM_DRIVER_BAD_DEPEX), "bad-depex");
	assert_string_equal(mm_driver_state_name((enum mm_driver_state)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_dispatch_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_chain_load_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_loaded_image, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_before_after, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_before_after_chained, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_before_after_target_missing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_sor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_sor_with_depex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_not_dispatched_reasons, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_bad_depex, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_failing_entry_unloaded, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_no_depex_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_refuses_reentry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_dispatch_stopped, setup, teardown),
		cmocka_unit_test(test_mm_driver_state_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
