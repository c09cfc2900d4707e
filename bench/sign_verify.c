/*
 * Issue 19, point 4: verifying a member's signed request without the
 * OCSP round trip (app/sign_verify.h with no_revocation): the PDF's
 * signature read, the CMS checked over its byte range, the chain to the
 * trusted CA at signing time, digest and signer.  A PDF of the size the
 * portal issues (~60 KB) signed by a test CA's certificate (EC P-256,
 * and RSA-2048 as many qualified CAs issue), N verifications each.
 * Prints "ec_ms=X rsa_ms=Y n=N": milliseconds per verification.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "app/sign_verify.h"
#include "sign_fx.h"

#define JMBG "1203978711237"

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ms per verification of orig signed with key (NULL: the fixture's
 * EC key) by ca's certificate for JMBG. */
static double run(const struct sign_fx_ca *ca, const struct sign_trust *t,
		  const unsigned char *orig, size_t olen, EVP_PKEY *rsa, int n)
{
	struct sign_check in = {JMBG, 20 << 20, time(NULL), 1};
	struct sign_result r;
	EVP_PKEY *key;
	X509 *x = sign_fx_person(ca, JMBG, -3600, 86400, 7, NULL, &key);
	unsigned char *f;
	size_t len;
	double t0;
	int i;

	if (rsa != NULL) { /* the same certificate for the RSA key */
		X509_set_pubkey(x, rsa);
		X509_sign(x, ca->key, EVP_sha256());
		EVP_PKEY_free(key);
		key = rsa;
		EVP_PKEY_up_ref(key);
	}
	f = sign_fx_pdf(orig, olen, x, key, ca->cert, NULL, &len);
	t0 = now_ms();
	for (i = 0; i < n; i++) {
		if (sign_verify(t, f, len, orig, olen, &in, &r) != SIGN_OK) {
			fprintf(stderr, "sign_verify: %s\n", sign_result_key(&r));
			exit(1);
		}
		sign_result_free(&r);
	}
	t0 = (now_ms() - t0) / n;
	free(f);
	X509_free(x);
	EVP_PKEY_free(key);
	return t0;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	char pem[] = "/tmp/qcra-bench-sign-XXXXXX", err[256];
	struct sign_fx_ca ca;
	struct sign_trust *t;
	unsigned char *orig, *big;
	size_t olen, blen = 60 * 1024;
	EVP_PKEY *rsa = EVP_RSA_gen(2048);
	int fd;

	if (n < 1 || sign_fx_ca_make(&ca, "Bench CA") != 0 || (fd = mkstemp(pem)) < 0)
		return 1;
	if (sign_fx_ca_write(&ca, pem) != 0 || (t = sign_trust_load(NULL, pem, err, sizeof(err))) == NULL)
		return 1;
	remove(pem);
	/* The issued PDF's size: its own bytes, then filler in a comment. */
	orig = sign_fx_orig(1, &olen);
	big = malloc(blen);
	memset(big, 'x', blen);
	memcpy(big, orig, olen);
	big[olen] = '%';
	memcpy(big + blen - 6, "%%EOF\n", 6);
	big[blen - 7] = '\n';
	printf("ec_ms=%.3f rsa_ms=%.3f n=%d bytes=%zu\n", run(&ca, t, big, blen, NULL, n),
	       run(&ca, t, big, blen, rsa, n), n, blen);
	EVP_PKEY_free(rsa);
	free(big);
	free(orig);
	sign_trust_free(t);
	sign_fx_ca_free(&ca);
	return 0;
}
