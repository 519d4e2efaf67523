/* SPDX-License-Identifier: MIT */
/*
 * Sample native driver: produces gMmemuSampleProtocolGuid (sample.h), an
 * interface allocated from SMRAM with MmAllocatePool whose Add() the
 * sample GUID handler calls. No dependencies: dispatched first.
 */
#include <mmemu/native-driver.h>
#include <pi/mm-system-table.h>

#include "sample.h"

/* SAMPLE_PROTOCOL.Add: 32-bit addition that reports overflow. */
static EFI_STATUS EFIAPI SampleAdd(UINT32 A, UINT32 B, UINT32 *Sum)
{
	if (!Sum)
		return EFI_INVALID_PARAMETER;
	if (A > UINT32_MAX - B)
		return EFI_BAD_BUFFER_SIZE;
	*Sum = A + B;
	return EFI_SUCCESS;
}

/* Allocates the interface in SMRAM and installs it on a new handle. */
static EFI_STATUS EFIAPI SampleProducerEntry(EFI_HANDLE ImageHandle,
					     EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	static EFI_GUID protocol_guid = SAMPLE_PROTOCOL_GUID;
	SAMPLE_PROTOCOL *proto = NULL;
	EFI_HANDLE handle = NULL;
	EFI_STATUS status;

	(void)ImageHandle;
	status = MmSystemTable->MmAllocatePool(EfiRuntimeServicesData, sizeof(*proto),
					       (VOID **)&proto);
	if (EFI_ERROR(status))
		return status;
	proto->Revision = SAMPLE_PROTOCOL_REVISION;
	proto->Add = SampleAdd;
	status = MmSystemTable->MmInstallProtocolInterface(&handle, &protocol_guid,
							   EFI_NATIVE_INTERFACE, proto);
	if (EFI_ERROR(status))
		MmSystemTable->MmFreePool(proto);
	return status;
}

MMEMU_MODULE("SampleProducer", SAMPLE_PRODUCER_FILE_GUID, MM_MODULE_STANDALONE, "TRUE",
	     SampleProducerEntry);
