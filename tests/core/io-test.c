/* SPDX-License-Identifier: MIT */
/* Tests of core/io.c: the port and MMIO buses and EFI_MM_CPU_IO_PROTOCOL. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/call.h"
#include "core/machine.h"
#include "support.h"

#define U(x) ((uint64_t)(uintptr_t)(x))
#define MMIO_BASE 0xfed00000ull /* not guest memory on the default platform */

/* A device that remembers its last write and answers reads with addr ^ 0x5a5a... */
struct dev {
	uint64_t last_addr, last_value;
	unsigned last_size, writes, reads;
	uint8_t bytes[16];
};

static uint64_t dev_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct dev *d = user;

	(void)m;
	d->reads++;
	d->last_addr = addr;
	d->last_size = size;
	return 0xa5a5a5a5a5a5a5a5ull ^ addr;
}

static void dev_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
		      uint64_t value)
{
	struct dev *d = user;

	(void)m;
	if (d->writes < sizeof(d->bytes))
		d->bytes[d->writes] = (uint8_t)value;
	d->writes++;
	d->last_addr = addr;
	d->last_size = size;
	d->last_value = value;
}

static int setup(void **state)
{
	struct mm_machine *m = NULL;
	char err[256] = "";

	if (mm_core_create(NULL, &m, err, sizeof(err)) != MM_OK)
		fail_msg("mm_core_create: %s", err);
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	mm_machine_destroy(*state);
	return 0;
}

static EFI_STATUS efi_call_v(struct mm_machine *m, const void *fn, const uint64_t *args,
			     unsigned n)
{
	uint64_t ret = 0;

	assert_int_equal(mm_call(m, (uint64_t)(uintptr_t)fn, n, args, &ret), MM_OK);
	return (EFI_STATUS)ret;
}

/* Calls a MmIo member through mm_call, as a driver would. */
#define cpu_io(m, fn, width, addr, count, buf)                                             \
	efi_call_v(m, (const void *)(fn),                                                  \
		   (const uint64_t[]){ 0, (uint64_t)(width), (uint64_t)(addr),               \
				       (uint64_t)(count), U(buf) }, 5)

static void test_mm_io_add_overlap(void **state)
{
	struct mm_machine *m = *state;
	struct dev d = { 0 };

	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x60, 4, dev_read, dev_write, &d, "kbc"),
			 MM_OK);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x62, 2, dev_read, dev_write, &d, "x"),
			 MM_ERR_EXISTS);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x5f, 2, dev_read, dev_write, &d, "x"),
			 MM_ERR_EXISTS);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x50, 0x100, dev_read, dev_write, &d, "x"),
			 MM_ERR_EXISTS);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x64, 1, dev_read, dev_write, &d, "next"),
			 MM_OK);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x5f, 1, dev_read, dev_write, &d, "prev"),
			 MM_OK);
	assert_int_equal(m->io.count[MM_IO_PORT], 3);
	/* the same addresses in the other space are free */
	assert_int_equal(mm_io_add(m, MM_IO_MMIO, 0x60, 4, dev_read, dev_write, &d, "mmio"),
			 MM_OK);
}

static void test_mm_io_add_invalid(void **state)
{
	struct mm_machine *m = *state;

	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x80, 0, NULL, NULL, NULL, "zero"),
			 MM_ERR_INVALID);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0xffff, 2, NULL, NULL, NULL, "past 64K"),
			 MM_ERR_INVALID);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x10000, 1, NULL, NULL, NULL, "past 64K"),
			 MM_ERR_INVALID);
	assert_int_equal(mm_io_add(m, MM_IO_MMIO, UINT64_MAX, 2, NULL, NULL, NULL, "wrap"),
			 MM_ERR_INVALID);
	assert_int_equal(mm_io_add(m, (enum mm_io_space)5, 0, 1, NULL, NULL, NULL, "space"),
			 MM_ERR_INVALID);
	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0xffff, 1, NULL, NULL, NULL, "last"), MM_OK);
}

