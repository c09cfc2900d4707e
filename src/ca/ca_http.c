/*
 * The CA's HTTP listeners on libmicrohttpd:
 *   - the RA API over TLS (GnuTLS inside libmicrohttpd, the portal's
 *     profile: http/tls.h TLS_PRIORITIES), where every
 *     request must come with the RA's client certificate: the chain must
 *     verify against the CA and the leaf must be exactly the RA's
 *     certificate (pinned by SHA-256); anyone else gets 403 before the
 *     body is read;
 *   - a plain HTTP listener for what relying parties fetch: the CRL,
 *     OCSP and the CA certificates (RFC 5280 and RFC 6960 expect http
 *     URLs there, to avoid a TLS dependency loop).
 */
#include "ca/ca_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <openssl/evp.h>

#include "ca/ca_cmp.h"
#include "http/tls.h"
#include "util/buf.h"
#include "util/log.h"

#define BODY_MAX (64 * 1024)
#define SEGMENT_MAX 64

struct ca_listener {
	struct MHD_Daemon *d;
	struct ca *ca;
	int tls;
	struct ca_cmp *cmp;       /* CMP server state (the ir/certConf transaction) */
	unsigned char ra_fpr[32]; /* SHA-256 of the RA certificate's DER */
	char *key, *cert, *trust; /* PEM given to libmicrohttpd, kept until stop */
};

struct request {
	struct buf body;
	int refused, too_big;
};

typedef int (*handler_fn)(struct ca_listener *l, struct MHD_Connection *c, char **args,
			  struct request *r);

struct route {
	const char *method;
	const char *pattern; /* '*' is one path segment */
	int ra_only;
	handler_fn fn;
};

/* ---- responses ---- */

static int reply(struct MHD_Connection *c, unsigned int status, const char *type, const void *data,
		 size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	int rc;

	if (resp == NULL)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	rc = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* Sends o (consumed) as JSON. */
static int reply_json(struct MHD_Connection *c, unsigned int status, json_t *o)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	int rc;

	json_decref(o);
	if (text == NULL)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json",
			     "{\"error\":\"internal\"}", 20);
	rc = reply(c, status, "application/json", text, strlen(text));
	free(text);
	return rc;
}

static int reply_error(struct MHD_Connection *c, unsigned int status, const char *code,
		       const char *message)
{
	return reply_json(c, status, json_pack("{s:s, s:s}", "error", code, "message", message));
}

static const unsigned int result_status[CA_RESULT__MAX] = {
	[CA_OK] = MHD_HTTP_OK,
	[CA_CREATED] = MHD_HTTP_CREATED,
	[CA_INVALID] = MHD_HTTP_BAD_REQUEST,
	[CA_NOT_FOUND] = MHD_HTTP_NOT_FOUND,
	[CA_CONFLICT] = MHD_HTTP_CONFLICT,
	[CA_FAILED] = MHD_HTTP_SERVICE_UNAVAILABLE,
};

/* ---- handlers ---- */

static int h_submit(struct ca_listener *l, struct MHD_Connection *c, char **args, struct request *r)
{
	json_t *o = NULL;
	enum ca_result res = ca_submit(l->ca, buf_cstr(&r->body), r->body.len, &o);

	return reply_json(c, result_status[res], o);
}

/* The answer of fn about the order named in the path (args[0]). */
static int reply_of_order(struct ca_listener *l, struct MHD_Connection *c, char **args,
			  enum ca_result (*fn)(struct ca *ca, const char *order_id, json_t **out))
{
	json_t *o = NULL;
	enum ca_result res = fn(l->ca, args[0], &o);

	return reply_json(c, result_status[res], o);
}

static int h_reg_get(struct ca_listener *l, struct MHD_Connection *c, char **args,
		     struct request *r)
{
	return reply_of_order(l, c, args, ca_registration_get);
}

static int h_revoke(struct ca_listener *l, struct MHD_Connection *c, char **args, struct request *r)
{
	json_t *o = NULL;
	enum ca_result res = ca_revoke(l->ca, args[0], buf_cstr(&r->body), r->body.len, &o);

	return reply_json(c, result_status[res], o);
}

