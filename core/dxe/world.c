/* SPDX-License-Identifier: MIT */
/*
 * The DXE world's life: created on first use (DXE model) or when the DXE
 * side hands its system table over (standalone model), told of EndOfDxe and
 * ReadyToLock, and the callout rule that applies afterwards.
 *
 *   normal RAM (pages of m->ram, internal)
 *   ┌──────────────────┐  ┌───────────────────┐  ┌──────────────────────┐
 *   │ EFI_SYSTEM_TABLE │─►│ EFI_BOOT_SERVICES │  │ EFI_RUNTIME_SERVICES │
 *   │  ConfigurationTable ─► [HOB list, ...]  │  └──────────────────────┘
 *   └──────────────────┘  └───────────────────┘
 *   DXE database: MM Base, Access, Control, Communication 1/2, PCD protocols
 *
 * EndOfDxe and ReadyToLock reach the world through two MM protocol
 * notifications registered when it is created (the first on those GUIDs, so
 * they run before the MM drivers' own): EndOfDxe signals the DXE event group
 * gEfiEndOfDxeEventGroupGuid; ReadyToLock installs
 * gEfiDxeMmReadyToLockProtocolGuid in the DXE database, as the MM IPL does,
 * then warns about events left open and DXE interfaces pointing into SMRAM
 * (Driver Writer's Guide 8.10.2).
 */
#include <stdlib.h>
#include <string.h>

#include <mmemu/dxe.h>
#include <pi/mm-ready-to-lock.h>

#include "core/call.h"
#include "core/machine.h"
#include "core/stop.h"

static const CHAR16 firmware_vendor[] = { 'm', 'm', 'e', 'm', 'u', 0 };

void *mm_dxe_ram_zalloc(struct mm_machine *m, uint64_t size)
{
	uint64_t addr = 0;

	if (!size || mm_page_alloc(m, &m->ram, AllocateAnyPages, EfiBootServicesData,
				   EFI_SIZE_TO_PAGES(size), &addr, true))
		return NULL;
	memset((void *)(uintptr_t)addr, 0, EFI_PAGES_TO_SIZE(EFI_SIZE_TO_PAGES(size)));
	m->dxe.map_key++;
	return (void *)(uintptr_t)addr;
}

void mm_dxe_table_crc(EFI_TABLE_HEADER *hdr)
{
	hdr->CRC32 = 0;
	hdr->CRC32 = mm_crc32(hdr, hdr->HeaderSize);
}

bool mm_dxe_callout(struct mm_machine *m, const char *service, const void *fn)
{
	struct mm_stop *s;

	if (!m->lock.ready_to_lock || (!m->cpus.in_smm && !mm_executing_image(m)))
		return false;
	if (m->dxe.callouts_expected) {
		mm_log(m, MM_LOG_WARN, "callout (expected): %s called %s after ReadyToLock",
		       mm_executing_name(m), service);
		return false;
	}
	s = mm_stop_set(m, MM_STOP_CALLOUT, m->cpus.executing, 0,
			"callout: %s called %s after ReadyToLock", mm_executing_name(m), service);
	s->address = (uint64_t)(uintptr_t)fn;
	mm_log(m, MM_LOG_WARN, "%s", s->message);
	return true;
}

/* MM notify on the MM EndOfDxe protocol: the DXE event group goes first. */
static EFI_STATUS EFIAPI on_end_of_dxe(CONST EFI_GUID *Protocol, VOID *Interface,
				       EFI_HANDLE Handle)
{
	struct mm_machine *m = mm_current();

	(void)Protocol, (void)Interface, (void)Handle;
	if (!m)
		return EFI_UNSUPPORTED;
	mm_log(m, MM_LOG_LOCK, "EndOfDxe: signalling the DXE event group");
	mm_dxe_signal_group(m, &gEfiEndOfDxeEventGroupGuid);
	return EFI_SUCCESS;
}

