/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/communicate.c: every way a communicate buffer can be wrong,
 * the in-place dispatch to GUID handlers, and the convenience form.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <pi/mm-communication.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

#define SMRAM_BASE 0x0f800000ull /* default platform TSEG */
#define RAM_BUF 0x300000ull      /* normal-world RAM on the default platform */

static const EFI_GUID echo_guid = { 0x9a1c0b5e, 0x1234, 0x4abc,
				    { 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 } };
static const EFI_GUID other_guid = { 0x9a1c0b5f, 0x1234, 0x4abc,
				     { 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 } };

/* What the echo handler saw, and what it should do. */
struct echo {
	unsigned calls;
	void *buffer;
	UINTN size_in;
	UINTN reply_len;   /* length it sets; 0: echo the input length */
	bool in_smm;
	unsigned executing;
	EFI_STATUS status; /* what it returns */
};

static struct echo *echo_of(struct mm_machine *m)
{
	return mm_extension_get(m, "test-echo");
}

/* Uppercases the message in place and reports its length. */
static EFI_STATUS EFIAPI echo_handler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				      VOID *CommBuffer, UINTN *CommBufferSize)
{
	struct mm_machine *m = mm_current();
	struct echo *e = echo_of(m);
	uint8_t *p = CommBuffer;

	(void)DispatchHandle, (void)Context;
	e->calls++;
	e->buffer = CommBuffer;
	e->size_in = *CommBufferSize;
	e->in_smm = m->cpus.in_smm;
	e->executing = m->cpus.executing;
	for (UINTN i = 0; i < *CommBufferSize; i++)
		if (p[i] >= 'a' && p[i] <= 'z')
			p[i] -= 32;
	if (e->reply_len)
		*CommBufferSize = e->reply_len;
	return e->status;
}

static void free_data(struct mm_machine *m, void *data)
{
	(void)m;
	free(data);
}

static int setup(void **state)
{
	struct mm_machine *m = NULL;
	EFI_HANDLE h = NULL;
	char err[256] = "";
	struct echo *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	if (mm_core_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_core_create: %s", err);
	assert_int_equal(mm_extension_add(m, "test-echo", free_data, e), MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)echo_handler, &echo_guid, &h),
			 MM_OK);
	mm_log_set_mask(m, 0);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* Writes a header (guid, length) and msg at addr. */
static void put_header(uint64_t addr, const EFI_GUID *guid, uint64_t length, const char *msg)
{
	uint8_t *p = (uint8_t *)(uintptr_t)addr;

	memcpy(p, guid, 16);
	memcpy(p + 16, &length, 8);
	if (msg)
		memcpy(p + 24, msg, strlen(msg));
}

static void test_mm_comm_validate_ok(void **state)
{
	struct mm_machine *m = *state;
	struct mm_comm_request req;

	put_header(RAM_BUF, &echo_guid, 5, "hello");
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 24 + 5, &req), EFI_SUCCESS);
	assert_int_equal(req.buffer, RAM_BUF);
	assert_int_equal(req.size, 29);
	assert_int_equal(req.message, RAM_BUF + 24);
	assert_int_equal(req.length, 5);
	assert_memory_equal(&req.guid, &echo_guid, 16);
	/* a zero-length message in a bare header */
	put_header(RAM_BUF, &echo_guid, 0, NULL);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 24, &req), EFI_SUCCESS);
}

static void test_mm_comm_validate_truncated_header(void **state)
{
	struct mm_machine *m = *state;
	struct mm_comm_request req;

	put_header(RAM_BUF, &echo_guid, 0, NULL);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 23, &req), EFI_INVALID_PARAMETER);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 0, &req), EFI_INVALID_PARAMETER);
	assert_non_null(strstr(mm_machine_error(m), "truncated"));
}

static void test_mm_comm_validate_message_overflow(void **state)
{
	struct mm_machine *m = *state;
	struct mm_comm_request req;

	put_header(RAM_BUF, &echo_guid, 9, NULL);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 24 + 8, &req), EFI_BAD_BUFFER_SIZE);
	put_header(RAM_BUF, &echo_guid, UINT64_MAX, NULL);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 24 + 8, &req), EFI_BAD_BUFFER_SIZE);
	/* a length that would wrap size - 24 + length back into range */
	put_header(RAM_BUF, &echo_guid, UINT64_MAX - 15, NULL);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 24 + 8, &req), EFI_BAD_BUFFER_SIZE);
	put_header(RAM_BUF, &echo_guid, 8, NULL);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, 24 + 8, &req), EFI_SUCCESS);
}

