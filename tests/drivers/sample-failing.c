/* SPDX-License-Identifier: MIT */
/*
 * Sample native driver whose entry point fails after registering an MMI
 * handler (SAMPLE_FAILING_HANDLER_GUID): the dispatcher marks it FAILED,
 * unloads its image, and must purge the handler that pointed into it.
 */
#include <mmemu/native-driver.h>
#include <pi/mm-system-table.h>

#include "sample.h"

/* Would answer MM communicate; must never run once the image is gone. */
static EFI_STATUS EFIAPI SampleFailingHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
					      VOID *CommBuffer, UINTN *CommBufferSize)
{
	(void)DispatchHandle;
	(void)Context;
	(void)CommBuffer;
	(void)CommBufferSize;
	return EFI_SUCCESS;
}

/* Registers the handler, then refuses to load. */
static EFI_STATUS EFIAPI SampleFailingEntry(EFI_HANDLE ImageHandle,
					    EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	static EFI_GUID handler_guid = SAMPLE_FAILING_HANDLER_GUID;
	EFI_HANDLE dispatch;

	(void)ImageHandle;
	MmSystemTable->MmiHandlerRegister(SampleFailingHandler, &handler_guid, &dispatch);
	return EFI_UNSUPPORTED;
}

MMEMU_MODULE("SampleFailing", SAMPLE_FAILING_FILE_GUID, MM_MODULE_STANDALONE, "TRUE",
	     SampleFailingEntry);
