/*
 * A way forward from every state, over real HTTP with the test CA told
 * to refuse: a registration the CA refuses at "send" is returned for
 * correction with the reason in the reader's language (in full to staff,
 * in plain words to the member, never a 502 or the CA's English); the office corrects the
 * data (each change audited) and sends it again, or asks for newly
 * signed papers, or returns it to the member who edits and confirms it
 * again, or cancels it (its payment listed for a refund).  A holder's
 * name that differs from the register is confirmed by the office.
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

#include "office.h"
#include "domain/audit.h"
#include "store/store_payments.h"

#define CA_WORDS "organization must be 1-64 letters, digits, single spaces or punctuation"

static void refuse(struct office *f, const char *code)
{
	const char *on[] = {"testca", "fail", "--message", CA_WORDS, "--refuse", code, NULL};
	const char *off[] = {"testca", "fail", "--off", NULL};

	assert_int_equal(office_cli(f, code ? on : off), 0);
}

/* An order refused by the CA at send: "returned". */
static long long order_returned(struct office *f)
{
	long long id = office_order_verified(f);
	char want[64], *loc;

	refuse(f, "invalid_organization");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	loc = journey_location(&f->r);
	snprintf(want, sizeof(want), "/ra/orders/%lld?done=returned", id);
	assert_non_null(loc);
	assert_string_equal(loc, want);
	free(loc);
	refuse(f, NULL);
	assert_string_equal(office_state(f, id), "returned");
	return id;
}

static void test_a_refusal_at_send_returns_the_order_with_the_reason(void **state)
{
	struct office *f = *state;
	long long id = order_returned(f);
	struct order o = office_order_get(f, id);

	assert_string_equal(o.returned_code, "invalid_organization");
	assert_string_equal(o.returned_text, CA_WORDS);
	/* Staff: the reason in their language and the CA's words. */
	assert_int_equal(office_get(f, &f->ns, "%s?done=returned", office_path(id, "")), 200);
	office_body_has(f, "Vra\xc4\x87"
			   "en na ispravku");
	office_body_has(f, "naziv dru\xc5\xa1tva za sertifikat nije prihva\xc4\x87"
			   "en");
	office_body_has(f, CA_WORDS);
	office_body_has(f, "/correct\"");
	/* On the office's home page, in the queue of work for the CA. */
	{
		char row[64];

		snprintf(row, sizeof(row), "href=\"/ra/orders/%lld\"", id);
		assert_int_equal(office_get(f, &f->ns, "/ra"), 200);
		office_body_has(f, row);
	}
	assert_int_equal(office_get(f, &f->ns, "%s?lang=en", office_path(id, "")), 200);
	office_body_has(f, "the company name for the certificate was not accepted");
	/* The member: plain words, never the CA's. */
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", id), 200);
	office_body_has(f, "Sertifikaciono telo nije prihvatilo va\xc5\xa1 zahtev");
	office_body_lacks(f, CA_WORDS);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld?lang=en", id), 200);
	office_body_has(f, "The Certification Authority did not accept your request");
	/* Sent again once the CA accepts it. */
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_string_equal(office_state(f, id), "sent_to_ca");
	o = office_order_get(f, id);
	assert_string_equal(o.returned_code, "");
}

static void test_a_ca_that_cannot_be_asked_changes_nothing(void **state)
{
	struct office *f = *state;
	long long id = office_order_verified(f);
	const char *down[] = {"testca", "fail", "--message", "CA down", NULL};
	const char *off[] = {"testca", "fail", "--off", NULL};

	assert_int_equal(office_cli(f, down), 0);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 503);
	assert_string_equal(office_state(f, id), "verified");
	assert_int_equal(office_cli(f, off), 0);
}

static int find_city_change(void *arg, const struct audit_entry *e)
{
	if (strstr(e->detail, "city: \"Beograd\" -> \"Novi Sad\"") != NULL)
		*(int *)arg = 1;
	return 0;
}

