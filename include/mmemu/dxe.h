/* SPDX-License-Identifier: MIT */
/*
 * The UEFI world a traditional (DXE_SMM_DRIVER) or combined MM/DXE driver
 * sees during MM driver initialization (core/dxe/): an EFI system table with
 * boot and runtime services, a DXE protocol database, the MM IPL's protocols
 * (MM Base, Access, Control, Communication), a HOB list and a PCD protocol.
 * All of it lives in normal RAM, outside SMRAM.
 *
 * After ReadyToLock that world is gone for MM code: a boot or runtime
 * service (or a DXE protocol member) called from MM driver code, or while a
 * CPU is in SMM, is an SMM callout. It records a stop record of kind
 * MM_STOP_CALLOUT naming the driver and the service and returns
 * EFI_ACCESS_DENIED, unless mm_dxe_expect_callouts() said callouts are
 * expected (the call is then only logged under "warn").
 */
#ifndef MMEMU_DXE_H
#define MMEMU_DXE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "machine.h"

struct mm_machine;

/*
 * Chooses the initialization model of m (default: the platform's
 * init_model). Only before the DXE world exists and before any driver was
 * dispatched. Returns MM_OK, MM_ERR_INVALID (unknown model) or MM_ERR_STATE.
 */
enum mm_err mm_machine_set_init_model(struct mm_machine *m, enum mm_init_model model);

/*
 * Returns in *system_table the guest address of the EFI_SYSTEM_TABLE of m,
 * creating the DXE world on first use in the DXE model. Returns MM_OK,
 * MM_ERR_STATE (standalone model and the system table was not handed over
 * yet) or MM_ERR_NOMEM.
 */
enum mm_err mm_dxe_system_table(struct mm_machine *m, uint64_t *system_table);

/*
 * Standalone model: the DXE side hands its system table over to MM; creates
 * the DXE world (with the EFI_PEI_MM_CORE_GUID HOB saying MM_CORE_LOADED)
 * and stores its address in *system_table (may be NULL). In the DXE model
 * the same as mm_dxe_system_table(). Returns as mm_dxe_system_table.
 */
enum mm_err mm_dxe_handover(struct mm_machine *m, uint64_t *system_table);

/*
 * Declares that the DXE protocol guid (16 bytes, EFI_GUID layout) exists:
 * installs it on a new handle of the DXE database with interface iface (0:
 * a zeroed 64-byte block in normal RAM). Creates the DXE world if needed.
 * Returns MM_OK, MM_ERR_STATE (no DXE world in the standalone model),
 * MM_ERR_INVALID, MM_ERR_NOMEM.
 */
enum mm_err mm_dxe_install_protocol(struct mm_machine *m, const uint8_t guid[16], uint64_t iface);

/* Says whether callouts after ReadyToLock are expected (logged, not stopped). */
void mm_dxe_expect_callouts(struct mm_machine *m, bool expected);

/*
 * Sets the value of PCD token of the default token space (size bytes at
 * value; size 1/2/4/8 for numbers, any size for pointer PCDs, 1 for a
 * BOOLEAN). mm_pcd_set_ex does it in token space guid (16 bytes). Values are
 * kept by the machine and served by PCD_PROTOCOL / EFI_PCD_PROTOCOL.
 * Returns MM_OK, MM_ERR_INVALID (size 0 or over 64 KiB), MM_ERR_NOMEM.
 */
enum mm_err mm_pcd_set(struct mm_machine *m, uint64_t token, uint64_t size, const void *value);
enum mm_err mm_pcd_set_ex(struct mm_machine *m, const uint8_t guid[16], uint64_t token,
			  uint64_t size, const void *value);
/*
 * Copies the value of token (default token space) into buf (*size bytes);
 * stores the value's size in *size. MM_OK, MM_ERR_NOT_FOUND, MM_ERR_RANGE
 * (buf too small; *size says how much is needed).
 */
enum mm_err mm_pcd_get(struct mm_machine *m, uint64_t token, void *buf, uint64_t *size);

#endif /* MMEMU_DXE_H */
