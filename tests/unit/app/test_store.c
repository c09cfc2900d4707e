/* The SQLite store: migrations, every entity's round trip, constraints. */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <sys/stat.h>

#include "store/store.h"
#include "store_fx.h"
#include "store/db_sqlite.h"      /* a big commit on the store's own connection */
#include "store/store_office.h"   /* store_office_orders */
#include "store/store_payments.h" /* store_bulk_begin */

static long long add_member(struct store *st, const char *license, const char *email)
{
	struct member m = {0}, got;
	enum member_upsert o;

	snprintf(m.license_number, sizeof(m.license_number), "%s", license);
	snprintf(m.first_name, sizeof(m.first_name), "Žarko");
	snprintf(m.last_name, sizeof(m.last_name), "Đurašković");
	snprintf(m.jmbg, sizeof(m.jmbg), "1203978711237");
	snprintf(m.email, sizeof(m.email), "%s", email);
	assert_int_equal(store_member_upsert(st, &m, &o), STORE_OK);
	assert_int_equal(store_member_by_license(st, license, &got), STORE_OK);
	return got.id;
}

static long long add_account(struct store *st, long long member_id, const char *username)
{
	struct account a = {0};

	a.member_id = member_id;
	snprintf(a.username, sizeof(a.username), "%s", username);
	snprintf(a.password_hash, sizeof(a.password_hash), "$argon2id$x");
	snprintf(a.email, sizeof(a.email), "a@example.rs");
	a.created_at = 1000;
	assert_int_equal(store_account_create(st, &a), STORE_OK);
	assert_true(a.id > 0);
	return a.id;
}

