/*
 * Payment values and matching: amounts, dates, references, and the
 * classification of a payment against its order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/order.h"
#include "domain/payment.h"

static long long amount(const char *s)
{
	long long v = -999;

	assert_int_equal(payment_amount_parse(s, &v, NULL), 0);
	return v;
}

static void amount_rejected(const char *s, const char *why_part)
{
	const char *why = NULL;
	long long v = 0;

	assert_int_equal(payment_amount_parse(s, &v, &why), -1);
	assert_non_null(why);
	if (why_part != NULL && strstr(why, why_part) == NULL)
		fail_msg("\"%s\": \"%s\" does not mention \"%s\"", s, why, why_part);
}

static void test_amount_parses_serbian_and_english_forms(void **state)
{
	assert_int_equal(amount("5.880,00"), 588000);
	assert_int_equal(amount("5880.00"), 588000);
	assert_int_equal(amount("5880,00"), 588000);
	assert_int_equal(amount("5,880.00"), 588000);
	assert_int_equal(amount("5 880,00"), 588000);
	assert_int_equal(amount("5\xc2\xa0"
				"880,00"),
			 588000);
	assert_int_equal(amount("5880"), 588000);
	assert_int_equal(amount("1.234.567,89"), 123456789);
	assert_int_equal(amount("1,234,567.89"), 123456789);
	assert_int_equal(amount("1.234.567"), 123456700);
	assert_int_equal(amount("0,50"), 50);
	assert_int_equal(amount("7380,5"), 738050);
	assert_int_equal(amount("  12,30 "), 1230);
	assert_int_equal(amount("+12,30"), 1230);
	assert_int_equal(amount("0"), 0);
	assert_int_equal(amount("999999999999999,99"), 99999999999999999LL);
}

static void test_amount_negative_is_a_debit(void **state)
{
	assert_int_equal(amount("-5.880,00"), -588000);
	assert_int_equal(amount("-0,01"), -1);
}

static void test_amount_rejects_more_than_two_decimals(void **state)
{
	amount_rejected("5880,001", "two decimals");
	amount_rejected("5.880,123", "two decimals");
	amount_rejected("1,234.5678", "two decimals");
	amount_rejected("12345.678", "two decimals");
}

static void test_amount_rejects_ambiguous_and_malformed(void **state)
{
	amount_rejected("5.880", "ambiguous");
	amount_rejected("5,880", "ambiguous");
	amount_rejected("", "no amount");
	amount_rejected("-", "no amount");
	amount_rejected("abc", "not a number");
	amount_rejected("12 RSD", "not a number");
	amount_rejected("1e3", "not a number");
	amount_rejected("5880.", "no digits after");
	amount_rejected(",50", "no digits before");
	amount_rejected("1.2.3", "threes");
	amount_rejected("12.34.567", "threes");
	amount_rejected("1234.567.890", "threes");
	amount_rejected("5.880.00", "threes");
	amount_rejected("1.234,56.7", "out of place");
	amount_rejected("1.234 567,00", "mixed");
	amount_rejected("--5", "not a number");
	amount_rejected("1000000000000000", "too large");
	amount_rejected("0x10", "not a number");
	amount_rejected(NULL, NULL);
}

static void test_amount_format_round_trips(void **state)
{
	char out[32];
	long long v;

	assert_int_equal(payment_amount_format(588000, out, sizeof(out)), 0);
	assert_string_equal(out, "5.880,00");
	assert_int_equal(payment_amount_format(5, out, sizeof(out)), 0);
	assert_string_equal(out, "0,05");
	assert_int_equal(payment_amount_format(-123456789, out, sizeof(out)), 0);
	assert_string_equal(out, "-1.234.567,89");
	assert_int_equal(payment_amount_parse(out, &v, NULL), 0);
	assert_int_equal(v, -123456789);
	assert_int_equal(payment_amount_format(588000, out, 8), -1);
	assert_string_equal(out, "");
}

static void test_date_accepts_iso_and_serbian_forms(void **state)
{
	char d[11];

	assert_int_equal(payment_date_parse("2024-11-25", d), 0);
	assert_string_equal(d, "2024-11-25");
	assert_int_equal(payment_date_parse("25.11.2024", d), 0);
	assert_string_equal(d, "2024-11-25");
	assert_int_equal(payment_date_parse("25.11.2024.", d), 0);
	assert_string_equal(d, "2024-11-25");
	assert_int_equal(payment_date_parse("5.1.2024", d), 0);
	assert_string_equal(d, "2024-01-05");
	assert_int_equal(payment_date_parse(" 29.02.2024 ", d), 0);
	assert_string_equal(d, "2024-02-29");
}

static void test_date_rejects_impossible_and_malformed(void **state)
{
	static const char *const bad[] = {
		"2023-02-29",   "31.04.2024",       "2024-13-01", "2024-00-10",
		"00.01.2024",   "2024-1-05",        "25/11/2024", "25.11.24",
		"25.11.2024..", "2024-11-25T10:00", "",           "x",
		"1899-12-31",   "32.01.2024",       "2024-11-2a", "123.1.2024",
	};
	char d[11];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(d, 'x', sizeof(d));
		if (payment_date_parse(bad[i], d) != -1)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_string_equal(d, "");
	}
	assert_int_equal(payment_date_parse(NULL, d), -1);
}

static void test_reference_normalised(void **state)
{
	char out[PAYMENT_REF_SIZE];

	assert_int_equal(payment_ref_normalize("9714123412", out, sizeof(out)), 1);
	assert_string_equal(out, "9714123412");
	assert_int_equal(payment_ref_normalize(" 97 14-123412 ", out, sizeof(out)), 1);
	assert_string_equal(out, "9714123412");
	assert_int_equal(payment_ref_normalize("97-20-000-00123", out, sizeof(out)), 1);
	assert_string_equal(out, "972000000123");
	/* without the model: control digits first */
	assert_int_equal(payment_ref_normalize("14123412", out, sizeof(out)), 1);
	assert_string_equal(out, "9714123412");
	assert_int_equal(payment_ref_normalize("74-00004567", out, sizeof(out)), 1);
	assert_string_equal(out, "977400004567");
}

