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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "cli.h"

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

int cmd_bench_worker(int argc, char **argv)
{
	struct mm_machine *m;
	uint64_t buf, zero = 0;
	unsigned long n;
	int rc = 0;

	if (argc != 3)
		return CLI_USAGE;
	n = strtoul(argv[2], NULL, 0);
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
static long long callgrind_total(const char *self, const char *what, unsigned long n,
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

static const char *self_path(void)
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