static void test_the_office_corrects_the_data_and_sends_again(void **state)
{
	struct office *f = *state;
	long long id = order_returned(f);
	struct store *st;
	struct order o;
	char *kept;
	int found = 0;

	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "correct")), 200);
	kept = form_field_value(BODY(f), "city");
	assert_string_equal(kept, "Beograd");
	free(kept);
	/* Bad input: the form again, values kept, nothing changed. */
	assert_int_equal(office_post(f, &f->ns, office_path(id, "correct"), "first_name", "Ivan2",
				     "last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87", "city",
				     "Ni\xc5\xa1", NULL),
			 422);
	kept = form_field_value(BODY(f), "city");
	assert_string_equal(kept, "Ni\xc5\xa1");
	free(kept);
	o = office_order_get(f, id);
	assert_string_equal(o.city, "Beograd");
	/* A good correction: every other field as it was. */
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "correct")), 200);
	{
		const char *names[] = {"id_number",   "id_issuer", "street",
				       "postal_code", "email",     "phone"};
		const char *pairs[40];
		char *vals[6], *body, *csrf;
		size_t i, n = 0;

		for (i = 0; i < 6; i++) {
			vals[i] = form_field_value(BODY(f), names[i]);
			pairs[n++] = names[i];
			pairs[n++] = vals[i] ? vals[i] : "";
		}
		csrf = form_field_value(BODY(f), "csrf_token");
		pairs[n++] = "id_type"; /* the selects: as chosen */
		pairs[n++] = "id_card";
		pairs[n++] = "office";
		pairs[n++] = "NS";
		pairs[n++] = "first_name";
		pairs[n++] = "\xc5\xbd"
			     "arko";
		pairs[n++] = "last_name";
		pairs[n++] = "\xc4\x90ura\xc5\xa1kovi\xc4\x87";
		pairs[n++] = "city";
		pairs[n++] = "  Novi   Sad ";
		pairs[n++] = "csrf_token";
		pairs[n++] = csrf;
		pairs[n] = NULL;
		body = form_encode(pairs);
		assert_int_equal(journey_post(&f->ns, office_path(id, "correct"), body, &f->r),
				 303);
		free(body);
		free(csrf);
		for (i = 0; i < 6; i++)
			free(vals[i]);
	}
	o = office_order_get(f, id);
	assert_string_equal(o.city, "Novi Sad");
	assert_string_equal(wf_state_name(o.state), "returned");
	assert_int_equal(o.name_differs, 0);
	/* The change is audited with its old and new value. */
	st = office_db(f);
	{
		struct audit_filter af;

		memset(&af, 0, sizeof(af));
		af.action = "order.correct";
		assert_int_equal(store_audit_each(st, &af, find_city_change, &found), STORE_OK);
	}
	store_close(st);
	assert_true(found);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_string_equal(office_state(f, id), "sent_to_ca");
}

/* New papers asked for without a field changed: the history and the
 * member's panel say so, with no empty list of fields ("(-)"). */
