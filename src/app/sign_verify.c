/*
 * The checks on a signed PDF (sign_verify.h), with OpenSSL: RFC 5652
 * (CMS SignedData, detached over the PDF's byte range), RFC 5280 (the
 * chain at signing time, CRLs), RFC 6960 (OCSP).
 */
#include "app/sign_verify.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/buf.h"
#include "util/log.h"
#include "util/outbound.h"

struct sign_trust {
	X509_STORE *store;
};

static const char *const err_keys[SIGN_ERR__MAX] = {
	[SIGN_OK] = "sign.ok",
	[SIGN_PDF] = "sign.err_contents",
	[SIGN_CMS] = "sign.err_cms",
	[SIGN_DIGEST] = "sign.err_digest",
	[SIGN_BAD_SIGNATURE] = "sign.err_signature",
	[SIGN_UNTRUSTED] = "sign.err_untrusted",
	[SIGN_NOT_VALID] = "sign.err_not_valid",
	[SIGN_KEY_USAGE] = "sign.err_key_usage",
	[SIGN_REVOKED] = "sign.err_revoked",
	[SIGN_NO_STATUS] = "sign.err_no_status",
	[SIGN_NOT_MEMBER] = "sign.err_not_member",
	[SIGN_UNMATCHED] = "sign.held",
};

const char *sign_result_key(const struct sign_result *r)
{
	if (r->err == SIGN_PDF)
		return pades_err_key(r->pdf);
	return (unsigned)r->err < SIGN_ERR__MAX ? err_keys[r->err] : "sign.err_cms";
}

/* Adds every certificate of one PEM file; -1 if it has none or cannot
 * be read. */
static int trust_file(X509_STORE *st, const char *path)
{
	BIO *in = BIO_new_file(path, "r");
	X509 *x;
	int n = 0;

	if (in == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(in, NULL, NULL, NULL)) != NULL) {
		if (X509_STORE_add_cert(st, x) == 1)
			n++;
		X509_free(x);
	}
	ERR_clear_error();
	BIO_free(in);
	return n > 0 ? 0 : -1;
}

struct sign_trust *sign_trust_load(const char *first, const char *list, char *err, size_t errlen)
{
	struct sign_trust *t = calloc(1, sizeof(*t));
	char path[1024];
	const char *p = list, *e;
	size_t n;

	if (t == NULL || (t->store = X509_STORE_new()) == NULL)
		goto err;
	if (first != NULL && *first && trust_file(t->store, first) != 0) {
		snprintf(err, errlen, "%s: no certificate could be read", first);
		goto err;
	}
	while (p != NULL && *p) {
		while (*p == ' ' || *p == ',')
			p++;
		e = strchr(p, ',');
		n = e ? (size_t)(e - p) : strlen(p);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0) {
			if (n >= sizeof(path))
				n = sizeof(path) - 1;
			memcpy(path, p, n);
			path[n] = '\0';
			if (trust_file(t->store, path) != 0) {
				snprintf(err, errlen,
					 "sign_trusted_cas: %s: no certificate could be read",
					 path);
				goto err;
			}
		}
		p = e ? e + 1 : NULL;
	}
	return t;
err:
	sign_trust_free(t);
	return NULL;
}

char *sign_trust_pem(const struct sign_trust *t)
{
	STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(t->store);
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long n = 0;
	int i, certs = 0;

	for (i = 0; b != NULL && i < sk_X509_OBJECT_num(objs); i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));

		if (x != NULL && PEM_write_bio_X509(b, x) == 1)
			certs++;
	}
	if (certs > 0 && (n = BIO_get_mem_data(b, &data)) > 0 &&
	    (out = malloc((size_t)n + 1)) != NULL) {
		memcpy(out, data, (size_t)n);
		out[n] = '\0';
	}
	BIO_free(b);
	return out;
}

void sign_trust_free(struct sign_trust *t)
{
	if (t == NULL)
		return;
	X509_STORE_free(t->store);
	free(t);
}

