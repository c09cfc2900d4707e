/* The payments store (store_payments.h): recording once, sums without
 * refunds, the open list and its office scope, resolving once, assigning
 * an unknown payment, completing partial payments, imports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_payments.h"

#include "store_db.h"

struct fx {
	char dir[64];
	char path[512];
	struct store *st;
	long long account;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct member m = {0}, got;
	struct account a = {0};
	enum member_upsert o;
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/qcra-pay-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	store_fx_target(f->path, sizeof(f->path), f->dir, "t.db");
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(f->st, NULL, err, sizeof(err)), STORE_OK);
	snprintf(m.license_number, sizeof(m.license_number), "310123456");
	snprintf(m.first_name, sizeof(m.first_name), "Žarko");
	snprintf(m.last_name, sizeof(m.last_name), "Đurašković");
	snprintf(m.jmbg, sizeof(m.jmbg), "1203978711237");
	snprintf(m.email, sizeof(m.email), "z@example.rs");
	assert_int_equal(store_member_upsert(f->st, &m, &o), STORE_OK);
	assert_int_equal(store_member_by_license(f->st, "310123456", &got), STORE_OK);
	a.member_id = got.id;
	snprintf(a.username, sizeof(a.username), "zarko");
	snprintf(a.password_hash, sizeof(a.password_hash), "$argon2id$x");
	snprintf(a.email, sizeof(a.email), "z@example.rs");
	a.created_at = 1000;
	assert_int_equal(store_account_create(f->st, &a), STORE_OK);
	f->account = a.id;
	*state = f;
	return 0;
}

static int teardown(void **state)
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

static long long order_add(struct fx *f, const char *office, long long total)
{
	struct order o;

	memset(&o, 0, sizeof(o));
	o.account_id = f->account;
	o.type = ORDER_NATURAL;
	o.state = WF_CONFIRMED;
	snprintf(o.first_name, sizeof(o.first_name), "Žarko");
	snprintf(o.last_name, sizeof(o.last_name), "Đurašković");
	snprintf(o.office, sizeof(o.office), "%s", office);
	snprintf(o.validity, sizeof(o.validity), "3y");
	o.total_para = total;
	o.created_at = o.updated_at = o.confirmed_at = 1000;
	assert_int_equal(store_order_create(f->st, &o), STORE_OK);
	return o.id;
}

/* A payment of amount for order (0: none) with fingerprint fp ("" none). */
static struct payment pay(long long order, long long amount, const char *fp, const char *match)
{
	struct payment p;

	memset(&p, 0, sizeof(p));
	p.order_id = order;
	p.amount_para = amount;
	snprintf(p.paid_on, sizeof(p.paid_on), "2024-11-25");
	snprintf(p.payer, sizeof(p.payer), "Žarko Đurašković");
	snprintf(p.reference, sizeof(p.reference), "9714123412");
	snprintf(p.source, sizeof(p.source), "manual");
	snprintf(p.fingerprint, sizeof(p.fingerprint), "%s", fp);
	snprintf(p.match, sizeof(p.match), "%s", match);
	snprintf(p.created_by, sizeof(p.created_by), "ns1");
	p.created_at = 2000;
	return p;
}

static int count(void *arg, const struct payment *p)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

static void test_a_fingerprint_is_recorded_once(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "NS", 588000);
	struct payment p = pay(id, 588000, "abc", "exact"), q = p,
		       none = pay(id, 100, "", "partial");
	struct payment got;
	int n = 0;

	assert_int_equal(store_payment_add(f->st, &p), STORE_OK);
	assert_true(p.id > 0);
	assert_int_equal(store_payment_add(f->st, &q), STORE_CONFLICT);
	/* Without a fingerprint nothing is unique. */
	assert_int_equal(store_payment_add(f->st, &none), STORE_OK);
	none.id = 0;
	assert_int_equal(store_payment_add(f->st, &none), STORE_OK);
	assert_int_equal(store_payment_each_order(f->st, id, count, &n), STORE_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_payment_get(f->st, p.id, &got), STORE_OK);
	assert_string_equal(got.payer, "Žarko Đurašković");
	assert_string_equal(got.office, "NS");
	assert_string_equal(wf_state_name(got.order_state), "confirmed");
	assert_int_equal(got.resolved_at, 0);
	assert_int_equal(store_payment_get(f->st, p.id + 100, &got), STORE_NOTFOUND);
}

/* An import's fingerprint (64 hex digits, either case) is stored as its
 * first 128 bits; 64 characters that are not all hex digits are a
 * fingerprint of another kind, stored as their SHA-256's first 128. */
