/*
 * mail_deliver_smtp against a real SMTP server (tests/tools/smtpd.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mail/mail.h"
#include "mailtest.h"

#define FROM "Komora <noreply@qcra.test>"
#define TO "pera@example.org"

struct fixture {
	char *dir;
	char url[64];
	struct smtp_conf conf;
	struct mailtest_smtpd smtpd;
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int port = mailtest_free_port();

	assert_non_null(f);
	assert_true(port > 0);
	f->dir = mailtest_tmpdir();
	f->smtpd.pid = -1;
	f->smtpd.out = -1;
	f->smtpd.port = port;
	snprintf(f->url, sizeof(f->url), "smtp://127.0.0.1:%d", port);
	f->conf.url = f->url;
	f->conf.timeout_secs = 10;
	return f;
}

static int setup(void **state)
{
	struct fixture *f = fixture_new();

	*state = f;
	return mailtest_smtpd_start(&f->smtpd, f->smtpd.port, f->dir, "--envelope", NULL);
}

static int setup_auth(void **state)
{
	struct fixture *f = fixture_new();

	*state = f;
	return mailtest_smtpd_start(&f->smtpd, f->smtpd.port, f->dir, "--envelope",
				    "--auth=qcra:s3cret pass");
}

/* No server at all: the port is free. */
static int setup_down(void **state)
{
	*state = fixture_new();
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mailtest_smtpd_stop(&f->smtpd);
	mailtest_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* The n-th message the server stored; caller frees. */
static char *received(const struct fixture *f, int n)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%06d.eml", f->dir, n);
	return mailtest_read(path, NULL);
}

static char *format(const char *subject, const char *body)
{
	struct mail_msg m = {FROM, TO, subject, body, "7.qcra@qcra.test", 1700000000};
	struct buf b = BUF_INIT;

	assert_int_equal(mail_format(&m, &b), 0);
	return buf_detach(&b);
}

static void test_smtp_delivers_message_intact(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg, *got;
	const char *envelope = "X-Envelope-From: <noreply@qcra.test>\r\n"
			       "X-Envelope-To: <pera@example.org>\r\n";

	msg = format("Потврда налога", "Поштовани,\nваш налог: čćžšđ ČĆŽŠĐ\n");
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 0);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 1);
	got = received(f, 1);
	assert_non_null(got);
	/* envelope from the address part of "Name <addr>", then every byte
	 * as sent: headers, and the UTF-8 body untouched */
	assert_memory_equal(got, envelope, strlen(envelope));
	assert_string_equal(got + strlen(envelope), msg);
	assert_non_null(strstr(got, "\r\nMessage-ID: <7.qcra@qcra.test>\r\n"));
	assert_non_null(strstr(got, "\r\n\r\nПоштовани,\r\nваш налог: čćžšđ ČĆŽŠĐ\r\n"));
	free(got);
	free(msg);
}

static void test_smtp_keeps_lines_that_start_with_a_dot(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg, *got;

	/* a lone "." would end DATA early unless dot-stuffed */
	msg = format("dots", "first\n.\n..two\n.three\nlast\n");
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 0);
	got = received(f, 1);
	assert_non_null(got);
	assert_non_null(strstr(got, "\r\n\r\nfirst\r\n.\r\n..two\r\n.three\r\nlast\r\n"));
	free(got);
	free(msg);
}

static void test_smtp_sends_each_message_once(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;
	int i;

	msg = format("three", "x\n");
	for (i = 0; i < 3; i++)
		assert_int_equal(
			mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			0);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 3);
	free(msg);
}

static void test_smtp_authenticates_with_user_and_password(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;

	msg = format("auth", "x\n");
	f->conf.user = "qcra";
	f->conf.password = "s3cret pass";
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 0);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 1);
	free(msg);
}

static void test_smtp_fails_with_wrong_password(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;

	msg = format("auth", "x\n");
	f->conf.user = "qcra";
	f->conf.password = "wrong";
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 -1);
	assert_true(err[0] != '\0');
	assert_null(strstr(err, "wrong"));            /* the password is not echoed */
	assert_non_null(strstr(err, "Login denied")); /* refused, not timed out */
	assert_int_equal(mailtest_count(f->dir, ".eml"), 0);
	free(msg);
}

static void test_smtp_fails_without_required_auth(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;

	msg = format("auth", "x\n");
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 -1);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 0);
	free(msg);
}

static void test_smtp_requiring_starttls_refuses_plain_server(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;

	msg = format("tls", "token\n");
	f->conf.starttls = 1;
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 -1);
	assert_true(err[0] != '\0');
	assert_int_equal(mailtest_count(f->dir, ".eml"), 0);
	free(msg);
}

static void test_smtp_reports_server_down(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;

	msg = format("down", "x\n");
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, TO, msg, strlen(msg), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "smtp: "));
	assert_true(strlen(err) > strlen("smtp: "));
	free(msg);
}

static void test_smtp_rejects_command_injection_in_addresses(void **state)
{
	struct fixture *f = *state;
	char err[256] = "", *msg;

	msg = format("inject", "x\n");
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, "pera@example.org>\r\nRCPT TO:<evil@x",
					   msg, strlen(msg), err, sizeof(err)),
			 -1);
	assert_int_equal(
		mail_deliver_smtp(&f->conf, "a@b\r\nRSET", TO, msg, strlen(msg), err, sizeof(err)),
		-1);
	assert_int_equal(mail_deliver_smtp(&f->conf, FROM, "", msg, strlen(msg), err, sizeof(err)),
			 -1);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 0);
	free(msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_smtp_delivers_message_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smtp_keeps_lines_that_start_with_a_dot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_smtp_sends_each_message_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_smtp_authenticates_with_user_and_password,
						setup_auth, teardown),
		cmocka_unit_test_setup_teardown(test_smtp_fails_with_wrong_password, setup_auth,
						teardown),
		cmocka_unit_test_setup_teardown(test_smtp_fails_without_required_auth, setup_auth,
						teardown),
		cmocka_unit_test_setup_teardown(test_smtp_requiring_starttls_refuses_plain_server,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_smtp_reports_server_down, setup_down,
						teardown),
		cmocka_unit_test_setup_teardown(test_smtp_rejects_command_injection_in_addresses,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
