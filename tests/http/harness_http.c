/*
 * HTTP test harness, HTTP: raw sockets, the libcurl client, responses
 * and access-log lines; see harness.h.
 */
#include "harness.h"
#include "harness_private.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

int raw_connect(const struct server *s)
{
	struct sockaddr_in sin;
	int fd;

	struct timeval tv = {10, 0};

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* A server that stops reading must not hang the test in send(). */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)s->port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		fprintf(stderr, "harness: connect %s: %s\n", s->base, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int raw_connect_from(const struct server *s, const char *src, int nonblock)
{
	struct sockaddr_in from, to;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd == -1)
		return -1;
	memset(&from, 0, sizeof(from));
	from.sin_family = AF_INET;
	inet_pton(AF_INET, src, &from.sin_addr);
	memset(&to, 0, sizeof(to));
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)s->port);
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) == -1 ||
	    (connect(fd, (struct sockaddr *)&to, sizeof(to)) == -1 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

int raw_send(int fd, const char *str)
{
	size_t len = strlen(str);
	ssize_t n;

	while (len > 0) {
		n = send(fd, str, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "harness: send: %s\n", strerror(errno));
			return -1;
		}
		str += n;
		len -= (size_t)n;
	}
	return 0;
}

int raw_recv_all(int fd, struct buf *out, int timeout_ms)
{
	buf_cstr(out);
	return harness_drain(fd, harness_now_ms() + timeout_ms, out);
}

int response_parse(const char *raw, size_t len, struct response *r)
{
	const char *p = raw, *end = raw + len, *hdr_end;

	response_free(r);
	buf_cstr(&r->headers);
	buf_cstr(&r->body);
	for (;;) {
		if ((size_t)(end - p) < 12 || strncmp(p, "HTTP/1.", 7) != 0)
			return -1;
		hdr_end = memmem(p, (size_t)(end - p), "\r\n\r\n", 4);
		if (hdr_end == NULL)
			return -1;
		hdr_end += 4;
		if (p[9] != '1')
			break;
		p = hdr_end; /* 100 Continue and friends */
	}
	r->status = strtol(p + 9, NULL, 10);
	buf_append(&r->headers, p, (size_t)(hdr_end - p));
	buf_append(&r->body, hdr_end, (size_t)(end - hdr_end));
	return 0;
}

int raw_exchange(const struct server *s, const char *req, size_t len, struct response *r,
		 int timeout_ms)
{
	struct buf reply = BUF_INIT;
	size_t off = 0;
	ssize_t n;
	int fd, rc;

	response_free(r);
	if ((fd = raw_connect(s)) == -1)
		return -1;
	while (off < len) {
		n = send(fd, req + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* the server may have answered and closed already */
		off += (size_t)n;
	}
	raw_recv_all(fd, &reply, timeout_ms);
	close(fd);
	rc = response_parse(reply.data, reply.len, r);
	if (rc == -1)
		fprintf(stderr, "harness: no HTTP response (sent %zu of %zu bytes, got %zu)\n", off,
			len, reply.len);
	buf_free(&reply);
	return rc;
}

/* Whether a log token, with any "key=" prefix and quotes removed,
 * equals want. */
static int log_token_is(const char *tok, size_t len, const char *want)
{
	const char *eq = memchr(tok, '=', len);

	if (eq && eq > tok && isalpha((unsigned char)*tok)) {
		len -= (size_t)(eq + 1 - tok);
		tok = eq + 1;
	}
	if (len >= 2 && (*tok == '"' || *tok == '\'') && tok[len - 1] == *tok) {
		tok++;
		len -= 2;
	}
	return len == strlen(want) && strncmp(tok, want, len) == 0;
}

int log_count_requests(const char *log, const char *method, const char *path, int status)
{
	char code[16];
	int count = 0;

	snprintf(code, sizeof(code), "%d", status);
	while (*log) {
		const char *eol = strchr(log, '\n'), *p = log;
		int has_method = 0, has_path = 0, has_status = 0;

		if (eol == NULL)
			eol = log + strlen(log);
		while (p < eol) {
			const char *tok;

			while (p < eol && isspace((unsigned char)*p))
				p++;
			tok = p;
			while (p < eol && !isspace((unsigned char)*p))
				p++;
			if (p == tok)
				continue;
			has_method |= log_token_is(tok, (size_t)(p - tok), method);
			has_path |= log_token_is(tok, (size_t)(p - tok), path);
			has_status |= log_token_is(tok, (size_t)(p - tok), code);
		}
		count += has_method && has_path && has_status;
		log = *eol ? eol + 1 : eol;
	}
	return count;
}

/* The libcurl client. */

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	buf_append(arg, p, size * n);
	return size * n;
}

/* curl passes each header line of each response, interim 1xx ones
 * included; keep only the last response's block. */
static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
	struct buf *h = arg;

	if (size * n >= 5 && memcmp(p, "HTTP/", 5) == 0)
		buf_reset(h);
	buf_append(h, p, size * n);
	return size * n;
}

