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
#include "util/embedded.h"
#include "util/sha256.h"

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

/* One value of a query on pg ("" for none); fails the test on an error. */
static void admin_value(PGconn *pg, const char *sql, const char *param, char *out, size_t size)
{
	PGresult *r = PQexecParams(pg, sql, param != NULL, NULL, &param, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(pg));
	snprintf(out, size, "%s",
		 st == PGRES_TUPLES_OK && PQntuples(r) > 0 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
}

/* "qcra_tpl_" and 16 hex digits of a hash of the migrations this binary
 * carries (names and texts): a cluster kept across builds never hands
 * out a database migrated by other ones. */
static void template_name(char *out, size_t size)
{
	unsigned char *each = calloc(2 * embedded_count + 1, SHA256_LEN);
	const struct embedded_file *f;
	size_t i, n = 0;
	char hex[2 * SHA256_LEN + 1];

	assert_non_null(each);
	for (i = 0; i < embedded_count; i++) {
		f = embedded_at(i);
		if (strncmp(f->name, "src/store/", 10) != 0)
			continue;
		sha256(f->name, strlen(f->name), each + n++ * SHA256_LEN);
		sha256(f->data, f->len, each + n++ * SHA256_LEN);
	}
	sha256_hex(each, n * SHA256_LEN, hex);
	free(each);
	snprintf(out, size, "qcra_tpl_%.16s", hex);
}

/* The URL of database db on the server of url (.../DB). */
static void url_of(char *out, size_t size, const char *url, const char *db)
{
	const char *slash = strrchr(url, '/');

	snprintf(out, size, "%.*s/%s", (int)(slash - url), url, db);
}

/*
 * The template database (template_name) on QCRA_TEST_PG's server, made
 * when the first test asks for one: a database migrated by
 * store_migrate, renamed into place once no one is connected.  Test
 * processes run at once: an advisory lock makes one of them make it
 * while the others wait.  Copying it (CREATE DATABASE ... TEMPLATE)
 * costs about half of an empty database migrated (the migrations are
 * each a commit of their own): 0.35-0.42 s against 0.62-0.90 s here,
 * for each of the few hundred databases a test run makes.
 */
static void template_ensure(PGconn *pg, const char *url, const char *tpl)
{
	char have[8], build[64], sql[160], target[600], err[256];
	struct store *st;

	admin_value(pg, "SELECT pg_advisory_lock(7741)", NULL, have, sizeof(have));
	admin_value(pg, "SELECT 1 FROM pg_database WHERE datname = $1", tpl, have, sizeof(have));
	if (have[0] == '\0') {
		snprintf(build, sizeof(build), "%s_%ld", tpl, (long)getpid());
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", build);
		admin_value(pg, sql, NULL, have, sizeof(have));
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", build);
		admin_value(pg, sql, NULL, have, sizeof(have));
		url_of(target, sizeof(target), url, build);
		if (store_open(&st, target, err, sizeof(err)) != STORE_OK ||
		    store_migrate(st, NULL, err, sizeof(err)) != STORE_OK)
			fail_msg("template %s: %s", build, err);
		store_close(st);
		snprintf(sql, sizeof(sql), "ALTER DATABASE %s RENAME TO %s", build, tpl);
		admin_value(pg, sql, NULL, have, sizeof(have));
	}
	admin_value(pg, "SELECT pg_advisory_unlock(7741)", NULL, have, sizeof(have));
}

/* A new database named db: a copy of the template when migrated, else
 * empty. */
static void pg_create(const char *url, const char *db, int migrated)
{
	PGconn *pg = PQconnectdb(url);
	char sql[160], tpl[32], none[8];

	if (PQstatus(pg) != CONNECTION_OK)
		fail_msg("postgresql: %s", PQerrorMessage(pg));
	if (migrated) {
		template_name(tpl, sizeof(tpl));
		template_ensure(pg, url, tpl);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s", db, tpl);
	} else
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", db);
	admin_value(pg, sql, NULL, none, sizeof(none));
	PQfinish(pg);
}
#endif

/* A new database on QCRA_TEST_PG's server, migrated or empty. */
static void pg_new(char *out, size_t size, int migrated)
{
#ifdef QCRA_HAVE_PG
	static unsigned seq;
	const char *url = getenv("QCRA_TEST_PG");
	const char *slash = url != NULL ? strrchr(url, '/') : NULL;
	char db[64];

	if (slash == NULL || slash - url < 14) {
		fail_msg("QCRA_TEST_PG is not a postgresql://.../DB URL: run under "
			 "tests/tools/with-pg");
		return;
	}
	snprintf(db, sizeof(db), "qcra_t_%ld_%u", (long)getpid(), seq++);
	pg_create(url, db, migrated);
	url_of(out, size, url, db);
#else
	(void)out;
	(void)size;
	(void)migrated;
	fail_msg("this build has no PostgreSQL (libpq)");
#endif
}

void store_fx_pg_new(char *out, size_t size)
{
	pg_new(out, size, 0);
}

void store_fx_target(char *out, size_t size, const char *dir, const char *name)
{
	if (store_fx_pg()) {
		pg_new(out, size, 1);
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
