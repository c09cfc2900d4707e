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

/* Where a signature stands (migration 020). */
enum sign_review {
	SIGN_REVIEW_OK,      /* the holder's: verified, or confirmed by the office */
	SIGN_REVIEW_HELD,    /* verified, the signer awaiting the office's confirmation */
	SIGN_REVIEW_REFUSED, /* the office did not confirm the signer */
};

struct order_signature {
	long long order_id;
	char doc[16];     /* "request" or "contract" */
	char signer[256]; /* the certificate's subject */
	char serial[80];  /* its serial, hex */
	char status[16];  /* "ocsp:good", "crl:good" */
	time_t signed_at;
	time_t verified_at;
	int review;            /* enum sign_review */
	char signer_name[128]; /* the subject's commonName */
	char signer_sn[80];    /* the subject's serialNumber as written */
	char issuer[256];      /* the certificate's issuer */
	char decided_by[64];   /* the operator who confirmed or refused */
	time_t decided_at;
};

/* Records s (and the OCSP answer, ocsp_len bytes, may be NULL), replacing
 * the order's earlier one of the same document. */
int store_sign_put(struct store *st, const struct order_signature *s, const unsigned char *ocsp,
		   size_t ocsp_len);
/* Calls fn for each of order_id's signed documents, by document. */
int store_sign_each(struct store *st, long long order_id,
		    int (*fn)(void *arg, const struct order_signature *s), void *arg);
/* order_id's signature of doc into out: STORE_OK or STORE_NOTFOUND. */
int store_sign_get(struct store *st, long long order_id, const char *doc,
		   struct order_signature *out);
/* The office's decision on a held signature: review (SIGN_REVIEW_OK or
 * _REFUSED) by whom, when.  STORE_NOTFOUND when it is not held (any
 * more). */
int store_sign_decide(struct store *st, long long order_id, const char *doc, int review,
		      const char *by, time_t at);
/* For a list's page of orders, in one statement: held[i] = 1 when order
 * ids[i] has a signature awaiting the office (SIGN_REVIEW_HELD), else 0.
 * At most SIGN_HELD_MAX ids. */
#define SIGN_HELD_MAX 24
int store_sign_held(struct store *st, const long long *ids, size_t n, int *held);

#endif
