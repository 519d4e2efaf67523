/* SPDX-License-Identifier: MIT */
/*
 * Tests of loader/fv.c and loader/section.c: synthetic volumes built here
 * (FFS2 and FFS3 with a large file, an extended header, a nested volume, a
 * padding file, every section type, an LZMA section made with liblzma) are
 * walked and every file and section is found; each corruption class is
 * reported with its offset and skipped; Debian's OVMF image (package ovmf)
 * yields its SMM drivers with type MM and decoded DEPEX (skipped when the
 * package is not installed).
 *
 * With MMEMU_FV_CORPUS=DIR set, the volumes built here are also written to DIR
 * as the fuzzer's seed corpus (tests/fuzz/corpus/fv/).
 */
#include <fcntl.h>
#include <lzma.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fv-build.h"
#include "support.h"

#include "core/depex.h"
#include "core/guid-names.h"
#include "loader/fv.h"
#include <mmemu/fv.h>

#define OVMF_IMAGE "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"

static const EFI_GUID ffs2 = { 0x8C8CE578, 0x8A3D, 0x4F1C,
			       { 0x99, 0x35, 0x89, 0x61, 0x85, 0xC3, 0x2D, 0xD3 } };
static const EFI_GUID ffs3 = { 0x5473C07A, 0x3DCB, 0x4DCA,
			       { 0xBD, 0x6F, 0x1E, 0x96, 0x89, 0xE7, 0x34, 0x9A } };
static const EFI_GUID lzma_guid = { 0xEE4E5898, 0x3914, 0x4259,
				    { 0x9D, 0x6E, 0xDC, 0x7B, 0xD7, 0x94, 0x03, 0xCF } };
static const EFI_GUID tiano_guid = { 0xA31280AD, 0x481E, 0x41B6,
				     { 0x95, 0xE8, 0x12, 0x7F, 0x4C, 0x98, 0x47, 0x79 } };
static const EFI_GUID crc32_guid = { 0xFC1BCDB0, 0x7D31, 0x49AA,
				     { 0x93, 0x6A, 0xA4, 0x60, 0x0D, 0x9D, 0xD0, 0x83 } };
static const EFI_GUID file_a = { 0x11111111, 0x2222, 0x3333, { 4, 4, 5, 5, 5, 5, 5, 5 } };
static const EFI_GUID file_b = { 0xBBBBBBBB, 0x2222, 0x3333, { 4, 4, 5, 5, 5, 5, 5, 6 } };
static const EFI_GUID file_c = { 0xCCCCCCCC, 0x2222, 0x3333, { 4, 4, 5, 5, 5, 5, 5, 7 } };
static const EFI_GUID pad_name = { 0xFFFFFFFF, 0xFFFF, 0xFFFF,
				   { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF } };

/* ---- building volumes ---- */

/* Appends a GUID-defined section around payload. */
static void add_guided(struct fv_buf *b, const EFI_GUID *g, uint16_t attrs, const void *payload,
		       size_t len)
{
	struct fv_buf s = { 0 };
	uint16_t offset = 4 + 20;

	fv_put(&s, g, 16);
	fv_put(&s, &offset, 2);
	fv_put(&s, &attrs, 2);
	fv_put(&s, payload, len);
	fv_add_section(b, MM_SEC_GUID_DEFINED, s.p, s.len, false);
	free(s.p);
}

/* Wraps files into a volume (erase polarity 1), with an extended header when ext. */
static void make_volume(struct fv_buf *out, const EFI_GUID *fs, const struct fv_buf *files, bool ext)
{
	size_t start = ext ? 96 : 72, fvlen = (start + files->len + 0x40 + 7) & ~7ul;
	uint8_t *v = calloc(1, fvlen);
	uint32_t attrs = 0x800, one = 1, flen = (uint32_t)fvlen;
	uint16_t hlen = 72, sum = 0, extoff = ext ? 72 : 0;

	assert_non_null(v);
	memset(v + 72, 0xFF, fvlen - 72);
	memcpy(v + 16, fs, 16);
	memcpy(v + 32, &(uint64_t){ fvlen }, 8);
	memcpy(v + 40, "_FVH", 4);
	memcpy(v + 44, &attrs, 4);
	memcpy(v + 48, &hlen, 2);
	memcpy(v + 52, &extoff, 2);
	v[55] = 2;
	memcpy(v + 56, &one, 4);
	memcpy(v + 60, &flen, 4);
	memset(v + 64, 0, 8);
	for (unsigned i = 0; i < hlen; i += 2)
		sum = (uint16_t)(sum + (v[i] | v[i + 1] << 8));
	sum = (uint16_t)-sum;
	memcpy(v + 50, &sum, 2);
	if (ext) {
		memcpy(v + 72, &file_c, 16);
		memcpy(v + 88, &(uint32_t){ 20 }, 4);
	}
	memcpy(v + start, files->p, files->len);
	fv_put(out, v, fvlen);
	free(v);
}