static void test_migrate_is_idempotent_and_versioned(void **state)
{
	struct fx *f = *state;
	char err[256];
	int applied = -1, version = 0;

	assert_int_equal(store_migrate(f->st, &applied, err, sizeof(err)), STORE_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(store_schema_version(f->st, &version), STORE_OK);
	assert_true(version >= 1);
}

static void test_member_upsert_reports_added_updated_unchanged(void **state)
{
	struct fx *f = *state;
	struct member m = {0}, got;
	enum member_upsert o;
	long long n = 0;

	snprintf(m.license_number, sizeof(m.license_number), "310");
	snprintf(m.first_name, sizeof(m.first_name), "Ana");
	snprintf(m.last_name, sizeof(m.last_name), "Petrović");
	snprintf(m.jmbg, sizeof(m.jmbg), "0511985715143");
	snprintf(m.email, sizeof(m.email), "ana@example.rs");
	assert_int_equal(store_member_upsert(f->st, &m, &o), STORE_OK);
	assert_int_equal(o, MEMBER_ADDED);
	assert_int_equal(store_member_upsert(f->st, &m, &o), STORE_OK);
	assert_int_equal(o, MEMBER_UNCHANGED);
	snprintf(m.email, sizeof(m.email), "ana.p@example.rs");
	assert_int_equal(store_member_upsert(f->st, &m, &o), STORE_OK);
	assert_int_equal(o, MEMBER_UPDATED);
	assert_int_equal(store_member_by_license(f->st, "310", &got), STORE_OK);
	assert_string_equal(got.email, "ana.p@example.rs");
	assert_string_equal(got.last_name, "Petrović");
	assert_int_equal(store_member_count(f->st, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_member_by_license(f->st, "999", &got), STORE_NOTFOUND);
}

static void test_account_username_and_member_are_unique(void **state)
{
	struct fx *f = *state;
	long long m1 = add_member(f->st, "1", "x@example.rs"),
		  m2 = add_member(f->st, "2", "y@example.rs");
	struct account a = {0}, got;

	add_account(f->st, m1, "ana");
	a.member_id = m2;
	snprintf(a.username, sizeof(a.username), "ana");
	snprintf(a.password_hash, sizeof(a.password_hash), "h");
	snprintf(a.email, sizeof(a.email), "y@example.rs");
	assert_int_equal(store_account_create(f->st, &a), STORE_CONFLICT);
	a.member_id = m1;
	snprintf(a.username, sizeof(a.username), "other");
	assert_int_equal(store_account_create(f->st, &a), STORE_CONFLICT);
	assert_int_equal(store_account_by_username(f->st, "ana", &got), STORE_OK);
	assert_int_equal(got.member_id, m1);
	assert_int_equal(got.confirmed_at, 0);
	assert_int_equal(store_account_by_email(f->st, "A@EXAMPLE.RS", &got), STORE_OK);
	{
		struct member m;

		assert_int_equal(store_member_of_account(f->st, got.id, &m), STORE_OK);
		assert_int_equal(m.id, m1);
		assert_string_equal(m.email, "x@example.rs");
		assert_int_equal(store_member_of_account(f->st, got.id + 1000, &m), STORE_NOTFOUND);
	}
}

static void test_account_confirm_and_password_change_persist(void **state)
{
	struct fx *f = *state;
	long long id = add_account(f->st, add_member(f->st, "1", "x@example.rs"), "ana");
	struct account got;

	assert_int_equal(store_account_confirm(f->st, id, 5000), STORE_OK);
	assert_int_equal(store_account_confirm(f->st, id, 6000), STORE_NOTFOUND);
	assert_int_equal(store_account_set_password(f->st, id, "new-hash"), STORE_OK);
	assert_int_equal(store_account_get(f->st, id, &got), STORE_OK);
	assert_int_equal(got.confirmed_at, 5000);
	assert_string_equal(got.password_hash, "new-hash");
}

static void test_token_is_single_use_and_expires(void **state)
{
	struct fx *f = *state;
	long long id = add_account(f->st, add_member(f->st, "1", "x@example.rs"), "ana"), who = 0;
	unsigned char h[32], other[32];

	memset(h, 7, sizeof(h));
	memset(other, 8, sizeof(other));
	assert_int_equal(store_token_add(f->st, h, TOKEN_RESET, id, 2000), STORE_OK);
	assert_int_equal(store_token_peek(f->st, h, TOKEN_CONFIRM, 1000, &who), STORE_NOTFOUND);
	assert_int_equal(store_token_peek(f->st, h, TOKEN_RESET, 2000, &who), STORE_NOTFOUND);
	assert_int_equal(store_token_peek(f->st, other, TOKEN_RESET, 1000, &who), STORE_NOTFOUND);
	assert_int_equal(store_token_use(f->st, h, TOKEN_RESET, 1000, &who), STORE_OK);
	assert_int_equal(who, id);
	assert_int_equal(store_token_use(f->st, h, TOKEN_RESET, 1001, &who), STORE_NOTFOUND);
}

/* A withheld token (a reset asked for an address with no account) is
 * written like one, but can never be redeemed. */
static void test_withheld_token_is_never_valid(void **state)
{
	struct fx *f = *state;
	unsigned char h[32];
	long long who = 0;

	memset(h, 9, sizeof(h));
	assert_int_equal(store_token_withheld(f->st, h, TOKEN_RESET, 1000), STORE_OK);
	assert_int_equal(store_token_peek(f->st, h, TOKEN_RESET, 500, &who), STORE_NOTFOUND);
	assert_int_equal(store_token_use(f->st, h, TOKEN_RESET, 500, &who), STORE_NOTFOUND);
	assert_int_equal(store_token_peek(f->st, h, TOKEN_RESET, 1000, &who), STORE_NOTFOUND);
}

static void test_sessions_delete_all_but_current(void **state)
{
	struct fx *f = *state;
	long long id = add_account(f->st, add_member(f->st, "1", "x@example.rs"), "ana");
	struct session s = {0}, got;
	unsigned char a[32], b[32];

	memset(a, 1, 32);
	memset(b, 2, 32);
	s.kind = SESSION_MEMBER;
	s.account_id = id;
	s.created_at = 100;
	memcpy(s.id_hash, a, 32);
	assert_int_equal(store_session_add(f->st, &s), STORE_OK);
	memcpy(s.id_hash, b, 32);
	assert_int_equal(store_session_add(f->st, &s), STORE_OK);
	assert_int_equal(store_session_touch(f->st, a, 150), STORE_OK);
	assert_int_equal(store_session_get(f->st, a, &got), STORE_OK);
	assert_int_equal(got.last_seen_at, 150);
	assert_int_equal(got.created_at, 100);
	assert_int_equal(store_session_delete_account(f->st, SESSION_MEMBER, id, a), STORE_OK);
	assert_int_equal(store_session_get(f->st, a, &got), STORE_OK);
	assert_int_equal(store_session_get(f->st, b, &got), STORE_NOTFOUND);
	assert_int_equal(store_session_delete(f->st, a), STORE_OK);
	assert_int_equal(store_session_get(f->st, a, &got), STORE_NOTFOUND);
}

static void test_login_failures_counted_in_window(void **state)
{
	struct fx *f = *state;
	time_t oldest, newest;
	int n;

	assert_int_equal(store_login_failure_add(f->st, "u:ana", 100, NULL), STORE_OK);
	assert_int_equal(store_login_failure_add(f->st, "u:ana", 200, NULL), STORE_OK);
	assert_int_equal(store_login_failure_add(f->st, "u:bob", 200, NULL), STORE_OK);
	assert_int_equal(store_login_failures(f->st, "u:ana", 150, &n, &oldest, NULL), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(oldest, 200);
	assert_int_equal(store_login_failures(f->st, "u:ana", 0, &n, &oldest, &newest), STORE_OK);
	assert_int_equal(n, 2);
	assert_int_equal(oldest, 100);
	assert_int_equal(newest, 200);
	assert_int_equal(store_login_failures_clear(f->st, "u:ana"), STORE_OK);
	assert_int_equal(store_login_failures(f->st, "u:ana", 0, &n, &oldest, NULL), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_login_failures(f->st, "u:bob", 0, &n, &oldest, NULL), STORE_OK);
	assert_int_equal(n, 1);
}

/* A reserved try is removed by its id; purging drops what is older
 * than the window, whatever its key. */
static void test_login_failure_removed_by_id_and_purged_by_age(void **state)
{
	struct fx *f = *state;
	long long id = 0;
	time_t oldest;
	int n;

	assert_int_equal(store_login_failure_add(f->st, "mu:x", 100, NULL), STORE_OK);
	assert_int_equal(store_login_failure_add(f->st, "mu:x", 300, &id), STORE_OK);
	assert_true(id > 0);
	assert_int_equal(store_login_failure_add(f->st, "ma:y", 150, NULL), STORE_OK);
	assert_int_equal(store_login_failure_remove(f->st, id), STORE_OK);
	assert_int_equal(store_login_failures(f->st, "mu:x", 0, &n, &oldest, NULL), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_login_failures_purge(f->st, 200), STORE_OK);
	assert_int_equal(store_login_failures(f->st, "mu:x", 0, &n, &oldest, NULL), STORE_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_login_failures(f->st, "ma:y", 0, &n, &oldest, NULL), STORE_OK);
	assert_int_equal(n, 0);
}

static void test_outbox_retry_then_sent(void **state)
{
	struct fx *f = *state;
	struct outbox_item it;
	long long pending = 0;

	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "Naslov č", "Telo ž", 100),
			 STORE_OK);
	assert_int_equal(store_outbox_next(f->st, 99, &it), STORE_NOTFOUND);
	assert_int_equal(store_outbox_next(f->st, 100, &it), STORE_OK);
	assert_string_equal(it.subject, "Naslov č");
	assert_string_equal(it.body, "Telo ž");
	assert_int_equal(store_outbox_retry(f->st, it.id, 1, 500, "refused"), STORE_OK);
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_next(f->st, 499, &it), STORE_NOTFOUND);
	assert_int_equal(store_outbox_next(f->st, 500, &it), STORE_OK);
	assert_int_equal(it.attempts, 1);
	assert_int_equal(store_outbox_sent(f->st, it.id, 501), STORE_OK);
	store_outbox_item_free(&it);
	assert_int_equal(store_outbox_next(f->st, 10000, &it), STORE_NOTFOUND);
	assert_int_equal(store_outbox_pending(f->st, &pending), STORE_OK);
	assert_int_equal(pending, 0);
}

