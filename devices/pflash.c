/* SPDX-License-Identifier: MIT */
/*
 * CFI parallel flash with the Intel/Sharp command set, 8 bits wide, as
 * QEMU's pflash_cfi01 that OVMF's QemuFlashFvbServicesRuntimeDxe drives:
 *
 *   write 0xFF (0x00, 0xF0)  read array: reads return the flash contents
 *   write 0x10 or 0x40, data program: the data bytes are ANDed into the
 *                            array (flash bits only go from 1 to 0)
 *   write 0x20, then 0xD0    erase the block holding the address to 0xFF
 *   write 0x50               clear status (to 0, as QEMU; read array after)
 *   write 0x70               read status: 0x80 once an operation is done
 *   write 0x90               read identifier: 0x89 (Intel), 0x18
 *   write 0x98               CFI query: "QRY", command set 1, size, blocks
 *   write 0x60, any          lock setup/confirm: accepted, blocks never lock
 *
 * After a program or erase, reads return the status until a new command.
 * A read-only device (the code volume) refuses program and erase with
 * PROGRAM_ERR/ERASE_ERR and LOCKED in its status. Program and erase complete
 * at once (deterministic: no busy time). The detection OVMF performs
 * (QemuFlashDetected: write 0x50, read back; write 0x70, read back 0x00)
 * sees a flash device, not RAM or ROM.
 *
 * The array is a host copy of the image file; the device is MMIO, reached
 * only through the bus (core/io.h), never mapped into guest memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <mmemu/flash.h>

#include "core/call.h"
#include "core/machine.h"
#include "pflash.h"

#define PFLASH_ID_MANUFACTURER 0x89 /* Intel */
#define PFLASH_ID_DEVICE 0x18
#define PFLASH_MAX_SIZE (64ull << 20)
#define FOUR_GIB (1ull << 32)

/* The CFI query byte at offset (CFI 2.0, JESD68.01: 0x10 "QRY" ... 0x2D region 1). */
static uint8_t cfi_byte(const struct pflash *f, uint64_t off)
{
	uint32_t blocks = (uint32_t)(f->size / f->block_size) - 1;
	uint32_t units = f->block_size / 256;
	unsigned log2size = 0;

	while ((1ull << log2size) < f->size)
		log2size++;
	switch (off) {
	case 0x10: return 'Q';
	case 0x11: return 'R';
	case 0x12: return 'Y';
	case 0x13: return 0x01; /* primary command set: Intel/Sharp extended */
	case 0x27: return (uint8_t)log2size;
	case 0x28: return 0x00; /* device interface: x8 */
	case 0x2C: return 0x01; /* one erase block region */
	case 0x2D: return (uint8_t)blocks;
	case 0x2E: return (uint8_t)(blocks >> 8);
	case 0x2F: return (uint8_t)units;
	case 0x30: return (uint8_t)(units >> 8);
	default: return 0;
	}
}

/* The byte a read at offset off returns in the device's mode. */
static uint8_t pflash_byte(const struct pflash *f, uint64_t off)
{
	switch (f->mode) {
	case PFLASH_MODE_STATUS: return f->status;
	case PFLASH_MODE_ID:
		return off == 0 ? PFLASH_ID_MANUFACTURER : off == 1 ? PFLASH_ID_DEVICE : 0;
	case PFLASH_MODE_CFI: return cfi_byte(f, off);
	case PFLASH_MODE_ARRAY:
	default: return f->data[off];
	}
}

/* mm_io read callback: size bytes at addr, little endian, in the current mode. */
static uint64_t pflash_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct pflash *f = user;
	uint64_t off = addr - f->base, v = 0;

	(void)m;
	for (unsigned i = 0; i < size && off + i < f->size; i++)
		v |= (uint64_t)pflash_byte(f, off + i) << (8 * i);
	return v;
}

