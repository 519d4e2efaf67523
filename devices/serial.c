/* SPDX-License-Identifier: MIT */
/*
 * COM1 at 0x3F8, a minimal 16550 UART (register map of the NS16550A data
 * sheet): enough for EDK2's BaseSerialPortLib16550 and similar polled
 * output code.
 *
 *   +0 THR (write) / RBR (read, 0)   DLL when LCR.DLAB
 *   +1 IER                           DLM when LCR.DLAB
 *   +2 IIR (read: 0x01, nothing pending) / FCR (write, ignored)
 *   +3 LCR    +4 MCR    +7 SCR       read back what was written
 *   +5 LSR reads 0x60 (THRE | TEMT: always ready to transmit, no input)
 *   +6 MSR reads 0
 *
 * Transmitted bytes go to the machine log under MM_LOG_DEBUG, one line per
 * '\n' (see debug-port.c for the line buffer).
 */
#include "core/machine.h"
#include "chipset.h"

#define UART_LCR_DLAB 0x80
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_IIR_NO_INT 0x01

/* Reads register reg (0..7) of the UART. */
static uint8_t uart_read_reg(struct serial_state *s, unsigned reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0: return dlab ? s->dll : 0;
	case 1: return dlab ? s->dlm : s->ier;
	case 2: return UART_IIR_NO_INT;
	case 3: return s->lcr;
	case 4: return s->mcr;
	case 5: return UART_LSR_THRE | UART_LSR_TEMT;
	case 7: return s->scr;
	default: return 0;
	}
}

/* Writes register reg (0..7) of the UART; THR bytes go to the log. */
static void uart_write_reg(struct mm_machine *m, struct serial_state *s, unsigned reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;

	switch (reg) {
	case 0:
		if (dlab)
			s->dll = v;
		else
			line_buf_put(m, &s->out, v);
		break;
	case 1:
		if (dlab)
			s->dlm = v;
		else
			s->ier = v;
		break;
	case 3: s->lcr = v; break;
	case 4: s->mcr = v; break;
	case 7: s->scr = v; break;
	default: break; /* FCR, LSR and MSR writes have no effect here */
	}
}

/* mm_io read callback of 0x3F8..0x3FF: one register per byte. */
static uint64_t serial_read(struct mm_machine *m, void *user, uint64_t addr, unsigned size)
{
	struct mm_chipset *cs = user;
	uint64_t v = 0;

	(void)m;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)uart_read_reg(&cs->serial, (unsigned)(addr + i - SERIAL_COM1) & 7)
		     << (8 * i);
	return v;
}

/* mm_io write callback of 0x3F8..0x3FF: one register per byte. */
static void serial_write(struct mm_machine *m, void *user, uint64_t addr, unsigned size,
			 uint64_t value)
{
	struct mm_chipset *cs = user;

	for (unsigned i = 0; i < size; i++)
		uart_write_reg(m, &cs->serial, (unsigned)(addr + i - SERIAL_COM1) & 7,
			       (uint8_t)(value >> (8 * i)));
}

enum mm_err serial_attach(struct mm_machine *m, struct mm_chipset *cs)
{
	enum mm_err err;

	line_buf_init(&cs->serial.out, "serial");
	err = mm_io_add(m, MM_IO_PORT, SERIAL_COM1, 8, serial_read, serial_write, cs, "serial");
	if (err)
		return mm_fail(m, err, "chipset: cannot claim COM1 0x%x..0x%x: %s", SERIAL_COM1,
			       SERIAL_COM1 + 7, mm_strerror(err));
	return MM_OK;
}

void serial_detach(struct mm_machine *m, struct mm_chipset *cs)
{
	if (cs->serial.out.name)
		line_buf_flush(m, &cs->serial.out);
}