void sign_result_free(struct sign_result *r)
{
	if (r == NULL)
		return;
	free(r->ocsp);
	r->ocsp = NULL;
	r->ocsp_len = 0;
}

/* ---- Fetching OCSP and CRLs ------------------------------------------------------------- */

static size_t take(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len + size * n > 1024 * 1024)
		return 0; /* no OCSP answer or CRL of ours is this big */
	buf_append(b, p, size * n);
	return size * n;
}

/* GET url, or POST body when given; 0 with the answer in out. */
static int fetch(const char *url, const unsigned char *body, size_t len, const char *type,
		 struct buf *out)
{
	struct curl_slist *h = NULL;
	char ct[64];
	long code = 0;
	CURL *c = curl_easy_init();
	CURLcode rc;

	if (c == NULL || (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)) {
		curl_easy_cleanup(c);
		return -1;
	}
	outbound_setup(c, url, "http,https", 5L, 5L, NULL);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (body != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", type);
		h = curl_slist_append(h, ct);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK || code != 200) {
		log_warnx("signed request: %s: %s (HTTP %ld)", url, curl_easy_strerror(rc), code);
		return -1;
	}
	return 0;
}

/* The certificate's status from its OCSP responder: 1 good, 0 revoked,
 * -1 no usable answer.  The answer is kept in r. */
static int ocsp_status(X509_STORE *st, STACK_OF(X509) * chain, X509 *cert, X509 *issuer, time_t now,
		       struct sign_result *r)
{
	STACK_OF(OPENSSL_STRING) *urls = X509_get1_ocsp(cert);
	OCSP_REQUEST *req = NULL;
	OCSP_RESPONSE *resp = NULL;
	OCSP_BASICRESP *bs = NULL;
	OCSP_CERTID *id = NULL;
	ASN1_GENERALIZEDTIME *thisupd, *nextupd, *rev;
	unsigned char *der = NULL;
	const unsigned char *p;
	struct buf ans = BUF_INIT;
	int len, status, reason, res = -1;

	(void)now;
	if (urls == NULL || sk_OPENSSL_STRING_num(urls) < 1)
		goto out;
	if ((req = OCSP_REQUEST_new()) == NULL ||
	    (id = OCSP_cert_to_id(EVP_sha1(), cert, issuer)) == NULL ||
	    OCSP_request_add0_id(req, OCSP_CERTID_dup(id)) == NULL)
		goto out;
	if ((len = i2d_OCSP_REQUEST(req, &der)) <= 0)
		goto out;
	if (fetch(sk_OPENSSL_STRING_value(urls, 0), der, (size_t)len, "application/ocsp-request",
		  &ans) != 0)
		goto out;
	p = (const unsigned char *)ans.data;
	if ((resp = d2i_OCSP_RESPONSE(NULL, &p, (long)ans.len)) == NULL ||
	    OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL ||
	    (bs = OCSP_response_get1_basic(resp)) == NULL ||
	    OCSP_basic_verify(bs, chain, st, 0) <= 0 ||
	    OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd, &nextupd) != 1 ||
	    OCSP_check_validity(thisupd, nextupd, 300, -1) != 1)
		goto out;
	if (status == V_OCSP_CERTSTATUS_GOOD || status == V_OCSP_CERTSTATUS_REVOKED) {
		res = status == V_OCSP_CERTSTATUS_GOOD;
		if ((r->ocsp = malloc(ans.len)) != NULL) {
			memcpy(r->ocsp, ans.data, ans.len);
			r->ocsp_len = ans.len;
		}
		snprintf(r->status, sizeof(r->status), "ocsp:%s", res ? "good" : "revoked");
	}
out:
	ERR_clear_error();
	buf_free(&ans);
	OPENSSL_free(der);
	OCSP_CERTID_free(id);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	OCSP_REQUEST_free(req);
	X509_email_free(urls);
	return res;
}