int client_init(struct client *c, const struct server *s)
{
	harness_curl_init();
	memset(c, 0, sizeof(*c));
	if ((c->curl = curl_easy_init()) == NULL) {
		fprintf(stderr, "harness: curl_easy_init failed\n");
		return -1;
	}
	snprintf(c->base, sizeof(c->base), "%s", s->base);
	if (s->cafile[0])
		curl_easy_setopt(c->curl, CURLOPT_CAINFO, s->cafile);
	/* Switch the cookie engine on with an empty jar. */
	curl_easy_setopt(c->curl, CURLOPT_COOKIEFILE, "");
	curl_easy_setopt(c->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c->curl, CURLOPT_ERRORBUFFER, c->error);
	curl_easy_setopt(c->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, on_header);
	return 0;
}

void client_free(struct client *c)
{
	if (c->curl)
		curl_easy_cleanup(c->curl);
	c->curl = NULL;
}

void response_free(struct response *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	r->status = 0;
}

int client_request(struct client *c, const char *method, const char *path, const char *content_type,
		   const void *body, size_t len, const char *const *headers, struct response *r)
{
	struct curl_slist *list = NULL, *tmp;
	struct buf url = BUF_INIT, ct = BUF_INIT;
	CURLcode rc;

	response_free(r);
	buf_cstr(&r->headers);
	buf_cstr(&r->body);
	c->error[0] = '\0';
	buf_printf(&url, "%s%s", c->base, path);

	/* The handle keeps its cookies and connections between requests;
	 * every option that differs between requests is set here. */
	curl_easy_setopt(c->curl, CURLOPT_URL, url.data);
	curl_easy_setopt(c->curl, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(c->curl, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(c->curl, CURLOPT_NOBODY, 0L);
	curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(c->curl, CURLOPT_NOBODY, 1L);
	} else if (body != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_easy_setopt(c->curl, CURLOPT_POSTFIELDS, body);
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	} else {
		curl_easy_setopt(c->curl, CURLOPT_HTTPGET, 1L);
		if (strcmp(method, "GET") != 0)
			curl_easy_setopt(c->curl, CURLOPT_CUSTOMREQUEST, method);
	}
	if (content_type) {
		buf_printf(&ct, "Content-Type: %s", content_type);
		list = curl_slist_append(list, ct.data);
	}
	for (; headers && *headers; headers++) {
		if ((tmp = curl_slist_append(list, *headers)) == NULL)
			abort();
		list = tmp;
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, list);

	rc = curl_easy_perform(c->curl);
	curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE, &r->status);
	if (r->status < 200)
		r->status = 0; /* at most an interim 100 Continue */
	if (rc != CURLE_OK && c->error[0] == '\0')
		snprintf(c->error, sizeof(c->error), "%s", curl_easy_strerror(rc));
	if (rc != CURLE_OK)
		fprintf(stderr, "harness: %s %s: %s (status %ld)\n", method, path, c->error,
			r->status);

	curl_slist_free_all(list);
	buf_free(&url);
	buf_free(&ct);
	return rc == CURLE_OK ? 0 : -1;
}

int client_get(struct client *c, const char *path, struct response *r)
{
	return client_request(c, "GET", path, NULL, NULL, 0, NULL, r);
}

int client_post(struct client *c, const char *path, const char *body, struct response *r)
{
	return client_request(c, "POST", path, "application/x-www-form-urlencoded", body,
			      strlen(body), NULL, r);
}

char *client_cookie(struct client *c, const char *name)
{
	struct curl_slist *list = NULL, *l;
	char *value = NULL;

	if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK)
		return NULL;
	/* Netscape format: domain, tailmatch, path, secure, expires, name, value. */
	for (l = list; l && value == NULL; l = l->next) {
		const char *f = l->data;
		const char *tab;

		for (int i = 0; i < 5 && f; i++)
			f = (tab = strchr(f, '\t')) ? tab + 1 : NULL;
		if (f == NULL || (tab = strchr(f, '\t')) == NULL)
			continue;
		if ((size_t)(tab - f) == strlen(name) && strncmp(f, name, (size_t)(tab - f)) == 0)
			value = harness_strdup(tab + 1);
	}
	curl_slist_free_all(list);
	return value;
}

char *harness_header_lookup(const char *block, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = block, *eol, *v;
	struct buf val = BUF_INIT;
	int found = 0;

	while (*p) {
		const char *next;

		eol = strchr(p, '\n');
		if (eol == NULL)
			eol = p + strlen(p);
		next = *eol ? eol + 1 : eol;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (p == eol)
			break; /* end of the header block */
		if (found && (*p == ' ' || *p == '\t')) {
			/* RFC 5322 2.2.3: unfolding removes the line break only. */
			buf_append(&val, p, (size_t)(eol - p));
		} else if (found) {
			break;
		} else if ((size_t)(eol - p) > nlen && strncasecmp(p, name, nlen) == 0 &&
			   p[nlen] == ':') {
			found = 1;
			v = p + nlen + 1;
			buf_append(&val, v, (size_t)(eol - v));
		}
		p = next;
	}
	if (!found)
		return NULL;
	{
		char *s = buf_detach(&val);
		size_t len = strlen(s);
		size_t start = 0;

		while (len > 0 && isspace((unsigned char)s[len - 1]))
			s[--len] = '\0';
		while (isspace((unsigned char)s[start]))
			start++;
		memmove(s, s + start, len - start + 1);
		return s;
	}
}

char *response_header(const struct response *r, const char *name)
{
	if (r->headers.data == NULL)
		return NULL;
	return harness_header_lookup(r->headers.data, name);
}

int response_has_header(const struct response *r, const char *name)
{
	char *v = response_header(r, name);

	free(v);
	return v != NULL;
}
