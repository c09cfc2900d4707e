#include "domain/translit.h"

#include <string.h>

/*
 * Word beginnings where a Latin pair is two Cyrillic letters: a prefix
 * ending in d before ž (nad-, pod-, od-, pred-), or in n before j (in-,
 * kon-, van-), written lower-case with '|' where the pair splits.  Only
 * stems: "odžak" (оџак) is one letter, so "od|ž" alone would be wrong.
 */
static const char *const split_stems[] = {
	"nad|živ", "nad|žnj", "nad|žanj", "nad|žir",  "pod|ž",    "od|žal",  "od|živ",  "pred|žet",
	"in|jek",  "in|junk", "kon|jug",  "kon|junk", "kon|jekt", "van|jez", "tan|jug",
};

/* Foreign abbreviations written in Latin in Serbian Cyrillic text too
 * ("PDF-a" -> "PDF-а"); Serbian ones (JMBG, PIB, PDV, PIN) are not here. */
static const char *const latin_words[] = {
	"CA",  "CRL", "CSV", "DER", "HTML", "ID",  "ISO", "OCSP", "PDF", "PEM",
	"PKI", "PUK", "RSD", "SMS", "SVG",  "TLS", "URL", "USB",  "UTC", "XML",
};

/* Letter ids: 'a'..'z' for the ASCII ones, these for the others. */
enum { L_CC = 1, L_CS, L_DJ, L_SH, L_ZH };

struct letter {
	unsigned char id;    /* 'a'..'z' or L_* */
	unsigned char upper; /* written upper-case */
	unsigned char len;   /* bytes in the input */
};

static const char *const cyr_ascii[2][26] = {
	{"а", "б", "ц", "д",  "е", "ф", "г", "х", "и", "ј",  "к",  "л",  "м",
	 "н", "о", "п", NULL, "р", "с", "т", "у", "в", NULL, NULL, NULL, "з"},
	{"А", "Б", "Ц", "Д",  "Е", "Ф", "Г", "Х", "И", "Ј",  "К",  "Л",  "М",
	 "Н", "О", "П", NULL, "Р", "С", "Т", "У", "В", NULL, NULL, NULL, "З"},
};
/* Indexed by L_*: č ć đ š ž (lower-case Latin, then Cyrillic in each case). */
static const char *const lat_other[] = {"", "č", "ć", "đ", "š", "ž"};
static const char *const cyr_other[2][6] = {
	{"", "ч", "ћ", "ђ", "ш", "ж"},
	{"", "Ч", "Ћ", "Ђ", "Ш", "Ж"},
};

/* The Serbian Latin letter at s (n bytes left) into *l; 0 when none. */
static int letter_at(const unsigned char *s, size_t n, struct letter *l)
{
	static const struct {
		unsigned char b0, b1, id, upper;
	} two[] = {
		{0xc4, 0x8c, L_CC, 1}, {0xc4, 0x8d, L_CC, 0}, {0xc4, 0x86, L_CS, 1},
		{0xc4, 0x87, L_CS, 0}, {0xc4, 0x90, L_DJ, 1}, {0xc4, 0x91, L_DJ, 0},
		{0xc5, 0xa0, L_SH, 1}, {0xc5, 0xa1, L_SH, 0}, {0xc5, 0xbd, L_ZH, 1},
		{0xc5, 0xbe, L_ZH, 0},
	};
	size_t i;

	if (n == 0)
		return 0;
	if (s[0] >= 'a' && s[0] <= 'z') {
		*l = (struct letter){s[0], 0, 1};
		return 1;
	}
	if (s[0] >= 'A' && s[0] <= 'Z') {
		*l = (struct letter){(unsigned char)(s[0] - 'A' + 'a'), 1, 1};
		return 1;
	}
	if (n < 2)
		return 0;
	for (i = 0; i < sizeof(two) / sizeof(two[0]); i++)
		if (s[0] == two[i].b0 && s[1] == two[i].b1) {
			*l = (struct letter){two[i].id, two[i].upper, 2};
			return 1;
		}
	return 0;
}

