/*
 * The HTTP layer: a request as handlers see it, and the server that
 * runs them (GNU libmicrohttpd, thread pool + epoll).
 *
 * A request lives in one arena; everything a handler derives from it
 * (parsed forms, template contexts, strings) is allocated there and
 * released when the response has been sent.  The server reads the
 * whole body (up to the configured limit) before calling the handler,
 * and queues the response the handler built.
 */
#ifndef QCRA_HTTP_H
#define QCRA_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "core/i18n.h"
#include "http/form.h"
#include "util/arena.h"
#include "util/buf.h"

struct MHD_Connection;

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

#define HTTP_MAX_HEADERS 16
#define HTTP_MAX_IDS 4

struct req {
	struct MHD_Connection *conn;
	void *app; /* the application, opaque to this layer */
	struct arena arena;
	enum http_method method;
	const char *method_name;
	const char *path; /* without the query string */
	char client_addr[64];
	int tls;
	/* On a server that asks for client certificates
	 * (http_server_conf.client_ca_pem): http_peer_cert. */
	int cert_listener;

	/* Body, accumulated by the server. */
	struct buf body;
	size_t content_length; /* declared, 0 when absent */
	int body_too_large;
	size_t discarded;          /* bytes dropped after body_too_large */
	int upload;                /* 1: may carry files (conf.upload), up to max_upload */
	uint64_t body_deadline_us; /* the whole body by then (request_body_seconds) */
	/* Refused by the server before any handler: the status (400, 408,
	 * 411, 414, 431, 505); the application only renders the page. */
	unsigned refused;
	/* A head the gate refused has no libmicrohttpd connection (conn is
	 * NULL): its raw Cookie value and query string, for the language. */
	const char *raw_cookie, *raw_query;
	struct form form; /* filled by http_parse_form() */

	/* Set by the application while dispatching. */
	enum lang lang;
	long long ids[HTTP_MAX_IDS]; /* numeric path segments */
	size_t nids;
	long long account_id; /* 0: anonymous */
	int session_kind;
	const char *session_token; /* the cookie value (hex), or NULL */
	const char *csrf_binder;   /* what the CSRF token is bound to */
	void *user;                /* per-request application data */

	/* The response. */
	unsigned status;
	struct buf out;
	const char *content_type;
	struct {
		const char *name, *value;
	} headers[HTTP_MAX_HEADERS];
	size_t nheaders;
	int cacheable; /* 1: static asset; else Cache-Control: no-store */
	uint64_t start_us;
	/* This request's id (xxxx-xxxx-xxxx): the X-Request-Id header, the
	 * access line, every log line written meanwhile, and the code an
	 * error page asks the user to quote to support. */
	char id[16];
	int route; /* set by the application: its route's number + 1; 0: none (metrics) */

	/* Deferred requests (http_server_conf.defer): handled off the
	 * server's threads, answered once http_resume() is called. */
	int deferred, resumed;
	struct req *next_deferred; /* for the application's queue */
};

/* Called once the request (and its body) is complete; must set
 * req->status and the body. */
typedef void (*http_handler)(struct req *req);

struct http_server_conf {
	const char *addr;
	unsigned short port;
	unsigned workers;
	size_t max_body;
	/* Optional: requests for which upload(req) is 1 (method and path
	 * known, nothing else) may carry files: a multipart/form-data body
	 * of up to max_upload bytes. */
	int (*upload)(struct req *req);
	size_t max_upload;
	int access_log;
	void *app;
	http_handler handler;
	/* Optional.  When deferrable(req) is 1 for a complete request, the
	 * connection is suspended and defer(req) takes the request: the
	 * application runs its handler on a thread of its own, then calls
	 * http_resume(req), and the response goes out from the server's
	 * thread.  (A commit group: web/group.c.) */
	int (*deferrable)(struct req *req);
	void (*defer)(struct req *req);
	/* Limits (issue 13): connections in total and per client address;
	 * absolute deadlines for a request's head and for its body. */
	unsigned max_conns, max_conns_per_addr;
	unsigned head_secs, body_secs;
	/* Load balancers' addresses (comma or space separated, "" none):
	 * a connection from one starts with a PROXY protocol header, and
	 * the client address it carries is the connection's (http/gate.h). */
	const char *proxy_from;
	/* HTTPS when both are set: PEM texts (libmicrohttpd with GnuTLS,
	 * the profile in http/tls.h; http_server_tls_reload replaces them).
	 * Every request is then marked tls (Secure cookies, HSTS). */
	const char *tls_cert_pem, *tls_key_pem;
	/* HTTPS: 1 when the certificate is the one another server of the
	 * process published (started before this one, stopped after): this
	 * one neither loads nor clears it, and reloads reach both. */
	int tls_shared;
	/* HTTPS: the CAs (PEM) named to the client when it is asked for a
	 * certificate; NULL: none asked.  Asked, not required, and not
	 * verified here: the application checks what http_peer_cert gives. */
	const char *client_ca_pem;
	/* Called once per request answered (aborted: not sent whole),
	 * where the access line is written: the application's metrics.
	 * NULL: none. */
	void (*done)(const struct req *req, int aborted);
};

