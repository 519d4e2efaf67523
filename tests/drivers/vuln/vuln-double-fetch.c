/* SPDX-License-Identifier: MIT */
/*
 * double-fetch: the handler checks Length in the CommBuffer, then reads it
 * again to copy (the TOCTOU of CVE-2022-21198): another CPU can change it in
 * between. The fixed twin reads Length once into SMRAM.
 *   message: UINT32 Length, UINT32 Reserved, UINT8 Data[16]
 */
#include "vuln.h"

typedef struct {
	UINT32 Length;
	UINT32 Reserved;
	UINT8 Data[16];
} VULN_FETCH_MESSAGE;

static UINT8 copy[16];

static EFI_STATUS EFIAPI FetchHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				      VOID *CommBuffer, UINTN *CommBufferSize)
{
	volatile VULN_FETCH_MESSAGE *msg = CommBuffer;
	UINT32 len;

	(void)DispatchHandle, (void)Context;
	if (!msg || !CommBufferSize || *CommBufferSize < sizeof(*msg))
		return EFI_SUCCESS;
	len = msg->Length;
	if (len > sizeof(copy))
		return EFI_BAD_BUFFER_SIZE;
#ifndef VULN_FIXED
	len = msg->Length; /* the second fetch: may differ from the checked value */
#endif
	for (UINT32 i = 0; i < len; i++)
		copy[i] = msg->Data[i];
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnDoubleFetchEntry, FetchHandler, VULN_DOUBLE_FETCH_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnDoubleFetch"), VULN_DOUBLE_FETCH_FILE_GUID, MM_MODULE_STANDALONE, "",
	     VulnDoubleFetchEntry);
