/* SPDX-License-Identifier: MIT */
/*
 * The image loader's front end: reads a file, tells PE32+, TE and ELF apart,
 * takes SMRAM pages for the image, has pe.c or image-elf.c place and relocate
 * it, and registers it as an emulated image whose unload hook gives the pages
 * back. Also `mmemu image`'s description of a file.
 *
 * Memory: one run of SMRAM pages per image, of EFI type
 * EfiRuntimeServicesCode, marked internal (a driver cannot MmFreePages its
 * own image, and leak reports do not list it) and owned by the driver's
 * name. Code and data land on separate pages whenever the image's section
 * alignment is 4 KiB or more; with smaller alignments (some TE/XIP builds)
 * they may share a page and the loaded image says so (code_data_apart):
 * moving sections apart would break the image's RIP-relative addressing.
 */
#include <elf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/machine.h"
#include "loader/image.h"
#include "loader/pe.h"

#define PAGE 4096u
#define ERRLEN 400

const char *mm_image_format_name(enum mm_image_format f)
{
	switch (f) {
	case MM_IMAGE_PE32PLUS:
		return "PE32+";
	case MM_IMAGE_TE:
		return "TE";
	case MM_IMAGE_ELF:
		return "ELF";
	}
	return "?";
}

/* Reads a whole file into a malloc'd buffer; err gets "path: reason". */
static enum mm_err read_file(const char *path, uint8_t **out, size_t *len, char *err,
			     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long size;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return MM_ERR_IO;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		snprintf(err, errlen, "%s: cannot determine the size: %s", path, strerror(errno));
		fclose(f);
		return MM_ERR_IO;
	}
	if ((unsigned long long)size > MM_IMAGE_MAX_FILE) {
		snprintf(err, errlen, "%s: 0x%lx bytes is too large for an image", path, size);
		fclose(f);
		return MM_ERR_IO;
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, errlen, "%s: %s", path, buf ? "short read" : "out of memory");
		free(buf);
		fclose(f);
		return MM_ERR_IO;
	}
	fclose(f);
	*out = buf;
	*len = (size_t)size;
	return MM_OK;
}

/* The format of buf by its magic, or -1. */
static int detect(const uint8_t *buf, size_t len)
{
	if (len >= 4 && !memcmp(buf, "\177ELF", 4))
		return MM_IMAGE_ELF;
	if (len >= 2 && buf[0] == 'V' && buf[1] == 'Z')
		return MM_IMAGE_TE;
	if (len >= 2 && buf[0] == 'M' && buf[1] == 'Z')
		return MM_IMAGE_PE32PLUS;
	return -1;
}

/* Gives back pages [base, base + pages*4K) taken for an image; logs a failure. */
static void give_back(struct mm_machine *m, uint64_t base, uint64_t pages)
{
	if (pages && mm_page_free(m, &m->smram, base, pages) != MM_OK)
		mm_log(m, MM_LOG_WARN, "image pages 0x%" PRIx64 " (%" PRIu64 " pages) not freed",
		       base, pages);
}

/* The registry's unload hook: the image's pages go back to SMRAM. */
static void image_unload(struct mm_machine *m, struct mm_image *img)
{
	give_back(m, img->base, (img->size + PAGE - 1) / PAGE);
}

/*
 * Takes pages SMRAM pages aligned to align (a power of two >= 4 KiB): a
 * larger run is taken and the slack on both sides given back.
 */
static enum mm_err alloc_aligned(struct mm_machine *m, uint64_t pages, uint64_t align,
				 uint64_t *base)
{
	uint64_t extra = align / PAGE - 1, addr, start;
	enum mm_err e = mm_page_alloc(m, &m->smram, AllocateAnyPages, EfiRuntimeServicesCode,
				      pages + extra, &addr, true);

	if (e)
		return e;
	start = (addr + align - 1) & ~(align - 1);
	give_back(m, addr, (start - addr) / PAGE);
	give_back(m, start + pages * PAGE, extra - (start - addr) / PAGE);
	*base = start;
	return MM_OK;
}

/*
 * Takes the pages of an image that must sit at its preferred base (no
 * relocations): only when that range is SMRAM and free.
 */
