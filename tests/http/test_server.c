/*
 * Server-level behaviour over real HTTP: health check, routing errors,
 * body limits, security headers on every response, the access log,
 * the language cookie, graceful shutdown and configuration errors.
 * Each test runs its own server (tests/http/harness.h).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"
#include "harness_extra.h"
#include "harness_sql.h"

struct fixture {
	struct server s;
	struct client c;
	struct response r;
	struct buf out; /* raw replies, command output */
};

/* A server of its own, over HTTPS when tls (server_start_tls). */
static int setup_started(void **state, int tls)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || (tls ? server_start_tls(&f->s, NULL) : server_start(&f->s, NULL)) == -1 ||
	    client_init(&f->c, &f->s) == -1) {
		if (f)
			server_cleanup(&f->s);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int setup_server(void **state)
{
	return setup_started(state, 0);
}

static int setup_tls(void **state)
{
	return setup_started(state, 1);
}

/* For tests that start the server themselves: only a var directory. */
static int setup_var(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || server_var_init(&f->s) == -1) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	response_free(&f->r);
	buf_free(&f->out);
	client_free(&f->c);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ASVS 3.4: every response, errors included, carries these. */
static void assert_security_headers(const struct response *r)
{
	char *csp = response_header(r, "Content-Security-Policy");
	char *nosniff = response_header(r, "X-Content-Type-Options");
	char *referrer = response_header(r, "Referrer-Policy");

	assert_non_null(csp);
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_non_null(nosniff);
	assert_int_equal(strcasecmp(nosniff, "nosniff"), 0);
	assert_non_null(referrer);
	assert_true(referrer[0] != '\0');
	free(csp);
	free(nosniff);
	free(referrer);
}

static void test_healthz_answers_ok(void **state)
{
	struct fixture *f = *state;
	size_t len;

	assert_int_equal(client_get(&f->c, "/healthz", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	len = f->r.body.len;
	while (len > 0 && (f->r.body.data[len - 1] == '\n' || f->r.body.data[len - 1] == '\r'))
		len--;
	assert_int_equal(len, 2);
	assert_memory_equal(f->r.body.data, "ok", 2);
	assert_security_headers(&f->r);
}

static void test_unknown_path_is_404_with_security_headers(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(client_get(&f->c, "/no/such/page", &f->r), 0);
	assert_int_equal(f->r.status, 404);
	assert_security_headers(&f->r);
}

/* RFC 9110 15.5.6: a 405 lists the allowed methods in Allow. */
static void test_delete_on_root_is_405(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(client_request(&f->c, "DELETE", "/", NULL, NULL, 0, NULL, &f->r), 0);
	assert_int_equal(f->r.status, 405);
	assert_true(response_has_header(&f->r, "Allow"));
	assert_security_headers(&f->r);
}

static void test_post_to_healthz_is_405(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(client_post(&f->c, "/healthz", "a=1", &f->r), 0);
	assert_int_equal(f->r.status, 405);
	assert_true(response_has_header(&f->r, "Allow"));
	assert_security_headers(&f->r);
}

/* A POST /login with a form body of len bytes, as a browser sends it
 * (no Expect: 100-continue).  Caller frees. */
static char *big_form_request(size_t len)
{
	struct buf req = BUF_INIT;

	buf_printf(&req,
		   "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		   "Content-Type: application/x-www-form-urlencoded\r\n"
		   "Content-Length: %zu\r\nConnection: close\r\n\r\na=",
		   len);
	for (size_t i = 2; i < len; i++)
		buf_putc(&req, 'x');
	return buf_detach(&req);
}

/* Form bodies are limited to 64 KiB: a 70 KiB one gets 413, also when
 * the server answers before reading it all (SECURITY.md: "bodies over
 * the limit 413 without buffering them whole"). */
static void test_form_body_over_64k_is_413(void **state)
{
	struct fixture *f = *state;
	char *req = big_form_request(70 * 1024);

	raw_exchange(&f->s, req, strlen(req), &f->r, 10000);
	free(req);
	assert_int_equal(f->r.status, 413);
	assert_security_headers(&f->r);
}

/* RFC 9110 10.1.1: a client that sends Expect: 100-continue with a
 * declared oversize body gets the final 413 instead of 100 Continue. */
static void test_oversize_body_with_expect_gets_413_before_upload(void **state)
{
	struct fixture *f = *state;
	const char *headers[] = {"Expect: 100-continue", NULL};
	size_t len = 70 * 1024;
	char *body = malloc(len);

	assert_non_null(body);
	memcpy(body, "a=", 2);
	memset(body + 2, 'x', len - 2);
	client_request(&f->c, "POST", "/login", "application/x-www-form-urlencoded", body, len,
		       headers, &f->r);
	free(body);
	assert_int_equal(f->r.status, 413);
	assert_security_headers(&f->r);
}

/* A GET with one extra header of pad bytes. */
static void get_with_header(struct fixture *f, size_t pad)
{
	struct buf req = BUF_INIT;

	buf_printf(&req, "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ");
	for (size_t i = 0; i < pad; i++)
		buf_putc(&req, 'p');
	buf_printf(&req, "\r\nConnection: close\r\n\r\n");
	raw_exchange(&f->s, req.data, req.len, &f->r, 10000);
	buf_free(&req);
}

/* The per-connection pool is kept small (it is zeroed on every request):
 * request heads of a few KiB, more than browsers send (long cookies and
 * referrers included), are still served; a 40 KiB one gets 431. */
static void test_request_head_of_6k_served_40k_is_431(void **state)
{
	struct fixture *f = *state;

	get_with_header(f, 6 * 1024);
	assert_int_equal(f->r.status, 200);
	response_free(&f->r);
	memset(&f->r, 0, sizeof(f->r));
	get_with_header(f, 40 * 1024);
	assert_int_equal(f->r.status, 431);
}

/* A raw request on a new connection; the answer in f->r. */
static void exchange(struct fixture *f, const char *req, size_t len)
{
	response_free(&f->r);
	memset(&f->r, 0, sizeof(f->r));
	raw_exchange(&f->s, req, len, &f->r, 10000);
}

/* An error answer is one of our pages: the security headers, HTML in
 * the asker's language (lang) with the catalogue's sentence (text). */
static void assert_error_page(struct fixture *f, const char *what, long status, const char *lang,
			      const char *text)
{
	char *ct = response_header(&f->r, "Content-Type");
	char want[32];

	if (f->r.status != status || ct == NULL || strstr(ct, "text/html") == NULL ||
	    strstr(buf_cstr(&f->r.body), text) == NULL)
		fail_msg("%s: status %ld (want %ld), type %s, body:\n%.300s", what, f->r.status,
			 status, ct ? ct : "(none)", buf_cstr(&f->r.body));
	free(ct);
	snprintf(want, sizeof(want), "<html lang=\"%s\">", lang);
	assert_non_null(strstr(buf_cstr(&f->r.body), want));
	assert_security_headers(&f->r);
}

/*
 * Issue 13.8: the answers libmicrohttpd gave alone (431 for a head too
 * large, 414 for a target too long, 400 for bad chunking or a broken
 * header line, 505 for an HTTP version it does not speak) are the
 * portal's own pages, with the security headers, in the asker's
 * language.  A chunked body is refused before it is read: 411 (RFC 9112
 * 6.3 allows a server to want Content-Length; browsers send it).
 */
static void test_protocol_errors_are_pages_with_security_headers(void **state)
{
	struct fixture *f = *state;
	struct buf req = BUF_INIT;

	buf_puts(&req, "GET /login HTTP/1.1\r\nCookie: qcra_lang=en\r\nHost: 127.0.0.1\r\nX-Pad: ");
	for (int i = 0; i < 40 * 1024; i++)
		buf_putc(&req, 'p');
	buf_puts(&req, "\r\nConnection: close\r\n\r\n");
	exchange(f, req.data, req.len);
	assert_error_page(f, "head of 40 KiB", 431, "en", "The request is too large");

	buf_reset(&req);
	/* The language from the query: a cookie after 20 KiB is never read. */
	buf_puts(&req, "GET /?lang=en&x=");
	for (int i = 0; i < 20 * 1024; i++)
		buf_putc(&req, 'a');
	buf_puts(&req, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	exchange(f, req.data, req.len);
	assert_error_page(f, "target of 20 KiB", 414, "en", "The address is too long");

	buf_reset(&req);
	buf_puts(&req,
		 "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: qcra_lang=en\r\n"
		 "Content-Type: application/x-www-form-urlencoded\r\n"
		 "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nabc\r\n0\r\n\r\n");
	exchange(f, req.data, req.len);
	assert_error_page(f, "bad chunking", 411, "en", "did not say how long");

	buf_reset(&req);
	buf_puts(&req, "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: qcra_lang=en\r\n"
		       "No colon here\r\nConnection: close\r\n\r\n");
	exchange(f, req.data, req.len);
	assert_error_page(f, "header line without a colon", 400, "en",
			  "The request could not be understood");

	buf_reset(&req);
	buf_puts(&req, "GET /login HTTP/2.0\r\nHost: 127.0.0.1\r\nCookie: qcra_lang=en\r\n"
		       "Connection: close\r\n\r\n");
	exchange(f, req.data, req.len);
	assert_error_page(f, "HTTP/2.0 in a request line", 505, "en", "version of HTTP");

	/* Serbian by default. */
	buf_reset(&req);
	buf_puts(&req, "GET /login HTTP/2.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
	exchange(f, req.data, req.len);
	assert_error_page(f, "HTTP/2.0, no language", 505, "sr", "verzija HTTP");
	buf_free(&req);
}

/* Issue 13.7: a NUL in the path is not cut short to what precedes it
 * (/login%00.php is not /login): 400. */
static void test_nul_in_path_is_400(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {"/login%00.php", "/orders/1%00", "/login?next=%00",
					    "/%00"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		char req[256];

		snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: qcra_lang=en\r\n"
			 "Connection: close\r\n\r\n",
			 paths[i]);
		exchange(f, req, strlen(req));
		assert_error_page(f, paths[i], 400, "en", "The request could not be understood");
	}
}

/* Issue 13.7, RFC 9112 3.2: an HTTP/1.1 request without Host, or with
 * two, is 400; HTTP/1.0 needs none. */
static void test_http11_needs_one_host(void **state)
{
	struct fixture *f = *state;
	const char *none =
		"GET /login HTTP/1.1\r\nCookie: qcra_lang=en\r\nConnection: close\r\n\r\n";
	const char *two = "GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: example.org\r\n"
			  "Cookie: qcra_lang=en\r\nConnection: close\r\n\r\n";
	const char *old = "GET /login HTTP/1.0\r\n\r\n";

	exchange(f, none, strlen(none));
	assert_error_page(f, "no Host", 400, "en", "The request could not be understood");
	exchange(f, two, strlen(two));
	assert_error_page(f, "two Host lines", 400, "en", "The request could not be understood");
	exchange(f, old, strlen(old));
	assert_int_equal(f->r.status, 200);
}

/* Issue 13.7: where a login goes next (the form's hidden next) is this
 * site's path or "/": never a control character, a backslash, or
 * anything a browser reads as another host ("//", "/\t/"). */
static void test_unsafe_next_goes_home(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {"//evil.example/",
					  "/%09/evil.example/",
					  "/%5Cevil.example/",
					  "/a%5Cb",
					  "/orders%0d%0aSet-Cookie:x=1",
					  "/x%01y",
					  "/%7f",
					  "https://evil.example/",
					  "/\\/evil.example/"};
	char path[128], *next;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/login?next=%s", bad[i]);
		assert_int_equal(client_get(&f->c, path, &f->r), 0);
		assert_int_equal(f->r.status, 200);
		next = form_field_value(buf_cstr(&f->r.body), "next");
		if (next == NULL || strcmp(next, "/") != 0)
			fail_msg("next=%s became \"%s\"", bad[i], next ? next : "(none)");
		free(next);
	}
	assert_int_equal(client_get(&f->c, "/login?next=/orders/5", &f->r), 0);
	next = form_field_value(buf_cstr(&f->r.body), "next");
	assert_non_null(next);
	assert_string_equal(next, "/orders/5");
	free(next);
}

/* The href of the language link (the <a> with hreflang) in html,
 * entity-decoded for &amp; only; caller frees; NULL if none. */
static char *lang_link(const char *html)
{
	const char *h = strstr(html, "hreflang="), *a, *q;

	if (h == NULL)
		return NULL;
	for (a = h; a > html && strncmp(a, "<a ", 3) != 0; a--)
		;
	if ((a = strstr(a, "href=\"")) == NULL || a > h)
		return NULL;
	a += 6;
	q = strchr(a, '"');
	return q ? strndup(a, (size_t)(q - a)) : NULL;
}

/* Issue 13.7: the language link on a 404 page stays on this site
 * whatever the path: "//host/..." or "/\t/host/..." would be read by a
 * browser as another host. */
static void test_lang_link_on_404_stays_on_site(void **state)
{
	struct fixture *f = *state;
	static const char *const paths[] = {"//evil.example/x", "/%09/evil.example/x",
					    "/%5Cevil.example/x", "///evil.example"};
	char req[256], *href;

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		snprintf(req, sizeof(req),
			 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
			 paths[i]);
		exchange(f, req, strlen(req));
		assert_int_equal(f->r.status, 404);
		href = lang_link(buf_cstr(&f->r.body));
		assert_non_null(href);
		if (href[0] != '/' || href[1] == '/' || href[1] == '\\' ||
		    strpbrk(href, "\t\r\n\\") != NULL || strstr(href, "&#") != NULL)
			fail_msg("%s: language link \"%s\"", paths[i], href);
		free(href);
	}
}

/* With tls_cert and tls_key the portal speaks HTTPS itself: HSTS on
 * every response, cookies Secure and __Host- prefixed, and the CSRF
 * cookie still round-trips (a login answers 422 for a wrong password,
 * not 403); the same port does not answer plain HTTP. */
static void test_https_with_hsts_and_host_cookies(void **state)
{
	struct fixture *f = *state;
	char *hsts, *cookie, *token, *body;
	struct response plain = {0};
	struct client c2;
	struct server http = f->s;

	assert_memory_equal(f->s.base, "https://", 8);
	assert_int_equal(client_get(&f->c, "/login", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	assert_security_headers(&f->r);
	hsts = response_header(&f->r, "Strict-Transport-Security");
	assert_non_null(hsts);
	assert_non_null(strstr(hsts, "max-age="));
	free(hsts);
	cookie = response_header(&f->r, "Set-Cookie");
	assert_non_null(cookie);
	assert_memory_equal(cookie, "__Host-qcra_csrf=", 17);
	assert_non_null(strstr(cookie, "; Secure"));
	assert_non_null(strstr(cookie, "; Path=/"));
	free(cookie);
	token = form_field_value(buf_cstr(&f->r.body), "csrf_token");
	assert_non_null(token);
	body = form_encodef("username", "nobody", "password", "not the password at all",
			    "csrf_token", token, NULL);
	response_free(&f->r);
	memset(&f->r, 0, sizeof(f->r));
	assert_int_equal(client_post(&f->c, "/login", body, &f->r), 0);
	assert_int_equal(f->r.status, 422);
	free(body);
	free(token);
	/* Plain HTTP to the same port gets no page. */
	snprintf(http.base, sizeof(http.base), "http://127.0.0.1:%d", f->s.port);
	http.cafile[0] = '\0';
	assert_int_equal(client_init(&c2, &http), 0);
	client_get(&c2, "/healthz", &plain);
	assert_int_not_equal(plain.status, 200);
	response_free(&plain);
	client_free(&c2);
}

static void test_malformed_urlencoded_body_is_400(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(client_post(&f->c, "/login", "a=%zz", &f->r), 0);
	assert_int_equal(f->r.status, 400);
	assert_security_headers(&f->r);
}

/* Never log secrets (ASVS 16.2.5): query strings carry tokens. */
static void test_query_secrets_stay_out_of_log(void **state)
{
	struct fixture *f = *state;
	char *log;

	assert_int_equal(client_get(&f->c, "/healthz?token=SECRETQ1x", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	assert_int_equal(client_get(&f->c, "/register/confirm?token=SECRETQ2x", &f->r), 0);
	assert_int_equal(client_get(&f->c, "/no/such/page?token=SECRETQ3x&x=1", &f->r), 0);
	client_free(&f->c);
	assert_int_equal(server_stop(&f->s), 0);

	log = server_log(&f->s);
	assert_non_null(strstr(log, "/register/confirm")); /* the request was logged */
	assert_null(strstr(log, "SECRETQ"));
	free(log);
}

static void test_access_log_has_one_line_per_request(void **state)
{
	struct fixture *f = *state;
	char *log;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(client_get(&f->c, "/no-such-page-for-log", &f->r), 0);
		assert_int_equal(f->r.status, 404);
	}
	assert_int_equal(client_get(&f->c, "/healthz", &f->r), 0);
	client_free(&f->c);
	/* After SIGTERM every line has been written. */
	assert_int_equal(server_stop(&f->s), 0);

	log = server_log(&f->s);
	assert_true(log_count_requests(log, "GET", "/healthz", 200) >= 1);
	assert_int_equal(log_count_requests(log, "GET", "/no-such-page-for-log", 404), 3);
	free(log);
}

static void test_lang_query_sets_language_cookie(void **state)
{
	struct fixture *f = *state;
	char *lang;

	assert_int_equal(client_get(&f->c, "/?lang=en", &f->r), 0);
	assert_true(f->r.status >= 200 && f->r.status < 400);
	assert_security_headers(&f->r);
	lang = client_cookie(&f->c, "qcra_lang");
	assert_non_null(lang);
	assert_string_equal(lang, "en");
	free(lang);
}

static void test_sigterm_exits_zero(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(client_get(&f->c, "/healthz", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	client_free(&f->c);
	assert_int_equal(server_stop(&f->s), 0);
}

/* A request the server has started on (headers read, body still
 * arriving) when SIGTERM comes is answered before the server exits. */
static void test_sigterm_finishes_request_in_flight(void **state)
{
	struct fixture *f = *state;
	struct response r = {0};
	int fd;

	client_free(&f->c); /* no idle keep-alive connection of ours */
	fd = raw_connect(&f->s);
	assert_true(fd >= 0);
	assert_int_equal(raw_send(fd, "POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				      "Content-Type: application/x-www-form-urlencoded\r\n"
				      "Content-Length: 7\r\nConnection: close\r\n\r\nu=a"),
			 0);
	sleep_ms(300);
	assert_int_equal(kill(f->s.pid, SIGTERM), 0);
	sleep_ms(300);
	raw_send(fd, "&p=b");
	raw_recv_all(fd, &f->out, 10000);
	close(fd);
	if (response_parse(f->out.data, f->out.len, &r) == -1)
		fprintf(stderr, "reply to the request in flight: \"%s\"\n", buf_cstr(&f->out));
	response_free(&r);
	assert_int_equal(response_parse(f->out.data, f->out.len, &f->r), 0);
	assert_true(f->r.status >= 200 && f->r.status < 500);
	assert_int_equal(server_wait(&f->s, 10000), 0);
}

/*
 * SIGTERM with mail queued and the SMTP server not answering (a
 * listening socket that never accepts: every delivery waits its 30 s
 * timeout): the server still exits within a few seconds, and every mail
 * stays in the outbox, unsent and not leased, for the next start or
 * another instance to deliver.
 */
#define STOP_MAILS 4
#define STOP_WITHIN_MS 3000

static void test_sigterm_with_mail_queued_exits_quickly(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_in sa = {0};
	char smtp[64], now[32], *v;
	const char *env[] = {"QCRA_MAIL_TRANSPORT=smtp", smtp, "QCRA_MAIL_POLL_SECONDS=1", NULL};
	const char *params[] = {now, NULL};
	struct timespec t0, t1;
	long ms;
	int hole, i, port = free_tcp_port();

	hole = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(hole >= 0);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(hole, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(hole, 16), 0);
	snprintf(smtp, sizeof(smtp), "QCRA_SMTP_URL=smtp://127.0.0.1:%d", port);
	assert_int_equal(server_restart(&f->s, env), 0);
	assert_int_equal(client_init(&f->c, &f->s), 0);
	snprintf(now, sizeof(now), "%lld", (long long)time(NULL));
	for (i = 0; i < STOP_MAILS; i++)
		free(server_sql_ok(&f->s,
				   "INSERT INTO outbox (recipient, subject, body, created_at, "
				   "next_attempt_at) VALUES ('clan@example.org', 'stop', 'text', "
				   "$1, $1)",
				   params));
	/* The worker (polling every second) has claimed one and waits on
	 * the SMTP server. */
	for (i = 0; i < 50; i++) {
		v = server_sql_ok(&f->s, "SELECT COUNT(*) FROM outbox WHERE claimed_by <> ''",
				  NULL);
		if (atoi(v) > 0)
			i = 1000;
		free(v);
		if (i < 1000)
			sleep_ms(100);
	}
	assert_true(i > 1000);
	/* A request answered just before: the server was serving. */
	assert_int_equal(client_get(&f->c, "/healthz", &f->r), 0);
	assert_int_equal(f->r.status, 200);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kill(f->s.pid, SIGTERM), 0);
	i = server_wait(&f->s, 15000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	fprintf(stderr, "# SIGTERM to exit with %d mails queued: %ld ms\n", STOP_MAILS, ms);
	close(hole);
	if (i == -1)
		server_cleanup(&f->s);
	assert_int_equal(i, 0);
	assert_true(ms < STOP_WITHIN_MS);
	v = server_sql_ok(&f->s,
			  "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND claimed_by = '' "
			  "AND lease_until = 0",
			  NULL);
	assert_int_equal(atoi(v), STOP_MAILS);
	free(v);
}

/* SIGTERM after the database went away (PostgreSQL): the server still
 * exits within a few seconds, on its own. */
static void test_sigterm_without_its_database_exits_quickly(void **state)
{
	struct fixture *f = *state;
	struct timespec t0, t1;
	long ms;
	int rc;

	if (getenv("QCRA_TEST_STORE_PG") == NULL)
		return; /* PostgreSQL's only (server_pg); meson takes a TAP skip for a failure */
	assert_int_equal(client_get(&f->c, "/healthz", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	client_free(&f->c);
	server_pg_allow(&f->s, 0);
	sleep_ms(1500); /* the workers and the wake-up thread find it gone */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(kill(f->s.pid, SIGTERM), 0);
	rc = server_wait(&f->s, 15000);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	fprintf(stderr, "# SIGTERM to exit without the database: %ld ms\n", ms);
	server_pg_allow(&f->s, 1);
	if (rc == -1)
		server_cleanup(&f->s);
	assert_true(rc >= 0);
	assert_true(ms < STOP_WITHIN_MS);
}

/* Configuration errors stop the server with a message naming the key. */
static void assert_rejects_listen(struct fixture *f, const char *const argv[],
				  const char *const *env)
{
	int rc = server_run_cli_env(&f->s, argv, env, &f->out);

	if (rc <= 0 || rc >= 128 || strstr(buf_cstr(&f->out), "listen") == NULL)
		fprintf(stderr, "exit %d, output:\n%s\n", rc, buf_cstr(&f->out));
	assert_true(rc > 0 && rc < 128); /* an error exit, not a crash or a hang */
	assert_non_null(strstr(buf_cstr(&f->out), "listen"));
}

static void test_invalid_listen_flag_is_rejected(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = {"serve", "--listen", "nonsense", "--var", f->s.var, NULL};

	assert_rejects_listen(f, argv, NULL);
}

static void test_invalid_listen_env_is_rejected(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = {"serve", "--var", f->s.var, NULL};
	const char *env[] = {"QCRA_LISTEN=nonsense", NULL};

	assert_rejects_listen(f, argv, env);
}

/* HTTPS needs both files: one alone, or a file that is not PEM, stops
 * start-up with a message naming the setting. */
static void test_half_or_bad_tls_settings_are_rejected(void **state)
{
	struct fixture *f = *state;
	const char *argv[] = {"serve", "--var", f->s.var, "--listen", "127.0.0.1:0", NULL};
	const char *half[] = {"QCRA_TLS_CERT=/etc/hostname", NULL};
	const char *bad[] = {"QCRA_TLS_CERT=/etc/hostname", "QCRA_TLS_KEY=/etc/hostname", NULL};

	assert_int_equal(server_run_cli_env(&f->s, argv, half, &f->out), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "tls_cert and tls_key"));
	buf_reset(&f->out);
	assert_int_equal(server_run_cli_env(&f->s, argv, bad, &f->out), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "tls_cert: /etc/hostname is not a PEM file"));
}

/* Every command `qcra --help` lists answers --help with its usage and
 * exit status 0 (README: "every command takes --help"). */
static void test_every_command_takes_help(void **state)
{
	struct fixture *f = *state;
	const char *top[] = {"--help", NULL};
	char *list, *line, *save, *word, *gap, *bar;
	const char *argv[4];
	int n, checked = 0;

	buf_reset(&f->out);
	assert_int_equal(server_run_cli(&f->s, top, &f->out), 0);
	list = strdup(buf_cstr(&f->out));
	assert_non_null(list);
	/* The command lines: "  member import    load the ...", the command
	 * ending at the first run of two spaces; "ca init|serve" is "ca init". */
	for (line = strtok_r(list, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "  ", 2) != 0 || line[2] == ' ' ||
		    strncmp(line, "  qcra ", 7) == 0 || (gap = strstr(line + 2, "  ")) == NULL)
			continue;
		*gap = '\0';
		if ((bar = strchr(line, '|')) != NULL)
			*bar = '\0';
		n = 0;
		argv[n++] = strtok_r(line + 2, " ", &word);
		if ((argv[n] = strtok_r(NULL, " ", &word)) != NULL)
			n++;
		argv[n++] = "--help";
		argv[n] = NULL;
		buf_reset(&f->out);
		if (server_run_cli(&f->s, argv, &f->out) != 0 ||
		    strstr(buf_cstr(&f->out), "usage: qcra") == NULL)
			fail_msg("qcra %s %s: %s", argv[0], argv[1], buf_cstr(&f->out));
		checked++;
	}
	free(list);
	assert_true(checked >= 10);
}

/* Every test gets its own server (setup_server) or var directory (setup_var). */
#define TEST(name, setup) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_healthz_answers_ok, setup_server),
		TEST(test_unknown_path_is_404_with_security_headers, setup_server),
		TEST(test_delete_on_root_is_405, setup_server),
		TEST(test_post_to_healthz_is_405, setup_server),
		TEST(test_form_body_over_64k_is_413, setup_server),
		TEST(test_oversize_body_with_expect_gets_413_before_upload, setup_server),
		TEST(test_request_head_of_6k_served_40k_is_431, setup_server),
		TEST(test_malformed_urlencoded_body_is_400, setup_server),
		TEST(test_protocol_errors_are_pages_with_security_headers, setup_server),
		TEST(test_nul_in_path_is_400, setup_server),
		TEST(test_http11_needs_one_host, setup_server),
		TEST(test_unsafe_next_goes_home, setup_server),
		TEST(test_lang_link_on_404_stays_on_site, setup_server),
		TEST(test_https_with_hsts_and_host_cookies, setup_tls),
		TEST(test_query_secrets_stay_out_of_log, setup_server),
		TEST(test_access_log_has_one_line_per_request, setup_server),
		TEST(test_lang_query_sets_language_cookie, setup_server),
		TEST(test_sigterm_exits_zero, setup_server),
		TEST(test_sigterm_finishes_request_in_flight, setup_server),
		TEST(test_sigterm_with_mail_queued_exits_quickly, setup_var),
		TEST(test_sigterm_without_its_database_exits_quickly, setup_server),
		TEST(test_invalid_listen_flag_is_rejected, setup_var),
		TEST(test_invalid_listen_env_is_rejected, setup_var),
		TEST(test_half_or_bad_tls_settings_are_rejected, setup_var),
		TEST(test_every_command_takes_help, setup_var),
	};

	return cmocka_run_group_tests_name("http_server", tests, NULL, NULL);
}
