/* SPDX-License-Identifier: MIT */
/* Tests of core/depex.c: validation, evaluation, formatting, compilation. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/depex.h"
#include "core/guid-names.h"

static const EFI_GUID guid_a = { 0xaaaaaaaa, 0x1111, 0x1111, { 1, 1, 1, 1, 1, 1, 1, 1 } };
static const EFI_GUID guid_b = { 0xbbbbbbbb, 0x2222, 0x2222, { 2, 2, 2, 2, 2, 2, 2, 2 } };
static const EFI_GUID guid_c = { 0xcccccccc, 0x3333, 0x3333, { 3, 3, 3, 3, 3, 3, 3, 3 } };

/* A DEPEX under construction. */
struct dx {
	uint8_t b[1024];
	size_t len;
};

static void op(struct dx *d, uint8_t o)
{
	d->b[d->len++] = o;
}

static void op_guid(struct dx *d, uint8_t o, const EFI_GUID *g)
{
	op(d, o);
	memcpy(d->b + d->len, g, sizeof(*g));
	d->len += sizeof(*g);
}

/* Presence callback: the GUIDs in a NULL-terminated array are installed. */
static bool present(void *user, const EFI_GUID *g)
{
	const EFI_GUID *const *set = user;

	for (; *set; set++)
		if (!memcmp(*set, g, sizeof(*g)))
			return true;
	return false;
}

/* Validates d and expects failure with a message starting with want_prefix. */
static void expect_bad(const struct dx *d, const char *want_prefix, const char *want_part)
{
	char err[160] = "";

	assert_int_equal(mm_depex_validate(d->b, d->len, NULL, err, sizeof(err)), MM_ERR_FORMAT);
	if (strncmp(err, want_prefix, strlen(want_prefix)) || !strstr(err, want_part))
		fail_msg("message \"%s\" lacks \"%s\" ... \"%s\"", err, want_prefix, want_part);
}

static void test_mm_depex_validate_every_opcode(void **state)
{
	struct mm_depex_shape shape;
	struct dx d = { .len = 0 };
	char err[128];

	(void)state;
	op(&d, MM_DEP_SOR);
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	op_guid(&d, MM_DEP_PUSH, &guid_b);
	op(&d, MM_DEP_AND);
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_OR);
	op(&d, MM_DEP_NOT);
	op(&d, MM_DEP_FALSE);
	op(&d, MM_DEP_OR);
	op(&d, MM_DEP_END);
	assert_int_equal(mm_depex_validate(d.b, d.len, &shape, err, sizeof(err)), MM_OK);
	assert_true(shape.sor);
	assert_false(shape.before);
	assert_false(shape.after);
}

static void test_mm_depex_validate_before_after(void **state)
{
	struct mm_depex_shape shape;
	struct dx d = { .len = 0 };

	(void)state;
	op_guid(&d, MM_DEP_BEFORE, &guid_c);
	op(&d, MM_DEP_END);
	assert_int_equal(mm_depex_validate(d.b, d.len, &shape, NULL, 0), MM_OK);
	assert_true(shape.before);
	assert_false(shape.after);
	assert_memory_equal(&shape.target, &guid_c, sizeof(guid_c));
	d.b[0] = MM_DEP_AFTER;
	assert_int_equal(mm_depex_validate(d.b, d.len, &shape, NULL, 0), MM_OK);
	assert_true(shape.after);
	assert_false(shape.before);
}

static void test_mm_depex_validate_empty(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	expect_bad(&d, "offset 0:", "empty");
}

static void test_mm_depex_validate_truncated_guid(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_TRUE);
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	d.len -= 10; /* 6 of 16 GUID bytes left */
	expect_bad(&d, "offset 2:", "truncated (6 of 16");
	d.len = 0;
	op_guid(&d, MM_DEP_BEFORE, &guid_a);
	d.len = 4;
	expect_bad(&d, "offset 1:", "truncated");
}

