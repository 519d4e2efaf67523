/* SPDX-License-Identifier: MIT */
/*
 * The MM System Table (PI 1.8 vol. 4, 4.2), built in SMRAM when the machine
 * is created. Every MM driver gets a pointer to it at entry; the CPU fields
 * are filled by mm_cpus_init() and refreshed by MmEntryPoint at each SMI
 * (core/smi.c), the configuration-table fields by core/config-table.c.
 */
#include "config-table.h"
#include "cpu.h"
#include "handle.h"
#include "io.h"
#include "machine.h"
#include "mmi.h"
#include "mmst.h"
#include "page.h"
#include "pool.h"

#define MM_FIRMWARE_REVISION 0x00000100 /* mmemu 0.1: major << 16 | minor << 8 */

/* Copies the ASCII vendor name to a CHAR16 string in SMRAM. */
static CHAR16 *vendor_string(struct mm_machine *m, const char *name)
{
	size_t n = 0;
	CHAR16 *s;

	while (name[n])
		n++;
	s = mm_pool_zalloc(m, EfiRuntimeServicesData, (n + 1) * sizeof(CHAR16), true);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++)
		s[i] = (CHAR16)name[i];
	return s;
}

/* Points the service fields at the Foundation's EFIAPI functions. */
static void fill_services(EFI_MM_SYSTEM_TABLE *st)
{
	st->MmInstallConfigurationTable = MmInstallConfigurationTable;
	st->MmIo.Mem.Read = MmMemRead;
	st->MmIo.Mem.Write = MmMemWrite;
	st->MmIo.Io.Read = MmIoRead;
	st->MmIo.Io.Write = MmIoWrite;
	st->MmAllocatePool = MmAllocatePool;
	st->MmFreePool = MmFreePool;
	st->MmAllocatePages = MmAllocatePages;
	st->MmFreePages = MmFreePages;
	st->MmStartupThisAp = MmStartupThisAp;
	st->MmInstallProtocolInterface = MmInstallProtocolInterface;
	st->MmUninstallProtocolInterface = MmUninstallProtocolInterface;
	st->MmHandleProtocol = MmHandleProtocol;
	st->MmRegisterProtocolNotify = MmRegisterProtocolNotify;
	st->MmLocateHandle = MmLocateHandle;
	st->MmLocateProtocol = MmLocateProtocol;
	st->MmiManage = MmiManage;
	st->MmiHandlerRegister = MmiHandlerRegister;
	st->MmiHandlerUnRegister = MmiHandlerUnRegister;
}

enum mm_err mm_mmst_init(struct mm_machine *m)
{
	EFI_MM_SYSTEM_TABLE *st;

	st = mm_pool_zalloc(m, EfiRuntimeServicesData, sizeof(*st), true);
	if (!st)
		return mm_fail(m, MM_ERR_NOMEM, "MM System Table: out of SMRAM");
	st->Hdr.Signature = MM_MMST_SIGNATURE;
	st->Hdr.Revision = EFI_MM_SYSTEM_TABLE_REVISION;
	st->Hdr.HeaderSize = sizeof(*st);
	st->Hdr.CRC32 = 0; /* EDK2's MM core leaves it 0 as well; nothing checks it */
	st->MmFirmwareVendor = vendor_string(m, "mmemu");
	if (!st->MmFirmwareVendor)
		return mm_fail(m, MM_ERR_NOMEM, "MM System Table vendor string: out of SMRAM");
	st->MmFirmwareRevision = MM_FIRMWARE_REVISION;
	fill_services(st);
	st->CurrentlyExecutingCpu = 0;
	st->NumberOfCpus = m->platform.cpus;
	st->CpuSaveStateSize = m->cpus.save_state_size;
	st->CpuSaveState = m->cpus.save_state_ptr;
	st->NumberOfTableEntries = m->config_count;
	st->MmConfigurationTable = m->config;
	m->mmst = st;
	return MM_OK;
}
