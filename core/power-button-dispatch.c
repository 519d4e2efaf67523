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
	struct mm_child_list *l = m ? &m->power_button.list : NULL;
	struct mm_child *c = NULL;
	EFI_STATUS status;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!mm_child_register_args_ok(m, l, (const void *)DispatchFunction, RegisterContext,
				       sizeof(*RegisterContext), DispatchHandle))
		return EFI_INVALID_PARAMETER;
	if ((unsigned)RegisterContext->Phase >= EfiPowerButtonMax) {
		mm_log(m, MM_LOG_WARN, "%s Register by %s: phase %u out of range", l->name,
		       mm_executing_name(m), (unsigned)RegisterContext->Phase);
		return EFI_INVALID_PARAMETER;
	}
	if (RegisterContext->Phase != EfiPowerButtonEntry) {
		mm_log(m, MM_LOG_WARN, "%s Register by %s: the chipset signals no release",
		       l->name, mm_executing_name(m));
		return EFI_UNSUPPORTED;
	}
	status = mm_child_add(m, l, (uint64_t)(uintptr_t)DispatchFunction, RegisterContext,
			      sizeof(*RegisterContext), &c);
	if (!status)
		*DispatchHandle = c;
	return status;
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

/* Visits the children of one phase. */
static bool phase_matches(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
			  void *user)
{
	const EFI_MM_POWER_BUTTON_REGISTER_CONTEXT *rc = (const void *)c->reg;

	(void)m, (void)l;
	return (unsigned)rc->Phase == *(const unsigned *)user;
}

EFI_STATUS mm_power_button_dispatch_run(struct mm_machine *m, unsigned phase)
{
	mm_log(m, MM_LOG_SMI, "Power button: %s", phase ? "release" : "press");
	return mm_child_dispatch(m, &m->power_button.list, phase_matches, &phase);
}
