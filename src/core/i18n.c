#include "core/i18n.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/translit.h"
#include "util/buf.h"
#include "util/embedded.h"
#include "util/escape.h"

struct entry {
	char *key, *text;
};

/* Entries sorted by key (i18n_key_at), and an open-addressing index of
 * them by key hash: a page looks up some twenty messages, and a hash
 * probe is one string comparison where a binary search took nine. */
static struct catalogue {
	struct entry *e;
	size_t n;
	uint32_t *slot; /* entry index + 1, 0: empty */
	size_t mask;    /* slots - 1 (a power of two, at least 2n) */
} cats[LANG__MAX];

static const char *const codes[LANG__MAX] = {"sr", "en", "sr-Cyrl"};
static const char *const name_keys[LANG__MAX] = {"lang.sr", "lang.en", "lang.sr_cyrl"};

/* FNV-1a. */
static uint32_t key_hash(const char *k)
{
	uint32_t h = 2166136261u;

	for (; *k; k++)
		h = (h ^ (unsigned char)*k) * 16777619u;
	return h;
}

static void index_build(struct catalogue *c)
{
	size_t size = 16, i, h;

	while (size < 2 * c->n)
		size *= 2;
	if ((c->slot = calloc(size, sizeof(*c->slot))) == NULL)
		abort();
	c->mask = size - 1;
	for (i = 0; i < c->n; i++) {
		for (h = key_hash(c->e[i].key) & c->mask; c->slot[h] != 0; h = (h + 1) & c->mask)
			;
		c->slot[h] = (uint32_t)(i + 1);
	}
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->key, ((const struct entry *)b)->key);
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Copies text, turning "\n" into a line break. */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	if (out == NULL)
		abort();
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] == 'n') {
			*o++ = '\n';
			s++;
		} else
			*o++ = *s;
	}
	*o = '\0';
	return out;
}

static int load_one(enum lang l, char *err, size_t errlen)
{
	char name[64], *copy, *line, *save = NULL, *eq, *key;
	const struct embedded_file *f;
	struct catalogue *c = &cats[l];
	size_t cap = 0, lineno = 0, i;

	snprintf(name, sizeof(name), "messages/%s.txt", codes[l]);
	if ((f = embedded_find(name)) == NULL) {
		snprintf(err, errlen, "%s: not built in", name);
		return -1;
	}
	if ((copy = strdup((const char *)f->data)) == NULL)
		abort();
	/* strtok_r skips empty lines, so count lines by hand for messages. */
	for (line = copy; line != NULL; line = save) {
		save = strchr(line, '\n');
		if (save)
			*save++ = '\0';
		lineno++;
		line = trim(line);
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			snprintf(err, errlen, "%s:%zu: expected key = text", name, lineno);
			free(copy);
			return -1;
		}
		*eq = '\0';
		key = trim(line);
		if (c->n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((c->e = realloc(c->e, cap * sizeof(*c->e))) == NULL)
				abort();
		}
		if ((c->e[c->n].key = strdup(key)) == NULL)
			abort();
		c->e[c->n].text = unescape(trim(eq + 1));
		c->n++;
	}
	free(copy);
	qsort(c->e, c->n, sizeof(*c->e), entry_cmp);
	for (i = 1; i < c->n; i++)
		if (strcmp(c->e[i - 1].key, c->e[i].key) == 0) {
			snprintf(err, errlen, "%s: key %s defined twice", name, c->e[i].key);
			return -1;
		}
	index_build(c);
	return 0;
}

/* The Cyrillic catalogue from the Latin one: same keys, same order. */
static void load_cyrillic(void)
{
	const struct catalogue *lat = &cats[LANG_SR];
	struct catalogue *c = &cats[LANG_SR_CYRL];
	size_t i, n;

	if ((c->e = calloc(lat->n ? lat->n : 1, sizeof(*c->e))) == NULL)
		abort();
	for (i = 0; i < lat->n; i++) {
		n = strlen(lat->e[i].text);
		if ((c->e[i].key = strdup(lat->e[i].key)) == NULL ||
		    (c->e[i].text = malloc(2 * n + 1)) == NULL)
			abort();
		translit_cyrl(c->e[i].text, 2 * n + 1, lat->e[i].text, n);
	}
	c->n = lat->n;
	index_build(c);
}

int i18n_load(char *err, size_t errlen)
{
	i18n_free();
	if (load_one(LANG_SR, err, errlen) != 0 || load_one(LANG_EN, err, errlen) != 0)
		return -1;
	load_cyrillic();
	return 0;
}

