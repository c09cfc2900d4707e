/*
 * Retention (issue 18, point 7): `qcra retention run` deletes or
 * anonymises what has passed its period and keeps what the CA's policy
 * must keep, each period a configuration key:
 *   - drafts never confirmed, after retention_draft_days (90): deleted;
 *   - orders that ended without a certificate (cancelled, expired,
 *     rejected), after retention_closed_days (730): the person's data
 *     blanked, the order's number, state, office, amounts and dates kept;
 *   - registration records of issued certificates, for
 *     retention_registration_years (7) after the certificate expires
 *     (ETSI EN 319 411-1), then blanked the same way;
 *   - delivered mail after retention_mail_days (90), used or expired
 *     one-time tokens after retention_token_days (30), dead sessions.
 * --dry-run says what would go and changes nothing; --as-of DATE runs
 * as on that day (to preview, and here to test).  Every real run is one
 * audit entry, and the audit chain stays whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "journey.h"
#include "office.h"
#include "store/store.h"
#include "store/store_ca.h"
#include "store/store_sign.h"

#define DAY (24 * 3600L)

static long long draft_id, cancelled_id, issued_id, cancelled_after_issue_id;

/* The day t as YYYY-MM-DD (static storage). */
static const char *day_of(time_t t)
{
	static char d[16];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(d, sizeof(d), "%Y-%m-%d", &tm);
	return d;
}

/* Runs `qcra retention run [--dry-run] [--as-of DATE]`; 0 or its exit code. */
static int retention(struct office *f, int dry, time_t as_of)
{
	const char *args[6];
	int n = 0;

	args[n++] = "retention";
	args[n++] = "run";
	if (dry)
		args[n++] = "--dry-run";
	if (as_of != 0) {
		args[n++] = "--as-of";
		args[n++] = day_of(as_of);
	}
	args[n] = NULL;
	return office_cli(f, args);
}

/* The line of the last command's output that starts with what, whose
 * first number is the count; -1 when there is no such line. */
static long count_in_output(struct office *f, const char *what)
{
	const char *p = strstr(buf_cstr(&f->out), what);

	if (p == NULL)
		return -1;
	p += strlen(what);
	while (*p == ' ' || *p == ':')
		p++;
	return strtol(p, NULL, 10);
}

static int order_exists(struct office *f, long long id)
{
	struct store *st = office_db(f);
	struct order o;
	int rc = store_order_get(st, id, &o);

	store_close(st);
	assert_true(rc == STORE_OK || rc == STORE_NOTFOUND);
	return rc == STORE_OK;
}

/* The certificate's end: the test CA tells none, so its issue (today)
 * and the tariff's validity ("3y", journey.c's order). */
static time_t issued_not_after(struct office *f)
{
	struct store *st = office_db(f);
	struct ca_cert c;

	if (store_ca_cert_get(st, issued_id, &c) == STORE_OK) {
		store_close(st);
		return c.not_after;
	}
	store_close(st);
	(void)f;
	return time(NULL) + 3 * 366 * DAY;
}

/* The audit log's retention.run entries. */
static int audit_runs(struct office *f)
{
	static const char *const args[] = {"audit", "verify", NULL};

	/* The chain is whole, whatever was deleted around it. */
	assert_int_equal(office_cli(f, args), 0);
	assert_int_equal(office_get(f, &f->auditor, "/ra/audit?action=retention.run"), 200);
	int n = 0;
	const char *p = BODY(f);

	while ((p = strstr(p, "\">retention.run</td>")) != NULL) {
		n++;
		p++;
	}
	return n;
}

