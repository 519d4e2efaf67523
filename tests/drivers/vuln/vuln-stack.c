/* SPDX-License-Identifier: MIT */
/*
 * stack: the handler recurses Depth times (from the CommBuffer) with a
 * 1 KiB frame: a large Depth runs off the bottom of the SMM stack. The
 * fixed twin caps Depth at 4.
 *   message: UINT32 Depth, UINT32 Result
 */
#include "vuln.h"

typedef struct {
	UINT32 Depth;
	UINT32 Result;
} VULN_STACK_MESSAGE;

/* Not a tail call: the frame stays live across the recursion. */
static UINT32 Walk(UINT32 depth)
{
	volatile UINT8 frame[1024];

	for (UINTN i = 0; i < sizeof(frame); i++) /* every byte: the frame stays 1 KiB */
		frame[i] = (UINT8)(depth + i);
	frame[sizeof(frame) - 1] = 1;
	if (!depth)
		return frame[0];
	return Walk(depth - 1) + frame[sizeof(frame) - 1];
}

static EFI_STATUS EFIAPI StackHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				      VOID *CommBuffer, UINTN *CommBufferSize)
{
	VULN_STACK_MESSAGE *msg = CommBuffer;
	UINT32 depth;

	(void)DispatchHandle, (void)Context;
	if (!msg || !CommBufferSize || *CommBufferSize < sizeof(*msg))
		return EFI_SUCCESS;
	depth = msg->Depth;
#ifdef VULN_FIXED
	if (depth > 4)
		depth = 4;
#endif
	msg->Result = Walk(depth);
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnStackEntry, StackHandler, VULN_STACK_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnStack"), VULN_STACK_FILE_GUID, MM_MODULE_STANDALONE, "",
	     VulnStackEntry);