/* Programs size bytes of value at off: bits only go from 1 to 0. */
static void pflash_program(struct mm_machine *m, struct pflash *f, uint64_t off, unsigned size,
			   uint64_t value)
{
	if (f->read_only) {
		f->status |= PFLASH_STATUS_PROGRAM_ERR | PFLASH_STATUS_LOCKED;
		mm_log(m, MM_LOG_WARN, "pflash: %s programs read-only flash at 0x%llx",
		       mm_executing_name(m), (unsigned long long)(f->base + off));
		return;
	}
	for (unsigned i = 0; i < size && off + i < f->size; i++)
		f->data[off + i] &= (uint8_t)(value >> (8 * i));
	f->programs++;
	f->dirty = true;
	f->status |= PFLASH_STATUS_READY;
}

/* Erases the block holding off to all ones. */
static void pflash_erase(struct mm_machine *m, struct pflash *f, uint64_t off)
{
	uint64_t block = off - off % f->block_size;

	if (f->read_only) {
		f->status |= PFLASH_STATUS_ERASE_ERR | PFLASH_STATUS_LOCKED;
		mm_log(m, MM_LOG_WARN, "pflash: %s erases read-only flash at 0x%llx",
		       mm_executing_name(m), (unsigned long long)(f->base + off));
		return;
	}
	memset(f->data + block, 0xFF, f->block_size);
	f->erases++;
	f->dirty = true;
	f->status |= PFLASH_STATUS_READY;
	mm_log(m, MM_LOG_IO, "pflash: block 0x%llx+0x%x erased",
	       (unsigned long long)(f->base + block), f->block_size);
}

/* The second cycle of a two-cycle command (f->pending). */
static void pflash_second_cycle(struct mm_machine *m, struct pflash *f, uint64_t off,
				unsigned size, uint64_t value)
{
	uint8_t cmd = f->pending;

	f->pending = 0;
	f->mode = PFLASH_MODE_STATUS;
	switch (cmd) {
	case PFLASH_CMD_PROGRAM:
	case PFLASH_CMD_PROGRAM_ALT:
		pflash_program(m, f, off, size, value);
		return;
	case PFLASH_CMD_BLOCK_ERASE:
		if ((uint8_t)value == PFLASH_CMD_ERASE_CONFIRM) {
			pflash_erase(m, f, off);
			return;
		}
		/* command sequence error: both error bits (Intel 28F datasheets) */
		f->status |= PFLASH_STATUS_ERASE_ERR | PFLASH_STATUS_PROGRAM_ERR;
		mm_log(m, MM_LOG_WARN, "pflash: erase at 0x%llx not confirmed (0x%02x)",
		       (unsigned long long)(f->base + off), (unsigned)(uint8_t)value);
		return;
	default: /* lock setup: the confirm byte is accepted and ignored */
		f->mode = PFLASH_MODE_ARRAY;
		return;
	}
}

/* A command cycle: the low byte of value is the command. */
static void pflash_command(struct mm_machine *m, struct pflash *f, uint64_t off, uint8_t cmd)
{
	switch (cmd) {
	case 0x00:
	case 0xF0:
	case PFLASH_CMD_READ_ARRAY: f->mode = PFLASH_MODE_ARRAY; return;
	case PFLASH_CMD_PROGRAM:
	case PFLASH_CMD_PROGRAM_ALT:
	case PFLASH_CMD_BLOCK_ERASE:
	case 0x60: /* lock setup */
		f->pending = cmd;
		f->mode = PFLASH_MODE_STATUS;
		return;
	case PFLASH_CMD_CLEAR_STATUS:
		f->status = 0;
		f->mode = PFLASH_MODE_ARRAY;
		return;
	case PFLASH_CMD_READ_STATUS: f->mode = PFLASH_MODE_STATUS; return;
	case PFLASH_CMD_READ_ID: f->mode = PFLASH_MODE_ID; return;
	case PFLASH_CMD_CFI_QUERY: f->mode = PFLASH_MODE_CFI; return;
	default:
		mm_log(m, MM_LOG_WARN, "pflash: unknown command 0x%02x at 0x%llx from %s", cmd,
		       (unsigned long long)(f->base + off), mm_executing_name(m));
		f->mode = PFLASH_MODE_ARRAY;
		return;
	}
}

/* mm_io write callback: a command cycle, or the second cycle of one. */
static void pflash_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
			 uint64_t value)
{
	struct pflash *f = user;
	uint64_t off = addr - f->base;

	if (f->pending)
		pflash_second_cycle(m, f, off, size, value);
	else
		pflash_command(m, f, off, (uint8_t)value);
}

