/* SPDX-License-Identifier: MIT */
/* Firmware volume images: listing their files (`mmemu fv list`). */
#ifndef MMEMU_FV_H
#define MMEMU_FV_H

#include <stdio.h>

#include "error.h"

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

#endif /* MMEMU_FV_H */
