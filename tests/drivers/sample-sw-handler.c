/* SPDX-License-Identifier: MIT */
/*
 * Sample native driver: a software MMI handler for SAMPLE_SW_MMI_VALUE
 * (0x42) registered with EFI_MM_SW_DISPATCH_PROTOCOL. On the SMI it reads
 * RCX from the save state of the CPU that raised it, and writes RAX = RCX + 1
 * and RBX = the APM data port value, which the interrupted code sees after
 * RSM.
 */
#include <mmemu/native-driver.h>
#include <pi/mm-cpu.h>
#include <pi/mm-sw-dispatch.h>
#include <pi/mm-system-table.h>

#include "sample.h"

/* Located once by the entry point. */
static EFI_MM_CPU_PROTOCOL *cpu;

/* The SW MMI child handler: Context is the register context, CommBuffer an EFI_MM_SW_CONTEXT. */
static EFI_STATUS EFIAPI SampleSwHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
					 VOID *CommBuffer, UINTN *CommBufferSize)
{
	const EFI_MM_SW_CONTEXT *sw = CommBuffer;
	UINT64 rcx, rax, rbx;
	EFI_STATUS status;

	(void)DispatchHandle;
	(void)Context;
	if (!sw || !CommBufferSize || *CommBufferSize < sizeof(*sw))
		return EFI_INVALID_PARAMETER;
	status = cpu->ReadSaveState(cpu, sizeof(rcx), EFI_MM_SAVE_STATE_REGISTER_RCX,
				    sw->SwMmiCpuIndex, &rcx);
	if (EFI_ERROR(status))
		return status;
	rax = rcx + 1;
	rbx = sw->DataPort;
	status = cpu->WriteSaveState(cpu, sizeof(rax), EFI_MM_SAVE_STATE_REGISTER_RAX,
				     sw->SwMmiCpuIndex, &rax);
	if (EFI_ERROR(status))
		return status;
	return cpu->WriteSaveState(cpu, sizeof(rbx), EFI_MM_SAVE_STATE_REGISTER_RBX,
				   sw->SwMmiCpuIndex, &rbx);
}

/* Locates the CPU and SW dispatch protocols and registers the child. */
static EFI_STATUS EFIAPI SampleSwHandlerEntry(EFI_HANDLE ImageHandle,
					      EFI_MM_SYSTEM_TABLE *MmSystemTable)
{
	EFI_MM_SW_DISPATCH_PROTOCOL *sw;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { .SwMmiInputValue = SAMPLE_SW_MMI_VALUE };
	EFI_HANDLE dispatch;
	EFI_STATUS status;

	(void)ImageHandle;
	status = MmSystemTable->MmLocateProtocol(&gEfiMmCpuProtocolGuid, NULL, (VOID **)&cpu);
	if (EFI_ERROR(status))
		return status;
	status = MmSystemTable->MmLocateProtocol(&gEfiMmSwDispatchProtocolGuid, NULL,
						 (VOID **)&sw);
	if (EFI_ERROR(status))
		return status;
	return sw->Register(sw, SampleSwHandler, &ctx, &dispatch);
}

MMEMU_MODULE("SampleSwHandler", SAMPLE_SW_HANDLER_FILE_GUID, MM_MODULE_STANDALONE,
	     "gEfiMmSwDispatchProtocolGuid AND gEfiMmCpuProtocolGuid", SampleSwHandlerEntry);
