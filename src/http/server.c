/*
 * libmicrohttpd glue: request lifecycle, body limits, response headers
 * common to every response, the access log, graceful shutdown.  The
 * listening socket belongs to the gate (gate.c), which hands over
 * connections whose first head it has checked; what handlers read and
 * write on a request is request.c.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/gate.h"
#include "http/headers.h"
#include "http/tls.h"
#include "util/log.h"

/*
 * Request heads up to HTTP_MAX_HEAD bytes (the empty line included) are
 * served, larger ones get 431 before any handler runs; a target over
 * HTTP_MAX_TARGET gets 414.  libmicrohttpd keeps the head and the
 * response head in one pool per connection (POOL_BYTES): it is sized so
 * that the largest head accepted, split into the most header lines
 * accepted, still leaves room for the largest response head
 * (HTTP_MAX_RESPONSE_HEAD), so a handler that runs can always answer.
 */
#define HTTP_MAX_HEAD 8192
#define HTTP_MAX_TARGET 4096
#define HTTP_MAX_RESPONSE_HEAD 4096
#define POOL_BYTES (32 * 1024)

struct http_server {
	struct MHD_Daemon *d;
	struct gate *gate;
	struct http_server_conf conf;
	unsigned short port;
	atomic_int inflight;
};

/* libmicrohttpd's first look at a request (its raw target, before it
 * splits off the query and decodes in place), marked in con_cls: a NUL
 * would cut the path short (400); a target over HTTP_MAX_TARGET with
 * its query (414). */
static char uri_has_nul, uri_too_long;
#define URI_MARK(r) ((void *)(r) == &uri_has_nul || (void *)(r) == &uri_too_long)

uint64_t http_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static enum http_method method_of(const char *m)
{
	if (strcmp(m, "GET") == 0)
		return HTTP_GET;
	if (strcmp(m, "POST") == 0)
		return HTTP_POST;
	if (strcmp(m, "HEAD") == 0)
		return HTTP_HEAD;
	return HTTP_OTHER;
}

/*
 * A zeroed struct req, except for the arena's inline block (8 KiB of
 * its ~9): arena_alloc() zeroes what it hands out, so clearing the
 * block up front would only cost a memset per request.
 */
/*
 * A request id: 48 bits of a per-thread sequence seeded at random
 * (splitmix64), so ids do not repeat within a process and differ
 * between processes and instances.  Not a secret: nothing is allowed
 * by knowing one.
 */
static void req_id(char id[16])
{
	static _Thread_local uint64_t state;
	static const char hex[] = "0123456789abcdef";
	uint64_t z;
	int i, o = 0;

	if (state == 0)
		randombytes_buf(&state, sizeof(state));
	z = (state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	for (i = 0; i < 12; i++) {
		if (i > 0 && i % 4 == 0)
			id[o++] = '-';
		id[o++] = hex[(z >> (4 * i)) & 15];
	}
	id[o] = '\0';
}

static struct req *req_alloc(void)
{
	const size_t skip = offsetof(struct req, arena) + offsetof(struct arena, inline_buf);
	const size_t rest = offsetof(struct req, arena) + sizeof(struct arena);
	struct req *r = malloc(sizeof(*r));

	if (r == NULL)
		return NULL;
	memset(r, 0, skip);
	memset((char *)r + rest, 0, sizeof(*r) - rest);
	arena_init(&r->arena);
	req_id(r->id);
	return r;
}

static void addr_text(const struct sockaddr *sa, char *out, size_t size)
{
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
			  (socklen_t)size);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
			  out, (socklen_t)size);
}

int http_peer_addr(struct req *r, char *out, size_t size)
{
	const union MHD_ConnectionInfo *ci =
		r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD)
			: NULL;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	out[0] = '\0';
	if (ci == NULL || getpeername(ci->connect_fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	addr_text((const struct sockaddr *)&ss, out, size);
	return out[0] ? 0 : -1;
}

const char *http_peer_cert(struct req *r, size_t *len)
{
	const union MHD_ConnectionInfo *ci =
		r->cert_listener && r->conn
			? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION)
			: NULL;
	const gnutls_datum_t *peers;
	gnutls_datum_t pem;
	struct buf out = BUF_INIT;
	unsigned int i, n = 0;
	const char *text = NULL;

	*len = 0;
	if (ci == NULL || ci->tls_session == NULL ||
	    (peers = gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n)) == NULL)
		return NULL;
	for (i = 0; i < n && i < 8; i++)
		if (gnutls_pem_base64_encode2("CERTIFICATE", &peers[i], &pem) == 0) {
			buf_append(&out, pem.data, pem.size);
			gnutls_free(pem.data);
		}
	if (out.len > 0 && (text = arena_strndup(&r->arena, out.data, out.len)) != NULL)
		*len = out.len;
	buf_free(&out);
	return text;
}

