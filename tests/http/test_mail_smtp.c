/*
 * Portal mail over real SMTP, when the mail server is down at first
 * (SECURITY.md, Durability: "delivery is retried, and never doubled").
 *
 * One server for the whole group, started with the SMTP transport and
 * a poll of 1 s while nothing listens on the SMTP port.  A member
 * registers (the confirmation mail is queued, its first delivery
 * fails), then tests/tools/smtpd.py comes up on that port.  The outbox
 * retries after its first backoff, 1 s here (mail_retry_seconds; 30 s
 * by default), doubling, so the group takes about 15 s.  Each test brings the group to the stage it
 * needs (stage_*), so any one of them may run alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "harness_extra.h"

#define USER "zdjuras"
#define PW "Tri ma\xc4\x8dke spavaju na krovu"
#define EMAIL "zarko.djuraskovic@example.rs"
#define CONFIRM_PREFIX "/register/confirm?token="
#define FAIL_WAIT_MS 10000     /* for the first, failing delivery attempt */
#define DELIVERY_WAIT_MS 70000 /* backoffs of 1, 2, 4, ... s, with room to spare */
#define DOUBLE_WAIT_MS 5000    /* five more polls: a second copy would show */

struct group {
	struct server s;
	struct client c;
	struct response r;
	struct smtpd d;
	int smtp_port;
	char smtp_dir[PATH_MAX + 8]; /* VAR/smtp: what smtpd.py received */
	int registered;              /* registration done, first delivery failed */
	int delivered;               /* the confirmation mail has arrived */
	int settled;                 /* and DOUBLE_WAIT_MS more have passed */
};

static int group_setup(void **state)
{
	struct group *g = calloc(1, sizeof(*g));
	char url[64];
	const char *env[] = {"QCRA_MAIL_TRANSPORT=smtp", url, "QCRA_MAIL_POLL_SECONDS=1",
			     "QCRA_MAIL_RETRY_SECONDS=1", NULL};
	const char *src = getenv("QCRA_SRCDIR");
	char csv[PATH_MAX];
	struct buf out = BUF_INIT;
	int rc;

	if (g == NULL || (g->smtp_port = free_tcp_port()) == -1) {
		free(g);
		return -1;
	}
	snprintf(url, sizeof(url), "QCRA_SMTP_URL=smtp://127.0.0.1:%d", g->smtp_port);
	snprintf(csv, sizeof(csv), "%s/data/demo-members.csv", src ? src : ".");
	if (server_start(&g->s, env) == -1 || client_init(&g->c, &g->s) == -1)
		goto fail;
	snprintf(g->smtp_dir, sizeof(g->smtp_dir), "%s/smtp", g->s.var);
	{
		const char *argv[] = {"member", "import", "--var", g->s.var, csv, NULL};

		if ((rc = server_run_cli(&g->s, argv, &out)) != 0) {
			fprintf(stderr, "member import: exit %d: %s\n", rc, buf_cstr(&out));
			goto fail;
		}
	}
	buf_free(&out);
	*state = g;
	return 0;
fail:
	buf_free(&out);
	client_free(&g->c);
	server_cleanup(&g->s);
	free(g);
	return -1;
}

static int group_teardown(void **state)
{
	struct group *g = *state;

	smtpd_stop(&g->d);
	response_free(&g->r);
	client_free(&g->c);
	server_cleanup(&g->s);
	free(g);
	return 0;
}

/* Never a 500, always the security headers. */
static void check_response(const struct response *r)
{
	char *csp = response_header(r, "Content-Security-Policy");

	assert_true(r->status >= 100);
	assert_int_not_equal(r->status, 500);
	assert_non_null(csp);
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	free(csp);
	assert_true(response_has_header(r, "X-Content-Type-Options"));
	assert_true(response_has_header(r, "Referrer-Policy"));
}

static void assert_redirect(const struct response *r, const char *location)
{
	char *loc = response_header(r, "Location");

	assert_int_equal(r->status, 303);
	assert_non_null(loc);
	assert_string_equal(loc, location);
	free(loc);
}

/* GETs page, then POSTs pairs (key, value, ..., NULL) with its CSRF
 * token to action; returns the status. */
static long submit(struct group *g, const char *page, const char *action, const char *const *pairs)
{
	const char *all[16];
	char *csrf, *body;
	size_t n = 0;

	assert_int_equal(client_get(&g->c, page, &g->r), 0);
	check_response(&g->r);
	assert_int_equal(g->r.status, 200);
	csrf = form_field_value(buf_cstr(&g->r.body), "csrf_token");
	assert_non_null(csrf);
	while (pairs[n] != NULL && n < 12) {
		all[n] = pairs[n];
		n++;
	}
	all[n++] = "csrf_token";
	all[n++] = csrf;
	all[n] = NULL;
	body = form_encode(all);
	assert_int_equal(client_post(&g->c, action, body, &g->r), 0);
	free(body);
	free(csrf);
	check_response(&g->r);
	return g->r.status;
}

static size_t delivered_count(const struct group *g)
{
	return dir_count(g->smtp_dir, ".eml");
}

