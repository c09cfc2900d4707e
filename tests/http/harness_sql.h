/*
 * SQL on a test server's database, whichever it is (s->database:
 * SQLite's VAR/qcra.db, or in a `_pg` run a PostgreSQL database), for
 * what a test does behind the portal's back: age an order, forge an
 * audit entry, seed rows, read a column no page shows.
 */
#ifndef QCRA_TEST_HARNESS_SQL_H
#define QCRA_TEST_HARNESS_SQL_H

#include "harness.h"

/*
 * Runs sql with params as $1, $2, ... (text, NULL-ended; params may be
 * NULL: then sql may be several statements, separated by ';').  Returns
 * the first column of the first row the (last) statement gave as a new
 * string ("" when no row; caller frees), or NULL after saying why on
 * stderr.
 */
char *server_sql(const struct server *s, const char *sql, const char *const *params);

/* server_sql that fails the test (cmocka) when sql fails. */
char *server_sql_ok(const struct server *s, const char *sql, const char *const *params);

/* PostgreSQL only (a `_pg` run): allow = 0 takes s's database away from
 * every client (ALLOW_CONNECTIONS false, its sessions ended), as a
 * database server that went down; allow = 1 gives it back.  Fails the
 * test when psql does. */
void server_pg_allow(const struct server *s, int allow);

#endif