static struct req *req_new(struct http_server *s, struct MHD_Connection *conn, const char *url,
			   const char *method)
{
	const union MHD_ConnectionInfo *ci;
	const char *cl;
	struct req *r = req_alloc();

	if (r == NULL)
		return NULL;
	r->conn = conn;
	r->app = s->conf.app;
	r->tls = s->conf.tls_cert_pem != NULL;
	r->cert_listener = s->conf.client_ca_pem != NULL;
	r->start_us = http_now_us();
	r->method = method_of(method);
	r->method_name = arena_strdup(&r->arena, method);
	r->path = arena_strdup(&r->arena, url);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL)
		addr_text(ci->client_addr, r->client_addr, sizeof(r->client_addr));
	if ((cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length")) != NULL)
		r->content_length = strtoull(cl, NULL, 10);
	r->body_deadline_us = r->start_us + 1000000ull * s->conf.body_secs;
	return r;
}

static void req_free(struct req *r)
{
	buf_free(&r->body);
	buf_free(&r->out);
	arena_free(&r->arena);
	free(r);
}

/* One access log line for r (aborted: the answer did not go out
 * whole); util/log.h escapes what the client sent (ASVS 16.4.1). */
static void access_log(const struct http_server *s, const struct req *r, int aborted)
{
	struct log_field f[8] = {
		{"method", r->method_name, 0},
		{"path", r->path, 0},
		{"status", NULL, r->status},
		{"us", NULL, (long long)(http_now_us() - r->start_us)},
		{"addr", r->client_addr, 0},
		{"rid", r->id, 0},
		{"aborted", NULL, 1},
	};

	if (!s->conf.access_log)
		return;
	log_event("info", "access", f, aborted ? 7 : 6);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;

	if (r == NULL || URI_MARK(r)) {
		*con_cls = NULL;
		return;
	}
	access_log(s, r, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	if (s->conf.done != NULL)
		s->conf.done(r, toe != MHD_REQUEST_TERMINATED_COMPLETED_OK);
	/* A body's deadline shortened the timeout: idle keep-alive again. */
	if (r->content_length > 0)
		MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, (unsigned int)30);
	req_free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->inflight, 1);
}

static enum MHD_Result queue(struct req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	size_t i, len = r->out.len;
	char *body = len ? buf_detach(&r->out) : NULL;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(body);
		return MHD_NO;
	}
	http_headers_add(resp, r->tls);
	MHD_add_response_header(resp, "Cache-Control",
				r->cacheable ? "public, max-age=3600" : "no-store");
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	for (i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	MHD_add_response_header(resp, "X-Request-Id", r->id);
	if (r->refused)
		MHD_add_response_header(resp, "Connection", "close");
	if (r->status == 0)
		r->status = 500;
	ret = http_headers_queue(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The largest body request r may carry. */
static size_t body_limit(const struct http_server *s, const struct req *r)
{
	return r->upload && s->conf.max_upload > s->conf.max_body ? s->conf.max_upload
								  : s->conf.max_body;
}

/* What the gate checks on a connection's first head, checked again
 * from libmicrohttpd's parse for the later requests of a kept-alive
 * connection (and under TLS, where the gate cannot look). */
struct head_view {
	size_t bytes;
	int lines, hosts, te;
};

static enum MHD_Result view_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct head_view *v = cls;

	(void)kind;
	v->bytes += strlen(key) + (value ? strlen(value) : 0) + 4;
	v->lines++;
	if (strcasecmp(key, "Host") == 0)
		v->hosts++;
	else if (strcasecmp(key, "Transfer-Encoding") == 0)
		v->te++;
	return MHD_YES;
}

/* 0, or the status to refuse the request with (gate_head_check's);
 * mark: on_uri's. */
static unsigned head_refusal(struct MHD_Connection *conn, const char *url, const char *method,
			     const char *version, const void *mark)
{
	struct head_view v = {0, 0, 0, 0};
	size_t ulen = strlen(url);

	if (mark == &uri_has_nul)
		return 400;
	if (mark == &uri_too_long || ulen > HTTP_MAX_TARGET)
		return 414;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, view_header, &v);
	v.lines = v.hosts = v.te = 0; /* the query counts in the size only */
	MHD_get_connection_values(conn, MHD_HEADER_KIND, view_header, &v);
	if (v.bytes + ulen + strlen(method) + strlen(version) + 6 > HTTP_MAX_HEAD || v.lines > 64)
		return 431;
	if (v.hosts > 1 || (strcmp(version, MHD_HTTP_VERSION_1_0) != 0 && v.hosts != 1))
		return 400;
	return v.te ? 411 : 0;
}

