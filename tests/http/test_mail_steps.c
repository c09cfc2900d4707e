/*
 * The member's mail at every step of an order (issue 15, point 1), over
 * real HTTP with the maildir the server delivers to: a whole journey
 * (confirmed, documents, part payment, full payment by a statement,
 * sent to the CA, issued, arrived, handed over), an order returned to
 * the member, one rejected, a legal entity's company, and what is
 * missing (the reminders and the revocation: test_ca_e2e); each step
 * mails once, in the account's language (Žarko's account in Serbian,
 * Ana's, chosen at registration, in English; Žarko's changed on the
 * account page, and to Serbian Cyrillic for the last test), with the
 * values of that step (links, what remains to pay, the reason).  Posts carry confirm=1 for the
 * actions that ask first.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain/payment.h"
#include "harness_extra.h"
#include "office.h"

#define ZARKO_MAIL JOURNEY_ZARKO_MAIL
#define ANA_MAIL "ana.petrovic@example.rs"
#define COMPANY_MAIL "office@cvor.example"
#define WAIT_MS 15000
#define NS_NAME "Regionalni centar Novi Sad"
#define NS_STREET "Bulevar Mihajla Pupina 6"

/* Waits until the outbox has nothing left to send. */
static void delivered(struct office *f)
{
	struct store *st;
	long long n = 1;
	int i;

	for (i = 0; i < WAIT_MS / 100 && n > 0; i++) {
		st = office_db(f);
		assert_int_equal(store_outbox_pending(st, &n), STORE_OK);
		store_close(st);
		if (n > 0)
			usleep(100 * 1000);
	}
	assert_int_equal(n, 0);
}

static void has(const char *eml, const char *text)
{
	if (strstr(eml, text) == NULL)
		fprintf(stderr, "mail lacks \"%s\":\n%s\n", text, eml);
	assert_non_null(strstr(eml, text));
}

/* After a step: exactly one more mail to addr, queued under key (once
 * in all), and delivered; returns it (caller frees). */
/* The order's model 97 reference as people read it: "95 00000001". */
static char *ref_shown(const struct order *o)
{
	char *ref = malloc(64);

	assert_non_null(ref);
	snprintf(ref, 64, "%.2s %.40s", o->payment_ref + 2, o->payment_ref + 4);
	return ref;
}

static char *one_mail(struct office *f, const char *addr, size_t *count, const char *key)
{
	char *eml;

	assert_true(office_mail_count(f, addr, key) >= 1);
	delivered(f);
	assert_int_equal(mail_count_to(&f->s, addr), *count + 1);
	*count += 1;
	eml = mail_latest_to(&f->s, addr);
	assert_non_null(eml);
	return eml;
}

/* The order's "id" in the text of a link: "/orders/N/what". */
static const char *order_link(long long id, const char *what)
{
	static char out[96];

	snprintf(out, sizeof(out), "/orders/%lld%s", id, what);
	return out;
}

static const char *money(long long para)
{
	static char out[32];

	assert_int_equal(payment_amount_format(para, out, sizeof(out)), 0);
	return out;
}

/* A statement pasted on the import page paying amount to order o. */
static void pay_by_statement(struct office *f, const struct order *o, const char *amount)
{
	struct buf csv = BUF_INIT;

	buf_puts(&csv, "Datum,Iznos,Uplatilac,Poziv na broj,Svrha,ID transakcije\r\n");
	buf_printf(&csv, "25.11.2026,\"%s\",Zarko Djuraskovic,%s,Uplata za sertifikat,TX-%lld\r\n",
		   amount, o->payment_ref, o->id);
	assert_int_equal(office_post(f, &f->ns, "/ra/payments/import", "statement", buf_cstr(&csv),
				     "file_name", "izvod.csv", "format", "csv", NULL),
			 303);
	buf_free(&csv);
}

