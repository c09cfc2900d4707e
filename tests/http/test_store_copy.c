/*
 * qcra store copy (issue 17, point 3), with the real server and CLI: an
 * installation on SQLite with orders at several steps (one issued by the
 * test CA and handed over, staff with TOTP, mail, the audit log) copied
 * into a new PostgreSQL database: every table's rows agree, `qcra audit
 * verify` passes on the copy, the portal started on the copy serves the
 * member's orders and takes a new one (the identity sequences were set
 * past the ids copied); a target with rows in it is refused; and back
 * again from PostgreSQL into a new SQLite file, which verifies too.  A
 * larger installation (qcra demo seed: tables of many batches of rows
 * and a part batch) comes back from PostgreSQL with every row as it was.
 * Runs under tests/tools/with-pg (store_copy_pg).
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "journey.h"
#include "office.h"
#include "store/store.h"
#include "store_db.h" /* tests/unit/app */

struct copy_fx {
	struct office *f;
	long long draft, issued;
	char pg[512];
};

static int setup(void **state)
{
	struct copy_fx *x = calloc(1, sizeof(*x));

	if (x == NULL || office_setup((void **)&x->f) != 0) {
		free(x);
		return -1;
	}
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct copy_fx *x = *state;

	if (x->pg[0] != '\0')
		store_fx_drop(x->pg);
	office_teardown((void **)&x->f);
	free(x);
	return 0;
}

static int cli_env(struct office *f, const char *const *argv, const char *database)
{
	char env0[PATH_MAX + 64];
	const char *env[] = {env0, NULL};

	if (database != NULL &&
	    (size_t)snprintf(env0, sizeof(env0), "QCRA_DATABASE=%s", database) >= sizeof(env0))
		fail_msg("database name too long");
	buf_reset(&f->out);
	return server_run_cli_env(&f->s, argv, database ? env : NULL, &f->out);
}

static long long count_of(const char *out, const char *table)
{
	char key[64];
	const char *p;
	long long a = -1, b = -2;

	snprintf(key, sizeof(key), "  %s ", table);
	if ((p = strstr(out, key)) == NULL ||
	    sscanf(p + strlen(key), " %lld rows, %lld", &a, &b) != 2)
		fail_msg("no count of %s in: %s", table, out);
	if (a != b)
		fail_msg("%s: %lld rows, %lld copied", table, a, b);
	return a;
}