void i18n_free(void)
{
	size_t i;
	int l;

	for (l = 0; l < LANG__MAX; l++) {
		for (i = 0; i < cats[l].n; i++) {
			free(cats[l].e[i].key);
			free(cats[l].e[i].text);
		}
		free(cats[l].e);
		free(cats[l].slot);
		cats[l].e = NULL;
		cats[l].slot = NULL;
		cats[l].n = 0;
	}
}

/* text with every from[i] replaced by to[i], malloc'd; NULL when
 * nothing matches (or out of memory: then *failed). */
static char *replace_all(const char *text, const char *const *from, const char *const *to, size_t n,
			 int *failed)
{
	struct buf b = BUF_INIT;
	const char *p = text;
	size_t i, hits = 0;
	char *out;

	while (*p) {
		for (i = 0; i < n; i++) /* the first byte first: most places match none */
			if (*p == from[i][0] && strncmp(p, from[i], strlen(from[i])) == 0)
				break;
		if (i < n) {
			buf_puts(&b, to[i]);
			p += strlen(from[i]);
			hits++;
		} else
			buf_putc(&b, *p++);
	}
	out = hits > 0 ? strdup(buf_cstr(&b)) : NULL;
	if (hits > 0 && out == NULL)
		*failed = 1;
	buf_free(&b);
	return out;
}

int i18n_rewrite(enum lang l, const char *const *from, const char *const *to, size_t n)
{
	int failed = 0;
	size_t i;
	char *t;

	if ((unsigned)l >= LANG__MAX)
		return -1;
	for (i = 0; i < cats[l].n; i++)
		if ((t = replace_all(cats[l].e[i].text, from, to, n, &failed)) != NULL) {
			free(cats[l].e[i].text);
			cats[l].e[i].text = t;
		}
	return failed ? -1 : 0;
}

static const char *lookup(enum lang l, const char *key)
{
	const struct catalogue *c;
	size_t h;

	if ((unsigned)l >= LANG__MAX || (c = &cats[l])->slot == NULL)
		return NULL;
	for (h = key_hash(key) & c->mask; c->slot[h] != 0; h = (h + 1) & c->mask)
		if (strcmp(c->e[c->slot[h] - 1].key, key) == 0)
			return c->e[c->slot[h] - 1].text;
	return NULL;
}

const char *i18n_get(enum lang l, const char *key)
{
	const char *t = lookup(l, key);

	if (t == NULL && l != LANG_SR)
		t = lookup(LANG_SR, key);
	return t ? t : key;
}

int i18n_has(enum lang l, const char *key)
{
	return lookup(l, key) != NULL;
}

size_t i18n_count(enum lang l)
{
	return (unsigned)l < LANG__MAX ? cats[l].n : 0;
}

const char *i18n_key_at(enum lang l, size_t i)
{
	return i < i18n_count(l) ? cats[l].e[i].key : NULL;
}

const char *i18n_code(enum lang l)
{
	return (unsigned)l < LANG__MAX ? codes[l] : codes[LANG_SR];
}

const char *i18n_name_key(enum lang l)
{
	return name_keys[(unsigned)l < LANG__MAX ? l : LANG_SR];
}

int i18n_parse(const char *code, enum lang *out)
{
	int l;

	if (code == NULL)
		return -1;
	for (l = 0; l < LANG__MAX; l++)
		if (strcasecmp(code, codes[l]) == 0) {
			*out = (enum lang)l;
			return 0;
		}
	return -1;
}

#define I18N_ARGS 32 /* name, value pairs a text takes at most (a mail uses 7) */

/* The value of placeholder name (len bytes) among the n pairs (names[i],
 * values[i]): for a name written "@name" the value is a key, given by
 * its text in l; a pair named "name#CODE" (CODE: l's code, i18n_code)
 * stands before a plain "name".  NULL when none. */
static const char *pair_value(enum lang l, const char *name, size_t len, const char *const *names,
			      const char *const *values, size_t n)
{
	const char *value = NULL, *nm;
	size_t i;
	int own;

	for (i = 0, own = 0; i < n && !own; i++) {
		nm = names[i] + (names[i][0] == '@');
		if (strncmp(nm, name, len) != 0)
			continue;
		if (nm[len] == '#' && strcmp(nm + len + 1, codes[l]) == 0)
			own = 1;
		else if (nm[len] != '\0' || value != NULL)
			continue;
		value = values[i] ? values[i] : "";
		value = names[i][0] == '@' ? i18n_get(l, value) : value;
	}
	return value;
}

