/*
 * CMP server of the CA on OpenSSL's OSSL_CMP_SRV_CTX (see ca_cmp.h).
 *
 * Authentication: the request's senderKID is the reference the RA got
 * from POST /v1/registrations/{id}/cmp-secret; the secret found for it
 * is set as the secretValue of the server's inner OSSL_CMP_CTX before
 * the request is processed, so OpenSSL verifies the PBM protection of
 * the request and protects the response with the same secret (the
 * station needs no CA certificate to trust the answer).  An unknown,
 * erased or already used reference gets a random secret instead: the
 * request then fails verification like one with a wrong secret.
 *
 * One-time: issuing marks the secret used by the transaction; only the
 * certConf (or error) of that same transaction is still accepted with
 * it, and the certConf erases the secret from the database.
 *
 * Storage: PBM (RFC 4210 5.1.3.1) is a MAC keyed by the secret, so
 * verifying it needs the secret itself; a hash would not do.  The CA
 * keeps the secret in its database (which holds no other secret and is
 * readable by the CA only) just as long as it can be used: it is erased
 * at the certConf, when the RA asks for a new secret for the same
 * order, and is refused after SECRET_DAYS.  It is never logged.
 *
 * Certificates issued over CMP are recorded like the card's (OCSP, CRL)
 * and are revoked with the registration.
 *
 * The server context is kept across HTTP requests because OpenSSL
 * keeps the transaction (transactionID, nonces) in it between the ir
 * and the certConf; requests are serialised by the CA's lock.
 */
#include "ca/ca_cmp.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/cmp.h>
#include <openssl/crmf.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "ca/ca_int.h"
#include "util/log.h"

#define REF_MAX 64
/* An unused secret stops working after this many days. */
#define SECRET_DAYS 30

/* PKIBody choices (RFC 4210 5.1.2); OpenSSL 3.0 keeps its names for
 * them internal. */
#define BODY_IR 0
#define BODY_CR 2
#define BODY_ERROR 23
#define BODY_CERTCONF 24

struct ca_cmp {
	struct ca *ca;
	OSSL_CMP_SRV_CTX *srv;
	/* the request being processed */
	int authorized;
	char ref[REF_MAX + 1];
	char order_id[65];
	char txid[80];
};

static void hex(const unsigned char *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Steps into the next TLV in [*p, end).  Returns the flags of
 * ASN1_get_object, or 0x80 on error. */
static int tlv(const unsigned char **p, const unsigned char *end, long *len, int *tag, int *cls)
{
	if (*p >= end)
		return 0x80;
	return ASN1_get_object(p, len, tag, cls, end - *p);
}

/* The senderKID of a DER PKIMessage as text (the reference), "" when
 * absent or not [A-Za-z0-9._-].  OpenSSL 3.0 has no getter for it, so
 * the header is read from the DER: PKIMessage ::= SEQUENCE { header
 * SEQUENCE { pvno, sender, recipient, [0] messageTime, [1] protectionAlg,
 * [2] EXPLICIT senderKID OCTET STRING, ... }, ... }. */
static void sender_kid(const unsigned char *der, size_t derlen, char *out, size_t outlen)
{
	const unsigned char *p = der, *end = der + derlen, *hend;
	long len;
	int tag, cls, f;

	out[0] = '\0';
	f = tlv(&p, end, &len, &tag, &cls);
	if ((f & 0x80) || tag != V_ASN1_SEQUENCE)
		return;
	end = p + len;
	f = tlv(&p, end, &len, &tag, &cls);
	if ((f & 0x80) || tag != V_ASN1_SEQUENCE)
		return;
	hend = p + len;
	while (p < hend) {
		f = tlv(&p, hend, &len, &tag, &cls);
		if (f & 0x80)
			return;
		if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 2) {
			const unsigned char *q = p;

			long i;

			f = tlv(&q, p + len, &len, &tag, &cls);
			if ((f & 0x80) || tag != V_ASN1_OCTET_STRING || len <= 0 ||
			    (size_t)len >= outlen)
				return;
			for (i = 0; i < len; i++)
				if (!isalnum(q[i]) && q[i] != '.' && q[i] != '_' && q[i] != '-')
					return;
			memcpy(out, q, (size_t)len);
			out[len] = '\0';
			return;
		}
		p += len;
	}
}

