/* SPDX-License-Identifier: MIT */
/*
 * The one definition of every GUID variable declared in include/pi. Built
 * into libmmemu and, alone, into mmemu_pi_guids, the library native drivers
 * link instead of EDK2's AutoGen.c.
 *
 * The variables are not const because EDK2 declares them `extern EFI_GUID`
 * and drivers pass &gEfi...Guid where a non-const EFI_GUID * is expected.
 * Nothing writes them. Where EDK2 has an Mm and an Smm name for one GUID,
 * both are separate variables with the same value: drivers may compare
 * either by value, never by address.
 */
#include <pi/mm-guids.h>

/* mm-cpu-io.h */
EFI_GUID gEfiMmCpuIoProtocolGuid = EFI_MM_CPU_IO_PROTOCOL_GUID;
EFI_GUID gEfiSmmCpuIo2ProtocolGuid = EFI_SMM_CPU_IO2_PROTOCOL_GUID;

/* mm-cpu.h */
EFI_GUID gEfiMmCpuProtocolGuid = EFI_MM_CPU_PROTOCOL_GUID;
EFI_GUID gEfiSmmCpuProtocolGuid = EFI_SMM_CPU_PROTOCOL_GUID;

/* child dispatch protocols */
EFI_GUID gEfiMmSwDispatchProtocolGuid = EFI_MM_SW_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmSwDispatch2ProtocolGuid = EFI_SMM_SW_DISPATCH2_PROTOCOL_GUID;
EFI_GUID gEfiMmSxDispatchProtocolGuid = EFI_MM_SX_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmSxDispatch2ProtocolGuid = EFI_SMM_SX_DISPATCH2_PROTOCOL_GUID;
EFI_GUID gEfiMmPeriodicTimerDispatchProtocolGuid = EFI_MM_PERIODIC_TIMER_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmPeriodicTimerDispatch2ProtocolGuid =
	EFI_SMM_PERIODIC_TIMER_DISPATCH2_PROTOCOL_GUID;
EFI_GUID gEfiMmPowerButtonDispatchProtocolGuid = EFI_MM_POWER_BUTTON_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmPowerButtonDispatch2ProtocolGuid = EFI_SMM_POWER_BUTTON_DISPATCH2_PROTOCOL_GUID;
EFI_GUID gEfiMmStandbyButtonDispatchProtocolGuid = EFI_MM_STANDBY_BUTTON_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmStandbyButtonDispatch2ProtocolGuid =
	EFI_SMM_STANDBY_BUTTON_DISPATCH2_PROTOCOL_GUID;
EFI_GUID gEfiMmGpiDispatchProtocolGuid = EFI_MM_GPI_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmGpiDispatch2ProtocolGuid = EFI_SMM_GPI_DISPATCH2_PROTOCOL_GUID;
EFI_GUID gEfiMmIoTrapDispatchProtocolGuid = EFI_MM_IO_TRAP_DISPATCH_PROTOCOL_GUID;
EFI_GUID gEfiSmmIoTrapDispatch2ProtocolGuid = EFI_SMM_IO_TRAP_DISPATCH2_PROTOCOL_GUID;

/* mm-communication.h */
EFI_GUID gEfiMmCommunicationProtocolGuid = EFI_MM_COMMUNICATION_PROTOCOL_GUID;
EFI_GUID gEfiSmmCommunicationProtocolGuid = EFI_SMM_COMMUNICATION_PROTOCOL_GUID;
EFI_GUID gEfiMmCommunication2ProtocolGuid = EFI_MM_COMMUNICATION2_PROTOCOL_GUID;
EFI_GUID gEfiMmCommunication3ProtocolGuid = EFI_MM_COMMUNICATION3_PROTOCOL_GUID;
EFI_GUID gEfiMmCommunicateHeaderV3Guid = EFI_MM_COMMUNICATE_HEADER_V3_GUID;

/* mm-ready-to-lock.h */
EFI_GUID gEfiMmEndOfDxeProtocolGuid = EFI_MM_END_OF_DXE_PROTOCOL_GUID;
EFI_GUID gEfiSmmEndOfDxeProtocolGuid = EFI_SMM_END_OF_DXE_PROTOCOL_GUID;
EFI_GUID gEfiMmReadyToLockProtocolGuid = EFI_MM_READY_TO_LOCK_PROTOCOL_GUID;
EFI_GUID gEfiSmmReadyToLockProtocolGuid = EFI_SMM_READY_TO_LOCK_PROTOCOL_GUID;
EFI_GUID gEfiDxeMmReadyToLockProtocolGuid = EFI_DXE_MM_READY_TO_LOCK_PROTOCOL_GUID;
EFI_GUID gEfiDxeSmmReadyToLockProtocolGuid = EFI_DXE_SMM_READY_TO_LOCK_PROTOCOL_GUID;
EFI_GUID gEfiEndOfDxeEventGroupGuid = EFI_END_OF_DXE_EVENT_GROUP_GUID;

/* mm-access.h, mm-control.h, mm-base.h */
EFI_GUID gEfiMmAccessProtocolGuid = EFI_MM_ACCESS_PROTOCOL_GUID;
EFI_GUID gEfiSmmAccess2ProtocolGuid = EFI_SMM_ACCESS2_PROTOCOL_GUID;
EFI_GUID gEfiMmControlProtocolGuid = EFI_MM_CONTROL_PROTOCOL_GUID;
EFI_GUID gEfiSmmControl2ProtocolGuid = EFI_SMM_CONTROL2_PROTOCOL_GUID;
EFI_GUID gEfiMmBaseProtocolGuid = EFI_MM_BASE_PROTOCOL_GUID;
EFI_GUID gEfiSmmBase2ProtocolGuid = EFI_SMM_BASE2_PROTOCOL_GUID;

/* smm-base-hob.h */
EFI_GUID gSmmBaseHobGuid = SMM_BASE_HOB_DATA_GUID;

/* loaded-image.h */
EFI_GUID gEfiLoadedImageProtocolGuid = EFI_LOADED_IMAGE_PROTOCOL_GUID;

/* hob.h, pcd.h (the DXE world of traditional drivers, core/dxe/) */
#include <pi/hob.h>
#include <pi/pcd.h>
EFI_GUID gEfiHobListGuid = EFI_HOB_LIST_GUID;
#include <pi/dxe-services.h>
EFI_GUID gEfiDxeServicesTableGuid = DXE_SERVICES_GUID;
EFI_GUID gEfiPeiMmCoreGuid = EFI_PEI_MM_CORE_GUID;
EFI_GUID gPcdProtocolGuid = PCD_PROTOCOL_GUID;
EFI_GUID gEfiPcdProtocolGuid = EFI_PCD_PROTOCOL_GUID;
