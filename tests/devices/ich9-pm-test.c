/* SPDX-License-Identifier: MIT */
/*
 * Tests of devices/ich9-pm.c: the PM registers, SMI_EN/SMI_STS, EOS gating
 * and the chipset's root MMI handler.
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

#define PM(off) (ICH9_PMBASE_DEFAULT + (off))
#define BIT(n) (1u << (n))
#define DEFAULT_SMI_EN (ICH9_SMI_EN_GBL_SMI_EN | ICH9_SMI_EN_APMC_EN | ICH9_SMI_EN_EOS)

/* The SW child of the re-trigger test writes 0xB2 again this many times. */
static unsigned retrigger_left;

static int setup(void **state)
{
	retrigger_left = 0;
	*state = mm_test_machine();
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

static uint32_t inl(struct mm_machine *m, uint64_t port)
{
	return (uint32_t)mm_io_read(m, MM_IO_PORT, port, 4);
}

static void outl(struct mm_machine *m, uint64_t port, uint32_t v)
{
	mm_io_write(m, MM_IO_PORT, port, 4, v);
}

static void test_ich9_pm_attach_reset_state(void **state)
{
	struct mm_machine *m = *state;

	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_EN)), DEFAULT_SMI_EN);
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)), 0);
	assert_int_equal(inl(m, PM(ICH9_PMIO_PM1_TMR)), 0);
	assert_int_equal(inl(m, PM(0x7C)), 0); /* unmodelled port */
}

static void test_ich9_pm_smi_sts_write_one_to_clear(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	outl(m, PM(ICH9_PMIO_SMI_EN), DEFAULT_SMI_EN | ICH9_SMI_EN_PERIODIC_EN);
	ich9_pm_smi_event(m, cs, ICH9_SMI_STS_PERIODIC, 0);
	mm_io_write(m, MM_IO_PORT, ICH9_APM_CNT, 1, 0x10);
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)),
			 BIT(ICH9_SMI_STS_PERIODIC) | BIT(ICH9_SMI_STS_APM));
	outl(m, PM(ICH9_PMIO_SMI_STS), 0); /* zeros change nothing */
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)),
			 BIT(ICH9_SMI_STS_PERIODIC) | BIT(ICH9_SMI_STS_APM));
	outl(m, PM(ICH9_PMIO_SMI_STS), BIT(ICH9_SMI_STS_APM));
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)), BIT(ICH9_SMI_STS_PERIODIC));
	/* A byte write to the byte holding bit 14 clears it. */
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_SMI_STS) + 1, 1, BIT(ICH9_SMI_STS_PERIODIC - 8));
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)), 0);
}

static void test_ich9_pm_eos_gates_next_smi(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	mm_io_write(m, MM_IO_PORT, ICH9_APM_CNT, 1, 0x10);
	assert_true(m->smi.pending);
	assert_int_equal(cs->pm.smi_asserted, 1);
	assert_false(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_EOS);
	m->smi.pending = false; /* as if delivered; the handler has not set EOS yet */
	mm_io_write(m, MM_IO_PORT, ICH9_APM_CNT, 1, 0x11);
	assert_false(m->smi.pending);
	assert_int_equal(cs->pm.smi_asserted, 1);
	/* Software sets EOS with APM_STS still latched: SMI# again at once. */
	outl(m, PM(ICH9_PMIO_SMI_EN), inl(m, PM(ICH9_PMIO_SMI_EN)) | ICH9_SMI_EN_EOS);
	assert_true(m->smi.pending);
	assert_int_equal(cs->pm.smi_asserted, 2);
	assert_false(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_EOS);
}

static void test_ich9_pm_root_handler_clears_sources_and_sets_eos(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	outl(m, PM(ICH9_PMIO_SMI_EN), DEFAULT_SMI_EN | ICH9_SMI_EN_PERIODIC_EN);
	ich9_pm_smi_event(m, cs, ICH9_SMI_STS_PERIODIC, 0);
	assert_true(m->smi.pending);
	m->smi.pending = false;
	/* No child dispatcher for PERIODIC yet: quiesced, folded to success by MmiManage. */
	assert_int_equal(mm_mmi_manage(m, NULL, NULL, NULL, NULL), EFI_SUCCESS);
	assert_int_equal(cs->pm.root_calls, 1);
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)), 0);
	assert_true(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_EOS);
	assert_false(m->smi.pending);
}

static void test_ich9_pm_root_handler_not_found_without_source(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	/* A latched but disabled source is not the chipset's SMI and stays latched. */
	ich9_pm_smi_event(m, cs, ICH9_SMI_STS_PERIODIC, 0);
	assert_false(m->smi.pending);
	assert_int_equal(mm_mmi_manage(m, NULL, NULL, NULL, NULL), EFI_NOT_FOUND);
	assert_int_equal(cs->pm.root_calls, 1);
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)), BIT(ICH9_SMI_STS_PERIODIC));
	assert_true(inl(m, PM(ICH9_PMIO_SMI_EN)) & ICH9_SMI_EN_EOS);
}

