/*
 * Password-guess counting per client (app/throttle.c): an IPv6 client
 * holds a whole /64, so its addresses count as one; an IPv4-mapped
 * address counts as the IPv4 address; IPv4 addresses apart.  The
 * counts are the store's (store_fx: a migrated database).  And what a
 * login costs the disk (app/login.c): its durable commits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "app/login.h"
#include "app/throttle.h"
#include "core/config.h"
#include "core/pwhash.h"
#include "store/db_sqlite.h"
#include "store/store.h"
#include "store_db.h"
#include "store_fx.h"

static const unsigned char secret[32] = {1, 2, 3};

/* Fails `tries` logins of username from addr; the wait of the next. */
static long guess(struct fx *f, const struct config *cfg, const char *addr, const char *username,
		  int tries)
{
	struct app_env env = {cfg, NULL, f->st, secret, NULL};
	struct throttle t;
	long wait = 0;

	for (int i = 0; i < tries && wait == 0; i++)
		assert_true((wait = uc_throttle_try(&env, addr, &t, THROTTLE_MEMBER, username)) >=
			    0);
	return wait;
}

static void limits(struct config *cfg)
{
	config_defaults(cfg);
	cfg->login_max_failures = 100; /* only the per-address limit counts here */
	cfg->login_max_failures_addr = 5;
}

/* Five guesses from five addresses of one /64 (each a different name):
 * the sixth, from a sixth address of it, waits. */
static void test_ipv6_counts_per_64(void **state)
{
	struct fx *f = *state;
	struct config cfg;
	char addr[64], user[32];

	limits(&cfg);
	for (int i = 1; i <= 5; i++) {
		snprintf(addr, sizeof(addr), "2001:db8:1:2::%x", i);
		snprintf(user, sizeof(user), "name%d", i);
		assert_int_equal(guess(f, &cfg, addr, user, 1), 0);
	}
	assert_true(guess(f, &cfg, "2001:db8:1:2:ffff::9", "name6", 1) > 0);
	/* Another /64 is another client. */
	assert_int_equal(guess(f, &cfg, "2001:db8:1:3::1", "name7", 1), 0);
}

/* An IPv4-mapped address is its IPv4 address; two IPv4 addresses are
 * two clients. */
static void test_ipv4_mapped_is_ipv4(void **state)
{
	struct fx *f = *state;
	struct config cfg;

	limits(&cfg);
	assert_int_equal(guess(f, &cfg, "192.0.2.7", "a", 3), 0);
	assert_int_equal(guess(f, &cfg, "::ffff:192.0.2.7", "b", 2), 0);
	assert_true(guess(f, &cfg, "192.0.2.7", "c", 1) > 0);
	assert_int_equal(guess(f, &cfg, "192.0.2.8", "d", 1), 0);
}

/* Commits on a connection (sqlite3_commit_hook). */
static int count_commit(void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* An account "ana" with password pw, its email confirmed. */
static long long account_ana(struct fx *f, const char *pw)
{
	struct member m = {0, "DEMO-1", "Ana", "Anić", "0101990715007", "ana@example.rs"};
	struct account a;
	enum member_upsert up;

	assert_int_equal(store_member_upsert(f->st, &m, &up), STORE_OK);
	assert_int_equal(store_member_by_license(f->st, "DEMO-1", &m), STORE_OK);
	memset(&a, 0, sizeof(a));
	a.member_id = m.id;
	snprintf(a.username, sizeof(a.username), "ana");
	assert_int_equal(pwhash_make(a.password_hash, pw), 0);
	snprintf(a.email, sizeof(a.email), "%s", m.email);
	snprintf(a.lang, sizeof(a.lang), "sr");
	a.created_at = time(NULL);
	assert_int_equal(store_account_create(f->st, &a), STORE_OK);
	assert_int_equal(store_account_confirm(f->st, a.id, time(NULL)), STORE_OK);
	return a.id;
}

/*
 * A login is two durable commits, whatever its outcome: the try counted
 * before the password is checked (parallel guesses take turns on the
 * count), then the outcome in one transaction: the count taken back or
 * kept, the audit entry and, for the right password, the session.  Each
 * commit is an fsync: with four, on a disk of ~1 ms a sync, the two
 * workers spent their time waiting (bench/slow-disk: 29 logins/s
 * against 68 bare hashes/s).
 */
static void test_a_login_commits_twice(void **state)
{
	struct fx *f = *state;
	struct config cfg;
	struct app_env env = {&cfg, NULL, f->st, secret, NULL};
	struct actor anon = {ACTOR_ANON, 0, "", "192.0.2.9", LANG_SR};
	struct login_session ls, again;
	struct login_result res;
	struct session s;
	long long id;
	int n = 0;

	config_defaults(&cfg);
	id = account_ana(f, "Lozinka-2026!");
	memset(&ls, 0, sizeof(ls));
	memset(ls.id_hash, 7, sizeof(ls.id_hash));
	sqlite3_commit_hook(db_sqlite_handle(f->st), count_commit, &n);
	res = uc_member_login(&env, &anon, "Ana", "Lozinka-2026!", &ls);
	assert_int_equal(res.outcome, LOGIN_OK);
	assert_int_equal(res.id, id);
	assert_int_equal(n, 2);
	n = 0;
	res = uc_member_login(&env, &anon, "ana", "wrong", &ls);
	assert_int_equal(res.outcome, LOGIN_FAILED);
	assert_int_equal(n, 2);
	sqlite3_commit_hook(db_sqlite_handle(f->st), NULL, NULL);
	/* The session started with the login, for the account. */
	assert_int_equal(store_session_get(f->st, ls.id_hash, &s), STORE_OK);
	assert_int_equal(s.account_id, id);
	assert_int_equal(s.kind, SESSION_MEMBER);
	/* Logging in again from that session ends it. */
	memset(&again, 0, sizeof(again));
	memset(again.id_hash, 8, sizeof(again.id_hash));
	memcpy(again.old_hash, ls.id_hash, sizeof(again.old_hash));
	again.has_old = 1;
	res = uc_member_login(&env, &anon, "ana", "Lozinka-2026!", &again);
	assert_int_equal(res.outcome, LOGIN_OK);
	assert_int_equal(store_session_get(f->st, ls.id_hash, &s), STORE_NOTFOUND);
	assert_int_equal(store_session_get(f->st, again.id_hash, &s), STORE_OK);
}

int main(void)
{
	static const char *const sqlite_only[] = {"test_a_login_commits_twice", NULL};
	struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipv6_counts_per_64, store_fx_setup,
						store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_ipv4_mapped_is_ipv4, store_fx_setup,
						store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_a_login_commits_twice, store_fx_setup,
						store_fx_teardown),
	};

	return _cmocka_run_group_tests(
		"throttle", tests,
		store_fx_sqlite_only(tests, sizeof(tests) / sizeof(tests[0]), sqlite_only,
				     "it counts commits with SQLite's commit hook"),
		NULL, NULL);
}