static int h_shipments(struct ca_listener *l, struct MHD_Connection *c, char **args,
		       struct request *r)
{
	const char *state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
	json_t *o = NULL;
	enum ca_result res = ca_shipments(l->ca, args[0], state, &o);

	return reply_json(c, result_status[res], o);
}

static int h_receipt(struct ca_listener *l, struct MHD_Connection *c, char **args,
		     struct request *r)
{
	json_t *o = NULL;
	char *end;
	long long id = strtoll(args[0], &end, 10);
	enum ca_result res;

	if (*end != '\0' || id <= 0)
		return reply_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no shipment with this id");
	res = ca_shipment_receive(l->ca, id, &o);
	return reply_json(c, result_status[res], o);
}

/* der (malloc'd, len bytes; freed here) as a 200 of type; NULL: the
 * error status with code and text. */
static int reply_der(struct MHD_Connection *c, unsigned char *der, size_t len, const char *type,
		     unsigned int status, const char *code, const char *text)
{
	int rc;

	if (der == NULL)
		return reply_error(c, status, code, text);
	rc = reply(c, MHD_HTTP_OK, type, der, len);
	free(der);
	return rc;
}

static int h_crl(struct ca_listener *l, struct MHD_Connection *c, char **args, struct request *r)
{
	size_t len = 0;
	unsigned char *der = ca_crl_get(l->ca, &len);

	return reply_der(c, der, len, "application/pkix-crl", MHD_HTTP_SERVICE_UNAVAILABLE,
			 "ca_unavailable", "no CRL available");
}

static int h_ocsp(struct ca_listener *l, struct MHD_Connection *c, char **args, struct request *r)
{
	size_t len = 0;
	unsigned char *der =
		ca_ocsp_answer(l->ca, (const unsigned char *)r->body.data, r->body.len, &len);

	return reply_der(c, der, len, "application/ocsp-response", MHD_HTTP_INTERNAL_SERVER_ERROR,
			 "internal", "OCSP failed");
}

static int h_cmp_secret(struct ca_listener *l, struct MHD_Connection *c, char **args,
			struct request *r)
{
	return reply_of_order(l, c, args, ca_cmp_secret_new);
}

/* CMP over HTTP (RFC 6712): a DER PKIMessage in, one out. */
static int h_cmp(struct ca_listener *l, struct MHD_Connection *c, char **args, struct request *r)
{
	const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	size_t len = 0;
	unsigned char *der;

	if (type == NULL || strncmp(type, "application/pkixcmp", 19) != 0)
		return reply_error(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
				   "Content-Type must be application/pkixcmp");
	der = l->cmp != NULL ? ca_cmp_answer(l->cmp, (const unsigned char *)r->body.data,
					     r->body.len, &len)
			     : NULL;
	return reply_der(c, der, len, "application/pkixcmp", MHD_HTTP_BAD_REQUEST, "bad_request",
			 "not a CMP message that can be answered");
}

static int cert_reply(struct ca_listener *l, struct MHD_Connection *c, int root)
{
	size_t len = 0;
	unsigned char *der = ca_cert_der(l->ca, root, &len);

	return reply_der(c, der, len, "application/pkix-cert", MHD_HTTP_INTERNAL_SERVER_ERROR,
			 "internal", "no certificate");
}

static int h_root(struct ca_listener *l, struct MHD_Connection *c, char **args, struct request *r)
{
	return cert_reply(l, c, 1);
}

static int h_issuing(struct ca_listener *l, struct MHD_Connection *c, char **args,
		     struct request *r)
{
	return cert_reply(l, c, 0);
}