/* The first URI of the certificate's CRL distribution points, or NULL. */
static const char *crl_url(X509 *cert, STACK_OF(DIST_POINT) * dps)
{
	int i, j;

	(void)cert;
	for (i = 0; dps != NULL && i < sk_DIST_POINT_num(dps); i++) {
		DIST_POINT *dp = sk_DIST_POINT_value(dps, i);

		if (dp->distpoint == NULL || dp->distpoint->type != 0)
			continue;
		for (j = 0; j < sk_GENERAL_NAME_num(dp->distpoint->name.fullname); j++) {
			GENERAL_NAME *g = sk_GENERAL_NAME_value(dp->distpoint->name.fullname, j);

			if (g->type == GEN_URI)
				return (const char *)ASN1_STRING_get0_data(
					g->d.uniformResourceIdentifier);
		}
	}
	return NULL;
}

/* The certificate's status from its issuer's CRL: 1 good, 0 revoked, -1
 * none to be had. */
static int crl_status(X509 *cert, X509 *issuer, time_t now, struct sign_result *r)
{
	STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	const char *url = crl_url(cert, dps);
	struct buf ans = BUF_INIT;
	X509_CRL *crl = NULL;
	X509_REVOKED *rev = NULL;
	EVP_PKEY *key;
	const unsigned char *p;
	const ASN1_TIME *next;
	int res = -1;

	if (url == NULL || fetch(url, NULL, 0, NULL, &ans) != 0)
		goto out;
	p = (const unsigned char *)ans.data;
	crl = d2i_X509_CRL(NULL, &p, (long)ans.len);
	if (crl == NULL) { /* PEM, as some CAs publish */
		BIO *b = BIO_new_mem_buf(ans.data, (int)ans.len);

		crl = b ? PEM_read_bio_X509_CRL(b, NULL, NULL, NULL) : NULL;
		BIO_free(b);
	}
	key = issuer ? X509_get0_pubkey(issuer) : NULL;
	if (crl == NULL || key == NULL || X509_CRL_verify(crl, key) != 1 ||
	    X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
		goto out;
	next = X509_CRL_get0_nextUpdate(crl);
	if (next != NULL && X509_cmp_time(next, &now) < 0)
		goto out; /* stale */
	res = X509_CRL_get0_by_cert(crl, &rev, cert) == 1 ? 0 : 1;
	snprintf(r->status, sizeof(r->status), "crl:%s", res ? "good" : "revoked");
out:
	ERR_clear_error();
	buf_free(&ans);
	X509_CRL_free(crl);
	CRL_DIST_POINTS_free(dps);
	return res;
}

/* ---- The checks ------------------------------------------------------------------------- */

static int cert_jmbg(X509 *cert, char *out);

/* Whether a subject serialNumber names jmbg: "PNORS-<JMBG>" (ETSI EN
 * 319 412-1 5.1.3, the CA service's) or the bare number. */
static int names_jmbg(X509 *cert, const char *jmbg)
{
	X509_NAME *n = X509_get_subject_name(cert);
	int i = -1;

	if (jmbg == NULL || *jmbg == '\0')
		return 0;
	while ((i = X509_NAME_get_index_by_NID(n, NID_serialNumber, i)) >= 0) {
		ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
		const char *s = (const char *)ASN1_STRING_get0_data(v);
		size_t len = (size_t)ASN1_STRING_length(v), k = strlen(jmbg);

		if (len == k + 6 && memcmp(s, "PNORS-", 6) == 0 && memcmp(s + 6, jmbg, k) == 0)
			return 1;
		if (len == k && memcmp(s, jmbg, k) == 0)
			return 1;
	}
	return 0;
}

static int digest_allowed(CMS_SignerInfo *si)
{
	X509_ALGOR *dig = NULL;
	int nid;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &dig, NULL);
	nid = dig ? OBJ_obj2nid(dig->algorithm) : NID_undef;
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512;
}