static void test_mm_io_read_unclaimed(void **state)
{
	struct mm_machine *m = *state;
	struct mm_test_log *log = calloc(1, sizeof(*log));

	assert_non_null(log);
	mm_test_log_attach(m, log, MM_LOG_IO);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0x80, 1), 0xff);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0x80, 2), 0xffff);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0x80, 4), 0xffffffffu);
	assert_int_equal(mm_io_read(m, MM_IO_MMIO, MMIO_BASE, 8), UINT64_MAX);
	mm_io_write(m, MM_IO_PORT, 0x80, 1, 0x12);
	assert_true(mm_test_log_contains(log, "unclaimed"));
	assert_true(mm_test_log_contains(log, "dropped"));
	free(log);
}

static void test_mm_io_read_device(void **state)
{
	struct mm_machine *m = *state;
	struct dev d = { 0 };

	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0xcf8, 8, dev_read, dev_write, &d, "pci"),
			 MM_OK);
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0xcfc, 2),
			 (0xa5a5a5a5a5a5a5a5ull ^ 0xcfc) & 0xffff);
	assert_int_equal(d.last_addr, 0xcfc);
	assert_int_equal(d.last_size, 2);
	mm_io_write(m, MM_IO_PORT, 0xcf8, 4, 0x1234567880000000ull);
	assert_int_equal(d.last_value, 0x80000000u); /* masked to the access size */
	assert_int_equal(d.last_size, 4);
	/* a bad size never reaches the device */
	assert_int_equal(mm_io_read(m, MM_IO_PORT, 0xcf8, 3), UINT64_MAX);
	assert_int_equal(d.reads, 1);
}

static void test_mm_io_read_sorted_lookup(void **state)
{
	struct mm_machine *m = *state;
	struct dev d[20] = { 0 };
	static const char *names[20] = { "d0", "d1", "d2", "d3", "d4", "d5", "d6",
					  "d7", "d8", "d9", "d10", "d11", "d12", "d13",
					  "d14", "d15", "d16", "d17", "d18", "d19" };

	/* registered out of order, more than the initial capacity */
	for (unsigned i = 0; i < 20; i++) {
		unsigned k = (i * 7) % 20;

		assert_int_equal(mm_io_add(m, MM_IO_MMIO, MMIO_BASE + k * 0x1000, 0x100, dev_read,
					   dev_write, &d[k], names[k]),
				 MM_OK);
	}
	for (unsigned k = 0; k < 20; k++) {
		mm_io_write(m, MM_IO_MMIO, MMIO_BASE + k * 0x1000 + 0xff, 1, k);
		assert_int_equal(d[k].writes, 1);
		assert_int_equal(d[k].last_value, k);
	}
	mm_io_write(m, MM_IO_MMIO, MMIO_BASE + 0x100, 1, 0xee); /* gap after d0 */
	assert_int_equal(d[0].writes, 1);
	for (unsigned k = 1; k < 20; k++)
		assert_true(m->io.ranges[MM_IO_MMIO][k - 1].base <
			    m->io.ranges[MM_IO_MMIO][k].base);
}

static void test_MmIoRead_invalid(void **state)
{
	struct mm_machine *m = *state;
	uint8_t buf[16];

	assert_int_equal(cpu_io(m, MmIoRead, 4, 0x80, 1, buf), EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmIoRead, MM_IO_UINT8, 0x80, 1, NULL), EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmIoRead, MM_IO_UINT8, 0x10000, 1, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmIoRead, MM_IO_UINT8, 0xffff, 2, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmIoRead, MM_IO_UINT32, 0xfffe, 1, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmIoWrite, MM_IO_UINT64, 0, UINT64_MAX / 4, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmMemRead, MM_IO_UINT64, 0, UINT64_MAX / 4, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmMemRead, MM_IO_UINT32, UINT64_MAX - 2, 1, buf),
			 EFI_INVALID_PARAMETER);
	assert_int_equal(cpu_io(m, MmMemWrite, 7, MMIO_BASE, 1, buf), EFI_INVALID_PARAMETER);
	/* the last port is fine */
	assert_int_equal(cpu_io(m, MmIoRead, MM_IO_UINT8, 0xffff, 1, buf), EFI_SUCCESS);
	assert_int_equal(buf[0], 0xff);
}

