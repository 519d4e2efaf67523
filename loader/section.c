/* SPDX-License-Identifier: MIT */
/*
 * FFS sections (PI 1.8 vol. 3, section 3.2.4): the section stream of a file,
 * leaf sections (PE32, TE, PIC, DEPEX, UI, version, raw, ...), encapsulations
 * (compression, GUID-defined) and firmware-volume images, which fv.c walks
 * after the file.
 *
 * EFI_COMMON_SECTION_HEADER: 0 Size[3], 3 Type; Size 0xFFFFFF means
 * EFI_COMMON_SECTION_HEADER2 with 4 ExtendedSize (u32). Sections are 4-byte
 * aligned from the start of their stream.
 * EFI_GUID_DEFINED_SECTION: header, SectionDefinitionGuid, DataOffset (u16,
 * from the section start), Attributes (u16).
 * EFI_COMPRESSION_SECTION: header, UncompressedLength (u32), CompressionType (u8).
 *
 * EDK2's LZMA GUID-defined section holds an LZMA "alone" stream: 13 bytes of
 * header (properties byte, dictionary size u32, uncompressed size u64), then
 * the range-coded data. liblzma decodes it.
 */
#include <lzma.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/depex.h"
#include "core/guid-names.h"
#include "loader/fv.h"

#define EFI_GUIDED_SECTION_PROCESSING_REQUIRED 0x01
#define GUID_SECTION_FIELDS 20 /* SectionDefinitionGuid, DataOffset, Attributes */
#define COMPRESSION_FIELDS 5   /* UncompressedLength, CompressionType */
#define LZMA_ALONE_HEADER 13
#define LZMA_TRAILING_SLACK 16 /* bytes tolerated after the announced end (padding) */

/* GUIDs of GUID-defined sections (EDK2 MdePkg/Include/Guid, BaseTools/Conf/tools_def). */
static const EFI_GUID lzma_guid = { 0xEE4E5898, 0x3914, 0x4259,
				    { 0x9D, 0x6E, 0xDC, 0x7B, 0xD7, 0x94, 0x03, 0xCF } };
static const EFI_GUID lzma_f86_guid = { 0xD42AE6BD, 0x1352, 0x4BFB,
					{ 0x90, 0x9A, 0xCA, 0x72, 0xA6, 0xEA, 0xE8, 0x89 } };
static const EFI_GUID tiano_guid = { 0xA31280AD, 0x481E, 0x41B6,
				     { 0x95, 0xE8, 0x12, 0x7F, 0x4C, 0x98, 0x47, 0x79 } };
static const EFI_GUID crc32_guid = { 0xFC1BCDB0, 0x7D31, 0x49AA,
				     { 0x93, 0x6A, 0xA4, 0x60, 0x0D, 0x9D, 0xD0, 0x83 } };

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

/*
 * Decoded volumes are megabytes that are written once, front to back: on
 * 2 MiB-aligned memory the kernel may back them with transparent huge
 * pages, one page fault per 2 MiB instead of 512 (on the development VM a
 * 4 KiB fault costs ~15 us: half the decoding time of OVMF's DXE volume).
 * Smaller blocks come from malloc. Either is released with free().
 */
#define HUGE_PAGE (2u << 20)

static void *big_alloc(size_t n)
{
	void *p = NULL;

	if (n < HUGE_PAGE)
		return malloc(n ? n : 1);
	if (posix_memalign(&p, HUGE_PAGE, n))
		return NULL;
	(void)madvise(p, (n + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1), MADV_HUGEPAGE);
	return p;
}

/* liblzma's allocator: its dictionary is as large as the output. */
static void *lzma_alloc(void *opaque, size_t nmemb, size_t size)
{
	(void)opaque;
	return size && nmemb > SIZE_MAX / size ? NULL : big_alloc(nmemb * size);
}

static void lzma_release(void *opaque, void *ptr)
{
	(void)opaque;
	free(ptr);
}

static const lzma_allocator lzma_allocs = { lzma_alloc, lzma_release, NULL };

/*
 * Decodes with the alone decoder whose patched header is hdr into a buffer
 * of the announced size (bounded by the caller's limit; pages a short
 * stream never writes are never touched).
 */