static void test_new_papers_without_a_change_name_no_fields(void **state)
{
	struct office *f = *state;
	long long id = order_returned(f);
	struct order o = office_order_get(f, id);

	assert_int_equal(office_post(f, &f->ns, office_path(id, "correct"), "first_name",
				     o.first_name, "last_name", o.last_name, "id_type", o.id_type,
				     "id_number", o.id_number, "id_issuer", o.id_issuer, "street",
				     o.street, "postal_code", o.postal_code, "city", o.city,
				     "email", o.email, "phone", o.phone, "office", o.office,
				     "new_papers", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "documents_incomplete_paid");
	assert_int_equal(office_get(f, &f->member, "/orders/%lld?lang=sr", id), 200);
	office_body_lacks(f, "(-)");
	office_body_has(f, "nova potpisana dokumenta");
	assert_int_equal(office_get(f, &f->ns, "%s?lang=sr", office_path(id, "")), 200);
	office_body_lacks(f, "(-)");
}

static void test_corrected_papers_wait_for_new_signatures(void **state)
{
	struct office *f = *state;
	long long id = order_returned(f);
	size_t before = mail_count_to(&f->s, JOURNEY_ZARKO_MAIL);
	char *eml;

	assert_int_equal(office_post(f, &f->ns, office_path(id, "correct"), "first_name",
				     "\xc5\xbd"
				     "arko",
				     "last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87", "id_type",
				     "id_card", "id_number", JOURNEY_ZARKO_ID_CARD, "id_issuer",
				     "PU za grad Beograd", "street", "Nemanjina 11", "postal_code",
				     "11000", "city", "Beograd", "email", JOURNEY_ZARKO_MAIL,
				     "phone", "064 123 4567", "office", "NS", "new_papers", "1",
				     NULL),
			 303);
	assert_string_equal(office_state(f, id), "documents_incomplete_paid");
	eml = mail_wait_to(&f->s, JOURNEY_ZARKO_MAIL, before, 10000);
	assert_non_null(eml);
	assert_non_null(strstr(eml, "nova potpisana dokumenta"));
	free(eml);
	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	assert_string_equal(office_state(f, id), "ready");
}

static void test_returned_to_the_member_who_corrects_and_confirms_again(void **state)
{
	struct office *f = *state;
	long long id = order_returned(f);
	struct order before = office_order_get(f, id), after;
	char page[64], action[64];

	assert_int_equal(office_post(f, &f->ns, office_path(id, "return"), NULL), 422);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "return"), "reason",
				     "Navedite naziv dru\xc5\xa1tva kra\xc4\x87"
				     "e",
				     NULL),
			 303);
	assert_string_equal(office_state(f, id), "returned_to_member");
	/* The office reads whom it went back to; the member reads "to you". */
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld?lang=en", id), 200);
	office_body_has(f, "Returned to the member for correction");
	office_body_lacks(f, "Returned to you");
	/* No certificate yet: said as to the office, not as to the member. */
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld/certificate.pem?lang=en", id), 404);
	office_body_has(f, "has not issued a certificate");
	office_body_lacks(f, "handed over to you");
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", id), 200);
	office_body_has(f, "Zahtev vam je vra\xc4\x87"
			   "en na ispravku");
	snprintf(page, sizeof(page), "/orders/%lld/edit", id);
	/* Paid: another validity is refused, the values kept. */
	assert_int_equal(journey_submit(&f->member, page, page, &f->r, "id_type", "id_card",
					"id_number", JOURNEY_ZARKO_ID_CARD, "id_issuer",
					"PU za grad Beograd", "street", "Nemanjina 11",
					"postal_code", "11000", "city", "Beograd", "email",
					JOURNEY_ZARKO_MAIL, "phone", "064 123 4567", "office", "NS",
					"validity", "1y", "consent", "1", NULL),
			 422);
	office_body_has(f, "id=\"e-validity\"");
	assert_string_equal(office_order_get(f, id).street, before.street);
	assert_int_equal(journey_submit(&f->member, page, page, &f->r, "id_type", "id_card",
					"id_number", JOURNEY_ZARKO_ID_CARD, "id_issuer",
					"PU za grad Beograd", "street", "Nemanjina 11",
					"postal_code", "11000", "city", "Beograd", "email",
					JOURNEY_ZARKO_MAIL, "phone", "064 123 4567", "office", "NS",
					"validity", "3y", "consent", "1", NULL),
			 303);
	snprintf(page, sizeof(page), "/orders/%lld/review", id);
	snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
	assert_int_equal(journey_submit(&f->member, page, action, &f->r, NULL), 303);
	after = office_order_get(f, id);
	assert_string_equal(wf_state_name(after.state),
			    "payment_received"); /* paid: waits for the papers */
	assert_string_equal(after.street, "Nemanjina 11");
	assert_true(after.total_para == before.total_para);
}

static int count_open(void *arg, const struct payment *p)
{
	(void)p;
	(*(int *)arg)++;
	return 0;
}

