/*
 * The portal's own HTTPS (tls_cert/tls_key): the protocols and cipher
 * suites it takes, tried one by one with OpenSSL as the client (TLS 1.2
 * and 1.3 only; AEAD suites with forward secrecy only, the server's
 * order; a fallback refused; no client-initiated renegotiation), and
 * the certificate reloaded on SIGHUP while a kept-alive connection
 * opened before goes on.  Each test runs its own server
 * (server_start_tls: a self-signed ECDSA P-256 certificate).
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "harness.h"
#include "harness_extra.h"
#include "tls_client.h"

/* The state: the portal serving HTTPS (harness_tls_setup's struct
 * server, the first and only member). */
struct fx {
	struct server s;
};

/* Offers versions min..max, TLS 1.2 suites ciphers and TLS 1.3 suites
 * suites13 (NULL: OpenSSL's defaults), TLS_FALLBACK_SCSV if scsv, to
 * the portal: tls_open_offer's 1, 0 or -1. */
static int tls_open(struct tls_conn *t, const struct server *s, int min, int max,
		    const char *ciphers, const char *suites13, int scsv)
{
	struct tls_offer o = {min, max, ciphers, suites13, scsv, NULL, NULL};

	return tls_open_offer(t, s->port, &o);
}

/* The DER of the first certificate in a PEM file, or of the peer's;
 * malloc'd, *len set.  NULL on failure. */
static unsigned char *cert_der(X509 *x, int *len)
{
	unsigned char *der = NULL;

	*len = x != NULL ? i2d_X509(x, &der) : -1;
	X509_free(x);
	return *len > 0 ? der : NULL;
}

static unsigned char *file_cert_der(const char *path, int *len)
{
	FILE *fp = fopen(path, "r");
	X509 *x = fp != NULL ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL;

	if (fp != NULL)
		fclose(fp);
	return cert_der(x, len);
}

/* 1 when the connection's peer certificate is the one in path. */
static int peer_is(struct tls_conn *t, const char *path)
{
	int a, b, same;
	unsigned char *want = file_cert_der(path, &a);
	unsigned char *got = cert_der(SSL_get1_peer_certificate(t->ssl), &b);

	same = want != NULL && got != NULL && a == b && memcmp(want, got, (size_t)a) == 0;
	OPENSSL_free(want);
	OPENSSL_free(got);
	return same;
}

/* ---- The profile ---------------------------------------------------------- */

/* TLS 1.0 and 1.1 are refused whatever suite the client offers; TLS
 * 1.2 and 1.3 are served. */
static void test_tls_protocols_12_and_13_only(void **state)
{
	struct fx *f = *state;
	struct tls_conn t;

	assert_int_equal(tls_open(&t, &f->s, TLS1_VERSION, TLS1_VERSION, "ALL", NULL, 0), 0);
	assert_int_equal(tls_open(&t, &f->s, TLS1_1_VERSION, TLS1_1_VERSION, "ALL", NULL, 0), 0);
	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL, 0), 1);
	assert_int_equal(SSL_version(t.ssl), TLS1_2_VERSION);
	tls_close(&t);
	assert_int_equal(tls_open(&t, &f->s, TLS1_3_VERSION, TLS1_3_VERSION, NULL, NULL, 0), 1);
	assert_int_equal(SSL_version(t.ssl), TLS1_3_VERSION);
	tls_close(&t);
}

/*
 * Every TLS 1.2 suite this OpenSSL knows, offered alone: only the
 * "intermediate" profile's ECDHE with AES-GCM or ChaCha20-Poly1305 is
 * taken (ECDSA ones, for the test's ECDSA certificate); no CBC, no CCM,
 * no static RSA or DHE, no NULL or anonymous suite.  In TLS 1.3 the
 * GCM and ChaCha20 suites, not CCM.
 */