static void test_each_step_of_an_order_mails_the_member_once_in_their_language(void **state)
{
	struct office *f = *state;
	const char *issue_all[] = {"testca", "issue", "--all", NULL};
	size_t n = mail_count_to(&f->s, ZARKO_MAIL);
	long long id, part;
	struct order o;
	char *eml, *ref;

	/* Confirmed: the three PDFs, what to pay and what to bring where. */
	id = office_order(f, "NS");
	o = office_order_get(f, id);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_confirmed");
	has(eml, order_link(id, "/request.pdf"));
	has(eml, order_link(id, "/contract.pdf"));
	has(eml, order_link(id, "/proforma.pdf"));
	has(eml, f->s.base);
	has(eml, money(o.total_para));
	/* The reference as the pages and PDFs write it: "95 00000001". */
	has(eml, ref = ref_shown(&o));
	free(ref);
	has(eml, NS_NAME);
	has(eml, NS_STREET);
	has(eml, "Potrebno je");
	has(eml, "- Zahtev, potpisan");
	free(eml);

	/* Documents received: the payment is what it waits for. */
	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_docs_ok");
	has(eml, "primili smo potpunu dokumentaciju");
	has(eml, "uplatu po predra");
	free(eml);

	/* A part payment: what remains. */
	part = o.total_para / 4;
	assert_int_equal(office_pay_by_hand(f, &f->ns, id, money(part), NULL, NULL, NULL), 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_paid_part");
	has(eml, money(part));
	has(eml, money(o.total_para - part));
	has(eml, "preostaje da uplatite");
	free(eml);

	/* The rest by a bank statement: paid in full. */
	pay_by_statement(f, &o, money(o.total_para - part));
	assert_string_equal(office_state(f, id), "ready");
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_paid");
	has(eml, "plaćen u celosti");
	has(eml, money(o.total_para));
	free(eml);

	/* Verified (nothing to tell), sent to the CA. */
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1", NULL),
		303);
	delivered(f);
	assert_int_equal(mail_count_to(&f->s, ZARKO_MAIL), n);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_sent");
	has(eml, "poslat sertifikacionom telu");
	free(eml);

	/* Issued, by the CA (a command: the portal's worker sends it). */
	assert_int_equal(office_cli(f, issue_all), 0);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_issued");
	has(eml, "izdalo kvalifikovani sertifikat");
	free(eml);

	/* Arrived at the office, then handed over. */
	assert_int_equal(office_get(f, &f->ns, "/ra/shipments"), 200);
	ref = form_field_value(BODY(f), "shipment");
	assert_non_null(ref);
	assert_int_equal(office_post(f, &f->ns, "/ra/shipments/receive", "shipment", ref, NULL),
			 303);
	free(ref);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.bo_arrived");
	has(eml, NS_NAME);
	free(eml);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     JOURNEY_ZARKO_ID_CARD, "confirm", "1", NULL),
			 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_handed_over");
	has(eml, "uru");
	free(eml);

	/* Each step once. */
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_confirmed"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_docs_ok"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_paid_part"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_paid"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_sent"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_issued"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.bo_arrived"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_handed_over"), 1);
}

static void test_a_return_and_a_rejection_mail_the_reason(void **state)
{
	struct office *f = *state;
	const char *on[] = {"testca",          "fail", "--message", "no", "--refuse",
			    "invalid_surname", NULL};
	const char *off[] = {"testca", "fail", "--off", NULL};
	size_t n;
	long long id, other;
	char *eml;

	/* The CA refuses: the office corrects it (no mail), then returns it
	 * to the member, who is told why. */
	id = office_order_verified(f);
	assert_int_equal(office_cli(f, on), 0);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_int_equal(office_cli(f, off), 0);
	assert_string_equal(office_state(f, id), "returned");
	delivered(f);
	n = mail_count_to(&f->s, ZARKO_MAIL);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "return"), "reason",
				     "Prezime se piše kao u ličnoj karti", NULL),
			 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.bo_returned");
	has(eml, "Prezime se piše kao u ličnoj karti");
	has(eml, order_link(id, ""));
	free(eml);

	/* Žarko now reads mail in English (his account page). */
	assert_int_equal(office_get(f, &f->member, "/account"), 200);
	office_body_has(f, "action=\"/account/lang\"");
	assert_int_equal(office_post(f, &f->member, "/account/lang", "lang", "en", NULL), 303);
	assert_int_equal(office_get(f, &f->member, "/account"), 200);
	office_body_has(f, "value=\"en\" selected");
	other = office_order(f, "NS");
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_confirmed");
	has(eml, "is confirmed");
	free(eml);
	assert_int_equal(office_post(f, &f->ns, office_path(other, "reject"), "reason",
				     "The copy of the ID card is unreadable", "confirm", "1", NULL),
			 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.bo_rejected");
	has(eml, "was rejected");
	has(eml, "The copy of the ID card is unreadable");
	free(eml);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.bo_returned"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.bo_rejected"), 1);
}

