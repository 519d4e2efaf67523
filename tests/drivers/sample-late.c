/* SPDX-License-Identifier: MIT */
/*
 * Sample native driver that is never dispatched: its DEPEX needs a protocol
 * nobody produces (SAMPLE_NEVER_PRODUCED_GUID_STR), so the dispatcher ends
 * with it NOT_DISPATCHED and that GUID as the reason. Its DEPEX is given as
 * encoded bytes, to exercise MMEMU_MODULE_DEPEX_BYTES:
 *   PUSH gEfiMmCpuProtocolGuid PUSH <never produced> AND END
 */
#include <mmemu/native-driver.h>
#include <pi/mm-system-table.h>

#include "sample.h"

/* Never runs; would succeed if it did. */
static EFI_STATUS EFIAPI SampleLateEntry(EFI_HANDLE ImageHandle,
					 EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	(void)ImageHandle;
	(void)MmSystemTable;
	return EFI_SUCCESS;
}

/* GUID operands are in EFI_GUID memory order (Data1..Data3 little-endian). */
MMEMU_MODULE_DEPEX_BYTES("SampleLate", SAMPLE_LATE_FILE_GUID, MM_MODULE_STANDALONE,
			 SampleLateEntry,
			 /* PUSH eb346b97-975f-4a9f-8b22-f8e92bb3d569 (gEfiMmCpuProtocolGuid) */
			 0x02, 0x97, 0x6b, 0x34, 0xeb, 0x5f, 0x97, 0x9f, 0x4a, 0x8b, 0x22, 0xf8,
			 0xe9, 0x2b, 0xb3, 0xd5, 0x69,
			 /* PUSH bd852e07-ca64-44bf-b495-15a04bd202ac (never produced) */
			 0x02, 0x07, 0x2e, 0x85, 0xbd, 0x64, 0xca, 0xbf, 0x44, 0xb4, 0x95, 0x15,
			 0xa0, 0x4b, 0xd2, 0x02, 0xac,
			 0x03, /* AND */
			 0x08  /* END */);
