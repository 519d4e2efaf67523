/* SPDX-License-Identifier: MIT */
/*
 * mmemu bench: benchmarks, one "name: value unit" line per figure.
 *
 * Rates are wall-clock (noisy on shared machines). Instruction counts come
 * from callgrind: the benchmark re-runs itself as "mmemu bench-worker" under
 * valgrind with collection switched on only inside the measured function, at
 * two iteration counts, and reports the difference per iteration, so that
 * set-up and the first-call costs cancel out.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "bench-features.h"
#include "cli.h"

/* tools/bench-features.c */
int bench_features(FILE *out);
/* tools/bench-fuzz.c */
int bench_fuzz(FILE *out);
/* tools/bench-ovmf-rt.c */
int bench_lockbox_restore(FILE *out);
int bench_getvariable(FILE *out);
/* tools/bench-snapshot.c */
int bench_snapshot(FILE *out);
/* tools/bench-ovmf.c */
int bench_ovmf_dispatch(FILE *out);
int bench_ovmf_worker(void);

static const uint8_t empty_guid[16] = BENCH_EMPTY_HANDLER_GUID_BYTES;
static const uint8_t pool_guid[16] = BENCH_POOL_HANDLER_GUID_BYTES;

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Benchmarks run on the default platform moved up to 0x60000000: valgrind
 * loads position-independent executables near 0x108000, where the default
 * platform's RAM starts, and both measurements must see the same machine.
 */
#define BENCH_MEMORY_OFFSET 0x60000000ull

/* A machine with the benchmark driver dispatched. */
static struct mm_machine *bench_machine(void)
{
	char path[4096], err[512];
	struct mm_platform p;
	struct mm_machine *m;

