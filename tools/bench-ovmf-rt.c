/* SPDX-License-Identifier: MIT */
/*
 * Runtime benchmarks over the real SMM drivers of Debian's OVMF (issue 6):
 * what an OS pays per call once the firmware is up.
 *
 *   lockbox-restore  SmmLockBox RESTORE round trips through mm_communicate,
 *                    after EndOfDxe and ReadyToLock (SmmMemLib then checks
 *                    every buffer against the memory map), 32 bytes each
 *   getvariable      VariableSmm GET_VARIABLE round trips of an 8-byte
 *                    non-volatile variable, after the lock
 *
 * Each builds its machine with a small generated scenario (the platform
 * scenarios/platforms/ovmf-q35.yaml, the drivers from the image, the steps
 * that set things up and check they worked); the run hooks hand over the
 * machine when the scenario has passed and the loop runs on it. Rates are
 * per second of this thread's CPU time, so that the load of a shared machine
 * does not change them much. Without the ovmf package each prints a
 * "skipped" line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mmemu/mmemu.h>
#include <mmemu/record.h>

#include "cli.h"

#define OVMF_CODE "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd"
#define OVMF_VARS "/usr/share/OVMF/OVMF_VARS_4M.fd"
#define COMM_BUF 0x3F700000ull /* the platform's rtdata region (EfiRuntimeServicesData) */
#define DATA_BUF 0x3F701000ull
#define MIN_SECONDS 0.5

/* EFI_SMM_LOCK_BOX_COMMUNICATION_GUID and gEfiSmmVariableProtocolGuid, EFI_GUID layout. */
static const uint8_t lockbox_guid[16] = { 0xbd, 0xfe, 0x3c, 0x2a, 0xe8, 0x27, 0x0a, 0x4d,
					  0x8b, 0x79, 0xd6, 0x88, 0xc2, 0xa3, 0xe1, 0xc0 };
static const uint8_t variable_guid[16] = { 0x33, 0xd5, 0x32, 0xed, 0xe6, 0x99, 0x09, 0x42,
					   0x9c, 0xc0, 0x2d, 0x72, 0xcd, 0xd9, 0x98, 0xa7 };
/* The lockbox and vendor GUID the scenarios below use, EFI_GUID layout. */
static const uint8_t box_guid[16] = { 0x6d, 0x65, 0x6d, 0x6d, 0x01, 0x00, 0x4f, 0x4c,
				      0x83, 0x42, 0x4f, 0x58, 0x53, 0x41, 0x56, 0x45 };
static const uint8_t vendor_guid[16] = { 0x6d, 0x65, 0x6d, 0x6d, 0x61, 0x76, 0x00, 0x72,
					 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01 };

/* SmmLockBox set up as the OS finds it: one 32-byte box saved, then locked. */
static const char lockbox_steps[] =
	"drivers:\n"
	"  - fv: " OVMF_CODE "\n"
	"    modules: [ SmmLockBox ]\n"
	"steps:\n"
	"  - dispatch: {}\n"
	"  - write-memory: { address: 0x3F701000, hex: \"00112233445566778899aabbccddeeff"
	"0123456789abcdeffedcba9876543210\" }\n"
	"  - communicate:\n"
	"      guid: 2A3CFEBD-27E8-4D0A-8B79-D688C2A3E1C0\n"
	"      address: 0x3F700000\n"
	"      fields: [ {u32: 1}, {u32: 48}, {u64: 0}, {guid: 6D6D656D-0001-4C4F-8342-4F5853415645},"
	" {u64: 0x3F701000}, {u64: 32} ]\n"
	"    expect: { message: { fields: [ {u32: any}, {u32: any}, {status: EFI_SUCCESS} ] } }\n"
	"  - end-of-dxe: {}\n"
	"  - ready-to-lock: {}\n";

/* The variable drivers with one non-volatile variable stored, then locked. */
static const char variable_steps[] =
	"drivers:\n"
	"  - fv: " OVMF_CODE "\n"
	"    modules: [ CpuIo2Smm, SmmLockBox, FvbServicesSmm, SmmFaultTolerantWriteDxe,"
	" VariableSmm ]\n"
	"steps:\n"
	"  - dispatch: {}\n"
	"  - communicate:\n"
	"      guid: ED32D533-99E6-4209-9CC0-2D72CDD998A7\n"
	"      address: 0x3F700000\n"
	"      fields: [ {u64: 3}, {u64: 0}, {guid: 6D6D656D-7661-7200-8000-000000000001},"
	" {u64: 8}, {u64: 20}, {u32: 7}, {char16: MmemuTest}, {bytes: \"deadbeefcafef00d\"} ]\n"
	"    expect: { message: { fields: [ {u64: 3}, {status: EFI_SUCCESS} ] } }\n"
	"  - end-of-dxe: {}\n"
	"  - ready-to-lock: {}\n";

