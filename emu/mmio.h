/* SPDX-License-Identifier: MIT */
/*
 * MMIO for the emulated CPU (mmio.c): every MMIO range of the machine's bus
 * (core/io.h: ECAM, flash...) is an uc_mmio_map window whose accesses go to
 * mm_io_read/mm_io_write. Ranges claimed after the model attached are
 * mapped on their first access.
 */
#ifndef EMU_MMIO_H
#define EMU_MMIO_H

#include <mmemu/error.h>

#include <stdbool.h>
#include <stdint.h>

struct mm_emu;
struct mm_machine;

/*
 * Maps the bus's MMIO ranges into e's engine and hooks unmapped accesses to
 * map later ones. Returns MM_OK, MM_ERR_MAP (Unicorn refused a window) or
 * MM_ERR_NOMEM.
 */
enum mm_err mm_emu_mmio_attach(struct mm_emu *e);

/*
 * True when one MMIO range of m's bus holds all of [addr, addr+len): the
 * engine sends each access there to mm_io_read/mm_io_write.
 */
bool mm_emu_mmio_claims(const struct mm_machine *m, uint64_t addr, uint64_t len);

#endif /* EMU_MMIO_H */
