/* SPDX-License-Identifier: MIT */
/*
 * End to end with the sample drivers built as PE32+ images (tests/drivers/pe)
 * on the emulated CPU: the same sources as the native samples, the same
 * expected results. Dispatch (DEPEX puts the producer first), the GUID
 * handler through MM communicate (it calls the producer's protocol, emulated
 * code calling emulated code), the SW handler through a software SMI (it
 * reads and writes the save state through EFI_MM_CPU_PROTOCOL thunks), and
 * the traditional sample's entry point (boot services through RAM thunks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>
#include <mmemu/run.h>

#include "core/machine.h"
#include "emu/emu.h"
#include "tests/drivers/sample.h"

#define PE(name) MMEMU_BINARY_DIR "/tests/drivers/pe/pe-" name ".efi"

enum { GUID_HANDLER, SW_HANDLER, PRODUCER, SAMPLE_COUNT };
static const char *const paths[SAMPLE_COUNT] = {
	[GUID_HANDLER] = PE("sample-guid-handler"),
	[SW_HANDLER] = PE("sample-sw-handler"),
	[PRODUCER] = PE("sample-producer"),
};
static const char *const depex[SAMPLE_COUNT] = {
	[GUID_HANDLER] = SAMPLE_PROTOCOL_GUID_STR,
	[SW_HANDLER] = "gEfiMmSwDispatchProtocolGuid AND gEfiMmCpuProtocolGuid",
	[PRODUCER] = "TRUE",
};

struct fixture {
	struct mm_machine *m;
	unsigned index[SAMPLE_COUNT];
	struct mm_driver_info info[SAMPLE_COUNT];
};

/* A default machine on the Unicorn model. */
static struct mm_machine *emu_machine(void)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_UNICORN;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	if (!mm_extension_get(m, "emu") && mm_emu_attach(m))
		fail_msg("mm_emu_attach: %s", mm_machine_error(m));
	return m;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (access(paths[PRODUCER], R_OK)) {
		free(f);
		*state = NULL;
		return 0; /* no clang/lld-link: the tests skip */
	}
	f->m = emu_machine();
	for (unsigned i = 0; i < SAMPLE_COUNT; i++)
		if (mm_driver_load_image(f->m, paths[i], depex[i], &f->index[i]) != MM_OK)
			fail_msg("load %s: %s", paths[i], mm_machine_error(f->m));
	if (mm_dispatch(f->m) != MM_OK)
		fail_msg("dispatch: %s", mm_machine_error(f->m));
	for (unsigned i = 0; i < SAMPLE_COUNT; i++)
		assert_int_equal(mm_driver_get_info(f->m, f->index[i], &f->info[i]), MM_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f)
		mm_machine_destroy(f->m);
	free(f);
	return 0;
}

#define NEED_IMAGES(f)                                                                    \
	do {                                                                              \
		if (!(f))                                                                 \
			skip();                                                           \
	} while (0)

static void test_mm_dispatch_emulated_samples(void **state)
{
	struct fixture *f = *state;

	NEED_IMAGES(f);
	for (unsigned i = 0; i < SAMPLE_COUNT; i++) {
		assert_int_equal(f->info[i].state, MM_DRIVER_DISPATCHED);
		assert_int_equal(f->info[i].entry_status, EFI_SUCCESS);
	}
	assert_true(f->info[PRODUCER].dispatch_order < f->info[GUID_HANDLER].dispatch_order);
	/* named by the MMEMU_MODULE record the sources carry, as the native builds */
	assert_string_equal(f->info[PRODUCER].name, "SampleProducer");
	assert_string_equal(f->info[GUID_HANDLER].name, "SampleGuidHandler");
}

/* No DEPEX given, no .depex file: the record's DEPEX orders the drivers. */
static void test_mm_driver_load_image_record_depex(void **state)
{
	struct mm_machine *m;
	struct mm_driver_info handler, producer;
	unsigned h = 0, p = 0;

	(void)state;
	if (access(paths[PRODUCER], R_OK))
		skip();
	m = emu_machine();
	assert_int_equal(mm_driver_load_image(m, paths[GUID_HANDLER], NULL, &h), MM_OK);
	assert_int_equal(mm_driver_load_image(m, paths[PRODUCER], NULL, &p), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_driver_get_info(m, h, &handler), MM_OK);
	assert_int_equal(mm_driver_get_info(m, p, &producer), MM_OK);
	assert_int_equal(handler.state, MM_DRIVER_DISPATCHED);
	assert_true(producer.dispatch_order < handler.dispatch_order);
	mm_machine_destroy(m);
}

