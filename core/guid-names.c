/* SPDX-License-Identifier: MIT */
/*
 * The name table behind mm_guid_by_name() and mm_guid_name(), and the
 * registry text form of a GUID. The table holds values (from the header
 * macros), not pointers to the gEfi...Guid variables, so that it is const
 * and nothing a driver does to those variables changes a lookup.
 * tests/include/pi-layout-test.c checks that every entry matches its variable.
 */
#include "guid-names.h"
#include "hex.h"

#include <string.h>

#include <pi/hob.h>
#include <pi/mm-guids.h>
#include <pi/pcd.h>

struct guid_name {
	const char *name;
	EFI_GUID guid;
};

/*
 * Where EDK2 has an Mm and an Smm name for one GUID the Mm name comes first,
 * so mm_guid_name(), which returns the first match, prefers it.
 */
static const struct guid_name guid_names[] = {
	{ "gEfiMmCpuIoProtocolGuid", EFI_MM_CPU_IO_PROTOCOL_GUID },
	{ "gEfiSmmCpuIo2ProtocolGuid", EFI_SMM_CPU_IO2_PROTOCOL_GUID },
	{ "gEfiMmCpuProtocolGuid", EFI_MM_CPU_PROTOCOL_GUID },
	{ "gEfiSmmCpuProtocolGuid", EFI_SMM_CPU_PROTOCOL_GUID },
	{ "gEfiMmSwDispatchProtocolGuid", EFI_MM_SW_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmSwDispatch2ProtocolGuid", EFI_SMM_SW_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmSxDispatchProtocolGuid", EFI_MM_SX_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmSxDispatch2ProtocolGuid", EFI_SMM_SX_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmPeriodicTimerDispatchProtocolGuid", EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmPeriodicTimerDispatch2ProtocolGuid",
	  EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmPowerButtonDispatchProtocolGuid", EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmPowerButtonDispatch2ProtocolGuid", EFI_SMM_POWER_BUTTON_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmStandbyButtonDispatchProtocolGuid", EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmStandbyButtonDispatch2ProtocolGuid",
	  EFI_SMM_STANDBY_BUTTON_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmGpiDispatchProtocolGuid", EFI_MM_GPI_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmGpiDispatch2ProtocolGuid", EFI_SMM_GPI_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmIoTrapDispatchProtocolGuid", EFI_MM_IO_TRAP_DISPATCH_PROTOCOL_GUID },
	{ "gEfiSmmIoTrapDispatch2ProtocolGuid", EFI_SMM_IO_TRAP_DISPATCH2_PROTOCOL_GUID },
	{ "gEfiMmCommunicationProtocolGuid", EFI_MM_COMMUNICATION_PROTOCOL_GUID },
	{ "gEfiSmmCommunicationProtocolGuid", EFI_SMM_COMMUNICATION_PROTOCOL_GUID },
	{ "gEfiMmCommunication2ProtocolGuid", EFI_MM_COMMUNICATION2_PROTOCOL_GUID },
	{ "gEfiMmCommunication3ProtocolGuid", EFI_MM_COMMUNICATION3_PROTOCOL_GUID },
	{ "gEfiMmCommunicateHeaderV3Guid", EFI_MM_COMMUNICATE_HEADER_V3_GUID },
	{ "gEfiMmEndOfDxeProtocolGuid", EFI_MM_END_OF_DXE_PROTOCOL_GUID },
	{ "gEfiSmmEndOfDxeProtocolGuid", EFI_SMM_END_OF_DXE_PROTOCOL_GUID },
	{ "gEfiMmReadyToLockProtocolGuid", EFI_MM_READY_TO_LOCK_PROTOCOL_GUID },
	{ "gEfiSmmReadyToLockProtocolGuid", EFI_SMM_READY_TO_LOCK_PROTOCOL_GUID },
	{ "gEfiDxeMmReadyToLockProtocolGuid", EFI_DXE_MM_READY_TO_LOCK_PROTOCOL_GUID },
	{ "gEfiDxeSmmReadyToLockProtocolGuid", EFI_DXE_SMM_READY_TO_LOCK_PROTOCOL_GUID },
	{ "gEfiLoadedImageProtocolGuid", EFI_LOADED_IMAGE_PROTOCOL_GUID },
	{ "gEfiEndOfDxeEventGroupGuid", EFI_END_OF_DXE_EVENT_GROUP_GUID },
	{ "gEfiMmAccessProtocolGuid", EFI_MM_ACCESS_PROTOCOL_GUID },
	{ "gEfiSmmAccess2ProtocolGuid", EFI_SMM_ACCESS2_PROTOCOL_GUID },
	{ "gEfiMmControlProtocolGuid", EFI_MM_CONTROL_PROTOCOL_GUID },
	{ "gEfiSmmControl2ProtocolGuid", EFI_SMM_CONTROL2_PROTOCOL_GUID },
	{ "gEfiMmBaseProtocolGuid", EFI_MM_BASE_PROTOCOL_GUID },
	{ "gEfiSmmBase2ProtocolGuid", EFI_SMM_BASE2_PROTOCOL_GUID },
	{ "gSmmBaseHobGuid", SMM_BASE_HOB_DATA_GUID },
	{ "gEfiHobListGuid", EFI_HOB_LIST_GUID },
	{ "gEfiPeiMmCoreGuid", EFI_PEI_MM_CORE_GUID },
	{ "gPcdProtocolGuid", PCD_PROTOCOL_GUID },
	{ "gEfiPcdProtocolGuid", EFI_PCD_PROTOCOL_GUID },
};

#define GUID_NAME_COUNT (sizeof(guid_names) / sizeof(guid_names[0]))

const EFI_GUID *mm_guid_by_name(const char *name, size_t len)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < GUID_NAME_COUNT; i++) {
		const char *n = guid_names[i].name;

		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return &guid_names[i].guid;
	}
	return NULL;
}

