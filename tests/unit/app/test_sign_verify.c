/*
 * A member's signed request checked against the portal's bytes
 * (app/sign_verify.h, issue 19 points 1 and 3): each case a PDF signed by
 * the test itself (sign_fx.c: a test CA made with OpenSSL, the byte-range
 * dance), its CRL served over HTTP by a thread of the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <cmocka.h>

#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "app/sign_verify.h"
#include "sign_fx.h"

#define JMBG "0101990710006"
#define OTHER "0202985715003"
#define REVOKED_SERIAL 66

static struct sign_fx_ca ca;
static struct sign_trust *trust;
static unsigned char *orig, *crl;
static size_t orig_len, crl_len;
static char crl_url[128], ocsp_url[128];

static int setup(void **state)
{
	char path[] = "/tmp/qcra-sign-XXXXXX", pem[64], err[256];
	long revoked = REVOKED_SERIAL;
	int fd;

	(void)state;
	if (sign_fx_ca_make(&ca, "Test kvalifikovani CA") != 0)
		return -1;
	crl = sign_fx_crl(&ca, &revoked, 1, &crl_len);
	if (sign_fx_serve(crl, crl_len, crl_url, sizeof(crl_url)) != 0 ||
	    sign_fx_ocsp_serve(&ca, REVOKED_SERIAL, ocsp_url, sizeof(ocsp_url)) != 0)
		return -1;
	fd = mkstemp(path);
	close(fd);
	snprintf(pem, sizeof(pem), "%s", path);
	if (sign_fx_ca_write(&ca, pem) != 0)
		return -1;
	trust = sign_trust_load(NULL, pem, err, sizeof(err));
	unlink(pem);
	orig = sign_fx_orig(1, &orig_len);
	return trust ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	sign_trust_free(trust);
	sign_fx_ca_free(&ca);
	free(orig);
	free(crl);
	return 0;
}

/* Verifies file as JMBG's against orig; the result's message key. */
static const char *verify(const unsigned char *file, size_t len, enum sign_err want)
{
	static char key[64];
	struct sign_check in = {JMBG, 1 << 20, time(NULL), 0};
	struct sign_result r;

	assert_int_equal(sign_verify(trust, file, len, orig, orig_len, &in, &r), want);
	snprintf(key, sizeof(key), "%s", sign_result_key(&r));
	sign_result_free(&r);
	return key;
}

/* A member's file signed with a certificate of the test CA. */
static unsigned char *signed_by(const char *jmbg, long from, long to, long serial, const EVP_MD *md,
				const unsigned char *doc, size_t doc_len, size_t *len)
{
	EVP_PKEY *key;
	X509 *x = sign_fx_person(&ca, jmbg, from, to, serial, crl_url, &key);
	unsigned char *f = sign_fx_pdf(doc, doc_len, x, key, ca.cert, md, len);

	X509_free(x);
	EVP_PKEY_free(key);
	return f;
}

/* orig signed with a certificate of the test CA whose subject
 * serialNumber is sn as written (NULL: none), as another CA's. */
static unsigned char *signed_sn(const char *sn, long serial, size_t *len)
{
	EVP_PKEY *key;
	X509 *x = sign_fx_person_sn(&ca, sn, serial, crl_url, &key);
	unsigned char *f = sign_fx_pdf(orig, orig_len, x, key, ca.cert, NULL, len);

	X509_free(x);
	EVP_PKEY_free(key);
	return f;
}

static void test_sign_accepts_the_members_signature(void **state)
{
	struct sign_check in = {JMBG, 1 << 20, time(NULL), 0};
	struct sign_result r;
	size_t len;
	unsigned char *f = signed_by(JMBG, -3600, 86400, 10, NULL, orig, orig_len, &len);

	(void)state;
	assert_int_equal(sign_verify(trust, f, len, orig, orig_len, &in, &r), SIGN_OK);
	assert_string_equal(r.status, "crl:good");
	assert_string_equal(r.serial, "0A");
	assert_non_null(strstr(r.signer, "PNORS-" JMBG));
	assert_true(r.signed_at >= in.now - 60 && r.signed_at <= in.now + 60);
	sign_result_free(&r);
	free(f);
}

static void test_sign_refuses_a_signature_over_another_pdf(void **state)
{
	size_t len, olen;
	unsigned char *other = sign_fx_orig(2, &olen);
	unsigned char *f = signed_by(JMBG, -3600, 86400, 11, NULL, other, olen, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_PDF), "sign.err_not_ours");
	free(f);
	free(other);
}

