/*
 * Heads the gate never sees: a later request on a kept-alive plain
 * HTTP connection, and any request over HTTPS (the gate cannot read
 * through TLS).  libmicrohttpd parses those itself; whatever it cannot
 * take must still get the portal's answer with the security headers
 * (SECURITY.md, Headers), as the first head does (test_server.c's
 * test_protocol_errors_are_pages_with_security_headers); what the
 * library answers alone carries the same headers.  Each test runs its
 * own server.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "harness.h"
#include "harness_extra.h"
#include "tls_client.h"

struct fx {
	struct server s;
};

/*
 * A bad head (with the language cookie: "en"), the status it must get
 * and the sentence of our page for it.  bare: libmicrohttpd 0.9.75
 * answers it alone, before any callback of ours runs, so it gets the
 * library's text: then the status is checked, the security headers
 * must be there all the same, the connection must end, and the answer
 * must echo nothing of the request (nothing a browser could run).
 */
struct bad_head {
	const char *what;
	const char *head; /* NULL: built by bad_head_text */
	unsigned status;
	const char *text;
	int bare;
};

/* Over TLS the cookie carries the __Host- prefix; plain HTTP reads the
 * name without it. */
#define LANG "Cookie: qcra_lang=en; __Host-qcra_lang=en\r\n"

static const struct bad_head bad_heads[] = {
	{"head of 12 KiB", NULL, 431, "The request is too large", 0},
	/* Beyond the connection's pool (server.c POOL_BYTES) the library
	 * cannot even hold the head. */
	{"head of 40 KiB", NULL, 431, "Request too big", 1},
	{"target of 20 KiB", NULL, 414, "The address is too long", 0},
	/* A request line beyond the pool: the library's 414. */
	{"target of 40 KiB", NULL, 414, "", 1},
	/* The request line's version is parsed before any callback. */
	{"HTTP/2.0 in a request line", "GET /login HTTP/2.0\r\nHost: 127.0.0.1\r\n" LANG "\r\n",
	 505, "HTTP version is not supported", 1},
	{"no Host", "GET /login HTTP/1.1\r\n" LANG "\r\n", 400, "could not be understood", 0},
	{"two Host lines",
	 "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: example.org\r\n" LANG "\r\n", 400,
	 "could not be understood", 0},
	/* Header lines are parsed before any callback. */
	{"header line without a colon",
	 "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" LANG "No colon\r\n\r\n", 400,
	 "Request malformed", 1},
	/* Content-Length is parsed before any callback (and 0.9.75 sends its
	 * status line and headers twice, without the body). */
	{"Content-Length not a number",
	 "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" LANG "Content-Length: abc\r\n\r\n", 400, "",
	 1},
	{"Content-Length over 2^64",
	 "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" LANG
	 "Content-Length: 99999999999999999999999\r\n\r\n",
	 413, "", 1},
	{"chunked body, badly chunked",
	 "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" LANG
	 "Content-Type: application/x-www-form-urlencoded\r\n"
	 "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
	 411, "did not say how long", 0},
	{"NUL in the path", "GET /login%00.php HTTP/1.1\r\nHost: 127.0.0.1\r\n" LANG "\r\n", 400,
	 "could not be understood", 0},
};

