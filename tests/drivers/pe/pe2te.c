/* SPDX-License-Identifier: MIT */
/*
 * pe2te IN.efi OUT.te: turns a PE32+ image into a TE image (PI 1.8 vol. 1,
 * 15.2) the way a firmware build's image tool does: everything before the
 * section table (DOS stub, PE signature, COFF and optional headers) is
 * replaced by the 40-byte EFI_TE_IMAGE_HEADER, and the rest of the file is
 * kept byte for byte, so every RVA and raw-data offset still refers to the
 * original PE. A build-time helper for the loader's tests, not a validator.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/pe.h"

/* Reads path whole; exits on failure. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(1);
	}
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "%s: short read\n", path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	struct pe_dos_header dos;
	struct pe_file_header fh;
	struct pe_optional_header64 oh;
	struct pe_te_header te;
	size_t len, strip;
	unsigned char *buf;
	FILE *out;

	if (argc != 3) {
		fprintf(stderr, "usage: pe2te IN.efi OUT.te\n");
		return 2;
	}
	buf = slurp(argv[1], &len);
	if (len < sizeof(dos))
		return fprintf(stderr, "%s: too short\n", argv[1]), 1;
	memcpy(&dos, buf, sizeof(dos));
	if (dos.e_magic != PE_DOS_MAGIC || dos.e_lfanew > len - 4 - sizeof(fh) - sizeof(oh))
		return fprintf(stderr, "%s: not a PE32+ image\n", argv[1]), 1;
	memcpy(&fh, buf + dos.e_lfanew + 4, sizeof(fh));
	memcpy(&oh, buf + dos.e_lfanew + 4 + sizeof(fh), sizeof(oh));
	strip = dos.e_lfanew + 4 + sizeof(fh) + fh.SizeOfOptionalHeader;
	if (oh.Magic != PE_OPT_MAGIC_PE32PLUS || strip > 0xFFFF || strip > len ||
	    fh.NumberOfSections > 0xFF)
		return fprintf(stderr, "%s: cannot be expressed as TE\n", argv[1]), 1;
	te = (struct pe_te_header){
		.Signature = PE_TE_SIGNATURE,
		.Machine = fh.Machine,
		.NumberOfSections = (uint8_t)fh.NumberOfSections,
		.Subsystem = (uint8_t)oh.Subsystem,
		.StrippedSize = (uint16_t)strip,
		.AddressOfEntryPoint = oh.AddressOfEntryPoint,
		.BaseOfCode = oh.BaseOfCode,
		.ImageBase = oh.ImageBase,
		.DataDirectory = { oh.DataDirectory[PE_DIR_BASERELOC], oh.DataDirectory[PE_DIR_DEBUG] },
	};
	out = fopen(argv[2], "wb");
	if (!out || fwrite(&te, sizeof(te), 1, out) != 1 ||
	    fwrite(buf + strip, 1, len - strip, out) != len - strip || fclose(out)) {
		perror(argv[2]);
		return 1;
	}
	free(buf);
	return 0;
}
