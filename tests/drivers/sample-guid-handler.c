/* SPDX-License-Identifier: MIT */
/*
 * Sample native driver: a GUID MMI handler (SAMPLE_HANDLER_GUID, message
 * layout in sample.h) that adds two numbers through the sample protocol or
 * reverses bytes. It depends on the sample protocol, so it is dispatched
 * after sample-producer whatever the load order.
 *
 * The handler works the way an MM handler should with a buffer that lives
 * outside SMRAM: it checks the size before reading, copies the header into
 * SMRAM (its stack), works on the copy, and writes back only the results.
 */
#include <string.h>

#include <mmemu/native-driver.h>
#include <pi/mm-system-table.h>

#include "sample.h"

/* The located protocol; set once by the entry point. */
static SAMPLE_PROTOCOL *sample;

/* SAMPLE_CMD_REVERSE: reverses msg->A bytes of data, which has room bytes. */
static EFI_STATUS reverse(const SAMPLE_MESSAGE *msg, UINT8 *data, UINTN room)
{
	if (msg->A > room)
		return EFI_BAD_BUFFER_SIZE;
	for (UINT32 i = 0, j = msg->A; i + 1 < j; i++, j--) {
		UINT8 t = data[i];

		data[i] = data[j - 1];
		data[j - 1] = t;
	}
	return EFI_SUCCESS;
}

/* Runs the command of msg; data/room describe the bytes after the header. */
static void run_command(SAMPLE_MESSAGE *msg, UINT8 *data, UINTN room)
{
	switch (msg->Command) {
	case SAMPLE_CMD_ADD:
		msg->Status = sample->Add(msg->A, msg->B, &msg->Result);
		break;
	case SAMPLE_CMD_REVERSE:
		msg->Status = reverse(msg, data, room);
		msg->Result = msg->Status == EFI_SUCCESS ? msg->A : 0;
		break;
	default:
		msg->Status = EFI_UNSUPPORTED;
		break;
	}
}

/* The MMI handler (EFI_MM_HANDLER_ENTRY_POINT) for SAMPLE_HANDLER_GUID. */
static EFI_STATUS EFIAPI SampleHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				       VOID *CommBuffer, UINTN *CommBufferSize)
{
	SAMPLE_MESSAGE msg;
	UINT8 *buf = CommBuffer;

	(void)DispatchHandle;
	(void)Context;
	if (!buf || !CommBufferSize || *CommBufferSize < sizeof(msg))
		return EFI_SUCCESS; /* nothing we may touch: the caller sees its buffer unchanged */
	memcpy(&msg, buf, sizeof(msg));
	msg.Result = 0;
	run_command(&msg, buf + sizeof(msg), *CommBufferSize - sizeof(msg));
	memcpy(buf, &msg, sizeof(msg));
	return EFI_SUCCESS;
}

/* Locates the sample protocol and registers the handler. */
static EFI_STATUS EFIAPI SampleGuidHandlerEntry(EFI_HANDLE ImageHandle,
						EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	static EFI_GUID protocol_guid = SAMPLE_PROTOCOL_GUID;
	static EFI_GUID handler_guid = SAMPLE_HANDLER_GUID;
	EFI_HANDLE dispatch;
	EFI_STATUS status;

	(void)ImageHandle;
	status = MmSystemTable->MmLocateProtocol(&protocol_guid, NULL, (VOID **)&sample);
	if (EFI_ERROR(status))
		return status;
	if (sample->Revision < SAMPLE_PROTOCOL_REVISION)
		return EFI_INCOMPATIBLE_VERSION;
	return MmSystemTable->MmiHandlerRegister(SampleHandler, &handler_guid, &dispatch);
}

MMEMU_MODULE("SampleGuidHandler", SAMPLE_GUID_HANDLER_FILE_GUID, MM_MODULE_STANDALONE,
	     SAMPLE_PROTOCOL_GUID_STR, SampleGuidHandlerEntry);
