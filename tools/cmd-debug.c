/* SPDX-License-Identifier: MIT */
/*
 * mmemu debug: runs one scenario under the gdb stub (emu/gdb.c). The
 * scenario runs until the first SMI entry (or the --break-handler handler)
 * and waits there for gdb on 127.0.0.1:PORT; `mmemu run --gdb PORT FILE`
 * with friendlier defaults and a hint. docs/debugging.md.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_PORT "1234"

static void debug_usage(FILE *out)
{
	fprintf(out,
		"usage: mmemu debug [OPTIONS] FILE\n"
		"Runs scenario FILE on the Unicorn CPU model and waits for gdb at the first SMI\n"
		"entry: gdb -ex 'target remote :PORT'.\n\n"
		"  -p, --port PORT       TCP port on 127.0.0.1 (default " DEFAULT_PORT ")\n"
		"  --break-handler NAME  stop at this MMI handler's entry instead of the SMI entry\n"
		"                        (0xADDR, IMAGE+OFFSET, or the handler type GUID/name)\n"
		"  --rsm                 also stop before every RSM\n"
		"  --log CATEGORY,...    show these log categories on stderr\n");
}

int cmd_debug(int argc, char **argv)
{
	enum { OPT_BREAK = 256, OPT_RSM, OPT_LOG };
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "break-handler", required_argument, NULL, OPT_BREAK },
		{ "rsm", no_argument, NULL, OPT_RSM },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *port = DEFAULT_PORT, *log = NULL;
	char *run_argv[6];
	int c, n = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "hp:", opts, NULL)) != -1) {
		switch (c) {
		case 'p': port = optarg; break;
		case OPT_BREAK: setenv("MMEMU_GDB_BREAK_HANDLER", optarg, 1); break;
		case OPT_RSM: setenv("MMEMU_GDB_RSM", "1", 1); break;
		case OPT_LOG: log = optarg; break;
		case 'h': debug_usage(stdout); return CLI_OK;
		default: debug_usage(stderr); return CLI_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "mmemu debug: give exactly one scenario file\n");
		debug_usage(stderr);
		return CLI_USAGE;
	}
	fprintf(stderr, "mmemu debug: connect with: gdb -ex 'set remotetimeout 30' -ex 'target remote :%s'\n", port);
	run_argv[n++] = "run";
	run_argv[n++] = "--gdb";
	run_argv[n++] = (char *)port;
	if (log) {
		run_argv[n++] = "--log";
		run_argv[n++] = (char *)log;
	}
	run_argv[n++] = argv[optind];
	return cmd_run(n, run_argv);
}
