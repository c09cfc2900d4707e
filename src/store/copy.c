/*
 * store_copy (store_copy.h): the tables in the order their foreign keys
 * allow, each read whole with SELECT * and written BATCH_ROWS rows an
 * INSERT (the rest after the last whole batch one at a time), its
 * columns named, every value bound with the type it was read with.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_copy.h"
#include "store/store_int.h"
#include "util/arena.h"

/* Every table of the schema, a table before those that refer to it
 * (the order the migrations create them in).  schema_version is not
 * copied: the target is migrated to the source's version. */
static const char *const tables[] = {
	"members",         "accounts",        "tokens",
	"sessions",        "login_failures",  "outbox",
	"orders",          "order_events",    "operators",
	"audit_log",       "ca_requests",     "testca_shipments",
	"testca_requests", "testca_settings", "statement_imports",
	"payments",        "ca_outbox",       "ca_certificates",
	"ca_revocations",  "ca_reminders",    "order_signatures",
	"order_words",     "task_leases",     "order_state",
};
#define NTABLES (sizeof(tables) / sizeof(tables[0]))
#define MAX_COLS 64
/* Rows one INSERT writes: on PostgreSQL one round trip for them instead
 * of one a row, 2 to 2.5 times the rows a second (docs/DEPLOYMENT.md).
 * At most 64 * 64 = 4,096 values, within both backends' limit on
 * parameters. */
#define BATCH_ROWS 64

/* The statements of one table.  A statement is cached by its text's
 * address (db.h), so each table's has its own, kept for the process's
 * life; they are written before their first use and never change after
 * (the columns of one schema version). */
static struct {
	char count[96];
	char select[96];
	char insert[2048];
	char *batch; /* BATCH_ROWS rows' INSERT, made with the first */
} sql[NTABLES];

static int known(const char *name)
{
	size_t i;

	if (strcmp(name, "schema_version") == 0)
		return 1;
	for (i = 0; i < NTABLES; i++)
		if (strcmp(name, tables[i]) == 0)
			return 1;
	return 0;
}

/* STORE_OK when every table of st is one this version copies. */
static int tables_known(struct store *st, const char *side, char *err, size_t errlen)
{
	struct db_stmt *s = db_stmt(st, st->drv->tables_sql);
	enum db_rc rc;
	int bad = 0;

	if (s == NULL) {
		snprintf(err, errlen, "%s: cannot list the tables", side);
		return STORE_ERROR;
	}
	while ((rc = db_step(s)) == DB_ROW)
		if (!bad && !known(db_col_text(s, 0))) {
			snprintf(err, errlen,
				 "%s: table %.64s is not one this version of qcra knows; copy "
				 "with the version that made it",
				 side, db_col_text(s, 0));
			bad = 1;
		}
	if (db_rows_end(s, rc, "copy tables") != STORE_OK) {
		snprintf(err, errlen, "%s: cannot list the tables", side);
		return STORE_ERROR;
	}
	return bad ? STORE_ERROR : STORE_OK;
}

/* Writes "INSERT INTO t (cols) VALUES ($1, ...), ... ON CONFLICT DO
 * NOTHING" for rows rows of n columns at out[size]; 0, or -1 when it
 * does not fit. */
static int insert_text(char *out, size_t size, size_t i, struct db_stmt *s, int n, int rows)
{
	char *p = out, *end = out + size;
	int c, r, w;

	w = snprintf(p, (size_t)(end - p), "INSERT INTO %s (", tables[i]);
	for (c = 0; c < n && w > 0 && w < end - p; c++) {
		p += w;
		w = snprintf(p, (size_t)(end - p), "%s\"%s\"", c ? ", " : "",
			     s->drv->col_name(s, c));
	}
	for (r = 0; r < rows && w > 0 && w < end - p; r++)
		for (c = 0; c < n && w > 0 && w < end - p; c++) {
			p += w;
			w = snprintf(p, (size_t)(end - p), "%s$%d",
				     c   ? ", "
				     : r ? "), ("
					 : ") VALUES (",
				     r * n + c + 1);
		}
	if (w > 0 && w < end - p) {
		p += w;
		w = snprintf(p, (size_t)(end - p), ") ON CONFLICT DO NOTHING");
	}
	return w > 0 && w < end - p ? 0 : -1;
}

/* The INSERTs of table i (one row, BATCH_ROWS rows) for the columns of
 * s's result. */
