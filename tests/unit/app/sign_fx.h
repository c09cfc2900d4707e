/*
 * Signed PDFs made by the tests themselves (issue 19): a test CA made
 * with OpenSSL, a member's certificate (subject serialNumber
 * PNORS-<JMBG>), and a PAdES signature added to a PDF as one incremental
 * update, with the byte-range dance: a revision with a zeroed /Contents
 * of fixed size, the range around it, OpenSSL CMS over the range, the
 * signature's hex written into the gap.
 */
#ifndef QCRA_TEST_SIGN_FX_H
#define QCRA_TEST_SIGN_FX_H

#include <stddef.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct sign_fx_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/* A CA named cn, valid from now - 1 day for a year.  0 or -1. */
int sign_fx_ca_make(struct sign_fx_ca *ca, const char *cn);
void sign_fx_ca_free(struct sign_fx_ca *ca);
/* Writes ca's certificate as PEM to path.  0 or -1. */
int sign_fx_ca_write(const struct sign_fx_ca *ca, const char *path);

/* A person's certificate from ca (NULL: self-signed) with subject
 * serialNumber "PNORS-<jmbg>", valid [now + from, now + to], serial,
 * the CRL at crl_url (NULL: none).  The key in *key. */
X509 *sign_fx_person(const struct sign_fx_ca *ca, const char *jmbg, long from, long to, long serial,
		     const char *crl_url, EVP_PKEY **key);
/* The same with the subject serialNumber sn as it is (NULL: none), as
 * another qualified CA may write it, valid from an hour ago for a day. */
X509 *sign_fx_person_sn(const struct sign_fx_ca *ca, const char *sn, long serial,
			const char *crl_url, EVP_PKEY **key);
/* The same with the OCSP responder at ocsp_url in its AIA (RFC 5280
 * 4.2.2.1), valid from an hour ago for a day. */
X509 *sign_fx_person_ocsp(const struct sign_fx_ca *ca, const char *jmbg, long serial,
			  const char *ocsp_url, EVP_PKEY **key);

/* An OCSP responder for ca (RFC 6960, signed by the CA itself) on a
 * loopback port, from a thread of its own: every serial good but
 * `revoked`.  Its URL in url.  0 or -1. */
int sign_fx_ocsp_serve(const struct sign_fx_ca *ca, long revoked, char *url, size_t size);

/* ca's CRL (DER, malloc'd) revoking the serials given. */
unsigned char *sign_fx_crl(const struct sign_fx_ca *ca, const long *serials, size_t n, size_t *len);

/* Serves a copy of body to every HTTP request on a loopback
 * port from a thread of its own, as a CA publishes its CRL; its URL
 * (".../ca.crl") in url.  0 or -1. */
int sign_fx_serve(const unsigned char *body, size_t len, char *url, size_t size);

/* What the HTTP tests trust through sign_trusted_cas: a CA named cn,
 * its CRL revoking `revoked` served (crl_url), its certificate written
 * to a new file (pem).  0 or -1; sign_fx_trusted_free removes the file. */
struct sign_fx_trusted {
	struct sign_fx_ca ca;
	unsigned char *crl;
	size_t crl_len;
	char crl_url[96], pem[64];
};
int sign_fx_trusted_make(struct sign_fx_trusted *t, const char *cn, long revoked);
void sign_fx_trusted_free(struct sign_fx_trusted *t);

/* orig signed by cert/key (chain: the CA's certificate or NULL) with
 * digest md (NULL: SHA-256): orig + one revision.  Returns the file
 * (malloc'd), its length in *len. */
unsigned char *sign_fx_pdf(const unsigned char *orig, size_t orig_len, X509 *cert, EVP_PKEY *key,
			   X509 *chain, const EVP_MD *md, size_t *len);

/* A small PDF of our own, different per seed (malloc'd). */
unsigned char *sign_fx_orig(int seed, size_t *len);

#endif
