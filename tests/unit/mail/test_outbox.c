/*
 * The outbox: delivery from the store's outbox, retries with backoff,
 * never twice; and the worker thread around it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/catalog_load.h"
#include "core/config.h"
#include "core/i18n.h"
#include "mail/mail.h"
#include "mailtest.h"
#include "store/store.h"
#include "util/log.h"
#include "../app/store_db.h"

#define T0 1700000000
#define TO "pera@example.org"
#define HOST "qcra.test"

struct fixture {
	char *dir;
	char maildir[PATH_MAX];
	char url[64];
	struct store *st;
	char db[512]; /* the database (store_db.h) */
	struct mail_conf conf;
	struct mailtest_smtpd smtpd;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[256];

	assert_non_null(f);
	log_set_quiet(1);
	f->dir = mailtest_tmpdir();
	f->smtpd.pid = -1;
	f->smtpd.out = -1;
	store_fx_target(f->db, sizeof(f->db), f->dir, "qcra.db");
	snprintf(f->maildir, sizeof(f->maildir), "%s/mail", f->dir);
	if (store_open(&f->st, f->db, err, sizeof(err)) != STORE_OK ||
	    store_migrate(f->st, NULL, err, sizeof(err)) != STORE_OK) {
		print_error("store: %s\n", err);
		return -1;
	}
	f->conf.transport = MAIL_MAILDIR;
	f->conf.maildir = f->maildir;
	f->conf.from = "Komora <noreply@qcra.test>";
	f->conf.hostname = HOST;
	f->conf.poll_secs = 3600;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	mailtest_smtpd_stop(&f->smtpd);
	store_close(f->st);
	store_fx_drop(f->db);
	mailtest_rmtree(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Points the fixture at an SMTP server on a free port that is not (yet)
 * running. */
static void use_smtp(struct fixture *f)
{
	f->smtpd.port = mailtest_free_port();
	assert_true(f->smtpd.port > 0);
	snprintf(f->url, sizeof(f->url), "smtp://127.0.0.1:%d", f->smtpd.port);
	f->conf.transport = MAIL_SMTP;
	f->conf.smtp.url = f->url;
	f->conf.smtp.timeout_secs = 10;
}

static void queue(struct fixture *f, const char *to, time_t now)
{
	assert_int_equal(store_outbox_add(f->st, to, "Потврда налога",
					  "Kliknite: https://ra.test/confirm?t=SECRET\n", now),
			 STORE_OK);
}

static long long pending(struct fixture *f)
{
	long long n = -1;

	assert_int_equal(store_outbox_pending(f->st, &n), STORE_OK);
	return n;
}

/* Attempts recorded on the item due at now, or -1 when none is due. */
static int due_attempts(struct fixture *f, time_t now)
{
	struct outbox_item it;
	int attempts;

	if (store_outbox_next(f->st, now, &it) != STORE_OK)
		return -1;
	attempts = it.attempts;
	store_outbox_item_free(&it);
	return attempts;
}

static char *read_in(const char *dir, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mailtest_read(path, NULL);
}

static void test_outbox_retries_until_server_is_up_and_sends_once(void **state)
{
	struct fixture *f = *state;
	char *got;

	use_smtp(f);
	queue(f, TO, T0);

	/* server down: the attempt fails and a retry is due 30 s later */
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0), 0);
	assert_int_equal(pending(f), 1);
	assert_int_equal(due_attempts(f, T0 + 29), -1);
	assert_int_equal(due_attempts(f, T0 + 30), 1);

	assert_int_equal(mailtest_smtpd_start(&f->smtpd, f->smtpd.port, f->dir, NULL, NULL), 0);
	/* not due yet: nothing goes out even though the server is up */
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 29), 0);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 0);

	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 31), 1);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 1);
	assert_int_equal(pending(f), 0);

	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 31), 0);
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 86400), 0);
	assert_int_equal(mailtest_count(f->dir, ".eml"), 1);

	got = read_in(f->dir, "000001.eml");
	assert_non_null(got);
	assert_non_null(strstr(got, "\r\nTo: " TO "\r\n"));
	assert_non_null(strstr(got, "\r\nMessage-ID: <1.qcra@" HOST ">\r\n"));
	assert_non_null(strstr(got, "\r\nSubject: =?UTF-8?B?"));
	/* the Date is when the mail was queued, not when it finally went */
	assert_non_null(strstr(got, "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"));
	assert_non_null(strstr(got, "\r\n\r\nKliknite: https://ra.test/confirm?t=SECRET\r\n"));
	free(got);
}

