/* SPDX-License-Identifier: MIT */
/*
 * Tests of loader/native.c: the .mmemu_module record of every sample driver
 * is read back as written, a sample loads into a machine, and hostile files
 * (missing, empty, not ELF, truncated, wrong class/type/machine, section
 * missing or corrupt field by field) fail with MM_ERR_IO or MM_ERR_FORMAT and
 * a message naming the file, never a crash. Bad files are made from a good
 * sample's bytes, patched at the offsets libelf reports, in /tmp.
 */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gelf.h>

#include "core/machine.h"
#include "loader/native.h"
#include "support.h"
#include "tests/drivers/sample.h"

#define DRIVER(name) MMEMU_TEST_DRIVER_DIR "/" name ".so"
#define PRODUCER DRIVER("sample-producer")

/* A copy of a driver file in memory, with where its record lives. */
struct image_copy {
	uint8_t *bytes;
	size_t size;
	size_t rec_off;   /* file offset of the .mmemu_module section */
	size_t rec_shdr;  /* file offset of that section's header */
	size_t name_off;  /* file offset of the ".mmemu_module" string in .shstrtab */
	size_t str_shdr;  /* file offset of the .shstrtab section header */
};

struct fixture {
	struct mm_machine *m;
	struct image_copy img;
	uint8_t *work; /* the image being corrupted */
	char tmp[64];
};

