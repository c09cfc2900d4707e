/*
 * The schema, brought up to date from the migrations
 * embedded in the program (src/store/migrations/NNN_*.sql, in order of
 * their number, each in a transaction of its own).  On PostgreSQL each
 * runs as db_pg_ddl() gives it (migrations/pg/NNN_*.sql when there is
 * one, else the shared file with SQLite's types rewritten); SQLite runs
 * the shared files and never migrations/pg/.
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

/* 1 when name is a shared migration (MIGRATION_PREFIX then a digit),
 * not a backend's own file (migrations/pg/...). */
static int is_shared_migration(const char *name)
{
	size_t n = strlen(MIGRATION_PREFIX);

	return strncmp(name, MIGRATION_PREFIX, n) == 0 && name[n] >= '0' && name[n] <= '9' &&
	       strchr(name + n, '/') == NULL;
}

/* Runs migration f's SQL for st's backend; 0, or -1 with err. */
static int migration_exec(struct store *st, const struct embedded_file *f, char *err, size_t errlen)
{
#ifdef QCRA_HAVE_PG
	if (st->drv == &db_pg) {
		char *sql = db_pg_ddl(f->name, (const char *)f->data);
		int rc;

		if (sql == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		rc = st->drv->exec(st, sql, err, errlen);
		free(sql);
		return rc;
	}
#endif
	return st->drv->exec(st, (const char *)f->data, err, errlen);
}

static int migration_cmp(const void *a, const void *b)
{
	const struct embedded_file *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int store_schema_version(struct store *st, int *version)
{
	long long v = 0;
	int rc = db_step_int64(db_stmt(st, SQL_SCHEMA_VERSION), &v, "schema version");

	if (rc == STORE_NOTFOUND) /* (MAX always has its row) */
		rc = STORE_ERROR;
	*version = (int)v;
	return rc;
}

int store_migrate(struct store *st, int *applied, char *err, size_t errlen)
{
	return store_migrate_upto(st, INT_MAX, applied, err, errlen);
}

int store_migrate_upto(struct store *st, int upto, int *applied, char *err, size_t errlen)
{
	const struct embedded_file *files[256];
	size_t n = 0, i;
	int version, num, count = 0;

	if (applied)
		*applied = 0;
	if (db_conn(st) == NULL) {
		snprintf(err, errlen, "cannot open database");
		return STORE_ERROR;
	}
	if (st->drv->exec(st,
			  "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
			  "applied_at BIGINT NOT NULL)",
			  err, errlen) != 0)
		return STORE_ERROR;
	for (i = 0; i < embedded_count && n < 256; i++)
		if (is_shared_migration(embedded_files[i].name))
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
		if (st->drv->tx(st, DB_BEGIN_WRITE) != DB_DONE) {
			snprintf(err, errlen, "%s: cannot begin a write transaction",
				 files[i]->name);
			return STORE_ERROR;
		}
		if (migration_exec(st, files[i], err, errlen) != 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s: %s", files[i]->name, why);
			st->drv->tx(st, DB_ROLLBACK);
			return STORE_ERROR;
		}
		/* 018 made the search words' table, 027 added the pairs of
		 * words to it: the orders there get theirs. */
		if ((num == 18 || num == 27) && order_words_fill(st) != STORE_OK) {
			snprintf(err, errlen, "%s: cannot write the orders' search words",
				 files[i]->name);
			st->drv->tx(st, DB_ROLLBACK);
			return STORE_ERROR;
		}
		if (db_run(st, SQL_SCHEMA_INSERT, "schema insert", SQ_INT(num),
			   SQ_INT(time(NULL))) != STORE_OK)
			goto rollback;
		if (st->drv->tx(st, DB_COMMIT) != DB_DONE) {
			snprintf(err, errlen, "%s: commit failed", files[i]->name);
			st->drv->tx(st, DB_ROLLBACK);
			return STORE_ERROR;
		}
		count++;
	}
	if (applied)
		*applied = count;
	return STORE_OK;
rollback:
	snprintf(err, errlen, "recording schema version failed");
	st->drv->tx(st, DB_ROLLBACK);
	return STORE_ERROR;
}