/* Wake-ups across instances: on PostgreSQL a listener hears the mail
 * queued when the queuing transaction commits (once,
 * however much it queued), nothing from one rolled back, and what a
 * commit group's member queued unless that member rolled back; SQLite
 * has no listener (one process kicks its own workers). */
static void test_wake_ups_told_at_commit(void **state)
{
	struct fx *f = *state;
	struct store_listener *l = store_listen(f->st);
	int bits = 0, n;

	if (!store_fx_pg()) {
		assert_null(l);
		return;
	}
	assert_non_null(l);
	assert_int_equal(store_listen_wait(l, 100), 0);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 100), STORE_OK);
	assert_int_equal(store_outbox_queue(f->st, "b@example.rs", "sr", "mail.x", "mail.x", 100),
			 STORE_OK);
	assert_int_equal(store_listen_wait(l, 200), 0); /* not before the commit */
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_listen_wait(l, 2000), STORE_WAKE_MAIL);
	assert_int_equal(store_listen_wait(l, 200), 0); /* told once */

	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 100), STORE_OK);
	store_rollback(f->st);
	assert_int_equal(store_listen_wait(l, 300), 0);

	/* A commit group: the member rolled back tells nothing, the next
	 * one's mail does (the first's wake-up went with its rollback). */
	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 100), STORE_OK);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "c@example.rs", "s", "b", 100), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_group_commit(f->st), STORE_OK);
	for (n = 0; n < 20 && bits == 0; n++)
		bits = store_listen_wait(l, 100);
	assert_int_equal(bits, STORE_WAKE_MAIL);
	store_listen_close(l);
}

/* A commit group tells what its requests queued, on every backend, so
 * that only a group that queued mail wakes the mail worker (web/group.c:
 * an order's creation woke it for nothing, a pass of three statements
 * on PostgreSQL for every other POST of scenario 6). */
static void test_group_tells_what_it_queued(void **state)
{
	struct fx *f = *state;
	struct member m = {0, "L-1", "Ana", "Anić", "0101990715007", "ana@example.rs"};
	enum member_upsert up;

	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_member_upsert(f->st, &m, &up), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_group_commit(f->st), STORE_OK);
	assert_int_equal(store_group_queued(f->st), 0);

	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_queue(f->st, "b@example.rs", "sr", "mail.x", "mail.x", 100),
			 STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_group_commit(f->st), STORE_OK);
	assert_int_equal(store_group_queued(f->st), STORE_WAKE_MAIL);

	/* The next group starts from nothing. */
	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_group_commit(f->st), STORE_OK);
	assert_int_equal(store_group_queued(f->st), 0);
}

