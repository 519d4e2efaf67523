/* SPDX-License-Identifier: MIT */
/*
 * Shared by emu/cover.c, emu/symbols.c, emu/cover-lcov.c, emu/gdb.c and
 * emu/trace.c: the covered blocks of a module and the DWARF of an image, for
 * the lcov writer and the debugger; whether the debugging features are built.
 */
#ifndef EMU_DEBUG_INFO_H
#define EMU_DEBUG_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mm_image;
struct mm_machine;

/*
 * 1 (default; CMake option MMEMU_DEBUG_FEATURES) builds the gdb stub, traces
 * and coverage; 0 compiles their hook points in the model out (emu/gdb.h's
 * mm_gdb_attached is constant false) and their enable functions refuse.
 */
#ifndef MMEMU_DEBUG_FEATURES
#define MMEMU_DEBUG_FEATURES 1
#endif
#define MM_NO_DEBUG_FEATURES_TEXT "mmemu was built without debugging features (MMEMU_DEBUG_FEATURES=OFF)"

/* One covered block of an image: offset from the image base, size. */
struct mm_cover_range {
	uint64_t offset;
	uint32_t size;
};

/*
 * The covered blocks of the images called name (any base), sorted by
 * offset, malloc'd into *out (*n of them). Returns 0, or -1 (coverage off,
 * out of memory).
 */
int mm_cover_ranges(const struct mm_machine *m, const char *name, struct mm_cover_range **out,
		    size_t *n);
/* Records a block at addr as the block hook does (tests). */
void mm_cover_record(struct mm_machine *m, uint64_t addr, uint32_t size);
/* The image name of symbol file i (0-based), or NULL past the last. */
const char *mm_symbols_image(const struct mm_machine *m, unsigned i);
/*
 * Calls fn(user, file, line, offset) for every row of the line table of the
 * symbol file of image (offset: from the image base). Returns 0, or -1
 * (no such file, no DWARF, built without libdw).
 */
int mm_symbols_lines(const struct mm_machine *m, const char *image,
		     void (*fn)(void *user, const char *file, int line, uint64_t offset),
		     void *user);

/*
 * The ELF file that describes img, looked for as emu/symbols.c says (the
 * image file when ELF, <stem>.debug beside it, its CodeView path). Writes
 * the path to out (cap bytes); false when there is none.
 */
bool mm_symbols_find(const struct mm_image *img, char *out, size_t cap);
/* Gives every emulated image without symbols the file found for it (lcov). */
void mm_symbols_match_all(struct mm_machine *m);
/*
 * The symbol file of img (given or found) and, in *address, where its
 * lowest PT_LOAD segment lies in guest memory (gdb's library list). NULL
 * when img has none (or no libdw).
 */
const char *mm_symbols_file(const struct mm_machine *m, const struct mm_image *img,
			    uint64_t *address);

#endif /* EMU_DEBUG_INFO_H */