static void test_outbox_delivers_to_maildir_once(void **state)
{
	struct fixture *f = *state;
	char *got;

	queue(f, TO, T0);
	queue(f, "mika@example.org", T0 + 1);
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 1), 2);
	assert_int_equal(mailtest_count(f->maildir, ".eml"), 2);
	assert_int_equal(pending(f), 0);
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 86400), 0);
	assert_int_equal(mailtest_count(f->maildir, ""), 2);

	got = read_in(f->maildir, "000002.eml");
	assert_non_null(got);
	assert_non_null(strstr(got, "\r\nTo: mika@example.org\r\n"));
	assert_non_null(strstr(got, "\r\nMessage-ID: <2.qcra@" HOST ">\r\n"));
	free(got);
}

/* The outbox row of id: its subject and message (static buffers). */
static void row_of(struct fixture *f, long long id, char *subject, char *message, size_t size)
{
	sqlite3 *h;
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_open(f->db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT subject, message FROM outbox WHERE id = ?1",
					    -1, &s, NULL),
			 SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	snprintf(subject, size, "%s", (const char *)sqlite3_column_text(s, 0));
	snprintf(message, size, "%s", (const char *)sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	sqlite3_close(h);
}

/* A mail queued as its key and values is written when it is delivered:
 * the catalogue's text in the row's language, {base} the portal's
 * address; once sent, the values (which may hold a live link) are
 * gone and the key stays as the record.  A row with its text written
 * (queued before) goes as it is. */
static void test_outbox_writes_a_kept_message_at_delivery_in_its_language(void **state)
{
	struct fixture *f = *state;
	char err[256], subject[512], message[512], *got;
	struct arena ar;
	const char *note;

	static struct config cfg; /* no catalog_file: the built-in one */

	/* The messages as the portal loads them, the catalogue's brand in. */
	assert_int_equal(catalog_messages_load(&cfg, err, sizeof(err)), 0);
	f->conf.base_url = "https://ra.test";
	arena_init(&ar);
	note = i18n_note(&ar, "mail.order_paid_part", "id", "42", "amount", "1.000,00", "paid",
			 "1.000,00", "remaining", "4.880,00", NULL);
	queue(f, "old@example.org", T0); /* written before: text as it is */
	assert_int_equal(store_outbox_queue(f->st, TO, "en", "mail.order_paid_part", note, T0),
			 STORE_OK);
	assert_int_equal(store_outbox_queue(f->st, "ana@example.org", "sr", "mail.order_paid_part",
					    note, T0),
			 STORE_OK);
	/* Nothing is written at queue time. */
	row_of(f, 2, subject, message, sizeof(message));
	assert_string_equal(subject, "mail.order_paid_part");
	assert_string_equal(message, note);
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0), 3);

	got = read_in(f->maildir, "000001.eml");
	assert_non_null(strstr(got, "\r\n\r\nKliknite: https://ra.test/confirm?t=SECRET\r\n"));
	free(got);
	got = read_in(f->maildir, "000002.eml");
	assert_non_null(got);
	assert_non_null(
		strstr(got, "\r\nSubject: Request no. 42: part payment received, 4.880,00"));
	assert_non_null(strstr(got, "Paid so far: 1.000,00 RSD; 4.880,00 RSD remains"));
	assert_non_null(strstr(got, "https://ra.test/orders/42\r\n"));
	assert_null(strstr(got, "{"));
	free(got);
	got = read_in(f->maildir, "000003.eml");
	assert_non_null(got);
	assert_non_null(strstr(got, "\r\nTo: ana@example.org\r\n"));
	assert_non_null(strstr(got, "preostaje da uplatite 4.880,00 RSD"));
	assert_non_null(strstr(got, "https://ra.test/orders/42\r\n"));
	free(got);
	row_of(f, 2, subject, message, sizeof(message));
	assert_string_equal(subject, "mail.order_paid_part");
	assert_string_equal(message, "");
	arena_free(&ar);
	i18n_free();
}