/* LZMA "alone" stream of data, with the known size in its header as EDK2 writes it. */
static void lzma_pack(struct fv_buf *out, const void *data, size_t len)
{
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_options_lzma opt;
	size_t cap = len + len / 2 + 4096, at = out->len;

	assert_false(lzma_lzma_preset(&opt, 6));
	assert_int_equal(lzma_alone_encoder(&s, &opt), LZMA_OK);
	fv_put(out, NULL, cap);
	s.next_in = data;
	s.avail_in = len;
	s.next_out = out->p + at;
	s.avail_out = cap;
	assert_int_equal(lzma_code(&s, LZMA_FINISH), LZMA_STREAM_END);
	out->len = at + s.total_out;
	memcpy(out->p + at + 5, &(uint64_t){ len }, 8);
	lzma_end(&s);
}

static const uint8_t depex_true[] = { 0x06, 0x08 };
static const uint8_t pe32[] = { 'M', 'Z', 0x90, 0, 3, 0, 0, 0 };
static const uint8_t te[] = { 'V', 'Z', 0x64, 0x86 };

/* The sections of an MM driver file: DEPEX, PE32, UI. */
static void driver_sections(struct fv_buf *s, const char *name)
{
	fv_add_section(s, MM_SEC_MM_DEPEX, depex_true, sizeof(depex_true), false);
	fv_add_section(s, MM_SEC_PE32, pe32, sizeof(pe32), false);
	fv_add_ui(s, name);
}

/* A volume of one MM driver file named name. */
static void driver_volume(struct fv_buf *out, const EFI_GUID *fs, const char *name)
{
	struct fv_buf s = { 0 }, f = { 0 };

	driver_sections(&s, name);
	fv_add_file(&f, &file_b, MM_FFS_MM, 0x40, s.p, s.len, false);
	make_volume(out, fs, &f, false);
	free(s.p);
	free(f.p);
}

/* ---- recording a walk ---- */

struct seen_file {
	EFI_GUID name;
	uint8_t type;
	unsigned depth, nsections, buffer_depth;
	uint64_t image_offset, offset, size;
	char ui[128];
	uint8_t depex[256];
	size_t depex_len;
	bool pe32, te, pic, dxe_depex, pei_depex;
	size_t pe32_len;
};

struct seen_problem {
	enum mm_fv_problem_kind kind;
	uint64_t image_offset, offset;
	unsigned buffer_depth;
	char reason[256];
};

struct rec {
	unsigned nvolumes, nfiles, nproblems;
	struct mm_fv_volume volumes[8];
	struct seen_file files[200];
	struct seen_problem problems[16];
};

static void rec_volume(void *user, const struct mm_fv_volume *v)
{
	struct rec *r = user;

	if (r->nvolumes < 8)
		r->volumes[r->nvolumes] = *v;
	r->nvolumes++;
}

static void rec_file(void *user, const struct mm_fv_file *f)
{
	struct rec *r = user;
	struct seen_file *s;

	if (r->nfiles == 200)
		return;
	s = &r->files[r->nfiles++];
	s->name = f->name;
	s->type = f->type;
	s->depth = f->depth;
	s->nsections = f->nsections;
	s->buffer_depth = f->at.buffer_depth;
	s->image_offset = f->at.image_offset;
	s->offset = f->at.offset;
	s->size = f->size;
	strcpy(s->ui, f->ui_name);
	if (f->mm_depex.data && f->mm_depex.len <= sizeof(s->depex)) {
		memcpy(s->depex, f->mm_depex.data, f->mm_depex.len);
		s->depex_len = f->mm_depex.len;
	}
	s->pe32 = f->pe32.data && f->pe32.len >= 2 && !memcmp(f->pe32.data, "MZ", 2);
	s->pe32_len = f->pe32.data ? f->pe32.len : 0;
	s->te = f->te.data != NULL;
	s->pic = f->pic.data != NULL;
	s->dxe_depex = f->dxe_depex.data != NULL;
	s->pei_depex = f->pei_depex.data != NULL;
}