static int insert_sql(size_t i, struct db_stmt *s, char *err, size_t errlen)
{
	int n = s->drv->col_count(s);
	size_t size = sizeof(sql[i].insert) + (size_t)BATCH_ROWS * MAX_COLS * 8;

	if (n <= 0 || n > MAX_COLS) {
		snprintf(err, errlen, "%s: %d columns", tables[i], n);
		return -1;
	}
	if (sql[i].batch == NULL && (sql[i].batch = malloc(size)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (insert_text(sql[i].insert, sizeof(sql[i].insert), i, s, n, 1) != 0 ||
	    insert_text(sql[i].batch, size, i, s, n, BATCH_ROWS) != 0) {
		snprintf(err, errlen, "%s: too many columns", tables[i]);
		return -1;
	}
	return 0;
}

/* The current row of s as parameters of the insert, its texts and
 * blobs copied into a (the row's own go with the next step).  0, or -1
 * with err. */
static int row_args(size_t t, struct db_stmt *s, struct sq_arg *args, struct arena *a, char *err,
		    size_t errlen)
{
	int n = s->drv->col_count(s), c;
	const char *text;
	const void *b;
	void *copy;
	size_t len;

	for (c = 0; c < n; c++) {
		switch (db_col_type(s, c)) {
		case DB_T_NULL:
			args[c] = SQ_NULL;
			break;
		case DB_T_INT:
			args[c] = SQ_INT(db_col_int64(s, c));
			break;
		case DB_T_TEXT:
			text = db_col_text(s, c);
			if (text == NULL || db_col_bytes(s, c) != strlen(text)) {
				snprintf(err, errlen, "%s.%s: a text with a NUL byte in it",
					 tables[t], s->drv->col_name(s, c));
				return -1;
			}
			args[c] = SQ_TEXT(arena_strndup(a, text, db_col_bytes(s, c)));
			break;
		case DB_T_BLOB:
			b = db_col_blob(s, c, &len);
			copy = arena_alloc(a, len ? len : 1);
			if (len)
				memcpy(copy, b, len);
			args[c] = SQ_BLOB(copy, len);
			break;
		default:
			snprintf(err, errlen, "%s.%s: a value of a type qcra does not store",
				 tables[t], s->drv->col_name(s, c));
			return -1;
		}
	}
	return 0;
}

/* Writes rows rows of table t (args: rows * n values, then SQ_END_)
 * with the INSERT text; 0, or -1 with err. */
static int put_rows(struct store *to, size_t t, const char *text, const struct sq_arg *args,
		    int rows, char *err, size_t errlen)
{
	long long changed = 0;
	int ok = db_step_count(db_bind_args(to, text, args), &changed, "copy insert");

	if (ok == STORE_OK && changed == rows)
		return 0;
	snprintf(err, errlen, "%s: %s", tables[t],
		 ok != STORE_OK ? "cannot write a row (the log says why)"
				: "a row the target has already");
	return -1;
}

/* Copies table t's rows; 0, or -1 with err. */
static int copy_table(struct store *from, struct store *to, size_t t, char *err, size_t errlen)
{
	struct db_stmt *s = db_stmt(from, sql[t].select);
	struct sq_arg *args = NULL, one[MAX_COLS + 1];
	struct arena *a = malloc(sizeof(*a));
	enum db_rc rc = DB_ERROR;
	int n = 0, k = 0, r, ret = -1;

	if (s == NULL || a == NULL) {
		snprintf(err, errlen, "%s: cannot read it", tables[t]);
		free(a);
		return -1;
	}
	arena_init(a);
	while ((rc = db_step(s)) == DB_ROW) {
		if (args == NULL) {
			if (insert_sql(t, s, err, errlen) != 0)
				goto out;
			n = s->drv->col_count(s);
			if ((args = calloc((size_t)BATCH_ROWS * (size_t)n + 1, sizeof(*args))) ==
			    NULL) {
				snprintf(err, errlen, "out of memory");
				goto out;
			}
		}
		if (row_args(t, s, args + (size_t)k * (size_t)n, a, err, errlen) != 0)
			goto out;
		if (++k < BATCH_ROWS)
			continue;
		args[(size_t)k * (size_t)n] = SQ_END_;
		if (put_rows(to, t, sql[t].batch, args, k, err, errlen) != 0)
			goto out;
		k = 0;
		arena_free(a);
	}
	if (db_rows_end(s, rc, "copy select") != STORE_OK) {
		snprintf(err, errlen, "%s: cannot read it (the log says why)", tables[t]);
		rc = DB_DONE; /* reset already */
		goto out;
	}
	for (r = 0; r < k; r++) { /* after the last whole batch */
		memcpy(one, args + (size_t)r * (size_t)n, (size_t)n * sizeof(*one));
		one[n] = SQ_END_;
		if (put_rows(to, t, sql[t].insert, one, 1, err, errlen) != 0)
			goto out;
	}
	ret = 0;
out:
	if (rc == DB_ROW)
		db_reset(s);
	arena_free(a);
	free(a);
	free(args);
	return ret;
}

/* Counts every table of st into rows[]; STORE_OK or STORE_ERROR. */
static int count_all(struct store *st, long long *rows, const char *side, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < NTABLES; i++)
		if (db_count(st, sql[i].count, &rows[i], "copy count") != STORE_OK) {
			snprintf(err, errlen, "%s: cannot count %s", side, tables[i]);
			return STORE_ERROR;
		}
	return STORE_OK;
}

/* The target's schema at the source's version; STORE_OK, STORE_CONFLICT
 * (at another) or STORE_ERROR. */
static int same_version(struct store *from, struct store *to, char *err, size_t errlen)
{
	int vf = 0, vt = 0;
	char why[256];

	if (store_schema_version(from, &vf) != STORE_OK) {
		snprintf(err, errlen, "source: cannot read its schema version (is it qcra's?)");
		return STORE_ERROR;
	}
	if (store_migrate_upto(to, vf, NULL, why, sizeof(why)) != STORE_OK) {
		snprintf(err, errlen, "target: migration failed: %s", why);
		return STORE_ERROR;
	}
	if (store_schema_version(to, &vt) != STORE_OK) {
		snprintf(err, errlen, "target: cannot read its schema version");
		return STORE_ERROR;
	}
	if (vt != vf) {
		snprintf(err, errlen,
			 "the source is at schema version %d and the target at %d: run qcra "
			 "migrate on the source first, or copy into an empty database",
			 vf, vt);
		return STORE_CONFLICT;
	}
	return STORE_OK;
}

int store_copy(struct store *from, struct store *to,
	       void (*each)(void *arg, const struct store_copy_table *t), void *arg, char *err,
	       size_t errlen)
{
	long long src[NTABLES], dst[NTABLES];
	size_t i;
	int rc;

	for (i = 0; i < NTABLES; i++) {
		snprintf(sql[i].count, sizeof(sql[i].count), "SELECT COUNT(*) FROM %s", tables[i]);
		snprintf(sql[i].select, sizeof(sql[i].select), "SELECT * FROM %s", tables[i]);
	}
	if ((rc = same_version(from, to, err, errlen)) != STORE_OK)
		return rc;
	if (tables_known(from, "source", err, errlen) != STORE_OK ||
	    tables_known(to, "target", err, errlen) != STORE_OK)
		return STORE_ERROR;
	if (from->drv->tx(from, DB_BEGIN_READ) != DB_DONE) {
		snprintf(err, errlen, "source: cannot begin a read transaction");
		return STORE_ERROR;
	}
	if (to->drv->tx(to, DB_BEGIN_WRITE) != DB_DONE) {
		snprintf(err, errlen, "target: cannot begin a write transaction");
		from->drv->tx(from, DB_ROLLBACK);
		return STORE_ERROR;
	}
	rc = STORE_ERROR;
	if (count_all(to, dst, "target", err, errlen) != STORE_OK)
		goto out;
	for (i = 0; i < NTABLES; i++)
		if (dst[i] != 0) {
			snprintf(err, errlen,
				 "the target is not empty (%s has %lld rows): copy into a new, "
				 "empty database",
				 tables[i], dst[i]);
			rc = STORE_CONFLICT;
			goto out;
		}
	if (count_all(from, src, "source", err, errlen) != STORE_OK)
		goto out;
	for (i = 0; i < NTABLES; i++)
		if (copy_table(from, to, i, err, errlen) != 0)
			goto out;
	if (to->drv->ids_sql != NULL && to->drv->exec(to, to->drv->ids_sql, err, errlen) != 0)
		goto out;
	if (count_all(to, dst, "target", err, errlen) != STORE_OK)
		goto out;
	for (i = 0; i < NTABLES; i++)
		if (dst[i] != src[i]) {
			snprintf(err, errlen, "%s: %lld rows in the source, %lld copied", tables[i],
				 src[i], dst[i]);
			goto out;
		}
	if (to->drv->tx(to, DB_COMMIT) != DB_DONE) {
		snprintf(err, errlen, "target: the commit failed");
		goto out;
	}
	from->drv->tx(from, DB_ROLLBACK);
	for (i = 0; i < NTABLES && each != NULL; i++) {
		struct store_copy_table t = {tables[i], src[i], dst[i]};

		each(arg, &t);
	}
	return STORE_OK;
out:
	to->drv->tx(to, DB_ROLLBACK);
	from->drv->tx(from, DB_ROLLBACK);
	return rc;
}

int store_tables(struct store *st, long long *n)
{
	struct db_stmt *s = db_stmt(st, st->drv->tables_sql);
	enum db_rc rc;

	*n = 0;
	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW)
		(*n)++;
	return db_rows_end(s, rc, "tables");
}

void store_pg_env_free(char **env)
{
	size_t i;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		free(env[i]);
	if (env != NULL)
		env[0] = NULL;
}

#ifndef QCRA_HAVE_PG
int store_pg_env(const char *url, char **env, size_t max, char *dbname, size_t dbsize, char *err,
		 size_t errlen)
{
	(void)url;
	(void)dbname;
	(void)dbsize;
	if (max > 0)
		env[0] = NULL;
	snprintf(err, errlen, "this qcra was built without PostgreSQL (libpq)");
	return -1;
}
#endif