/* Finds the offsets of struct image_copy with libelf (independently of the loader). */
static void locate(struct image_copy *c)
{
	Elf *e;
	Elf_Scn *scn = NULL;
	GElf_Ehdr eh;
	size_t shstrndx;

	assert_int_not_equal(elf_version(EV_CURRENT), EV_NONE);
	e = elf_memory((char *)c->bytes, c->size);
	assert_non_null(e);
	assert_non_null(gelf_getehdr(e, &eh));
	assert_int_equal(elf_getshdrstrndx(e, &shstrndx), 0);
	while ((scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh, strsh;
		const char *name;

		assert_non_null(gelf_getshdr(scn, &sh));
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (!name || strcmp(name, MMEMU_MODULE_SECTION) != 0)
			continue;
		c->rec_off = sh.sh_offset;
		c->rec_shdr = eh.e_shoff + elf_ndxscn(scn) * eh.e_shentsize;
		assert_non_null(gelf_getshdr(elf_getscn(e, shstrndx), &strsh));
		c->name_off = strsh.sh_offset + sh.sh_name;
		c->str_shdr = eh.e_shoff + shstrndx * eh.e_shentsize;
	}
	elf_end(e);
	assert_true(c->rec_off != 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->m = mm_test_machine();
	f->img.bytes = mm_test_read_file(PRODUCER, &f->img.size);
	locate(&f->img);
	f->work = malloc(f->img.size);
	assert_non_null(f->work);
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/mmemu-native-test-%ld.so", (long)getpid());
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->tmp);
	mm_machine_destroy(f->m);
	free(f->img.bytes);
	free(f->work);
	free(f);
	return 0;
}

/* Writes len bytes of buf to the fixture's temporary file. */
static void write_tmp(struct fixture *f, const void *buf, size_t len)
{
	FILE *out = fopen(f->tmp, "wb");

	assert_non_null(out);
	if (len)
		assert_int_equal(fwrite(buf, 1, len, out), len);
	assert_int_equal(fclose(out), 0);
}

/* Starts a new bad file: the work copy becomes the good image again. */
static void reset(struct fixture *f)
{
	memcpy(f->work, f->img.bytes, f->img.size);
}

/* Replaces len bytes of the work copy at off by patch. */
static void poke(struct fixture *f, size_t off, const void *patch, size_t len)
{
	assert_true(off + len <= f->img.size);
	memcpy(f->work + off, patch, len);
}

/* Writes the good image with len bytes at off replaced by patch. */
static void write_patched(struct fixture *f, size_t off, const void *patch, size_t len)
{
	reset(f);
	poke(f, off, patch, len);
	write_tmp(f, f->work, f->img.size);
}

/* Patches a 32-bit field of the record. */
static void write_record_u32(struct fixture *f, size_t field, uint32_t v)
{
	write_patched(f, f->img.rec_off + field, &v, sizeof(v));
}

/* Loading the temporary file fails with want, a message naming it and containing needle. */
static void expect_load_fails(struct fixture *f, enum mm_err want, const char *needle)
{
	unsigned before = mm_driver_count(f->m);
	const char *msg;

	assert_int_equal(mm_driver_load_native(f->m, f->tmp, NULL), want);
	msg = mm_machine_error(f->m);
	if (!strstr(msg, f->tmp) || (needle && !strstr(msg, needle)))
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", msg, f->tmp, needle ? needle : "");
	assert_int_equal(mm_driver_count(f->m), before);
}

/* Compares a record's GUID with an initializer. */
static void assert_guid(const EFI_GUID *got, EFI_GUID want)
{
	assert_memory_equal(got, &want, sizeof(want));
}

static void test_mm_native_read_module_samples(void **state)
{
	struct fixture *f = *state;
	struct mmemu_module r;

	assert_int_equal(mm_native_read_module(f->m, PRODUCER, &r), MM_OK);
	assert_string_equal(r.name, "SampleProducer");
	assert_string_equal(r.entry, "SampleProducerEntry");
	assert_int_equal(r.module_type, MM_MODULE_STANDALONE);
	assert_int_equal(r.depex_kind, MMEMU_DEPEX_EXPRESSION);
	assert_string_equal(r.depex.text, "TRUE");
	assert_int_equal(r.depex_len, 4);
	assert_guid(&r.file_guid, (EFI_GUID)SAMPLE_PRODUCER_FILE_GUID);

	assert_int_equal(mm_native_read_module(f->m, DRIVER("sample-guid-handler"), &r), MM_OK);
	assert_string_equal(r.name, "SampleGuidHandler");
	assert_string_equal(r.depex.text, SAMPLE_PROTOCOL_GUID_STR);
	assert_guid(&r.file_guid, (EFI_GUID)SAMPLE_GUID_HANDLER_FILE_GUID);

	assert_int_equal(mm_native_read_module(f->m, DRIVER("sample-sw-handler"), &r), MM_OK);
	assert_string_equal(r.depex.text, "gEfiMmSwDispatchProtocolGuid AND gEfiMmCpuProtocolGuid");
	assert_guid(&r.file_guid, (EFI_GUID)SAMPLE_SW_HANDLER_FILE_GUID);

	assert_int_equal(mm_native_read_module(f->m, DRIVER("sample-late"), &r), MM_OK);
	assert_string_equal(r.name, "SampleLate");
	assert_int_equal(r.depex_kind, MMEMU_DEPEX_BYTES);
	assert_int_equal(r.depex_len, 2 * 17 + 2);
	assert_int_equal(r.depex.bytes[0], 0x02);
	assert_int_equal(r.depex.bytes[35], 0x08);
	assert_guid(&r.file_guid, (EFI_GUID)SAMPLE_LATE_FILE_GUID);

	assert_int_equal(mm_native_read_module(f->m, DRIVER("sample-failing"), &r), MM_OK);
	assert_guid(&r.file_guid, (EFI_GUID)SAMPLE_FAILING_FILE_GUID);
	assert_int_equal(mm_native_read_module(f->m, DRIVER("sample-after-lock"), &r), MM_OK);
	assert_guid(&r.file_guid, (EFI_GUID)SAMPLE_AFTER_LOCK_FILE_GUID);
}

static void test_mm_driver_load_native_producer(void **state)
{
	struct fixture *f = *state;
	struct mm_driver_info info;
	unsigned index = 99;

	assert_int_equal(mm_driver_load_native(f->m, PRODUCER, &index), MM_OK);
	assert_int_equal(index, 0);
	assert_int_equal(mm_driver_count(f->m), 1);
	assert_int_equal(mm_driver_get_info(f->m, 0, &info), MM_OK);
	assert_string_equal(info.name, "SampleProducer");
	assert_int_equal(info.type, MM_MODULE_STANDALONE);
	assert_int_equal(info.state, MM_DRIVER_PENDING);
	assert_guid((const EFI_GUID *)info.file_guid, (EFI_GUID)SAMPLE_PRODUCER_FILE_GUID);
	assert_true(info.image_base != 0);
	assert_true(info.image_size >= 0x1000);
	assert_int_equal(info.image_base & 0xFFF, 0);
}

static void test_mm_driver_load_native_image_covers_code(void **state)
{
	struct fixture *f = *state;
	struct mm_driver *d;

	assert_int_equal(mm_driver_load_native(f->m, DRIVER("sample-guid-handler"), NULL), MM_OK);
	d = mm_driver_at(f->m, 0);
	assert_non_null(d);
	assert_non_null(d->image);
	assert_int_equal(d->image->engine, MM_ENGINE_NATIVE);
	assert_true(d->entry - d->image->base < d->image->size);
	assert_ptr_equal(mm_image_find(f->m, d->entry), d->image);
	assert_true(d->has_depex);
	assert_int_equal(d->depex_len, 17 + 1); /* PUSH guid, END */
}

static void test_mm_driver_load_native_twice(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_driver_load_native(f->m, PRODUCER, NULL), MM_OK);
	assert_int_equal(mm_driver_load_native(f->m, PRODUCER, NULL), MM_ERR_EXISTS);
	assert_int_equal(mm_driver_count(f->m), 1);
}