	mm_platform_default(&p);
	for (unsigned i = 0; i < p.nregions; i++)
		p.regions[i].base += BENCH_MEMORY_OFFSET;
	if (mm_machine_create(&p, &m, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/bench-driver.so", cli_driver_dir());
	if (mm_driver_load_native(m, path, NULL) || mm_dispatch(m)) {
		fprintf(stderr, "bench: %s\n", mm_machine_error(m));
		mm_machine_destroy(m);
		return NULL;
	}
	return m;
}

/* Builds a communicate buffer for guid with a len-byte message in RAM. */
static int bench_buffer(struct mm_machine *m, const uint8_t guid[16], const void *msg,
			uint64_t len, uint64_t *addr)
{
	uint8_t hdr[24];

	if (mm_ram_alloc(m, 24 + len, 6 /* EfiRuntimeServicesData */, addr))
		return -1;
	memcpy(hdr, guid, 16);
	memcpy(hdr + 16, &len, 8);
	if (mm_mem_write(m, *addr, hdr, sizeof(hdr)) || mm_mem_write(m, *addr + 24, msg, len))
		return -1;
	return 0;
}

/* Runs n communicates to the empty handler; returns -1 if one fails. */
static int communicate_loop(struct mm_machine *m, uint64_t buf, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t size = 24 + 8, status;

		if (mm_communicate(m, buf, &size, &status) || status)
			return -1;
	}
	return 0;
}

/* Asks the pool handler for n allocate/free pairs. */
static int pool_run(struct mm_machine *m, uint64_t buf, uint32_t n)
{
	uint64_t size = 24 + 8, status;

	if (mm_mem_write(m, buf + 24, &n, sizeof(n)))
		return -1;
	return mm_communicate(m, buf, &size, &status) || status ? -1 : 0;
}

/* The emulated benchmark's PE driver (tests/drivers/pe/pe-bench.c). */
static const char *emulated_driver(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s/pe/pe-bench.efi", cli_driver_dir());
	return path;
}

int cmd_bench_worker(int argc, char **argv)
{
	struct mm_machine *m;
	uint64_t buf, zero = 0;
	unsigned long n;
	int rc = 0;

	if (argc != 3)
		return CLI_USAGE;
	n = strtoul(argv[2], NULL, 0);
	if (!strncmp(argv[1], "features-", 9)) /* tools/bench-features-worker.c */
		return bench_features_worker(argv[1], n);
	if (!strcmp(argv[1], "ovmf-dispatch")) /* tools/bench-ovmf.c */
		return bench_ovmf_worker();
	if (!strcmp(argv[1], "emulated-nested"))
		return mm_bench_emulated_nested_worker(n) ? CLI_FAIL : CLI_OK;
	if (!strncmp(argv[1], "emulated-", 9)) /* emulated-communicate, emulated-bare */
		return mm_bench_emulated_worker(argv[1] + 9, emulated_driver(), n) ? CLI_FAIL
										     : CLI_OK;
	m = bench_machine();
	if (!m)
		return CLI_FAIL;
	if (!strcmp(argv[1], "communicate")) {
		rc = bench_buffer(m, empty_guid, &zero, 8, &buf) || communicate_loop(m, buf, n);
	} else if (!strcmp(argv[1], "pool")) {
		rc = bench_buffer(m, pool_guid, &zero, 8, &buf) || pool_run(m, buf, (uint32_t)n);
	} else {
		rc = CLI_USAGE;
	}
	mm_machine_destroy(m);
	return rc ? CLI_FAIL : CLI_OK;
}

/* Runs the worker under callgrind collecting only inside the named functions. */
long long callgrind_total(const char *self, const char *what, unsigned long n,
				 const char *const *functions)
{
	char out[] = "/tmp/mmemu-callgrind-XXXXXX";
	char outarg[64], narg[32], line[512];
	const char *args[16];
	int fd = mkstemp(out), argi = 0, status;
	long long total = -1;
	pid_t pid;
	FILE *f;

	if (fd < 0)
		return -1;
	close(fd);
	snprintf(outarg, sizeof(outarg), "--callgrind-out-file=%s", out);
	snprintf(narg, sizeof(narg), "%lu", n);
	args[argi++] = "valgrind";
	args[argi++] = "--tool=callgrind";
	args[argi++] = "--quiet";
	args[argi++] = outarg;
	args[argi++] = "--collect-atstart=no";
	char toggles[4][96];
	for (int i = 0; functions[i] && i < 4; i++) {
		snprintf(toggles[i], sizeof(toggles[i]), "--toggle-collect=%s", functions[i]);
		args[argi++] = toggles[i];
	}
	args[argi++] = self;
	args[argi++] = "bench-worker";
	args[argi++] = what;
	args[argi++] = narg;
	args[argi] = NULL;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", 1);

		dup2(devnull, 1);
		execvp("valgrind", (char *const *)args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		goto done;
	f = fopen(out, "r");
	if (!f)
		goto done;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "totals:", 7) || !strncmp(line, "summary:", 8))
			total = atoll(strchr(line, ':') + 1);
	fclose(f);
done:
	unlink(out);
	return total;
}

/* Instructions per iteration from two callgrind runs; -1 when unavailable. */
static double callgrind_per_op(const char *self, const char *what,
			       const char *const *functions)
{
	const unsigned long n1 = 200, n2 = 1200;
	long long a = callgrind_total(self, what, n1, functions);
	long long b = callgrind_total(self, what, n2, functions);

	if (a < 0 || b < 0)
		return -1;
	return (double)(b - a) / (double)(n2 - n1);
}

const char *self_path(void)
{
	static char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n <= 0)
		return "mmemu";
	path[n] = 0;
	return path;
}

