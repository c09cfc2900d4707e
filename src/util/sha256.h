#ifndef QCRA_UTIL_SHA256_H
#define QCRA_UTIL_SHA256_H

#include <stddef.h>

/* SHA-256 of short inputs (session tokens, audit entries, statement
 * lines), in one call, and as lowercase hex. */

#define SHA256_LEN 32

/* out = SHA-256(data). */
void sha256(const void *data, size_t len, unsigned char out[SHA256_LEN]);

/* out = lowercase hex of SHA-256(data), NUL-terminated. */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_LEN + 1]);

#endif
