/*
 * A member's signed request or contract checked against the bytes the
 * portal issued (issue 19): the PDF's one signed revision
 * (domain/pades.h), the CMS signature over its byte range, the signer's
 * chain to a trusted CA at signing time, the digest, revocation now
 * (OCSP to the certificate's responder, its CRL as fallback) and the
 * signer's JMBG.  No store, no transaction: app/sign.c records the result.
 */
#ifndef QCRA_APP_SIGN_VERIFY_H
#define QCRA_APP_SIGN_VERIFY_H

#include <stddef.h>
#include <time.h>

#include "domain/pades.h"

/* What failed after the PDF was read, in the order the checks run;
 * sign_err_key() names each one's message. */
enum sign_err {
	SIGN_OK,
	SIGN_PDF,           /* the file itself: see sign_result.pdf */
	SIGN_CMS,           /* /Contents is not one CMS SignedData with one signer */
	SIGN_DIGEST,        /* a digest other than SHA-256/384/512 */
	SIGN_BAD_SIGNATURE, /* the signature does not match the bytes */
	SIGN_UNTRUSTED,     /* no chain to a CA the portal trusts */
	SIGN_NOT_VALID,     /* the certificate was not valid at signing time */
	SIGN_KEY_USAGE,     /* a certificate not for signatures (key usage) */
	SIGN_REVOKED,       /* revoked (OCSP or CRL) */
	SIGN_NO_STATUS,     /* neither OCSP nor CRL answered */
	SIGN_NOT_MEMBER,    /* the certificate carries another person's JMBG */
	SIGN_UNMATCHED,     /* all else holds, but the certificate names no JMBG: the
			     * office confirms the signer by hand (app/sign.c) */
	SIGN_ERR__MAX
};

/* The trusted CAs: an OpenSSL certificate store. */
struct sign_trust;

/* Loads every certificate of the PEM files named in list (comma-
 * separated; NULL or "" for none) and of first (NULL: none).  Returns the
 * store (sign_trust_free), or NULL with the file at fault in err. */
struct sign_trust *sign_trust_load(const char *first, const char *list, char *err, size_t errlen);
void sign_trust_free(struct sign_trust *t);
/* Every certificate of t as PEM (malloc'd), or NULL when it holds none:
 * the CAs named to a TLS client asked for its certificate. */
char *sign_trust_pem(const struct sign_trust *t);

struct sign_check {
	const char *jmbg;  /* whose signature it must be */
	size_t max_bytes;  /* the upload's limit */
	time_t now;        /* the clock the checks use */
	int no_revocation; /* 1: skip OCSP and CRL (the bench) */
};

struct sign_result {
	enum pades_err pdf;
	enum sign_err err;
	char signer[256];    /* the certificate's subject, one line */
	char serial[80];     /* its serial number, hex */
	char name[128];      /* the subject's commonName, UTF-8 */
	char subject_sn[80]; /* the subject's serialNumber as written ("" none) */
	char issuer[256];    /* the issuer, one line */
	char status[16];     /* "ocsp:good", "crl:good", "not checked" */
	time_t signed_at;    /* the CMS signingTime, or now */
	unsigned char *ocsp; /* the OCSP response, DER (malloc'd), kept */
	size_t ocsp_len;
};

/* Runs every check on file against orig.  Returns SIGN_OK or the first
 * check that failed; out holds what was learned either way
 * (sign_result_free). */
enum sign_err sign_verify(const struct sign_trust *t, const unsigned char *file, size_t len,
			  const unsigned char *orig, size_t orig_len, const struct sign_check *in,
			  struct sign_result *out);
void sign_result_free(struct sign_result *r);

/* A client certificate (TLS client authentication, login): data is the
 * client's certificate as PEM (any certificates after it are
 * intermediates) or DER, checked at now: SIGN_CMS when none can be read,
 * SIGN_NOT_VALID (not valid now), SIGN_UNTRUSTED, SIGN_KEY_USAGE,
 * SIGN_NOT_MEMBER (no JMBG in its subject serialNumber), SIGN_REVOKED,
 * SIGN_NO_STATUS.  The JMBG found in jmbg, the certificate in out. */
enum sign_err sign_verify_cert(const struct sign_trust *t, const unsigned char *data, size_t len,
			       time_t now, int no_revocation, char jmbg[14], struct sign_result *r);

/* The message key for a result: the PDF's own for SIGN_PDF. */
const char *sign_result_key(const struct sign_result *r);

#endif
