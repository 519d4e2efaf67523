/* SPDX-License-Identifier: MIT */
/*
 * Drivers from a firmware image (issue 6): the MM driver files of its
 * volumes, recognised by FFS type only (MM, COMBINED_MM_DXE, MM_STANDALONE),
 * each loaded as an emulated image with its own MM_DEPEX section. Nothing
 * here knows a driver by name: the image says what each file is.
 *
 *   image file ─► mm_fv_parse (loader/fv.c) ─► set: copies of the driver
 *   files' PE32/TE and MM_DEPEX, UI name, GUID, type     (mm_fv_drivers_read)
 *        set ─► mm_image_load_buffer + mm_driver_add per file, any number of
 *               machines                                 (mm_fv_drivers_load)
 *
 * The copies cost a few hundred KiB and let the filter be checked before
 * anything is loaded, and a fuzzer decompress an image once for many machines.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/driver.h>
#include <mmemu/fv.h>

#include "core/dispatcher.h"
#include "core/guid-names.h"
#include "core/log.h"
#include "core/machine.h"
#include "loader/fv.h"
#include "loader/image.h"

#define FVD_MAX_FILE (256ull << 20) /* larger firmware images are refused unread */
#define FVD_MAX_WARNINGS 64         /* kept; the rest are counted */

/* One MM driver file of the image. */
struct fvd_file {
	char name[128];     /* UI name, or the file GUID when it has none */
	EFI_GUID guid;
	uint8_t type;       /* FFS type == enum mm_module_type */
	uint8_t *image;     /* PE32 or TE section data (owned) */
	size_t image_len;
	uint8_t *depex;     /* MM_DEPEX section data (owned), NULL: none */
	size_t depex_len;
};

struct mm_fv_drivers {
	char *path;
	struct fvd_file *files;
	size_t nfiles, cap;
	char *warnings[FVD_MAX_WARNINGS];
	size_t nwarnings;
	size_t dropped;     /* warnings beyond FVD_MAX_WARNINGS */
};

/* The state of one read: the set, the filter and the first error. */
struct fvd_read {
	struct mm_fv_drivers *set;
	const char *const *modules;
	size_t nmodules;
	bool *matched;      /* per modules entry */
	EFI_GUID *guids;    /* per modules entry, when it parses as a GUID */
	bool *is_guid;
	enum mm_err err;    /* MM_ERR_NOMEM stops keeping files */
};