static void test_outbox_leaves_mail_not_yet_due(void **state)
{
	struct fixture *f = *state;

	queue(f, TO, T0);
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 - 1), 0);
	assert_int_equal(mailtest_count(f->maildir, ".eml"), 0);
	assert_int_equal(pending(f), 1);
}

/* One mail, delivered n times into a maildir that cannot be: each
 * attempt fails and the next is due delays[i] seconds later. */
static void fail_every_attempt(struct fixture *f, const int *delays, size_t n)
{
	char file[PATH_MAX];
	time_t now = T0;
	FILE *fp;
	size_t i;

	/* a regular file where the maildir should be: every attempt fails */
	snprintf(file, sizeof(file), "%s/not-a-dir", f->dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);
	f->conf.maildir = file;
	queue(f, TO, T0);
	for (i = 0; i < n; i++) {
		assert_int_equal(mail_outbox_run_once(f->st, &f->conf, now), 0);
		assert_int_equal(due_attempts(f, now + delays[i] - 1), -1);
		assert_int_equal(due_attempts(f, now + delays[i]), (int)i + 1);
		now += delays[i];
	}
	assert_int_equal(pending(f), 1);
}

static void test_outbox_backoff_doubles_up_to_an_hour(void **state)
{
	static const int delays[] = {30, 60, 120, 240, 480, 960, 1920, 3600, 3600};
	struct fixture *f = *state;

	fail_every_attempt(f, delays, sizeof(delays) / sizeof(delays[0]));
}

/* mail_retry_seconds sets the first wait; it doubles as before. */
static void test_outbox_first_backoff_is_configurable(void **state)
{
	static const int delays[] = {1000, 2000, 3600, 3600};
	struct fixture *f = *state;

	f->conf.retry_secs = 1000;
	fail_every_attempt(f, delays, sizeof(delays) / sizeof(delays[0]));
}

static void test_outbox_reschedules_mail_it_cannot_format(void **state)
{
	struct fixture *f = *state;

	queue(f, "not an address", T0);
	queue(f, TO, T0);
	/* the bad item neither blocks the good one nor is dropped */
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0), 1);
	assert_int_equal(mailtest_count(f->maildir, ".eml"), 1);
	assert_int_equal(pending(f), 1);
	assert_int_equal(due_attempts(f, T0 + 30), 1);
}

/* Waits up to ten seconds for n .eml files in dir. */
static int wait_for_files(const char *dir, int n)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (mailtest_count(dir, ".eml") >= n)
			return mailtest_count(dir, ".eml");
		usleep(50 * 1000);
	}
	return mailtest_count(dir, ".eml");
}

/* Several instances on one database (issue 17): a claimed item is
 * leased to its claimer, left alone by every other worker until the
 * lease ends, taken over after it (the claimer died mid-delivery), and
 * delivered with the same Message-ID then. */
static void test_outbox_claim_leases_and_an_expired_lease_is_taken_over(void **state)
{
	struct fixture *f = *state;
	struct outbox_item it, again;
	char by[96], *got;
	time_t until = 0;

	queue(f, TO, T0);
	assert_int_equal(store_outbox_claim(f->st, T0, T0 + 120, &it), STORE_OK);
	assert_int_equal(store_outbox_lease(f->st, it.id, by, sizeof(by), &until), STORE_OK);
	assert_string_equal(by, store_instance(f->st));
	assert_int_equal(until, T0 + 120);
	/* Leased: no other worker gets it, nor delivers it. */
	assert_int_equal(store_outbox_claim(f->st, T0 + 119, T0 + 240, &again), STORE_NOTFOUND);
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 119), 0);
	/* The claimer died: at the lease's end another takes it over. */
	assert_int_equal(mail_outbox_run_once(f->st, &f->conf, T0 + 120), 1);
	assert_int_equal(pending(f), 0);
	assert_int_equal(store_outbox_lease(f->st, it.id, by, sizeof(by), &until), STORE_OK);
	assert_string_equal(by, "");
	assert_int_equal(until, 0);
	/* Had the first claimer delivered too, it would have been the
	 * same message: file and Message-ID are the item's. */
	assert_int_equal(mailtest_count(f->maildir, ".eml"), 1);
	got = read_in(f->maildir, "000001.eml");
	assert_non_null(got);
	assert_non_null(strstr(got, "\r\nMessage-ID: <1.qcra@" HOST ">\r\n"));
	free(got);
	store_outbox_item_free(&it);
}