/* MM notify on the MM ReadyToLock protocol: DXE ReadyToLock, then the rules. */
static EFI_STATUS EFIAPI on_ready_to_lock(CONST EFI_GUID *Protocol, VOID *Interface,
					  EFI_HANDLE Handle)
{
	struct mm_machine *m = mm_current();
	EFI_HANDLE h = NULL;

	(void)Protocol, (void)Interface, (void)Handle;
	if (!m)
		return EFI_UNSUPPORTED;
	mm_log(m, MM_LOG_LOCK, "ReadyToLock: installing the DXE MM ReadyToLock protocol");
	mm_dxe_install(m, &h, &gEfiDxeMmReadyToLockProtocolGuid, NULL);
	mm_dxe_check_events(m);
	mm_dxe_check_smram_interfaces(m);
	return EFI_SUCCESS;
}

/* Allocates and fills the three tables. */
static enum mm_err create_tables(struct mm_machine *m)
{
	struct mm_dxe *d = &m->dxe;
	CHAR16 *vendor;

	d->st = mm_dxe_ram_zalloc(m, sizeof(*d->st) + sizeof(*d->bs) + sizeof(*d->rt) +
					     sizeof(firmware_vendor));
	if (!d->st)
		return mm_fail(m, MM_ERR_NOMEM, "DXE world: no RAM for the system table");
	d->bs = (EFI_BOOT_SERVICES *)(d->st + 1);
	d->rt = (EFI_RUNTIME_SERVICES *)(d->bs + 1);
	vendor = (CHAR16 *)(d->rt + 1);
	memcpy(vendor, firmware_vendor, sizeof(firmware_vendor));
	d->bs->Hdr = (EFI_TABLE_HEADER){ EFI_BOOT_SERVICES_SIGNATURE, EFI_BOOT_SERVICES_REVISION,
					 sizeof(*d->bs), 0, 0 };
	mm_dxe_protocol_table(d->bs);
	mm_dxe_event_table(d->bs);
	mm_dxe_memory_table(d->bs);
	mm_dxe_misc_table(d->bs);
	mm_dxe_table_crc(&d->bs->Hdr);
	d->rt->Hdr = (EFI_TABLE_HEADER){ EFI_RUNTIME_SERVICES_SIGNATURE,
					 EFI_RUNTIME_SERVICES_REVISION, sizeof(*d->rt), 0, 0 };
	mm_dxe_runtime_table(d->rt);
	mm_dxe_table_crc(&d->rt->Hdr);
	d->st->Hdr = (EFI_TABLE_HEADER){ EFI_SYSTEM_TABLE_SIGNATURE, EFI_SYSTEM_TABLE_REVISION,
					 sizeof(*d->st), 0, 0 };
	d->st->FirmwareVendor = vendor;
	d->st->FirmwareRevision = 0x00010000;
	d->st->RuntimeServices = d->rt;
	d->st->BootServices = d->bs;
	mm_dxe_table_crc(&d->st->Hdr);
	d->tpl = TPL_APPLICATION;
	return MM_OK;
}

/* Registers the MM notifications that carry EndOfDxe and ReadyToLock over. */
static enum mm_err hook_lock(struct mm_machine *m)
{
	EFI_STATUS s1 = mm_notify_register(m, &m->mmdb, &gEfiMmEndOfDxeProtocolGuid,
					   on_end_of_dxe, &m->dxe.mm_regs[0]);
	EFI_STATUS s2 = mm_notify_register(m, &m->mmdb, &gEfiMmReadyToLockProtocolGuid,
					   on_ready_to_lock, &m->dxe.mm_regs[1]);

	if (EFI_ERROR(s1) || EFI_ERROR(s2))
		return mm_fail(m, MM_ERR_NOMEM, "DXE world: cannot follow EndOfDxe/ReadyToLock");
	return MM_OK;
}

