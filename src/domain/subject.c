#include "domain/subject.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

/* Decodes one UTF-8 sequence (RFC 3629: shortest form, no surrogates).
 * Returns its length, 0 when invalid. */
static size_t utf8_next(const unsigned char *s, unsigned long *cp)
{
	size_t n, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && (*cp < 0x10000 || *cp > 0x10ffff)) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* Control characters and invisible formatting characters a name must
 * not hide: C0, DEL, C1, zero-width and bidi controls, BOM. */
static int invisible(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || cp == 0xad ||
	       (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff || (cp >= 0xfff9 && cp <= 0xfffb);
}

/* Spaces written as one ordinary space. */
static int space(unsigned long cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xa0 || cp == 0x2007 || cp == 0x202f;
}

/* Latin letters: ASCII, Latin-1 Supplement, Latin Extended-A/B and
 * Latin Extended Additional (Č, Ć, Đ, Š, Ž and foreign names), minus
 * × and ÷. */
static int latin_letter(unsigned long cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	       (cp >= 0xc0 && cp <= 0x24f && cp != 0xd7 && cp != 0xf7) ||
	       (cp >= 0x1e00 && cp <= 0x1eff);
}

static int apostrophe(unsigned long cp)
{
	return cp == '\'' || cp == 0x2018 || cp == 0x2019;
}

static int name_char(unsigned long cp)
{
	return latin_letter(cp) || cp == ' ' || cp == '-' || cp == '.' || apostrophe(cp);
}

/* What an organisation's name may hold: letters, digits, ASCII
 * punctuation, Latin-1 signs, typographic quotes and dashes, €, №, ™. */
static int org_char(unsigned long cp)
{
	return (cp >= 0x20 && cp < 0x7f) || (cp >= 0xa1 && cp <= 0x24f) ||
	       (cp >= 0x1e00 && cp <= 0x1eff) || (cp >= 0x2010 && cp <= 0x2027) ||
	       (cp >= 0x2030 && cp <= 0x205e) || cp == 0x20ac || cp == 0x2116 || cp == 0x2122;
}

/* Serbian Cyrillic (U+0400-U+045F) in Serbian Latin; NULL for letters
 * outside the Serbian alphabet.  Capitals at even positions of the
 * pairs below; the table is indexed by the capital's code - 0x400. */
static const char *const cyr_upper[0x30] = {
	[0x02] = "Đ", [0x08] = "J", [0x09] = "Lj", [0x0a] = "Nj", [0x0b] = "Ć", [0x0f] = "Dž",
	[0x10] = "A", [0x11] = "B", [0x12] = "V",  [0x13] = "G",  [0x14] = "D", [0x15] = "E",
	[0x16] = "Ž", [0x17] = "Z", [0x18] = "I",  [0x1a] = "K",  [0x1b] = "L", [0x1c] = "M",
	[0x1d] = "N", [0x1e] = "O", [0x1f] = "P",  [0x20] = "R",  [0x21] = "S", [0x22] = "T",
	[0x23] = "U", [0x24] = "F", [0x25] = "H",  [0x26] = "C",  [0x27] = "Č", [0x28] = "Š",
};
static const char *const cyr_lower[0x30] = {
	[0x02] = "đ", [0x08] = "j", [0x09] = "lj", [0x0a] = "nj", [0x0b] = "ć", [0x0f] = "dž",
	[0x10] = "a", [0x11] = "b", [0x12] = "v",  [0x13] = "g",  [0x14] = "d", [0x15] = "e",
	[0x16] = "ž", [0x17] = "z", [0x18] = "i",  [0x1a] = "k",  [0x1b] = "l", [0x1c] = "m",
	[0x1d] = "n", [0x1e] = "o", [0x1f] = "p",  [0x20] = "r",  [0x21] = "s", [0x22] = "t",
	[0x23] = "u", [0x24] = "f", [0x25] = "h",  [0x26] = "c",  [0x27] = "č", [0x28] = "š",
};

static int cyrillic(unsigned long cp)
{
	return cp >= 0x400 && cp <= 0x4ff;
}

/* A Cyrillic capital (0x400-0x42f), as far as the letter after a
 * digraph needs to know. */
static int cyr_capital(unsigned long cp)
{
	return cp >= 0x400 && cp <= 0x42f;
}

/* The Latin of Cyrillic cp, or NULL; next is the character after it
 * (0 at the end), for the capital digraphs. */
static const char *cyr_latin(unsigned long cp, unsigned long next, char digraph[4])
{
	const char *s;

	if (cp >= 0x400 && cp <= 0x42f)
		s = cyr_upper[cp - 0x400];
	else if (cp >= 0x430 && cp <= 0x44f)
		s = cyr_lower[cp - 0x430 + 0x10];
	else if (cp >= 0x450 && cp <= 0x45f)
		s = cyr_lower[cp - 0x450];
	else
		return NULL;
	/* Only Lj, Nj and Dž start with an ASCII letter and go on. */
	if (s == NULL || !cyr_capital(cp) || (unsigned char)s[0] >= 0x80 || s[1] == '\0')
		return s;
	/* Љ Њ Џ before another capital: an all-capitals word. */
	if (!(cyr_capital(next) || (next >= 'A' && next <= 'Z')))
		return s;
	if (strcmp(s, "Dž") == 0)
		return "DŽ";
	digraph[0] = s[0];
	digraph[1] = (char)(s[1] - 'a' + 'A');
	digraph[2] = '\0';
	return digraph;
}

struct out {
	char *p;
	size_t left;
	size_t chars;
};

static int put(struct out *o, const char *s, size_t n, size_t chars)
{
	if (n >= o->left)
		return -1;
	memcpy(o->p, s, n);
	o->p += n;
	o->left -= n;
	*o->p = '\0';
	o->chars += chars;
	return 0;
}

static int kind_char(enum subject_kind k, unsigned long cp)
{
	switch (k) {
	case SUBJ_NAME:
		return name_char(cp);
	case SUBJ_ORG:
	case SUBJ_COMPANY:
		return org_char(cp);
	default:
		/* Printed text: what the papers' fonts print, Greek too (an
		 * issuer abroad); CJK, right-to-left scripts and emoji would
		 * print as empty boxes or reorder the line. */
		return org_char(cp) || (cp >= 0x370 && cp <= 0x3ff);
	}
}

size_t subject_kind_max(enum subject_kind k)
{
	switch (k) {
	case SUBJ_NAME:
		return SUBJECT_NAME_MAX;
	case SUBJ_ORG:
		return SUBJECT_ORG_MAX;
	case SUBJ_COMPANY:
		return SUBJECT_COMPANY_MAX;
	default:
		return (size_t)-1;
	}
}

/* Whether s holds a combining diacritical mark (U+0300-U+036F: UTF-8
 * 0xCC 0x80 to 0xCD 0xAF), so that it may be decomposed (NFD). */
static int has_combining(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++)
		if ((p[0] == 0xCC && p[1] >= 0x80 && p[1] <= 0xBF) ||
		    (p[0] == 0xCD && p[1] >= 0x80 && p[1] <= 0xAF))
			return 1;
	return 0;
}

