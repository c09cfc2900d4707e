/*
 * Output encoders: HTML text/attribute escaping, URL query encoding and
 * UTF-8 validation.  All three sit on every request's hot path, so they
 * work on runs of bytes rather than one byte at a time.
 */
#include "util/escape.h"

#include <stdint.h>
#include <string.h>

/* Bytes html_escape() must not copy verbatim: & < > " ' and NUL. */
static const unsigned char html_special[256] = {
	['\0'] = 1, ['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1,
};

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
		run = i;
		while (run < n && !html_special[p[run]])
			run++;
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
