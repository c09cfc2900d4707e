/*
 * Signed PDFs for the tests (sign_fx.h).
 */
#include "sign_fx.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/ocsp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#define SIG_HEX 16384 /* the zeroed /Contents reserved, hex digits */

static EVP_PKEY *new_key(void)
{
	return EVP_EC_gen("P-256");
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *v)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_conf_nid(NULL, &ctx, nid, v);
	if (e == NULL)
		return -1;
	X509_add_ext(x, e, -1);
	X509_EXTENSION_free(e);
	return 0;
}

static X509 *new_cert(X509_NAME *subject, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *signer,
		      long serial, long from, long to)
{
	X509 *x = X509_new();

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_set_subject_name(x, subject);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject);
	X509_gmtime_adj(X509_getm_notBefore(x), from);
	X509_gmtime_adj(X509_getm_notAfter(x), to);
	X509_set_pubkey(x, pub);
	return x;
}

int sign_fx_ca_make(struct sign_fx_ca *ca, const char *cn)
{
	X509_NAME *n = X509_NAME_new();

	ca->key = new_key();
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"RS", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
	ca->cert = new_cert(n, ca->key, NULL, ca->key, 1, -86400, 365L * 86400);
	X509_NAME_free(n);
	add_ext(ca->cert, NULL, NID_basic_constraints, "critical,CA:TRUE");
	add_ext(ca->cert, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	add_ext(ca->cert, NULL, NID_subject_key_identifier, "hash");
	return X509_sign(ca->cert, ca->key, EVP_sha256()) > 0 ? 0 : -1;
}

void sign_fx_ca_free(struct sign_fx_ca *ca)
{
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	memset(ca, 0, sizeof(*ca));
}

int sign_fx_ca_write(const struct sign_fx_ca *ca, const char *path)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (f == NULL)
		return -1;
	ok = PEM_write_X509(f, ca->cert);
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* sn: the subject serialNumber (NULL: none). */
static X509 *person(const struct sign_fx_ca *ca, const char *sn, long from, long to, long serial,
		    const char *crl_url, const char *ocsp_url, EVP_PKEY **key)
{
	X509_NAME *n = X509_NAME_new();
	char v[300];
	X509 *x;

	*key = new_key();
	X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)"RS", -1, -1, 0);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"Petar Petrović",
				   -1, -1, 0);
	if (sn != NULL)
		X509_NAME_add_entry_by_txt(n, "serialNumber", MBSTRING_ASC,
					   (const unsigned char *)sn, -1, -1, 0);
	x = new_cert(n, *key, ca ? ca->cert : NULL, ca ? ca->key : *key, serial, from, to);
	X509_NAME_free(n);
	add_ext(x, ca ? ca->cert : NULL, NID_key_usage, "critical,digitalSignature,nonRepudiation");
	if (ca != NULL)
		add_ext(x, ca->cert, NID_authority_key_identifier, "keyid");
	if (crl_url != NULL) {
		snprintf(v, sizeof(v), "URI:%s", crl_url);
		add_ext(x, ca ? ca->cert : NULL, NID_crl_distribution_points, v);
	}
	if (ocsp_url != NULL) {
		snprintf(v, sizeof(v), "OCSP;URI:%s", ocsp_url);
		add_ext(x, ca ? ca->cert : NULL, NID_info_access, v);
	}
	X509_sign(x, ca ? ca->key : *key, EVP_sha256());
	return x;
}

X509 *sign_fx_person(const struct sign_fx_ca *ca, const char *jmbg, long from, long to, long serial,
		     const char *crl_url, EVP_PKEY **key)
{
	char sn[32];

	snprintf(sn, sizeof(sn), "PNORS-%s", jmbg);
	return person(ca, sn, from, to, serial, crl_url, NULL, key);
}

X509 *sign_fx_person_sn(const struct sign_fx_ca *ca, const char *sn, long serial,
			const char *crl_url, EVP_PKEY **key)
{
	return person(ca, sn, -3600, 86400, serial, crl_url, NULL, key);
}

X509 *sign_fx_person_ocsp(const struct sign_fx_ca *ca, const char *jmbg, long serial,
			  const char *ocsp_url, EVP_PKEY **key)
{
	char sn[32];

	snprintf(sn, sizeof(sn), "PNORS-%s", jmbg);
	return person(ca, sn, -3600, 86400, serial, NULL, ocsp_url, key);
}

unsigned char *sign_fx_crl(const struct sign_fx_ca *ca, const long *serials, size_t n, size_t *len)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_adj(NULL, time(NULL), 0, -60);
	ASN1_TIME *next = ASN1_TIME_adj(NULL, time(NULL), 1, 0);
	unsigned char *der = NULL, *out;
	int dlen;

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->cert));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_set1_nextUpdate(crl, next);
	for (size_t i = 0; i < n; i++) {
		X509_REVOKED *r = X509_REVOKED_new();
		ASN1_INTEGER *sn = ASN1_INTEGER_new();

		ASN1_INTEGER_set(sn, serials[i]);
		X509_REVOKED_set_serialNumber(r, sn);
		X509_REVOKED_set_revocationDate(r, t);
		X509_CRL_add0_revoked(crl, r);
		ASN1_INTEGER_free(sn);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, ca->key, EVP_sha256());
	dlen = i2d_X509_CRL(crl, &der);
	out = malloc((size_t)dlen);
	memcpy(out, der, (size_t)dlen);
	*len = (size_t)dlen;
	OPENSSL_free(der);
	ASN1_TIME_free(t);
	ASN1_TIME_free(next);
	X509_CRL_free(crl);
	return out;
}