static void test_nothing_is_due_today(void **state)
{
	struct office *f = *state;
	char *loc;

	/* A draft left unconfirmed. */
	assert_int_equal(journey_order_draft(&f->member, &f->r, "NS", NULL, NULL), 303);
	loc = journey_location(&f->r);
	assert_non_null(loc);
	assert_int_equal(sscanf(loc, "/orders/%lld/review", &draft_id), 1);
	free(loc);
	/* An order the member cancelled. */
	cancelled_id = office_order(f, "NS");
	snprintf(loc = malloc(64), 64, "/orders/%lld/cancel", cancelled_id);
	assert_int_equal(office_post(f, &f->member, loc, "confirm", "1", NULL), 303);
	free(loc);
	assert_string_equal(office_state(f, cancelled_id), "cancelled");
	/* An order that ended after its certificate was issued (its
	 * registration record is kept for years, not blanked as an order
	 * that ended without one): written into its history directly. */
	cancelled_after_issue_id = office_order(f, "NS");
	snprintf(loc = malloc(64), 64, "/orders/%lld/cancel", cancelled_after_issue_id);
	assert_int_equal(office_post(f, &f->member, loc, "confirm", "1", NULL), 303);
	free(loc);
	{
		struct store *st = office_db(f);

		assert_int_equal(store_order_event_add(st, cancelled_after_issue_id, WF_ISSUED,
						       "ca:testca", "", time(NULL)),
				 STORE_OK);
		store_close(st);
	}
	/* An order whose certificate was issued and reached the office. */
	issued_id = office_order_verified(f);
	office_deliver(f, issued_id);

	assert_int_equal(retention(f, 0, 0), 0);
	assert_int_equal(count_in_output(f, "drafts deleted"), 0);
	assert_int_equal(count_in_output(f, "closed orders anonymised"), 0);
	assert_int_equal(count_in_output(f, "registration records anonymised"), 0);
	assert_true(order_exists(f, draft_id));
	assert_string_not_equal(office_order_get(f, cancelled_id).jmbg, "");
	/* A run with nothing to do is recorded too. */
	assert_int_equal(audit_runs(f), 1);
}

static void test_dry_run_changes_nothing(void **state)
{
	struct office *f = *state;

	assert_int_equal(retention(f, 1, time(NULL) + 800 * DAY), 0);
	assert_int_equal(count_in_output(f, "drafts deleted"), 1);
	assert_int_equal(count_in_output(f, "closed orders anonymised"), 1);
	assert_int_equal(count_in_output(f, "registration records anonymised"), 0);
	assert_true(count_in_output(f, "delivered mail deleted") >= 1);
	assert_non_null(strstr(buf_cstr(&f->out), "dry run"));
	assert_true(order_exists(f, draft_id));
	assert_string_not_equal(office_order_get(f, cancelled_id).jmbg, "");
	assert_int_equal(audit_runs(f), 1);
}

/* The signer of an order's signed document (issue 19) with what an
 * office compared and who decided (migration 020), "" when none or
 * blanked. */
static int signer_of_row(void *arg, const struct order_signature *s)
{
	snprintf(arg, 256, "%.100s%.50s%.40s%.40s", s->signer, s->signer_name, s->signer_sn,
		 s->decided_by);
	return 1;
}

static void signer_of(struct office *f, long long id, char signer[256])
{
	struct store *st = office_db(f);

	*signer = '\0';
	assert_int_equal(store_sign_each(st, id, signer_of_row, signer), STORE_OK);
	store_close(st);
}

/* The cancelled order had its request signed electronically (as
 * app/sign.c records it): the signer's name and JMBG are the person's. */
static void signed_before(struct office *f, long long id)
{
	struct order_signature s = {
		id,        "request",        "/C=RS/CN=Petar/serialNumber=IDCRS-1",
		"0A",      "ocsp:good",      1,
		1,         SIGN_REVIEW_HELD, "Petar",
		"IDCRS-1", "/CN=Drugi CA",   "",
		0};
	struct store *st = office_db(f);
	char signer[256];

	assert_int_equal(store_sign_put(st, &s, (const unsigned char *)"\x30\x00", 2), STORE_OK);
	/* An office confirmed it by hand. */
	assert_int_equal(store_sign_decide(st, id, "request", SIGN_REVIEW_OK, "ns1", 2), STORE_OK);
	store_close(st);
	signer_of(f, id, signer);
	assert_string_equal(signer, "/C=RS/CN=Petar/serialNumber=IDCRS-1PetarIDCRS-1ns1");
}