/* Bytes of the UTF-8 character at s (1 for a stray byte), at most n. */
static size_t unit_len(const unsigned char *s, size_t n)
{
	size_t k = s[0] < 0xc2 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : s[0] < 0xf5 ? 4 : 1;

	return k < n ? k : n;
}

static int is_boundary(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '<' || c == '>' ||
	       c == '"' || c == '\'' || c == '(' || c == ')' || c == '[' || c == ']' || c == '{' ||
	       c == '}';
}

static int is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* A domain name: "x.rs", "portal.ikom.org.rs" (trailing punctuation
 * aside), not "d.o.o." nor "t.j.". */
static int domain_like(const unsigned char *s, size_t n)
{
	size_t end = n, dot = n, i;

	while (end > 0 && strchr(".,;:!?", s[end - 1]) != NULL)
		end--;
	for (i = end; i > 0; i--)
		if (s[i - 1] == '.') {
			dot = i - 1;
			break;
		}
	if (dot == n || dot == 0 || end - dot - 1 < 2 || end - dot - 1 > 6)
		return 0;
	for (i = dot + 1; i < end; i++)
		if (!is_alpha(s[i]))
			return 0;
	return 1;
}

/* Names of programs the texts tell a member to use, as the programs
 * write them. */
static const char *const product_names[] = {"Adobe", "Acrobat", "Reader"};

/* A word to leave as written: an identifier, an address, a file's
 * ending (".cer"), a program's name, a foreign word. */
static int keep_token(const unsigned char *s, size_t n)
{
	size_t i, end = n;

	while (end > 0 && strchr(".,;:!?)", s[end - 1]) != NULL)
		end--;
	if (s[0] == '.' && end >= 3 && end <= 6) {
		for (i = 1; i < end && is_alpha(s[i]); i++)
			;
		if (i == end)
			return 1;
	}
	for (i = 0; i < sizeof(product_names) / sizeof(product_names[0]); i++)
		if (end == strlen(product_names[i]) && memcmp(s, product_names[i], end) == 0)
			return 1;

	if (n >= 4 && (s[0] | 0x20) == 'w' && (s[1] | 0x20) == 'w' && (s[2] | 0x20) == 'w' &&
	    s[3] == '.')
		return 1;
	for (i = 0; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') || s[i] == '@' || strchr("qwxyQWXY", s[i]) != NULL)
			return 1;
		if (s[i] == ':' && i + 2 < n && s[i + 1] == '/' && s[i + 2] == '/')
			return 1;
		if (i > 0 && s[i - 1] >= 'a' && s[i - 1] <= 'z' && s[i] >= 'A' && s[i] <= 'Z')
			return 1; /* camelCase: a name from code ("BkToCstmrStmt") */
	}
	return domain_like(s, n);
}

/* Bytes of the markup or placeholder at s (a tag, an entity, {name}),
 * or 0 when s starts none. */
static size_t markup_len(const unsigned char *s, size_t n)
{
	size_t i;

	if (s[0] == '<' && n > 1 && (is_alpha(s[1]) || s[1] == '/' || s[1] == '!' || s[1] == '?')) {
		for (i = 1; i < n && s[i] != '>'; i++)
			;
		return i < n ? i + 1 : n;
	}
	if (s[0] == '&') {
		for (i = 1; i < n && i < 33 &&
			    (is_alpha(s[i]) || s[i] == '#' || (s[i] >= '0' && s[i] <= '9'));
		     i++)
			;
		return i > 1 && i < n && s[i] == ';' ? i + 1 : 0;
	}
	if (s[0] == '{') {
		for (i = 1; i < n && s[i] != '}'; i++)
			;
		if (i == n)
			return 0;
		while (i + 1 < n && s[i + 1] == '}')
			i++;
		return i + 1;
	}
	return 0;
}

/* ---- Roman numerals ------------------------------------------------------ */

