/* The audit log: append-only in the database, chained (unkeyed, then
 * keyed with key epochs), anchored, verifiable. */
#include <pthread.h>
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
#include "store_fx.h"

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
	char cmd[700];

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

static const unsigned char secret[32] = "0123456789abcdef0123456789abcdef";

static int walk(void *arg, const struct audit_entry *e)
{
	return audit_verify_entry(arg, e);
}

/* The verdict on the whole log of st, checked with key (may be NULL). */
static enum audit_verdict verdict(struct store *st, const unsigned char *key,
				  struct audit_verify *v)
{
	struct audit_filter all;

	memset(&all, 0, sizeof(all));
	audit_verify_begin(v, key, NULL, 0);
	assert_int_equal(store_audit_each(st, &all, walk, v), STORE_OK);
	return audit_verify_end(v);
}

/* A second commit group, on a thread (and connection) of its own: two
 * requests' entries.  NULL when it went as it should. */
static void *other_group(void *arg)
{
	struct store *st = arg;

	if (store_group_begin(st) != STORE_OK)
		return "store_group_begin";
	if (store_begin(st) != STORE_OK)
		return "store_begin";
	append(st, "b1", "b");
	append(st, "b2", "b");
	if (store_commit(st) != STORE_OK)
		return "store_commit";
	if (store_group_commit(st) != STORE_OK)
		return "store_group_commit";
	return NULL;
}

/* Commit groups on PostgreSQL run at once (store_group_threads): the
 * second begins and commits while the first is open, and the audit
 * entries of both, appended at their commits, make one chain, without
 * the entry of a request rolled back in a group. */