static void rec_problem(void *user, const struct mm_fv_problem *p)
{
	struct rec *r = user;
	struct seen_problem *s;

	if (r->nproblems < 16) {
		s = &r->problems[r->nproblems];
		s->kind = p->kind;
		s->image_offset = p->at.image_offset;
		s->offset = p->at.offset;
		s->buffer_depth = p->at.buffer_depth;
		snprintf(s->reason, sizeof(s->reason), "%s", p->reason);
	}
	r->nproblems++;
}

static const struct mm_fv_visitor recorder = { rec_volume, rec_file, rec_problem };

/* Writes b to $MMEMU_FV_CORPUS/name when that is set (seed corpus). */
static void corpus(const struct fv_buf *b, const char *name)
{
	const char *dir = getenv("MMEMU_FV_CORPUS");
	char path[512];
	FILE *f;

	if (!dir)
		return;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b->p, 1, b->len, f), b->len);
	fclose(f);
}

static enum mm_err walk(const struct fv_buf *b, struct rec *r)
{
	char err[256];

	memset(r, 0, sizeof(*r));
	return mm_fv_parse(b->p, b->len, &recorder, r, err, sizeof(err));
}

/* Asserts exactly one problem of kind at image offset off. */
static void assert_one_problem(const struct rec *r, enum mm_fv_problem_kind kind, uint64_t off)
{
	if (r->nproblems != 1)
		for (unsigned i = 0; i < r->nproblems && i < 16; i++)
			print_message("problem %u: %s\n", i, r->problems[i].reason);
	assert_int_equal(r->nproblems, 1);
	assert_int_equal(r->problems[0].kind, kind);
	assert_int_equal(r->problems[0].image_offset, off);
}

/* ---- well-formed volumes ---- */

/* Every section type in one FFS2 file, plus a padding file and a raw file. */
static void test_mm_fv_parse_ffs2_every_section(void **state)
{
	struct fv_buf s = { 0 }, inner = { 0 }, f = { 0 }, v = { 0 };
	uint8_t comp[5 + 64] = { 0 }, ver[8] = { 1, 0, 'v', 0, 0, 0 }, sub[20] = { 0 };
	uint8_t raw[3] = { 1, 2, 3 };
	struct rec r;
	size_t at;

	(void)state;
	driver_sections(&s, "EverySection");
	fv_add_section(&s, MM_SEC_TE, te, sizeof(te), false);
	fv_add_section(&s, MM_SEC_PIC, pe32, sizeof(pe32), false);
	fv_add_section(&s, MM_SEC_DXE_DEPEX, depex_true, 2, false);
	fv_add_section(&s, MM_SEC_PEI_DEPEX, depex_true, 2, false);
	fv_add_section(&s, MM_SEC_VERSION, ver, sizeof(ver), false);
	fv_add_section(&s, MM_SEC_COMPATIBILITY16, raw, sizeof(raw), false);
	fv_add_section(&s, MM_SEC_FREEFORM_SUBTYPE_GUID, sub, sizeof(sub), false);
	fv_add_section(&s, MM_SEC_RAW, raw, sizeof(raw), true);
	fv_add_section(&s, MM_SEC_DISPOSABLE, raw, sizeof(raw), false);
	/* a compression section of type 0 (not compressed) holding a raw section */
	fv_add_section(&inner, MM_SEC_RAW, raw, sizeof(raw), false);
	memcpy(comp, &(uint32_t){ (uint32_t)inner.len }, 4);
	memcpy(comp + 5, inner.p, inner.len);
	fv_add_section(&s, MM_SEC_COMPRESSION, comp, 5 + inner.len, false);
	/* a GUID-defined section needing no processing, holding a raw section */
	add_guided(&s, &file_c, 0, inner.p, inner.len);
	fv_add_file(&f, &pad_name, MM_FFS_PAD, 0, raw, sizeof(raw), false);
	at = fv_add_file(&f, &file_a, MM_FFS_MM, 0x40, s.p, s.len, false);
	fv_add_file(&f, &file_c, MM_FFS_RAW, 0, raw, sizeof(raw), false);
	make_volume(&v, &ffs2, &f, true);
	corpus(&v, "ffs2-every-section.fv");

	assert_int_equal(walk(&v, &r), MM_OK);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.nvolumes, 1);
	assert_int_equal(r.volumes[0].ffs_version, 2);
	assert_true(r.volumes[0].erase_polarity);
	assert_true(r.volumes[0].has_name);
	assert_true(mm_guid_eq(&r.volumes[0].name, &file_c));
	assert_int_equal(r.nfiles, 3);
	assert_int_equal(r.files[0].type, MM_FFS_PAD);
	assert_true(mm_guid_eq(&r.files[1].name, &file_a));
	assert_int_equal(r.files[1].type, MM_FFS_MM);
	assert_int_equal(r.files[1].image_offset, 96 + at);
	assert_string_equal(r.files[1].ui, "EverySection");
	assert_true(r.files[1].pe32 && r.files[1].te && r.files[1].pic);
	assert_int_equal(r.files[1].pe32_len, sizeof(pe32));
	assert_true(r.files[1].dxe_depex && r.files[1].pei_depex);
	assert_int_equal(r.files[1].depex_len, 2);
	assert_memory_equal(r.files[1].depex, depex_true, 2);
	assert_int_equal(r.files[1].nsections, 16); /* 14 + the raw ones inside */
	assert_int_equal(r.files[2].type, MM_FFS_RAW);
	assert_int_equal(r.files[2].nsections, 0);
	free(s.p);
	free(inner.p);
	free(f.p);
	free(v.p);
}

