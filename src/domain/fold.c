#include "domain/fold.h"

#include <string.h>

/* Serbian Latin for the Cyrillic letters U+0430..U+044F (а..я); upper
 * case U+0410..U+042F maps to the same.  "" drops a letter (ъ, ь). */
static const char *const cyr_basic[32] = {
	"a", "b", "v", "g", "d", "e", "z", "z", "i", "j", "k", "l", "m", "n", "o",  "p",
	"r", "s", "t", "u", "f", "h", "c", "c", "s", "s", "",  "y", "",  "e", "ju", "ja",
};

/* U+0400..U+040F and U+0450..U+045F: the Serbian (and a few other)
 * letters outside the basic range, by the low four bits. */
static const char *const cyr_extra[16] = {
	"e", "e", "d", "g", "e", "z", "i", "i", "j", "lj", "nj", "c", "k", "i", "u", "dz",
};

/* The folded text of code point cp, or NULL when it is not folded. */
static const char *fold_cp(unsigned cp)
{
	switch (cp) {
	case 0x010C:
	case 0x010D:
	case 0x0106:
	case 0x0107:
		return "c";
	case 0x0160:
	case 0x0161:
		return "s";
	case 0x017D:
	case 0x017E:
		return "z";
	case 0x0110:
	case 0x0111:
		return "d";
	default:
		break;
	}
	if (cp >= 0x0410 && cp <= 0x042F)
		return cyr_basic[cp - 0x0410];
	if (cp >= 0x0430 && cp <= 0x044F)
		return cyr_basic[cp - 0x0430];
	if (cp >= 0x0400 && cp <= 0x040F)
		return cyr_extra[cp - 0x0400];
	if (cp >= 0x0450 && cp <= 0x045F)
		return cyr_extra[cp - 0x0450];
	return NULL;
}

/* Appends s (n bytes) at out[*o] if it fits with the NUL; 0 or -1. */
static int put(char *out, size_t size, size_t *o, const char *s, size_t n)
{
	if (*o + n + 1 > size)
		return -1;
	/* "dj" becomes "d": drop a 'j' right after a 'd'. */
	if (n > 0 && s[0] == 'j' && *o > 0 && out[*o - 1] == 'd') {
		s++;
		n--;
	}
	memcpy(out + *o, s, n);
	*o += n;
	return 0;
}

size_t text_fold(const char *in, size_t len, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0;
	const char *f;
	char c;

	if (size == 0)
		return 0;
	while (i < len) {
		if (s[i] < 0x80) {
			c = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + ('a' - 'A') : s[i]);
			if (put(out, size, &o, &c, 1) != 0)
				break;
			i++;
			continue;
		}
		/* Every folded letter is a two-byte sequence 110xxxxx 10xxxxxx. */
		if (i + 1 < len && (s[i] & 0xe0) == 0xc0 && (s[i + 1] & 0xc0) == 0x80 &&
		    (f = fold_cp(((unsigned)(s[i] & 0x1f) << 6) | (s[i + 1] & 0x3f))) != NULL) {
			if (put(out, size, &o, f, strlen(f)) != 0)
				break;
			i += 2;
			continue;
		}
		/* Anything else: the whole sequence as it is, or nothing. */
		{
			size_t n = 1;

			while (i + n < len && n < 4 && (s[i + n] & 0xc0) == 0x80)
				n++;
			if (put(out, size, &o, (const char *)s + i, n) != 0)
				break;
			i += n;
		}
	}
	out[o] = '\0';
	return o;
}
