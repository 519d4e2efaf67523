/* SPDX-License-Identifier: MIT */
/*
 * Tests of the bug oracles (emu/oracle.c, emu/oracle-mem.c and the pool's
 * debug mode in core/pool.c): names, enabling, the finding record of a
 * vulnerable sample driver on the emulated CPU, a CommBuffer in SMRAM that
 * reaches the handlers, the pool's red zones and quarantine, and every
 * scenario of scenarios/oracles (each oracle fires on its vulnerable driver
 * and stays silent on the fixed twin).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/mmemu.h>
#include <mmemu/oracle.h>
#include <mmemu/scenario.h>

#include "core/image.h"
#include "core/machine.h"
#include "core/oracle-hook.h"
#include "emu/emu.h"

#define VULN(name) MMEMU_BINARY_DIR "/tests/drivers/pe/vuln-" name ".efi"
#define ORACLE_SCENARIOS MMEMU_SOURCE_DIR "/scenarios/oracles"

static const uint8_t smram_write_guid[16] = { 0x03, 0x3d, 0xad, 0xe8, 0x6a, 0x57, 0xad, 0x40,
					      0x85, 0xef, 0x45, 0x73, 0x14, 0x17, 0x2d, 0x08 };

/* A default machine, on the Unicorn model when emulated. */
static struct mm_machine *machine(bool emulated)
{
	struct mm_platform p;
	struct mm_machine *m = NULL;
	char err[512] = "";

	mm_platform_default(&p);
	p.cpu_engine = emulated ? MM_CPU_UNICORN : MM_CPU_HOST;
	if (mm_machine_create(&p, &m, err, sizeof(err)))
		fail_msg("mm_machine_create: %s", err);
	if (emulated && !mm_extension_get(m, "emu") && mm_emu_attach(m))
		fail_msg("mm_emu_attach: %s", mm_machine_error(m));
	return m;
}

static void test_mm_oracle_parse_names(void **state)
{
	(void)state;
	for (uint32_t bit = 1; bit < MM_ORACLE_ALL; bit <<= 1)
		assert_int_equal(mm_oracle_parse(mm_oracle_name(bit)), bit);
	assert_int_equal(mm_oracle_parse("smram-write"), MM_ORACLE_SMRAM_WRITE);
	assert_int_equal(mm_oracle_parse("all"), MM_ORACLE_ALL);
	assert_int_equal(mm_oracle_parse("smram"), 0);
	assert_null(mm_oracle_name(3));
}

static void test_mm_oracle_enable_checks(void **state)
{
	struct mm_machine *m = machine(false);
	struct mm_oracle_finding f;

	(void)state;
	assert_int_equal(mm_oracle_enabled(m), 0);
	assert_int_equal(mm_oracle_enable(m, 1u << 20), MM_ERR_INVALID);
	/* the memory oracles need the CPU model; hang and disclosure do not */
	assert_int_equal(mm_oracle_enable(m, MM_ORACLE_SMRAM_WRITE), MM_ERR_STATE);
	assert_int_equal(mm_oracle_enable(m, MM_ORACLE_HANG | MM_ORACLE_DISCLOSURE), MM_OK);
	assert_int_equal(mm_oracle_enabled(m), MM_ORACLE_HANG | MM_ORACLE_DISCLOSURE);
	assert_int_equal(mm_oracle_finding(m, &f), MM_ERR_NOT_FOUND);
	assert_int_equal(mm_oracle_enable(m, 0), MM_OK);
	assert_int_equal(mm_oracle_enabled(m), 0);
	mm_machine_destroy(m);
}