/* FFS3: a large file (EFI_FFS_FILE_HEADER2) holding a driver. */
static void test_mm_fv_parse_ffs3_large_file(void **state)
{
	struct fv_buf s = { 0 }, f = { 0 }, v = { 0 };
	struct rec r;

	(void)state;
	driver_sections(&s, "Large");
	fv_add_file(&f, &file_a, MM_FFS_MM_STANDALONE, 0, s.p, s.len, true);
	make_volume(&v, &ffs3, &f, false);
	corpus(&v, "ffs3-large-file.fv");
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.volumes[0].ffs_version, 3);
	assert_int_equal(r.nfiles, 1);
	assert_int_equal(r.files[0].type, MM_FFS_MM_STANDALONE);
	assert_int_equal(r.files[0].size, 32 + s.len);
	assert_string_equal(r.files[0].ui, "Large");
	assert_true(mm_ffs_is_mm_driver(r.files[0].type));
	/* the same file in an FFS2 volume is refused */
	v.len = 0;
	make_volume(&v, &ffs2, &f, false);
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_FILE_HEADER, 72);
	free(s.p);
	free(f.p);
	free(v.p);
}

/* A firmware-volume-image file whose section holds a volume of one driver. */
static void test_mm_fv_parse_nested_volume(void **state)
{
	struct fv_buf inner = { 0 }, s = { 0 }, f = { 0 }, v = { 0 };
	struct rec r;

	(void)state;
	driver_volume(&inner, &ffs2, "Inner");
	fv_add_section(&s, MM_SEC_FIRMWARE_VOLUME_IMAGE, inner.p, inner.len, false);
	fv_add_file(&f, &file_a, MM_FFS_FIRMWARE_VOLUME_IMAGE, 0, s.p, s.len, false);
	make_volume(&v, &ffs2, &f, false);
	corpus(&v, "nested.fv");
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.nvolumes, 2);
	assert_int_equal(r.volumes[1].depth, 1);
	assert_int_equal(r.volumes[1].at.image_offset, 72 + 24 + 4);
	assert_int_equal(r.nfiles, 2);
	assert_int_equal(r.files[0].type, MM_FFS_FIRMWARE_VOLUME_IMAGE); /* container first */
	assert_int_equal(r.files[1].depth, 1);
	assert_string_equal(r.files[1].ui, "Inner");
	assert_int_equal(r.files[1].image_offset, 72 + 24 + 4 + 72);
	free(inner.p);
	free(s.p);
	free(f.p);
	free(v.p);
}

