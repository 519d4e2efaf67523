/* SPDX-License-Identifier: MIT */
/*
 * Tests of core/guid-names.c: lookups by name and by GUID (checked against
 * the variables of core/pi-guids.c), and the registry text form, well-formed
 * and malformed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <pi/mm-guids.h>

#include "core/guid-names.h"

#define LIT(s) (s), (sizeof(s) - 1)

/* Every GUID variable of include/pi, by the name it must be found under. */
static const struct {
	const char *name;
	const EFI_GUID *var;
} all_names[] = {
	{ "gEfiMmCpuIoProtocolGuid", &gEfiMmCpuIoProtocolGuid },
	{ "gEfiSmmCpuIo2ProtocolGuid", &gEfiSmmCpuIo2ProtocolGuid },
	{ "gEfiMmCpuProtocolGuid", &gEfiMmCpuProtocolGuid },
	{ "gEfiSmmCpuProtocolGuid", &gEfiSmmCpuProtocolGuid },
	{ "gEfiMmSwDispatchProtocolGuid", &gEfiMmSwDispatchProtocolGuid },
	{ "gEfiSmmSwDispatch2ProtocolGuid", &gEfiSmmSwDispatch2ProtocolGuid },
	{ "gEfiMmSxDispatchProtocolGuid", &gEfiMmSxDispatchProtocolGuid },
	{ "gEfiSmmSxDispatch2ProtocolGuid", &gEfiSmmSxDispatch2ProtocolGuid },
	{ "gEfiMmPeriodicTimerDispatchProtocolGuid", &gEfiMmPeriodicTimerDispatchProtocolGuid },
	{ "gEfiSmmPeriodicTimerDispatch2ProtocolGuid", &gEfiSmmPeriodicTimerDispatch2ProtocolGuid },
	{ "gEfiMmPowerButtonDispatchProtocolGuid", &gEfiMmPowerButtonDispatchProtocolGuid },
	{ "gEfiSmmPowerButtonDispatch2ProtocolGuid", &gEfiSmmPowerButtonDispatch2ProtocolGuid },
	{ "gEfiMmStandbyButtonDispatchProtocolGuid", &gEfiMmStandbyButtonDispatchProtocolGuid },
	{ "gEfiSmmStandbyButtonDispatch2ProtocolGuid", &gEfiSmmStandbyButtonDispatch2ProtocolGuid },
	{ "gEfiMmGpiDispatchProtocolGuid", &gEfiMmGpiDispatchProtocolGuid },
	{ "gEfiSmmGpiDispatch2ProtocolGuid", &gEfiSmmGpiDispatch2ProtocolGuid },
	{ "gEfiMmIoTrapDispatchProtocolGuid", &gEfiMmIoTrapDispatchProtocolGuid },
	{ "gEfiSmmIoTrapDispatch2ProtocolGuid", &gEfiSmmIoTrapDispatch2ProtocolGuid },
	{ "gEfiMmCommunicationProtocolGuid", &gEfiMmCommunicationProtocolGuid },
	{ "gEfiSmmCommunicationProtocolGuid", &gEfiSmmCommunicationProtocolGuid },
	{ "gEfiMmCommunication2ProtocolGuid", &gEfiMmCommunication2ProtocolGuid },
	{ "gEfiMmCommunication3ProtocolGuid", &gEfiMmCommunication3ProtocolGuid },
	{ "gEfiMmCommunicateHeaderV3Guid", &gEfiMmCommunicateHeaderV3Guid },
	{ "gEfiMmEndOfDxeProtocolGuid", &gEfiMmEndOfDxeProtocolGuid },
	{ "gEfiSmmEndOfDxeProtocolGuid", &gEfiSmmEndOfDxeProtocolGuid },
	{ "gEfiMmReadyToLockProtocolGuid", &gEfiMmReadyToLockProtocolGuid },
	{ "gEfiSmmReadyToLockProtocolGuid", &gEfiSmmReadyToLockProtocolGuid },
	{ "gEfiDxeMmReadyToLockProtocolGuid", &gEfiDxeMmReadyToLockProtocolGuid },
	{ "gEfiDxeSmmReadyToLockProtocolGuid", &gEfiDxeSmmReadyToLockProtocolGuid },
	{ "gEfiEndOfDxeEventGroupGuid", &gEfiEndOfDxeEventGroupGuid },
	{ "gEfiMmAccessProtocolGuid", &gEfiMmAccessProtocolGuid },
	{ "gEfiSmmAccess2ProtocolGuid", &gEfiSmmAccess2ProtocolGuid },
	{ "gEfiMmControlProtocolGuid", &gEfiMmControlProtocolGuid },
	{ "gEfiSmmControl2ProtocolGuid", &gEfiSmmControl2ProtocolGuid },
	{ "gEfiMmBaseProtocolGuid", &gEfiMmBaseProtocolGuid },
	{ "gEfiSmmBase2ProtocolGuid", &gEfiSmmBase2ProtocolGuid },
	{ "gSmmBaseHobGuid", &gSmmBaseHobGuid },
};

