/* SPDX-License-Identifier: MIT */
/* Benchmarks that need the library's insides; `mmemu bench` calls them. */
#ifndef MMEMU_BENCH_H
#define MMEMU_BENCH_H

#include <stdio.h>

/*
 * SW SMI throughput of the Unicorn CPU model (full and fast path, 1 and 8
 * CPUs) and, in the same run, the bare-model baseline. Prints one
 * "name: value unit" line per figure whose name contains filter (NULL: all).
 * Returns 0, or -1 when a machine could not be built or an SMI failed.
 */
int mm_bench_smi(FILE *out, const char *filter);

#endif /* MMEMU_BENCH_H */