/* The finding of VulnSmramWrite: class, where, the untrusted pointer, the input. */
static void test_mm_oracle_enable_smram_write_finding(void **state)
{
	struct mm_machine *m;
	struct mm_oracle_finding f;
	const struct mm_stop *s;
	uint64_t msg[2] = { 0x0F800100, 0x4141414141414141ull }, st = 0;
	unsigned idx;

	(void)state;
	if (access(VULN("smram-write"), R_OK))
		skip();
	m = machine(true);
	assert_int_equal(mm_oracle_enable(m, MM_ORACLE_SMRAM_WRITE), MM_OK);
	assert_int_equal(mm_driver_load_image(m, VULN("smram-write"), "TRUE", &idx), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	mm_communicate_msg(m, smram_write_guid, msg, sizeof(msg), 0, NULL, NULL, &st);
	s = mm_machine_stop(m);
	assert_non_null(s);
	assert_int_equal(s->kind, MM_STOP_ORACLE);
	assert_string_equal(s->oracle, "smram-write");
	assert_int_equal(s->address, 0x0F800100);
	assert_non_null(strstr(s->where, "VulnSmramWrite+0x"));
	assert_non_null(strstr(s->insn, "mov"));
	assert_int_equal(mm_oracle_finding(m, &f), MM_OK);
	assert_int_equal(f.oracle, MM_ORACLE_SMRAM_WRITE);
	assert_int_equal(f.source, 0x0F800100);
	assert_int_equal(f.input_len, sizeof(msg));
	assert_memory_equal(f.input, msg, sizeof(msg));
	assert_non_null(strstr(f.backtrace, "VulnSmramWrite"));
	mm_machine_destroy(m);
}

/* The double-fetch finding names both read sites, in the driver. */
static void test_mm_oracle_enable_double_fetch_sites(void **state)
{
	static const uint8_t guid[16] = { 0x65, 0x4c, 0xd0, 0xd6, 0x23, 0xe7, 0x02, 0x4f,
					  0x90, 0x6d, 0x55, 0x4b, 0x78, 0x66, 0x52, 0x05 };
	uint8_t msg[24] = { 4 };
	struct mm_oracle_finding f;
	struct mm_machine *m;
	uint64_t st = 0;
	unsigned idx;

	(void)state;
	if (access(VULN("double-fetch"), R_OK))
		skip();
	m = machine(true);
	assert_int_equal(mm_oracle_enable(m, MM_ORACLE_DOUBLE_FETCH), MM_OK);
	assert_int_equal(mm_driver_load_image(m, VULN("double-fetch"), "TRUE", &idx), MM_OK);
	assert_int_equal(mm_dispatch(m), MM_OK);
	mm_communicate_msg(m, guid, msg, sizeof(msg), 0, NULL, NULL, &st);
	assert_int_equal(mm_oracle_finding(m, &f), MM_OK);
	assert_int_equal(f.oracle, MM_ORACLE_DOUBLE_FETCH);
	assert_int_not_equal(f.first_rip, 0);
	assert_int_not_equal(f.first_rip, f.rip);
	assert_non_null(strstr(MM_ADDR(m, f.first_rip), "VulnDoubleFetch+0x"));
	assert_non_null(strstr(mm_machine_stop(m)->message, "read twice"));
	mm_machine_destroy(m);
}

/* A CommBuffer in SMRAM that reaches the handlers (validation bypassed) fires. */
static void test_mm_oracle_enable_comm_buffer_in_smram(void **state)
{
	struct mm_machine *m = machine(true);
	struct mm_oracle_hooks *h;
	const struct mm_stop *s;

	(void)state;
	assert_int_equal(mm_oracle_enable(m, MM_ORACLE_SMRAM_WRITE), MM_OK);
	h = mm_oracle_hooks(m);
	assert_non_null(h);
	h->mmi_begin(m, 0x0F800000 - 0x10, 0x40, 0x0F800000 + 8, 0x20);
	h->mmi_end(m);
	s = mm_machine_stop(m);
	assert_non_null(s);
	assert_string_equal(s->oracle, "smram-write");
	assert_non_null(strstr(s->message, "overlaps SMRAM"));
	mm_machine_destroy(m);
}

/* Pool debug mode: red zone, quarantine, probe, fresh pattern. */
static void test_mm_pool_probe_debug(void **state)
{
	struct mm_machine *m = machine(false);
	uint64_t block = 0, size = 0;
	uint8_t *p, *q;

	(void)state;
	mm_pool_set_debug(m, MM_POOL_DEBUG_REDZONE | MM_POOL_DEBUG_POISON);
	p = mm_pool_alloc(m, EfiRuntimeServicesData, 40, false);
	assert_non_null(p);
	assert_int_equal(p[0], 0xA5);
	assert_int_equal(p[1], 'S');
	assert_int_equal(p[40], MM_POOL_REDZONE_BYTE);
	assert_int_equal(mm_pool_probe(m, (uint64_t)(uintptr_t)p + 8, &block, &size),
			 MM_POOL_HIT_NONE);
	assert_int_equal(mm_pool_probe(m, (uint64_t)(uintptr_t)p + 41, &block, &size),
			 MM_POOL_HIT_REDZONE);
	assert_int_equal(block, (uint64_t)(uintptr_t)p);
	assert_int_equal(size, 40);
	assert_false(mm_pool_check_redzones(m));
	p[41] = 0; /* overflow */
	assert_true(mm_pool_check_redzones(m));
	p[41] = MM_POOL_REDZONE_BYTE;
	assert_int_equal(mm_pool_free(m, p), MM_OK);
	assert_int_equal(p[0], MM_POOL_FREED_BYTE);
	assert_int_equal(mm_pool_probe(m, (uint64_t)(uintptr_t)p + 3, &block, &size),
			 MM_POOL_HIT_FREED);
	assert_int_equal(mm_pool_free(m, p), MM_ERR_INVALID); /* double free */
	q = mm_pool_alloc(m, EfiRuntimeServicesData, 40, false);
	assert_ptr_not_equal(q, p); /* p stays in quarantine */
	mm_pool_set_debug(m, 0);
	assert_int_equal(mm_pool_probe(m, (uint64_t)(uintptr_t)p + 3, &block, &size),
			 MM_POOL_HIT_NONE);
	assert_int_equal(mm_pool_free(m, q), MM_OK);
	mm_machine_destroy(m);
}

/* Runs one scenario file; fails with its message. */
static void run_scenario(const char *path)
{
	struct mm_scenario *s = NULL;
	struct mm_scenario_result r = { 0 };
	struct mm_scenario_opts o = { 0 };
	char err[512] = "";

	if (mm_scenario_load(path, &s, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(mm_scenario_run(s, &o, &r), MM_OK);
	if (!r.passed && !r.skipped)
		fail_msg("%s: %s", path, r.message ? r.message : "failed");
	mm_scenario_result_free(&r);
	mm_scenario_free(s);
}

/* Every scenario of scenarios/oracles passes: the oracles fire, the twins are clean. */
static void test_mm_oracle_enable_scenarios(void **state)
{
	DIR *d = opendir(ORACLE_SCENARIOS);
	struct dirent *ent;
	unsigned n = 0;
	char path[1024];

	(void)state;
	assert_non_null(d);
	if (access(VULN("smram-write"), R_OK)) {
		closedir(d);
		skip();
	}
	while ((ent = readdir(d))) {
		size_t len = strlen(ent->d_name);

		if (len < 6 || strcmp(ent->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", ORACLE_SCENARIOS, ent->d_name);
		run_scenario(path);
		n++;
	}
	closedir(d);
	assert_true(n >= 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_oracle_parse_names),
		cmocka_unit_test(test_mm_oracle_enable_checks),
		cmocka_unit_test(test_mm_oracle_enable_smram_write_finding),
		cmocka_unit_test(test_mm_oracle_enable_double_fetch_sites),
		cmocka_unit_test(test_mm_oracle_enable_comm_buffer_in_smram),
		cmocka_unit_test(test_mm_pool_probe_debug),
		cmocka_unit_test(test_mm_oracle_enable_scenarios),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