static void test_MmIoWrite_count(void **state)
{
	struct mm_machine *m = *state;
	struct dev d = { 0 };
	uint8_t out[3] = { 1, 2, 3 };
	uint16_t in[2] = { 0 };

	assert_int_equal(mm_io_add(m, MM_IO_PORT, 0x400, 0x10, dev_read, dev_write, &d, "dev"),
			 MM_OK);
	assert_int_equal(cpu_io(m, MmIoWrite, MM_IO_UINT8, 0x400, 3, out), EFI_SUCCESS);
	assert_int_equal(d.writes, 3);
	assert_memory_equal(d.bytes, out, 3);
	assert_int_equal(d.last_addr, 0x402);
	assert_int_equal(cpu_io(m, MmIoRead, MM_IO_UINT16, 0x404, 2, in), EFI_SUCCESS);
	assert_int_equal(in[0], (uint16_t)(0xa5a5 ^ 0x404));
	assert_int_equal(in[1], (uint16_t)(0xa5a5 ^ 0x406));
	assert_int_equal(d.last_size, 2);
	assert_int_equal(cpu_io(m, MmIoWrite, MM_IO_UINT8, 0x400, 0, out), EFI_SUCCESS);
	assert_int_equal(d.writes, 3);
}

static void test_MmMemRead_guest_memory(void **state)
{
	struct mm_machine *m = *state;
	uint64_t addr = 0x200000, smram = 0x0f800000 + 0x7ff000;
	uint32_t in[2] = { 0 }, out[2] = { 0xdeadbeef, 0xcafef00d };

	assert_int_equal(cpu_io(m, MmMemWrite, MM_IO_UINT32, addr, 2, out), EFI_SUCCESS);
	assert_memory_equal((void *)(uintptr_t)addr, out, sizeof(out));
	assert_int_equal(cpu_io(m, MmMemRead, MM_IO_UINT32, addr, 2, in), EFI_SUCCESS);
	assert_memory_equal(in, out, sizeof(out));
	/* SMRAM is memory too, for MM code */
	assert_int_equal(cpu_io(m, MmMemWrite, MM_IO_UINT64, smram, 1, out), EFI_SUCCESS);
	assert_memory_equal((void *)(uintptr_t)smram, out, 8);
}

static void test_MmMemRead_mmio(void **state)
{
	struct mm_machine *m = *state;
	struct dev d = { 0 };
	uint32_t v = 0x11223344, in = 0;

	assert_int_equal(mm_io_add(m, MM_IO_MMIO, MMIO_BASE, 0x1000, dev_read, dev_write, &d,
				   "hpet"),
			 MM_OK);
	assert_int_equal(cpu_io(m, MmMemWrite, MM_IO_UINT32, MMIO_BASE + 0x10, 1, &v),
			 EFI_SUCCESS);
	assert_int_equal(d.last_value, 0x11223344);
	assert_int_equal(d.last_addr, MMIO_BASE + 0x10);
	assert_int_equal(cpu_io(m, MmMemRead, MM_IO_UINT32, MMIO_BASE + 0x20, 1, &in),
			 EFI_SUCCESS);
	assert_int_equal(in, (uint32_t)(0xa5a5a5a5 ^ (MMIO_BASE + 0x20)));
	/* unclaimed MMIO reads as ones */
	assert_int_equal(cpu_io(m, MmMemRead, MM_IO_UINT32, MMIO_BASE + 0x2000, 1, &in),
			 EFI_SUCCESS);
	assert_int_equal(in, 0xffffffffu);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_mm_io_add_overlap),
		T(test_mm_io_add_invalid),
		T(test_mm_io_read_unclaimed),
		T(test_mm_io_read_device),
		T(test_mm_io_read_sorted_lookup),
		T(test_MmIoRead_invalid),
		T(test_MmIoWrite_count),
		T(test_MmMemRead_guest_memory),
		T(test_MmMemRead_mmio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
