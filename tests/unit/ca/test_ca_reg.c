/* The CA's registration validation and the QCStatements encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/objects.h>

#include "ca/ca.h"

#define NATURAL                                                                                    \
	"{\"order_id\":\"2025-0001\",\"profile\":\"natural\",\"validity_years\":3,"                \
	"\"office\":\"BG\",\"subject\":{\"given_name\":\"Žarko\",\"surname\":\"Đurašković\","  \
	"\"jmbg\":\"0101990710008\"}}"
#define LEGAL                                                                                      \
	"{\"order_id\":\"2025-0002\",\"profile\":\"legal\",\"validity_years\":2,"                  \
	"\"office\":\"NS\",\"subject\":{\"given_name\":\"Ana\",\"surname\":\"Petrović\","         \
	"\"jmbg\":\"1503985780019\",\"organization\":\"Projekt d.o.o.\",\"pib\":\"100000008\"}}"

static enum ca_reg_error parse(const char *json, struct ca_registration *r, char **canon)
{
	return ca_reg_parse(json, strlen(json), 5, r, canon);
}

/* Replaces the first occurrence of from in base by to. */
static char *with(const char *base, const char *from, const char *to)
{
	const char *p = strstr(base, from);
	size_t n = strlen(base) - strlen(from) + strlen(to) + 1;
	char *s = malloc(n);

	assert_non_null(p);
	snprintf(s, n, "%.*s%s%s", (int)(p - base), base, to, p + strlen(from));
	return s;
}

static void expect_error(const char *json, enum ca_reg_error want)
{
	struct ca_registration r;
	char *canon = NULL;

	assert_int_equal(parse(json, &r, &canon), want);
	assert_null(canon);
}

static void expect_replaced(const char *base, const char *from, const char *to,
			    enum ca_reg_error want)
{
	char *s = with(base, from, to);

	expect_error(s, want);
	free(s);
}

static void test_natural_registration_is_accepted(void **state)
{
	struct ca_registration r;
	char *canon = NULL;

	assert_int_equal(parse(NATURAL, &r, &canon), CA_REG_OK);
	assert_string_equal(r.order_id, "2025-0001");
	assert_int_equal(r.subject.profile, CA_PROFILE_NATURAL);
	assert_string_equal(r.subject.common_name, "Žarko Đurašković");
	assert_string_equal(r.subject.jmbg, "0101990710008");
	assert_int_equal(r.validity_years, 3);
	assert_string_equal(r.office, "BG");
	assert_non_null(canon);
	free(canon);
}

static void test_legal_registration_carries_organization_and_pib(void **state)
{
	struct ca_registration r;
	char *canon = NULL;

	assert_int_equal(parse(LEGAL, &r, &canon), CA_REG_OK);
	assert_int_equal(r.subject.profile, CA_PROFILE_LEGAL);
	assert_string_equal(r.subject.organization, "Projekt d.o.o.");
	assert_string_equal(r.subject.pib, "100000008");
	free(canon);
}

static void test_canonical_form_ignores_key_order_and_unknown_fields(void **state)
{
	const char *reordered =
		"{\"office\":\"BG\",\"note\":\"ignored\",\"validity_years\":3,"
		"\"subject\":{\"jmbg\":\"0101990710008\",\"surname\":\"Đurašković\","
		"\"given_name\":\"Žarko\"},\"profile\":\"natural\",\"order_id\":\"2025-0001\"}";
	struct ca_registration r;
	char *a = NULL, *b = NULL, *c = NULL, *changed = with(NATURAL, "\"BG\"", "\"NI\"");

	assert_int_equal(parse(NATURAL, &r, &a), CA_REG_OK);
	assert_int_equal(parse(reordered, &r, &b), CA_REG_OK);
	assert_int_equal(parse(changed, &r, &c), CA_REG_OK);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
	free(a);
	free(b);
	free(c);
	free(changed);
}

static void test_rejects_invalid_jmbg(void **state)
{
	expect_replaced(NATURAL, "0101990710008", "0101990710009", CA_REG_JMBG);
	expect_replaced(NATURAL, "0101990710008", "010199071000", CA_REG_JMBG);
	expect_replaced(NATURAL, "0101990710008", "3102990710008", CA_REG_JMBG);
	expect_replaced(NATURAL, "\"jmbg\":\"0101990710008\"", "\"jmbg\":101990710008",
			CA_REG_JMBG);
}

