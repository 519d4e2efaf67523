/* SPDX-License-Identifier: MIT */
/*
 * Sample traditional MM driver (DXE_SMM_DRIVER): its entry point gets the
 * UEFI system table and uses boot services the way EDK2 drivers do: finds
 * EFI_MM_BASE_PROTOCOL, asks InMm and GetMmstLocation, allocates
 * boot-services pool, creates an event in the EndOfDxe group (closed by
 * its own notify, as the rules want) and registers an MMI handler on the
 * MMST. The handler's CALLOUT command (badly) calls a boot service at
 * runtime: after ReadyToLock that is an SMM callout.
 */
#include <string.h>

#include <mmemu/native-driver.h>
#include <pi/mm-base.h>
#include <pi/mm-ready-to-lock.h>
#include <pi/uefi-system-table.h>

#include "traditional.h"

#define TRADITIONAL_FILE_GUID                                                              \
	{ 0x5f0d2c70, 0x1b7e, 0x4a93, { 0x8e, 0x14, 0x2a, 0x90, 0x6c, 0x33, 0xd1, 0x07 } }

static EFI_BOOT_SERVICES *bs;
static EFI_MM_SYSTEM_TABLE *mmst;
static BOOLEAN entry_in_mm;
static BOOLEAN end_of_dxe_seen;
static VOID *boot_pool;

static VOID EFIAPI OnEndOfDxe(EFI_EVENT Event, VOID *Context)
{
	(void)Context;
	end_of_dxe_seen = TRUE;
	bs->CloseEvent(Event);
}

static EFI_STATUS EFIAPI Handler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				 VOID *CommBuffer, UINTN *CommBufferSize)
{
	TRADITIONAL_REPORT r;
	VOID *p = NULL;

	(void)DispatchHandle, (void)Context;
	if (!CommBuffer || !CommBufferSize || *CommBufferSize < sizeof(r))
		return EFI_SUCCESS;
	memcpy(&r, CommBuffer, sizeof(r));
	r.EntryInMm = entry_in_mm;
	r.EndOfDxeSeen = end_of_dxe_seen;
	r.BootPool = (UINT64)(UINTN)boot_pool;
	r.Status = EFI_SUCCESS;
	if (r.Command == TRADITIONAL_CMD_CALLOUT)
		r.Status = bs->AllocatePool(EfiBootServicesData, 16, &p); /* the bug */
	memcpy(CommBuffer, &r, sizeof(r));
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI TraditionalEntry(EFI_HANDLE ImageHandle, EFI_SYSTEM_TABLE *SystemTable)
{
	EFI_MM_BASE_PROTOCOL *base;
	EFI_GUID handler_guid = TRADITIONAL_HANDLER_GUID;
	EFI_EVENT ev;
	EFI_HANDLE h;
	EFI_STATUS s;

	(void)ImageHandle;
	bs = SystemTable->BootServices;
	s = bs->LocateProtocol(&gEfiMmBaseProtocolGuid, NULL, (VOID **)&base);
	if (EFI_ERROR(s))
		return s;
	base->InMm(base, &entry_in_mm);
	s = base->GetMmstLocation(base, &mmst);
	if (EFI_ERROR(s))
		return s;
	s = bs->AllocatePool(EfiBootServicesData, 64, &boot_pool);
	if (EFI_ERROR(s))
		return s;
	s = bs->CreateEventEx(EVT_NOTIFY_SIGNAL, TPL_CALLBACK, OnEndOfDxe, NULL,
			      &gEfiEndOfDxeEventGroupGuid, &ev);
	if (EFI_ERROR(s))
		return s;
	return mmst->MmiHandlerRegister(Handler, &handler_guid, &h);
}

/* The entry point type of MMEMU_MODULE is the standalone one; same ABI. */
static EFI_STATUS EFIAPI Entry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *Table)
{
	return TraditionalEntry(ImageHandle, (EFI_SYSTEM_TABLE *)(VOID *)Table);
}

MMEMU_MODULE("TraditionalSample", TRADITIONAL_FILE_GUID, MM_MODULE_TRADITIONAL,
	     "gEfiMmBaseProtocolGuid", Entry);
