/*
 * Faults the portal rides out (issue 13 item 14): the database busy for
 * longer than its timeout, and the disk full during a commit, give the
 * member a clear 503 page in their language, lose nothing that was
 * acknowledged, store nothing half-way, and the portal recovers by
 * itself when the fault ends.  (A killed renderer: test_render_faults and tests/unit/docs; the
 * CA down: test_ca_e2e; the SMTP server down: test_mail_smtp.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <errno.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "journey.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"

static int setup(void **state)
{
	struct journey_fx *f;

	if (journey_fx_setup(state, NULL) != 0)
		return -1;
	f = *state;
	journey_member(&f->s, &f->c, &demo_zarko, "zdjuras", PW);
	return 0;
}

/* A natural-person request of Žarko; returns the status. */
static long submit(struct journey_fx *f)
{
	return journey_submit(&f->c, "/certificates/new/natural", "/certificates/new/natural",
			      &f->r, "id_type", "id_card", "id_number", JOURNEY_ZARKO_ID_CARD,
			      "id_issuer", "PU za grad Beograd", "street", "Nemanjina 4",
			      "postal_code", "11000", "city", "Beograd", "email",
			      JOURNEY_ZARKO_MAIL, "phone", "064 123 4567", "office", "NS",
			      "validity", "3y", "consent", "1", NULL);
}

static sqlite3 *db_open(struct journey_fx *f)
{
	char path[PATH_MAX + 16];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static long long orders(struct journey_fx *f)
{
	sqlite3 *db = db_open(f);
	sqlite3_stmt *s;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM orders", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

/* The clear 503 page: the message, in Serbian, saying nothing is lost. */
static void assert_storage_page(struct journey_fx *f)
{
	assert_int_equal(f->r.status, 503);
	if (strstr(buf_cstr(&f->r.body), "Ni\xc5\xa1ta nije izgubljeno") == NULL)
		fail_msg("not the storage page:\n%s", buf_cstr(&f->r.body));
}

static void test_a_database_busy_past_its_timeout_is_a_503_then_recovers(void **state)
{
	struct journey_fx *f = *state;
	sqlite3 *db;
	long long before;

	assert_int_equal(submit(f), 303);
	before = orders(f);
	db = db_open(f);
	assert_int_equal(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
	submit(f);
	assert_storage_page(f);
	assert_int_equal(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(orders(f), before); /* nothing half-way */
	assert_int_equal(submit(f), 303);    /* recovered by itself */
	assert_int_equal(orders(f), before + 1);
}

/* The server's file size limit (the soft one: it can be lifted again). */
static void set_fsize(struct journey_fx *f, rlim_t limit)
{
	struct rlimit rl = {limit, RLIM_INFINITY};

	if (prlimit(f->s.pid, RLIMIT_FSIZE, &rl, NULL) != 0)
		fail_msg("prlimit %d: %s", (int)f->s.pid, strerror(errno));
}

static void test_a_full_disk_during_a_commit_is_a_503_then_recovers(void **state)
{
	struct journey_fx *f = *state;
	long long before;

	assert_int_equal(submit(f), 303);
	before = orders(f);
	/* No file of the server may grow: every write past its end fails. */
	set_fsize(f, 4096);
	submit(f);
	assert_storage_page(f);
	submit(f);
	assert_storage_page(f);
	set_fsize(f, RLIM_INFINITY);
	assert_int_equal(orders(f), before);
	assert_int_equal(submit(f), 303);
	assert_int_equal(orders(f), before + 1);
	assert_int_equal(journey_get(&f->c, "/orders", &f->r), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_database_busy_past_its_timeout_is_a_503_then_recovers, setup,
			journey_fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_full_disk_during_a_commit_is_a_503_then_recovers, setup,
			journey_fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