struct pflash_set *pflash_set(const struct mm_machine *m)
{
	return mm_extension_get(m, "pflash");
}

/* Frees the devices with the machine (extension fini). */
static void pflash_fini(struct mm_machine *m, void *data)
{
	struct pflash_set *set = data;

	for (unsigned i = 0; i < set->count; i++) {
		mm_io_remove(m, MM_IO_MMIO, set->dev[i].base);
		free(set->dev[i].data);
		free(set->dev[i].path);
	}
	free(set);
}

/* The device set of m, created on first use. NULL (message set) when out of memory. */
static struct pflash_set *pflash_set_get(struct mm_machine *m)
{
	struct pflash_set *set = pflash_set(m);

	if (set)
		return set;
	set = calloc(1, sizeof(*set));
	if (!set || mm_extension_add(m, "pflash", pflash_fini, set)) {
		free(set);
		mm_fail(m, MM_ERR_NOMEM, "pflash: out of memory");
		return NULL;
	}
	return set;
}

/* Reads the whole file path into a new buffer; its size in *size. */
static enum mm_err read_image(struct mm_machine *m, const char *path, uint8_t **out,
			      uint64_t *size)
{
	struct stat st;
	FILE *fp;
	uint8_t *buf;
	size_t got;

	if (stat(path, &st) != 0)
		return mm_fail(m, MM_ERR_NOT_FOUND, "pflash: image '%s' not found", path);
	if (!S_ISREG(st.st_mode) || st.st_size <= 0 || (uint64_t)st.st_size > PFLASH_MAX_SIZE)
		return mm_fail(m, MM_ERR_INVALID, "pflash: image '%s' is empty, not a file or "
			       "over 64 MiB", path);
	buf = malloc((size_t)st.st_size);
	if (!buf)
		return mm_fail(m, MM_ERR_NOMEM, "pflash: out of memory for '%s'", path);
	fp = fopen(path, "rb");
	got = fp ? fread(buf, 1, (size_t)st.st_size, fp) : 0;
	if (fp)
		fclose(fp);
	if (got != (size_t)st.st_size) {
		free(buf);
		return mm_fail(m, MM_ERR_IO, "pflash: cannot read image '%s'", path);
	}
	*out = buf;
	*size = (uint64_t)st.st_size;
	return MM_OK;
}

/* Checks where an image of size bytes would go. MM_OK or MM_ERR_INVALID. */
static enum mm_err check_place(struct mm_machine *m, const char *path, uint64_t base,
			       uint64_t size, uint32_t block)
{
	if (block < 256 || (block & (block - 1)) || size % block)
		return mm_fail(m, MM_ERR_INVALID, "pflash: '%s' (%llu bytes) is not a whole "
			       "number of %u-byte blocks (a power of two >= 256)", path,
			       (unsigned long long)size, block);
	if (base & 0xFFF || base >= FOUR_GIB || size > FOUR_GIB - base)
		return mm_fail(m, MM_ERR_INVALID, "pflash: '%s' at 0x%llx+0x%llx is not page "
			       "aligned below 4 GiB", path, (unsigned long long)base,
			       (unsigned long long)size);
	for (unsigned i = 0; i < m->mem.count; i++) {
		const struct mm_region_desc *d = &m->mem.regions[i].desc;

		if (base < d->base + d->size && d->base < base + size)
			return mm_fail(m, MM_ERR_INVALID, "pflash: '%s' at 0x%llx+0x%llx overlaps "
				       "memory region %s", path, (unsigned long long)base,
				       (unsigned long long)size, d->name ? d->name : "?");
	}
	return MM_OK;
}

