/*
 * The SQLite store's binding and preparing (issue 13, item 12): a value
 * that cannot be bound fails the call and writes nothing, whatever
 * SQLite's reason (SQLITE_TOOBIG, SQLITE_RANGE); SQL is prepared whole
 * or refused, never cut short.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/store.h"
#include "store_fx.h"
#include "store/db_sqlite.h" /* the store's own SQLite connection */
#include "store/store_int.h" /* the helpers themselves */

/* A string of n 'e's (caller frees). */
static char *long_text(size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, 'e', n);
	s[n] = '\0';
	return s;
}

/* Values longer than SQLITE_LIMIT_LENGTH cannot be bound (SQLITE_TOOBIG).
 * Before: the retry was recorded with its error silently NULL, attempts
 * and the next attempt changed, and STORE_OK returned. */
static void test_value_too_big_to_bind_fails_the_update_and_writes_nothing(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = db_sqlite_handle(f->st);
	struct outbox_item it;
	char *error = long_text(2000);
	int old;

	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 100), STORE_OK);
	assert_int_equal(store_outbox_next(f->st, 100, &it), STORE_OK);
	store_outbox_item_free(&it);
	old = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000);
	assert_int_equal(store_outbox_retry(f->st, it.id, 3, 500, error), STORE_ERROR);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, old);
	/* Nothing written: still due at 100, no attempt counted. */
	assert_int_equal(store_outbox_next(f->st, 100, &it), STORE_OK);
	assert_int_equal(it.attempts, 0);
	store_outbox_item_free(&it);
	/* The failure does not stick to the statement: the next call runs. */
	assert_int_equal(store_outbox_retry(f->st, it.id, 1, 500, "refused"), STORE_OK);
	assert_int_equal(store_outbox_next(f->st, 500, &it), STORE_OK);
	assert_int_equal(it.attempts, 1);
	store_outbox_item_free(&it);
	free(error);
}

/* A lookup whose key cannot be bound is an error, not "no such row".
 * Before: STORE_NOTFOUND (the key was bound as NULL). */
static void test_key_too_big_to_bind_fails_the_lookup(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = db_sqlite_handle(f->st);
	struct account a;
	char *name = long_text(2000);
	int old;

	old = sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1000);
	assert_int_equal(store_account_by_username(f->st, name, &a), STORE_ERROR);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, old);
	assert_int_equal(store_account_by_username(f->st, "nobody", &a), STORE_NOTFOUND);
	free(name);
}

static const char SQL_PAIR_INSERT[] = "INSERT INTO bind_pairs (a, b) VALUES ($1, $2)";

