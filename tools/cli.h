/* SPDX-License-Identifier: MIT */
/* Subcommands of the mmemu command line and what they share. */
#ifndef TOOLS_CLI_H
#define TOOLS_CLI_H

#include <stdio.h>

#include <mmemu/mmemu.h>

/* Exit codes: 0 all good, 1 something checked failed, 2 bad usage or input. */
enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

int cmd_run(int argc, char **argv);   /* cmd-run.c */
int cmd_check(int argc, char **argv); /* cmd-run.c */
int cmd_image(int argc, char **argv); /* cmd-image.c */
int cmd_fv(int argc, char **argv);    /* cmd-fv.c */
int cmd_dispatch(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_debug(int argc, char **argv); /* cmd-debug.c */
int cmd_fuzz(int argc, char **argv);  /* cmd-fuzz.c */
int cmd_bench(int argc, char **argv);
int cmd_bench_worker(int argc, char **argv);

/* Directory of the bundled sample drivers ($MMEMU_DRIVER_DIR or the build's). */
const char *cli_driver_dir(void);
/*
 * Parses --log, --cpus and --help for commands that build a default machine.
 * Fills *p and *log_mask; leaves optind at the first operand. Returns 0, 1
 * for --help, -1 on a bad option (message printed).
 */
int cli_machine_opts(int argc, char **argv, uint32_t *log_mask, struct mm_platform *p);
/* Prints the dispatch table of m to out. */
void cli_print_drivers(FILE *out, struct mm_machine *m);
/* Formats an EFI_STATUS as its name ("EFI_NOT_FOUND") or hex. */
const char *cli_status_name(uint64_t status, char buf[32]);
/*
 * tools/bench-ovmf.c: writes a scenario on the OVMF Q35 platform, rest (drivers,
 * steps, or "") after the platform line, to a temporary file named in path.
 * Returns 0, or -1 when it cannot be written.
 */
int bench_ovmf_scenario(const char *rest, char *path, size_t size);

#endif /* TOOLS_CLI_H */
