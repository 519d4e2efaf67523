/* SPDX-License-Identifier: MIT */
/*
 * smram-write through a register: a SW SMI handler (APMC value 0x5B) takes
 * the address of its parameter block from the caller's RBX (save state) and
 * writes a status there without checking where it points (the pattern of
 * CVE-2023-22613 and many SW SMI handlers). The fixed twin refuses an
 * address that overlaps SMRAM, whose range it knows from the platform (here
 * the default platform's TSEG, as a driver would learn it from the SMRAM
 * ranges of the MM access protocol).
 */
#include <pi/mm-cpu.h>
#include <pi/mm-sw-dispatch.h>

#include "vuln.h"

#define TSEG_BASE 0x0F800000ull
#define TSEG_SIZE 0x00800000ull

static EFI_MM_CPU_PROTOCOL *cpu;

static EFI_STATUS EFIAPI SwHandler(EFI_HANDLE DispatchHandle, CONST VOID *Context,
				   VOID *CommBuffer, UINTN *CommBufferSize)
{
	const EFI_MM_SW_CONTEXT *sw = CommBuffer;
	UINT64 rbx = 0;

	(void)DispatchHandle, (void)Context;
	if (!sw || !CommBufferSize || *CommBufferSize < sizeof(*sw))
		return EFI_INVALID_PARAMETER;
	if (cpu->ReadSaveState(cpu, sizeof(rbx), EFI_MM_SAVE_STATE_REGISTER_RBX,
			       sw->SwMmiCpuIndex, &rbx))
		return EFI_SUCCESS;
#ifdef VULN_FIXED
	if (rbx + 8 > TSEG_BASE && rbx < TSEG_BASE + TSEG_SIZE)
		return EFI_SUCCESS; /* refuse a parameter block in SMRAM */
#endif
	*(volatile UINT64 *)(UINTN)rbx = 0x600DC0DEull; /* "done" */
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI VulnSwEntry(EFI_HANDLE ImageHandle, EFI_MM_SYSTEM_TABLE *St)
{
	EFI_MM_SW_DISPATCH_PROTOCOL *sw;
	EFI_MM_SW_REGISTER_CONTEXT ctx = { .SwMmiInputValue = VULN_SW_SMI_VALUE };
	EFI_HANDLE dispatch;
	EFI_STATUS status;

	(void)ImageHandle;
	vuln_st = St;
	status = St->MmLocateProtocol(&gEfiMmCpuProtocolGuid, NULL, (VOID **)&cpu);
	if (!status)
		status = St->MmLocateProtocol(&gEfiMmSwDispatchProtocolGuid, NULL, (VOID **)&sw);
	if (status)
		return status;
	return sw->Register(sw, SwHandler, &ctx, &dispatch);
}

MMEMU_MODULE(VULN_NAME("VulnSwSmramWrite"), VULN_SW_SMRAM_WRITE_FILE_GUID, MM_MODULE_STANDALONE,
	     "gEfiMmSwDispatchProtocolGuid AND gEfiMmCpuProtocolGuid", VulnSwEntry);
