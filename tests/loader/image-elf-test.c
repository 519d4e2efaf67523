/* SPDX-License-Identifier: MIT */
/*
 * Tests of loader/image-elf.c: the ELF build of tests/drivers/pe/pe-sample.c
 * parses, loads into SMRAM with its R_X86_64_RELATIVE relocations applied
 * and its .bss zero, and is registered as an emulated image; hostile copies
 * (wrong class, type, machine, program headers past the file, segment data
 * past the file, filesz > memsz, overlapping segments, absurd sizes, entry
 * outside, relocations outside the image or of other types, DT_NEEDED,
 * truncated files) fail with MM_ERR_FORMAT and "offset 0x..: reason".
 */
#include <elf.h>
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

#define ELF_PATH MMEMU_TEST_DRIVER_DIR "/pe/pe-sample.elf"

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

static Elf64_Ehdr *ehdr(struct file *f)
{
	return (Elf64_Ehdr *)f->b;
}

/* The i-th program header of type type (a pointer into f's bytes). */
static Elf64_Phdr *phdr(struct file *f, uint32_t type, unsigned nth)
{
	Elf64_Phdr *ph = (Elf64_Phdr *)(f->b + ehdr(f)->e_phoff);

	for (unsigned i = 0; i < ehdr(f)->e_phnum; i++)
		if (ph[i].p_type == type && nth-- == 0)
			return &ph[i];
	fail_msg("no program header of type %u", type);
	return NULL;
}

/* The dynamic entry with tag tag. */
static Elf64_Dyn *dyn(struct file *f, int64_t tag)
{
	Elf64_Phdr *d = phdr(f, PT_DYNAMIC, 0);
	Elf64_Dyn *e = (Elf64_Dyn *)(f->b + d->p_offset);

	for (; e->d_tag != DT_NULL; e++)
		if (e->d_tag == tag)
			return e;
	fail_msg("no dynamic tag %lld", (long long)tag);
	return NULL;
}

static void expect_bad(const struct file *f, const char *why)
{
	struct mm_elf_info info;
	char err[256];

	if (mm_elf_parse(f->b, f->n, &info, err, sizeof(err)) != MM_ERR_FORMAT)
		fail_msg("accepted, expected \"%s\"", why);
	assert_memory_equal(err, "offset 0x", 9);
	if (!strstr(err, why))
		fail_msg("message \"%s\" lacks \"%s\"", err, why);
}