/* A byte of the signer's revision changed after signing. */
static void test_sign_refuses_a_byte_changed_after_signing(void **state)
{
	size_t len;
	unsigned char *f = signed_by(JMBG, -3600, 86400, 12, NULL, orig, orig_len, &len);

	(void)state;
	f[len - 8] = 'X';
	assert_string_equal(verify(f, len, SIGN_BAD_SIGNATURE), "sign.err_signature");
	free(f);
}

static void test_sign_refuses_a_revision_after_the_signature(void **state)
{
	static const char more[] = "5 0 obj (changed) endobj\ntrailer <</Prev 9>>\n%%EOF\n";
	size_t len;
	unsigned char *f = signed_by(JMBG, -3600, 86400, 13, NULL, orig, orig_len, &len);

	(void)state;
	f = realloc(f, len + sizeof(more));
	memcpy(f + len, more, sizeof(more) - 1);
	assert_string_equal(verify(f, len + sizeof(more) - 1, SIGN_PDF), "sign.err_extra_revision");
	free(f);
}

static void test_sign_refuses_a_self_signed_certificate(void **state)
{
	EVP_PKEY *key;
	X509 *x = sign_fx_person(NULL, JMBG, -3600, 86400, 14, NULL, &key);
	size_t len;
	unsigned char *f = sign_fx_pdf(orig, orig_len, x, key, NULL, NULL, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_UNTRUSTED), "sign.err_untrusted");
	X509_free(x);
	EVP_PKEY_free(key);
	free(f);
}

static void test_sign_refuses_another_members_certificate(void **state)
{
	size_t len;
	unsigned char *f = signed_by(OTHER, -3600, 86400, 15, NULL, orig, orig_len, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_NOT_MEMBER), "sign.err_not_member");
	free(f);
}

/* A certificate of another qualified CA that writes something else in
 * the subject serialNumber, or nothing: every other check passes, so the
 * signature is held for the office to confirm the signer by hand, with
 * what the office needs to judge (name, serialNumber, issuer). */
static void test_sign_holds_a_signer_the_certificate_does_not_name(void **state)
{
	static const char *const sns[] = {"IDCRS-12345678", NULL};
	struct sign_check in = {JMBG, 1 << 20, time(NULL), 0};
	struct sign_result r;
	unsigned char *f;
	size_t len, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		f = signed_sn(sns[i], 40 + (long)i, &len);
		assert_int_equal(sign_verify(trust, f, len, orig, orig_len, &in, &r),
				 SIGN_UNMATCHED);
		assert_string_equal(sign_result_key(&r), "sign.held");
		assert_string_equal(r.status, "crl:good");
		assert_string_equal(r.name, "Petar Petrović");
		assert_string_equal(r.subject_sn, sns[i] ? sns[i] : "");
		assert_non_null(strstr(r.issuer, "CN=Test kvalifikovani CA"));
		sign_result_free(&r);
		free(f);
	}
}

/* Held only when all else holds: revoked is refused as revoked; and
 * another person's JMBG, bare as some CAs write it, outright. */
static void test_sign_refuses_a_revoked_or_other_signer_the_certificate_does_not_name(void **state)
{
	size_t len;
	unsigned char *f = signed_sn("IDCRS-12345678", REVOKED_SERIAL, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_REVOKED), "sign.err_revoked");
	free(f);
	f = signed_sn(OTHER, 42, &len);
	assert_string_equal(verify(f, len, SIGN_NOT_MEMBER), "sign.err_not_member");
	free(f);
}

static void test_sign_refuses_a_revoked_certificate(void **state)
{
	size_t len;
	unsigned char *f =
		signed_by(JMBG, -3600, 86400, REVOKED_SERIAL, NULL, orig, orig_len, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_REVOKED), "sign.err_revoked");
	free(f);
}

static void test_sign_refuses_an_expired_certificate(void **state)
{
	size_t len;
	unsigned char *f = signed_by(JMBG, -7200, -3600, 16, NULL, orig, orig_len, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_NOT_VALID), "sign.err_not_valid");
	free(f);
}

static void test_sign_refuses_a_weak_digest(void **state)
{
	size_t len;
	unsigned char *f = signed_by(JMBG, -3600, 86400, 17, EVP_sha1(), orig, orig_len, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_DIGEST), "sign.err_digest");
	free(f);
}

