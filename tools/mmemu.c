/* SPDX-License-Identifier: MIT */
/* mmemu: the command line. Each subcommand lives in its own cmd-*.c file. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} commands[] = {
	{ "run", cmd_run, "run scenario files or directories of them (regression suites)" },
	{ "check", cmd_check, "validate scenario files without running them" },
	{ "image", cmd_image, "print a driver image's headers, sections, relocations, entry point" },
	{ "fv", cmd_fv, "list the files of a firmware volume image (fv list IMAGE)" },
	{ "dispatch", cmd_dispatch, "load native drivers, run the MM dispatcher, print the result" },
	{ "demo", cmd_demo, "dispatch the bundled sample drivers and drive their handlers" },
	{ "debug", cmd_debug, "run one scenario under the gdb stub (mmemu debug --help)" },
	{ "fuzz", cmd_fuzz, "fuzz an MMI handler from a scenario's end state (mmemu fuzz --help)" },
	{ "bench", cmd_bench, "run benchmarks and print one 'name: value unit' line per figure" },
	{ "bench-worker", cmd_bench_worker, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: mmemu COMMAND [ARGS...]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].help)
			fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'mmemu COMMAND --help' describes one command.\n");
}

const char *cli_driver_dir(void)
{
	const char *env = getenv("MMEMU_DRIVER_DIR");

	return env && *env ? env : MMEMU_DRIVER_DIR;
}

const char *cli_status_name(uint64_t status, char buf[32])
{
	static const char *const errors[] = {
		"EFI_SUCCESS", "EFI_LOAD_ERROR", "EFI_INVALID_PARAMETER", "EFI_UNSUPPORTED",
		"EFI_BAD_BUFFER_SIZE", "EFI_BUFFER_TOO_SMALL", "EFI_NOT_READY", "EFI_DEVICE_ERROR",
		"EFI_WRITE_PROTECTED", "EFI_OUT_OF_RESOURCES", "EFI_VOLUME_CORRUPTED",
		"EFI_VOLUME_FULL", "EFI_NO_MEDIA", "EFI_MEDIA_CHANGED", "EFI_NOT_FOUND",
		"EFI_ACCESS_DENIED", "EFI_NO_RESPONSE", "EFI_NO_MAPPING", "EFI_TIMEOUT",
		"EFI_NOT_STARTED", "EFI_ALREADY_STARTED", "EFI_ABORTED",
	};
	const uint64_t err_bit = 1ull << 63;

	if (status == 0)
		return errors[0];
	if ((status & err_bit) && (status & ~err_bit) < sizeof(errors) / sizeof(errors[0]))
		return errors[status & ~err_bit];
	if (status == (err_bit | (err_bit >> 2)))
		return "EFI_INTERRUPT_PENDING";
	if (status == (err_bit >> 2))
		return "EFI_WARN_INTERRUPT_SOURCE_PENDING";
	if (status == ((err_bit >> 2) | 1))
		return "EFI_WARN_INTERRUPT_SOURCE_QUIESCED";
	snprintf(buf, 32, "0x%llx", (unsigned long long)status);
	return buf;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("mmemu %s\n", MMEMU_VERSION);
		return CLI_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mmemu: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return CLI_USAGE;
}
