/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/smi.c: software SMIs on the host path, MmEntryPoint, SMIs
 * raised while in SMM, and the CPU-model hook. The machine is the core only
 * (no devices): each test plugs in a small APM device of its own at
 * 0xB2/0xB3 and a root MMI handler, which is what the chipset model does.
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

/* What the test device and the root handler saw; one per test. */
struct apm {
	bool enabled;          /* SMIs enabled in the "chipset" */
	uint8_t cnt, sts;
	unsigned root_calls;
	unsigned raise_again;  /* root handler re-raises SMI# this many more times */
	bool raise_forever;
	unsigned bsp[16], executing[16], mmst_cpu[16];
	bool in_smm[16];
	EFI_MM_SAVE_STATE_IO_INFO io;
	EFI_STATUS io_status;
	unsigned ap_executing;
	EFI_STATUS ap_status;
	bool start_ap;
	EFI_STATUS sw_status;
};

/* The machine-less root handler finds the test's record through a device lookup. */
static struct apm *the_apm(struct mm_machine *m)
{
	return mm_extension_get(m, "test-apm");
}

static void apm_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
		      uint64_t value)
{
	struct apm *a = user;

	(void)size;
	if (addr == 0xb3) {
		a->sts = (uint8_t)value;
		return;
	}
	a->cnt = (uint8_t)value;
	if (a->enabled)
		mm_smi_raise(m, m->cpus.executing);
}

static uint64_t apm_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct apm *a = user;

	(void)m, (void)size;
	return addr == 0xb3 ? a->sts : a->cnt;
}

static VOID EFIAPI ap_procedure(VOID *Buffer)
{
	*(unsigned *)Buffer = mm_current()->cpus.executing;
}

/* Root MMI handler: records the SMI, then dispatches the SW child like a chipset would. */
static EFI_STATUS EFIAPI root_handler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				      VOID *CommBuffer, UINTN *CommBufferSize)
{
	struct mm_machine *m = mm_current();
	struct apm *a = the_apm(m);
	unsigned i = a->root_calls++ % 16;

	(void)DispatchHandle, (void)Context, (void)CommBuffer, (void)CommBufferSize;
	a->bsp[i] = m->cpus.bsp;
	a->executing[i] = m->cpus.executing;
	a->mmst_cpu[i] = (unsigned)m->mmst->CurrentlyExecutingCpu;
	a->in_smm[i] = m->cpus.in_smm;
	a->io_status = m->cpus.protocol->ReadSaveState(m->cpus.protocol, sizeof(a->io),
						       EFI_MM_SAVE_STATE_REGISTER_IO,
						       m->cpus.bsp, &a->io);
	if (a->start_ap)
		a->ap_status = m->mmst->MmStartupThisAp(ap_procedure, 3, &a->ap_executing);
	a->sw_status = mm_sw_dispatch_run(m, a->cnt, a->sts, m->cpus.bsp);
	if (a->raise_forever || a->raise_again) {
		if (a->raise_again)
			a->raise_again--;
		mm_smi_raise(m, 1);
	}
	return EFI_SUCCESS;
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
	struct apm *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	if (mm_core_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_core_create: %s", err);
	a->enabled = true;
	assert_int_equal(mm_extension_add(m, "test-apm", free_data, a), MM_OK);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0xb2, 2, apm_read, apm_write, a, "apm"), MM_OK);
	assert_int_equal(mm_mmi_register(m, (uint64_t)(uintptr_t)root_handler, NULL, &h), MM_OK);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

static void test_mm_sw_smi_invalid_cpu(void **state)
{
	struct mm_machine *m = *state;

	assert_int_equal(mm_sw_smi(m, 4, 0x10, 0), MM_ERR_INVALID);
	assert_int_equal(the_apm(m)->root_calls, 0);
	assert_int_equal(m->smi.count, 0);
}