static enum mm_err lzma_run(const uint8_t hdr[LZMA_ALONE_HEADER], const uint8_t *in, size_t inlen,
			    uint64_t size, uint8_t **out, char *err, size_t errlen)
{
	lzma_stream s = LZMA_STREAM_INIT;
	uint8_t *buf = big_alloc((size_t)size);
	lzma_ret ret = LZMA_OK;

	s.allocator = &lzma_allocs;
	if (!buf || lzma_alone_decoder(&s, UINT64_MAX) != LZMA_OK) {
		free(buf);
		return MM_ERR_NOMEM;
	}
	s.next_out = buf;
	s.avail_out = (size_t)size;
	s.next_in = hdr;
	s.avail_in = LZMA_ALONE_HEADER;
	ret = lzma_code(&s, LZMA_RUN); /* consumes the header only: no data follows it */
	if (ret == LZMA_OK && s.avail_in)
		ret = LZMA_FORMAT_ERROR;
	s.next_in = in;
	s.avail_in = inlen;
	while (ret == LZMA_OK) /* ends, fails, or stalls (LZMA_BUF_ERROR): input out, output full */
		ret = lzma_code(&s, LZMA_FINISH);
	if (ret == LZMA_STREAM_END && s.avail_in > LZMA_TRAILING_SLACK) {
		snprintf(err, errlen, "LZMA data continues 0x%zx bytes past the announced 0x%llx bytes",
			 s.avail_in, (unsigned long long)size);
		lzma_end(&s);
		free(buf);
		return MM_ERR_RANGE;
	}
	if (ret == LZMA_STREAM_END && s.total_out == size) {
		lzma_end(&s);
		*out = buf;
		return MM_OK;
	}
	snprintf(err, errlen, "LZMA data does not decode (liblzma error %d after 0x%llx of 0x%llx bytes)",
		 (int)ret, (unsigned long long)s.total_out, (unsigned long long)size);
	lzma_end(&s);
	free(buf);
	return ret == LZMA_MEM_ERROR ? MM_ERR_NOMEM : MM_ERR_FORMAT;
}

enum mm_err mm_lzma_section_decode(const uint8_t *in, size_t inlen, uint64_t max, uint8_t **out,
				   size_t *outlen, char *err, size_t errlen)
{
	uint8_t hdr[LZMA_ALONE_HEADER];
	uint64_t size;
	uint32_t dict;
	enum mm_err rc;

	if (inlen < LZMA_ALONE_HEADER) {
		snprintf(err, errlen, "LZMA header truncated (%zu bytes)", inlen);
		return MM_ERR_FORMAT;
	}
	size = rd64(in + 5);
	if (size == UINT64_MAX) {
		snprintf(err, errlen, "LZMA stream of unknown size refused");
		return MM_ERR_RANGE;
	}
	if (size > max) {
		snprintf(err, errlen, "LZMA stream announces 0x%llx bytes, over the limit 0x%llx",
			 (unsigned long long)size, (unsigned long long)max);
		return MM_ERR_RANGE;
	}
	/*
	 * The decoder never looks further back than what it produced, so a
	 * dictionary larger than the output is clamped: a hostile header then
	 * cannot make liblzma allocate more than the output.
	 */
	memcpy(hdr, in, sizeof(hdr));
	dict = rd32(in + 1);
	if (dict > size && size >= 4096) {
		uint32_t d = (uint32_t)size;

		memcpy(hdr + 1, &d, 4); /* little-endian host (x86-64) */
	} else if (dict > 4096 && size < 4096) {
		uint32_t d = 4096;

		memcpy(hdr + 1, &d, 4);
	}
	rc = lzma_run(hdr, in + LZMA_ALONE_HEADER, inlen - LZMA_ALONE_HEADER, size, out, err,
		      errlen);
	if (!rc)
		*outlen = (size_t)size;
	return rc;
}

/* Copies a CHAR16 string to ASCII ('?' for the rest), stopping at NUL. */
static void ui_name(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i + 1 < len && n + 1 < cap; i += 2) {
		uint16_t c = (uint16_t)(src[i] | src[i + 1] << 8);

		if (!c)
			break;
		dst[n++] = c >= 0x20 && c < 0x7F ? (char)c : '?';
	}
	dst[n] = 0;
}

/* Validates and keeps a DEPEX section; reports a malformed one. */
static void take_depex(struct mm_fv_walk *w, const uint8_t *s, struct mm_fv_blob *b,
		       const uint8_t *body, size_t len, const char *what)
{
	char err[160];

	if (mm_depex_validate(body, len, NULL, err, sizeof(err))) {
		mm_fv_problem(w, s, MM_FVP_DEPEX, "%s section malformed: %s", what, err);
		return;
	}
	if (!b->data) {
		b->data = body;
		b->len = len;
	}
}

static void take_blob(struct mm_fv_blob *b, const uint8_t *body, size_t len)
{
	if (!b->data) {
		b->data = body;
		b->len = len;
	}
}

