/*
 * The CA service end to end: `qcra ca init` in a temporary directory,
 * `qcra ca serve` on free ports, requests over TLS with the RA's client
 * certificate (libcurl), and the stock openssl tool as the relying party
 * (verify, x509 -text, asn1parse, crl, ocsp).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "ca_testlib.h"
#include <curl/curl.h>
#include <jansson.h>

#include "util/buf.h"

#define NATURAL_FMT                                                                                \
	"{\"order_id\":\"%s\",\"profile\":\"natural\",\"validity_years\":3,"                       \
	"\"office\":\"%s\",\"subject\":{\"given_name\":\"Žarko\",\"surname\":\"Đurašković\","  \
	"\"jmbg\":\"0101990710008\"}}"
#define LEGAL                                                                                      \
	"{\"order_id\":\"T-LEGAL-1\",\"profile\":\"legal\",\"validity_years\":2,"                  \
	"\"office\":\"NS\",\"subject\":{\"given_name\":\"Ana\",\"surname\":\"Petrović\","         \
	"\"jmbg\":\"1503985780019\",\"organization\":\"Projekt d.o.o.\",\"pib\":\"100000008\"}}"

/* Submits a natural-person registration and writes its certificate to
 * DIR/<order>.pem.  Returns the parsed registration. */
static json_t *issue(const char *order, const char *office, long want)
{
	struct buf b = BUF_INIT;
	char body[512], path[256];
	json_t *o;
	FILE *f;

	snprintf(body, sizeof(body), NATURAL_FMT, order, office);
	assert_int_equal(ca_api("POST", "/v1/registrations", body, &b), want);
	o = ca_parse(&b);
	snprintf(path, sizeof(path), "%s/%s.pem", ca_dir, order);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(ca_str(o, "certificate"), f);
	fclose(f);
	buf_free(&b);
	return o;
}

