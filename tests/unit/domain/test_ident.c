/*
 * Serbian identifiers and form values.  Valid examples were computed
 * with the rules in DOMAIN.md and checked by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/ident.h"

/* JMBG */

static void test_jmbg_accepts_valid(void **state)
{
	assert_int_equal(jmbg_check("0101990710008"), JMBG_OK); /* 1 Jan 1990 */
	assert_int_equal(jmbg_check("1505985785439"), JMBG_OK); /* 15 May 1985 */
}

static void test_jmbg_accepts_year_2000s(void **state)
{
	/* YYY below 800 is 2YYY: 000 is 2000, a leap year */
	assert_int_equal(jmbg_check("2902000710009"), JMBG_OK);
}

static void test_jmbg_accepts_remainder_zero_as_check_zero(void **state)
{
	assert_int_equal(jmbg_check("0101990710040"), JMBG_OK);
}

static void test_jmbg_accepts_remainder_ten_as_check_one(void **state)
{
	assert_int_equal(jmbg_check("0101990710091"), JMBG_OK);
}

static void test_jmbg_rejects_bad_check_digit(void **state)
{
	assert_int_equal(jmbg_check("0101990710009"), JMBG_CHECK);
	assert_int_equal(jmbg_check("1505985785430"), JMBG_CHECK);
}

static void test_jmbg_rejects_remainder_one(void **state)
{
	char s[] = "010199071013X";
	char k;

	/* S mod 11 = 1: no check digit makes this number valid */
	for (k = '0'; k <= '9'; k++) {
		s[12] = k;
		assert_int_equal(jmbg_check(s), JMBG_CHECK);
	}
}

static void test_jmbg_rejects_nonexistent_date(void **state)
{
	assert_int_equal(jmbg_check("3002990710000"), JMBG_DATE); /* 30 Feb */
	assert_int_equal(jmbg_check("3104990710008"), JMBG_DATE); /* 31 Apr */
	assert_int_equal(jmbg_check("0001990710003"), JMBG_DATE); /* day 0 */
	assert_int_equal(jmbg_check("0113990710006"), JMBG_DATE); /* month 13 */
}

static void test_jmbg_rejects_29_feb_of_common_year(void **state)
{
	assert_int_equal(jmbg_check("2902990710008"), JMBG_DATE); /* 1990 */
	assert_int_equal(jmbg_check("2902900710004"), JMBG_DATE); /* 1900 */
}

static void test_jmbg_rejects_wrong_length(void **state)
{
	assert_int_equal(jmbg_check(""), JMBG_LENGTH);
	assert_int_equal(jmbg_check("010199071000"), JMBG_LENGTH);
	assert_int_equal(jmbg_check("01019907100080"), JMBG_LENGTH);
	assert_int_equal(jmbg_check(NULL), JMBG_LENGTH);
}

static void test_jmbg_rejects_non_digits(void **state)
{
	assert_int_equal(jmbg_check("abcdefghijklm"), JMBG_DIGITS);
	assert_int_equal(jmbg_check("010199071000a"), JMBG_DIGITS);
	assert_int_equal(jmbg_check(" 101990710008"), JMBG_DIGITS);
}

/* PIB */

static void test_pib_accepts_valid(void **state)
{
	assert_true(pib_valid("101134702"));
	assert_true(pib_valid("100002127"));
	assert_true(pib_valid("123456788"));
}

static void test_pib_accepts_check_digit_zero(void **state)
{
	assert_true(pib_valid("102201740"));
}

static void test_pib_rejects_bad_check_digit(void **state)
{
	assert_false(pib_valid("101134703"));
	assert_false(pib_valid("123456789"));
}

static void test_pib_rejects_wrong_length(void **state)
{
	assert_false(pib_valid("10113470"));
	assert_false(pib_valid("1011347020"));
	assert_false(pib_valid(""));
	assert_false(pib_valid(NULL));
}

static void test_pib_rejects_non_digits(void **state)
{
	assert_false(pib_valid("10113470a"));
	assert_false(pib_valid("1011-3470"));
}

/* Matični broj */

