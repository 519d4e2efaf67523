/* SPDX-License-Identifier: MIT */
/* I/O ports of the simulated platform, as code outside SMM reaches them. */
#ifndef MMEMU_IO_H
#define MMEMU_IO_H

#include <stdint.h>

#include "error.h"

struct mm_machine;

/*
 * Reads width (1, 2 or 4) bytes from I/O port port of m into *value, as an IN
 * instruction would (an unclaimed port reads as all ones). A write to the APM
 * control port 0xB2 through mm_port_write raises the SMI like an OUT would.
 * Returns MM_OK or MM_ERR_INVALID (bad width, NULL value, port + width past
 * 0xFFFF).
 */
enum mm_err mm_port_read(struct mm_machine *m, uint16_t port, unsigned width, uint32_t *value);

/*
 * Writes the low width (1, 2 or 4) bytes of value to I/O port port of m, as
 * an OUT instruction would. Returns MM_OK or MM_ERR_INVALID (bad width, value
 * wider than width, port + width past 0xFFFF).
 */
enum mm_err mm_port_write(struct mm_machine *m, uint16_t port, unsigned width, uint32_t value);

#endif /* MMEMU_IO_H */
