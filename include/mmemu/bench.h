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

/*
 * MM communicate round trips per second to the GUID handler of the emulated
 * PE driver at path (it copies 256 bytes), and in the same run a bare-Unicorn
 * baseline calling the same handler with no Foundation; prints their ratio.
 * Returns 0 or -1.
 */
int mm_bench_emulated(FILE *out, const char *driver);

/*
 * The measured side of the host->emulated->host nested call figure: n nested
 * calls, run under callgrind by `mmemu bench`. Returns 0 or -1.
 */
int mm_bench_emulated_nested_worker(unsigned long n);

/*
 * The measured sides of the emulated communicate figures, run under
 * callgrind by `mmemu bench`: n round trips (what "communicate") or n bare
 * calls (what "bare") to the handler of the PE image at driver, after the
 * set-up of mm_bench_emulated. Returns 0 or -1.
 */
int mm_bench_emulated_worker(const char *what, const char *driver, unsigned long n);

#endif /* MMEMU_BENCH_H */