/* The signed signingTime attribute (RFC 5652 11.3), or fallback. */
static time_t signing_time(CMS_SignerInfo *si, time_t fallback)
{
	int i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1);
	X509_ATTRIBUTE *a = i >= 0 ? CMS_signed_get_attr(si, i) : NULL;
	ASN1_TYPE *v = a ? X509_ATTRIBUTE_get0_type(a, 0) : NULL;
	struct tm tm;

	if (v == NULL || (v->type != V_ASN1_UTCTIME && v->type != V_ASN1_GENERALIZEDTIME) ||
	    ASN1_TIME_to_tm((ASN1_TIME *)v->value.ptr, &tm) != 1)
		return fallback;
	return timegm(&tm);
}

/* The byte range's two parts as one memory BIO. */
static BIO *range_bio(const unsigned char *file, const size_t r[4], unsigned char **copy)
{
	*copy = malloc(r[1] + r[3] + 1);
	if (*copy == NULL)
		return NULL;
	memcpy(*copy, file, r[1]);
	memcpy(*copy + r[1], file + r[2], r[3]);
	return BIO_new_mem_buf(*copy, (int)(r[1] + r[3]));
}

/* The chain of cert to a trusted CA at time at, or NULL. */
static STACK_OF(X509) * chain_at(X509_STORE *st, X509 *cert, STACK_OF(X509) * extra, time_t at)
{
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = NULL;

	if (ctx != NULL && X509_STORE_CTX_init(ctx, st, cert, extra) == 1) {
		X509_STORE_CTX_set_time(ctx, 0, at);
		X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_ANY);
		if (X509_verify_cert(ctx) == 1)
			chain = X509_STORE_CTX_get1_chain(ctx);
		else
			log_info("signed request: chain: %s",
				 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	}
	X509_STORE_CTX_free(ctx);
	return chain;
}

/* The first nid entry of name n as UTF-8 into out ("" none). */
static void name_entry(X509_NAME *n, int nid, char *out, size_t size)
{
	int i = X509_NAME_get_index_by_NID(n, nid, -1);
	unsigned char *utf8 = NULL;
	int len = i >= 0 ? ASN1_STRING_to_UTF8(&utf8,
					       X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i)))
			 : -1;

	snprintf(out, size, "%.*s", len > 0 ? len : 0, len > 0 ? (const char *)utf8 : "");
	OPENSSL_free(utf8);
}

static void describe(X509 *cert, struct sign_result *r)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
	char *hex = bn ? BN_bn2hex(bn) : NULL;

	X509_NAME_oneline(X509_get_subject_name(cert), r->signer, sizeof(r->signer));
	X509_NAME_oneline(X509_get_issuer_name(cert), r->issuer, sizeof(r->issuer));
	name_entry(X509_get_subject_name(cert), NID_commonName, r->name, sizeof(r->name));
	name_entry(X509_get_subject_name(cert), NID_serialNumber, r->subject_sn,
		   sizeof(r->subject_sn));
	snprintf(r->serial, sizeof(r->serial), "%s", hex ? hex : "?");
	OPENSSL_free(hex);
	BN_free(bn);
}

/* RFC 5280 4.2.1.3: a signature needs digitalSignature or
 * nonRepudiation (contentCommitment) when the key usage is given. */
static int signs(X509 *cert)
{
	return !(X509_get_extension_flags(cert) & EXFLAG_KUSAGE) ||
	       (X509_get_key_usage(cert) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION));
}

/* The CMS over the range: one signer, an allowed digest, the signature
 * matching; the signer's certificate and the CMS's others in *cert and
 * *certs. */