static void test_mm_depex_validate_underflow(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_AND);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "underflow");
	d.len = 0;
	op(&d, MM_DEP_NOT);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 0:", "underflow");
	d.len = 0;
	op(&d, MM_DEP_OR);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 0:", "underflow");
}

static void test_mm_depex_validate_overflow(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	for (int i = 0; i < MM_DEPEX_MAX_STACK; i++)
		op(&d, MM_DEP_TRUE);
	for (int i = 0; i < MM_DEPEX_MAX_STACK - 1; i++)
		op(&d, MM_DEP_AND);
	op(&d, MM_DEP_END);
	assert_int_equal(mm_depex_validate(d.b, d.len, NULL, NULL, 0), MM_OK);
	d.len = 0;
	for (int i = 0; i <= MM_DEPEX_MAX_STACK; i++)
		op(&d, MM_DEP_FALSE);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 64:", "overflow");
}

static void test_mm_depex_validate_missing_end(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	expect_bad(&d, "offset 17:", "missing END");
	d.len = 0;
	op_guid(&d, MM_DEP_AFTER, &guid_a);
	expect_bad(&d, "offset 17:", "missing END");
}

static void test_mm_depex_validate_bytes_after_end(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_END);
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 2:", "2 byte(s) after END");
	d.len = 0;
	op_guid(&d, MM_DEP_BEFORE, &guid_a);
	op(&d, MM_DEP_END);
	op(&d, 0);
	expect_bad(&d, "offset 18:", "after END");
}

static void test_mm_depex_validate_unknown_opcode(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_TRUE);
	op(&d, 0x0a);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "unknown opcode 0x0a");
	d.b[1] = 0xff;
	expect_bad(&d, "offset 1:", "unknown opcode 0xff");
}

static void test_mm_depex_validate_before_not_alone(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op_guid(&d, MM_DEP_BEFORE, &guid_a);
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_AND);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 17:", "must be alone");
	d.len = 0;
	op(&d, MM_DEP_TRUE);
	op_guid(&d, MM_DEP_AFTER, &guid_a);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "AFTER must be alone");
	d.len = 0;
	op(&d, MM_DEP_SOR);
	op_guid(&d, MM_DEP_BEFORE, &guid_a);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "BEFORE must be alone");
}

static void test_mm_depex_validate_sor_not_first(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_SOR);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "SOR");
	d.len = 0;
	op(&d, MM_DEP_SOR);
	op(&d, MM_DEP_SOR);
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "SOR");
}

static void test_mm_depex_validate_end_value_count(void **state)
{
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 0:", "END with 0 value(s)");
	d.len = 0;
	op(&d, MM_DEP_SOR);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 1:", "END with 0 value(s)");
	d.len = 0;
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_FALSE);
	op(&d, MM_DEP_END);
	expect_bad(&d, "offset 2:", "END with 2 value(s)");
}

static void test_mm_depex_validate_small_err_buffer(void **state)
{
	struct dx d = { .len = 0 };
	char err[8];

	(void)state;
	op(&d, 0x77);
	memset(err, 'x', sizeof(err));
	assert_int_equal(mm_depex_validate(d.b, d.len, NULL, err, sizeof(err)), MM_ERR_FORMAT);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_int_equal(mm_depex_validate(NULL, 3, NULL, NULL, 0), MM_ERR_FORMAT);
}

/* Evaluates d with the GUIDs of set present. */
static bool eval(const struct dx *d, const EFI_GUID *const *set)
{
	bool result = !false, has = false;
	EFI_GUID un;

	assert_int_equal(mm_depex_eval(d->b, d->len, present, (void *)set, &result, &un, &has),
			 MM_OK);
	return result;
}