static void test_mm_sw_smi_runs_root_handler(void **state)
{
	struct mm_machine *m = *state;
	struct apm *a = the_apm(m);

	assert_int_equal(mm_sw_smi(m, 2, 0x42, 0x07), MM_OK);
	assert_int_equal(a->root_calls, 1);
	assert_int_equal(a->cnt, 0x42);
	assert_int_equal(a->sts, 0x07);
	assert_int_equal(a->bsp[0], 2);
	assert_int_equal(a->executing[0], 2);
	assert_int_equal(a->mmst_cpu[0], 2);
	assert_true(a->in_smm[0]);
	assert_false(m->cpus.in_smm);
	assert_false(m->smi.pending);
	assert_int_equal(m->smi.count, 1);
	assert_int_equal(a->sw_status, EFI_NOT_FOUND); /* no SW child registered */
}

static void test_mm_sw_smi_masked(void **state)
{
	struct mm_machine *m = *state;
	struct apm *a = the_apm(m);

	a->enabled = false;
	assert_int_equal(mm_sw_smi(m, 0, 0x42, 0), MM_OK);
	assert_int_equal(a->root_calls, 0);
	assert_int_equal(a->cnt, 0x42); /* the port write still happened */
	assert_int_equal(m->smi.count, 0);
}

static void test_mm_sw_smi_io_info(void **state)
{
	struct mm_machine *m = *state;
	struct apm *a = the_apm(m);
	uint8_t buf[sizeof(EFI_MM_SAVE_STATE_IO_INFO)];
	uint64_t args[5] = { 0, sizeof(buf), EFI_MM_SAVE_STATE_REGISTER_IO, 1,
			     (uint64_t)(uintptr_t)buf };
	uint64_t ret = 0;

	assert_int_equal(mm_sw_smi(m, 1, 0xa0, 0x5), MM_OK);
	assert_int_equal(a->io_status, EFI_SUCCESS);
	assert_int_equal(a->io.IoPort, 0xb2);
	assert_int_equal(a->io.IoData, 0xa0);
	assert_int_equal(a->io.IoWidth, EFI_MM_SAVE_STATE_IO_WIDTH_UINT8);
	assert_int_equal(a->io.IoType, EFI_MM_SAVE_STATE_IO_TYPE_OUTPUT);
	/* after the SMI the I/O information is gone */
	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)MmReadSaveState, 5, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_NOT_FOUND);
}

static void test_mm_smi_service_pending_in_smm(void **state)
{
	struct mm_machine *m = *state;
	struct apm *a = the_apm(m);

	a->raise_again = 1; /* the first SMI raises a second one while in SMM */
	assert_int_equal(mm_sw_smi(m, 0, 0x10, 0), MM_OK);
	assert_int_equal(a->root_calls, 2);
	assert_int_equal(m->smi.count, 2);
	assert_int_equal(a->bsp[0], 0);
	assert_int_equal(a->bsp[1], 1); /* the second came from CPU 1 */
	assert_true(a->in_smm[1]);
	assert_false(m->smi.pending);
}

static void test_mm_smi_service_storm_bounded(void **state)
{
	struct mm_machine *m = *state;
	struct apm *a = the_apm(m);
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	mm_test_log_attach(m, log, MM_LOG_WARN);
	a->raise_forever = true;
	assert_int_equal(mm_sw_smi(m, 0, 0x10, 0), MM_OK);
	assert_int_equal(a->root_calls, MM_SMI_MAX_REENTRY + 1);
	assert_false(m->smi.pending);
	assert_true(mm_test_log_contains(log, "SMI storm"));
	free(log);
}

static void test_mm_smi_raise_latched_once(void **state)
{
	struct mm_machine *m = *state;

	mm_smi_raise(m, 3);
	mm_smi_raise(m, 1); /* SMI# already asserted: the first source stays */
	assert_true(m->smi.pending);
	assert_int_equal(m->smi.source_cpu, 3);
	assert_int_equal(mm_smi_service(m), MM_OK);
	assert_int_equal(the_apm(m)->bsp[0], 3);
	assert_int_equal(m->smi.count, 1);
	/* nothing pending: nothing delivered */
	assert_int_equal(mm_smi_service(m), MM_OK);
	assert_int_equal(m->smi.count, 1);
}

static void test_mm_mm_entry_startup_ap(void **state)
{
	struct mm_machine *m = *state;
	struct apm *a = the_apm(m);

	a->start_ap = true;
	a->ap_executing = 99;
	assert_int_equal(mm_sw_smi(m, 0, 0x10, 0), MM_OK);
	assert_int_equal(a->ap_status, EFI_SUCCESS);
	assert_int_equal(a->ap_executing, 3);
	assert_int_equal(a->executing[0], 0);
}

