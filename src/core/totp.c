#include "core/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/escape.h"

static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

void totp_secret_new(char out[TOTP_SECRET_B32])
{
	unsigned char key[20];
	unsigned bits = 0, acc = 0;
	size_t i, o = 0;

	randombytes_buf(key, sizeof(key));
	for (i = 0; i < sizeof(key); i++) {
		acc = (acc << 8) | key[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[o] = '\0';
	sodium_memzero(key, sizeof(key));
}

/* Decodes base32 (case-insensitive, '=' padding and spaces ignored). */
static int b32_decode(const char *s, unsigned char *out, size_t max, size_t *len)
{
	unsigned bits = 0, acc = 0;
	const char *p;

	*len = 0;
	for (; *s; s++) {
		char c = *s >= 'a' && *s <= 'z' ? (char)(*s - 32) : *s;

		if (c == '=' || c == ' ')
			continue;
		if ((p = strchr(b32, c)) == NULL || c == '\0')
			return -1;
		acc = (acc << 5) | (unsigned)(p - b32);
		bits += 5;
		if (bits >= 8) {
			if (*len == max)
				return -1;
			out[(*len)++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	return *len > 0 ? 0 : -1;
}

/* RFC 4226 section 5.3: dynamic truncation of HMAC-SHA-1(key, step). */
int totp_code_digits(const unsigned char *key, size_t keylen, uint64_t step, int digits, char *out,
		     size_t outlen)
{
	unsigned char msg[8], mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, off;
	uint32_t bin, mod = 1;
	int i;

	for (i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	if (HMAC(EVP_sha1(), key, (int)keylen, msg, sizeof(msg), mac, &maclen) == NULL ||
	    maclen < 20)
		return -1;
	off = mac[maclen - 1] & 0x0f;
	bin = ((uint32_t)(mac[off] & 0x7f) << 24) | ((uint32_t)mac[off + 1] << 16) |
	      ((uint32_t)mac[off + 2] << 8) | mac[off + 3];
	for (i = 0; i < digits; i++)
		mod *= 10;
	if ((size_t)snprintf(out, outlen, "%0*u", digits, bin % mod) >= outlen)
		return -1;
	return 0;
}

int totp_code(const char *secret_b32, uint64_t step, char out[7])
{
	unsigned char key[64];
	size_t len;
	int rc;

	if (b32_decode(secret_b32, key, sizeof(key), &len) != 0)
		return -1;
	rc = totp_code_digits(key, len, step, 6, out, 7);
	sodium_memzero(key, sizeof(key));
	return rc;
}

int totp_verify(const char *secret_b32, const char *code, time_t now, uint64_t *step)
{
	uint64_t t = (uint64_t)now / 30, s;
	char want[7];
	int ok = 0;

	if (code == NULL || strlen(code) != 6 || strspn(code, "0123456789") != 6)
		return 0;
	for (s = t - 1; s <= t + 1; s++)
		if (totp_code(secret_b32, s, want) == 0 && sodium_memcmp(want, code, 6) == 0) {
			*step = s;
			ok = 1;
			break;
		}
	return ok;
}

int totp_uri(const char *issuer, const char *account, const char *secret_b32, char *out,
	     size_t outlen)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	buf_puts(&b, "otpauth://totp/");
	url_encode(&b, issuer);
	buf_puts(&b, ":");
	url_encode(&b, account);
	buf_printf(&b, "?secret=%s&issuer=", secret_b32);
	url_encode(&b, issuer);
	buf_puts(&b, "&algorithm=SHA1&digits=6&period=30");
	if (b.len >= outlen)
		rc = -1;
	else
		memcpy(out, b.data, b.len + 1);
	buf_free(&b);
	return rc;
}