static enum subject_error clean(enum subject_kind k, const char *in, char *out, size_t outsize,
				size_t *nchars, unsigned *changes);

/* A letter written with a combining mark ("Z" + U+030C, as pasted from
 * some PDFs and macOS file names) is the same letter written whole: the
 * text is composed (NFC, utf8proc) before it is cleaned, so the register,
 * the certificate and the papers say it one way. */
enum subject_error subject_clean(enum subject_kind k, const char *in, char *out, size_t outsize,
				 size_t *nchars, unsigned *changes)
{
	utf8proc_uint8_t *nfc = NULL;
	enum subject_error e;

	if (has_combining(in) && (nfc = utf8proc_NFC((const utf8proc_uint8_t *)in)) == NULL) {
		if (outsize > 0)
			out[0] = '\0';
		return SUBJ_UTF8;
	}
	e = clean(k, nfc != NULL ? (const char *)nfc : in, out, outsize, nchars, changes);
	free(nfc);
	return e;
}

static enum subject_error clean(enum subject_kind k, const char *in, char *out, size_t outsize,
				size_t *nchars, unsigned *changes)
{
	const unsigned char *p = (const unsigned char *)in;
	struct out o = {out, outsize, 0};
	unsigned long cp, next;
	unsigned ch = 0;
	int pending_space = 0, first = 1;
	char digraph[4];
	const char *lat;
	size_t n, m;

	if (outsize == 0)
		return SUBJ_TOO_LONG;
	out[0] = '\0';
	while (*p != '\0') {
		if ((n = utf8_next(p, &cp)) == 0)
			return SUBJ_UTF8;
		if (space(cp)) {
			if (cp != ' ' || pending_space || first)
				ch |= SUBJ_SPACED;
			pending_space = !first;
			p += n;
			continue;
		}
		if (invisible(cp))
			return SUBJ_CONTROL;
		if (pending_space && put(&o, " ", 1, 1) != 0)
			return SUBJ_TOO_LONG;
		pending_space = 0;
		if (cyrillic(cp)) {
			next = 0;
			if (p[n] != '\0' && utf8_next(p + n, &next) == 0)
				next = 0;
			if ((lat = cyr_latin(cp, next, digraph)) == NULL)
				return SUBJ_CYRILLIC;
			m = strlen(lat);
			if (put(&o, lat, m, subject_chars(lat)) != 0)
				return SUBJ_TOO_LONG;
			ch |= SUBJ_TRANSLITERATED;
			cp = 'A'; /* a letter */
		} else {
			if (!kind_char(k, cp))
				return SUBJ_CHAR;
			if (put(&o, (const char *)p, n, 1) != 0)
				return SUBJ_TOO_LONG;
		}
		if (first && k == SUBJ_NAME && !latin_letter(cp))
			return SUBJ_START;
		first = 0;
		p += n;
	}
	if (pending_space)
		ch |= SUBJ_SPACED;
	if (changes != NULL)
		*changes = ch;
	if (nchars != NULL)
		*nchars = o.chars;
	if (o.chars == 0)
		return SUBJ_EMPTY;
	if (o.chars > subject_kind_max(k))
		return SUBJ_TOO_LONG;
	return SUBJ_OK;
}

