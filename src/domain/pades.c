/*
 * A signed PDF's signature (pades.h).  Only what ISO 32000-1 12.8.1 and
 * ETSI EN 319 142-1 (PAdES) need here: the signature dictionary's
 * /ByteRange [0 b c d] and /Contents <hex>, found in the one revision the
 * signer appended (7.5.6, incremental updates) after the portal's bytes.
 * No PDF object model: the portal knows its own bytes, so anything that
 * is not exactly "ours + one signed revision" is refused.
 */
#include "domain/pades.h"

#include <stdlib.h>
#include <string.h>

#include "util/escape.h"

static const char *const err_keys[PADES_ERR__MAX] = {
	[PADES_OK] = "sign.ok",
	[PADES_TOO_BIG] = "sign.err_too_big",
	[PADES_NOT_OURS] = "sign.err_not_ours",
	[PADES_NO_SIGNATURE] = "sign.err_no_signature",
	[PADES_BAD_RANGE] = "sign.err_range",
	[PADES_EXTRA_REVISION] = "sign.err_extra_revision",
	[PADES_BAD_CONTENTS] = "sign.err_contents",
};

const char *pades_err_key(enum pades_err e)
{
	return (unsigned)e < PADES_ERR__MAX ? err_keys[e] : "sign.err_contents";
}

void pades_sig_free(struct pades_sig *sig)
{
	if (sig == NULL)
		return;
	free(sig->der);
	memset(sig, 0, sizeof(*sig));
}

/* Where needle last occurs in [p, p + n), or NULL. */
static const unsigned char *find_last(const unsigned char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (n < k)
		return NULL;
	for (i = n - k + 1; i-- > 0;)
		if (memcmp(p + i, needle, k) == 0)
			return p + i;
	return NULL;
}

static size_t count(const unsigned char *p, size_t n, const char *needle)
{
	size_t k = strlen(needle), i, c = 0;

	for (i = 0; n >= k && i <= n - k; i++)
		if (memcmp(p + i, needle, k) == 0)
			c++;
	return c;
}

/* PDF white-space characters (7.2.2). */
static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == '\0';
}

/* Reads a non-negative integer at *i (after white space); -1 if none or
 * past limit. */
static int read_size(const unsigned char *p, size_t n, size_t *i, size_t limit, size_t *out)
{
	size_t v = 0, start;

	while (*i < n && is_ws(p[*i]))
		(*i)++;
	start = *i;
	while (*i < n && p[*i] >= '0' && p[*i] <= '9' && *i - start < 12) {
		v = v * 10 + (size_t)(p[*i] - '0');
		(*i)++;
	}
	if (*i == start || v > limit || (*i < n && p[*i] >= '0' && p[*i] <= '9'))
		return -1;
	*out = v;
	return 0;
}

/* /ByteRange [a b c d] at p (just past the key). */
static int read_range(const unsigned char *p, size_t n, size_t limit, size_t r[4])
{
	size_t i = 0, k;

	while (i < n && is_ws(p[i]))
		i++;
	if (i >= n || p[i++] != '[')
		return -1;
	for (k = 0; k < 4; k++)
		if (read_size(p, n, &i, limit, &r[k]) != 0)
			return -1;
	while (i < n && is_ws(p[i]))
		i++;
	return i < n && p[i] == ']' ? 0 : -1;
}

/* The length of the DER value at der (tag, length, content: X.690 8.1),
 * or 0 when its header is not DER or runs past n. */
static size_t der_length(const unsigned char *der, size_t n)
{
	size_t len = 0, hdr = 2, k, i;

	if (n < 2 || der[0] != 0x30)
		return 0;
	if (der[1] < 0x80)
		len = der[1];
	else {
		k = der[1] & 0x7f;
		if (k == 0 || k > 4 || n < 2 + k)
			return 0;
		for (i = 0; i < k; i++)
			len = len << 8 | der[2 + i];
		hdr += k;
	}
	return len <= n - hdr ? hdr + len : 0;
}

/* The hex string between '<' at b and '>' at c - 1, decoded; what
 * follows the DER value must be the zeros a signer pads with. */
static enum pades_err read_contents(const unsigned char *p, size_t b, size_t c,
				    struct pades_sig *sig)
{
	size_t n = c - b - 2, i, len;
	int hi, lo;

	if (n == 0 || n % 2 != 0)
		return PADES_BAD_CONTENTS;
	sig->der = malloc(n / 2);
	if (sig->der == NULL)
		return PADES_BAD_CONTENTS;
	for (i = 0; i < n / 2; i++) {
		hi = hex_value(p[b + 1 + 2 * i]);
		lo = hex_value(p[b + 2 + 2 * i]);
		if (hi < 0 || lo < 0)
			return PADES_BAD_CONTENTS;
		sig->der[i] = (unsigned char)(hi << 4 | lo);
	}
	len = der_length(sig->der, n / 2);
	if (len == 0)
		return PADES_BAD_CONTENTS;
	for (i = len; i < n / 2; i++)
		if (sig->der[i] != 0)
			return PADES_BAD_CONTENTS;
	sig->der_len = len;
	return PADES_OK;
}

/* After the "%%EOF" at e only an end of line may follow (7.5.5). */
static int ends_file(const unsigned char *file, size_t len, const unsigned char *e)
{
	size_t i = (size_t)(e - file) + 5;

	while (i < len && (file[i] == '\r' || file[i] == '\n'))
		i++;
	return i == len;
}

static enum pades_err check(const unsigned char *file, size_t len, const unsigned char *orig,
			    size_t orig_len, size_t max, struct pades_sig *sig)
{
	const unsigned char *add = file + orig_len, *key, *eof;
	size_t nadd, *r = sig->range, k;

	if (len > max)
		return PADES_TOO_BIG;
	if (len < orig_len || orig_len == 0 || memcmp(file, orig, orig_len) != 0)
		return PADES_NOT_OURS;
	nadd = len - orig_len;
	key = find_last(add, nadd, "/ByteRange");
	if (key == NULL)
		return PADES_NO_SIGNATURE;
	/* One revision: one signature, one end-of-file marker, at the end. */
	eof = find_last(add, nadd, "%%EOF");
	if (count(add, nadd, "/ByteRange") != 1 || count(add, nadd, "%%EOF") != 1 ||
	    !ends_file(file, len, eof) || eof < key)
		return PADES_EXTRA_REVISION;
	if (read_range(key + 10, (size_t)(file + len - key) - 10, len, r) != 0)
		return PADES_BAD_RANGE;
	/* [0, b) and [c, len): the whole file but /Contents' "<...>", which
	 * lies in the signer's revision and is the value of /Contents. */
	if (r[0] != 0 || r[1] <= orig_len || r[2] <= r[1] + 2 || r[2] > len || r[3] != len - r[2] ||
	    file[r[1]] != '<' || memchr(file + r[1], '>', r[2] - r[1]) != file + r[2] - 1)
		return PADES_BAD_RANGE;
	k = r[1];
	while (k > orig_len && is_ws(file[k - 1]))
		k--;
	if (k < orig_len + 9 || memcmp(file + k - 9, "/Contents", 9) != 0)
		return PADES_BAD_RANGE;
	return read_contents(file, r[1], r[2], sig);
}

enum pades_err pades_read(const unsigned char *file, size_t len, const unsigned char *orig,
			  size_t orig_len, size_t max, struct pades_sig *sig)
{
	enum pades_err e;

	memset(sig, 0, sizeof(*sig));
	e = check(file, len, orig, orig_len, max, sig);
	if (e != PADES_OK)
		pades_sig_free(sig);
	return e;
}
