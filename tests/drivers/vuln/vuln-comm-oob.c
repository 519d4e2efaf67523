/* SPDX-License-Identifier: MIT */
/*
 * comm-oob: the handler sums a 64-byte record from the CommBuffer whatever
 * length the caller passed, reading past the message. The fixed twin
 * refuses a message shorter than the record.
 *   message: UINT8 Record[64]; the sum is written to its first 8 bytes
 */
#include "vuln.h"

#define RECORD 64

static EFI_STATUS EFIAPI OobHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				    VOID *CommBuffer, UINTN *CommBufferSize)
{
	volatile UINT8 *buf = CommBuffer;
	UINT64 sum = 0;

	(void)DispatchHandle, (void)Context;
	if (!buf || !CommBufferSize || *CommBufferSize < 8)
		return EFI_SUCCESS;
#ifdef VULN_FIXED
	if (*CommBufferSize < RECORD)
		return EFI_SUCCESS; /* too short: untouched */
#endif
	for (UINTN i = 0; i < RECORD; i++)
		sum += buf[i];
	*(volatile UINT64 *)buf = sum;
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnCommOobEntry, OobHandler, VULN_COMM_OOB_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnCommOob"), VULN_COMM_OOB_FILE_GUID, MM_MODULE_STANDALONE, "",
	     VulnCommOobEntry);
