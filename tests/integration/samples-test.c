/* SPDX-License-Identifier: MIT */
/*
 * End to end with the sample native drivers of tests/drivers: load them in an
 * order unlike their DEPEX order, dispatch, then drive the GUID handler with
 * MM communicate, the SW handler with a software SMI through the chipset, and
 * the ReadyToLock notify; check what the failing and the late drivers left
 * behind.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>
#include <mmemu/run.h>

#include "support.h"
#include "tests/drivers/sample.h"

#define DRIVER(name) MMEMU_TEST_DRIVER_DIR "/" name ".so"

/* Load order: consumers first, so only DEPEX can put the producer first. */
enum {
	LATE, GUID_HANDLER, FAILING, SW_HANDLER, AFTER_LOCK, PRODUCER, SAMPLE_COUNT
};
static const char *const paths[SAMPLE_COUNT] = {
	[LATE] = DRIVER("sample-late"),
	[GUID_HANDLER] = DRIVER("sample-guid-handler"),
	[FAILING] = DRIVER("sample-failing"),
	[SW_HANDLER] = DRIVER("sample-sw-handler"),
	[AFTER_LOCK] = DRIVER("sample-after-lock"),
	[PRODUCER] = DRIVER("sample-producer"),
};

struct fixture {
	struct mm_machine *m;
	unsigned index[SAMPLE_COUNT];
	struct mm_driver_info info[SAMPLE_COUNT];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->m = mm_test_machine();
	for (unsigned i = 0; i < SAMPLE_COUNT; i++)
		if (mm_driver_load_native(f->m, paths[i], &f->index[i]) != MM_OK)
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

	mm_machine_destroy(f->m);
	free(f);
	return 0;
}

/* Sends msg (len bytes) to the sample handler; returns MmiManage's status. */
static uint64_t send(struct fixture *f, const uint8_t guid[16], void *msg, uint64_t len)
{
	uint64_t reply_len = len, status = 0;

	if (mm_communicate_msg(f->m, guid, msg, len, 0, msg, &reply_len, &status) != MM_OK)
		fail_msg("communicate: %s", mm_machine_error(f->m));
	return status;
}

static const EFI_GUID handler_guid = SAMPLE_HANDLER_GUID;
#define HANDLER ((const uint8_t *)&handler_guid)

static void test_mm_dispatch_samples_order(void **state)
{
	struct fixture *f = *state;
	const struct mm_driver_info *in = f->info;

	assert_int_equal(mm_driver_count(f->m), SAMPLE_COUNT);
	assert_string_equal(in[PRODUCER].name, "SampleProducer");
	assert_int_equal(in[PRODUCER].state, MM_DRIVER_DISPATCHED);
	assert_int_equal(in[GUID_HANDLER].state, MM_DRIVER_DISPATCHED);
	assert_true(in[PRODUCER].dispatch_order > 0);
	assert_true(in[PRODUCER].dispatch_order < in[GUID_HANDLER].dispatch_order);
	assert_int_equal(in[SW_HANDLER].state, MM_DRIVER_DISPATCHED);
	assert_int_equal(in[SW_HANDLER].entry_status, EFI_SUCCESS);
	assert_int_equal(in[AFTER_LOCK].state, MM_DRIVER_DISPATCHED);
}

static void test_mm_dispatch_samples_late_reason(void **state)
{
	struct fixture *f = *state;
	const struct mm_driver_info *late = &f->info[LATE];

	assert_int_equal(late->state, MM_DRIVER_NOT_DISPATCHED);
	assert_int_equal(late->dispatch_order, 0);
	assert_non_null(late->reason);
	if (!strcasestr(late->reason, SAMPLE_NEVER_PRODUCED_GUID_STR))
		fail_msg("reason \"%s\" does not name " SAMPLE_NEVER_PRODUCED_GUID_STR,
			 late->reason);
}

static void test_mm_dispatch_samples_failing(void **state)
{
	struct fixture *f = *state;
	const EFI_GUID guid = SAMPLE_FAILING_HANDLER_GUID;
	uint8_t msg[8] = { 0 };

	assert_int_equal(f->info[FAILING].state, MM_DRIVER_FAILED);
	assert_int_equal(f->info[FAILING].entry_status, EFI_UNSUPPORTED);
	/* the image is gone from the process... */
	assert_null(dlopen(paths[FAILING], RTLD_NOW | RTLD_NOLOAD));
	/* ...and so is the handler it registered: no call into unmapped code */
	assert_true(EFI_ERROR(send(f, (const uint8_t *)&guid, msg, sizeof(msg))));
}

static void test_mm_communicate_msg_sample_add(void **state)
{
	struct fixture *f = *state;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = 40, .B = 2, .Status = 1 };

	assert_int_equal(send(f, HANDLER, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.Status, EFI_SUCCESS);
	assert_int_equal(msg.Result, 42);
}

static void test_mm_communicate_msg_sample_add_overflow(void **state)
{
	struct fixture *f = *state;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = UINT32_MAX, .B = 2 };

	assert_int_equal(send(f, HANDLER, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.Status, EFI_BAD_BUFFER_SIZE);
}