/* The public key of the certificate template.  OpenSSL 3.0 has no
 * OSSL_CRMF_CERTTEMPLATE_get0_publicKey (added in 3.2) and the template
 * is opaque, so the template is encoded with its public i2d and the
 * [6] IMPLICIT SubjectPublicKeyInfo field is decoded with d2i_PUBKEY
 * after turning its tag back into a SEQUENCE.  The proof of possession
 * for this key has been verified by OSSL_CMP_SRV_process_request before
 * the callback runs. */
static EVP_PKEY *template_pubkey(const OSSL_CRMF_MSG *crm)
{
	OSSL_CRMF_CERTTEMPLATE *t = OSSL_CRMF_MSG_get0_tmpl(crm);
	unsigned char *der = NULL;
	const unsigned char *p, *end;
	EVP_PKEY *pkey = NULL;
	long len;
	int derlen, tag, cls, f;

	derlen = t != NULL ? i2d_OSSL_CRMF_CERTTEMPLATE(t, &der) : -1;
	if (derlen <= 0)
		return NULL;
	p = der;
	end = der + derlen;
	f = tlv(&p, end, &len, &tag, &cls);
	if ((f & 0x80) || tag != V_ASN1_SEQUENCE)
		goto out;
	end = p + len;
	while (p < end) {
		const unsigned char *start = p;

		f = tlv(&p, end, &len, &tag, &cls);
		if (f & 0x80)
			break;
		if (cls == V_ASN1_CONTEXT_SPECIFIC && tag == 6 && (f & V_ASN1_CONSTRUCTED) &&
		    *start == 0xa6) {
			size_t n = (size_t)(p + len - start);
			unsigned char *copy = OPENSSL_memdup(start, n);
			const unsigned char *q = copy;

			if (copy != NULL) {
				copy[0] = 0x30;
				pkey = d2i_PUBKEY(NULL, &q, (long)n);
				OPENSSL_free(copy);
			}
			break;
		}
		p += len;
	}
out:
	OPENSSL_free(der);
	return pkey;
}

/* OpenSSL's CMP diagnostics go to the CA's log; its info and debug
 * lines (one per message) are dropped. */
static int cmp_log(const char *func, const char *file, int line, OSSL_CMP_severity level,
		   const char *msg)
{
	if (level <= OSSL_CMP_LOG_WARNING)
		log_warnx("CMP: %.*s", (int)strcspn(msg, "\n"), msg);
	return 1;
}

static OSSL_CMP_PKISI *reject(int failure, const char *text)
{
	return OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_rejection, 1 << failure, text);
}

static time_t asn1_time(const ASN1_TIME *t)
{
	struct tm tm;

	return ASN1_TIME_to_tm(t, &tm) == 1 ? timegm(&tm) : 0;
}

