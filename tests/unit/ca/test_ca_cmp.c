/*
 * Enrollment by CMP end to end: `qcra ca init` and `qcra ca serve` in a
 * temporary directory, the RA asks for a reference and one-time secret
 * over TLS with its client certificate (libcurl), and the stock
 * `openssl cmp` client plays the personalisation station.
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
#include <sys/wait.h>

#include <cmocka.h>

#include "ca_testlib.h"
#include <curl/curl.h>
#include <jansson.h>

#include "util/buf.h"

#define NATURAL_FMT                                                                                \
	"{\"order_id\":\"%s\",\"profile\":\"natural\",\"validity_years\":3,"                       \
	"\"office\":\"BG\",\"subject\":{\"given_name\":\"Žarko\",\"surname\":\"Đurašković\","  \
	"\"jmbg\":\"0101990710008\"}}"

/* Submits a registration (unless it exists) and asks for a CMP
 * secret: the reference and the secret into ref and sec (65 each). */
static void cmp_secret(const char *order, char *ref, char *sec)
{
	struct buf b = BUF_INIT;
	char body[512], path[160];
	long st;
	json_t *o;

	snprintf(body, sizeof(body), NATURAL_FMT, order);
	st = ca_api("POST", "/v1/registrations", body, &b);
	assert_true(st == 200 || st == 201);
	snprintf(path, sizeof(path), "/v1/registrations/%s/cmp-secret", order);
	assert_int_equal(ca_api("POST", path, "", &b), 201);
	o = ca_parse(&b);
	assert_string_equal(ca_str(o, "order_id"), order);
	snprintf(ref, 65, "%s", ca_str(o, "reference"));
	snprintf(sec, 65, "%s", ca_str(o, "secret"));
	assert_true(strlen(ref) >= 16 && strlen(sec) >= 16);
	json_decref(o);
	buf_free(&b);
}

/* A new P-384 key DIR/name.key. */
static void new_key(const char *name)
{
	assert_int_equal(sh(NULL,
			    "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 "
			    "-out %s/%s.key 2>&1",
			    ca_dir, name),
			 0);
}

/* The stock client as the personalisation station: an ir for
 * DIR/key.key with the reference and secret, the certificate into
 * DIR/out.pem.  Exit status of openssl cmp; its output into log. */
static int station(const char *ref, const char *secret, const char *key, const char *out,
		   struct buf *log)
{
	buf_reset(log);
	return sh(log,
		  "openssl cmp -cmd ir -server 127.0.0.1:%d -path cmp -ref %s -secret pass:%s "
		  "-newkey %s/%s.key -subject /CN=ignored -certout %s/%s.pem "
		  "-unprotected_errors -msg_timeout 30 -total_timeout 60 2>&1",
		  ca_pub_port, ref, secret, ca_dir, key, ca_dir, out);
}

static void test_cmp_issues_the_registrations_subject_for_the_stations_key(void **state)
{
	struct buf log = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	char ref[65], sec[65];
	int rc;

	cmp_secret("CMP-1", ref, sec);
	new_key("k1");
	rc = station(ref, sec, "k1", "c1", &log);
	if (rc != 0)
		fprintf(stderr, "%s\n", buf_cstr(&log));
	assert_int_equal(rc, 0);
	/* The subject is the registration's, not the request's. */
	assert_int_equal(sh(&a,
			    "openssl x509 -in %s/c1.pem -noout -subject -nameopt RFC2253,-esc_msb",
			    ca_dir),
			 0);
	assert_non_null(strstr(a.data, "serialNumber=PNORS-0101990710008"));
	assert_non_null(strstr(a.data, "CN=Žarko Đurašković"));
	assert_null(strstr(a.data, "ignored"));
	/* The key is the station's. */
	assert_int_equal(sh(&a, "openssl x509 -in %s/c1.pem -noout -pubkey", ca_dir), 0);
	assert_int_equal(sh(&b, "openssl pkey -in %s/k1.key -pubout", ca_dir), 0);
	assert_string_equal(a.data, b.data);
	/* The qualified profile, under the CA's chain. */
	assert_int_equal(sh(&a, "openssl x509 -in %s/c1.pem -noout -text", ca_dir), 0);
	assert_non_null(strstr(a.data, "Non Repudiation"));
	assert_int_equal(sh(NULL,
			    "openssl verify -CAfile %s/root.pem -untrusted %s/issuing.pem "
			    "%s/c1.pem >/dev/null 2>&1",
			    ca_cadir, ca_cadir, ca_dir),
			 0);
	buf_free(&log);
	buf_free(&a);
	buf_free(&b);
}

static void test_cmp_refuses_a_reused_secret(void **state)
{
	struct buf log = BUF_INIT;
	char ref[65], sec[65], path[256];

	cmp_secret("CMP-2", ref, sec);
	new_key("k2");
	assert_int_equal(station(ref, sec, "k2", "c2", &log), 0);
	new_key("k2b");
	assert_int_not_equal(station(ref, sec, "k2b", "c2b", &log), 0);
	snprintf(path, sizeof(path), "%s/c2b.pem", ca_dir);
	assert_int_not_equal(access(path, F_OK), 0);
	/* Even the same key again. */
	assert_int_not_equal(station(ref, sec, "k2", "c2c", &log), 0);
	buf_free(&log);
}

static void test_cmp_refuses_a_wrong_secret(void **state)
{
	struct buf log = BUF_INIT;
	char ref[65], sec[65], path[256];

	cmp_secret("CMP-3", ref, sec);
	new_key("k3");
	assert_int_not_equal(station(ref, "0123456789abcdef0123456789abcdef", "k3", "c3w", &log),
			     0);
	snprintf(path, sizeof(path), "%s/c3w.pem", ca_dir);
	assert_int_not_equal(access(path, F_OK), 0);
	/* A failed guess does not use up the secret. */
	assert_int_equal(station(ref, sec, "k3", "c3", &log), 0);
	buf_free(&log);
}