static void test_mm_driver_load_native_bare_name(void **state)
{
	struct fixture *f = *state;
	char cwd[4096];

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(MMEMU_TEST_DRIVER_DIR), 0);
	/* "sample-producer.so" means the file here, not a library search */
	assert_int_equal(mm_driver_load_native(f->m, "sample-producer.so", NULL), MM_OK);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(mm_driver_count(f->m), 1);
}

/* The image unload hook dlcloses: nothing of the driver stays in the process. */
static void test_mm_driver_load_native_unload_on_destroy(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_driver_load_native(f->m, PRODUCER, NULL), MM_OK);
	mm_machine_destroy(f->m);
	f->m = NULL;
	assert_null(dlopen(PRODUCER, RTLD_NOW | RTLD_NOLOAD));
	f->m = mm_test_machine();
}

static void test_mm_driver_load_native_log(void **state)
{
	struct fixture *f = *state;
	static struct mm_test_log log;

	mm_test_log_attach(f->m, &log, MM_LOG_DISPATCH);
	assert_int_equal(mm_driver_load_native(f->m, PRODUCER, NULL), MM_OK);
	assert_true(mm_test_log_contains(&log, "SampleProducerEntry"));
}

static void test_mm_driver_load_native_missing(void **state)
{
	struct fixture *f = *state;

	unlink(f->tmp);
	expect_load_fails(f, MM_ERR_IO, NULL);
	assert_int_equal(mm_driver_load_native(f->m, NULL, NULL), MM_ERR_INVALID);
}

static void test_mm_driver_load_native_empty(void **state)
{
	struct fixture *f = *state;

	write_tmp(f, "", 0);
	expect_load_fails(f, MM_ERR_FORMAT, "not an ELF file");
}

static void test_mm_driver_load_native_not_elf(void **state)
{
	struct fixture *f = *state;
	static const char text[] = "#!/bin/sh\necho this is not a driver\n";

	write_tmp(f, text, sizeof(text) - 1);
	expect_load_fails(f, MM_ERR_FORMAT, "offset 0x0");
}

static void test_mm_driver_load_native_truncated(void **state)
{
	struct fixture *f = *state;
	static const size_t cuts[] = { 4, 16, 63, 64, 200, 0x1000 };

	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		write_tmp(f, f->img.bytes, cuts[i]);
		expect_load_fails(f, MM_ERR_FORMAT, NULL);
	}
	/* Everything but the record's last bytes and the section headers. */
	write_tmp(f, f->img.bytes, f->img.rec_off + 0x100);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
}

static void test_mm_driver_load_native_wrong_header(void **state)
{
	struct fixture *f = *state;
	uint8_t class32 = ELFCLASS32, msb = ELFDATA2MSB;
	uint16_t exec = ET_EXEC, arm = EM_AARCH64;

	write_patched(f, EI_CLASS, &class32, 1);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
	write_patched(f, EI_DATA, &msb, 1);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
	write_patched(f, offsetof(Elf64_Ehdr, e_type), &exec, 2);
	expect_load_fails(f, MM_ERR_FORMAT, "ET_DYN");
	write_patched(f, offsetof(Elf64_Ehdr, e_machine), &arm, 2);
	expect_load_fails(f, MM_ERR_FORMAT, "x86-64");
}

static void test_mm_driver_load_native_no_section(void **state)
{
	struct fixture *f = *state;

	write_patched(f, f->img.name_off, ".mmemu_modulX", 13);
	expect_load_fails(f, MM_ERR_FORMAT, "no .mmemu_module section");
}

