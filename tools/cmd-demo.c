/* SPDX-License-Identifier: MIT */
/*
 * mmemu demo: the bundled sample drivers on the default platform. Dispatches
 * them by DEPEX, then drives them as an OS would (MM communicate, a software
 * SMI, ReadyToLock), printing what happened and checking it.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "sample.h"

static int passes, failures;

static void check(bool ok, const char *what)
{
	printf("  [%s] %s\n", ok ? "ok" : "FAILED", what);
	if (ok)
		passes++;
	else
		failures++;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Loads every sample-*.so of the driver directory, in name order. */
static int load_samples(struct mm_machine *m)
{
	const char *dir = cli_driver_dir();
	char *names[64];
	unsigned n = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	int rc = 0;

	if (!d) {
		fprintf(stderr, "mmemu demo: no sample drivers in %s (set MMEMU_DRIVER_DIR)\n", dir);
		return -1;
	}
	while ((e = readdir(d)) && n < 64) {
		size_t len = strlen(e->d_name);

		if (!strncmp(e->d_name, "sample-", 7) && len > 3 && !strcmp(e->d_name + len - 3, ".so"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), by_name);
	for (unsigned i = 0; i < n; i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!rc && mm_driver_load_native(m, path, NULL)) {
			fprintf(stderr, "mmemu demo: %s\n", mm_machine_error(m));
			rc = -1;
		}
		free(names[i]);
	}
	return n ? rc : -1;
}

static void demo_communicate(struct mm_machine *m)
{
	static const EFI_GUID guid = SAMPLE_HANDLER_GUID;
	SAMPLE_MESSAGE msg = { .Command = SAMPLE_CMD_ADD, .A = 40, .B = 2 };
	uint64_t len = sizeof(msg), status = 1;
	char buf[32], buf2[32];
	enum mm_err err;

	printf("\nMM communicate to the sample GUID handler: ADD 40 + 2\n");
	err = mm_communicate_msg(m, (const uint8_t *)&guid, &msg, sizeof(msg), 0, &msg, &len,
				 &status);
	printf("  MmiManage returned %s, message status %s, result %u\n",
	       cli_status_name(status, buf), cli_status_name(msg.Status, buf2), msg.Result);
	check(err == MM_OK && status == 0 && msg.Status == 0 && msg.Result == 42,
	      "handler computed 42 through the sample protocol");
}

static void demo_sw_smi(struct mm_machine *m)
{
	uint64_t rax = 0, rbx = 0;

	printf("\nSoftware SMI 0x%x from CPU 1 with RCX = 0x1233, data port 0x5A\n",
	       SAMPLE_SW_MMI_VALUE);
	mm_cpu_set_reg(m, 1, MM_REG_RCX, 0x1233);
	if (mm_sw_smi(m, 1, SAMPLE_SW_MMI_VALUE, 0x5A))
		printf("  SMI failed: %s\n", mm_machine_error(m));
	mm_cpu_get_reg(m, 1, MM_REG_RAX, &rax);
	mm_cpu_get_reg(m, 1, MM_REG_RBX, &rbx);
	printf("  after RSM: RAX = 0x%llx, RBX = 0x%llx\n", (unsigned long long)rax,
	       (unsigned long long)rbx);
	check(rax == 0x1234 && rbx == 0x5A,
	      "handler read RCX from the save state and wrote RAX = RCX + 1, RBX = data");
}

static void demo_lock(struct mm_machine *m)
{
	printf("\nEndOfDxe, ReadyToLock\n");
	check(mm_ready_to_lock(m) == MM_OK, "ReadyToLock signalled");
	check(mm_smram_state(m) == MM_SMRAM_LOCKED, "SMRAM is closed and locked");
	check(mm_smram_set_state(m, MM_SMRAM_OPEN) == MM_ERR_DENIED,
	      "opening SMRAM after lock is refused");
}

int cmd_demo(int argc, char **argv)
{
	struct mm_platform p;
	struct mm_machine *m;
	uint32_t mask;
	char err[512];
	int rc = cli_machine_opts(argc, argv, &mask, &p);

	if (rc) {
		fprintf(rc > 0 ? stdout : stderr,
			"usage: mmemu demo [--log CATEGORY,...] [--cpus N]\n");
		return rc > 0 ? CLI_OK : CLI_USAGE;
	}
	if (mm_machine_create(&p, &m, err, sizeof(err))) {
		fprintf(stderr, "mmemu demo: cannot create the machine: %s\n", err);
		return CLI_USAGE;
	}
	mm_log_set_mask(m, mask);
	printf("Default platform: %u CPUs, sample drivers from %s\n\n", p.cpus, cli_driver_dir());
	if (load_samples(m)) {
		mm_machine_destroy(m);
		return CLI_USAGE;
	}
	if (mm_dispatch(m))
		printf("dispatch stopped: %s\n", mm_machine_error(m));
	cli_print_drivers(stdout, m);
	demo_communicate(m);
	demo_sw_smi(m);
	demo_lock(m);
	mm_machine_destroy(m);
	printf("\n%d passed, %d failed\n", passes, failures);
	return failures ? CLI_FAIL : CLI_OK;
}
