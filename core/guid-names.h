/* SPDX-License-Identifier: MIT */
/*
 * GUIDs by name and names by GUID, for scenarios, logs and the CLI: every
 * GUID variable of include/pi under its EDK2 name (both the Mm and the Smm
 * spelling where EDK2 has two), and the registry text form
 * "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX" (RFC 4122 order: Data1, Data2 and
 * Data3 as numbers, then the eight Data4 bytes in memory order).
 */
#ifndef MMEMU_CORE_GUID_NAMES_H
#define MMEMU_CORE_GUID_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include <pi/base.h>

/* Characters in the registry form, without the terminating NUL. */
#define MM_GUID_STRING_LEN 36

/*
 * Looks up a GUID by its EDK2 variable name ("gEfiMmSwDispatchProtocolGuid").
 * name: the first len characters are the name (no NUL needed). Returns the
 * GUID (static storage), or NULL if the name is unknown or name is NULL.
 */
const EFI_GUID *mm_guid_by_name(const char *name, size_t len);

/*
 * Returns the EDK2 variable name of g (the Mm spelling where there are two),
 * or NULL if g is NULL or not in the table.
 */
const char *mm_guid_name(const EFI_GUID *g);

/*
 * Parses the registry form: exactly len == 36 characters, dashes after 8, 12,
 * 16 and 20 hex digits, hex digits in either case, nothing else.
 * s: the text (need not be NUL-terminated). out: receives the GUID, written
 * only on success. Returns true, or false on any malformed input or NULL
 * argument.
 */
bool mm_guid_parse(const char *s, size_t len, EFI_GUID *out);

/* Writes g in the registry form, uppercase, NUL-terminated, into out. */
void mm_guid_format(const EFI_GUID *g, char out[MM_GUID_STRING_LEN + 1]);

/* Returns whether a and b hold the same 16 bytes. */
bool mm_guid_eq(const EFI_GUID *a, const EFI_GUID *b);

#endif /* MMEMU_CORE_GUID_NAMES_H */
