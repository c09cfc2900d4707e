/*
 * Password policy: length, username, common passwords.  The list is in
 * common_passwords.c; a password of one character repeated (any
 * length) counts as common too, so the list need not spell those out.
 */
#include "domain/password.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/escape.h"

#define PASSWORD_MIN_CHARS 12
#define PASSWORD_MAX_BYTES 256

/* Bytes in the UTF-8 sequence led by c; 1 for anything malformed. */
static size_t password_seqlen(unsigned char c)
{
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	if (c >= 0xe0)
		return c <= 0xef ? 3 : 1;
	if (c >= 0xc2)
		return 2;
	return 1;
}

/* 1 when s (len bytes) is its first code point repeated. */
static int password_repeated(const char *s, size_t len)
{
	size_t step, i;

	if (len == 0)
		return 0;
	step = password_seqlen((unsigned char)s[0]);
	if (step > len || len % step != 0)
		return 0;
	for (i = step; i < len; i += step)
		if (memcmp(s, s + i, step) != 0)
			return 0;
	return 1;
}

static int password_cmp(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* ASCII-lowercased copy of pw in out (PASSWORD_MAX_BYTES + 1); its length,
 * or -1 when pw does not fit. */
static long password_lower(const char *pw, char *out)
{
	size_t i;

	for (i = 0; pw[i] != '\0'; i++) {
		if (i >= PASSWORD_MAX_BYTES)
			return -1;
		out[i] = (pw[i] >= 'A' && pw[i] <= 'Z') ? (char)(pw[i] - 'A' + 'a') : pw[i];
	}
	out[i] = '\0';
	return (long)i;
}

int password_is_common(const char *pw)
{
	char low[PASSWORD_MAX_BYTES + 1];

	if (pw == NULL || password_lower(pw, low) == -1)
		return 0;
	return bsearch(low, password_common, password_common_len, sizeof(password_common[0]),
		       password_cmp) != NULL;
}

/*
 * ASVS 6.2.1 (at least 12 characters), 6.2.9 (at least 64 allowed: we
 * take up to 256 bytes), 6.2.4 (checked against common passwords).  The first
 * rule broken is returned, in the order of enum password_error.
 * username may be NULL.
 */
enum password_error password_check(const char *pw, const char *username)
{
	char low[PASSWORD_MAX_BYTES + 1];
	long len;

	if (pw == NULL)
		return PASSWORD_TOO_SHORT;
	if (strnlen(pw, PASSWORD_MAX_BYTES + 1) > PASSWORD_MAX_BYTES)
		return PASSWORD_TOO_LONG;
	if (utf8_chars(pw) < PASSWORD_MIN_CHARS)
		return PASSWORD_TOO_SHORT;
	if (username != NULL && strcasecmp(pw, username) == 0)
		return PASSWORD_IS_USERNAME;
	len = password_lower(pw, low);
	if (password_repeated(low, (size_t)len) || password_is_common(pw))
		return PASSWORD_COMMON;
	return PASSWORD_OK;
}