static void test_groups_at_once_keep_one_chain(void **state)
{
	struct fx *f = *state;
	struct audit_entry got[5];
	struct audit_filter all;
	struct audit_verify v;
	int at_once = store_group_threads(f->st) > 1, i, n = 0;
	pthread_t t;
	void *rc = NULL;

	memset(got, 0, sizeof(got));
	memset(&all, 0, sizeof(all));
	assert_int_equal(store_group_begin(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	append(f->st, "a1", "a");
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_begin(f->st), STORE_OK);
	append(f->st, "gone", "rolled back with its request");
	store_rollback(f->st);
	assert_int_equal(pthread_create(&t, NULL, other_group, f->st), 0);
	if (at_once) /* (on SQLite it waits for this group's commit) */
		assert_int_equal(pthread_join(t, &rc), 0);
	assert_int_equal(store_begin(f->st), STORE_OK);
	append(f->st, "a2", "a");
	assert_int_equal(store_commit(f->st), STORE_OK);
	assert_int_equal(store_group_commit(f->st), STORE_OK);
	if (!at_once)
		assert_int_equal(pthread_join(t, &rc), 0);
	if (rc != NULL)
		fail_msg("the other group: %s failed", (const char *)rc);
	assert_int_equal(store_audit_each(f->st, &all, collect, got), STORE_OK);
	for (i = 0; i < 5 && got[i].id != 0; i++, n++)
		assert_string_not_equal(got[i].action, "gone");
	assert_int_equal(n, 4);
	/* On PostgreSQL the group that committed first is first. */
	assert_string_equal(got[0].action, at_once ? "b1" : "a1");
	assert_string_equal(got[3].action, at_once ? "a2" : "b2");
	assert_int_equal(verdict(f->st, NULL, &v), AUDIT_INTACT);
}

/* The keyed form, computed here with libsodium apart from audit.c:
 * HMAC-SHA-256 under subkey `epoch` of context "qcra-aud". */
static void test_keyed_hash_is_hmac_of_length_prefixed_fields(void **state)
{
	struct audit_entry e;
	struct audit_mac_key k;
	unsigned char key[32], mac[crypto_auth_hmacsha256_BYTES];
	char text[512], want[65], got[65];
	int n;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.id = 42;
	e.key_epoch = 3;
	snprintf(e.prev_hash, sizeof(e.prev_hash), "%064d", 7);
	e.at = 1700000000;
	snprintf(e.actor, sizeof(e.actor), "operator:bg1");
	snprintf(e.addr, sizeof(e.addr), "10.0.0.1");
	snprintf(e.action, sizeof(e.action), "order.verify");
	snprintf(e.outcome, sizeof(e.outcome), "ok");
	snprintf(e.detail, sizeof(e.detail), "Đorđe");
	n = snprintf(text, sizeof(text),
		     "12:qcra-audit-12:421:364:%s10:1700000000%zu:%s8:10.0.0.1%zu:%s0:2:ok%zu:%s",
		     e.prev_hash, strlen(e.actor), e.actor, strlen(e.action), e.action,
		     strlen(e.detail), e.detail);
	crypto_kdf_derive_from_key(key, sizeof(key), 3, "qcra-aud", secret);
	crypto_auth_hmacsha256(mac, (const unsigned char *)text, (unsigned long long)n, key);
	sodium_bin2hex(want, sizeof(want), mac, sizeof(mac));
	assert_int_equal(audit_seal(&e, secret, got), 0);
	assert_string_equal(got, want);
	/* The same with the epoch's key taken in once, for more than one
	 * entry (the store keeps one per connection). */
	audit_mac_key_set(&k, secret, 3);
	audit_mac_with(&e, &k, got);
	assert_string_equal(got, want);
	audit_mac_with(&e, &k, got);
	assert_string_equal(got, want);
	audit_mac_key_wipe(&k);
	assert_int_equal(k.epoch, 0);
	/* Keyed, and no key: no hash. */
	assert_int_equal(audit_seal(&e, NULL, got), -1);
}

/* A log started by an older portal: its unkeyed entries stay, a
 * chain.keyed entry marks where the keyed chain starts, and the whole
 * chain verifies. */
static void test_keyed_chain_follows_unkeyed_entries(void **state)
{
	struct fx *f = *state;
	struct audit_entry got[4];
	struct audit_filter all;
	struct audit_verify v;

	append(f->st, "login", "old");
	append(f->st, "logout", "old");
	store_set_audit_secret(f->st, secret);
	append(f->st, "login", "new");
	memset(&all, 0, sizeof(all));
	assert_int_equal(store_audit_each(f->st, &all, collect, got), STORE_OK);
	assert_int_equal(got[0].key_epoch, 0);
	assert_int_equal(got[1].key_epoch, 0);
	assert_string_equal(got[2].action, AUDIT_KEYED);
	assert_int_equal(got[2].key_epoch, 1);
	assert_non_null(strstr(got[2].detail, "entries 1-2"));
	assert_string_equal(got[2].prev_hash, got[1].hash);
	assert_string_equal(got[3].action, "login");
	assert_int_equal(got[3].key_epoch, 1);
	assert_int_equal(verdict(f->st, secret, &v), AUDIT_INTACT);
	assert_int_equal(v.count, 4);
	assert_int_equal(v.keyed_from, 3);
	/* With another installation's secret the keyed entries fail. */
	assert_int_equal(
		verdict(f->st, (const unsigned char *)"another secret, 32 bytes long!!!", &v),
		AUDIT_BAD_ENTRY);
	assert_int_equal(v.bad_id, 3);
}

/* Once keyed, a process without the key cannot append (it could only
 * write an unkeyed entry, which verify would call a break). */
static void test_keyed_log_refuses_entries_without_the_key(void **state)
{
	struct fx *f = *state;
	struct audit_entry e;
	struct audit_head h;
	struct store *other;
	char err[256];

	store_set_audit_secret(f->st, secret);
	append(f->st, "login", "keyed");
	assert_int_equal(store_open(&other, f->path, err, sizeof(err)), STORE_OK);
	memset(&e, 0, sizeof(e));
	snprintf(e.action, sizeof(e.action), "forged");
	assert_int_equal(store_audit_append(other, &e), STORE_ERROR);
	assert_int_equal(store_audit_head(other, &h), STORE_OK);
	store_close(other);
	assert_int_equal(h.id, 1);
	assert_int_equal(h.count, 1);
}

/* A key rotation is an entry: chain.rekey, under the next epoch's key;
 * the entries after it carry that epoch.  An epoch change anywhere
 * else is a break. */
static void test_rekey_starts_the_next_epoch_in_the_chain(void **state)
{
	struct fx *f = *state;
	struct audit_entry got[4], e;
	struct audit_filter all;
	struct audit_verify v;

	store_set_audit_secret(f->st, secret);
	append(f->st, "login", "a");
	memset(&e, 0, sizeof(e));
	snprintf(e.actor, sizeof(e.actor), "cli");
	assert_int_equal(store_audit_rekey(f->st, &e), STORE_OK);
	assert_int_equal(e.key_epoch, 2);
	append(f->st, "logout", "b");
	memset(&all, 0, sizeof(all));
	assert_int_equal(store_audit_each(f->st, &all, collect, got), STORE_OK);
	assert_int_equal(got[0].key_epoch, 1);
	assert_string_equal(got[1].action, AUDIT_REKEY);
	assert_string_equal(got[1].detail, "key epoch 1 -> 2");
	assert_int_equal(got[2].key_epoch, 2);
	assert_int_equal(verdict(f->st, secret, &v), AUDIT_INTACT);
	assert_int_equal(v.epoch, 2);
	/* The same entry with epoch 2 sealed properly, but not after a
	 * chain.rekey: refused. */
	audit_verify_begin(&v, secret, NULL, 0);
	assert_int_equal(audit_verify_entry(&v, &got[0]), 0);
	got[2].id = 2;
	snprintf(got[2].prev_hash, sizeof(got[2].prev_hash), "%s", got[0].hash);
	assert_int_equal(audit_seal(&got[2], secret, got[2].hash), 0);
	assert_int_equal(audit_verify_entry(&v, &got[2]), 1);
	assert_int_equal(v.verdict, AUDIT_BAD_ENTRY);
	assert_int_equal(v.bad_id, 2);
}

/* Anchor lines: what is written reads back; a changed digit, another
 * installation's key or another text is refused. */
static void test_anchor_lines_read_back_and_refuse_changes(void **state)
{
	struct audit_head h = {.id = 300, .count = 300};
	struct audit_anchor a;
	char line[AUDIT_ANCHOR_MAX], *p;
	int n;

	(void)state;
	snprintf(h.hash, sizeof(h.hash), "%064d", 5);
	n = audit_anchor_format(&h, 1700000000, secret, line, sizeof(line));
	assert_true(n > 0 && line[n - 1] == '\n');
	assert_int_equal(
		strncmp(line,
			"qcra-audit-anchor 1 2023-11-14T22:13:20Z id=300 count=300 hash=", 63),
		0);
	assert_int_equal(audit_anchor_parse(line, (size_t)n, secret, &a), AUDIT_ANCHOR_OK);
	assert_int_equal(a.at, 1700000000);
	assert_int_equal(a.head.id, 300);
	assert_int_equal(a.head.count, 300);
	assert_string_equal(a.head.hash, h.hash);
	assert_int_equal(
		audit_anchor_parse(line, (size_t)n,
				   (const unsigned char *)"another secret, 32 bytes long!!!", &a),
		AUDIT_ANCHOR_FORGED);
	p = strstr(line, "id=300");
	p[5] = '1'; /* id=301 */
	assert_int_equal(audit_anchor_parse(line, (size_t)n, secret, &a), AUDIT_ANCHOR_FORGED);
	assert_int_equal(audit_anchor_parse("id=300\n", 7, secret, &a), AUDIT_ANCHOR_MALFORMED);
	assert_int_equal(audit_anchor_format(&h, 1700000000, secret, line, 40), -1);
}

/* Anchors find what the chain alone cannot: a cut at the end, and a
 * chain rebuilt by someone holding the key. */
static void test_anchor_shows_a_cut_at_the_end(void **state)
{
	struct fx *f = *state;
	struct audit_anchor a[2];
	struct audit_filter all;
	struct audit_verify v;
	char line[AUDIT_ANCHOR_MAX], cmd[700];
	int i;

	store_set_audit_secret(f->st, secret);
	for (i = 0; i < 5; i++)
		append(f->st, "login", "x");
	memset(a, 0, sizeof(a));
	assert_int_equal(store_audit_head(f->st, &a[1].head), STORE_OK);
	assert_int_equal(a[1].head.count, 5);
	a[1].line = 2;
	a[0].line = 1; /* an anchor of the empty log says nothing */
	snprintf(a[0].head.hash, sizeof(a[0].head.hash), "%s", AUDIT_GENESIS);
	assert_true(audit_anchor_format(&a[1].head, 1700000000, secret, line, sizeof(line)) > 0);
	audit_verify_begin(&v, secret, a, 2);
	memset(&all, 0, sizeof(all));
	assert_int_equal(store_audit_each(f->st, &all, walk, &v), STORE_OK);
	assert_int_equal(audit_verify_end(&v), AUDIT_INTACT);
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > "
		 "3\"",
		 f->path);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(verdict(f->st, secret, &v), AUDIT_INTACT); /* the chain alone */
	audit_verify_begin(&v, secret, a, 2);
	assert_int_equal(store_audit_each(f->st, &all, walk, &v), STORE_OK);
	assert_int_equal(audit_verify_end(&v), AUDIT_MISSING);
	assert_int_equal(v.missing_from, 4);
	assert_int_equal(v.missing_to, 5);
}

