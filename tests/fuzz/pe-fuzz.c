/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the PE32+ parser (loader/pe.c): any input is parsed;
 * an accepted one is also placed into a scratch copy and relocated, so the
 * checks the parser made are the ones placing and relocation rely on.
 */
#include <stdint.h>
#include <stdlib.h>

#include "loader/pe.h"

/* Parses, and when valid places and relocates, buf[0..len). */
static void exercise(const uint8_t *buf, size_t len)
{
	struct mm_pe_info *info = malloc(sizeof(*info));
	char err[256];
	uint8_t *img;

	if (!info)
		return;
	if (mm_pe_parse(buf, len, info, err, sizeof(err)) == MM_OK) {
		img = malloc(info->size_of_image);
		if (img) {
			mm_pe_place(buf, info, img);
			mm_pe_relocate(buf, len, info, img, 0x7F0000000ull);
			(void)mm_pe_code_data_apart(info);
			free(img);
		}
	}
	free(info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	exercise(data, size);
	return 0;
}
