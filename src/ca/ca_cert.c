/*
 * Certificate building: the CA hierarchy, the TLS certificates of the
 * CA server and the RA, and the holders' qualified certificates after
 * ETSI EN 319 412-2 (natural person) and EN 319 412-5 (QCStatements).
 */
#include "ca/ca.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "util/buf.h"

/* EN 319 412-5 4.2 and 4.3; EN 319 412-1 5.1 (semantics identifiers). */
#define OID_QC_COMPLIANCE "0.4.0.1862.1.1"
#define OID_QC_SSCD "0.4.0.1862.1.4"
#define OID_QC_PDS "0.4.0.1862.1.5"
#define OID_QC_TYPE "0.4.0.1862.1.6"
#define OID_QC_TYPE_ESIGN "0.4.0.1862.1.6.1"
#define OID_QC_CC_LEGISLATION "0.4.0.1862.1.7"
#define OID_PKIX_QCSYNTAX_V2 "1.3.6.1.5.5.7.11.2"
#define OID_SEMANTICS_NATURAL "0.4.0.194121.1.1"
#define OID_SEMANTICS_LEGAL "0.4.0.194121.1.2"
/* EN 319 411-2 5.3: QCP-n-qscd, qualified certificate for a natural
 * person with the key on a QSCD. */
#define OID_QCP_N_QSCD "0.4.0.194112.1.2"

/* ---- a little DER writer for QCStatements ---- */

static void der_tlv(struct buf *out, unsigned char tag, const void *p, size_t n)
{
	unsigned char h[4];
	size_t hl = 0;

	h[hl++] = tag;
	if (n < 0x80) {
		h[hl++] = (unsigned char)n;
	} else if (n < 0x100) {
		h[hl++] = 0x81;
		h[hl++] = (unsigned char)n;
	} else {
		h[hl++] = 0x82;
		h[hl++] = (unsigned char)(n >> 8);
		h[hl++] = (unsigned char)n;
	}
	buf_append(out, h, hl);
	if (n > 0)
		buf_append(out, p, n);
}

/* Wraps the content of in into a SEQUENCE appended to out; empties in. */
static void der_seq(struct buf *out, struct buf *in)
{
	der_tlv(out, 0x30, in->data, in->len);
	buf_reset(in);
}

static int der_oid(struct buf *out, const char *dotted)
{
	ASN1_OBJECT *o = OBJ_txt2obj(dotted, 1);
	unsigned char *d = NULL;
	int n = o != NULL ? i2d_ASN1_OBJECT(o, &d) : -1;

	ASN1_OBJECT_free(o);
	if (n <= 0)
		return -1;
	buf_append(out, d, (size_t)n);
	OPENSSL_free(d);
	return 0;
}

/* QCStatement ::= SEQUENCE { statementId OID, statementInfo ANY OPTIONAL }
 * (RFC 3739 3.2.6); info may be NULL. */
static int qc_statement(struct buf *out, const char *oid, const struct buf *info)
{
	struct buf st = BUF_INIT;
	int rc = der_oid(&st, oid);

	if (info != NULL && info->len > 0)
		buf_append(&st, info->data, info->len);
	der_tlv(out, 0x30, st.data, st.len);
	buf_free(&st);
	return rc;
}

