/* SPDX-License-Identifier: MIT */
/*
 * Shared by emu/cover.c, emu/symbols.c and emu/cover-lcov.c: the covered
 * blocks of a module and the DWARF of an image, for the lcov writer.
 */
#ifndef EMU_DEBUG_INFO_H
#define EMU_DEBUG_INFO_H

#include <stddef.h>
#include <stdint.h>

struct mm_machine;

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

#endif /* EMU_DEBUG_INFO_H */
