#ifndef QCRA_UTIL_SHA256_H
#define QCRA_UTIL_SHA256_H

#include <stddef.h>

/* SHA-256 of short inputs (session tokens, audit entries, statement
 * lines), in one call, and as lowercase hex; HMAC-SHA-256 under a key
 * taken in once (the audit chain's entries). */

#define SHA256_LEN 32

/* out = SHA-256(data). */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

/* out = lowercase hex of SHA-256(data), NUL-terminated. */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

/*
 * An HMAC-SHA-256 key taken in: the hash states after its inner and
 * outer padded blocks (RFC 2104), so that each MAC under it hashes only
 * the message and the inner digest.  Opaque; holds key material
 * (sha256_hmac_wipe when done).
 */
struct sha256_hmac {
	_Alignas(16) unsigned char state[2][128];
};

/* k = the key of len bytes (longer than 64: its SHA-256, as RFC 2104). */
void sha256_hmac_init(struct sha256_hmac *k, const unsigned char *key, size_t len);
/* out = HMAC-SHA-256(k, data); k is not changed. */
void sha256_hmac(const struct sha256_hmac *k, const void *data, size_t len,
		 unsigned char out[SHA256_LEN]);
/* Zeroes k. */
void sha256_hmac_wipe(struct sha256_hmac *k);

#endif