static enum mm_err alloc_fixed(struct mm_machine *m, const char *name, uint64_t base,
			       uint64_t pages)
{
	uint64_t addr = base;

	if (base % PAGE || pages > UINT64_MAX / PAGE || base > UINT64_MAX - pages * PAGE ||
	    !mm_mem_inside_smram(m, base, pages * PAGE))
		return mm_fail(m, MM_ERR_NOT_FOUND,
			       "%s: offset 0x0: image without relocations wants base 0x%" PRIx64
			       " (0x%" PRIx64 " bytes), which is not page-aligned SMRAM",
			       name, base, pages * PAGE);
	if (mm_page_alloc(m, &m->smram, AllocateAddress, EfiRuntimeServicesCode, pages, &addr,
			  true) != MM_OK)
		return mm_fail(m, MM_ERR_NOT_FOUND,
			       "%s: offset 0x0: image without relocations wants base 0x%" PRIx64
			       " (0x%" PRIx64 " bytes), which is not free",
			       name, base, pages * PAGE);
	return MM_OK;
}

/*
 * Records the driver as the owner of its image pages: the owner of an
 * allocation is whoever executes, so the image is made the executing one for
 * the moment its name is interned.
 */
static void set_owner(struct mm_machine *m, struct mm_image *img, uint64_t base, uint64_t size)
{
	struct mm_page_run *r = mm_page_find(&m->smram, base, size);

	if (!r || m->exec_depth >= MM_CALL_MAX_DEPTH)
		return;
	m->exec_stack[m->exec_depth++] = img;
	r->owner = mm_alloc_owner(m);
	m->exec_depth--;
}

/* Registers the placed image and fills *out. */
static enum mm_err register_image(struct mm_machine *m, const char *name, const EFI_GUID *guid,
				  struct mm_loaded_image *out)
{
	struct mm_image *img = mm_image_add(m, name, guid, out->pages_base, out->pages * PAGE,
					    MM_ENGINE_EMULATED);

	if (!img) {
		give_back(m, out->pages_base, out->pages);
		return MM_ERR_NOMEM;
	}
	img->unload = image_unload;
	set_owner(m, img, out->pages_base, out->pages * PAGE);
	out->img = img;
	mm_log(m, MM_LOG_DISPATCH, "image %s (%s) loaded at 0x%" PRIx64 "..0x%" PRIx64
	       ", entry 0x%" PRIx64 ", relocated by 0x%" PRIx64 "%s",
	       name, mm_image_format_name(out->format), out->base, out->base + out->size - 1,
	       out->entry, out->delta, out->code_data_apart ? "" : ", code and data share pages");
	return MM_OK;
}

/* Loads a parsed PE32+ or TE image. */
static enum mm_err load_pe(struct mm_machine *m, const char *name, const uint8_t *buf, size_t len,
			   const struct mm_pe_info *info, struct mm_loaded_image *out)
{
	uint64_t pages = ((uint64_t)info->size_of_image + PAGE - 1) / PAGE;
	uint64_t align = info->section_alignment > PAGE ? info->section_alignment : PAGE;
	uint64_t base = info->image_base;
	enum mm_err e;
	uint8_t *p;

	e = info->relocatable ? alloc_aligned(m, pages, align, &base)
			     : alloc_fixed(m, name, base, pages);
	if (e)
		return e == MM_ERR_NOMEM
			? mm_fail(m, e, "%s: no SMRAM for 0x%" PRIx64 " pages", name, pages) : e;
	p = mm_mem_ptr(m, base, pages * PAGE);
	if (!p) {
		give_back(m, base, pages);
		return mm_fail(m, MM_ERR_RANGE, "%s: SMRAM pages at 0x%" PRIx64 " not mapped", name,
			       base);
	}
	mm_pe_place(buf, info, p);
	mm_pe_relocate(buf, len, info, p, base - info->image_base);
	*out = (struct mm_loaded_image){ .format = info->format, .base = base,
					 .size = info->size_of_image,
					 .entry = base + info->entry_rva,
					 .delta = base - info->image_base, .pages_base = base,
					 .pages = pages,
					 .code_data_apart = mm_pe_code_data_apart(info) };
	return MM_OK;
}

/* Loads a parsed ELF image. */
static enum mm_err load_elf(struct mm_machine *m, const char *name, const uint8_t *buf,
			    const struct mm_elf_info *info, struct mm_loaded_image *out)
{
	uint64_t pages = (info->hi - info->lo) / PAGE, base = info->lo;
	enum mm_err e;
	uint8_t *p;

	e = info->type == ET_DYN ? alloc_aligned(m, pages, PAGE, &base)
				 : alloc_fixed(m, name, base, pages);
	if (e)
		return e == MM_ERR_NOMEM
			? mm_fail(m, e, "%s: no SMRAM for 0x%" PRIx64 " pages", name, pages) : e;
	p = mm_mem_ptr(m, base, pages * PAGE);
	if (!p) {
		give_back(m, base, pages);
		return mm_fail(m, MM_ERR_RANGE, "%s: SMRAM pages at 0x%" PRIx64 " not mapped", name,
			       base);
	}
	mm_elf_place(buf, info, p);
	*out = (struct mm_loaded_image){ .format = MM_IMAGE_ELF, .base = base,
					 .size = info->hi - info->lo,
					 .entry = base + (info->entry - info->lo),
					 .delta = base - info->lo, .pages_base = base,
					 .pages = pages, .code_data_apart = true };
	return MM_OK;
}