/*
 * The form of a noun after count, from the forms at s (len bytes, '|'
 * between them), into b.  Serbian gives three: one (1, 21, 101), few
 * (2-4, 22-24) and many (the rest, 11-14 too); English two: one and
 * other.  A count that is no whole number takes the last form; the
 * Cyrillic page gets the form in Cyrillic.
 */
static void plural_put(struct buf *b, enum lang l, const char *count, const char *s, size_t len)
{
	const char *end = s + len, *bar;
	unsigned long long v;
	size_t want, i;
	char *stop, cyr[64];

	v = count != NULL && *count >= '0' && *count <= '9' ? strtoull(count, &stop, 10) : 0;
	if (count == NULL || *count < '0' || *count > '9' || *stop != '\0')
		want = 2;
	else if (l == LANG_EN)
		want = v == 1 ? 0 : 1;
	else if (v % 10 == 1 && v % 100 != 11)
		want = 0;
	else if (v % 10 >= 2 && v % 10 <= 4 && (v % 100 < 12 || v % 100 > 14))
		want = 1;
	else
		want = 2;
	for (i = 0; i < want && (bar = memchr(s, '|', (size_t)(end - s))) != NULL; i++)
		s = bar + 1;
	bar = memchr(s, '|', (size_t)(end - s));
	len = (size_t)((bar != NULL ? bar : end) - s);
	if (l == LANG_SR_CYRL && 2 * len < sizeof(cyr)) {
		translit_cyrl(cyr, sizeof(cyr), s, len);
		buf_puts(b, cyr);
	} else
		buf_append(b, s, len);
}

/* The text of key in l with each "{name}" among the n pairs replaced by
 * its value (pair_value), and each "{name|one|few|many}" by the form of
 * the noun its count takes (plural_put). */
static char *format_pairs(struct arena *a, enum lang l, const char *key, const char *const *names,
			  const char *const *values, size_t n)
{
	const char *p, *close, *value, *bar;
	struct buf b = BUF_INIT;
	size_t len;
	char *out;

	for (p = i18n_get(l, key); *p;) {
		if (*p != '{') { /* the text up to the next brace in one copy */
			close = strchrnul(p, '{');
			buf_append(&b, p, (size_t)(close - p));
			p = close;
			continue;
		}
		if ((close = strchr(p, '}')) != NULL) {
			len = (size_t)(close - p - 1);
			if ((bar = memchr(p + 1, '|', len)) != NULL) {
				value = pair_value(l, p + 1, (size_t)(bar - p - 1), names, values,
						   n);
				plural_put(&b, l, value, bar + 1, (size_t)(close - bar - 1));
				p = close + 1;
				continue;
			}
			if ((value = pair_value(l, p + 1, len, names, values, n)) != NULL) {
				buf_puts(&b, value);
				p = close + 1;
				continue;
			}
		}
		buf_putc(&b, *p++);
	}
	out = arena_strndup(a, buf_cstr(&b), b.len);
	buf_free(&b);
	return out;
}

char *i18n_vformat(struct arena *a, enum lang l, const char *key, va_list args)
{
	const char *names[I18N_ARGS], *values[I18N_ARGS], *name;
	size_t n = 0;
	va_list ap;

	va_copy(ap, args);
	while (n < I18N_ARGS && (name = va_arg(ap, const char *)) != NULL) {
		names[n] = name;
		values[n] = va_arg(ap, const char *);
		n++;
	}
	va_end(ap);
	return format_pairs(a, l, key, names, values, n);
}

/* Note strings: NOTE_START key, then NOTE_SEP name "=" value per pair. */
#define NOTE_START '\x1e'
#define NOTE_SEP '\x1f'