static void test_rejects_unknown_profile(void **state)
{
	expect_replaced(NATURAL, "\"natural\"", "\"seal\"", CA_REG_PROFILE);
	expect_replaced(NATURAL, "\"profile\":\"natural\",", "", CA_REG_PROFILE);
	expect_replaced(NATURAL, "\"natural\"", "\"Natural\"", CA_REG_PROFILE);
}

static void test_rejects_invalid_names(void **state)
{
	expect_replaced(NATURAL, "Žarko", "", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Žarko", "Žarko1", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Žarko", "Ž\\narko", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Žarko", "Ža  rko", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Žarko", " Žarko", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Žarko", "Жарко", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Žarko", "Ža<b>rko", CA_REG_GIVEN_NAME);
	expect_replaced(NATURAL, "Đurašković", "Đ\\u0000x", CA_REG_MALFORMED);
	expect_replaced(NATURAL, "Đurašković", "Đ\\u0085x", CA_REG_SURNAME);
	expect_replaced(NATURAL, "Đurašković",
			"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			CA_REG_SURNAME);
	expect_replaced(NATURAL, "Đurašković",
			"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
			CA_REG_COMMON_NAME);
}

static void test_rejects_bad_legal_subject(void **state)
{
	expect_replaced(LEGAL, "100000008", "100000009", CA_REG_PIB);
	expect_replaced(LEGAL, "\"organization\":\"Projekt d.o.o.\",", "", CA_REG_ORGANIZATION);
	expect_replaced(LEGAL, "Projekt d.o.o.", "Pro\\tjekt", CA_REG_ORGANIZATION);
	expect_replaced(NATURAL, "\"jmbg\":\"0101990710008\"",
			"\"jmbg\":\"0101990710008\",\"pib\":\"100000008\"", CA_REG_UNEXPECTED);
}

static void test_rejects_bad_envelope(void **state)
{
	expect_error("not json", CA_REG_MALFORMED);
	expect_error("[]", CA_REG_MALFORMED);
	expect_replaced(NATURAL, "2025-0001", "2025/0001", CA_REG_ORDER_ID);
	expect_replaced(NATURAL, "2025-0001", "", CA_REG_ORDER_ID);
	expect_replaced(NATURAL, "\"validity_years\":3", "\"validity_years\":6", CA_REG_VALIDITY);
	expect_replaced(NATURAL, "\"validity_years\":3", "\"validity_years\":0", CA_REG_VALIDITY);
	expect_replaced(NATURAL, "\"validity_years\":3", "\"validity_years\":\"3\"",
			CA_REG_VALIDITY);
	expect_replaced(NATURAL, "\"BG\"", "\"B G\"", CA_REG_OFFICE);
	/* Duplicate keys could smuggle a second value past a validator. */
	expect_replaced(NATURAL, "\"office\":\"BG\"", "\"office\":\"BG\",\"office\":\"NS\"",
			CA_REG_MALFORMED);
}

static void test_every_error_has_a_code_and_a_message(void **state)
{
	int e;

	for (e = 0; e < CA_REG__MAX; e++) {
		assert_non_null(ca_reg_code((enum ca_reg_error)e));
		assert_non_null(ca_reg_strerror((enum ca_reg_error)e));
	}
}

/* 1 when the DER encoding of the OID oid occurs in der. */
static int has_oid(const unsigned char *der, size_t len, const char *oid)
{
	ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
	unsigned char *enc = NULL;
	int n = i2d_ASN1_OBJECT(o, &enc), found = 0;
	size_t i;

	for (i = 0; n > 0 && i + (size_t)n <= len; i++)
		if (memcmp(der + i, enc, (size_t)n) == 0)
			found = 1;
	OPENSSL_free(enc);
	ASN1_OBJECT_free(o);
	return found;
}

static void test_qcstatements_hold_the_etsi_statements(void **state)
{
	static const char *const oids[] = {"0.4.0.1862.1.1",    "0.4.0.1862.1.4", "0.4.0.1862.1.6",
					   "0.4.0.1862.1.6.1",  "0.4.0.1862.1.5", "0.4.0.1862.1.7",
					   "1.3.6.1.5.5.7.11.2"};
	struct ca_conf c;
	unsigned char *der;
	size_t len = 0, i;

	ca_conf_defaults(&c, "/nonexistent");
	der = ca_cert_qcstatements(&c, CA_PROFILE_NATURAL, &len);
	assert_non_null(der);
	assert_int_equal(der[0], 0x30);
	for (i = 0; i < sizeof(oids) / sizeof(oids[0]); i++)
		assert_true(has_oid(der, len, oids[i]));
	assert_true(has_oid(der, len, "0.4.0.194121.1.1"));
	assert_false(has_oid(der, len, "0.4.0.194121.1.2"));
	assert_non_null(memmem(der, len, c.pds_url_en, strlen(c.pds_url_en)));
	assert_non_null(memmem(der, len, "\x13\x02sr", 4));
	assert_non_null(memmem(der, len,
			       "\x13\x02"
			       "en",
			       4));
	assert_non_null(memmem(der, len, "\x13\x02RS", 4));
	free(der);
	der = ca_cert_qcstatements(&c, CA_PROFILE_LEGAL, &len);
	assert_non_null(der);
	assert_true(has_oid(der, len, "0.4.0.194121.1.2"));
	free(der);
}

static void test_config_round_trips_and_names_bad_keys(void **state)
{
	char dir[] = "/tmp/qcra-ca-conf-XXXXXX", err[256];
	struct ca_conf c, d;

	assert_non_null(mkdtemp(dir));
	ca_conf_defaults(&c, dir);
	assert_int_equal(ca_conf_set(&c, "key_algorithm", "rsa-3072", err, sizeof(err)), 0);
	assert_int_equal(ca_conf_set(&c, "listen", "[::1]:9443", err, sizeof(err)), 0);
	assert_int_equal(ca_conf_set(&c, "key_algorithm", "dsa", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "key_algorithm"));
	assert_int_equal(ca_conf_set(&c, "public_url", "ftp://x", err, sizeof(err)), -1);
	assert_int_equal(ca_conf_set(&c, "no_such_key", "1", err, sizeof(err)), -1);
	assert_int_equal(ca_conf_save(&c, err, sizeof(err)), 0);
	ca_conf_defaults(&d, dir);
	assert_int_equal(ca_conf_load(&d, err, sizeof(err)), 0);
	assert_int_equal(d.ca_alg, P11_ALG_RSA_3072);
	assert_string_equal(d.listen_addr, "::1");
	assert_int_equal(d.listen_port, 9443);
	assert_string_equal(d.public_url, c.public_url);
	{
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/ca.conf", dir);
		unlink(path);
		rmdir(dir);
	}
}

/* The values before ca.conf is read, every one of them. */
static void test_config_defaults(void **state)
{
	struct ca_conf c;

	ca_conf_defaults(&c, "/srv/ca");
	assert_string_equal(c.dir, "/srv/ca");
	assert_int_equal(c.ca_alg, P11_ALG_EC_P384);
	assert_int_equal(c.holder_alg, P11_ALG_EC_P384);
	assert_string_equal(c.organization, "qcra Test CA");
	assert_string_equal(c.module, "/usr/lib/softhsm/libsofthsm2.so");
	assert_string_equal(c.token_label, "qcra-ca");
	assert_string_equal(c.pin_file, "ca-token.pin");
	assert_string_equal(c.listen_addr, "127.0.0.1");
	assert_int_equal(c.listen_port, 8443);
	assert_string_equal(c.public_addr, "127.0.0.1");
	assert_int_equal(c.public_port, 8480);
	assert_string_equal(c.public_url, "http://127.0.0.1:8480");
	assert_string_equal(c.tls_names, "localhost,127.0.0.1");
	assert_string_equal(c.pds_url_en, "https://ca.example.rs/pds/pds-en.pdf");
	assert_string_equal(c.pds_url_sr, "https://ca.example.rs/pds/pds-sr.pdf");
	assert_string_equal(c.cps_url, "https://ca.example.rs/cps");
	assert_string_equal(c.policy_oid, "");
	assert_int_equal(c.crl_days, 7);
	assert_int_equal(c.max_validity_years, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_natural_registration_is_accepted),
		cmocka_unit_test(test_legal_registration_carries_organization_and_pib),
		cmocka_unit_test(test_canonical_form_ignores_key_order_and_unknown_fields),
		cmocka_unit_test(test_rejects_invalid_jmbg),
		cmocka_unit_test(test_rejects_unknown_profile),
		cmocka_unit_test(test_rejects_invalid_names),
		cmocka_unit_test(test_rejects_bad_legal_subject),
		cmocka_unit_test(test_rejects_bad_envelope),
		cmocka_unit_test(test_every_error_has_a_code_and_a_message),
		cmocka_unit_test(test_qcstatements_hold_the_etsi_statements),
		cmocka_unit_test(test_config_round_trips_and_names_bad_keys),
		cmocka_unit_test(test_config_defaults),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
