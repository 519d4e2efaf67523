/* SPDX-License-Identifier: MIT */
/*
 * mmemu image FILE: describes a PE32+, TE or ELF driver image (headers,
 * sections, relocations, entry point, debug path) without loading it.
 */
#include <string.h>

#include <mmemu/image.h>

#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out, "usage: mmemu image FILE\n"
		     "Prints a PE32+, TE or ELF x86-64 image's format, machine, image base,\n"
		     "size, entry point, subsystem, sections, relocation counts and CodeView\n"
		     "debug path. Exit 0, or 2 when the file is unreadable or malformed.\n");
}

int cmd_image(int argc, char **argv)
{
	char err[512];

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return CLI_OK;
	}
	if (argc != 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	printf("file:          %s\n", argv[1]);
	if (mm_image_describe(argv[1], stdout, err, sizeof(err)) != MM_OK) {
		fflush(stdout);
		fprintf(stderr, "mmemu image: %s\n", err);
		return CLI_USAGE;
	}
	return CLI_OK;
}
