/*
 * Output encoders.  Every value written into HTML goes through
 * html_escape(); every value put into a URL query through url_encode().
 */
#ifndef QCRA_ESCAPE_H
#define QCRA_ESCAPE_H

#include <stddef.h>

#include "util/buf.h"

/* Appends s[0..n) with & < > " ' replaced by entities (&amp; &lt; &gt;
 * &quot; &#39;).  NUL bytes are dropped. */
void html_escape(struct buf *out, const char *s, size_t n);

/* Appends s percent-encoded for a URL query component: unreserved
 * characters (RFC 3986: ALPHA DIGIT - . _ ~) pass, everything else
 * (including space and UTF-8 bytes) becomes %XX. */
void url_encode(struct buf *out, const char *s);

/* 1 when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF), else 0. */
int utf8_valid(const char *s, size_t n);

/* The characters (code points) of well-formed UTF-8 s. */
size_t utf8_chars(const char *s);

/* The length of the longest prefix of s, at most max bytes, that ends
 * at a character boundary: strnlen(s, max) when s ends within max,
 * else max less the bytes of a character that max would split. */
size_t utf8_prefix(const char *s, size_t max);

/* Copies s into out (size bytes, NUL-terminated), cut when it does not
 * fit at a character boundary, never inside a character: so valid
 * UTF-8 stays valid.  Returns the length written. */
size_t utf8_copy(char *out, size_t size, const char *s);

/* The bytes that hold n characters of UTF-8 and the NUL: for buffers
 * whose limit is stated to people in characters. */
#define UTF8_BUF(n) ((n)*4 + 1)

/* The value of hex digit c (either case), or -1 (percent escapes,
 * fingerprints in hex). */
int hex_value(unsigned char c);

/* Lower-cases the ASCII letters of s in place (usernames, emails). */
void ascii_lower(char *s);

#endif