static const struct route routes[] = {
	{"POST", "/v1/registrations", 1, h_submit},
	{"GET", "/v1/registrations/*", 1, h_reg_get},
	{"POST", "/v1/registrations/*/revoke", 1, h_revoke},
	{"POST", "/v1/registrations/*/cmp-secret", 1, h_cmp_secret},
	{"GET", "/v1/offices/*/shipments", 1, h_shipments},
	{"POST", "/v1/shipments/*/receipt", 1, h_receipt},
	{"GET", "/crl", 0, h_crl},
	{"POST", "/ocsp", 0, h_ocsp},
	{"POST", "/cmp", 0, h_cmp},
	{"GET", "/ca/root.crt", 0, h_root},
	{"GET", "/ca/issuing.crt", 0, h_issuing},
};

/* Matches url against pattern; each '*' takes one segment of
 * [A-Za-z0-9._-]{1,64}, copied into args (SEGMENT_MAX + 1 each).
 * 1 or 0. */
static int route_match(const char *pattern, const char *url, char args[][SEGMENT_MAX + 1],
		       int maxargs)
{
	int n = 0;

	while (*pattern != '\0') {
		if (*pattern == '*') {
			size_t len =
				strspn(url, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					    "0123456789._-");

			if (len == 0 || len > SEGMENT_MAX || n >= maxargs)
				return 0;
			memcpy(args[n], url, len);
			args[n++][len] = '\0';
			url += len;
			pattern++;
		} else if (*pattern++ != *url++)
			return 0;
	}
	return *url == '\0';
}

/* 1 when the TLS peer presented the RA's certificate, valid under the
 * CA (the trust list given to libmicrohttpd). */
static int client_is_ra(struct ca_listener *l, struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	const gnutls_datum_t *peers;
	unsigned int status = 0, n = 0;
	unsigned char fpr[32];
	unsigned int fprlen = sizeof(fpr);
	gnutls_session_t tls;

	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	tls = (gnutls_session_t)ci->tls_session;
	if (gnutls_certificate_verify_peers2(tls, &status) != GNUTLS_E_SUCCESS || status != 0)
		return 0;
	peers = gnutls_certificate_get_peers(tls, &n);
	if (peers == NULL || n == 0 ||
	    EVP_Digest(peers[0].data, peers[0].size, fpr, &fprlen, EVP_sha256(), NULL) != 1)
		return 0;
	return fprlen == sizeof(fpr) && CRYPTO_memcmp(fpr, l->ra_fpr, sizeof(fpr)) == 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct ca_listener *l = cls;
	struct request *r = *con_cls;
	char segs[2][SEGMENT_MAX + 1], *args[2] = {segs[0], segs[1]};
	int path_known = 0;
	size_t i;

	if (r == NULL) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");

		r = calloc(1, sizeof(*r));
		if (r == NULL)
			return MHD_NO;
		*con_cls = r;
		if (l->tls && !client_is_ra(l, c)) {
			log_warnx("CA API: refused a client without the RA certificate");
			r->refused = 1;
			return (enum MHD_Result)reply_error(
				c, MHD_HTTP_FORBIDDEN, "forbidden",
				"only the RA's client certificate is accepted");
		}
		if (cl != NULL && strtoull(cl, NULL, 10) > BODY_MAX) {
			r->too_big = 1;
			return (enum MHD_Result)reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
							    "too_large", "body too large");
		}
		return MHD_YES;
	}
	if (r->refused || r->too_big) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (r->body.len + *upload_size > BODY_MAX)
			r->too_big = 1;
		else
			buf_append(&r->body, upload, *upload_size);
		*upload_size = 0;
		if (r->too_big)
			return (enum MHD_Result)reply_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
							    "too_large", "body too large");
		return MHD_YES;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if ((routes[i].ra_only && !l->tls) || !route_match(routes[i].pattern, url, segs, 2))
			continue;
		path_known = 1;
		if (strcmp(routes[i].method, method) == 0)
			return (enum MHD_Result)routes[i].fn(l, c, args, r);
	}
	if (path_known)
		return (enum MHD_Result)reply_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
						    "method_not_allowed", "method not allowed");
	return (enum MHD_Result)reply_error(c, MHD_HTTP_NOT_FOUND, "not_found", "no such resource");
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct request *r = *con_cls;

	if (r == NULL)
		return;
	buf_free(&r->body);
	free(r);
	*con_cls = NULL;
}