static void test_mm_depex_eval_operators(void **state)
{
	const EFI_GUID *none[] = { NULL };
	const EFI_GUID *a[] = { &guid_a, NULL };
	const EFI_GUID *ab[] = { &guid_a, &guid_b, NULL };
	const EFI_GUID *const *sets[] = { none, a, ab };
	struct dx and_ = { .len = 0 }, or_ = { .len = 0 }, not_ = { .len = 0 };

	(void)state;
	op_guid(&and_, MM_DEP_PUSH, &guid_a);
	op_guid(&and_, MM_DEP_PUSH, &guid_b);
	op(&and_, MM_DEP_AND);
	op(&and_, MM_DEP_END);
	op_guid(&or_, MM_DEP_PUSH, &guid_a);
	op_guid(&or_, MM_DEP_PUSH, &guid_b);
	op(&or_, MM_DEP_OR);
	op(&or_, MM_DEP_END);
	op_guid(&not_, MM_DEP_PUSH, &guid_a);
	op(&not_, MM_DEP_NOT);
	op(&not_, MM_DEP_END);
	for (int i = 0; i < 3; i++) {
		bool ha = i >= 1, hb = i >= 2;

		assert_int_equal(eval(&and_, sets[i]), ha && hb);
		assert_int_equal(eval(&or_, sets[i]), ha || hb);
		assert_int_equal(eval(&not_, sets[i]), !ha);
	}
}

static void test_mm_depex_eval_constants_and_sor(void **state)
{
	const EFI_GUID *none[] = { NULL };
	struct dx d = { .len = 0 };

	(void)state;
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_END);
	assert_true(eval(&d, none));
	d.b[0] = MM_DEP_FALSE;
	assert_false(eval(&d, none));
	d.len = 0;
	op(&d, MM_DEP_SOR);
	op(&d, MM_DEP_TRUE);
	op(&d, MM_DEP_END);
	assert_true(eval(&d, none));
}

static void test_mm_depex_eval_before_after_false(void **state)
{
	const EFI_GUID *a[] = { &guid_a, NULL };
	struct dx d = { .len = 0 };

	(void)state;
	op_guid(&d, MM_DEP_BEFORE, &guid_a);
	op(&d, MM_DEP_END);
	assert_false(eval(&d, a));
	d.b[0] = MM_DEP_AFTER;
	assert_false(eval(&d, a));
}

static void test_mm_depex_eval_unresolved(void **state)
{
	const EFI_GUID *a[] = { &guid_a, NULL };
	struct dx d = { .len = 0 };
	bool result = true, has = false;
	EFI_GUID un;

	(void)state;
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	op_guid(&d, MM_DEP_PUSH, &guid_b);
	op(&d, MM_DEP_AND);
	op_guid(&d, MM_DEP_PUSH, &guid_c);
	op(&d, MM_DEP_AND);
	op(&d, MM_DEP_END);
	assert_int_equal(mm_depex_eval(d.b, d.len, present, (void *)a, &result, &un, &has), MM_OK);
	assert_false(result);
	assert_true(has);
	assert_memory_equal(&un, &guid_b, sizeof(un));
	/* NOT of a present GUID is false with nothing absent. */
	d.len = 0;
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	op(&d, MM_DEP_NOT);
	op(&d, MM_DEP_END);
	assert_int_equal(mm_depex_eval(d.b, d.len, present, (void *)a, &result, &un, &has), MM_OK);
	assert_false(result);
	assert_false(has);
}

static void test_mm_depex_eval_rejects_malformed(void **state)
{
	struct dx d = { .len = 0 };
	bool result = true;

	(void)state;
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	d.len = 9;
	assert_int_equal(mm_depex_eval(d.b, d.len, present, NULL, &result, NULL, NULL),
			 MM_ERR_FORMAT);
	assert_false(result);
}

