/*
 * libmicrohttpd glue: request lifecycle, body limits, response headers
 * common to every response, the access log, graceful shutdown.
 */
#include "http/http.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/log.h"

struct http_server {
	struct MHD_Daemon *d;
	struct http_server_conf conf;
	unsigned short port;
	atomic_int inflight;
};

/* Every response carries these (SECURITY.md, Headers). */
static const char *const common_headers[][2] = {
	{"Content-Security-Policy",
	 "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; "
	 "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
	{"X-Content-Type-Options", "nosniff"},
	{"X-Frame-Options", "DENY"},
	{"Referrer-Policy", "no-referrer"},
	{"Permissions-Policy", "camera=(), microphone=(), geolocation=()"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
};

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
	return r;
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
	r->start_us = http_now_us();
	r->method = method_of(method);
	r->method_name = arena_strdup(&r->arena, method);
	r->path = arena_strdup(&r->arena, url);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;

		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET,
				  &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
				  r->client_addr, sizeof(r->client_addr));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6,
				  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
				  r->client_addr, sizeof(r->client_addr));
	}
	if ((cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length")) != NULL)
		r->content_length = strtoull(cl, NULL, 10);
	return r;
}

static void req_free(struct req *r)
{
	buf_free(&r->body);
	buf_free(&r->out);
	arena_free(&r->arena);
	free(r);
}

/* Writes the path for the log with control characters and spaces
 * escaped, so a request cannot forge log lines (ASVS 16.4.1). */
static void log_safe(char *dst, size_t size, const char *s)
{
	size_t o = 0;

	for (; s && *s && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x21 || c == 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	char path[512], ts[32];
	struct timespec now;
	struct tm tm;

	if (r == NULL)
		return;
	if (s->conf.access_log) {
		clock_gettime(CLOCK_REALTIME, &now);
		gmtime_r(&now.tv_sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		log_safe(path, sizeof(path), r->path);
		fprintf(stderr, "%s.%03ldZ access method=%s path=%s status=%u us=%llu addr=%s%s\n",
			ts, now.tv_nsec / 1000000, r->method_name, path, r->status,
			(unsigned long long)(http_now_us() - r->start_us), r->client_addr,
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
	}
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
	for (i = 0; i < sizeof(common_headers) / sizeof(common_headers[0]); i++)
		MHD_add_response_header(resp, common_headers[i][0], common_headers[i][1]);
	if (r->tls)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
	MHD_add_response_header(resp, "Cache-Control",
				r->cacheable ? "public, max-age=3600" : "no-store");
	if (r->content_type)
		MHD_add_response_header(resp, "Content-Type", r->content_type);
	for (i = 0; i < r->nheaders; i++)
		MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
	if (r->status == 0)
		r->status = 500;
	ret = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The largest body request r may carry. */
static size_t body_limit(const struct http_server *s, const struct req *r)
{
	return r->upload && s->conf.max_upload > s->conf.max_body ? s->conf.max_upload
								  : s->conf.max_body;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;

	if (r == NULL) {
		/* Headers only: queue nothing yet, so keep-alive works. */
		if ((r = req_new(s, conn, url, method)) == NULL)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->inflight, 1);
		r->upload = s->conf.upload != NULL && s->conf.upload(r);
		/* A declared oversize body is refused before any of it is
		 * read (and before "100 Continue"); the connection closes. */
		if (r->content_length > body_limit(s, r)) {
			r->body_too_large = 1;
			s->conf.handler(r);
			return queue(r);
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		/* An undeclared (chunked) body: keep at most max_body, drop
		 * the rest unread into memory, answer 413 at the end.  Far
		 * past the limit the connection is simply closed. */
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

static int resolve(const char *addr, unsigned short port, struct sockaddr_storage *ss, char *err,
		   size_t errlen)
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
	freeaddrinfo(res);
	return 0;
}

struct http_server *http_server_start(const struct http_server_conf *conf, char *err, size_t errlen)
{
	struct sockaddr_storage ss, bound;
	socklen_t blen = sizeof(bound);
	const union MHD_DaemonInfo *di;
	struct http_server *s;
	unsigned flags;

	if (resolve(conf->addr, conf->port, &ss, err, errlen) != 0)
		return NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->conf = *conf;
	atomic_init(&s->inflight, 0);
	/*
	 * The per-connection pool holds the request head and the response
	 * head; libmicrohttpd zeroes what was used of it before each request
	 * on a kept-alive connection, so it is 8 KiB rather than the default
	 * 32 KiB: request heads up to ~7 KiB are served (browsers send 1-2;
	 * test_server.c checks 6 KiB), larger ones get 431.  Measured: 16 ->
	 * 8 KiB took ~13k instructions off every request.  Bodies go to
	 * r->body, not the pool.
	 */
	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	if (conf->deferrable != NULL)
		flags |= MHD_ALLOW_SUSPEND_RESUME;
	if (conf->tls_cert_pem != NULL && conf->tls_key_pem != NULL)
		flags |= MHD_USE_TLS;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
		flags, conf->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&ss, MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)conf->workers,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned int)1024, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(8 * 1024),
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024, MHD_OPTION_NOTIFY_COMPLETED,
		on_completed, s, (flags & MHD_USE_TLS) ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END,
		conf->tls_cert_pem, MHD_OPTION_HTTPS_MEM_KEY, conf->tls_key_pem, MHD_OPTION_END);
	if (s->d == NULL) {
		if (flags & MHD_USE_TLS)
			snprintf(err, errlen,
				 "listen: cannot start HTTPS on %s:%u (address in use, or "
				 "tls_cert/tls_key not a PEM certificate and its key?)",
				 conf->addr, (unsigned)conf->port);
		else
			snprintf(err, errlen,
				 "listen: cannot listen on %s:%u (address in use or not local?)",
				 conf->addr, (unsigned)conf->port);
		free(s);
		return NULL;
	}
	s->port = conf->port;
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_LISTEN_FD);
	if (di != NULL && getsockname(di->listen_fd, (struct sockaddr *)&bound, &blen) == 0) {
		if (bound.ss_family == AF_INET)
			s->port = ntohs(((struct sockaddr_in *)(void *)&bound)->sin_port);
		else if (bound.ss_family == AF_INET6)
			s->port = ntohs(((struct sockaddr_in6 *)(void *)&bound)->sin6_port);
	}
	return s;
}

unsigned short http_server_port(const struct http_server *s)
{
	return s->port;
}

void http_server_stop(struct http_server *s, int grace_secs)
{
	MHD_socket fd;
	int waited = 0;

	if (s == NULL)
		return;
	fd = MHD_quiesce_daemon(s->d);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	while (atomic_load(&s->inflight) > 0 && waited < grace_secs * 100) {
		usleep(10000);
		waited++;
	}
	MHD_stop_daemon(s->d);
	free(s);
}

/* ---- Handler helpers ------------------------------------------------------ */

const char *http_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_copy {
	struct buf *out;
	const char *skip;
};

static enum MHD_Result copy_arg(void *cls, enum MHD_ValueKind kind, const char *key,
				const char *value)
{
	struct query_copy *q = cls;

	if (key == NULL || strcmp(key, q->skip) == 0)
		return MHD_YES;
	buf_putc(q->out, q->out->len ? '&' : '?');
	url_encode(q->out, key);
	if (value != NULL) {
		buf_putc(q->out, '=');
		url_encode(q->out, value);
	}
	return MHD_YES;
}

void http_query_without(struct req *r, const char *skip, struct buf *out)
{
	struct query_copy q = {out, skip};

	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, copy_arg, &q);
}

const char *http_cookie(struct req *r, const char *name)
{
	char prefixed[64];

	if (!r->tls)
		return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
	/* Only the prefixed one: a cookie without it was not set by us. */
	snprintf(prefixed, sizeof(prefixed), "__Host-%s", name);
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, prefixed);
}

