/* SPDX-License-Identifier: MIT */
/* The MM configuration table (PI 1.8 vol. 4, MmInstallConfigurationTable). */
#ifndef CORE_CONFIG_TABLE_H
#define CORE_CONFIG_TABLE_H

#include <pi/mm-system-table.h>

struct mm_machine;

/*
 * Installs (new guid), updates (known guid, non-NULL table) or deletes (known
 * guid, NULL table) an entry. The array the MMST points to lives in SMRAM and
 * is reallocated as it grows; NumberOfTableEntries and MmConfigurationTable
 * of the MMST are kept current. Returns MM_OK, MM_ERR_INVALID (NULL guid),
 * MM_ERR_NOT_FOUND (delete of an unknown guid), MM_ERR_NOMEM.
 */
enum mm_err mm_config_table_set(struct mm_machine *m, const EFI_GUID *guid, void *table);
/* Returns the table registered for guid, or NULL. */
void *mm_config_table_get(struct mm_machine *m, const EFI_GUID *guid);

EFI_STATUS EFIAPI MmInstallConfigurationTable(CONST EFI_MM_SYSTEM_TABLE *SystemTable,
					      CONST EFI_GUID *Guid, VOID *Table, UINTN TableSize);

#endif /* CORE_CONFIG_TABLE_H */