static void test_mm_comm_validate_smram_overlap(void **state)
{
	struct mm_machine *m = *state;
	struct mm_comm_request req;

	/* inside SMRAM */
	assert_int_equal(mm_comm_validate(m, SMRAM_BASE + 0x1000, 0x100, &req),
			 EFI_ACCESS_DENIED);
	/* starts in RAM just below SMRAM and ends inside it */
	put_header(SMRAM_BASE - 0x20, &echo_guid, 0, NULL);
	assert_int_equal(mm_comm_validate(m, SMRAM_BASE - 0x20, 0x21, &req), EFI_ACCESS_DENIED);
	assert_non_null(strstr(mm_machine_error(m), "SMRAM"));
	/* ends exactly at the SMRAM base: fine */
	assert_int_equal(mm_comm_validate(m, SMRAM_BASE - 0x20, 0x20, &req), EFI_SUCCESS);
	/* covers the whole of SMRAM from below */
	assert_int_equal(mm_comm_validate(m, SMRAM_BASE - 0x1000, 0x2000000, &req),
			 EFI_ACCESS_DENIED);
}

static void test_mm_comm_validate_wrapping_address(void **state)
{
	struct mm_machine *m = *state;
	struct mm_comm_request req;

	assert_int_equal(mm_comm_validate(m, UINT64_MAX - 0xf, 0x20, &req),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(mm_comm_validate(m, RAM_BUF, UINT64_MAX, &req), EFI_INVALID_PARAMETER);
	assert_non_null(strstr(mm_machine_error(m), "wraps"));
}

static void test_mm_comm_validate_unmapped(void **state)
{
	struct mm_machine *m = *state;
	struct mm_comm_request req;

	assert_int_equal(mm_comm_validate(m, 0x20000000, 0x100, &req), EFI_INVALID_PARAMETER);
	assert_int_equal(mm_comm_validate(m, 0, 0x100, &req), EFI_INVALID_PARAMETER);
	/* straddles the end of low RAM into the hole below 1 MiB */
	assert_int_equal(mm_comm_validate(m, 0x9fff0, 0x40, &req), EFI_INVALID_PARAMETER);
	assert_non_null(strstr(mm_machine_error(m), "not mapped"));
}

static void test_mm_communicate_runs_handler(void **state)
{
	struct mm_machine *m = *state;
	struct echo *e = echo_of(m);
	uint64_t size = 24 + 16, status = 1, len = 0;

	e->reply_len = 3;
	put_header(RAM_BUF, &echo_guid, 5, "hello");
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(status, EFI_SUCCESS);
	assert_int_equal(e->calls, 1);
	assert_ptr_equal(e->buffer, (void *)(uintptr_t)(RAM_BUF + 24));
	assert_int_equal(e->size_in, 5);
	assert_true(e->in_smm);
	assert_int_equal(e->executing, 0);
	assert_false(m->cpus.in_smm);
	assert_int_equal(size, 24 + 3);
	memcpy(&len, (void *)(uintptr_t)(RAM_BUF + 16), 8);
	assert_int_equal(len, 3);
	assert_memory_equal((void *)(uintptr_t)(RAM_BUF + 24), "HELLO", 5);
}

static void test_mm_communicate_no_handler(void **state)
{
	struct mm_machine *m = *state;
	uint64_t size = 24 + 5, status = 0;

	put_header(RAM_BUF, &other_guid, 5, "hello");
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(status, EFI_NOT_FOUND);
	assert_int_equal(echo_of(m)->calls, 0);
	assert_int_equal(size, 24 + 5);
}

static void test_mm_communicate_refused(void **state)
{
	struct mm_machine *m = *state;
	uint64_t size = 0x100, status = 0;

	assert_int_equal(mm_communicate(m, SMRAM_BASE, &size, &status), MM_OK);
	assert_int_equal(status, EFI_ACCESS_DENIED);
	put_header(RAM_BUF, &echo_guid, 100, NULL);
	size = 24 + 10;
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(status, EFI_BAD_BUFFER_SIZE);
	size = 10;
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(status, EFI_INVALID_PARAMETER);
	assert_int_equal(size, 10);
	assert_int_equal(echo_of(m)->calls, 0);
	assert_int_equal(mm_communicate(m, RAM_BUF, NULL, &status), MM_ERR_INVALID);
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, NULL), MM_ERR_INVALID);
}

static void test_mm_communicate_handler_overflow(void **state)
{
	struct mm_machine *m = *state;
	struct echo *e = echo_of(m);
	uint64_t size = 24 + 8, status = 0, len = 0;
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	mm_test_log_attach(m, log, MM_LOG_WARN);
	e->reply_len = 9; /* one byte more than the buffer has */
	put_header(RAM_BUF, &echo_guid, 5, "hello");
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(e->calls, 1);
	assert_int_equal(status, EFI_BAD_BUFFER_SIZE);
	assert_int_equal(size, 24 + 8);
	memcpy(&len, (void *)(uintptr_t)(RAM_BUF + 16), 8);
	assert_int_equal(len, 5);
	assert_true(mm_test_log_contains(log, "beyond"));
	free(log);
}

