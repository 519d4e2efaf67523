/* SPDX-License-Identifier: MIT */
/*
 * Building firmware volumes in tests (layouts: PI 1.8 vol. 3, 2.1.4 FV
 * header, 2.2.3 FFS file header, 2.2.4 sections): a growing byte buffer, and
 * appenders for sections, UI names and FFS files. Shared by the FV parser
 * and FV driver tests.
 */
#ifndef TESTS_SUPPORT_FV_BUILD_H
#define TESTS_SUPPORT_FV_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A malloc'd byte buffer; zero-initialise, free(p) when done. */
struct fv_buf {
	uint8_t *p;
	size_t len, cap;
};

/* Appends len bytes of data (zeros when data is NULL). */
void fv_put(struct fv_buf *b, const void *data, size_t len);
/* Appends fill bytes until the length is a multiple of align. */
void fv_pad_to(struct fv_buf *b, size_t align, uint8_t fill);
/* The 8-bit sum of n bytes. */
uint8_t fv_sum8(const uint8_t *p, size_t n);
/*
 * Appends a section at the next 4-byte boundary; ext gives it the
 * EFI_COMMON_SECTION_HEADER2 form (size 0xFFFFFF, then ExtendedSize).
 */
void fv_add_section(struct fv_buf *b, uint8_t type, const void *body, size_t len, bool ext);
/* Appends a user-interface section holding name as UCS-2 (ASCII names, < 64 chars). */
void fv_add_ui(struct fv_buf *b, const char *name);
/*
 * Appends an FFS file (state: data valid, erase polarity 1) at the next
 * 8-byte boundary, padding with 0xFF; name is 16 bytes of EFI_GUID; attrs
 * bit 0x40 (FFS_ATTRIB_CHECKSUM) checksums the data, else it reads 0xAA;
 * large gives the FFS3 header with its 64-bit size. Returns the file's offset.
 */
size_t fv_add_file(struct fv_buf *b, const void *name, uint8_t type, uint8_t attrs,
		   const void *data, size_t len, bool large);

#endif /* TESTS_SUPPORT_FV_BUILD_H */
