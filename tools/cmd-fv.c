/* SPDX-License-Identifier: MIT */
/*
 * mmemu fv list IMAGE: every volume and file of a firmware image (GUID, FFS
 * type, size, UI name, DEPEX), nested volumes indented, problems with their
 * offsets. Exit 0 when the image is clean, 1 when problems were found, 2 for
 * bad usage or an unreadable file or one without volumes.
 */
#include <string.h>

#include <mmemu/fv.h>

#include "cli.h"

static void fv_usage(FILE *out)
{
	fprintf(out, "usage: mmemu fv list IMAGE\n"
		     "  Lists the firmware volumes of IMAGE, their files (GUID, FFS type, size,\n"
		     "  UI name) and DEPEX sections; offsets like 0x84078>0x1d0 are inside the\n"
		     "  decompressed section at image offset 0x84078.\n"
		     "  Exit status: 0 clean, 1 problems reported, 2 usage or unreadable image.\n");
}

int cmd_fv(int argc, char **argv)
{
	enum mm_err rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fv_usage(stdout);
		return CLI_OK;
	}
	if (argc != 3 || strcmp(argv[1], "list")) {
		fv_usage(stderr);
		return CLI_USAGE;
	}
	rc = mm_fv_list(argv[2], stdout);
	if (rc == MM_ERR_FORMAT)
		return CLI_FAIL;
	return rc ? CLI_USAGE : CLI_OK;
}