static void test_mm_driver_load_native_section_bounds(void **state)
{
	struct fixture *f = *state;
	size_t size_at = f->img.rec_shdr + offsetof(Elf64_Shdr, sh_size);
	size_t off_at = f->img.rec_shdr + offsetof(Elf64_Shdr, sh_offset);
	size_t type_at = f->img.rec_shdr + offsetof(Elf64_Shdr, sh_type);
	uint64_t v;
	uint32_t nobits = SHT_NOBITS;

	v = 0x8;
	write_patched(f, size_at, &v, 8);
	expect_load_fails(f, MM_ERR_FORMAT, "too short");
	v = 0x10;
	write_patched(f, size_at, &v, 8);
	expect_load_fails(f, MM_ERR_FORMAT, "expected one record");
	v = sizeof(struct mmemu_module) - 1;
	write_patched(f, size_at, &v, 8);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
	/* a second record (or any non-zero byte) after the first */
	v = sizeof(struct mmemu_module) * 2;
	reset(f);
	poke(f, size_at, &v, 8);
	poke(f, f->img.rec_off + sizeof(struct mmemu_module) + 1, "M", 1);
	write_tmp(f, f->work, f->img.size);
	expect_load_fails(f, MM_ERR_FORMAT, "expected one record");
	/* zero padding after the record (a sanitizer's redzone) is accepted */
	v = sizeof(struct mmemu_module) + 0x20;
	reset(f);
	poke(f, size_at, &v, 8);
	memset(f->work + f->img.rec_off + sizeof(struct mmemu_module), 0, 0x20);
	write_tmp(f, f->work, f->img.size);
	assert_int_equal(mm_native_read_module(f->m, f->tmp, &(struct mmemu_module){ 0 }), MM_OK);

	v = f->img.size - 0x10;
	write_patched(f, off_at, &v, 8);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
	v = UINT64_MAX - 0x100;
	write_patched(f, off_at, &v, 8);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
	write_patched(f, type_at, &nobits, 4);
	expect_load_fails(f, MM_ERR_FORMAT, NULL);
}

static void test_mm_driver_load_native_bad_header_fields(void **state)
{
	struct fixture *f = *state;

	write_patched(f, f->img.rec_off + 1, "X", 1);
	expect_load_fails(f, MM_ERR_FORMAT, "magic");
	write_record_u32(f, offsetof(struct mmemu_module, version), 2);
	expect_load_fails(f, MM_ERR_FORMAT, "version 2");
	write_record_u32(f, offsetof(struct mmemu_module, size), 0x4AF);
	expect_load_fails(f, MM_ERR_FORMAT, "record size");
	write_record_u32(f, offsetof(struct mmemu_module, module_type), 0x0B);
	expect_load_fails(f, MM_ERR_FORMAT, "module type");
	write_record_u32(f, offsetof(struct mmemu_module, reserved), 1);
	expect_load_fails(f, MM_ERR_FORMAT, "reserved");
}

static void test_mm_driver_load_native_bad_strings(void **state)
{
	struct fixture *f = *state;
	char fill[MMEMU_MODULE_NAME_MAX];

	memset(fill, 'A', sizeof(fill));
	write_patched(f, f->img.rec_off + offsetof(struct mmemu_module, name), fill, sizeof(fill));
	expect_load_fails(f, MM_ERR_FORMAT, "name not NUL-terminated");
	write_patched(f, f->img.rec_off + offsetof(struct mmemu_module, name), "", 1);
	expect_load_fails(f, MM_ERR_FORMAT, "name empty");
	write_patched(f, f->img.rec_off + offsetof(struct mmemu_module, entry), fill, sizeof(fill));
	expect_load_fails(f, MM_ERR_FORMAT, "entry name not NUL-terminated");
}

static void test_mm_driver_load_native_bad_depex(void **state)
{
	struct fixture *f = *state;
	size_t text = f->img.rec_off + offsetof(struct mmemu_module, depex);

	write_record_u32(f, offsetof(struct mmemu_module, depex_kind), 7);
	expect_load_fails(f, MM_ERR_FORMAT, "DEPEX kind");
	write_record_u32(f, offsetof(struct mmemu_module, depex_len), 5);
	expect_load_fails(f, MM_ERR_FORMAT, "does not match");
	write_record_u32(f, offsetof(struct mmemu_module, depex_len), MMEMU_MODULE_DEPEX_MAX);
	expect_load_fails(f, MM_ERR_FORMAT, "DEPEX");
	write_patched(f, text, "TRU(", 4);
	expect_load_fails(f, MM_ERR_FORMAT, "DEPEX \"TRU(\"");
	reset(f);
	poke(f, text, "gNoSuchThingGuid", 17);
	poke(f, f->img.rec_off + offsetof(struct mmemu_module, depex_len), &(uint32_t){ 16 }, 4);
	write_tmp(f, f->work, f->img.size);
	expect_load_fails(f, MM_ERR_FORMAT, "gNoSuchThingGuid");
}