static void test_mb_accepts_valid(void **state)
{
	assert_int_equal(mb_check("07001231"), MB_OK);
	assert_int_equal(mb_check("17001234"), MB_OK);
	assert_int_equal(mb_check("07173008"), MB_OK);
}

static void test_mb_accepts_remainder_zero_or_one_as_check_zero(void **state)
{
	assert_int_equal(mb_check("08000000"), MB_OK); /* r = 1 */
	assert_int_equal(mb_check("00000000"), MB_OK); /* r = 0 */
}

static void test_mb_accepts_valid_starting_with_6(void **state)
{
	assert_int_equal(mb_check("60123451"), MB_OK);
}

static void test_mb_rejects_bad_check_digit(void **state)
{
	assert_int_equal(mb_check("07001232"), MB_INVALID);
	assert_int_equal(mb_check("17001230"), MB_INVALID);
}

static void test_mb_warns_on_bad_check_digit_starting_with_6(void **state)
{
	assert_int_equal(mb_check("60123459"), MB_WARN);
}

static void test_mb_rejects_wrong_length_or_non_digits(void **state)
{
	assert_int_equal(mb_check("0700123"), MB_INVALID);
	assert_int_equal(mb_check("070012310"), MB_INVALID);
	assert_int_equal(mb_check("6012345x"), MB_INVALID);
	assert_int_equal(mb_check(NULL), MB_INVALID);
}

/* Model 97 */

static void test_ref97_control_matches_domain_example(void **state)
{
	char cc[3];

	assert_int_equal(ref97_control("123412", cc), 0);
	assert_string_equal(cc, "14");
}

static void test_ref97_control_pads_with_leading_zero(void **state)
{
	char cc[3];

	assert_int_equal(ref97_control("30", cc), 0);
	assert_string_equal(cc, "08");
	assert_int_equal(ref97_control("0", cc), 0);
	assert_string_equal(cc, "98");
}

static void test_ref97_control_handles_35_digits(void **state)
{
	char cc[3];

	assert_int_equal(ref97_control("99999999999999999999999999999999999", cc), 0);
	assert_string_equal(cc, "43");
	assert_int_equal(ref97_control("12345678901234567890123456789012345", cc), 0);
	assert_string_equal(cc, "45");
}

static void test_ref97_control_gives_bank_account_control_digits(void **state)
{
	char cc[3];

	/* bank 265, account 0000001234567: account 265-0000001234567-57 */
	assert_int_equal(ref97_control("2650000001234567", cc), 0);
	assert_string_equal(cc, "57");
}

static void test_ref97_control_rejects_bad_input(void **state)
{
	char cc[3];

	assert_int_equal(ref97_control("", cc), -1);
	assert_int_equal(ref97_control("12a4", cc), -1);
	assert_int_equal(ref97_control("12-34", cc), -1);
	assert_int_equal(ref97_control("123456789012345678901234567890123456", cc), -1);
	assert_int_equal(ref97_control(NULL, cc), -1);
}

static void test_ref97_format_writes_model_control_and_number(void **state)
{
	char out[64];

	assert_int_equal(ref97_format("123412", out, sizeof(out)), 0);
	assert_string_equal(out, "9714123412");
}

static void test_ref97_format_rejects_short_buffer(void **state)
{
	char out[10];

	assert_int_equal(ref97_format("123412", out, sizeof(out)), -1);
}

static void test_ref97_format_fits_exact_buffer(void **state)
{
	char out[11];

	assert_int_equal(ref97_format("123412", out, sizeof(out)), 0);
	assert_string_equal(out, "9714123412");
}

static void test_ref97_format_rejects_bad_number(void **state)
{
	char out[64];

	assert_int_equal(ref97_format("12x", out, sizeof(out)), -1);
	assert_int_equal(ref97_format("", out, sizeof(out)), -1);
}

static void test_ref97_valid_accepts_correct_reference(void **state)
{
	assert_true(ref97_valid("9714123412"));
	assert_true(ref97_valid("970830"));
}