/* Builds: volume { FV_IMAGE file { LZMA section { FV image section { driver volume } } } }. */
static size_t lzma_image(struct fv_buf *v, bool garbage, uint64_t announce)
{
	struct fv_buf inner = { 0 }, plain = { 0 }, packed = { 0 }, s = { 0 }, f = { 0 };

	driver_volume(&inner, &ffs2, "Packed");
	fv_add_section(&plain, MM_SEC_FIRMWARE_VOLUME_IMAGE, inner.p, inner.len, false);
	lzma_pack(&packed, plain.p, plain.len);
	if (garbage)
		memset(packed.p + 13 + 8, 0x5A, packed.len - 13 - 16);
	if (announce)
		memcpy(packed.p + 5, &announce, 8);
	add_guided(&s, &lzma_guid, 1, packed.p, packed.len);
	fv_add_file(&f, &file_a, MM_FFS_FIRMWARE_VOLUME_IMAGE, 0, s.p, s.len, false);
	make_volume(v, &ffs2, &f, false);
	free(inner.p);
	free(plain.p);
	free(packed.p);
	free(s.p);
	free(f.p);
	return 72 + 24; /* the LZMA section's offset */
}

static void test_mm_fv_parse_lzma_section(void **state)
{
	struct fv_buf v = { 0 };
	size_t sec = lzma_image(&v, false, 0);
	struct rec r;

	(void)state;
	corpus(&v, "lzma.fv");
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_int_equal(r.nproblems, 0);
	assert_int_equal(r.nvolumes, 2);
	assert_int_equal(r.nfiles, 2);
	assert_string_equal(r.files[1].ui, "Packed");
	assert_int_equal(r.files[1].type, MM_FFS_MM);
	assert_int_equal(r.files[1].buffer_depth, 1);
	assert_int_equal(r.files[1].image_offset, sec);
	assert_int_equal(r.files[1].offset, 4 + 72); /* in the decompressed buffer */
	assert_true(r.files[1].pe32);
	assert_int_equal(r.files[1].depex_len, 2);
	free(v.p);
}

static void test_mm_fv_parse_crc32_section(void **state)
{
	struct fv_buf inner = { 0 }, payload = { 0 }, s = { 0 }, f = { 0 }, v = { 0 };
	uint32_t crc;
	struct rec r;

	(void)state;
	driver_sections(&inner, "Crc");
	crc = lzma_crc32(inner.p, inner.len, 0);
	/* EFI_GUID_DEFINED_SECTION + CRC32, DataOffset past it */
	fv_put(&payload, &crc32_guid, 16);
	fv_put(&payload, &(uint16_t){ 4 + 24 }, 2);
	fv_put(&payload, &(uint16_t){ 2 }, 2);
	fv_put(&payload, &crc, 4);
	fv_put(&payload, inner.p, inner.len);
	fv_add_section(&s, MM_SEC_GUID_DEFINED, payload.p, payload.len, false);
	fv_add_file(&f, &file_a, MM_FFS_MM, 0, s.p, s.len, false);
	make_volume(&v, &ffs2, &f, false);
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_int_equal(r.nproblems, 0);
	assert_string_equal(r.files[0].ui, "Crc");
	f.p[f.len - 1] ^= 1; /* inside the UI name: the CRC no longer matches */
	v.len = 0;
	make_volume(&v, &ffs2, &f, false);
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_SECTION, 72 + 24);
	free(inner.p);
	free(payload.p);
	free(s.p);
	free(f.p);
	free(v.p);
}

/* ---- corruptions: each reported with its offset and skipped ---- */

/* A buffer with junk, then a good volume at 0x100. */
static void at_0x100(struct fv_buf *b)
{
	struct fv_buf v = { 0 };

	fv_put(b, NULL, 0x100);
	driver_volume(&v, &ffs2, "Good");
	fv_put(b, v.p, v.len);
	free(v.p);
}

