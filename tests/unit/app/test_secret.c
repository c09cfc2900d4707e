/* Secrets at rest (core/secret.h): the key file, sealing and opening,
 * and the store sealing the staff's TOTP secrets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/secret.h"
#include "store/store.h"

#include "store_db.h"

#define TOTP "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

static void test_seal_then_open(void **state)
{
	unsigned char key[SECRET_LEN] = {1, 2, 3}, other[SECRET_LEN] = {9};
	char a[256], b[256], out[64];

	(void)state;
	assert_int_equal(secret_seal(key, TOTP, a, sizeof(a)), 0);
	assert_int_equal(secret_seal(key, TOTP, b, sizeof(b)), 0);
	assert_true(secret_is_sealed(a));
	assert_null(strstr(a, TOTP));
	assert_string_not_equal(a, b); /* a fresh nonce each time */
	assert_int_equal(secret_open(key, a, out, sizeof(out)), 0);
	assert_string_equal(out, TOTP);
	/* Another key, an altered byte, a short buffer: nothing opens. */
	assert_int_equal(secret_open(other, a, out, sizeof(out)), -1);
	assert_string_equal(out, "");
	a[10] = a[10] == '0' ? '1' : '0';
	assert_int_equal(secret_open(key, a, out, sizeof(out)), -1);
	assert_int_equal(secret_open(key, b, out, 8), -1);
	assert_int_equal(secret_seal(key, TOTP, a, 40), -1);
	/* Stored before sealing existed: as it is. */
	assert_int_equal(secret_open(key, TOTP, out, sizeof(out)), 1);
	assert_string_equal(out, TOTP);
}

static void test_key_file_made_once_0600(void **state)
{
	unsigned char k1[SECRET_LEN], k2[SECRET_LEN];
	char dir[] = "/tmp/qcra-secret-XXXXXX", path[64], err[256];
	struct stat sb;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(secret_load(dir, k1, err, sizeof(err)), 0);
	assert_int_equal(secret_load(dir, k2, err, sizeof(err)), 0);
	assert_memory_equal(k1, k2, SECRET_LEN);
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(sb.st_size, SECRET_LEN);
	unlink(path);
	rmdir(dir);
}

/* With the key set the database holds only sealed TOTP secrets; rows
 * stored in clear before are sealed by store_operator_seal_all; a
 * reader without the key sees the sealed text, one with another key
 * sees nothing usable. */
static void test_store_seals_totp_secrets(void **state)
{
	unsigned char key[SECRET_LEN] = {7}, other[SECRET_LEN] = {8};
	char dir[] = "/tmp/qcra-secret-XXXXXX", path[512], err[256];
	struct store *st;
	struct operator o, got;
	int n = -1;

	(void)state;
	assert_non_null(mkdtemp(dir));
	store_fx_target(path, sizeof(path), dir, "q.db");
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_migrate(st, NULL, err, sizeof(err)), STORE_OK);
	memset(&o, 0, sizeof(o));
	snprintf(o.username, sizeof(o.username), "legacy");
	snprintf(o.role, sizeof(o.role), "admin");
	snprintf(o.password_hash, sizeof(o.password_hash), "$argon2id$x");
	snprintf(o.totp_secret, sizeof(o.totp_secret), TOTP);
	assert_int_equal(store_operator_create(st, &o), STORE_OK); /* no key: in clear */
	store_set_seal_key(st, key);
	snprintf(o.username, sizeof(o.username), "fresh");
	assert_int_equal(store_operator_create(st, &o), STORE_OK); /* sealed */
	assert_int_equal(store_operator_seal_all(st, &n), STORE_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_operator_by_username(st, "legacy", &got), STORE_OK);
	assert_string_equal(got.totp_secret, TOTP);
	assert_int_equal(store_operator_by_username(st, "fresh", &got), STORE_OK);
	assert_string_equal(got.totp_secret, TOTP);
	store_close(st);

	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_operator_by_username(st, "legacy", &got), STORE_OK);
	assert_true(secret_is_sealed(got.totp_secret)); /* no key: as stored */
	store_set_seal_key(st, other);
	assert_int_equal(store_operator_by_username(st, "fresh", &got), STORE_OK);
	assert_string_equal(got.totp_secret, "");
	store_close(st);
	store_fx_drop(path);
	snprintf(err, sizeof(err), "rm -rf %s", dir);
	assert_int_equal(system(err), 0);
}

/* Tags: the same for the same text and key, different for another
 * text or another installation's key, never the text itself. */
static void test_tag_is_keyed(void **state)
{
	unsigned char key[SECRET_LEN], other[SECRET_LEN];
	char a[SECRET_TAG_HEX], b[SECRET_TAG_HEX], c[SECRET_TAG_HEX], d[SECRET_TAG_HEX];

	(void)state;
	memset(key, 1, sizeof(key));
	memset(other, 2, sizeof(other));
	secret_tag(key, "Lozinka u polju za ime 1", a);
	secret_tag(key, "Lozinka u polju za ime 1", b);
	secret_tag(key, "Lozinka u polju za ime 2", c);
	secret_tag(other, "Lozinka u polju za ime 1", d);
	assert_int_equal(strlen(a), 32);
	assert_int_equal(strspn(a, "0123456789abcdef"), 32);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	assert_string_not_equal(a, d);
}

/* A link to one order's document without an account: valid only for
 * that order, that document and until its time, under this key. */
static void test_document_links(void **state)
{
	unsigned char key[SECRET_LEN] = {1, 2, 3}, other[SECRET_LEN] = {9};
	char k[SECRET_LINK_HEX], t[SECRET_LINK_HEX];
	time_t until = 1800000000;

	(void)state;
	secret_link(key, 42, "proforma", until, k);
	assert_int_equal(strlen(k), SECRET_LINK_HEX - 1);
	assert_int_equal(secret_link_check(key, 42, "proforma", until, k, until - 100),
			 SECRET_LINK_OK);
	assert_int_equal(secret_link_check(key, 42, "proforma", until, k, until), SECRET_LINK_OK);
	assert_int_equal(secret_link_check(key, 42, "proforma", until, k, until + 1),
			 SECRET_LINK_EXPIRED);
	assert_int_equal(secret_link_check(key, 43, "proforma", until, k, until - 100),
			 SECRET_LINK_BAD);
	assert_int_equal(secret_link_check(key, 42, "contract", until, k, until - 100),
			 SECRET_LINK_BAD);
	assert_int_equal(secret_link_check(key, 42, "proforma", until + 86400, k, until - 100),
			 SECRET_LINK_BAD);
	assert_int_equal(secret_link_check(other, 42, "proforma", until, k, until - 100),
			 SECRET_LINK_BAD);
	assert_int_equal(secret_link_check(key, 42, "proforma", until, "", until - 100),
			 SECRET_LINK_BAD);
	assert_int_equal(secret_link_check(key, 42, "proforma", until, "zz", until - 100),
			 SECRET_LINK_BAD);
	/* Not the tag of the same text: links are keyed apart. */
	secret_tag(key, "proforma", t);
	assert_string_not_equal(k, t);
	/* A forged link to an expired time is bad, not merely expired. */
	assert_int_equal(secret_link_check(key, 42, "proforma", until - 1, k, until + 1),
			 SECRET_LINK_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_then_open),
		cmocka_unit_test(test_key_file_made_once_0600),
		cmocka_unit_test(test_store_seals_totp_secrets),
		cmocka_unit_test(test_tag_is_keyed),
		cmocka_unit_test(test_document_links),
	};

	return cmocka_run_group_tests_name("secret", tests, NULL, NULL);
}