static void test_sqlite_to_postgresql_and_back(void **state)
{
	struct copy_fx *x = *state;
	struct office *f = x->f;
	char sqlite_db[PATH_MAX + 16], back[PATH_MAX + 16], from[PATH_MAX + 32], to[PATH_MAX + 32];
	char env0[600];
	const char *env[] = {env0, NULL};
	struct store *st;
	struct order o;
	char err[256];
	long long id;

	/* An installation with something in every area. */
	x->issued = office_order_verified(f);
	office_deliver(f, x->issued);
	x->draft = office_order(f, "BG");
	{
		struct order o2 = office_order_get(f, x->draft);
		char path[PATH_MAX + 16], line[512];
		const char *argv[] = {"payments", "import", path, NULL};
		FILE *fp;

		snprintf(path, sizeof(path), "%s/izvod.csv", f->s.var);
		snprintf(line, sizeof(line),
			 "Datum,Iznos,Uplatilac,Poziv na broj,Svrha,ID transakcije\r\n"
			 "25.11.2024,\"100,00\",Zarko,%s,Uplata,T%ld\r\n",
			 o2.payment_ref, (long)getpid());
		assert_non_null(fp = fopen(path, "w"));
		fputs(line, fp);
		fclose(fp);
		if (office_cli(f, argv) != 0)
			fail_msg("payments import: %s", buf_cstr(&f->out));
	}
	assert_int_equal(server_stop(&f->s), 0);

	store_fx_pg_new(x->pg, sizeof(x->pg));
	snprintf(sqlite_db, sizeof(sqlite_db), "%s/qcra.db", f->s.var);
	snprintf(from, sizeof(from), "sqlite:%s", sqlite_db);
	{
		const char *argv[] = {"store", "copy", "--from", from, "--to", x->pg, NULL};

		if (cli_env(f, argv, NULL) != 0)
			fail_msg("store copy: %s", buf_cstr(&f->out));
	}
	assert_true(count_of(buf_cstr(&f->out), "orders") >= 2);
	assert_true(count_of(buf_cstr(&f->out), "audit_log") > 10);
	assert_true(count_of(buf_cstr(&f->out), "testca_requests") == 1);
	assert_true(count_of(buf_cstr(&f->out), "payments") == 1); /* a fingerprint: bytea */
	assert_true(count_of(buf_cstr(&f->out), "statement_imports") == 1);
	assert_true(count_of(buf_cstr(&f->out), "operators") == 4);
	assert_null(strstr(buf_cstr(&f->out), "postgresql://")); /* its password, if any */
	{
		const char *argv[] = {"audit", "verify", "--var", f->s.var, NULL};

		if (cli_env(f, argv, x->pg) != 0)
			fail_msg("audit verify on the copy: %s", buf_cstr(&f->out));
	}
	/* Into a database with rows: refused, nothing written. */
	{
		const char *argv[] = {"store", "copy", "--from", from, "--to", x->pg, NULL};

		assert_int_equal(cli_env(f, argv, NULL), 1);
		if (strstr(buf_cstr(&f->out), "not empty") == NULL)
			fail_msg("no word of the target not empty: %s", buf_cstr(&f->out));
	}

	/* The portal on the copy: the member's session and orders came
	 * along, and a new order gets a new id. */
	snprintf(env0, sizeof(env0), "QCRA_DATABASE=%s", x->pg);
	assert_int_equal(server_restart(&f->s, env), 0);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", x->issued), 200);
	assert_int_equal(office_get(f, &f->bg, "%s", office_path(x->draft, "")), 200);
	id = journey_order(&f->member, &f->r, "NS", NULL, NULL);
	assert_true(id > x->draft);
	assert_int_equal(server_stop(&f->s), 0);

	/* And back, into a new SQLite file. */
	snprintf(back, sizeof(back), "%s/back.db", f->s.var);
	snprintf(to, sizeof(to), "sqlite:%s", back);
	{
		const char *argv[] = {"store", "copy", "--from", x->pg, "--to", to, NULL};

		if (cli_env(f, argv, NULL) != 0)
			fail_msg("store copy back: %s", buf_cstr(&f->out));
	}
	assert_true(count_of(buf_cstr(&f->out), "orders") >= 3);
	{
		const char *argv[] = {"audit", "verify", "--var", f->s.var, NULL};

		if (cli_env(f, argv, back) != 0)
			fail_msg("audit verify on the copy back: %s", buf_cstr(&f->out));
	}
	assert_int_equal(store_open(&st, back, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_order_get(st, id, &o), STORE_OK);
	assert_int_equal(store_order_get(st, x->issued, &o), STORE_OK);
	assert_string_equal(wf_state_name(o.state), "at_office");
	store_close(st);
}

/* The rows of every table of a that b has not, and of b that a has
 * not (two SQLite files of one schema); schema_version is each file's
 * own (the copy's target is migrated, not copied into). */
static long long rows_differing(const char *a, const char *b)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *tables = NULL, *s = NULL;
	char sql[512], attach[PATH_MAX + 64];
	long long n = 0;

	assert_int_equal(sqlite3_open_v2(a, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL),
			 SQLITE_OK);
	if ((size_t)snprintf(attach, sizeof(attach), "ATTACH 'file:%s?mode=ro' AS b", b) >=
	    sizeof(attach))
		fail_msg("path too long");
	assert_int_equal(sqlite3_exec(db, attach, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
		sqlite3_prepare_v2(db,
				   "SELECT name FROM main.sqlite_master WHERE type = 'table' "
				   "AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version'",
				   -1, &tables, NULL),
		SQLITE_OK);
	while (sqlite3_step(tables) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);

		snprintf(sql, sizeof(sql),
			 "SELECT (SELECT COUNT(*) FROM (SELECT * FROM main.\"%s\" EXCEPT SELECT * "
			 "FROM b.\"%s\")) + (SELECT COUNT(*) FROM (SELECT * FROM b.\"%s\" EXCEPT "
			 "SELECT * FROM main.\"%s\"))",
			 t, t, t, t);
		if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
		    sqlite3_step(s) != SQLITE_ROW)
			fail_msg("%s: %s", t, sqlite3_errmsg(db));
		if (sqlite3_column_int64(s, 0) != 0)
			print_message("# %s: %lld rows differ\n", t,
				      (long long)sqlite3_column_int64(s, 0));
		n += sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
	}
	sqlite3_finalize(tables);
	sqlite3_close(db);
	return n;
}