static void test_init_creates_the_hierarchy(void **state)
{
	struct buf out = BUF_INIT;
	struct stat st;
	char path[512];

	assert_int_equal(
		sh(&out, "openssl verify -CAfile %s/root.pem %s/issuing.pem", ca_cadir, ca_cadir),
		0);
	assert_int_equal(sh(&out,
			    "openssl verify -CAfile %s/root.pem -untrusted %s/issuing.pem "
			    "%s/ra/ra.pem %s/tls/server.pem",
			    ca_cadir, ca_cadir, ca_cadir, ca_cadir),
			 0);
	buf_reset(&out);
	assert_int_equal(sh(&out, "openssl x509 -noout -text -in %s/issuing.pem", ca_cadir), 0);
	assert_non_null(strstr(out.data, "CA:TRUE, pathlen:0"));
	assert_non_null(strstr(out.data, "Certificate Sign, CRL Sign"));
	assert_non_null(strstr(out.data, "ecdsa-with-SHA384"));
	/* The CA keys are on the token: no private key among the CA files. */
	buf_reset(&out);
	sh(&out, "grep -rl 'PRIVATE KEY' %s --exclude-dir=tokens | sort", ca_cadir);
	snprintf(path, sizeof(path), "%s/ra/ra.key\n%s/tls/server.key\n", ca_cadir, ca_cadir);
	assert_string_equal(out.data != NULL ? out.data : "", path);
	snprintf(path, sizeof(path), "%s/tls/server.key", ca_cadir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/ra/ra.key", ca_cadir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/ca-token.pin", ca_cadir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(path, sizeof(path), "%s/ca.db", ca_cadir);
	assert_int_equal(stat(path, &st), 0);
	/* A second init refuses to overwrite the CA. */
	assert_int_not_equal(
		sh(NULL, "'%s' ca init --dir '%s' 2>/dev/null", getenv("QCRA_BIN"), ca_cadir), 0);
	assert_int_equal(
		sh(NULL, "'%s' ca init --if-missing --dir '%s'", getenv("QCRA_BIN"), ca_cadir), 0);
	buf_free(&out);
}

static void test_issued_certificate_verifies_against_the_chain(void **state)
{
	json_t *o = issue("T-VERIFY-1", "BG", 201);
	struct buf out = BUF_INIT;

	assert_string_equal(ca_str(o, "state"), "in_transit");
	assert_int_equal(sh(&out,
			    "openssl verify -CAfile %s/root.pem -untrusted %s/issuing.pem "
			    "%s/T-VERIFY-1.pem",
			    ca_cadir, ca_cadir, ca_dir),
			 0);
	assert_non_null(strstr(out.data, "OK"));
	json_decref(o);
	buf_free(&out);
}

static void test_certificate_shows_the_qualified_profile(void **state)
{
	json_t *o = issue("T-PROFILE-1", "BG", 201);
	struct buf out = BUF_INIT;
	char *line, off[32] = "";

	assert_int_equal(sh(&out,
			    "openssl x509 -noout -text -nameopt utf8,sep_comma_plus_space,space_eq "
			    "-in %s/T-PROFILE-1.pem",
			    ca_dir),
			 0);
	assert_non_null(strstr(out.data, "C = RS"));
	assert_non_null(strstr(out.data, "GN = Žarko"));
	assert_non_null(strstr(out.data, "SN = Đurašković"));
	assert_non_null(strstr(out.data, "serialNumber = PNORS-0101990710008"));
	assert_non_null(strstr(out.data, "CN = Žarko Đurašković"));
	assert_non_null(
		strstr(out.data, "X509v3 Key Usage: critical\n                Non Repudiation\n"));
	assert_non_null(strstr(out.data, "Policy: 0.4.0.194112.1.2"));
	assert_non_null(strstr(out.data, "CPS: https://"));
	assert_non_null(strstr(out.data, "X509v3 CRL Distribution Points"));
	assert_non_null(strstr(out.data, "/crl"));
	assert_non_null(strstr(out.data, "OCSP - URI:http://127.0.0.1:"));
	assert_non_null(strstr(out.data, "qcStatements"));
	/* openssl 3.0 prints qcStatements as hex: parse the extension. */
	buf_reset(&out);
	assert_int_equal(sh(&out, "openssl asn1parse -in %s/T-PROFILE-1.pem", ca_dir), 0);
	line = strstr(out.data, ":qcStatements");
	assert_non_null(line);
	line = strchr(line, '\n');
	assert_non_null(line);
	sscanf(line + 1, " %31[0-9]", off);
	assert_true(off[0] != '\0');
	buf_reset(&out);
	assert_int_equal(
		sh(&out, "openssl asn1parse -in %s/T-PROFILE-1.pem -strparse %s", ca_dir, off), 0);
	assert_non_null(strstr(out.data, "0.4.0.1862.1.1"));   /* QcCompliance */
	assert_non_null(strstr(out.data, "0.4.0.1862.1.4"));   /* QcSSCD */
	assert_non_null(strstr(out.data, "0.4.0.1862.1.6.1")); /* QcType esign */
	assert_non_null(strstr(out.data, "0.4.0.1862.1.5"));   /* QcPDS */
	assert_non_null(strstr(out.data, "0.4.0.1862.1.7"));   /* QcCClegislation */
	assert_non_null(strstr(out.data, "0.4.0.194121.1.1")); /* semantics: natural */
	assert_non_null(strstr(out.data, ":RS"));
	assert_non_null(strstr(out.data, ":sr"));
	assert_non_null(strstr(out.data, ":en"));
	json_decref(o);
	buf_free(&out);
}

static void test_legal_profile_adds_organization(void **state)
{
	struct buf b = BUF_INIT, out = BUF_INIT;
	char path[256];
	json_t *o;
	FILE *f;

	assert_int_equal(ca_api("POST", "/v1/registrations", LEGAL, &b), 201);
	o = ca_parse(&b);
	snprintf(path, sizeof(path), "%s/legal.pem", ca_dir);
	f = fopen(path, "w");
	fputs(ca_str(o, "certificate"), f);
	fclose(f);
	assert_int_equal(
		sh(&out,
		   "openssl x509 -noout -subject -nameopt utf8,sep_comma_plus_space,space_eq "
		   "-in %s",
		   path),
		0);
	assert_non_null(strstr(out.data, "O = Projekt d.o.o."));
	assert_non_null(strstr(out.data, "organizationIdentifier = VATRS-100000008"));
	assert_non_null(strstr(out.data, "serialNumber = PNORS-1503985780019"));
	json_decref(o);
	buf_free(&b);
	buf_free(&out);
}

static void test_server_refuses_a_client_without_the_ra_certificate(void **state)
{
	struct buf b = BUF_INIT;
	char url[128], body[512];
	long st;

	snprintf(body, sizeof(body), NATURAL_FMT, "T-INTRUDER-1", "BG");
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/v1/registrations", ca_tls_port);
	st = ca_request(CLIENT_NONE, "POST", url, body, strlen(body), "application/json", &b);
	assert_true(st == 0 || st == 403);
	st = ca_request(CLIENT_OTHER, "POST", url, body, strlen(body), "application/json", &b);
	assert_true(st == 0 || st == 403);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/v1/registrations/T-VERIFY-1", ca_tls_port);
	st = ca_request(CLIENT_NONE, "GET", url, NULL, 0, NULL, &b);
	assert_true(st == 0 || st == 403);
	/* Nothing was issued for the intruder. */
	assert_int_equal(ca_api("GET", "/v1/registrations/T-INTRUDER-1", NULL, &b), 404);
	/* The RA API is not on the public listener. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/registrations", ca_pub_port);
	assert_int_equal(
		ca_request(CLIENT_NONE, "POST", url, body, strlen(body), "application/json", &b),
		404);
	buf_free(&b);
}

static void test_submit_is_idempotent_by_order_id(void **state)
{
	json_t *a = issue("T-IDEM-1", "BG", 201), *b = issue("T-IDEM-1", "BG", 200), *c;
	struct buf out = BUF_INIT;

	assert_string_equal(ca_str(a, "serial"), ca_str(b, "serial"));
	assert_string_equal(ca_str(a, "certificate"), ca_str(b, "certificate"));
	assert_int_equal(ca_api("GET", "/v1/registrations/T-IDEM-1", NULL, &out), 200);
	c = ca_parse(&out);
	assert_string_equal(ca_str(a, "serial"), ca_str(c, "serial"));
	json_decref(a);
	json_decref(b);
	json_decref(c);
	buf_free(&out);
}

static void expect_rejected(const char *body, long status, const char *code)
{
	struct buf b = BUF_INIT;
	json_t *o;

	assert_int_equal(ca_api("POST", "/v1/registrations", body, &b), status);
	o = ca_parse(&b);
	assert_string_equal(ca_str(o, "error"), code);
	json_decref(o);
	buf_free(&b);
}

static void test_submit_rejects_bad_registrations(void **state)
{
	char body[512];
	json_t *o = issue("T-DUP-1", "BG", 201);

	snprintf(body, sizeof(body), NATURAL_FMT, "T-BAD-1", "BG");
	body[strlen(body) - 4] = '9'; /* JMBG check digit */
	expect_rejected(body, 400, "invalid_jmbg");
	snprintf(body, sizeof(body), NATURAL_FMT, "T-BAD-2", "BG");
	memcpy(strstr(body, "natural"), "unknown", 7);
	expect_rejected(body, 400, "unknown_profile");
	expect_rejected("{", 400, "malformed");
	/* The same order id with different data. */
	snprintf(body, sizeof(body), NATURAL_FMT, "T-DUP-1", "NI");
	expect_rejected(body, 409, "conflict");
	json_decref(o);
}

static void test_shipment_groups_cards_and_receipt_delivers_them(void **state)
{
	json_t *a = issue("T-SHIP-1", "KG", 201), *b = issue("T-SHIP-2", "KG", 201), *o, *s;
	struct buf out = BUF_INIT;
	char path[128];

	assert_int_equal(json_integer_value(json_object_get(a, "shipment_id")),
			 json_integer_value(json_object_get(b, "shipment_id")));
	assert_int_equal(ca_api("GET", "/v1/offices/KG/shipments?state=in_transit", NULL, &out),
			 200);
	o = ca_parse(&out);
	s = json_array_get(json_object_get(o, "shipments"), 0);
	assert_non_null(s);
	assert_int_equal(json_array_size(json_object_get(s, "items")), 2);
	snprintf(path, sizeof(path), "/v1/shipments/%lld/receipt",
		 (long long)json_integer_value(json_object_get(s, "id")));
	assert_int_equal(ca_api("POST", path, "{}", &out), 200);
	json_decref(o);
	o = ca_parse(&out);
	assert_string_equal(ca_str(o, "state"), "received");
	json_decref(o);
	assert_int_equal(ca_api("POST", path, "{}", &out), 200); /* again: same answer */
	assert_int_equal(ca_api("GET", "/v1/registrations/T-SHIP-1", NULL, &out), 200);
	o = ca_parse(&out);
	assert_string_equal(ca_str(o, "state"), "delivered");
	json_decref(o);
	assert_int_equal(ca_api("GET", "/v1/offices/KG/shipments?state=in_transit", NULL, &out),
			 200);
	o = ca_parse(&out);
	assert_int_equal(json_array_size(json_object_get(o, "shipments")), 0);
	json_decref(o);
	assert_int_equal(ca_api("POST", "/v1/shipments/999999/receipt", "{}", &out), 404);
	json_decref(a);
	json_decref(b);
	buf_free(&out);
}

static int ocsp_status(const char *order, struct buf *out)
{
	buf_reset(out);
	return sh(out,
		  "openssl ocsp -issuer %s/issuing.pem -cert %s/%s.pem -CAfile %s/root.pem "
		  "-url http://127.0.0.1:%d/ocsp 2>&1",
		  ca_cadir, ca_dir, order, ca_cadir, ca_pub_port);
}

static void test_revocation_shows_in_crl_and_ocsp(void **state)
{
	json_t *o = issue("T-REVOKE-1", "BG", 201), *r;
	struct buf out = BUF_INIT;
	char serial[80], needle[128], url[128], path[256];
	FILE *f;

	snprintf(serial, sizeof(serial), "%s", ca_str(o, "serial"));
	assert_int_equal(ocsp_status("T-REVOKE-1", &out), 0);
	assert_non_null(strstr(out.data, "Response verify OK"));
	assert_non_null(strstr(out.data, ": good"));
	assert_int_equal(ca_api("POST", "/v1/registrations/T-REVOKE-1/revoke",
				"{\"reason\":\"bogus\"}", &out),
			 400);
	assert_int_equal(ca_api("POST", "/v1/registrations/T-REVOKE-1/revoke",
				"{\"reason\":\"keyCompromise\"}", &out),
			 200);
	r = ca_parse(&out);
	assert_string_equal(ca_str(r, "state"), "revoked");
	assert_string_equal(ca_str(json_object_get(r, "revocation"), "reason"), "keyCompromise");
	json_decref(r);
	/* Revoking again answers with the first revocation. */
	assert_int_equal(ca_api("POST", "/v1/registrations/T-REVOKE-1/revoke",
				"{\"reason\":\"superseded\"}", &out),
			 200);
	r = ca_parse(&out);
	assert_string_equal(ca_str(json_object_get(r, "revocation"), "reason"), "keyCompromise");
	json_decref(r);
	/* The CRL from the public listener, checked by openssl. */
	buf_reset(&out);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/crl", ca_pub_port);
	assert_int_equal(ca_request(CLIENT_NONE, "GET", url, NULL, 0, NULL, &out), 200);
	snprintf(path, sizeof(path), "%s/crl.der", ca_dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(out.data, 1, out.len, f), out.len);
	fclose(f);
	buf_reset(&out);
	assert_int_equal(sh(&out,
			    "openssl crl -inform DER -in %s/crl.der -noout -text "
			    "-CAfile %s/chain.pem 2>&1",
			    ca_dir, ca_cadir),
			 0);
	snprintf(needle, sizeof(needle), "Serial Number: %s", serial);
	assert_non_null(strstr(out.data, needle));
	assert_non_null(strstr(out.data, "Key Compromise"));
	assert_non_null(strstr(out.data, "verify OK"));
	assert_int_not_equal(
		sh(NULL,
		   "openssl crl -inform DER -in %s/crl.der -out %s/crl.pem && "
		   "cat %s/chain.pem %s/crl.pem > %s/crlchain.pem && "
		   "openssl verify -crl_check -CAfile %s/crlchain.pem %s/T-REVOKE-1.pem "
		   ">/dev/null 2>&1",
		   ca_dir, ca_dir, ca_cadir, ca_dir, ca_dir, ca_dir, ca_dir),
		0);
	assert_int_equal(sh(NULL,
			    "openssl verify -crl_check -CAfile %s/crlchain.pem %s/T-VERIFY-1.pem "
			    ">/dev/null 2>&1",
			    ca_dir, ca_dir),
			 0);
	assert_int_equal(ocsp_status("T-REVOKE-1", &out), 0);
	assert_non_null(strstr(out.data, "Response verify OK"));
	assert_non_null(strstr(out.data, ": revoked"));
	assert_non_null(strstr(out.data, "Reason: keyCompromise"));
	assert_int_equal(ocsp_status("T-VERIFY-1", &out), 0);
	assert_non_null(strstr(out.data, ": good"));
	json_decref(o);
	buf_free(&out);
}

static void test_holder_key_stays_on_its_card(void **state)
{
	json_t *o = issue("T-CARD-1", "BG", 201);
	struct buf out = BUF_INIT;

	/* The card token holds the key as sensitive and never extractable. */
	assert_int_equal(sh(&out,
			    "SOFTHSM2_CONF=%s/softhsm2.conf pkcs11-tool --module "
			    "/usr/lib/softhsm/libsofthsm2.so --token-label %s --list-objects "
			    "2>&1",
			    ca_cadir, ca_str(o, "card")),
			 0);
	/* Without the PIN (never stored) the private key is not even
	 * listed; issuance itself checks it is sensitive and
	 * non-extractable (p11_key_is_protected) before answering. */
	assert_null(strstr(out.data, "Private Key Object"));
	assert_non_null(strstr(out.data, "Public Key Object"));
	assert_non_null(strstr(out.data, "Certificate Object"));
	assert_non_null(strstr(out.data, "label:      signature"));
	json_decref(o);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_creates_the_hierarchy),
		cmocka_unit_test(test_issued_certificate_verifies_against_the_chain),
		cmocka_unit_test(test_certificate_shows_the_qualified_profile),
		cmocka_unit_test(test_legal_profile_adds_organization),
		cmocka_unit_test(test_server_refuses_a_client_without_the_ra_certificate),
		cmocka_unit_test(test_submit_is_idempotent_by_order_id),
		cmocka_unit_test(test_submit_rejects_bad_registrations),
		cmocka_unit_test(test_shipment_groups_cards_and_receipt_delivers_them),
		cmocka_unit_test(test_revocation_shows_in_crl_and_ocsp),
		cmocka_unit_test(test_holder_key_stays_on_its_card),
	};

	return cmocka_run_group_tests(tests, ca_setup, ca_teardown);
}