static void test_run_deletes_drafts_and_blanks_closed_orders(void **state)
{
	struct office *f = *state;
	struct order o;
	char signer[256];

	signed_before(f, cancelled_id);
	assert_int_equal(retention(f, 0, time(NULL) + 800 * DAY), 0);
	assert_int_equal(count_in_output(f, "drafts deleted"), 1);
	assert_int_equal(count_in_output(f, "closed orders anonymised"), 1);
	assert_false(order_exists(f, draft_id));
	o = office_order_get(f, cancelled_id);
	assert_string_equal(o.first_name, "");
	assert_string_equal(o.last_name, "");
	assert_string_equal(o.jmbg, "");
	assert_string_equal(o.id_number, "");
	assert_string_equal(o.street, "");
	assert_string_equal(o.email, "");
	assert_string_equal(o.phone, "");
	assert_string_equal(o.license_number, "");
	signer_of(f, cancelled_id, signer);
	assert_string_equal(signer, "");
	/* What the books and the statistics need stays. */
	assert_string_equal(wf_state_name(o.state), "cancelled");
	assert_string_equal(o.office, "NS");
	assert_string_not_equal(o.payment_ref, "");
	assert_true(o.confirmed_at > 0);
	/* The certificate's record is kept for years after it expires. */
	o = office_order_get(f, issued_id);
	assert_string_not_equal(o.jmbg, "");
	assert_string_not_equal(office_order_get(f, cancelled_after_issue_id).jmbg, "");
	assert_int_equal(audit_runs(f), 2);
	/* Again: nothing more to do. */
	assert_int_equal(retention(f, 0, time(NULL) + 800 * DAY), 0);
	assert_int_equal(count_in_output(f, "drafts deleted"), 0);
	assert_int_equal(count_in_output(f, "closed orders anonymised"), 0);
	assert_int_equal(count_in_output(f, "delivered mail deleted"), 0);
	/* The member's own page of the deleted draft is gone. */
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", draft_id), 404);
}

static void test_registration_records_kept_seven_years_after_expiry(void **state)
{
	struct office *f = *state;
	time_t end = issued_not_after(f) + 7 * 366 * DAY;
	struct order o;

	assert_int_equal(retention(f, 0, end - 30 * DAY), 0);
	assert_int_equal(count_in_output(f, "registration records anonymised"), 0);
	assert_string_not_equal(office_order_get(f, issued_id).jmbg, "");
	assert_int_equal(retention(f, 0, end + 30 * DAY), 0);
	/* Both orders whose certificate was issued (the one cancelled after). */
	assert_int_equal(count_in_output(f, "registration records anonymised"), 2);
	o = office_order_get(f, issued_id);
	assert_string_equal(o.jmbg, "");
	assert_string_equal(o.first_name, "");
	assert_string_equal(wf_state_name(o.state), "at_office");
}

static void test_bad_date_is_refused(void **state)
{
	struct office *f = *state;
	static const char *const args[] = {"retention", "run", "--as-of", "2030-13-40", NULL};

	assert_int_equal(office_cli(f, args), 2);
	assert_non_null(strstr(buf_cstr(&f->out), "YYYY-MM-DD"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nothing_is_due_today),
		cmocka_unit_test(test_dry_run_changes_nothing),
		cmocka_unit_test(test_run_deletes_drafts_and_blanks_closed_orders),
		cmocka_unit_test(test_registration_records_kept_seven_years_after_expiry),
		cmocka_unit_test(test_bad_date_is_refused),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, office_setup, office_teardown);
}