static void test_mm_depex_format_names_and_guids(void **state)
{
	const EFI_GUID *cpu = mm_guid_by_name("gEfiMmCpuProtocolGuid", 21);
	struct dx d = { .len = 0 };
	char out[256];

	(void)state;
	assert_non_null(cpu);
	op(&d, MM_DEP_SOR);
	op_guid(&d, MM_DEP_PUSH, cpu);
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	op(&d, MM_DEP_AND);
	op(&d, MM_DEP_NOT);
	op(&d, MM_DEP_END);
	mm_depex_format(d.b, d.len, out, sizeof(out));
	assert_string_equal(out, "SOR PUSH gEfiMmCpuProtocolGuid PUSH "
				 "AAAAAAAA-1111-1111-0101-010101010101 AND NOT END");
}

static void test_mm_depex_format_malformed(void **state)
{
	struct dx d = { .len = 0 };
	char out[64];

	(void)state;
	op(&d, 0x42);
	op_guid(&d, MM_DEP_PUSH, &guid_a);
	d.len = 5;
	mm_depex_format(d.b, d.len, out, sizeof(out));
	assert_string_equal(out, "0x42? PUSH <truncated GUID>");
}

static void test_mm_depex_format_small_buffer(void **state)
{
	struct dx d = { .len = 0 };
	char out[10];

	(void)state;
	for (int i = 0; i < 20; i++)
		op(&d, MM_DEP_TRUE);
	memset(out, 'x', sizeof(out));
	mm_depex_format(d.b, d.len, out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_memory_equal(out, "TRUE TRUE", 9);
}

/* Compiles expr and expects it to produce the bytes of want. */
static void expect_compiled(const char *expr, const struct dx *want)
{
	uint8_t out[512];
	size_t len = 0;
	char err[128] = "";

	if (mm_depex_compile(expr, out, sizeof(out), &len, err, sizeof(err)))
		fail_msg("\"%s\": %s", expr, err);
	assert_int_equal(len, want->len);
	assert_memory_equal(out, want->b, len);
}

/* Compiles expr and expects MM_ERR_FORMAT with a message starting with prefix. */
static void expect_compile_error(const char *expr, const char *prefix, const char *part)
{
	uint8_t out[512];
	size_t len = 99;
	char err[160] = "";

	assert_int_equal(mm_depex_compile(expr, out, sizeof(out), &len, err, sizeof(err)),
			 MM_ERR_FORMAT);
	if (strncmp(err, prefix, strlen(prefix)) || !strstr(err, part))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\" ... \"%s\"", expr, err, prefix, part);
}

static void test_mm_depex_compile_single_guid(void **state)
{
	const EFI_GUID *cpu = mm_guid_by_name("gEfiMmCpuProtocolGuid", 21);
	struct dx want = { .len = 0 };

	(void)state;
	op_guid(&want, MM_DEP_PUSH, cpu);
	op(&want, MM_DEP_END);
	expect_compiled("gEfiMmCpuProtocolGuid", &want);
	expect_compiled("  gEfiMmCpuProtocolGuid END ", &want);
	want.len = 0;
	op_guid(&want, MM_DEP_PUSH, &guid_a);
	op(&want, MM_DEP_END);
	expect_compiled("aaaaaaaa-1111-1111-0101-010101010101", &want);
}

static void test_mm_depex_compile_precedence(void **state)
{
	struct dx want = { .len = 0 };

	(void)state;
	/* A OR B AND C == A OR (B AND C) */
	op_guid(&want, MM_DEP_PUSH, &guid_a);
	op_guid(&want, MM_DEP_PUSH, &guid_b);
	op_guid(&want, MM_DEP_PUSH, &guid_c);
	op(&want, MM_DEP_AND);
	op(&want, MM_DEP_OR);
	op(&want, MM_DEP_END);
	expect_compiled("AAAAAAAA-1111-1111-0101-010101010101 OR "
			"BBBBBBBB-2222-2222-0202-020202020202 AND "
			"CCCCCCCC-3333-3333-0303-030303030303",
			&want);
	/* NOT A AND B == (NOT A) AND B */
	want.len = 0;
	op_guid(&want, MM_DEP_PUSH, &guid_a);
	op(&want, MM_DEP_NOT);
	op_guid(&want, MM_DEP_PUSH, &guid_b);
	op(&want, MM_DEP_AND);
	op(&want, MM_DEP_END);
	expect_compiled("NOT AAAAAAAA-1111-1111-0101-010101010101 AND "
			"BBBBBBBB-2222-2222-0202-020202020202",
			&want);
}