enum subject_error subject_check(enum subject_kind k, const char *s)
{
	char buf[SUBJECT_BYTES(SUBJECT_COMPANY_MAX)];
	enum subject_error e;
	unsigned ch = 0;

	if (k == SUBJ_TEXT && strlen(s) >= sizeof(buf))
		return SUBJ_TOO_LONG;
	e = subject_clean(k, s, buf, sizeof(buf), NULL, &ch);
	if (e != SUBJ_OK)
		return e;
	if (ch & SUBJ_TRANSLITERATED)
		return SUBJ_CHAR;
	if ((ch & SUBJ_SPACED) || strcmp(buf, s) != 0)
		return SUBJ_SPACE;
	return SUBJ_OK;
}

size_t subject_chars(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

enum subject_error subject_common_name(const char *given, const char *surname, char *out,
				       size_t outsize)
{
	size_t gl = strlen(given), sl = strlen(surname);

	if (gl == 0 || sl == 0)
		return SUBJ_EMPTY;
	if (subject_chars(given) + 1 + subject_chars(surname) > SUBJECT_CN_MAX ||
	    gl + 1 + sl >= outsize)
		return SUBJ_TOO_LONG;
	memcpy(out, given, gl);
	out[gl] = ' ';
	memcpy(out + gl + 1, surname, sl + 1);
	return SUBJ_OK;
}

const char *subject_strerror(enum subject_error e)
{
	static const char *const text[SUBJ_ERROR__MAX] = {
		[SUBJ_OK] = "valid",
		[SUBJ_EMPTY] = "empty",
		[SUBJ_UTF8] = "not valid UTF-8",
		[SUBJ_CONTROL] = "holds a control or invisible character",
		[SUBJ_CHAR] = "holds a character not allowed here",
		[SUBJ_START] = "does not start with a letter",
		[SUBJ_CYRILLIC] = "holds a Cyrillic letter outside the Serbian alphabet",
		[SUBJ_TOO_LONG] = "too long",
		[SUBJ_SPACE] = "has leading, trailing or repeated spaces",
	};

	return (unsigned)e < SUBJ_ERROR__MAX ? text[e] : "invalid";
}
