/*
 * A TLS client for the tests of a server's TLS profile (test_tls.c for
 * the portal, test_ca_tls.c for the CA service): OpenSSL connects with
 * chosen versions and suites, no verification (what is checked is what
 * the server agrees to), optionally with a client certificate; plus the
 * CPU time a server process has used, to see it spin.
 */
#ifndef QCRA_TEST_TLS_CLIENT_H
#define QCRA_TEST_TLS_CLIENT_H

#include <sys/types.h>

#include <openssl/ssl.h>

struct tls_conn {
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;
};

/* What to offer: versions min..max, TLS 1.2 suites ciphers (OpenSSL
 * names, NULL: OpenSSL's defaults), TLS 1.3 suites suites13 (NULL:
 * defaults); scsv: send TLS_FALLBACK_SCSV; cert and key: PEM files of
 * a client certificate (NULL: none). */
struct tls_offer {
	int min, max;
	const char *ciphers, *suites13;
	int scsv;
	const char *cert, *key;
};

/* A TCP connection to 127.0.0.1:port (send timeout 10 s), or -1. */
int tls_tcp_connect(int port);

/* Connects to 127.0.0.1:port and hands shakes offering o.  1 when the
 * handshake completed (t is then open), 0 when the server refused it
 * (t closed), -1 when the client could not even try. */
int tls_open_offer(struct tls_conn *t, int port, const struct tls_offer *o);

/* Closes t (fine when closed already). */
void tls_close(struct tls_conn *t);

/* GET path with a Host header on an open connection (kept alive): the
 * status, or -1. */
int tls_get(struct tls_conn *t, const char *path);

/* Process pid's CPU time so far (user + system) in clock ticks, or -1. */
long tls_cpu_ticks(pid_t pid);

/*
 * Offers the server on port each TLS 1.2 suite this OpenSSL knows, one
 * at a time, then each TLS 1.3 suite (base: the rest of the offer, e.g.
 * a client certificate).  Returns how many were not as the portal's TLS
 * profile says (each named on stderr), or -1; *tried12 and *taken12: the
 * TLS 1.2 suites tried and taken.
 */
int tls_profile_mismatches(int port, const struct tls_offer *base, int *tried12, int *taken12);

#endif
