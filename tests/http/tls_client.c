/* The TLS client of the TLS profile tests (tls_client.h). */
#include "tls_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>

int tls_tcp_connect(int port)
{
	struct sockaddr_in sin;
	struct timeval tv = {10, 0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return -1;
	/* A server that stops reading must not hang the test in send(). */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

void tls_close(struct tls_conn *t)
{
	if (t->ssl != NULL)
		SSL_free(t->ssl);
	if (t->ctx != NULL)
		SSL_CTX_free(t->ctx);
	if (t->fd >= 0)
		close(t->fd);
	t->ssl = NULL;
	t->ctx = NULL;
	t->fd = -1;
}

int tls_open_offer(struct tls_conn *t, int port, const struct tls_offer *o)
{
	t->fd = -1;
	t->ssl = NULL;
	if ((t->ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return -1;
	/* Level 0: the client must be able to offer what the server
	 * should refuse (TLS 1.0, SHA-1 suites). */
	SSL_CTX_set_security_level(t->ctx, 0);
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_NONE, NULL);
	if (SSL_CTX_set_min_proto_version(t->ctx, o->min) != 1 ||
	    SSL_CTX_set_max_proto_version(t->ctx, o->max) != 1 ||
	    (o->ciphers != NULL && SSL_CTX_set_cipher_list(t->ctx, o->ciphers) != 1) ||
	    (o->suites13 != NULL && SSL_CTX_set_ciphersuites(t->ctx, o->suites13) != 1) ||
	    (o->cert != NULL && SSL_CTX_use_certificate_chain_file(t->ctx, o->cert) != 1) ||
	    (o->key != NULL &&
	     SSL_CTX_use_PrivateKey_file(t->ctx, o->key, SSL_FILETYPE_PEM) != 1)) {
		ERR_clear_error();
		tls_close(t);
		return -1;
	}
	if ((t->fd = tls_tcp_connect(port)) < 0 || (t->ssl = SSL_new(t->ctx)) == NULL) {
		tls_close(t);
		return -1;
	}
	if (o->scsv)
		SSL_set_mode(t->ssl, SSL_MODE_SEND_FALLBACK_SCSV);
	SSL_set_fd(t->ssl, t->fd);
	if (SSL_connect(t->ssl) != 1) {
		ERR_clear_error();
		tls_close(t);
		return 0;
	}
	return 1;
}

int tls_get(struct tls_conn *t, const char *path)
{
	char req[256], buf[8192];
	size_t len = 0;
	const char *end, *cl;
	long want = -1;
	int n, status = -1;

	snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	if (SSL_write(t->ssl, req, (int)strlen(req)) != (int)strlen(req))
		return -1;
	for (;;) {
		if (len + 1 >= sizeof(buf))
			return -1;
		if ((n = SSL_read(t->ssl, buf + len, (int)(sizeof(buf) - 1 - len))) <= 0) {
			ERR_clear_error();
			return -1;
		}
		len += (size_t)n;
		buf[len] = '\0';
		if ((end = strstr(buf, "\r\n\r\n")) == NULL)
			continue;
		if (want < 0) {
			if (sscanf(buf, "HTTP/1.1 %d", &status) != 1)
				return -1;
			if ((cl = strcasestr(buf, "\r\nContent-Length:")) == NULL || cl > end)
				return -1;
			want = strtol(cl + 17, NULL, 10);
		}
		if ((long)(len - (size_t)(end + 4 - buf)) >= want)
			return status;
	}
}

long tls_cpu_ticks(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long ut = 0, st = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(line, sizeof(line), fp);
	fclose(fp);
	/* Fields 14 and 15, counted after the ")" that ends the name. */
	if (p == NULL || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (long)(ut + st);
}

/* The profile both servers keep (http/tls.h TLS_PRIORITIES): in TLS 1.2
 * ECDHE with AES-GCM or ChaCha20-Poly1305 (ECDSA ones, for the tests'
 * ECDSA certificates); in TLS 1.3 GCM and ChaCha20, not CCM. */
static const char *const ok12[] = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
				   "ECDHE-ECDSA-CHACHA20-POLY1305", NULL};
static const struct {
	const char *name;
	int taken;
} suites13[] = {
	{"TLS_AES_128_GCM_SHA256", 1},       {"TLS_AES_256_GCM_SHA384", 1},
	{"TLS_CHACHA20_POLY1305_SHA256", 1}, {"TLS_AES_128_CCM_SHA256", 0},
	{"TLS_AES_128_CCM_8_SHA256", 0},
};

int tls_profile_mismatches(int port, const struct tls_offer *base, int *tried12, int *taken12)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	STACK_OF(SSL_CIPHER) * all;
	struct tls_offer o = *base;
	struct tls_conn t;
	int bad = 0, want, got;

	*tried12 = *taken12 = 0;
	if (ctx == NULL)
		return -1;
	SSL_CTX_set_security_level(ctx, 0);
	if (SSL_CTX_set_cipher_list(ctx, "ALL:COMPLEMENTOFALL") != 1) {
		SSL_CTX_free(ctx);
		return -1;
	}
	all = SSL_CTX_get_ciphers(ctx);
	o.min = o.max = TLS1_2_VERSION;
	o.suites13 = NULL;
	for (int i = 0; i < sk_SSL_CIPHER_num(all); i++) {
		const SSL_CIPHER *c = sk_SSL_CIPHER_value(all, i);

		if (strcmp(SSL_CIPHER_get_version(c), "TLSv1.3") == 0)
			continue; /* a TLS 1.3 suite: below */
		o.ciphers = SSL_CIPHER_get_name(c);
		want = 0;
		for (int k = 0; ok12[k] != NULL; k++)
			want |= strcmp(ok12[k], o.ciphers) == 0;
		if ((got = tls_open_offer(&t, port, &o)) < 0)
			continue; /* this OpenSSL cannot offer it alone */
		tls_close(&t);
		++*tried12;
		*taken12 += got;
		if (got != want) {
			fprintf(stderr, "TLS 1.2 %s: %s\n", o.ciphers, got ? "taken" : "refused");
			bad++;
		}
	}
	SSL_CTX_free(ctx);
	o.min = o.max = TLS1_3_VERSION;
	o.ciphers = NULL;
	for (size_t k = 0; k < sizeof(suites13) / sizeof(suites13[0]); k++) {
		o.suites13 = suites13[k].name;
		got = tls_open_offer(&t, port, &o);
		tls_close(&t);
		if (got != suites13[k].taken) {
			fprintf(stderr, "TLS 1.3 %s: %s\n", o.suites13,
				got > 0 ? "taken" : "refused");
			bad++;
		}
	}
	return bad;
}
