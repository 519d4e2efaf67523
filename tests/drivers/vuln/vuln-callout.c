/* SPDX-License-Identifier: MIT */
/*
 * callout: the handler calls a notification function whose address comes
 * from the CommBuffer, i.e. code outside SMRAM, from SMM (cf.
 * CVE-2021-3452). The fixed twin only calls its own function.
 *   message: UINT64 Callback, UINT64 Result
 */
#include "vuln.h"

typedef UINT64(EFIAPI *VULN_CALLBACK)(void);

typedef struct {
	UINT64 Callback;
	UINT64 Result;
} VULN_CALLOUT_MESSAGE;

static UINT64 EFIAPI Internal(void)
{
	return 1;
}

static EFI_STATUS EFIAPI CalloutHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
					VOID *CommBuffer, UINTN *CommBufferSize)
{
	VULN_CALLOUT_MESSAGE *msg = CommBuffer;
	VULN_CALLBACK cb;

	(void)DispatchHandle, (void)Context;
	if (!msg || !CommBufferSize || *CommBufferSize < sizeof(*msg))
		return EFI_SUCCESS;
#ifdef VULN_FIXED
	cb = Internal;
#else
	cb = (VULN_CALLBACK)(UINTN)msg->Callback;
	if (!cb)
		cb = Internal;
#endif
	msg->Result = cb();
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnCalloutEntry, CalloutHandler, VULN_CALLOUT_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnCallout"), VULN_CALLOUT_FILE_GUID, MM_MODULE_STANDALONE, "",
	     VulnCalloutEntry);
