/* SPDX-License-Identifier: MIT */
/*
 * hang: the handler steps a counter by 2 until it equals Count from the
 * CommBuffer: an odd Count never ends the loop. The fixed twin compares
 * with < instead.
 *   message: UINT32 Count, UINT32 Steps
 */
#include "vuln.h"

typedef struct {
	UINT32 Count;
	UINT32 Steps;
} VULN_HANG_MESSAGE;

static EFI_STATUS EFIAPI HangHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				     VOID *CommBuffer, UINTN *CommBufferSize)
{
	VULN_HANG_MESSAGE *msg = CommBuffer;
	volatile UINT32 steps = 0;
	UINT32 count;

	(void)DispatchHandle, (void)Context;
	if (!msg || !CommBufferSize || *CommBufferSize < sizeof(*msg))
		return EFI_SUCCESS;
	count = msg->Count;
#ifdef VULN_FIXED
	for (UINT32 i = 0; i < count; i += 2)
#else
	for (UINT32 i = 0; i != count; i += 2)
#endif
		steps = steps + 1;
	msg->Steps = steps;
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnHangEntry, HangHandler, VULN_HANG_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnHang"), VULN_HANG_FILE_GUID, MM_MODULE_STANDALONE, "", VulnHangEntry);