/* Keeps a formatted warning in set (out of memory: counted as dropped). */
static void fvd_warn(struct mm_fv_drivers *set, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fvd_warn(struct mm_fv_drivers *set, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	if (set->nwarnings == FVD_MAX_WARNINGS) {
		set->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	set->warnings[set->nwarnings] = strdup(buf);
	if (set->warnings[set->nwarnings])
		set->nwarnings++;
	else
		set->dropped++;
}

/* Writes where at points to as "0xOFF" or "0xA>0xB" (inside decompressed data). */
static const char *fvd_where(const struct mm_fv_where *at, char *buf, size_t cap)
{
	snprintf(buf, cap, "%s0x%llx", at->path ? at->path : "",
		 (unsigned long long)at->offset);
	return buf;
}

/* Visitor: a problem of the image becomes a warning of the set. */
static void fvd_problem(void *user, const struct mm_fv_problem *p)
{
	struct fvd_read *r = user;
	char at[160];

	fvd_warn(r->set, "%s: %s: %s", r->set->path, fvd_where(&p->at, at, sizeof(at)),
		 p->reason ? p->reason : "problem");
}

/* Whether file f passes the filter; marks the entries it matches. */
static bool fvd_wanted(struct fvd_read *r, const struct mm_fv_file *f)
{
	bool any = false;

	if (!r->nmodules)
		return true;
	for (size_t i = 0; i < r->nmodules; i++) {
		bool hit = r->is_guid[i] ? mm_guid_eq(&r->guids[i], &f->name)
					 : f->ui_name[0] && !strcmp(r->modules[i], f->ui_name);

		if (hit) {
			r->matched[i] = true;
			any = true;
		}
	}
	return any;
}

/* Whether the set already holds a file named guid. */
static bool fvd_has(const struct mm_fv_drivers *set, const EFI_GUID *guid)
{
	for (size_t i = 0; i < set->nfiles; i++)
		if (mm_guid_eq(&set->files[i].guid, guid))
			return true;
	return false;
}

/* Copies len bytes of p into a new buffer, or NULL. */
static uint8_t *fvd_dup(const uint8_t *p, size_t len)
{
	uint8_t *q = malloc(len ? len : 1);

	if (q && len)
		memcpy(q, p, len);
	return q;
}

/* Appends a copy of driver file f (its image blob is img) to the set. */
static enum mm_err fvd_keep(struct mm_fv_drivers *set, const struct mm_fv_file *f,
			    const struct mm_fv_blob *img)
{
	struct fvd_file *d;

	if (set->nfiles == set->cap) {
		size_t cap = set->cap ? set->cap * 2 : 16;
		struct fvd_file *n = realloc(set->files, cap * sizeof(*n));

		if (!n)
			return MM_ERR_NOMEM;
		set->files = n;
		set->cap = cap;
	}
	d = &set->files[set->nfiles];
	memset(d, 0, sizeof(*d));
	d->guid = f->name;
	d->type = f->type;
	if (f->ui_name[0])
		snprintf(d->name, sizeof(d->name), "%s", f->ui_name);
	else
		mm_guid_format(&f->name, d->name);
	d->image = fvd_dup(img->data, img->len);
	d->image_len = img->len;
	if (f->mm_depex.data) {
		d->depex = fvd_dup(f->mm_depex.data, f->mm_depex.len);
		d->depex_len = f->mm_depex.len;
	}
	if (!d->image || (f->mm_depex.data && !d->depex)) {
		free(d->image);
		free(d->depex);
		return MM_ERR_NOMEM;
	}
	set->nfiles++;
	return MM_OK;
}

/* Visitor: keeps each wanted, loadable MM driver file. */
static void fvd_file(void *user, const struct mm_fv_file *f)
{
	struct fvd_read *r = user;
	const struct mm_fv_blob *img = f->pe32.data ? &f->pe32 : &f->te;
	char at[160], g[MM_GUID_STRING_LEN + 1];

	if (r->err || !mm_ffs_is_mm_driver(f->type))
		return;
	fvd_where(&f->at, at, sizeof(at));
	mm_guid_format(&f->name, g);
	if (!f->header_ok || !f->data_ok) {
		fvd_warn(r->set, "%s: %s: MM driver %s (%s) skipped: bad checksum", r->set->path,
			 at, f->ui_name[0] ? f->ui_name : "?", g);
		return;
	}
	if (!img->data) {
		fvd_warn(r->set, "%s: %s: MM driver %s (%s) skipped: no PE32 or TE section",
			 r->set->path, at, f->ui_name[0] ? f->ui_name : "?", g);
		return;
	}
	if (!fvd_wanted(r, f))
		return;
	if (fvd_has(r->set, &f->name)) {
		fvd_warn(r->set, "%s: %s: MM driver %s (%s) skipped: its GUID was seen before",
			 r->set->path, at, f->ui_name[0] ? f->ui_name : "?", g);
		return;
	}
	r->err = fvd_keep(r->set, f, img);
}

/* Reads the whole file at path into a malloc'd buffer. */
static enum mm_err fvd_read_file(const char *path, uint8_t **out, size_t *len, char *err,
				 size_t errlen)
{
	FILE *f = fopen(path, "rb");
	long size = -1;
	uint8_t *buf;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MM_ERR_IO;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    (unsigned long long)size > FVD_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path,
			 size < 0 ? "cannot determine the size" : "too large for a firmware image");
		fclose(f);
		return MM_ERR_IO;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: %s", path, buf ? "short read" : "out of memory");
		free(buf);
		fclose(f);
		return buf ? MM_ERR_IO : MM_ERR_NOMEM;
	}
	fclose(f);
	*out = buf;
	*len = (size_t)size;
	return MM_OK;
}

/* Prepares the filter of r: which entries are GUIDs. */
static enum mm_err fvd_filter(struct fvd_read *r)
{
	size_t n = r->nmodules ? r->nmodules : 1;

	r->matched = calloc(n, sizeof(*r->matched));
	r->is_guid = calloc(n, sizeof(*r->is_guid));
	r->guids = calloc(n, sizeof(*r->guids));
	if (!r->matched || !r->is_guid || !r->guids)
		return MM_ERR_NOMEM;
	for (size_t i = 0; i < r->nmodules; i++)
		r->is_guid[i] = r->modules[i] &&
				mm_guid_parse(r->modules[i], strlen(r->modules[i]), &r->guids[i]);
	return MM_OK;
}

/* Checks that every filter entry matched a kept file. */
static enum mm_err fvd_all_matched(const struct fvd_read *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->nmodules; i++)
		if (!r->matched[i]) {
			snprintf(err, errlen,
				 "%s: module '%s' matches no MM driver of the image (by UI "
				 "name or file GUID)",
				 r->set->path, r->modules[i]);
			return MM_ERR_NOT_FOUND;
		}
	return MM_OK;
}

/* Walks buf with the visitor of r and checks the outcome. */
static enum mm_err fvd_walk(struct fvd_read *r, const uint8_t *buf, size_t len, char *err,
			    size_t errlen)
{
	static const struct mm_fv_visitor visit = { .file = fvd_file, .problem = fvd_problem };
	char why[256] = "";
	enum mm_err e = mm_fv_parse(buf, len, &visit, r, why, sizeof(why));

	if (e == MM_ERR_NOT_FOUND) {
		snprintf(err, errlen, "%s: no firmware volume in the file", r->set->path);
		return MM_ERR_FORMAT;
	}
	if (!e)
		e = r->err;
	if (e) {
		snprintf(err, errlen, "%s: %s", r->set->path, why[0] ? why : mm_strerror(e));
		return e;
	}
	return fvd_all_matched(r, err, errlen);
}