/* The one number a SELECT COUNT(*) gives. */
static long long count_of(struct store *st, const char *sql)
{
	sqlite3_stmt *s;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(st), sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* Binding a parameter the statement lacks (SQLITE_RANGE) through the
 * store's own helper fails the step.  Before: the row was inserted with
 * b NULL and the step said STORE_OK. */
static void test_bind_to_a_missing_parameter_fails_the_step(void **state)
{
	struct fx *f = *state;
	struct db_stmt *s;

	assert_int_equal(sqlite3_exec(db_sqlite_handle(f->st),
				      "CREATE TABLE bind_pairs (a TEXT, b TEXT)", NULL, NULL, NULL),
			 SQLITE_OK);
	/* a, NULL, b: there is no $3 */
	assert_non_null(s = db_bound(f->st, SQL_PAIR_INSERT, SQ_TEXT("a"), SQ_NULL, SQ_TEXT("b")));
	assert_int_equal(db_step_done(s, "pair insert"), STORE_ERROR);
	assert_int_equal(count_of(f->st, "SELECT COUNT(*) FROM bind_pairs"), 0);
	/* The same statement, bound right, runs. */
	assert_non_null(s = db_bound(f->st, SQL_PAIR_INSERT, SQ_TEXT("a"), SQ_TEXT("b")));
	assert_int_equal(db_step_done(s, "pair insert"), STORE_OK);
	assert_int_equal(count_of(f->st, "SELECT COUNT(*) FROM bind_pairs"), 1);
}

/* "SELECT 1" + 5,000 spaces + ", 2 AS two": cut at the old 4,095 bytes
 * it is still valid SQL, one column short.  Prepared whole (two columns)
 * or refused, never cut.  Before: one column. */
static char long_sql[5100];

static void test_sql_longer_than_4095_bytes_is_prepared_whole(void **state)
{
	struct fx *f = *state;
	struct db_stmt *s;
	size_t n;

	n = (size_t)snprintf(long_sql, sizeof(long_sql), "SELECT 1");
	memset(long_sql + n, ' ', 5000);
	snprintf(long_sql + n + 5000, sizeof(long_sql) - n - 5000, ", 2 AS two");
	assert_true(strlen(long_sql) > 4095);
	assert_non_null(s = db_stmt(f->st, long_sql));
	assert_int_equal(db_step_row(s, "long select"), STORE_OK);
	assert_int_equal(db_col_int(s, 0), 1);
	assert_int_equal(db_col_int(s, 1), 2); /* the second column, read whole */
	db_reset(s);
}

/* Text after the first statement would never run: refused, not
 * ignored.  Before: prepared, the DELETE silently dropped. */
static const char SQL_TWO[] = "SELECT 1; DELETE FROM members";

static void test_prepare_refuses_sql_with_a_second_statement(void **state)
{
	struct fx *f = *state;

	assert_null(db_stmt(f->st, SQL_TWO));
}

/* The store's allocator (store/sqlite_mem.c): sizes as asked, up to
 * 1 KiB rounded to 16 and a freed block of that size reused by the
 * thread's next request of it; realloc keeping the contents either way. */
static void test_allocator_keeps_sizes_and_contents(void **state)
{
	unsigned char *p, *q;
	int i, n;

	(void)state;
	for (n = 8; n <= 1100; n += 8) { /* each size, whether or not a block waits */
		assert_non_null(p = sqlite3_malloc(n));
		assert_in_range(sqlite3_msize(p), n, n <= 1024 ? n + 15 : n);
		memset(p, 0xa5, (size_t)sqlite3_msize(p));
		q = p;
		sqlite3_free(p);
		assert_non_null(p = sqlite3_malloc(n));
		if (n <= 1024) /* the block just freed */
			assert_ptr_equal(p, q);
		assert_in_range(sqlite3_msize(p), n, n <= 1024 ? n + 15 : n);
		sqlite3_free(p);
	}
	assert_non_null(p = sqlite3_malloc(1024));
	assert_int_equal(sqlite3_msize(p), 1024);
	sqlite3_free(p);
	assert_ptr_equal(q = sqlite3_malloc(1021), p); /* 1021 rounds to 1024: the cached block */
	for (i = 0; i < 1021; i++)
		q[i] = (unsigned char)i;
	assert_non_null(p = sqlite3_realloc(q, 3000));
	assert_int_equal(sqlite3_msize(p), 3000);
	for (i = 0; i < 1021; i++)
		assert_int_equal(p[i], (unsigned char)i);
	assert_non_null(q = sqlite3_realloc(p, 1024));
	assert_non_null(p = sqlite3_realloc(q, 100));
	for (i = 0; i < 100; i++)
		assert_int_equal(p[i], (unsigned char)i);
	sqlite3_free(p);
}

/* A savepoint's journal lives in 1 KiB blocks from that allocator:
 * rolling back to it after changing many pages restores each of them
 * (the commit group's rollback of one request), three times over so the
 * blocks come back from the cache. */
static void test_savepoint_rollback_over_many_pages_restores_them(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = db_sqlite_handle(f->st);
	sqlite3_stmt *s;
	int round;

	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE big(id INTEGER PRIMARY KEY, v BLOB);"
			     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
			     "WHERE i < 400) INSERT INTO big SELECT i, zeroblob(1000) FROM n;",
			     NULL, NULL, NULL),
		SQLITE_OK);
	for (round = 0; round < 3; round++) {
		assert_int_equal(
			sqlite3_exec(db,
				     "BEGIN; SAVEPOINT g; UPDATE big SET v = randomblob(1000);"
				     "SAVEPOINT h; DELETE FROM big WHERE id % 2 = 0;"
				     "ROLLBACK TO g; RELEASE g; COMMIT;",
				     NULL, NULL, NULL),
			SQLITE_OK);
		assert_int_equal(
			sqlite3_prepare_v2(db, "SELECT count(*), sum(v = zeroblob(1000)) FROM big",
					   -1, &s, NULL),
			SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 400);
		assert_int_equal(sqlite3_column_int(s, 1), 400);
		sqlite3_finalize(s);
	}
}

/* The SQL SQLite runs for the store's statement that starts with head
 * (prepared on this connection), or NULL. */
