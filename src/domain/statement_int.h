/*
 * Inside the statement parser: shared by statement.c (results, text,
 * fingerprints, the entry point), statement_csv.c, statement_camt.c and
 * the threaded driver statement_async.c; not for other modules.
 */
#ifndef QCRA_STATEMENT_INT_H
#define QCRA_STATEMENT_INT_H

#include "domain/statement.h"

#define STMT_VALUE_MSG 48   /* bytes of an offending value quoted in a message */
#define STMT_FIELD_MAX 1024 /* bytes of a field looked at (decoded, joined) */
#define STMT_KEY_MAX 64     /* bytes of a normalised CSV header name */

#define STMT_STR_(x) #x
#define STMT_STR(x) STMT_STR_(x)

/* The formats: each fills one struct stmt_line per credit and hands it
 * to stmt_push().  0, or -1 with st->error set. */
int stmt_csv(const char *data, size_t len, struct statement *st);
int stmt_camt(const char *data, size_t len, struct statement *st);

/* Records a line error (the first STMT_MAX_ERRORS are kept): key and
 * arg for the message catalogue, fmt for the English text. */
void stmt_err(struct statement *st, size_t line, const char *key, const char *arg, const char *fmt,
	      ...) __attribute__((format(printf, 5, 6)));
/* Refuses the whole file (the first reason given stays).  Returns -1. */
int stmt_fatal(struct statement *st, size_t line, const char *key, const char *arg, const char *fmt,
	       ...) __attribute__((format(printf, 5, 6)));
/* Appends a copy of l to st->lines (*cap: its allocated size).  0, or
 * -1 (refused: too many lines, out of memory). */
int stmt_push(struct statement *st, const struct stmt_line *l, size_t *cap);

/* Cleans the n bytes at s into out (payment_text_clean), decoding them
 * from Windows-1250 first when the file is in that code page. */
void stmt_text(const struct statement *st, char *out, size_t outlen, const char *s, size_t n);
/* The value s cleaned and shortened for quoting in a message. */
const char *stmt_quote(const struct statement *st, char buf[STMT_VALUE_MSG], const char *s);
/* Sets l->reference and l->ref97 from the reference as written (ref,
 * may be ""), a model written apart (model, may be "") and free text
 * that may hold a reference (text, may be "", searched only when no
 * reference is given). */
void stmt_reference(const struct statement *st, struct stmt_line *l, const char *model,
		    const char *ref, const char *text);

/* statement_parse() without clearing *st first or dropping the lines of
 * a refused file: 0 or -1. */
int stmt_run(const char *data, size_t len, enum stmt_format fmt, struct statement *st);

/* Frees the lines of a refused file. */
void stmt_drop_lines(struct statement *st);

/* Called by the parser: lines [0, n) are final, fingerprints set. */
void stmt_async_publish(struct stmt_async *a, size_t n);

#endif