#define ALL_NAMES (sizeof(all_names) / sizeof(all_names[0]))

static void test_mm_guid_by_name_every_variable(void **state)
{
	(void)state;
	for (size_t i = 0; i < ALL_NAMES; i++) {
		const EFI_GUID *g = mm_guid_by_name(all_names[i].name, strlen(all_names[i].name));

		assert_non_null(g);
		assert_memory_equal(g, all_names[i].var, sizeof(EFI_GUID));
	}
}

/* Only the first len characters count; no NUL needed after them. */
static void test_mm_guid_by_name_len_delimited(void **state)
{
	const char text[] = "gEfiMmCpuProtocolGuid,gSmmBaseHobGuid";
	const EFI_GUID *g = mm_guid_by_name(text, strlen("gEfiMmCpuProtocolGuid"));

	(void)state;
	assert_non_null(g);
	assert_true(mm_guid_eq(g, &gEfiMmCpuProtocolGuid));
	g = mm_guid_by_name(text + strlen("gEfiMmCpuProtocolGuid,"),
			    strlen("gSmmBaseHobGuid"));
	assert_non_null(g);
	assert_true(mm_guid_eq(g, &gSmmBaseHobGuid));
}

static void test_mm_guid_by_name_unknown(void **state)
{
	(void)state;
	assert_null(mm_guid_by_name(LIT("gEfiNoSuchProtocolGuid")));
	assert_null(mm_guid_by_name(LIT("")));
	/* a prefix, a longer name, another case: not the same name */
	assert_null(mm_guid_by_name(LIT("gEfiMmCpuProtocol")));
	assert_null(mm_guid_by_name(LIT("gEfiMmCpuProtocolGuidX")));
	assert_null(mm_guid_by_name(LIT("gefimmcpuprotocolguid")));
	assert_null(mm_guid_by_name(NULL, 5));
}

/* Every table GUID has a name, and that name leads back to the same GUID. */
static void test_mm_guid_name_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < ALL_NAMES; i++) {
		const char *name = mm_guid_name(all_names[i].var);

		assert_non_null(name);
		assert_true(mm_guid_eq(mm_guid_by_name(name, strlen(name)), all_names[i].var));
	}
}

static void test_mm_guid_name_prefers_mm_spelling(void **state)
{
	(void)state;
	assert_string_equal(mm_guid_name(&gEfiSmmSwDispatch2ProtocolGuid),
			    "gEfiMmSwDispatchProtocolGuid");
	assert_string_equal(mm_guid_name(&gEfiSmmCpuIo2ProtocolGuid), "gEfiMmCpuIoProtocolGuid");
	assert_string_equal(mm_guid_name(&gEfiDxeSmmReadyToLockProtocolGuid),
			    "gEfiDxeMmReadyToLockProtocolGuid");
	assert_string_equal(mm_guid_name(&gEfiSmmBase2ProtocolGuid), "gEfiMmBaseProtocolGuid");
	assert_string_equal(mm_guid_name(&gSmmBaseHobGuid), "gSmmBaseHobGuid");
}

static void test_mm_guid_name_unknown(void **state)
{
	EFI_GUID g = gEfiMmCpuProtocolGuid;

	(void)state;
	g.Data4[7] ^= 1;
	assert_null(mm_guid_name(&g));
	memset(&g, 0, sizeof(g));
	assert_null(mm_guid_name(&g));
	assert_null(mm_guid_name(NULL));
}

static void test_mm_guid_parse_valid(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_true(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C1-B53389F98999"), &g));
	assert_true(mm_guid_eq(&g, &gEfiMmSwDispatchProtocolGuid));
	assert_int_equal(g.Data1, 0x18a3c6dc);
	assert_int_equal(g.Data2, 0x5eea);
	assert_int_equal(g.Data3, 0x48c8);
	assert_int_equal(g.Data4[0], 0xa1);
	assert_int_equal(g.Data4[7], 0x99);
}

static void test_mm_guid_parse_any_case(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_true(mm_guid_parse(LIT("c2217ba7-03bb-4f63-a647-7c25c5fc9d73"), &g));
	assert_true(mm_guid_eq(&g, &gSmmBaseHobGuid));
	assert_true(mm_guid_parse(LIT("C2217bA7-03Bb-4F63-a647-7C25c5Fc9D73"), &g));
	assert_true(mm_guid_eq(&g, &gSmmBaseHobGuid));
}

/* Only the first len characters are read. */
static void test_mm_guid_parse_len_delimited(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_true(mm_guid_parse("02CE967A-DD7E-4FFC-9EE7-810CF0470880 trailing", 36, &g));
	assert_true(mm_guid_eq(&g, &gEfiEndOfDxeEventGroupGuid));
}

static void test_mm_guid_parse_wrong_length(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C1-B53389F9899"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C1-B53389F989990"), &g));
	assert_false(mm_guid_parse(LIT("{18A3C6DC-5EEA-48C8-A1C1-B53389F98999}"), &g));
	assert_false(mm_guid_parse(LIT(""), &g));
	assert_false(mm_guid_parse("18A3C6DC-5EEA-48C8-A1C1-B53389F98999", 0, &g));
}