/* The company's mail links the proforma so that the company, which
 * has no account, can open it: the link opens that order's proforma
 * and nothing else, and an altered one is refused with a page. */
static void company_link_opens_the_proforma(struct office *f, long long id, struct client *owner)
{
	struct client anon;
	struct response r = {0};
	char *eml, *url, *path, *key, other[256], *text, *type, was;

	eml = mail_latest_to(&f->s, COMPANY_MAIL);
	assert_non_null(eml);
	url = mail_extract_link(eml, "/company/");
	assert_non_null(url);
	path = url;
	assert_int_equal(client_init(&anon, &f->s), 0);
	assert_int_equal(journey_get(&anon, path, &r), 200);
	assert_non_null(type = response_header(&r, "content-type"));
	assert_string_equal(type, "application/pdf");
	free(type);
	assert_non_null(text = pdf_text(&f->s, r.body.data, r.body.len));
	assert_non_null(strstr(text, "Projektni biro Cvor"));
	free(text);
	/* The same key for another order, or altered: 403 with a page. */
	key = strstr(path, "key=");
	assert_non_null(key);
	snprintf(other, sizeof(other), "/company/%lld/proforma.pdf?%s", id + 1,
		 strchr(path, '?') + 1);
	assert_int_equal(journey_get(&anon, other, &r), 403);
	assert_non_null(strstr(buf_cstr(&r.body), "<html"));
	was = key[4];
	key[4] = key[4] == '0' ? '1' : '0';
	assert_int_equal(journey_get(&anon, path, &r), 403);
	/* The member's own route still wants a login. */
	snprintf(other, sizeof(other), "/orders/%lld/proforma.pdf", id);
	assert_int_equal(journey_get(&anon, other, &r), 303);
	/* Cancelled by the member: the link tells the company, which has
	 * no order page to look at, and names whom to ask. */
	key[4] = was;
	snprintf(other, sizeof(other), "/orders/%lld/cancel", id);
	assert_int_equal(office_post(f, owner, other, "confirm", "1", NULL), 303);
	assert_int_equal(journey_get(&anon, path, &r), 409);
	assert_non_null(strstr(buf_cstr(&r.body), "podnosiocu zahteva"));
	assert_null(strstr(buf_cstr(&r.body), "potvrdite zahtev"));
	response_free(&r);
	client_free(&anon);
	free(url);
	free(eml);
}

/* Ana registers on the Serbian page choosing English, orders for a
 * company: her mail in English, and the company's with the proforma. */
