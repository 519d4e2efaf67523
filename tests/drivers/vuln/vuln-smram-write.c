/* SPDX-License-Identifier: MIT */
/*
 * smram-write: the handler stores Value at the address Dest taken from the
 * CommBuffer, without checking where Dest points (the pattern of
 * CVE-2021-41837): a caller plants a pointer into SMRAM and the handler
 * overwrites SMRAM for it. The fixed twin accepts only a Dest inside the
 * message it was given.
 *   message: UINT64 Dest, UINT64 Value
 */
#include "vuln.h"

typedef struct {
	UINT64 Dest;
	UINT64 Value;
} VULN_WRITE_MESSAGE;

static EFI_STATUS EFIAPI WriteHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				      VOID *CommBuffer, UINTN *CommBufferSize)
{
	VULN_WRITE_MESSAGE msg;
	UINT8 *buf = CommBuffer;

	(void)DispatchHandle, (void)Context;
	if (!buf || !CommBufferSize || *CommBufferSize < sizeof(msg))
		return EFI_SUCCESS;
	msg = *(VULN_WRITE_MESSAGE *)buf;
#ifdef VULN_FIXED
	if (msg.Dest < (UINT64)(UINTN)buf || msg.Dest > (UINT64)(UINTN)buf + *CommBufferSize - 8)
		return EFI_SUCCESS; /* only into the caller's own buffer */
#endif
	*(volatile UINT64 *)(UINTN)msg.Dest = msg.Value;
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnSmramWriteEntry, WriteHandler, VULN_SMRAM_WRITE_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnSmramWrite"), VULN_SMRAM_WRITE_FILE_GUID, MM_MODULE_STANDALONE, "",
	     VulnSmramWriteEntry);