/* The connection's inactivity timeout: what is left until the body's
 * deadline, so silence cannot outlast it either. */
static void body_timeout(struct req *r)
{
	uint64_t now = http_now_us();
	unsigned secs = 1;

	if (r->body_deadline_us > now)
		secs = (unsigned)((r->body_deadline_us - now) / 1000000u) + 1;
	MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT,
				  (unsigned int)(secs < 30 ? secs : 30));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;

	if (r == NULL || URI_MARK(r)) {
		const void *mark = r;

		/* Headers only: queue nothing yet, so keep-alive works. */
		if ((r = req_new(s, conn, url, method)) == NULL)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		if ((r->refused = head_refusal(conn, url, method, version, mark)) != 0) {
			s->conf.handler(r);
			return queue(r);
		}
		r->upload = s->conf.upload != NULL && s->conf.upload(r);
		/* A declared oversize body is refused before any of it is
		 * read (and before "100 Continue"); the connection closes. */
		if (r->content_length > body_limit(s, r)) {
			r->body_too_large = 1;
			s->conf.handler(r);
			return queue(r);
		}
		if (r->content_length > 0)
			body_timeout(r);
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* The body's absolute deadline: 408, however busy the
		 * client keeps the connection. */
		if (http_now_us() > r->body_deadline_us) {
			*upload_data_size = 0;
			if (r->refused)
				return MHD_NO;
			r->refused = 408;
			buf_free(&r->body);
			s->conf.handler(r);
			return queue(r);
		}
		body_timeout(r);
		/* Beyond the limit: keep nothing, drop the rest unread into
		 * memory, answer 413 at the end.  Far past the limit the
		 * connection is simply closed. */
		if (!r->body_too_large && r->body.len + *upload_data_size > body_limit(s, r)) {
			r->body_too_large = 1;
			buf_free(&r->body);
		}
		if (!r->body_too_large)
			buf_append(&r->body, upload_data, *upload_data_size);
		else if ((r->discarded += *upload_data_size) > 16 * body_limit(s, r))
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->refused)
		return MHD_YES; /* answered already */
	if (r->resumed)
		return queue(r);
	if (s->conf.deferrable != NULL && s->conf.deferrable(r)) {
		r->deferred = 1;
		MHD_suspend_connection(conn);
		s->conf.defer(r);
		return MHD_YES;
	}
	s->conf.handler(r);
	return queue(r);
}

void http_resume(struct req *r)
{
	r->resumed = 1;
	MHD_resume_connection(r->conn);
}

