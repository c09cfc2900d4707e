#include "harness_sql.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#ifdef QCRA_HAVE_PG
#include <libpq-fe.h>
#endif

static char *dup_or_empty(const char *v)
{
	char *r = strdup(v ? v : "");

	if (r == NULL)
		fprintf(stderr, "harness: out of memory\n");
	return r;
}

#ifdef QCRA_HAVE_PG
static char *pg_sql(const char *url, const char *sql, const char *const *params)
{
	PGconn *pg = PQconnectdb(url);
	PGresult *r = NULL;
	char *out = NULL;
	int n = 0;

	if (PQstatus(pg) != CONNECTION_OK) {
		fprintf(stderr, "harness: postgresql: %s", PQerrorMessage(pg));
		goto done;
	}
	while (params != NULL && params[n] != NULL)
		n++;
	r = params ? PQexecParams(pg, sql, n, NULL, params, NULL, NULL, 0) : PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "harness: %s: %s", sql, PQerrorMessage(pg));
		goto done;
	}
	out = dup_or_empty(PQntuples(r) > 0 && PQnfields(r) > 0 ? PQgetvalue(r, 0, 0) : "");
done:
	PQclear(r);
	PQfinish(pg);
	return out;
}
#endif

static char *lite_sql(const char *path, const char *sql, const char *const *params)
{
	const char *tail = sql;
	sqlite3_stmt *st = NULL;
	char *out = NULL, name[16];
	sqlite3 *db;
	int rc, i;

	if (sqlite3_open(path, &db) != SQLITE_OK) {
		fprintf(stderr, "harness: %s: %s\n", path, sqlite3_errmsg(db));
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 5000);
	while (tail != NULL && *tail != '\0') {
		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			goto fail;
		if (st == NULL) /* white space or a comment */
			break;
		for (i = 0; params != NULL && params[i] != NULL; i++) {
			snprintf(name, sizeof(name), "$%d", i + 1);
			if (sqlite3_bind_parameter_index(st, name) > 0)
				sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, name),
						  params[i], -1, SQLITE_STATIC);
		}
		free(out);
		out = NULL;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			out = dup_or_empty((const char *)sqlite3_column_text(st, 0));
		else if (rc == SQLITE_DONE)
			out = dup_or_empty("");
		else
			goto fail;
		while (rc == SQLITE_ROW)
			rc = sqlite3_step(st);
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
	}
	sqlite3_close(db);
	return out ? out : dup_or_empty("");
fail:
	fprintf(stderr, "harness: %s: %s\n", sql, sqlite3_errmsg(db));
	free(out);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return NULL;
}

char *server_sql(const struct server *s, const char *sql, const char *const *params)
{
	char path[PATH_MAX + 16];

	if (strncmp(s->database, "postgresql://", 13) == 0) {
#ifdef QCRA_HAVE_PG
		return pg_sql(s->database, sql, params);
#else
		fprintf(stderr, "harness: this build has no PostgreSQL\n");
		return NULL;
#endif
	}
	if (s->database[0] != '\0')
		return lite_sql(s->database, sql, params);
	snprintf(path, sizeof(path), "%s/qcra.db", s->var);
	return lite_sql(path, sql, params);
}

char *server_sql_ok(const struct server *s, const char *sql, const char *const *params)
{
	char *r = server_sql(s, sql, params);

	if (r == NULL)
		fail_msg("SQL failed: %s", sql);
	return r;
}

void server_pg_allow(const struct server *s, int allow)
{
	const char *admin = getenv("QCRA_TEST_PG"), *name = strrchr(s->database, '/');
	const char *word = allow ? "true" : "false";
	char cmd[2048];

	assert_non_null(admin);
	assert_non_null(name);
	snprintf(cmd, sizeof(cmd),
		 "psql -X -q -c 'ALTER DATABASE %s ALLOW_CONNECTIONS %s' -c \"SELECT "
		 "pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s' AND %d = "
		 "0\" '%s' >/dev/null",
		 name + 1, word, name + 1, allow, admin);
	assert_int_equal(system(cmd), 0);
}
