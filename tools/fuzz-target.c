/* SPDX-License-Identifier: MIT */
/* Fuzz target configuration from strings, shared by the fuzzing front ends. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mmemu/oracle.h>

#include "fuzz-target.h"

int cli_fuzz_parse_number(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Reads n hex digits of s into *v; 0 or -1. */
static int hex_field(const char *s, unsigned n, uint64_t *v)
{
	*v = 0;
	for (unsigned i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		*v = *v << 4 | (uint64_t)(isdigit((unsigned char)s[i]) ? s[i] - '0'
								  : (tolower((unsigned char)s[i]) - 'a' + 10));
	}
	return 0;
}

int cli_fuzz_parse_guid(const char *s, uint8_t out[16])
{
	/* 8-4-4-4-12 hex digits; the first three fields are stored little endian
	 * (EFI_GUID: UINT32 Data1, UINT16 Data2, UINT16 Data3, UINT8 Data4[8]). */
	static const unsigned widths[5] = { 8, 4, 4, 4, 12 };
	uint64_t v;
	unsigned pos = 0;

	if (!s || strlen(s) != 36)
		return -1;
	for (unsigned f = 0; f < 5; f++) {
		if (hex_field(s + pos, widths[f], &v))
			return -1;
		pos += widths[f];
		if (f < 4 && s[pos++] != '-')
			return -1;
		if (f == 0)
			for (unsigned i = 0; i < 4; i++)
				out[i] = (uint8_t)(v >> (8 * i));
		else if (f < 3)
			for (unsigned i = 0; i < 2; i++)
				out[2 + 2 * f + i] = (uint8_t)(v >> (8 * i));
		else if (f == 3)
			for (unsigned i = 0; i < 2; i++)
				out[8 + i] = (uint8_t)(v >> (8 * (1 - i)));
		else
			for (unsigned i = 0; i < 6; i++)
				out[10 + i] = (uint8_t)(v >> (8 * (5 - i)));
	}
	return 0;
}

int cli_fuzz_parse_oracles(const char *s, uint32_t *out, char *err, size_t errlen)
{
	char name[64];

	*out = 0;
	if (!strcmp(s, "none"))
		return 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		uint32_t bit;

		if (n == 0 || n >= sizeof(name)) {
			snprintf(err, errlen, "bad oracle list entry '%.*s'", (int)n, s);
			return -1;
		}
		memcpy(name, s, n);
		name[n] = 0;
		bit = mm_oracle_parse(name);
		if (!bit) {
			snprintf(err, errlen, "unknown oracle '%s' (classes: smram-write, callout, "
					      "comm-oob, double-fetch, pool, stack, disclosure, hang; "
					      "or all, none)", name);
			return -1;
		}
		*out |= bit;
		s += n + (s[n] == ',');
	}
	return 0;
}

/* getenv, with "" read as unset. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Reads the SW SMI target of MMEMU_FUZZ_SW_SMI (its value sw) into c. */
static int sw_target_from_env(struct mm_fuzz_config *c, const char *sw, char *err,
			      size_t errlen)
{
	const char *cpu = env("MMEMU_FUZZ_CPU");
	uint64_t v;

	c->target.kind = MM_FUZZ_SW_SMI;
	c->target.sw_value = -1;
	if (strcmp(sw, "any")) {
		if (cli_fuzz_parse_number(sw, 0xff, &v)) {
			snprintf(err, errlen, "MMEMU_FUZZ_SW_SMI '%s' is not a byte value or 'any'",
				 sw);
			return -1;
		}
		c->target.sw_value = (int)v;
	}
	if (cpu) {
		if (cli_fuzz_parse_number(cpu, 1024, &v)) {
			snprintf(err, errlen, "MMEMU_FUZZ_CPU '%s' is not a CPU number", cpu);
			return -1;
		}
		c->target.cpu = (unsigned)v;
	}
	return 0;
}

int cli_fuzz_config_from_env(struct mm_fuzz_config *c, char *err, size_t errlen)
{
	const char *guid = env("MMEMU_FUZZ_GUID"), *sw = getenv("MMEMU_FUZZ_SW_SMI");
	const char *oracles = env("MMEMU_FUZZ_ORACLES"), *max_len = env("MMEMU_FUZZ_MAX_LEN");
	const char *seed = env("MMEMU_FUZZ_SEED");
	uint64_t v;

	memset(c, 0, sizeof(*c));
	c->scenario = env("MMEMU_FUZZ_SCENARIO");
	c->findings_dir = env("MMEMU_FUZZ_FINDINGS");
	c->dict = env("MMEMU_FUZZ_DICT");
	if (!c->scenario) {
		snprintf(err, errlen, "set MMEMU_FUZZ_SCENARIO to the scenario to fuzz from");
		return -1;
	}
	if (!guid == !sw) {
		snprintf(err, errlen, "set one of MMEMU_FUZZ_GUID (a GUID handler) or "
				      "MMEMU_FUZZ_SW_SMI (a value, or 'any')");
		return -1;
	}
	if (guid) {
		c->target.kind = MM_FUZZ_COMMUNICATE;
		if (cli_fuzz_parse_guid(guid, c->target.guid)) {
			snprintf(err, errlen, "MMEMU_FUZZ_GUID '%s' is not a GUID "
					      "(XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)", guid);
			return -1;
		}
	} else if (sw_target_from_env(c, *sw ? sw : "any", err, errlen)) {
		return -1;
	}
	if (cli_fuzz_parse_oracles(oracles ? oracles : "all", &c->oracles, err, errlen))
		return -1;
	if (max_len) {
		if (cli_fuzz_parse_number(max_len, 1u << 24, &v)) {
			snprintf(err, errlen, "MMEMU_FUZZ_MAX_LEN '%s' is not a length", max_len);
			return -1;
		}
		c->target.max_len = (uint32_t)v;
	}
	if (seed && cli_fuzz_parse_number(seed, UINT64_MAX, &c->seed)) {
		snprintf(err, errlen, "MMEMU_FUZZ_SEED '%s' is not a number", seed);
		return -1;
	}
	return 0;
}

const char *cli_fuzz_class_name(unsigned i)
{
	if (i == 8)
		return "crash";
	return i < 8 ? mm_oracle_name(1u << i) : "?";
}

int cli_fuzz_finding_slot(uint32_t finding)
{
	if (!finding)
		return -1;
	if (finding & MM_FUZZ_FINDING_CRASH)
		return 8;
	for (int i = 0; i < 8; i++)
		if (finding & (1u << i))
			return i;
	return 8;
}