static void test_the_language_chosen_at_registration_and_the_company_mail(void **state)
{
	struct office *f = *state;
	struct client ana;
	struct response r = {0};
	char *eml, *url, *token, *ref, page[200];
	struct order o;
	long long id;
	size_t n = 0, nc = 0;

	assert_int_equal(client_init(&ana, &f->s), 0);
	assert_int_equal(journey_get(&ana, "/register", &r), 200);
	assert_non_null(strstr(buf_cstr(&r.body), "name=\"lang\""));
	assert_non_null(strstr(buf_cstr(&r.body), "value=\"sr\" selected"));
	assert_int_equal(journey_submit(&ana, "/register", "/register", &r, "license_number",
					demo_ana.license, "jmbg", demo_ana.jmbg, "email", ANA_MAIL,
					"username", "anap", "password", OFFICE_PW,
					"password_confirm", OFFICE_PW, "lang", "en", NULL),
			 303);
	eml = one_mail(f, ANA_MAIL, &n, "mail.confirm");
	has(eml, "To confirm the account");
	url = mail_extract_link(eml, "/register/confirm?token=");
	assert_non_null(url);
	token = strstr(url, "token=") + 6;
	snprintf(page, sizeof(page), "/register/confirm?token=%s", token);
	assert_int_equal(journey_submit(&ana, page, "/register/confirm", &r, "token", token, NULL),
			 303);
	free(url);
	free(eml);
	assert_int_equal(journey_submit(&ana, "/login", "/login", &r, "username", "anap",
					"password", OFFICE_PW, NULL),
			 303);
	assert_int_equal(journey_submit(&ana, "/certificates/new/legal", "/certificates/new/legal",
					&r, "first_name", demo_ana.first, "last_name",
					demo_ana.last, "jmbg", demo_ana.jmbg, "id_type", "id_card",
					"id_number", "987654321", "id_issuer", "PU Novi Sad",
					"street", "Dunavska 1", "postal_code", "21000", "city",
					"Novi Sad", "email", ANA_MAIL, "phone", "+381 65 111 2222",
					"license_number", demo_ana.license, "position", "Direktor",
					"company_name", "Projektni biro Cvor d.o.o.", "company_mb",
					"17167418", "company_pib", "101745818", "company_street",
					"Nemanjina 4", "company_postal_code", "11000",
					"company_city", "Beograd", "company_email", COMPANY_MAIL,
					"office", "NS", "validity", "2y", "consent", "1", NULL),
			 303);
	id = journey_confirm(&ana, &r);
	eml = one_mail(f, ANA_MAIL, &n, "mail.order_confirmed");
	has(eml, "is confirmed");
	has(eml, order_link(id, "/proforma.pdf"));
	has(eml, "What to bring");
	free(eml);
	eml = one_mail(f, COMPANY_MAIL, &nc, "mail.order_confirmed_company");
	has(eml, "Projektni biro Cvor d.o.o.");
	snprintf(page, sizeof(page), "/company/%lld/proforma.pdf?until=", id);
	has(eml, page);
	o = office_order_get(f, id);
	has(eml, ref = ref_shown(&o));
	free(ref);
	free(eml);
	assert_int_equal(office_mail_count(f, ANA_MAIL, "mail.order_confirmed"), 1);
	assert_int_equal(office_mail_count(f, COMPANY_MAIL, "mail.order_confirmed_company"), 1);
	company_link_opens_the_proforma(f, id, &ana);
	response_free(&r);
	client_free(&ana);
}

/* What is missing, then the documents complete, in the third language:
 * each once, in Serbian Cyrillic (Žarko's account page). */
static void test_missing_documents_mail_once_in_cyrillic(void **state)
{
	struct office *f = *state;
	size_t n;
	long long id;
	char *eml;

	assert_int_equal(office_post(f, &f->member, "/account/lang", "lang", "sr-Cyrl", NULL), 303);
	assert_int_equal(office_get(f, &f->member, "/account"), 200);
	office_body_has(f, "value=\"sr-Cyrl\" selected");
	n = mail_count_to(&f->s, ZARKO_MAIL);
	id = office_order(f, "NS");
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_confirmed");
	has(eml, "потврђен");
	free(eml);

	assert_int_equal(office_post(f, &f->ns, office_path(id, "documents"), "doc_request", "1",
				     "doc_contract", "1", "note", "Kopija nije čitka", NULL),
			 303);
	assert_string_equal(office_state(f, id), "documents_incomplete");
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.bo_docs_missing");
	has(eml, "Недостаје");
	has(eml, "Kopija nije čitka"); /* as the office typed it */
	free(eml);
	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	eml = one_mail(f, ZARKO_MAIL, &n, "mail.order_docs_ok");
	has(eml, "примили смо потпуну документацију");
	free(eml);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.bo_docs_missing"), 1);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_docs_ok"), 1);
}

