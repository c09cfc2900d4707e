#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#ifdef QCRA_HAVE_PG
#include <libpq-fe.h>
#endif

#include "store/store.h"
#include "store_fx.h"

int store_fx_pg(void)
{
	const char *v = getenv("QCRA_TEST_STORE_PG");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

#ifdef QCRA_HAVE_PG
/* Runs sql on the server's administrative database (QCRA_TEST_PG). */
static void admin_sql(const char *sql)
{
	const char *url = getenv("QCRA_TEST_PG");
	PGconn *pg;
	PGresult *r;

	if (url == NULL)
		fail_msg("QCRA_TEST_PG is not set: run under tests/tools/with-pg");
	pg = PQconnectdb(url);
	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("postgresql: %s", PQerrorMessage(pg));
	r = PQexec(pg, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	PQclear(r);
	PQfinish(pg);
}
#endif

void store_fx_pg_new(char *out, size_t size)
{
#ifdef QCRA_HAVE_PG
	static unsigned seq;
	const char *url = getenv("QCRA_TEST_PG");
	const char *slash = url != NULL ? strrchr(url, '/') : NULL;
	char db[64], sql[128];

	if (slash == NULL || slash - url < 14) {
		fail_msg("QCRA_TEST_PG is not a postgresql://.../DB URL: run under "
			 "tests/tools/with-pg");
		return;
	}
	snprintf(db, sizeof(db), "qcra_t_%ld_%u", (long)getpid(), seq++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	admin_sql(sql);
	snprintf(out, size, "%.*s/%s", (int)(slash - url), url, db);
#else
	(void)out;
	(void)size;
	fail_msg("this build has no PostgreSQL (libpq)");
#endif
}

void store_fx_target(char *out, size_t size, const char *dir, const char *name)
{
	if (store_fx_pg()) {
		store_fx_pg_new(out, size);
		return;
	}
	snprintf(out, size, "%s/%s", dir, name);
}

void store_fx_drop(const char *target)
{
#ifdef QCRA_HAVE_PG
	const char *db = strrchr(target, '/');
	char sql[128];

	if (strncmp(target, "postgresql://", 13) != 0 || db == NULL)
		return;
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", db + 1);
	admin_sql(sql);
#else
	(void)target;
#endif
}

size_t store_fx_sqlite_only(struct CMUnitTest *tests, size_t n, const char *const *sqlite_only,
			    const char *why)
{
	size_t i, k, kept = 0;
	int out;

	for (i = 0; i < n; i++) {
		out = 0;
		for (k = 0; store_fx_pg() && sqlite_only[k] != NULL; k++)
			if (strcmp(tests[i].name, sqlite_only[k]) == 0)
				out = 1;
		if (out)
			printf("# %s: not run on PostgreSQL: %s\n", tests[i].name, why);
		else
			tests[kept++] = tests[i];
	}
	fflush(stdout);
	return kept;
}

int store_fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/qcra-store-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	store_fx_target(f->path, sizeof(f->path), f->dir, "t.db");
	if (store_open(&f->st, f->path, err, sizeof(err)) != STORE_OK)
		fail_msg("store_open: %s", err);
	if (store_migrate(f->st, NULL, err, sizeof(err)) != STORE_OK)
		fail_msg("store_migrate: %s", err);
	*state = f;
	return 0;
}

int store_fx_teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	store_fx_drop(f->path);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}
