/*
 * Bank statement import: a CSV export or camt.053 XML into credit lines
 * with stable fingerprints.  Formats and rules are in statement.h.  Each
 * format fills one struct stmt_line per credit and hands it to
 * stmt_push(); fingerprints are computed in file order, since a line's
 * depends on the identical lines before it: once every line is known,
 * or batch by batch when a consumer takes the lines as they are read
 * (statement_async.c).
 */
#include "domain/statement.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "domain/csv.h"
#include "domain/statement_int.h"
#include "util/escape.h"
#include "util/sha256.h"

#define STMT_VALUE_MSG 48   /* bytes of an offending value quoted in a message */
#define STMT_FIELD_MAX 1024 /* bytes of a field looked at (decoded, joined) */
#define STMT_KEY_MAX 64     /* bytes of a normalised CSV header name */

static const char *const stmt_format_names[STMT__MAX] = {
	[STMT_AUTO] = "auto",
	[STMT_CSV] = "csv",
	[STMT_CAMT053] = "camt.053",
};

/* Windows-1250 bytes 0x80-0xFF as Unicode code points (U+FFFD where
 * the code page leaves a byte undefined). */
static const unsigned short stmt_cp1250[128] = {
	0x20ac, 0xfffd, 0x201a, 0xfffd, 0x201e, 0x2026, 0x2020, 0x2021, 0xfffd, 0x2030, 0x0160,
	0x2039, 0x015a, 0x0164, 0x017d, 0x0179, 0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
	0x2013, 0x2014, 0xfffd, 0x2122, 0x0161, 0x203a, 0x015b, 0x0165, 0x017e, 0x017a, 0x00a0,
	0x02c7, 0x02d8, 0x0141, 0x00a4, 0x0104, 0x00a6, 0x00a7, 0x00a8, 0x00a9, 0x015e, 0x00ab,
	0x00ac, 0x00ad, 0x00ae, 0x017b, 0x00b0, 0x00b1, 0x02db, 0x0142, 0x00b4, 0x00b5, 0x00b6,
	0x00b7, 0x00b8, 0x0105, 0x015f, 0x00bb, 0x013d, 0x02dd, 0x013e, 0x017c, 0x0154, 0x00c1,
	0x00c2, 0x0102, 0x00c4, 0x0139, 0x0106, 0x00c7, 0x010c, 0x00c9, 0x0118, 0x00cb, 0x011a,
	0x00cd, 0x00ce, 0x010e, 0x0110, 0x0143, 0x0147, 0x00d3, 0x00d4, 0x0150, 0x00d6, 0x00d7,
	0x0158, 0x016e, 0x00da, 0x0170, 0x00dc, 0x00dd, 0x0162, 0x00df, 0x0155, 0x00e1, 0x00e2,
	0x0103, 0x00e4, 0x013a, 0x0107, 0x00e7, 0x010d, 0x00e9, 0x0119, 0x00eb, 0x011b, 0x00ed,
	0x00ee, 0x010f, 0x0111, 0x0144, 0x0148, 0x00f3, 0x00f4, 0x0151, 0x00f6, 0x00f7, 0x0159,
	0x016f, 0x00fa, 0x0171, 0x00fc, 0x00fd, 0x0163, 0x02d9,
};

const char *stmt_format_name(enum stmt_format f)
{
	if ((int)f < 0 || f >= STMT__MAX)
		return NULL;
	return stmt_format_names[f];
}

void statement_global_init(void)
{
	xmlInitParser();
}

void statement_free(struct statement *st)
{
	if (st == NULL)
		return;
	free(st->lines);
	free(st->errors);
	free(st->fp_slots);
	memset(st, 0, sizeof(*st));
}

#define STMT_STR_(x) #x
#define STMT_STR(x) STMT_STR_(x)

/* ---- results ---- */

/* Records a line error (the first STMT_MAX_ERRORS are kept): key and
 * arg for the message catalogue, fmt for the English text. */
