/* SPDX-License-Identifier: MIT */
/*
 * The protocols the MM IPL publishes in the DXE database (PI 1.8A volume 4,
 * chapter 5), served by the machine:
 *
 *   EFI_MM_BASE_PROTOCOL        InMm: TRUE inside SMM or an MM-phase entry
 *                               point; GetMmstLocation: the MMST (in MM only)
 *   EFI_MM_ACCESS_PROTOCOL      the SMRAM ranges and their state; Open, Close
 *                               and Lock drive mm_smram_set_state
 *   EFI_MM_CONTROL_PROTOCOL     Trigger: the APM ports through mm_sw_smi
 *   EFI_MM_COMMUNICATION(2)     Communicate: a software SMI that MmEntryPoint
 *                               answers (CPU model), else mm_communicate
 *
 * The structures live in normal RAM. After ReadyToLock the callout rule
 * applies to their members as to the boot services.
 */
#include <string.h>

#include <mmemu/run.h>

#include "core/call.h"
#include "core/machine.h"

static BOOLEAN in_mm(struct mm_machine *m)
{
	return m->cpus.in_smm || m->dxe.in_mm_entry;
}

static EFI_STATUS EFIAPI BaseInMm(CONST EFI_MM_BASE_PROTOCOL *This, BOOLEAN *InMmram)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_BASE_PROTOCOL.InMm", BaseInMm);
	if (!InMmram || !mm_caller_ptr_ok(m, InMmram, sizeof(*InMmram)))
		return EFI_INVALID_PARAMETER;
	*InMmram = in_mm(m);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI BaseGetMmstLocation(CONST EFI_MM_BASE_PROTOCOL *This,
					     EFI_MM_SYSTEM_TABLE **Mmst)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_BASE_PROTOCOL.GetMmstLocation", BaseGetMmstLocation);
	if (!Mmst || !mm_caller_ptr_ok(m, Mmst, sizeof(*Mmst)))
		return EFI_INVALID_PARAMETER;
	if (!in_mm(m))
		return EFI_UNSUPPORTED;
	*Mmst = m->mmst;
	return EFI_SUCCESS;
}

void mm_dxe_access_refresh(struct mm_machine *m)
{
	EFI_MM_ACCESS_PROTOCOL *a = m->dxe.ipl.access;

	if (!a)
		return;
	a->LockState = m->lock.smram == MM_SMRAM_LOCKED;
	a->OpenState = m->lock.smram == MM_SMRAM_OPEN;
}

/* Drives the SMRAM state; a refusal after lock is EFI_DEVICE_ERROR. */
static EFI_STATUS access_set(struct mm_machine *m, enum mm_smram_state state)
{
	enum mm_err err;

	if (state == MM_SMRAM_LOCKED && m->lock.smram == MM_SMRAM_OPEN) {
		mm_log(m, MM_LOG_WARN, "EFI_MM_ACCESS_PROTOCOL.Lock by %s while SMRAM is open: "
		       "EFI_DEVICE_ERROR", mm_executing_name(m));
		return EFI_DEVICE_ERROR;
	}
	err = mm_smram_set_state(m, state);
	mm_dxe_access_refresh(m);
	return err ? EFI_DEVICE_ERROR : EFI_SUCCESS;
}

static EFI_STATUS EFIAPI AccessOpen(EFI_MM_ACCESS_PROTOCOL *This)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_ACCESS_PROTOCOL.Open", AccessOpen);
	return access_set(m, MM_SMRAM_OPEN);
}

static EFI_STATUS EFIAPI AccessClose(EFI_MM_ACCESS_PROTOCOL *This)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_ACCESS_PROTOCOL.Close", AccessClose);
	if (m->lock.smram == MM_SMRAM_LOCKED)
		return EFI_SUCCESS; /* closed already, for good */
	return access_set(m, MM_SMRAM_CLOSED);
}

static EFI_STATUS EFIAPI AccessLock(EFI_MM_ACCESS_PROTOCOL *This)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_ACCESS_PROTOCOL.Lock", AccessLock);
	return access_set(m, MM_SMRAM_LOCKED);
}

