/* SPDX-License-Identifier: MIT */
/* A native driver built against the installed headers: one GUID handler. */
#include <mmemu/native-driver.h>

#define CONSUMER_HANDLER_GUID                                                              \
	{ 0x3c0e8f2a, 0x51d4, 0x4b6e, { 0x8a, 0x77, 0x19, 0x2e, 0x5d, 0xc4, 0x0b, 0x93 } }

static EFI_STATUS EFIAPI Handler(EFI_HANDLE dispatch, CONST VOID *context, VOID *buffer,
				 UINTN *size)
{
	(void)dispatch;
	(void)context;
	if (!buffer || !size || *size < 1)
		return EFI_SUCCESS;
	((UINT8 *)buffer)[0] ^= 0xFF;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI ConsumerEntry(EFI_HANDLE image, EFI_MM_SYSTEM_TABLE *mmst)
{
	static EFI_GUID guid = CONSUMER_HANDLER_GUID;
	EFI_HANDLE h;

	(void)image;
	return mmst->MmiHandlerRegister(Handler, &guid, &h);
}

MMEMU_MODULE("ConsumerDriver", { 0x9d1b7c40, 0x2f3a, 0x4e85, { 1, 2, 3, 4, 5, 6, 7, 8 } },
	     MM_MODULE_STANDALONE, "gEfiMmCpuProtocolGuid", ConsumerEntry);
