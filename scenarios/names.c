/* SPDX-License-Identifier: MIT */
/*
 * Name tables of the scenario format: EFI status codes, EFI memory types,
 * mm_err names, actions, SMRAM states; and the arena every scenario lives in.
 */
#include <stdlib.h>
#include <string.h>

#include <pi/base.h>

#include "names.h"

/* EFI_STATUS names: UEFI 2.10 appendix D and PI 1.8 vol. 4 (MMI statuses). */
static const struct sc_name status_names[] = {
	{ "EFI_SUCCESS", EFI_SUCCESS },
	{ "EFI_LOAD_ERROR", EFI_LOAD_ERROR },
	{ "EFI_INVALID_PARAMETER", EFI_INVALID_PARAMETER },
	{ "EFI_UNSUPPORTED", EFI_UNSUPPORTED },
	{ "EFI_BAD_BUFFER_SIZE", EFI_BAD_BUFFER_SIZE },
	{ "EFI_BUFFER_TOO_SMALL", EFI_BUFFER_TOO_SMALL },
	{ "EFI_NOT_READY", EFI_NOT_READY },
	{ "EFI_DEVICE_ERROR", EFI_DEVICE_ERROR },
	{ "EFI_WRITE_PROTECTED", EFI_WRITE_PROTECTED },
	{ "EFI_OUT_OF_RESOURCES", EFI_OUT_OF_RESOURCES },
	{ "EFI_VOLUME_CORRUPTED", EFI_VOLUME_CORRUPTED },
	{ "EFI_VOLUME_FULL", EFI_VOLUME_FULL },
	{ "EFI_NO_MEDIA", EFI_NO_MEDIA },
	{ "EFI_MEDIA_CHANGED", EFI_MEDIA_CHANGED },
	{ "EFI_NOT_FOUND", EFI_NOT_FOUND },
	{ "EFI_ACCESS_DENIED", EFI_ACCESS_DENIED },
	{ "EFI_NO_RESPONSE", EFI_NO_RESPONSE },
	{ "EFI_NO_MAPPING", EFI_NO_MAPPING },
	{ "EFI_TIMEOUT", EFI_TIMEOUT },
	{ "EFI_NOT_STARTED", EFI_NOT_STARTED },
	{ "EFI_ALREADY_STARTED", EFI_ALREADY_STARTED },
	{ "EFI_ABORTED", EFI_ABORTED },
	{ "EFI_ICMP_ERROR", EFI_ICMP_ERROR },
	{ "EFI_TFTP_ERROR", EFI_TFTP_ERROR },
	{ "EFI_PROTOCOL_ERROR", EFI_PROTOCOL_ERROR },
	{ "EFI_INCOMPATIBLE_VERSION", EFI_INCOMPATIBLE_VERSION },
	{ "EFI_SECURITY_VIOLATION", EFI_SECURITY_VIOLATION },
	{ "EFI_CRC_ERROR", EFI_CRC_ERROR },
	{ "EFI_END_OF_MEDIA", EFI_END_OF_MEDIA },
	{ "EFI_END_OF_FILE", EFI_END_OF_FILE },
	{ "EFI_INVALID_LANGUAGE", EFI_INVALID_LANGUAGE },
	{ "EFI_COMPROMISED_DATA", EFI_COMPROMISED_DATA },
	{ "EFI_IP_ADDRESS_CONFLICT", EFI_IP_ADDRESS_CONFLICT },
	{ "EFI_HTTP_ERROR", EFI_HTTP_ERROR },
	{ "EFI_WARN_UNKNOWN_GLYPH", EFI_WARN_UNKNOWN_GLYPH },
	{ "EFI_WARN_DELETE_FAILURE", EFI_WARN_DELETE_FAILURE },
	{ "EFI_WARN_WRITE_FAILURE", EFI_WARN_WRITE_FAILURE },
	{ "EFI_WARN_BUFFER_TOO_SMALL", EFI_WARN_BUFFER_TOO_SMALL },
	{ "EFI_WARN_STALE_DATA", EFI_WARN_STALE_DATA },
	{ "EFI_WARN_FILE_SYSTEM", EFI_WARN_FILE_SYSTEM },
	{ "EFI_WARN_RESET_REQUIRED", EFI_WARN_RESET_REQUIRED },
	{ "EFI_INTERRUPT_PENDING", EFI_INTERRUPT_PENDING },
	{ "EFI_WARN_INTERRUPT_SOURCE_PENDING", EFI_WARN_INTERRUPT_SOURCE_PENDING },
	{ "EFI_WARN_INTERRUPT_SOURCE_QUIESCED", EFI_WARN_INTERRUPT_SOURCE_QUIESCED },
	{ NULL, 0 },
};

