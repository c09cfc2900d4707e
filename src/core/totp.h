/*
 * TOTP second factor (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1,
 * 6 digits, 30-second steps, as common authenticator apps expect.
 * Secrets are 160 random bits, written in base32 (RFC 4648).
 */
#ifndef QCRA_TOTP_H
#define QCRA_TOTP_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define TOTP_SECRET_B32 33 /* 32 characters + NUL */

/* A new random secret in base32. */
void totp_secret_new(char out[TOTP_SECRET_B32]);
/* The 6-digit code (NUL-terminated) of step for the base32 secret.
 * Returns 0, or -1 for a malformed secret. */
int totp_code(const char *secret_b32, uint64_t step, char out[7]);
/* Digits-only code with `digits` digits (RFC test vectors use 8). */
int totp_code_digits(const unsigned char *key, size_t keylen, uint64_t step, int digits, char *out,
		     size_t outlen);
/* Checks code against the steps now-1 .. now+1 (clock drift).  Returns
 * 1 with *step set to the matching step, else 0. */
int totp_verify(const char *secret_b32, const char *code, time_t now, uint64_t *step);
/* otpauth://totp/ISSUER:ACCOUNT?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30
 * into out.  Returns 0, or -1 if out is too small. */
int totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
	     size_t outlen);

#endif