/* Issues the certificate and consumes the secret in one transaction. */
static OSSL_CMP_PKISI *cert_request(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req, int certReqId,
				    const OSSL_CRMF_MSG *crm, const X509_REQ *p10cr, X509 **certOut,
				    STACK_OF(X509) * *chainOut, STACK_OF(X509) * *caPubs)
{
	struct ca_cmp *cmp = OSSL_CMP_SRV_CTX_get0_custom_ctx(srv);
	struct ca *ca = cmp->ca;
	int type = OSSL_CMP_MSG_get_bodytype(req);
	struct ca_registration r;
	struct ca_db_reg reg;
	OSSL_CMP_PKISI *si = NULL;
	EVP_PKEY *pub = NULL;
	X509 *x = NULL;
	unsigned char *der = NULL;
	char *serial = NULL, *canon = NULL, subject[512];
	int derlen, found;

	memset(&reg, 0, sizeof(reg));
	if (!cmp->authorized)
		return reject(OSSL_CMP_PKIFAILUREINFO_badMessageCheck, "unknown or used reference");
	if (crm == NULL || (type != BODY_IR && type != BODY_CR))
		return reject(OSSL_CMP_PKIFAILUREINFO_badRequest, "only ir and cr are supported");
	found = ca_db_reg_get(ca->db, cmp->order_id, &reg);
	if (found != 1 || ca_reg_parse(reg.request, strlen(reg.request),
				       ca->conf.max_validity_years, &r, &canon) != CA_REG_OK) {
		si = OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_rejection,
					     1 << OSSL_CMP_PKIFAILUREINFO_systemUnavail,
					     "registration unavailable");
		goto out;
	}
	if (strcmp(reg.state, "revoked") == 0) {
		si = reject(OSSL_CMP_PKIFAILUREINFO_notAuthorized, "registration revoked");
		goto out;
	}
	pub = template_pubkey(crm);
	if (pub == NULL) {
		si = reject(OSSL_CMP_PKIFAILUREINFO_badCertTemplate, "no public key in template");
		goto out;
	}
	/* The subject is the registration's; the template's is ignored. */
	x = ca_cert_qualified(&ca->conf, &r.subject, pub, ca->issuing, ca->issuing_key,
			      r.validity_years);
	derlen = x != NULL ? i2d_X509(x, &der) : -1;
	serial = x != NULL ? ca_cert_serial_hex(x) : NULL;
	if (derlen <= 0 || serial == NULL || ca_db_begin(ca->db) != 0) {
		si = reject(OSSL_CMP_PKIFAILUREINFO_systemFailure, "issuing failed");
		goto out;
	}
	ca_cert_subject(x, subject, sizeof(subject));
	if (ca_db_cert_add(ca->db, serial, "qualified", subject, asn1_time(X509_get0_notBefore(x)),
			   asn1_time(X509_get0_notAfter(x)), der, (size_t)derlen) != 0 ||
	    ca_db_cmp_secret_use(ca->db, cmp->ref, cmp->txid, serial, time(NULL)) != 1 ||
	    ca_db_event(ca->db, "cmp-issue", cmp->order_id, serial) != 0 ||
	    ca_db_commit(ca->db) != 0) {
		ca_db_rollback(ca->db);
		si = reject(OSSL_CMP_PKIFAILUREINFO_systemFailure, "issuing failed");
		goto out;
	}
	log_info("order %s: issued %s over CMP", cmp->order_id, serial);
	*chainOut = sk_X509_new_null();
	if (*chainOut != NULL)
		X509_add_cert(*chainOut, ca->issuing, X509_ADD_FLAG_UP_REF);
	*caPubs = NULL;
	*certOut = x;
	x = NULL;
	si = OSSL_CMP_STATUSINFO_new(OSSL_CMP_PKISTATUS_accepted, 0, NULL);
out:
	X509_free(x);
	EVP_PKEY_free(pub);
	OPENSSL_free(der);
	free(serial);
	free(canon);
	ca_db_reg_free(&reg);
	return si;
}

static int cert_conf(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req, int certReqId,
		     const ASN1_OCTET_STRING *certHash, const OSSL_CMP_PKISI *si)
{
	struct ca_cmp *cmp = OSSL_CMP_SRV_CTX_get0_custom_ctx(srv);

	if (!cmp->authorized)
		return 0;
	if (ca_db_cmp_secret_wipe(cmp->ca->db, cmp->ref) != 0 ||
	    ca_db_event(cmp->ca->db, "cmp-confirm", cmp->order_id, NULL) != 0)
		log_warnx("order %s: CMP confirmation not recorded", cmp->order_id);
	return 1;
}

