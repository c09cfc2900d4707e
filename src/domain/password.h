/*
 * Password policy (ASVS 6.2.1, 6.2.4, 6.2.9): at least 12 characters
 * (counted as UTF-8 code points), at most 256 bytes, not equal to the
 * username (case-insensitive), not in the list of common passwords
 * (case-insensitive).  Every other character is allowed, spaces too.
 */
#ifndef QCRA_PASSWORD_H
#define QCRA_PASSWORD_H

#include <stddef.h>

enum password_error {
	PASSWORD_OK = 0,
	PASSWORD_TOO_SHORT,
	PASSWORD_TOO_LONG,
	PASSWORD_IS_USERNAME,
	PASSWORD_COMMON,
};

enum password_error password_check(const char *pw, const char *username);
/* 1 when pw is on the common list (ASCII case-insensitive). */
int password_is_common(const char *pw);

/* The list itself (common_passwords.c): lowercase, sorted by strcmp().
 * Exposed for the test that keeps it sorted; use password_is_common(). */
extern const char *const password_common[];
extern const size_t password_common_len;

#endif
