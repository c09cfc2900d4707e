/*
 * Helpers shared by the CA service tests (test_ca_*.c).
 */
#ifndef QCRA_CA_TESTLIB_H
#define QCRA_CA_TESTLIB_H

#include <stddef.h>
#include <sys/types.h>

#include <jansson.h>

#include "util/buf.h"

/* A free loopback TCP port, or -1. */
int free_port(void);
/* 1 when something listens on the loopback port. */
int port_open(int port);
/* Runs a shell command; its stdout replaces out (may be NULL).  Exit
 * status. */
int sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The n digits that follow label in text (skipping anything between)
 * into out (n + 1 bytes); fails the test when there are not n. */
void digits_after(const char *text, const char *label, size_t n, char *out);
/* libcurl write callback appending to the struct buf in arg. */
size_t on_data(char *p, size_t size, size_t n, void *arg);

/*
 * A CA for the tests: ca_setup (a cmocka group setup) runs `qcra ca
 * init` ($QCRA_BIN) in a new folder ca_dir (the CA in ca_cadir) and
 * starts `qcra ca serve` on free loopback ports, the RA API over TLS on
 * ca_tls_port and the public one (CRL, OCSP) on ca_pub_port; ca_teardown
 * stops it and removes the folder (kept with QCRA_KEEP set).
 */
extern char ca_dir[64], ca_cadir[128];
extern int ca_tls_port, ca_pub_port;
extern pid_t ca_pid;
int ca_setup(void **state);
int ca_teardown(void **state);

/* Who calls: the RA with its certificate, no certificate, or another
 * certificate of the same CA. */
enum ca_client { CLIENT_RA, CLIENT_NONE, CLIENT_OTHER };
/* One request to the CA: the HTTP status (0 when the TLS connection
 * failed), the body into out. */
long ca_request(enum ca_client who, const char *method, const char *url, const void *body,
		size_t bodylen, const char *type, struct buf *out);
/* A JSON request to the RA API as the RA. */
long ca_api(const char *method, const char *path, const char *json, struct buf *out);
/* The JSON in b (must parse); a string member of o (must exist). */
json_t *ca_parse(const struct buf *b);
const char *ca_str(json_t *o, const char *key);

#endif
