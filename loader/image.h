/* SPDX-License-Identifier: MIT */
/*
 * The image loader: PE32+, TE and ELF x86-64 driver images placed in SMRAM,
 * relocated and registered as emulated images. Running them is emu/'s job.
 *
 *   SMRAM pages (mm_page_alloc, owner = the driver)
 *   base ─► +-----------------+ RVA 0 (TE: its header sits at StrippedSize-40)
 *           | headers         |
 *           | .text           |  each section at base + VirtualAddress, its
 *           | .data           |  raw bytes copied, the rest (.bss) zero
 *           | .reloc ...      |
 *           +-----------------+ base + size (SizeOfImage, page-rounded)
 */
#ifndef LOADER_IMAGE_H
#define LOADER_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <mmemu/error.h>
#include <mmemu/image.h>
#include <pi/base.h>

struct mm_machine;
struct mm_image;

#define MM_IMAGE_MAX_FILE (128ull << 20) /* larger files are refused unread */
#define MM_ELF_MAX_SEGMENTS 16

/* A loaded image. */
struct mm_loaded_image {
	enum mm_image_format format;
	uint64_t base;        /* guest address of RVA 0 (ELF: of vaddr 0 plus bias) */
	uint64_t size;        /* bytes of the image from base */
	uint64_t entry;       /* guest address of the entry point */
	uint64_t delta;       /* base - preferred base (what relocation added) */
	uint64_t pages_base;  /* the SMRAM pages taken, freed when the image goes */
	uint64_t pages;
	/* false when a page holds both code and data (section alignment < 4 KiB) */
	bool code_data_apart;
	struct mm_image *img; /* its registry record (engine MM_ENGINE_EMULATED) */
};

/* One PT_LOAD segment of an ELF image, validated. */
struct mm_elf_segment {
	uint64_t vaddr, memsz, offset, filesz;
	uint32_t flags;
};

/* What mm_elf_parse learned about an ELF image. */
struct mm_elf_info {
	uint16_t type;              /* ET_DYN or ET_EXEC */
	uint16_t machine;
	uint64_t entry;             /* e_entry (a vaddr) */
	uint64_t lo, hi;            /* page-rounded span of the PT_LOAD segments */
	unsigned nsegs;
	struct mm_elf_segment segs[MM_ELF_MAX_SEGMENTS];
	uint64_t rela_off;          /* file offset of the RELA table, 0: none */
	uint64_t rela_count;
	uint64_t reloc_relative;    /* R_X86_64_RELATIVE entries */
	uint64_t reloc_none;        /* R_X86_64_NONE entries */
};

/*
 * Reads the file at path and loads it as mm_image_load_buffer does, naming
 * the image after the file (its base name without extension).
 * Returns MM_OK, MM_ERR_IO (unreadable, or larger than MM_IMAGE_MAX_FILE) or
 * what mm_image_load_buffer returns. Failures name the path in m's message.
 */
enum mm_err mm_image_load_file(struct mm_machine *m, const char *path,
			       struct mm_loaded_image *out);

/*
 * Loads the PE32+, TE or ELF image in buf[0..len) into SMRAM pages of m:
 * validates it, places sections/segments, applies base relocations, finds
 * the entry point and registers it with mm_image_add (engine emulated; its
 * unload hook frees the pages).
 *   name   the driver's name (copied), used as the pages' owner and in messages
 *   guid   its file GUID, or NULL (all zero)
 *   out    the result
 * Returns MM_OK; MM_ERR_FORMAT ("name: offset 0x..: reason"); MM_ERR_NOMEM
 * (no SMRAM); MM_ERR_NOT_FOUND (an image without relocations whose preferred
 * base is outside SMRAM or taken).
 */
enum mm_err mm_image_load_buffer(struct mm_machine *m, const char *name, const EFI_GUID *guid,
				 const uint8_t *buf, size_t len, struct mm_loaded_image *out);

/*
 * Validates the ELF64 x86-64 image in buf[0..len) (ET_DYN or ET_EXEC; PT_LOAD
 * segments in the file, in order, not overlapping, span <= 64 MiB; entry
 * inside a segment; dynamic relocations only R_X86_64_RELATIVE/NONE, inside
 * the image; no DT_NEEDED). err receives "offset 0x..: reason".
 * Returns MM_OK or MM_ERR_FORMAT. Never reads outside buf.
 */
enum mm_err mm_elf_parse(const uint8_t *buf, size_t len, struct mm_elf_info *info, char *err,
			 size_t errlen);

/*
 * Copies the parsed ELF image into image (info->hi - info->lo bytes, zeroed
 * first) and applies its relocations for a load address of image; image
 * stands for vaddr info->lo.
 */
void mm_elf_place(const uint8_t *buf, const struct mm_elf_info *info, uint8_t *image);

/* Prints the description of a parsed ELF image. */
void mm_elf_print(const struct mm_elf_info *info, FILE *out);

#endif /* LOADER_IMAGE_H */
