/* SPDX-License-Identifier: MIT */
/*
 * The debug console port 0x402, as QEMU's isa-debugcon that OVMF's
 * PlatformDebugLibIoPort writes to: every byte written is output, a read
 * returns 0xE9 (how firmware detects the port). Output goes to the machine
 * log under MM_LOG_DEBUG, one log line per '\n'.
 *
 * The line buffer also serves the serial port (serial.c). Carriage returns
 * are dropped; other control and non-ASCII bytes are shown as \xNN; a line
 * longer than LINE_MAX_CHARS bytes is cut into several log lines; a partial
 * line is flushed when the machine is destroyed.
 */
#include <stdio.h>

#include "core/machine.h"
#include "chipset.h"

void line_buf_init(struct line_buf *lb, const char *name)
{
	lb->name = name;
	lb->len = 0;
	lb->chars = 0;
	lb->text[0] = '\0';
}

/* Sends the buffered line (possibly empty) to the log and empties the buffer. */
static void line_buf_emit(struct mm_machine *m, struct line_buf *lb)
{
	lb->text[lb->len] = '\0';
	mm_log(m, MM_LOG_DEBUG, "%s: %s", lb->name, lb->text);
	lb->len = 0;
	lb->chars = 0;
}

void line_buf_put(struct mm_machine *m, struct line_buf *lb, uint8_t byte)
{
	if (byte == '\n') {
		line_buf_emit(m, lb);
		return;
	}
	if (byte == '\r')
		return;
	if (lb->chars >= LINE_MAX_CHARS)
		line_buf_emit(m, lb);
	if (byte >= 0x20 && byte < 0x7F)
		lb->text[lb->len++] = (char)byte;
	else
		lb->len += (unsigned)snprintf(lb->text + lb->len, sizeof(lb->text) - lb->len,
					      "\\x%02x", byte);
	lb->chars++;
}

void line_buf_flush(struct mm_machine *m, struct line_buf *lb)
{
	if (lb->chars)
		line_buf_emit(m, lb);
}

/* mm_io read callback of 0x402: the debugcon signature byte. */
static uint64_t debugcon_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	(void)m, (void)user, (void)addr, (void)size;
	return DEBUGCON_READBACK;
}

/* mm_io write callback of 0x402: the low byte is one character. */
static void debugcon_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
			   uint64_t value)
{
	struct mm_chipset *cs = user;

	(void)addr, (void)size;
	line_buf_put(m, &cs->debugcon, (uint8_t)value);
}

enum mm_err debug_port_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	enum mm_err err;

	line_buf_init(&cs->debugcon, "debugcon");
	err = mm_io_add(m, MM_IO_PORT, DEBUGCON_PORT, 1, debugcon_read, debugcon_write, cs,
			"debugcon");
	if (err)
		return mm_fail(m, err, "chipset: cannot claim debug port 0x%x: %s", DEBUGCON_PORT,
			       mm_strerror(err));
	return MM_OK;
}

void debug_port_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	if (cs->debugcon.name)
		line_buf_flush(m, &cs->debugcon);
}
