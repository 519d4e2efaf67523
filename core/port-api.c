/* SPDX-License-Identifier: MIT */
/*
 * The public port API (include/mmemu/io.h) and the handler observer
 * (include/mmemu/observe.h): thin, checked doors into core/io.c and the
 * machine, for scenarios and embedders.
 */
#include <mmemu/io.h>
#include <mmemu/observe.h>

#include "machine.h"

/* Checks a port access the way an IN/OUT instruction constrains it. */
static enum mm_err port_check(struct mm_machine *m, uint16_t port, unsigned width)
{
	if (width != 1 && width != 2 && width != 4)
		return mm_fail(m, MM_ERR_INVALID, "port 0x%x: width %u is not 1, 2 or 4", port,
			       width);
	if ((uint32_t)port + width - 1 > 0xffff)
		return mm_fail(m, MM_ERR_INVALID, "port 0x%x: %u bytes run past port 0xFFFF",
			       port, width);
	return MM_OK;
}

enum mm_err mm_port_read(struct mm_machine *m, uint16_t port, unsigned width, uint32_t *value)
{
	enum mm_err err;

	if (!m || !value)
		return MM_ERR_INVALID;
	err = port_check(m, port, width);
	if (err)
		return err;
	*value = (uint32_t)mm_io_read(m, MM_IO_PORT, port, width);
	return MM_OK;
}

enum mm_err mm_port_write(struct mm_machine *m, uint16_t port, unsigned width, uint32_t value)
{
	enum mm_err err;

	if (!m)
		return MM_ERR_INVALID;
	err = port_check(m, port, width);
	if (err)
		return err;
	if (width < 4 && value >> (8 * width))
		return mm_fail(m, MM_ERR_INVALID, "port 0x%x: value 0x%x wider than %u bytes",
			       port, value, width);
	mm_io_write(m, MM_IO_PORT, port, width, value);
	/* As after an OUT: an SMI the write raised is taken before the next instruction. */
	return mm_smi_service(m);
}

uint64_t mm_instructions(const struct mm_machine *m)
{
	return m ? m->insns : 0;
}

uint64_t mm_handler_instructions(const struct mm_machine *m)
{
	return m ? m->handler_insns : 0;
}

void mm_observe_handlers(struct mm_machine *m, mm_handler_observer fn, void *user)
{
	if (!m)
		return;
	m->observer = fn;
	m->observer_user = user;
}