static void test_cmp_refuses_an_unknown_reference(void **state)
{
	struct buf log = BUF_INIT;
	char ref[65], sec[65];

	cmp_secret("CMP-4", ref, sec);
	new_key("k4");
	assert_int_not_equal(station("00000000000000000000000000000000", sec, "k4", "c4", &log), 0);
	buf_free(&log);
}

static void test_new_secret_replaces_an_unused_one(void **state)
{
	struct buf log = BUF_INIT;
	char ref1[65], sec1[65], ref2[65], sec2[65];

	cmp_secret("CMP-5", ref1, sec1);
	cmp_secret("CMP-5", ref2, sec2);
	assert_string_not_equal(ref1, ref2);
	new_key("k5");
	assert_int_not_equal(station(ref1, sec1, "k5", "c5a", &log), 0);
	assert_int_equal(station(ref2, sec2, "k5", "c5", &log), 0);
	buf_free(&log);
}

static void test_cmp_secret_needs_the_ra_and_a_registration(void **state)
{
	struct buf b = BUF_INIT;
	char url[256];
	long st;
	json_t *o;

	assert_int_equal(ca_api("POST", "/v1/registrations/NO-SUCH/cmp-secret", "", &b), 404);
	o = ca_parse(&b);
	assert_string_equal(ca_str(o, "error"), "not_found");
	json_decref(o);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/v1/registrations/CMP-1/cmp-secret",
		 ca_tls_port);
	st = ca_request(CLIENT_OTHER, "POST", url, "", 0, "application/json", &b);
	assert_true(st == 403 || st == 0);
	/* Not offered on the public listener. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/registrations/CMP-1/cmp-secret",
		 ca_pub_port);
	assert_int_equal(ca_request(CLIENT_NONE, "POST", url, "", 0, "application/json", &b), 404);
	buf_free(&b);
}

static void test_cmp_endpoint_rejects_what_is_not_cmp(void **state)
{
	struct buf b = BUF_INIT;
	char url[256];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/cmp", ca_pub_port);
	assert_int_equal(ca_request(CLIENT_NONE, "POST", url, "x", 1, "text/plain", &b), 415);
	assert_int_equal(ca_request(CLIENT_NONE, "POST", url, "\x30\x03\x02\x01\x00", 5,
				    "application/pkixcmp", &b),
			 400);
	assert_int_equal(ca_request(CLIENT_NONE, "GET", url, NULL, 0, NULL, &b), 405);
	buf_free(&b);
}

static void test_revoking_the_registration_revokes_the_cmp_certificate(void **state)
{
	struct buf b = BUF_INIT;
	char ref[65], sec[65], serial[128];

	cmp_secret("CMP-6", ref, sec);
	new_key("k6");
	assert_int_equal(station(ref, sec, "k6", "c6", &b), 0);
	assert_int_equal(sh(&b,
			    "openssl ocsp -issuer %s/issuing.pem -cert %s/c6.pem -CAfile "
			    "%s/root.pem -url http://127.0.0.1:%d/ocsp 2>&1",
			    ca_cadir, ca_dir, ca_cadir, ca_pub_port),
			 0);
	assert_non_null(strstr(b.data, ": good"));
	/* An unused secret of a revoked registration is refused too. */
	cmp_secret("CMP-6", ref, sec);
	assert_int_equal(ca_api("POST", "/v1/registrations/CMP-6/revoke",
				"{\"reason\":\"keyCompromise\"}", &b),
			 200);
	assert_int_equal(sh(&b,
			    "openssl ocsp -issuer %s/issuing.pem -cert %s/c6.pem -CAfile "
			    "%s/root.pem -url http://127.0.0.1:%d/ocsp 2>&1",
			    ca_cadir, ca_dir, ca_cadir, ca_pub_port),
			 0);
	assert_non_null(strstr(b.data, ": revoked"));
	assert_int_equal(sh(&b, "openssl x509 -in %s/c6.pem -noout -serial", ca_dir), 0);
	assert_true(strncmp(b.data, "serial=", 7) == 0);
	snprintf(serial, sizeof(serial), "Serial Number: %.*s", (int)strcspn(b.data + 7, "\n"),
		 b.data + 7);
	assert_int_equal(sh(&b,
			    "curl -s -o %s/crl.der http://127.0.0.1:%d/crl && "
			    "openssl crl -inform DER -in %s/crl.der -noout -text",
			    ca_dir, ca_pub_port, ca_dir),
			 0);
	assert_non_null(strstr(b.data, serial));
	new_key("k6b");
	assert_int_not_equal(station(ref, sec, "k6b", "c6b", &b), 0);
	assert_int_equal(ca_api("POST", "/v1/registrations/CMP-6/cmp-secret", "", &b), 409);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cmp_issues_the_registrations_subject_for_the_stations_key),
		cmocka_unit_test(test_cmp_refuses_a_reused_secret),
		cmocka_unit_test(test_cmp_refuses_a_wrong_secret),
		cmocka_unit_test(test_cmp_refuses_an_unknown_reference),
		cmocka_unit_test(test_new_secret_replaces_an_unused_one),
		cmocka_unit_test(test_cmp_secret_needs_the_ra_and_a_registration),
		cmocka_unit_test(test_cmp_endpoint_rejects_what_is_not_cmp),
		cmocka_unit_test(test_revoking_the_registration_revokes_the_cmp_certificate),
	};

	return cmocka_run_group_tests(tests, ca_setup, ca_teardown);
}
