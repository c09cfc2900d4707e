/*
 * Password policy: length, username, common passwords.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "domain/password.h"

static void test_password_accepts_long_uncommon(void **state)
{
	assert_int_equal(password_check("konj baterija spajalica", "pera"), PASSWORD_OK);
	assert_int_equal(password_check("Tr0mb0n-Ispod-Lipe", "pera"), PASSWORD_OK);
}

static void test_password_accepts_exactly_12_characters(void **state)
{
	assert_int_equal(password_check("xk4-qm9!zt2w", NULL), PASSWORD_OK);
}

static void test_password_rejects_11_characters(void **state)
{
	assert_int_equal(password_check("xk4-qm9!zt2", NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(password_check("", NULL), PASSWORD_TOO_SHORT);
	assert_int_equal(password_check(NULL, NULL), PASSWORD_TOO_SHORT);
}

static void test_password_counts_code_points_not_bytes(void **state)
{
	/* 11 characters in 21 bytes: too short */
	assert_int_equal(password_check("žđšćčžđšćča", NULL), PASSWORD_TOO_SHORT);
	/* 12 letters */
	assert_int_equal(password_check("žđšćčžđšćčab", NULL), PASSWORD_OK);
}

static void test_password_allows_spaces(void **state)
{
	assert_int_equal(password_check("    a    b    ", NULL), PASSWORD_OK);
}

static void test_password_accepts_256_bytes(void **state)
{
	char pw[257];
	size_t i;

	for (i = 0; i < 256; i++)
		pw[i] = (char)('a' + i % 26);
	pw[256] = '\0';
	assert_int_equal(password_check(pw, NULL), PASSWORD_OK);
}

static void test_password_rejects_257_bytes(void **state)
{
	char pw[258];
	size_t i;

	for (i = 0; i < 257; i++)
		pw[i] = (char)('a' + i % 26);
	pw[257] = '\0';
	assert_int_equal(password_check(pw, NULL), PASSWORD_TOO_LONG);
}

static void test_password_rejects_username(void **state)
{
	assert_int_equal(password_check("pera.peric.1990", "pera.peric.1990"),
			 PASSWORD_IS_USERNAME);
}

static void test_password_rejects_username_in_other_case(void **state)
{
	assert_int_equal(password_check("Pera.Peric.1990", "pera.peric.1990"),
			 PASSWORD_IS_USERNAME);
}

static void test_password_rejects_common(void **state)
{
	assert_int_equal(password_check("password1234", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("123456789012", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("qwertyuiop12", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("iloveyou1234", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("administrator", NULL), PASSWORD_COMMON);
}

static void test_password_rejects_common_serbian(void **state)
{
	assert_int_equal(password_check("lozinka12345", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("sifra1234567", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("beograd12345", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("qwertz123456", NULL), PASSWORD_COMMON);
}

static void test_password_rejects_common_in_any_case(void **state)
{
	assert_int_equal(password_check("PassWord1234", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("ADMINISTRATOR", NULL), PASSWORD_COMMON);
}

static void test_password_rejects_single_repeated_character(void **state)
{
	assert_int_equal(password_check("aaaaaaaaaaaa", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("0000000000000000000", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("aAaAaAaAaAaA", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("ššššššššššššš", NULL), PASSWORD_COMMON);
	assert_int_equal(password_check("            ", NULL), PASSWORD_COMMON);
}

static void test_password_accepts_two_repeated_characters(void **state)
{
	/* not a single repeated character and not on the list */
	assert_int_equal(password_check("aaaaaaaaaaab", NULL), PASSWORD_OK);
}

static void test_password_is_common_matches_whole_password_only(void **state)
{
	assert_true(password_is_common("password1234"));
	assert_false(password_is_common("password1234x"));
	assert_false(password_is_common("xpassword1234"));
	assert_false(password_is_common(""));
	assert_false(password_is_common(NULL));
}

static void test_common_list_is_sorted_lowercase_and_long(void **state)
{
	size_t i;
	const char *p;

	assert_true(password_common_len >= 300);
	for (i = 0; i < password_common_len; i++) {
		assert_true(strlen(password_common[i]) >= 12);
		for (p = password_common[i]; *p != '\0'; p++)
			assert_false(*p >= 'A' && *p <= 'Z');
		if (i > 0)
			assert_true(strcmp(password_common[i - 1], password_common[i]) < 0);
	}
}

static void test_common_list_entries_are_all_found(void **state)
{
	size_t i;

	for (i = 0; i < password_common_len; i++)
		assert_true(password_is_common(password_common[i]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_accepts_long_uncommon),
		cmocka_unit_test(test_password_accepts_exactly_12_characters),
		cmocka_unit_test(test_password_rejects_11_characters),
		cmocka_unit_test(test_password_counts_code_points_not_bytes),
		cmocka_unit_test(test_password_allows_spaces),
		cmocka_unit_test(test_password_accepts_256_bytes),
		cmocka_unit_test(test_password_rejects_257_bytes),
		cmocka_unit_test(test_password_rejects_username),
		cmocka_unit_test(test_password_rejects_username_in_other_case),
		cmocka_unit_test(test_password_rejects_common),
		cmocka_unit_test(test_password_rejects_common_serbian),
		cmocka_unit_test(test_password_rejects_common_in_any_case),
		cmocka_unit_test(test_password_rejects_single_repeated_character),
		cmocka_unit_test(test_password_accepts_two_repeated_characters),
		cmocka_unit_test(test_password_is_common_matches_whole_password_only),
		cmocka_unit_test(test_common_list_is_sorted_lowercase_and_long),
		cmocka_unit_test(test_common_list_entries_are_all_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
