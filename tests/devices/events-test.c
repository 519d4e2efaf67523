/* SPDX-License-Identifier: MIT */
/*
 * Tests of devices/events.c and the SMI sources behind it: each source
 * raised through the hardware path with a child registered through its PI
 * dispatch protocol, the context the child sees, no SMI when the enable is
 * clear, and the Register/UnRegister error cases of each protocol.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "devices/chipset.h"
#include "support.h"

#define U(x) ((uint64_t)(uintptr_t)(x))
#define PM(off) (ICH9_PMBASE_DEFAULT + (off))
#define NS_PER_S 1000000000ull

/* What the last child saw. */
static struct seen {
	unsigned calls;
	EFI_HANDLE handle;
	uint8_t ctx[16];
	uint8_t comm[16];
	bool comm_null;
	UINTN comm_size;
} seen;

static EFI_STATUS EFIAPI child(EFI_HANDLE h, CONST VOID *ctx, VOID *comm, UINTN *size)
{
	seen.calls++;
	seen.handle = h;
	memcpy(seen.ctx, ctx, sizeof(seen.ctx));
	seen.comm_null = !comm;
	if (comm)
		memcpy(seen.comm, comm, 8);
	seen.comm_size = size ? *size : 0;
	return EFI_SUCCESS;
}

