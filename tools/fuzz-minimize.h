/* SPDX-License-Identifier: MIT */
/* `mmemu fuzz --minimize` (tools/fuzz-minimize.c). */
#ifndef TOOLS_FUZZ_MINIMIZE_H
#define TOOLS_FUZZ_MINIMIZE_H

#include <stdbool.h>

#include <mmemu/fuzz.h>

/*
 * Minimizes finding inputs. With have_target, operands[0] is the scenario of
 * cfg's target and the other operands are raw inputs; without, every operand
 * is a reproducer scenario written by the fuzzer, which says its own
 * scenario, target and input. out names the result: with one input, the
 * minimized bytes (and OUT.yaml the reproducer; an OUT ending in .yaml is the
 * reproducer, the bytes go beside it as .bin); with several, a directory
 * receiving NAME.bin and NAME.yaml for each. Returns the exit code: 0 all
 * minimized, 1 an input gave no finding, 2 bad usage or a harness error.
 */
int cli_fuzz_minimize_files(struct mm_fuzz_config *cfg, bool have_target, int n, char **operands,
			const char *out);

#endif /* TOOLS_FUZZ_MINIMIZE_H */
