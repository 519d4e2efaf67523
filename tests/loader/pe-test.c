/* SPDX-License-Identifier: MIT */
/*
 * Tests of loader/pe.c (and the loader front end, loader/image.c): the
 * PE32+ and TE builds of tests/drivers/pe/pe-sample.c parse as built, load
 * into SMRAM relocated, with .bss zero, registered and owned by the driver;
 * an image without relocations loads only at its base; hostile images made
 * by patching a good one in memory (truncated, bad signatures, machine,
 * sizes, alignment, section table, overlapping sections, relocations outside
 * the image or of unsupported types) fail with MM_ERR_FORMAT and a message
 * "offset 0x..: reason", never a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support.h"

#include "core/machine.h"
#include "loader/image.h"
#include "loader/pe.h"

#define IMG(name) MMEMU_TEST_DRIVER_DIR "/pe/" name
#define PE_PATH IMG("pe-sample.efi")
#define TE_PATH IMG("pe-sample.te")
#define FIXED_PATH IMG("pe-sample-fixed.efi")
#define FIXED_BASE 0x0F900000ull

/* A file read whole. */
struct file {
	uint8_t *b;
	size_t n;
};

static struct file slurp(const char *path)
{
	struct file f = { 0 };

	f.b = mm_test_read_file(path, &f.n);
	return f;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static void wr16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, 2);
}

static void wr32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void wr64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* File offsets of the PE headers of f. */
static size_t coff(const struct file *f)
{
	return rd32(f->b + 0x3C) + 4;
}

static size_t opt(const struct file *f)
{
	return coff(f) + sizeof(struct pe_file_header);
}

static size_t sect(const struct file *f, unsigned i)
{
	uint16_t optsize;

	memcpy(&optsize, f->b + coff(f) + 16, 2);
	return opt(f) + optsize + i * sizeof(struct pe_section_header);
}

/* Parses f and expects MM_ERR_FORMAT with a message containing why. */
static void expect_bad(const struct file *f, const char *why)
{
	struct mm_pe_info *info = malloc(sizeof(*info));
	char err[256];

	assert_non_null(info);
	if (mm_pe_parse(f->b, f->n, info, err, sizeof(err)) != MM_ERR_FORMAT)
		fail_msg("accepted, expected \"%s\"", why);
	assert_memory_equal(err, "offset 0x", 9);
	if (!strstr(err, why))
		fail_msg("message \"%s\" lacks \"%s\"", err, why);
	free(info);
}

/* Every DIR64 target of the loaded image must now point into it. */
static void check_relocated(const struct mm_pe_info *info, const struct mm_loaded_image *li)
{
	const uint8_t *img = (const uint8_t *)(uintptr_t)li->base;
	uint64_t off = info->reloc_dir.VirtualAddress;
	unsigned seen = 0;

	for (uint64_t pos = 0; pos < info->reloc_dir.Size;) {
		const uint8_t *b = img + off + pos;
		uint32_t page = rd32(b), size = rd32(b + 4);

		for (uint32_t k = 8; k < size; k += 2) {
			uint16_t e;

			memcpy(&e, b + k, 2);
			if (e >> 12 != PE_REL_BASED_DIR64)
				continue;
			uint64_t v = rd64(img + page + (e & 0xFFF));

			assert_true(v >= li->base && v < li->base + li->size);
			seen++;
		}
		pos += size;
	}
	assert_int_equal(seen, info->reloc_count[PE_REL_BASED_DIR64]);
}