const char *mm_guid_name(const EFI_GUID *g)
{
	if (!g)
		return NULL;
	for (size_t i = 0; i < GUID_NAME_COUNT; i++) {
		if (mm_guid_eq(&guid_names[i].guid, g))
			return guid_names[i].name;
	}
	return NULL;
}

bool mm_guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return memcmp(a, b, sizeof(EFI_GUID)) == 0;
}

/* Reads n hex digits at s into *v. Returns false on a non-digit. */
static bool parse_hex(const char *s, unsigned n, uint64_t *v)
{
	uint64_t acc = 0;

	for (unsigned i = 0; i < n; i++) {
		int d = mm_hex_digit(s[i]);

		if (d < 0)
			return false;
		acc = acc << 4 | (uint64_t)d;
	}
	*v = acc;
	return true;
}

/*
 * Registry form, by character position:
 *   0       9    14   19   24
 *   XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX
 *   Data1    D2   D3   D4[0..1] D4[2..7]
 */
bool mm_guid_parse(const char *s, size_t len, EFI_GUID *out)
{
	uint64_t d1, d2, d3, d4hi, d4lo;

	if (!s || !out || len != MM_GUID_STRING_LEN)
		return false;
	if (s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
		return false;
	if (!parse_hex(s, 8, &d1) || !parse_hex(s + 9, 4, &d2) || !parse_hex(s + 14, 4, &d3) ||
	    !parse_hex(s + 19, 4, &d4hi) || !parse_hex(s + 24, 12, &d4lo))
		return false;

	out->Data1 = (UINT32)d1;
	out->Data2 = (UINT16)d2;
	out->Data3 = (UINT16)d3;
	out->Data4[0] = (UINT8)(d4hi >> 8);
	out->Data4[1] = (UINT8)d4hi;
	for (int i = 0; i < 6; i++)
		out->Data4[2 + i] = (UINT8)(d4lo >> (8 * (5 - i)));
	return true;
}

/* Writes v as n uppercase hex digits at out. */
static void put_hex(char *out, uint64_t v, unsigned n)
{
	static const char digits[] = "0123456789ABCDEF";

	for (unsigned i = 0; i < n; i++)
		out[i] = digits[(v >> (4 * (n - 1 - i))) & 0xF];
}

void mm_guid_format(const EFI_GUID *g, char out[MM_GUID_STRING_LEN + 1])
{
	put_hex(out, g->Data1, 8);
	out[8] = '-';
	put_hex(out + 9, g->Data2, 4);
	out[13] = '-';
	put_hex(out + 14, g->Data3, 4);
	out[18] = '-';
	put_hex(out + 19, g->Data4[0], 2);
	put_hex(out + 21, g->Data4[1], 2);
	out[23] = '-';
	for (int i = 0; i < 6; i++)
		put_hex(out + 24 + 2 * i, g->Data4[2 + i], 2);
	out[MM_GUID_STRING_LEN] = '\0';
}
