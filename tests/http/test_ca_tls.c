/*
 * The CA service's HTTPS (`qcra ca serve`, the RA API) keeps to the
 * portal's TLS profile (test_tls.c): TLS 1.2 and 1.3 only, AEAD suites
 * with forward secrecy only, in the server's order, while the RA's
 * client certificate is still asked for and accepted; and a TLS record
 * left unfinished does not make the service spin.  One CA for all the
 * tests (ca_testlib's ca_setup: `qcra ca init`, then `qcra ca serve`
 * on free ports; its TLS certificate is ECDSA P-256).
 */
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "ca_testlib.h"
#include "tls_client.h"

static char ra_cert[PATH_MAX], ra_key[PATH_MAX];

/* Offers versions min..max and the given suites, as the RA. */
static int ra_open(struct tls_conn *t, int min, int max, const char *ciphers, const char *suites13)
{
	struct tls_offer o = {min, max, ciphers, suites13, 0, ra_cert, ra_key};

	return tls_open_offer(t, ca_tls_port, &o);
}

static void test_ca_tls_protocols_12_and_13_only(void **state)
{
	struct tls_conn t;

	assert_int_equal(ra_open(&t, TLS1_VERSION, TLS1_VERSION, "ALL", NULL), 0);
	assert_int_equal(ra_open(&t, TLS1_1_VERSION, TLS1_1_VERSION, "ALL", NULL), 0);
	assert_int_equal(ra_open(&t, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL), 1);
	assert_int_equal(SSL_version(t.ssl), TLS1_2_VERSION);
	tls_close(&t);
	assert_int_equal(ra_open(&t, TLS1_3_VERSION, TLS1_3_VERSION, NULL, NULL), 1);
	assert_int_equal(SSL_version(t.ssl), TLS1_3_VERSION);
	tls_close(&t);
}

/* Every TLS 1.2 suite this OpenSSL knows, offered alone: only ECDHE
 * with AES-GCM or ChaCha20-Poly1305 is taken (ECDSA ones, for the
 * service's ECDSA certificate); in TLS 1.3 GCM and ChaCha20, not CCM. */
static void test_ca_tls_aead_suites_with_forward_secrecy_only(void **state)
{
	struct tls_offer base = {0, 0, NULL, NULL, 0, ra_cert, ra_key};
	int tried, taken;

	assert_int_equal(tls_profile_mismatches(ca_tls_port, &base, &tried, &taken), 0);
	assert_true(tried > 20);
	assert_int_equal(taken, 3);
}

/* The service picks by its own order, whatever order the RA lists. */
static void test_ca_tls_server_chooses_the_suite(void **state)
{
	struct tls_conn t;
	char first[64];

	assert_int_equal(ra_open(&t, TLS1_2_VERSION, TLS1_2_VERSION,
				 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256",
				 NULL),
			 1);
	snprintf(first, sizeof(first), "%s", SSL_get_cipher_name(t.ssl));
	tls_close(&t);
	assert_int_equal(ra_open(&t, TLS1_2_VERSION, TLS1_2_VERSION,
				 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
				 NULL),
			 1);
	assert_string_equal(SSL_get_cipher_name(t.ssl), first);
	tls_close(&t);
}

/* Under the profile the RA's client certificate still opens the API,
 * in TLS 1.2 and 1.3 (404: an unknown registration, not 403), and a
 * client without it is still refused. */
static void test_ca_tls_ra_certificate_still_accepted(void **state)
{
	struct tls_offer anon = {TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0, NULL, NULL};
	struct tls_conn t;

	assert_int_equal(ra_open(&t, TLS1_2_VERSION, TLS1_2_VERSION, NULL, NULL), 1);
	assert_int_equal(tls_get(&t, "/v1/registrations/NO-SUCH-ORDER"), 404);
	assert_int_equal(tls_get(&t, "/v1/registrations/NO-SUCH-ORDER-2"), 404);
	tls_close(&t);
	assert_int_equal(ra_open(&t, TLS1_3_VERSION, TLS1_3_VERSION, NULL, NULL), 1);
	assert_int_equal(tls_get(&t, "/v1/registrations/NO-SUCH-ORDER"), 404);
	tls_close(&t);
	assert_int_equal(tls_open_offer(&t, ca_tls_port, &anon), 1);
	assert_int_equal(tls_get(&t, "/v1/registrations/NO-SUCH-ORDER"), 403);
	tls_close(&t);
}

/*
 * The first bytes of a TLS record, the rest never sent (a ClientHello
 * announcing 512 bytes, 1 sent), on 8 connections held for 2 s: the
 * service waits without spinning and goes on answering the RA.
 */
static void test_ca_tls_partial_record_costs_no_cpu(void **state)
{
	static const unsigned char part[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
	long hz = sysconf(_SC_CLK_TCK), before, after;
	struct tls_conn t;
	int fds[8];

	for (size_t i = 0; i < 8; i++) {
		assert_true((fds[i] = tls_tcp_connect(ca_tls_port)) >= 0);
		assert_int_equal(write(fds[i], part, sizeof(part)), (ssize_t)sizeof(part));
	}
	usleep(200000);
	before = tls_cpu_ticks(ca_pid);
	sleep(2);
	after = tls_cpu_ticks(ca_pid);
	assert_true(before >= 0 && after >= before);
	/* Idle is a tick or two; a spin is ~2 s of a core. */
	if (after - before >= hz / 4)
		fail_msg("%ld ticks of CPU in 2 s (%ld a second)", after - before, hz);
	assert_int_equal(ra_open(&t, TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL), 1);
	assert_int_equal(tls_get(&t, "/v1/registrations/NO-SUCH-ORDER"), 404);
	tls_close(&t);
	for (size_t i = 0; i < 8; i++)
		close(fds[i]);
}

static int setup(void **state)
{
	if (ca_setup(state) != 0)
		return -1;
	snprintf(ra_cert, sizeof(ra_cert), "%s/ra/ra.pem", ca_cadir);
	snprintf(ra_key, sizeof(ra_key), "%s/ra/ra.key", ca_cadir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_tls_protocols_12_and_13_only),
		cmocka_unit_test(test_ca_tls_aead_suites_with_forward_secrecy_only),
		cmocka_unit_test(test_ca_tls_server_chooses_the_suite),
		cmocka_unit_test(test_ca_tls_ra_certificate_still_accepted),
		cmocka_unit_test(test_ca_tls_partial_record_costs_no_cpu),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("ca_tls", tests, setup, ca_teardown);
}