/* 1..3999 in canonical Roman form, written into out (16 bytes). */
static void roman_write(unsigned v, char *out)
{
	static const struct {
		unsigned v;
		const char *s;
	} r[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"},
		 {90, "XC"},  {50, "L"},   {40, "XL"}, {10, "X"},   {9, "IX"},
		 {5, "V"},    {4, "IV"},   {1, "I"}};
	size_t i, o = 0;

	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++)
		for (; v >= r[i].v && o + strlen(r[i].s) < 16; v -= r[i].v) {
			memcpy(out + o, r[i].s, strlen(r[i].s));
			o += strlen(r[i].s);
		}
	out[o] = '\0';
}

/* Whether s[0..n) is a Roman numeral as it is written (canonical: "IV",
 * never "IIII"). */
static int roman_valid(const unsigned char *s, size_t n)
{
	static const char digits[] = "IVXLCDM";
	static const unsigned values[] = {1, 5, 10, 50, 100, 500, 1000};
	unsigned v = 0, cur, next;
	char canon[16];
	size_t i;

	if (n == 0 || n > 15)
		return 0;
	for (i = 0; i < n; i++) {
		cur = values[strchr(digits, s[i]) - digits];
		next = i + 1 < n ? values[strchr(digits, s[i + 1]) - digits] : 0;
		v = cur < next ? v - cur : v + cur;
	}
	if (v == 0 || v > 3999)
		return 0;
	roman_write(v, canon);
	return strlen(canon) == n && memcmp(canon, s, n) == 0;
}

/* Whether the n bytes at w are a word in capitals ("JOVAN", "ĐORĐE"):
 * two or more letters, no small ASCII letter. */
static int caps_word(const unsigned char *w, size_t n)
{
	size_t i, upper = 0;

	for (i = 0; i < n && !is_boundary(w[i]) && strchr(".,;:!?", w[i]) == NULL; i++) {
		if (w[i] >= 'A' && w[i] <= 'Z')
			upper++;
		else if (w[i] < 0x80)
			return 0;
	}
	return upper > 0 && i >= 2;
}

/* Bytes of the Roman numeral that is the whole word at s + i, or 0.
 * Serbian Cyrillic keeps them in Latin ("Краља Петра I", "IV спрат").
 * Not numerals: C, D, L, M alone (block letters, sizes), a letter with
 * a full stop (an initial, "V. Jović"), the sentence's first "I" and an
 * "I" between words in capitals (the word "and": "JOVAN I MARKO"). */
static size_t roman_word(const unsigned char *s, size_t i, size_t len)
{
	size_t k, b, a;

	for (k = i; k < len && s[k] != '\0' && strchr("IVXLCDM", s[k]) != NULL; k++)
		;
	if (k == i || (k < len && (is_alpha(s[k]) || s[k] >= 0x80)) || !roman_valid(s + i, k - i))
		return 0;
	if (k - i > 1)
		return k - i;
	if (s[i] != 'I' && s[i] != 'V' && s[i] != 'X')
		return 0;
	if (k < len && s[k] == '.')
		return 0;
	for (b = i; b > 0 && (s[b - 1] == ' ' || s[b - 1] == '\t'); b--)
		;
	if (s[i] == 'I' && (b == 0 || strchr(".!?\n\r", s[b - 1]) != NULL))
		return 0;
	for (a = k; a < len && (s[a] == ' ' || s[a] == '\t'); a++)
		;
	if (b < i && a > k && a < len && caps_word(s + a, len - a)) {
		size_t w = b;

		while (w > 0 && !is_boundary(s[w - 1]))
			w--;
		if (caps_word(s + w, b - w))
			return 0;
	}
	return k - i;
}

/* Bytes of the foreign abbreviation (latin_words) that is the whole
 * word at s, or 0. */
static size_t latin_word(const unsigned char *s, size_t n)
{
	size_t k, i;

	for (k = 0; k < n && s[k] >= 'A' && s[k] <= 'Z'; k++)
		;
	if (k < 2 || (k < n && (is_alpha(s[k]) || s[k] >= 0x80)))
		return 0;
	for (i = 0; i < sizeof(latin_words) / sizeof(latin_words[0]); i++)
		if (strlen(latin_words[i]) == k && memcmp(latin_words[i], s, k) == 0)
			return k;
	return 0;
}

