/* SPDX-License-Identifier: MIT */
/*
 * Debugging aids for emulated code (docs/debugging.md): basic-block
 * coverage written as drcov, and traces of instructions, handler calls and
 * port/MMIO accesses. Both are off by default and cost nothing when off:
 * their Unicorn hooks are installed only when they are switched on.
 */
#ifndef MMEMU_DEBUG_H
#define MMEMU_DEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

struct mm_machine;

/*
 * Starts recording which basic blocks of emulated code run on m, as
 * (image, offset, size). m: a machine with the CPU model attached.
 * Returns MM_OK (also when already on), MM_ERR_STATE (no CPU model),
 * MM_ERR_NOMEM.
 */
enum mm_err mm_coverage_enable(struct mm_machine *m);
/* Number of distinct blocks recorded so far (0 when coverage is off). */
size_t mm_coverage_blocks(const struct mm_machine *m);
/*
 * Writes the blocks recorded on m to path as a drcov file (version 2, with
 * a module table of the images that ran; blocks outside any image are
 * left out). Returns MM_OK, MM_ERR_STATE (coverage never enabled), MM_ERR_IO.
 */
enum mm_err mm_coverage_write_drcov(struct mm_machine *m, const char *path);
/*
 * Writes the coverage of m as an lcov tracefile (for genhtml): for every
 * image given symbols with mm_symbols_add, each source line of its DWARF
 * line table with hit count 1 when a block that ran covers it, else 0.
 * Images without symbols are left out. Returns MM_OK, MM_ERR_STATE
 * (coverage never enabled), MM_ERR_IO.
 */
enum mm_err mm_coverage_write_lcov(struct mm_machine *m, const char *path);
/*
 * Merges the drcov files paths[0..n) (as mm_coverage_write_drcov writes
 * them; modules matched by path, blocks deduplicated) into out. Unreadable
 * or malformed inputs are skipped and counted in *skipped (may be NULL).
 * Returns MM_OK, MM_ERR_IO (out cannot be written), MM_ERR_NOMEM.
 */
enum mm_err mm_coverage_merge_drcov(const char *const *paths, size_t n, const char *out,
				    unsigned *skipped);

/* What a trace records (mm_trace_opts.what). */
enum mm_trace_what {
	MM_TRACE_INSN = 1u << 0,  /* every emulated instruction, disassembled */
	MM_TRACE_CALLS = 1u << 1, /* handler returns, told by mm_trace_handler */
	MM_TRACE_MEM = 1u << 2,   /* emulated reads/writes inside [mem_lo, mem_hi] */
	MM_TRACE_IO = 1u << 3,    /* port and MMIO accesses (the MM_LOG_IO lines) */
};

struct mm_trace_opts {
	uint32_t what;        /* enum mm_trace_what bits */
	uint64_t mem_lo, mem_hi; /* MM_TRACE_MEM range, inclusive */
	uint64_t limit;       /* lines written at most (0: 100000) */
	FILE *out;            /* where lines go (NULL: stderr); not closed */
};

/*
 * Starts tracing on m. For MM_TRACE_INSN and MM_TRACE_MEM the CPU model must
 * be attached. MM_TRACE_IO raises m's log mask by MM_LOG_IO; the caller
 * passes those lines to mm_trace_log. Returns MM_OK, MM_ERR_STATE (no CPU
 * model for an emulated trace, or already tracing), MM_ERR_INVALID
 * (what is 0), MM_ERR_NOMEM.
 */
enum mm_err mm_trace_enable(struct mm_machine *m, const struct mm_trace_opts *o);
/*
 * Parses a --trace specification "insn,calls,mem:LO-HI,io" into o->what,
 * o->mem_lo and o->mem_hi (other fields untouched). Returns MM_OK or
 * MM_ERR_INVALID (unknown word, bad range).
 */
enum mm_err mm_trace_parse(const char *spec, struct mm_trace_opts *o);
/* Traces a handler return (an mm_handler_observer, user = the machine). */
void mm_trace_handler(void *user, const char *driver, uint64_t address,
		      const uint8_t *type_guid, uint64_t status);
/* Traces a log line of category cat (only MM_LOG_IO lines are kept). */
void mm_trace_log(struct mm_machine *m, uint32_t cat, const char *line);
/* Lines the trace of m wrote (0 when off). */
uint64_t mm_trace_lines(const struct mm_machine *m);

/*
 * Gives the image called image (its name in the image registry) the symbols
 * of the ELF file at path: the image itself when it is ELF, or the .debug
 * ELF file an EDK2 GCC build leaves beside the .efi (its addresses are the
 * image's offsets). Returns MM_OK, MM_ERR_IO (unreadable), MM_ERR_FORMAT
 * (not ELF), MM_ERR_RANGE (too many files), MM_ERR_NOMEM, MM_ERR_UNSUPPORTED
 * (built without libdw).
 */
enum mm_err mm_symbols_add(struct mm_machine *m, const char *image, const char *path);
/*
 * Writes "function+0xOFF (file.c:LINE)" for addr to buf (len bytes), as
 * far as the symbols of the image holding addr tell. Returns false (buf
 * untouched) when they tell nothing.
 */
bool mm_symbolize(const struct mm_machine *m, uint64_t addr, char *buf, size_t len);

#endif /* MMEMU_DEBUG_H */
