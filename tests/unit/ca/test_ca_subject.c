/*
 * One rule set for what a certificate may say: real-world shapes of
 * Serbian personal and company names run through what the request form
 * does (domain/subject.h: clean, then the commonName bound) and through
 * the CA's issuance (the registration the connector sends, ca_reg_parse,
 * and a certificate signed by ca_cert_qualified).  The two must agree
 * on every one: what the form accepts, the CA issues with exactly the
 * cleaned value in the subject; what the form refuses, the CA refuses.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca/ca.h"
#include "domain/subject.h"

enum part { GIVEN, SURNAME, ORG };

struct name_case {
	enum part part;
	const char *raw;
	const char *want; /* what the certificate says; NULL: refused */
};

#define D64 "ĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐĐ" /* 60 */

static const struct name_case cases[] = {
	/* Given names. */
	{GIVEN, "Žarko", "Žarko"},
	{GIVEN, "Đorđe", "Đorđe"},
	{GIVEN, "Džejla", "Džejla"},
	{GIVEN, "Ana-Marija", "Ana-Marija"},
	{GIVEN, "Jovana Ana", "Jovana Ana"},
	{GIVEN, "  Milica  ", "Milica"},
	{GIVEN, "Ana\tMarija", "Ana Marija"},
	{GIVEN,
	 "Mary\xc2\xa0"
	 "Ann",
	 "Mary Ann"},
	{GIVEN, "Ана", "Ana"},
	{GIVEN, "Љиљана", "Ljiljana"},
	{GIVEN, "ЉИЉАНА", "LJILJANA"},
	{GIVEN, "Џонатан", "Džonatan"},
	{GIVEN, "Ђорђе", "Đorđe"},
	{GIVEN, "Њего", "Njego"},
	{GIVEN, "Ivan2", NULL},
	{GIVEN, "-Ana", NULL},
	{GIVEN, "Ana\x01", NULL},
	{GIVEN, "\xc3\x28", NULL},
	{GIVEN, "Юрий", NULL},
	{GIVEN, "", NULL},
	{GIVEN, "   ", NULL},
	{GIVEN, "Zero\xe2\x80\x8bWidth", NULL},
	{GIVEN,
	 "Ana\xe2\x80\xae"
	 "evil",
	 NULL},
	{GIVEN, "Ana<script>", NULL},
	/* Surnames (the given name is "Ana": the commonName adds 4). */
	{SURNAME, "Ćirić", "Ćirić"},
	{SURNAME, "Petrović-Njegoš", "Petrović-Njegoš"},
	{SURNAME, "Njegoš  Petrović", "Njegoš Petrović"},
	{SURNAME, "O'Brien", "O'Brien"},
	{SURNAME,
	 "D\xe2\x80\x99"
	 "Angelo",
	 "D\xe2\x80\x99"
	 "Angelo"},
	{SURNAME, "Šćepanović", "Šćepanović"},
	{SURNAME, "Ђурашковић", "Đurašković"},
	{SURNAME, D64, D64},      /* commonName of exactly 64 */
	{SURNAME, D64 "Đ", NULL}, /* 65 */
	{SURNAME, "Petrović & sin", NULL},
	/* Organisation names as they appear in the certificate. */
	{ORG, "Projektni biro „Đerdap“ & partneri d.o.o.",
	 "Projektni biro „Đerdap“ & partneri d.o.o."},
	{ORG, "Energoprojekt \"Niskogradnja\" a.d.", "Energoprojekt \"Niskogradnja\" a.d."},
	{ORG, "Hidro-Tehnika ‚Beograd‘ d.o.o.", "Hidro-Tehnika ‚Beograd‘ d.o.o."},
	{ORG, "«Inženjering» 2000 d.o.o.", "«Inženjering» 2000 d.o.o."},
	{ORG, "Mašinoprojekt KOPRING a.d. Beograd", "Mašinoprojekt KOPRING a.d. Beograd"},
	{ORG, "ПРОЈЕКТ ИНЖЕЊЕРИНГ д.о.о.", "PROJEKT INŽENJERING d.o.o."},
	{ORG, "Atelje \"A/B\" – Novi Sad", "Atelje \"A/B\" – Novi Sad"},
	{ORG, "Grupa 5 + partneri (Niš) d.o.o.", "Grupa 5 + partneri (Niš) d.o.o."},
	{ORG, "Studio 'Forma' d.o.o.", "Studio 'Forma' d.o.o."},
	{ORG, "S.Z.R. „Kuća“ – Čačak", "S.Z.R. „Kuća“ – Čačak"},
	{ORG, "Biro   Dž  ", "Biro Dž"},
	{ORG, "Euro € d.o.o.", "Euro € d.o.o."},
	{ORG, "Arhitektonsko-građevinski biro Jovanović i sinovi d.o.o. Beograd",
	 "Arhitektonsko-građevinski biro Jovanović i sinovi d.o.o. Beograd"}, /* 64 */
	{ORG, "Arhitektonsko-građevinski biro Jovanović i sinovi d.o.o. Beogradu", NULL},
	{ORG, "Projektni biro „Đerdap“ & partneri društvo sa ograničenom odgovornošću Kladovo",
	 NULL},
	{ORG, "Biro\nX", NULL},
	{ORG, "Firma\x7f", NULL},
	{ORG, "Ыкс d.o.o.", NULL},
	{ORG, "", NULL},
};

