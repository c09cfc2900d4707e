/*
 * RFC 4180 CSV reader.  One record per csv_next(); fields are copied,
 * unquoted, into r->store, which grows as needed and is reused from
 * record to record.  Beyond RFC 4180 it accepts LF alone as a line
 * break (section 2 asks for CRLF; spreadsheets on Unix write LF) and a
 * leading UTF-8 BOM (Excel writes one).  A CR that ends neither a line
 * nor the input is ordinary data.
 */
#include "domain/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void csv_init(struct csv *r, const char *data, size_t len)
{
	csv_init_sep(r, data, len, ',');
}

void csv_init_sep(struct csv *r, const char *data, size_t len, char sep)
{
	memset(r, 0, sizeof(*r));
	r->data = data;
	r->len = len;
	r->sep = sep;
	r->line = 1;
	r->next_line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

void csv_free(struct csv *r)
{
	if (r == NULL)
		return;
	free(r->store);
	r->store = NULL;
	r->store_cap = 0;
	r->nfields = 0;
}

/* Length of the line break at pos: 2 for CRLF, 1 for LF or a CR ending
 * the input, 0 for anything else. */
static size_t csv_eol(const struct csv *r, size_t pos)
{
	if (pos >= r->len)
		return 0;
	if (r->data[pos] == '\n')
		return 1;
	if (r->data[pos] != '\r')
		return 0;
	if (pos + 1 == r->len)
		return 1;
	return r->data[pos + 1] == '\n' ? 2 : 0;
}

/* Records the error; the reader stays failed.  Always returns -1. */
static int csv_fail(struct csv *r, size_t line, enum csv_err err, const char *why)
{
	snprintf(r->error, sizeof(r->error), "%s", why);
	r->err = err;
	r->line = line;
	r->nfields = 0;
	r->pos = r->len;
	return -1;
}

/* Appends c at r->store[*used], growing the store.  0, or -1 when out
 * of memory (with r->error set). */
static int csv_put(struct csv *r, size_t *used, char c)
{
	size_t cap;
	char *p;

	if (*used == r->store_cap) {
		cap = r->store_cap ? r->store_cap * 2 : 256;
		if (cap < r->store_cap || (p = realloc(r->store, cap)) == NULL)
			return csv_fail(r, r->next_line, CSV_E_MEMORY, "out of memory");
		r->store = p;
		r->store_cap = cap;
	}
	r->store[(*used)++] = c;
	return 0;
}

/* Reads a quoted field whose opening quote is at r->pos.  0 or -1. */
static int csv_quoted(struct csv *r, size_t *used)
{
	size_t open_line = r->next_line;
	char c;

	r->pos++;
	for (;;) {
		if (r->pos >= r->len)
			return csv_fail(r, open_line, CSV_E_UNTERMINATED,
					"unterminated quoted field");
		c = r->data[r->pos];
		if (c == '"') {
			if (r->pos + 1 < r->len && r->data[r->pos + 1] == '"') {
				r->pos += 2;
				if (csv_put(r, used, '"') == -1)
					return -1;
				continue;
			}
			r->pos++;
			break;
		}
		if (c == '\0')
			return csv_fail(r, r->next_line, CSV_E_NUL, "NUL byte in input");
		if (c == '\n')
			r->next_line++;
		r->pos++;
		if (csv_put(r, used, c) == -1)
			return -1;
	}
	if (r->pos < r->len && r->data[r->pos] != r->sep && csv_eol(r, r->pos) == 0)
		return csv_fail(r, r->next_line, CSV_E_AFTER_QUOTE,
				"text after the closing quote of a field");
	return 0;
}

/* Reads an unquoted field starting at r->pos.  0 or -1. */
static int csv_unquoted(struct csv *r, size_t *used)
{
	char c;

	while (r->pos < r->len && r->data[r->pos] != r->sep && csv_eol(r, r->pos) == 0) {
		c = r->data[r->pos];
		if (c == '"')
			return csv_fail(r, r->next_line, CSV_E_QUOTE_INSIDE,
					"quote inside an unquoted field");
		if (c == '\0')
			return csv_fail(r, r->next_line, CSV_E_NUL, "NUL byte in input");
		r->pos++;
		if (csv_put(r, used, c) == -1)
			return -1;
	}
	return 0;
}

/*
 * Field i is stored at offset offs[i] while reading, since the store may
 * move as it grows; the pointers are set once the record is complete.
 */
int csv_next(struct csv *r)
{
	size_t offs[CSV_MAX_FIELDS], used = 0, eol, i;
	char msg[64];
	int rc;

	if (r->error[0] != '\0')
		return -1;
	r->nfields = 0;
	while ((eol = csv_eol(r, r->pos)) != 0) {
		r->pos += eol;
		r->next_line++;
	}
	if (r->pos >= r->len)
		return 0;
	r->line = r->next_line;
	for (;;) {
		if (r->nfields == CSV_MAX_FIELDS) {
			snprintf(msg, sizeof(msg), "more than %d fields in a record",
				 CSV_MAX_FIELDS);
			return csv_fail(r, r->next_line, CSV_E_FIELDS, msg);
		}
		offs[r->nfields++] = used;
		if (r->pos < r->len && r->data[r->pos] == '"')
			rc = csv_quoted(r, &used);
		else
			rc = csv_unquoted(r, &used);
		if (rc == -1 || csv_put(r, &used, '\0') == -1)
			return -1;
		if (r->pos < r->len && r->data[r->pos] == r->sep) {
			r->pos++;
			continue;
		}
		eol = csv_eol(r, r->pos);
		if (eol != 0) {
			r->pos += eol;
			r->next_line++;
		}
		break;
	}
	for (i = 0; i < r->nfields; i++)
		r->fields[i] = r->store + offs[i];
	return 1;
}
