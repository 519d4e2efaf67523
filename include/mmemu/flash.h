/* SPDX-License-Identifier: MIT */
/*
 * Flash devices of the simulated platform: CFI parallel flash (Intel/Sharp
 * command set, as QEMU's pflash_cfi01 that OVMF runs on) over image files.
 * The device is MMIO: code sees it only through the bus (emulated CPU,
 * EFI_MM_CPU_IO_PROTOCOL), never as host-mapped memory. Writes land in a
 * host copy of the image; mm_flash_save() writes that copy out, so that the
 * variables a run stored persist into the next run.
 */
#ifndef MMEMU_FLASH_H
#define MMEMU_FLASH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct mm_machine;

/* QEMU's sector length for the PC flash devices (hw/i386/pc_sysfw.c): 4 KiB. */
#define MM_FLASH_BLOCK_DEFAULT 4096u

/*
 * Maps the image file path as a flash device of m at guest-physical base,
 * size = the file's size (a multiple of block_size). block_size is the erase
 * block (0: MM_FLASH_BLOCK_DEFAULT). A read_only device accepts no program
 * or erase (its status then reports a program/erase error). The file is read
 * once; it is never written by mmemu unless named to mm_flash_save().
 * Returns MM_OK, MM_ERR_NOT_FOUND (no such file), MM_ERR_IO (unreadable),
 * MM_ERR_INVALID (empty, size not a multiple of the block, past 4 GiB),
 * MM_ERR_EXISTS (overlaps a claimed MMIO range) or MM_ERR_NOMEM.
 */
enum mm_err mm_flash_map(struct mm_machine *m, const char *path, uint64_t base,
			 uint32_t block_size, bool read_only);

/*
 * Writes the current contents of m's first writable flash device (the
 * variable store) to the file path (created or truncated). Returns MM_OK,
 * MM_ERR_NOT_FOUND (no writable flash device) or MM_ERR_IO.
 */
enum mm_err mm_flash_save(struct mm_machine *m, const char *path);

/*
 * Copies the contents of m's first writable flash device (the one
 * mm_flash_save writes) into a new buffer: *data (release it with free())
 * and *len. Returns MM_OK, MM_ERR_NOT_FOUND (no writable flash device) or
 * MM_ERR_NOMEM.
 */
enum mm_err mm_flash_copy(struct mm_machine *m, uint8_t **data, uint64_t *len);

/*
 * Replaces the contents of m's first writable flash device by the len bytes
 * at data, and puts the device in read-array mode: what a power cycle keeps
 * (the bytes mm_flash_copy took from the machine before). Returns MM_OK,
 * MM_ERR_NOT_FOUND (no writable flash device) or MM_ERR_INVALID (len is not
 * the device's size).
 */
enum mm_err mm_flash_load(struct mm_machine *m, const void *data, uint64_t len);

/*
 * Copies len bytes of the flash contents at guest-physical addr into buf
 * without any bus cycle (the array, whatever mode the device is in).
 * Returns MM_OK or MM_ERR_RANGE (not all inside one flash device).
 */
enum mm_err mm_flash_peek(struct mm_machine *m, uint64_t addr, void *buf, uint64_t len);

#endif /* MMEMU_FLASH_H */
