/*
 * Output encoders: HTML text/attribute escaping, URL query encoding and
 * UTF-8 validation.  All three sit on every request's hot path, so they
 * work on runs of bytes rather than one byte at a time.
 */
#include "util/escape.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Bytes html_escape() must not copy verbatim: & < > " ' and NUL. */
static const unsigned char html_special[256] = {
	['\0'] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

/* The end of the run of ordinary bytes p[i..n): 16 bytes a step with
 * SSE2 (every x86-64), where '&' and '\'' differ only in bit 0 and '<'
 * and '>' only in bit 1, so four compares find all six bytes. */
static size_t plain_run(const unsigned char *p, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i nul = _mm_setzero_si128(), quot = _mm_set1_epi8('"');
	const __m128i one = _mm_set1_epi8(1), apos = _mm_set1_epi8('\'');
	const __m128i two = _mm_set1_epi8(2), gt = _mm_set1_epi8('>');
	__m128i v, m;
	int mask;

	for (; i + 16 <= n; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		m = _mm_or_si128(_mm_cmpeq_epi8(v, nul), _mm_cmpeq_epi8(v, quot));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_or_si128(v, one), apos));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_or_si128(v, two), gt));
		mask = _mm_movemask_epi8(m);
		if (mask != 0)
			return i + (size_t)__builtin_ctz((unsigned)mask);
	}
#endif
	while (i < n && !html_special[p[i]])
		i++;
	return i;
}

/*
 * Copies the longest run of ordinary bytes in one call, then the entity
 * for the byte that stopped it.  &#39; rather than &apos; because the
 * latter is not HTML 4.
 */
void html_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run;

	/* buf_reserve() leaves the new space unterminated; keep the buf a
	 * valid string even when nothing gets appended (all NULs). */
	buf_reserve(out, n);
	out->data[out->len] = '\0';
	while (i < n) {
		run = plain_run(p, i, n);
		if (run > i)
			buf_append(out, p + i, run - i);
		if (run == n)
			break;
		switch (p[run]) {
		case '&':
			buf_append(out, "&amp;", 5);
			break;
		case '<':
			buf_append(out, "&lt;", 4);
			break;
		case '>':
			buf_append(out, "&gt;", 4);
			break;
		case '"':
			buf_append(out, "&quot;", 6);
			break;
		case '\'':
			buf_append(out, "&#39;", 5);
			break;
		default: /* NUL: dropped */
			break;
		}
		i = run + 1;
	}
}

/* RFC 3986 section 2.3: ALPHA / DIGIT / "-" / "." / "_" / "~" */
static int url_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

void url_encode(struct buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run;
	char pct[3];

	while (*p != '\0') {
		run = p;
		while (*p != '\0' && url_unreserved(*p))
			p++;
		if (p > run)
			buf_append(out, run, (size_t)(p - run));
		if (*p == '\0')
			break;
		pct[0] = '%';
		pct[1] = hex[*p >> 4];
		pct[2] = hex[*p & 0x0f];
		buf_append(out, pct, 3);
		p++;
	}
}

/*
 * Well-formed UTF-8 per Unicode 15, table 3-7: the second byte's range
 * depends on the first so that overlongs (C0, C1, E0 80..9F, F0 80..8F),
 * surrogates (ED A0..BF) and code points above U+10FFFF (F4 90.., F5..)
 * are all rejected.  ASCII is skipped eight bytes at a time.
 */
int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + n;
	unsigned char c, lo, hi;
	size_t need;
	uint64_t w;

	while (p < end) {
		if ((size_t)(end - p) >= 8) {
			memcpy(&w, p, 8);
			if ((w & UINT64_C(0x8080808080808080)) == 0) {
				p += 8;
				continue;
			}
		}
		c = *p++;
		if (c < 0x80)
			continue;
		lo = 0x80;
		hi = 0xbf;
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else {
			return 0;
		}
		if ((size_t)(end - p) < need)
			return 0;
		if (*p < lo || *p > hi)
			return 0;
		p++;
		while (--need > 0) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			p++;
		}
	}
	return 1;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

size_t utf8_prefix(const char *s, size_t max)
{
	size_t n = strnlen(s, max), k;

	if (n < max || s[n] == '\0')
		return n;
	/* s[n] starts the character cut off, or continues it (three bytes
	 * at most: further back is not UTF-8, left as it is) */
	for (k = 0; k < 3 && n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80; k++)
		n--;
	return ((unsigned char)s[n] & 0xc0) == 0x80 ? max : n;
}

size_t utf8_copy(char *out, size_t size, const char *s)
{
	size_t n;

	if (size == 0)
		return 0;
	n = utf8_prefix(s, size - 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return n;
}

int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void ascii_lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}
