/* SPDX-License-Identifier: MIT */
/*
 * The small boot services (UEFI 2.10, 7.4 and 7.5): CalculateCrc32, CopyMem,
 * SetMem, Stall, GetNextMonotonicCount, SetWatchdogTimer,
 * InstallConfigurationTable (the DXE configuration table, in normal RAM), and
 * the members this world does not provide: image services, driver model
 * connection, device paths, ExitBootServices. Those return EFI_UNSUPPORTED
 * and say who asked for what under "warn", rather than being NULL.
 */
#include <string.h>

#include "core/call.h"
#include "core/machine.h"

/* CRC-32 of IEEE 802.3 (reflected polynomial 0xEDB88320), bit by bit. */
uint32_t mm_crc32(const void *data, uint64_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xFFFFFFFFu;

	for (uint64_t i = 0; i < len; i++) {
		crc ^= p[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static EFI_STATUS EFIAPI DxeCalculateCrc32(VOID *Data, UINTN DataSize, UINT32 *Crc32)
{
	DXE_ENTER(m, "gBS->CalculateCrc32", DxeCalculateCrc32);
	if (!Data || !DataSize || !Crc32 || !mm_caller_ptr_ok(m, Data, DataSize) ||
	    !mm_caller_ptr_ok(m, Crc32, sizeof(*Crc32)))
		return EFI_INVALID_PARAMETER;
	*Crc32 = mm_crc32(Data, DataSize);
	return EFI_SUCCESS;
}

static VOID EFIAPI DxeCopyMem(VOID *Destination, VOID *Source, UINTN Length)
{
	struct mm_machine *m = mm_current();

	if (!m || mm_dxe_callout(m, "gBS->CopyMem", (const void *)DxeCopyMem) || !Length)
		return;
	if (!mm_caller_ptr_ok(m, Destination, Length) || !mm_caller_ptr_ok(m, Source, Length)) {
		mm_log(m, MM_LOG_WARN, "gBS->CopyMem: %s copies %llu bytes %p -> %p: unmapped",
		       mm_executing_name(m), (unsigned long long)Length, Source, Destination);
		return;
	}
	memmove(Destination, Source, Length);
}

static VOID EFIAPI DxeSetMem(VOID *Buffer, UINTN Size, UINT8 Value)
{
	struct mm_machine *m = mm_current();

	if (!m || mm_dxe_callout(m, "gBS->SetMem", (const void *)DxeSetMem) || !Size)
		return;
	if (!mm_caller_ptr_ok(m, Buffer, Size)) {
		mm_log(m, MM_LOG_WARN, "gBS->SetMem: %s sets %llu bytes at %p: unmapped",
		       mm_executing_name(m), (unsigned long long)Size, Buffer);
		return;
	}
	memset(Buffer, Value, Size);
}

/* No wall clock (DESIGN 8): a stall returns at once. */
static EFI_STATUS EFIAPI DxeStall(UINTN Microseconds)
{
	DXE_ENTER(m, "gBS->Stall", DxeStall);
	mm_log(m, MM_LOG_PROTOCOL, "gBS->Stall(%llu us) by %s: returns at once",
	       (unsigned long long)Microseconds, mm_executing_name(m));
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeGetNextMonotonicCount(UINT64 *Count)
{
	DXE_ENTER(m, "gBS->GetNextMonotonicCount", DxeGetNextMonotonicCount);
	if (!Count || !mm_caller_ptr_ok(m, Count, sizeof(*Count)))
		return EFI_INVALID_PARAMETER;
	*Count = ++m->dxe.monotonic;
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI DxeSetWatchdogTimer(UINTN Timeout, UINT64 WatchdogCode, UINTN DataSize,
					     CHAR16 *WatchdogData)
{
	DXE_ENTER(m, "gBS->SetWatchdogTimer", DxeSetWatchdogTimer);
	(void)WatchdogCode, (void)DataSize, (void)WatchdogData;
	mm_log(m, MM_LOG_PROTOCOL, "gBS->SetWatchdogTimer(%llu s) by %s: no watchdog here",
	       (unsigned long long)Timeout, mm_executing_name(m));
	return EFI_SUCCESS;
}

/* Index of guid in the DXE configuration table, or -1. */
static long config_index(struct mm_machine *m, const EFI_GUID *guid)
{
	EFI_SYSTEM_TABLE *st = m->dxe.st;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++)
		if (!memcmp(&m->dxe.config[i].VendorGuid, guid, sizeof(*guid)))
			return (long)i;
	return -1;
}

/* Makes room for one more entry (the array moves to bigger pages). */
static enum mm_err config_grow(struct mm_machine *m)
{
	unsigned cap = m->dxe.config_cap ? m->dxe.config_cap * 2 : 16;
	EFI_CONFIGURATION_TABLE *t = mm_dxe_ram_zalloc(m, cap * sizeof(*t));

	if (!t)
		return mm_fail(m, MM_ERR_NOMEM, "DXE configuration table: no RAM");
	if (m->dxe.config) {
		memcpy(t, m->dxe.config, m->dxe.st->NumberOfTableEntries * sizeof(*t));
		mm_page_free(m, &m->ram, (uint64_t)(uintptr_t)m->dxe.config,
			     EFI_SIZE_TO_PAGES(m->dxe.config_cap * sizeof(*t)));
	}
	m->dxe.config = t;
	m->dxe.config_cap = cap;
	m->dxe.st->ConfigurationTable = t;
	return MM_OK;
}

enum mm_err mm_dxe_config_set(struct mm_machine *m, const EFI_GUID *guid, void *table)
{
	EFI_SYSTEM_TABLE *st = m->dxe.st;
	long i = config_index(m, guid);

	if (i >= 0 && table) {
		m->dxe.config[i].VendorTable = table;
	} else if (i >= 0) {
		memmove(&m->dxe.config[i], &m->dxe.config[i + 1],
			(st->NumberOfTableEntries - (UINTN)i - 1) * sizeof(*m->dxe.config));
		st->NumberOfTableEntries--;
	} else if (!table) {
		return MM_ERR_NOT_FOUND;
	} else {
		if (st->NumberOfTableEntries == m->dxe.config_cap && config_grow(m))
			return MM_ERR_NOMEM;
		m->dxe.config[st->NumberOfTableEntries++] =
			(EFI_CONFIGURATION_TABLE){ *guid, table };
	}
	mm_dxe_table_crc(&st->Hdr);
	return MM_OK;
}

void *mm_dxe_config_get(struct mm_machine *m, const EFI_GUID *guid)
{
	long i = m->dxe.created ? config_index(m, guid) : -1;

	return i >= 0 ? m->dxe.config[i].VendorTable : NULL;
}

static EFI_STATUS EFIAPI DxeInstallConfigurationTable(EFI_GUID *Guid, VOID *Table)
{
	DXE_ENTER(m, "gBS->InstallConfigurationTable", DxeInstallConfigurationTable);
	if (!Guid || !mm_caller_ptr_ok(m, Guid, sizeof(*Guid)))
		return EFI_INVALID_PARAMETER;
	return mm_err_to_efi(mm_dxe_config_set(m, Guid, Table));
}

/* The members we do not provide: EFI_UNSUPPORTED, with who asked. */
static EFI_STATUS unsupported(struct mm_machine *m, const char *service)
{
	mm_log(m, MM_LOG_WARN, "%s called by %s: not provided by mmemu's DXE world, "
	       "EFI_UNSUPPORTED", service, mm_executing_name(m));
	return EFI_UNSUPPORTED;
}

#define UNSUPPORTED(fn, name)                                                             \
	do {                                                                               \
		DXE_ENTER(m, name, fn);                                                    \
		return unsupported(m, name);                                               \
	} while (0)

static EFI_STATUS EFIAPI DxeLocateDevicePath(EFI_GUID *Protocol,
					     EFI_DEVICE_PATH_PROTOCOL **DevicePath,
					     EFI_HANDLE *Device)
{
	(void)Protocol, (void)DevicePath, (void)Device;
	UNSUPPORTED(DxeLocateDevicePath, "gBS->LocateDevicePath");
}

static EFI_STATUS EFIAPI DxeLoadImage(BOOLEAN BootPolicy, EFI_HANDLE ParentImageHandle,
				      EFI_DEVICE_PATH_PROTOCOL *DevicePath, VOID *SourceBuffer,
				      UINTN SourceSize, EFI_HANDLE *ImageHandle)
{
	(void)BootPolicy, (void)ParentImageHandle, (void)DevicePath, (void)SourceBuffer;
	(void)SourceSize, (void)ImageHandle;
	UNSUPPORTED(DxeLoadImage, "gBS->LoadImage");
}

static EFI_STATUS EFIAPI DxeStartImage(EFI_HANDLE ImageHandle, UINTN *ExitDataSize,
				       CHAR16 **ExitData)
{
	(void)ImageHandle, (void)ExitDataSize, (void)ExitData;
	UNSUPPORTED(DxeStartImage, "gBS->StartImage");
}

/* Driver Writer's Guide 8.10.2.1: MM drivers must not call Exit(). */
static EFI_STATUS EFIAPI DxeExit(EFI_HANDLE ImageHandle, EFI_STATUS ExitStatus,
				 UINTN ExitDataSize, CHAR16 *ExitData)
{
	(void)ImageHandle, (void)ExitStatus, (void)ExitDataSize, (void)ExitData;
	UNSUPPORTED(DxeExit, "gBS->Exit (forbidden to MM drivers)");
}

static EFI_STATUS EFIAPI DxeUnloadImage(EFI_HANDLE ImageHandle)
{
	(void)ImageHandle;
	UNSUPPORTED(DxeUnloadImage, "gBS->UnloadImage");
}

/* Driver Writer's Guide 8.10.2.1: MM drivers must not call ExitBootServices(). */
static EFI_STATUS EFIAPI DxeExitBootServices(EFI_HANDLE ImageHandle, UINTN MapKey)
{
	(void)ImageHandle, (void)MapKey;
	UNSUPPORTED(DxeExitBootServices, "gBS->ExitBootServices (forbidden to MM drivers)");
}

static EFI_STATUS EFIAPI DxeConnectController(EFI_HANDLE ControllerHandle,
					      EFI_HANDLE *DriverImageHandle,
					      EFI_DEVICE_PATH_PROTOCOL *RemainingDevicePath,
					      BOOLEAN Recursive)
{
	(void)ControllerHandle, (void)DriverImageHandle, (void)RemainingDevicePath;
	(void)Recursive;
	UNSUPPORTED(DxeConnectController, "gBS->ConnectController");
}

static EFI_STATUS EFIAPI DxeDisconnectController(EFI_HANDLE ControllerHandle,
						 EFI_HANDLE DriverImageHandle,
						 EFI_HANDLE ChildHandle)
{
	(void)ControllerHandle, (void)DriverImageHandle, (void)ChildHandle;
	UNSUPPORTED(DxeDisconnectController, "gBS->DisconnectController");
}

static EFI_STATUS EFIAPI DxeOpenProtocolInformation(EFI_HANDLE Handle, EFI_GUID *Protocol,
						    EFI_OPEN_PROTOCOL_INFORMATION_ENTRY **EntryBuffer,
						    UINTN *EntryCount)
{
	(void)Handle, (void)Protocol, (void)EntryBuffer, (void)EntryCount;
	UNSUPPORTED(DxeOpenProtocolInformation, "gBS->OpenProtocolInformation");
}

void mm_dxe_misc_table(EFI_BOOT_SERVICES *bs)
{
	bs->Reserved = NULL; /* the one member the specification leaves empty */
	bs->LocateDevicePath = DxeLocateDevicePath;
	bs->InstallConfigurationTable = DxeInstallConfigurationTable;
	bs->LoadImage = DxeLoadImage;
	bs->StartImage = DxeStartImage;
	bs->Exit = DxeExit;
	bs->UnloadImage = DxeUnloadImage;
	bs->ExitBootServices = DxeExitBootServices;
	bs->GetNextMonotonicCount = DxeGetNextMonotonicCount;
	bs->Stall = DxeStall;
	bs->SetWatchdogTimer = DxeSetWatchdogTimer;
	bs->ConnectController = DxeConnectController;
	bs->DisconnectController = DxeDisconnectController;
	bs->OpenProtocolInformation = DxeOpenProtocolInformation;
	bs->CalculateCrc32 = DxeCalculateCrc32;
	bs->CopyMem = DxeCopyMem;
	bs->SetMem = DxeSetMem;
}
