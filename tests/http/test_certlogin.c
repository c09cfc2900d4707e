/*
 * Login with a qualified certificate behind a TLS proxy (issue 19,
 * point 2): the certificate the "proxy" verified comes in
 * X-Client-Certificate (nginx's URL-encoded PEM, or haproxy's base64
 * DER), believed from client_cert_header_from's addresses only
 * (127.0.0.1 here, and 127.0.0.4 as a balancer speaking the PROXY
 * protocol; 127.0.0.2 plays a client sending the header itself).
 * The test's own CA (tests/unit/app/sign_fx.c) is trusted through
 * sign_trusted_cas, its CRL served by the test.  Each refusal answers
 * with its own message in Serbian and English.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <openssl/pem.h>

#include "harness.h"
#include "journey.h"
#include "sign_fx.h"
#include "harness_sql.h"

#define ZARKO_JMBG "1203978711237"
#define ANA_JMBG "0101990710006"
#define REVOKED 66

struct fx {
	struct journey_fx f;
	struct sign_fx_trusted t;
};

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	char env[128];
	const char *envs[] = {env, "QCRA_CLIENT_CERT_HEADER_FROM=127.0.0.1, ::1, 127.0.0.4",
			      "QCRA_PROXY_PROTOCOL_FROM=127.0.0.4", NULL};

	if (x == NULL || sign_fx_trusted_make(&x->t, "Test kvalifikovani CA", REVOKED) != 0)
		return -1;
	snprintf(env, sizeof(env), "QCRA_SIGN_TRUSTED_CAS=%s", x->t.pem);
	if (journey_fx_start(&x->f, envs) != 0)
		return -1;
	journey_member(&x->f.s, &x->f.c, &demo_zarko, "zdjuras", "Lozinka-za-test-1");
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	journey_fx_stop(&x->f);
	sign_fx_trusted_free(&x->t);
	free(x);
	return 0;
}

#define BODY(r) ((r)->body.data ? (const char *)(r)->body.data : "")

/* A person's certificate from ca (NULL: the test's CA) as the header's
 * value: nginx's URL-encoded PEM, or haproxy's base64 DER. */
static char *header_value(struct fx *x, const struct sign_fx_ca *ca, const char *jmbg, long from,
			  long to, long serial, int haproxy)
{
	EVP_PKEY *key;
	X509 *cert = sign_fx_person(ca ? ca : &x->t.ca, jmbg, from, to, serial, x->t.crl_url, &key);
	BIO *b = BIO_new(BIO_s_mem());
	struct buf out = BUF_INIT;
	unsigned char *der = NULL;
	char *pem, b64[8192];
	long n;
	int len;

	assert_non_null(cert);
	buf_puts(&out, "X-Client-Certificate: ");
	if (haproxy) {
		len = i2d_X509(cert, &der);
		assert_true(len > 0 && len < 6000);
		EVP_EncodeBlock((unsigned char *)b64, der, len);
		buf_puts(&out, b64);
		OPENSSL_free(der);
	} else {
		PEM_write_bio_X509(b, cert);
		n = BIO_get_mem_data(b, &pem);
		for (long i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)pem[i];

			if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '.' || ch == '_')
				buf_printf(&out, "%c", ch);
			else
				buf_printf(&out, "%%%02X", ch);
		}
	}
	BIO_free(b);
	X509_free(cert);
	EVP_PKEY_free(key);
	return out.data;
}

/* GET /login/certificate?lang=lang with the header from a new client
 * (from address from, NULL: 127.0.0.1); the client kept in *c. */
static long cert_login(struct fx *x, struct client *c, struct response *r, const char *header,
		       const char *lang, const char *from)
{
	const char *headers[] = {header, NULL};
	char path[64];

	assert_int_equal(client_init(c, &x->f.s), 0);
	if (from)
		curl_easy_setopt(c->curl, CURLOPT_INTERFACE, from);
	snprintf(path, sizeof(path), "/login/certificate?lang=%s", lang);
	assert_int_equal(client_request(c, "GET", path, NULL, NULL, 0, header ? headers : NULL, r),
			 0);
	return r->status;
}

static void test_login_page_offers_the_certificate(void **state)
{
	struct fx *x = *state;
	struct client c;
	struct response r = {0};

	assert_int_equal(client_init(&c, &x->f.s), 0);
	assert_int_equal(journey_get(&c, "/login?lang=sr", &r), 200);
	assert_non_null(strstr(BODY(&r), "href=\"/login/certificate\""));
	assert_non_null(strstr(BODY(&r), "Prijava kvalifikovanim sertifikatom"));
	client_free(&c);
	buf_free(&r.body);
	buf_free(&r.headers);
}

/* The proxy's certificate logs the member in, in either format: then
 * their orders open. */
