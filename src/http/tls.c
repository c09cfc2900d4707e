/*
 * The certificate the portal serves over HTTPS, replaceable while it
 * runs (tls.h).  The pair published last is an atomic pointer read at
 * each handshake; publishing happens under a lock (one reload at a
 * time) and links the previous pair behind the new one, to be freed
 * only by tls_identity_clear.
 */
#include "http/tls.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gnutls/x509.h>

#define TLS_MAX_CHAIN 8

struct tls_pair {
	gnutls_pcert_st pcert[TLS_MAX_CHAIN];
	unsigned int npcert;
	gnutls_privkey_t key;
	struct tls_pair *older; /* published before this one */
};

static _Atomic(struct tls_pair *) current;
static pthread_mutex_t publish_lock = PTHREAD_MUTEX_INITIALIZER;

static void pair_free(struct tls_pair *p)
{
	unsigned int i;

	if (p == NULL)
		return;
	for (i = 0; i < p->npcert; i++)
		gnutls_pcert_deinit(&p->pcert[i]);
	if (p->key != NULL)
		gnutls_privkey_deinit(p->key);
	free(p);
}

/* 1 when p's key is the public key of its first certificate. */
static int key_matches(const struct tls_pair *p)
{
	gnutls_pubkey_t pub = NULL;
	gnutls_datum_t a = {NULL, 0}, b = {NULL, 0};
	int same = 0;

	if (gnutls_pubkey_init(&pub) == 0 && gnutls_pubkey_import_privkey(pub, p->key, 0, 0) == 0 &&
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &a) == 0 &&
	    gnutls_pubkey_export2(p->pcert[0].pubkey, GNUTLS_X509_FMT_DER, &b) == 0)
		same = a.size == b.size && memcmp(a.data, b.data, a.size) == 0;
	gnutls_free(a.data);
	gnutls_free(b.data);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return same;
}

/* "subject, valid until ..." of p's first certificate into out. */
static void describe(const struct tls_pair *p, char *out, size_t size)
{
	gnutls_x509_crt_t crt = NULL;
	gnutls_datum_t dn = {NULL, 0};
	char until[32] = "?";
	time_t end = (time_t)-1;
	struct tm tm;

	if (gnutls_x509_crt_init(&crt) == 0 &&
	    gnutls_x509_crt_import(crt, &p->pcert[0].cert, GNUTLS_X509_FMT_DER) == 0) {
		gnutls_x509_crt_get_dn3(crt, &dn, 0);
		end = gnutls_x509_crt_get_expiration_time(crt);
	}
	if (end != (time_t)-1 && gmtime_r(&end, &tm) != NULL)
		strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(out, size, "%s, %u in chain, valid until %s%s",
		 dn.data != NULL ? (const char *)dn.data : "?", p->npcert, until,
		 end != (time_t)-1 && end < time(NULL) ? " (EXPIRED)" : "");
	gnutls_free(dn.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
}

int tls_identity_set(const char *cert_pem, const char *key_pem, char *what, size_t whatlen,
		     char *err, size_t errlen)
{
	gnutls_datum_t c = {(unsigned char *)(uintptr_t)cert_pem, (unsigned int)strlen(cert_pem)};
	gnutls_datum_t k = {(unsigned char *)(uintptr_t)key_pem, (unsigned int)strlen(key_pem)};
	struct tls_pair *p = calloc(1, sizeof(*p));
	unsigned int n = TLS_MAX_CHAIN;
	int rc;

	if (p == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* In order: the server's certificate, then each issuer. */
	if ((rc = gnutls_pcert_list_import_x509_raw(p->pcert, &n, &c, GNUTLS_X509_FMT_PEM,
						    GNUTLS_X509_CRT_LIST_FAIL_IF_UNSORTED)) < 0) {
		snprintf(err, errlen, "tls_cert: %s", gnutls_strerror(rc));
		goto fail;
	}
	p->npcert = n;
	if ((rc = gnutls_privkey_init(&p->key)) < 0 ||
	    (rc = gnutls_privkey_import_x509_raw(p->key, &k, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
		snprintf(err, errlen, "tls_key: %s", gnutls_strerror(rc));
		goto fail;
	}
	if (!key_matches(p)) {
		snprintf(err, errlen, "tls_key: not the key of the certificate in tls_cert");
		goto fail;
	}
	describe(p, what, whatlen);
	pthread_mutex_lock(&publish_lock);
	p->older = atomic_load_explicit(&current, memory_order_relaxed);
	atomic_store_explicit(&current, p, memory_order_release);
	pthread_mutex_unlock(&publish_lock);
	return 0;
fail:
	pair_free(p);
	return -1;
}

void tls_identity_clear(void)
{
	struct tls_pair *p, *older;

	pthread_mutex_lock(&publish_lock);
	p = atomic_exchange_explicit(&current, NULL, memory_order_acq_rel);
	pthread_mutex_unlock(&publish_lock);
	for (; p != NULL; p = older) {
		older = p->older;
		pair_free(p);
	}
}

int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
		 const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
		 gnutls_pcert_st **pcert, unsigned int *pcert_length, gnutls_privkey_t *privkey)
{
	struct tls_pair *p = atomic_load_explicit(&current, memory_order_acquire);

	(void)session;
	(void)req_ca_rdn;
	(void)nreqs;
	(void)pk_algos;
	(void)pk_algos_length;
	if (p == NULL)
		return -1; /* ends the handshake */
	/* Borrowed: GnuTLS frees neither (the pair outlives the session). */
	*pcert = p->pcert;
	*pcert_length = p->npcert;
	*privkey = p->key;
	return 0;
}