struct http_server;

/* Binds and starts the worker threads.  Returns NULL with err set. */
struct http_server *http_server_start(const struct http_server_conf *conf, char *err,
				      size_t errlen);
/* The port actually bound (useful with port 0). */
unsigned short http_server_port(const struct http_server *s);
/* Connections open now (libmicrohttpd's). */
unsigned http_server_connections(struct http_server *s);
/* Stops accepting, waits (up to `grace_secs`) for in-flight requests
 * to finish, then stops the workers and frees the server. */
void http_server_stop(struct http_server *s, int grace_secs);
/* HTTPS: takes a new certificate (PEM chain, server's first) and its
 * key for the next handshakes; connections already made keep theirs.
 * 0 with the certificate's subject and expiry in what, or -1 with err
 * set and the certificate in use unchanged (also on plain HTTP). */
int http_server_tls_reload(struct http_server *s, const char *cert_pem, const char *key_pem,
			   char *what, size_t whatlen, char *err, size_t errlen);
/* A deferred request's response is complete: send it.  Any thread. */
void http_resume(struct req *r);

/* ---- For handlers ----------------------------------------------------- */

const char *http_query(struct req *r, const char *name);  /* decoded, or NULL */
const char *http_cookie(struct req *r, const char *name); /* or NULL */
/* Appends the query string ("?a=1&b=2", re-encoded) without parameter
 * skip; nothing when there is none. */
void http_query_without(struct req *r, const char *skip, struct buf *out);
const char *http_request_header(struct req *r, const char *name);
/* The address the connection comes from: the load balancer's on a
 * PROXY protocol connection (client_addr is then the client's it
 * named), else client_addr's.  0, or -1 with out "". */
int http_peer_addr(struct req *r, char *out, size_t size);
/* The certificate chain the client sent (TLS client authentication, on
 * a server with client_ca_pem), the client's first, as PEM in r's arena
 * with its length in *len; NULL when it sent none. */
const char *http_peer_cert(struct req *r, size_t *len);
/* Parses the body as application/x-www-form-urlencoded into r->form.
 * Returns 0, or -1 when the content type is wrong or the body
 * malformed. */
int http_parse_form(struct req *r);
const char *http_param(const struct req *r, const char *name); /* form field, or NULL */

/* Adds a response header (name and value copied into the arena). */
void http_header(struct req *r, const char *name, const char *value);

enum { COOKIE_SESSION_ONLY = -1 };
/* Sets a cookie with HttpOnly, SameSite=Lax, Path=/ and, under TLS,
 * Secure.  max_age < 0: session cookie; 0: delete. */
void http_set_cookie(struct req *r, const char *name, const char *value, long max_age);

/* 1 when path is a path on this site that no browser reads as another
 * host or mangles: it starts with one '/', holds no backslash and no
 * control character (browsers drop tabs and line ends, so "/\t/host"
 * is "//host"), and is at most HTTP_MAX_LOCAL_PATH bytes (it must fit
 * in a Location header); 0 otherwise. */
#define HTTP_MAX_LOCAL_PATH 1024
int http_local_path(const char *path);

/* 303 See Other to a local path. */
void http_redirect(struct req *r, const char *location);
/* A plain-text response. */
void http_text(struct req *r, unsigned status, const char *text);

uint64_t http_now_us(void);

#endif
