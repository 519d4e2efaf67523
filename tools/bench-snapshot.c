/* SPDX-License-Identifier: MIT */
/*
 * `mmemu bench snapshot`: what machine snapshots cost the fuzzer. The
 * machine is the one of `mmemu bench features` (1 CPU, Unicorn, coverage on,
 * the emulated PE benchmark driver copying a 256-byte message); the
 * snapshot is taken after one communicate, then:
 *   snapshot_communicate_rate     communicates/s without restores (baseline)
 *   snapshot_restore_rate         restores/s, each after one communicate
 *   snapshot_round_trip_rate      communicate + restore pairs/s
 *   snapshot_pages_per_exec       guest pages a restore copies back
 *   snapshot_bytes                host memory the snapshot holds
 * once per dirty-page tracking mode (core/snapshot.c), each line prefixed
 * with "hook:" (Unicorn write hook + marks) or "protect:" (write protection
 * and SIGSEGV). Wall-clock figures: on a loaded host, run it several times.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <mmemu/mmemu.h>

#include "bench-features.h"

#define SNAP_EXECS 5000

static double snap_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs n communicate+restore pairs; adds the time spent in restores to *in_restore. */
static int round_trips(struct mm_machine *m, struct mm_snapshot *s, uint64_t buf,
		       unsigned long n, double *in_restore)
{
	for (unsigned long i = 0; i < n; i++) {
		double t0;

		if (bench_feat_comms(m, buf, 1))
			return -1;
		t0 = snap_seconds();
		if (mm_snapshot_restore(m, s))
			return -1;
		*in_restore += snap_seconds() - t0;
	}
	return 0;
}

/* Prints the figures of one machine, tracking as mode; 0, or 1 when something failed. */
static int snapshot_figures(FILE *out, struct mm_machine *m, const char *mode)
{
	struct mm_snapshot *s = NULL;
	struct mm_snapshot_stats st;
	double t0, comm, total, in_restore = 0;
	uint64_t buf;
	enum mm_err err;

	if (bench_feat_buffer(m, &buf) || bench_feat_comms(m, buf, 1))
		return 1;
	t0 = snap_seconds();
	if (bench_feat_comms(m, buf, SNAP_EXECS))
		return 1;
	comm = snap_seconds() - t0;
	setenv("MMEMU_SNAP_TRACK", mode, 1);
	err = mm_snapshot_take(m, &s);
	unsetenv("MMEMU_SNAP_TRACK");
	if (err)
		return 1;
	/* warm up: the first restores compare all of tracked memory */
	if (round_trips(m, s, buf, 4, &in_restore))
		goto fail;
	in_restore = 0;
	mm_snapshot_stats(s, &st);
	uint64_t restores0 = st.restores, pages0 = st.pages_restored;
	t0 = snap_seconds();
	if (round_trips(m, s, buf, SNAP_EXECS, &in_restore))
		goto fail;
	total = snap_seconds() - t0;
	mm_snapshot_stats(s, &st);
	fprintf(out, "%s: snapshot_communicate_rate: %.0f communicates/s (no restores)\n", mode,
		SNAP_EXECS / comm);
	fprintf(out, "%s: snapshot_restore_rate: %.0f restores/s (%.2f us each)\n", mode,
		SNAP_EXECS / in_restore, in_restore / SNAP_EXECS * 1e6);
	fprintf(out, "%s: snapshot_round_trip_rate: %.0f communicate+restore/s\n", mode,
		SNAP_EXECS / total);
	fprintf(out, "%s: snapshot_pages_per_exec: %.1f pages\n", mode,
		(double)(st.pages_restored - pages0) / (double)(st.restores - restores0));
	fprintf(out, "%s: snapshot_bytes: %zu bytes\n", mode, st.bytes);
	mm_snapshot_free(s);
	return 0;
fail:
	fprintf(stderr, "bench snapshot: %s\n", mm_machine_error(m));
	mm_snapshot_free(s);
	return 1;
}

int bench_snapshot(FILE *out)
{
	static const char *const modes[] = { "hook", "protect" };
	int rc = 0;

	for (unsigned i = 0; i < 2 && !rc; i++) {
		struct mm_machine *m = bench_feat_machine(BENCH_FEAT_COVERAGE, NULL);

		if (!m)
			return 1;
		rc = snapshot_figures(out, m, modes[i]);
		if (rc)
			fprintf(stderr, "bench snapshot: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
	}
	return rc;
}