/* Hundreds of rows a table: the copy writes them in batches, and the
 * rows after the last whole batch one at a time. */
static void test_a_larger_installation_comes_back_row_for_row(void **state)
{
	struct copy_fx *x = *state;
	struct office *f = x->f;
	char var[PATH_MAX], from[PATH_MAX + 32], to[PATH_MAX + 32], db[PATH_MAX + 16],
		back[PATH_MAX + 16];

	if ((size_t)snprintf(var, sizeof(var), "%s/seeded", f->s.var) >= sizeof(var))
		fail_msg("path too long");
	{
		const char *argv[] = {"demo",     "seed", "--var",  var, "--members", "150",
				      "--orders", "333",  "--seed", "7", NULL};

		if (cli_env(f, argv, NULL) != 0)
			fail_msg("demo seed: %s", buf_cstr(&f->out));
	}
	store_fx_pg_new(x->pg, sizeof(x->pg));
	snprintf(db, sizeof(db), "%s/qcra.db", var);
	snprintf(from, sizeof(from), "sqlite:%s", db);
	{
		const char *argv[] = {"store", "copy", "--from", from, "--to", x->pg, NULL};

		if (cli_env(f, argv, NULL) != 0)
			fail_msg("store copy: %s", buf_cstr(&f->out));
	}
	assert_int_equal(count_of(buf_cstr(&f->out), "orders"), 333);
	assert_true(count_of(buf_cstr(&f->out), "order_events") > 1000);
	snprintf(back, sizeof(back), "%s/back.db", var);
	snprintf(to, sizeof(to), "sqlite:%s", back);
	{
		const char *argv[] = {"store", "copy", "--from", x->pg, "--to", to, NULL};

		if (cli_env(f, argv, NULL) != 0)
			fail_msg("store copy back: %s", buf_cstr(&f->out));
	}
	assert_int_equal(count_of(buf_cstr(&f->out), "members"), 150);
	assert_int_equal(rows_differing(db, back), 0);
}

static void test_usage_errors(void **state)
{
	struct copy_fx *x = *state;
	struct office *f = x->f;
	{
		const char *argv[] = {"store", "copy",          "--from", "/tmp/x.db",
				      "--to",  "sqlite:/tmp/y", NULL};

		assert_int_equal(cli_env(f, argv, NULL), 2);
		assert_non_null(strstr(buf_cstr(&f->out), "sqlite:PATH"));
	}
	{
		const char *argv[] = {"store", "copy", "--from", "sqlite:/tmp/x.db", NULL};

		assert_int_equal(cli_env(f, argv, NULL), 2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sqlite_to_postgresql_and_back),
		cmocka_unit_test(test_a_larger_installation_comes_back_row_for_row),
		cmocka_unit_test(test_usage_errors),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, setup, teardown);
}