static enum sign_err check_cms(CMS_ContentInfo *cms, BIO *content, X509 **cert,
			       STACK_OF(X509) * *certs)
{
	STACK_OF(CMS_SignerInfo) *sis = CMS_get0_SignerInfos(cms);
	STACK_OF(X509) * signers;

	if (sis == NULL || sk_CMS_SignerInfo_num(sis) != 1 ||
	    OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		return SIGN_CMS;
	if (!digest_allowed(sk_CMS_SignerInfo_value(sis, 0)))
		return SIGN_DIGEST;
	/* The chain is checked apart, at signing time: here the signature. */
	if (CMS_verify(cms, NULL, NULL, content, NULL,
		       CMS_BINARY | CMS_NO_SIGNER_CERT_VERIFY | CMS_NOCRL) != 1)
		return SIGN_BAD_SIGNATURE;
	signers = CMS_get0_signers(cms);
	if (signers == NULL || sk_X509_num(signers) != 1) {
		sk_X509_free(signers);
		return SIGN_CMS;
	}
	*cert = sk_X509_value(signers, 0);
	X509_up_ref(*cert);
	sk_X509_free(signers);
	*certs = CMS_get1_certs(cms);
	return SIGN_OK;
}

/* Revocation now: OCSP, else the CRL. */
static enum sign_err check_status(X509_STORE *st, STACK_OF(X509) * chain, X509 *cert, time_t now,
				  struct sign_result *r)
{
	X509 *issuer = sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : NULL;
	int s = ocsp_status(st, chain, cert, issuer, now, r);

	if (s < 0)
		s = crl_status(cert, issuer, now, r);
	return s < 0 ? SIGN_NO_STATUS : s == 0 ? SIGN_REVOKED : SIGN_OK;
}

enum sign_err sign_verify(const struct sign_trust *t, const unsigned char *file, size_t len,
			  const unsigned char *orig, size_t orig_len, const struct sign_check *in,
			  struct sign_result *r)
{
	struct pades_sig sig;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(X509) *certs = NULL, *chain = NULL;
	X509 *cert = NULL;
	unsigned char *copy = NULL;
	const unsigned char *p;
	BIO *content = NULL;
	enum sign_err e;
	char other[14];
	int match;

	memset(r, 0, sizeof(*r));
	snprintf(r->status, sizeof(r->status), "not checked");
	r->signed_at = in->now;
	r->pdf = pades_read(file, len, orig, orig_len, in->max_bytes, &sig);
	if (r->pdf != PADES_OK)
		return r->err = SIGN_PDF;
	p = sig.der;
	e = SIGN_CMS;
	if ((cms = d2i_CMS_ContentInfo(NULL, &p, (long)sig.der_len)) == NULL ||
	    (content = range_bio(file, sig.range, &copy)) == NULL)
		goto out;
	if ((e = check_cms(cms, content, &cert, &certs)) != SIGN_OK)
		goto out;
	describe(cert, r);
	r->signed_at = signing_time(sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0), in->now);
	/* Signed in the future, or a certificate not valid then. */
	e = SIGN_NOT_VALID;
	if (r->signed_at > in->now + 300 ||
	    X509_cmp_time(X509_get0_notBefore(cert), &r->signed_at) > 0 ||
	    X509_cmp_time(X509_get0_notAfter(cert), &r->signed_at) < 0)
		goto out;
	e = SIGN_UNTRUSTED;
	if ((chain = chain_at(t->store, cert, certs, r->signed_at)) == NULL)
		goto out;
	e = SIGN_KEY_USAGE;
	if (!signs(cert))
		goto out;
	/* Another person's JMBG is refused outright; none at all (another
	 * CA's serialNumber, or no serialNumber) is for the office to
	 * confirm, once everything else holds. */
	e = SIGN_NOT_MEMBER;
	match = names_jmbg(cert, in->jmbg);
	if (!match && cert_jmbg(cert, other))
		goto out;
	e = in->no_revocation ? SIGN_OK : check_status(t->store, chain, cert, in->now, r);
	if (e == SIGN_OK && !match)
		e = SIGN_UNMATCHED;
out:
	ERR_clear_error();
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(certs, X509_free);
	X509_free(cert);
	BIO_free(content);
	free(copy);
	CMS_ContentInfo_free(cms);
	pades_sig_free(&sig);
	return r->err = e;
}

