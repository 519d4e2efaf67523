/* SPDX-License-Identifier: MIT */
/*
 * Tests of scenarios/platform.c: the platform keys pcds, dxe-protocols,
 * flash, ecam, pmbase and init-model are loaded (with includes), rejected
 * with a position when wrong, and applied to the machine: PCD values through
 * the PCD protocol, DXE protocols in the database, devices where the file
 * says, the variable flash saved after the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <mmemu/dxe.h>
#include <mmemu/flash.h>
#include <mmemu/mmemu.h>
#include <mmemu/pci.h>
#include <pi/pcd.h>
#include <pi/uefi-system-table.h>

#include "core/call.h"
#include "core/machine.h"
#include "devices/chipset.h"
#include "scenarios/model.h"
#include "scenarios/platform.h"
#include "scenarios/runner.h"

#define FLASH_SIZE 0x2000

static char dir[256];

/* Writes text to dir/name and returns the path (static buffer). */
static const char *put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

/* A flash image of FLASH_SIZE bytes of value v in dir/name. */
static void put_image(const char *name, uint8_t v)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	for (unsigned i = 0; i < FLASH_SIZE; i++)
		fputc(v, f);
	assert_int_equal(fclose(f), 0);
}

/* Loads text as a scenario; NULL with the message (from "t.yaml" on) in err. */
static struct mm_scenario *load(const char *text, char *err, size_t len)
{
	struct mm_scenario *s = NULL;
	char buf[512] = "";

	if (mm_scenario_load(put("t.yaml", text), &s, buf, sizeof(buf)) != MM_OK) {
		snprintf(err, len, "%s", strstr(buf, "t.yaml") ? strstr(buf, "t.yaml") : buf);
		return NULL;
	}
	return s;
}