static void test_mm_elf_parse_sample(void **state)
{
	struct file f = slurp(ELF_PATH);
	struct mm_elf_info info;
	char err[256];

	(void)state;
	assert_int_equal(mm_elf_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	assert_int_equal(info.type, ET_DYN);
	assert_int_equal(info.machine, EM_X86_64);
	assert_true(info.nsegs >= 2);
	assert_true(info.reloc_relative >= 3);
	assert_int_equal(info.lo % 4096, 0);
	assert_int_equal(info.hi % 4096, 0);
	free(f.b);
}

static void test_mm_image_load_file_elf(void **state)
{
	struct file f = slurp(ELF_PATH);
	struct mm_loaded_image li;
	struct mm_elf_info info;
	struct mm_machine *m;
	const uint8_t *img;
	char err[256];
	uint64_t base;

	(void)state;
	assert_int_equal(mm_elf_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_image_load_file(m, ELF_PATH, &li), MM_OK);
	img = (const uint8_t *)(uintptr_t)li.base;
	assert_int_equal(li.format, MM_IMAGE_ELF);
	assert_int_equal(li.base % 4096, 0);
	assert_true(mm_mem_inside_smram(m, li.base, li.size));
	assert_int_equal(li.entry, li.base + info.entry - info.lo);
	assert_ptr_equal(mm_image_find(m, li.entry), li.img);
	assert_int_equal(li.img->engine, MM_ENGINE_EMULATED);
	assert_string_equal(li.img->name, "pe-sample");
	/* Every RELATIVE target holds base + addend now. */
	for (uint64_t i = 0; i < info.rela_count; i++) {
		Elf64_Rela r;
		uint64_t v;

		memcpy(&r, f.b + info.rela_off + i * sizeof(r), sizeof(r));
		if (ELF64_R_TYPE(r.r_info) != R_X86_64_RELATIVE)
			continue;
		memcpy(&v, img + r.r_offset - info.lo, 8);
		assert_int_equal(v, li.base - info.lo + (uint64_t)r.r_addend);
	}
	/* p_memsz beyond p_filesz is zero (.bss). */
	for (unsigned i = 0; i < info.nsegs; i++)
		for (uint64_t k = info.segs[i].filesz; k < info.segs[i].memsz; k++)
			assert_int_equal(img[info.segs[i].vaddr - info.lo + k], 0);
	base = li.base;
	mm_image_remove(m, li.img);
	assert_false(mm_page_is_allocated(&m->smram, base, 1));
	mm_machine_destroy(m);
	free(f.b);
}

static void test_mm_elf_parse_bad(void **state)
{
	struct file f = slurp(ELF_PATH);
	uint8_t *keep = malloc(f.n);

	(void)state;
	memcpy(keep, f.b, f.n);
#define MUTATE(stmt, why) do { memcpy(f.b, keep, f.n); stmt; expect_bad(&f, why); } while (0)
	MUTATE(f.b[1] = 'X', "not an ELF file");
	MUTATE(f.b[EI_CLASS] = ELFCLASS32, "64-bit");
	MUTATE(ehdr(&f)->e_type = ET_REL, "neither ET_DYN");
	MUTATE(ehdr(&f)->e_machine = EM_AARCH64, "not x86-64");
	MUTATE(ehdr(&f)->e_phoff = f.n - 8, "program headers");
	MUTATE(ehdr(&f)->e_phentsize = 32, "program header size");
	MUTATE(ehdr(&f)->e_phnum = 0, "program headers");
	MUTATE(ehdr(&f)->e_entry = 0x7FFFFFF, "entry point");
	MUTATE(phdr(&f, PT_LOAD, 1)->p_offset = f.n, "past the end of the file");
	MUTATE(phdr(&f, PT_LOAD, 1)->p_filesz = 0x100000, "above memory size");
	MUTATE(phdr(&f, PT_LOAD, 1)->p_memsz = 1ull << 40, "absurd");
	MUTATE(phdr(&f, PT_LOAD, 1)->p_vaddr = 0, "overlaps or precedes");
	MUTATE(phdr(&f, PT_LOAD, 1)->p_align = 0x1800, "alignment");
	MUTATE(phdr(&f, PT_LOAD, 3)->p_vaddr = 0x40000010, "span");
	MUTATE(phdr(&f, PT_DYNAMIC, 0)->p_offset = f.n - 4, "dynamic segment");
	MUTATE(dyn(&f, DT_RELA)->d_tag = DT_NEEDED, "DT_NEEDED");
	MUTATE(dyn(&f, DT_RELA)->d_un.d_ptr = 0x7FFFF00, "RELA table");
	MUTATE(dyn(&f, DT_RELAENT)->d_un.d_val = 16, "RELA entry size");
#undef MUTATE
	free(keep);
	free(f.b);
}

static void test_mm_elf_parse_bad_relocations(void **state)
{
	struct file f = slurp(ELF_PATH);
	struct mm_elf_info info;
	uint8_t *keep = malloc(f.n);
	Elf64_Rela *r;
	char err[256];

	(void)state;
	assert_int_equal(mm_elf_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	memcpy(keep, f.b, f.n);
	r = (Elf64_Rela *)(f.b + info.rela_off);
#define MUTATE(stmt, why) do { memcpy(f.b, keep, f.n); stmt; expect_bad(&f, why); } while (0)
	MUTATE(r->r_offset = info.hi - 4, "outside the image");
	MUTATE(r->r_offset = ~0ull, "outside the image");
	MUTATE(r->r_info = ELF64_R_INFO(1, R_X86_64_64), "type 1 not supported");
	MUTATE(r->r_info = ELF64_R_INFO(0, R_X86_64_JUMP_SLOT), "not supported");
#undef MUTATE
	free(keep);
	free(f.b);
}

static void test_mm_elf_parse_truncated(void **state)
{
	struct file f = slurp(ELF_PATH);
	struct mm_elf_info info;
	char err[256];
	size_t need = 0;

	(void)state;
	assert_int_equal(mm_elf_parse(f.b, f.n, &info, err, sizeof(err)), MM_OK);
	for (unsigned i = 0; i < info.nsegs; i++)
		if (info.segs[i].offset + info.segs[i].filesz > need)
			need = info.segs[i].offset + info.segs[i].filesz;
	for (size_t n = 0; n < need; n += 11)
		assert_int_equal(mm_elf_parse(f.b, n, &info, err, sizeof(err)), MM_ERR_FORMAT);
	free(f.b);
}

static void test_mm_image_load_buffer_elf_bad_names_image(void **state)
{
	struct file f = slurp(ELF_PATH);
	struct mm_loaded_image li;
	struct mm_machine *m;
	char err[256];

	(void)state;
	phdr(&f, PT_LOAD, 1)->p_offset = f.n;
	assert_int_equal(mm_machine_create(NULL, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_image_load_buffer(m, "elfbad", NULL, f.b, f.n, &li), MM_ERR_FORMAT);
	assert_memory_equal(mm_machine_error(m), "elfbad: offset 0x", 17);
	mm_machine_destroy(m);
	free(f.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_elf_parse_sample),
		cmocka_unit_test(test_mm_image_load_file_elf),
		cmocka_unit_test(test_mm_elf_parse_bad),
		cmocka_unit_test(test_mm_elf_parse_bad_relocations),
		cmocka_unit_test(test_mm_elf_parse_truncated),
		cmocka_unit_test(test_mm_image_load_buffer_elf_bad_names_image),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
