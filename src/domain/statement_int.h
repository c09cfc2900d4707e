/*
 * Between the statement parser (statement.c) and its threaded driver
 * (statement_async.c); not for other modules.
 */
#ifndef QCRA_STATEMENT_INT_H
#define QCRA_STATEMENT_INT_H

#include "domain/statement.h"

/* statement_parse() without clearing *st first or dropping the lines of
 * a refused file: 0 or -1. */
int stmt_run(const char *data, size_t len, enum stmt_format fmt, struct statement *st);

/* Frees the lines of a refused file. */
void stmt_drop_lines(struct statement *st);

/* Called by the parser: lines [0, n) are final, fingerprints set. */
void stmt_async_publish(struct stmt_async *a, size_t n);

#endif