static int setup(void **state)
{
	memset(&seen, 0, sizeof(seen));
	*state = mm_test_machine();
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

/* Calls Register(This, child, ctx, &h) as a driver would; returns its status. */
static EFI_STATUS reg(struct mm_machine *m, void *proto, void *ctx, EFI_HANDLE *h)
{
	uint64_t fn = *(uint64_t *)proto; /* Register is the first member of every protocol */
	uint64_t args[4] = { U(proto), U(child), U(ctx), U(h) }, ret = ~0ull;

	assert_int_equal(mm_call(m, fn, 4, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static EFI_STATUS unreg(struct mm_machine *m, void *proto, EFI_HANDLE h)
{
	uint64_t fn = ((uint64_t *)proto)[1];
	uint64_t args[2] = { U(proto), U(h) }, ret = ~0ull;

	assert_int_equal(mm_call(m, fn, 2, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

static uint32_t inl(struct mm_machine *m, uint64_t port)
{
	return (uint32_t)mm_io_read(m, MM_IO_PORT, port, 4);
}

static void test_mm_sleep_sx_entry_before_sleep(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SX_REGISTER_CONTEXT rc = { SxS3, SxEntry };
	EFI_HANDLE h = NULL;
	unsigned typ = 0;
	uint64_t count = 0;

	assert_int_equal(reg(m, m->sx.protocol, &rc, &h), EFI_SUCCESS);
	assert_true(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_SLP_SMI_EN);
	/* S5 has no child: the SMI runs, the sleep happens, the S3 child stays idle. */
	assert_int_equal(mm_sleep(m, ICH9_SLP_TYP_S5), MM_OK);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(mm_sleep(m, ICH9_SLP_TYP_S3), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_ptr_equal(seen.handle, h);
	assert_memory_equal(seen.ctx, &rc, sizeof(rc));
	assert_true(seen.comm_null);
	assert_int_equal(mm_sleep_state(m, &typ, &count), MM_OK);
	assert_int_equal(typ, ICH9_SLP_TYP_S3);
	assert_int_equal(count, 2);
}

static void test_mm_sleep_sx_disabled_sleeps_without_smi(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SX_REGISTER_CONTEXT rc = { SxS3, SxEntry };
	EFI_HANDLE h = NULL;
	uint64_t count = 0, smis = m->smi.count;

	assert_int_equal(reg(m, m->sx.protocol, &rc, &h), EFI_SUCCESS);
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_SMI_EN), 4,
		    inl(m, PM(ICH9_PMIO_SMI_EN)) & ~ICH9_SMI_EN_SLP_SMI_EN);
	assert_int_equal(mm_sleep(m, ICH9_SLP_TYP_S3), MM_OK);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(m->smi.count, smis);
	assert_int_equal(mm_sleep_state(m, NULL, &count), MM_OK);
	assert_int_equal(count, 1); /* the sleep happened directly */
}

static void test_sx_register_errors(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_SX_REGISTER_CONTEXT exit_rc = { SxS3, SxExit }, s0 = { SxS0, SxEntry },
				   bad = { EfiMaximumSleepType, SxEntry };
	EFI_HANDLE h = NULL;

	assert_int_equal(reg(m, m->sx.protocol, &exit_rc, &h), EFI_UNSUPPORTED);
	assert_int_equal(reg(m, m->sx.protocol, &s0, &h), EFI_UNSUPPORTED);
	assert_int_equal(reg(m, m->sx.protocol, &bad, &h), EFI_INVALID_PARAMETER);
	assert_int_equal(reg(m, m->sx.protocol, NULL, &h), EFI_INVALID_PARAMETER);
	assert_int_equal(reg(m, m->sx.protocol, &s0, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(unreg(m, m->sx.protocol, (EFI_HANDLE)&h), EFI_INVALID_PARAMETER);
	assert_false(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_SLP_SMI_EN);
}

static void test_mm_power_button_press_runs_child(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_POWER_BUTTON_REGISTER_CONTEXT rc = { EfiPowerButtonEntry };
	EFI_HANDLE h = NULL;

	assert_int_equal(reg(m, m->power_button.protocol, &rc, &h), EFI_SUCCESS);
	assert_true(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_EN), 2) & ICH9_PM1_PWRBTN);
	assert_int_equal(mm_power_button_press(m), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_ptr_equal(seen.handle, h);
	assert_memory_equal(seen.ctx, &rc, sizeof(rc));
	assert_int_equal(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_STS), 2) & ICH9_PM1_PWRBTN, 0);
	/* Enable cleared by software: the press only latches PWRBTN_STS. */
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_EN), 2, 0);
	assert_int_equal(mm_power_button_press(m), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_true(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_STS), 2) & ICH9_PM1_PWRBTN);
	/* UnRegister, then errors. */
	assert_int_equal(unreg(m, m->power_button.protocol, h), EFI_SUCCESS);
	assert_int_equal(unreg(m, m->power_button.protocol, h), EFI_INVALID_PARAMETER);
	rc.Phase = EfiPowerButtonExit;
	assert_int_equal(reg(m, m->power_button.protocol, &rc, &h), EFI_UNSUPPORTED);
	rc.Phase = EfiPowerButtonMax;
	assert_int_equal(reg(m, m->power_button.protocol, &rc, &h), EFI_INVALID_PARAMETER);
}

static void test_mm_standby_button_press_runs_child(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_STANDBY_BUTTON_REGISTER_CONTEXT rc = { EfiStandbyButtonEntry };
	EFI_HANDLE h = NULL;

	assert_int_equal(mm_standby_button_press(m), MM_OK); /* SLPBTN_EN clear */
	assert_int_equal(seen.calls, 0);
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_STS), 2, ICH9_PM1_SLPBTN);
	assert_int_equal(reg(m, m->standby_button.protocol, &rc, &h), EFI_SUCCESS);
	assert_int_equal(mm_standby_button_press(m), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_ptr_equal(seen.handle, h);
	rc.Phase = EfiStandbyButtonExit;
	assert_int_equal(reg(m, m->standby_button.protocol, &rc, &h), EFI_UNSUPPORTED);
	assert_int_equal(unreg(m, m->standby_button.protocol, NULL), EFI_INVALID_PARAMETER);
}

static void test_mm_gpi_set_runs_child_of_that_gpi(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_GPI_REGISTER_CONTEXT rc = { 3 };
	EFI_HANDLE h = NULL;

	assert_int_equal(m->gpi.protocol->NumSupportedGpis, ICH9_NUM_GPIS);
	assert_int_equal(reg(m, m->gpi.protocol, &rc, &h), EFI_SUCCESS);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_ALT_GPI_SMI_EN), 2), 1u << 3);
	assert_int_equal(mm_gpi_set(m, 2, true), MM_OK); /* not enabled: latched only */
	assert_int_equal(seen.calls, 0);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_ALT_GPI_SMI_STS), 2), 1u << 2);
	assert_int_equal(mm_gpi_set(m, 3, true), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(((EFI_MM_GPI_REGISTER_CONTEXT *)seen.comm)->GpiNum, 3);
	assert_int_equal(seen.comm_size, sizeof(EFI_MM_GPI_REGISTER_CONTEXT));
	assert_int_equal(mm_gpi_set(m, 3, true), MM_OK); /* no edge */
	assert_int_equal(seen.calls, 1);
	/* Enable cleared: a new edge latches without an SMI. */
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_ALT_GPI_SMI_EN), 2, 0);
	assert_int_equal(mm_gpi_set(m, 3, false), MM_OK);
	assert_int_equal(mm_gpi_set(m, 3, true), MM_OK);
	assert_int_equal(seen.calls, 1);
	rc.GpiNum = ICH9_NUM_GPIS;
	assert_int_equal(reg(m, m->gpi.protocol, &rc, &h), EFI_INVALID_PARAMETER);
	assert_int_equal(mm_gpi_set(m, ICH9_NUM_GPIS, true), MM_ERR_INVALID);
}

