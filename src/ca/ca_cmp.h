/*
 * Enrollment by CMP (RFC 4210, Lightweight CMP Profile of RFC 9483) for
 * personalisation stations that generate the key on the card: the RA
 * asks for a reference and a one-time secret for a registration, the
 * station sends an ir/cr protected with a password-based MAC under that
 * secret, and the CA issues the qualified certificate with the
 * registration's subject (never the request's) for the request's key.
 */
#ifndef QCRA_CA_CMP_H
#define QCRA_CA_CMP_H

#include <stddef.h>

#include <jansson.h>

#include "ca/ca_service.h"

struct ca_cmp;

struct ca_cmp *ca_cmp_new(struct ca *ca);
void ca_cmp_free(struct ca_cmp *cmp);

/* Answers a DER PKIMessage with a DER PKIMessage (caller frees).  NULL
 * when the request is not a PKIMessage or out of memory. */
unsigned char *ca_cmp_answer(struct ca_cmp *cmp, const unsigned char *req, size_t len,
			     size_t *outlen);

/* POST /v1/registrations/{order_id}/cmp-secret: a new reference and
 * one-time secret for the registration, shown once.  Earlier unused
 * secrets of the registration stop working. */
enum ca_result ca_cmp_secret_new(struct ca *ca, const char *order_id, json_t **out);

#endif