static int resolve(const char *addr, unsigned short port, struct sockaddr_storage *ss,
		   socklen_t *sslen, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	char portstr[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
	if ((rc = getaddrinfo(addr, portstr, &hints, &res)) != 0) {
		snprintf(err, errlen, "listen: cannot resolve address \"%s\": %s", addr,
			 gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* The listening socket (non-blocking, for the gate), or -1 with err. */
static int listen_on(const struct http_server_conf *conf, const struct sockaddr_storage *ss,
		     socklen_t sslen, char *err, size_t errlen)
{
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), on = 1;

	if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(fd, (const struct sockaddr *)ss, sslen) != 0 || listen(fd, 1024) != 0) {
		snprintf(err, errlen, "listen: cannot listen on %s:%u: %s", conf->addr,
			 (unsigned)conf->port, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/* The gate hands over a connection whose head it has checked. */
static int hand_over(void *arg, struct gate *g, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct http_server *s = arg;

	if (MHD_add_connection(s->d, fd, sa, len) != MHD_YES) {
		gate_release(g, sa); /* libmicrohttpd has closed fd */
		return -1;
	}
	return 0;
}

/* A connection libmicrohttpd takes is marked as the portal's, so the
 * library's own answers on it carry the security headers (headers.c);
 * one that ends is one less for its address. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = http_headers_conn(s->conf.tls_cert_pem != NULL);
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL)
		gate_release(s->gate, ci->client_addr);
}

/* libmicrohttpd's first look at a request: its raw target, query
 * included, before it is decoded in place (where %00 would end the
 * path). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const char *p;

	(void)cls;
	(void)conn;
	if (strlen(uri) > HTTP_MAX_TARGET)
		return &uri_too_long;
	for (p = uri; (p = strchr(p, '%')) != NULL; p++)
		if (p[1] == '0' && p[2] == '0')
			return &uri_has_nul;
	return NULL;
}

/* The value of header name in a raw head (arena copy), or NULL. */
static const char *raw_header(struct arena *a, const char *head, size_t len, const char *name)
{
	const char *end = head + len, *p, *lf, *le, *v;
	size_t n = strlen(name);

	for (p = memchr(head, '\n', len); p != NULL && p + 1 < end; p = lf) {
		p++;
		lf = memchr(p, '\n', (size_t)(end - p));
		le = lf ? lf : end;
		if ((size_t)(le - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			for (v = p + n + 1; v < le && (*v == ' ' || *v == '\t'); v++)
				;
			while (le > v && (le[-1] == '\r' || le[-1] == ' '))
				le--;
			return arena_strndup(a, v, (size_t)(le - v));
		}
	}
	return NULL;
}

/* Appends the headers every response carries, then r's own. */
static void head_lines(const struct req *r, struct buf *out)
{
	size_t i;

	http_headers_write(out);
	buf_puts(out, "Cache-Control: no-store\r\n");
	if (r->content_type)
		buf_printf(out, "Content-Type: %s\r\n", r->content_type);
	for (i = 0; i < r->nheaders; i++)
		buf_printf(out, "%s: %s\r\n", r->headers[i].name, r->headers[i].value);
	buf_printf(out, "X-Request-Id: %s\r\n", r->id);
}

/*
 * The gate's answer to a head it refused: a request without a
 * libmicrohttpd connection (raw Cookie and query for the language)
 * through the application's handler, written whole into out with the
 * same headers as every other answer.
 */
static void refuse_head(void *arg, unsigned status, const char *head, size_t len,
			const struct sockaddr *sa, void *outp)
{
	struct http_server *s = arg;
	struct buf *out = outp;
	const char *eol = memchr(head, '\n', len), *sp, *t, *te, *q;
	struct req *r = req_alloc();

	if (r == NULL)
		return;
	if (eol == NULL)
		eol = head + len;
	r->app = s->conf.app;
	r->cert_listener = s->conf.client_ca_pem != NULL;
	r->start_us = http_now_us();
	r->refused = status;
	r->method = HTTP_OTHER;
	r->method_name = "-";
	r->path = "-";
	if ((sp = memchr(head, ' ', (size_t)(eol - head))) != NULL && sp - head <= 16) {
		r->method_name = arena_strndup(&r->arena, head, (size_t)(sp - head));
		t = sp + 1;
		if ((te = memchr(t, ' ', (size_t)(eol - t))) == NULL)
			te = eol;
		if (te - t > 1024)
			te = t + 1024;
		if ((q = memchr(t, '?', (size_t)(te - t))) != NULL)
			r->raw_query = arena_strndup(&r->arena, q + 1, (size_t)(te - q - 1));
		r->path = arena_strndup(&r->arena, t, (size_t)((q ? q : te) - t));
	}
	r->raw_cookie = raw_header(&r->arena, head, len, "Cookie");
	addr_text(sa, r->client_addr, sizeof(r->client_addr));
	s->conf.handler(r);
	if (r->status == 0)
		r->status = 500;
	buf_printf(out, "HTTP/1.1 %u %s\r\n", r->status, MHD_get_reason_phrase_for(r->status));
	head_lines(r, out);
	buf_printf(out, "Content-Length: %zu\r\nConnection: close\r\n\r\n", r->out.len);
	buf_append(out, r->out.data, r->out.len);
	access_log(s, r, 0);
	if (s->conf.done != NULL)
		s->conf.done(r, 0);
	req_free(r);
}

struct http_server *http_server_start(const struct http_server_conf *conf, char *err, size_t errlen)
{
	struct sockaddr_storage ss, bound;
	socklen_t sslen, blen = sizeof(bound);
	struct gate_conf gc;
	struct http_server *s;
	unsigned flags;
	char what[512];
	int fd;

	if (resolve(conf->addr, conf->port, &ss, &sslen, err, errlen) != 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->conf = *conf;
	atomic_init(&s->inflight, 0);
	if ((fd = listen_on(conf, &ss, sslen, err, errlen)) == -1) {
		free(s);
		return NULL;
	}
	s->port = conf->port;
	if (getsockname(fd, (struct sockaddr *)&bound, &blen) == 0) {
		if (bound.ss_family == AF_INET)
			s->port = ntohs(((struct sockaddr_in *)(void *)&bound)->sin_port);
		else if (bound.ss_family == AF_INET6)
			s->port = ntohs(((struct sockaddr_in6 *)(void *)&bound)->sin6_port);
	}
	/*
	 * libmicrohttpd listens on nothing: the gate accepts and hands over.
	 * Its pool (see POOL_BYTES) is zeroed where used before each request
	 * on a kept-alive connection; bodies go to r->body, not the pool.
	 */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
		MHD_USE_NO_LISTEN_SOCKET;
	if (conf->deferrable != NULL)
		flags |= MHD_ALLOW_SUSPEND_RESUME;
	if (conf->tls_cert_pem != NULL && conf->tls_key_pem != NULL)
		flags |= MHD_USE_TLS;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if ((flags & MHD_USE_TLS) && !conf->tls_shared &&
	    tls_identity_set(conf->tls_cert_pem, conf->tls_key_pem, what, sizeof(what), err,
			     errlen) != 0) {
		close(fd);
		free(s);
		return NULL;
	}
	if ((flags & MHD_USE_TLS) && !conf->tls_shared)
		log_info("tls: certificate %s", what);
	s->d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, s, MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)conf->workers, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)(conf->max_conns + 16),
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)POOL_BYTES, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		/* HTTPS: the profile (tls.h), the certificate from tls_retrieve. */
		(flags & MHD_USE_TLS) ? MHD_OPTION_HTTPS_PRIORITIES : MHD_OPTION_END,
		TLS_PRIORITIES, MHD_OPTION_HTTPS_CERT_CALLBACK, tls_retrieve,
		/* Client certificates asked for (GNUTLS_CERT_REQUEST), the
		 * trusted CAs named; the application verifies them. */
		conf->client_ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END,
		conf->client_ca_pem, MHD_OPTION_END);
	if (s->d == NULL) {
		if (flags & MHD_USE_TLS) {
			snprintf(err, errlen, "listen: cannot start HTTPS on %s:%u", conf->addr,
				 (unsigned)conf->port);
			if (!conf->tls_shared)
				tls_identity_clear();
		} else
			snprintf(err, errlen, "listen: cannot start the HTTP server on %s:%u",
				 conf->addr, (unsigned)conf->port);
		close(fd);
		free(s);
		return NULL;
	}
	memset(&gc, 0, sizeof(gc));
	gc.listen_fd = fd;
	gc.max_conns = conf->max_conns;
	gc.max_per_addr = conf->max_conns_per_addr;
	gc.head_secs = conf->head_secs;
	gc.proxy_from = conf->proxy_from;
	gc.max_head = HTTP_MAX_HEAD;
	gc.max_target = HTTP_MAX_TARGET;
	gc.inspect = (flags & MHD_USE_TLS) ? GATE_TLS : GATE_HTTP;
	gc.hand = hand_over;
	gc.refuse = refuse_head;
	gc.arg = s;
	if (gate_start(&gc, &s->gate, err, errlen) != 0) {
		close(fd);
		MHD_stop_daemon(s->d);
		if ((flags & MHD_USE_TLS) && !conf->tls_shared)
			tls_identity_clear();
		free(s);
		return NULL;
	}
	return s;
}

unsigned short http_server_port(const struct http_server *s)
{
	return s->port;
}

unsigned http_server_connections(struct http_server *s)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

	return i != NULL ? i->num_connections : 0;
}

void http_server_stop(struct http_server *s, int grace_secs)
{
	int waited = 0;

	if (s == NULL)
		return;
	gate_stop(s->gate); /* no new connections */
	while (atomic_load(&s->inflight) > 0 && waited < grace_secs * 100) {
		usleep(10000);
		waited++;
	}
	MHD_stop_daemon(s->d);
	gate_free(s->gate);
	if (s->conf.tls_cert_pem != NULL && !s->conf.tls_shared)
		tls_identity_clear(); /* no handshake runs any more */
	free(s);
}

int http_server_tls_reload(struct http_server *s, const char *cert_pem, const char *key_pem,
			   char *what, size_t whatlen, char *err, size_t errlen)
{
	if (s->conf.tls_cert_pem == NULL) {
		snprintf(err, errlen, "plain HTTP: no certificate to reload");
		return -1;
	}
	return tls_identity_set(cert_pem, key_pem, what, whatlen, err, errlen);
}