static void test_mm_advance_time_periodic_child(void **state)
{
	struct mm_machine *m = *state;
	/* Every 20 s on the 8 s tick: called at 24 s (elapsed 24 s) and 48 s (24 s). */
	EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT rc = { 200000000, 80000000 };
	EFI_HANDLE h = NULL;

	assert_int_equal(reg(m, m->periodic.protocol, &rc, &h), EFI_SUCCESS);
	assert_true(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_PERIODIC_EN);
	assert_int_equal(m->periodic.tick, 80000000);
	assert_int_equal(mm_advance_time(m, 23 * NS_PER_S), MM_OK);
	assert_int_equal(seen.calls, 0);
	assert_int_equal(mm_advance_time(m, 1 * NS_PER_S), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(((EFI_MM_PERIODIC_TIMER_CONTEXT *)seen.comm)->ElapsedTime, 240000000);
	assert_int_equal(mm_advance_time(m, 30 * NS_PER_S), MM_OK);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(mm_time_ns(m), 54 * NS_PER_S);
	/* PERIODIC_EN cleared: time passes, no call. */
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_SMI_EN), 4,
		    inl(m, PM(ICH9_PMIO_SMI_EN)) & ~ICH9_SMI_EN_PERIODIC_EN);
	assert_int_equal(mm_advance_time(m, 100 * NS_PER_S), MM_OK);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(unreg(m, m->periodic.protocol, h), EFI_SUCCESS);
	assert_int_equal(m->periodic.tick, 0);
}

static void test_mm_advance_time_swsmi_tick(void **state)
{
	struct mm_machine *m = *state;
	/* 50 ms with the tick left to us: 32 ms (SWSMI_TMR) is the longest below it. */
	EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT rc = { 500000, 0 };
	EFI_HANDLE h = NULL;

	assert_int_equal(reg(m, m->periodic.protocol, &rc, &h), EFI_SUCCESS);
	assert_int_equal(m->periodic.tick, 320000);
	assert_true(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_SWSMI_TMR_EN);
	assert_int_equal(mm_advance_time(m, 100000000), MM_OK); /* 100 ms: ticks at 32, 64, 96 */
	assert_int_equal(seen.calls, 1);                        /* at 64 ms */
	assert_int_equal(((EFI_MM_PERIODIC_TIMER_CONTEXT *)seen.comm)->ElapsedTime, 640000);
}

static void test_periodic_register_errors_and_intervals(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL *p = m->periodic.protocol;
	EFI_MM_PERIODIC_TIMER_REGISTER_CONTEXT zero = { 0, 0 }, odd = { 1000, 12345 };
	uint64_t args[2], ret = ~0ull;
	UINT64 *it = NULL, seen_ticks[8];
	unsigned n = 0;
	EFI_HANDLE h = NULL;

	assert_int_equal(reg(m, p, &zero, &h), EFI_INVALID_PARAMETER);
	assert_int_equal(reg(m, p, &odd, &h), EFI_INVALID_PARAMETER);
	do {
		args[0] = U(p);
		args[1] = U(&it);
		assert_int_equal(mm_call(m, U(p->GetNextShorterInterval), 2, args, &ret), MM_OK);
		assert_int_equal(ret, EFI_SUCCESS);
		if (it) {
			assert_true(mm_mem_inside_smram(m, U(it), sizeof(*it)));
			seen_ticks[n++] = *it;
		}
	} while (it && n < 8);
	assert_int_equal(n, 8);
	assert_int_equal(seen_ticks[0], 640000000);
	assert_int_equal(seen_ticks[7], 15000);
	it = (UINT64 *)&n; /* not one of the dispatcher's */
	assert_int_equal(mm_call(m, U(p->GetNextShorterInterval), 2, args, &ret), MM_OK);
	assert_int_equal(ret, EFI_INVALID_PARAMETER);
}

