/*
 * Binding and stepping SQLite statements with every result checked
 * (sq.h), and the preparing, running and reading around them that the
 * store and the CA share.  The only place in src/ that calls SQLite's
 * bind and step functions.
 */
#include "util/sq.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void sq_bind_list(sqlite3_stmt *s, const struct sq_arg *args)
{
	int i;

	for (i = 1; args->kind != SQ_ARG_END_; i++, args++) {
		switch (args->kind) {
		case SQ_ARG_INT:
			sq_bind_int64(s, i, args->i);
			break;
		case SQ_ARG_TEXT:
			sq_bind_text(s, i, args->text);
			break;
		case SQ_ARG_BLOB:
			sq_bind_blob(s, i, args->blob, args->n);
			break;
		default:
			sq_bind_null(s, i);
			break;
		}
	}
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

int sq_step_warn(sqlite3_stmt *s, const char *who)
{
	int rc = sq_step(s);

	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		sq_warn(s, who, NULL);
	return rc;
}

void sq_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	sq_forget(s);
}

/* 1 when sql has a "$N" parameter. */
static int has_dollar(const char *sql)
{
	const char *p;

	for (p = strchr(sql, '$'); p != NULL; p = strchr(p + 1, '$'))
		if (p[1] >= '0' && p[1] <= '9')
			return 1;
	return 0;
}

sqlite3_stmt *sq_prepare(sqlite3 *db, const char *text, unsigned flags, const char *who)
{
	sqlite3_stmt *s = NULL;
	const char *tail = NULL, *sql = text;
	size_t n = strlen(text), i;
	char *copy = NULL;
	int rc;

	if (n >= INT_MAX) {
		log_warnx("%s: prepare \"%.60s\": %zu bytes: too long", who, text, n);
		return NULL;
	}
	if (has_dollar(text)) {
		if ((copy = malloc(n + 1)) == NULL) {
			log_warnx("%s: prepare \"%.60s\": out of memory", who, text);
			return NULL;
		}
		for (i = 0; i <= n; i++)
			copy[i] = text[i] == '$' && text[i + 1] >= '0' && text[i + 1] <= '9'
					  ? '?'
					  : text[i];
		sql = copy;
	}
	rc = sqlite3_prepare_v3(db, sql, (int)n + 1, flags, &s, &tail);
	if (rc != SQLITE_OK)
		log_warnx("%s: prepare \"%.60s\": %s", who, text, sqlite3_errmsg(db));
	else if (s == NULL || (tail != NULL && tail < sql + n && tail[strspn(tail, " \t\n;")])) {
		/* Nothing to run, or a second statement that never would. */
		log_warnx("%s: prepare \"%.60s\": %s", who, text,
			  s == NULL ? "no statement" : "more than one statement");
		sqlite3_finalize(s);
		s = NULL;
	}
	free(copy);
	sq_forget(s); /* a new statement, perhaps at a finalised one's address */
	return s;
}

int sq_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg != NULL ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return -1;
}

void sq_col_text(sqlite3_stmt *s, int i, char *dst, size_t size)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	size_t n = 0;

	if (size == 0)
		return;
	if (v != NULL) {
		n = (size_t)sqlite3_column_bytes(s, i);
		if (n > size - 1)
			n = size - 1;
		n = strnlen((const char *)v, n);
		memcpy(dst, v, n);
	}
	dst[n] = '\0';
}

int sq_backup_file(const char *src, const char *dst, char *err, size_t errlen)
{
	sqlite3 *from = NULL, *to = NULL;
	sqlite3_backup *b;
	int rc;

	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", src, from ? sqlite3_errmsg(from) : "cannot open");
		goto out;
	}
	sqlite3_busy_timeout(from, 5000);
	if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", dst, to ? sqlite3_errmsg(to) : "cannot create");
		goto out;
	}
	if ((b = sqlite3_backup_init(to, "main", from, "main")) == NULL) {
		snprintf(err, errlen, "%s: %s", dst, sqlite3_errmsg(to));
		goto out;
	}
	/* Every page in one step: one read transaction on the source, so
	 * the copy is the database as of one commit, writers carrying on. */
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(10);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "%s: backup: %s", src, sqlite3_errstr(rc));
		goto out;
	}
	if (sqlite3_close(to) != SQLITE_OK) {
		to = NULL;
		snprintf(err, errlen, "%s: cannot be written whole", dst);
		goto out;
	}
	sqlite3_close(from);
	return 0;
out:
	sqlite3_close(to);
	sqlite3_close(from);
	return -1;
}