static int bench_communicate(FILE *out)
{
	static const char *const fns[] = { "mm_communicate", NULL };
	struct mm_machine *m = bench_machine();
	uint64_t buf, zero = 0, n = 0;
	double t0, t1, ins;

	if (!m || bench_buffer(m, empty_guid, &zero, 8, &buf))
		return -1;
	t0 = now_seconds();
	do {
		if (communicate_loop(m, buf, 10000)) {
			mm_machine_destroy(m);
			return -1;
		}
		n += 10000;
		t1 = now_seconds();
	} while (t1 - t0 < 0.5);
	mm_machine_destroy(m);
	fprintf(out, "communicate_native_empty_rate: %.0f round-trips/s\n", n / (t1 - t0));
	ins = callgrind_per_op(self_path(), "communicate", fns);
	if (ins < 0)
		fprintf(out, "communicate_native_empty_instructions: unavailable (valgrind missing)\n");
	else
		fprintf(out, "communicate_native_empty_instructions: %.1f instructions/communicate\n",
			ins);
	return 0;
}

static int bench_pool(FILE *out)
{
	static const char *const fns[] = { "MmAllocatePool", "MmFreePool", NULL };
	struct mm_machine *m = bench_machine();
	uint64_t buf, zero = 0, n = 0;
	double t0, t1, ins;

	if (!m || bench_buffer(m, pool_guid, &zero, 8, &buf))
		return -1;
	t0 = now_seconds();
	do {
		if (pool_run(m, buf, 100000)) {
			mm_machine_destroy(m);
			return -1;
		}
		n += 100000;
		t1 = now_seconds();
	} while (t1 - t0 < 0.5);
	mm_machine_destroy(m);
	fprintf(out, "pool_alloc_free_rate: %.0f pairs/s\n", n / (t1 - t0));
	ins = callgrind_per_op(self_path(), "pool", fns);
	if (ins < 0)
		fprintf(out, "pool_alloc_free_instructions: unavailable (valgrind missing)\n");
	else
		fprintf(out, "pool_alloc_free_instructions: %.1f instructions/pair\n", ins);
	return 0;
}

static int bench_smi(FILE *out)
{
	return mm_bench_smi(out, NULL);
}

/*
 * Runs "mmemu run --no-timing [-j jobs] path" with output to /dev/null;
 * returns its wall-clock seconds, or -1 when it did not pass.
 */
static double scenario_run_seconds(const char *path, const char *jobs)
{
	const char *args[] = { self_path(), "run", "--no-timing", "-j", jobs, path, NULL };
	double t0 = now_seconds();
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		dup2(devnull, 1);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		return -1;
	return now_seconds() - t0;
}

/*
 * Writes scenario number i of the generated suite into dir: even ones a
 * communicate round trip, odd ones a SW SMI, each with one step after
 * dispatch. one_step writes the one-step dispatch scenario instead.
 */
static int write_bench_scenario(const char *dir, unsigned i, bool one_step)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/s%04u.yaml", dir, i);
	f = fopen(path, "w");
	if (!f)
		return -1;
	if (one_step)
		fprintf(f, "drivers:\n  - native: %s/sample-producer.so\nsteps:\n  - dispatch: {}\n",
			cli_driver_dir());
	else if (i % 2 == 0)
		fprintf(f, "drivers:\n  - native: %s/sample-producer.so\n"
			   "  - native: %s/sample-guid-handler.so\n"
			   "steps:\n  - dispatch: {}\n  - communicate:\n"
			   "      guid: F05FB6D0-ED99-4BEC-A6E4-C9C3710E08A0\n"
			   "      fields: [ {u32: 1}, {u32: %u}, {u32: 2}, {u32: 0}, {u64: 0} ]\n"
			   "    expect:\n      status: EFI_SUCCESS\n"
			   "      message: { fields: [ {u32: 1}, {u32: %u}, {u32: 2}, {u32: %u} ] }\n",
			cli_driver_dir(), cli_driver_dir(), i, i, i + 2);
	else
		fprintf(f, "drivers:\n  - native: %s/sample-sw-handler.so\n"
			   "steps:\n  - dispatch: {}\n  - set-registers: { cpu: 1, rcx: %u }\n"
			   "  - sw-smi: { value: 0x42, data: 1, cpu: 1 }\n"
			   "    expect:\n      registers: { cpu: 1, rax: %u }\n",
			cli_driver_dir(), i, i + 1);
	return fclose(f) ? -1 : 0;
}

