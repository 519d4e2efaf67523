/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.8).
 *
 * The chipset signals a press only: PWRBTN_STS (PM1_STS bit 8) with PWRBTN_EN (PM1_EN bit 8)
 * and SCI_EN clear raise the SMI; there is no release event. So only the
 * entry phase can be registered; the exit phase is refused with
 * EFI_UNSUPPORTED rather than accepted for a handler that would never run.
 * Children get their RegisterContext as Context and a NULL CommBuffer.
 */
#include "call.h"
#include "machine.h"

static EFI_STATUS EFIAPI PowerButtonRegister(
	CONST EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL *This,
	EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
	EFI_MM_POWER_BUTTON_REGISTER_CONTEXT *RegisterContext, EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	return mm_child_register_press(m, &m->power_button.list, (uint64_t)(uintptr_t)DispatchFunction,
				       RegisterContext, sizeof(*RegisterContext), EfiPowerButtonMax,
				       DispatchHandle);
}

static EFI_STATUS EFIAPI PowerButtonUnRegister(
	CONST EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL *This, EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	return m ? mm_child_remove(m, &m->power_button.list, DispatchHandle) : EFI_UNSUPPORTED;
}

enum mm_err mm_power_button_dispatch_init(struct mm_machine *m)
{
	struct mm_power_button_dispatch *d = &m->power_button;
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_child_list_init(m, &d->list, "Power button",
					     &gEfiMmPowerButtonDispatchProtocolGuid, 0);

	if (err)
		return err;
	d->protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*d->protocol), true);
	if (!d->protocol)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL: out of SMRAM");
	d->protocol->Register = PowerButtonRegister;
	d->protocol->UnRegister = PowerButtonUnRegister;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmPowerButtonDispatchProtocolGuid,
				   d->protocol);
}

void mm_power_button_dispatch_fini(struct mm_machine *m)
{
	mm_child_list_fini(m, &m->power_button.list);
}

EFI_STATUS mm_power_button_dispatch_run(struct mm_machine *m, unsigned phase)
{
	return mm_child_dispatch_phase(m, &m->power_button.list, phase);
}
