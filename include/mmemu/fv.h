/* SPDX-License-Identifier: MIT */
/* Firmware volume images: listing their files (`mmemu fv list`). */
#ifndef MMEMU_FV_H
#define MMEMU_FV_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

struct mm_machine;

/*
 * Reads the firmware image at path and prints to out every volume and file
 * it holds (nested volumes indented): GUID, FFS type, UI name, size, and the
 * DEPEX sections decoded with GUID names, then every problem found, with its
 * offset, and a summary line.
 * Returns MM_OK when the image was listed without problems, MM_ERR_FORMAT
 * when problems were found (all printed), MM_ERR_NOT_FOUND when the file holds
 * no firmware volume, MM_ERR_IO when it cannot be read, MM_ERR_NOMEM, or
 * MM_ERR_INVALID for a NULL argument. Errors that stop the listing are
 * printed to out as "error: ...".
 */
enum mm_err mm_fv_list(const char *path, FILE *out);

/*
 * The MM drivers of a firmware image, read and decompressed once, ready to be
 * loaded into any number of machines (mm_driver_load_fv in
 * include/mmemu/driver.h is read + load + free in one call).
 */
struct mm_fv_drivers;

/*
 * Reads the firmware image at path and keeps a copy of every MM driver file
 * of its (nested, decompressed) volumes: FFS type MM, COMBINED_MM_DXE or
 * MM_STANDALONE with a PE32 or TE section; its UI name, file GUID, type and
 * MM_DEPEX section. Only files matching one of the nmodules entries of
 * modules (a UI name, or a file GUID in registry format) are kept; NULL or
 * 0 keeps all. A file GUID seen a second time is skipped. Problems of the
 * image (and skipped files) are kept as warnings, which mm_fv_drivers_load
 * logs under MM_LOG_WARN.
 *   out     receives the set (free it with mm_fv_drivers_free)
 *   err     receives the reason of a failure (errlen bytes, may be 0)
 * Returns MM_OK; MM_ERR_INVALID (NULL path or out, modules NULL with
 * nmodules > 0); MM_ERR_IO (unreadable); MM_ERR_FORMAT (no firmware
 * volume); MM_ERR_NOT_FOUND (a modules entry matched no loadable MM driver:
 * err names it); MM_ERR_NOMEM.
 */
enum mm_err mm_fv_drivers_read(const char *path, const char *const *modules, size_t nmodules,
			       struct mm_fv_drivers **out, char *err, size_t errlen);

/* Returns the number of drivers in set (0 for NULL). */
size_t mm_fv_drivers_count(const struct mm_fv_drivers *set);

/*
 * Loads every driver of set into m (in image order) as mm_driver_load_fv
 * says, after logging the set's warnings. count, when not NULL, receives the
 * number loaded. Returns MM_OK, MM_ERR_INVALID, MM_ERR_UNSUPPORTED (no CPU
 * model), MM_ERR_FORMAT (an image that does not load: m's message names it),
 * MM_ERR_NOMEM. The drivers loaded before a failure stay loaded.
 */
enum mm_err mm_fv_drivers_load(struct mm_machine *m, const struct mm_fv_drivers *set,
			       unsigned *count);

/* Frees set (NULL is fine). */
void mm_fv_drivers_free(struct mm_fv_drivers *set);

#endif /* MMEMU_FV_H */
