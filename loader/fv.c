/* SPDX-License-Identifier: MIT */
/*
 * Firmware volumes and FFS files (PI 1.8 vol. 3, sections 3.2.1 and 3.2.3):
 * finding the volumes of an image, checking their headers, walking their
 * files with checksums and state bits, and `mmemu fv list`. Sections are
 * section.c's.
 *
 * EFI_FIRMWARE_VOLUME_HEADER (PiFirmwareVolume.h), offsets in bytes:
 *
 *    0 ZeroVector[16]   16 FileSystemGuid   32 FvLength (u64)
 *   40 '_FVH'           44 Attributes (u32) 48 HeaderLength (u16)
 *   50 Checksum (u16)   52 ExtHeaderOffset  54 Reserved  55 Revision
 *   56 BlockMap {NumBlocks u32, Length u32}..., {0, 0}
 *
 * EFI_FFS_FILE_HEADER (PiFirmwareFile.h): 0 Name, 16 IntegrityCheck.Header,
 * 17 IntegrityCheck.File, 18 Type, 19 Attributes, 20 Size[3], 23 State;
 * EFI_FFS_FILE_HEADER2 adds 24 ExtendedSize (u64) for large files (FFS3).
 */
#define _GNU_SOURCE /* memmem */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/depex.h"
#include "core/guid-names.h"
#include "loader/fv.h"

#include <mmemu/fv.h>

/* Volume header facts, PI 1.8 vol. 3, section 3.2.1.1. */
#define FVH_SIZE 56
#define FVH_SIGNATURE_OFFSET 40
#define EFI_FVB2_ERASE_POLARITY 0x00000800u
#define FV_EXT_HEADER_SIZE 20 /* FvName, ExtHeaderSize */

/* FFS file facts, PI 1.8 vol. 3, section 3.2.3. */
#define FFS_HEADER_SIZE 24
#define FFS_HEADER2_SIZE 32
#define FFS_ATTRIB_LARGE_FILE 0x01
#define FFS_ATTRIB_CHECKSUM 0x40
#define FFS_FIXED_CHECKSUM 0xAA
#define EFI_FILE_HEADER_CONSTRUCTION 0x01
#define EFI_FILE_HEADER_VALID 0x02
#define EFI_FILE_DATA_VALID 0x04
#define EFI_FILE_MARKED_FOR_UPDATE 0x08
#define EFI_FILE_DELETED 0x10
#define EFI_FILE_HEADER_INVALID 0x20

/* EFI_FIRMWARE_FILE_SYSTEM2_GUID and EFI_FIRMWARE_FILE_SYSTEM3_GUID (PiFirmwareVolume.h). */
static const EFI_GUID ffs2_guid = { 0x8C8CE578, 0x8A3D, 0x4F1C,
				    { 0x99, 0x35, 0x89, 0x61, 0x85, 0xC3, 0x2D, 0xD3 } };