static void stmt_err(struct statement *st, size_t line, const char *key, const char *arg,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void stmt_err(struct statement *st, size_t line, const char *key, const char *arg,
		     const char *fmt, ...)
{
	struct stmt_error *e;
	va_list ap;

	st->nerrors_total++;
	if (st->nerrors >= STMT_MAX_ERRORS)
		return;
	if (st->errors == NULL && (st->errors = calloc(STMT_MAX_ERRORS, sizeof(*e))) == NULL)
		return;
	e = &st->errors[st->nerrors++];
	e->line = line;
	e->key = key;
	snprintf(e->arg, sizeof(e->arg), "%s", arg != NULL ? arg : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

/* Refuses the whole file (the first reason given stays).  Returns -1. */
static int stmt_fatal(struct statement *st, size_t line, const char *key, const char *arg,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int stmt_fatal(struct statement *st, size_t line, const char *key, const char *arg,
		      const char *fmt, ...)
{
	size_t off = 0;
	va_list ap;
	int n;

	if (st->error[0] != '\0')
		return -1;
	st->error_line = line;
	st->error_key = key;
	snprintf(st->error_arg, sizeof(st->error_arg), "%s", arg != NULL ? arg : "");
	if (line > 0) {
		n = snprintf(st->error, sizeof(st->error), "line %zu: ", line);
		off = n > 0 ? (size_t)n : 0;
	}
	va_start(ap, fmt);
	vsnprintf(st->error + off, sizeof(st->error) - off, fmt, ap);
	va_end(ap);
	return -1;
}

static int stmt_fingerprints_upto(struct statement *st, size_t upto, size_t room);

/* Appends a copy of l to st->lines.  0, or -1 (refused: too many lines,
 * out of memory). */
static int stmt_push(struct statement *st, const struct stmt_line *l, size_t *cap)
{
	struct stmt_line *p;
	size_t ncap;

	if (st->nlines == STMT_MAX_LINES)
		return stmt_fatal(st, l->line, "stmt.f_too_many", STMT_STR(STMT_MAX_LINES),
				  "more than %d credit lines in one statement", STMT_MAX_LINES);
	if (st->nlines == *cap) {
		/* Lines handed out already must not move (never happens: a
		 * published array was sized for the whole file). */
		if (st->published > 0)
			return stmt_fatal(st, l->line, "stmt.f_memory", NULL, "out of memory");
		ncap = *cap ? *cap * 2 : 256;
		if (ncap > STMT_MAX_LINES)
			ncap = STMT_MAX_LINES;
		if ((p = realloc(st->lines, ncap * sizeof(*p))) == NULL)
			return stmt_fatal(st, l->line, "stmt.f_memory", NULL, "out of memory");
		st->lines = p;
		*cap = ncap;
	}
	st->lines[st->nlines++] = *l;
	/* Parsing for a consumer (statement_async_start), into an array that
	 * never moves: hand the lines out in batches, fingerprints set. */
	if (st->async != NULL && st->fixed && st->nlines % STMT_BATCH == 0) {
		if (stmt_fingerprints_upto(st, st->nlines, *cap) != 0)
			return -1;
		st->published = st->nlines;
		stmt_async_publish(st->async, st->nlines);
	}
	return 0;
}

/* ---- text ---- */

/* Writes code point cp as UTF-8 at out (room for 3 bytes: cp < 0x10000). */
static size_t stmt_utf8_put(char *out, unsigned cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	out[0] = (char)(0xe0 | (cp >> 12));
	out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/*
 * 1 when data should be read as Windows-1250: it is not valid UTF-8 and
 * no byte in it starts what looks like a UTF-8 character (a lead byte
 * followed by its continuation bytes), so it is not UTF-8 with a few
 * broken bytes either.
 */
static int stmt_is_cp1250(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t i, k, need;

	if (utf8_valid(data, len))
		return 0;
	for (i = 0; i < len; i++) {
		if (p[i] >= 0xc2 && p[i] <= 0xdf)
			need = 1;
		else if (p[i] >= 0xe0 && p[i] <= 0xef)
			need = 2;
		else if (p[i] >= 0xf0 && p[i] <= 0xf4)
			need = 3;
		else
			continue;
		if (i + need >= len)
			continue;
		for (k = 1; k <= need && (p[i + k] & 0xc0) == 0x80; k++)
			;
		if (k > need)
			return 0;
	}
	return 1;
}

/* Cleans the n bytes at s into out (payment_text_clean), decoding them
 * from Windows-1250 first when the file is in that code page. */
static void stmt_text(const struct statement *st, char *out, size_t outlen, const char *s, size_t n)
{
	char tmp[STMT_FIELD_MAX];
	unsigned char c;
	size_t i, len = 0;

	if (!st->cp1250) {
		payment_text_clean(out, outlen, s, n);
		return;
	}
	for (i = 0; i < n && len + 3 < sizeof(tmp); i++) {
		c = (unsigned char)s[i];
		len += stmt_utf8_put(tmp + len, c < 0x80 ? c : stmt_cp1250[c - 0x80]);
	}
	payment_text_clean(out, outlen, tmp, len);
}

/* The value s cleaned and shortened for quoting in a message. */
static const char *stmt_quote(const struct statement *st, char buf[STMT_VALUE_MSG], const char *s)
{
	stmt_text(st, buf, STMT_VALUE_MSG, s, strlen(s));
	return buf;
}

/*
 * Sets l->reference and l->ref97 from the reference as written (ref,
 * may be ""), a model written apart (model, may be "") and free text
 * that may hold a reference (text, may be "", searched only when no
 * reference is given).
 */
static void stmt_reference(const struct statement *st, struct stmt_line *l, const char *model,
			   const char *ref, const char *text)
{
	char raw[STMT_FIELD_MAX], joined[STMT_FIELD_MAX];

	stmt_text(st, raw, sizeof(raw), ref, strlen(ref));
	if (*model != '\0') {
		snprintf(joined, sizeof(joined), "%s%s", model, raw);
		if (payment_ref_normalize(joined, l->reference, sizeof(l->reference)) == 1) {
			l->ref97 = 1;
			return;
		}
	}
	if (raw[0] == '\0' && payment_ref_find(text, l->reference, sizeof(l->reference)) == 1) {
		l->ref97 = 1;
		return;
	}
	l->ref97 = payment_ref_normalize(raw, l->reference, sizeof(l->reference)) == 1;
}

/* ---- fingerprints ---- */

/* Writes v in decimal at out; returns the number of digits. */
static size_t stmt_decimal(char *out, unsigned long long v)
{
	char rev[24];
	size_t n = 0, i;

	do {
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	for (i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	return n;
}

/* Appends "|" + decimal length + ":" + v (at most max bytes of it). */
static size_t stmt_fp_field(char *buf, size_t len, const char *v, size_t max)
{
	size_t n = strnlen(v, max);

	buf[len++] = '|';
	len += stmt_decimal(buf + len, n);
	buf[len++] = ':';
	memcpy(buf + len, v, n);
	return len + n;
}

/* Room for the text hashed into a fingerprint: the tag, five fields of
 * bounded size and the count, each with its "|len:" prefix. */
#define STMT_FP_BASE_MAX                                                                           \
	(16 + sizeof(((struct stmt_line *)0)->bank_id) + 11 + 24 +                                 \
	 sizeof(((struct stmt_line *)0)->payer) + PAYMENT_REF_SIZE + 24 + 7 * 24)

/* The hashed text of line l without the occurrence count (statement.h),
 * written with memcpy: this runs once per line of large statements. */
static size_t stmt_fp_base(const struct stmt_line *l, char *buf)
{
	char amount[24];
	size_t len = sizeof("qcra-stmt-v1") - 1;

	memcpy(buf, "qcra-stmt-v1", len);
	amount[stmt_decimal(amount, (unsigned long long)l->amount_para)] = '\0';
	len = stmt_fp_field(buf, len, l->bank_id, sizeof(l->bank_id));
	len = stmt_fp_field(buf, len, l->date, sizeof(l->date));
	len = stmt_fp_field(buf, len, amount, sizeof(amount));
	len = stmt_fp_field(buf, len, l->payer, sizeof(l->payer));
	return stmt_fp_field(buf, len, l->reference, sizeof(l->reference));
}

/* 1 when a and b hold the same values that go into a fingerprint. */
static int stmt_fp_same(const struct stmt_line *a, const struct stmt_line *b)
{
	return a->amount_para == b->amount_para && strcmp(a->date, b->date) == 0 &&
	       strcmp(a->reference, b->reference) == 0 && strcmp(a->payer, b->payer) == 0 &&
	       strcmp(a->bank_id, b->bank_id) == 0;
}

/* A fast 64-bit table hash of the n bytes at s, eight at a time (the
 * fingerprint itself is SHA-256; this only spreads the table). */
static uint64_t stmt_table_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;
	size_t i;

	for (i = 0; i < n; i += sizeof(w)) {
		w = 0;
		memcpy(&w, s + i, n - i < sizeof(w) ? n - i : sizeof(w));
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	return h;
}

/* A slot of the table that counts identical lines. */
struct stmt_fp_slot {
	uint64_t hash;
	uint32_t line; /* index + 1; 0: empty */
	uint32_t count;
};

/*
 * Sets the fingerprints of lines [st->fp_done, upto): one SHA-256 per
 * line.  Identical lines are counted with an open-addressing table (a
 * hash of the base text, then the values compared), made on first use
 * for room lines at most.  0, or -1 when out of memory.
 */
static int stmt_fingerprints_upto(struct statement *st, size_t upto, size_t room)
{
	char base[STMT_FP_BASE_MAX], count[24];
	struct stmt_fp_slot *sl;
	struct stmt_line *l;
	size_t cap = 16, i, h, len;
	uint64_t hash;

	if (st->fp_slots == NULL) {
		while (cap < 2 * room)
			cap *= 2;
		if ((st->fp_slots = calloc(cap, sizeof(*st->fp_slots))) == NULL)
			return stmt_fatal(st, 0, "stmt.f_memory", NULL, "out of memory");
		st->fp_cap = cap;
	}
	cap = st->fp_cap;
	for (i = st->fp_done; i < upto; i++) {
		l = &st->lines[i];
		len = stmt_fp_base(l, base);
		hash = stmt_table_hash(base, len);
		for (h = (size_t)hash & (cap - 1);; h = (h + 1) & (cap - 1)) {
			sl = &st->fp_slots[h];
			if (sl->line == 0 ||
			    (sl->hash == hash && stmt_fp_same(&st->lines[sl->line - 1], l)))
				break;
		}
		if (sl->line == 0) {
			sl->hash = hash;
			sl->line = (uint32_t)(i + 1);
		}
		count[stmt_decimal(count, sl->count++)] = '\0';
		len = stmt_fp_field(base, len, count, sizeof(count));
		sha256_hex(base, len, l->fingerprint);
	}
	st->fp_done = upto;
	return 0;
}

/* Sets every line's fingerprint not set yet. */
static int stmt_fingerprints(struct statement *st)
{
	int rc = 0;

	if (st->nlines > st->fp_done)
		rc = stmt_fingerprints_upto(st, st->nlines, st->nlines);
	free(st->fp_slots);
	st->fp_slots = NULL;
	return rc;
}

/* ---- CSV ---- */

enum csv_col {
	COL_DATE,
	COL_AMOUNT,
	COL_CREDIT,
	COL_DEBIT,
	COL_PAYER,
	COL_REFERENCE,
	COL_MODEL,
	COL_PURPOSE,
	COL_ID,
	COL_CURRENCY,
	COL__MAX
};

/* Header names, as csv_header_key() writes them. */
static const struct {
	enum csv_col col;
	const char *name;
} csv_names[] = {
	{COL_DATE, "datum"},
	{COL_DATE, "date"},
	{COL_DATE, "datum uplate"},
	{COL_DATE, "datum knjizenja"},
	{COL_DATE, "datum valute"},
	{COL_DATE, "datum prometa"},
	{COL_DATE, "datum transakcije"},
	{COL_DATE, "booking date"},
	{COL_DATE, "value date"},
	{COL_DATE, "transaction date"},
	{COL_DATE, "датум"},
	{COL_AMOUNT, "iznos"},
	{COL_AMOUNT, "amount"},
	{COL_AMOUNT, "iznos uplate"},
	{COL_AMOUNT, "iznos rsd"},
	{COL_AMOUNT, "износ"},
	{COL_CREDIT, "potrazuje"},
	{COL_CREDIT, "credit"},
	{COL_CREDIT, "uplate"},
	{COL_CREDIT, "uplata"},
	{COL_CREDIT, "odobrenje"},
	{COL_CREDIT, "потражује"},
	{COL_DEBIT, "duguje"},
	{COL_DEBIT, "debit"},
	{COL_DEBIT, "isplate"},
	{COL_DEBIT, "isplata"},
	{COL_DEBIT, "zaduzenje"},
	{COL_DEBIT, "дугује"},
	{COL_PAYER, "uplatilac"},
	{COL_PAYER, "platilac"},
	{COL_PAYER, "payer"},
	{COL_PAYER, "nalogodavac"},
	{COL_PAYER, "naziv uplatioca"},
	{COL_PAYER, "naziv platioca"},
	{COL_PAYER, "payer name"},
	{COL_PAYER, "debtor"},
	{COL_PAYER, "уплатилац"},
	{COL_PAYER, "платилац"},
	{COL_REFERENCE, "poziv na broj"},
	{COL_REFERENCE, "poziv na broj odobrenja"},
	{COL_REFERENCE, "reference"},
	{COL_REFERENCE, "payment reference"},
	{COL_REFERENCE, "referenca"},
	{COL_REFERENCE, "pnb"},
	{COL_REFERENCE, "позив на број"},
	{COL_MODEL, "model"},
	{COL_MODEL, "model odobrenja"},
	{COL_MODEL, "модел"},
	{COL_PURPOSE, "svrha"},
	{COL_PURPOSE, "svrha uplate"},
	{COL_PURPOSE, "svrha placanja"},
	{COL_PURPOSE, "purpose"},
	{COL_PURPOSE, "description"},
	{COL_PURPOSE, "сврха"},
	{COL_ID, "id"},
	{COL_ID, "transaction id"},
	{COL_ID, "id transakcije"},
	{COL_ID, "broj transakcije"},
	{COL_ID, "bank reference"},
	{COL_CURRENCY, "valuta"},
	{COL_CURRENCY, "currency"},
	{COL_CURRENCY, "ccy"},
};

/* Serbian Latin letters read without their diacritics in header names. */
static const struct {
	const char *from, *to;
} csv_folds[] = {
	{"Č", "c"}, {"č", "c"}, {"Ć", "c"}, {"ć", "c"},  {"Š", "s"},
	{"š", "s"}, {"Ž", "z"}, {"ž", "z"}, {"Đ", "dj"}, {"đ", "dj"},
};

struct csv_cols {
	int col[COL__MAX]; /* field index, -1 when absent */
	size_t need;       /* fields a record needs for the required columns */
	size_t found;      /* how many kinds were recognised */
};

/* Appends the UTF-8 character at *p (valid UTF-8) to out, lower case
 * for Cyrillic, folded for csv_folds[].  Advances *p. */
static size_t csv_key_char(const unsigned char **p, char *out)
{
	const unsigned char *s = *p;
	size_t i, n;

	for (i = 0; i < sizeof(csv_folds) / sizeof(csv_folds[0]); i++) {
		n = strlen(csv_folds[i].from);
		if (strncmp((const char *)s, csv_folds[i].from, n) == 0) {
			*p += n;
			memcpy(out, csv_folds[i].to, strlen(csv_folds[i].to));
			return strlen(csv_folds[i].to);
		}
	}
	if (s[0] == 0xd0 && s[1] >= 0x80 && s[1] <= 0xaf) {
		/* Cyrillic capitals: U+0400-U+040F (D0 80-8F) to U+0450-U+045F
		 * (D1 90-9F), U+0410-U+041F (D0 90-9F) to U+0430-U+043F (D0
		 * B0-BF), U+0420-U+042F (D0 A0-AF) to U+0440-U+044F (D1 80-8F) */
		if (s[1] < 0x90) {
			out[0] = (char)0xd1;
			out[1] = (char)(s[1] + 0x10);
		} else if (s[1] < 0xa0) {
			out[0] = (char)0xd0;
			out[1] = (char)(s[1] + 0x20);
		} else {
			out[0] = (char)0xd1;
			out[1] = (char)(s[1] - 0x20);
		}
		*p += 2;
		return 2;
	}
	n = s[0] < 0x80 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	memcpy(out, s, n);
	*p += n;
	return n;
}

/*
 * Header cell h as a lookup key in out: ASCII and Cyrillic in lower
 * case, Serbian Latin diacritics dropped (č ć c, š s, ž z, đ dj), '_',
 * '-', '.' and ':' read as spaces, white space collapsed and trimmed.
 */
static void csv_header_key(const struct statement *st, const char *h, char *out, size_t outlen)
{
	char clean[STMT_KEY_MAX * 2];
	const unsigned char *p = (const unsigned char *)clean;
	size_t len = 0;
	int space = 0;

	stmt_text(st, clean, sizeof(clean), h, strlen(h));
	while (*p != '\0' && len + 5 < outlen) {
		if (*p == ' ' || *p == '_' || *p == '-' || *p == '.' || *p == ':') {
			space = len > 0;
			p++;
			continue;
		}
		if (space)
			out[len++] = ' ';
		space = 0;
		if (*p >= 'A' && *p <= 'Z')
			out[len++] = (char)(*p++ - 'A' + 'a');
		else
			len += csv_key_char(&p, out + len);
	}
	out[len] = '\0';
}

/* Recognises the header row in r: fills c and returns 1 when the
 * required columns are all there, else 0. */
static int csv_header(const struct statement *st, const struct csv *r, struct csv_cols *c)
{
	static const enum csv_col required[] = {COL_DATE, COL_PAYER, COL_REFERENCE};
	char key[STMT_KEY_MAX];
	size_t f, i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < COL__MAX; i++)
		c->col[i] = -1;
	for (f = 0; f < r->nfields; f++) {
		csv_header_key(st, r->fields[f], key, sizeof(key));
		for (i = 0; i < sizeof(csv_names) / sizeof(csv_names[0]); i++) {
			if (strcmp(key, csv_names[i].name) != 0 || c->col[csv_names[i].col] != -1)
				continue;
			c->col[csv_names[i].col] = (int)f;
			c->found++;
			break;
		}
	}
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (c->col[required[i]] < 0)
			return 0;
		if ((size_t)c->col[required[i]] + 1 > c->need)
			c->need = (size_t)c->col[required[i]] + 1;
	}
	i = c->col[COL_AMOUNT] >= 0 ? COL_AMOUNT : COL_CREDIT;
	if (c->col[i] < 0)
		return 0;
	if ((size_t)c->col[i] + 1 > c->need)
		c->need = (size_t)c->col[i] + 1;
	return 1;
}

/* Field of column kind k in record r, "" when absent. */
static const char *csv_field(const struct csv *r, const struct csv_cols *c, enum csv_col k)
{
	if (c->col[k] < 0 || (size_t)c->col[k] >= r->nfields)
		return "";
	return r->fields[c->col[k]];
}

static int csv_blank(const char *s)
{
	return s[strspn(s, " \t")] == '\0';
}

/*
 * The amount of record r: 1 with *para set for a credit, 0 when the line
 * is skipped (a debit, counted, or zero), -1 after recording an error.
 */
static int csv_amount(struct statement *st, const struct csv *r, const struct csv_cols *c,
		      long long *para)
{
	const char *credit, *debit, *why;
	char q[STMT_VALUE_MSG];
	long long v = 0;

	if (c->col[COL_AMOUNT] >= 0) {
		credit = csv_field(r, c, COL_AMOUNT);
		if (payment_amount_parse(credit, &v, &why) != 0) {
			stmt_err(st, r->line, "stmt.e_amount", stmt_quote(st, q, credit),
				 "amount \"%s\": %s", q, why);
			return -1;
		}
		if (v < 0)
			st->ndebits++;
		else if (v == 0)
			st->nskipped++;
		*para = v;
		return v > 0;
	}
	credit = csv_field(r, c, COL_CREDIT);
	debit = csv_field(r, c, COL_DEBIT);
	if (!csv_blank(credit)) {
		if (payment_amount_parse(credit, &v, &why) != 0 || v < 0) {
			stmt_err(st, r->line, "stmt.e_amount", stmt_quote(st, q, credit),
				 "credit \"%s\": %s", q, v < 0 ? "negative" : why);
			return -1;
		}
		if (v > 0) {
			*para = v;
			return 1;
		}
	}
	if (!csv_blank(debit)) {
		if (payment_amount_parse(debit, &v, &why) != 0) {
			stmt_err(st, r->line, "stmt.e_amount", stmt_quote(st, q, debit),
				 "debit \"%s\": %s", q, why);
			return -1;
		}
		if (v != 0) {
			st->ndebits++;
			return 0;
		}
	}
	if (csv_blank(credit) && csv_blank(debit)) {
		stmt_err(st, r->line, "stmt.e_no_amount", NULL,
			 "no amount in the credit or debit column");
		return -1;
	}
	st->nskipped++;
	return 0;
}

/* 1 when the currency s (may be "") is the dinar. */
static int csv_rsd(const char *s)
{
	static const char *const names[] = {"", "RSD", "rsd", "941", "DIN", "din", "Din"};
	char t[8];
	size_t i;

	payment_text_clean(t, sizeof(t), s, strlen(s));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(t, names[i]) == 0)
			return 1;
	return 0;
}

/* One data record.  Errors are recorded; returns -1 only when the file
 * must be refused (stmt_push). */
static int csv_record(struct statement *st, const struct csv *r, const struct csv_cols *c,
		      size_t *cap)
{
	struct stmt_line l;
	char q[STMT_VALUE_MSG], purpose[STMT_FIELD_MAX];
	const char *date, *s;
	size_t i;

	for (i = 0; i < r->nfields && csv_blank(r->fields[i]); i++)
		;
	if (i == r->nfields)
		return 0; /* ",,,," rows: spreadsheets pad with them */
	if (r->nfields < c->need) {
		char need[24];

		snprintf(need, sizeof(need), "%zu", c->need);
		stmt_err(st, r->line, "stmt.e_fields", need,
			 "%zu fields where the header has at least %zu", r->nfields, c->need);
		return 0;
	}
	memset(&l, 0, sizeof(l));
	l.line = r->line;
	if (csv_amount(st, r, c, &l.amount_para) <= 0)
		return 0;
	s = csv_field(r, c, COL_CURRENCY);
	if (!csv_rsd(s)) {
		stmt_err(st, r->line, "stmt.e_currency", stmt_quote(st, q, s),
			 "currency \"%s\": only RSD payments are imported", q);
		return 0;
	}
	date = csv_field(r, c, COL_DATE);
	if (payment_date_parse(date, l.date) != 0) {
		stmt_err(st, r->line, "stmt.e_date", stmt_quote(st, q, date),
			 "date \"%s\": expected YYYY-MM-DD or DD.MM.YYYY", q);
		return 0;
	}
	s = csv_field(r, c, COL_PAYER);
	stmt_text(st, l.payer, sizeof(l.payer), s, strlen(s));
	s = csv_field(r, c, COL_PURPOSE);
	stmt_text(st, purpose, sizeof(purpose), s, strlen(s));
	payment_text_clean(l.purpose, sizeof(l.purpose), purpose, strlen(purpose));
	s = csv_field(r, c, COL_ID);
	stmt_text(st, l.bank_id, sizeof(l.bank_id), s, strlen(s));
	s = csv_field(r, c, COL_MODEL);
	stmt_text(st, q, sizeof(q), s, strlen(s));
	stmt_reference(st, &l, q, csv_field(r, c, COL_REFERENCE), purpose);
	return stmt_push(st, &l, cap);
}

/* Refuses a file without a header row, naming what the row most like
 * one (best, on best_line) lacks. */
static int csv_no_header(struct statement *st, const struct csv_cols *best, size_t best_line)
{
	/* As a header may name them (csv_header reads both languages). */
	static const char *const names[COL__MAX] = {[COL_DATE] = "datum/date",
						    [COL_AMOUNT] = "iznos/amount",
						    [COL_PAYER] = "uplatilac/payer",
						    [COL_REFERENCE] = "poziv na broj/reference"};
	static const enum csv_col required[] = {COL_DATE, COL_AMOUNT, COL_PAYER, COL_REFERENCE};
	char missing[96] = "";
	size_t i;

	if (best->found == 0)
		return stmt_fatal(st, 0, "stmt.f_no_header", NULL,
				  "no header row naming date, amount, payer and reference in "
				  "the first %d rows",
				  STMT_HEADER_SEARCH);
	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (best->col[required[i]] >= 0 ||
		    (required[i] == COL_AMOUNT && best->col[COL_CREDIT] >= 0))
			continue;
		if (missing[0] != '\0')
			strcat(missing, ", ");
		strcat(missing, names[required[i]]);
	}
	return stmt_fatal(st, best_line, "stmt.f_header_missing", missing,
			  "the header row has no column for: %s", missing);
}

static int stmt_csv(const char *data, size_t len, struct statement *st)
{
	struct csv r;
	struct csv_cols cols, best;
	size_t rows = 0, cap = 0, best_line = 0, semicolon_line = 0, hint;
	const char *p;
	int rc = 0, found = 0, sep;

	st->cp1250 = stmt_is_cp1250(data, len);
	memset(&best, 0, sizeof(best));
	/* One allocation for a large file instead of a chain of copies: no
	 * more records than line breaks, and pages never written are never
	 * touched. */
	for (p = data, hint = 1; (p = memchr(p, '\n', len - (size_t)(p - data))) != NULL; p++)
		hint++;
	if (hint > STMT_MAX_LINES)
		hint = STMT_MAX_LINES;
	if (hint > 256 && (st->lines = malloc(hint * sizeof(*st->lines))) != NULL) {
		cap = hint;
		st->fixed = 1;
	}
	csv_init(&r, data, len);
	/* Comma-separated, or else semicolon-separated as spreadsheets in
	 * Serbian locales save CSV (amounts then use the decimal comma). */
	for (sep = 0; sep < 2 && !found; sep++) {
		csv_free(&r);
		csv_init_sep(&r, data, len, sep == 0 ? ',' : ';');
		rows = 0;
		while (!found && rows < STMT_HEADER_SEARCH && (rc = csv_next(&r)) == 1) {
			rows++;
			if (sep == 0 && semicolon_line == 0 && r.nfields == 1 &&
			    strchr(r.fields[0], ';') != NULL)
				semicolon_line = r.line;
			found = csv_header(st, &r, &cols);
			if (!found && cols.found > best.found) {
				best = cols;
				best_line = r.line;
			}
		}
		if (rc == -1 && sep == 0 && semicolon_line != 0)
			rc = 0; /* a quote that only looks wrong with ','; try ';' */
		if (rc == -1 || semicolon_line == 0)
			break;
	}
	if (rc == -1) {
		stmt_fatal(st, r.line, "stmt.f_csv", r.error, "%s", r.error);
		goto out;
	}
	if (!found) {
		if (rows == 0)
			stmt_fatal(st, 0, "stmt.f_empty", NULL, "the file is empty");
		else
			csv_no_header(st, &best, best_line);
		goto out;
	}
	while ((rc = csv_next(&r)) == 1)
		if (csv_record(st, &r, &cols, &cap) != 0)
			goto out;
	if (rc == -1)
		stmt_fatal(st, r.line, "stmt.f_csv", r.error, "%s", r.error);
out:
	csv_free(&r);
	return st->error[0] != '\0' ? -1 : 0;
}

/* ---- camt.053 ---- */

/* What a Ntry says that its transactions inherit. */
struct camt_entry {
	xmlNode *node;
	char amount[48], ccy[8], cdi[8], date[11], bank_id[64], info[140];
	size_t ntx; /* TxDtls in the entry */
};

static int camt_is(const xmlNode *n, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of n named name (namespace ignored), or NULL. */
static xmlNode *camt_child(const xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next)
		if (camt_is(c, name))
			return c;
	return NULL;
}

/* The element at path ("RltdPties/Dbtr/Nm") below n, or NULL. */
static xmlNode *camt_find(const xmlNode *n, const char *path)
{
	char name[32];
	size_t len;
	xmlNode *cur = NULL;

	while (n != NULL && *path != '\0') {
		len = strcspn(path, "/");
		if (len >= sizeof(name))
			return NULL;
		memcpy(name, path, len);
		name[len] = '\0';
		n = cur = camt_child(n, name);
		path += len + (path[len] == '/');
	}
	return cur;
}

/* The text directly inside n (text and CDATA children; entity
 * references are never expanded), cleaned into out. */
static void camt_text(const xmlNode *n, char *out, size_t outlen)
{
	char buf[STMT_FIELD_MAX] = "";
	size_t len = 0, k;
	xmlNode *c;

	for (c = n != NULL ? n->children : NULL; c != NULL; c = c->next) {
		if ((c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE) ||
		    c->content == NULL)
			continue;
		k = strlen((const char *)c->content);
		if (k > sizeof(buf) - len)
			k = sizeof(buf) - len;
		memcpy(buf + len, c->content, k);
		len += k;
	}
	payment_text_clean(out, outlen, buf, len);
}

/* Text of the first of the paths below n that holds any, into out. */
static void camt_first(const xmlNode *n, const char *const *paths, char *out, size_t outlen)
{
	out[0] = '\0';
	for (; *paths != NULL && out[0] == '\0'; paths++)
		camt_text(camt_find(n, *paths), out, outlen);
}

/* The Ccy attribute of an Amt element into out. */
static void camt_ccy(const xmlNode *amt, char *out, size_t outlen)
{
	xmlChar *v = xmlGetNoNsProp(amt, (const xmlChar *)"Ccy");

	payment_text_clean(out, outlen, v != NULL ? (const char *)v : "",
			   v != NULL ? strlen((const char *)v) : 0);
	xmlFree(v);
}

/* BookgDt, else ValDt, of entry n as YYYY-MM-DD into out ("" if none). */
static void camt_date(const xmlNode *n, char out[11])
{
	static const char *const paths[] = {"BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm",
					    NULL};
	char text[40];

	camt_first(n, paths, text, sizeof(text));
	if (strlen(text) > 10 && text[10] == 'T')
		text[10] = '\0'; /* DtTm: 2024-11-25T10:00:00 */
	if (payment_date_parse(text, out) != 0)
		out[0] = '\0';
}

/* Joins every RmtInf/Ustrd of tx with spaces, cleaned into out. */
static void camt_ustrd(const xmlNode *tx, char *out, size_t outlen)
{
	char joined[STMT_FIELD_MAX], part[STMT_FIELD_MAX];
	xmlNode *rmt = camt_find(tx, "RmtInf"), *c;
	size_t len = 0, n;

	for (c = rmt != NULL ? rmt->children : NULL; c != NULL; c = c->next) {
		if (!camt_is(c, "Ustrd"))
			continue;
		camt_text(c, part, sizeof(part));
		n = strlen(part);
		if (n == 0)
			continue;
		if (len + 1 + n >= sizeof(joined))
			break;
		if (len > 0)
			joined[len++] = ' ';
		memcpy(joined + len, part, n);
		len += n;
	}
	payment_text_clean(out, outlen, joined, len);
}

/* The first non-empty RmtInf/Strd/CdtrRefInf/Ref of tx into out. */
static void camt_strd_ref(const xmlNode *tx, char *out, size_t outlen)
{
	xmlNode *rmt = camt_find(tx, "RmtInf"), *c;

	out[0] = '\0';
	for (c = rmt != NULL ? rmt->children : NULL; c != NULL && out[0] == '\0'; c = c->next)
		if (camt_is(c, "Strd"))
			camt_text(camt_find(c, "CdtrRefInf/Ref"), out, outlen);
}

/* The bank's id of transaction tx (the idx-th of entry e), statement.h. */
static void camt_bank_id(const struct camt_entry *e, const xmlNode *tx, size_t idx, char *out,
			 size_t outlen)
{
	char v[64], part[41];

	camt_text(camt_find(tx, "Refs/AcctSvcrRef"), out, outlen);
	if (out[0] != '\0')
		return;
	if (e->bank_id[0] != '\0') {
		/* part: at most 40 bytes, cut at a character boundary */
		payment_text_clean(part, sizeof(part), e->bank_id, strlen(e->bank_id));
		if (e->ntx <= 1)
			payment_text_clean(out, outlen, e->bank_id, strlen(e->bank_id));
		else
			snprintf(out, outlen, "%s#%zu", part, idx + 1);
		return;
	}
	camt_text(camt_find(tx, "Refs/EndToEndId"), v, sizeof(v));
	if (v[0] == '\0' || strcmp(v, "NOTPROVIDED") == 0)
		camt_text(camt_find(tx, "Refs/TxId"), v, sizeof(v));
	snprintf(out, outlen, "%s", v);
}

/*
 * One transaction: tx (NULL for an entry without details), the idx-th of
 * entry e.  Errors are recorded; -1 only when the file must be refused.
 */
static int camt_tx(struct statement *st, const struct camt_entry *e, const xmlNode *tx, size_t idx,
		   size_t *cap)
{
	static const char *const amounts[] = {"Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt",
					      NULL};
	static const char *const payers[] = {"RltdPties/Dbtr/Nm", "RltdPties/Dbtr/Pty/Nm",
					     "RltdPties/UltmtDbtr/Nm", "RltdPties/UltmtDbtr/Pty/Nm",
					     NULL};
	char amount[48], ccy[8], cdi[8], ref[STMT_FIELD_MAX], ustrd[STMT_FIELD_MAX];
	char q[STMT_VALUE_MSG];
	const char *why, *const *p;
	xmlNode *n = NULL;
	struct stmt_line l;
	long line;

	memset(&l, 0, sizeof(l));
	line = xmlGetLineNo(tx != NULL ? tx : e->node);
	l.line = line > 0 ? (size_t)line : 0;
	for (p = amounts; tx != NULL && *p != NULL && n == NULL; p++)
		n = camt_find(tx, *p);
	if (n != NULL) {
		camt_text(n, amount, sizeof(amount));
		camt_ccy(n, ccy, sizeof(ccy));
	} else if (e->ntx <= 1) {
		snprintf(amount, sizeof(amount), "%s", e->amount);
		snprintf(ccy, sizeof(ccy), "%s", e->ccy);
	} else {
		stmt_err(st, l.line, "stmt.e_no_amount", NULL,
			 "transaction %zu of a batch entry has no amount", idx + 1);
		return 0;
	}
	camt_text(camt_child(tx, "CdtDbtInd"), cdi, sizeof(cdi));
	if (cdi[0] == '\0')
		snprintf(cdi, sizeof(cdi), "%s", e->cdi);
	if (strcmp(cdi, "DBIT") == 0) {
		st->ndebits++;
		return 0;
	}
	if (strcmp(cdi, "CRDT") != 0) {
		stmt_err(st, l.line, "stmt.e_cdi", cdi, "CdtDbtInd \"%s\": expected CRDT or DBIT",
			 cdi);
		return 0;
	}
	if (strcmp(ccy, "RSD") != 0) {
		stmt_err(st, l.line, "stmt.e_currency", ccy,
			 "currency \"%s\": only RSD payments are imported", ccy);
		return 0;
	}
	if (payment_amount_parse(amount, &l.amount_para, &why) != 0 || l.amount_para < 0) {
		stmt_err(st, l.line, "stmt.e_amount", stmt_quote(st, q, amount),
			 "amount \"%s\": %s", q, l.amount_para < 0 ? "negative" : why);
		return 0;
	}
	if (l.amount_para == 0) {
		st->nskipped++;
		return 0;
	}
	if (e->date[0] == '\0') {
		stmt_err(st, l.line, "stmt.e_date", NULL,
			 "the entry has no valid BookgDt or ValDt date");
		return 0;
	}
	memcpy(l.date, e->date, sizeof(l.date));
	camt_first(tx, payers, l.payer, sizeof(l.payer));
	camt_ustrd(tx, ustrd, sizeof(ustrd));
	payment_text_clean(l.purpose, sizeof(l.purpose), ustrd, strlen(ustrd));
	if (l.purpose[0] == '\0')
		camt_text(camt_child(tx, "AddtlTxInf"), l.purpose, sizeof(l.purpose));
	if (l.purpose[0] == '\0')
		payment_text_clean(l.purpose, sizeof(l.purpose), e->info, strlen(e->info));
	camt_strd_ref(tx, ref, sizeof(ref));
	stmt_reference(st, &l, "", ref, ustrd[0] != '\0' ? ustrd : l.purpose);
	/* Ustrd holding nothing but a reference written without the model */
	if (ref[0] == '\0' && !l.ref97 && ustrd[0] != '\0')
		l.ref97 = payment_ref_normalize(ustrd, l.reference, sizeof(l.reference)) == 1;
	camt_bank_id(e, tx, idx, l.bank_id, sizeof(l.bank_id));
	return stmt_push(st, &l, cap);
}

/* One Ntry.  -1 only when the file must be refused. */
static int camt_entry(struct statement *st, xmlNode *ntry, size_t *cap)
{
	struct camt_entry e;
	char status[16];
	xmlNode *d, *tx, *amt;
	size_t idx = 0;

	memset(&e, 0, sizeof(e));
	e.node = ntry;
	camt_text(camt_child(ntry, "Sts"), status, sizeof(status));
	if (status[0] == '\0')
		camt_text(camt_find(ntry, "Sts/Cd"), status, sizeof(status));
	camt_text(camt_child(ntry, "RvslInd"), e.info, sizeof(e.info));
	if ((status[0] != '\0' && strcmp(status, "BOOK") != 0) || strcmp(e.info, "true") == 0 ||
	    strcmp(e.info, "1") == 0) {
		st->nskipped++;
		return 0;
	}
	amt = camt_child(ntry, "Amt");
	camt_text(amt, e.amount, sizeof(e.amount));
	camt_ccy(amt, e.ccy, sizeof(e.ccy));
	camt_text(camt_child(ntry, "CdtDbtInd"), e.cdi, sizeof(e.cdi));
	camt_date(ntry, e.date);
	camt_text(camt_child(ntry, "AcctSvcrRef"), e.bank_id, sizeof(e.bank_id));
	camt_text(camt_child(ntry, "AddtlNtryInf"), e.info, sizeof(e.info));
	for (d = ntry->children; d != NULL; d = d->next)
		if (camt_is(d, "NtryDtls"))
			for (tx = d->children; tx != NULL; tx = tx->next)
				e.ntx += camt_is(tx, "TxDtls");
	if (e.ntx == 0)
		return camt_tx(st, &e, NULL, 0, cap);
	for (d = ntry->children; d != NULL; d = d->next) {
		if (!camt_is(d, "NtryDtls"))
			continue;
		for (tx = d->children; tx != NULL; tx = tx->next)
			if (camt_is(tx, "TxDtls") && camt_tx(st, &e, tx, idx++, cap) != 0)
				return -1;
	}
	return 0;
}

/* What the parser hooks below saw. */
struct camt_seen {
	int doctype;    /* a DOCTYPE was met */
	int error_line; /* the first error's line, 0 when none */
	char error[128];
};

/* SAX hook: a DOCTYPE stops the parse before any declaration in it is
 * read, so no entity (internal or external) is ever defined. */
static void camt_no_doctype(void *ctx, const xmlChar *name, const xmlChar *ext_id,
			    const xmlChar *sys_id)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct camt_seen *seen = ctxt->_private;

	seen->doctype = 1;
	xmlStopParser(ctxt);
}

/* Error hook: keeps the first error (libxml2's last one is often only
 * "premature end of data" that follows from it). */
static void camt_error(void *ctx, xmlErrorPtr err)
{
	xmlParserCtxtPtr ctxt = ctx;
	struct camt_seen *seen = ctxt->_private;

	if (seen->error[0] != '\0' || err == NULL || err->message == NULL ||
	    err->level < XML_ERR_ERROR)
		return;
	/* the message may quote the document: cut at a character boundary */
	payment_text_clean(seen->error, sizeof(seen->error), err->message, strlen(err->message));
	seen->error_line = err->line;
}

/* Parses the XML; NULL with st->error set when it is refused. */
static xmlDoc *camt_read(const char *data, size_t len, struct statement *st)
{
	const int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			 XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES;
	struct camt_seen seen;
	xmlParserCtxtPtr ctxt;
	xmlDoc *doc;

	memset(&seen, 0, sizeof(seen));
	if ((ctxt = xmlNewParserCtxt()) == NULL) {
		stmt_fatal(st, 0, "stmt.f_memory", NULL, "out of memory");
		return NULL;
	}
	ctxt->_private = &seen;
	ctxt->sax->internalSubset = camt_no_doctype;
	ctxt->sax->serror = camt_error;
	doc = xmlCtxtReadMemory(ctxt, data, (int)len, "statement.xml", NULL, opts);
	if (seen.doctype)
		stmt_fatal(st, 0, "stmt.f_doctype", NULL,
			   "a DOCTYPE is not allowed in a bank statement");
	else if (doc == NULL && seen.error[0] != '\0')
		stmt_fatal(st, seen.error_line > 0 ? (size_t)seen.error_line : 0, "stmt.f_xml",
			   seen.error, "not well-formed XML: %s", seen.error);
	else if (doc == NULL)
		stmt_fatal(st, 0, "stmt.f_xml", NULL, "not well-formed XML");
	if (st->error[0] != '\0' && doc != NULL) {
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

static int stmt_camt(const char *data, size_t len, struct statement *st)
{
	xmlNode *root, *bk, *s, *n;
	xmlDoc *doc;
	size_t cap = 0;
	int rc = 0;

	if ((doc = camt_read(data, len, st)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (!camt_is(root, "Document") || (bk = camt_child(root, "BkToCstmrStmt")) == NULL) {
		stmt_fatal(st, 0, "stmt.f_not_camt", NULL,
			   "not a camt.053 statement (no Document/BkToCstmrStmt)");
		rc = -1;
		goto out;
	}
	for (s = bk->children; s != NULL && rc == 0; s = s->next) {
		if (!camt_is(s, "Stmt"))
			continue;
		for (n = s->children; n != NULL && rc == 0; n = n->next)
			if (camt_is(n, "Ntry"))
				rc = camt_entry(st, n, &cap);
	}
out:
	xmlFreeDoc(doc);
	return rc;
}

/* ---- entry point ---- */

/* camt.053 when the first byte after a BOM and white space is '<'. */
static enum stmt_format stmt_detect(const char *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n'))
		i++;
	return i < len && data[i] == '<' ? STMT_CAMT053 : STMT_CSV;
}

static int stmt_read(const char *data, size_t len, enum stmt_format fmt, struct statement *st)
{
	int rc;

	if (len > STMT_MAX_BYTES)
		return stmt_fatal(st, 0, "stmt.f_too_large", STMT_STR(STMT_MAX_MIB),
				  "the file is larger than %u MiB",
				  STMT_MAX_BYTES / (1024u * 1024u));
	if ((int)fmt < 0 || fmt >= STMT__MAX)
		return stmt_fatal(st, 0, "stmt.f_format", NULL, "unknown statement format");
	if (fmt == STMT_AUTO)
		fmt = stmt_detect(data, len);
	st->format = fmt;
	rc = fmt == STMT_CSV ? stmt_csv(data, len, st) : stmt_camt(data, len, st);
	return rc == 0 ? stmt_fingerprints(st) : rc;
}

int stmt_run(const char *data, size_t len, enum stmt_format fmt, struct statement *st)
{
	int rc;

	if (data == NULL) {
		data = "";
		len = 0;
	}
	rc = stmt_read(data, len, fmt, st);
	free(st->fp_slots);
	st->fp_slots = NULL;
	/* Last: a consumer has the first lines meanwhile. */
	sha256_hex(data, len, st->sha256);
	return rc;
}

void stmt_drop_lines(struct statement *st)
{
	free(st->lines);
	st->lines = NULL;
	st->nlines = 0;
}

int statement_parse(const char *data, size_t len, enum stmt_format fmt, struct statement *st)
{
	memset(st, 0, sizeof(*st));
	if (stmt_run(data, len, fmt, st) != 0) {
		stmt_drop_lines(st);
		return -1;
	}
	return 0;
}
