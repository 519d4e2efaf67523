/* SPDX-License-Identifier: MIT */
/*
 * The runtime services (UEFI 2.10, chapter 8) as this world provides them:
 * a fixed, deterministic time (DESIGN 8), no variable store yet (GetVariable
 * finds nothing, SetVariable is refused, both logged), a monotonic high
 * count, and EFI_UNSUPPORTED, logged, for the rest. After ReadyToLock they
 * follow the same callout rule as the boot services.
 */
#include "core/call.h"
#include "core/machine.h"

/* 2024-01-01 00:00:00 UTC, always. */
static const EFI_TIME fixed_time = { 2024, 1, 1, 0, 0, 0, 0, 0, 0x07FF, 0, 0 };

static EFI_STATUS rt_unsupported(struct mm_machine *m, const char *service)
{
	mm_log(m, MM_LOG_WARN, "%s called by %s: not provided, EFI_UNSUPPORTED", service,
	       mm_executing_name(m));
	return EFI_UNSUPPORTED;
}

static EFI_STATUS EFIAPI RtGetTime(EFI_TIME *Time, EFI_TIME_CAPABILITIES *Capabilities)
{
	DXE_ENTER(m, "gRT->GetTime", RtGetTime);
	if (!Time || !mm_caller_ptr_ok(m, Time, sizeof(*Time)))
		return EFI_INVALID_PARAMETER;
	*Time = fixed_time;
	if (Capabilities && mm_caller_ptr_ok(m, Capabilities, sizeof(*Capabilities)))
		*Capabilities = (EFI_TIME_CAPABILITIES){ 1, 0, FALSE };
	return EFI_SUCCESS;
}

static EFI_STATUS EFIAPI RtSetTime(EFI_TIME *Time)
{
	(void)Time;
	DXE_ENTER(m, "gRT->SetTime", RtSetTime);
	return rt_unsupported(m, "gRT->SetTime");
}

static EFI_STATUS EFIAPI RtGetWakeupTime(BOOLEAN *Enabled, BOOLEAN *Pending, EFI_TIME *Time)
{
	(void)Enabled, (void)Pending, (void)Time;
	DXE_ENTER(m, "gRT->GetWakeupTime", RtGetWakeupTime);
	return rt_unsupported(m, "gRT->GetWakeupTime");
}

static EFI_STATUS EFIAPI RtSetWakeupTime(BOOLEAN Enable, EFI_TIME *Time)
{
	(void)Enable, (void)Time;
	DXE_ENTER(m, "gRT->SetWakeupTime", RtSetWakeupTime);
	return rt_unsupported(m, "gRT->SetWakeupTime");
}

static EFI_STATUS EFIAPI RtSetVirtualAddressMap(UINTN MemoryMapSize, UINTN DescriptorSize,
						UINT32 DescriptorVersion,
						EFI_MEMORY_DESCRIPTOR *VirtualMap)
{
	(void)MemoryMapSize, (void)DescriptorSize, (void)DescriptorVersion, (void)VirtualMap;
	DXE_ENTER(m, "gRT->SetVirtualAddressMap", RtSetVirtualAddressMap);
	return rt_unsupported(m, "gRT->SetVirtualAddressMap");
}

static EFI_STATUS EFIAPI RtConvertPointer(UINTN DebugDisposition, VOID **Address)
{
	(void)DebugDisposition, (void)Address;
	DXE_ENTER(m, "gRT->ConvertPointer", RtConvertPointer);
	return rt_unsupported(m, "gRT->ConvertPointer");
}