static void test_sign_refuses_huge_and_malformed_files(void **state)
{
	struct sign_check in = {JMBG, 1000, time(NULL), 0};
	struct sign_result r;
	size_t len;
	unsigned char *f = signed_by(JMBG, -3600, 86400, 18, NULL, orig, orig_len, &len);
	unsigned char *lt;

	(void)state;
	assert_int_equal(sign_verify(trust, f, len, orig, orig_len, &in, &r), SIGN_PDF);
	assert_string_equal(sign_result_key(&r), "sign.err_too_big");
	sign_result_free(&r);
	/* The CMS replaced by a DER value that is no CMS. */
	lt = (unsigned char *)memmem(f + orig_len, len - orig_len, "/Contents <", 11) + 10;
	memcpy(lt + 1, "3003020105", 10);
	memset(lt + 11, '0', (size_t)((unsigned char *)memchr(lt, '>', len) - lt) - 11);
	assert_string_equal(verify(f, len, SIGN_CMS), "sign.err_cms");
	assert_string_equal(verify((const unsigned char *)"%PDF", 4, SIGN_PDF),
			    "sign.err_not_ours");
	free(f);
}

/* A certificate not for signatures (RFC 5280 4.2.1.3: neither
 * digitalSignature nor nonRepudiation), e.g. one for encryption. */
static void test_sign_refuses_a_certificate_not_for_signing(void **state)
{
	EVP_PKEY *key;
	X509 *x = sign_fx_person(&ca, JMBG, -3600, 86400, 41, crl_url, &key);
	X509_EXTENSION *e =
		X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,keyEncipherment");
	size_t len;
	unsigned char *f;

	(void)state;
	X509_EXTENSION_free(X509_delete_ext(x, X509_get_ext_by_NID(x, NID_key_usage, -1)));
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	X509_sign(x, ca.key, EVP_sha256());
	f = sign_fx_pdf(orig, orig_len, x, key, ca.cert, NULL, &len);
	assert_string_equal(verify(f, len, SIGN_KEY_USAGE), "sign.err_key_usage");
	free(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* OCSP first (RFC 6960): the responder in the certificate's AIA asked,
 * its answer kept with the result; revoked there is revoked. */
static void test_sign_asks_the_ocsp_responder(void **state)
{
	struct sign_check in = {JMBG, 1 << 20, time(NULL), 0};
	struct sign_result r;
	EVP_PKEY *key;
	X509 *x = sign_fx_person_ocsp(&ca, JMBG, 40, ocsp_url, &key);
	size_t len;
	unsigned char *f = sign_fx_pdf(orig, orig_len, x, key, ca.cert, NULL, &len);
	const unsigned char *p;
	OCSP_RESPONSE *resp;

	(void)state;
	assert_int_equal(sign_verify(trust, f, len, orig, orig_len, &in, &r), SIGN_OK);
	assert_string_equal(r.status, "ocsp:good");
	assert_non_null(r.ocsp);
	p = r.ocsp;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)r.ocsp_len);
	assert_non_null(resp);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	OCSP_RESPONSE_free(resp);
	sign_result_free(&r);
	free(f);
	X509_free(x);
	EVP_PKEY_free(key);

	x = sign_fx_person_ocsp(&ca, JMBG, REVOKED_SERIAL, ocsp_url, &key);
	f = sign_fx_pdf(orig, orig_len, x, key, ca.cert, NULL, &len);
	assert_int_equal(sign_verify(trust, f, len, orig, orig_len, &in, &r), SIGN_REVOKED);
	assert_string_equal(r.status, "ocsp:revoked");
	sign_result_free(&r);
	free(f);
	X509_free(x);
	EVP_PKEY_free(key);
}

/* Without the CRL to be had, no answer is not taken as good. */
static void test_sign_refuses_when_no_status_can_be_had(void **state)
{
	EVP_PKEY *key;
	X509 *x = sign_fx_person(&ca, JMBG, -3600, 86400, 19, "http://127.0.0.1:1/none.crl", &key);
	size_t len;
	unsigned char *f = sign_fx_pdf(orig, orig_len, x, key, ca.cert, NULL, &len);

	(void)state;
	assert_string_equal(verify(f, len, SIGN_NO_STATUS), "sign.err_no_status");
	X509_free(x);
	EVP_PKEY_free(key);
	free(f);
}

/* A client certificate at login (sign_verify_cert): x as DER, checked
 * now; the JMBG found in jmbg. */
