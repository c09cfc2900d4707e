/*
 * Login with a qualified certificate on the portal's own HTTPS (issue
 * 19, point 2): cert_login_listen opens a second HTTPS listener, with
 * the portal's certificate, that asks the browser for a client
 * certificate and serves GET /login/certificate only.  The client here
 * is libcurl with a certificate and key made by the test's CA
 * (tests/unit/app/sign_fx.c, trusted through sign_trusted_cas, its CRL
 * served by the test).  A good certificate logs the member in and
 * sends them to the main site (base_url), where the session cookie
 * holds; each refusal sends them to the main site's login page with the
 * same message as behind a proxy, in Serbian and English.  The main
 * listener never asks for a certificate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include "harness.h"
#include "harness_sql.h"
#include "journey.h"
#include "sign_fx.h"
#include "tls_client.h"

#define ZARKO_JMBG "1203978711237"
#define ANA_JMBG "0101990710006"
#define REVOKED 66

struct fx {
	struct server s;
	struct sign_fx_trusted t;
	int cport;      /* the certificate listener's port */
	char cbase[64]; /* https://127.0.0.1:CPORT */
	int files;      /* certificate files written so far */
};

/* A loopback port free now (the server binds it right after). */
static int free_port(void)
{
	struct sockaddr_in sin = {0};
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static int setup(void **state)
{
	struct fx *x = calloc(1, sizeof(*x));
	struct client c;
	char trust[128], listen[64];
	const char *envs[] = {trust, listen, NULL};

	if (x == NULL || sign_fx_trusted_make(&x->t, "Test kvalifikovani CA", REVOKED) != 0 ||
	    (x->cport = free_port()) < 0)
		return -1;
	snprintf(trust, sizeof(trust), "QCRA_SIGN_TRUSTED_CAS=%s", x->t.pem);
	snprintf(listen, sizeof(listen), "QCRA_CERT_LOGIN_LISTEN=127.0.0.1:%d", x->cport);
	snprintf(x->cbase, sizeof(x->cbase), "https://127.0.0.1:%d", x->cport);
	if (journey_server_tls(&x->s, envs) != 0 || client_init(&c, &x->s) != 0) {
		server_cleanup(&x->s);
		return -1;
	}
	journey_member(&x->s, &c, &demo_zarko, "zdjuras", "Lozinka-za-test-1");
	client_free(&c);
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	server_cleanup(&x->s);
	sign_fx_trusted_free(&x->t);
	free(x);
	return 0;
}

#define BODY(r) ((r)->body.data ? (const char *)(r)->body.data : "")

/* A person's certificate from ca (NULL: self-signed) and its key,
 * written as PEM files into the server's var directory: their paths in
 * cert and key. */
static void person_files(struct fx *x, const struct sign_fx_ca *ca, const char *jmbg, long from,
			 long to, long serial, char *cert, char *key, size_t size)
{
	EVP_PKEY *k;
	X509 *c = sign_fx_person(ca, jmbg, from, to, serial, x->t.crl_url, &k);
	FILE *fp;

	assert_non_null(c);
	x->files++;
	snprintf(cert, size, "%s/client%d.pem", x->s.var, x->files);
	snprintf(key, size, "%s/client%d.key", x->s.var, x->files);
	assert_non_null(fp = fopen(cert, "w"));
	assert_int_equal(PEM_write_X509(fp, c), 1);
	fclose(fp);
	assert_non_null(fp = fopen(key, "w"));
	assert_int_equal(PEM_write_PrivateKey(fp, k, NULL, NULL, 0, NULL, NULL), 1);
	fclose(fp);
	X509_free(c);
	EVP_PKEY_free(k);
}

/* GET /login/certificate?lang=lang on the certificate listener from a
 * new client *c offering the certificate in cert/key (NULL: none); c
 * is left speaking to the main site (its cookie jar kept). */
static long cert_login(struct fx *x, struct client *c, struct response *r, const char *cert,
		       const char *key, const char *lang)
{
	char path[64];
	int rc;

	assert_int_equal(client_init(c, &x->s), 0);
	if (cert != NULL) {
		curl_easy_setopt(c->curl, CURLOPT_SSLCERT, cert);
		curl_easy_setopt(c->curl, CURLOPT_SSLKEY, key);
	}
	snprintf(c->base, sizeof(c->base), "%s", x->cbase);
	snprintf(path, sizeof(path), "/login/certificate?lang=%s", lang);
	rc = client_request(c, "GET", path, NULL, NULL, 0, NULL, r);
	if (rc != 0)
		fprintf(stderr, "certificate listener: %s\n", c->error);
	assert_int_equal(rc, 0);
	snprintf(c->base, sizeof(c->base), "%s", x->s.base);
	return r->status;
}

/* The Location of r, which must be on the main site: its path. */
static char *main_site_path(struct fx *x, const struct response *r)
{
	char *loc = response_header(r, "Location"), *path;
	size_t n = strlen(x->s.base);

	assert_non_null(loc);
	if (strncmp(loc, x->s.base, n) != 0)
		fprintf(stderr, "Location: %s, not on %s\n", loc, x->s.base);
	assert_int_equal(strncmp(loc, x->s.base, n), 0);
	path = strdup(loc + n);
	free(loc);
	return path;
}

/* On the main site the login page links to the certificate listener. */
static void test_login_page_links_to_the_certificate_listener(void **state)
{
	struct fx *x = *state;
	struct client c;
	struct response r = {0};
	char href[128];

	assert_int_equal(client_init(&c, &x->s), 0);
	assert_int_equal(journey_get(&c, "/login?lang=sr", &r), 200);
	snprintf(href, sizeof(href), "href=\"%s/login/certificate\"", x->cbase);
	assert_non_null(strstr(BODY(&r), href));
	assert_non_null(strstr(BODY(&r), "Prijava kvalifikovanim sertifikatom"));
	client_free(&c);
	response_free(&r);
}

/* A good certificate: 303 to the main site's home, with a session
 * cookie (Secure, HttpOnly, host-only, Path=/) that opens the member's
 * orders there. */
static void test_certificate_logs_in_on_the_main_site(void **state)
{
	struct fx *x = *state;
	char cert[PATH_MAX + 32], key[PATH_MAX + 32], *path, *cookie;
	struct client c;
	struct response r = {0};

	person_files(x, &x->t.ca, ZARKO_JMBG, -3600, 86400, 31, cert, key, sizeof(cert));
	assert_int_equal(cert_login(x, &c, &r, cert, key, "sr"), 303);
	path = main_site_path(x, &r);
	assert_string_equal(path, "/");
	free(path);
	assert_non_null(cookie = strstr(buf_cstr(&r.headers), "qcra_session="));
	*strchr(cookie, '\r') = '\0';
	assert_non_null(strstr(cookie, "Secure"));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "Path=/"));
	assert_null(strstr(cookie, "Domain"));
	assert_int_equal(journey_get(&c, "/orders", &r), 200);
	assert_non_null(strstr(BODY(&r), ">zdjuras</a>"));
	client_free(&c);
	response_free(&r);
}

