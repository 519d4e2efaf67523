/* SPDX-License-Identifier: MIT */
/*
 * A native driver for benchmarks: an empty GUID handler (the cost of MM
 * communicate itself) and a handler that exercises the SMRAM pool.
 */
#include <string.h>

#include <mmemu/native-driver.h>
#include <pi/mm-system-table.h>

#include "bench.h"

static EFI_MM_SYSTEM_TABLE *mmst;

static EFI_STATUS EFIAPI empty_handler(EFI_HANDLE dispatch, CONST VOID *context, VOID *buffer,
				       UINTN *size)
{
	(void)dispatch;
	(void)context;
	(void)buffer;
	(void)size;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI pool_handler(EFI_HANDLE dispatch, CONST VOID *context, VOID *buffer,
				      UINTN *size)
{
	UINT32 count;

	(void)dispatch;
	(void)context;
	if (!buffer || !size || *size < sizeof(count))
		return EFI_SUCCESS;
	memcpy(&count, buffer, sizeof(count));
	for (UINT32 i = 0; i < count; i++) {
		VOID *p;

		if (mmst->MmAllocatePool(EfiRuntimeServicesData, BENCH_POOL_BLOCK_SIZE, &p))
			return EFI_OUT_OF_RESOURCES;
		mmst->MmFreePool(p);
	}
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI BenchDriverEntry(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *st)
{
	static const UINT8 empty_guid[16] = BENCH_EMPTY_HANDLER_GUID_BYTES;
	static const UINT8 pool_guid[16] = BENCH_POOL_HANDLER_GUID_BYTES;
	EFI_GUID g;
	EFI_HANDLE h;
	EFI_STATUS s;

	(void)image;
	mmst = st;
	memcpy(&g, empty_guid, sizeof(g));
	s = st->MmiHandlerRegister(empty_handler, &g, &h);
	if (s)
		return s;
	memcpy(&g, pool_guid, sizeof(g));
	return st->MmiHandlerRegister(pool_handler, &g, &h);
}

MMEMU_MODULE("BenchDriver", { 0x2b5e9c11, 0x7d4a, 0x4c3e, { 0x9f, 0x02, 0x61, 0xd8, 0x3a, 0x5c, 0x77, 0x10 } },
	     MM_MODULE_STANDALONE, "TRUE", BenchDriverEntry);