static void test_mm_pe_parse_sample(void **state)
{
	struct file f = slurp(PE_PATH);
	struct mm_pe_info info;
	char err[256];

	(void)state;
	assert_int_equal(mm_pe_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	assert_int_equal(info.format, MM_IMAGE_PE32PLUS);
	assert_int_equal(info.machine, PE_MACHINE_X64);
	assert_int_equal(info.image_base, 0x180000000ull);
	assert_int_equal(info.section_alignment, 0x1000);
	assert_true(info.has_relocs);
	assert_true(info.reloc_count[PE_REL_BASED_DIR64] >= 3);
	assert_string_equal(info.sections[0].name, ".text");
	assert_string_equal(info.debug_kind, "RSDS");
	assert_non_null(strstr(info.debug_path, "pe-sample.pdb"));
	assert_true(mm_pe_code_data_apart(&info));
	free(f.b);
}

static void test_mm_pe_parse_te_matches_pe(void **state)
{
	struct file pe = slurp(PE_PATH), te = slurp(TE_PATH);
	struct mm_pe_info a, b;
	char err[256];

	(void)state;
	assert_int_equal(mm_pe_parse(pe.b, pe.n, &a, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_pe_parse(te.b, te.n, &b, err, sizeof(err)), MM_OK);
	assert_int_equal(b.format, MM_IMAGE_TE);
	assert_int_equal(b.te_adjust + 40, sect(&pe, 0));
	assert_int_equal(b.entry_rva, a.entry_rva);
	assert_int_equal(b.image_base, a.image_base);
	assert_int_equal(b.nsections, a.nsections);
	assert_int_equal(b.size_of_image, a.size_of_image);
	assert_memory_equal(b.reloc_count, a.reloc_count, sizeof(a.reloc_count));
	assert_string_equal(b.debug_path, a.debug_path);
	for (unsigned i = 0; i < a.nsections; i++) {
		assert_int_equal(b.sections[i].rva, a.sections[i].rva);
		assert_memory_equal(te.b + b.sections[i].file_off, pe.b + a.sections[i].file_off,
				    a.sections[i].copy_size);
	}
	free(pe.b);
	free(te.b);
}

/* Loads path into m and checks placement, relocation, .bss, registration, owner. */
static void load_and_check(struct mm_machine *m, const char *path, struct mm_loaded_image *li)
{
	struct file f = slurp(path);
	struct mm_pe_info info;
	struct mm_page_run *r;
	char err[256];
	const uint8_t *img;

	assert_int_equal(mm_pe_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_image_load_file(m, path, li), MM_OK);
	img = (const uint8_t *)(uintptr_t)li->base;
	assert_int_equal(li->base % 0x1000, 0);
	assert_true(mm_mem_inside_smram(m, li->base, li->size));
	assert_int_equal(li->entry, li->base + info.entry_rva);
	assert_int_equal(li->delta, li->base - info.image_base);
	assert_true(li->code_data_apart);
	assert_non_null(li->img);
	assert_ptr_equal(mm_image_find(m, li->entry), li->img);
	assert_int_equal(li->img->engine, MM_ENGINE_EMULATED);
	assert_string_equal(li->img->name, "pe-sample");
	/* The loaded headers record the new base, like a firmware loader's. */
	assert_int_equal(rd64(img + info.hdr_rva + info.image_base_off), li->base);
	for (unsigned i = 0; i < info.nsections; i++) {
		const struct mm_pe_section *s = &info.sections[i];

		if (strcmp(s->name, ".text") == 0)
			assert_memory_equal(img + s->rva, f.b + s->file_off, s->copy_size);
		for (uint32_t k = s->copy_size; k < s->vsize; k++)
			assert_int_equal(img[s->rva + k], 0);
	}
	check_relocated(&info, li);
	r = mm_page_find(&m->smram, li->base, li->size);
	assert_non_null(r);
	assert_true(r->internal);
	assert_string_equal(r->owner, "pe-sample");
	free(f.b);
}

static void test_mm_image_load_file_pe(void **state)
{
	struct mm_loaded_image li;
	struct mm_machine *m;
	char err[256];
	uint64_t base;

	(void)state;
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	load_and_check(m, PE_PATH, &li);
	assert_int_equal(li.format, MM_IMAGE_PE32PLUS);
	base = li.base;
	mm_image_remove(m, li.img);
	assert_false(mm_page_is_allocated(&m->smram, base, 1));
	mm_machine_destroy(m);
}

static void test_mm_image_load_file_te(void **state)
{
	struct mm_loaded_image pe, te;
	struct mm_machine *m;
	char err[256];

	(void)state;
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	load_and_check(m, PE_PATH, &pe);
	load_and_check(m, TE_PATH, &te);
	assert_int_equal(te.format, MM_IMAGE_TE);
	assert_int_not_equal(pe.base, te.base);
	/* Same code, same entry offset: the TE adjustment was applied. */
	assert_int_equal(te.entry - te.base, pe.entry - pe.base);
	assert_memory_equal((void *)(uintptr_t)te.entry, (void *)(uintptr_t)pe.entry, 0x40);
	mm_machine_destroy(m);
}

static void test_mm_image_load_file_fixed_base(void **state)
{
	struct mm_loaded_image li, again;
	struct mm_machine *m;
	char err[256];

	(void)state;
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_image_load_file(m, FIXED_PATH, &li), MM_OK);
	assert_int_equal(li.base, FIXED_BASE);
	assert_int_equal(li.delta, 0);
	/* Its base is now taken: a second copy cannot load. */
	assert_int_equal(mm_image_load_file(m, FIXED_PATH, &again), MM_ERR_NOT_FOUND);
	assert_non_null(strstr(mm_machine_error(m), "not free"));
	assert_non_null(strstr(mm_machine_error(m), FIXED_PATH));
	mm_machine_destroy(m);
}

static void test_mm_image_load_buffer_fixed_outside_smram(void **state)
{
	struct file f = slurp(FIXED_PATH);
	struct mm_loaded_image li;
	struct mm_machine *m;
	char err[256];

	(void)state;
	wr64(f.b + opt(&f) + 24, 0x180000000ull);
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_image_load_buffer(m, "fixed", NULL, f.b, f.n, &li), MM_ERR_NOT_FOUND);
	assert_non_null(strstr(mm_machine_error(m), "not page-aligned SMRAM"));
	assert_null(li.img);
	mm_machine_destroy(m);
	free(f.b);
}

