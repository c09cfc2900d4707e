/*
 * Storage of the documents members signed with a qualified certificate
 * (sign.c, issue 19): one row per order and document.  Conventions as in
 * store.h.
 */
#ifndef QCRA_STORE_SIGN_H
#define QCRA_STORE_SIGN_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

struct order_signature {
	long long order_id;
	char doc[16];     /* "request" or "contract" */
	char signer[256]; /* the certificate's subject */
	char serial[80];  /* its serial, hex */
	char status[16];  /* "ocsp:good", "crl:good" */
	time_t signed_at;
	time_t verified_at;
};

/* Records s (and the OCSP answer, ocsp_len bytes, may be NULL), replacing
 * the order's earlier one of the same document. */
int store_sign_put(struct store *st, const struct order_signature *s, const unsigned char *ocsp,
		   size_t ocsp_len);
/* Calls fn for each of order_id's signed documents, by document. */
int store_sign_each(struct store *st, long long order_id,
		    int (*fn)(void *arg, const struct order_signature *s), void *arg);

#endif