static void test_ref97_valid_rejects_wrong_control(void **state)
{
	assert_false(ref97_valid("9715123412"));
	assert_false(ref97_valid("9741123412"));
}

static void test_ref97_valid_rejects_other_model_or_shape(void **state)
{
	assert_false(ref97_valid("9814123412"));
	assert_false(ref97_valid("9714"));
	assert_false(ref97_valid("97"));
	assert_false(ref97_valid("97141234-12"));
	assert_false(ref97_valid("97 14123412"));
	assert_false(ref97_valid(""));
	assert_false(ref97_valid(NULL));
}

/* Email */

static void test_email_accepts_valid(void **state)
{
	assert_true(email_valid("pera@example.rs"));
	assert_true(email_valid("pera.peric+qcra@mail.example.co.rs"));
	assert_true(email_valid("o'brien@x-y.example.com"));
	assert_true(email_valid("A1@B2.RS"));
}

static void test_email_rejects_missing_or_extra_at(void **state)
{
	assert_false(email_valid("pera.example.rs"));
	assert_false(email_valid("pera@@example.rs"));
	assert_false(email_valid("pera@mika@example.rs"));
}

static void test_email_rejects_empty_parts(void **state)
{
	assert_false(email_valid("@example.rs"));
	assert_false(email_valid("pera@"));
	assert_false(email_valid(""));
	assert_false(email_valid(NULL));
}

static void test_email_rejects_domain_without_dot(void **state)
{
	assert_false(email_valid("pera@localhost"));
}

static void test_email_rejects_bad_domain_labels(void **state)
{
	assert_false(email_valid("pera@example..rs"));
	assert_false(email_valid("pera@.example.rs"));
	assert_false(email_valid("pera@example.rs."));
	assert_false(email_valid("pera@-example.rs"));
	assert_false(email_valid("pera@example-.rs"));
	assert_false(email_valid("pera@exa_mple.rs"));
	assert_false(email_valid("pera@primer.срб"));
}

static void test_email_rejects_spaces_and_control_characters(void **state)
{
	assert_false(email_valid("pera peric@example.rs"));
	assert_false(email_valid("pera@example.rs "));
	assert_false(email_valid("pera\r\nBcc: x@example.rs"));
	assert_false(email_valid("pera\t@example.rs"));
}

static void test_email_rejects_header_special_characters(void **state)
{
	/* one field must never name two recipients or break a header */
	assert_false(email_valid("a,b@example.rs"));
	assert_false(email_valid("a;b@example.rs"));
	assert_false(email_valid("<a@example.rs"));
	assert_false(email_valid("\"a\"@example.rs"));
}

static void test_email_rejects_bad_dots_in_local_part(void **state)
{
	assert_false(email_valid(".pera@example.rs"));
	assert_false(email_valid("pera.@example.rs"));
	assert_false(email_valid("pe..ra@example.rs"));
}

static void test_email_limits_lengths(void **state)
{
	char s[300];

	/* local part: 64 allowed, 65 not */
	memset(s, 'a', 64);
	strcpy(s + 64, "@example.rs");
	assert_true(email_valid(s));
	memset(s, 'a', 65);
	strcpy(s + 65, "@example.rs");
	assert_false(email_valid(s));

	/* domain label: 63 allowed, 64 not */
	strcpy(s, "a@");
	memset(s + 2, 'b', 63);
	strcpy(s + 65, ".rs");
	assert_true(email_valid(s));
	memset(s + 2, 'b', 64);
	strcpy(s + 66, ".rs");
	assert_false(email_valid(s));

	/* total: 254 allowed, 255 not (labels of 50 and a 3-letter TLD) */
	memset(s, 'a', 64);
	s[64] = '@';
	memset(s + 65, 'b', 186);
	s[65 + 50] = s[65 + 101] = s[65 + 152] = '.';
	strcpy(s + 251, ".rs");
	assert_int_equal(strlen(s), 254);
	assert_true(email_valid(s));
	strcpy(s + 251, ".srb");
	assert_int_equal(strlen(s), 255);
	assert_false(email_valid(s));
}

/* Username */