static void test_hex_fingerprints_keep_their_first_half(void **state)
{
	static const char lower[] =
		"00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdef";
	static const char upper[] =
		"00112233445566778899AABBCCDDEEFF0123456789ABCDEF0123456789ABCDEF";
	static const char nothex[] =
		"00112233445566778899aabbccddeeff0123456789abcdef0123456789abcdeg";
	struct fx *f = *state;
	struct payment p = pay(0, 100, lower, "unknown_reference"), got;

	assert_int_equal(store_payment_add(f->st, &p), STORE_OK);
	assert_int_equal(store_payment_get(f->st, p.id, &got), STORE_OK);
	assert_string_equal(got.fingerprint, "00112233445566778899aabbccddeeff");
	p = pay(0, 100, upper, "unknown_reference");
	assert_int_equal(store_payment_add(f->st, &p), STORE_CONFLICT);
	p = pay(0, 100, nothex, "unknown_reference");
	assert_int_equal(store_payment_add(f->st, &p), STORE_OK);
	assert_int_equal(store_payment_get(f->st, p.id, &got), STORE_OK);
	assert_int_equal(strlen(got.fingerprint), 32);
	assert_string_not_equal(got.fingerprint, "00112233445566778899aabbccddeeff");
}

static void test_refunds_do_not_count_as_paid(void **state)
{
	struct fx *f = *state;
	long long id = order_add(f, "NS", 588000), paid = -1;
	struct payment a = pay(id, 100000, "r1", "partial"), b = pay(id, 50000, "r2", "partial");
	struct payment_order po;

	assert_int_equal(store_payment_add(f->st, &a), STORE_OK);
	assert_int_equal(store_payment_add(f->st, &b), STORE_OK);
	assert_int_equal(store_payment_sum(f->st, id, &paid), STORE_OK);
	assert_int_equal(paid, 150000);
	assert_int_equal(store_payment_resolve(f->st, b.id, "refunded", "ns1", "vraćeno", 3000),
			 STORE_OK);
	assert_int_equal(store_payment_sum(f->st, id, &paid), STORE_OK);
	assert_int_equal(paid, 100000);
	assert_int_equal(store_payment_order(f->st, id, &po), STORE_OK);
	assert_int_equal(po.paid_para, 100000);
	assert_int_equal(po.total_para, 588000);
	assert_string_equal(po.office, "NS");
	/* Resolved once only. */
	assert_int_equal(store_payment_resolve(f->st, b.id, "accepted", "ns1", "", 3001),
			 STORE_NOTFOUND);
	assert_int_equal(store_payment_order(f->st, id + 1000, &po), STORE_NOTFOUND);
}

static void test_open_list_scopes_by_office_with_unknown_for_all(void **state)
{
	struct fx *f = *state;
	long long ns = order_add(f, "NS", 588000), bg = order_add(f, "BG", 588000), n = 0;
	struct payment a = pay(ns, 100, "o1", "partial"), b = pay(bg, 100, "o2", "partial");
	struct payment u = pay(0, 100, "o3", "unknown_reference");
	struct payment_filter flt;
	int rows = 0;

	assert_int_equal(store_payment_add(f->st, &a), STORE_OK);
	assert_int_equal(store_payment_add(f->st, &b), STORE_OK);
	assert_int_equal(store_payment_add(f->st, &u), STORE_OK);
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(store_payment_count_open(f->st, &flt, &n), STORE_OK);
	assert_int_equal(n, 3);
	flt.office = "NS";
	assert_int_equal(store_payment_count_open(f->st, &flt, &n), STORE_OK);
	assert_int_equal(n, 2); /* its own and the unknown one */
	flt.limit = 1;
	assert_int_equal(store_payment_each_open(f->st, &flt, count, &rows), STORE_OK);
	assert_int_equal(rows, 1);
	/* Assigning the unknown one to the BG order takes it from NS. */
	assert_int_equal(store_payment_assign(f->st, u.id, bg, "partial", NULL, "bg1", 4000),
			 STORE_OK);
	assert_int_equal(store_payment_assign(f->st, u.id, ns, "partial", NULL, "ns1", 4000),
			 STORE_NOTFOUND);
	assert_int_equal(store_payment_count_open(f->st, &flt, &n), STORE_OK);
	assert_int_equal(n, 1);
	/* A later exact payment completes the partial ones of its order. */
	assert_int_equal(store_payment_complete_partials(f->st, bg, 0, "bg1", 5000, &n), STORE_OK);
	assert_int_equal(n, 2);
	flt.office = "BG";
	assert_int_equal(store_payment_count_open(f->st, &flt, &n), STORE_OK);
	assert_int_equal(n, 0);
}