static void cmp_error(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req,
		      const OSSL_CMP_PKISI *statusInfo, const ASN1_INTEGER *errorCode,
		      const OSSL_CMP_PKIFREETEXT *errorDetails)
{
	struct ca_cmp *cmp = OSSL_CMP_SRV_CTX_get0_custom_ctx(srv);

	log_warnx("CMP: the client reported an error (reference %s)", cmp->ref);
}

/* Revocation, general messages and polling are not offered over CMP. */
static OSSL_CMP_PKISI *cmp_rr(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req,
			      const X509_NAME *issuer, const ASN1_INTEGER *serial)
{
	return NULL;
}

static int cmp_genm(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req,
		    const STACK_OF(OSSL_CMP_ITAV) * in, STACK_OF(OSSL_CMP_ITAV) * *out)
{
	return 0;
}

static int cmp_poll(OSSL_CMP_SRV_CTX *srv, const OSSL_CMP_MSG *req, int certReqId,
		    OSSL_CMP_MSG **certReq, int64_t *check_after)
{
	return 0;
}

struct ca_cmp *ca_cmp_new(struct ca *ca)
{
	struct ca_cmp *cmp = calloc(1, sizeof(*cmp));

	if (cmp == NULL)
		return NULL;
	cmp->ca = ca;
	cmp->srv = OSSL_CMP_SRV_CTX_new(NULL, NULL);
	if (cmp->srv == NULL ||
	    OSSL_CMP_SRV_CTX_init(cmp->srv, cmp, cert_request, cmp_rr, cmp_genm, cmp_error,
				  cert_conf, cmp_poll) != 1 ||
	    OSSL_CMP_CTX_set_log_cb(OSSL_CMP_SRV_CTX_get0_cmp_ctx(cmp->srv), cmp_log) != 1 ||
	    OSSL_CMP_SRV_CTX_set_accept_unprotected(cmp->srv, 0) != 1 ||
	    OSSL_CMP_SRV_CTX_set_send_unprotected_errors(cmp->srv, 0) != 1) {
		ca_cmp_free(cmp);
		return NULL;
	}
	return cmp;
}

void ca_cmp_free(struct ca_cmp *cmp)
{
	if (cmp == NULL)
		return;
	OSSL_CMP_SRV_CTX_free(cmp->srv);
	free(cmp);
}

