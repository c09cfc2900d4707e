/*
 * RFC 4180 CSV reader over a memory buffer.  Fields separated by ','
 * (or by ';', csv_init_sep),
 * records by CRLF or LF; a field may be quoted with '"', inside which
 * '""' is a quote and commas and line breaks are literal.  A UTF-8 BOM
 * at the start is skipped.  Fields are NUL-terminated copies in the
 * reader's own storage, valid until the next csv_next().
 */
#ifndef QCRA_CSV_H
#define QCRA_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 64

/* Why a reader failed (struct csv.err), for messages in other languages. */
enum csv_err {
	CSV_OK,
	CSV_E_MEMORY,       /* out of memory */
	CSV_E_UNTERMINATED, /* a quoted field never closed */
	CSV_E_NUL,          /* a NUL byte */
	CSV_E_AFTER_QUOTE,  /* text after the closing quote of a field */
	CSV_E_QUOTE_INSIDE, /* a quote inside an unquoted field */
	CSV_E_FIELDS,       /* more than CSV_MAX_FIELDS fields */
};

struct csv {
	const char *data;
	size_t len, pos;
	char sep;         /* ',' (RFC 4180), or ';' as spreadsheets write it in Serbia */
	size_t line;      /* 1-based line where the current record started */
	size_t next_line; /* line at pos (internal) */
	char *store;      /* field storage (malloc'd) */
	size_t store_cap;
	char *fields[CSV_MAX_FIELDS];
	size_t nfields;
	char error[128];  /* why the reader failed, English */
	enum csv_err err; /* the same as a code, CSV_OK while it has not */
};

void csv_init(struct csv *r, const char *data, size_t len);
/* The same with fields separated by sep (',' or ';'). */
void csv_init_sep(struct csv *r, const char *data, size_t len, char sep);
void csv_free(struct csv *r);
/* Reads the next record into r->fields / r->nfields.  Returns 1 for a
 * record, 0 at end of input, -1 on malformed input (an unterminated
 * quote, a quote inside an unquoted field, text after a closing quote,
 * more than CSV_MAX_FIELDS fields, a NUL byte) with r->error and r->line
 * set: r->line is then the line of the fault (for an unterminated quote,
 * the line where the quote opened), and every later call returns -1.
 * Blank lines are skipped. */
int csv_next(struct csv *r);

#endif