struct sw_seen {
	UINTN cpu;
	UINT8 cmd, data;
	unsigned calls;
};

static struct sw_seen *sw_seen_of(struct mm_machine *m)
{
	return mm_extension_get(m, "test-sw");
}

static EFI_STATUS EFIAPI sw_child(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				  VOID *CommBuffer, UINTN *CommBufferSize)
{
	const EFI_MM_SW_CONTEXT *c = CommBuffer;
	struct sw_seen *s = sw_seen_of(mm_current());

	(void)DispatchHandle, (void)Context, (void)CommBufferSize;
	s->cpu = c->SwMmiCpuIndex;
	s->cmd = c->CommandPort;
	s->data = c->DataPort;
	s->calls++;
	return EFI_SUCCESS;
}

static void test_mm_sw_smi_reaches_sw_child(void **state)
{
	struct mm_machine *m = *state;
	struct sw_seen *s = calloc(1, sizeof(*s));
	EFI_MM_SW_REGISTER_CONTEXT ctx = { 0x33 };
	EFI_HANDLE h = NULL;
	uint64_t args[4] = { (uint64_t)(uintptr_t)m->sw.protocol, (uint64_t)(uintptr_t)sw_child,
			     (uint64_t)(uintptr_t)&ctx, (uint64_t)(uintptr_t)&h };
	uint64_t ret = 1;

	assert_non_null(s);
	assert_int_equal(mm_extension_add(m, "test-sw", free_data, s), MM_OK);
	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)m->sw.protocol->Register, 4, args, &ret),
			 MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	assert_int_equal(mm_sw_smi(m, 3, 0x33, 0x99), MM_OK);
	assert_int_equal(s->calls, 1);
	assert_int_equal(s->cpu, 3);
	assert_int_equal(s->cmd, 0x33);
	assert_int_equal(s->data, 0x99);
	assert_int_equal(the_apm(m)->sw_status, EFI_SUCCESS);
}

static void test_mm_mm_entry_log(void **state)
{
	struct mm_machine *m = *state;
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	mm_test_log_attach(m, log, MM_LOG_SMI);
	assert_int_equal(mm_sw_smi(m, 1, 0x5a, 0), MM_OK);
	assert_true(mm_test_log_contains(log, "software SMI 0x5a"));
	assert_true(mm_test_log_contains(log, "BSP 1"));
	assert_true(mm_test_log_contains(log, "source CPU 1"));
	assert_true(mm_test_log_contains(log, "SW SMI 0x5a"));
	free(log);
}

/* A fake CPU model: SMI delivery goes to it instead of the host path. */
static unsigned model_smis, model_source;

static enum mm_err model_smi(struct mm_machine *m, unsigned source_cpu)
{
	model_smis++;
	model_source = source_cpu;
	m->cpus.in_smm = true;
	mm_mm_entry(m, source_cpu);
	m->cpus.in_smm = false;
	return MM_OK;
}

static const struct mm_cpu_ops fake_model = { .smi = model_smi };

static void test_mm_smi_service_model_path(void **state)
{
	struct mm_machine *m = *state;

	model_smis = 0;
	mm_cpus_set_model(m, &fake_model, NULL, NULL);
	assert_int_equal(mm_sw_smi(m, 2, 0x10, 0), MM_OK);
	assert_int_equal(model_smis, 1);
	assert_int_equal(model_source, 2);
	assert_int_equal(the_apm(m)->root_calls, 1);
	assert_int_equal(the_apm(m)->bsp[0], 2);
	mm_cpus_set_model(m, NULL, NULL, NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_sw_smi_invalid_cpu),
		T(test_mm_sw_smi_runs_root_handler),
		T(test_mm_sw_smi_masked),
		T(test_mm_sw_smi_io_info),
		T(test_mm_smi_service_pending_in_smm),
		T(test_mm_smi_service_storm_bounded),
		T(test_mm_smi_raise_latched_once),
		T(test_mm_mm_entry_startup_ap),
		T(test_mm_sw_smi_reaches_sw_child),
		T(test_mm_mm_entry_log),
		T(test_mm_smi_service_model_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
