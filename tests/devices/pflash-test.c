/* SPDX-License-Identifier: MIT */
/* Tests of devices/pflash.c: the CFI command set over an image file, save and reload. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/flash.h>

#include "core/machine.h"
#include "devices/pflash.h"
#include "support.h"

#define BASE 0xFFC00000ull
#define BLOCK 0x1000u
#define BLOCKS 4u
#define SIZE (BLOCK * BLOCKS)

struct fixture {
	struct mm_machine *m;
	struct mm_test_log log;
	char image[64];
	char saved[96];
};

/* Writes an image of SIZE bytes: byte i is (i & 0x7F) | 0x80 (all bits clearable). */
static void write_image(const char *path, uint8_t fill_xor)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	for (unsigned i = 0; i < SIZE; i++)
		fputc((int)(((i & 0x7F) | 0x80) ^ fill_xor), f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	static struct fixture f;
	int fd;

	memset(&f, 0, sizeof(f));
	snprintf(f.image, sizeof(f.image), "/tmp/pflash-test-XXXXXX");
	fd = mkstemp(f.image);
	assert_true(fd >= 0);
	close(fd);
	snprintf(f.saved, sizeof(f.saved), "%s.saved", f.image);
	write_image(f.image, 0);
	f.m = mm_test_machine();
	mm_test_log_attach(f.m, &f.log, MM_LOG_WARN);
	assert_int_equal(mm_flash_map(f.m, f.image, BASE, BLOCK, false), MM_OK);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mm_machine_destroy(f->m);
	unlink(f->image);
	unlink(f->saved);
	return 0;
}

static uint8_t rd(struct mm_machine *m, uint64_t off)
{
	return (uint8_t)mm_io_read(m, MM_IO_MMIO, BASE + off, 1);
}

static void wr(struct mm_machine *m, uint64_t off, uint8_t v)
{
	mm_io_write(m, MM_IO_MMIO, BASE + off, 1, v);
}

static void test_pflash_read_array_by_default(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(rd(f->m, 0), 0x80);
	assert_int_equal(rd(f->m, 0x11), 0x91);
	assert_int_equal(mm_io_read(f->m, MM_IO_MMIO, BASE + 4, 4), 0x87868584u);
	assert_int_equal(mm_io_read(f->m, MM_IO_MMIO, BASE + 8, 8), 0x8F8E8D8C8B8A8988ull);
}

static void test_pflash_program_byte(void **state)
{
	struct fixture *f = *state;

	wr(f->m, 0x20, PFLASH_CMD_PROGRAM);
	wr(f->m, 0x20, 0x12);
	/* after a program, reads return the status: ready */
	assert_int_equal(rd(f->m, 0x20), PFLASH_STATUS_READY);
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(rd(f->m, 0x20), 0x12 & 0xA0);
	wr(f->m, 0x21, PFLASH_CMD_PROGRAM_ALT);
	wr(f->m, 0x21, 0x21);
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(rd(f->m, 0x21), 0x21 & 0xA1);
	assert_int_equal(rd(f->m, 0x22), 0xA2);
}

static void test_pflash_program_only_clears_bits(void **state)
{
	struct fixture *f = *state;

	wr(f->m, 0x5, PFLASH_CMD_PROGRAM);
	wr(f->m, 0x5, 0xFF);
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(rd(f->m, 0x5), 0x85);
}

static void test_pflash_block_erase(void **state)
{
	struct fixture *f = *state;

	wr(f->m, BLOCK + 0x123, PFLASH_CMD_BLOCK_ERASE);
	wr(f->m, BLOCK + 0x123, PFLASH_CMD_ERASE_CONFIRM);
	assert_int_equal(rd(f->m, BLOCK), PFLASH_STATUS_READY);
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	for (unsigned i = 0; i < BLOCK; i += 0x101)
		assert_int_equal(rd(f->m, BLOCK + i), 0xFF);
	assert_int_equal(rd(f->m, BLOCK - 1), 0xFF); /* 0x7F | 0x80 of the previous block */
	assert_int_equal(rd(f->m, 2 * BLOCK), 0x80);
	assert_int_equal(rd(f->m, 0), 0x80);
}

