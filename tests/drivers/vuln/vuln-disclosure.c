/* SPDX-License-Identifier: MIT */
/*
 * disclosure: the handler builds a 64-byte reply in a fresh SMRAM pool
 * block, fills only its 8-byte header and copies the whole block to the
 * CommBuffer: 56 bytes of stale SMRAM leave SMM (cf. CVE-2022-35893). The
 * fixed twin clears the block first.
 *   message: UINT8 Reply[64]
 */
#include "vuln.h"

#define REPLY 64

static EFI_STATUS EFIAPI LeakHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				     VOID *CommBuffer, UINTN *CommBufferSize)
{
	volatile UINT8 *out = CommBuffer;
	volatile UINT8 *p = NULL;

	(void)DispatchHandle, (void)Context;
	if (!out || !CommBufferSize || *CommBufferSize < REPLY)
		return EFI_SUCCESS;
	if (vuln_st->MmAllocatePool(EfiRuntimeServicesData, REPLY, (VOID **)&p))
		return EFI_OUT_OF_RESOURCES;
#ifdef VULN_FIXED
	for (UINTN i = 0; i < REPLY; i++)
		p[i] = 0;
#endif
	*(volatile UINT64 *)p = 0x594c504552ull; /* "REPLY" */
	for (UINTN i = 0; i < REPLY; i++)
		out[i] = p[i];
	vuln_st->MmFreePool((VOID *)p);
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnDisclosureEntry, LeakHandler, VULN_DISCLOSURE_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnDisclosure"), VULN_DISCLOSURE_FILE_GUID, MM_MODULE_STANDALONE, "",
	     VulnDisclosureEntry);
