/*
 * Binding and stepping SQLite statements with every result checked
 * (sq.h).  The only place in src/ that calls SQLite's bind and step
 * functions.
 */
#include "util/sq.h"

#include <stdio.h>

#include "util/log.h"

/* The statement of this thread whose bind failed last, the parameter
 * and SQLite's code: only the first failure of a statement is kept. */
static _Thread_local struct {
	sqlite3_stmt *s;
	int param, rc;
} failed;

static void check(sqlite3_stmt *s, int i, int rc)
{
	if (rc != SQLITE_OK && failed.s != s) {
		failed.s = s;
		failed.param = i;
		failed.rc = rc;
	}
}

void sq_bind_null(sqlite3_stmt *s, int i)
{
	check(s, i, sqlite3_bind_null(s, i));
}

void sq_bind_int(sqlite3_stmt *s, int i, int v)
{
	check(s, i, sqlite3_bind_int(s, i, v));
}

void sq_bind_int64(sqlite3_stmt *s, int i, long long v)
{
	check(s, i, sqlite3_bind_int64(s, i, (sqlite3_int64)v));
}

void sq_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		check(s, i, sqlite3_bind_null(s, i));
	else
		check(s, i, sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC));
}

/* sqlite3_bind_blob64: a size_t never wraps into a negative int length;
 * over SQLITE_LIMIT_LENGTH it is SQLITE_TOOBIG. */
void sq_bind_blob(sqlite3_stmt *s, int i, const void *v, size_t n)
{
	if (v == NULL)
		check(s, i, sqlite3_bind_null(s, i));
	else
		check(s, i, sqlite3_bind_blob64(s, i, v, (sqlite3_uint64)n, SQLITE_STATIC));
}

void sq_bind_blob_copy(sqlite3_stmt *s, int i, const void *v, size_t n)
{
	if (v == NULL)
		check(s, i, sqlite3_bind_null(s, i));
	else
		check(s, i, sqlite3_bind_blob64(s, i, v, (sqlite3_uint64)n, SQLITE_TRANSIENT));
}

int sq_step(sqlite3_stmt *s)
{
	if (s != NULL && failed.s == s)
		return failed.rc;
	return sqlite3_step(s);
}

void sq_warn(sqlite3_stmt *s, const char *who, const char *what)
{
	const char *sql = sqlite3_sql(s);
	char head[64];

	if (what == NULL) {
		snprintf(head, sizeof(head), "\"%.60s\"", sql != NULL ? sql : "");
		what = head;
	}
	if (s != NULL && failed.s == s) {
		log_warnx("%s: %s: parameter %d not bound: %s; not run", who, what, failed.param,
			  sqlite3_errstr(failed.rc));
		failed.s = NULL;
		return;
	}
	log_warnx("%s: %s: %s", who, what,
		  s != NULL ? sqlite3_errmsg(sqlite3_db_handle(s)) : "no statement");
}

void sq_forget(sqlite3_stmt *s)
{
	if (failed.s == s)
		failed.s = NULL;
}