static const char *prepared_sql(sqlite3 *db, const char *head)
{
	sqlite3_stmt *s = NULL;

	while ((s = sqlite3_next_stmt(db, s)) != NULL)
		if (sqlite3_sql(s) != NULL && strncmp(sqlite3_sql(s), head, strlen(head)) == 0)
			return sqlite3_sql(s);
	return NULL;
}

static const char SQL_KEYED_ADD[] = "INSERT INTO keyed (k, v) VALUES ($1, $2) ON CONFLICT (k) "
				    "DO NOTHING RETURNING id";
static const char SQL_KEYED_STRICT[] = "INSERT INTO keyed (k, v) VALUES ($1, $2) RETURNING id";
static const char SQL_NAMED_ADD[] = "INSERT INTO named (id, v) VALUES ($1, $2) RETURNING id";

/*
 * An INSERT ... RETURNING id whose id is the table's rowid runs without
 * its RETURNING (with it SQLite keeps a statement journal, a copy of
 * every page the row changes: bench/README.md, scenario 7), and answers
 * as it would with it: one row, the new id, then done; no row when ON
 * CONFLICT DO NOTHING inserted nothing; a conflict for a key violated;
 * an error, nothing written, for a NOT NULL violated.  A table whose id
 * is not its rowid keeps its RETURNING.
 */
static void test_insert_returning_rowid_runs_without_returning(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = db_sqlite_handle(f->st);
	struct db_stmt *s;
	long long id = 0;

	assert_int_equal(sqlite3_exec(db,
				      "CREATE TABLE keyed (id INTEGER PRIMARY KEY, k TEXT UNIQUE, "
				      "v TEXT NOT NULL); INSERT INTO keyed VALUES (41, 'x', 'y');"
				      "CREATE TABLE named (id TEXT PRIMARY KEY, v TEXT)",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	assert_non_null(s = db_bound(f->st, SQL_KEYED_ADD, SQ_TEXT("a"), SQ_TEXT("1")));
	assert_int_equal(db_step(s), DB_ROW);
	assert_int_equal(db_col_int64(s, 0), 42);
	assert_false(db_col_null(s, 0));
	assert_string_equal(db_col_text(s, 0), "42");
	assert_int_equal(db_step(s), DB_DONE); /* one row, not a second INSERT */
	assert_int_equal(db_step(s), DB_DONE);
	db_reset(s);
	assert_int_equal(count_of(f->st, "SELECT COUNT(*) FROM keyed"), 2);
	assert_null(strstr(prepared_sql(db, "INSERT INTO keyed (k, v) VALUES (?1, ?2) ON"),
			   "RETURNING"));
	/* The same key again: nothing inserted, no row. */
	assert_int_equal(
		db_insert(f->st, SQL_KEYED_ADD, "keyed add", &id, SQ_TEXT("a"), SQ_TEXT("2")),
		STORE_NOTFOUND);
	assert_int_equal(
		db_insert(f->st, SQL_KEYED_ADD, "keyed add", &id, SQ_TEXT("b"), SQ_TEXT("3")),
		STORE_OK);
	assert_int_equal(id, 43);
	assert_int_equal(
		db_insert(f->st, SQL_KEYED_STRICT, "keyed strict", &id, SQ_TEXT("b"), SQ_TEXT("4")),
		STORE_CONFLICT);
	assert_int_equal(
		db_insert(f->st, SQL_KEYED_STRICT, "keyed strict", &id, SQ_TEXT("c"), SQ_NULL),
		STORE_ERROR);
	assert_int_equal(count_of(f->st, "SELECT COUNT(*) FROM keyed"), 3);
	/* id is not the rowid here: RETURNING stays and reads the column. */
	assert_non_null(s = db_bound(f->st, SQL_NAMED_ADD, SQ_TEXT("n-1"), SQ_TEXT("v")));
	assert_int_equal(db_step(s), DB_ROW);
	assert_string_equal(db_col_text(s, 0), "n-1");
	db_reset(s);
	assert_non_null(strstr(prepared_sql(db, "INSERT INTO named"), "RETURNING id"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, store_fx_setup, store_fx_teardown)
		T(test_value_too_big_to_bind_fails_the_update_and_writes_nothing),
		T(test_key_too_big_to_bind_fails_the_lookup),
		T(test_bind_to_a_missing_parameter_fails_the_step),
		T(test_sql_longer_than_4095_bytes_is_prepared_whole),
		T(test_prepare_refuses_sql_with_a_second_statement),
		T(test_allocator_keeps_sizes_and_contents),
		T(test_savepoint_rollback_over_many_pages_restores_them),
		T(test_insert_returning_rowid_runs_without_returning),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