static void test_mm_communicate_msg_sample_reverse(void **state)
{
	struct fixture *f = *state;
	struct {
		SAMPLE_MESSAGE hdr;
		char data[8];
	} msg = { { .Command = SAMPLE_CMD_REVERSE, .A = 6 }, "abcdef" };

	assert_int_equal(send(f, HANDLER, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.hdr.Status, EFI_SUCCESS);
	assert_int_equal(msg.hdr.Result, 6);
	assert_memory_equal(msg.data, "fedcba", 6);

	msg.hdr.A = sizeof(msg.data) + 1; /* longer than the buffer */
	assert_int_equal(send(f, HANDLER, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.hdr.Status, EFI_BAD_BUFFER_SIZE);
	assert_memory_equal(msg.data, "fedcba", 6);
}

static void test_mm_communicate_msg_sample_unknown(void **state)
{
	struct fixture *f = *state;
	SAMPLE_MESSAGE msg = { .Command = 77 };

	assert_int_equal(send(f, HANDLER, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.Status, EFI_UNSUPPORTED);
}

static void test_mm_communicate_msg_sample_short(void **state)
{
	struct fixture *f = *state;
	uint8_t msg[8] = { SAMPLE_CMD_ADD, 0, 0, 0, 1, 0, 0, 0 };
	const uint8_t before[8] = { SAMPLE_CMD_ADD, 0, 0, 0, 1, 0, 0, 0 };

	send(f, HANDLER, msg, sizeof(msg));
	assert_memory_equal(msg, before, sizeof(msg));
}

/* Runs the sample SW SMI on cpu: RAX becomes RCX + 1, RBX the data port. */
static void sw_smi_on(struct fixture *f, unsigned cpu, uint64_t rcx, uint8_t data)
{
	uint64_t rax = 0, rbx = 0;

	assert_int_equal(mm_cpu_set_reg(f->m, cpu, MM_REG_RCX, rcx), MM_OK);
	assert_int_equal(mm_cpu_set_reg(f->m, cpu, MM_REG_RAX, 0), MM_OK);
	if (mm_sw_smi(f->m, cpu, SAMPLE_SW_MMI_VALUE, data) != MM_OK)
		fail_msg("sw smi: %s", mm_machine_error(f->m));
	assert_int_equal(mm_cpu_get_reg(f->m, cpu, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(mm_cpu_get_reg(f->m, cpu, MM_REG_RBX, &rbx), MM_OK);
	assert_int_equal(rax, rcx + 1);
	assert_int_equal(rbx, data);
}

static void test_mm_sw_smi_sample(void **state)
{
	struct fixture *f = *state;

	sw_smi_on(f, 0, 0x1234, 0x7e);
	if (mm_cpu_count(f->m) > 1)
		sw_smi_on(f, 1, 0xfffffffffULL, 0x01);
}

static void test_mm_ready_to_lock_sample_notify(void **state)
{
	struct fixture *f = *state;
	const EFI_GUID guid = SAMPLE_LOCK_HANDLER_GUID;
	SAMPLE_LOCK_MESSAGE msg = { .NotifyCount = 99 };

	assert_int_equal(send(f, (const uint8_t *)&guid, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.NotifyCount, 0);
	assert_int_equal(mm_ready_to_lock(f->m), MM_OK);
	assert_int_equal(send(f, (const uint8_t *)&guid, &msg, sizeof(msg)), EFI_SUCCESS);
	assert_int_equal(msg.NotifyCount, 1);
}

/*
 * 64 CPUs (issue 3 asks for at least 64): the SW SMI from the last CPU goes
 * through the chipset and the stub on every CPU, and the handler sees the
 * right CPU's save state.
 */
static void test_mm_sw_smi_sample_64_cpus(void **state)
{
	struct fixture f = { 0 };
	struct mm_platform p;
	char err[512] = "";

	(void)state;
	mm_platform_default(&p);
	p.cpus = 64;
	if (mm_machine_create(&p, &f.m, err, sizeof(err)) != MM_OK)
		fail_msg("64 CPUs: %s", err);
	assert_int_equal(mm_driver_load_native(f.m, paths[SW_HANDLER], NULL), MM_OK);
	assert_int_equal(mm_dispatch(f.m), MM_OK);
	sw_smi_on(&f, 63, 0x6300, 0x3f);
	sw_smi_on(&f, 0, 0x100, 0x01);
	mm_machine_destroy(f.m);
}

/* mm_machine_destroy unloads every native image (dlclose through the unload hook). */
static void test_mm_machine_destroy_unloads_samples(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(f->info[PRODUCER].state, MM_DRIVER_DISPATCHED);
	mm_machine_destroy(f->m);
	f->m = NULL;
	for (unsigned i = 0; i < SAMPLE_COUNT; i++) {
		void *h = dlopen(paths[i], RTLD_NOW | RTLD_NOLOAD);

		if (h) {
			dlclose(h);
			fail_msg("%s still loaded", paths[i]);
		}
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_dispatch_samples_order),
		T(test_mm_dispatch_samples_late_reason),
		T(test_mm_dispatch_samples_failing),
		T(test_mm_communicate_msg_sample_add),
		T(test_mm_communicate_msg_sample_add_overflow),
		T(test_mm_communicate_msg_sample_reverse),
		T(test_mm_communicate_msg_sample_unknown),
		T(test_mm_communicate_msg_sample_short),
		T(test_mm_sw_smi_sample),
		T(test_mm_ready_to_lock_sample_notify),
		cmocka_unit_test(test_mm_sw_smi_sample_64_cpus),
		T(test_mm_machine_destroy_unloads_samples),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
