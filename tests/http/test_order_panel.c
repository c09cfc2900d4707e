/*
 * The member's order page says what happens next (issue 15, point 2):
 * for each state on the way from confirmation to hand-over, the panel
 * at the top says where the order is, what comes next, what the member
 * must do and by when; the documents to bring show only while the
 * office waits for them, what it recorded as missing is listed in the
 * panel, and the history
 * names roles and places, never a staff member's username or an
 * internal number (an import, a shipment, the CA's reference).  The
 * home page lists the open orders with their panel line.
 *
 * One server for the whole walk (the back-office fixture of office.h):
 * the states follow one another, so each test starts where the last
 * one left the order.
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

static long long order_id;

/* The member's order page, checked for what no state may show: a staff
 * username, the system's actor names, a DN, the office's numbers. */
static void member_page(struct office *f, const char *lang)
{
	static const char *const never[] = {"ns1",
					    "bg1",
					    "admin1",
					    "test:payments",
					    "ca:testca",
					    "ca:service",
					    "TESTCA-R",
					    "TESTCA-S",
					    "CN=",
					    "serialNumber=",
					    "<td>system</td>",
					    "<td>cli</td>",
					    "Imalac (subjekt)"};

	assert_int_equal(office_get(f, &f->member, "/orders/%lld?lang=%s", order_id, lang), 200);
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		office_body_lacks(f, never[i]);
	office_body_has(f, "class=\"panel\"");
}

static void test_confirmed_order_says_what_to_bring_pay_and_by_when(void **state)
{
	struct office *f = *state;

	order_id = office_order(f, "NS");
	member_page(f, "sr");
	office_body_has(f, "kancelarija \xc4\x8d"
			   "eka va\xc5\xa1u potpisanu dokumentaciju i uplatu");
	office_body_has(f, "Regionalni centar Novi Sad. Uplatite iznos sa predra\xc4\x8duna");
	/* The deadline: the order expiry days after confirmation (30). */
	office_body_has(f, "class=\"panel-by\"");
	office_body_has(f, "(rok je 30 dana od potvrde)");
	office_body_lacks(f, "..");
	office_body_has(f, "Dokumenti koje treba prilo");
	/* The member's own steps are theirs: "Vi". */
	office_body_has(f, "\">Vi</td>");
	office_body_lacks(f, "\">zdjuras</td>");
	member_page(f, "en");
	office_body_has(f, "the office is waiting for your signed documents and your payment");
	office_body_has(f, "(30 days from its confirmation)");
	/* A date ends a sentence with one full stop, not two. */
	office_body_lacks(f, "..");
	office_body_has(f, "\">You</td>");
}

static void test_home_page_lists_open_orders_with_their_panel_line(void **state)
{
	struct office *f = *state;
	char line[64];

	assert_int_equal(office_get(f, &f->member, "/?lang=sr"), 200);
	office_body_has(f, "Va\xc5\xa1i otvoreni zahtevi");
	snprintf(line, sizeof(line), "href=\"/orders/%lld\">Zahtev br. %lld</a>", order_id,
		 order_id);
	office_body_has(f, line);
	office_body_has(f, "kancelarija \xc4\x8d"
			   "eka va\xc5\xa1u potpisanu dokumentaciju i uplatu");
}

static void test_missing_documents_are_listed_in_the_panel(void **state)
{
	struct office *f = *state;

	assert_int_equal(office_post(f, &f->ns, office_path(order_id, "documents"), "doc_request",
				     "1", NULL),
			 303);
	assert_string_equal(office_state(f, order_id), "documents_incomplete");
	member_page(f, "sr");
	office_body_has(f, "dokumentaciju, ali nije potpuna; uplata");
	office_body_has(f, "class=\"panel-missing\"");
	office_body_has(f, "nedostaje:</strong> Ugovor u dva primerka");
	office_body_has(f, "Dokumenti koje treba prilo");
	/* The operator is their office. */
	office_body_has(f, "\">Kancelarija Novi Sad</td>");
	/* In the reader's language, the panel and the history alike. */
	member_page(f, "en");
	office_body_has(f, "The contract in two copies, signed and stamped");
	office_body_lacks(f, "Ugovor u dva primerka");
	office_body_lacks(f, "potpisan i overen");
	member_page(f, "sr-Cyrl");
	office_body_lacks(f, "Ugovor u dva primerka");
	office_body_has(f, "\xd0\xa3\xd0\xb3\xd0\xbe\xd0\xb2\xd0\xbe\xd1\x80 "); /* "Ugovor " */
	member_page(f, "sr");

	office_pay(f, order_id);
	assert_string_equal(office_state(f, order_id), "documents_incomplete_paid");
	member_page(f, "sr");
	office_body_has(f, "Uplata je evidentirana, ali dokumentacija nije potpuna.");
	office_body_has(f, "class=\"panel-missing\"");
	office_body_has(f, "\">Sistem</td>");
	/* Paid: the deadline waits for the documents alone. */
	office_body_has(f, "class=\"panel-by\"");
	office_body_lacks(f, "ne primi dokumentaciju i uplatu");
	office_body_has(f, "ne primi dokumentaciju, zahtev isti\xc4\x8d"
			   "e");
}