unsigned char *sign_fx_orig(int seed, size_t *len)
{
	char *s = malloc(512);
	int n = snprintf(s, 512,
			 "%%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 2 0 R>> endobj\n"
			 "2 0 obj <</Type/Pages/Kids []/Count 0>> endobj\n"
			 "3 0 obj (Zahtev za izdavanje sertifikata, porudzbina %d) endobj\n"
			 "xref\n0 4\ntrailer <</Size 4/Root 1 0 R>>\nstartxref\n9\n%%%%EOF\n",
			 seed);

	*len = (size_t)n;
	return (unsigned char *)s;
}

unsigned char *sign_fx_pdf(const unsigned char *orig, size_t orig_len, X509 *cert, EVP_PKEY *key,
			   X509 *chain, const EVP_MD *md, size_t *len)
{
	static const char tail[] = ">>\nendobj\nxref\n0 1\n0000000000 65535 f \n"
				   "trailer <</Size 5/Root 1 0 R/Prev 9>>\nstartxref\n9\n%%EOF\n";
	char head[256];
	size_t b = 0, c = 0, total = 0, i;
	unsigned char *f, *der = NULL;
	int n = 0, dlen;
	BIO *in;
	CMS_ContentInfo *cms;
	unsigned char *range;

	for (int pass = 0; pass < 2; pass++) {
		n = snprintf(
			head, sizeof(head),
			"\n4 0 obj\n<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/ETSI.CAdES.detached"
			"/ByteRange [0 %010zu %010zu %010zu]/Contents ",
			pass ? b : 0, pass ? c : 0, pass ? total - c : 0);
		b = orig_len + (size_t)n;
		c = b + SIG_HEX + 2;
		total = c + sizeof(tail) - 1;
	}
	f = malloc(total);
	memcpy(f, orig, orig_len);
	memcpy(f + orig_len, head, (size_t)n);
	f[b] = '<';
	memset(f + b + 1, '0', SIG_HEX);
	f[c - 1] = '>';
	memcpy(f + c, tail, sizeof(tail) - 1);
	/* The two ranges, signed as one detached content. */
	range = malloc(b + total - c);
	memcpy(range, f, b);
	memcpy(range + b, f + c, total - c);
	in = BIO_new_mem_buf(range, (int)(b + total - c));
	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_DETACHED | CMS_BINARY | CMS_PARTIAL);
	CMS_add1_signer(cms, cert, key, md ? md : EVP_sha256(), CMS_BINARY);
	if (chain != NULL)
		CMS_add1_cert(cms, chain);
	CMS_final(cms, in, NULL, CMS_DETACHED | CMS_BINARY);
	dlen = i2d_CMS_ContentInfo(cms, &der);
	for (i = 0; i < (size_t)dlen && 2 * i + 1 < SIG_HEX; i++)
		snprintf((char *)f + b + 1 + 2 * i, 3, "%02X", der[i]);
	f[b + 1 + 2 * i] = i < SIG_HEX / 2 ? '0' : f[b + 1 + 2 * i];
	OPENSSL_free(der);
	CMS_ContentInfo_free(cms);
	BIO_free(in);
	free(range);
	*len = total;
	return f;
}

struct served {
	int fd;
	const unsigned char *body;
	size_t len;
};

/* One answer per connection, whatever was asked. */
static void *serve(void *arg)
{
	struct served *sv = arg;
	char req[2048], head[128];
	int c, n;

	while ((c = accept(sv->fd, NULL, NULL)) >= 0) {
		n = snprintf(head, sizeof(head),
			     "HTTP/1.0 200 OK\r\nContent-Type: application/pkix-crl\r\n"
			     "Content-Length: %zu\r\n\r\n",
			     sv->len);
		if (read(c, req, sizeof(req)) > 0 && write(c, head, (size_t)n) == n)
			(void)!write(c, sv->body, sv->len);
		close(c);
	}
	return NULL;
}

/* A loopback listener served by fn(arg) from a thread of its own; its
 * port in *port.  The listening socket goes to *fd first.  0 or -1. */
static int listen_loopback(void *(*fn)(void *), void *arg, int *fd, unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	pthread_t t;

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(*fd, 8) != 0 ||
	    getsockname(*fd, (struct sockaddr *)&a, &alen) != 0 ||
	    pthread_create(&t, NULL, fn, arg) != 0)
		return -1;
	pthread_detach(t);
	*port = ntohs(a.sin_port);
	return 0;
}

