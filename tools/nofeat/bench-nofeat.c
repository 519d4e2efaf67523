/* SPDX-License-Identifier: MIT */
/*
 * mmemu-bench-nofeat: the worker of `mmemu bench features` linked against
 * libmmemu built without the debugging features (MMEMU_DEBUG_FEATURES=0:
 * no gdb, trace or coverage hook points). `mmemu bench features` runs it
 * under callgrind beside `mmemu bench-worker` and compares the counts.
 *
 *   mmemu-bench-nofeat bench-worker features-smi|features-communicate N
 */
#include <stdlib.h>
#include <string.h>

#include "bench-features.h"
#include "cli.h"

const char *cli_driver_dir(void)
{
	const char *env = getenv("MMEMU_DRIVER_DIR");

	return env && *env ? env : MMEMU_DRIVER_DIR;
}

int main(int argc, char **argv)
{
	if (argc != 4 || strcmp(argv[1], "bench-worker")) {
		fprintf(stderr, "usage: %s bench-worker features-smi|features-communicate N\n",
			argv[0]);
		return CLI_USAGE;
	}
	return bench_features_worker(argv[2], strtoul(argv[3], NULL, 0));
}