/* Binds and listens on addr:port.  The socket, or -1 (err set). */
static int listen_on(const char *addr, unsigned short port, char *err, size_t errlen)
{
	struct addrinfo hints, *ai = NULL;
	char portstr[8];
	int fd = -1, one = 1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%u", port);
	rc = getaddrinfo(addr, portstr, &hints, &ai);
	if (rc != 0) {
		snprintf(err, errlen, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 128) != 0) {
		snprintf(err, errlen, "cannot listen on %s:%u: %s", addr, port, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	buf_cstr(&b);
	return buf_detach(&b);
}

struct ca_listener *ca_http_start(struct ca *ca, const struct ca_conf *c, int tls, char *err,
				  size_t errlen)
{
	struct ca_listener *l = calloc(1, sizeof(*l));
	char path[PATH_MAX + 32];
	char *key = NULL, *cert = NULL, *trust = NULL;
	unsigned char *der = NULL;
	unsigned int fprlen = sizeof(l->ra_fpr);
	int fd, derlen;
	X509 *ra;

	if (l == NULL)
		return NULL;
	l->ca = ca;
	l->tls = tls;
	l->cmp = ca_cmp_new(ca);
	if (l->cmp == NULL) {
		snprintf(err, errlen, "cannot set up the CMP server");
		free(l);
		return NULL;
	}
	fd = listen_on(tls ? c->listen_addr : c->public_addr, tls ? c->listen_port : c->public_port,
		       err, errlen);
	if (fd < 0)
		goto err;
	if (!tls) {
		l->d = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, l,
			MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
			(unsigned int)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, l, MHD_OPTION_END);
		goto started;
	}
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		snprintf(err, errlen, "libmicrohttpd was built without TLS");
		close(fd);
		goto err;
	}
	ca_path(c, "tls/server.key", path, sizeof(path));
	key = read_file(path);
	ca_path(c, "tls/server.pem", path, sizeof(path));
	cert = read_file(path);
	ca_path(c, "chain.pem", path, sizeof(path));
	trust = read_file(path);
	ca_path(c, "ra/ra.pem", path, sizeof(path));
	ra = ca_cert_read(path);
	derlen = ra != NULL ? i2d_X509(ra, &der) : -1;
	X509_free(ra);
	if (key == NULL || cert == NULL || trust == NULL || derlen <= 0 ||
	    EVP_Digest(der, (size_t)derlen, l->ra_fpr, &fprlen, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "%s: cannot read the TLS key, certificates or RA certificate",
			 c->dir);
		close(fd);
		goto err;
	}
	l->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, on_request, l,
		MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_HTTPS_MEM_KEY, key,
		MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_TRUST, trust,
		/* The portal's profile (TLS 1.2 and 1.3, ECDHE with AEAD, the
		 * server's order); the RA's certificate is asked for. */
		MHD_OPTION_HTTPS_PRIORITIES, TLS_PRIORITIES, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(128 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, l, MHD_OPTION_END);
started:
	if (l->d == NULL) {
		snprintf(err, errlen, "cannot start the %s listener", tls ? "TLS" : "public");
		close(fd);
		goto err;
	}
	l->key = key;
	l->cert = cert;
	l->trust = trust;
	OPENSSL_free(der);
	return l;
err:
	if (key != NULL)
		OPENSSL_cleanse(key, strlen(key));
	free(key);
	free(cert);
	free(trust);
	OPENSSL_free(der);
	ca_cmp_free(l->cmp);
	free(l);
	return NULL;
}

void ca_http_stop(struct ca_listener *l)
{
	if (l == NULL)
		return;
	MHD_stop_daemon(l->d);
	ca_cmp_free(l->cmp);
	if (l->key != NULL)
		OPENSSL_cleanse(l->key, strlen(l->key));
	free(l->key);
	free(l->cert);
	free(l->trust);
	free(l);
}