enum mm_err mm_fv_drivers_read(const char *path, const char *const *modules, size_t nmodules,
			       struct mm_fv_drivers **out, char *err, size_t errlen)
{
	struct fvd_read r = { .modules = modules, .nmodules = modules ? nmodules : 0 };
	uint8_t *buf = NULL;
	size_t len = 0;
	enum mm_err e;
	char dummy[1];

	if (!err || !errlen) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (!path || !out || (!modules && nmodules)) {
		snprintf(err, errlen, "mm_fv_drivers_read: bad arguments");
		return MM_ERR_INVALID;
	}
	*out = NULL;
	r.set = calloc(1, sizeof(*r.set));
	if (!r.set || !(r.set->path = strdup(path)) || fvd_filter(&r)) {
		snprintf(err, errlen, "out of memory");
		e = MM_ERR_NOMEM;
		goto done;
	}
	e = fvd_read_file(path, &buf, &len, err, errlen);
	if (!e)
		e = fvd_walk(&r, buf, len, err, errlen);
done:
	free(buf);
	free(r.matched);
	free(r.is_guid);
	free(r.guids);
	if (e)
		mm_fv_drivers_free(r.set);
	else
		*out = r.set;
	return e;
}

size_t mm_fv_drivers_count(const struct mm_fv_drivers *set)
{
	return set ? set->nfiles : 0;
}

/* Loads one kept file into m as an emulated driver. */
static enum mm_err fvd_load_one(struct mm_machine *m, const struct mm_fv_drivers *set,
				const struct fvd_file *f)
{
	struct mm_loaded_image li;
	struct mm_driver_desc d = { 0 };
	enum mm_err e = mm_image_load_buffer(m, f->name, &f->guid, f->image, f->image_len, &li);

	if (e)
		return e;
	d.name = li.img->name;
	d.guid = f->guid;
	d.type = (enum mm_module_type)f->type;
	d.depex = f->depex;
	d.depex_len = f->depex_len;
	d.entry = li.entry;
	d.image = li.img;
	e = mm_driver_add(m, &d, NULL);
	if (e) {
		mm_image_remove(m, li.img);
		return e;
	}
	mm_log(m, MM_LOG_DISPATCH, "fv %s: %s (%s) at 0x%llx (+0x%llx), entry 0x%llx, DEPEX %zu bytes",
	       set->path, f->name,
	       f->type == MM_FFS_MM ? "MM" : f->type == MM_FFS_COMBINED_MM_DXE ? "COMBINED_MM_DXE"
									: "MM_STANDALONE",
	       (unsigned long long)li.base, (unsigned long long)li.size,
	       (unsigned long long)li.entry, f->depex_len);
	return MM_OK;
}

enum mm_err mm_fv_drivers_load(struct mm_machine *m, const struct mm_fv_drivers *set,
			       unsigned *count)
{
	if (count)
		*count = 0;
	if (!m || !set)
		return MM_ERR_INVALID;
	if (!m->cpus.model || !m->cpus.model->call)
		return mm_fail(m, MM_ERR_UNSUPPORTED,
			       "%s: firmware drivers run on the emulated CPU: the platform needs "
			       "cpu-engine unicorn", set->path);
	for (size_t i = 0; i < set->nwarnings; i++)
		mm_log(m, MM_LOG_WARN, "%s", set->warnings[i]);
	if (set->dropped)
		mm_log(m, MM_LOG_WARN, "%s: %zu more problems not shown", set->path, set->dropped);
	for (size_t i = 0; i < set->nfiles; i++) {
		enum mm_err e = fvd_load_one(m, set, &set->files[i]);

		if (e)
			return e;
		if (count)
			(*count)++;
	}
	return MM_OK;
}

void mm_fv_drivers_free(struct mm_fv_drivers *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nfiles; i++) {
		free(set->files[i].image);
		free(set->files[i].depex);
	}
	for (size_t i = 0; i < set->nwarnings; i++)
		free(set->warnings[i]);
	free(set->files);
	free(set->path);
	free(set);
}

enum mm_err mm_driver_load_fv(struct mm_machine *m, const char *path,
			      const char *const *modules, size_t nmodules, unsigned *count)
{
	struct mm_fv_drivers *set;
	char err[512];
	enum mm_err e;

	if (count)
		*count = 0;
	if (!m || !path)
		return MM_ERR_INVALID;
	if (!m->cpus.model || !m->cpus.model->call)
		return mm_fail(m, MM_ERR_UNSUPPORTED,
			       "%s: firmware drivers run on the emulated CPU: the platform needs "
			       "cpu-engine unicorn", path);
	e = mm_fv_drivers_read(path, modules, nmodules, &set, err, sizeof(err));
	if (e)
		return mm_fail(m, e, "%s", err);
	e = mm_fv_drivers_load(m, set, count);
	mm_fv_drivers_free(set);
	return e;
}