/* Refused: 303 to the main site's login page, which says why in the
 * request's language; no session there. */
static void refused_with(struct fx *x, const char *cert, const char *key, const char *sr,
			 const char *en)
{
	const char *lang[2] = {"sr", "en"}, *want[2] = {sr, en};

	for (int i = 0; i < 2; i++) {
		struct client c;
		struct response r = {0};
		char *path;

		assert_int_equal(cert_login(x, &c, &r, cert, key, lang[i]), 303);
		path = main_site_path(x, &r);
		assert_int_equal(strncmp(path, "/login?", 7), 0);
		assert_int_equal(journey_get(&c, path, &r), 403);
		if (strstr(BODY(&r), want[i]) == NULL)
			fprintf(stderr, "%s: no \"%s\" in:\n%s\n", path, want[i], BODY(&r));
		assert_non_null(strstr(BODY(&r), want[i]));
		assert_int_equal(journey_get(&c, "/orders", &r), 303);
		free(path);
		client_free(&c);
		response_free(&r);
	}
}

static void test_refusals_say_what_is_wrong(void **state)
{
	struct fx *x = *state;
	char cert[PATH_MAX + 32], key[PATH_MAX + 32];
	struct sign_fx_ca other;

	person_files(x, NULL, ZARKO_JMBG, -3600, 86400, 40, cert, key, sizeof(cert));
	refused_with(x, cert, key, "kome portal veruje", "this portal trusts");
	assert_int_equal(sign_fx_ca_make(&other, "Drugi CA"), 0);
	person_files(x, &other, ZARKO_JMBG, -3600, 86400, 41, cert, key, sizeof(cert));
	sign_fx_ca_free(&other);
	refused_with(x, cert, key, "kome portal veruje", "this portal trusts");
	person_files(x, &x->t.ca, ZARKO_JMBG, -2 * 86400, -86400, 42, cert, key, sizeof(cert));
	refused_with(x, cert, key, "Sertifikat je istekao", "The certificate has expired");
	person_files(x, &x->t.ca, ZARKO_JMBG, -3600, 86400, REVOKED, cert, key, sizeof(cert));
	refused_with(x, cert, key, "Sertifikat je opozvan", "The certificate has been revoked");
	person_files(x, &x->t.ca, ANA_JMBG, -3600, 86400, 43, cert, key, sizeof(cert));
	refused_with(x, cert, key, "Prvo se registrujte", "Register first");
	refused_with(x, NULL, NULL, "Pregledač nije poslao sertifikat",
		     "Your browser sent no certificate");
}

