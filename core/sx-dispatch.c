/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_SX_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.3).
 *
 * The SMI comes from the sleep trap (ICH9: SLP_SMI_EN, a write of SLP_EN to
 * PM1_CNT): the chipset's parent dispatcher calls the SxEntry children of
 * the requested sleep type, then lets the sleep happen. Only entry can be
 * trapped: a system leaving S3..S5 resumes through the reset vector, not
 * through an SMI, so SxExit is refused with EFI_UNSUPPORTED, as is S0 (not
 * a sleep transition). Children get their RegisterContext as Context and a
 * NULL CommBuffer.
 */
#include "call.h"
#include "machine.h"

/* Checks Type/Phase per PI 1.8 vol. 4, 7.3: range first, then what can be trapped. */
static EFI_STATUS check_context(struct mm_machine *m, const EFI_MM_SX_REGISTER_CONTEXT *rc)
{
	if ((unsigned)rc->Type >= EfiMaximumSleepType || (unsigned)rc->Phase >= EfiMaximumPhase) {
		mm_log(m, MM_LOG_WARN, "Sx Register by %s: Type %u / Phase %u out of range",
		       mm_executing_name(m), (unsigned)rc->Type, (unsigned)rc->Phase);
		return EFI_INVALID_PARAMETER;
	}
	if (rc->Phase != SxEntry || rc->Type == SxS0) {
		mm_log(m, MM_LOG_WARN, "Sx Register by %s: S%u %s cannot be trapped",
		       mm_executing_name(m), (unsigned)rc->Type,
		       rc->Phase == SxEntry ? "entry" : "exit");
		return EFI_UNSUPPORTED;
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI SxRegister(CONST EFI_MM_SX_DISPATCH_PROTOCOL *This,
				    EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
				    CONST EFI_MM_SX_REGISTER_CONTEXT *RegisterContext,
				    EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_child *c = NULL;
	EFI_STATUS status;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!mm_child_register_args_ok(m, &m->sx.list, (const void *)DispatchFunction,
				       RegisterContext, sizeof(*RegisterContext), DispatchHandle))
		return EFI_INVALID_PARAMETER;
	status = check_context(m, RegisterContext);
	if (!status)
		status = mm_child_add(m, &m->sx.list, (uint64_t)(uintptr_t)DispatchFunction,
				      RegisterContext, sizeof(*RegisterContext), &c);
	if (!status)
		*DispatchHandle = c;
	return status;
}

static EFI_STATUS EFIAPI SxUnRegister(CONST EFI_MM_SX_DISPATCH_PROTOCOL *This,
				      EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	return m ? mm_child_remove(m, &m->sx.list, DispatchHandle) : EFI_UNSUPPORTED;
}

enum mm_err mm_sx_dispatch_init(struct mm_machine *m)
{
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_child_list_init(m, &m->sx.list, "Sx", &gEfiMmSxDispatchProtocolGuid,
					     0);

	if (err)
		return err;
	m->sx.protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*m->sx.protocol), true);
	if (!m->sx.protocol)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_SX_DISPATCH_PROTOCOL: out of SMRAM");
	m->sx.protocol->Register = SxRegister;
	m->sx.protocol->UnRegister = SxUnRegister;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmSxDispatchProtocolGuid,
				   m->sx.protocol);
}

void mm_sx_dispatch_fini(struct mm_machine *m)
{
	mm_child_list_fini(m, &m->sx.list);
}

/* Visits the children of one type/phase. */
static bool sx_matches(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
		       void *user)
{
	const EFI_MM_SX_REGISTER_CONTEXT *want = user, *rc = (const void *)c->reg;

	(void)m, (void)l;
	return rc->Type == want->Type && rc->Phase == want->Phase;
}

EFI_STATUS mm_sx_dispatch_run(struct mm_machine *m, EFI_SLEEP_TYPE type, EFI_SLEEP_PHASE phase)
{
	EFI_MM_SX_REGISTER_CONTEXT want = { type, phase };

	mm_log(m, MM_LOG_SMI, "Sx: S%u %s", (unsigned)type, phase == SxEntry ? "entry" : "exit");
	return mm_child_dispatch(m, &m->sx.list, sx_matches, &want);
}

bool mm_sx_dispatch_wanted(const struct mm_machine *m)
{
	return m->sx.list.count != 0;
}