const char *http_request_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* A multipart/form-data body, read by libmicrohttpd's post processor:
 * each part's data arrives in pieces, gathered here by name.  A file
 * part also gives "NAME:filename". */
struct parts {
	struct req *r;
	struct buf value[FORM_MAX_PARAMS];
	const char *name[FORM_MAX_PARAMS];
	int file[FORM_MAX_PARAMS]; /* 1: a file's bytes, taken as they are */
	size_t n;
	int failed;
};

static int part_add(struct parts *p, const char *name)
{
	if (p->n == FORM_MAX_PARAMS || !utf8_valid(name, strlen(name))) {
		p->failed = 1;
		return -1;
	}
	p->name[p->n] = arena_strndup(&p->r->arena, name, strlen(name));
	return (int)p->n++;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *filename, const char *content_type,
			       const char *transfer_encoding, const char *data, uint64_t off,
			       size_t size)
{
	struct parts *p = cls;
	char fname[300];
	int i;

	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (key == NULL)
		return MHD_YES;
	/* A new part starts at offset 0; later pieces continue the last. */
	if (off == 0 || p->n == 0 || strcmp(p->name[p->n - 1], key) != 0) {
		if (filename != NULL) {
			snprintf(fname, sizeof(fname), "%s:filename", key);
			if ((i = part_add(p, fname)) < 0)
				return MHD_NO;
			buf_puts(&p->value[i], filename);
		}
		if ((i = part_add(p, key)) < 0)
			return MHD_NO;
		p->file[i] = filename != NULL;
	}
	buf_append(&p->value[p->n - 1], data, size);
	return MHD_YES;
}