#define NCASES (sizeof(cases) / sizeof(cases[0]))

/* What the form does with one part: clean it, then check the
 * commonName it makes with the other part.  The clean value in out, or
 * 0 when refused. */
static int form_accepts(const struct name_case *c, char *out, size_t outsize)
{
	char cn[SUBJECT_BYTES(SUBJECT_CN_MAX)];

	if (subject_clean(c->part == ORG ? SUBJ_ORG : SUBJ_NAME, c->raw, out, outsize, NULL,
			  NULL) != SUBJ_OK)
		return 0;
	if (c->part == GIVEN)
		return subject_common_name(out, "Petrović", cn, sizeof(cn)) == SUBJ_OK;
	if (c->part == SURNAME)
		return subject_common_name("Ana", out, cn, sizeof(cn)) == SUBJ_OK;
	return 1;
}

/* The registration as the connector sends it, with value v in the
 * case's part; NULL when JSON cannot carry v (not UTF-8). */
static char *registration(const struct name_case *c, const char *v)
{
	json_t *subj, *o;
	char *text;

	subj = json_pack("{s:s?, s:s?, s:s}", "given_name", c->part == GIVEN ? v : "Ana", "surname",
			 c->part == SURNAME ? v : "Petrović", "jmbg", "0101990710008");
	if (subj == NULL || json_object_get(subj, "given_name") == NULL ||
	    json_object_get(subj, "surname") == NULL) {
		json_decref(subj);
		return NULL;
	}
	if (c->part == ORG) {
		json_t *org = json_string(v);

		if (org == NULL) {
			json_decref(subj);
			return NULL;
		}
		json_object_set_new(subj, "organization", org);
		json_object_set_new(subj, "pib", json_string("100000008"));
	}
	o = json_pack("{s:s, s:s, s:o, s:i, s:s}", "order_id", "7", "profile",
		      c->part == ORG ? "legal" : "natural", "subject", subj, "validity_years", 3,
		      "office", "BG");
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

struct issuer {
	EVP_PKEY *key;
	X509 *cert;
	struct ca_conf conf;
};

static int setup(void **state)
{
	static struct issuer is;
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	X509_NAME *n;
	int ok;

	ca_conf_defaults(&is.conf, "/nonexistent");
	is.key = EVP_EC_gen("P-256");
	is.cert = X509_new();
	n = X509_get_subject_name(is.cert);
	if (is.key == NULL || is.cert == NULL ||
	    !X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"Test CA",
					-1, -1, 0) ||
	    !X509_set_issuer_name(is.cert, n) || !X509_set_pubkey(is.cert, is.key) ||
	    !X509_gmtime_adj(X509_getm_notBefore(is.cert), 0) ||
	    !X509_gmtime_adj(X509_getm_notAfter(is.cert), 86400L * 365 * 5))
		return -1;
	/* The issued certificate's authority key identifier needs it. */
	X509V3_set_ctx(&ctx, is.cert, is.cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
	if (ext == NULL || !X509_add_ext(is.cert, ext, -1) ||
	    X509_sign(is.cert, is.key, EVP_sha256()) <= 0)
		ok = 0;
	else
		ok = 1;
	X509_EXTENSION_free(ext);
	if (!ok)
		return -1;
	*state = &is;
	return 0;
}

static int teardown(void **state)
{
	struct issuer *is = *state;

	X509_free(is->cert);
	EVP_PKEY_free(is->key);
	return 0;
}

/* The subject entry nid of x as UTF-8 into out. */
static void entry(X509 *x, int nid, char *out, size_t outsize)
{
	X509_NAME *n = X509_get_subject_name(x);
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	unsigned char *u = NULL;
	int len;

	assert_true(i >= 0);
	len = ASN1_STRING_to_UTF8(&u, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)));
	assert_true(len >= 0 && (size_t)len < outsize);
	/* Encoded as UTF8String (RFC 5280 4.1.2.6). */
	assert_int_equal(ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i))),
			 V_ASN1_UTF8STRING);
	memcpy(out, u, (size_t)len);
	out[len] = '\0';
	OPENSSL_free(u);
}