/* The database is made 0600 whatever the umask, and an existing one
 * that others could read is made private when opened. */
static void test_database_file_is_private(void **state)
{
	char dir[] = "/tmp/qcra-store-mode-XXXXXX", path[64], err[256];
	struct store *st = NULL;
	struct stat sb;
	mode_t old = umask(022);

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/new.db", dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(st, NULL, err, sizeof(err)), STORE_OK);
	store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	store_close(st);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	umask(old);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	assert_int_equal(system(err), 0);
}

/* A confirmation's move fixes the prices in the same UPDATE,
 * compare-and-set like every move: from a state the order is not in,
 * nothing is written. */
static void test_confirm_moves_and_fixes_prices_at_once(void **state)
{
	struct fx *f = *state;
	struct order o = {0}, got;
	struct order_prices p = {350000, 120000, 20};

	o.account_id = add_account(f->st, add_member(f->st, "301234567", "c@example.rs"), "ceca");
	o.type = 1;
	o.state = WF_DRAFT;
	snprintf(o.first_name, sizeof(o.first_name), "Ceca");
	o.created_at = o.updated_at = 1000;
	assert_int_equal(store_order_create(f->st, &o), STORE_OK);
	assert_int_equal(store_order_transition_priced(f->st, o.id, WF_RETURNED_TO_MEMBER,
						       WF_CONFIRMED, 564000, 1500, &p, 1500),
			 STORE_NOTFOUND);
	assert_int_equal(store_order_get(f->st, o.id, &got), STORE_OK);
	assert_int_equal(got.state, WF_DRAFT);
	assert_int_equal(got.prices_fixed, 0);
	assert_int_equal(got.total_para, 0);
	assert_int_equal(store_order_transition_priced(f->st, o.id, WF_DRAFT, WF_CONFIRMED, 564000,
						       1500, &p, 1600),
			 STORE_OK);
	assert_int_equal(store_order_get(f->st, o.id, &got), STORE_OK);
	assert_int_equal(got.state, WF_CONFIRMED);
	assert_int_equal(got.total_para, 564000);
	assert_int_equal(got.confirmed_at, 1500);
	assert_int_equal(got.updated_at, 1600);
	assert_int_equal(got.prices_fixed, 1);
	assert_int_equal(got.price_para, 350000);
	assert_int_equal(got.reader_para, 120000);
	assert_int_equal(got.vat_pct, 20);
}

/* Counts the rewrites of orders rows on st's connection from here on
 * (a TEMP trigger: this connection's alone). */
static void count_order_rewrites(struct store *st)
{
	assert_int_equal(
		sqlite3_exec(db_sqlite_handle(st),
			     "CREATE TEMP TABLE rewritten (id INTEGER); CREATE TEMP TRIGGER "
			     "orders_rewritten AFTER UPDATE ON main.orders BEGIN INSERT INTO "
			     "rewritten VALUES (new.id); END",
			     NULL, NULL, NULL),
		SQLITE_OK);
}