static void test_certificate_from_the_proxy_logs_in(void **state)
{
	struct fx *x = *state;

	for (int haproxy = 0; haproxy < 2; haproxy++) {
		char *h = header_value(x, NULL, ZARKO_JMBG, -3600, 86400, 31 + haproxy, haproxy);
		struct client c;
		struct response r = {0};

		assert_int_equal(cert_login(x, &c, &r, h, "sr", NULL), 303);
		assert_int_equal(journey_get(&c, "/orders", &r), 200);
		assert_non_null(strstr(BODY(&r), ">zdjuras</a>"));
		client_free(&c);
		buf_free(&r.body);
		buf_free(&r.headers);
		free(h);
	}
}

/* The same header from an address that is not the proxy's is ignored:
 * no login, "no certificate", and the attempt audited as denied. */
static void test_header_from_elsewhere_is_ignored(void **state)
{
	struct fx *x = *state;
	char *h = header_value(x, NULL, ZARKO_JMBG, -3600, 86400, 33, 0);
	struct client c;
	struct response r = {0};

	assert_int_equal(cert_login(x, &c, &r, h, "en", "127.0.0.2"), 403);
	assert_non_null(strstr(BODY(&r), "Your browser sent no certificate"));
	assert_int_equal(journey_get(&c, "/orders", &r), 303);
	client_free(&c);
	buf_free(&r.body);
	buf_free(&r.headers);
	free(h);
}

/* GET path through the balancer 127.0.0.4 speaking the PROXY protocol
 * for client (an address the balancer names), header sent along; the
 * raw response in buf. */
