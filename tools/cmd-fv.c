/* SPDX-License-Identifier: MIT */
/* Placeholder until this command lands: says so and exits 2. */
#include "cli.h"

int cmd_fv(int argc, char **argv)
{
	(void)argc;
	fprintf(stderr, "mmemu %s: not available in this build yet\n", argv[0]);
	return CLI_USAGE;
}
