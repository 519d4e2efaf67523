/* SPDX-License-Identifier: MIT */
/*
 * Tests of loader/fv-driver.c: a firmware volume built here holds an MM
 * driver file (PE32 of tests/drivers/pe/pe-sample.efi, MM_DEPEX, UI), an MM
 * driver waiting for a protocol nobody installs, a DXE driver file and an MM
 * driver file without an image. The MM drivers load with their UI name,
 * file GUID, module type and DEPEX; the filter takes UI names and GUIDs; a
 * filter entry matching nothing (or matching only the DXE driver) fails
 * naming it; the file without an image is skipped with a warning. Tests
 * needing the PE sample skip when clang/lld-link did not build it.
 */
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

#include "loader/fv.h"
#include <mmemu/fv.h>

#define PE_PATH MMEMU_TEST_DRIVER_DIR "/pe/pe-sample.efi"

static const uint8_t ffs2[16] = { 0x78, 0xE5, 0x8C, 0x8C, 0x3D, 0x8A, 0x1C, 0x4F,
				  0x99, 0x35, 0x89, 0x61, 0x85, 0xC3, 0x2D, 0xD3 };
/* File GUIDs (EFI_GUID layout) and their registry forms. */
static const uint8_t guid_sample[16] = { 0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77,
					 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x01 };
#define GUID_SAMPLE "11223344-5566-7788-99AA-BBCCDDEEF001"
static const uint8_t guid_waiting[16] = { 0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77,
					  0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x02 };
static const uint8_t guid_dxe[16] = { 0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77,
				      0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x03 };
static const uint8_t guid_noimage[16] = { 0x44, 0x33, 0x22, 0x11, 0x66, 0x55, 0x88, 0x77,
					  0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xF0, 0x04 };

/* DEPEX TRUE END; and PUSH <a GUID nobody installs> END (PI vol. 2 opcodes). */
static const uint8_t depex_true[] = { 0x06, 0x08 };
static const uint8_t depex_waits[] = { 0x02, 0xDE, 0xC0, 0xAD, 0xDE, 0x11, 0x11, 0x22, 0x22,
				       0x33, 0x33, 0x44, 0x44, 0x55, 0x55, 0x66, 0x66, 0x08 };

/* ---- building a volume (layouts: PI 1.8 vol. 3, 2.1.4 and 3.2) ---- */

/* Wraps files into an FFS2 volume (erase polarity 1) appended to out. */
static void make_volume(struct fv_buf *out, const struct fv_buf *files)
{
	size_t fvlen = (72 + files->len + 0x40 + 7) & ~7ul;
	uint8_t *v = calloc(1, fvlen);
	uint32_t attrs = 0x800, one = 1, flen = (uint32_t)fvlen;
	uint16_t hlen = 72, sum = 0;

	assert_non_null(v);
	memset(v + 72, 0xFF, fvlen - 72);
	memcpy(v + 16, ffs2, 16);
	memcpy(v + 32, &(uint64_t){ fvlen }, 8);
	memcpy(v + 40, "_FVH", 4);
	memcpy(v + 44, &attrs, 4);
	memcpy(v + 48, &hlen, 2);
	v[55] = 2;
	memcpy(v + 56, &one, 4);
	memcpy(v + 60, &flen, 4);
	for (unsigned i = 0; i < hlen; i += 2)
		sum = (uint16_t)(sum + (v[i] | v[i + 1] << 8));
	sum = (uint16_t)-sum;
	memcpy(v + 50, &sum, 2);
	memcpy(v + 72, files->p, files->len);
	fv_put(out, v, fvlen);
	free(v);
}

/* Appends an MM-type file: DEPEX (when given), PE32 (when given), UI. */
static void add_driver(struct fv_buf *files, const uint8_t guid[16], uint8_t type, const char *ui,
		       const uint8_t *depex, size_t depex_len, const struct fv_buf *pe)
{
	struct fv_buf s = { 0 };

	if (depex)
		fv_add_section(&s, MM_SEC_MM_DEPEX, depex, depex_len, false);
	if (pe)
		fv_add_section(&s, MM_SEC_PE32, pe->p, pe->len, false);
	fv_add_ui(&s, ui);
	fv_add_file(files, guid, type, 0, s.p, s.len, false);
	free(s.p);
}

/* ---- fixture: the image file and a Unicorn machine ---- */

struct fixture {
	char path[64];
	struct mm_machine *m;
	struct mm_test_log log;
};