/* The delivered mail to ZARKO_MAIL that contains text (caller frees),
 * failing unless there is exactly one. */
static char *the_mail_with(struct office *f, const char *text)
{
	char **files, *eml, *found = NULL;
	size_t i, n, count = 0;

	files = mail_files(&f->s, &n);
	for (i = 0; i < n; i++) {
		eml = file_read(files[i], NULL);
		assert_non_null(eml);
		if (strstr(eml, ZARKO_MAIL) != NULL && strstr(eml, text) != NULL) {
			count++;
			free(found);
			found = eml;
		} else {
			free(eml);
		}
	}
	mail_files_free(files);
	if (count != 1)
		fprintf(stderr, "%zu mails with \"%s\"\n", count, text);
	assert_int_equal(count, 1);
	return found;
}

/* One statement settling three orders and paying part of a fourth (what
 * bench scenario 7 does 34,880 times): a mail for each settlement, once,
 * in the account's language (English, chosen on the account page after
 * the orders were made), naming its order and its amount; the part
 * payment its own mail. */
static void test_a_statement_mails_each_settlement_once_in_the_account_language(void **state)
{
	struct office *f = *state;
	struct buf csv = BUF_INIT;
	struct order o[4];
	char subject[96], *eml;
	size_t i, n;

	for (i = 0; i < 4; i++)
		o[i] = office_order_get(f, office_order(f, "NS"));
	assert_int_equal(office_post(f, &f->member, "/account/lang", "lang", "en", NULL), 303);
	delivered(f);
	n = mail_count_to(&f->s, ZARKO_MAIL);
	buf_puts(&csv, "Datum,Iznos,Uplatilac,Poziv na broj,Svrha,ID transakcije\r\n");
	for (i = 0; i < 4; i++)
		buf_printf(&csv, "25.11.2026,\"%s\",Zarko Djuraskovic,%s,Uplata,TX-%lld\r\n",
			   money(i < 3 ? o[i].total_para : o[i].total_para / 4), o[i].payment_ref,
			   o[i].id);
	assert_int_equal(office_post(f, &f->ns, "/ra/payments/import", "statement", buf_cstr(&csv),
				     "file_name", "izvod.csv", "format", "csv", NULL),
			 303);
	buf_free(&csv);
	delivered(f);
	assert_int_equal(mail_count_to(&f->s, ZARKO_MAIL), n + 4);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_paid"), 3);
	assert_int_equal(office_mail_count(f, ZARKO_MAIL, "mail.order_paid_part"), 1);
	for (i = 0; i < 3; i++) {
		assert_string_equal(office_state(f, o[i].id), "payment_received");
		snprintf(subject, sizeof(subject), "Request no. %lld: the payment has arrived",
			 o[i].id);
		eml = the_mail_with(f, subject);
		has(eml, "paid in full");
		has(eml, money(o[i].total_para));
		has(eml, order_link(o[i].id, ""));
		free(eml);
	}
	assert_string_equal(office_state(f, o[3].id), "confirmed");
	snprintf(subject, sizeof(subject), "Request no. %lld: part payment received", o[3].id);
	eml = the_mail_with(f, subject);
	has(eml, money(o[3].total_para - o[3].total_para / 4));
	free(eml);
}

#define T(t) cmocka_unit_test_setup_teardown(t, office_setup, office_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_each_step_of_an_order_mails_the_member_once_in_their_language),
		T(test_a_return_and_a_rejection_mail_the_reason),
		T(test_the_language_chosen_at_registration_and_the_company_mail),
		T(test_missing_documents_mail_once_in_cyrillic),
		T(test_a_statement_mails_each_settlement_once_in_the_account_language),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