/* Where in the word at s (n bytes) a pair splits, as the offset of its
 * second letter; 0 when the word is not in split_stems. */
static size_t split_at(const unsigned char *s, size_t n)
{
	const char *stem, *want;
	struct letter l;
	size_t i, at, wl;

	for (i = 0; i < sizeof(split_stems) / sizeof(split_stems[0]); i++) {
		const unsigned char *p = s;
		size_t left = n;

		at = 0;
		for (stem = split_stems[i]; *stem != '\0'; stem += wl) {
			if (*stem == '|') {
				at = (size_t)(p - s);
				wl = 1;
				continue;
			}
			if (!letter_at(p, left, &l))
				break;
			want = l.id >= 'a' ? (const char *)&l.id : lat_other[l.id];
			wl = l.id >= 'a' ? 1 : strlen(want);
			if (strncmp(stem, want, wl) != 0)
				break;
			p += l.len;
			left -= l.len;
		}
		if (*stem == '\0')
			return at;
	}
	return 0;
}

struct out {
	char *p;
	size_t size, need, wrote;
	int full;
};

/* Appends k bytes as one piece: all of it, or (once it does not fit)
 * nothing more at all. */
static void put(struct out *o, const void *s, size_t k)
{
	if (!o->full && o->wrote + k < o->size) {
		memcpy(o->p + o->wrote, s, k);
		o->wrote += k;
	} else
		o->full = 1;
	o->need += k;
}

static void put_copy(struct out *o, const unsigned char *s, size_t n)
{
	size_t k;

	for (; n > 0; s += k, n -= k) {
		k = unit_len(s, n);
		put(o, s, k);
	}
}

static void put_letter(struct out *o, const struct letter *l, const unsigned char *src)
{
	const char *c;

	c = l->id >= 'a' ? cyr_ascii[l->upper][l->id - 'a'] : cyr_other[l->upper][l->id];
	if (c != NULL)
		put(o, c, strlen(c));
	else
		put(o, src, l->len);
}

/* The pair (lj, nj, dž) at a, b as one letter, or NULL. */
static const char *digraph(const struct letter *a, const struct letter *b)
{
	if (a->id == 'l' && b->id == 'j')
		return a->upper ? "Љ" : "љ";
	if (a->id == 'n' && b->id == 'j')
		return a->upper ? "Њ" : "њ";
	if (a->id == 'd' && b->id == L_ZH)
		return a->upper ? "Џ" : "џ";
	return NULL;
}

size_t translit_cyrl(char *out, size_t size, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in, *word = NULL;
	struct out o = {out, size, 0, 0, 0};
	struct letter l, next;
	size_t i = 0, k, split = 0;
	const char *pair;

	while (i < len) {
		if ((k = markup_len(s + i, len - i)) > 0) {
			put_copy(&o, s + i, k);
			i += k;
			word = NULL;
			continue;
		}
		if (i == 0 || is_boundary(s[i - 1])) {
			for (k = i; k < len && !is_boundary(s[k]); k++)
				;
			if (k > i && keep_token(s + i, k - i)) {
				put_copy(&o, s + i, k - i);
				i = k;
				word = NULL;
				continue;
			}
		}
		if (!letter_at(s + i, len - i, &l)) {
			k = unit_len(s + i, len - i);
			put(&o, s + i, k);
			i += k;
			word = NULL;
			continue;
		}
		if (word == NULL &&
		    ((k = latin_word(s + i, len - i)) > 0 || (k = roman_word(s, i, len)) > 0)) {
			put_copy(&o, s + i, k);
			i += k;
			continue;
		}
		if (word == NULL) {
			word = s + i;
			split = split_at(s + i, len - i);
		}
		if (letter_at(s + i + l.len, len - i - l.len, &next) &&
		    (pair = digraph(&l, &next)) != NULL &&
		    (split == 0 || (size_t)(s + i + l.len - word) != split)) {
			put(&o, pair, strlen(pair));
			i += l.len + next.len;
			continue;
		}
		put_letter(&o, &l, s + i);
		i += l.len;
	}
	if (size > 0)
		out[o.wrote] = '\0';
	return o.need;
}
