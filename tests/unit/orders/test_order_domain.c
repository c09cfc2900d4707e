/*
 * Certificate orders: request type names and the model 97 payment
 * reference of an order.  Expected references computed by hand with
 * CC = 98 - (N * 100 mod 97).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/ident.h"
#include "domain/order.h"

static void test_order_type_names_are_natural_and_legal(void **state)
{
	assert_string_equal(order_type_name(ORDER_NATURAL), "natural");
	assert_string_equal(order_type_name(ORDER_LEGAL), "legal");
}

static void test_order_type_name_of_bad_value_is_unknown(void **state)
{
	assert_string_equal(order_type_name((enum order_type)0), "unknown");
	assert_string_equal(order_type_name((enum order_type)3), "unknown");
}

static void test_order_type_parse_reads_its_own_names(void **state)
{
	enum order_type t = ORDER_LEGAL;

	assert_int_equal(order_type_parse(order_type_name(ORDER_NATURAL), &t), 0);
	assert_int_equal(t, ORDER_NATURAL);
	assert_int_equal(order_type_parse(order_type_name(ORDER_LEGAL), &t), 0);
	assert_int_equal(t, ORDER_LEGAL);
}

static void test_order_type_parse_rejects_other_spellings(void **state)
{
	enum order_type t = ORDER_NATURAL;

	assert_int_equal(order_type_parse("Natural", &t), -1);
	assert_int_equal(order_type_parse("legal ", &t), -1);
	assert_int_equal(order_type_parse("", &t), -1);
	assert_int_equal(order_type_parse("1", &t), -1);
	assert_int_equal(order_type_parse(NULL, &t), -1);
	assert_int_equal(t, ORDER_NATURAL); /* left alone */
}

static void test_payment_ref_pads_id_to_eight_digits(void **state)
{
	char ref[40];

	assert_int_equal(order_payment_ref(123, ref, sizeof(ref)), 0);
	assert_string_equal(ref, "972000000123");
}

static void test_payment_ref_control_digits_are_valid(void **state)
{
	char ref[40];

	assert_int_equal(order_payment_ref(123, ref, sizeof(ref)), 0);
	assert_true(ref97_valid(ref));
	assert_int_equal(order_payment_ref(1, ref, sizeof(ref)), 0);
	assert_true(ref97_valid(ref));
	assert_int_equal(order_payment_ref(99999999, ref, sizeof(ref)), 0);
	assert_true(ref97_valid(ref));
}

static void test_payment_ref_differs_between_ids(void **state)
{
	char a[40], b[40], c[40];

	assert_int_equal(order_payment_ref(123, a, sizeof(a)), 0);
	assert_int_equal(order_payment_ref(124, b, sizeof(b)), 0);
	assert_int_equal(order_payment_ref(1230, c, sizeof(c)), 0);
	assert_string_equal(b, "971700000124");
	assert_string_not_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(b, c);
}

static void test_payment_ref_keeps_all_digits_of_long_ids(void **state)
{
	char ref[40];

	assert_int_equal(order_payment_ref(1234567890LL, ref, sizeof(ref)), 0);
	assert_int_equal(strlen(ref), 14);
	assert_string_equal(ref + 4, "1234567890");
	assert_true(ref97_valid(ref));
}

static void test_payment_ref_rejects_ids_below_one(void **state)
{
	char ref[40] = "x";

	assert_int_equal(order_payment_ref(0, ref, sizeof(ref)), -1);
	assert_string_equal(ref, "");
	assert_int_equal(order_payment_ref(-5, ref, sizeof(ref)), -1);
}

static void test_payment_ref_rejects_short_buffer(void **state)
{
	char ref[12]; /* "972000000123" needs 13 with the NUL */

	assert_int_equal(order_payment_ref(123, ref, sizeof(ref)), -1);
	assert_string_equal(ref, "");
	assert_int_equal(order_payment_ref(123, NULL, 40), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_type_names_are_natural_and_legal),
		cmocka_unit_test(test_order_type_name_of_bad_value_is_unknown),
		cmocka_unit_test(test_order_type_parse_reads_its_own_names),
		cmocka_unit_test(test_order_type_parse_rejects_other_spellings),
		cmocka_unit_test(test_payment_ref_pads_id_to_eight_digits),
		cmocka_unit_test(test_payment_ref_control_digits_are_valid),
		cmocka_unit_test(test_payment_ref_differs_between_ids),
		cmocka_unit_test(test_payment_ref_keeps_all_digits_of_long_ids),
		cmocka_unit_test(test_payment_ref_rejects_ids_below_one),
		cmocka_unit_test(test_payment_ref_rejects_short_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