static void test_complete_order_no_longer_asks_for_documents_or_a_deadline(void **state)
{
	struct office *f = *state;

	assert_int_equal(office_documents_all(f, &f->ns, order_id), 303);
	assert_string_equal(office_state(f, order_id), "ready");
	member_page(f, "sr");
	office_body_has(f, "Kancelarija je primila dokumentaciju i uplatu.");
	office_body_has(f, "Ni\xc5\xa1ta: javi\xc4\x87"
			   "emo vam e-po\xc5\xa1tom");
	office_body_lacks(f, "class=\"panel-missing\"");
	office_body_lacks(f, "class=\"panel-by\"");
	office_body_lacks(f, "Dokumenti koje treba prilo");

	assert_int_equal(office_post(f, &f->ns, office_path(order_id, "verify"), "identity_checked",
				     "1", NULL),
			 303);
	member_page(f, "sr");
	office_body_has(f, "Kancelarija je proverila va\xc5\xa1"
			   "e podatke i dokumentaciju.");
}

static void test_ca_steps_name_the_ca_and_hide_its_numbers(void **state)
{
	struct office *f = *state;
	const char *issue_all[] = {"testca", "issue", "--all", NULL};

	assert_int_equal(office_post(f, &f->ns, office_path(order_id, "send"), NULL), 303);
	assert_string_equal(office_state(f, order_id), "sent_to_ca");
	member_page(f, "sr");
	office_body_has(f, "Zahtev je kod Sertifikacionog tela.");
	office_body_has(f, "Prosle\xc4\x91"
			   "eno Sertifikacionom telu</td>");

	assert_int_equal(office_cli(f, issue_all), 0);
	assert_string_equal(office_state(f, order_id), "issued");
	member_page(f, "sr");
	office_body_has(f, "Sertifikat je izdat i na putu je do kancelarije Regionalni centar "
			   "Novi Sad.");
	office_body_has(f, "\">Sertifikaciono telo</td>");

	assert_int_equal(
		office_post(f, &f->ns, "/ra/shipments/receive", "shipment", "TESTCA-S000001", NULL),
		303);
	assert_string_equal(office_state(f, order_id), "at_office");
	member_page(f, "sr");
	office_body_has(f, "Sertifikat vas \xc4\x8d"
			   "eka u kancelariji Regionalni centar Novi Sad.");
	office_body_has(f, "Do\xc4\x91"
			   "ite li\xc4\x8dno u kancelariju");
	member_page(f, "en");
	office_body_has(f, "Your certificate is waiting at the office Regional office Novi Sad.");
}

static void test_handed_over_order_leaves_the_home_page(void **state)
{
	struct office *f = *state;

	assert_int_equal(office_post(f, &f->ns, office_path(order_id, "hand-over"), "id_number",
				     JOURNEY_ZARKO_ID_CARD, "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, order_id), "handed_over");
	member_page(f, "sr");
	office_body_has(f, "Sertifikat vam je uru\xc4\x8d"
			   "en.");
	assert_int_equal(office_get(f, &f->member, "/?lang=sr"), 200);
	office_body_lacks(f, "Va\xc5\xa1i otvoreni zahtevi");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confirmed_order_says_what_to_bring_pay_and_by_when),
		cmocka_unit_test(test_home_page_lists_open_orders_with_their_panel_line),
		cmocka_unit_test(test_missing_documents_are_listed_in_the_panel),
		cmocka_unit_test(test_complete_order_no_longer_asks_for_documents_or_a_deadline),
		cmocka_unit_test(test_ca_steps_name_the_ca_and_hide_its_numbers),
		cmocka_unit_test(test_handed_over_order_leaves_the_home_page),
	};

	return cmocka_run_group_tests(tests, office_setup, office_teardown);
}
