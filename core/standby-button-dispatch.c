/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.7).
 *
 * The chipset signals a press only: SLPBTN_STS (PM1_STS bit 9, the ACPI
 * fixed sleep button, which ICH9 reserves: our extension) with SLPBTN_EN and
 * SCI_EN clear raise the SMI; there is no release event. So only the entry
 * phase can be registered; the exit phase is refused with
 * EFI_UNSUPPORTED rather than accepted for a handler that would never run.
 * Children get their RegisterContext as Context and a NULL CommBuffer.
 */
#include "call.h"
#include "machine.h"

static EFI_STATUS EFIAPI StandbyButtonRegister(
	CONST EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL *This,
	EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
	EFI_MM_STANDBY_BUTTON_REGISTER_CONTEXT *RegisterContext, EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	return mm_child_register_press(m, &m->standby_button.list, (uint64_t)(uintptr_t)DispatchFunction,
				       RegisterContext, sizeof(*RegisterContext), EfiStandbyButtonMax,
				       DispatchHandle);
}

static EFI_STATUS EFIAPI StandbyButtonUnRegister(
	CONST EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL *This, EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	return m ? mm_child_remove(m, &m->standby_button.list, DispatchHandle) : EFI_UNSUPPORTED;
}

enum mm_err mm_standby_button_dispatch_init(struct mm_machine *m)
{
	struct mm_standby_button_dispatch *d = &m->standby_button;
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_child_list_init(m, &d->list, "Standby button",
					     &gEfiMmStandbyButtonDispatchProtocolGuid, 0);

	if (err)
		return err;
	d->protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*d->protocol), true);
	if (!d->protocol)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL: out of SMRAM");
	d->protocol->Register = StandbyButtonRegister;
	d->protocol->UnRegister = StandbyButtonUnRegister;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmStandbyButtonDispatchProtocolGuid,
				   d->protocol);
}

void mm_standby_button_dispatch_fini(struct mm_machine *m)
{
	mm_child_list_fini(m, &m->standby_button.list);
}

EFI_STATUS mm_standby_button_dispatch_run(struct mm_machine *m, unsigned phase)
{
	return mm_child_dispatch_phase(m, &m->standby_button.list, phase);
}
