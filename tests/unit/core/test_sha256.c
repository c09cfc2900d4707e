/* util/sha256.h: the same digests and MACs as libsodium's (the audit
 * chain's values must not change with the implementation), and the
 * published test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "util/sha256.h"

static void test_digest_is_libsodiums_at_every_length_around_blocks(void **state)
{
	unsigned char data[300], got[SHA256_LEN], want[SHA256_LEN];
	size_t n;

	(void)state;
	for (n = 0; n < sizeof(data); n++)
		data[n] = (unsigned char)(n * 7 + 1);
	for (n = 0; n <= sizeof(data); n++) {
		sha256(data, n, got);
		crypto_hash_sha256(want, data, n);
		assert_memory_equal(got, want, SHA256_LEN);
	}
}

static void test_hex_of_abc_is_fips_180_vector(void **state)
{
	char hex[2 * SHA256_LEN + 1];

	(void)state;
	sha256_hex("abc", 3, hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* RFC 4231, test case 2: a key shorter than the block. */
static void test_hmac_rfc4231_case_2(void **state)
{
	static const char msg[] = "what do ya want for nothing?";
	struct sha256_hmac k;
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];

	(void)state;
	sha256_hmac_init(&k, (const unsigned char *)"Jefe", 4);
	sha256_hmac(&k, msg, sizeof(msg) - 1, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	assert_string_equal(hex,
			    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

/* Keys up to and past the block (hashed first), messages of every
 * length around it, and the key reused: libsodium's HMAC each time. */
static void test_hmac_is_libsodiums_for_any_key_and_message(void **state)
{
	static const size_t key_lens[] = {0, 1, 32, 63, 64, 65, 100};
	unsigned char key[100], msg[200], got[SHA256_LEN], want[SHA256_LEN];
	crypto_auth_hmacsha256_state st;
	struct sha256_hmac k;
	size_t i, n;

	(void)state;
	for (n = 0; n < sizeof(key); n++)
		key[n] = (unsigned char)(0xa0 + n);
	for (n = 0; n < sizeof(msg); n++)
		msg[n] = (unsigned char)(n * 13 + 5);
	for (i = 0; i < sizeof(key_lens) / sizeof(key_lens[0]); i++) {
		sha256_hmac_init(&k, key, key_lens[i]);
		for (n = 0; n <= sizeof(msg); n += 7) {
			sha256_hmac(&k, msg, n, got);
			crypto_auth_hmacsha256_init(&st, key, key_lens[i]);
			crypto_auth_hmacsha256_update(&st, msg, n);
			crypto_auth_hmacsha256_final(&st, want);
			assert_memory_equal(got, want, SHA256_LEN);
		}
		sha256_hmac_wipe(&k);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_digest_is_libsodiums_at_every_length_around_blocks),
		cmocka_unit_test(test_hex_of_abc_is_fips_180_vector),
		cmocka_unit_test(test_hmac_rfc4231_case_2),
		cmocka_unit_test(test_hmac_is_libsodiums_for_any_key_and_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
