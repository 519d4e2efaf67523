/* SPDX-License-Identifier: MIT */
/*
 * What the three fuzzing front ends share (`mmemu fuzz`, the libFuzzer
 * target tests/fuzz/mm-fuzz-target.c, the AFL++ harness tools/afl/): turning
 * the user's strings (a GUID, a SW SMI value, an oracle list, environment
 * variables) into a struct mm_fuzz_config, and naming what a finding is.
 */
#ifndef TOOLS_FUZZ_TARGET_H
#define TOOLS_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

#include <mmemu/fuzz.h>

/* Slots of struct mm_fuzz_stats.findings_by_class: 8 oracle classes, then crashes. */
#define CLI_FUZZ_CLASSES 9

/*
 * Parses "E8AD3D03-576A-40AD-85EF-457314172D08" into the EFI_GUID byte layout
 * (first three fields little endian). Returns 0, or -1 when s is not a GUID.
 */
int cli_fuzz_parse_guid(const char *s, uint8_t out[16]);

/* Parses a whole unsigned number (decimal or 0x hex) up to max; 0 or -1. */
int cli_fuzz_parse_number(const char *s, uint64_t max, uint64_t *out);

/*
 * Parses an oracle list: "all", "none", or class names separated by commas
 * ("smram-write,pool"). Returns 0 with the enum mm_oracle_class bits in *out,
 * or -1 with the unknown name in err.
 */
int cli_fuzz_parse_oracles(const char *s, uint32_t *out, char *err, size_t errlen);

/*
 * Fills c from the environment of the libFuzzer and AFL++ harnesses:
 * MMEMU_FUZZ_SCENARIO (required), MMEMU_FUZZ_GUID or MMEMU_FUZZ_SW_SMI
 * ("" or "any": the value is fuzzed too), MMEMU_FUZZ_CPU, MMEMU_FUZZ_ORACLES
 * (default all), MMEMU_FUZZ_MAX_LEN, MMEMU_FUZZ_DICT, MMEMU_FUZZ_FINDINGS,
 * MMEMU_FUZZ_SEED. Returns 0, or -1 with a message in err.
 */
int cli_fuzz_config_from_env(struct mm_fuzz_config *c, char *err, size_t errlen);

/* The name of findings_by_class slot i ("smram-write" ... "crash"). */
const char *cli_fuzz_class_name(unsigned i);

/* The findings_by_class slot of a mm_fuzz_result.finding value (-1: none). */
int cli_fuzz_finding_slot(uint32_t finding);

#endif /* TOOLS_FUZZ_TARGET_H */
