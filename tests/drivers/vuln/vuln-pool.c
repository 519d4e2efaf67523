/* SPDX-License-Identifier: MIT */
/*
 * pool: two SMRAM pool bugs behind one handler.
 *   Command 1: copies Length bytes of Data into a 32-byte pool block
 *              without checking Length (heap overflow);
 *   Command 2: frees its block, then reads it (use after free).
 * The fixed twin bounds the copy and reads before freeing.
 *   message: UINT32 Command, UINT32 Length, UINT8 Data[64]
 */
#include "vuln.h"

#define BLOCK 32

typedef struct {
	UINT32 Command;
	UINT32 Length;
	UINT8 Data[64];
} VULN_POOL_MESSAGE;

static EFI_STATUS EFIAPI PoolHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				     VOID *CommBuffer, UINTN *CommBufferSize)
{
	VULN_POOL_MESSAGE *msg = CommBuffer;
	volatile UINT8 *p = NULL;
	UINT32 cmd, len;
	UINT8 first;

	(void)DispatchHandle, (void)Context;
	if (!msg || !CommBufferSize || *CommBufferSize < sizeof(*msg))
		return EFI_SUCCESS;
	cmd = msg->Command;
	len = msg->Length;
	if (len > sizeof(msg->Data))
		return EFI_BAD_BUFFER_SIZE;
	if (vuln_st->MmAllocatePool(EfiRuntimeServicesData, BLOCK, (VOID **)&p))
		return EFI_OUT_OF_RESOURCES;
#ifdef VULN_FIXED
	if (len > BLOCK)
		len = BLOCK;
#endif
	for (UINT32 i = 0; i < len; i++)
		p[i] = msg->Data[i];
	if (cmd == 2) {
#ifdef VULN_FIXED
		first = p[0];
		vuln_st->MmFreePool((VOID *)p);
#else
		vuln_st->MmFreePool((VOID *)p);
		first = p[0];
#endif
		msg->Data[0] = first;
		return EFI_SUCCESS;
	}
	vuln_st->MmFreePool((VOID *)p);
	return EFI_SUCCESS;
}

VULN_ENTRY(VulnPoolEntry, PoolHandler, VULN_POOL_HANDLER_GUID)
MMEMU_MODULE(VULN_NAME("VulnPool"), VULN_POOL_FILE_GUID, MM_MODULE_STANDALONE, "", VulnPoolEntry);
