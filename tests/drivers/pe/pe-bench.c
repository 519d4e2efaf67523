/* SPDX-License-Identifier: MIT */
/*
 * The emulated benchmark's driver (mmemu bench, row "emulated"): a GUID MMI
 * handler that copies 256 bytes of its communicate buffer into SMRAM and
 * back, as a handler that validates its input would. Called with no MM
 * System Table, the entry point returns the handler's address instead, so
 * that the bare-Unicorn baseline can call the same code with no Foundation.
 */
#include <pi/mm-system-table.h>

#define PE_BENCH_COPY 256

/* The handler (EFI_MM_HANDLER_ENTRY_POINT). */
static EFI_STATUS EFIAPI CopyHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				     VOID *CommBuffer, UINTN *CommBufferSize)
{
	volatile UINT8 local[PE_BENCH_COPY];
	UINT8 *buf = CommBuffer;

	(void)DispatchHandle;
	(void)Context;
	if (!buf || !CommBufferSize || *CommBufferSize < PE_BENCH_COPY)
		return EFI_SUCCESS;
	for (UINTN i = 0; i < PE_BENCH_COPY; i += 8)
		*(volatile UINT64 *)&local[i] = *(UINT64 *)&buf[i];
	for (UINTN i = 0; i < PE_BENCH_COPY; i += 8)
		*(UINT64 *)&buf[i] = *(volatile UINT64 *)&local[i] + 1;
	return EFI_SUCCESS;
}

/*
 * An absolute address, so that the image has a base relocation (the loader
 * only moves images that have some).
 */
static EFI_MM_HANDLER_ENTRY_POINT volatile const handler = CopyHandler;

EFI_STATUS EFIAPI PeBenchEntry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	/* 2f4c8a31-95d2-4b7e-8c1a-6e0d93b5a742, generated for mmemu (tools/cmd-bench.c) */
	static EFI_GUID guid = { 0x2f4c8a31, 0x95d2, 0x4b7e,
				 { 0x8c, 0x1a, 0x6e, 0x0d, 0x93, 0xb5, 0xa7, 0x42 } };
	EFI_HANDLE h;

	(void)ImageHandle;
	if (!MmSystemTable)
		return (EFI_STATUS)(UINTN)handler;
	return MmSystemTable->MmiHandlerRegister(handler, &guid, &h);
}
