/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_GPI_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.6).
 *
 * GpiNum is the logical GPI number (PI 1.2 and later: N means GPI[N], not
 * a bit mask as in the Framework spec). A GpiNum at or above
 * NumSupportedGpis is refused with EFI_INVALID_PARAMETER; several children
 * may wait for the same GPI. A child gets its RegisterContext as Context
 * and, as CommBuffer, an EFI_MM_GPI_REGISTER_CONTEXT in SMRAM naming the GPI
 * that fired.
 */
#include "call.h"
#include "machine.h"

static EFI_STATUS EFIAPI GpiRegister(CONST EFI_MM_GPI_DISPATCH_PROTOCOL *This,
				     EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
				     CONST EFI_MM_GPI_REGISTER_CONTEXT *RegisterContext,
				     EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_child *c = NULL;
	EFI_STATUS status;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!mm_child_register_args_ok(m, &m->gpi.list, (const void *)DispatchFunction,
				       RegisterContext, sizeof(*RegisterContext), DispatchHandle))
		return EFI_INVALID_PARAMETER;
	if (RegisterContext->GpiNum >= m->gpi.protocol->NumSupportedGpis) {
		mm_log(m, MM_LOG_WARN, "GPI Register by %s: GPI %llu, the chipset has %llu",
		       mm_executing_name(m), (unsigned long long)RegisterContext->GpiNum,
		       (unsigned long long)m->gpi.protocol->NumSupportedGpis);
		return EFI_INVALID_PARAMETER;
	}
	status = mm_child_add(m, &m->gpi.list, (uint64_t)(uintptr_t)DispatchFunction,
			      RegisterContext, sizeof(*RegisterContext), &c);
	if (!status)
		*DispatchHandle = c;
	return status;
}

static EFI_STATUS EFIAPI GpiUnRegister(CONST EFI_MM_GPI_DISPATCH_PROTOCOL *This,
				       EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();

	(void)This;
	return m ? mm_child_remove(m, &m->gpi.list, DispatchHandle) : EFI_UNSUPPORTED;
}

enum mm_err mm_gpi_dispatch_init(struct mm_machine *m)
{
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_child_list_init(m, &m->gpi.list, "GPI", &gEfiMmGpiDispatchProtocolGuid,
					     sizeof(EFI_MM_GPI_REGISTER_CONTEXT));

	if (err)
		return err;
	m->gpi.protocol = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*m->gpi.protocol),
					 true);
	if (!m->gpi.protocol)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_GPI_DISPATCH_PROTOCOL: out of SMRAM");
	m->gpi.protocol->Register = GpiRegister;
	m->gpi.protocol->UnRegister = GpiUnRegister;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmGpiDispatchProtocolGuid,
				   m->gpi.protocol);
}

void mm_gpi_dispatch_fini(struct mm_machine *m)
{
	mm_child_list_fini(m, &m->gpi.list);
}

void mm_gpi_dispatch_set_count(struct mm_machine *m, UINTN count)
{
	if (m->gpi.protocol)
		m->gpi.protocol->NumSupportedGpis = count;
}

/* Visits the children of one GPI and names it in their CommBuffer. */
static bool gpi_matches(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
			void *user)
{
	const EFI_MM_GPI_REGISTER_CONTEXT *rc = (const void *)c->reg;
	UINT64 gpi = *(const UINT64 *)user;

	(void)m;
	if (rc->GpiNum != gpi)
		return false;
	((EFI_MM_GPI_REGISTER_CONTEXT *)l->comm)->GpiNum = gpi;
	return true;
}

EFI_STATUS mm_gpi_dispatch_run(struct mm_machine *m, UINT64 gpi)
{
	mm_log(m, MM_LOG_SMI, "GPI: GPI[%llu] fired", (unsigned long long)gpi);
	return mm_child_dispatch(m, &m->gpi.list, gpi_matches, &gpi);
}
