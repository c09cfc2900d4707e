/*
 * Revocation status: the CRL (RFC 5280 5) and OCSP responses (RFC 6960),
 * both signed by the issuing CA's key on the token.
 */
#include "ca/ca_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/x509v3.h>

#include "ca/ca_int.h"
#include "util/log.h"

#define OCSP_MAX_IDS 20
#define OCSP_VALID_SECS (24 * 3600)

static ASN1_INTEGER *serial_from_hex(const char *hex)
{
	BIGNUM *bn = NULL;
	ASN1_INTEGER *i = NULL;

	if (BN_hex2bn(&bn, hex) > 0)
		i = BN_to_ASN1_INTEGER(bn, NULL);
	BN_free(bn);
	return i;
}

static int add_revoked(void *arg, const char *serial, time_t at, int reason)
{
	X509_CRL *crl = arg;
	X509_REVOKED *r = X509_REVOKED_new();
	ASN1_INTEGER *sn = serial_from_hex(serial);
	ASN1_TIME *t = ASN1_TIME_set(NULL, at);
	ASN1_ENUMERATED *e = NULL;
	int ok;

	ok = r != NULL && sn != NULL && t != NULL && X509_REVOKED_set_serialNumber(r, sn) &&
	     X509_REVOKED_set_revocationDate(r, t);
	/* RFC 5280 5.3.1: reason code unspecified SHOULD be absent. */
	if (ok && reason != 0) {
		e = ASN1_ENUMERATED_new();
		ok = e != NULL && ASN1_ENUMERATED_set(e, reason) &&
		     X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, e, 0, 0);
	}
	ok = ok && X509_CRL_add0_revoked(crl, r);
	if (!ok)
		X509_REVOKED_free(r);
	ASN1_INTEGER_free(sn);
	ASN1_TIME_free(t);
	ASN1_ENUMERATED_free(e);
	return ok ? 0 : -1;
}

int ca_crl_refresh_locked(struct ca *ca)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = NULL;
	ASN1_INTEGER *num = ASN1_INTEGER_new();
	X509_EXTENSION *aki = NULL;
	X509V3_CTX ctx;
	unsigned char *der = NULL;
	char path[PATH_MAX + 32];
	time_t now = time(NULL);
	long n;
	int len = -1;
	FILE *f;

	if (crl == NULL || num == NULL || !X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->issuing)) ||
	    (t = ASN1_TIME_set(NULL, now)) == NULL || !X509_CRL_set1_lastUpdate(crl, t) ||
	    ASN1_TIME_adj(t, now, ca->conf.crl_days, 0) == NULL ||
	    !X509_CRL_set1_nextUpdate(crl, t) || ca_db_revoked_each(ca->db, add_revoked, crl) != 0)
		goto out;
	X509V3_set_ctx(&ctx, ca->issuing, NULL, NULL, crl, 0);
	aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	n = ca_db_crl_number_next(ca->db);
	if (aki == NULL || !X509_CRL_add_ext(crl, aki, -1) || n < 0 || !ASN1_INTEGER_set(num, n) ||
	    !X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) || !X509_CRL_sort(crl) ||
	    X509_CRL_sign(crl, ca->issuing_key, ca_cert_md(ca->issuing_key)) <= 0 ||
	    (len = i2d_X509_CRL(crl, &der)) <= 0)
		goto out;
	free(ca->crl);
	ca->crl = malloc((size_t)len);
	if (ca->crl == NULL) {
		len = -1;
		goto out;
	}
	memcpy(ca->crl, der, (size_t)len);
	ca->crl_len = (size_t)len;
	ca->crl_time = now;
	/* The file is for whoever publishes the CRL elsewhere. */
	ca_path(&ca->conf, "crl.der", path, sizeof(path));
	f = fopen(path, "wb");
	if (f == NULL || fwrite(der, 1, (size_t)len, f) != (size_t)len)
		log_warn("%s", path);
	if (f != NULL)
		fclose(f);
out:
	if (len <= 0) {
		log_warnx("CRL: signing failed; retrying within a minute");
		ca->crl_time = 0; /* stale: the serve loop tries again */
	}
	OPENSSL_free(der);
	X509_EXTENSION_free(aki);
	ASN1_INTEGER_free(num);
	ASN1_TIME_free(t);
	X509_CRL_free(crl);
	ERR_clear_error();
	return len > 0 ? 0 : -1;
}

int ca_crl_refresh(struct ca *ca)
{
	int rc;

	pthread_mutex_lock(&ca->lock);
	rc = ca_crl_refresh_locked(ca);
	pthread_mutex_unlock(&ca->lock);
	return rc;
}

int ca_crl_stale(struct ca *ca, long refresh_secs)
{
	int stale;

	pthread_mutex_lock(&ca->lock);
	stale = ca->crl == NULL || time(NULL) - ca->crl_time >= refresh_secs;
	pthread_mutex_unlock(&ca->lock);
	return stale;
}

unsigned char *ca_crl_get(struct ca *ca, size_t *len)
{
	unsigned char *p = NULL;

	pthread_mutex_lock(&ca->lock);
	if (ca->crl == NULL)
		ca_crl_refresh_locked(ca);
	if (ca->crl != NULL && (p = malloc(ca->crl_len)) != NULL) {
		memcpy(p, ca->crl, ca->crl_len);
		*len = ca->crl_len;
	}
	pthread_mutex_unlock(&ca->lock);
	return p;
}

