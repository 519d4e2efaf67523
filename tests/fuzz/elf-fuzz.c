/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the ELF image parser (loader/image-elf.c): any input
 * is parsed with libelf and our checks; an accepted image small enough to be
 * cheap is also placed and relocated into a scratch copy.
 */
#include <stdint.h>
#include <stdlib.h>

#include "loader/image.h"

#define PLACE_MAX (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mm_elf_info info;
	char err[256];
	uint8_t *img;

	if (mm_elf_parse(data, size, &info, err, sizeof(err)) != MM_OK)
		return 0;
	if (info.hi - info.lo > PLACE_MAX)
		return 0;
	img = malloc(info.hi - info.lo);
	if (img) {
		mm_elf_place(data, &info, img);
		free(img);
	}
	return 0;
}