static long long order_rewrites(struct store *st)
{
	sqlite3_stmt *s;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(st), "SELECT COUNT(*) FROM rewritten",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* A move writes the order's state, never its row of some 40 columns:
 * a statement import settles ~35,000 orders (bench scenario 7), and
 * each rewrite of a whole row dirtied a page of the orders table. */
static void test_move_leaves_the_order_row_alone(void **state)
{
	struct fx *f = *state;
	struct order o = {0}, got;

	o.account_id = add_account(f->st, add_member(f->st, "301234568", "m@example.rs"), "mika");
	o.type = 1;
	o.state = WF_CONFIRMED;
	snprintf(o.first_name, sizeof(o.first_name), "Mika");
	snprintf(o.office, sizeof(o.office), "NS");
	o.created_at = o.updated_at = 1000;
	assert_int_equal(store_order_create(f->st, &o), STORE_OK);
	count_order_rewrites(f->st);
	assert_int_equal(store_order_transition(f->st, o.id, WF_CONFIRMED, WF_PAID, 0, 0, 1700),
			 STORE_OK);
	assert_int_equal(store_order_transition(f->st, o.id, WF_CONFIRMED, WF_READY, 0, 0, 1800),
			 STORE_NOTFOUND); /* compare-and-set: not in that state */
	assert_int_equal(store_order_transition(f->st, o.id, WF_PAID, WF_READY, 0, 1750, 1900),
			 STORE_OK);
	assert_int_equal(order_rewrites(f->st), 0);
	assert_int_equal(store_order_get(f->st, o.id, &got), STORE_OK);
	assert_int_equal(got.state, WF_READY);
	assert_int_equal(got.updated_at, 1900);
	assert_int_equal(got.confirmed_at, 1750);
	assert_string_equal(got.office, "NS");
	assert_string_equal(got.first_name, "Mika");
}

/* An order's payment reference is a function of its id
 * (order_payment_ref): its creation is one INSERT of the row, never an
 * UPDATE after it (bench scenario 6 creates an order per POST). */
static void test_create_writes_the_order_row_once(void **state)
{
	struct fx *f = *state;
	struct order o = {0}, got;
	char ref[40];

	o.account_id = add_account(f->st, add_member(f->st, "301234568", "m@example.rs"), "mika");
	o.type = 1;
	o.state = WF_DRAFT;
	snprintf(o.first_name, sizeof(o.first_name), "Mika");
	snprintf(o.office, sizeof(o.office), "NS");
	o.created_at = o.updated_at = 1000;
	count_order_rewrites(f->st);
	assert_int_equal(store_order_create(f->st, &o), STORE_OK);
	assert_int_equal(order_rewrites(f->st), 0);
	assert_int_equal(order_payment_ref(o.id, ref, sizeof(ref)), 0);
	assert_string_equal(o.payment_ref, ref);
	assert_int_equal(store_order_get(f->st, o.id, &got), STORE_OK);
	assert_string_equal(got.payment_ref, ref);
}

/* Migration 023 on an installation that has orders: each order's state,
 * office and times move to order_state as they were, and the order
 * reads back whole. */
static void test_migration_023_keeps_each_orders_state(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct order got;
	char path[600], err[256];
	long long account;
	int applied = 0;

	snprintf(path, sizeof(path), "%s/u.db", f->dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate_upto(st, 22, NULL, err, sizeof(err)), STORE_OK);
	account = add_account(st, add_member(st, "301234569", "u@example.rs"), "uroš");
	{
		char sql[2048];

		snprintf(
			sql, sizeof(sql),
			"INSERT INTO orders (id, account_id, type, state, first_name, last_name, "
			"jmbg, id_type, id_number, id_issuer, street, postal_code, city, email, "
			"phone, license_number, office, validity, card_reader, position, "
			"company_name, company_mb, company_pib, company_street, "
			"company_postal_code, company_city, company_email, payment_ref, "
			"total_para, created_at, updated_at, confirmed_at) VALUES "
			"(7, %lld, 1, 'documents_received', 'Uroš', 'Đurić', '0101990710006', "
			"'id_card', '001', 'PU', 'Ulica 1', '11000', 'Beograd', 'u@example.rs', "
			"'060', '301234569', 'NI', '1y', 0, '', '', '', '', '', '', '', '', "
			"'977700000007', 564000, 1000, 3000, 2000), "
			"(8, %lld, 1, 'draft', 'Uroš', 'Đurić', '0101990710006', 'id_card', '001', "
			"'PU', 'Ulica 1', '11000', 'Beograd', 'u@example.rs', '060', '301234569', "
			"'BG', '1y', 0, '', '', '', '', '', '', '', '', '977400000008', 0, 1100, "
			"1100, 0)",
			account, account);
		assert_int_equal(sqlite3_exec(db_sqlite_handle(st), sql, NULL, NULL, NULL),
				 SQLITE_OK);
	}
	assert_int_equal(store_migrate(st, &applied, err, sizeof(err)), STORE_OK);
	assert_true(applied >= 1);
	assert_int_equal(store_order_get(st, 7, &got), STORE_OK);
	assert_int_equal(got.state, WF_DOCS_RECEIVED);
	assert_string_equal(got.office, "NI");
	assert_int_equal(got.updated_at, 3000);
	assert_int_equal(got.confirmed_at, 2000);
	assert_int_equal(got.created_at, 1000);
	assert_int_equal(got.total_para, 564000);
	assert_string_equal(got.first_name, "Uroš");
	assert_string_equal(got.payment_ref, "977700000007");
	assert_int_equal(store_order_get(st, 8, &got), STORE_OK);
	assert_int_equal(got.state, WF_DRAFT);
	assert_string_equal(got.office, "BG");
	assert_int_equal(got.updated_at, 1100);
	/* The state is order_state's alone now. */
	assert_int_not_equal(
		sqlite3_exec(db_sqlite_handle(st), "SELECT state FROM orders", NULL, NULL, NULL),
		SQLITE_OK);
	store_close(st);
}

static int count_one(void *arg, const struct order *o)
{
	(void)o;
	++*(int *)arg;
	return 0;
}

/* Migration 027 on an installation that has orders: each order gets
 * the pairs of its words, and a search by two of its names finds it
 * through them. */
static void test_migration_027_pairs_each_orders_words(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct order o;
	struct order_filter of;
	char path[600], err[256];
	long long total;
	int applied = 0, n = 0;
	sqlite3_stmt *s;

	snprintf(path, sizeof(path), "%s/u.db", f->dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate_upto(st, 26, NULL, err, sizeof(err)), STORE_OK);
	memset(&o, 0, sizeof(o));
	o.account_id = add_account(st, add_member(st, "301234569", "u@example.rs"), "uroš");
	o.type = 1;
	o.state = WF_CONFIRMED;
	snprintf(o.first_name, sizeof(o.first_name), "Milica");
	snprintf(o.last_name, sizeof(o.last_name), "Zzcapić");
	snprintf(o.office, sizeof(o.office), "BG");
	assert_int_equal(store_order_create(st, &o), STORE_OK);
	/* As an order made before 027 has them: its words, no pairs. */
	assert_int_equal(sqlite3_exec(db_sqlite_handle(st),
				      "DELETE FROM order_words WHERE word LIKE '~%'", NULL, NULL,
				      NULL),
			 SQLITE_OK);
	assert_int_equal(store_migrate(st, &applied, err, sizeof(err)), STORE_OK);
	assert_true(applied >= 1);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(st),
					    "SELECT COUNT(*) FROM order_words WHERE word LIKE '~%'",
					    -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 2); /* milica zzcapic, zzcapic milica */
	sqlite3_finalize(s);
	memset(&of, 0, sizeof(of));
	of.q = "zzcapic mil";
	of.limit = 20;
	assert_int_equal(store_office_orders(st, &of, &total, count_one, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(total, 1);
	store_close(st);
}

/* Migration 024 on an installation that has orders: each order's
 * payment reference reads back as it was stored (a function of the id),
 * and the column is gone. */
static void test_migration_024_keeps_each_orders_reference(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct order got;
	char path[600], err[256], stored[40];
	sqlite3_stmt *s;
	int applied = 0;

	snprintf(path, sizeof(path), "%s/r.db", f->dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate_upto(st, 23, NULL, err, sizeof(err)), STORE_OK);
	assert_true(add_account(st, add_member(st, "301234570", "r@example.rs"), "rade") > 0);
	assert_int_equal(
		sqlite3_exec(db_sqlite_handle(st),
			     "INSERT INTO orders (id, account_id, type, first_name, last_name, "
			     "jmbg, id_type, id_number, id_issuer, street, postal_code, city, "
			     "email, phone, license_number, validity, card_reader, position, "
			     "company_name, company_mb, company_pib, company_street, "
			     "company_postal_code, company_city, company_email, payment_ref, "
			     "total_para, created_at) SELECT 12345, id, 1, 'Rade', 'Rakić', '', "
			     "'', '', '', '', '', '', '', '', '', '1y', 0, '', '', '', '', '', "
			     "'', '', '', '972000012345', 0, 1000 FROM accounts; INSERT INTO "
			     "order_state VALUES (12345, 'BG', 'confirmed', 1000, 1000)",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(st),
					    "SELECT payment_ref FROM orders WHERE id = 12345", -1,
					    &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(stored, sizeof(stored), "%s", (const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	assert_int_equal(store_migrate(st, &applied, err, sizeof(err)), STORE_OK);
	assert_true(applied >= 1);
	assert_int_equal(store_order_get(st, 12345, &got), STORE_OK);
	assert_string_equal(got.payment_ref, stored);
	assert_string_equal(got.first_name, "Rade");
	assert_int_not_equal(sqlite3_exec(db_sqlite_handle(st), "SELECT payment_ref FROM orders",
					  NULL, NULL, NULL),
			     SQLITE_OK);
	store_close(st);
}

static void test_rollback_discards_the_transaction(void **state)
{
	struct fx *f = *state;
	long long pending = -1;

	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 1), STORE_OK);
	store_rollback(f->st);
	assert_int_equal(store_outbox_pending(f->st, &pending), STORE_OK);
	assert_int_equal(pending, 0);
}

static void test_committed_data_survive_reopen(void **state)
{
	struct fx *f = *state;
	struct member got;
	char err[256];

	add_member(f->st, "777", "z@example.rs");
	store_close(f->st);
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_member_by_license(f->st, "777", &got), STORE_OK);
	assert_string_equal(got.first_name, "Žarko");
}

/* A commit group: each request's store_begin/commit/rollback is a
 * savepoint; a rollback undoes that request's writes only; nothing is
 * visible to another connection before store_group_commit; after it,
 * the kept writes survive a reopen. */
static void *count_from_other_thread(void *arg)
{
	struct fx *f = arg;
	static long long pending;

	pending = -1;
	if (store_outbox_pending(f->st, &pending) != STORE_OK)
		pending = -2;
	return &pending;
}

static long long pending_elsewhere(struct fx *f)
{
	pthread_t t;
	void *out;

	assert_int_equal(pthread_create(&t, NULL, count_from_other_thread, f), 0);
	assert_int_equal(pthread_join(t, &out), 0);
	return *(long long *)out;
}

static void test_commit_group_savepoints(void **state)
{
	struct fx *f = *state;
	long long pending = -1;
	char err[256];

	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK); /* request 1: kept */
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 1), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK); /* request 2: rolled back */
	assert_int_equal(store_outbox_add(f->st, "b@example.rs", "s", "b", 1), STORE_OK);
	store_rollback(f->st);
	assert_int_equal(store_begin(f->st), STORE_OK); /* request 3: kept */
	assert_int_equal(store_outbox_add(f->st, "c@example.rs", "s", "b", 1), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_true(store_group_alive(f->st));
	assert_int_equal(store_outbox_pending(f->st, &pending), STORE_OK);
	assert_int_equal(pending, 2);              /* the group sees its own writes */
	assert_int_equal(pending_elsewhere(f), 0); /* nobody else does yet */
	assert_int_equal(store_group_commit(f->st), STORE_OK);
	assert_false(store_group_alive(f->st));
	assert_int_equal(pending_elsewhere(f), 2);
	store_close(f->st);
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_outbox_pending(f->st, &pending), STORE_OK);
	assert_int_equal(pending, 2);
}

