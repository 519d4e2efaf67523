/* SPDX-License-Identifier: MIT */
/*
 * CFI parallel flash devices (pflash.c), the extension "pflash" of a machine:
 * the public API (include/mmemu/flash.h) creates them; each claims its MMIO
 * range on the bus. Kept apart from the chipset: a platform may have none.
 */
#ifndef DEVICES_PFLASH_H
#define DEVICES_PFLASH_H

#include <stdbool.h>
#include <stdint.h>

#include <mmemu/error.h>

struct mm_machine;

#define PFLASH_MAX_DEVICES 4

/* Intel/Sharp command set (Intel 28F series; QEMU hw/block/pflash_cfi01.c). */
#define PFLASH_CMD_READ_ARRAY 0xFF
#define PFLASH_CMD_PROGRAM 0x10
#define PFLASH_CMD_PROGRAM_ALT 0x40
#define PFLASH_CMD_BLOCK_ERASE 0x20
#define PFLASH_CMD_ERASE_CONFIRM 0xD0
#define PFLASH_CMD_CLEAR_STATUS 0x50
#define PFLASH_CMD_READ_STATUS 0x70
#define PFLASH_CMD_READ_ID 0x90
#define PFLASH_CMD_CFI_QUERY 0x98
/* Status register bits. */
#define PFLASH_STATUS_READY 0x80       /* write state machine ready */
#define PFLASH_STATUS_ERASE_ERR 0x20
#define PFLASH_STATUS_PROGRAM_ERR 0x10
#define PFLASH_STATUS_LOCKED 0x02      /* block locked: operation refused */

/* What a read returns, by the last command. */
enum pflash_mode {
	PFLASH_MODE_ARRAY,
	PFLASH_MODE_STATUS,
	PFLASH_MODE_ID,
	PFLASH_MODE_CFI,
};

struct pflash {
	struct mm_machine *m;
	char *path;          /* the image file it was loaded from */
	uint64_t base, size;
	uint32_t block_size;
	bool read_only;
	uint8_t *data;       /* host copy of the array */
	enum pflash_mode mode;
	uint8_t pending;     /* first cycle of a two-cycle command, or 0 */
	uint8_t status;
	uint64_t programs, erases; /* counters for tests and logs */
	bool dirty;          /* written since loaded */
};

struct pflash_set {
	struct pflash dev[PFLASH_MAX_DEVICES];
	unsigned count;
};

/* Returns the flash devices of m, or NULL when none was mapped. */
struct pflash_set *pflash_set(const struct mm_machine *m);

#endif /* DEVICES_PFLASH_H */