/* Writes a port as a CPU does and lets the SMI it raised run. */
static void out_port(struct mm_machine *m, uint16_t port, unsigned size, uint32_t v)
{
	mm_io_write(m, MM_IO_PORT, port, size, v);
	assert_int_equal(mm_smi_service(m), MM_OK);
}

static void test_io_trap_write_runs_child_with_data(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_IO_TRAP_REGISTER_CONTEXT rc = { 0x1000, 0x10, WriteTrap };
	EFI_HANDLE h = NULL;

	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h), EFI_SUCCESS);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0x1004, 4), 0xFFFFFFFF); /* read: no child */
	assert_int_equal(mm_smi_service(m), MM_OK);
	assert_int_equal(seen.calls, 0);
	out_port(m, 0x1008, 4, 0xCAFEF00D);
	assert_int_equal(seen.calls, 1);
	assert_ptr_equal(seen.handle, h);
	assert_int_equal(((EFI_MM_IO_TRAP_CONTEXT *)seen.comm)->WriteData, 0xCAFEF00D);
	assert_memory_equal(seen.ctx, &rc, sizeof(rc));
	/* Unregistered: the trap is disarmed, the port is unclaimed again. */
	assert_int_equal(unreg(m, m->io_trap.protocol, h), EFI_SUCCESS);
	out_port(m, 0x1008, 4, 1);
	assert_int_equal(seen.calls, 1);
}

static void test_io_trap_register_errors(void **state)
{
	struct mm_machine *m = *state;
	EFI_MM_IO_TRAP_REGISTER_CONTEXT rc = { 0, 8, ReadWriteTrap };
	EFI_HANDLE h[5] = { 0 };

	/* Address 0: the chipset picks a free range and writes it back. */
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[0]), EFI_SUCCESS);
	assert_int_not_equal(rc.Address, 0);
	mm_io_read(m, MM_IO_PORT, rc.Address + 1, 1);
	assert_int_equal(mm_smi_service(m), MM_OK);
	assert_int_equal(seen.calls, 1); /* ReadWriteTrap: reads too */
	assert_int_equal(((EFI_MM_IO_TRAP_CONTEXT *)seen.comm)->WriteData, 0);
	/* Overlap with a trap, or a device: invalid. */
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[1]), EFI_INVALID_PARAMETER);
	rc = (EFI_MM_IO_TRAP_REGISTER_CONTEXT){ ICH9_APM_CNT, 1, WriteTrap };
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[1]), EFI_INVALID_PARAMETER);
	rc = (EFI_MM_IO_TRAP_REGISTER_CONTEXT){ 0x3000, 0, WriteTrap };
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[1]), EFI_INVALID_PARAMETER);
	rc = (EFI_MM_IO_TRAP_REGISTER_CONTEXT){ 0x3000, 4, IoTrapTypeMaximum };
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[1]), EFI_INVALID_PARAMETER);
	rc = (EFI_MM_IO_TRAP_REGISTER_CONTEXT){ 0xFFFE, 4, WriteTrap };
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[1]), EFI_INVALID_PARAMETER);
	/* Four traps: the fifth registration finds none free. */
	for (unsigned i = 1; i < 4; i++) {
		rc = (EFI_MM_IO_TRAP_REGISTER_CONTEXT){ (UINT16)(0x3000 + 0x10 * i), 4, WriteTrap };
		assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[i]), EFI_SUCCESS);
	}
	rc = (EFI_MM_IO_TRAP_REGISTER_CONTEXT){ 0x3100, 4, WriteTrap };
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[4]), EFI_OUT_OF_RESOURCES);
	assert_int_equal(unreg(m, m->io_trap.protocol, h[2]), EFI_SUCCESS);
	assert_int_equal(reg(m, m->io_trap.protocol, &rc, &h[4]), EFI_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_sleep_sx_entry_before_sleep, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_sleep_sx_disabled_sleeps_without_smi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sx_register_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_power_button_press_runs_child, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_standby_button_press_runs_child, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_gpi_set_runs_child_of_that_gpi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_advance_time_periodic_child, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_advance_time_swsmi_tick, setup, teardown),
		cmocka_unit_test_setup_teardown(test_periodic_register_errors_and_intervals, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_io_trap_write_runs_child_with_data, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_io_trap_register_errors, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