/* The error of loading text ("" when it loads). */
static const char *load_err(const char *text)
{
	static char err[512];
	struct mm_scenario *s = load(text, err, sizeof(err));

	if (s) {
		mm_scenario_free(s);
		return "";
	}
	return err;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mmemu-platform-test-XXXXXX");
	assert_non_null(mkdtemp(dir));
	put_image("vars.fd", 0xFF);
	put_image("code.fd", 0xC3);
	put("base.yaml", "pcds: [ { token: 0x13, size: 2, value: 0x29C0 } ]\n"
			 "dxe-protocols: [ 0379BE4E-D706-437D-B037-EDB82FB772A4 ]\n"
			 "pmbase: 0x600\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char full[] =
	"platform:\n"
	"  include: base.yaml\n"
	"  init-model: dxe\n"
	"  pcds:\n"
	"    - { token: 0x20, size: 8, value: 0xB0000000 }\n"
	"    - { token: 5, size: 1, value: 1, guid: B7DFB4E1-052F-449F-87BE-9818FC91B733 }\n"
	"  dxe-protocols: [ B7DFB4E1-052F-449F-87BE-9818FC91B733 ]\n"
	"  flash: { vars: vars.fd, code: code.fd, base: 0xFFC00000, block-size: 4096 }\n"
	"  ecam: 0xE0000000\n"
	"  pmbase: 0x680\n";

static void test_sc_platform_ext_load_keys_and_includes(void **state)
{
	char err[512] = "";
	struct mm_scenario *s = load(full, err, sizeof(err));
	const struct sc_platform_ext *x;

	(void)state;
	assert_non_null(s);
	x = &s->platform_ext;
	assert_int_equal(x->npcds, 3); /* the included one, then the file's own */
	assert_int_equal(x->pcds[0].token, 0x13);
	assert_int_equal(x->pcds[0].size, 2);
	assert_int_equal(x->pcds[0].value[0] | x->pcds[0].value[1] << 8, 0x29C0);
	assert_int_equal(x->pcds[1].size, 8);
	assert_true(x->pcds[2].has_guid);
	assert_int_equal(x->nprotocols, 2);
	assert_int_equal(x->protocols[0][0], 0x4E);
	assert_non_null(strstr(x->flash_vars, "/vars.fd"));
	assert_non_null(strstr(x->flash_code, "/code.fd"));
	assert_int_equal(x->flash_base, 0xFFC00000ull);
	assert_int_equal(x->flash_block, 4096);
	assert_true(x->has_ecam);
	assert_int_equal(x->ecam, 0xE0000000ull);
	assert_int_equal(x->pmbase, 0x680); /* the including file wins */
	assert_int_equal(s->platform.init_model, MM_INIT_DXE);
	mm_scenario_free(s);
	s = load("platform: { init-model: standalone }\n", err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(s->platform.init_model, MM_INIT_STANDALONE_PEI);
	mm_scenario_free(s);
}

static void test_sc_platform_ext_load_flash_merges_keys(void **state)
{
	char err[512] = "";
	struct mm_scenario *s;

	(void)state;
	put("flash.yaml", "flash: { vars: vars.fd, code: code.fd, base: 0xFFC00000 }\n");
	s = load("platform: { include: flash.yaml, flash: { vars: code.fd, save: out.fd } }\n", err,
		 sizeof(err));
	assert_non_null(s);
	assert_non_null(strstr(s->platform_ext.flash_vars, "/code.fd"));
	assert_non_null(strstr(s->platform_ext.flash_code, "/code.fd"));
	assert_int_equal(s->platform_ext.flash_base, 0xFFC00000ull);
	assert_string_equal(s->platform_ext.flash_save, "out.fd");
	mm_scenario_free(s);
}

static void test_sc_platform_ext_load_errors(void **state)
{
	(void)state;
	assert_string_equal(load_err("platform: { pcds: [ { token: 1, size: 3, value: 0 } ] }\n"),
			    "t.yaml:1:39: size: expected 1, 2, 4 or 8");
	assert_non_null(strstr(load_err("platform: { pcds: [ { token: 1, size: 1, value: 256 } ] }\n"),
			       "value"));
	assert_non_null(strstr(load_err("platform: { pcds: [ { token: 1 } ] }\n"),
			       "'token', 'size' and 'value' are required"));
	assert_non_null(strstr(load_err("platform: { dxe-protocols: [ nonsense ] }\n"),
			       "malformed GUID"));
	assert_non_null(strstr(load_err("platform: { ecam: 0xB1000000 }\n"), "256 MiB"));
	assert_non_null(strstr(load_err("platform: { pmbase: 0x601 }\n"), "multiple of 0x80"));
	assert_non_null(strstr(load_err("platform: { flash: { vars: vars.fd } }\n"),
			       "'base' is required"));
	assert_non_null(strstr(load_err("platform: { flash: { base: 0xFFC00000 } }\n"),
			       "'vars' or 'code' is required"));
	assert_non_null(strstr(load_err("platform: { flash: { vars: a, base: 1, sav: x } }\n"),
			       "sav"));
	assert_non_null(strstr(load_err("platform: { init-model: pei }\n"),
			       "expected dxe or standalone"));
	assert_non_null(strstr(load_err("platform: { pcd: [] }\n"), "pcds"));
}

/* The machine of s with its platform facts applied, as the runner builds it. */
static struct mm_machine *apply(const struct mm_scenario *s)
{
	struct sc_run r = { .s = s };
	char err[256] = "";

	assert_int_equal(mm_machine_create(&s->platform, &r.m, err, sizeof(err)), MM_OK);
	assert_int_equal(sc_platform_ext_apply(&r), MM_OK);
	assert_null(r.message);
	return r.m;
}

static void test_sc_platform_ext_apply_machine(void **state)
{
	static const EFI_GUID runtime_arch = { 0xB7DFB4E1, 0x052F, 0x449F,
					       { 0x87, 0xBE, 0x98, 0x18, 0xFC, 0x91, 0xB7, 0x33 } };
	static const EFI_GUID dp_util = { 0x0379BE4E, 0xD706, 0x437D,
					  { 0xB0, 0x37, 0xED, 0xB8, 0x2F, 0xB7, 0x72, 0xA4 } };
	char err[512] = "";
	struct mm_scenario *s = load(full, err, sizeof(err));
	struct mm_machine *m;
	EFI_BOOT_SERVICES *bs;
	PCD_PROTOCOL *pcd = NULL;
	void *iface = NULL;
	uint64_t st = 0;
	uint32_t v = 0;
	uint8_t b = 0;

	(void)state;
	assert_non_null(s);
	m = apply(s);
	mm_current_machine = m;
	assert_int_equal(mm_dxe_system_table(m, &st), MM_OK);
	bs = ((EFI_SYSTEM_TABLE *)(uintptr_t)st)->BootServices;
	assert_int_equal(bs->LocateProtocol(&gPcdProtocolGuid, NULL, (VOID **)&pcd), EFI_SUCCESS);
	assert_int_equal(pcd->Get16(0x13), 0x29C0);
	assert_int_equal(pcd->Get64(0x20), 0xB0000000ull);
	assert_int_equal(pcd->Get8Ex(&runtime_arch, 5), 1);
	assert_int_equal(bs->LocateProtocol((EFI_GUID *)&dp_util, NULL, &iface), EFI_SUCCESS);
	assert_non_null(iface);
	assert_int_equal(bs->LocateProtocol((EFI_GUID *)&runtime_arch, NULL, &iface), EFI_SUCCESS);
	/* devices where the platform put them */
	assert_int_equal(mm_pci_config_read(m, 0, 0, 0, 0x60, 4, &v), MM_OK);
	assert_int_equal(v, 0xE0000001u);
	assert_int_equal(mm_io_read(m, MM_IO_MMIO, 0xE0000000ull, 4), 0x29C08086u);
	assert_int_equal(mm_chipset(m)->pm.pmbase, 0x680);
	assert_int_equal(mm_flash_peek(m, 0xFFC00000ull, &b, 1), MM_OK);
	assert_int_equal(b, 0xFF);
	assert_int_equal(mm_flash_peek(m, 0xFFC00000ull + FLASH_SIZE, &b, 1), MM_OK);
	assert_int_equal(b, 0xC3); /* code right after vars */
	mm_current_machine = NULL;
	mm_machine_destroy(m);
	mm_scenario_free(s);
}

static void test_sc_platform_ext_flash_save_after_run(void **state)
{
	char text[1024], err[512] = "", saved[600];
	struct mm_scenario *s;
	struct mm_scenario_result r;
	uint8_t buf[FLASH_SIZE];
	FILE *f;

	(void)state;
	snprintf(saved, sizeof(saved), "%s/saved.fd", dir);
	snprintf(text, sizeof(text),
		 "platform: { flash: { vars: vars.fd, base: 0xFFC00000, save: %s } }\n"
		 "steps:\n"
		 "  - read-memory: { address: 0xFFC00010, length: 2 }\n"
		 "    expect: { hex: \"ffff\" }\n",
		 saved);
	s = load(text, err, sizeof(err));
	assert_non_null(s);
	assert_int_equal(mm_scenario_run(s, NULL, &r), MM_OK);
	assert_true(r.passed);
	mm_scenario_result_free(&r);
	mm_scenario_free(s);
	f = fopen(saved, "rb");
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof(buf), f), FLASH_SIZE);
	fclose(f);
	assert_int_equal(buf[0], 0xFF);
	assert_int_equal(buf[FLASH_SIZE - 1], 0xFF);
}

static void test_sc_platform_ext_missing_flash_fails_run(void **state)
{
	char err[512] = "";
	struct mm_scenario *s = load("platform: { flash: { vars: nothere.fd, base: 0xFFC00000 } }\n",
				     err, sizeof(err));
	struct mm_scenario_result r;

	(void)state;
	assert_non_null(s);
	assert_int_equal(mm_scenario_run(s, NULL, &r), MM_OK);
	assert_false(r.passed);
	assert_non_null(r.message);
	assert_non_null(strstr(r.message, "nothere.fd"));
	mm_scenario_result_free(&r);
	mm_scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sc_platform_ext_load_keys_and_includes),
		cmocka_unit_test(test_sc_platform_ext_load_flash_merges_keys),
		cmocka_unit_test(test_sc_platform_ext_load_errors),
		cmocka_unit_test(test_sc_platform_ext_apply_machine),
		cmocka_unit_test(test_sc_platform_ext_flash_save_after_run),
		cmocka_unit_test(test_sc_platform_ext_missing_flash_fails_run),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
