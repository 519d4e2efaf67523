/* SPDX-License-Identifier: MIT */
/*
 * Tests of emu/mmio.c: code on the emulated CPU reaches MMIO devices of the
 * bus (the ECAM window claimed at attach, a flash mapped afterwards) through
 * uc_mmio_map windows, and other unmapped accesses still fault.
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

#include <mmemu/flash.h>

#include "emu-support.h"

#define FLASH_BASE 0xFFC00000ull

static uint64_t ram_code(struct mm_machine *m, const uint8_t *code, size_t len)
{
	uint64_t at;

	assert_int_equal(mm_page_alloc(m, &m->ram, AllocateAnyPages, EfiBootServicesCode, 1, &at,
				       true), MM_OK);
	memcpy((void *)(uintptr_t)at, code, len);
	return at;
}

/* A 4 KiB flash image of 0xA5 bytes in a temporary file (name in path). */
static void flash_image(char *path, size_t len)
{
	FILE *f;
	int fd;

	snprintf(path, len, "/tmp/mmio-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (unsigned i = 0; i < 4096; i++)
		fputc(0xA5, f);
	assert_int_equal(fclose(f), 0);
}

static void test_mm_emu_mmio_ecam_and_flash(void **state)
{
	static const uint8_t code[] = {
		0x48, 0xBB, 0x00, 0x00, 0x00, 0xB0, 0, 0, 0, 0, /* mov rbx, 0xB0000000 */
		0x8B, 0x03,                                     /* mov eax, [rbx] */
		0x48, 0xB9, 0x00, 0x00, 0xC0, 0xFF, 0, 0, 0, 0, /* mov rcx, 0xFFC00000 */
		0x8A, 0x51, 0x10,                               /* mov dl, [rcx + 0x10] */
		0xC6, 0x41, 0x10, 0x10,                         /* mov byte [rcx+0x10], 0x10 */
		0xC6, 0x41, 0x10, 0x21,                         /* mov byte [rcx+0x10], 0x21 */
		0xC6, 0x41, 0x10, 0xFF,                         /* mov byte [rcx+0x10], 0xFF */
		0xF4,                                           /* hlt */
	};
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	uint64_t at = ram_code(m, code, sizeof(code)), rax = 0, rdx = 0;
	char path[64];
	uint8_t b = 0;

	(void)state;
	flash_image(path, sizeof(path));
	assert_int_equal(mm_flash_map(m, path, FLASH_BASE, 0, false), MM_OK);
	assert_int_equal(mm_cpu_run(m, 0, at, 0), MM_OK);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RAX, &rax), MM_OK);
	assert_int_equal(rax & 0xFFFFFFFF, 0x29C08086u);
	assert_int_equal(mm_cpu_get_reg(m, 0, MM_REG_RDX, &rdx), MM_OK);
	assert_int_equal(rdx & 0xFF, 0xA5);
	assert_int_equal(mm_flash_peek(m, FLASH_BASE + 0x10, &b, 1), MM_OK);
	assert_int_equal(b, 0x21 & 0xA5);
	mm_machine_destroy(m);
	unlink(path);
}

static void test_mm_emu_mmio_unclaimed_still_faults(void **state)
{
	static const uint8_t code[] = {
		0x48, 0xBB, 0x00, 0x00, 0x00, 0xC0, 0, 0, 0, 0, /* mov rbx, 0xC0000000 */
		0x8B, 0x03,                                     /* mov eax, [rbx] */
		0xF4,                                           /* hlt */
	};
	struct mm_machine *m = emu_machine_layout(1, MM_SAVE_STATE_INTEL64);
	uint64_t at = ram_code(m, code, sizeof(code));

	(void)state;
	assert_int_equal(mm_cpu_run(m, 0, at, 0), MM_ERR_STOPPED);
	assert_int_equal(m->stop.kind, MM_STOP_UNMAPPED);
	mm_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_emu_mmio_ecam_and_flash),
		cmocka_unit_test(test_mm_emu_mmio_unclaimed_still_faults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