/* CPU seconds of this thread. */
static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One benchmark: the message it sends and what a good reply holds. */
struct rt_bench {
	const char *name;
	const uint8_t *handler;        /* HeaderGuid */
	uint8_t msg[128];              /* the message, rewritten before every call */
	size_t len;
	size_t status_off;             /* where the reply's ReturnStatus is */
	size_t check_off, check_len;   /* reply bytes that must equal expect */
	uint8_t expect[32];
	/* results */
	bool ran;
	uint64_t calls;
	double seconds;
	char error[256];
};

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Rewrites the message, communicates once, checks the reply; false on a problem. */
static bool round_trip(struct mm_machine *m, struct rt_bench *b)
{
	uint8_t reply[128];
	uint64_t size = 24 + b->len, status = 0, rs;

	if (mm_mem_write(m, COMM_BUF + 24, b->msg, b->len) ||
	    mm_communicate(m, COMM_BUF, &size, &status) || status ||
	    mm_mem_read(m, COMM_BUF + 24, reply, b->len)) {
		snprintf(b->error, sizeof(b->error), "communicate failed (status 0x%llx): %s",
			 (unsigned long long)status, mm_machine_error(m));
		return false;
	}
	memcpy(&rs, reply + b->status_off, 8);
	if (rs || memcmp(reply + b->check_off, b->expect, b->check_len)) {
		snprintf(b->error, sizeof(b->error), "unexpected reply (ReturnStatus 0x%llx)",
			 (unsigned long long)rs);
		return false;
	}
	return true;
}

/* detach hook: the scenario has run; when it passed, loop on its machine. */
static void on_detach(void *user, struct mm_machine *m, const char *failure)
{
	struct rt_bench *b = user;
	uint8_t hdr[24];
	uint64_t len = b->len;
	double t0;

	if (failure)
		return;
	memcpy(hdr, b->handler, 16);
	memcpy(hdr + 16, &len, 8);
	if (mm_mem_write(m, COMM_BUF, hdr, sizeof(hdr)) || !round_trip(m, b))
		return;
	t0 = cpu_seconds();
	do {
		for (unsigned i = 0; i < 1000; i++)
			if (!round_trip(m, b))
				return;
		b->calls += 1000;
		b->seconds = cpu_seconds() - t0;
	} while (b->seconds < MIN_SECONDS);
	b->ran = true;
}

/* Runs the scenario with b's hooks and prints b's figure. */
static int run_bench(FILE *out, const char *steps, struct rt_bench *b, const char *what)
{
	struct mm_run_hooks hooks = { .user = b, .detach = on_detach };
	struct mm_scenario_opts opts = { .hooks = &hooks };
	struct mm_scenario_result res = { 0 };
	struct mm_scenario *s = NULL;
	char path[64], err[512];
	int rc = -1;

	if (access(OVMF_CODE, R_OK) || access(OVMF_VARS, R_OK)) {
		fprintf(out, "%s: skipped (%s not installed: the ovmf package)\n", b->name,
			OVMF_CODE);
		return 0;
	}
	if (bench_ovmf_scenario(steps, path, sizeof(path)))
		return -1;
	if (mm_scenario_load(path, &s, err, sizeof(err))) {
		fprintf(stderr, "bench %s: %s\n", b->name, err);
	} else if (mm_scenario_run(s, &opts, &res) || !res.passed) {
		fprintf(stderr, "bench %s: %s\n", b->name, res.message ? res.message : "no machine");
	} else if (!b->ran) {
		fprintf(stderr, "bench %s: %s\n", b->name, b->error);
	} else {
		fprintf(out, "%s: %.0f round-trips/s (%s; per CPU second, %llu calls)\n", b->name,
			b->calls / b->seconds, what, (unsigned long long)b->calls);
		rc = 0;
	}
	mm_scenario_result_free(&res);
	mm_scenario_free(s);
	unlink(path);
	return rc;
}

int bench_lockbox_restore(FILE *out)
{
	struct rt_bench b = { .name = "lockbox_restore_rate", .handler = lockbox_guid, .len = 48,
			      .status_off = 8, .check_off = 40, .check_len = 8 };
	uint64_t thirty_two = 32;

	/* EFI_SMM_LOCK_BOX_PARAMETER_RESTORE: Command 3, DataLength, ReturnStatus,
	 * Guid, Buffer, Length; the reply's Length is the box's: 32 */
	b.msg[0] = 3;
	b.msg[4] = 48;
	memcpy(b.msg + 16, box_guid, 16);
	put64(b.msg + 32, DATA_BUF + 0x1000);
	put64(b.msg + 40, 32);
	memcpy(b.expect, &thirty_two, 8);
	return run_bench(out, lockbox_steps, &b,
			 "SmmLockBox RESTORE of 32 bytes after ReadyToLock, target >= 100,000");
}

int bench_getvariable(FILE *out)
{
	static const uint8_t name[20] = { 'M', 0, 'm', 0, 'e', 0, 'm', 0, 'u', 0,
					  'T', 0, 'e', 0, 's', 0, 't', 0, 0, 0 };
	static const uint8_t data[8] = { 0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xf0, 0x0d };
	struct rt_bench b = { .name = "getvariable_rate", .handler = variable_guid,
			      .status_off = 8, .check_off = 16 + 36 + 20, .check_len = 8 };

	/* SMM_VARIABLE_COMMUNICATE_HEADER (Function 1 = GET_VARIABLE, ReturnStatus),
	 * then ACCESS_VARIABLE: Guid, DataSize 16, NameSize 20, Attributes, Name, Data */
	b.msg[0] = 1;
	memcpy(b.msg + 16, vendor_guid, 16);
	put64(b.msg + 32, 16);
	put64(b.msg + 40, 20);
	memcpy(b.msg + 52, name, sizeof(name));
	b.len = 16 + 36 + 20 + 16;
	memcpy(b.expect, data, sizeof(data));
	return run_bench(out, variable_steps, &b,
			 "VariableSmm GET_VARIABLE of 8 bytes after ReadyToLock");
}