static void test_mm_depex_compile_parentheses(void **state)
{
	struct dx want = { .len = 0 };

	(void)state;
	/* (A OR B) AND NOT (C) */
	op_guid(&want, MM_DEP_PUSH, &guid_a);
	op_guid(&want, MM_DEP_PUSH, &guid_b);
	op(&want, MM_DEP_OR);
	op_guid(&want, MM_DEP_PUSH, &guid_c);
	op(&want, MM_DEP_NOT);
	op(&want, MM_DEP_AND);
	op(&want, MM_DEP_END);
	expect_compiled("(AAAAAAAA-1111-1111-0101-010101010101 OR "
			"BBBBBBBB-2222-2222-0202-020202020202)AND NOT("
			"CCCCCCCC-3333-3333-0303-030303030303)",
			&want);
}

static void test_mm_depex_compile_constants_sor_order(void **state)
{
	struct dx want = { .len = 0 };

	(void)state;
	op(&want, MM_DEP_TRUE);
	op(&want, MM_DEP_END);
	expect_compiled("TRUE", &want);
	want.len = 0;
	op(&want, MM_DEP_SOR);
	op(&want, MM_DEP_FALSE);
	op(&want, MM_DEP_TRUE);
	op(&want, MM_DEP_OR);
	op(&want, MM_DEP_END);
	expect_compiled("SOR FALSE OR TRUE", &want);
	want.len = 0;
	op_guid(&want, MM_DEP_BEFORE, &guid_b);
	op(&want, MM_DEP_END);
	expect_compiled("BEFORE BBBBBBBB-2222-2222-0202-020202020202", &want);
	want.b[0] = MM_DEP_AFTER;
	expect_compiled("AFTER BBBBBBBB-2222-2222-0202-020202020202", &want);
}

static void test_mm_depex_compile_errors_with_column(void **state)
{
	(void)state;
	expect_compile_error("", "column 1:", "unexpected end");
	expect_compile_error("gEfiMmCpuProtocolGuid AND gNoSuchGuid", "column 27:",
			     "unknown GUID name 'gNoSuchGuid'");
	expect_compile_error("(TRUE OR FALSE", "column 15:", "expected ')'");
	expect_compile_error("TRUE & FALSE", "column 6:", "unexpected character '&'");
	expect_compile_error("TRUE AND BEFORE gEfiMmCpuProtocolGuid", "column 10:",
			     "BEFORE/AFTER");
	expect_compile_error("TRUE AND SOR FALSE", "column 10:", "SOR");
	expect_compile_error("SOR AFTER gEfiMmCpuProtocolGuid", "column 5:", "cannot follow SOR");
	expect_compile_error("TRUE FALSE", "column 6:", "after the expression");
	expect_compile_error("TRUE )", "column 6:", "after the expression");
	expect_compile_error("NOT", "column 4:", "unexpected end");
	expect_compile_error("BEFORE TRUE", "column 8:", "expected a GUID");
	expect_compile_error("AND TRUE", "column 1:", "unexpected 'AND'");
	expect_compile_error("TRUE END TRUE", "column 10:", "after the expression");
}