static void test_mm_communicate_handler_status(void **state)
{
	struct mm_machine *m = *state;
	uint64_t size = 24 + 5, status = 0;

	echo_of(m)->status = EFI_WARN_INTERRUPT_SOURCE_QUIESCED;
	put_header(RAM_BUF, &echo_guid, 5, "hello");
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(status, EFI_SUCCESS); /* MmiManage folds QUIESCED into success */
	echo_of(m)->status = EFI_INVALID_PARAMETER;
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_int_equal(status, EFI_NOT_FOUND); /* nobody handled it */
}

static void test_mm_communicate_log(void **state)
{
	struct mm_machine *m = *state;
	uint64_t size = 24 + 5, status = 0;
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	mm_test_log_attach(m, log, MM_LOG_COMMUNICATE);
	put_header(RAM_BUF, &echo_guid, 5, "hello");
	assert_int_equal(mm_communicate(m, RAM_BUF, &size, &status), MM_OK);
	assert_true(mm_test_log_contains(log, "buffer 0x300000 size 0x1d"));
	assert_true(mm_test_log_contains(log, "9A1C0B5E-1234-4ABC-8001-020304050607"));
	assert_true(mm_test_log_contains(log, "valid"));
	size = 0x100;
	assert_int_equal(mm_communicate(m, SMRAM_BASE, &size, &status), MM_OK);
	assert_true(mm_test_log_contains(log, "overlaps SMRAM"));
	free(log);
}

static void test_mm_communicate_msg_reply(void **state)
{
	struct mm_machine *m = *state;
	char reply[16] = { 0 };
	uint64_t reply_len = sizeof(reply), status = 1;
	uint64_t free_before = m->ram.free_pages;

	assert_int_equal(mm_communicate_msg(m, (const uint8_t *)&echo_guid, "abc", 3, 0, reply,
					    &reply_len, &status),
			 MM_OK);
	assert_int_equal(status, EFI_SUCCESS);
	assert_int_equal(reply_len, 3);
	assert_string_equal(reply, "ABC");
	assert_int_equal(m->ram.free_pages, free_before); /* the buffer was freed */
	/* a reply larger than the caller's buffer is cut, its length still told */
	reply_len = 2;
	memset(reply, 0, sizeof(reply));
	assert_int_equal(mm_communicate_msg(m, (const uint8_t *)&echo_guid, "xyz", 3, 0, reply,
					    &reply_len, &status),
			 MM_OK);
	assert_int_equal(reply_len, 3);
	assert_string_equal(reply, "XY");
}

static void test_mm_communicate_msg_small_buffer(void **state)
{
	struct mm_machine *m = *state;
	uint64_t status = 0, reply_len = 0;

	/* the header claims 10 bytes, the buffer holds 4 of them */
	assert_int_equal(mm_communicate_msg(m, (const uint8_t *)&echo_guid, "0123456789", 10,
					    24 + 4, NULL, &reply_len, &status),
			 MM_OK);
	assert_int_equal(status, EFI_BAD_BUFFER_SIZE);
	assert_int_equal(echo_of(m)->calls, 0);
	assert_int_equal(mm_communicate_msg(m, (const uint8_t *)&echo_guid, "x", 1, 23, NULL,
					    NULL, &status),
			 MM_ERR_INVALID);
	assert_int_equal(mm_communicate_msg(m, NULL, "x", 1, 0, NULL, NULL, &status),
			 MM_ERR_INVALID);
	assert_int_equal(mm_communicate_msg(m, (const uint8_t *)&echo_guid, NULL, 1, 0, NULL,
					    NULL, &status),
			 MM_ERR_INVALID);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_comm_validate_ok),
		T(test_mm_comm_validate_truncated_header),
		T(test_mm_comm_validate_message_overflow),
		T(test_mm_comm_validate_smram_overlap),
		T(test_mm_comm_validate_wrapping_address),
		T(test_mm_comm_validate_unmapped),
		T(test_mm_communicate_runs_handler),
		T(test_mm_communicate_no_handler),
		T(test_mm_communicate_refused),
		T(test_mm_communicate_handler_overflow),
		T(test_mm_communicate_handler_status),
		T(test_mm_communicate_log),
		T(test_mm_communicate_msg_reply),
		T(test_mm_communicate_msg_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