static void test_username_accepts_valid(void **state)
{
	assert_true(username_valid("pera"));
	assert_true(username_valid("pera.peric_2-x"));
	assert_true(username_valid("abc"));
	assert_true(username_valid("Pera"));
}

static void test_username_rejects_wrong_length(void **state)
{
	assert_false(username_valid("ab"));
	assert_false(username_valid(""));
	assert_true(username_valid("a1234567890123456789012345678901"));
	assert_false(username_valid("a12345678901234567890123456789012"));
	assert_false(username_valid(NULL));
}

static void test_username_rejects_not_starting_with_letter(void **state)
{
	assert_false(username_valid("1pera"));
	assert_false(username_valid(".pera"));
	assert_false(username_valid("_pera"));
}

static void test_username_rejects_other_characters(void **state)
{
	assert_false(username_valid("pera peric"));
	assert_false(username_valid("pera@x"));
	assert_false(username_valid("žarko"));
}

/* Phone */

static void test_phone_normalizes_national_form(void **state)
{
	char out[32];

	assert_true(phone_rs_normalize("0641234567", out, sizeof(out)));
	assert_string_equal(out, "+381641234567");
}

static void test_phone_normalizes_international_forms(void **state)
{
	char out[32];

	assert_true(phone_rs_normalize("+381641234567", out, sizeof(out)));
	assert_string_equal(out, "+381641234567");
	assert_true(phone_rs_normalize("381641234567", out, sizeof(out)));
	assert_string_equal(out, "+381641234567");
}

static void test_phone_ignores_separators(void **state)
{
	char out[32];

	assert_true(phone_rs_normalize("064/123-45-67", out, sizeof(out)));
	assert_string_equal(out, "+381641234567");
	assert_true(phone_rs_normalize("+381 64 123 4567", out, sizeof(out)));
	assert_string_equal(out, "+381641234567");
}

static void test_phone_accepts_8_to_10_digits_after_zero(void **state)
{
	char out[32];

	assert_true(phone_rs_normalize("060123456", out, sizeof(out)));
	assert_string_equal(out, "+38160123456");
	assert_true(phone_rs_normalize("06012345678", out, sizeof(out)));
	assert_string_equal(out, "+3816012345678");
	assert_false(phone_rs_normalize("06012345", out, sizeof(out)));
	assert_false(phone_rs_normalize("060123456789", out, sizeof(out)));
}

static void test_phone_rejects_non_mobile_numbers(void **state)
{
	char out[32];

	assert_false(phone_rs_normalize("0111234567", out, sizeof(out)));
	assert_false(phone_rs_normalize("+381111234567", out, sizeof(out)));
	assert_false(phone_rs_normalize("+385641234567", out, sizeof(out)));
	assert_false(phone_rs_normalize("+0641234567", out, sizeof(out)));
	assert_false(phone_rs_normalize("641234567", out, sizeof(out)));
}

static void test_phone_rejects_other_characters(void **state)
{
	char out[32];

	assert_false(phone_rs_normalize("064 123 45 6a", out, sizeof(out)));
	assert_false(phone_rs_normalize("(064) 1234567", out, sizeof(out)));
	assert_false(phone_rs_normalize("064+1234567", out, sizeof(out)));
	assert_false(phone_rs_normalize("", out, sizeof(out)));
	assert_false(phone_rs_normalize(NULL, out, sizeof(out)));
	assert_string_equal(out, "");
}

static void test_phone_rejects_short_output_buffer(void **state)
{
	char out[14];

	assert_false(phone_rs_normalize("0641234567", out, 13));
	assert_true(phone_rs_normalize("0641234567", out, 14));
	assert_string_equal(out, "+381641234567");
}

/* Postal code */

static void test_postal_code_accepts_five_digits(void **state)
{
	assert_true(postal_code_valid("11000"));
	assert_true(postal_code_valid("21000"));
}

