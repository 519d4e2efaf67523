/* SPDX-License-Identifier: MIT */
/*
 * Drivers from PE32+/TE/ELF images (issue 5): the image is loaded into SMRAM
 * by loader/image.c and runs on the emulated CPU; its DEPEX comes from an
 * INF-style expression, else from a binary "<image>.depex" file beside it
 * (the raw DEPEX section as a build writes it), else it is TRUE.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/driver.h>

#include "core/depex.h"
#include "core/dispatcher.h"
#include "core/log.h"
#include "core/machine.h"
#include "loader/image.h"

#define DEPEX_FILE_MAX 4096

/*
 * Reads "<path without extension>.depex" (or "<path>.depex") when it exists.
 * MM_OK with *len 0 when there is none; MM_ERR_IO when it is unreadable or
 * too large.
 */
static enum mm_err depex_file(struct mm_machine *m, const char *path, uint8_t *out,
			      size_t *len)
{
	char name[4096];
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
	FILE *f = NULL;

	*len = 0;
	if (snprintf(name, sizeof(name), "%.*s.depex", (int)stem, path) < (int)sizeof(name))
		f = fopen(name, "rb");
	if (!f && snprintf(name, sizeof(name), "%s.depex", path) < (int)sizeof(name))
		f = fopen(name, "rb");
	if (!f)
		return MM_OK;
	*len = fread(out, 1, DEPEX_FILE_MAX, f);
	if (ferror(f) || !feof(f) || fgetc(f) != EOF) {
		fclose(f);
		return mm_fail(m, MM_ERR_IO, "%s: unreadable or larger than %d bytes", name,
			       DEPEX_FILE_MAX);
	}
	fclose(f);
	mm_log(m, MM_LOG_DISPATCH, "%s: DEPEX from %s (%zu bytes)", path, name, *len);
	return MM_OK;
}

enum mm_err mm_driver_load_image_type(struct mm_machine *m, const char *path,
				      const char *depex_expr, enum mm_module_type type,
				      unsigned *index)
{
	uint8_t *depex = NULL;
	size_t len = 0;
	char why[160];
	struct mm_loaded_image li;
	struct mm_driver_desc d = { 0 };
	enum mm_err err;

	if (!m || !path)
		return MM_ERR_INVALID;
	if (type != MM_MODULE_STANDALONE && type != MM_MODULE_TRADITIONAL &&
	    type != MM_MODULE_COMBINED)
		return mm_fail(m, MM_ERR_INVALID, "%s: bad module type 0x%x", path, (unsigned)type);
	depex = malloc(DEPEX_FILE_MAX);
	if (!depex)
		return mm_fail(m, MM_ERR_NOMEM, "out of memory");
	if (depex_expr && *depex_expr) {
		err = mm_depex_compile(depex_expr, depex, DEPEX_FILE_MAX, &len, why, sizeof(why));
		if (err)
			err = mm_fail(m, MM_ERR_FORMAT, "%s: DEPEX \"%s\": %s", path, depex_expr, why);
	} else {
		err = depex_file(m, path, depex, &len);
	}
	if (!err)
		err = mm_image_load_file(m, path, &li);
	if (err) {
		free(depex);
		return err;
	}
	d.name = li.img->name;
	d.type = type;
	d.depex = len ? depex : NULL;
	d.depex_len = len;
	d.entry = li.entry;
	d.image = li.img;
	err = mm_driver_add(m, &d, NULL);
	free(depex);
	if (err) {
		mm_image_remove(m, li.img);
		return err;
	}
	mm_log(m, MM_LOG_DISPATCH, "image %s: %s at 0x%llx (+0x%llx), entry 0x%llx", path,
	       d.name, (unsigned long long)li.base, (unsigned long long)li.size,
	       (unsigned long long)li.entry);
	if (index)
		*index = mm_driver_count(m) - 1;
	return MM_OK;
}

enum mm_err mm_driver_load_image(struct mm_machine *m, const char *path, const char *depex_expr,
				 unsigned *index)
{
	return mm_driver_load_image_type(m, path, depex_expr, MM_MODULE_STANDALONE, index);
}