/* EFI_MEMORY_TYPE names (UEFI 2.10, table 7.6). */
static const struct sc_name memory_type_names[] = {
	{ "EfiReservedMemoryType", EfiReservedMemoryType },
	{ "EfiLoaderCode", EfiLoaderCode },
	{ "EfiLoaderData", EfiLoaderData },
	{ "EfiBootServicesCode", EfiBootServicesCode },
	{ "EfiBootServicesData", EfiBootServicesData },
	{ "EfiRuntimeServicesCode", EfiRuntimeServicesCode },
	{ "EfiRuntimeServicesData", EfiRuntimeServicesData },
	{ "EfiConventionalMemory", EfiConventionalMemory },
	{ "EfiUnusableMemory", EfiUnusableMemory },
	{ "EfiACPIReclaimMemory", EfiACPIReclaimMemory },
	{ "EfiACPIMemoryNVS", EfiACPIMemoryNVS },
	{ "EfiMemoryMappedIO", EfiMemoryMappedIO },
	{ "EfiMemoryMappedIOPortSpace", EfiMemoryMappedIOPortSpace },
	{ "EfiPalCode", EfiPalCode },
	{ "EfiPersistentMemory", EfiPersistentMemory },
	{ "EfiUnacceptedMemoryType", EfiUnacceptedMemoryType },
	{ NULL, 0 },
};

/* mm_err names as scenarios spell them: the MM_ERR_ suffix, lower case, '-'. */
static const struct sc_name err_names[] = {
	{ "ok", MM_OK },
	{ "nomem", MM_ERR_NOMEM },
	{ "invalid", MM_ERR_INVALID },
	{ "not-found", MM_ERR_NOT_FOUND },
	{ "exists", MM_ERR_EXISTS },
	{ "range", MM_ERR_RANGE },
	{ "format", MM_ERR_FORMAT },
	{ "io", MM_ERR_IO },
	{ "map", MM_ERR_MAP },
	{ "unsupported", MM_ERR_UNSUPPORTED },
	{ "denied", MM_ERR_DENIED },
	{ "state", MM_ERR_STATE },
	{ "stopped", MM_ERR_STOPPED },
	{ "too-small", MM_ERR_TOO_SMALL },
	{ "busy", MM_ERR_BUSY },
	{ NULL, 0 },
};

static const struct sc_name smram_names[] = {
	{ "open", MM_SMRAM_OPEN },
	{ "closed", MM_SMRAM_CLOSED },
	{ "locked", MM_SMRAM_LOCKED },
	{ NULL, 0 },
};

/* The `smram:` action's verbs. */
static const struct sc_name smram_verbs[] = {
	{ "open", MM_SMRAM_OPEN },
	{ "close", MM_SMRAM_CLOSED },
	{ "lock", MM_SMRAM_LOCKED },
	{ NULL, 0 },
};

static const char *const action_names[SC_ACTION_COUNT] = {
	[SC_DISPATCH] = "dispatch",
	[SC_SET_REGISTERS] = "set-registers",
	[SC_SW_SMI] = "sw-smi",
	[SC_COMMUNICATE] = "communicate",
	[SC_WRITE_MEMORY] = "write-memory",
	[SC_READ_MEMORY] = "read-memory",
	[SC_WRITE_PORT] = "write-port",
	[SC_READ_PORT] = "read-port",
	[SC_END_OF_DXE] = "end-of-dxe",
	[SC_READY_TO_LOCK] = "ready-to-lock",
	[SC_SMRAM] = "smram",
	[SC_REPEAT] = "repeat",
	[SC_POWER_CYCLE] = "power-cycle",
};

const struct sc_name *sc_status_names(void) { return status_names; }
const struct sc_name *sc_memory_type_names(void) { return memory_type_names; }
const struct sc_name *sc_err_names(void) { return err_names; }
const struct sc_name *sc_smram_names(void) { return smram_names; }
const struct sc_name *sc_smram_verbs(void) { return smram_verbs; }

bool sc_name_find(const struct sc_name *t, const char *name, uint64_t *value)
{
	for (; t->name; t++) {
		if (!strcmp(t->name, name)) {
			*value = t->value;
			return true;
		}
	}
	return false;
}

const char *sc_name_of(const struct sc_name *t, uint64_t value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return NULL;
}

const char *sc_action_name(enum sc_action a)
{
	return (unsigned)a < SC_ACTION_COUNT ? action_names[a] : "?";
}

const char *sc_err_name(enum mm_err e)
{
	const char *n = sc_name_of(err_names, (uint64_t)(int64_t)e);

	return n ? n : "?";
}

const char *sc_smram_name(int state)
{
	const char *n = sc_name_of(smram_names, (uint64_t)(int64_t)state);

	return n ? n : "?";
}

/* ---- arena ---- */

struct sc_chunk {
	struct sc_chunk *next;
	max_align_t data[];
};

void *sc_alloc(struct sc_arena *a, size_t size)
{
	struct sc_chunk *c;

	if (size > SIZE_MAX / 2)
		return NULL;
	c = calloc(1, sizeof(*c) + size);
	if (!c)
		return NULL;
	c->next = a->head;
	a->head = c;
	return c->data;
}

char *sc_strndup(struct sc_arena *a, const char *s, size_t len)
{
	char *p = sc_alloc(a, len + 1);

	if (p && len)
		memcpy(p, s, len);
	return p;
}

void sc_arena_free(struct sc_arena *a)
{
	while (a->head) {
		struct sc_chunk *c = a->head;

		a->head = c->next;
		free(c);
	}
}