/* ---- A client certificate --------------------------------------------------------------- */

/* The JMBG of a subject serialNumber "PNORS-<13 digits>" or the bare 13
 * digits, into out (14 bytes); 0 when there is none. */
static int cert_jmbg(X509 *cert, char *out)
{
	X509_NAME *n = X509_get_subject_name(cert);
	int i = -1;

	while ((i = X509_NAME_get_index_by_NID(n, NID_serialNumber, i)) >= 0) {
		ASN1_STRING *v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(n, i));
		const char *s = (const char *)ASN1_STRING_get0_data(v);
		size_t len = (size_t)ASN1_STRING_length(v), k;

		if (len == 19 && memcmp(s, "PNORS-", 6) == 0) {
			s += 6;
			len = 13;
		}
		for (k = 0; k < len && s[k] >= '0' && s[k] <= '9'; k++)
			;
		if (len == 13 && k == 13) {
			memcpy(out, s, 13);
			out[13] = '\0';
			return 1;
		}
	}
	return 0;
}

/* The certificates of data, PEM (one or more) or one DER. */
static STACK_OF(X509) * read_certs(const unsigned char *data, size_t len)
{
	STACK_OF(X509) *all = sk_X509_new_null();
	BIO *b = BIO_new_mem_buf(data, (int)len);
	const unsigned char *p = data;
	X509 *x;

	while (all != NULL && b != NULL && (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL)
		if (sk_X509_push(all, x) <= 0)
			X509_free(x);
	if (all != NULL && sk_X509_num(all) == 0 && len < 65536) {
		/* DER, or DER in base64 (haproxy's ssl_c_der,base64). */
		unsigned char *der = NULL;
		int n;

		if ((x = d2i_X509(NULL, &p, (long)len)) == NULL &&
		    (der = malloc(len / 4 * 3 + 3)) != NULL &&
		    (n = EVP_DecodeBlock(der, data, (int)(len & ~(size_t)3))) > 0) {
			p = der;
			x = d2i_X509(NULL, &p, n);
		}
		free(der);
		if (x != NULL && sk_X509_push(all, x) <= 0)
			X509_free(x);
	}
	BIO_free(b);
	ERR_clear_error();
	return all;
}

enum sign_err sign_verify_cert(const struct sign_trust *t, const unsigned char *data, size_t len,
			       time_t now, int no_revocation, char jmbg[14], struct sign_result *r)
{
	STACK_OF(X509) *certs = read_certs(data, len), *chain = NULL;
	X509 *cert = sk_X509_num(certs) > 0 ? sk_X509_value(certs, 0) : NULL;
	enum sign_err e = SIGN_CMS;

	memset(r, 0, sizeof(*r));
	snprintf(r->status, sizeof(r->status), "not checked");
	r->signed_at = now;
	jmbg[0] = '\0';
	if (cert == NULL)
		goto out;
	describe(cert, r);
	e = SIGN_NOT_VALID;
	if (X509_cmp_time(X509_get0_notBefore(cert), &now) > 0 ||
	    X509_cmp_time(X509_get0_notAfter(cert), &now) < 0)
		goto out;
	e = SIGN_UNTRUSTED;
	if ((chain = chain_at(t->store, cert, certs, now)) == NULL)
		goto out;
	e = SIGN_KEY_USAGE;
	if (!signs(cert))
		goto out;
	e = SIGN_NOT_MEMBER;
	if (!cert_jmbg(cert, jmbg))
		goto out;
	e = no_revocation ? SIGN_OK : check_status(t->store, chain, cert, now, r);
out:
	ERR_clear_error();
	sk_X509_pop_free(chain, X509_free);
	sk_X509_pop_free(certs, X509_free);
	return r->err = e;
}