static void test_mm_guid_parse_bad_hex(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_false(mm_guid_parse(LIT("18A3C6DG-5EEA-48C8-A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C1-B53389F9899Z"), &g));
	assert_false(mm_guid_parse(LIT(" 8A3C6DC-5EEA-48C8-A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("+8A3C6DC-5EEA-48C8-A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-0x5E-48C8-A1C1-B53389F98999"), &g));
	/* an embedded NUL is not a hex digit */
	assert_false(mm_guid_parse("18A3C6DC-5EEA-48C8-A1C1-B53389F9\0999", 36, &g));
}

static void test_mm_guid_parse_missing_dashes(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_false(mm_guid_parse(LIT("18A3C6DC05EEA-48C8-A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA048C8-A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C80A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C10B53389F98999"), &g));
	/* dashes moved: right length, wrong places */
	assert_false(mm_guid_parse(LIT("18A3C6D-C5EEA-48C8-A1C1-B53389F98999"), &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC5EEA48C8A1C1B53389F98999----"), &g));
}

/* On failure the output is left as it was. */
static void test_mm_guid_parse_failure_keeps_output(void **state)
{
	EFI_GUID g = gEfiMmCpuProtocolGuid;

	(void)state;
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C1-B53389F9899X"), &g));
	assert_true(mm_guid_eq(&g, &gEfiMmCpuProtocolGuid));
}

static void test_mm_guid_parse_null(void **state)
{
	EFI_GUID g;

	(void)state;
	assert_false(mm_guid_parse(NULL, 36, &g));
	assert_false(mm_guid_parse(LIT("18A3C6DC-5EEA-48C8-A1C1-B53389F98999"), NULL));
}

static void test_mm_guid_format_uppercase(void **state)
{
	char text[MM_GUID_STRING_LEN + 1];

	(void)state;
	memset(text, 'x', sizeof(text));
	mm_guid_format(&gEfiMmCommunicateHeaderV3Guid, text);
	assert_string_equal(text, "68E8C853-2BA9-4DD7-9AC0-91E16155C935");
	mm_guid_format(&gEfiEndOfDxeEventGroupGuid, text);
	assert_string_equal(text, "02CE967A-DD7E-4FFC-9EE7-810CF0470880");
}

static void test_mm_guid_format_round_trip(void **state)
{
	char text[MM_GUID_STRING_LEN + 1];
	EFI_GUID back;

	(void)state;
	for (size_t i = 0; i < ALL_NAMES; i++) {
		mm_guid_format(all_names[i].var, text);
		assert_int_equal(strlen(text), MM_GUID_STRING_LEN);
		assert_true(mm_guid_parse(text, strlen(text), &back));
		assert_true(mm_guid_eq(&back, all_names[i].var));
	}
}

static void test_mm_guid_eq_compares_all_bytes(void **state)
{
	EFI_GUID a = gEfiMmAccessProtocolGuid, b = gEfiMmAccessProtocolGuid;

	(void)state;
	assert_true(mm_guid_eq(&a, &b));
	b.Data1 ^= 0x80000000u;
	assert_false(mm_guid_eq(&a, &b));
	b = a;
	b.Data4[7] ^= 1;
	assert_false(mm_guid_eq(&a, &b));
	assert_false(mm_guid_eq(&gEfiMmAccessProtocolGuid, &gEfiMmControlProtocolGuid));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_guid_by_name_every_variable),
		cmocka_unit_test(test_mm_guid_by_name_len_delimited),
		cmocka_unit_test(test_mm_guid_by_name_unknown),
		cmocka_unit_test(test_mm_guid_name_round_trip),
		cmocka_unit_test(test_mm_guid_name_prefers_mm_spelling),
		cmocka_unit_test(test_mm_guid_name_unknown),
		cmocka_unit_test(test_mm_guid_parse_valid),
		cmocka_unit_test(test_mm_guid_parse_any_case),
		cmocka_unit_test(test_mm_guid_parse_len_delimited),
		cmocka_unit_test(test_mm_guid_parse_wrong_length),
		cmocka_unit_test(test_mm_guid_parse_bad_hex),
		cmocka_unit_test(test_mm_guid_parse_missing_dashes),
		cmocka_unit_test(test_mm_guid_parse_failure_keeps_output),
		cmocka_unit_test(test_mm_guid_parse_null),
		cmocka_unit_test(test_mm_guid_format_uppercase),
		cmocka_unit_test(test_mm_guid_format_round_trip),
		cmocka_unit_test(test_mm_guid_eq_compares_all_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
