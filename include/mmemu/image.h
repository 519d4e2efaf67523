/* SPDX-License-Identifier: MIT */
/*
 * Driver images as files: PE32+ and TE images for x86-64 (the binaries an
 * EDK2 build produces) and ELF x86-64 images. What the command line needs to
 * look at one without a machine; loading into SMRAM is internal
 * (loader/image.h).
 */
#ifndef MMEMU_IMAGE_H
#define MMEMU_IMAGE_H

#include <stddef.h>
#include <stdio.h>

#include "error.h"

/* The file formats the image loader accepts. */
enum mm_image_format {
	MM_IMAGE_PE32PLUS, /* PE/COFF, optional header magic 0x20B */
	MM_IMAGE_TE,       /* PI vol. 1 Terse Executable ("VZ") */
	MM_IMAGE_ELF,      /* ELF64 x86-64, ET_DYN or ET_EXEC */
};

/* Returns "PE32+", "TE" or "ELF". */
const char *mm_image_format_name(enum mm_image_format f);

/*
 * Reads the image file at path and prints to out its format, machine, image
 * base, size, entry point, subsystem, sections (or ELF segments), relocation
 * counts by type and the CodeView debug path when there is one. Nothing of
 * the file is loaded or run.
 *   path    the file
 *   out     where the description goes
 *   err     receives "path: offset 0x..: reason" on failure (may be NULL)
 *   errlen  size of err
 * Returns MM_OK, MM_ERR_IO (unreadable file) or MM_ERR_FORMAT (not a valid
 * image; err says where and why).
 */
enum mm_err mm_image_describe(const char *path, FILE *out, char *err, size_t errlen);

#endif /* MMEMU_IMAGE_H */
