/*
 * Internals of the running CA shared by ca_service.c and ca_crl.c.
 */
#ifndef QCRA_CA_INT_H
#define QCRA_CA_INT_H

#include <pthread.h>
#include <time.h>

#include "ca/ca.h"
#include "ca/ca_db.h"
#include "ca/ca_p11.h"

struct ca {
	struct ca_conf conf;
	pthread_mutex_t lock;
	struct p11 *p11;
	struct p11_session *session; /* the CA's token, logged in */
	EVP_PKEY *issuing_key;       /* signs through the token */
	X509 *root, *issuing;
	struct ca_db *db;
	unsigned char *crl; /* current CRL, DER */
	size_t crl_len;
	time_t crl_time;
};

/* Reissues the CRL; the caller holds ca->lock.  0 or -1. */
int ca_crl_refresh_locked(struct ca *ca);

/* Sets SOFTHSM2_CONF to DIR/softhsm2.conf when that file exists, so the
 * CA uses its own token directory. */
void ca_softhsm_env(const struct ca_conf *c);

#endif