/*
 * Loads buf as the driver name; messages start with label (the path when
 * there is a file, the name otherwise).
 */
static enum mm_err load(struct mm_machine *m, const char *name, const char *label,
			const EFI_GUID *guid, const uint8_t *buf, size_t len,
			struct mm_loaded_image *out)
{
	char err[ERRLEN], *codeview = NULL;
	int fmt = detect(buf, len);
	enum mm_err e;

	memset(out, 0, sizeof(*out));
	if (fmt < 0)
		return mm_fail(m, MM_ERR_FORMAT, "%s: offset 0x0: not a PE32+, TE or ELF image", label);
	if (fmt == MM_IMAGE_ELF) {
		struct mm_elf_info info;

		if (mm_elf_parse(buf, len, &info, err, sizeof(err)))
			return mm_fail(m, MM_ERR_FORMAT, "%s: %s", label, err);
		e = load_elf(m, label, buf, &info, out);
	} else {
		struct mm_pe_info *info = malloc(sizeof(*info));

		if (!info)
			return mm_fail(m, MM_ERR_NOMEM, "%s: out of host memory", label);
		e = mm_pe_parse(buf, len, info, err, sizeof(err));
		if (e)
			e = mm_fail(m, e, "%s: %s", label, err);
		else
			e = load_pe(m, label, buf, len, info, out);
		if (!e && info->debug_path[0])
			codeview = strdup(info->debug_path); /* optional: NULL is no harm */
		free(info);
	}
	if (!e)
		e = register_image(m, name, guid, out);
	if (!e) {
		out->img->link_base = out->pages_base - out->delta;
		out->img->codeview = codeview;
		codeview = NULL;
	}
	free(codeview);
	return e;
}

enum mm_err mm_image_load_buffer(struct mm_machine *m, const char *name, const EFI_GUID *guid,
				 const uint8_t *buf, size_t len, struct mm_loaded_image *out)
{
	return load(m, name, name, guid, buf, len, out);
}

/* The driver name of a file: its base name without the extension. */
static void name_of(const char *path, char *name, size_t cap)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);

	snprintf(name, cap, "%.*s", (int)n, base);
}

enum mm_err mm_image_load_file(struct mm_machine *m, const char *path,
			       struct mm_loaded_image *out)
{
	char err[ERRLEN], name[128];
	uint8_t *buf;
	size_t len;
	enum mm_err e;

	memset(out, 0, sizeof(*out));
	e = read_file(path, &buf, &len, err, sizeof(err));
	if (e)
		return mm_fail(m, e, "%s", err);
	name_of(path, name, sizeof(name));
	e = load(m, name, path, NULL, buf, len, out);
	free(buf);
	if (!e)
		out->img->path = strdup(path); /* for its debug file; NULL only loses that */
	return e;
}

/* Parses and prints buf; err gets "offset 0x..: reason". */
static enum mm_err describe(const uint8_t *buf, size_t len, FILE *out, char *err, size_t errlen)
{
	enum mm_err e;
	int fmt = detect(buf, len);

	if (fmt < 0) {
		snprintf(err, errlen, "offset 0x0: not a PE32+, TE or ELF image");
		return MM_ERR_FORMAT;
	}
	if (fmt == MM_IMAGE_ELF) {
		struct mm_elf_info info;

		e = mm_elf_parse(buf, len, &info, err, errlen);
		if (!e)
			mm_elf_print(&info, out);
		return e;
	}
	struct mm_pe_info *info = malloc(sizeof(*info));

	if (!info) {
		snprintf(err, errlen, "offset 0x0: out of host memory");
		return MM_ERR_NOMEM;
	}
	e = mm_pe_parse(buf, len, info, err, errlen);
	if (!e)
		mm_pe_print(info, out);
	free(info);
	return e;
}

enum mm_err mm_image_describe(const char *path, FILE *out, char *err, size_t errlen)
{
	char why[ERRLEN];
	uint8_t *buf;
	size_t len;
	enum mm_err e = read_file(path, &buf, &len, why, sizeof(why));

	if (e) {
		if (err && errlen)
			snprintf(err, errlen, "%s", why);
		return e;
	}
	e = describe(buf, len, out, why, sizeof(why));
	free(buf);
	if (e && err && errlen)
		snprintf(err, errlen, "%s: %s", path, why);
	return e;
}