enum mm_err mm_dxe_create(struct mm_machine *m)
{
	enum mm_err err;

	if (m->dxe.created)
		return MM_OK;
	err = create_tables(m);
	if (!err) {
		m->dxe.created = true; /* the steps below install into the world */
		err = mm_dxe_hob_build(m);
	}
	if (!err)
		err = mm_dxe_services_install(m);
	if (!err)
		err = mm_dxe_ipl_install(m);
	if (!err)
		err = mm_dxe_pcd_install(m);
	if (!err)
		err = hook_lock(m);
	if (err) {
		m->dxe.created = false;
		return err;
	}
	mm_log(m, MM_LOG_PROTOCOL, "DXE world created: system table at %p (%s model)",
	       (void *)m->dxe.st,
	       m->platform.init_model == MM_INIT_DXE ? "DXE" : "standalone PEI");
	return MM_OK;
}

EFI_SYSTEM_TABLE *mm_dxe_st(struct mm_machine *m)
{
	if (!m->dxe.created && m->platform.init_model == MM_INIT_DXE && mm_dxe_create(m))
		return NULL;
	return m->dxe.created ? m->dxe.st : NULL;
}

void mm_dxe_fini(struct mm_machine *m)
{
	mm_dxe_event_fini(m);
	mm_dxe_protocol_fini(m);
	mm_dxe_memory_fini(m);
	mm_dxe_pcd_fini(m);
	m->dxe.created = false;
}

enum mm_err mm_machine_set_init_model(struct mm_machine *m, enum mm_init_model model)
{
	if (model != MM_INIT_DXE && model != MM_INIT_STANDALONE_PEI)
		return mm_fail(m, MM_ERR_INVALID, "init model %d: no such model", (int)model);
	if (m->dxe.created || m->disp.dispatched)
		return mm_fail(m, MM_ERR_STATE,
			       "init model: too late (the DXE world exists or drivers ran)");
	m->platform.init_model = model;
	return MM_OK;
}

enum mm_err mm_dxe_system_table(struct mm_machine *m, uint64_t *system_table)
{
	EFI_SYSTEM_TABLE *st;

	if (!m->dxe.created && m->platform.init_model != MM_INIT_DXE)
		return mm_fail(m, MM_ERR_STATE, "no DXE world yet: standalone MM initialised in "
			       "PEI, the DXE side has not handed its system table over");
	st = mm_dxe_st(m);
	if (!st)
		return MM_ERR_NOMEM;
	if (system_table)
		*system_table = (uint64_t)(uintptr_t)st;
	return MM_OK;
}

enum mm_err mm_dxe_handover(struct mm_machine *m, uint64_t *system_table)
{
	enum mm_err err = mm_dxe_create(m);

	if (err)
		return err;
	mm_log(m, MM_LOG_LOCK, "DXE system table handed over to MM");
	if (system_table)
		*system_table = (uint64_t)(uintptr_t)m->dxe.st;
	return MM_OK;
}

enum mm_err mm_dxe_install_protocol(struct mm_machine *m, const uint8_t guid[16], uint64_t iface)
{
	EFI_HANDLE h = NULL;
	EFI_GUID g;
	enum mm_err err = mm_dxe_system_table(m, NULL);

	if (err)
		return err;
	if (!guid)
		return mm_fail(m, MM_ERR_INVALID, "mm_dxe_install_protocol: NULL guid");
	memcpy(&g, guid, sizeof(g));
	if (!iface) {
		iface = (uint64_t)(uintptr_t)mm_dxe_ram_zalloc(m, 64);
		if (!iface)
			return mm_fail(m, MM_ERR_NOMEM, "mm_dxe_install_protocol: no RAM");
	}
	return mm_dxe_install(m, &h, &g, (void *)(uintptr_t)iface);
}

void mm_dxe_expect_callouts(struct mm_machine *m, bool expected)
{
	m->dxe.callouts_expected = expected;
}