static void test_worker_delivers_when_kicked(void **state)
{
	struct fixture *f = *state;
	struct mail_worker *w;

	w = mail_worker_start(f->st, &f->conf);
	assert_non_null(w);
	usleep(100 * 1000);
	queue(f, TO, time(NULL));
	mail_worker_kick(w);
	assert_int_equal(wait_for_files(f->maildir, 1), 1);
	mail_worker_stop(w);
	assert_int_equal(pending(f), 0);
}

static void test_worker_polls_without_a_kick(void **state)
{
	struct fixture *f = *state;
	struct mail_worker *w;

	f->conf.poll_secs = 1;
	w = mail_worker_start(f->st, &f->conf);
	assert_non_null(w);
	usleep(100 * 1000);
	queue(f, TO, time(NULL));
	assert_int_equal(wait_for_files(f->maildir, 1), 1);
	mail_worker_stop(w);
}

/* A stop does not drain the outbox (a quick shutdown, mail.h): what is
 * due waits, not leased, and the next start delivers it.  The mail
 * falls due while the worker sleeps after its first pass, which it
 * cannot have begun before the mail was queued: a mail due at once
 * could be taken by a first pass still under way (a slow connection
 * under the sanitizers), which is not what this asserts. */
static void test_worker_stop_leaves_what_is_due_for_the_next_start(void **state)
{
	struct fixture *f = *state;
	struct mail_worker *w;
	time_t due = time(NULL) + 2;

	queue(f, TO, due);
	queue(f, TO, due);
	w = mail_worker_start(f->st, &f->conf);
	assert_non_null(w);
	while (time(NULL) <= due)
		usleep(100 * 1000);
	mail_worker_stop(w);
	assert_int_equal(mailtest_count(f->maildir, ".eml"), 0);
	assert_int_equal(pending(f), 2);
	w = mail_worker_start(f->st, &f->conf);
	assert_non_null(w);
	assert_int_equal(wait_for_files(f->maildir, 2), 2);
	mail_worker_stop(w);
	assert_int_equal(pending(f), 0);
}

static void test_worker_stop_accepts_null(void **state)
{
	mail_worker_stop(NULL);
	mail_worker_kick(NULL);
}

int main(void)
{
	static const char *const sqlite_only[] = {
		"test_outbox_writes_a_kept_message_at_delivery_in_its_language",
		NULL,
	};
	struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_outbox_retries_until_server_is_up_and_sends_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_delivers_to_maildir_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_outbox_writes_a_kept_message_at_delivery_in_its_language, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_outbox_leaves_mail_not_yet_due, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outbox_backoff_doubles_up_to_an_hour, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outbox_first_backoff_is_configurable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_outbox_reschedules_mail_it_cannot_format,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_outbox_claim_leases_and_an_expired_lease_is_taken_over, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_worker_delivers_when_kicked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_worker_polls_without_a_kick, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_worker_stop_leaves_what_is_due_for_the_next_start, setup, teardown),
		cmocka_unit_test(test_worker_stop_accepts_null),
	};

	return _cmocka_run_group_tests("tests", tests,
				       store_fx_sqlite_only(tests, sizeof(tests) / sizeof(tests[0]),
							    sqlite_only,
							    "it reads the outbox row with sqlite3"),
				       NULL, NULL);
}