static enum sign_err client_cert(X509 *x, char jmbg[14], struct sign_result *r)
{
	unsigned char *der = NULL;
	int len = i2d_X509(x, &der);
	enum sign_err e;

	assert_true(len > 0);
	e = sign_verify_cert(trust, der, (size_t)len, time(NULL), 0, jmbg, r);
	OPENSSL_free(der);
	sign_result_free(r);
	return e;
}

static void test_sign_client_certificate_checks(void **state)
{
	struct sign_result r;
	EVP_PKEY *key;
	X509 *x;
	char jmbg[14];

	(void)state;
	x = sign_fx_person(&ca, JMBG, -3600, 86400, 50, crl_url, &key);
	assert_int_equal(client_cert(x, jmbg, &r), SIGN_OK);
	assert_string_equal(jmbg, JMBG);
	assert_string_equal(r.status, "crl:good");
	assert_string_equal(r.serial, "32");
	X509_free(x);
	EVP_PKEY_free(key);
	x = sign_fx_person_ocsp(&ca, JMBG, REVOKED_SERIAL, ocsp_url, &key);
	assert_int_equal(client_cert(x, jmbg, &r), SIGN_REVOKED);
	X509_free(x);
	EVP_PKEY_free(key);
	x = sign_fx_person(NULL, JMBG, -3600, 86400, 51, crl_url, &key);
	assert_int_equal(client_cert(x, jmbg, &r), SIGN_UNTRUSTED);
	X509_free(x);
	EVP_PKEY_free(key);
	x = sign_fx_person(&ca, JMBG, -2 * 86400, -3600, 52, crl_url, &key);
	assert_int_equal(client_cert(x, jmbg, &r), SIGN_NOT_VALID);
	X509_free(x);
	EVP_PKEY_free(key);
	x = sign_fx_person(&ca, "firma-123", -3600, 86400, 53, crl_url, &key);
	assert_int_equal(client_cert(x, jmbg, &r), SIGN_NOT_MEMBER);
	X509_free(x);
	EVP_PKEY_free(key);
	assert_int_equal(sign_verify_cert(trust, (const unsigned char *)"garbage", 7, time(NULL), 0,
					  jmbg, &r),
			 SIGN_CMS);
}

/* The trusted CAs as PEM, for a TLS client asked for its certificate:
 * the test CA's own certificate, and nothing from an empty store. */
static void test_sign_trust_pem_names_the_trusted_cas(void **state)
{
	char *pem = sign_trust_pem(trust), err[64];
	struct sign_trust *none = sign_trust_load(NULL, "", err, sizeof(err));
	BIO *b;
	X509 *x;

	(void)state;
	assert_non_null(pem);
	assert_non_null(b = BIO_new_mem_buf(pem, -1));
	assert_non_null(x = PEM_read_bio_X509(b, NULL, NULL, NULL));
	assert_int_equal(X509_cmp(x, ca.cert), 0);
	X509_free(x);
	assert_null(PEM_read_bio_X509(b, NULL, NULL, NULL));
	BIO_free(b);
	free(pem);
	assert_non_null(none);
	assert_null(sign_trust_pem(none));
	sign_trust_free(none);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_accepts_the_members_signature),
		cmocka_unit_test(test_sign_trust_pem_names_the_trusted_cas),
		cmocka_unit_test(test_sign_refuses_a_signature_over_another_pdf),
		cmocka_unit_test(test_sign_refuses_a_byte_changed_after_signing),
		cmocka_unit_test(test_sign_refuses_a_revision_after_the_signature),
		cmocka_unit_test(test_sign_refuses_a_self_signed_certificate),
		cmocka_unit_test(test_sign_refuses_another_members_certificate),
		cmocka_unit_test(test_sign_refuses_a_revoked_certificate),
		cmocka_unit_test(test_sign_holds_a_signer_the_certificate_does_not_name),
		cmocka_unit_test(
			test_sign_refuses_a_revoked_or_other_signer_the_certificate_does_not_name),
		cmocka_unit_test(test_sign_refuses_an_expired_certificate),
		cmocka_unit_test(test_sign_refuses_a_weak_digest),
		cmocka_unit_test(test_sign_refuses_huge_and_malformed_files),
		cmocka_unit_test(test_sign_refuses_when_no_status_can_be_had),
		cmocka_unit_test(test_sign_asks_the_ocsp_responder),
		cmocka_unit_test(test_sign_refuses_a_certificate_not_for_signing),
		cmocka_unit_test(test_sign_client_certificate_checks),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
