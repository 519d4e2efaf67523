/* SPDX-License-Identifier: MIT */
/*
 * Sample native driver: registers a notify for gEfiMmReadyToLockProtocolGuid
 * and a GUID handler (SAMPLE_LOCK_HANDLER_GUID) that reports how many
 * ReadyToLock notifications arrived (SAMPLE_LOCK_MESSAGE), so a test can
 * see the notify run when mm_ready_to_lock() installs the protocol.
 */
#include <string.h>

#include <mmemu/native-driver.h>
#include <pi/mm-ready-to-lock.h>
#include <pi/mm-system-table.h>

#include "sample.h"

static UINT32 notify_count;

/* EFI_MM_NOTIFY_FN for gEfiMmReadyToLockProtocolGuid. */
static EFI_STATUS EFIAPI SampleReadyToLockNotify(CONST EFI_GUID *Protocol, VOID *Interface,
						 EFI_HANDLE Handle)
{
	(void)Protocol;
	(void)Interface;
	(void)Handle;
	notify_count++;
	return EFI_SUCCESS;
}

/* Writes the notify count into a buffer large enough for SAMPLE_LOCK_MESSAGE. */
static EFI_STATUS EFIAPI SampleLockHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
					   VOID *CommBuffer, UINTN *CommBufferSize)
{
	SAMPLE_LOCK_MESSAGE msg = { .NotifyCount = notify_count };

	(void)DispatchHandle;
	(void)Context;
	if (!CommBuffer || !CommBufferSize || *CommBufferSize < sizeof(msg))
		return EFI_SUCCESS;
	memcpy(CommBuffer, &msg, sizeof(msg));
	*CommBufferSize = sizeof(msg);
	return EFI_SUCCESS;
}

/* Registers the notify and the handler. */
static EFI_STATUS EFIAPI SampleAfterLockEntry(EFI_HANDLE ImageHandle,
					      EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	static EFI_GUID handler_guid = SAMPLE_LOCK_HANDLER_GUID;
	EFI_HANDLE dispatch;
	VOID *registration;
	EFI_STATUS status;

	(void)ImageHandle;
	notify_count = 0;
	status = MmSystemTable->MmRegisterProtocolNotify(&gEfiMmReadyToLockProtocolGuid,
							 SampleReadyToLockNotify, &registration);
	if (EFI_ERROR(status))
		return status;
	return MmSystemTable->MmiHandlerRegister(SampleLockHandler, &handler_guid, &dispatch);
}

MMEMU_MODULE("SampleAfterLock", SAMPLE_AFTER_LOCK_FILE_GUID, MM_MODULE_STANDALONE, "TRUE",
	     SampleAfterLockEntry);