unsigned char *ca_cert_qcstatements(const struct ca_conf *c, enum ca_profile p, size_t *len)
{
	struct buf all = BUF_INIT, info = BUF_INIT, tmp = BUF_INIT, loc = BUF_INIT;
	int rc = 0;

	rc |= qc_statement(&all, OID_QC_COMPLIANCE, NULL);
	rc |= qc_statement(&all, OID_QC_SSCD, NULL);
	/* QcType ::= SEQUENCE OF OBJECT IDENTIFIER */
	rc |= der_oid(&tmp, OID_QC_TYPE_ESIGN);
	der_seq(&info, &tmp);
	rc |= qc_statement(&all, OID_QC_TYPE, &info);
	buf_reset(&info);
	/* QcPDS ::= SEQUENCE OF PdsLocation { url IA5String, language
	 * PrintableString (SIZE(2)) }, one per language (EN 319 412-5 4.3.4) */
	der_tlv(&tmp, 0x16, c->pds_url_sr, strlen(c->pds_url_sr));
	der_tlv(&tmp, 0x13, "sr", 2);
	der_seq(&loc, &tmp);
	der_tlv(&tmp, 0x16, c->pds_url_en, strlen(c->pds_url_en));
	der_tlv(&tmp, 0x13, "en", 2);
	der_seq(&loc, &tmp);
	der_seq(&info, &loc);
	rc |= qc_statement(&all, OID_QC_PDS, &info);
	buf_reset(&info);
	/* QcCClegislation ::= SEQUENCE OF PrintableString (SIZE(2)): a
	 * qualified certificate under a non-EU legislation (4.2.4) */
	der_tlv(&tmp, 0x13, "RS", 2);
	der_seq(&info, &tmp);
	rc |= qc_statement(&all, OID_QC_CC_LEGISLATION, &info);
	buf_reset(&info);
	/* SemanticsInformation ::= SEQUENCE { semanticsIdentifier OID, ... }
	 * under id-qcs-pkixQCSyntax-v2 (RFC 3739 3.2.6.1, EN 319 412-1 5.1) */
	rc |= der_oid(&tmp, p == CA_PROFILE_LEGAL ? OID_SEMANTICS_LEGAL : OID_SEMANTICS_NATURAL);
	der_seq(&info, &tmp);
	rc |= qc_statement(&all, OID_PKIX_QCSYNTAX_V2, &info);
	buf_reset(&info);
	der_seq(&info, &all);
	buf_free(&all);
	buf_free(&tmp);
	buf_free(&loc);
	if (rc != 0) {
		buf_free(&info);
		return NULL;
	}
	*len = info.len;
	return (unsigned char *)buf_detach(&info);
}

/* ---- common parts ---- */

const EVP_MD *ca_cert_md(EVP_PKEY *key)
{
	if (EVP_PKEY_get_base_id(key) == EVP_PKEY_EC && EVP_PKEY_get_bits(key) > 256)
		return EVP_sha384();
	return EVP_sha256();
}

/* 16 random bytes, positive (RFC 5280 4.1.2.2; at least 64 bits of
 * entropy per the CA/Browser Forum, here 127). */
