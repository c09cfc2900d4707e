#include "util/sha256.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>

/*
 * libsodium's portable SHA-256, not OpenSSL's: OpenSSL's first digest
 * initialises its default provider, ~2 MB more resident memory for
 * every portal process (bench/README.md), for ~0.3 µs a hash saved on
 * inputs this short (a session token, an audit entry, a statement line).
 */
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
	pthread_once(&init_once, init);
	crypto_hash_sha256(out, data, (unsigned long long)len);
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