static void test_mm_image_load_buffer_bad_names_image(void **state)
{
	struct file f = slurp(PE_PATH);
	struct mm_loaded_image li;
	struct mm_machine *m;
	char err[256];
	unsigned before;

	(void)state;
	wr16(f.b + coff(&f), 0x14C); /* i386 */
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	before = m->images.count;
	assert_int_equal(mm_image_load_buffer(m, "bad", NULL, f.b, f.n, &li), MM_ERR_FORMAT);
	assert_memory_equal(mm_machine_error(m), "bad: offset 0x", 14);
	assert_non_null(strstr(mm_machine_error(m), "not x86-64"));
	assert_int_equal(m->images.count, before);
	mm_machine_destroy(m);
	free(f.b);
}

static void test_mm_pe_parse_truncated(void **state)
{
	struct file f = slurp(PE_PATH);
	struct mm_pe_info *info = malloc(sizeof(*info));
	char err[256];

	(void)state;
	/* Every cut short of the last section's bytes must fail cleanly. */
	for (size_t n = 0; n < sect(&f, 0) + 0x200 + 0x200 + 0x200; n += 7)
		assert_int_equal(mm_pe_parse(f.b, n, info, err, sizeof(err)), MM_ERR_FORMAT);
	free(info);
	free(f.b);
}

static void test_mm_pe_parse_bad_headers(void **state)
{
	struct file f = slurp(PE_PATH);
	uint8_t *keep = malloc(f.n);

	(void)state;
	memcpy(keep, f.b, f.n);
#define MUTATE(stmt, why) do { memcpy(f.b, keep, f.n); stmt; expect_bad(&f, why); } while (0)
	MUTATE(wr16(f.b, 0x1234), "neither a PE");
	MUTATE(wr32(f.b + 0x3C, 0xFFFFFFF0u), "e_lfanew");
	MUTATE(wr32(f.b + coff(&f) - 4, 0x4551), "no PE signature");
	MUTATE(wr16(f.b + coff(&f), 0xAA64), "not x86-64");
	MUTATE(wr16(f.b + coff(&f) + 2, 0), "section count");
	MUTATE(wr16(f.b + coff(&f) + 2, 96), "headers size");
	MUTATE(wr16(f.b + coff(&f) + 16, 8), "optional header size");
	MUTATE(wr16(f.b + opt(&f), 0x10B), "not PE32+");
	MUTATE(wr32(f.b + opt(&f) + 108, 17), "data directories");
	MUTATE(wr32(f.b + opt(&f) + 32, 0x1800), "section alignment");
	MUTATE(wr32(f.b + opt(&f) + 36, 0x2000), "file alignment");
	MUTATE(wr32(f.b + opt(&f) + 56, 0x10000000u), "image size");
	MUTATE(wr32(f.b + opt(&f) + 56, 0x3000), "ends past the image size");
	MUTATE(wr32(f.b + opt(&f) + 60, 0x10000), "headers size");
	MUTATE(wr32(f.b + opt(&f) + 16, 0), "no entry point");
	MUTATE(wr32(f.b + opt(&f) + 16, 0x7800), "not inside any section");
#undef MUTATE
	free(keep);
	free(f.b);
}

static void test_mm_pe_parse_bad_sections(void **state)
{
	struct file f = slurp(PE_PATH);
	uint8_t *keep = malloc(f.n);

	(void)state;
	memcpy(keep, f.b, f.n);
#define MUTATE(stmt, why) do { memcpy(f.b, keep, f.n); stmt; expect_bad(&f, why); } while (0)
	/* section 1 moved onto section 0 */
	MUTATE(wr32(f.b + sect(&f, 1) + 12, 0x1000), "overlaps");
	/* section 0 grown into section 1 */
	MUTATE(wr32(f.b + sect(&f, 0) + 8, 0x1001), "overlaps");
	MUTATE(wr32(f.b + sect(&f, 0) + 12, 0x1100), "not aligned");
	MUTATE(wr32(f.b + sect(&f, 0) + 12, 0), "overlaps the headers");
	MUTATE(wr32(f.b + sect(&f, 1) + 20, 0xFFFFFF00u), "past the end of the file");
	MUTATE(wr32(f.b + sect(&f, 1) + 20, 0x10), "lies in the headers");
	MUTATE(wr32(f.b + sect(&f, 3) + 8, 0x7FFFFFFFu), "ends past the image size");
#undef MUTATE
	free(keep);
	free(f.b);
}