static void test_tls_aead_suites_with_forward_secrecy_only(void **state)
{
	struct fx *f = *state;
	struct tls_offer base = {0, 0, NULL, NULL, 0, NULL, NULL};
	int tried, taken;

	assert_int_equal(tls_profile_mismatches(f->s.port, &base, &tried, &taken), 0);
	assert_true(tried > 20);
	assert_int_equal(taken, 3);
}

/* The server picks by its own order (testssl "has server cipher
 * order"): the same suite whichever order the client lists them in. */
static void test_tls_server_chooses_the_suite(void **state)
{
	struct fx *f = *state;
	struct tls_conn t;
	char first[64];

	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_2_VERSION,
				  "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
				  NULL, 0),
			 1);
	snprintf(first, sizeof(first), "%s", SSL_get_cipher_name(t.ssl));
	tls_close(&t);
	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_2_VERSION,
				  "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
				  NULL, 0),
			 1);
	assert_string_equal(SSL_get_cipher_name(t.ssl), first);
	tls_close(&t);
}

/* RFC 7507: a client that fell back to TLS 1.2 while the server speaks
 * 1.3 is refused (inappropriate_fallback), so no one in the middle can
 * push a connection down a version. */
static void test_tls_fallback_scsv_refused(void **state)
{
	struct fx *f = *state;
	struct tls_conn t;

	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL, 1), 0);
	/* Without the signal the same client is served. */
	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL, 0), 1);
	tls_close(&t);
}

/* A client asking for a new handshake on a TLS 1.2 connection does not
 * get one (each would cost the server a signature): the connection
 * ends instead. */
static void test_tls_no_client_renegotiation(void **state)
{
	struct fx *f = *state;
	struct tls_conn t;
	char c;

	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL, 0), 1);
	assert_int_equal(tls_get(&t, "/healthz"), 200);
	assert_int_equal(SSL_renegotiate(t.ssl), 1);
	assert_int_not_equal(SSL_do_handshake(t.ssl), 1);
	assert_true(SSL_read(t.ssl, &c, 1) <= 0);
	assert_int_equal(SSL_renegotiate_pending(t.ssl), 1);
	ERR_clear_error();
	tls_close(&t);
}

/* ---- Slow handshakes ------------------------------------------------------- */

/*
 * A TLS record's first bytes, the rest never sent (the start of a
 * ClientHello: handshake, TLS 1.0, 512 bytes announced, 1 sent), on 8
 * connections held for 2 s: the portal waits for the rest without
 * spinning (it used to burn a core per connection's thread), answers
 * others meanwhile, and closes the held ones at the head deadline.
 */
