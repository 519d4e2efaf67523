/* SPDX-License-Identifier: MIT */
/*
 * The MM configuration table (PI 1.8 vol. 4, MmInstallConfigurationTable):
 * an array of EFI_CONFIGURATION_TABLE in SMRAM, because drivers walk it
 * through MmConfigurationTable of the MMST. It grows by reallocation (the
 * MMST pointer follows); deletes keep the order of the remaining entries.
 */
#include <string.h>

#include "call.h"
#include "config-table.h"
#include "guid-names.h"
#include "machine.h"

#define CONFIG_INITIAL_CAP 8

/* Index of guid in the table, or -1. */
static int find(const struct mm_machine *m, const EFI_GUID *guid)
{
	for (unsigned i = 0; i < m->config_count; i++)
		if (mm_guid_eq(&m->config[i].VendorGuid, guid))
			return (int)i;
	return -1;
}

/* Points the MMST (when it exists yet) at the current array and count. */
static void mirror(struct mm_machine *m)
{
	if (!m->mmst)
		return;
	m->mmst->NumberOfTableEntries = m->config_count;
	m->mmst->MmConfigurationTable = m->config;
}

/* Makes room for one more entry, moving the array to a larger SMRAM block. */
static enum mm_err grow(struct mm_machine *m)
{
	unsigned cap = m->config_cap ? m->config_cap * 2 : CONFIG_INITIAL_CAP;
	EFI_CONFIGURATION_TABLE *t;

	if (m->config_count < m->config_cap)
		return MM_OK;
	t = mm_pool_alloc(m, EfiRuntimeServicesData, (uint64_t)cap * sizeof(*t), true);
	if (!t)
		return mm_fail(m, MM_ERR_NOMEM, "configuration table: no SMRAM for %u entries",
			       cap);
	if (m->config_count)
		memcpy(t, m->config, m->config_count * sizeof(*t));
	if (m->config)
		mm_pool_free(m, m->config);
	m->config = t;
	m->config_cap = cap;
	return MM_OK;
}

/* Removes entry idx, keeping the others in order. */
static void delete_entry(struct mm_machine *m, unsigned idx)
{
	memmove(&m->config[idx], &m->config[idx + 1],
		(m->config_count - idx - 1) * sizeof(m->config[0]));
	m->config_count--;
	memset(&m->config[m->config_count], 0, sizeof(m->config[0]));
}

enum mm_err mm_config_table_set(struct mm_machine *m, const EFI_GUID *guid, void *table)
{
	int idx;
	enum mm_err err;
	char buf[MM_GUID_STRING_LEN + 1];

	if (!guid)
		return mm_fail(m, MM_ERR_INVALID, "configuration table: NULL GUID");
	idx = find(m, guid);
	mm_log(m, MM_LOG_PROTOCOL, "config table: %s %s -> %p by %s",
	       !table ? "delete" : idx < 0 ? "install" : "update",
	       mm_protocol_guid_text(guid, buf), table, mm_executing_name(m));
	if (!table) {
		if (idx < 0)
			return mm_fail(m, MM_ERR_NOT_FOUND, "configuration table %s: not installed",
				       mm_protocol_guid_text(guid, buf));
		delete_entry(m, (unsigned)idx);
	} else if (idx >= 0) {
		m->config[idx].VendorTable = table;
	} else {
		err = grow(m);
		if (err)
			return err;
		m->config[m->config_count].VendorGuid = *guid;
		m->config[m->config_count].VendorTable = table;
		m->config_count++;
	}
	mirror(m);
	return MM_OK;
}

void *mm_config_table_get(struct mm_machine *m, const EFI_GUID *guid)
{
	int idx = guid ? find(m, guid) : -1;

	return idx < 0 ? NULL : m->config[idx].VendorTable;
}

EFI_STATUS EFIAPI MmInstallConfigurationTable(CONST EFI_MM_SYSTEM_TABLE *SystemTable,
					      CONST EFI_GUID *Guid, VOID *Table, UINTN TableSize)
{
	struct mm_machine *m = mm_current();

	(void)TableSize; /* informational in PI 1.8; the table is not copied */
	if (!m)
		return EFI_UNSUPPORTED;
	if (!Guid)
		return EFI_INVALID_PARAMETER;
	if (SystemTable != m->mmst)
		mm_log(m, MM_LOG_WARN, "MmInstallConfigurationTable: %s passed system table %p,"
		       " not the MMST %p", mm_executing_name(m), (const void *)SystemTable,
		       (void *)m->mmst);
	if (!mm_caller_ptr_ok(m, Guid, sizeof(*Guid))) {
		mm_log(m, MM_LOG_WARN, "MmInstallConfigurationTable: %s passed unmapped GUID %p",
		       mm_executing_name(m), (const void *)Guid);
		return EFI_INVALID_PARAMETER;
	}
	return mm_err_to_efi(mm_config_table_set(m, Guid, Table));
}