static const EFI_GUID ffs3_guid = { 0x5473C07A, 0x3DCB, 0x4DCA,
				    { 0xBD, 0x6F, 0x1E, 0x96, 0x89, 0xE7, 0x34, 0x9A } };

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd24(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static uint32_t rd32(const uint8_t *p)
{
	return rd24(p) | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static uint64_t align8(uint64_t v)
{
	return (v + 7) & ~7ull;
}

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;

	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

void mm_fv_where_of(const struct mm_fv_walk *w, const uint8_t *p, struct mm_fv_where *at)
{
	at->offset = (uint64_t)(p - w->buf.base);
	at->image_offset = w->buf.depth ? w->buf.origin : at->offset;
	at->buffer_depth = w->buf.depth;
	at->path = w->buf.path;
}

void mm_fv_problem(struct mm_fv_walk *w, const uint8_t *p, enum mm_fv_problem_kind kind,
		   const char *fmt, ...)
{
	struct mm_fv_problem pr = { .kind = kind };
	char reason[256];
	va_list ap;

	if (!w->visit->problem)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	mm_fv_where_of(w, p, &pr.at);
	pr.reason = reason;
	w->visit->problem(w->user, &pr);
}

enum mm_err mm_fv_own(struct mm_fv_walk *w, uint8_t *buf)
{
	if (w->nowned == w->capowned) {
		size_t cap = w->capowned ? 2 * w->capowned : 8;
		uint8_t **n = realloc(w->owned, cap * sizeof(*n));

		if (!n) {
			free(buf);
			return MM_ERR_NOMEM;
		}
		w->owned = n;
		w->capowned = cap;
	}
	w->owned[w->nowned++] = buf;
	return MM_OK;
}

const char *mm_ffs_type_name(uint8_t type, char buf[8])
{
	static const char *const names[] = {
		[0x01] = "RAW",	      [0x02] = "FREEFORM",     [0x03] = "SEC_CORE",
		[0x04] = "PEI_CORE",  [0x05] = "DXE_CORE",     [0x06] = "PEIM",
		[0x07] = "DRIVER",    [0x08] = "PEIM_DRIVER",  [0x09] = "APPLICATION",
		[0x0A] = "MM",	      [0x0B] = "FV_IMAGE",     [0x0C] = "MM_DXE",
		[0x0D] = "MM_CORE",   [0x0E] = "MM_STANDALONE", [0x0F] = "MM_CORE_STANDALONE",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	if (type == MM_FFS_PAD)
		return "PAD";
	snprintf(buf, 8, "0x%02x", type);
	return buf;
}

bool mm_ffs_is_mm_driver(uint8_t type)
{
	return type == MM_FFS_MM || type == MM_FFS_COMBINED_MM_DXE || type == MM_FFS_MM_STANDALONE;
}

/* Whether the FFS type holds sections (PI 1.8 vol. 3, section 2.1.4.1). */
static bool ffs_type_has_sections(uint8_t type)
{
	return type >= MM_FFS_FREEFORM && type <= MM_FFS_MM_CORE_STANDALONE;
}

/* Checks the fixed part of a volume header; returns false after reporting. */
static bool volume_header_ok(struct mm_fv_walk *w, const uint8_t *p, size_t avail,
			     uint64_t *fvlen, uint16_t *hlen)
{
	uint16_t sum = 0;

	if (avail < FVH_SIZE) {
		mm_fv_problem(w, p, MM_FVP_VOLUME_LENGTH,
			      "volume header truncated: %zu bytes left, header is %d", avail,
			      FVH_SIZE);
		return false;
	}
	if (memcmp(p + FVH_SIGNATURE_OFFSET, "_FVH", 4)) {
		mm_fv_problem(w, p, MM_FVP_VOLUME_HEADER, "no '_FVH' signature at offset 40");
		return false;
	}
	*fvlen = rd64(p + 32);
	*hlen = rd16(p + 48);
	if (*hlen < FVH_SIZE || (*hlen & 1) || *hlen > *fvlen) {
		mm_fv_problem(w, p, MM_FVP_VOLUME_HEADER,
			      "header length 0x%x invalid (volume length 0x%llx)", *hlen,
			      (unsigned long long)*fvlen);
		return false;
	}
	if (*fvlen > avail) {
		mm_fv_problem(w, p, MM_FVP_VOLUME_LENGTH,
			      "volume length 0x%llx past the end (0x%zx bytes left)",
			      (unsigned long long)*fvlen, avail);
		return false;
	}
	for (unsigned i = 0; i < *hlen; i += 2)
		sum = (uint16_t)(sum + rd16(p + i));
	if (sum) {
		mm_fv_problem(w, p, MM_FVP_VOLUME_HEADER,
			      "header checksum wrong: 16-bit sum 0x%04x, should be 0", sum);
		return false;
	}
	return true;
}

/* Reads the extended header, if any; returns the offset where files start, 0 on error. */
static uint64_t volume_ext_header(struct mm_fv_walk *w, const uint8_t *p, uint64_t fvlen,
				  uint16_t hlen, struct mm_fv_volume *v)
{
	uint16_t ext = rd16(p + 52);
	uint32_t size;

	if (!ext)
		return align8(hlen);
	if (ext < FVH_SIZE || (uint64_t)ext + FV_EXT_HEADER_SIZE > fvlen) {
		mm_fv_problem(w, p, MM_FVP_VOLUME_LENGTH,
			      "extended header offset 0x%x outside the volume (length 0x%llx)", ext,
			      (unsigned long long)fvlen);
		return 0;
	}
	size = rd32(p + ext + 16);
	if (size < FV_EXT_HEADER_SIZE || ext + (uint64_t)size > fvlen) {
		mm_fv_problem(w, p + ext, MM_FVP_VOLUME_LENGTH,
			      "extended header size 0x%x past the end of the volume", size);
		return 0;
	}
	memcpy(&v->name, p + ext, sizeof(v->name));
	v->has_name = true;
	return align8(ext + (uint64_t)size);
}

/* Whether n bytes at p are all the erased value (free space). */
static bool erased(const uint8_t *p, size_t n, uint8_t value)
{
	while (n--)
		if (*p++ != value)
			return false;
	return true;
}

/* Reports the volumes a file holds, after the file itself. */
static enum mm_err walk_nested(struct mm_fv_walk *w, struct mm_fv_filectx *fc, unsigned depth)
{
	struct mm_fv_buffer saved = w->buf;
	enum mm_err rc = MM_OK;

	for (unsigned i = 0; i < fc->nnested && !rc; i++) {
		uint64_t fvlen;

		w->buf = fc->nested[i].buf;
		rc = mm_fv_volume_walk(w, fc->nested[i].p, fc->nested[i].len, depth + 1, &fvlen);
	}
	w->buf = saved;
	return rc;
}

/*
 * Checks one file's header fields. Returns the file's whole size, or 0 when
 * the walk of this volume cannot go on (reported).
 */
static uint64_t file_size(struct mm_fv_walk *w, const uint8_t *h, uint64_t room, int ffs,
			  size_t *hsize)
{
	uint64_t size = rd24(h + 20);

	*hsize = FFS_HEADER_SIZE;
	if (h[19] & FFS_ATTRIB_LARGE_FILE) {
		if (ffs != 3) {
			mm_fv_problem(w, h, MM_FVP_FILE_HEADER,
				      "large-file attribute in an FFS%d volume", ffs);
			return 0;
		}
		if (room < FFS_HEADER2_SIZE) {
			mm_fv_problem(w, h, MM_FVP_FILE_LENGTH,
				      "large-file header past the end of the volume");
			return 0;
		}
		*hsize = FFS_HEADER2_SIZE;
		size = rd64(h + 24);
	}
	if (size < *hsize) {
		mm_fv_problem(w, h, MM_FVP_FILE_OVERLAP,
			      "file size 0x%llx smaller than its 0x%zx-byte header: overlaps the "
			      "next file",
			      (unsigned long long)size, *hsize);
		return 0;
	}
	if (size > room) {
		mm_fv_problem(w, h, MM_FVP_FILE_LENGTH,
			      "file size 0x%llx past the end of the volume (0x%llx bytes left)",
			      (unsigned long long)size, (unsigned long long)room);
		return 0;
	}
	return size;
}

/* Whether the file's state says it holds valid data; reports odd states. */
static bool file_state_ok(struct mm_fv_walk *w, const uint8_t *h, bool polarity, uint8_t *state)
{
	*state = polarity ? (uint8_t)~h[23] : h[23];
	if (*state & (EFI_FILE_HEADER_INVALID | EFI_FILE_DELETED))
		return false; /* superseded or removed: not an error */
	if (*state & (EFI_FILE_DATA_VALID | EFI_FILE_MARKED_FOR_UPDATE))
		return true;
	mm_fv_problem(w, h, MM_FVP_FILE_STATE, "file %s (state 0x%02x)",
		      *state & EFI_FILE_HEADER_VALID ? "data not valid" : "header incomplete",
		      *state);
	return false;
}

/* Checks both checksums; reports and returns false when one is wrong. */
static bool file_checksums_ok(struct mm_fv_walk *w, const uint8_t *h, uint64_t size, size_t hsize)
{
	uint8_t hsum = (uint8_t)(sum8(h, hsize) - h[17] - h[23]);

	if (hsum) {
		mm_fv_problem(w, h, MM_FVP_FILE_HEADER,
			      "file header checksum wrong: sum 0x%02x, should be 0", hsum);
		return false;
	}
	if (h[19] & FFS_ATTRIB_CHECKSUM) {
		uint8_t dsum = (uint8_t)(sum8(h + hsize, size - hsize) + h[17]);

		if (dsum) {
			mm_fv_problem(w, h, MM_FVP_FILE_CHECKSUM,
				      "file data checksum wrong: sum 0x%02x, should be 0", dsum);
			return false;
		}
	} else if (h[17] != FFS_FIXED_CHECKSUM) {
		mm_fv_problem(w, h, MM_FVP_FILE_CHECKSUM,
			      "file checksum 0x%02x without FFS_ATTRIB_CHECKSUM, should be 0xAA",
			      h[17]);
		return false;
	}
	return true;
}

/* Walks one valid file: sections, callback, then the volumes it holds. */
static enum mm_err file_walk(struct mm_fv_walk *w, const uint8_t *h, uint64_t size, size_t hsize,
			     uint8_t state, unsigned depth)
{
	struct mm_fv_filectx *fc = calloc(1, sizeof(*fc));
	struct mm_fv_file *f;
	enum mm_err rc = MM_OK;

	if (!fc)
		return MM_ERR_NOMEM;
	f = &fc->file;
	mm_fv_where_of(w, h, &f->at);
	f->depth = depth;
	memcpy(&f->name, h, sizeof(f->name));
	f->type = h[18];
	f->attributes = h[19];
	f->state = state;
	f->header_ok = f->data_ok = true;
	f->size = size;
	f->header_size = hsize;
	f->data.data = h + hsize;
	f->data.len = (size_t)(size - hsize);
	if (ffs_type_has_sections(f->type))
		rc = mm_fv_sections(w, fc, f->data.data, f->data.len, 0);
	if (!rc && w->visit->file)
		w->visit->file(w->user, f);
	if (!rc)
		rc = walk_nested(w, fc, depth);
	free(fc);
	return rc;
}

/* Walks the files of a volume from offset start to fvlen. */
static enum mm_err files_walk(struct mm_fv_walk *w, const uint8_t *p, uint64_t start,
			      uint64_t fvlen, const struct mm_fv_volume *v)
{
	uint8_t erase = v->erase_polarity ? 0xFF : 0x00;

	for (uint64_t off = start; off + FFS_HEADER_SIZE <= fvlen;) {
		const uint8_t *h = p + off;
		size_t hsize;
		uint64_t size;
		uint8_t state;
		enum mm_err rc;

		if (erased(h, FFS_HEADER_SIZE, erase))
			break; /* free space up to the end */
		size = file_size(w, h, fvlen - off, v->ffs_version, &hsize);
		if (!size)
			break;
		if (file_state_ok(w, h, v->erase_polarity, &state) &&
		    file_checksums_ok(w, h, size, hsize)) {
			rc = file_walk(w, h, size, hsize, state, v->depth);
			if (rc)
				return rc;
		}
		off = align8(off + size);
	}
	return MM_OK;
}

enum mm_err mm_fv_volume_walk(struct mm_fv_walk *w, const uint8_t *p, size_t len, unsigned depth,
			      uint64_t *fvlen)
{
	struct mm_fv_volume v = { .depth = depth };
	uint64_t start;
	uint16_t hlen;

	*fvlen = 0;
	if (depth > MM_FV_MAX_DEPTH) {
		mm_fv_problem(w, p, MM_FVP_LIMIT, "volumes nested more than %d deep",
			      MM_FV_MAX_DEPTH);
		return MM_OK;
	}
	if (!volume_header_ok(w, p, len, fvlen, &hlen)) {
		*fvlen = 0;
		return MM_OK;
	}
	mm_fv_where_of(w, p, &v.at);
	memcpy(&v.fs_guid, p + 16, sizeof(v.fs_guid));
	v.ffs_version = mm_guid_eq(&v.fs_guid, &ffs2_guid) ? 2
			: mm_guid_eq(&v.fs_guid, &ffs3_guid) ? 3 : 0;
	v.length = *fvlen;
	v.attributes = rd32(p + 44);
	v.erase_polarity = v.attributes & EFI_FVB2_ERASE_POLARITY;
	w->nvolumes++;
	start = volume_ext_header(w, p, *fvlen, hlen, &v);
	if (w->visit->volume)
		w->visit->volume(w->user, &v);
	if (!start || !v.ffs_version)
		return MM_OK;
	return files_walk(w, p, start, *fvlen, &v);
}

/* Finds the next 8-byte aligned '_FVH' header candidate at or after off. */
static const uint8_t *next_candidate(const uint8_t *buf, size_t len, size_t off)
{
	while (off + FVH_SIZE <= len) {
		const uint8_t *sig = memmem(buf + off + FVH_SIGNATURE_OFFSET,
					    len - off - FVH_SIGNATURE_OFFSET, "_FVH", 4);
		size_t at;

		if (!sig)
			return NULL;
		at = (size_t)(sig - buf) - FVH_SIGNATURE_OFFSET;
		if (!(at & 7))
			return buf + at;
		off = (at | 7) + 1;
	}
	return NULL;
}

enum mm_err mm_fv_parse(const uint8_t *buf, size_t len, const struct mm_fv_visitor *visit,
			void *user, char *err, size_t errlen)
{
	struct mm_fv_walk w = { .visit = visit, .user = user };
	enum mm_err rc = MM_OK;
	bool found = false;

	if ((!buf && len) || !visit) {
		if (errlen)
			snprintf(err, errlen, "mm_fv_parse: NULL %s", visit ? "buffer" : "visitor");
		return MM_ERR_INVALID;
	}
	w.buf.base = buf;
	w.buf.len = len;
	for (const uint8_t *p = next_candidate(buf, len, 0); p && !rc;) {
		size_t off = (size_t)(p - buf);
		uint64_t fvlen;

		found = true;
		rc = mm_fv_volume_walk(&w, p, len - off, 0, &fvlen);
		p = next_candidate(buf, len, fvlen ? off + align8(fvlen) : off + 8);
	}
	for (size_t i = 0; i < w.nowned; i++)
		free(w.owned[i]);
	free(w.owned);
	if (rc == MM_ERR_NOMEM && errlen)
		snprintf(err, errlen, "out of host memory while walking the volumes");
	if (!rc && !found) {
		if (errlen)
			snprintf(err, errlen, "no firmware volume header ('_FVH') found");
		return MM_ERR_NOT_FOUND;
	}
	return rc;
}

/* ---- mmemu fv list ---- */

struct list_state {
	FILE *out;
	unsigned volumes, files, problems, mm_drivers;
};

/* Prints "0xOFF" or "0xORIGIN>...>0xOFF" for a location. */
static void print_where(FILE *out, const struct mm_fv_where *at)
{
	if (at->buffer_depth)
		fprintf(out, "%s0x%llx", at->path, (unsigned long long)at->offset);
	else
		fprintf(out, "0x%llx", (unsigned long long)at->offset);
}

static void list_volume(void *user, const struct mm_fv_volume *v)
{
	struct list_state *s = user;
	char guid[MM_GUID_STRING_LEN + 1];

	s->volumes++;
	fprintf(s->out, "%*svolume at ", 2 * v->depth, "");
	print_where(s->out, &v->at);
	mm_guid_format(&v->fs_guid, guid);
	if (v->ffs_version)
		fprintf(s->out, ": FFS%d, length 0x%llx", v->ffs_version,
			(unsigned long long)v->length);
	else
		fprintf(s->out, ": file system %s (not FFS, files not listed), length 0x%llx",
			guid, (unsigned long long)v->length);
	if (v->has_name) {
		mm_guid_format(&v->name, guid);
		fprintf(s->out, ", name %s", guid);
	}
	fprintf(s->out, "\n");
}

/* Prints one DEPEX line when the file has that section. */
static void list_depex(FILE *out, unsigned depth, const char *what, const struct mm_fv_blob *b)
{
	char text[2048];

	if (!b->data)
		return;
	mm_depex_format(b->data, b->len, text, sizeof(text));
	fprintf(out, "%*s%s: %s\n", 2 * depth + 4, "", what, text);
}

static void list_file(void *user, const struct mm_fv_file *f)
{
	struct list_state *s = user;
	char guid[MM_GUID_STRING_LEN + 1], tbuf[8];

	s->files++;
	s->mm_drivers += mm_ffs_is_mm_driver(f->type);
	mm_guid_format(&f->name, guid);
	fprintf(s->out, "%*s", 2 * f->depth + 2, "");
	print_where(s->out, &f->at);
	fprintf(s->out, " %s %-13s 0x%-7llx %s\n", guid, mm_ffs_type_name(f->type, tbuf),
		(unsigned long long)f->size, f->ui_name[0] ? f->ui_name : "-");
	list_depex(s->out, f->depth, "MM_DEPEX", &f->mm_depex);
	list_depex(s->out, f->depth, "DXE_DEPEX", &f->dxe_depex);
	list_depex(s->out, f->depth, "PEI_DEPEX", &f->pei_depex);
}

static void list_problem(void *user, const struct mm_fv_problem *p)
{
	struct list_state *s = user;

	s->problems++;
	fprintf(s->out, "problem at ");
	print_where(s->out, &p->at);
	fprintf(s->out, ": %s\n", p->reason);
}

/* Reads a whole host file; returns NULL (reason printed) on failure. */
static uint8_t *read_image(const char *path, FILE *out, size_t *len, enum mm_err *rc)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	*rc = MM_ERR_IO;
	if (!f) {
		fprintf(out, "error: cannot open %s\n", path);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(out, "error: cannot size %s\n", path);
	} else if (!(buf = malloc(n ? (size_t)n : 1))) {
		*rc = MM_ERR_NOMEM;
		fprintf(out, "error: no memory for %s (%ld bytes)\n", path, n);
	} else if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(out, "error: cannot read %s\n", path);
		free(buf);
		buf = NULL;
	} else {
		*len = (size_t)n;
		*rc = MM_OK;
	}
	fclose(f);
	return buf;
}

enum mm_err mm_fv_list(const char *path, FILE *out)
{
	static const struct mm_fv_visitor visit = { list_volume, list_file, list_problem };
	struct list_state s = { .out = out };
	char err[256];
	enum mm_err rc;
	uint8_t *buf;
	size_t len = 0;

	if (!path || !out)
		return MM_ERR_INVALID;
	buf = read_image(path, out, &len, &rc);
	if (!buf)
		return rc;
	rc = mm_fv_parse(buf, len, &visit, &s, err, sizeof(err));
	free(buf);
	if (rc) {
		fprintf(out, "error: %s: %s\n", path, err);
		return rc;
	}
	fprintf(out, "%s: %u volumes, %u files (%u MM drivers), %u problems\n", path, s.volumes,
		s.files, s.mm_drivers, s.problems);
	return s.problems ? MM_ERR_FORMAT : MM_OK;
}