/* Queues a firmware-volume image section for fv.c to walk after the file. */
static void queue_volume(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *s,
			 const uint8_t *body, size_t len)
{
	struct mm_fv_nested *n;

	if (fc->nnested == MM_FV_MAX_NESTED) {
		mm_fv_problem(w, s, MM_FVP_LIMIT, "more than %d volume images in one file",
			      MM_FV_MAX_NESTED);
		return;
	}
	n = &fc->nested[fc->nnested++];
	n->p = body;
	n->len = len;
	n->buf = w->buf;
}

/* Walks a decompressed buffer as a section stream, as a deeper buffer. */
static enum mm_err walk_decoded(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *s,
				uint8_t *out, size_t outlen, unsigned level)
{
	struct mm_fv_buffer saved = w->buf;
	struct mm_fv_where at;
	enum mm_err rc;
	size_t used;

	rc = mm_fv_own(w, out);
	if (rc)
		return rc;
	mm_fv_where_of(w, s, &at);
	w->buf.base = out;
	w->buf.len = outlen;
	w->buf.origin = at.image_offset;
	w->buf.depth = saved.depth + 1;
	used = strlen(saved.path);
	snprintf(w->buf.path + used, sizeof(w->buf.path) - used, "0x%llx>",
		 (unsigned long long)at.offset);
	rc = mm_fv_sections(w, fc, out, outlen, level + 1);
	w->buf = saved;
	return rc;
}

/* Decompresses an LZMA GUID-defined payload and walks what it holds. */
static enum mm_err lzma_section(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *s,
				const uint8_t *payload, size_t len, unsigned level)
{
	uint64_t left = MM_FV_MAX_TOTAL_OUTPUT - w->total_out;
	uint64_t max = left < MM_FV_MAX_SECTION_OUTPUT ? left : MM_FV_MAX_SECTION_OUTPUT;
	char err[160];
	uint8_t *out;
	size_t outlen;
	enum mm_err rc;

	rc = mm_lzma_section_decode(payload, len, max, &out, &outlen, err, sizeof(err));
	if (rc == MM_ERR_NOMEM)
		return rc;
	if (rc) {
		mm_fv_problem(w, s, rc == MM_ERR_RANGE ? MM_FVP_BOMB : MM_FVP_DECOMPRESS,
			      "LZMA section: %s", err);
		return MM_OK;
	}
	w->total_out += outlen;
	return walk_decoded(w, fc, s, out, outlen, level);
}

/* A GUID-defined section: decode what we know, walk in place what needs no processing. */
static enum mm_err guided_section(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *s,
				  size_t hsize, size_t size, unsigned level)
{
	const uint8_t *f = s + hsize;
	uint16_t offset = (uint16_t)(f[16] | f[17] << 8), attrs = (uint16_t)(f[18] | f[19] << 8);
	char guid[MM_GUID_STRING_LEN + 1];
	EFI_GUID g;

	memcpy(&g, f, sizeof(g));
	if (offset < hsize + GUID_SECTION_FIELDS || offset > size) {
		mm_fv_problem(w, s, MM_FVP_SECTION,
			      "GUID-defined section data offset 0x%x outside 0x%zx..0x%zx", offset,
			      hsize + GUID_SECTION_FIELDS, size);
		return MM_OK;
	}
	if (mm_guid_eq(&g, &lzma_guid))
		return lzma_section(w, fc, s, s + offset, size - offset, level);
	if (mm_guid_eq(&g, &crc32_guid)) {
		uint32_t want = offset >= hsize + GUID_SECTION_FIELDS + 4 ? rd32(f + 20) : 0;
		uint32_t got = lzma_crc32(s + offset, size - offset, 0);

		if (got != want) {
			mm_fv_problem(w, s, MM_FVP_SECTION,
				      "CRC32 section: CRC 0x%08x, header says 0x%08x", got, want);
			return MM_OK;
		}
		return mm_fv_sections(w, fc, s + offset, size - offset, level + 1);
	}
	if (mm_guid_eq(&g, &tiano_guid) || mm_guid_eq(&g, &lzma_f86_guid) ||
	    (attrs & EFI_GUIDED_SECTION_PROCESSING_REQUIRED)) {
		mm_guid_format(&g, guid);
		mm_fv_problem(w, s, MM_FVP_UNSUPPORTED, "GUID-defined section %s (%s) not supported",
			      guid,
			      mm_guid_eq(&g, &tiano_guid)      ? "Tiano compression"
			      : mm_guid_eq(&g, &lzma_f86_guid) ? "LZMA with x86 filter"
							       : "needs processing");
		return MM_OK;
	}
	return mm_fv_sections(w, fc, s + offset, size - offset, level + 1);
}