int sign_fx_serve(const unsigned char *body, size_t len, char *url, size_t size)
{
	struct served *sv = malloc(sizeof(*sv));
	unsigned char *copy = malloc(len ? len : 1);
	unsigned port;

	if (sv == NULL || copy == NULL) {
		free(sv);
		free(copy);
		return -1;
	}
	/* The thread serves until the process ends: its own copy, so the
	 * caller may free body (ThreadSanitizer saw the race). */
	memcpy(copy, body, len);
	sv->body = copy;
	sv->len = len;
	if (listen_loopback(serve, sv, &sv->fd, &port) != 0)
		return -1;
	snprintf(url, size, "http://127.0.0.1:%u/ca.crl", port);
	return 0;
}

struct responder {
	int fd;
	const struct sign_fx_ca *ca;
	long revoked;
};

/* The OCSP answer to the request der (len bytes), DER in *out. */
static int ocsp_answer(const struct responder *rs, const unsigned char *der, long len,
		       unsigned char **out)
{
	OCSP_REQUEST *req = d2i_OCSP_REQUEST(NULL, &der, len);
	OCSP_BASICRESP *bs = OCSP_BASICRESP_new();
	OCSP_RESPONSE *resp;
	ASN1_TIME *now = X509_gmtime_adj(NULL, 0), *next = X509_gmtime_adj(NULL, 3600);
	ASN1_INTEGER *sn;
	OCSP_CERTID *id;
	long serial;
	int n = -1;

	if (req != NULL && OCSP_request_onereq_count(req) == 1) {
		id = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0));
		OCSP_id_get0_info(NULL, NULL, NULL, &sn, id);
		serial = ASN1_INTEGER_get(sn);
		OCSP_basic_add1_status(
			bs, id,
			serial == rs->revoked ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_GOOD,
			serial == rs->revoked ? OCSP_REVOKED_STATUS_KEYCOMPROMISE : 0,
			serial == rs->revoked ? now : NULL, now, next);
		OCSP_copy_nonce(bs, req);
		OCSP_basic_sign(bs, rs->ca->cert, rs->ca->key, EVP_sha256(), NULL, 0);
		resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
		n = i2d_OCSP_RESPONSE(resp, out);
		OCSP_RESPONSE_free(resp);
	}
	ASN1_TIME_free(now);
	ASN1_TIME_free(next);
	OCSP_BASICRESP_free(bs);
	OCSP_REQUEST_free(req);
	return n;
}

/* Reads a POST whole (head and Content-Length body), answers it. */
static void *respond(void *arg)
{
	struct responder *rs = arg;
	char req[8192], head[160], *body, *cl;
	unsigned char *der;
	size_t got;
	ssize_t k;
	int c, n;

	while ((c = accept(rs->fd, NULL, NULL)) >= 0) {
		got = 0;
		body = NULL;
		while (got < sizeof(req) - 1 &&
		       (k = read(c, req + got, sizeof(req) - 1 - got)) > 0) {
			got += (size_t)k;
			req[got] = '\0';
			body = strstr(req, "\r\n\r\n");
			cl = strcasestr(req, "Content-Length:");
			if (body != NULL && cl != NULL &&
			    got >= (size_t)(body + 4 - req) + strtoul(cl + 15, NULL, 10))
				break;
		}
		der = NULL;
		if (body != NULL &&
		    (n = ocsp_answer(rs, (unsigned char *)body + 4,
				     (long)(got - (size_t)(body + 4 - req)), &der)) > 0) {
			int h = snprintf(
				head, sizeof(head),
				"HTTP/1.0 200 OK\r\nContent-Type: application/ocsp-response\r\n"
				"Content-Length: %d\r\n\r\n",
				n);

			if (write(c, head, (size_t)h) == h)
				(void)!write(c, der, (size_t)n);
		}
		OPENSSL_free(der);
		close(c);
	}
	return NULL;
}

int sign_fx_ocsp_serve(const struct sign_fx_ca *ca, long revoked, char *url, size_t size)
{
	struct responder *rs = malloc(sizeof(*rs));
	unsigned port;

	if (rs == NULL)
		return -1;
	rs->ca = ca;
	rs->revoked = revoked;
	if (listen_loopback(respond, rs, &rs->fd, &port) != 0)
		return -1;
	snprintf(url, size, "http://127.0.0.1:%u/ocsp", port);
	return 0;
}

int sign_fx_trusted_make(struct sign_fx_trusted *t, const char *cn, long revoked)
{
	int fd;

	if (sign_fx_ca_make(&t->ca, cn) != 0)
		return -1;
	t->crl = sign_fx_crl(&t->ca, &revoked, 1, &t->crl_len);
	if (sign_fx_serve(t->crl, t->crl_len, t->crl_url, sizeof(t->crl_url)) != 0)
		return -1;
	snprintf(t->pem, sizeof(t->pem), "/tmp/qcra-trusted-XXXXXX");
	if ((fd = mkstemp(t->pem)) < 0)
		return -1;
	close(fd);
	return sign_fx_ca_write(&t->ca, t->pem);
}

void sign_fx_trusted_free(struct sign_fx_trusted *t)
{
	if (t->pem[0])
		unlink(t->pem);
	sign_fx_ca_free(&t->ca);
	free(t->crl);
}