static EFI_STATUS EFIAPI AccessGetCapabilities(CONST EFI_MM_ACCESS_PROTOCOL *This,
					       UINTN *MmramMapSize,
					       EFI_MMRAM_DESCRIPTOR *MmramMap)
{
	UINT64 state;
	UINTN need;

	(void)This;
	DXE_ENTER(m, "EFI_MM_ACCESS_PROTOCOL.GetCapabilities", AccessGetCapabilities);
	if (!MmramMapSize || !mm_caller_ptr_ok(m, MmramMapSize, sizeof(*MmramMapSize)))
		return EFI_INVALID_PARAMETER;
	need = m->mem.smram_count * sizeof(EFI_MMRAM_DESCRIPTOR);
	if (*MmramMapSize < need) {
		*MmramMapSize = need;
		return EFI_BUFFER_TOO_SMALL;
	}
	if (need && (!MmramMap || !mm_caller_ptr_ok(m, MmramMap, need)))
		return EFI_INVALID_PARAMETER;
	state = EFI_CACHEABLE | (m->lock.smram == MM_SMRAM_OPEN ? EFI_MMRAM_OPEN : EFI_MMRAM_CLOSED) |
		(m->lock.smram == MM_SMRAM_LOCKED ? EFI_MMRAM_LOCKED : 0);
	for (unsigned i = 0; i < m->mem.smram_count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[m->mem.smram[i]].desc;

		MmramMap[i] = (EFI_MMRAM_DESCRIPTOR){ d->base, d->base, d->size, state };
	}
	*MmramMapSize = need;
	mm_dxe_access_refresh(m);
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ControlTrigger(CONST EFI_MM_CONTROL_PROTOCOL *This, UINT8 *CommandPort,
					UINT8 *DataPort, BOOLEAN Periodic,
					UINTN ActivationInterval)
{
	UINT8 cmd = 0, data = 0;
	enum mm_err err;

	(void)This, (void)ActivationInterval;
	DXE_ENTER(m, "EFI_MM_CONTROL_PROTOCOL.Trigger", ControlTrigger);
	if (Periodic)
		return EFI_INVALID_PARAMETER;
	if (CommandPort && mm_caller_ptr_ok(m, CommandPort, 1))
		cmd = *CommandPort;
	if (DataPort && mm_caller_ptr_ok(m, DataPort, 1))
		data = *DataPort;
	err = mm_sw_smi(m, m->cpus.executing, cmd, data);
	return err == MM_ERR_STOPPED ? EFI_ABORTED : mm_err_to_efi(err);
}

static EFI_STATUS EFIAPI ControlClear(CONST EFI_MM_CONTROL_PROTOCOL *This, BOOLEAN Periodic)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_CONTROL_PROTOCOL.Clear", ControlClear);
	return Periodic ? EFI_INVALID_PARAMETER : EFI_SUCCESS;
}

/*
 * With a CPU model, Communicate enters MM as firmware does: the buffer is
 * placed where MmEntryPoint looks for it (m->comm, as PiSmmIpl fills the
 * SMM core's private data), then a software SMI through the chipset: the
 * EFI_MM_CONTROL_PROTOCOL.Trigger of OVMF's SmmControl2Dxe with no command
 * writes 0 to APM_CNT (0xB2). The CPU model runs the entry stub on every
 * CPU; MmEntryPoint handles the buffer before the root MMI handlers.
 * Returns the status for the caller; *size gets header + MessageLength.
 */
#define COMM_SW_SMI_VALUE 0x00
static EFI_STATUS communicate_smi(struct mm_machine *m, uint64_t addr, uint64_t *size)
{
	enum mm_err err;

	m->comm.pending = true;
	m->comm.done = false;
	m->comm.pending_buffer = addr;
	m->comm.pending_size = *size;
	err = mm_sw_smi(m, m->cpus.executing, COMM_SW_SMI_VALUE, 0);
	m->comm.pending = false;
	if (err)
		return err == MM_ERR_STOPPED ? EFI_ABORTED : mm_err_to_efi(err);
	if (!m->comm.done) {
		mm_log(m, MM_LOG_WARN, "MM communicate: the software SMI (APM_CNT 0x%02x) did not "
		       "reach MmEntryPoint (SMIs disabled in the chipset?)", COMM_SW_SMI_VALUE);
		return EFI_DEVICE_ERROR;
	}
	*size = m->comm.pending_size;
	return m->comm.pending_status;
}

/*
 * Communicates the buffer at addr; size NULL: header plus MessageLength.
 * Through an SMI when the platform has a CPU model and the caller is not in
 * MM already (PiSmmIpl, too, calls the handlers directly from inside SMM);
 * otherwise (host engine) directly.
 */
