/*
 * SHA-256 through OpenSSL's low-level functions (SHA256_Init, _Update,
 * _Final): its assembly, which uses the CPU's SHA extensions where
 * there are any (~0.2 us for an audit entry's 300 bytes against libsodium's
 * portable ~1.25 us on the bench machine), without its providers: the
 * EVP interface's first digest loads the default provider, ~2 MB more
 * resident memory for every portal process (bench/README.md), and a
 * portal seals an audit entry at its first login.  Deprecated since
 * OpenSSL 3.0, not removed; where a build lacks them
 * (OPENSSL_NO_DEPRECATED_3_0), libsodium's portable code does the same.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "util/sha256.h"

#include <openssl/opensslconf.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#ifndef OPENSSL_NO_DEPRECATED_3_0
#include <openssl/sha.h>
typedef SHA256_CTX hash_state;
#define hash_init(s) SHA256_Init(s)
#define hash_update(s, d, n) SHA256_Update((s), (d), (n))
#define hash_final(s, out) SHA256_Final((out), (s))
#else
typedef crypto_hash_sha256_state hash_state;
#define hash_init(s) crypto_hash_sha256_init(s)
#define hash_update(s, d, n) crypto_hash_sha256_update((s), (const unsigned char *)(d), (n))
#define hash_final(s, out) crypto_hash_sha256_final((s), (out))
#endif

#define BLOCK 64

_Static_assert(sizeof(hash_state) <= sizeof(((struct sha256_hmac *)0)->state[0]),
	       "struct sha256_hmac holds a hash state");

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init(void)
{
	/* libsodium's rule: initialised before use (idempotent; main.c does
	 * it too, the parsers' tests and fuzzers do not). */
	if (sodium_init() < 0)
		abort();
}

void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN])
{
	hash_state s;

	pthread_once(&init_once, init);
	hash_init(&s);
	hash_update(&s, data, len);
	hash_final(&s, out);
}

static void hex_lower(const unsigned char *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1])
{
	unsigned char d[SHA256_LEN];

	sha256(data, len, d);
	hex_lower(d, sizeof(d), out);
}

void sha256_hmac_init(struct sha256_hmac *k, const unsigned char *key, size_t len)
{
	unsigned char pad[BLOCK], hashed[SHA256_LEN];
	hash_state s;
	size_t i;
	int side;

	if (len > BLOCK) {
		sha256(key, len, hashed);
		key = hashed;
		len = sizeof(hashed);
	}
	for (side = 0; side < 2; side++) {
		memset(pad, side == 0 ? 0x36 : 0x5c, sizeof(pad));
		for (i = 0; i < len; i++)
			pad[i] ^= key[i];
		hash_init(&s);
		hash_update(&s, pad, sizeof(pad));
		memcpy(k->state[side], &s, sizeof(s));
	}
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(hashed, sizeof(hashed));
	sodium_memzero(&s, sizeof(s));
}

void sha256_hmac(const struct sha256_hmac *k, const void *data, size_t len,
		 unsigned char out[SHA256_LEN])
{
	unsigned char inner[SHA256_LEN];
	hash_state s;

	memcpy(&s, k->state[0], sizeof(s));
	hash_update(&s, data, len);
	hash_final(&s, inner);
	memcpy(&s, k->state[1], sizeof(s));
	hash_update(&s, inner, sizeof(inner));
	hash_final(&s, out);
	sodium_memzero(&s, sizeof(s));
}

void sha256_hmac_wipe(struct sha256_hmac *k)
{
	sodium_memzero(k, sizeof(*k));
}