/* EFI_SECTION_COMPRESSION: type 0 holds its sections as they are; type 1 is Tiano. */
static enum mm_err compression_section(struct mm_fv_walk *w, struct mm_fv_filectx *fc,
				       const uint8_t *s, const uint8_t *body, size_t len,
				       unsigned level)
{
	if (len < COMPRESSION_FIELDS) {
		mm_fv_problem(w, s, MM_FVP_SECTION, "compression section header truncated");
		return MM_OK;
	}
	if (body[4] == 0)
		return mm_fv_sections(w, fc, body + COMPRESSION_FIELDS, len - COMPRESSION_FIELDS,
				      level + 1);
	if (body[4] == 1)
		mm_fv_problem(w, s, MM_FVP_UNSUPPORTED,
			      "EFI standard (Tiano) compression section not supported");
	else
		mm_fv_problem(w, s, MM_FVP_SECTION, "compression type %u unknown", body[4]);
	return MM_OK;
}

/* Handles one section of a stream: s is its header, body its contents. */
static enum mm_err one_section(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *s,
			       size_t hsize, size_t size, unsigned level)
{
	struct mm_fv_file *f = &fc->file;
	const uint8_t *body = s + hsize;
	size_t len = size - hsize;

	f->nsections++;
	switch (s[3]) {
	case MM_SEC_PE32: take_blob(&f->pe32, body, len); break;
	case MM_SEC_TE: take_blob(&f->te, body, len); break;
	case MM_SEC_PIC: take_blob(&f->pic, body, len); break;
	case MM_SEC_MM_DEPEX: take_depex(w, s, &f->mm_depex, body, len, "MM DEPEX"); break;
	case MM_SEC_DXE_DEPEX: take_depex(w, s, &f->dxe_depex, body, len, "DXE DEPEX"); break;
	case MM_SEC_PEI_DEPEX: take_depex(w, s, &f->pei_depex, body, len, "PEI DEPEX"); break;
	case MM_SEC_USER_INTERFACE:
		if (!f->ui_name[0])
			ui_name(f->ui_name, sizeof(f->ui_name), body, len);
		break;
	case MM_SEC_FIRMWARE_VOLUME_IMAGE: queue_volume(w, fc, s, body, len); break;
	case MM_SEC_COMPRESSION: return compression_section(w, fc, s, body, len, level);
	case MM_SEC_GUID_DEFINED:
		if (len < GUID_SECTION_FIELDS) {
			mm_fv_problem(w, s, MM_FVP_SECTION, "GUID-defined section header truncated");
			return MM_OK;
		}
		return guided_section(w, fc, s, hsize, size, level);
	case MM_SEC_VERSION:
	case MM_SEC_FREEFORM_SUBTYPE_GUID:
		if (len < (s[3] == MM_SEC_VERSION ? 2u : 16u))
			mm_fv_problem(w, s, MM_FVP_SECTION, "section type 0x%02x truncated", s[3]);
		break;
	case MM_SEC_DISPOSABLE:
	case MM_SEC_COMPATIBILITY16:
	case MM_SEC_RAW:
		break;
	default:
		mm_fv_problem(w, s, MM_FVP_SECTION, "unknown section type 0x%02x", s[3]);
	}
	return MM_OK;
}

enum mm_err mm_fv_sections(struct mm_fv_walk *w, struct mm_fv_filectx *fc, const uint8_t *data,
			   size_t len, unsigned level)
{
	if (level > MM_FV_MAX_DEPTH) {
		mm_fv_problem(w, data, MM_FVP_LIMIT, "sections nested more than %d deep",
			      MM_FV_MAX_DEPTH);
		return MM_OK;
	}
	for (size_t off = 0; off + 4 <= len;) {
		const uint8_t *s = data + off;
		size_t size = rd24(s), hsize = 4;
		enum mm_err rc;

		if (size == 0xFFFFFF) {
			if (off + 8 > len) {
				mm_fv_problem(w, s, MM_FVP_SECTION,
					      "extended section header past the end");
				return MM_OK;
			}
			size = rd32(s + 4);
			hsize = 8;
		}
		if (size < hsize || size > len - off) {
			mm_fv_problem(w, s, MM_FVP_SECTION,
				      "section size 0x%zx %s (0x%zx bytes left)", size,
				      size < hsize ? "smaller than its header" : "past the end",
				      len - off);
			return MM_OK;
		}
		rc = one_section(w, fc, s, hsize, size, level);
		if (rc)
			return rc;
		off = (off + size + 3) & ~(size_t)3;
	}
	return MM_OK;
}