static void test_commit_group_rollback_keeps_nothing(void **state)
{
	struct fx *f = *state;
	long long pending = -1;

	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 1), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	store_group_rollback(f->st);
	assert_int_equal(store_outbox_pending(f->st, &pending), STORE_OK);
	assert_int_equal(pending, 0);
	/* And the connection is back to ordinary transactions. */
	assert_int_equal(store_begin(f->st), STORE_OK);
	assert_int_equal(store_outbox_add(f->st, "a@example.rs", "s", "b", 1), STORE_OK);
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(pending_elsewhere(f), 1);
}

static long long file_size(const char *dir, const char *name)
{
	char path[256];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Commits 24 MiB (some 1,500 pages) on this thread's own store
 * connection, the one whose checkpoint settings are under test. */
static void big_commit(struct store *st)
{
	assert_int_equal(sqlite3_exec(db_sqlite_handle(st),
				      "CREATE TABLE IF NOT EXISTS big (b BLOB); "
				      "INSERT INTO big VALUES (randomblob(24 * 1024 * 1024))",
				      NULL, NULL, NULL),
			 SQLITE_OK);
}

/* store_checkpoints_leave: neither the commit nor the close copies the
 * WAL into the database; the next process closing it last does.  (By
 * default the same commit would: the first assertion would fail.) */
static void test_checkpoints_left_to_the_next_process(void **state)
{
	struct fx *f = *state;
	long long before = file_size(f->dir, "t.db");
	char err[256];

	store_checkpoints_leave(f->st);
	big_commit(f->st);
	store_close(f->st);
	assert_int_equal(file_size(f->dir, "t.db"), before);
	assert_true(file_size(f->dir, "t.db-wal") > 24 * 1024 * 1024);
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	store_close(f->st);
	assert_true(file_size(f->dir, "t.db") > 24 * 1024 * 1024);
	assert_int_equal(file_size(f->dir, "t.db-wal"), -1);
	/* Committed data were never at risk. */
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	{
		sqlite3_stmt *s;

		assert_int_equal(sqlite3_prepare_v2(db_sqlite_handle(f->st),
						    "SELECT length(b) FROM big", -1, &s, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(s, 0), 24 * 1024 * 1024);
		sqlite3_finalize(s);
	}
}

/* The threads of this process. */
static int task_count(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* The pages of the file at path in the kernel's cache, and how many of
 * them are dirty (cachestat, Linux 6.5): 0, or -1 when the kernel
 * cannot tell. */
#ifndef __NR_cachestat
#define __NR_cachestat 451 /* every architecture's; the headers of Debian 12 predate it */
#endif
static int dirty_pages(const char *path, long long *cached, long long *dirty)
{
	struct statfs fs;
	struct {
		unsigned long long off, len;
	} range = {0, 0};
	struct {
		unsigned long long cache, dirty, writeback, evicted, recently_evicted;
	} cs;
	int fd, rc;

	/* tmpfs has no disk to write to: its pages stay dirty. */
	if (statfs(path, &fs) != 0 || fs.f_type == 0x01021994 /* TMPFS_MAGIC */)
		return -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	rc = (int)syscall(__NR_cachestat, fd, &range, &cs, 0);
	close(fd);
	if (rc != 0)
		return -1;
	*cached = (long long)cs.cache;
	*dirty = (long long)cs.dirty;
	return 0;
}

/* store_bulk_begin: while a large transaction runs, the WAL it appends
 * is written out to disk (sqlite_wal.c), not left dirty in the kernel's
 * cache for the commit's fsync (the kernel itself would start only
 * after 30 s).  One thread does it for every bulk transaction under
 * way; it ends with the last, and the page cache is back as it was. */
static void test_bulk_writes_the_wal_ahead(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = db_sqlite_handle(f->st);
	struct store_bulk a, b;
	sqlite3_stmt *s;
	long long cached = 0, dirty = -1, cache_before;
	char wal[sizeof(f->path) + 4];
	int tasks = task_count(), i;

	assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	cache_before = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	assert_int_equal(store_bulk_begin(f->st, 16, &a), STORE_OK); /* 16 pages: it spills */
	assert_int_equal(store_bulk_begin(f->st, 16, &b), STORE_OK);
	assert_int_equal(task_count(), tasks + 1);
	assert_int_equal(
		sqlite3_exec(db,
			     "BEGIN IMMEDIATE; CREATE TABLE big (b BLOB); "
			     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
			     "WHERE i < 400) INSERT INTO big SELECT randomblob(60000) FROM c",
			     NULL, NULL, NULL),
		SQLITE_OK);
	snprintf(wal, sizeof(wal), "%s-wal", f->path);
	assert_true(file_size(f->dir, "t.db-wal") > 16 * 1024 * 1024);
	if (dirty_pages(wal, &cached, &dirty) == 0) {
		/* Written out within a few of its 20 ms rounds (5 s at most
		 * on a busy machine). */
		for (i = 0; i < 250 && dirty > cached / 4; i++) {
			usleep(20 * 1000);
			assert_int_equal(dirty_pages(wal, &cached, &dirty), 0);
		}
		assert_true(cached > 0);
		assert_in_range(dirty, 0, cached / 4);
	}
	assert_int_equal(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	store_bulk_end(f->st, &b);
	assert_int_equal(task_count(), tasks + 1); /* a is still on */
	store_bulk_end(f->st, &a);
	store_bulk_end(f->st, &a); /* a second end: nothing */
	assert_int_equal(task_count(), tasks);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int64(s, 0), cache_before);
	sqlite3_finalize(s);
	assert_int_equal(
		sqlite3_prepare_v2(db, "SELECT count(*), sum(length(b)) FROM big", -1, &s, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 400);
	assert_int_equal(sqlite3_column_int64(s, 1), 400LL * 60000);
	sqlite3_finalize(s);
}

/* The sanitizers' allocators replace the C library's, whose figures
 * mallinfo2() reads: under them only the connection's answers are
 * checked. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LIBC_MALLOC 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define LIBC_MALLOC 0
#endif
#endif
#ifndef LIBC_MALLOC
#define LIBC_MALLOC 1
#endif

/* store_release_memory: the pages a pass read leave this thread's
 * connection and the C library's arenas (an idle portal kept the jobs
 * worker's 1.8 MB), and the connection still answers. */
static void test_release_memory_gives_back_the_cache(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = db_sqlite_handle(f->st);
	sqlite3_stmt *s;
	size_t held, after;

	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE pad (i INTEGER PRIMARY KEY, x BLOB); "
			     "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c "
			     "WHERE i < 1500) INSERT INTO pad SELECT i, randomblob(1000) FROM c",
			     NULL, NULL, NULL),
		SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT sum(length(x)) FROM pad", -1, &s, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1500 * 1000);
	sqlite3_reset(s);
	held = mallinfo2().uordblks;
	store_release_memory(f->st);
	after = mallinfo2().uordblks;
	/* ~1.5 MB of pages were cached; most of it is gone. */
	if (LIBC_MALLOC)
		assert_true(held > after + 1024 * 1024);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(s, 0), 1500 * 1000);
	sqlite3_finalize(s);
}

int main(void)
{
	static const char *const sqlite_only[] = {
		"test_checkpoints_left_to_the_next_process",
		"test_release_memory_gives_back_the_cache",
		"test_bulk_writes_the_wal_ahead",
		"test_move_leaves_the_order_row_alone",
		"test_create_writes_the_order_row_once",
		"test_migration_023_keeps_each_orders_state",
		"test_migration_024_keeps_each_orders_reference",
		NULL,
	};
	struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, store_fx_setup, store_fx_teardown)
		T(test_migrate_is_idempotent_and_versioned),
		T(test_member_upsert_reports_added_updated_unchanged),
		T(test_account_username_and_member_are_unique),
		T(test_account_confirm_and_password_change_persist),
		T(test_token_is_single_use_and_expires),
		T(test_withheld_token_is_never_valid),
		T(test_sessions_delete_all_but_current),
		T(test_login_failures_counted_in_window),
		T(test_login_failure_removed_by_id_and_purged_by_age),
		T(test_outbox_retry_then_sent),
		T(test_wake_ups_told_at_commit),
		T(test_group_tells_what_it_queued),
		cmocka_unit_test(test_database_file_is_private),
		T(test_confirm_moves_and_fixes_prices_at_once),
		T(test_move_leaves_the_order_row_alone),
		T(test_create_writes_the_order_row_once),
		T(test_migration_023_keeps_each_orders_state),
		T(test_migration_024_keeps_each_orders_reference),
		T(test_migration_027_pairs_each_orders_words),
		T(test_rollback_discards_the_transaction),
		T(test_committed_data_survive_reopen),
		T(test_commit_group_savepoints),
		T(test_commit_group_rollback_keeps_nothing),
		T(test_checkpoints_left_to_the_next_process),
		T(test_release_memory_gives_back_the_cache),
		T(test_bulk_writes_the_wal_ahead),
	};

	return _cmocka_run_group_tests(
		"tests", tests,
		store_fx_sqlite_only(tests, sizeof(tests) / sizeof(tests[0]), sqlite_only,
				     "they count SQLite's WAL checkpoints or read its handle"),
		NULL, NULL);
}
