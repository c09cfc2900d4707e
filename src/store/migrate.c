/*
 * SQLite backend: the schema, brought up to date from the migrations
 * embedded in the program (src/store/migrations/NNN_*.sql, in order of
 * their number, each in a transaction of its own).
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"
#include "util/embedded.h"

static const char SQL_SCHEMA_VERSION[] = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
static const char SQL_SCHEMA_INSERT[] =
	"INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)";

/* ---- Migrations -------------------------------------------------------- */

#define MIGRATION_PREFIX "src/store/migrations/"

static int migration_cmp(const void *a, const void *b)
{
	const struct embedded_file *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int store_schema_version(struct store *st, int *version)
{
	sqlite3_stmt *s = sq_stmt(st, SQL_SCHEMA_VERSION);

	if (s == NULL)
		return STORE_ERROR;
	if (sq_step(s) != SQLITE_ROW)
		return sq_fail(s, "schema version");
	*version = sqlite3_column_int(s, 0);
	sq_done(s);
	return STORE_OK;
}

int store_migrate(struct store *st, int *applied, char *err, size_t errlen)
{
	return store_migrate_upto(st, INT_MAX, applied, err, errlen);
}

int store_migrate_upto(struct store *st, int upto, int *applied, char *err, size_t errlen)
{
	const struct embedded_file *files[256];
	struct conn *c = sq_conn(st);
	size_t n = 0, i;
	int version, num, count = 0;
	sqlite3_stmt *s;

	if (applied)
		*applied = 0;
	if (c == NULL) {
		snprintf(err, errlen, "cannot open database");
		return STORE_ERROR;
	}
	if (sq_exec(c->db,
		    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
		    "applied_at BIGINT NOT NULL)",
		    err, errlen) != 0)
		return STORE_ERROR;
	for (i = 0; i < embedded_count && n < 256; i++)
		if (strncmp(embedded_files[i].name, MIGRATION_PREFIX, strlen(MIGRATION_PREFIX)) ==
		    0)
			files[n++] = &embedded_files[i];
	qsort(files, n, sizeof(files[0]), migration_cmp);
	if (store_schema_version(st, &version) != STORE_OK) {
		snprintf(err, errlen, "cannot read schema version");
		return STORE_ERROR;
	}
	for (i = 0; i < n; i++) {
		num = atoi(files[i]->name + strlen(MIGRATION_PREFIX));
		if (num <= version || num > upto)
			continue;
		if (sq_exec(c->db, "BEGIN IMMEDIATE", err, errlen) != 0)
			return STORE_ERROR;
		if (sq_exec(c->db, (const char *)files[i]->data, err, errlen) != 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s: %s", files[i]->name, why);
			sq_exec(c->db, "ROLLBACK", why, sizeof(why));
			return STORE_ERROR;
		}
		if ((s = sq_stmt(st, SQL_SCHEMA_INSERT)) == NULL)
			goto rollback;
		sq_bind_int(s, 1, num);
		sq_bind_int64(s, 2, (sqlite3_int64)time(NULL));
		if (sq_step_done(s, "schema insert") != STORE_OK)
			goto rollback;
		if (sq_exec(c->db, "COMMIT", err, errlen) != 0)
			return STORE_ERROR;
		count++;
	}
	if (applied)
		*applied = count;
	return STORE_OK;
rollback:
	snprintf(err, errlen, "recording schema version failed");
	{
		char why[256];

		sq_exec(c->db, "ROLLBACK", why, sizeof(why));
	}
	return STORE_ERROR;
}
