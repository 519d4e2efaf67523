/* SPDX-License-Identifier: MIT */
/*
 * Drivers from PE32+/TE/ELF images (issue 5): the image is loaded into SMRAM
 * by loader/image.c and runs on the emulated CPU; its DEPEX comes from an
 * INF-style expression, else from a binary "<image>.depex" file beside it
 * (the raw DEPEX section as a build writes it), else from the image's
 * MMEMU_MODULE record when it carries one, else it is TRUE.
 *
 * Images built from the sources of native drivers (tests/drivers/pe) carry
 * the MMEMU_MODULE record of include/mmemu/native-driver.h in their data: when
 * one is found, its name and file GUID name the driver, so that the native
 * and the emulated builds of a driver look the same in reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/driver.h>
#include <mmemu/native-driver.h>

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

/* The validated MMEMU_MODULE record inside the loaded image li, or NULL. */
static const struct mmemu_module *module_record(const struct mm_loaded_image *li)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)li->base;

	for (uint64_t off = 0; off + sizeof(struct mmemu_module) <= li->size; off += 8) {
		const struct mmemu_module *r = (const struct mmemu_module *)(p + off);

		if (memcmp(r->magic, MMEMU_MODULE_MAGIC, MMEMU_MODULE_MAGIC_SIZE) ||
		    r->version != MMEMU_MODULE_VERSION || r->size != sizeof(*r) ||
		    !memchr(r->name, 0, sizeof(r->name)) || !r->name[0] ||
		    r->depex_len >= MMEMU_MODULE_DEPEX_MAX ||
		    (r->depex_kind == MMEMU_DEPEX_EXPRESSION &&
		     !memchr(r->depex.text, 0, sizeof(r->depex.text))))
			continue;
		return r;
	}
	return NULL;
}

/* Takes name, GUID and (when none was given) DEPEX from the image's record. */
static enum mm_err use_record(struct mm_machine *m, const struct mm_loaded_image *li,
			      struct mm_driver_desc *d, uint8_t *depex, size_t *len, bool depex_given)
{
	const struct mmemu_module *r = module_record(li);
	char why[160], *name;

	if (!r)
		return MM_OK;
	name = strdup(r->name);
	if (!name)
		return mm_fail(m, MM_ERR_NOMEM, "out of memory");
	free(li->img->name);
	li->img->name = name;
	li->img->guid = r->file_guid;
	d->name = name;
	d->guid = r->file_guid;
	if (!d->type && (r->module_type == MM_MODULE_STANDALONE ||
			 r->module_type == MM_MODULE_TRADITIONAL ||
			 r->module_type == MM_MODULE_COMBINED))
		d->type = (enum mm_module_type)r->module_type;
	if (depex_given || r->depex_kind == MMEMU_DEPEX_NONE)
		return MM_OK;
	if (r->depex_kind == MMEMU_DEPEX_BYTES) {
		memcpy(depex, r->depex.bytes, r->depex_len);
		*len = r->depex_len;
		return MM_OK;
	}
	if (mm_depex_compile(r->depex.text, depex, DEPEX_FILE_MAX, len, why, sizeof(why)))
		return mm_fail(m, MM_ERR_FORMAT, "%s: DEPEX \"%.200s\" of its MMEMU_MODULE: %s",
			       name, r->depex.text, why);
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
	if (type && type != MM_MODULE_STANDALONE && type != MM_MODULE_TRADITIONAL &&
	    type != MM_MODULE_COMBINED)
		return mm_fail(m, MM_ERR_INVALID, "%s: bad module type 0x%x", path, (unsigned)type);
	if (!m->cpus.model || !m->cpus.model->call)
		return mm_fail(m, MM_ERR_UNSUPPORTED,
			       "%s: driver images run on the emulated CPU: the platform needs "
			       "cpu-engine unicorn", path);
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
	err = use_record(m, &li, &d, depex, &len, (depex_expr && *depex_expr) || len);
	if (err) {
		free(depex);
		mm_image_remove(m, li.img);
		return err;
	}
	if (!d.type)
		d.type = MM_MODULE_STANDALONE;
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
	return mm_driver_load_image_type(m, path, depex_expr, 0, index);
}
