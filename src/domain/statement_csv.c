/*
 * Bank statements in CSV (statement.h): the header row found among the
 * first rows, its columns recognised by name, one credit line per
 * record; Windows-1250 files decoded.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/csv.h"
#include "domain/statement.h"
#include "domain/statement_int.h"
#include "util/bigmem.h"
#include "util/escape.h"

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

/* Refuses the file for the CSV reader's error, a catalogue sentence for
 * each kind ("stmt.f_csv" with the English detail for any other). */
static void csv_refuse(struct statement *st, const struct csv *r)
{
	static const char *const keys[] = {
		[CSV_E_MEMORY] = "stmt.f_memory",
		[CSV_E_UNTERMINATED] = "stmt.f_csv_unterminated",
		[CSV_E_NUL] = "stmt.f_csv_nul",
		[CSV_E_AFTER_QUOTE] = "stmt.f_csv_after_quote",
		[CSV_E_QUOTE_INSIDE] = "stmt.f_csv_quote_inside",
		[CSV_E_FIELDS] = "stmt.f_csv_fields",
	};
	const char *key = (size_t)r->err < sizeof(keys) / sizeof(keys[0]) && keys[r->err] != NULL
				  ? keys[r->err]
				  : "stmt.f_csv";

	stmt_fatal(st, r->line, key, r->err == CSV_E_FIELDS ? STMT_STR(CSV_MAX_FIELDS) : r->error,
		   "%s", r->error);
}

int stmt_csv(const char *data, size_t len, struct statement *st)
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
		bigmem_hint(st->lines, hint * sizeof(*st->lines));
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
		csv_refuse(st, &r);
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
		csv_refuse(st, &r);
out:
	csv_free(&r);
	return st->error[0] != '\0' ? -1 : 0;
}
