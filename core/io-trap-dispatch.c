/* SPDX-License-Identifier: MIT */
/*
 * EFI_MM_IO_TRAP_DISPATCH_PROTOCOL (PI 1.8 vol. 4, 7.9).
 *
 * Each registration arms one trap of the chipset (ICH9 has four, IOTR0-3):
 * our Register claims the range directly through the chipset's hooks, as
 * EDK2's PCH dispatcher programs the trap registers itself. Rules:
 *   - Length 0, Type out of range or a range past port 0xFFFF:
 *     EFI_INVALID_PARAMETER;
 *   - Address 0: the chipset picks a free range and Register writes its
 *     base back into RegisterContext->Address (the context is IN OUT);
 *   - every trap in use, or no free range for Address 0:
 *     EFI_OUT_OF_RESOURCES; a range some device or trap already claims:
 *     EFI_INVALID_PARAMETER; no trap hardware: EFI_DEVICE_ERROR.
 * UnRegister disarms the trap. A child gets its RegisterContext as Context
 * and an EFI_MM_IO_TRAP_CONTEXT in SMRAM as CommBuffer.
 */
#include <string.h>

#include "call.h"
#include "machine.h"

static EFI_STATUS check_context(struct mm_machine *m, const EFI_MM_IO_TRAP_REGISTER_CONTEXT *rc)
{
	if (!m->io_trap.hw.claim) {
		mm_log(m, MM_LOG_WARN, "IO trap Register by %s: no trap hardware",
		       mm_executing_name(m));
		return EFI_DEVICE_ERROR;
	}
	if (!rc->Length || (unsigned)rc->Type >= IoTrapTypeMaximum ||
	    (uint32_t)rc->Address + rc->Length > 0x10000) {
		mm_log(m, MM_LOG_WARN, "IO trap Register by %s: address 0x%x length 0x%x type %u "
		       "refused", mm_executing_name(m), rc->Address, rc->Length,
		       (unsigned)rc->Type);
		return EFI_INVALID_PARAMETER;
	}
	return EFI_SUCCESS;
}