/*
 * Writes the test volume to a temporary file: FvSample (MM, DEPEX TRUE),
 * FvWaiting (MM_STANDALONE, waits for a GUID), DxeOnly (DRIVER) and
 * FvNoImage (MM, no PE32/TE).
 */
static void write_image(struct fixture *f)
{
	struct fv_buf pe = { 0 }, files = { 0 }, fv = { 0 };
	int fd;

	pe.p = mm_test_read_file(PE_PATH, &pe.len);
	add_driver(&files, guid_sample, MM_FFS_MM, "FvSample", depex_true, sizeof(depex_true), &pe);
	add_driver(&files, guid_waiting, MM_FFS_MM_STANDALONE, "FvWaiting", depex_waits,
		   sizeof(depex_waits), &pe);
	add_driver(&files, guid_dxe, MM_FFS_DRIVER, "DxeOnly", NULL, 0, &pe);
	add_driver(&files, guid_noimage, MM_FFS_MM, "FvNoImage", depex_true, sizeof(depex_true),
		   NULL);
	fv_put(&fv, NULL, 0x100); /* the volume need not start the file */
	make_volume(&fv, &files);
	snprintf(f->path, sizeof(f->path), "/tmp/mmemu-fv-driver-XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, fv.p, fv.len), (ssize_t)fv.len);
	close(fd);
	free(pe.p);
	free(files.p);
	free(fv.p);
}

static int setup(void **state)
{
	struct fixture *f;
	struct mm_platform p;
	char err[256];

	if (access(PE_PATH, R_OK))
		return 0; /* tests skip */
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	write_image(f);
	mm_platform_default(&p);
	p.cpus = 1;
	p.cpu_engine = MM_CPU_UNICORN;
	assert_int_equal(mm_machine_create(&p, &f->m, err, sizeof(err)), MM_OK);
	mm_test_log_attach(f->m, &f->log, MM_LOG_WARN);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (!f)
		return 0;
	mm_machine_destroy(f->m);
	unlink(f->path);
	free(f);
	return 0;
}

/* The fixture, or skips the test when the PE sample was not built. */
static struct fixture *fix(void **state)
{
	if (!*state)
		skip();
	return *state;
}

/* The info of the driver named name in m (fails the test when absent). */
static struct mm_driver_info info_of(struct mm_machine *m, const char *name)
{
	struct mm_driver_info d;

	for (unsigned i = 0; i < mm_driver_count(m); i++)
		if (!mm_driver_get_info(m, i, &d) && !strcmp(d.name, name))
			return d;
	fail_msg("no driver named %s", name);
	return d;
}

static void test_mm_driver_load_fv_all_mm_drivers(void **state)
{
	struct fixture *f = fix(state);
	struct mm_driver_info d;
	unsigned count = 99;

	assert_int_equal(mm_driver_load_fv(f->m, f->path, NULL, 0, &count), MM_OK);
	/* FvSample and FvWaiting: not the DXE driver, not the file without image. */
	assert_int_equal(count, 2);
	assert_int_equal(mm_driver_count(f->m), 2);
	d = info_of(f->m, "FvSample");
	assert_memory_equal(d.file_guid, guid_sample, 16);
	assert_int_equal(d.type, MM_MODULE_TRADITIONAL);
	d = info_of(f->m, "FvWaiting");
	assert_memory_equal(d.file_guid, guid_waiting, 16);
	assert_int_equal(d.type, MM_MODULE_STANDALONE);
	assert_true(mm_test_log_contains(&f->log, "FvNoImage"));
	assert_true(mm_test_log_contains(&f->log, "no PE32 or TE section"));
}

static void test_mm_driver_load_fv_dispatch_by_depex(void **state)
{
	struct fixture *f = fix(state);
	struct mm_driver_info d;

	assert_int_equal(mm_driver_load_fv(f->m, f->path, NULL, 0, NULL), MM_OK);
	assert_int_equal(mm_dispatch(f->m), MM_OK);
	/* The relocated sample checks its own pointers and returns EFI_SUCCESS. */
	d = info_of(f->m, "FvSample");
	assert_int_equal(d.state, MM_DRIVER_DISPATCHED);
	assert_int_equal(d.entry_status, 0);
	/* Its MM_DEPEX waits for a protocol nobody installs. */
	d = info_of(f->m, "FvWaiting");
	assert_int_equal(d.state, MM_DRIVER_NOT_DISPATCHED);
	assert_non_null(d.reason);
	assert_non_null(strstr(d.reason, "DEADC0DE-1111-2222-3333-444455556666"));
}

static void test_mm_driver_load_fv_filter_by_name(void **state)
{
	struct fixture *f = fix(state);
	const char *const modules[] = { "FvWaiting" };
	unsigned count = 0;

	assert_int_equal(mm_driver_load_fv(f->m, f->path, modules, 1, &count), MM_OK);
	assert_int_equal(count, 1);
	assert_int_equal(mm_driver_count(f->m), 1);
	assert_int_equal(info_of(f->m, "FvWaiting").type, MM_MODULE_STANDALONE);
}

static void test_mm_driver_load_fv_filter_by_guid(void **state)
{
	struct fixture *f = fix(state);
	const char *const modules[] = { GUID_SAMPLE };
	unsigned count = 0;

	assert_int_equal(mm_driver_load_fv(f->m, f->path, modules, 1, &count), MM_OK);
	assert_int_equal(count, 1);
	assert_memory_equal(info_of(f->m, "FvSample").file_guid, guid_sample, 16);
}

static void test_mm_driver_load_fv_unknown_module(void **state)
{
	struct fixture *f = fix(state);
	const char *const modules[] = { "FvSample", "NoSuchDriver" };
	unsigned count = 99;

	assert_int_equal(mm_driver_load_fv(f->m, f->path, modules, 2, &count), MM_ERR_NOT_FOUND);
	assert_non_null(strstr(mm_machine_error(f->m), "NoSuchDriver"));
	/* Checked before anything loads. */
	assert_int_equal(count, 0);
	assert_int_equal(mm_driver_count(f->m), 0);
}

static void test_mm_driver_load_fv_dxe_driver_ignored(void **state)
{
	struct fixture *f = fix(state);
	const char *const modules[] = { "DxeOnly" };

	/* A DRIVER file with a PE32 is not an MM driver, whatever its name. */
	assert_int_equal(mm_driver_load_fv(f->m, f->path, modules, 1, NULL), MM_ERR_NOT_FOUND);
	assert_non_null(strstr(mm_machine_error(f->m), "DxeOnly"));
	assert_int_equal(mm_driver_count(f->m), 0);
}

static void test_mm_driver_load_fv_not_an_image(void **state)
{
	struct fixture *f = fix(state);

	assert_int_equal(mm_driver_load_fv(f->m, PE_PATH, NULL, 0, NULL), MM_ERR_FORMAT);
	assert_non_null(strstr(mm_machine_error(f->m), "no firmware volume"));
	assert_int_equal(mm_driver_load_fv(f->m, "/nonexistent/fv.fd", NULL, 0, NULL), MM_ERR_IO);
}

static void test_mm_fv_drivers_load_two_machines(void **state)
{
	struct fixture *f = fix(state);
	struct mm_fv_drivers *set;
	char err[256];
	unsigned count = 0;

	/* One read, loaded into the machine again after a first load. */
	assert_int_equal(mm_fv_drivers_read(f->path, NULL, 0, &set, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_fv_drivers_count(set), 2);
	assert_int_equal(mm_fv_drivers_load(f->m, set, &count), MM_OK);
	assert_int_equal(mm_fv_drivers_load(f->m, set, &count), MM_OK);
	assert_int_equal(count, 2);
	assert_int_equal(mm_driver_count(f->m), 4);
	mm_fv_drivers_free(set);
}

static void test_mm_driver_load_fv_needs_emulated_cpu(void **state)
{
	struct mm_platform p;
	struct mm_machine *m;
	char err[256];

	(void)state;
	mm_platform_default(&p);
	p.cpu_engine = MM_CPU_HOST;
	assert_int_equal(mm_machine_create(&p, &m, err, sizeof(err)), MM_OK);
	assert_int_equal(mm_driver_load_fv(m, "/nonexistent/fv.fd", NULL, 0, NULL),
			 MM_ERR_UNSUPPORTED);
	assert_non_null(strstr(mm_machine_error(m), "unicorn"));
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_all_mm_drivers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_dispatch_by_depex, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_filter_by_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_filter_by_guid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_unknown_module, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_dxe_driver_ignored, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_driver_load_fv_not_an_image, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_fv_drivers_load_two_machines, setup,
						teardown),
		cmocka_unit_test(test_mm_driver_load_fv_needs_emulated_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
