/*
 * A signed request with a certificate of the real CA service (issue 19,
 * point 3): `qcra ca init` and `qcra ca serve` (tests/http/ca_stack.c,
 * started once), the portal trusting its root (ca_cacert) as it does in
 * production.  The CA issues Žarko's certificate on a card, a SoftHSM2
 * token of its own whose PIN is in the sealed PIN letter; the test logs
 * in to that token with the printed PIN and signs the portal's request
 * with the key on it (C_Sign through ca/ca_p11.c: no OpenSSL engine),
 * the byte-range dance of tests/unit/app/sign_fx.c.  Uploaded: verified,
 * with the OCSP answer of the CA service's own responder kept.  Then the
 * CA revokes the certificate and the contract signed with the same key
 * is refused as revoked, by OCSP.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>

#include "ca/ca_p11.h"
#include "ca_stack.h"
#include "ca_testlib.h"
#include "journey.h"
#include "sign_fx.h"
#include "sign_upload.h"

#define ZARKO_JMBG "1203978711237"
#define CA_ORDER "SIGN-CA-1"
#define SOFTHSM "/usr/lib/softhsm/libsofthsm2.so"

struct holder {
	X509 *cert, *issuing;
	char card[64], pin[16];
};

/* Žarko's registration at the CA: the card produced, the certificate
 * issued by the CA's issuing CA, the PIN read from the letter. */
static void issue(struct stack *f, struct holder *h)
{
	json_t *o;
	BIO *b;
	char path[sizeof(f->cadir) + 64];

	assert_int_equal(ca_api("POST", "/v1/registrations",
				"{\"order_id\":\"" CA_ORDER
				"\",\"profile\":\"natural\",\"validity_years\":1,"
				"\"office\":\"NS\",\"subject\":{\"given_name\":\"\xc5\xbd"
				"arko\",\"surname\":\"\xc4\x90ura\xc5\xa1kovi\xc4\x87\",\"jmbg\":"
				"\"" ZARKO_JMBG "\"}}",
				&f->out),
			 201);
	o = ca_parse(&f->out);
	snprintf(h->card, sizeof(h->card), "%s", ca_str(o, "card"));
	b = BIO_new_mem_buf(ca_str(o, "certificate"), -1);
	h->cert = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	json_decref(o);
	assert_non_null(h->cert);
	snprintf(path, sizeof(path), "%s/issuing.pem", f->cadir);
	b = BIO_new_file(path, "r");
	h->issuing = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	assert_non_null(h->issuing);
	assert_int_equal(
		stack_sh(&f->out, "pdftotext -enc UTF-8 '%s/letters/" CA_ORDER ".pdf' -", f->cadir),
		0);
	digits_after(buf_cstr(&f->out), "PIN:", 6, h->pin);
}

/* The portal's doc of order id signed on Žarko's card. */
static unsigned char *sign_on_card(struct stack *f, const struct holder *h, long long id,
				   const char *doc, size_t *len)
{
	char env[sizeof(f->cadir) + 32], err[256];
	unsigned char *orig, *out;
	struct p11_session *s;
	struct p11 *p;
	EVP_PKEY *key;
	size_t olen;

	snprintf(env, sizeof(env), "%s/softhsm2.conf", f->cadir);
	setenv("SOFTHSM2_CONF", env, 1);
	p = p11_open(SOFTHSM, err, sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	s = p11_login(p, h->card, h->pin, err, sizeof(err));
	if (s == NULL)
		fail_msg("card %s: %s", h->card, err);
	key = p11_key_find(s, "signature", err, sizeof(err));
	if (key == NULL)
		fail_msg("card %s: %s", h->card, err);
	orig = sign_issued(&f->member, &f->r, id, doc, &olen);
	out = sign_fx_pdf(orig, olen, h->cert, key, h->issuing, NULL, len);
	free(orig);
	EVP_PKEY_free(key);
	p11_logout(s);
	p11_close(p);
	return out;
}

/* The portal and the CA service, started once; ca_testlib's API calls
 * (ca_api) pointed at this CA. */
static int setup(void **state)
{
	struct stack *f;

	if (stack_setup(state) != 0)
		return -1;
	f = *state;
	stack_ca_start(f);
	if (strlen(f->cadir) >= sizeof(ca_cadir))
		return -1;
	memcpy(ca_cadir, f->cadir, strlen(f->cadir) + 1);
	ca_tls_port = f->tls_port;
	return 0;
}

static void test_signed_with_the_ca_services_certificate(void **state)
{
	struct stack *f = *state;
	struct holder h;
	unsigned char *pdf;
	long long id, n;
	size_t len;

	memset(&h, 0, sizeof(h));
	issue(f, &h);
	id = journey_order(&f->member, &f->r, "NS", NULL, NULL);

	/* Good: verified, the CA service's OCSP answer kept. */
	pdf = sign_on_card(f, &h, id, "request", &len);
	assert_int_equal(sign_upload(&f->member, &f->r, id, "request", pdf, len, "en"), 303);
	free(pdf);
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM order_signatures WHERE order_id = ?1 AND "
				   "doc = 'request' AND status = 'ocsp:good' AND review = 0 AND "
				   "length(ocsp) > 0",
				   id),
			 1);
	assert_int_equal(stack_get(f, &f->member, "/orders/%lld?lang=sr", id), 200);
	stack_body_has(f, "Potpisan i proveren");
	stack_body_has(f, "PNORS-" ZARKO_JMBG);

	/* The CA revokes it: the contract signed on the same card is refused. */
	assert_int_equal(ca_api("POST", "/v1/registrations/" CA_ORDER "/revoke",
				"{\"reason\":\"keyCompromise\"}", &f->out),
			 200);
	assert_non_null(strstr(buf_cstr(&f->out), "\"revoked\""));
	pdf = sign_on_card(f, &h, id, "contract", &len);
	assert_int_equal(sign_upload(&f->member, &f->r, id, "contract", pdf, len, "en"), 409);
	stack_body_has(f, "is revoked");
	assert_int_equal(sign_upload(&f->member, &f->r, id, "contract", pdf, len, "sr"), 409);
	stack_body_has(f, "je opozvan");
	free(pdf);
	n = stack_int(f,
		      "SELECT COUNT(*) FROM audit_log WHERE object = 'order:' || ?1 AND action = "
		      "'order.signed' AND outcome = 'denied' AND detail LIKE "
		      "'contract: sign.err_revoked, certificate %, ocsp:revoked'",
		      id);
	assert_int_equal(n, 2);
	assert_int_equal(stack_int(f,
				   "SELECT COUNT(*) FROM order_signatures WHERE order_id = ?1 AND "
				   "doc = 'contract'",
				   id),
			 0);
	X509_free(h.cert);
	X509_free(h.issuing);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_with_the_ca_services_certificate),
	};

	return cmocka_run_group_tests(tests, setup, stack_teardown);
}