static int set_serial(X509 *x)
{
	unsigned char r[16];
	BIGNUM *bn;
	int ok;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return -1;
	r[0] = (unsigned char)((r[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(r, sizeof(r), NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
	BN_free(bn);
	return ok ? 0 : -1;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;
	int ok;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (e == NULL)
		return -1;
	ok = X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return ok ? 0 : -1;
}

/* A fresh v3 certificate with serial, validity [now, now + days], subject
 * (copied) and public key.  NULL on error. */
static X509 *cert_new(const X509_NAME *subject, EVP_PKEY *pub, long days, const X509 *issuer)
{
	X509 *x = X509_new();
	time_t now = time(NULL);

	if (x == NULL || !X509_set_version(x, X509_VERSION_3) || set_serial(x) != 0 ||
	    X509_time_adj_ex(X509_getm_notBefore(x), 0, -60, &now) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(x), (int)days, 0, &now) == NULL ||
	    !X509_set_subject_name(x, subject) || !X509_set_pubkey(x, pub) ||
	    !X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : subject))
		goto err;
	/* Never outlive the issuer (RFC 5280 6.1.3 would reject the path). */
	if (issuer != NULL &&
	    ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(issuer)) > 0 &&
	    !X509_set1_notAfter(x, X509_get0_notAfter(issuer)))
		goto err;
	return x;
err:
	X509_free(x);
	return NULL;
}

/* notAfter = the same calendar day years on (3 years from 2026-11-25 is
 * 2029-11-25, leap days included), capped by the issuer.  0 or -1. */
static int set_years(X509 *x, int years, const X509 *issuer)
{
	time_t now = time(NULL);
	struct tm tm;
	ASN1_TIME *t;
	int ok;

	gmtime_r(&now, &tm);
	tm.tm_year += years;
	t = ASN1_TIME_set(NULL, timegm(&tm));
	if (t != NULL && ASN1_TIME_compare(t, X509_get0_notAfter(issuer)) > 0)
		ok = X509_set1_notAfter(x, X509_get0_notAfter(issuer));
	else
		ok = t != NULL && X509_set1_notAfter(x, t);
	ASN1_TIME_free(t);
	return ok ? 0 : -1;
}

static int add_urls(X509 *x, X509 *issuer, const char *public_url, int ocsp)
{
	char v[2 * CA_URL_MAX + 64];

	/* The CRL at /crl is the issuing CA's; the offline root publishes
	 * no CRL here, so the issuing CA certificate names none. */
	snprintf(v, sizeof(v), "URI:%s/crl", public_url);
	if (ocsp && add_ext(x, issuer, NID_crl_distribution_points, v) != 0)
		return -1;
	if (ocsp)
		snprintf(v, sizeof(v), "OCSP;URI:%s/ocsp,caIssuers;URI:%s/ca/issuing.crt",
			 public_url, public_url);
	else
		snprintf(v, sizeof(v), "caIssuers;URI:%s/ca/root.crt", public_url);
	return add_ext(x, issuer, NID_info_access, v);
}

X509_NAME *ca_cert_ca_name(const char *organization, const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	if (n == NULL ||
	    !X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_UTF8,
					(const unsigned char *)"RS", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(n, NID_organizationName, MBSTRING_UTF8,
					(const unsigned char *)organization, -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0)) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

/* A CA certificate for pub named "organization role", valid for years,
 * issued by issuer (NULL: itself), without extensions yet.  NULL on
 * error. */
static X509 *ca_cert_new(EVP_PKEY *pub, const char *organization, const char *role, int years,
			 const X509 *issuer)
{
	char cn[128];
	X509_NAME *n;
	X509 *x;

	snprintf(cn, sizeof(cn), "%.64s %s", organization, role);
	if ((n = ca_cert_ca_name(organization, cn)) == NULL)
		return NULL;
	x = cert_new(n, pub, 365L * years, issuer);
	X509_NAME_free(n);
	return x;
}

X509 *ca_cert_root(EVP_PKEY *key, const char *organization, int years)
{
	X509 *x = ca_cert_new(key, organization, "Root CA", years, NULL);

	if (x == NULL || add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
	    add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") != 0 ||
	    add_ext(x, x, NID_subject_key_identifier, "hash") != 0 ||
	    X509_sign(x, key, ca_cert_md(key)) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

X509 *ca_cert_issuing(EVP_PKEY *pub, X509 *root, EVP_PKEY *rootkey, const char *organization,
		      int years, const char *public_url)
{
	X509 *x = ca_cert_new(pub, organization, "Qualified Issuing CA", years, root);

	if (x == NULL || add_ext(x, root, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    add_ext(x, root, NID_key_usage, "critical,keyCertSign,cRLSign") != 0 ||
	    add_ext(x, root, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, root, NID_authority_key_identifier, "keyid:always") != 0 ||
	    add_urls(x, root, public_url, 0) != 0 ||
	    X509_sign(x, rootkey, ca_cert_md(rootkey)) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

X509 *ca_cert_tls(EVP_PKEY *pub, X509 *issuer, EVP_PKEY *ikey, int server, const char *cn,
		  const char *names, const char *public_url)
{
	X509_NAME *n = X509_NAME_new();
	X509 *x = NULL;
	struct buf san = BUF_INIT;

	if (n == NULL ||
	    !X509_NAME_add_entry_by_NID(n, NID_countryName, MBSTRING_UTF8,
					(const unsigned char *)"RS", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_NID(n, NID_commonName, MBSTRING_UTF8, (const unsigned char *)cn,
					-1, -1, 0))
		goto err;
	x = cert_new(n, pub, 2 * 365, issuer);
	if (x == NULL || add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    add_ext(x, issuer, NID_key_usage, "critical,digitalSignature") != 0 ||
	    add_ext(x, issuer, NID_ext_key_usage, server ? "serverAuth" : "clientAuth") != 0 ||
	    add_ext(x, issuer, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") != 0 ||
	    add_urls(x, issuer, public_url, 1) != 0)
		goto err;
	if (server) {
		const char *p = names;

		while (*p != '\0') {
			size_t len = strcspn(p, ", ");
			char one[128];
			unsigned char ip[16];
			int is_ip;

			if (len > 0 && len < sizeof(one)) {
				memcpy(one, p, len);
				one[len] = '\0';
				is_ip = inet_pton(AF_INET, one, ip) == 1 ||
					inet_pton(AF_INET6, one, ip) == 1;
				buf_printf(&san, "%s%s:%s", san.len ? "," : "",
					   is_ip ? "IP" : "DNS", one);
			}
			p += len;
			p += strspn(p, ", ");
		}
		if (san.len > 0 && add_ext(x, issuer, NID_subject_alt_name, buf_cstr(&san)) != 0)
			goto err;
	}
	if (X509_sign(x, ikey, ca_cert_md(ikey)) <= 0)
		goto err;
	X509_NAME_free(n);
	buf_free(&san);
	return x;
err:
	X509_NAME_free(n);
	X509_free(x);
	buf_free(&san);
	return NULL;
}

/* EN 319 412-2 4.2.4: countryName, givenName, surname, commonName,
 * serialNumber with semantics identifier PNO (EN 319 412-1 5.1.3); for a
 * person on behalf of a company also organizationName and
 * organizationIdentifier VAT + country + PIB (5.1.4). */
static X509_NAME *holder_name(const struct ca_subject *s)
{
	X509_NAME *n = X509_NAME_new();
	char sn[32], oi[32];
	int ok;

	snprintf(sn, sizeof(sn), "PNORS-%s", s->jmbg);
	snprintf(oi, sizeof(oi), "VATRS-%s", s->pib);
#define ADD(nid, v)                                                                                \
	X509_NAME_add_entry_by_NID(n, nid, MBSTRING_UTF8, (const unsigned char *)(v), -1, -1, 0)
	ok = n != NULL && ADD(NID_countryName, "RS");
	if (ok && s->profile == CA_PROFILE_LEGAL)
		ok = ADD(NID_organizationName, s->organization) &&
		     ADD(NID_organizationIdentifier, oi);
	ok = ok && ADD(NID_surname, s->surname) && ADD(NID_givenName, s->given_name) &&
	     ADD(NID_serialNumber, sn) && ADD(NID_commonName, s->common_name);
#undef ADD
	if (!ok) {
		X509_NAME_free(n);
		return NULL;
	}
	return n;
}

/* certificatePolicies: QCP-n-qscd with the CPS URL, and the CA's own
 * policy when configured (EN 319 412-2 4.3.3). */
static int add_policies(X509 *x, const struct ca_conf *c)
{
	CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
	const char *oids[2] = {OID_QCP_N_QSCD, c->policy_oid};
	int i, ok = pols != NULL;

	for (i = 0; ok && i < 2; i++) {
		POLICYINFO *pi;
		POLICYQUALINFO *q;

		if (oids[i][0] == '\0')
			continue;
		pi = POLICYINFO_new();
		ok = pi != NULL && sk_POLICYINFO_push(pols, pi) > 0;
		if (!ok) {
			POLICYINFO_free(pi);
			break;
		}
		ASN1_OBJECT_free(pi->policyid);
		pi->policyid = OBJ_txt2obj(oids[i], 1);
		ok = pi->policyid != NULL;
		if (!ok || c->cps_url[0] == '\0')
			continue;
		q = POLICYQUALINFO_new();
		pi->qualifiers = sk_POLICYQUALINFO_new_null();
		ok = q != NULL && pi->qualifiers != NULL &&
		     sk_POLICYQUALINFO_push(pi->qualifiers, q);
		if (!ok) {
			POLICYQUALINFO_free(q);
			break;
		}
		q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
		q->d.cpsuri = ASN1_IA5STRING_new();
		ok = q->d.cpsuri != NULL && ASN1_STRING_set(q->d.cpsuri, c->cps_url, -1);
	}
	ok = ok && X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT);
	sk_POLICYINFO_pop_free(pols, POLICYINFO_free);
	return ok ? 0 : -1;
}

static int add_qcstatements(X509 *x, const struct ca_conf *c, enum ca_profile p)
{
	size_t len = 0;
	unsigned char *der = ca_cert_qcstatements(c, p, &len);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e = NULL;
	int ok;

	ok = der != NULL && os != NULL && ASN1_OCTET_STRING_set(os, der, (int)len) &&
	     (e = X509_EXTENSION_create_by_NID(NULL, NID_qcStatements, 0, os)) != NULL &&
	     X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	free(der);
	return ok ? 0 : -1;
}

X509 *ca_cert_qualified(const struct ca_conf *c, const struct ca_subject *s, EVP_PKEY *pub,
			X509 *issuer, EVP_PKEY *ikey, int years)
{
	X509_NAME *n = holder_name(s);
	X509 *x = NULL;

	if (n == NULL)
		return NULL;
	x = cert_new(n, pub, 365L * years, issuer);
	X509_NAME_free(n);
	if (x != NULL && set_years(x, years, issuer) != 0) {
		X509_free(x);
		return NULL;
	}
	/* EN 319 412-2 4.3.2: nonRepudiation alone for a qualified
	 * electronic signature certificate. */
	if (x == NULL || add_ext(x, issuer, NID_key_usage, "critical,nonRepudiation") != 0 ||
	    add_ext(x, issuer, NID_subject_key_identifier, "hash") != 0 ||
	    add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") != 0 ||
	    add_policies(x, c) != 0 || add_urls(x, issuer, c->public_url, 1) != 0 ||
	    add_qcstatements(x, c, s->profile) != 0 || X509_sign(x, ikey, ca_cert_md(ikey)) <= 0) {
		X509_free(x);
		return NULL;
	}
	return x;
}

void ca_cert_subject(const X509 *x, char *out, size_t outlen)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL;
	long n = 0;

	out[0] = '\0';
	if (b != NULL && X509_NAME_print_ex(b, X509_get_subject_name(x), 0,
					    XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		n = BIO_get_mem_data(b, &p);
	if (n > 0)
		snprintf(out, outlen, "%.*s", (int)n, p);
	BIO_free(b);
}

char *ca_cert_serial_hex(const X509 *x)
{
	BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
	char *h = bn != NULL ? BN_bn2hex(bn) : NULL, *out = NULL;

	BN_free(bn);
	if (h != NULL)
		out = strdup(h);
	OPENSSL_free(h);
	return out;
}

char *ca_cert_pem(const X509 *x)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *p = NULL, *out = NULL;
	long n;

	if (b != NULL && PEM_write_bio_X509(b, x)) {
		n = BIO_get_mem_data(b, &p);
		out = malloc((size_t)n + 1);
		if (out != NULL) {
			memcpy(out, p, (size_t)n);
			out[n] = '\0';
		}
	}
	BIO_free(b);
	return out;
}

X509 *ca_cert_read(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x;

	if (f == NULL)
		return NULL;
	x = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	return x;
}

int ca_cert_write(const char *path, X509 *const *certs, int n)
{
	FILE *f = fopen(path, "w");
	int i, ok = f != NULL;

	for (i = 0; ok && i < n; i++)
		ok = PEM_write_X509(f, certs[i]);
	if (f != NULL && fclose(f) != 0)
		ok = 0;
	return ok ? 0 : -1;
}