/* Removes the n generated files and dir itself. */
static void remove_bench_scenarios(const char *dir, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/s%04u.yaml", dir, i);
		unlink(path);
	}
	rmdir(dir);
}

/* User plus system time of every child process waited for so far. */
static double children_cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_CHILDREN, &ru))
		return 0;
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/*
 * Scenario runner figures: the time from process start to the end of a
 * one-driver, one-step scenario (best of 10 runs of `mmemu run`), and the
 * whole time of a suite of 1,000 generated scenarios run with -j 2.
 */
static int bench_scenarios(FILE *out)
{
	enum { SUITE_SIZE = 1000, TRIES = 10 };
	char dir[] = "/tmp/mmemu-bench-scenarios-XXXXXX", one[4096];
	double best = -1, suite, cpu;

	if (!mkdtemp(dir))
		return -1;
	if (write_bench_scenario(dir, 0, true))
		goto fail;
	snprintf(one, sizeof(one), "%s/s0000.yaml", dir);
	for (int t = 0; t < TRIES; t++) {
		double s = scenario_run_seconds(one, "1");

		if (s < 0)
			goto fail;
		if (best < 0 || s < best)
			best = s;
	}
	fprintf(out, "scenario_process_start_to_first_step: %.1f ms (one driver, one step, "
		     "best of %d)\n", best * 1e3, TRIES);
	for (unsigned i = 0; i < SUITE_SIZE; i++)
		if (write_bench_scenario(dir, i, false))
			goto fail;
	cpu = children_cpu_seconds();
	suite = scenario_run_seconds(dir, "2");
	if (suite < 0)
		goto fail;
	cpu = children_cpu_seconds() - cpu;
	fprintf(out, "scenario_suite_1000_j2: %.2f s (target <= 10 s)\n", suite);
	/* CPU time does not depend on what else the machine runs: on two idle
	 * cores the whole time is about half of it. */
	fprintf(out, "scenario_suite_1000_cpu: %.2f s (user+sys of every process)\n", cpu);
	fprintf(out, "scenario_suite_rate_j2: %.0f scenarios/s\n", SUITE_SIZE / suite);
	remove_bench_scenarios(dir, SUITE_SIZE);
	return 0;
fail:
	remove_bench_scenarios(dir, SUITE_SIZE);
	return -1;
}

/*
 * Whole-process time of `mmemu fv list` on Debian's OVMF image (issue 6):
 * the best of three runs, output discarded.
 */
static int bench_fv(FILE *out)
{
	static const char image[] = "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd";
	double best = -1;

	if (access(image, R_OK)) {
		fprintf(out, "fv_list_ovmf: unavailable (ovmf not installed)\n");
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		double t0 = now_seconds(), t;
		int status;
		pid_t pid = fork();

		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);

			dup2(devnull, 1);
			execl(self_path(), "mmemu", "fv", "list", image, (char *)NULL);
			_exit(127);
		}
		if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			return -1;
		t = now_seconds() - t0;
		if (best < 0 || t < best)
			best = t;
	}
	fprintf(out, "fv_list_ovmf: %.0f ms\n", best * 1e3);
	return 0;
}

/*
 * Emulated drivers (issue 5): communicate to the 256-byte copy handler of a
 * PE driver on the Unicorn model, the bare-Unicorn baseline calling the same
 * handler, and the instructions of one host -> emulated -> host call.
 */