/* Path of the n-th (1-based) message smtpd.py stored. */
static char *delivered_file(const struct group *g, int n)
{
	char *path;

	if (asprintf(&path, "%s/%06d.eml", g->smtp_dir, n) < 0)
		abort();
	return path;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Waits until the server log holds text; 1 when it does. */
static int log_wait(const struct server *s, const char *text, int timeout_ms)
{
	for (int waited = 0;; waited += 100) {
		char *log = server_log(s);
		int found = log != NULL && strstr(log, text) != NULL;

		free(log);
		if (found)
			return 1;
		if (waited >= timeout_ms)
			return 0;
		sleep_ms(100);
	}
}

/* Stage 1: Žarko has registered while the SMTP server is down, and the
 * first delivery attempt has failed. */
static void stage_registered(struct group *g)
{
	const char *pairs[] = {"license_number",
			       "310123456",
			       "jmbg",
			       "1203978711237",
			       "email",
			       EMAIL,
			       "username",
			       USER,
			       "password",
			       PW,
			       "password_confirm",
			       PW,
			       NULL};

	if (g->registered)
		return;
	assert_int_equal(submit(g, "/register", "/register", pairs), 303);
	assert_redirect(&g->r, "/register/sent");
	if (!log_wait(&g->s, "attempt 1 failed", FAIL_WAIT_MS)) {
		fprintf(stderr, "no failed delivery attempt in the log:\n");
		server_log_tail(&g->s, 20);
	}
	assert_int_equal(delivered_count(g), 0);
	assert_true(log_wait(&g->s, "attempt 1 failed", 0));
	g->registered = 1;
}

/* Stage 2: the SMTP server is up and the mail has arrived. */
static void stage_delivered(struct group *g)
{
	int waited = 0;

	stage_registered(g);
	if (g->delivered)
		return;
	if (g->d.pid == 0)
		assert_int_equal(smtpd_start(&g->d, g->smtp_port, g->smtp_dir), 0);
	while (delivered_count(g) == 0 && waited < DELIVERY_WAIT_MS) {
		sleep_ms(250);
		waited += 250;
	}
	if (delivered_count(g) == 0) {
		fprintf(stderr, "no mail delivered within %d ms; server log:\n", DELIVERY_WAIT_MS);
		server_log_tail(&g->s, 20);
	}
	assert_true(delivered_count(g) >= 1);
	g->delivered = 1;
}

/* Stage 3: delivered, and five more polls have passed. */
static void stage_settled(struct group *g)
{
	stage_delivered(g);
	if (g->settled)
		return;
	sleep_ms(DOUBLE_WAIT_MS);
	g->settled = 1;
}

static char *delivered_message(struct group *g)
{
	char *path = delivered_file(g, 1), *eml = file_read(path, NULL);

	free(path);
	assert_non_null(eml);
	return eml;
}

static void test_registration_succeeds_while_smtp_server_is_down(void **state)
{
	stage_registered(*state);
}

static void test_mail_is_delivered_after_smtp_server_comes_up(void **state)
{
	struct group *g = *state;
	char *eml;

	stage_delivered(g);
	eml = delivered_message(g);
	assert_non_null(strstr(eml, EMAIL));
	free(eml);
}

/* Retried, never doubled; and sent by SMTP, not also to the maildir. */
static void test_mail_is_delivered_exactly_once(void **state)
{
	struct group *g = *state;
	char maildir[PATH_MAX + 8];

	stage_settled(g);
	assert_int_equal(delivered_count(g), 1);
	snprintf(maildir, sizeof(maildir), "%s/mail", g->s.var);
	assert_int_equal(dir_count(maildir, ".eml"), 0);
}

/* The body goes as 8bit UTF-8 (RFC 6152), diacritics intact. */
static void test_smtp_mail_body_is_8bit_utf8(void **state)
{
	struct group *g = *state;
	char *eml, *cte, *ctype;

	stage_delivered(g);
	eml = delivered_message(g);
	cte = mail_header(eml, "Content-Transfer-Encoding");
	ctype = mail_header(eml, "Content-Type");
	assert_non_null(cte);
	assert_non_null(ctype);
	assert_int_equal(strcasecmp(cte, "8bit"), 0);
	assert_non_null(strcasestr(ctype, "text/plain"));
	assert_non_null(strcasestr(ctype, "charset=utf-8"));
	assert_non_null(strstr(eml, "Po\xc5\xa1tovani"));                 /* "Poštovani" */
	assert_non_null(strstr(eml, "\xe2\x80\x9e" USER "\xe2\x80\x9c")); /* „zdjuras“ */
	free(cte);
	free(ctype);
	free(eml);
}

static void test_link_in_smtp_mail_confirms_account(void **state)
{
	struct group *g = *state;
	char *eml, *link;
	const char *confirm[] = {"token", NULL, NULL};
	const char *login[] = {"username", USER, "password", PW, NULL};

	stage_delivered(g);
	eml = delivered_message(g);
	link = mail_extract_link(eml, CONFIRM_PREFIX);
	free(eml);
	assert_non_null(link);
	assert_int_equal(strlen(link), strlen(CONFIRM_PREFIX) + 64);
	confirm[1] = link + strlen(CONFIRM_PREFIX);
	assert_int_equal(submit(g, link, "/register/confirm", confirm), 303);
	assert_redirect(&g->r, "/login?confirmed=1");
	free(link);
	assert_int_equal(submit(g, "/login", "/login", login), 303);
	assert_redirect(&g->r, "/");
	assert_int_equal(client_get(&g->c, "/account", &g->r), 0);
	check_response(&g->r);
	assert_int_equal(g->r.status, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registration_succeeds_while_smtp_server_is_down),
		cmocka_unit_test(test_mail_is_delivered_after_smtp_server_comes_up),
		cmocka_unit_test(test_mail_is_delivered_exactly_once),
		cmocka_unit_test(test_smtp_mail_body_is_8bit_utf8),
		cmocka_unit_test(test_link_in_smtp_mail_confirms_account),
	};

	return cmocka_run_group_tests_name("http_mail_smtp", tests, group_setup, group_teardown);
}