static int parse_multipart(struct req *r)
{
	struct MHD_PostProcessor *pp;
	struct parts *p = calloc(1, sizeof(*p));
	size_t i;
	int rc = -1;

	if (p == NULL)
		return -1;
	p->r = r;
	if ((pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, p)) == NULL)
		goto out;
	if (MHD_post_process(pp, r->body.data ? r->body.data : "", r->body.len) != MHD_YES)
		p->failed = 1;
	if (MHD_destroy_post_processor(pp) != MHD_YES)
		p->failed = 1;
	if (p->failed)
		goto out;
	r->form.params = arena_alloc(&r->arena, (p->n ? p->n : 1) * sizeof(*r->form.params));
	for (i = 0; i < p->n; i++) {
		/* Text fields as strictly as in an urlencoded form. */
		if (!p->file[i] && (memchr(buf_cstr(&p->value[i]), '\0', p->value[i].len) != NULL ||
				    !utf8_valid(buf_cstr(&p->value[i]), p->value[i].len)))
			goto out;
		r->form.params[i].name = p->name[i];
		r->form.params[i].value =
			arena_strndup(&r->arena, buf_cstr(&p->value[i]), p->value[i].len);
		r->form.params[i].len = p->value[i].len;
	}
	r->form.n = p->n;
	rc = 0;
out:
	for (i = 0; i < p->n; i++)
		buf_free(&p->value[i]);
	free(p);
	return rc;
}

int http_parse_form(struct req *r)
{
	const char *ct = http_request_header(r, "Content-Type");

	if (ct != NULL && r->upload && strncasecmp(ct, "multipart/form-data", 19) == 0)
		return parse_multipart(r);
	if (ct == NULL || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return -1;
	return form_parse(&r->arena, r->body.data ? r->body.data : "", r->body.len, &r->form);
}

const char *http_param(const struct req *r, const char *name)
{
	return form_get(&r->form, name);
}

void http_header(struct req *r, const char *name, const char *value)
{
	if (r->nheaders == HTTP_MAX_HEADERS) {
		log_warnx("http: too many response headers, dropped %s", name);
		return;
	}
	r->headers[r->nheaders].name = arena_strdup(&r->arena, name);
	r->headers[r->nheaders].value = arena_strdup(&r->arena, value);
	r->nheaders++;
}

void http_set_cookie(struct req *r, const char *name, const char *value, long max_age)
{
	/* Over TLS every cookie is host-only, Path=/ and Secure, so it
	 * carries the __Host- prefix (RFC 6265bis): no subdomain and no
	 * plain-HTTP page can set one in its place. */
	const char *prefix = r->tls ? "__Host-" : "";
	char *v;

	if (max_age < 0)
		v = arena_printf(&r->arena, "%s%s=%s; Path=/; HttpOnly; SameSite=Lax%s", prefix,
				 name, value, r->tls ? "; Secure" : "");
	else
		v = arena_printf(&r->arena,
				 "%s%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Lax%s", prefix,
				 name, value, max_age, r->tls ? "; Secure" : "");
	http_header(r, "Set-Cookie", v);
}

void http_redirect(struct req *r, const char *location)
{
	r->status = 303;
	http_header(r, "Location", location);
	buf_reset(&r->out);
	r->content_type = NULL;
}

void http_text(struct req *r, unsigned status, const char *text)
{
	r->status = status;
	r->content_type = "text/plain; charset=utf-8";
	buf_reset(&r->out);
	buf_puts(&r->out, text);
}