/* The certificate listener serves /login/certificate only; the main
 * listener has no /login/certificate (no proxy is configured). */
static void test_certificate_listener_serves_nothing_else(void **state)
{
	struct fx *x = *state;
	const char *paths[] = {"/", "/login", "/healthz", "/static/style.css", "/orders"};
	struct client c;
	struct response r = {0};

	assert_int_equal(client_init(&c, &x->s), 0);
	assert_int_equal(journey_get(&c, "/login/certificate", &r), 404);
	snprintf(c.base, sizeof(c.base), "%s", x->cbase);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_int_equal(journey_get(&c, paths[i], &r), 404);
	assert_int_equal(journey_post(&c, "/login", "username=a&password=b", &r), 404);
	client_free(&c);
	response_free(&r);
}

/* OpenSSL's client certificate callback: called when the server asks
 * for one; sends none. */
static int asked;

static int note_request(SSL *ssl, X509 **x509, EVP_PKEY **pkey)
{
	(void)ssl;
	(void)x509;
	(void)pkey;
	asked++;
	return 0;
}

/* 1 when a handshake with no certificate completes on port, *was_asked
 * set when the server asked for a certificate; TLS version v. */
static int handshake(int port, int v, int *was_asked)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	int fd = tls_tcp_connect(port), ok;

	assert_non_null(ctx);
	assert_true(fd >= 0);
	SSL_CTX_set_min_proto_version(ctx, v);
	SSL_CTX_set_max_proto_version(ctx, v);
	SSL_CTX_set_client_cert_cb(ctx, note_request);
	asked = 0;
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	ok = SSL_connect(ssl) == 1;
	*was_asked = asked > 0;
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return ok;
}

/* The main listener never asks for a certificate, in TLS 1.2 or 1.3;
 * the certificate listener asks, and a client without one still gets
 * through the handshake (to be told it sent none). */
static void test_only_the_certificate_listener_asks(void **state)
{
	struct fx *x = *state;
	const int versions[] = {TLS1_2_VERSION, TLS1_3_VERSION};
	int was_asked;

	for (int i = 0; i < 2; i++) {
		assert_int_equal(handshake(x->s.port, versions[i], &was_asked), 1);
		assert_int_equal(was_asked, 0);
		assert_int_equal(handshake(x->cport, versions[i], &was_asked), 1);
		assert_int_equal(was_asked, 1);
	}
}

/* Each login through the listener is audited as one behind a proxy. */
static void test_certificate_logins_are_audited(void **state)
{
	struct fx *x = *state;
	const char *ok[] = {"ok", NULL}, *failed[] = {"failed", NULL};
	const char *q = "SELECT COUNT(*) FROM audit_log "
			"WHERE action = 'login.certificate' AND outcome = $1";
	char *n_ok = server_sql_ok(&x->s, q, ok), *n_failed = server_sql_ok(&x->s, q, failed);

	assert_string_equal(n_ok, "1");
	assert_int_equal(atoi(n_failed), 12);
	free(n_ok);
	free(n_failed);
}