static void test_mm_communicate_emulated_sample_add(void **state)
{
	struct fixture *f = *state;
	const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = 40, .B = 2, .Status = 1 };
	uint64_t len = sizeof(msg), status = 1;

	NEED_IMAGES(f);
	if (mm_communicate_msg(f->m, (const uint8_t *)&guid, &msg, sizeof(msg), 0, &msg, &len,
			       &status))
		fail_msg("communicate: %s", mm_machine_error(f->m));
	assert_int_equal(status, EFI_SUCCESS);
	assert_int_equal(msg.Status, EFI_SUCCESS);
	assert_int_equal(msg.Result, 42);
}

static void test_mm_communicate_emulated_sample_reverse(void **state)
{
	struct fixture *f = *state;
	const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	struct {
		SAMPLE_MESSAGE h;
		uint8_t data[4];
	} msg = { .h = { .Command = SAMPLE_CMD_REVERSE, .A = 4 }, .data = { 1, 2, 3, 4 } };
	uint64_t len = sizeof(msg), status = 1;

	NEED_IMAGES(f);
	assert_int_equal(mm_communicate_msg(f->m, (const uint8_t *)&guid, &msg, sizeof(msg), 0,
					    &msg, &len, &status),
			 MM_OK);
	assert_int_equal(msg.h.Status, EFI_SUCCESS);
	assert_int_equal(msg.data[0], 4);
	assert_int_equal(msg.data[3], 1);
}

static void test_mm_sw_smi_emulated_sample(void **state)
{
	struct fixture *f = *state;
	uint64_t rax = 0, rbx = 0;

	NEED_IMAGES(f);
	assert_int_equal(mm_cpu_set_reg(f->m, 0, MM_REG_RCX, 0x1234), MM_OK);
	assert_int_equal(mm_cpu_set_reg(f->m, 0, MM_REG_RAX, 0), MM_OK);
	if (mm_sw_smi(f->m, 0, SAMPLE_SW_MMI_VALUE, 0x7e) != MM_OK)
		fail_msg("sw smi: %s", mm_machine_error(f->m));
	assert_int_equal(mm_cpu_get_reg(f->m, 0, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(mm_cpu_get_reg(f->m, 0, MM_REG_RBX, &rbx), MM_OK);
	assert_int_equal(rax, 0x1235);
	assert_int_equal(rbx, 0x7e);
}

/* The traditional sample: boot services (RAM thunks) in its entry point. */
static void test_mm_driver_load_image_type_traditional(void **state)
{
	struct mm_machine *m;
	struct mm_driver_info info;
	unsigned index = 0;

	(void)state;
	if (access(PE("traditional-sample"), R_OK))
		skip();
	m = emu_machine();
	if (mm_driver_load_image_type(m, PE("traditional-sample"), "gEfiMmBaseProtocolGuid",
				      MM_MODULE_TRADITIONAL,
				      &index))
		fail_msg("load: %s", mm_machine_error(m));
	if (mm_dispatch(m) != MM_OK)
		fail_msg("dispatch: %s", mm_machine_error(m));
	assert_int_equal(mm_driver_get_info(m, index, &info), MM_OK);
	assert_int_equal(info.state, MM_DRIVER_DISPATCHED);
	assert_int_equal(info.entry_status, EFI_SUCCESS);
	mm_machine_destroy(m);
}

static void test_mm_driver_load_image_bad_depex(void **state)
{
	struct mm_machine *m;

	(void)state;
	if (access(paths[PRODUCER], R_OK))
		skip();
	m = emu_machine();
	assert_int_equal(mm_driver_load_image(m, paths[PRODUCER], "AND AND", NULL),
			 MM_ERR_FORMAT);
	assert_int_equal(mm_driver_count(m), 0);
	mm_machine_destroy(m);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_dispatch_emulated_samples),
		T(test_mm_communicate_emulated_sample_add),
		T(test_mm_communicate_emulated_sample_reverse),
		T(test_mm_sw_smi_emulated_sample),
		cmocka_unit_test(test_mm_driver_load_image_type_traditional),
		cmocka_unit_test(test_mm_driver_load_image_bad_depex),
		cmocka_unit_test(test_mm_driver_load_image_record_depex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