static void test_form_and_ca_agree_on_every_name(void **state)
{
	struct issuer *is = *state;
	char clean[SUBJECT_BYTES(SUBJECT_COMPANY_MAX)], got[1024], *json, *canon;
	struct ca_registration reg;
	enum ca_reg_error e;
	size_t i, accepted = 0;
	X509 *x;
	int ok;

	assert_true(NCASES >= 40);
	for (i = 0; i < NCASES; i++) {
		const struct name_case *c = &cases[i];

		ok = form_accepts(c, clean, sizeof(clean));
		if (c->want == NULL) {
			if (ok)
				fail_msg("case %zu (%s): the form accepts what it must refuse", i,
					 c->raw);
			/* The CA refuses the raw value the same way. */
			json = registration(c, c->raw);
			canon = NULL;
			e = json ? ca_reg_parse(json, strlen(json), 5, &reg, &canon)
				 : CA_REG_MALFORMED;
			if (e == CA_REG_OK)
				fail_msg("case %zu (%s): refused by the form, accepted by the CA",
					 i, c->raw);
			free(json);
			free(canon);
			continue;
		}
		if (!ok || strcmp(clean, c->want) != 0)
			fail_msg("case %zu (%s): the form gives \"%s\", want \"%s\"", i, c->raw,
				 ok ? clean : "(refused)", c->want);
		json = registration(c, clean);
		assert_non_null(json);
		canon = NULL;
		e = ca_reg_parse(json, strlen(json), 5, &reg, &canon);
		if (e != CA_REG_OK)
			fail_msg("case %zu (%s): accepted by the form, the CA says %s", i, c->raw,
				 ca_reg_strerror(e));
		x = ca_cert_qualified(&is->conf, &reg.subject, is->key, is->cert, is->key, 3);
		if (x == NULL)
			fail_msg("case %zu (%s): the CA cannot issue it", i, c->raw);
		entry(x,
		      c->part == GIVEN     ? NID_givenName
		      : c->part == SURNAME ? NID_surname
					   : NID_organizationName,
		      got, sizeof(got));
		assert_string_equal(got, c->want);
		X509_free(x);
		free(json);
		free(canon);
		accepted++;
	}
	print_message("%zu names: %zu issued, %zu refused by both\n", NCASES, accepted,
		      NCASES - accepted);
}

static void test_clean_reports_transliteration_and_spaces(void **state)
{
	char out[64];
	unsigned ch = 0;
	size_t n = 0;

	assert_int_equal(subject_clean(SUBJ_NAME, "Ђорђе", out, sizeof(out), &n, &ch), SUBJ_OK);
	assert_string_equal(out, "Đorđe");
	assert_int_equal(n, 5);
	assert_true(ch & SUBJ_TRANSLITERATED);
	assert_int_equal(subject_clean(SUBJ_NAME, " Ana ", out, sizeof(out), &n, &ch), SUBJ_OK);
	assert_true(ch & SUBJ_SPACED);
	assert_false(ch & SUBJ_TRANSLITERATED);
	/* The CA's check: only what cleaning leaves as it is. */
	assert_int_equal(subject_check(SUBJ_NAME, "Ana"), SUBJ_OK);
	assert_int_equal(subject_check(SUBJ_NAME, " Ana"), SUBJ_SPACE);
	assert_int_equal(subject_check(SUBJ_NAME, "Ана"), SUBJ_CHAR);
	assert_int_equal(subject_check(SUBJ_NAME, "Юрий"), SUBJ_CYRILLIC);
	assert_int_equal(subject_clean(SUBJ_NAME, "Ana", out, 3, NULL, NULL), SUBJ_TOO_LONG);
}

static void test_company_full_name_keeps_up_to_255(void **state)
{
	char in[300], out[SUBJECT_BYTES(SUBJECT_COMPANY_MAX)];

	memset(in, 'a', 255);
	in[255] = '\0';
	assert_int_equal(subject_clean(SUBJ_COMPANY, in, out, sizeof(out), NULL, NULL), SUBJ_OK);
	in[255] = 'a';
	in[256] = '\0';
	assert_int_equal(subject_clean(SUBJ_COMPANY, in, out, sizeof(out), NULL, NULL),
			 SUBJ_TOO_LONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_and_ca_agree_on_every_name),
		cmocka_unit_test(test_clean_reports_transliteration_and_spaces),
		cmocka_unit_test(test_company_full_name_keeps_up_to_255),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
