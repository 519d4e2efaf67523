/* SPDX-License-Identifier: MIT */
/*
 * The machine and loops of `mmemu bench features` (tools/bench-features-worker.c),
 * shared by mmemu and by mmemu-bench-nofeat, the same benchmark linked against
 * libmmemu built without the debugging features (MMEMU_DEBUG_FEATURES=0).
 */
#ifndef TOOLS_BENCH_FEATURES_H
#define TOOLS_BENCH_FEATURES_H

#include <stdio.h>

#include <mmemu/mmemu.h>

/* What the benchmark machine has switched on. */
enum bench_feat { BENCH_FEAT_OFF, BENCH_FEAT_COVERAGE, BENCH_FEAT_TRACE, BENCH_FEAT_COUNT };

/*
 * The 1-CPU Unicorn machine with the emulated PE benchmark driver
 * dispatched and feature f on (a trace writes to sink). NULL (message
 * printed) on failure.
 */
struct mm_machine *bench_feat_machine(enum bench_feat f, FILE *sink);
/* n SW SMIs (value 0x42) through the model; 0, or -1 when one failed. */
int bench_feat_smis(struct mm_machine *m, unsigned long n);
/* A communicate buffer for the emulated copy handler in RAM; 0 or -1. */
int bench_feat_buffer(struct mm_machine *m, uint64_t *buf);
/* n communicates of buf; 0, or -1 when one failed. */
int bench_feat_comms(struct mm_machine *m, uint64_t buf, unsigned long n);
/*
 * `bench-worker features-smi|features-communicate N`: n iterations on the
 * plain machine, for callgrind. Returns a CLI exit code.
 */
int bench_features_worker(const char *what, unsigned long n);

#endif /* TOOLS_BENCH_FEATURES_H */