static int bench_emulated(FILE *out)
{
	static const char *const nested[] = { "mm_call", NULL };
	static const char *const comm[] = { "bench_communicate_once", NULL };
	static const char *const bare[] = { "bench_bare_once", NULL };
	double ins;

	if (mm_bench_emulated(out, emulated_driver()))
		return -1;
	ins = callgrind_per_op(self_path(), "emulated-communicate", comm);
	if (ins >= 0)
		fprintf(out, "communicate_emulated_copy256_instructions: %.0f instructions/round-trip\n",
			ins);
	ins = callgrind_per_op(self_path(), "emulated-bare", bare);
	if (ins >= 0)
		fprintf(out, "emulated_bare_unicorn_copy256_instructions: %.0f instructions/call\n",
			ins);
	ins = callgrind_per_op(self_path(), "emulated-nested", nested);
	if (ins < 0)
		fprintf(out, "emulated_nested_call_instructions: unavailable (valgrind missing)\n");
	else
		fprintf(out, "emulated_nested_call_instructions: %.0f instructions/call\n", ins);
	return 0;
}

static const struct {
	const char *name;
	int (*run)(FILE *out);
	const char *what;
} benches[] = {
	{ "communicate", bench_communicate,
	  "native MM communicate to an empty GUID handler: rate and callgrind instructions" },
	{ "pool", bench_pool, "SMRAM pool allocate+free pairs: rate and callgrind instructions" },
	{ "smi", bench_smi,
	  "SW SMIs/s on the Unicorn CPU model, full and fast path, 1 and 8 CPUs, bare baseline" },
	{ "emulated", bench_emulated,
	  "communicate to an emulated PE handler (256-byte copy) vs bare Unicorn; nested call cost" },
	{ "fv", bench_fv, "whole-process time of 'mmemu fv list' on Debian's OVMF image" },
	{ "ovmf-dispatch", bench_ovmf_dispatch,
	  "OVMF's five SMM drivers from the image to EFI_SUCCESS: whole process, and its split" },
	{ "lockbox-restore", bench_lockbox_restore,
	  "OVMF's SmmLockBox: RESTORE round trips/s through mm_communicate, after the lock" },
	{ "getvariable", bench_getvariable,
	  "OVMF's VariableSmm: GetVariable round trips/s through mm_communicate, after the lock" },
	{ "features", bench_features,
	  "Unicorn SW SMIs and communicates: debug features compiled in vs out (callgrind), "
	  "coverage and insn trace off vs on" },
	{ "fuzz", bench_fuzz,
	  "fuzzer execs/s (coverage only, every oracle) vs bare Unicorn; RSS; time to find each sample bug" },
	{ "snapshot", bench_snapshot,
	  "machine snapshots: restores/s and communicate+restore/s on the emulated PE handler; "
	  "pages restored per exec" },
	{ "scenarios", bench_scenarios,
	  "mmemu run: process start to first step of a one-driver scenario; 1,000 scenarios, -j 2" },
};

#define NBENCH (sizeof(benches) / sizeof(benches[0]))

int cmd_bench(int argc, char **argv)
{
	int rc = CLI_OK;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "--list"))) {
		printf("usage: mmemu bench [NAME...]\nbenchmarks:\n");
		for (size_t i = 0; i < NBENCH; i++)
			printf("  %-12s %s\n", benches[i].name, benches[i].what);
		return CLI_OK;
	}
	for (int a = 1; a < argc; a++) {
		bool known = false;

		for (size_t i = 0; i < NBENCH; i++)
			known |= !strcmp(argv[a], benches[i].name);
		if (!known) {
			fprintf(stderr, "mmemu bench: unknown benchmark '%s' (see --list)\n",
				argv[a]);
			return CLI_USAGE;
		}
	}
	for (size_t i = 0; i < NBENCH; i++) {
		bool selected = argc < 2;

		for (int a = 1; a < argc; a++)
			selected |= !strcmp(argv[a], benches[i].name);
		if (!selected)
			continue;
		if (benches[i].run(stdout)) {
			fprintf(stderr, "mmemu bench: %s failed\n", benches[i].name);
			rc = CLI_FAIL;
		}
		fflush(stdout);
	}
	return rc;
}
