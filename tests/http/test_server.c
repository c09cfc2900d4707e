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

#include "harness.h"

struct fixture {
	struct server s;
	struct client c;
	struct response r;
	struct buf out; /* raw replies, command output */
};

static int setup_server(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL || server_start(&f->s, NULL) == -1 || client_init(&f->c, &f->s) == -1) {
		if (f)
			server_cleanup(&f->s);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
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

/* Number of lines of text that contain needle. */
static int count_lines_with(const char *text, const char *needle)
{
	int n = 0;

	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		char *copy = strndup(line, len);

		assert_non_null(copy);
		n += strstr(copy, needle) != NULL;
		free(copy);
		line += len + (eol != NULL);
	}
	return n;
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

/* Form bodies are limited to 64 KiB; a 70 KiB one gets 413.  The server
 * may answer before reading the whole body and close the connection, so
 * only the status matters, not whether the upload finished. */
static void test_form_body_over_64k_is_413(void **state)
{
	struct fixture *f = *state;
	size_t len = 70 * 1024;
	char *body = malloc(len + 1);

	assert_non_null(body);
	memcpy(body, "a=", 2);
	memset(body + 2, 'x', len - 2);
	body[len] = '\0';
	client_post(&f->c, "/login", body, &f->r);
	free(body);
	assert_int_equal(f->r.status, 413);
	assert_security_headers(&f->r);
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
	assert_true(count_lines_with(log, "GET /healthz 200") >= 1);
	assert_int_equal(count_lines_with(log, "GET /no-such-page-for-log 404"), 3);
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

/* A request whose headers are still arriving when SIGTERM comes is
 * answered before the server exits. */
static void test_sigterm_finishes_request_in_flight(void **state)
{
	struct fixture *f = *state;
	int fd;

	client_free(&f->c); /* no idle keep-alive connection of ours */
	fd = raw_connect(&f->s);
	assert_true(fd >= 0);
	assert_int_equal(raw_send(fd, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"), 0);
	sleep_ms(300);
	assert_int_equal(kill(f->s.pid, SIGTERM), 0);
	sleep_ms(300);
	assert_int_equal(raw_send(fd, "Connection: close\r\n\r\n"), 0);
	raw_recv_all(fd, &f->out, 10000);
	close(fd);
	if (strncmp(buf_cstr(&f->out), "HTTP/1.1 200", 12) != 0)
		fprintf(stderr, "reply to the request in flight: \"%s\"\n", buf_cstr(&f->out));
	assert_int_equal(strncmp(buf_cstr(&f->out), "HTTP/1.1 200", 12), 0);
	assert_int_equal(server_wait(&f->s, 10000), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_healthz_answers_ok, setup_server, teardown),
	    cmocka_unit_test_setup_teardown(test_unknown_path_is_404_with_security_headers,
	                                    setup_server, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_on_root_is_405, setup_server, teardown),
	    cmocka_unit_test_setup_teardown(test_post_to_healthz_is_405, setup_server, teardown),
	    cmocka_unit_test_setup_teardown(test_form_body_over_64k_is_413, setup_server, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed_urlencoded_body_is_400, setup_server,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_query_secrets_stay_out_of_log, setup_server,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_access_log_has_one_line_per_request, setup_server,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_lang_query_sets_language_cookie, setup_server,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_sigterm_exits_zero, setup_server, teardown),
	    cmocka_unit_test_setup_teardown(test_sigterm_finishes_request_in_flight, setup_server,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_listen_flag_is_rejected, setup_var,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_listen_env_is_rejected, setup_var,
	                                    teardown),
	};

	return cmocka_run_group_tests_name("http_server", tests, NULL, NULL);
}
