/*
 * The running CA: what `qcra ca serve` does for each request of the RA,
 * independent of HTTP.  Every operation takes the CA's lock, so the
 * token session and the database see one operation at a time.
 *
 * Operations return an enum ca_result and, in *out, a JSON object the
 * caller owns: the resource on success, {"error", "message"[, "field"]}
 * otherwise.
 */
#ifndef QCRA_CA_SERVICE_H
#define QCRA_CA_SERVICE_H

#include <stddef.h>

#include <jansson.h>

#include "ca/ca.h"

enum ca_result {
	CA_OK,        /* done, or already done with the same data */
	CA_CREATED,   /* a new registration, certificate issued */
	CA_INVALID,   /* the request is wrong: do not retry */
	CA_NOT_FOUND, /* no such registration or shipment */
	CA_CONFLICT,  /* the order id exists with different data */
	CA_FAILED,    /* the CA could not do it now (token, database): retry later */
	CA_RESULT__MAX
};

struct ca;

/* `qcra ca init`: creates DIR (refusing one that holds a CA), the CA's
 * token with the root and issuing keys, the certificates, the TLS server
 * certificate and the RA's client certificate and key, the database and
 * DIR/ca.conf (written last: its presence means the CA is complete).
 * 0 or -1 (err set). */
int ca_init_run(const struct ca_conf *c, char *err, size_t errlen);

/* Opens the CA described by c: logs in to its token with the PIN from
 * the environment (QCRA_CA_PIN) or the PIN file, finds the CA keys,
 * reads the certificates, opens the database.  NULL on error (err set). */
struct ca *ca_open(const struct ca_conf *c, char *err, size_t errlen);
void ca_close(struct ca *ca);

/* POST /v1/registrations: validate, and issue unless the order id is
 * known (same data: CA_OK with the stored registration; different:
 * CA_CONFLICT). */
enum ca_result ca_submit(struct ca *ca, const char *body, size_t len, json_t **out);
enum ca_result ca_registration_get(struct ca *ca, const char *order_id, json_t **out);
/* Revokes the certificate of the registration; body {"reason": name}.
 * Revoking again answers CA_OK with the first revocation. */
enum ca_result ca_revoke(struct ca *ca, const char *order_id, const char *body, size_t len,
			 json_t **out);
/* {"shipments": [...]} for office; state NULL, "in_transit", "received". */
enum ca_result ca_shipments(struct ca *ca, const char *office, const char *state, json_t **out);
enum ca_result ca_shipment_receive(struct ca *ca, long long id, json_t **out);

/* Reissues the CRL (after each revocation, at start and periodically).
 * 0 or -1. */
int ca_crl_refresh(struct ca *ca);
/* 1 when the CRL is older than refresh_secs. */
int ca_crl_stale(struct ca *ca, long refresh_secs);
/* A copy of the current CRL in DER.  Caller frees.  NULL on error. */
unsigned char *ca_crl_get(struct ca *ca, size_t *len);
/* Answers a DER OCSP request (RFC 6960) with a DER OCSP response; a
 * malformed request gets a malformedRequest response.  Caller frees.
 * NULL only when out of memory or signing failed. */
unsigned char *ca_ocsp_answer(struct ca *ca, const unsigned char *req, size_t len, size_t *outlen);
/* DER of the root or the issuing CA certificate.  Caller frees. */
unsigned char *ca_cert_der(struct ca *ca, int root, size_t *len);

/* RFC 5280 5.3.1 reason names, as the API accepts them.  -1 unknown. */
int ca_reason_parse(const char *name);
const char *ca_reason_name(int reason);

#endif
