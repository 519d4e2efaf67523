/* SPDX-License-Identifier: MIT */
/*
 * Sample combined MM/DXE driver: launched twice. In the DXE phase (InMm
 * FALSE) it installs a DXE protocol with InstallMultipleProtocolInterfaces;
 * in the MM phase (InMm TRUE) it installs an MM protocol through the MMST
 * and registers an MMI handler that reports how often each phase ran.
 */
#include <string.h>

#include <mmemu/native-driver.h>
#include <pi/mm-base.h>
#include <pi/uefi-system-table.h>

#include "traditional.h"

#define COMBINED_FILE_GUID                                                                 \
	{ 0x5f0d2c71, 0x1b7e, 0x4a93, { 0x8e, 0x14, 0x2a, 0x90, 0x6c, 0x33, 0xd1, 0x07 } }

static UINT32 dxe_calls, mm_calls;
static UINT64 dxe_iface, mm_iface;

static EFI_STATUS EFIAPI Handler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				 VOID *CommBuffer, UINTN *CommBufferSize)
{
	TRADITIONAL_REPORT r;

	(void)DispatchHandle, (void)Context;
	if (!CommBuffer || !CommBufferSize || *CommBufferSize < sizeof(r))
		return EFI_SUCCESS;
	memcpy(&r, CommBuffer, sizeof(r));
	r.DxePhaseCalls = dxe_calls;
	r.MmPhaseCalls = mm_calls;
	r.Status = EFI_SUCCESS;
	memcpy(CommBuffer, &r, sizeof(r));
	return EFI_SUCCESS;
}

static EFI_STATUS dxe_phase(EFI_BOOT_SERVICES *bs)
{
	EFI_GUID g = COMBINED_DXE_PROTOCOL_GUID;
	EFI_HANDLE h = NULL;

	dxe_calls++;
	return bs->InstallMultipleProtocolInterfaces(&h, &g, &dxe_iface, NULL);
}

static EFI_STATUS mm_phase(EFI_MM_BASE_PROTOCOL *base)
{
	EFI_GUID g = COMBINED_MM_PROTOCOL_GUID, hg = COMBINED_HANDLER_GUID;
	EFI_MM_SYSTEM_TABLE *mmst;
	EFI_HANDLE h = NULL, dh;
	EFI_STATUS s = base->GetMmstLocation(base, &mmst);

	if (EFI_ERROR(s))
		return s;
	mm_calls++;
	s = mmst->MmInstallProtocolInterface(&h, &g, EFI_NATIVE_INTERFACE, &mm_iface);
	if (EFI_ERROR(s))
		return s;
	return mmst->MmiHandlerRegister(Handler, &hg, &dh);
}

static EFI_STATUS EFIAPI Entry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *Table)
{
	EFI_SYSTEM_TABLE *st = (EFI_SYSTEM_TABLE *)(VOID *)Table;
	EFI_MM_BASE_PROTOCOL *base;
	BOOLEAN in_mm = FALSE;
	EFI_STATUS s;

	(void)ImageHandle;
	s = st->BootServices->LocateProtocol(&gEfiMmBaseProtocolGuid, NULL, (VOID **)&base);
	if (EFI_ERROR(s))
		return s;
	base->InMm(base, &in_mm);
	return in_mm ? mm_phase(base) : dxe_phase(st->BootServices);
}

MMEMU_MODULE("TraditionalCombined", COMBINED_FILE_GUID, MM_MODULE_COMBINED, "TRUE", Entry);