static void proxied(struct fx *x, const char *client, const char *path, const char *header,
		    char *buf, size_t size)
{
	struct buf req = BUF_INIT;
	struct sockaddr_in from = {0}, to = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t got = 0;
	ssize_t n;

	assert_true(fd >= 0);
	from.sin_family = to.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.4", &from.sin_addr);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)x->f.s.port);
	assert_int_equal(bind(fd, (struct sockaddr *)&from, sizeof(from)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	buf_printf(&req,
		   "PROXY TCP4 %s 127.0.0.1 40000 %d\r\n"
		   "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n"
		   "Connection: close\r\n\r\n",
		   client, x->f.s.port, path, header);
	assert_int_equal(send(fd, req.data, req.len, MSG_NOSIGNAL), (ssize_t)req.len);
	while (got < size - 1 && (n = recv(fd, buf + got, size - 1 - got, 0)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	close(fd);
	buf_free(&req);
}

/* A PROXY protocol connection from the balancer 127.0.0.4: the header is
 * believed (the connection's peer is listed), though the client it
 * names, 198.51.100.7, is not. */
static void test_certificate_through_a_proxy_protocol_balancer(void **state)
{
	struct fx *x = *state;
	char *h = header_value(x, NULL, ZARKO_JMBG, -3600, 86400, 34, 1), buf[4096];

	proxied(x, "198.51.100.7", "/login/certificate", h, buf, sizeof(buf));
	assert_non_null(strstr(buf, " 303 "));
	assert_non_null(strstr(buf, "Set-Cookie"));
	free(h);
}

static void refused_with(struct fx *x, const char *h, const char *sr, const char *en)
{
	struct client c;
	struct response r = {0};

	assert_int_equal(cert_login(x, &c, &r, h, "sr", NULL), 403);
	assert_non_null(strstr(BODY(&r), sr));
	client_free(&c);
	assert_int_equal(cert_login(x, &c, &r, h, "en", NULL), 403);
	assert_non_null(strstr(BODY(&r), en));
	assert_int_equal(journey_get(&c, "/orders", &r), 303);
	client_free(&c);
	buf_free(&r.body);
	buf_free(&r.headers);
}

static void test_refusals_say_what_is_wrong(void **state)
{
	struct fx *x = *state;
	struct sign_fx_ca other;
	char *h;

	assert_int_equal(sign_fx_ca_make(&other, "Drugi CA"), 0);
	h = header_value(x, &other, ZARKO_JMBG, -3600, 86400, 40, 0);
	refused_with(x, h, "kome portal veruje", "this portal trusts");
	free(h);
	sign_fx_ca_free(&other);
	h = header_value(x, NULL, ZARKO_JMBG, -2 * 86400, -86400, 41, 0);
	refused_with(x, h, "Sertifikat je istekao", "The certificate has expired");
	free(h);
	h = header_value(x, NULL, ZARKO_JMBG, -3600, 86400, REVOKED, 0);
	refused_with(x, h, "Sertifikat je opozvan", "The certificate has been revoked");
	free(h);
	h = header_value(x, NULL, ANA_JMBG, -3600, 86400, 42, 0);
	refused_with(x, h, "Prvo se registrujte", "Register first");
	free(h);
	refused_with(x, NULL, "Pregledač nije poslao sertifikat",
		     "Your browser sent no certificate");
}

/* The audit log's login.certificate entries with outcome (or, when
 * outcome is NULL, the last ok one's object and detail). */
static char *audited(struct fx *x, const char *outcome)
{
	const char *params[] = {outcome, NULL};

	if (outcome == NULL)
		return server_sql_ok(&x->f.s,
				     "SELECT object || ' ' || detail FROM audit_log "
				     "WHERE action = 'login.certificate' AND outcome = 'ok' "
				     "ORDER BY id DESC LIMIT 1",
				     NULL);
	return server_sql_ok(&x->f.s,
			     "SELECT COUNT(*) FROM audit_log "
			     "WHERE action = 'login.certificate' AND outcome = $1",
			     params);
}

/* Each login by certificate is audited, the certificate's serial named;
 * the header from elsewhere as denied. */
static void test_certificate_logins_are_audited(void **state)
{
	struct fx *x = *state;
	char *ok = audited(x, "ok"), *failed = audited(x, "failed"), *denied = audited(x, "denied");
	char *last = audited(x, NULL);

	assert_string_equal(ok, "3");
	assert_true(atoi(failed) >= 10);
	assert_string_equal(denied, "1");
	assert_non_null(strstr(last, "22 u:zdjuras")); /* serial 34, hex: the last */
	free(ok);
	free(failed);
	free(denied);
	free(last);
}

/* Refused certificate logins are counted per client address like
 * password guesses (each may cost a request to the CA's OCSP responder
 * or CRL): past login_max_failures_per_address (20) the address gets
 * the login page's 429 and its message, in either language, before
 * anything is checked: a good certificate too, audited as denied, not
 * looked up.  Another address still logs in. */
static void test_refused_certificates_are_throttled_per_address(void **state)
{
	struct fx *x = *state;
	char *bad = header_value(x, NULL, ZARKO_JMBG, -3600, 86400, REVOKED, 1);
	char *good = header_value(x, NULL, ZARKO_JMBG, -3600, 86400, 35, 1), buf[32768];
	const char *denied[] = {"login.certificate", NULL};
	char *before, *after;

	for (int i = 0; i < 20; i++) {
		proxied(x, "198.51.100.9", "/login/certificate?lang=en", bad, buf, sizeof(buf));
		assert_non_null(strstr(buf, " 403 "));
		assert_non_null(strstr(buf, "The certificate has been revoked"));
	}
	before = audited(x, "failed");
	proxied(x, "198.51.100.9", "/login/certificate?lang=en", good, buf, sizeof(buf));
	assert_non_null(strstr(buf, " 429 "));
	assert_non_null(strstr(buf, "Retry-After: "));
	assert_non_null(strstr(buf, "Too many failed login attempts from your address"));
	assert_null(strstr(buf, "qcra_session="));
	proxied(x, "198.51.100.9", "/login/certificate?lang=sr", bad, buf, sizeof(buf));
	assert_non_null(strstr(buf, " 429 "));
	assert_non_null(strstr(buf, "Previše neuspešnih pokušaja prijave s vaše adrese"));
	after = audited(x, "failed");
	assert_string_equal(before, after); /* nothing was checked */
	free(before);
	free(after);
	before = server_sql_ok(&x->f.s,
			       "SELECT COUNT(*) FROM audit_log WHERE action = $1 "
			       "AND outcome = 'denied' AND detail LIKE 'retry after %'",
			       denied);
	assert_string_equal(before, "2");
	free(before);
	proxied(x, "198.51.100.10", "/login/certificate", good, buf, sizeof(buf));
	assert_non_null(strstr(buf, " 303 "));
	/* The certificate listener sends a throttled try on to this page,
	 * with its wait (bounded by the window: 15 min). */
	proxied(x, "198.51.100.11", "/login?cert=login.throttled&wait=90&lang=en", "X-Test: 1", buf,
		sizeof(buf));
	assert_non_null(strstr(buf, " 429 "));
	assert_non_null(strstr(buf, "Try again in 2 min"));
	proxied(x, "198.51.100.11", "/login?cert=login.throttled&wait=99999&lang=en", "X-Test: 1",
		buf, sizeof(buf));
	assert_non_null(strstr(buf, "Try again in 15 min"));
	free(bad);
	free(good);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_page_offers_the_certificate),
		cmocka_unit_test(test_certificate_from_the_proxy_logs_in),
		cmocka_unit_test(test_header_from_elsewhere_is_ignored),
		cmocka_unit_test(test_certificate_through_a_proxy_protocol_balancer),
		cmocka_unit_test(test_refusals_say_what_is_wrong),
		cmocka_unit_test(test_certificate_logins_are_audited),
		/* Last: its logins and refusals would change the counts above. */
		cmocka_unit_test(test_refused_certificates_are_throttled_per_address),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
