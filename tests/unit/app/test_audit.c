/* The audit log: append-only in the database, hash-chained, verifiable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "domain/audit.h"
#include "store/store.h"

struct fx {
	char dir[64], path[128];
	struct store *st;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];

	snprintf(f->dir, sizeof(f->dir), "/tmp/qcra-audit-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/qcra.db", f->dir);
	assert_int_equal(store_open(&f->st, f->path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(f->st, NULL, err, sizeof(err)), STORE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[160];

	store_close(f->st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void append(struct store *st, const char *action, const char *detail)
{
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.at = 1700000000;
	snprintf(e.actor, sizeof(e.actor), "operator:bg1");
	snprintf(e.action, sizeof(e.action), "%s", action);
	snprintf(e.outcome, sizeof(e.outcome), "ok");
	audit_clean(e.detail, sizeof(e.detail), detail);
	assert_int_equal(store_audit_append(st, &e), STORE_OK);
}

static int collect(void *arg, const struct audit_entry *e)
{
	struct audit_entry *out = arg;

	out[e->id - 1] = *e;
	return 0;
}

static void test_entries_chain_from_genesis(void **state)
{
	struct fx *f = *state;
	struct audit_entry got[3];
	struct audit_filter flt;
	char h[65];
	int i;

	append(f->st, "login", "a");
	append(f->st, "order.verify", "b");
	append(f->st, "logout", "c");
	memset(&flt, 0, sizeof(flt));
	assert_int_equal(store_audit_each(f->st, &flt, collect, got), STORE_OK);
	assert_string_equal(got[0].prev_hash, AUDIT_GENESIS);
	for (i = 0; i < 3; i++) {
		audit_hash(&got[i], h);
		assert_string_equal(h, got[i].hash);
		if (i > 0)
			assert_string_equal(got[i].prev_hash, got[i - 1].hash);
	}
}

static void test_any_field_change_changes_the_hash(void **state)
{
	struct audit_entry e;
	char a[65], b[65];

	memset(&e, 0, sizeof(e));
	snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", AUDIT_GENESIS);
	snprintf(e.actor, sizeof(e.actor), "x");
	audit_hash(&e, a);
	snprintf(e.detail, sizeof(e.detail), "y");
	audit_hash(&e, b);
	assert_string_not_equal(a, b);
	/* Field boundaries count: "ab"+"" differs from "a"+"b". */
	memset(&e, 0, sizeof(e));
	snprintf(e.actor, sizeof(e.actor), "ab");
	audit_hash(&e, a);
	snprintf(e.actor, sizeof(e.actor), "a");
	snprintf(e.addr, sizeof(e.addr), "b");
	audit_hash(&e, b);
	assert_string_not_equal(a, b);
}

static void test_database_refuses_update_and_delete(void **state)
{
	struct fx *f = *state;
	char cmd[512];

	append(f->st, "login", "x");
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"UPDATE audit_log SET detail = 'forged'\" 2>/dev/null", f->path);
	assert_int_not_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "sqlite3 %s \"DELETE FROM audit_log\" 2>/dev/null", f->path);
	assert_int_not_equal(system(cmd), 0);
}

static void test_control_characters_are_escaped(void **state)
{
	char out[64];

	audit_clean(out, sizeof(out), "a\r\nb\\c\x01");
	assert_string_equal(out, "a\\x0d\\x0ab\\x5cc\\x01");
}

/* The documented form: SHA-256 over "<length>:<field>" for prev_hash,
 * the time, actor, address, action, object, outcome and detail.  The
 * expectation is computed here with libsodium, apart from audit.c. */
static void test_hash_is_sha256_of_length_prefixed_fields(void **state)
{
	struct audit_entry e;
	unsigned char d[crypto_hash_sha256_BYTES];
	char text[512], want[65], got[65];
	int n;

	(void)state;
	memset(&e, 0, sizeof(e));
	snprintf(e.prev_hash, sizeof(e.prev_hash), "%064d", 0);
	e.at = 1700000000;
	snprintf(e.actor, sizeof(e.actor), "operator:bg1");
	snprintf(e.action, sizeof(e.action), "order.verify");
	snprintf(e.object, sizeof(e.object), "order:7");
	snprintf(e.outcome, sizeof(e.outcome), "ok");
	snprintf(e.detail, sizeof(e.detail), "Đorđe: 12:30");
	n = snprintf(text, sizeof(text), "64:%s10:1700000000%zu:%s0:%zu:%s%zu:%s2:ok%zu:%s",
		     e.prev_hash, strlen(e.actor), e.actor, strlen(e.action), e.action,
		     strlen(e.object), e.object, strlen(e.detail), e.detail);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	crypto_hash_sha256(d, (const unsigned char *)text, (unsigned long long)n);
	sodium_bin2hex(want, sizeof(want), d, sizeof(d));
	audit_hash(&e, got);
	assert_string_equal(got, want);
}

/* Entries appended in one transaction link to each other (the store
 * keeps the last hash while the transaction is open); an entry after a
 * rolled-back one links to the last committed entry, not to the
 * entry that was rolled back. */
static void test_chain_across_transactions_and_rollback(void **state)
{
	struct fx *f = *state;
	struct audit_entry got[5];
	struct audit_filter all;
	int i;

	memset(got, 0, sizeof(got));
	memset(&all, 0, sizeof(all));
	assert_int_equal(store_begin(f->st), STORE_OK);
	append(f->st, "one", "a");
	append(f->st, "two", "b");
	append(f->st, "three", "c");
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	append(f->st, "gone", "rolled back");
	store_rollback(f->st);
	append(f->st, "four", "d"); /* its own transaction */
	assert_int_equal(store_begin(f->st), STORE_OK);
	append(f->st, "five", "e");
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_audit_each(f->st, &all, collect, got), STORE_OK);
	assert_string_equal(got[0].action, "one");
	assert_string_equal(got[3].action, "four");
	assert_string_equal(got[4].action, "five");
	for (i = 1; i < 5; i++)
		assert_string_equal(got[i].prev_hash, got[i - 1].hash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entries_chain_from_genesis, setup, teardown),
		cmocka_unit_test(test_any_field_change_changes_the_hash),
		cmocka_unit_test_setup_teardown(test_database_refuses_update_and_delete, setup,
						teardown),
		cmocka_unit_test(test_control_characters_are_escaped),
		cmocka_unit_test(test_hash_is_sha256_of_length_prefixed_fields),
		cmocka_unit_test_setup_teardown(test_chain_across_transactions_and_rollback, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
