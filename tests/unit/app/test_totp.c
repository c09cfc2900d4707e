/* TOTP per RFC 6238 (test vectors of Appendix B, SHA-1) and RFC 4226. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/totp.h"

static const unsigned char rfc_key[] = "12345678901234567890";

static void test_rfc6238_sha1_vectors(void **state)
{
	static const struct {
		long long t;
		const char *code;
	} v[] = {
		{59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
		{1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000LL, "65353130"},
	};
	char out[9];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(
			totp_code_digits(rfc_key, 20, (uint64_t)v[i].t / 30, 8, out, sizeof(out)),
			0);
		assert_string_equal(out, v[i].code);
	}
}

static void test_rfc4226_hotp_vectors(void **state)
{
	static const char *const want[] = {"755224", "287082", "359152", "969429", "338314",
					   "254676", "287922", "162583", "399871", "520489"};
	char out[7];
	uint64_t c;

	for (c = 0; c < 10; c++) {
		assert_int_equal(totp_code_digits(rfc_key, 20, c, 6, out, sizeof(out)), 0);
		assert_string_equal(out, want[c]);
	}
}

static void test_base32_secret_matches_raw_key(void **state)
{
	/* base32("12345678901234567890") */
	const char *b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
	char a[7], b[7];

	assert_int_equal(totp_code(b32, 1, a), 0);
	assert_int_equal(totp_code_digits(rfc_key, 20, 1, 6, b, sizeof(b)), 0);
	assert_string_equal(a, b);
	assert_int_equal(totp_code("not base32!", 1, a), -1);
}

static void test_verify_accepts_adjacent_steps_only(void **state)
{
	const char *b32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
	time_t now = 1111111111;
	uint64_t step = 0;
	char code[7];

	assert_int_equal(totp_code(b32, (uint64_t)now / 30, code), 0);
	assert_int_equal(totp_verify(b32, code, now, &step), 1);
	assert_int_equal(step, (uint64_t)now / 30);
	assert_int_equal(totp_code(b32, (uint64_t)now / 30 - 1, code), 0);
	assert_int_equal(totp_verify(b32, code, now, &step), 1);
	assert_int_equal(totp_code(b32, (uint64_t)now / 30 - 2, code), 0);
	assert_int_equal(totp_verify(b32, code, now, &step), 0);
	assert_int_equal(totp_verify(b32, "12345", now, &step), 0);
	assert_int_equal(totp_verify(b32, "abcdef", now, &step), 0);
	assert_int_equal(totp_verify(b32, NULL, now, &step), 0);
}

static void test_new_secrets_are_random_base32(void **state)
{
	char a[TOTP_SECRET_B32], b[TOTP_SECRET_B32];

	totp_secret_new(a);
	totp_secret_new(b);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
	assert_string_not_equal(a, b);
}

static void test_uri_is_otpauth_with_parameters(void **state)
{
	char uri[256];

	assert_int_equal(totp_uri("IKS RA", "bg1", "ABC", uri, sizeof(uri)), 0);
	assert_string_equal(uri, "otpauth://totp/IKS%20RA:bg1?secret=ABC&issuer=IKS%20RA"
				 "&algorithm=SHA1&digits=6&period=30");
	assert_int_equal(totp_uri("IKS RA", "bg1", "ABC", uri, 10), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6238_sha1_vectors),
		cmocka_unit_test(test_rfc4226_hotp_vectors),
		cmocka_unit_test(test_base32_secret_matches_raw_key),
		cmocka_unit_test(test_verify_accepts_adjacent_steps_only),
		cmocka_unit_test(test_new_secrets_are_random_base32),
		cmocka_unit_test(test_uri_is_otpauth_with_parameters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
