/* SPDX-License-Identifier: MIT */
/*
 * Dependency expressions (PI 1.8 vol. 2, chapter 10; the MM DEPEX of vol. 4
 * uses the same encoding): validation, evaluation, decoding to text, and
 * compiling an EDK2 INF-style [Depex] expression to bytes.
 */
#ifndef CORE_DEPEX_H
#define CORE_DEPEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <mmemu/error.h>
#include <pi/base.h>

struct mm_machine;

/* Opcodes, PI 1.8 vol. 2, table 10.1 ("Dependency Expression Opcode Summary"). */
enum mm_depex_op {
	MM_DEP_BEFORE = 0x00,
	MM_DEP_AFTER = 0x01,
	MM_DEP_PUSH = 0x02,
	MM_DEP_AND = 0x03,
	MM_DEP_OR = 0x04,
	MM_DEP_NOT = 0x05,
	MM_DEP_TRUE = 0x06,
	MM_DEP_FALSE = 0x07,
	MM_DEP_END = 0x08,
	MM_DEP_SOR = 0x09,
};

#define MM_DEPEX_MAX_STACK 64

/* What a validated expression is, for the dispatcher. */
struct mm_depex_shape {
	bool sor;              /* starts with SOR */
	bool before;           /* is BEFORE <guid> END */
	bool after;            /* is AFTER <guid> END */
	EFI_GUID target;       /* the GUID of BEFORE/AFTER */
};

/*
 * Checks bytes[0..len) is a well-formed expression: known opcodes, GUID
 * operands not truncated, stack never underflows, at most MM_DEPEX_MAX_STACK
 * deep, END last with exactly one value on the stack, BEFORE/AFTER only as the
 * whole expression, SOR only first. On failure returns MM_ERR_FORMAT and writes
 * "offset N: what is wrong" to err (errlen bytes). Fills *shape when not NULL.
 * len 0 is an error (an absent DEPEX is the caller's business).
 */
enum mm_err mm_depex_validate(const uint8_t *bytes, size_t len, struct mm_depex_shape *shape,
			      char *err, size_t errlen);

/* Answers whether a protocol GUID is installed (MM first, then DXE). */
typedef bool (*mm_depex_present_fn)(void *user, const EFI_GUID *guid);

/*
 * Evaluates a validated expression (SOR is skipped, BEFORE/AFTER are the
 * dispatcher's and evaluate to FALSE here). Stores the result in *result; when
 * false and unresolved is not NULL, stores the first GUID PUSHed that was
 * absent. Returns MM_OK or MM_ERR_FORMAT (not validated).
 */
enum mm_err mm_depex_eval(const uint8_t *bytes, size_t len, mm_depex_present_fn present,
			  void *user, bool *result, EFI_GUID *unresolved, bool *has_unresolved);

/*
 * Writes a readable form of the expression ("PUSH gEfiFooGuid PUSH ... AND END")
 * with GUID names where known, to out (outlen bytes, always terminated).
 */
void mm_depex_format(const uint8_t *bytes, size_t len, char *out, size_t outlen);

/*
 * Compiles an INF-style expression ("gEfiFooGuid AND (gBar OR NOT gBaz)",
 * "TRUE", "FALSE", "BEFORE gX", "AFTER gX", "SOR gX AND gY"; GUIDs by known
 * name or in registry format) to bytes in out (outcap bytes); stores the length
 * in *outlen. Precedence: NOT > AND > OR, parentheses allowed.
 * Returns MM_OK, MM_ERR_FORMAT (message with the column in err), MM_ERR_RANGE
 * (out too small).
 */
enum mm_err mm_depex_compile(const char *expr, uint8_t *out, size_t outcap, size_t *outlen,
			     char *err, size_t errlen);

#endif /* CORE_DEPEX_H */