static void test_pflash_erase_needs_confirm(void **state)
{
	struct fixture *f = *state;

	wr(f->m, 0, PFLASH_CMD_BLOCK_ERASE);
	wr(f->m, 0, 0x55);
	assert_true(rd(f->m, 0) & (PFLASH_STATUS_ERASE_ERR | PFLASH_STATUS_PROGRAM_ERR));
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(rd(f->m, 0), 0x80);
	assert_true(mm_test_log_contains(&f->log, "not confirmed"));
}

static void test_pflash_status_clear_and_read(void **state)
{
	struct fixture *f = *state;

	wr(f->m, 0, PFLASH_CMD_READ_STATUS);
	assert_int_equal(rd(f->m, 0), PFLASH_STATUS_READY);
	wr(f->m, 0, PFLASH_CMD_CLEAR_STATUS);
	/* clear status returns to read array, as QEMU's pflash_cfi01 */
	assert_int_equal(rd(f->m, 0), 0x80);
	assert_int_equal(rd(f->m, 3), 0x83);
	wr(f->m, 0, PFLASH_CMD_READ_STATUS);
	assert_int_equal(rd(f->m, 0), 0x00);
}

/* OVMF's QemuFlashDetected probe must conclude "flash", not RAM or ROM. */
static void test_pflash_ovmf_detection_sees_flash(void **state)
{
	struct fixture *f = *state;
	uint8_t original = rd(f->m, 0x10);

	wr(f->m, 0x10, PFLASH_CMD_CLEAR_STATUS);
	assert_int_equal(rd(f->m, 0x10), original);
	wr(f->m, 0x10, PFLASH_CMD_READ_STATUS);
	assert_int_equal(rd(f->m, 0x10), 0x00);
	wr(f->m, 0x10, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(rd(f->m, 0x10), original);
}

static void test_pflash_id_and_cfi_query(void **state)
{
	struct fixture *f = *state;

	wr(f->m, 0, PFLASH_CMD_READ_ID);
	assert_int_equal(rd(f->m, 0), 0x89);
	assert_int_equal(rd(f->m, 1), 0x18);
	wr(f->m, 0, PFLASH_CMD_CFI_QUERY);
	assert_int_equal(rd(f->m, 0x10), 'Q');
	assert_int_equal(rd(f->m, 0x11), 'R');
	assert_int_equal(rd(f->m, 0x12), 'Y');
	assert_int_equal(rd(f->m, 0x27), 14); /* 16 KiB = 2^14 */
	assert_int_equal(rd(f->m, 0x2D), BLOCKS - 1);
	assert_int_equal(rd(f->m, 0x2F), BLOCK / 256);
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(rd(f->m, 0x10), 0x90);
}

static void test_pflash_unknown_command_warns(void **state)
{
	struct fixture *f = *state;

	wr(f->m, 0, 0x33);
	assert_true(mm_test_log_contains(&f->log, "unknown command 0x33"));
	assert_int_equal(rd(f->m, 1), 0x81);
}

static void test_mm_flash_save_roundtrip(void **state)
{
	struct fixture *f = *state;
	uint8_t buf[4];

	wr(f->m, 0, PFLASH_CMD_BLOCK_ERASE);
	wr(f->m, 0, PFLASH_CMD_ERASE_CONFIRM);
	wr(f->m, 0x100, PFLASH_CMD_PROGRAM);
	wr(f->m, 0x100, 0x5A);
	wr(f->m, 0, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(mm_flash_save(f->m, "/nonexistent/dir/out.fd"), MM_ERR_IO);
	assert_int_equal(mm_flash_save(f->m, f->saved), MM_OK);
	mm_machine_destroy(f->m);
	f->m = mm_test_machine();
	assert_int_equal(mm_flash_map(f->m, f->saved, BASE, BLOCK, false), MM_OK);
	assert_int_equal(rd(f->m, 0x100), 0x5A);
	assert_int_equal(rd(f->m, 0x101), 0xFF);
	assert_int_equal(rd(f->m, BLOCK), 0x80);
	assert_int_equal(mm_flash_peek(f->m, BASE + 0xFF, buf, 3), MM_OK);
	assert_memory_equal(buf, "\xFF\x5A\xFF", 3);
	/* the original image file is untouched */
	mm_machine_destroy(f->m);
	f->m = mm_test_machine();
	assert_int_equal(mm_flash_map(f->m, f->image, BASE, BLOCK, false), MM_OK);
	assert_int_equal(rd(f->m, 0x100), 0x80);
}

static void test_mm_flash_map_read_only_refuses_writes(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_flash_map(f->m, f->image, BASE + SIZE, BLOCK, true), MM_OK);
	mm_io_write(f->m, MM_IO_MMIO, BASE + SIZE, 1, PFLASH_CMD_PROGRAM);
	mm_io_write(f->m, MM_IO_MMIO, BASE + SIZE, 1, 0x00);
	assert_true(mm_io_read(f->m, MM_IO_MMIO, BASE + SIZE, 1) & PFLASH_STATUS_PROGRAM_ERR);
	mm_io_write(f->m, MM_IO_MMIO, BASE + SIZE, 1, PFLASH_CMD_READ_ARRAY);
	assert_int_equal(mm_io_read(f->m, MM_IO_MMIO, BASE + SIZE, 1), 0x80);
	assert_true(mm_test_log_contains(&f->log, "read-only"));
}

static void test_mm_flash_map_bad_arguments(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(mm_flash_map(f->m, "/nonexistent/flash.fd", BASE + SIZE, 0, false),
			 MM_ERR_NOT_FOUND);
	assert_int_equal(mm_flash_map(f->m, f->image, BASE, BLOCK, false), MM_ERR_EXISTS);
	assert_int_equal(mm_flash_map(f->m, f->image, BASE + SIZE, 0x3000, false),
			 MM_ERR_INVALID);
	assert_int_equal(mm_flash_map(f->m, f->image, 0x100000, BLOCK, false), MM_ERR_INVALID);
	assert_int_equal(mm_flash_map(f->m, f->image, 0xFFFFF000ull, BLOCK, false),
			 MM_ERR_INVALID);
}

static void test_mm_flash_save_without_writable_flash(void **state)
{
	struct fixture *f = *state;

	mm_machine_destroy(f->m);
	f->m = mm_test_machine();
	assert_int_equal(mm_flash_save(f->m, f->saved), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_flash_map(f->m, f->image, BASE, BLOCK, true), MM_OK);
	assert_int_equal(mm_flash_save(f->m, f->saved), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_flash_save(f->m, "/nonexistent/dir/out.fd"), MM_ERR_NOT_FOUND);
}

/* A power cycle: the bytes copied out of one machine go into a fresh one. */
static void test_mm_flash_copy_load_power_cycle(void **state)
{
	struct fixture *f = *state;
	uint8_t *data = NULL;
	uint64_t len = 0;

	wr(f->m, 0x30, PFLASH_CMD_PROGRAM);
	wr(f->m, 0x30, 0x05);
	assert_int_equal(mm_flash_copy(f->m, &data, &len), MM_OK);
	assert_int_equal(len, SIZE);
	assert_int_equal(data[0x30], 0x05 & 0xB0);
	mm_machine_destroy(f->m);
	f->m = mm_test_machine();
	assert_int_equal(mm_flash_load(f->m, data, len), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_flash_map(f->m, f->image, BASE, BLOCK, false), MM_OK);
	assert_int_equal(rd(f->m, 0x30), 0xB0);
	assert_int_equal(mm_flash_load(f->m, data, len - 1), MM_ERR_INVALID);
	assert_int_equal(mm_flash_load(f->m, data, len), MM_OK);
	assert_int_equal(rd(f->m, 0x30), 0x05 & 0xB0);
	assert_int_equal(rd(f->m, 0x31), 0xB1);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_pflash_read_array_by_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pflash_program_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pflash_program_only_clears_bits, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pflash_block_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pflash_erase_needs_confirm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pflash_status_clear_and_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pflash_ovmf_detection_sees_flash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_pflash_id_and_cfi_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pflash_unknown_command_warns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_flash_save_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_flash_map_read_only_refuses_writes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_flash_map_bad_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mm_flash_save_without_writable_flash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mm_flash_copy_load_power_cycle, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
