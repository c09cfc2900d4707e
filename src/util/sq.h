/*
 * Binding and stepping SQLite statements with every result checked, for
 * the portal's store (src/store) and the CA's database (src/ca/ca_db.c).
 *
 * A bind that fails (SQLITE_TOOBIG, SQLITE_RANGE, SQLITE_NOMEM) is kept,
 * with its parameter, for the statement; sq_step() then refuses to run
 * that statement and returns the bind's code, so the caller's ordinary
 * error path takes it: a value that could not be bound is never written
 * or looked up as NULL.  Cheap enough for every call: no allocation, one
 * comparison per bind and per step.
 *
 * The failure is kept per thread, for the last statement a bind failed
 * on: bind one statement, then step it, as the store and the CA do.
 * Binds and steps go through these functions only (the tests check
 * src/ for direct calls: tests/tools/check-sqlite-calls.sh).
 */
#ifndef QCRA_UTIL_SQ_H
#define QCRA_UTIL_SQ_H

#include <stddef.h>

#include <sqlite3.h>

#include "util/sqarg.h"

void sq_bind_null(sqlite3_stmt *s, int i);
void sq_bind_int(sqlite3_stmt *s, int i, int v);
void sq_bind_int64(sqlite3_stmt *s, int i, long long v);
/* v NUL-terminated, NULL binds NULL.  Not copied: v must stay as it is
 * until the statement is reset. */
void sq_bind_text(sqlite3_stmt *s, int i, const char *v);
/* n bytes at v, not copied (as for text); NULL binds NULL. */
void sq_bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n);
/* n bytes at v, copied (v may go before the step). */
void sq_bind_blob_copy(sqlite3_stmt *s, int i, const void *v, size_t n);

/* The parameter list of sq_bind_list: util/sqarg.h. */
/* Binds args to s's parameters 1, 2, ... */
void sq_bind_list(sqlite3_stmt *s, const struct sq_arg *args);

/* sqlite3_step(s), unless a bind of s failed: then that bind's code
 * (never SQLITE_ROW or SQLITE_DONE), without running s. */
int sq_step(sqlite3_stmt *s);

/* Logs why s failed: "who: what: " and the bind that failed (parameter
 * and SQLite's reason; never the value), else the connection's error
 * message.  what NULL: the start of the statement's SQL.  Forgets the
 * failed bind. */
void sq_warn(sqlite3_stmt *s, const char *who, const char *what);

/* Forgets a failed bind of s: s is reset, finalised or handed out anew. */
void sq_forget(sqlite3_stmt *s);

/* sq_step(s), logging through sq_warn(s, who, NULL) when the result is
 * neither SQLITE_ROW nor SQLITE_DONE.  Returns sq_step's code. */
int sq_step_warn(sqlite3_stmt *s, const char *who);

/* Resets s for its next use: reset, bindings cleared, a failed bind
 * forgotten.  The step's result is already taken (sqlite3_reset only
 * repeats it); clearing the bindings cannot fail. */
void sq_done(sqlite3_stmt *s);

/*
 * Prepares sql on db, whole: one statement, or NULL (logged as
 * "who: prepare ...") on an error or when sql holds more than one.
 * The SQL may use PostgreSQL's $N parameters: SQLite numbers "$N" by
 * first appearance but "?N" by N, so they are rewritten in a copy
 * first (SQL without them is prepared as it is).  flags as for
 * sqlite3_prepare_v3 (SQLITE_PREPARE_PERSISTENT for a statement kept).
 * The caller finalises the statement.
 */
sqlite3_stmt *sq_prepare(sqlite3 *db, const char *sql, unsigned flags, const char *who);

/* Runs sql (one or more statements, nothing bound).  0, or -1 with
 * SQLite's message in err. */
int sq_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* Copies column i of the current row into dst[size], cut to fit and at
 * an embedded NUL (as snprintf "%s" would, without its cost: an order
 * row has 30 text columns); NULL reads as "". */
void sq_col_text(sqlite3_stmt *s, int i, char *dst, size_t size);

/* Copies the SQLite database src into a new file dst with SQLite's
 * online backup: the database as of one commit, while others go on
 * writing.  0, or -1 with err. */
int sq_backup_file(const char *src, const char *dst, char *err, size_t errlen);

#endif