static EFI_STATUS communicate(struct mm_machine *m, uint64_t addr, UINTN *CommSize)
{
	uint64_t size, status = EFI_SUCCESS, len;
	enum mm_err err;

	if (CommSize) {
		if (!mm_caller_ptr_ok(m, CommSize, sizeof(*CommSize)))
			return EFI_INVALID_PARAMETER;
		size = *CommSize;
	} else {
		if (mm_mem_read(m, addr + 16, &len, sizeof(len)) ||
		    len > UINT64_MAX - MM_COMMUNICATE_HEADER_SIZE)
			return EFI_INVALID_PARAMETER;
		size = MM_COMMUNICATE_HEADER_SIZE + len;
	}
	if (m->cpus.model && m->cpus.model->smi && !m->cpus.in_smm) {
		status = communicate_smi(m, addr, &size);
		if (CommSize && !EFI_ERROR(status))
			*CommSize = size;
		return status;
	}
	err = mm_communicate(m, addr, &size, &status);
	if (err)
		return err == MM_ERR_STOPPED ? EFI_ABORTED : mm_err_to_efi(err);
	if (CommSize)
		*CommSize = size;
	return status;
}

static EFI_STATUS EFIAPI Comm2Communicate(CONST EFI_MM_COMMUNICATION2_PROTOCOL *This,
					  VOID *CommBufferPhysical, VOID *CommBufferVirtual,
					  UINTN *CommSize)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_COMMUNICATION2_PROTOCOL.Communicate", Comm2Communicate);
	if (!CommBufferPhysical || !CommBufferVirtual)
		return EFI_INVALID_PARAMETER;
	return communicate(m, (uint64_t)(uintptr_t)CommBufferPhysical, CommSize);
}

static EFI_STATUS EFIAPI CommCommunicate(CONST EFI_MM_COMMUNICATION_PROTOCOL *This,
					 VOID *CommBuffer, UINTN *CommSize)
{
	(void)This;
	DXE_ENTER(m, "EFI_MM_COMMUNICATION_PROTOCOL.Communicate", CommCommunicate);
	if (!CommBuffer)
		return EFI_INVALID_PARAMETER;
	return communicate(m, (uint64_t)(uintptr_t)CommBuffer, CommSize);
}

/* Allocates the structures in normal RAM and fills them. */
static enum mm_err ipl_alloc(struct mm_machine *m)
{
	struct mm_dxe_ipl *p = &m->dxe.ipl;
	uint8_t *blk = mm_dxe_ram_zalloc(m, 0x100);

	if (!blk)
		return mm_fail(m, MM_ERR_NOMEM, "DXE world: no RAM for the MM IPL protocols");
	p->base = (EFI_MM_BASE_PROTOCOL *)blk;
	p->access = (EFI_MM_ACCESS_PROTOCOL *)(blk + 0x20);
	p->control = (EFI_MM_CONTROL_PROTOCOL *)(blk + 0x50);
	p->comm = (EFI_MM_COMMUNICATION_PROTOCOL *)(blk + 0x70);
	p->comm2 = (EFI_MM_COMMUNICATION2_PROTOCOL *)(blk + 0x80);
	*p->base = (EFI_MM_BASE_PROTOCOL){ BaseInMm, BaseGetMmstLocation };
	*p->access = (EFI_MM_ACCESS_PROTOCOL){ AccessOpen, AccessClose, AccessLock,
					       AccessGetCapabilities, FALSE, FALSE };
	*p->control = (EFI_MM_CONTROL_PROTOCOL){ ControlTrigger, ControlClear, 0 };
	p->comm->Communicate = CommCommunicate;
	p->comm2->Communicate = Comm2Communicate;
	mm_dxe_access_refresh(m);
	return MM_OK;
}

enum mm_err mm_dxe_ipl_install(struct mm_machine *m)
{
	struct mm_dxe_ipl *p = &m->dxe.ipl;
	EFI_HANDLE h = NULL;
	enum mm_err err = ipl_alloc(m);

	if (!err)
		err = mm_dxe_install(m, &h, &gEfiMmBaseProtocolGuid, p->base);
	if (!err)
		err = mm_dxe_install(m, &h, &gEfiMmCommunication2ProtocolGuid, p->comm2);
	if (!err)
		err = mm_dxe_install(m, &h, &gEfiMmCommunicationProtocolGuid, p->comm);
	h = NULL; /* the chipset's protocols: a handle of their own */
	if (!err)
		err = mm_dxe_install(m, &h, &gEfiMmAccessProtocolGuid, p->access);
	if (!err)
		err = mm_dxe_install(m, &h, &gEfiMmControlProtocolGuid, p->control);
	return err;
}