static EFI_STATUS EFIAPI RtGetVariable(CHAR16 *VariableName, EFI_GUID *VendorGuid,
				       UINT32 *Attributes, UINTN *DataSize, VOID *Data)
{
	(void)VendorGuid, (void)Attributes, (void)Data;
	DXE_ENTER(m, "gRT->GetVariable", RtGetVariable);
	if (!VariableName || !VendorGuid || !DataSize)
		return EFI_INVALID_PARAMETER;
	mm_log(m, MM_LOG_WARN, "gRT->GetVariable by %s: no variable store, EFI_NOT_FOUND",
	       mm_executing_name(m));
	return EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI RtGetNextVariableName(UINTN *VariableNameSize, CHAR16 *VariableName,
					       EFI_GUID *VendorGuid)
{
	(void)VariableNameSize, (void)VariableName, (void)VendorGuid;
	DXE_ENTER(m, "gRT->GetNextVariableName", RtGetNextVariableName);
	mm_log(m, MM_LOG_WARN, "gRT->GetNextVariableName by %s: no variable store, "
	       "EFI_NOT_FOUND", mm_executing_name(m));
	return EFI_NOT_FOUND;
}

static EFI_STATUS EFIAPI RtSetVariable(CHAR16 *VariableName, EFI_GUID *VendorGuid,
				       UINT32 Attributes, UINTN DataSize, VOID *Data)
{
	(void)VariableName, (void)VendorGuid, (void)Attributes, (void)DataSize, (void)Data;
	DXE_ENTER(m, "gRT->SetVariable", RtSetVariable);
	return rt_unsupported(m, "gRT->SetVariable (no variable store)");
}

static EFI_STATUS EFIAPI RtGetNextHighMonotonicCount(UINT32 *HighCount)
{
	DXE_ENTER(m, "gRT->GetNextHighMonotonicCount", RtGetNextHighMonotonicCount);
	if (!HighCount || !mm_caller_ptr_ok(m, HighCount, sizeof(*HighCount)))
		return EFI_INVALID_PARAMETER;
	m->dxe.monotonic = ((m->dxe.monotonic >> 32) + 1) << 32;
	*HighCount = (UINT32)(m->dxe.monotonic >> 32);
	return EFI_SUCCESS;
}

static VOID EFIAPI RtResetSystem(EFI_RESET_TYPE ResetType, EFI_STATUS ResetStatus,
				 UINTN DataSize, VOID *ResetData)
{
	struct mm_machine *m = mm_current();

	(void)DataSize, (void)ResetData;
	if (!m || mm_dxe_callout(m, "gRT->ResetSystem", (const void *)RtResetSystem))
		return;
	mm_log(m, MM_LOG_WARN, "gRT->ResetSystem(%d, 0x%llx) by %s: ignored (returns)",
	       (int)ResetType, (unsigned long long)ResetStatus, mm_executing_name(m));
}

static EFI_STATUS EFIAPI RtUpdateCapsule(EFI_CAPSULE_HEADER **CapsuleHeaderArray,
					 UINTN CapsuleCount, EFI_PHYSICAL_ADDRESS ScatterGatherList)
{
	(void)CapsuleHeaderArray, (void)CapsuleCount, (void)ScatterGatherList;
	DXE_ENTER(m, "gRT->UpdateCapsule", RtUpdateCapsule);
	return rt_unsupported(m, "gRT->UpdateCapsule");
}

static EFI_STATUS EFIAPI RtQueryCapsuleCapabilities(EFI_CAPSULE_HEADER **CapsuleHeaderArray,
						    UINTN CapsuleCount,
						    UINT64 *MaximumCapsuleSize,
						    EFI_RESET_TYPE *ResetType)
{
	(void)CapsuleHeaderArray, (void)CapsuleCount, (void)MaximumCapsuleSize, (void)ResetType;
	DXE_ENTER(m, "gRT->QueryCapsuleCapabilities", RtQueryCapsuleCapabilities);
	return rt_unsupported(m, "gRT->QueryCapsuleCapabilities");
}

static EFI_STATUS EFIAPI RtQueryVariableInfo(UINT32 Attributes, UINT64 *MaximumVariableStorageSize,
					     UINT64 *RemainingVariableStorageSize,
					     UINT64 *MaximumVariableSize)
{
	(void)Attributes, (void)MaximumVariableStorageSize, (void)RemainingVariableStorageSize;
	(void)MaximumVariableSize;
	DXE_ENTER(m, "gRT->QueryVariableInfo", RtQueryVariableInfo);
	return rt_unsupported(m, "gRT->QueryVariableInfo");
}

void mm_dxe_runtime_table(EFI_RUNTIME_SERVICES *rt)
{
	rt->GetTime = RtGetTime;
	rt->SetTime = RtSetTime;
	rt->GetWakeupTime = RtGetWakeupTime;
	rt->SetWakeupTime = RtSetWakeupTime;
	rt->SetVirtualAddressMap = RtSetVirtualAddressMap;
	rt->ConvertPointer = RtConvertPointer;
	rt->GetVariable = RtGetVariable;
	rt->GetNextVariableName = RtGetNextVariableName;
	rt->SetVariable = RtSetVariable;
	rt->GetNextHighMonotonicCount = RtGetNextHighMonotonicCount;
	rt->ResetSystem = RtResetSystem;
	rt->UpdateCapsule = RtUpdateCapsule;
	rt->QueryCapsuleCapabilities = RtQueryCapsuleCapabilities;
	rt->QueryVariableInfo = RtQueryVariableInfo;
}
