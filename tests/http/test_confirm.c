/*
 * Irreversible actions ask first, without JavaScript (issue 15, point
 * 4): the member's cancel and the office's payment, rejection and
 * handover (revocation: test_ca_e2e.c, which has a real certificate).
 * A POST to the action's route without confirm=1 changes nothing and
 * answers 200 with a page saying what will happen, a button posting the
 * same fields again with confirm=1, and a way back; with confirm=1 the
 * action is done.  And the back office says a CA's refusal once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness_extra.h"
#include "office.h"
#include "store/store_payments.h"

/* The confirmation page: the button that posts again with confirm=1
 * to action, and the way back to back. */
static void asks_first(struct office *f, const char *action, const char *back)
{
	char want[160];

	assert_int_equal(f->r.status, 200);
	office_body_lacks(f, "<h1></h1>");
	snprintf(want, sizeof(want), "<form method=\"post\" action=\"%s\">", action);
	office_body_has(f, want);
	office_body_has(f, "<input type=\"hidden\" name=\"confirm\" value=\"1\">");
	office_body_has(f, "type=\"submit\"");
	snprintf(want, sizeof(want), "<a href=\"%s", back);
	office_body_has(f, want);
}

static int count_payment(void *arg, const struct payment *p)
{
	(*(int *)arg)++;
	return 0;
}

static int payments_of(struct office *f, long long id)
{
	struct store *st = office_db(f);
	int n = 0;

	assert_int_equal(store_payment_each_order(st, id, count_payment, &n), STORE_OK);
	store_close(st);
	return n;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void test_member_cancel_asks_first(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char action[64], back[64];

	snprintf(action, sizeof(action), "/orders/%lld/cancel", id);
	snprintf(back, sizeof(back), "/orders/%lld", id);
	office_post(f, &f->member, action, NULL);
	asks_first(f, action, back);
	assert_string_equal(office_state(f, id), "confirmed");
	assert_int_equal(office_post(f, &f->member, action, "confirm", "1", NULL), 303);
	assert_string_equal(office_state(f, id), "cancelled");
}

static void test_payment_asks_first_and_the_amount_is_not_offered(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char *nonce, *date, *tag;

	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	/* The amount is typed, not offered: the field is empty. */
	assert_non_null(tag = html_control_tag(BODY(f), "amount"));
	if (strstr(tag, "value=\"") != NULL)
		assert_non_null(strstr(tag, "value=\"\""));
	free(tag);
	assert_non_null(nonce = form_field_value(BODY(f), "nonce"));
	assert_non_null(date = form_field_value(BODY(f), "paid_on"));
	office_post(f, &f->ns, office_path(id, "payments"), "nonce", nonce, "amount", "1.234,50",
		    "paid_on", date, "reference", "", "payer", "Test", NULL);
	asks_first(f, office_path(id, "payments"), office_path(id, ""));
	office_body_has(f, "1.234,50");
	/* The same fields go back with the button. */
	office_body_has(f, "name=\"amount\" value=\"1.234,50\"");
	office_body_has(f, nonce);
	assert_int_equal(payments_of(f, id), 0);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "payments"), "nonce", nonce,
				     "amount", "1.234,50", "paid_on", date, "reference", "",
				     "payer", "Test", "confirm", "1", NULL),
			 303);
	assert_int_equal(payments_of(f, id), 1);
	free(nonce);
	free(date);
}

static void test_reject_asks_first(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char renew[64];

	/* An order under way offers no second one with its data. */
	snprintf(renew, sizeof(renew), "/certificates/renew/%lld\"", id);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", id), 200);
	office_body_lacks(f, renew);

	office_post(f, &f->ns, office_path(id, "reject"), "reason",
		    "Licenca <nije> va\xc5\xbe"
		    "e\xc4\x87"
		    "a",
		    NULL);
	asks_first(f, office_path(id, "reject"), office_path(id, ""));
	/* What will happen names the reason, escaped. */
	office_body_has(f, "Licenca &lt;nije&gt; va\xc5\xbe"
			   "e\xc4\x87"
			   "a");
	assert_string_equal(office_state(f, id), "confirmed");
	/* An empty reason is refused before anything is asked. */
	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason", " ", NULL),
			 422);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason",
				     "Neva\xc5\xbe"
				     "e\xc4\x87"
				     "a",
				     "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "rejected");
	/* Ended: a new order with the same data is one click away. */
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", id), 200);
	office_body_has(f, renew);
}

static void test_hand_over_asks_first(void **state)
{
	struct office *f = *state;
	long long id = office_order_verified(f);

	office_deliver(f, id);
	assert_string_equal(office_state(f, id), "at_office");
	office_post(f, &f->ns, office_path(id, "hand-over"), "id_number", JOURNEY_ZARKO_ID_CARD,
		    NULL);
	asks_first(f, office_path(id, "hand-over"), office_path(id, ""));
	office_body_has(f, JOURNEY_ZARKO_ID_CARD);
	assert_string_equal(office_state(f, id), "at_office");
	/* A wrong ID card is refused at once, not asked about. */
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     "999999999", NULL),
			 422);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     JOURNEY_ZARKO_ID_CARD, "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "handed_over");
}

#define CA_WORDS "the CA is out of blank cards today"

/* A CA that fails the send: its words once on the page, not at the top
 * and again beside the send form. */
static void test_a_ca_failure_is_said_once(void **state)
{
	struct office *f = *state;
	long long id = office_order_verified(f);
	const char *on[] = {"testca", "fail", "--message", CA_WORDS, NULL};
	const char *off[] = {"testca", "fail", "--off", NULL};

	assert_int_equal(office_cli(f, on), 0);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 503);
	if (count(BODY(f), CA_WORDS) != 1)
		fprintf(stderr, "%s\n", BODY(f));
	assert_int_equal(count(BODY(f), CA_WORDS), 1);
	assert_int_equal(office_cli(f, off), 0);
	assert_string_equal(office_state(f, id), "verified");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, office_setup, office_teardown)
	const struct CMUnitTest tests[] = {
		T(test_member_cancel_asks_first),
		T(test_payment_asks_first_and_the_amount_is_not_offered),
		T(test_reject_asks_first),
		T(test_hand_over_asks_first),
		T(test_a_ca_failure_is_said_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