static int count_import(void *arg, const struct stmt_import *imp)
{
	(void)imp;
	(*(int *)arg)++;
	return 0;
}

static void test_imports_are_kept_with_their_counts(void **state)
{
	struct fx *f = *state;
	struct stmt_import *imp = calloc(1, sizeof(*imp)), *got = calloc(1, sizeof(*got));
	long long same = 0;
	int n = 0;

	snprintf(imp->file_name, sizeof(imp->file_name), "izvod.csv");
	snprintf(imp->sha256, sizeof(imp->sha256), "%064d", 7);
	snprintf(imp->format, sizeof(imp->format), "csv");
	snprintf(imp->created_by, sizeof(imp->created_by), "ns1");
	assert_int_equal(store_import_add(f->st, imp), STORE_OK);
	assert_int_equal(store_import_same_file(f->st, imp->sha256, imp->id, &same),
			 STORE_NOTFOUND);
	imp->lines = 3;
	imp->added = 2;
	imp->errors = 1;
	snprintf(imp->error_lines, sizeof(imp->error_lines), "line 3: amount\n");
	assert_int_equal(store_import_update(f->st, imp), STORE_OK);
	assert_int_equal(store_import_get(f->st, imp->id, got), STORE_OK);
	assert_int_equal(got->added, 2);
	assert_string_equal(got->error_lines, "line 3: amount\n");
	imp->id = 0;
	assert_int_equal(store_import_add(f->st, imp), STORE_OK);
	assert_int_equal(store_import_same_file(f->st, imp->sha256, imp->id, &same), STORE_OK);
	assert_int_equal(same, got->id);
	assert_int_equal(store_import_each(f->st, 10, count_import, &n), STORE_OK);
	assert_int_equal(n, 2);
	free(imp);
	free(got);
}

/* Migration 008: fingerprints stored as hex text by earlier versions
 * become keys that the same fingerprints, given again, collide with. */
static void test_old_fingerprints_still_count_as_recorded(void **state)
{
	static const char hex[] =
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	char dir[64], path[128], err[256], cmd[160];
	struct store *st;
	struct payment p, got;
	sqlite3 *db;
	int applied = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/qcra-fp-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate_upto(st, 7, NULL, err, sizeof(err)), STORE_OK);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(
			db,
			"INSERT INTO payments (amount_para, paid_on, payer, reference, purpose, "
			"bank_id, source, line, fingerprint, match_result, resolution, "
			"resolved_by, note, created_at, created_by) VALUES "
			"(100, '2026-11-02', 'A', '97', '', '', 'manual', 0, "
			"'0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', "
			"'unknown_reference', '', '', '', 1, 'x'), "
			"(200, '2026-11-02', 'B', '97', '', '', 'manual', 0, 'm:7:nonce', "
			"'unknown_reference', '', '', '', 1, 'x'), "
			"(300, '2026-11-02', 'C', '97', '', '', 'manual', 0, NULL, "
			"'unknown_reference', '', '', '', 1, 'x')",
			NULL, NULL, NULL),
		SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_migrate(st, &applied, err, sizeof(err)), STORE_OK);
	assert_true(applied >= 1);
	p = pay(0, 100, hex, "unknown_reference");
	assert_int_equal(store_payment_add(st, &p), STORE_CONFLICT);
	p = pay(0, 200, "m:7:nonce", "unknown_reference");
	assert_int_equal(store_payment_add(st, &p), STORE_CONFLICT);
	p = pay(0, 200, "m:7:other", "unknown_reference");
	assert_int_equal(store_payment_add(st, &p), STORE_OK);
	/* A key reads back as hex: the first 128 bits of an import's. */
	assert_int_equal(store_payment_get(st, 1, &got), STORE_OK);
	assert_string_equal(got.fingerprint, "0123456789abcdef0123456789abcdef");
	assert_int_equal(got.amount_para, 100);
	assert_int_equal(store_payment_get(st, 3, &got), STORE_OK);
	assert_string_equal(got.fingerprint, "");
	store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_a_fingerprint_is_recorded_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hex_fingerprints_keep_their_first_half, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refunds_do_not_count_as_paid, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_list_scopes_by_office_with_unknown_for_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imports_are_kept_with_their_counts, setup,
						teardown),
		cmocka_unit_test(test_old_fingerprints_still_count_as_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