static void test_mm_pe_parse_bad_relocations(void **state)
{
	struct file f = slurp(PE_PATH);
	uint8_t *keep = malloc(f.n);
	struct mm_pe_info info;
	char err[256];
	size_t rel;

	(void)state;
	assert_int_equal(mm_pe_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	rel = info.sections[3].file_off; /* .reloc */
	memcpy(keep, f.b, f.n);
#define MUTATE(stmt, why) do { memcpy(f.b, keep, f.n); stmt; expect_bad(&f, why); } while (0)
	MUTATE(wr32(f.b + rel, 0x7FF0000), "outside the image");
	MUTATE(wr32(f.b + rel, 0x7FFF), "outside the image");
	MUTATE(wr16(f.b + rel + 8, 0x3000), "type 3 not supported");
	MUTATE(wr32(f.b + rel + 4, 4), "block size");
	MUTATE(wr32(f.b + rel + 4, 0x1000), "block size");
	MUTATE(wr32(f.b + opt(&f) + 112 + 5 * 8, 0x7F00), "relocation directory");
	MUTATE(wr32(f.b + opt(&f) + 112 + 5 * 8 + 4, 0x10000), "relocation directory");
	MUTATE(wr32(f.b + opt(&f) + 112 + 6 * 8, 0x9000), "debug directory");
#undef MUTATE
	free(keep);
	free(f.b);
}

static void test_mm_pe_parse_bad_te(void **state)
{
	struct file f = slurp(TE_PATH);
	uint8_t *keep = malloc(f.n);
	struct mm_pe_info *info = malloc(sizeof(*info));
	char err[256];

	(void)state;
	memcpy(keep, f.b, f.n);
#define MUTATE(stmt, why) do { memcpy(f.b, keep, f.n); stmt; expect_bad(&f, why); } while (0)
	MUTATE(wr16(f.b + 2, 0x14C), "not x86-64");
	MUTATE(f.b[4] = 0, "section count");
	MUTATE(f.b[4] = 200, "section count");
	MUTATE(wr16(f.b + 6, 8), "stripped size");
	MUTATE(wr16(f.b + 6, 0xFFFF), "overlaps the headers");
	MUTATE(wr32(f.b + 8, 0), "no entry point");
	MUTATE(wr32(f.b + 40 + 12, 0x2000), "overlaps");
	MUTATE(wr32(f.b + 40 + 8, 0x7FFFFFFF), "past the image size");
	MUTATE(wr32(f.b + 24, 0x7F00), "relocation directory");
#undef MUTATE
	for (size_t n = 0; n < 40 + 4 * 40 + 0x400; n += 5)
		assert_int_equal(mm_pe_parse(f.b, n, info, err, sizeof(err)), MM_ERR_FORMAT);
	free(info);
	free(keep);
	free(f.b);
}

/* Random single-byte corruption of the headers: any result, never a crash. */
static void test_mm_pe_parse_header_noise(void **state)
{
	struct file f = slurp(PE_PATH);
	uint8_t *copy = malloc(f.n);
	struct mm_pe_info *info = malloc(sizeof(*info));
	uint32_t seed = 12345;
	char err[256];

	(void)state;
	for (unsigned i = 0; i < 4000; i++) {
		memcpy(copy, f.b, f.n);
		for (unsigned k = 0; k < 3; k++) {
			seed = seed * 1103515245u + 12345u;
			copy[(seed >> 8) % 0x400] = (uint8_t)(seed >> 24);
		}
		if (mm_pe_parse(copy, f.n, info, err, sizeof(err)) == MM_OK) {
			uint8_t *img = calloc(1, info->size_of_image);

			assert_non_null(img);
			mm_pe_place(copy, info, img);
			mm_pe_relocate(copy, f.n, info, img, 0x1000);
			free(img);
		} else {
			assert_memory_equal(err, "offset 0x", 9);
		}
	}
	free(info);
	free(copy);
	free(f.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_pe_parse_sample),
		cmocka_unit_test(test_mm_pe_parse_te_matches_pe),
		cmocka_unit_test(test_mm_image_load_file_pe),
		cmocka_unit_test(test_mm_image_load_file_te),
		cmocka_unit_test(test_mm_image_load_file_fixed_base),
		cmocka_unit_test(test_mm_image_load_buffer_fixed_outside_smram),
		cmocka_unit_test(test_mm_image_load_buffer_bad_names_image),
		cmocka_unit_test(test_mm_pe_parse_truncated),
		cmocka_unit_test(test_mm_pe_parse_bad_headers),
		cmocka_unit_test(test_mm_pe_parse_bad_sections),
		cmocka_unit_test(test_mm_pe_parse_bad_relocations),
		cmocka_unit_test(test_mm_pe_parse_bad_te),
		cmocka_unit_test(test_mm_pe_parse_header_noise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