unsigned char *ca_cmp_answer(struct ca_cmp *cmp, const unsigned char *req, size_t len,
			     size_t *outlen)
{
	const unsigned char *p = req;
	OSSL_CMP_MSG *msg = d2i_OSSL_CMP_MSG(NULL, &p, (long)len), *resp = NULL;
	OSSL_CMP_CTX *ctx = OSSL_CMP_SRV_CTX_get0_cmp_ctx(cmp->srv);
	const ASN1_OCTET_STRING *tid;
	struct ca_db_cmp c;
	unsigned char secret[64], *der = NULL;
	size_t secretlen = 0;
	int type, found, derlen;

	if (msg == NULL) {
		ERR_clear_error();
		return NULL;
	}
	pthread_mutex_lock(&cmp->ca->lock);
	type = OSSL_CMP_MSG_get_bodytype(msg);
	tid = OSSL_CMP_HDR_get0_transactionID(OSSL_CMP_MSG_get0_header(msg));
	cmp->txid[0] = '\0';
	if (tid != NULL && ASN1_STRING_length(tid) > 0 && ASN1_STRING_length(tid) <= 32)
		hex(ASN1_STRING_get0_data(tid), (size_t)ASN1_STRING_length(tid), cmp->txid);
	sender_kid(req, len, cmp->ref, sizeof(cmp->ref));
	cmp->authorized = 0;
	found = cmp->ref[0] != '\0' ? ca_db_cmp_secret_get(cmp->ca->db, cmp->ref, &c) : 0;
	if (found == 1 && c.secret[0] != '\0' && time(NULL) - c.created <= SECRET_DAYS * 86400L &&
	    (!c.used || ((type == BODY_CERTCONF || type == BODY_ERROR) && cmp->txid[0] != '\0' &&
			 strcmp(c.transaction_id, cmp->txid) == 0))) {
		cmp->authorized = 1;
		snprintf(cmp->order_id, sizeof(cmp->order_id), "%s", c.order_id);
		secretlen = strlen(c.secret);
		memcpy(secret, c.secret, secretlen);
	} else {
		/* Unknown, used or erased: verification will fail. */
		cmp->order_id[0] = '\0';
		secretlen = 32;
		if (RAND_bytes(secret, (int)secretlen) != 1)
			goto out;
		log_warnx("CMP: refused reference %s (unknown, used or erased)",
			  cmp->ref[0] != '\0' ? cmp->ref : "(none)");
	}
	if (found == 1)
		OPENSSL_cleanse(&c, sizeof(c));
	if (OSSL_CMP_CTX_set1_referenceValue(ctx, (const unsigned char *)cmp->ref,
					     strlen(cmp->ref)) != 1 ||
	    OSSL_CMP_CTX_set1_secretValue(ctx, secret, (int)secretlen) != 1)
		goto out;
	resp = OSSL_CMP_SRV_process_request(cmp->srv, msg);
	derlen = resp != NULL ? i2d_OSSL_CMP_MSG(resp, &der) : -1;
	if (derlen > 0)
		*outlen = (size_t)derlen;
	else
		der = NULL;
out:
	OPENSSL_cleanse(secret, sizeof(secret));
	OSSL_CMP_CTX_set1_secretValue(ctx, NULL, 0);
	cmp->authorized = 0;
	pthread_mutex_unlock(&cmp->ca->lock);
	ERR_clear_error();
	OSSL_CMP_MSG_free(resp);
	OSSL_CMP_MSG_free(msg);
	if (der == NULL)
		return NULL;
	{
		unsigned char *copy = malloc(*outlen);

		if (copy != NULL)
			memcpy(copy, der, *outlen);
		OPENSSL_free(der);
		return copy;
	}
}

enum ca_result ca_cmp_secret_new(struct ca *ca, const char *order_id, json_t **out)
{
	unsigned char rnd[32];
	char ref[33], secret[33];
	struct ca_db_reg reg;
	enum ca_result res = CA_FAILED;
	int found;

	*out = NULL;
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		goto failed_nolock;
	hex(rnd, 16, ref);
	hex(rnd + 16, 16, secret);
	pthread_mutex_lock(&ca->lock);
	found = ca_db_reg_get(ca->db, order_id, &reg);
	if (found == 0) {
		*out = json_pack("{s:s, s:s}", "error", "not_found", "message",
				 "no registration with this order id");
		res = CA_NOT_FOUND;
		goto out;
	}
	if (found < 0)
		goto out;
	if (strcmp(reg.state, "revoked") == 0) {
		ca_db_reg_free(&reg);
		*out = json_pack("{s:s, s:s}", "error", "revoked", "message",
				 "the registration's certificate is revoked");
		res = CA_CONFLICT;
		goto out;
	}
	ca_db_reg_free(&reg);
	if (ca_db_begin(ca->db) != 0)
		goto out;
	if (ca_db_cmp_secret_add(ca->db, ref, order_id, secret, time(NULL)) != 0 ||
	    ca_db_event(ca->db, "cmp-secret", order_id, ref) != 0 || ca_db_commit(ca->db) != 0) {
		ca_db_rollback(ca->db);
		goto out;
	}
	*out = json_pack("{s:s, s:s, s:s}", "order_id", order_id, "reference", ref, "secret",
			 secret);
	res = *out != NULL ? CA_CREATED : CA_FAILED;
out:
	pthread_mutex_unlock(&ca->lock);
failed_nolock:
	OPENSSL_cleanse(rnd, sizeof(rnd));
	OPENSSL_cleanse(secret, sizeof(secret));
	if (*out == NULL) {
		*out = json_pack("{s:s, s:s}", "error", "ca_unavailable", "message",
				 "the CA could not create a secret now; retry later");
		res = CA_FAILED;
	}
	return res;
}