static void test_tls_partial_record_costs_no_cpu(void **state)
{
	struct fx *f = *state;
	static const unsigned char part[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
	long hz = sysconf(_SC_CLK_TCK), before, after;
	struct tls_conn t;
	int fds[8];

	for (size_t i = 0; i < 8; i++) {
		assert_true((fds[i] = raw_connect(&f->s)) >= 0);
		assert_int_equal(write(fds[i], part, sizeof(part)), (ssize_t)sizeof(part));
	}
	usleep(200000);
	before = tls_cpu_ticks(f->s.pid);
	sleep(2);
	after = tls_cpu_ticks(f->s.pid);
	assert_true(before >= 0 && after >= before);
	/* Idle is a tick or two; a spin is ~2 s of a core. */
	assert_true(after - before < hz / 4);
	assert_int_equal(tls_open(&t, &f->s, TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0), 1);
	assert_int_equal(tls_get(&t, "/healthz"), 200);
	tls_close(&t);
	for (size_t i = 0; i < 8; i++)
		close(fds[i]);
}

/* ---- Reloading the certificate -------------------------------------------- */

/* A new self-signed certificate and key written beside the old ones,
 * then renamed over them (as a renewal would): 0 or -1. */
static int replace_cert(const struct server *s, const char *cn, int key_of_other)
{
	char cmd[3 * PATH_MAX + 256], a[PATH_MAX + 32], b[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 "
		 "-subj /CN=%s -addext subjectAltName=IP:127.0.0.1 -keyout '%s/new.key' "
		 "-out '%s/new.pem' >/dev/null 2>&1",
		 cn, s->var, s->var);
	if (system(cmd) != 0)
		return -1;
	if (key_of_other) { /* a key that is not the certificate's */
		snprintf(cmd, sizeof(cmd),
			 "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 "
			 "-out '%s/new.key' >/dev/null 2>&1",
			 s->var);
		if (system(cmd) != 0)
			return -1;
	}
	snprintf(a, sizeof(a), "%s/new.pem", s->var);
	snprintf(b, sizeof(b), "%s/tls.pem", s->var);
	if (rename(a, b) != 0)
		return -1;
	snprintf(a, sizeof(a), "%s/new.key", s->var);
	snprintf(b, sizeof(b), "%s/tls.key", s->var);
	return rename(a, b);
}

/* Waits up to 5 s for the server log to hold text n times; 1 or 0. */
static int log_wait(const struct server *s, const char *text, int n)
{
	for (int i = 0; i < 100; i++) {
		char *log = server_log(s);
		const char *p = log;
		int seen = 0;

		while ((p = strstr(p, text)) != NULL) {
			seen++;
			p++;
		}
		free(log);
		if (seen >= n)
			return 1;
		usleep(50000);
	}
	return 0;
}

/*
 * SIGHUP reloads tls_cert and tls_key: a new connection gets the new
 * certificate while one kept alive from before goes on answering; a
 * pair that does not belong together is refused, said in the log, and
 * the certificate in use stays.
 */
static void test_sighup_reloads_certificate_keeping_connections(void **state)
{
	struct fx *f = *state;
	struct tls_conn old, fresh;
	char pem[PATH_MAX + 16], kept[PATH_MAX + 16], cmd[2 * PATH_MAX + 64];

	snprintf(pem, sizeof(pem), "%s/tls.pem", f->s.var);
	snprintf(kept, sizeof(kept), "%s/kept.pem", f->s.var);
	assert_int_equal(tls_open(&old, &f->s, TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0), 1);
	assert_int_equal(tls_get(&old, "/healthz"), 200);
	assert_true(peer_is(&old, pem));

	assert_int_equal(replace_cert(&f->s, "renewed.test", 0), 0);
	assert_int_equal(kill(f->s.pid, SIGHUP), 0);
	assert_true(log_wait(&f->s, "tls: certificate reloaded", 1));
	assert_int_equal(tls_open(&fresh, &f->s, TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0), 1);
	assert_true(peer_is(&fresh, pem));
	assert_false(peer_is(&old, pem));
	assert_int_equal(tls_get(&fresh, "/healthz"), 200);
	tls_close(&fresh);
	/* The connection from before the reload still answers. */
	assert_int_equal(tls_get(&old, "/healthz"), 200);
	assert_int_equal(tls_get(&old, "/login"), 200);

	/* A key that is not the certificate's: refused, the renewed pair stays. */
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", pem, kept);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(replace_cert(&f->s, "mismatch.test", 1), 0);
	assert_int_equal(kill(f->s.pid, SIGHUP), 0);
	assert_true(log_wait(&f->s, "tls: certificate not reloaded", 1));
	assert_int_equal(tls_open(&fresh, &f->s, TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0), 1);
	assert_true(peer_is(&fresh, kept));
	tls_close(&fresh);
	assert_int_equal(tls_get(&old, "/healthz"), 200);
	tls_close(&old);
	assert_int_equal(server_stop(&f->s), 0);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, harness_tls_setup, harness_tls_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_tls_protocols_12_and_13_only),
		TEST(test_tls_aead_suites_with_forward_secrecy_only),
		TEST(test_tls_server_chooses_the_suite),
		TEST(test_tls_fallback_scsv_refused),
		TEST(test_tls_no_client_renegotiation),
		TEST(test_tls_partial_record_costs_no_cpu),
		TEST(test_sighup_reloads_certificate_keeping_connections),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("http_tls", tests, NULL, NULL);
}