/* A SW child that raises the software SMI again, as a driver may. */
static EFI_STATUS EFIAPI retrigger_child(EFI_HANDLE h, CONST VOID *ctx, VOID *buf, UINTN *size)
{
	(void)h, (void)ctx, (void)buf, (void)size;
	if (retrigger_left) {
		retrigger_left--;
		mm_io_write(mm_current(), MM_IO_PORT, ICH9_APM_CNT, 1, 0x21);
	}
	return EFI_SUCCESS;
}

static uint64_t EFIAPI drv_register_retrigger(void)
{
	struct mm_machine *m = mm_current();
	EFI_MM_SW_REGISTER_CONTEXT rc = { 0x21 };
	EFI_HANDLE h = NULL;

	return m->sw.protocol->Register(m->sw.protocol, retrigger_child, &rc, &h);
}

static void test_ich9_pm_root_handler_keeps_source_raised_by_child(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);
	uint64_t ret = ~0ull;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)drv_register_retrigger, 0, NULL, &ret),
			 MM_OK);
	assert_int_equal(ret, EFI_SUCCESS);
	retrigger_left = 1;
	/* The child's write lands while EOS is clear: latched, signalled when EOS is set. */
	assert_int_equal(mm_sw_smi(m, 0, 0x21, 0), MM_OK);
	assert_int_equal(m->smi.count, 2);
	assert_int_equal(cs->pm.root_calls, 2);
	assert_false(m->smi.pending);
	assert_int_equal(inl(m, PM(ICH9_PMIO_SMI_STS)), 0);
}

static void test_ich9_pm_slp_en_with_slp_smi_en_raises_smi(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);
	uint32_t cnt = (5u << ICH9_PM1_CNT_SLP_TYP_SHIFT) | ICH9_PM1_CNT_SCI_EN;

	outl(m, PM(ICH9_PMIO_PM1_CNT), cnt | ICH9_PM1_CNT_SLP_EN);
	assert_false(m->smi.pending); /* SLP_SMI_EN clear */
	assert_int_equal(inl(m, PM(ICH9_PMIO_PM1_CNT)), cnt); /* SLP_EN reads 0 */
	outl(m, PM(ICH9_PMIO_SMI_EN), DEFAULT_SMI_EN | ICH9_SMI_EN_SLP_SMI_EN);
	outl(m, PM(ICH9_PMIO_PM1_CNT), cnt | ICH9_PM1_CNT_SLP_EN);
	assert_true(m->smi.pending);
	assert_true(cs->pm.smi_sts & BIT(ICH9_SMI_STS_SLP_SMI));
}

static void test_ich9_pm_pm1_registers(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_EN), 2, 0xFFFF);
	/* PWRBTN, GBL, TMROF, RTC, PCIEXPWAK_DIS and the ACPI SLPBTN (our extension). */
	assert_int_equal(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_EN), 2), 0x4721);
	cs->pm.pm1_sts = 0x8101; /* WAK, PWRBTN, TMROF as hardware would set them */
	/* One dword write at PMBASE reaches PM1_STS (W1C) and PM1_EN (R/W). */
	outl(m, PM(ICH9_PMIO_PM1_STS), 0x00000100);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_STS), 2), 0x8001);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, PM(ICH9_PMIO_PM1_EN), 2), 0);
	/* GPE0: 64 bits, write 1 to clear. */
	cs->pm.gpe0_sts[1] = 0x3;
	mm_io_write(m, MM_IO_PORT, PM(ICH9_PMIO_GPE0_STS) + 4, 4, 0x1);
	assert_int_equal(inl(m, PM(ICH9_PMIO_GPE0_STS) + 4), 0x2);
}

static void test_ich9_pm_gbl_rls_latches_bios_sts(void **state)
{
	struct mm_machine *m = *state;
	struct mm_chipset *cs = mm_chipset(m);

	outl(m, PM(ICH9_PMIO_PM1_CNT), 1u << 2); /* GBL_RLS, BIOS_EN clear */
	assert_false(m->smi.pending);
	assert_true(cs->pm.smi_sts & BIT(ICH9_SMI_STS_BIOS));
	outl(m, PM(ICH9_PMIO_SMI_EN), DEFAULT_SMI_EN | ICH9_SMI_EN_BIOS_EN);
	assert_true(m->smi.pending);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ich9_pm_attach_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ich9_pm_smi_sts_write_one_to_clear, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ich9_pm_eos_gates_next_smi, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ich9_pm_root_handler_clears_sources_and_sets_eos, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ich9_pm_root_handler_not_found_without_source,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_ich9_pm_root_handler_keeps_source_raised_by_child, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ich9_pm_slp_en_with_slp_smi_en_raises_smi,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_ich9_pm_pm1_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ich9_pm_gbl_rls_latches_bios_sts, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
