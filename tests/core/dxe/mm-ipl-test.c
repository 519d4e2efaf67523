/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/dxe/mm-ipl.c and its MM side in core/communicate.c:
 * EFI_MM_COMMUNICATION2.Communicate enters SMM through the CPU model (a
 * software SMI, the entry stub, MmEntryPoint finding the buffer), calls the
 * handlers directly on the host engine, and hands every handler a
 * CommBufferSize in SMRAM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <mmemu/dxe.h>
#include <mmemu/mmemu.h>

#include "core/call.h"
#include "core/machine.h"
#include "emu/emu.h"
#include "tests/drivers/sample.h"

#define DRIVER(name) MMEMU_TEST_DRIVER_DIR "/" name ".so"

/* What the test's own handler saw. */
struct seen {
	uint64_t size_ptr;
	UINTN size;
	unsigned calls;
};

/* A machine with the given engine, the sample drivers dispatched, its DXE world. */
static struct mm_machine *machine(enum mm_cpu_engine engine)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";
	uint64_t st = 0;

	mm_platform_default(&p);
	p.cpu_engine = engine;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	if (engine == MM_CPU_UNICORN && !mm_extension_get(m, "emu") && mm_emu_attach(m))
		fail_msg("mm_emu_attach: %s", mm_machine_error(m));
	assert_int_equal(mm_driver_load_native(m, DRIVER("sample-producer"), NULL), MM_OK);
	assert_int_equal(mm_driver_load_native(m, DRIVER("sample-guid-handler"), NULL), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	assert_int_equal(mm_dxe_system_table(m, &st), MM_OK);
	mm_current_machine = m;
	return m;
}

static void done(struct mm_machine *m)
{
	mm_current_machine = NULL;
	mm_machine_destroy(m);
}

/* SAMPLE_CMD_ADD through COMMUNICATION2 from host code acting as a DXE driver. */
static EFI_STATUS add(struct mm_machine *m, UINT32 a, UINT32 b, SAMPLE_MESSAGE *out, UINTN *size)
{
	EFI_MM_COMMUNICATION2_PROTOCOL *c = m->dxe.ipl.comm2;
	const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = a, .B = b, .Status = 1 };
	uint64_t len = sizeof(msg), addr = 0;
	uint8_t *buf;
	EFI_STATUS s;

	assert_int_equal(mm_ram_alloc(m, MM_COMMUNICATE_HEADER_SIZE + sizeof(msg), 6, &addr), MM_OK);
	buf = (uint8_t *)(uintptr_t)addr;
	memcpy(buf, &guid, 16);
	memcpy(buf + 16, &len, 8);
	memcpy(buf + MM_COMMUNICATE_HEADER_SIZE, &msg, sizeof(msg));
	*size = MM_COMMUNICATE_HEADER_SIZE + sizeof(msg);
	s = c->Communicate(c, buf, buf, size);
	memcpy(out, buf + MM_COMMUNICATE_HEADER_SIZE, sizeof(*out));
	mm_ram_free(m, addr, MM_COMMUNICATE_HEADER_SIZE + sizeof(msg));
	return s;
}

static void test_Comm2Communicate_enters_smm_through_model(void **state)
{
	struct mm_machine *m = machine(MM_CPU_UNICORN);
	struct mm_emu_arrival before, after;
	uint64_t smis = m->smi.count;
	SAMPLE_MESSAGE r;
	UINTN size = 0;

	(void)state;
	assert_int_equal(mm_emu_arrival(m, 0, &before), MM_OK);
	assert_int_equal(add(m, 40, 2, &r, &size), EFI_SUCCESS);
	assert_int_equal(r.Status, EFI_SUCCESS);
	assert_int_equal(r.Result, 42);
	assert_int_equal(size, MM_COMMUNICATE_HEADER_SIZE + sizeof(r));
	assert_int_equal(m->smi.count, smis + 1); /* one SMI... */
	assert_int_equal(mm_emu_arrival(m, 0, &after), MM_OK);
	assert_int_equal(after.count, before.count + 1); /* ...that CPU 0's stub took */
	assert_false(m->comm.pending);
	done(m);
}

static void test_Comm2Communicate_host_engine_direct(void **state)
{
	struct mm_machine *m = machine(MM_CPU_HOST);
	uint64_t smis = m->smi.count;
	SAMPLE_MESSAGE r;
	UINTN size = 0;

	(void)state;
	assert_int_equal(add(m, 1, 2, &r, &size), EFI_SUCCESS);
	assert_int_equal(r.Result, 3);
	assert_int_equal(m->smi.count, smis); /* no SMI on the host engine */
	done(m);
}

/* The handler registered by the tests: records its CommBufferSize. */
static EFI_STATUS EFIAPI recorder(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				  VOID *CommBuffer, UINTN *CommBufferSize)
{
	struct mm_machine *m = mm_current_machine;
	struct seen *s = *(struct seen **)CommBuffer;

	(void)DispatchHandle, (void)Context, (void)m;
	s->size_ptr = (uint64_t)(uintptr_t)CommBufferSize;
	s->size = *CommBufferSize;
	s->calls++;
	*CommBufferSize = 8;
	return EFI_SUCCESS;
}

/* Both paths (SMI and direct) hand the handler a CommBufferSize in SMRAM. */
static void test_mm_communicate_size_in_smram(void **state)
{
	static const EFI_GUID guid = { 0x5e1bd1c7, 0x3b83, 0x4d25,
				       { 0x9b, 0x43, 0x0a, 0x6d, 0x21, 0x6f, 0x87, 0x11 } };
	struct mm_machine *m = machine(MM_CPU_UNICORN);
	EFI_MM_COMMUNICATION2_PROTOCOL *c = m->dxe.ipl.comm2;
	struct seen seen = { 0 };
	struct seen *p = &seen;
	uint64_t addr = 0, len = 16, size, status = 1;
	EFI_HANDLE h = NULL;
	UINTN csize = 24 + 16;
	uint8_t *buf;

	(void)state;
	assert_int_equal(m->mmst->MmiHandlerRegister(recorder, &guid, &h), EFI_SUCCESS);
	assert_int_equal(mm_ram_alloc(m, 24 + 16, 6, &addr), MM_OK);
	buf = (uint8_t *)(uintptr_t)addr;
	memcpy(buf, &guid, 16);
	memcpy(buf + 16, &len, 8);
	memcpy(buf + 24, &p, sizeof(p));
	assert_int_equal(c->Communicate(c, buf, buf, &csize), EFI_SUCCESS);
	assert_int_equal(seen.calls, 1);
	assert_true(mm_mem_inside_smram(m, seen.size_ptr, sizeof(UINTN)));
	assert_int_equal(seen.size, 16);
	assert_int_equal(csize, 24 + 8); /* the handler's new length came back */
	len = 16;
	memcpy(buf + 16, &len, 8);
	size = 24 + 16;
	assert_int_equal(mm_communicate(m, addr, &size, &status), MM_OK);
	assert_int_equal(status, EFI_SUCCESS);
	assert_int_equal(seen.calls, 2);
	assert_true(mm_mem_inside_smram(m, seen.size_ptr, sizeof(UINTN)));
	assert_int_equal(size, 24 + 8);
	done(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_Comm2Communicate_enters_smm_through_model),
		cmocka_unit_test(test_Comm2Communicate_host_engine_direct),
		cmocka_unit_test(test_mm_communicate_size_in_smram),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