unsigned char *ca_cert_der(struct ca *ca, int root, size_t *len)
{
	unsigned char *der = NULL, *p = NULL;
	int n = i2d_X509(root ? ca->root : ca->issuing, &der);

	if (n > 0 && (p = malloc((size_t)n)) != NULL) {
		memcpy(p, der, (size_t)n);
		*len = (size_t)n;
	}
	OPENSSL_free(der);
	return p;
}

/* Status of one CertID: good or revoked when the issuing CA signed the
 * serial (matched by issuer name and key hash in the request's hash
 * algorithm), unknown otherwise (RFC 6960 2.2).  0 or -1. */
static int ocsp_one(struct ca *ca, OCSP_BASICRESP *bs, OCSP_CERTID *cid, ASN1_TIME *thisupd,
		    ASN1_TIME *nextupd)
{
	ASN1_OBJECT *mdobj = NULL;
	ASN1_INTEGER *sn = NULL;
	OCSP_CERTID *mine = NULL;
	const EVP_MD *md;
	ASN1_TIME *rev = NULL;
	BIGNUM *bn = NULL;
	char *hex = NULL;
	time_t at = 0;
	int status = V_OCSP_CERTSTATUS_UNKNOWN, reason = 0, st, ok;

	OCSP_id_get0_info(NULL, &mdobj, NULL, &sn, cid);
	md = mdobj != NULL ? EVP_get_digestbyobj(mdobj) : NULL;
	if (md != NULL)
		mine = OCSP_cert_to_id(md, NULL, ca->issuing);
	if (mine != NULL && OCSP_id_issuer_cmp(mine, cid) == 0 && sn != NULL &&
	    (bn = ASN1_INTEGER_to_BN(sn, NULL)) != NULL && (hex = BN_bn2hex(bn)) != NULL) {
		st = ca_db_cert_status(ca->db, hex, &at, &reason);
		if (st == CA_CERT_GOOD)
			status = V_OCSP_CERTSTATUS_GOOD;
		else if (st == CA_CERT_REVOKED) {
			status = V_OCSP_CERTSTATUS_REVOKED;
			rev = ASN1_TIME_set(NULL, at);
		}
	}
	ok = OCSP_basic_add1_status(bs, cid, status,
				    reason != 0 ? reason : OCSP_REVOKED_STATUS_NOSTATUS, rev,
				    thisupd, nextupd) != NULL;
	OCSP_CERTID_free(mine);
	ASN1_TIME_free(rev);
	BN_free(bn);
	OPENSSL_free(hex);
	return ok ? 0 : -1;
}

static unsigned char *ocsp_der(OCSP_RESPONSE *resp, size_t *outlen)
{
	unsigned char *der = NULL, *p = NULL;
	int n = resp != NULL ? i2d_OCSP_RESPONSE(resp, &der) : -1;

	if (n > 0 && (p = malloc((size_t)n)) != NULL) {
		memcpy(p, der, (size_t)n);
		*outlen = (size_t)n;
	}
	OPENSSL_free(der);
	return p;
}

unsigned char *ca_ocsp_answer(struct ca *ca, const unsigned char *req, size_t len, size_t *outlen)
{
	const unsigned char *pp = req;
	OCSP_REQUEST *rq = d2i_OCSP_REQUEST(NULL, &pp, (long)len);
	OCSP_BASICRESP *bs = NULL;
	OCSP_RESPONSE *resp = NULL;
	ASN1_TIME *thisupd = NULL, *nextupd = NULL;
	unsigned char *out = NULL;
	time_t now = time(NULL);
	int i, n = rq != NULL ? OCSP_request_onereq_count(rq) : 0;

	if (rq == NULL || n <= 0 || n > OCSP_MAX_IDS) {
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, NULL);
		goto out;
	}
	bs = OCSP_BASICRESP_new();
	thisupd = ASN1_TIME_set(NULL, now);
	nextupd = ASN1_TIME_set(NULL, now + OCSP_VALID_SECS);
	if (bs == NULL || thisupd == NULL || nextupd == NULL)
		goto out;
	pthread_mutex_lock(&ca->lock);
	for (i = 0; i < n; i++)
		if (ocsp_one(ca, bs, OCSP_onereq_get0_id(OCSP_request_onereq_get0(rq, i)), thisupd,
			     nextupd) != 0)
			break;
	/* The CA answers itself (RFC 6960 4.2.2.2, first case): its
	 * certificate goes with the response so clients find the key. */
	if (i == n && OCSP_copy_nonce(bs, rq) >= 0 &&
	    OCSP_basic_sign(bs, ca->issuing, ca->issuing_key, ca_cert_md(ca->issuing_key), NULL,
			    0) == 1)
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	pthread_mutex_unlock(&ca->lock);
	if (resp == NULL)
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_INTERNALERROR, NULL);
out:
	out = ocsp_der(resp, outlen);
	OCSP_RESPONSE_free(resp);
	OCSP_BASICRESP_free(bs);
	OCSP_REQUEST_free(rq);
	ASN1_TIME_free(thisupd);
	ASN1_TIME_free(nextupd);
	ERR_clear_error();
	return out;
}
