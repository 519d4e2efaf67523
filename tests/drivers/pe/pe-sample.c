/* SPDX-License-Identifier: MIT */
/*
 * A small standalone MM driver built as a real PE32+ image (and, from the
 * same source, a TE and an ELF image) for the image loader's tests. Its data
 * is shaped to exercise the loader rather than to do anything useful:
 *   - pointer tables that need DIR64 / R_X86_64_RELATIVE relocations;
 *   - a .bss array larger than a page (a zero-filled section tail);
 *   - an initialised counter whose value the tests read back.
 * The entry point checks its own relocated pointers, so a later slice can
 * run it on the emulated CPU and expect EFI_SUCCESS.
 */
#include <pi/mm-system-table.h>

/* Read by the tests at RVA of pe_sample_marker: the loader placed .data. */
UINT64 pe_sample_marker = 0x4d4d454d55504531ull; /* "MMEMUPE1" */

static const char alpha[] = "alpha";
static const char beta[] = "beta";

/* Absolute addresses: the linker emits one base relocation per entry. */
const char *const pe_sample_names[] = { alpha, beta };
UINT64 *const pe_sample_self = &pe_sample_marker;

/* .bss larger than a page: must be zero after loading. */
UINT8 pe_sample_scratch[3 * 4096 + 123];

EFI_STATUS EFIAPI PeSampleEntry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	(void)ImageHandle;
	(void)MmSystemTable;
	if (pe_sample_names[0][0] != 'a' || pe_sample_names[1][0] != 'b')
		return EFI_LOAD_ERROR;
	if (*pe_sample_self != 0x4d4d454d55504531ull)
		return EFI_LOAD_ERROR;
	for (UINTN i = 0; i < sizeof(pe_sample_scratch); i++)
		if (pe_sample_scratch[i])
			return EFI_LOAD_ERROR;
	pe_sample_scratch[0] = 1;
	return EFI_SUCCESS;
}