enum mm_err mm_flash_map(struct mm_machine *m, const char *path, uint64_t base,
			 uint32_t block_size, bool read_only)
{
	struct pflash_set *set;
	struct pflash *f;
	uint8_t *data = NULL;
	uint64_t size = 0;
	enum mm_err err;

	if (!path)
		return mm_fail(m, MM_ERR_INVALID, "pflash: no image file");
	if (!block_size)
		block_size = MM_FLASH_BLOCK_DEFAULT;
	set = pflash_set_get(m);
	if (!set)
		return MM_ERR_NOMEM;
	if (set->count == PFLASH_MAX_DEVICES)
		return mm_fail(m, MM_ERR_NOMEM, "pflash: more than %d flash devices",
			       PFLASH_MAX_DEVICES);
	err = read_image(m, path, &data, &size);
	if (!err)
		err = check_place(m, path, base, size, block_size);
	f = &set->dev[set->count];
	*f = (struct pflash){ .m = m, .base = base, .size = size, .block_size = block_size,
			      .read_only = read_only, .data = data,
			      .status = PFLASH_STATUS_READY };
	if (!err && !(f->path = strdup(path)))
		err = mm_fail(m, MM_ERR_NOMEM, "pflash: out of memory");
	if (!err)
		err = mm_io_add(m, MM_IO_MMIO, base, size, pflash_read, pflash_write, f, "pflash");
	if (err) {
		free(f->path);
		free(data);
		*f = (struct pflash){ 0 };
		return err;
	}
	set->count++;
	mm_log(m, MM_LOG_IO, "pflash: '%s' at 0x%llx+0x%llx, %u-byte blocks%s", path,
	       (unsigned long long)base, (unsigned long long)size, block_size,
	       read_only ? ", read-only" : "");
	return MM_OK;
}

enum mm_err mm_flash_save(struct mm_machine *m, const char *path)
{
	struct pflash_set *set = pflash_set(m);
	FILE *fp;
	bool ok;

	for (unsigned i = 0; set && i < set->count; i++) {
		const struct pflash *f = &set->dev[i];

		if (f->read_only)
			continue;
		fp = fopen(path, "wb");
		ok = fp && fwrite(f->data, 1, f->size, fp) == f->size;
		if (fp && fclose(fp) != 0)
			ok = false;
		if (!ok)
			return mm_fail(m, MM_ERR_IO, "pflash: cannot write '%s'", path);
		return MM_OK;
	}
	return mm_fail(m, MM_ERR_NOT_FOUND, "pflash: no writable flash device to save");
}

/* m's first writable device (the variable store), or NULL. */
static struct pflash *first_writable(struct mm_machine *m)
{
	struct pflash_set *set = pflash_set(m);

	for (unsigned i = 0; set && i < set->count; i++)
		if (!set->dev[i].read_only)
			return &set->dev[i];
	return NULL;
}

enum mm_err mm_flash_copy(struct mm_machine *m, uint8_t **data, uint64_t *len)
{
	struct pflash *f = first_writable(m);

	if (!f)
		return mm_fail(m, MM_ERR_NOT_FOUND, "pflash: no writable flash device to copy");
	*data = malloc(f->size);
	if (!*data)
		return mm_fail(m, MM_ERR_NOMEM, "pflash: out of memory");
	memcpy(*data, f->data, f->size);
	*len = f->size;
	return MM_OK;
}

enum mm_err mm_flash_load(struct mm_machine *m, const void *data, uint64_t len)
{
	struct pflash *f = first_writable(m);

	if (!f)
		return mm_fail(m, MM_ERR_NOT_FOUND, "pflash: no writable flash device to load");
	if (!data || len != f->size)
		return mm_fail(m, MM_ERR_INVALID, "pflash: %llu bytes for a device of %llu",
			       (unsigned long long)len, (unsigned long long)f->size);
	memcpy(f->data, data, len);
	f->mode = PFLASH_MODE_ARRAY;
	f->pending = 0;
	f->status = PFLASH_STATUS_READY;
	return MM_OK;
}

enum mm_err mm_flash_peek(struct mm_machine *m, uint64_t addr, void *buf, uint64_t len)
{
	struct pflash_set *set = pflash_set(m);

	for (unsigned i = 0; set && i < set->count; i++) {
		const struct pflash *f = &set->dev[i];

		if (addr >= f->base && len <= f->size && addr - f->base <= f->size - len) {
			memcpy(buf, f->data + (addr - f->base), len);
			return MM_OK;
		}
	}
	return mm_fail(m, MM_ERR_RANGE, "pflash: 0x%llx+0x%llx is not inside one flash device",
		       (unsigned long long)addr, (unsigned long long)len);
}
