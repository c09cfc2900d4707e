/*
 * What a handler reads from its request (query, cookies, headers) and
 * writes into its response (headers, cookies, a redirect, plain text);
 * the request's life and the server around it are server.c's.
 */
#include "http/http.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "util/escape.h"
#include "util/log.h"

/* name's value in a raw list ("a=1&b=2", "a=1; b=2"), not decoded
 * (arena copy), or NULL. */
static const char *raw_value(struct req *r, const char *list, char sep, const char *name)
{
	size_t n = strlen(name);
	const char *p = list, *e;

	while (p != NULL && *p) {
		while (*p == ' ')
			p++;
		e = strchr(p, sep);
		if (strncmp(p, name, n) == 0 && p[n] == '=')
			return arena_strndup(&r->arena, p + n + 1,
					     e ? (size_t)(e - p - n - 1) : strlen(p + n + 1));
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

const char *http_query(struct req *r, const char *name)
{
	if (r->conn == NULL)
		return raw_value(r, r->raw_query, '&', name);
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

	if (r->conn == NULL)
		return;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, copy_arg, &q);
}

const char *http_cookie(struct req *r, const char *name)
{
	char prefixed[64];

	if (r->conn == NULL)
		return raw_value(r, r->raw_cookie, ';', name);
	if (!r->tls)
		return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
	/* Only the prefixed one: a cookie without it was not set by us. */
	snprintf(prefixed, sizeof(prefixed), "__Host-%s", name);
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, prefixed);
}

const char *http_request_header(struct req *r, const char *name)
{
	if (r->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
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

int http_local_path(const char *path)
{
	size_t i;

	if (path == NULL || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		return 0;
	for (i = 0; path[i]; i++)
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f || path[i] == '\\' ||
		    i >= HTTP_MAX_LOCAL_PATH)
			return 0;
	return 1;
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
