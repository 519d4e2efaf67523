/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the TE parser (loader/pe.c): every input is made to start
 * with the TE signature "VZ" so that mutations explore the TE path;
 * an accepted one is also placed into a scratch copy and relocated, so the
 * checks the parser made are the ones placing and relocation rely on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
	uint8_t *copy;

	if (size < 2)
		return 0;
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[0] = 'V';
	copy[1] = 'Z';
	exercise(copy, size);
	free(copy);
	return 0;
}
