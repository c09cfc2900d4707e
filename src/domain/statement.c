/*
 * Bank statement import: a CSV export (statement_csv.c) or camt.053 XML
 * (statement_camt.c) into credit lines with stable fingerprints.
 * Formats and rules are in statement.h.  Here: what the formats share
 * (results, text, fingerprints) and the entry point.  Each format fills
 * one struct stmt_line per credit and hands it to stmt_push();
 * fingerprints are computed in file order, since a line's
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

#include "domain/statement_int.h"
#include "util/sha256.h"

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

/* ---- results ---- */

void stmt_err(struct statement *st, size_t line, const char *key, const char *arg, const char *fmt,
	      ...)
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

int stmt_fatal(struct statement *st, size_t line, const char *key, const char *arg, const char *fmt,
	       ...)
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

int stmt_push(struct statement *st, const struct stmt_line *l, size_t *cap)
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

void stmt_text(const struct statement *st, char *out, size_t outlen, const char *s, size_t n)
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

const char *stmt_quote(const struct statement *st, char buf[STMT_VALUE_MSG], const char *s)
{
	stmt_text(st, buf, STMT_VALUE_MSG, s, strlen(s));
	return buf;
}

void stmt_reference(const struct statement *st, struct stmt_line *l, const char *model,
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