/* Arms a trap for rc; writes a chosen base back. */
static EFI_STATUS claim(struct mm_machine *m, EFI_MM_IO_TRAP_REGISTER_CONTEXT *rc,
			unsigned *slot)
{
	struct mm_io_trap_hw *hw = &m->io_trap.hw;
	uint16_t base = rc->Address;
	enum mm_err err = hw->claim(m, hw->user, &base, rc->Length, slot);

	if (err) {
		mm_log(m, MM_LOG_WARN, "IO trap Register by %s: 0x%x+0x%x: %s",
		       mm_executing_name(m), rc->Address, rc->Length, mm_strerror(err));
		return err == MM_ERR_EXISTS ? EFI_INVALID_PARAMETER :
		       err == MM_ERR_NOMEM ? EFI_OUT_OF_RESOURCES :
		       err == MM_ERR_BUSY || err == MM_ERR_RANGE ? EFI_OUT_OF_RESOURCES :
								    EFI_DEVICE_ERROR;
	}
	rc->Address = base;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI IoTrapRegister(CONST EFI_MM_IO_TRAP_DISPATCH_PROTOCOL *This,
					EFI_MM_HANDLER_ENTRY_POINT DispatchFunction,
					EFI_MM_IO_TRAP_REGISTER_CONTEXT *RegisterContext,
					EFI_HANDLE *DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_child *c = NULL;
	EFI_STATUS status;
	unsigned slot = 0;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	if (!mm_child_register_args_ok(m, &m->io_trap.list, (const void *)DispatchFunction,
				       RegisterContext, sizeof(*RegisterContext), DispatchHandle))
		return EFI_INVALID_PARAMETER;
	status = check_context(m, RegisterContext);
	if (!status)
		status = claim(m, RegisterContext, &slot);
	if (status)
		return status;
	status = mm_child_add(m, &m->io_trap.list, (uint64_t)(uintptr_t)DispatchFunction,
			      RegisterContext, sizeof(*RegisterContext), &c);
	if (status) {
		m->io_trap.hw.release(m, m->io_trap.hw.user, slot);
		return status;
	}
	c->slot = slot;
	*DispatchHandle = c;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI IoTrapUnRegister(CONST EFI_MM_IO_TRAP_DISPATCH_PROTOCOL *This,
					  EFI_HANDLE DispatchHandle)
{
	struct mm_machine *m = mm_current();
	struct mm_child *c;
	unsigned slot;

	(void)This;
	if (!m)
		return EFI_UNSUPPORTED;
	c = mm_child_find(&m->io_trap.list, DispatchHandle);
	slot = c ? c->slot : 0;
	if (mm_child_remove(m, &m->io_trap.list, DispatchHandle))
		return EFI_INVALID_PARAMETER;
	if (m->io_trap.hw.release)
		m->io_trap.hw.release(m, m->io_trap.hw.user, slot);
	return EFI_SUCCESS;
}

enum mm_err mm_io_trap_dispatch_init(struct mm_machine *m)
{
	EFI_HANDLE handle = NULL;
	enum mm_err err = mm_child_list_init(m, &m->io_trap.list, "IO trap",
					     &gEfiMmIoTrapDispatchProtocolGuid,
					     sizeof(EFI_MM_IO_TRAP_CONTEXT));

	if (err)
		return err;
	m->io_trap.protocol = mm_pool_zalloc(m, EfiRuntimeServicesData,
					     sizeof(*m->io_trap.protocol), true);
	if (!m->io_trap.protocol)
		return mm_fail(m, MM_ERR_NOMEM, "EFI_MM_IO_TRAP_DISPATCH_PROTOCOL: out of SMRAM");
	m->io_trap.protocol->Register = IoTrapRegister;
	m->io_trap.protocol->UnRegister = IoTrapUnRegister;
	return mm_protocol_install(m, &m->mmdb, &handle, &gEfiMmIoTrapDispatchProtocolGuid,
				   m->io_trap.protocol);
}

void mm_io_trap_dispatch_fini(struct mm_machine *m)
{
	mm_child_list_fini(m, &m->io_trap.list);
	memset(&m->io_trap.hw, 0, sizeof(m->io_trap.hw));
}

void mm_io_trap_attach_hw(struct mm_machine *m, const struct mm_io_trap_hw *hw)
{
	if (hw)
		m->io_trap.hw = *hw;
	else
		memset(&m->io_trap.hw, 0, sizeof(m->io_trap.hw));
}

struct trapped_cycle {
	uint16_t port;
	bool write;
	uint32_t data;
};

/* Visits the children whose range and type cover the cycle. */
static bool trap_matches(struct mm_machine *m, struct mm_child_list *l, struct mm_child *c,
			 void *user)
{
	const EFI_MM_IO_TRAP_REGISTER_CONTEXT *rc = (const void *)c->reg;
	const struct trapped_cycle *t = user;
	bool type_ok = rc->Type == ReadWriteTrap || (rc->Type == WriteTrap) == t->write;

	(void)m;
	if (!type_ok || t->port < rc->Address || t->port - rc->Address >= rc->Length)
		return false;
	((EFI_MM_IO_TRAP_CONTEXT *)l->comm)->WriteData = t->write ? t->data : 0;
	return true;
}

EFI_STATUS mm_io_trap_dispatch_run(struct mm_machine *m, uint16_t port, bool write,
				   uint32_t data)
{
	struct trapped_cycle t = { port, write, data };

	mm_log(m, MM_LOG_SMI, "IO trap: %s of port 0x%x, data 0x%x", write ? "write" : "read",
	       port, data);
	return mm_child_dispatch(m, &m->io_trap.list, trap_matches, &t);
}