static void test_reference_unrecognised_kept_as_given(void **state)
{
	char out[PAYMENT_REF_SIZE];

	assert_int_equal(payment_ref_normalize("9715123412", out, sizeof(out)), 0);
	assert_string_equal(out, "9715123412");
	assert_int_equal(payment_ref_normalize("  racun   br. 12 ", out, sizeof(out)), 0);
	assert_string_equal(out, "racun br. 12");
	assert_int_equal(payment_ref_normalize("", out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(payment_ref_normalize("Đurašković Đurašković Đurašković Đ", out, 12), 0);
	assert_string_equal(out, "Đuraškovi"); /* cut before the 2-byte ć */
	assert_int_equal(payment_ref_normalize("x", NULL, 0), -1);
}

static void test_reference_found_in_free_text(void **state)
{
	char out[PAYMENT_REF_SIZE];

	assert_int_equal(payment_ref_find("Uplata po pozivu 97 14-123412, hvala", out, sizeof(out)),
			 1);
	assert_string_equal(out, "9714123412");
	assert_int_equal(payment_ref_find("racun 2024 97 74 00004567", out, sizeof(out)), 1);
	assert_string_equal(out, "977400004567");
	assert_int_equal(payment_ref_find("profaktura 97 74 00004567 2024", out, sizeof(out)), 1);
	assert_string_equal(out, "977400004567");
	assert_int_equal(payment_ref_find("poziv 14123412", out, sizeof(out)), 0);
	assert_int_equal(payment_ref_find("9715123412", out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

static void test_reference_to_order_id(void **state)
{
	char ref[PAYMENT_REF_SIZE];
	long long id = 0;

	assert_int_equal(order_payment_ref(123, ref, sizeof(ref)), 0);
	assert_int_equal(payment_ref_order_id(ref, &id), 0);
	assert_int_equal(id, 123);
	assert_int_equal(order_payment_ref(123456789, ref, sizeof(ref)), 0);
	assert_int_equal(payment_ref_order_id(ref, &id), 0);
	assert_int_equal(id, 123456789);
	/* valid model 97, but not an order's canonical reference */
	assert_int_equal(payment_ref_order_id("9714123412", &id), -1);
	assert_int_equal(payment_ref_order_id("972000000123x", &id), -1);
	assert_int_equal(payment_ref_order_id("972100000123", &id), -1);
}

static void match(int known, long long total, long long before, long long amount_para,
		  enum match_result want, long long due, long long excess)
{
	struct payment_match m;

	assert_int_equal(payment_match(known, total, before, amount_para, &m), 0);
	assert_int_equal(m.result, want);
	assert_int_equal(m.due_para, due);
	assert_int_equal(m.excess_para, excess);
}

static void test_match_exact(void **state)
{
	match(1, 588000, 0, 588000, MATCH_EXACT, 0, 0);
}

static void test_match_partial(void **state)
{
	match(1, 588000, 0, 300000, MATCH_PARTIAL, 288000, 0);
}

static void test_match_partial_then_exact(void **state)
{
	match(1, 588000, 300000, 288000, MATCH_EXACT, 0, 0);
}

static void test_match_overpaid(void **state)
{
	match(1, 588000, 0, 600000, MATCH_OVERPAID, 0, 12000);
	match(1, 588000, 300000, 300000, MATCH_OVERPAID, 0, 12000);
}

static void test_match_already_paid_is_overpaid(void **state)
{
	match(1, 588000, 588000, 100, MATCH_OVERPAID, 0, 100);
}

static void test_match_unknown_reference(void **state)
{
	struct payment_match m;

	assert_int_equal(payment_match(0, 0, 0, 588000, &m), 0);
	assert_int_equal(m.result, MATCH_UNKNOWN_REFERENCE);
	assert_int_equal(m.paid_para, 588000);
}

static void test_match_rejects_invalid_amounts(void **state)
{
	struct payment_match m;

	assert_int_equal(payment_match(1, 588000, 0, 0, &m), -1);
	assert_int_equal(payment_match(1, 588000, 0, -5, &m), -1);
	assert_int_equal(payment_match(1, -1, 0, 5, &m), -1);
	assert_int_equal(payment_match(1, 588000, -1, 5, &m), -1);
	assert_int_equal(payment_match(1, 588000, 0, INT64_MAX, &m), -1);
	assert_int_equal(payment_match(1, 588000, 0, 5, NULL), -1);
}

static void test_match_names_cover_every_result(void **state)
{
	int r;

	for (r = 0; r < MATCH__MAX; r++)
		assert_non_null(match_result_name((enum match_result)r));
	assert_string_equal(match_result_name(MATCH_UNKNOWN_REFERENCE), "unknown_reference");
	assert_null(match_result_name(MATCH__MAX));
}

static void test_text_clean_makes_valid_utf8(void **state)
{
	const char *s = "  a\t\r\n b\xc2\xa0 c  ";
	char out[32];

	payment_text_clean(out, sizeof(out), s, strlen(s));
	assert_string_equal(out, "a b c");
	payment_text_clean(out, sizeof(out),
			   "x\xff"
			   "y",
			   3);
	assert_string_equal(out, "x\xef\xbf\xbdy");
	payment_text_clean(out, sizeof(out), "a\0b", 3);
	assert_string_equal(out, "a b");
	payment_text_clean(out, 4, "žžž", strlen("žžž"));
	assert_string_equal(out, "ž");
}

/* The reference as people read it: the model apart, "CC N", and read
 * back by payment_ref_normalize with or without the model. */
static void test_ref_display_groups_without_the_model(void **state)
{
	char out[PAYMENT_REF_SIZE], back[PAYMENT_REF_SIZE];

	assert_int_equal(payment_ref_display("979500000001", out, sizeof(out)), 1);
	assert_string_equal(out, "95 00000001");
	assert_int_equal(payment_ref_normalize(out, back, sizeof(back)), 1);
	assert_string_equal(back, "979500000001");
	assert_int_equal(payment_ref_normalize("97 95 00000001", back, sizeof(back)), 1);
	assert_string_equal(back, "979500000001");
	assert_int_equal(payment_ref_display("9714123412", out, sizeof(out)), 1);
	assert_string_equal(out, "14 123412");
	/* Not a model 97 reference (wrong control digits, another model,
	 * free text): shown as it is. */
	assert_int_equal(payment_ref_display("979600000001", out, sizeof(out)), 0);
	assert_string_equal(out, "979600000001");
	assert_int_equal(payment_ref_display("  uplata  12 ", out, sizeof(out)), 0);
	assert_string_equal(out, "uplata 12");
	/* Too short a buffer for the grouped form: cut, never overrun. */
	assert_int_equal(payment_ref_display("979500000001", out, 6), 0);
	assert_string_equal(out, "97950");
	assert_int_equal(payment_ref_display(NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(payment_ref_display("979500000001", NULL, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_amount_parses_serbian_and_english_forms),
		cmocka_unit_test(test_amount_negative_is_a_debit),
		cmocka_unit_test(test_amount_rejects_more_than_two_decimals),
		cmocka_unit_test(test_amount_rejects_ambiguous_and_malformed),
		cmocka_unit_test(test_amount_format_round_trips),
		cmocka_unit_test(test_date_accepts_iso_and_serbian_forms),
		cmocka_unit_test(test_date_rejects_impossible_and_malformed),
		cmocka_unit_test(test_reference_normalised),
		cmocka_unit_test(test_reference_unrecognised_kept_as_given),
		cmocka_unit_test(test_reference_found_in_free_text),
		cmocka_unit_test(test_reference_to_order_id),
		cmocka_unit_test(test_match_exact),
		cmocka_unit_test(test_match_partial),
		cmocka_unit_test(test_match_partial_then_exact),
		cmocka_unit_test(test_match_overpaid),
		cmocka_unit_test(test_match_already_paid_is_overpaid),
		cmocka_unit_test(test_match_unknown_reference),
		cmocka_unit_test(test_match_rejects_invalid_amounts),
		cmocka_unit_test(test_match_names_cover_every_result),
		cmocka_unit_test(test_text_clean_makes_valid_utf8),
		cmocka_unit_test(test_ref_display_groups_without_the_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