/* What the store reads is what is stored: a NUL byte inside a field
 * (which a C string would hide) makes the entry malformed. */
static void test_hidden_text_after_a_nul_is_malformed(void **state)
{
	struct fx *f = *state;
	struct audit_entry got[1];
	struct audit_filter all;
	struct audit_verify v;
	char cmd[700];

	store_set_audit_secret(f->st, secret);
	append(f->st, "login", "x");
	snprintf(cmd, sizeof(cmd),
		 "sqlite3 %s \"DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = "
		 "detail || char(0) || 'HIDDEN'\"",
		 f->path);
	assert_int_equal(system(cmd), 0);
	memset(&all, 0, sizeof(all));
	assert_int_equal(store_audit_each(f->st, &all, collect, got), STORE_OK);
	assert_string_equal(got[0].detail, "x");
	assert_true(got[0].malformed);
	assert_int_equal(verdict(f->st, secret, &v), AUDIT_BAD_ENTRY);
	assert_int_equal(v.bad_id, 1);
}

int main(void)
{
	static const char *const sqlite_only[] = {
		"test_database_refuses_update_and_delete",
		"test_anchor_shows_a_cut_at_the_end",
		"test_hidden_text_after_a_nul_is_malformed",
		NULL,
	};
	struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entries_chain_from_genesis, store_fx_setup,
						store_fx_teardown),
		cmocka_unit_test(test_any_field_change_changes_the_hash),
		cmocka_unit_test_setup_teardown(test_database_refuses_update_and_delete,
						store_fx_setup, store_fx_teardown),
		cmocka_unit_test(test_control_characters_are_escaped),
		cmocka_unit_test(test_hash_is_sha256_of_length_prefixed_fields),
		cmocka_unit_test_setup_teardown(test_chain_across_transactions_and_rollback,
						store_fx_setup, store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_groups_at_once_keep_one_chain, store_fx_setup,
						store_fx_teardown),
		cmocka_unit_test(test_keyed_hash_is_hmac_of_length_prefixed_fields),
		cmocka_unit_test_setup_teardown(test_keyed_chain_follows_unkeyed_entries,
						store_fx_setup, store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_keyed_log_refuses_entries_without_the_key,
						store_fx_setup, store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_rekey_starts_the_next_epoch_in_the_chain,
						store_fx_setup, store_fx_teardown),
		cmocka_unit_test(test_anchor_lines_read_back_and_refuse_changes),
		cmocka_unit_test_setup_teardown(test_anchor_shows_a_cut_at_the_end, store_fx_setup,
						store_fx_teardown),
		cmocka_unit_test_setup_teardown(test_hidden_text_after_a_nul_is_malformed,
						store_fx_setup, store_fx_teardown),
	};

	return _cmocka_run_group_tests(
		"tests", tests,
		store_fx_sqlite_only(tests, sizeof(tests) / sizeof(tests[0]), sqlite_only,
				     "the sqlite3 shell edits the database file"),
		NULL, NULL);
}