/* The head of case c into out. */
static void bad_head_text(const struct bad_head *c, struct buf *out)
{
	buf_reset(out);
	if (c->head != NULL) {
		buf_puts(out, c->head);
		return;
	}
	if (strstr(c->what, "target") != NULL) {
		buf_puts(out, "GET /?lang=en&x=");
		for (int i = 0; i < (strstr(c->what, "40") ? 40 : 20) * 1024; i++)
			buf_putc(out, 'a');
		buf_puts(out, " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
		return;
	}
	buf_puts(out, "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n" LANG "X-Pad: ");
	for (int i = 0; i < (strstr(c->what, "40") ? 40 : 12) * 1024; i++)
		buf_putc(out, 'p');
	buf_puts(out, "\r\n\r\n");
}

/* Where the first response in raw (len bytes) ends, or 0. */
static size_t first_response_end(const char *raw, size_t len)
{
	const char *end, *cl;

	if (raw == NULL || (end = memmem(raw, len, "\r\n\r\n", 4)) == NULL)
		return 0; /* nothing read yet, or the head not whole */
	cl = strcasestr(raw, "\r\nContent-Length:");
	if (cl == NULL || cl > end)
		return 0;
	return (size_t)(end + 4 - raw) + (size_t)strtoul(cl + 17, NULL, 10);
}

/*
 * The headers every answer of the portal carries (server.c), each with
 * a part of its value: NULL when r has them all, else the first one
 * missing.  HSTS only under TLS.
 */
static const char *missing_header(const struct response *r, int tls)
{
	static const char *const want[][2] = {
		{"Content-Security-Policy", "frame-ancestors 'none'"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"Permissions-Policy", "camera=()"},
		{"Cross-Origin-Opener-Policy", "same-origin"},
		{"Cache-Control", "no-store"},
		{"Strict-Transport-Security", "max-age=31536000"},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *v = response_header(r, want[i][0]);
		int ok = v != NULL && strstr(v, want[i][1]) != NULL;

		free(v);
		if (!ok && (tls || strcmp(want[i][0], "Strict-Transport-Security") != 0))
			return want[i][0];
	}
	return NULL;
}

/*
 * 1 when r is the answer case c must get, else 0 with what is wrong
 * printed: the status and every security header (tls: over HTTPS),
 * and our page (HTML in English with the sentence), or for a bare case
 * the connection ended (closed: it ended after the answer) and nothing
 * of the request echoed.
 */
static int answered_as_specified(const struct bad_head *c, const char *where, int tls,
				 const struct response *r, int closed)
{
	const char *body = r->body.data != NULL ? buf_cstr((struct buf *)&r->body) : "";
	const char *missing = missing_header(r, tls);
	int ok = r->status == (long)c->status && missing == NULL;

	if (c->bare)
		ok = ok && closed && strstr(body, c->text) != NULL &&
		     strstr(body, "No colon") == NULL && strstr(body, "ppp") == NULL &&
		     strstr(body, "aaaa") == NULL && strstr(body, "login") == NULL;
	else
		ok = ok && strstr(body, c->text) != NULL &&
		     strstr(body, "<html lang=\"en\">") != NULL;
	if (!ok)
		print_message("%s, %s: status %ld (want %u), %s%s, %s, body %.80s\n", where,
			      c->what, r->status, c->status, missing ? "without " : "all headers",
			      missing ? missing : "", closed ? "closed" : "kept open", body);
	return ok;
}

/* A normal request, then the bad one on the same connection: the
 * second answer. */
static void second_on_kept_alive(struct fx *f, const struct bad_head *c, struct response *r,
				 int *closed)
{
	struct buf head = BUF_INIT, got = BUF_INIT;
	size_t first;
	int fd = raw_connect(&f->s);

	assert_true(fd >= 0);
	bad_head_text(c, &head);
	assert_int_equal(raw_send(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"), 0);
	/* The first answer whole before the second head leaves. */
	for (int i = 0; i < 100 && first_response_end(got.data, got.len) == 0; i++) {
		char chunk[4096];
		ssize_t n = read(fd, chunk, sizeof(chunk));

		if (n <= 0)
			break;
		buf_append(&got, chunk, (size_t)n);
		buf_cstr(&got);
	}
	first = first_response_end(got.data, got.len);
	assert_true(first > 0 && first == got.len);
	/* Sent whole or cut short by the server's answer: either is fine. */
	(void)!write(fd, head.data, head.len);
	buf_reset(&got);
	*closed = raw_recv_all(fd, &got, 5000) == 0;
	close(fd);
	memset(r, 0, sizeof(*r));
	if (got.len > 0)
		response_parse(got.data, got.len, r);
	buf_free(&head);
	buf_free(&got);
}

static void test_later_heads_on_kept_alive_get_our_pages(void **state)
{
	struct fx *f = *state;
	int bad = 0;

	for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++) {
		struct response r;
		int closed;

		second_on_kept_alive(f, &bad_heads[i], &r, &closed);
		bad += !answered_as_specified(&bad_heads[i], "kept alive", 0, &r, closed);
		response_free(&r);
	}
	if (bad > 0)
		fail_msg("%d later heads answered without our page", bad);
}

/* The bad head as the first request over HTTPS: the answer. */
static void over_tls(struct fx *f, const struct bad_head *c, struct response *r, int *closed)
{
	struct tls_offer o = {TLS1_2_VERSION, TLS1_3_VERSION, NULL, NULL, 0, NULL, NULL};
	struct buf head = BUF_INIT, got = BUF_INIT;
	struct tls_conn t;
	struct timeval tv = {5, 0};
	char chunk[4096];
	int n;

	assert_int_equal(tls_open_offer(&t, f->s.port, &o), 1);
	setsockopt(t.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	bad_head_text(c, &head);
	(void)SSL_write(t.ssl, head.data, (int)head.len);
	while ((n = SSL_read(t.ssl, chunk, sizeof(chunk))) > 0)
		buf_append(&got, chunk, (size_t)n);
	/* The read timeout ends a connection kept open (EAGAIN). */
	*closed = SSL_get_error(t.ssl, n) == SSL_ERROR_ZERO_RETURN ||
		  (SSL_get_error(t.ssl, n) == SSL_ERROR_SYSCALL && errno != EAGAIN);
	ERR_clear_error();
	tls_close(&t);
	memset(r, 0, sizeof(*r));
	if (got.len > 0)
		response_parse(got.data, got.len, r);
	buf_free(&head);
	buf_free(&got);
}

static void test_heads_over_tls_get_our_pages(void **state)
{
	struct fx *f = *state;
	int bad = 0;

	for (size_t i = 0; i < sizeof(bad_heads) / sizeof(bad_heads[0]); i++) {
		struct response r;
		int closed;

		over_tls(f, &bad_heads[i], &r, &closed);
		bad += !answered_as_specified(&bad_heads[i], "TLS", 1, &r, closed);
		response_free(&r);
	}
	if (bad > 0)
		fail_msg("%d heads over TLS answered without our page", bad);
}

static int setup_plain(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || server_start(&f->s, NULL) != 0) {
		if (f != NULL)
			server_cleanup(&f->s);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown_plain(void **state)
{
	struct fx *f = *state;

	server_cleanup(&f->s);
	free(f);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_later_heads_on_kept_alive_get_our_pages,
						setup_plain, teardown_plain),
		cmocka_unit_test_setup_teardown(test_heads_over_tls_get_our_pages,
						harness_tls_setup, harness_tls_teardown),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("http_later_heads", tests, NULL, NULL);
}