/* cert_login_listen without the portal's own HTTPS, or with no CA to
 * name to browsers, stops start-up with a message naming the key. */
static void test_listener_needs_https_and_trusted_cas(void **state)
{
	struct fx *x = *state;
	struct server v;
	struct buf out = BUF_INIT;
	char cert[PATH_MAX + 32], key[PATH_MAX + 32];
	const char *argv[] = {"serve", "--var", v.var, "--listen", "127.0.0.1:0", NULL};
	const char *plain[] = {"QCRA_CERT_LOGIN_LISTEN=127.0.0.1:0", NULL};
	const char *no_cas[] = {plain[0], cert, key, NULL};

	assert_int_equal(server_var_init(&v), 0);
	assert_int_equal(server_run_cli_env(&v, argv, plain, &out), 1);
	assert_non_null(strstr(buf_cstr(&out), "cert_login_listen: needs tls_cert and tls_key"));
	buf_reset(&out);
	snprintf(cert, sizeof(cert), "QCRA_TLS_CERT=%s/tls.pem", x->s.var);
	snprintf(key, sizeof(key), "QCRA_TLS_KEY=%s/tls.key", x->s.var);
	assert_int_equal(server_run_cli_env(&v, argv, no_cas, &out), 1);
	if (strstr(buf_cstr(&out), "cert_login_listen: no CA to trust") == NULL)
		fprintf(stderr, "%s\n", buf_cstr(&out));
	assert_non_null(strstr(buf_cstr(&out), "cert_login_listen: no CA to trust"));
	buf_free(&out);
	server_cleanup(&v);
}

/* 1 when the certificate the server on port shows is the one in the
 * PEM file path (a TLS 1.3 handshake without a client certificate). */
static int serves(int port, const char *path)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = SSL_new(ctx);
	FILE *fp = fopen(path, "r");
	X509 *want = fp != NULL ? PEM_read_X509(fp, NULL, NULL, NULL) : NULL, *got = NULL;
	int fd = tls_tcp_connect(port), same;

	SSL_set_fd(ssl, fd);
	if (SSL_connect(ssl) == 1)
		got = SSL_get1_peer_certificate(ssl);
	same = want != NULL && got != NULL && X509_cmp(want, got) == 0;
	if (fp != NULL)
		fclose(fp);
	X509_free(want);
	X509_free(got);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return same;
}

/* SIGHUP's new certificate (tls_cert, tls_key) is the certificate
 * listener's too: both serve the one pair. */
static void test_sighup_reload_reaches_the_listener(void **state)
{
	struct fx *x = *state;
	char pem[PATH_MAX + 16], cmd[3 * PATH_MAX];
	int i;

	snprintf(pem, sizeof(pem), "%s/tls.pem", x->s.var);
	assert_true(serves(x->cport, pem));
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		 "-days 30 -subj /CN=renewed.test -keyout new.key -out new.pem >/dev/null 2>&1 && "
		 "mv new.key tls.key && mv new.pem tls.pem",
		 x->s.var);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(kill(x->s.pid, SIGHUP), 0);
	for (i = 0; i < 100 && !serves(x->s.port, pem); i++)
		usleep(50000);
	assert_true(serves(x->s.port, pem));
	assert_true(serves(x->cport, pem));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_page_links_to_the_certificate_listener),
		cmocka_unit_test(test_certificate_logs_in_on_the_main_site),
		cmocka_unit_test(test_refusals_say_what_is_wrong),
		cmocka_unit_test(test_certificate_listener_serves_nothing_else),
		cmocka_unit_test(test_only_the_certificate_listener_asks),
		cmocka_unit_test(test_certificate_logins_are_audited),
		cmocka_unit_test(test_listener_needs_https_and_trusted_cas),
		cmocka_unit_test(test_sighup_reload_reaches_the_listener),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
