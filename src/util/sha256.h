#ifndef QCRA_UTIL_SHA256_H
#define QCRA_UTIL_SHA256_H

#include <stddef.h>

/*
 * SHA-256 through OpenSSL, which uses the CPU's SHA extensions where
 * there are any (about four times libsodium's portable code on short
 * inputs: session tokens, audit entries, statement lines).  The digest
 * implementation is fetched once per process.
 */

#define SHA256_LEN 32

/* out = SHA-256(data); aborts if OpenSSL cannot hash (no SHA-256 in
 * the default provider: a broken installation, not an input error). */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

/* out = lowercase hex of SHA-256(data), NUL-terminated. */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

/* Lowercase hex of n bytes into out[2n + 1]. */
void hex_lower(const unsigned char *in, size_t n, char *out);

#endif
