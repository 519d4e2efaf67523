/* SPDX-License-Identifier: MIT */
/* Tests of devices/apmc.c: the APM control and status ports and the SW source. */
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

#define PM(off) (ICH9_PMBASE_DEFAULT + (off))
#define APM_BIT (1u << ICH9_SMI_STS_APM)

/* What the SW child saw, for the test that registered it. */
struct sw_seen {
	unsigned calls;
	EFI_MM_SW_CONTEXT ctx;
	UINTN size;
};

/* One per process: the handler is a plain EFIAPI function without a context pointer. */
static struct sw_seen seen;

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

static void outb(struct mm_machine *m, uint64_t port, uint8_t v)
{
	mm_io_write(m, MM_IO_PORT, port, 1, v);
}

static void outl(struct mm_machine *m, uint64_t port, uint32_t v)
{
	mm_io_write(m, MM_IO_PORT, port, 4, v);
}

static EFI_STATUS EFIAPI sw_child(EFI_HANDLE h, CONST VOID *ctx, VOID *buf, UINTN *size)
{
	(void)h, (void)ctx;
	seen.calls++;
	if (buf)
		memcpy(&seen.ctx, buf, sizeof(seen.ctx));
	seen.size = size ? *size : 0;
	return EFI_SUCCESS;
}

/* A driver's Register call for value, made through mm_call so mm_current() works. */
static uint64_t EFIAPI drv_register_sw(uint64_t value)
{
	struct mm_machine *m = mm_current();
	EFI_MM_SW_REGISTER_CONTEXT rc = { (UINTN)value };
	EFI_HANDLE h = NULL;

	return m->sw.protocol->Register(m->sw.protocol, sw_child, &rc, &h);
}

static void register_sw(struct mm_machine *m, uint8_t value)
{
	uint64_t arg = value, ret = ~0ull;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)drv_register_sw, 1, &arg, &ret), MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
}

static void test_apmc_write_raises_smi_when_enabled(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	assert_non_null(cs);
	outb(m, ICH9_APM_STS, 0x5A);
	assert_false(m->smi.pending);
	outb(m, ICH9_APM_CNT, 0x42);
	assert_true(m->smi.pending);
	assert_true(cs->pm.smi_sts & APM_BIT);
	assert_false(cs->pm.smi_en & ICH9_SMI_EN_EOS); /* cleared when SMI# was asserted */
	assert_int_equal(mm_io_read(m, MM_IO_PORT, ICH9_APM_CNT, 1), 0x42);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, ICH9_APM_STS, 1), 0x5A);
}

static void test_apmc_write_no_smi_without_apmc_en(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	outl(m, PM(ICH9_PMIO_SMI_EN), ICH9_SMI_EN_GBL_SMI_EN | ICH9_SMI_EN_EOS);
	outb(m, ICH9_APM_CNT, 0x42);
	assert_false(m->smi.pending);
	assert_false(cs->pm.smi_sts & APM_BIT); /* APM_STS only latches with APMC_EN */
	assert_int_equal(cs->apmc.cnt, 0x42);
}

static void test_apmc_write_no_smi_without_gbl_smi_en(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	outl(m, PM(ICH9_PMIO_SMI_EN), ICH9_SMI_EN_APMC_EN | ICH9_SMI_EN_EOS);
	outb(m, ICH9_APM_CNT, 0x42);
	assert_false(m->smi.pending);
	assert_true(cs->pm.smi_sts & APM_BIT);
	/* The latched status fires once SMIs are enabled globally. */
	outl(m, PM(ICH9_PMIO_SMI_EN),
	     ICH9_SMI_EN_GBL_SMI_EN | ICH9_SMI_EN_APMC_EN | ICH9_SMI_EN_EOS);
	assert_true(m->smi.pending);
}

static void test_apmc_write_word_stores_data_before_trigger(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	mm_io_write(m, MM_IO_PORT, ICH9_APM_CNT, 2, 0x5A42);
	assert_int_equal(cs->apmc.cnt, 0x42);
	assert_int_equal(cs->apmc.sts, 0x5A);
	assert_int_equal(cs->apmc.writes, 1);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, ICH9_APM_CNT, 2), 0x5A42);
	/* A write to 0xB3 alone is data, not a trigger. */
	outb(m, ICH9_APM_STS, 0x11);
	assert_int_equal(cs->apmc.writes, 1);
}

static void test_apmc_smi_dispatch_runs_sw_child(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	register_sw(m, 0x42);
	m->cpus.executing = 2; /* the CPU doing the OUT */
	outb(m, ICH9_APM_STS, 0x5A);
	outb(m, ICH9_APM_CNT, 0x42);
	m->cpus.executing = 0;
	assert_int_equal(mm_mmi_manage(m, NULL, NULL, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.ctx.CommandPort, 0x42);
	assert_int_equal(seen.ctx.DataPort, 0x5A);
	assert_int_equal(seen.ctx.SwMmiCpuIndex, 2);
	assert_false(cs->pm.smi_sts & APM_BIT);
	assert_true(cs->pm.smi_en & ICH9_SMI_EN_EOS);
}

static void test_apmc_smi_dispatch_unregistered_value(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	outb(m, ICH9_APM_CNT, 0x77);
	/* No child for 0x77: the source is quiesced, which MmiManage folds to success. */
	assert_int_equal(mm_mmi_manage(m, NULL, NULL, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(seen.calls, 0);
	assert_false(cs->pm.smi_sts & APM_BIT);
	assert_int_equal(cs->pm.root_calls, 1);
}

static void test_apmc_sw_smi_end_to_end(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	register_sw(m, 0x33);
	assert_int_equal(mm_sw_smi(m, 1, 0x33, 0x99), MM_OK);
	assert_int_equal(seen.calls, 1);
	assert_int_equal(seen.ctx.CommandPort, 0x33);
	assert_int_equal(seen.ctx.DataPort, 0x99);
	assert_int_equal(seen.ctx.SwMmiCpuIndex, 1);
	assert_int_equal(cs->pm.root_calls, 1);
	assert_int_equal(m->smi.count, 1);
	assert_false(m->smi.pending);
	/* A second SW SMI works: the root handler set EOS again. */
	assert_int_equal(mm_sw_smi(m, 0, 0x33, 0x01), MM_OK);
	assert_int_equal(seen.calls, 2);
	assert_int_equal(m->smi.count, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apmc_write_raises_smi_when_enabled, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apmc_write_no_smi_without_apmc_en, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apmc_write_no_smi_without_gbl_smi_en, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apmc_write_word_stores_data_before_trigger,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_apmc_smi_dispatch_runs_sw_child, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apmc_smi_dispatch_unregistered_value, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_apmc_sw_smi_end_to_end, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