static void test_mm_fv_parse_bad_volume_checksum(void **state)
{
	struct fv_buf b = { 0 };
	struct rec r;

	(void)state;
	at_0x100(&b);
	b.p[0x100 + 60] ^= 0x10; /* block length */
	corpus(&b, "bad-volume-checksum.fv");
	assert_int_equal(walk(&b, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_VOLUME_HEADER, 0x100);
	assert_int_equal(r.nfiles, 0);
	free(b.p);
}

static void test_mm_fv_parse_volume_past_end(void **state)
{
	struct fv_buf b = { 0 };
	struct rec r;

	(void)state;
	at_0x100(&b);
	b.len -= 8;
	assert_int_equal(walk(&b, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_VOLUME_LENGTH, 0x100);
	free(b.p);
}

/* Rewrites the size of the file at off (header checksum fixed up). */
static void set_file_size(struct fv_buf *b, size_t vol, size_t off, uint32_t size)
{
	uint8_t *h = b->p + vol + off;

	(void)vol;
	h[20] = (uint8_t)size;
	h[21] = (uint8_t)(size >> 8);
	h[22] = (uint8_t)(size >> 16);
	h[16] = 0;
	h[16] = (uint8_t)-(uint8_t)(fv_sum8(h, 24) - h[17] - h[23]);
}

static void test_mm_fv_parse_file_past_end(void **state)
{
	struct fv_buf b = { 0 };
	struct rec r;

	(void)state;
	at_0x100(&b);
	set_file_size(&b, 0x100, 72, 0x10000);
	assert_int_equal(walk(&b, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_FILE_LENGTH, 0x100 + 72);
	free(b.p);
}

static void test_mm_fv_parse_file_overlap(void **state)
{
	struct fv_buf b = { 0 };
	struct rec r;

	(void)state;
	at_0x100(&b);
	set_file_size(&b, 0x100, 72, 16);
	corpus(&b, "file-overlap.fv");
	assert_int_equal(walk(&b, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_FILE_OVERLAP, 0x100 + 72);
	free(b.p);
}

static void test_mm_fv_parse_bad_file_header_checksum(void **state)
{
	struct fv_buf b = { 0 };
	struct rec r;

	(void)state;
	at_0x100(&b);
	b.p[0x100 + 72 + 3] ^= 1; /* file name */
	assert_int_equal(walk(&b, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_FILE_HEADER, 0x100 + 72);
	assert_int_equal(r.nfiles, 0);
	free(b.p);
}

static void test_mm_fv_parse_bad_file_checksum(void **state)
{
	struct fv_buf b = { 0 };
	struct rec r;

	(void)state;
	at_0x100(&b);
	b.p[0x100 + 72 + 24 + 4 + 1] ^= 1; /* DEPEX byte: data checksum now wrong */
	assert_int_equal(walk(&b, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_FILE_CHECKSUM, 0x100 + 72);
	free(b.p);
}

static void test_mm_fv_parse_lzma_garbage(void **state)
{
	struct fv_buf v = { 0 };
	size_t sec = lzma_image(&v, true, 0);
	struct rec r;

	(void)state;
	corpus(&v, "lzma-garbage.fv");
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_true(r.nproblems >= 1);
	/* garbage either fails to decode or decodes to sections that are wrong */
	assert_true(r.problems[0].kind == MM_FVP_DECOMPRESS || r.problems[0].buffer_depth == 1);
	assert_int_equal(r.problems[0].image_offset, sec);
	assert_int_equal(r.nfiles, 1); /* only the container */
	free(v.p);
}

static void test_mm_fv_parse_lzma_bomb(void **state)
{
	struct fv_buf v = { 0 };
	size_t sec = lzma_image(&v, false, 1ull << 30);
	struct rec r;

	(void)state;
	corpus(&v, "lzma-bomb.fv");
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_BOMB, sec);
	free(v.p);
}

static void test_mm_fv_parse_lzma_longer_than_announced(void **state)
{
	struct fv_buf v = { 0 };
	size_t sec = lzma_image(&v, false, 40); /* the stream holds more than 40 bytes */
	struct rec r;

	(void)state;
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_true(r.nproblems >= 1);
	assert_int_equal(r.problems[0].image_offset, sec);
	assert_int_equal(r.nfiles, 1);
	free(v.p);
}

static void test_mm_fv_parse_malformed_depex(void **state)
{
	struct fv_buf s = { 0 }, f = { 0 }, v = { 0 };
	const uint8_t bad[] = { 0x02, 1, 2, 3 }; /* PUSH with a truncated GUID */
	struct rec r;

	(void)state;
	fv_add_section(&s, MM_SEC_MM_DEPEX, bad, sizeof(bad), false);
	fv_add_ui(&s, "BadDepex");
	fv_add_file(&f, &file_a, MM_FFS_MM, 0, s.p, s.len, false);
	make_volume(&v, &ffs2, &f, false);
	corpus(&v, "bad-depex.fv");
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_DEPEX, 72 + 24);
	assert_int_equal(r.nfiles, 1);
	assert_int_equal(r.files[0].depex_len, 0);
	assert_string_equal(r.files[0].ui, "BadDepex");
	free(s.p);
	free(f.p);
	free(v.p);
}

static void test_mm_fv_parse_tiano_unsupported(void **state)
{
	struct fv_buf s = { 0 }, f = { 0 }, v = { 0 };
	uint8_t comp[9] = { 4, 0, 0, 0, 1 };
	struct rec r;

	(void)state;
	fv_add_section(&s, MM_SEC_COMPRESSION, comp, sizeof(comp), false);
	add_guided(&s, &tiano_guid, 1, comp, sizeof(comp));
	fv_add_file(&f, &file_a, MM_FFS_DRIVER, 0, s.p, s.len, false);
	make_volume(&v, &ffs2, &f, false);
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_int_equal(r.nproblems, 2);
	assert_int_equal(r.problems[0].kind, MM_FVP_UNSUPPORTED);
	assert_int_equal(r.problems[0].image_offset, 72 + 24);
	assert_int_equal(r.problems[1].kind, MM_FVP_UNSUPPORTED);
	assert_int_equal(r.problems[1].image_offset, 72 + 24 + 16);
	free(s.p);
	free(f.p);
	free(v.p);
}

static void test_mm_fv_parse_section_past_end(void **state)
{
	struct fv_buf s = { 0 }, f = { 0 }, v = { 0 };
	struct rec r;

	(void)state;
	driver_sections(&s, "Cut");
	s.p[8 + 2] = 0x10; /* PE32 section (at 8) size, high byte */
	fv_add_file(&f, &file_a, MM_FFS_MM, 0, s.p, s.len, false);
	make_volume(&v, &ffs2, &f, false);
	assert_int_equal(walk(&v, &r), MM_OK);
	assert_one_problem(&r, MM_FVP_SECTION, 72 + 24 + 8);
	assert_int_equal(r.nfiles, 1);
	free(s.p);
	free(f.p);
	free(v.p);
}

static void test_mm_fv_parse_no_volume(void **state)
{
	uint8_t junk[256] = { 0 };
	struct rec r;
	char err[128];

	(void)state;
	assert_int_equal(mm_fv_parse(junk, sizeof(junk), &recorder, &r, err, sizeof(err)),
			 MM_ERR_NOT_FOUND);
	assert_non_null(strstr(err, "_FVH"));
	assert_int_equal(mm_fv_parse(NULL, 8, &recorder, &r, err, sizeof(err)), MM_ERR_INVALID);
}

static void test_mm_lzma_section_decode_limits(void **state)
{
	struct fv_buf p = { 0 };
	uint8_t data[1000], *out = NULL;
	size_t outlen;
	char err[160];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i % 7);
	lzma_pack(&p, data, sizeof(data));
	assert_int_equal(mm_lzma_section_decode(p.p, p.len, 1 << 20, &out, &outlen, err,
						sizeof(err)), MM_OK);
	assert_int_equal(outlen, sizeof(data));
	assert_memory_equal(out, data, sizeof(data));
	free(out);
	assert_int_equal(mm_lzma_section_decode(p.p, p.len, 999, &out, &outlen, err,
						sizeof(err)), MM_ERR_RANGE);
	assert_int_equal(mm_lzma_section_decode(p.p, 12, 1 << 20, &out, &outlen, err,
						sizeof(err)), MM_ERR_FORMAT);
	assert_int_equal(mm_lzma_section_decode(p.p, p.len / 2, 1 << 20, &out, &outlen, err,
						sizeof(err)), MM_ERR_FORMAT);
	memset(p.p + 5, 0xFF, 8); /* unknown size */
	assert_int_equal(mm_lzma_section_decode(p.p, p.len, 1 << 20, &out, &outlen, err,
						sizeof(err)), MM_ERR_RANGE);
	free(p.p);
}

/* ---- the real thing ---- */

static void test_mm_fv_parse_ovmf(void **state)
{
	static const char *const drivers[] = { "CpuIo2Smm", "SmmLockBox", "FvbServicesSmm",
					       "SmmFaultTolerantWriteDxe", "VariableSmm" };
	struct rec *r = calloc(1, sizeof(*r));
	FILE *devnull;
	struct fv_buf b;
	char err[256];

	(void)state;
	if (access(OVMF_IMAGE, R_OK)) {
		print_message("SKIPPED: %s missing (install the Debian package ovmf)\n",
			      OVMF_IMAGE);
		free(r);
		skip();
	}
	b.p = mm_test_read_file(OVMF_IMAGE, &b.len);
	assert_int_equal(mm_fv_parse(b.p, b.len, &recorder, r, err, sizeof(err)), MM_OK);
	assert_int_equal(r->nproblems, 0);
	assert_true(r->nvolumes >= 3);
	for (size_t d = 0; d < sizeof(drivers) / sizeof(drivers[0]); d++) {
		const struct seen_file *found = NULL;
		char text[1024];

		for (unsigned i = 0; i < r->nfiles && i < 200; i++)
			if (!strcmp(r->files[i].ui, drivers[d]))
				found = &r->files[i];
		assert_non_null(found);
		assert_int_equal(found->type, MM_FFS_MM);
		assert_true(found->pe32);
		assert_int_not_equal(found->depex_len, 0);
		assert_int_equal(found->buffer_depth, 1); /* inside the LZMA section */
		mm_depex_format(found->depex, found->depex_len, text, sizeof(text));
		assert_non_null(strstr(text, "PUSH"));
		assert_non_null(strstr(text, "END"));
	}
	free(b.p);
	free(r);
	devnull = fopen("/dev/null", "w");
	assert_int_equal(mm_fv_list(OVMF_IMAGE, devnull), MM_OK);
	fclose(devnull);
}

static void test_mm_fv_list_errors(void **state)
{
	char path[] = "/tmp/mmemu-fv-test-XXXXXX";
	FILE *devnull = fopen("/dev/null", "w");
	struct fv_buf b = { 0 };
	int fd;

	(void)state;
	assert_int_equal(mm_fv_list("/nonexistent/image.fd", devnull), MM_ERR_IO);
	assert_int_equal(mm_fv_list(NULL, devnull), MM_ERR_INVALID);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	at_0x100(&b);
	b.p[0x100 + 72 + 3] ^= 1;
	assert_int_equal(write(fd, b.p, b.len), (ssize_t)b.len);
	close(fd);
	assert_int_equal(mm_fv_list(path, devnull), MM_ERR_FORMAT);
	b.p[0x100 + 72 + 3] ^= 1;
	fd = open(path, O_WRONLY | O_TRUNC);
	assert_int_equal(write(fd, b.p, b.len), (ssize_t)b.len);
	close(fd);
	assert_int_equal(mm_fv_list(path, devnull), MM_OK);
	unlink(path);
	fclose(devnull);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_fv_parse_ffs2_every_section),
		cmocka_unit_test(test_mm_fv_parse_ffs3_large_file),
		cmocka_unit_test(test_mm_fv_parse_nested_volume),
		cmocka_unit_test(test_mm_fv_parse_lzma_section),
		cmocka_unit_test(test_mm_fv_parse_crc32_section),
		cmocka_unit_test(test_mm_fv_parse_bad_volume_checksum),
		cmocka_unit_test(test_mm_fv_parse_volume_past_end),
		cmocka_unit_test(test_mm_fv_parse_file_past_end),
		cmocka_unit_test(test_mm_fv_parse_file_overlap),
		cmocka_unit_test(test_mm_fv_parse_bad_file_header_checksum),
		cmocka_unit_test(test_mm_fv_parse_bad_file_checksum),
		cmocka_unit_test(test_mm_fv_parse_lzma_garbage),
		cmocka_unit_test(test_mm_fv_parse_lzma_bomb),
		cmocka_unit_test(test_mm_fv_parse_lzma_longer_than_announced),
		cmocka_unit_test(test_mm_fv_parse_malformed_depex),
		cmocka_unit_test(test_mm_fv_parse_tiano_unsupported),
		cmocka_unit_test(test_mm_fv_parse_section_past_end),
		cmocka_unit_test(test_mm_fv_parse_no_volume),
		cmocka_unit_test(test_mm_lzma_section_decode_limits),
		cmocka_unit_test(test_mm_fv_parse_ovmf),
		cmocka_unit_test(test_mm_fv_list_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