static size_t note_vwrite(char *out, size_t size, const char *key, va_list args)
{
	const char *name, *v;
	size_t n = 0;
	va_list ap;

#define PUT(c)                                                                                     \
	do {                                                                                       \
		if (n + 1 < size)                                                                  \
			out[n] = (c);                                                              \
		n++;                                                                               \
	} while (0)
	PUT(NOTE_START);
	for (v = key; *v; v++)
		PUT(*v);
	va_copy(ap, args);
	while ((name = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		PUT(NOTE_SEP);
		for (; *name; name++)
			PUT(*name);
		PUT('=');
		for (v = v ? v : ""; *v; v++) /* the separators never come from a value */
			PUT(*v == NOTE_START || *v == NOTE_SEP ? ' ' : *v);
	}
	va_end(ap);
#undef PUT
	if (size > 0)
		out[n < size ? n : size - 1] = '\0';
	return n;
}

size_t i18n_note_to(char *out, size_t size, const char *key, ...)
{
	va_list ap;
	size_t n;

	va_start(ap, key);
	n = note_vwrite(out, size, key, ap);
	va_end(ap);
	return n;
}

char *i18n_note(struct arena *a, const char *key, ...)
{
	va_list ap;
	char *out;

	va_start(ap, key);
	out = i18n_vnote(a, key, ap);
	va_end(ap);
	return out;
}

char *i18n_vnote(struct arena *a, const char *key, va_list args)
{
	size_t n = note_vwrite(NULL, 0, key, args);
	char *out = arena_alloc(a, n + 1);

	note_vwrite(out, n + 1, key, args);
	return out;
}

size_t i18n_note_plain(char *out, size_t size, const char *note)
{
	const char *p = note[0] == NOTE_START ? note + 1 : note;
	size_t n = 0;
	int pairs = 0;

	if (size == 0)
		return 0;
	for (; *p && n + 3 < size; p++) {
		if (*p == NOTE_SEP && note[0] == NOTE_START) {
			out[n++] = pairs++ ? ';' : ':';
			out[n++] = ' ';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	if (*p) /* cut: not inside a character */
		out[n = utf8_prefix(out, n)] = '\0';
	return n;
}

/* The name, value pairs of note (after its key, which starts at p and
 * ends at end: the first separator, or NULL) into names/values, from
 * n on; returns the new count. */
static size_t note_pairs(struct arena *a, const char *end, const char **names, const char **values,
			 size_t n)
{
	const char *p, *eq;

	while (end != NULL && n < I18N_ARGS) {
		p = end + 1;
		end = strchr(p, NOTE_SEP);
		eq = memchr(p, '=', end != NULL ? (size_t)(end - p) : strlen(p));
		if (eq == NULL)
			continue;
		names[n] = arena_strndup(a, p, (size_t)(eq - p));
		values[n] = arena_strndup(a, eq + 1,
					  end != NULL ? (size_t)(end - eq - 1) : strlen(eq + 1));
		n++;
	}
	return n;
}

int i18n_note_is(const char *note, const char *key)
{
	size_t n = strlen(key);

	return note != NULL && note[0] == NOTE_START && strncmp(note + 1, key, n) == 0 &&
	       (note[n + 1] == '\0' || note[n + 1] == NOTE_SEP);
}

const char *i18n_note_text(struct arena *a, enum lang l, const char *note)
{
	return i18n_note_text_as(a, l, note, NULL);
}

const char *i18n_note_text_as(struct arena *a, enum lang l, const char *note, const char *prefix)
{
	const char *names[I18N_ARGS], *values[I18N_ARGS], *p, *end;
	char *key, *alt;
	size_t n = 0;

	if (note == NULL || note[0] != NOTE_START)
		return note != NULL ? note : "";
	p = note + 1;
	end = strchr(p, NOTE_SEP);
	key = arena_strndup(a, p, end != NULL ? (size_t)(end - p) : strlen(p));
	if (prefix != NULL && i18n_has(LANG_SR, alt = arena_printf(a, "%s%s", prefix, key)))
		key = alt;
	if (!i18n_has(LANG_SR, key)) {    /* a key this catalogue lacks: as plain text */
		n = 2 * strlen(note) + 4; /* each separator becomes two characters */
		key = arena_alloc(a, n);
		i18n_note_plain(key, n, note);
		return key;
	}
	n = note_pairs(a, end, names, values, 0);
	return format_pairs(a, l, key, names, values, n);
}

char *i18n_note_format(struct arena *a, enum lang l, const char *key, const char *note, ...)
{
	const char *names[I18N_ARGS], *values[I18N_ARGS], *name;
	size_t n = 0;
	va_list ap;

	if (note != NULL && note[0] == NOTE_START)
		n = note_pairs(a, strchr(note, NOTE_SEP), names, values, 0);
	va_start(ap, note);
	while (n < I18N_ARGS && (name = va_arg(ap, const char *)) != NULL) {
		names[n] = name;
		values[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	return format_pairs(a, l, key, names, values, n);
}

char *i18n_format(struct arena *a, enum lang l, const char *key, ...)
{
	va_list ap;
	char *out;

	va_start(ap, key);
	out = i18n_vformat(a, l, key, ap);
	va_end(ap);
	return out;
}