static void test_postal_code_rejects_other_shapes(void **state)
{
	assert_false(postal_code_valid("1100"));
	assert_false(postal_code_valid("110000"));
	assert_false(postal_code_valid("11 00"));
	assert_false(postal_code_valid("1100a"));
	assert_false(postal_code_valid(""));
	assert_false(postal_code_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jmbg_accepts_valid),
		cmocka_unit_test(test_jmbg_accepts_year_2000s),
		cmocka_unit_test(test_jmbg_accepts_remainder_zero_as_check_zero),
		cmocka_unit_test(test_jmbg_accepts_remainder_ten_as_check_one),
		cmocka_unit_test(test_jmbg_rejects_bad_check_digit),
		cmocka_unit_test(test_jmbg_rejects_remainder_one),
		cmocka_unit_test(test_jmbg_rejects_nonexistent_date),
		cmocka_unit_test(test_jmbg_rejects_29_feb_of_common_year),
		cmocka_unit_test(test_jmbg_rejects_wrong_length),
		cmocka_unit_test(test_jmbg_rejects_non_digits),
		cmocka_unit_test(test_pib_accepts_valid),
		cmocka_unit_test(test_pib_accepts_check_digit_zero),
		cmocka_unit_test(test_pib_rejects_bad_check_digit),
		cmocka_unit_test(test_pib_rejects_wrong_length),
		cmocka_unit_test(test_pib_rejects_non_digits),
		cmocka_unit_test(test_mb_accepts_valid),
		cmocka_unit_test(test_mb_accepts_remainder_zero_or_one_as_check_zero),
		cmocka_unit_test(test_mb_accepts_valid_starting_with_6),
		cmocka_unit_test(test_mb_rejects_bad_check_digit),
		cmocka_unit_test(test_mb_warns_on_bad_check_digit_starting_with_6),
		cmocka_unit_test(test_mb_rejects_wrong_length_or_non_digits),
		cmocka_unit_test(test_ref97_control_matches_domain_example),
		cmocka_unit_test(test_ref97_control_pads_with_leading_zero),
		cmocka_unit_test(test_ref97_control_handles_35_digits),
		cmocka_unit_test(test_ref97_control_gives_bank_account_control_digits),
		cmocka_unit_test(test_ref97_control_rejects_bad_input),
		cmocka_unit_test(test_ref97_format_writes_model_control_and_number),
		cmocka_unit_test(test_ref97_format_rejects_short_buffer),
		cmocka_unit_test(test_ref97_format_fits_exact_buffer),
		cmocka_unit_test(test_ref97_format_rejects_bad_number),
		cmocka_unit_test(test_ref97_valid_accepts_correct_reference),
		cmocka_unit_test(test_ref97_valid_rejects_wrong_control),
		cmocka_unit_test(test_ref97_valid_rejects_other_model_or_shape),
		cmocka_unit_test(test_email_accepts_valid),
		cmocka_unit_test(test_email_rejects_missing_or_extra_at),
		cmocka_unit_test(test_email_rejects_empty_parts),
		cmocka_unit_test(test_email_rejects_domain_without_dot),
		cmocka_unit_test(test_email_rejects_bad_domain_labels),
		cmocka_unit_test(test_email_rejects_spaces_and_control_characters),
		cmocka_unit_test(test_email_rejects_header_special_characters),
		cmocka_unit_test(test_email_rejects_bad_dots_in_local_part),
		cmocka_unit_test(test_email_limits_lengths),
		cmocka_unit_test(test_username_accepts_valid),
		cmocka_unit_test(test_username_rejects_wrong_length),
		cmocka_unit_test(test_username_rejects_not_starting_with_letter),
		cmocka_unit_test(test_username_rejects_other_characters),
		cmocka_unit_test(test_phone_normalizes_national_form),
		cmocka_unit_test(test_phone_normalizes_international_forms),
		cmocka_unit_test(test_phone_ignores_separators),
		cmocka_unit_test(test_phone_accepts_8_to_10_digits_after_zero),
		cmocka_unit_test(test_phone_rejects_non_mobile_numbers),
		cmocka_unit_test(test_phone_rejects_other_characters),
		cmocka_unit_test(test_phone_rejects_short_output_buffer),
		cmocka_unit_test(test_postal_code_accepts_five_digits),
		cmocka_unit_test(test_postal_code_rejects_other_shapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