static void test_mm_depex_compile_too_deep(void **state)
{
	char expr[2048];
	size_t n = 0;

	(void)state;
	/* 64 nested parentheses: the parser accepts, the 65-value stack does not. */
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(expr + n, sizeof(expr) - n, "TRUE AND (");
	n += (size_t)snprintf(expr + n, sizeof(expr) - n, "TRUE");
	for (int i = 0; i < 64; i++)
		expr[n++] = ')';
	expr[n] = 0;
	expect_compile_error(expr, "column 1:", "overflow");
	/* 65 nested NOTs: refused by the parser itself. */
	n = 0;
	for (int i = 0; i < 65; i++)
		n += (size_t)snprintf(expr + n, sizeof(expr) - n, "NOT ");
	snprintf(expr + n, sizeof(expr) - n, "TRUE");
	expect_compile_error(expr, "column 257:", "nested deeper");
}

static void test_mm_depex_compile_out_too_small(void **state)
{
	uint8_t out[8];
	size_t len = 0;
	char err[128] = "";

	(void)state;
	assert_int_equal(mm_depex_compile("gEfiMmCpuProtocolGuid", out, sizeof(out), &len, err,
					  sizeof(err)),
			 MM_ERR_RANGE);
	assert_int_equal(len, 18);
	assert_non_null(strstr(err, "18 bytes"));
	assert_int_equal(mm_depex_compile("TRUE", out, 2, &len, err, sizeof(err)), MM_OK);
	assert_int_equal(len, 2);
}

static void test_mm_depex_compile_roundtrip(void **state)
{
	uint8_t out[256];
	size_t len = 0;
	char text[256];

	(void)state;
	assert_int_equal(mm_depex_compile("gEfiMmCpuProtocolGuid AND (gEfiMmSwDispatchProtocolGuid"
					  " OR NOT TRUE)",
					  out, sizeof(out), &len, NULL, 0),
			 MM_OK);
	assert_int_equal(mm_depex_validate(out, len, NULL, NULL, 0), MM_OK);
	mm_depex_format(out, len, text, sizeof(text));
	assert_string_equal(text, "PUSH gEfiMmCpuProtocolGuid PUSH gEfiMmSwDispatchProtocolGuid "
				  "TRUE NOT OR AND END");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm_depex_validate_every_opcode),
		cmocka_unit_test(test_mm_depex_validate_before_after),
		cmocka_unit_test(test_mm_depex_validate_empty),
		cmocka_unit_test(test_mm_depex_validate_truncated_guid),
		cmocka_unit_test(test_mm_depex_validate_underflow),
		cmocka_unit_test(test_mm_depex_validate_overflow),
		cmocka_unit_test(test_mm_depex_validate_missing_end),
		cmocka_unit_test(test_mm_depex_validate_bytes_after_end),
		cmocka_unit_test(test_mm_depex_validate_unknown_opcode),
		cmocka_unit_test(test_mm_depex_validate_before_not_alone),
		cmocka_unit_test(test_mm_depex_validate_sor_not_first),
		cmocka_unit_test(test_mm_depex_validate_end_value_count),
		cmocka_unit_test(test_mm_depex_validate_small_err_buffer),
		cmocka_unit_test(test_mm_depex_eval_operators),
		cmocka_unit_test(test_mm_depex_eval_constants_and_sor),
		cmocka_unit_test(test_mm_depex_eval_before_after_false),
		cmocka_unit_test(test_mm_depex_eval_unresolved),
		cmocka_unit_test(test_mm_depex_eval_rejects_malformed),
		cmocka_unit_test(test_mm_depex_format_names_and_guids),
		cmocka_unit_test(test_mm_depex_format_malformed),
		cmocka_unit_test(test_mm_depex_format_small_buffer),
		cmocka_unit_test(test_mm_depex_compile_single_guid),
		cmocka_unit_test(test_mm_depex_compile_precedence),
		cmocka_unit_test(test_mm_depex_compile_parentheses),
		cmocka_unit_test(test_mm_depex_compile_constants_sor_order),
		cmocka_unit_test(test_mm_depex_compile_errors_with_column),
		cmocka_unit_test(test_mm_depex_compile_too_deep),
		cmocka_unit_test(test_mm_depex_compile_out_too_small),
		cmocka_unit_test(test_mm_depex_compile_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