static void test_mm_driver_load_native_bad_depex_bytes_len(void **state)
{
	struct fixture *f = *state;

	write_record_u32(f, offsetof(struct mmemu_module, depex_kind), MMEMU_DEPEX_BYTES);
	/* depex_len 4 ("TRUE" as bytes) is in bounds: the dispatcher judges the opcodes */
	assert_int_equal(mm_native_read_module(f->m, f->tmp, &(struct mmemu_module){ 0 }), MM_OK);
	write_patched(f, f->img.rec_off + offsetof(struct mmemu_module, depex_kind),
		      &(uint32_t){ MMEMU_DEPEX_NONE }, 4);
	expect_load_fails(f, MM_ERR_FORMAT, "without a DEPEX");
}

/* Every message of a bad-field failure gives the file offset. */
static void test_mm_driver_load_native_offset_in_message(void **state)
{
	struct fixture *f = *state;
	char want[64];

	write_record_u32(f, offsetof(struct mmemu_module, version), 9);
	snprintf(want, sizeof(want), "offset 0x%zx",
		 f->img.rec_off + offsetof(struct mmemu_module, version));
	expect_load_fails(f, MM_ERR_FORMAT, want);
}

/*
 * Flips each byte of the ELF header, the headers of the record's section and
 * of the section name table, and the start of the record, in turn, and reads the record: any outcome but a crash or a result
 * other than OK/FORMAT is a bug. Reading never runs code of the file, so this
 * uses mm_native_read_module rather than a full load.
 */
static void test_mm_native_read_module_byte_flips(void **state)
{
	struct fixture *f = *state;
	size_t ranges[4][2] = {
		{ 0, sizeof(Elf64_Ehdr) },
		{ f->img.rec_shdr, f->img.rec_shdr + sizeof(Elf64_Shdr) },
		{ f->img.str_shdr, f->img.str_shdr + sizeof(Elf64_Shdr) },
		{ f->img.rec_off, f->img.rec_off + 0x100 },
	};
	unsigned ok = 0, bad = 0;

	for (int r = 0; r < 4; r++) {
		for (size_t off = ranges[r][0]; off < ranges[r][1] && off < f->img.size; off++) {
			struct mmemu_module rec;
			enum mm_err err;

			reset(f);
			f->work[off] ^= 0xFF;
			write_tmp(f, f->work, f->img.size);
			err = mm_native_read_module(f->m, f->tmp, &rec);
			if (err != MM_OK && err != MM_ERR_FORMAT)
				fail_msg("offset 0x%zx: %s", off, mm_machine_error(f->m));
			if (err == MM_OK)
				ok++;
			else
				bad++;
		}
	}
	assert_true(bad > 0);
	assert_true(ok > 0); /* some bytes (padding, unused fields) do not matter */
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_native_read_module_samples),
		T(test_mm_driver_load_native_producer),
		T(test_mm_driver_load_native_image_covers_code),
		T(test_mm_driver_load_native_twice),
		T(test_mm_driver_load_native_bare_name),
		T(test_mm_driver_load_native_unload_on_destroy),
		T(test_mm_driver_load_native_log),
		T(test_mm_driver_load_native_missing),
		T(test_mm_driver_load_native_empty),
		T(test_mm_driver_load_native_not_elf),
		T(test_mm_driver_load_native_truncated),
		T(test_mm_driver_load_native_wrong_header),
		T(test_mm_driver_load_native_no_section),
		T(test_mm_driver_load_native_section_bounds),
		T(test_mm_driver_load_native_bad_header_fields),
		T(test_mm_driver_load_native_bad_strings),
		T(test_mm_driver_load_native_bad_depex),
		T(test_mm_driver_load_native_bad_depex_bytes_len),
		T(test_mm_driver_load_native_offset_in_message),
		T(test_mm_native_read_module_byte_flips),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