static void test_a_cancelled_paid_order_is_listed_for_refund(void **state)
{
	struct office *f = *state;
	long long id = order_returned(f);
	struct payment p;
	struct store *st;
	struct payment_filter pf;
	int open_before = 0, open_after = 0;

	/* The payment that settled it (as the payments job records one). */
	memset(&pf, 0, sizeof(pf));
	pf.office = "";
	memset(&p, 0, sizeof(p));
	p.order_id = id;
	p.amount_para = office_order_get(f, id).total_para;
	snprintf(p.paid_on, sizeof(p.paid_on), "2026-12-01");
	snprintf(p.source, sizeof(p.source), "manual");
	snprintf(p.fingerprint, sizeof(p.fingerprint), "m:test-%lld", id);
	snprintf(p.match, sizeof(p.match), "exact");
	snprintf(p.resolution, sizeof(p.resolution), "paid");
	p.resolved_at = p.created_at = time(NULL);
	snprintf(p.created_by, sizeof(p.created_by), "test");
	st = office_db(f);
	assert_int_equal(store_payment_add(st, &p), STORE_OK);
	assert_int_equal(store_payment_each_open(st, &pf, count_open, &open_before), STORE_OK);
	store_close(st);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "cancel"), NULL), 422);
	assert_string_equal(office_state(f, id), "returned");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "cancel"), "reason",
				     "\xc4\x8clan je odustao", NULL),
			 303);
	assert_string_equal(office_state(f, id), "cancelled");
	st = office_db(f);
	assert_int_equal(store_payment_each_open(st, &pf, count_open, &open_after), STORE_OK);
	store_close(st);
	assert_true(open_after > open_before);
	assert_int_equal(office_get(f, &f->ns, "/ra/payments/unresolved"), 200);
	office_body_has(f, "uplatu treba vratiti");
}

/* Žarko's request with the name on his new identity document. */
static long long order_with_other_name(struct office *f)
{
	long long id;
	char *loc;

	assert_int_equal(
		journey_submit(&f->member, "/certificates/new/natural", "/certificates/new/natural",
			       &f->r, "name_differs", "1", "first_name",
			       "\xc5\xbd"
			       "arko",
			       "last_name", "Petrovi\xc4\x87", "id_type", "id_card", "id_number",
			       JOURNEY_ZARKO_ID_CARD, "id_issuer", "PU za grad Beograd", "street",
			       "Nemanjina 4", "postal_code", "11000", "city", "Beograd", "email",
			       JOURNEY_ZARKO_MAIL, "phone", "064 123 4567", "office", "NS",
			       "validity", "3y", "consent", "1", NULL),
		303);
	loc = journey_location(&f->r);
	assert_non_null(loc);
	assert_int_equal(sscanf(loc, "/orders/%lld/review", &id), 1);
	free(loc);
	return journey_confirm(&f->member, &f->r);
}

static void test_a_differing_name_is_confirmed_by_the_office(void **state)
{
	struct office *f = *state;
	long long id = order_with_other_name(f);
	struct order o;

	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	office_pay(f, id);
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, "razlikuje od registra");
	office_body_has(f, "name=\"name_confirmed\"");
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1", NULL),
		422);
	assert_string_equal(office_state(f, id), "ready");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1",
				     "name_confirmed", "1", NULL),
			 303);
	o = office_order_get(f, id);
	assert_string_equal(wf_state_name(o.state), "verified");
	assert_true(o.name_confirmed_at > 0);
	assert_string_equal(o.name_confirmed_by, "ns1");
	assert_string_equal(o.last_name, "Petrovi\xc4\x87");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_string_equal(office_state(f, id), "sent_to_ca");
}

#define T(name) cmocka_unit_test_setup_teardown(name, office_setup, office_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_a_refusal_at_send_returns_the_order_with_the_reason),
		T(test_a_ca_that_cannot_be_asked_changes_nothing),
		T(test_the_office_corrects_the_data_and_sends_again),
		T(test_corrected_papers_wait_for_new_signatures),
		T(test_new_papers_without_a_change_name_no_fields),
		T(test_returned_to_the_member_who_corrects_and_confirms_again),
		T(test_a_cancelled_paid_order_is_listed_for_refund),
		T(test_a_differing_name_is_confirmed_by_the_office),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
