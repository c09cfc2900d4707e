/*
 * The back office's order work over real HTTP (issue 4): office queues
 * and search, office scoping (404 like a missing id), the order detail
 * with only the actions of its state, every operator action in its
 * state and refused in a wrong one (409, nothing changes), the mails to
 * the member, the TEST CA (`qcra testca issue`), shipments, the
 * handover against the ID card, auditors who cannot act, the audit
 * log, and expiry (`qcra orders expire`).
 *
 * Each test runs its own server with the demo member register, a
 * member (Žarko, logged in) and four staff accounts logged in with
 * TOTP: operators of Novi Sad (NS) and Belgrade (BG), an administrator
 * and an auditor.
 *
 * Payments belong to another area; until its pages exist, a test
 * records a payment the way that area will: one workflow transition
 * (event payment) with its history and audit entry, here through
 * jobs_order_apply() on the server's database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/totp.h"
#include "harness.h"
#include "harness_sql.h"
#include "app/jobs.h"
#include "journey.h"
#include "office.h"
#include "store/store.h"
#include "store/store_office.h"

#define PW OFFICE_PW
#define ZARKO_MAIL JOURNEY_ZARKO_MAIL
#define ZARKO_ID_CARD JOURNEY_ZARKO_ID_CARD

/* Serbian texts (messages/sr.txt, data/catalog.ini) the tests look for. */
#define NS_NAME "Regionalni centar Novi Sad"
#define NS_STREET "Bulevar Mihajla Pupina 6"
#define NS_HOURS                                                                                   \
	"radnim danima od 9 do 15 \xc4\x8d"                                                        \
	"asova"
#define DOC_IDENTITY                                                                               \
	"Od\xc5\xa1tampani podaci sa \xc4\x8d"                                                     \
	"ipa li\xc4\x8dne karte"
#define MSG_NOT_FOUND "ne pripada va\xc5\xa1oj kancelariji"
#define MSG_WRONG_STATE                                                                            \
	"Radnja nije izvr\xc5\xa1"                                                                 \
	"ena jer je zahtev sada u stanju"
#define MSG_ID_MISMATCH "nije isti kao u zahtevu"
#define MSG_CA_FAILED "Sertifikaciono telo nije prihvatilo zahtev"

/* ---- Orders, from the member's side ---------------------------------------------- */

/* A confirmed legal-entity order (company PIB 101745818) at office. */
static long long order_new_legal(struct office *f, const char *office)
{
	assert_int_equal(journey_submit(&f->member, "/certificates/new/legal",
					"/certificates/new/legal", &f->r, "first_name",
					"\xc5\xbd"
					"arko",
					"last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87", "jmbg",
					"1203978711237", "id_type", "passport", "id_number",
					"P1234567", "id_issuer", "MUP Republike Srbije", "street",
					"Nemanjina 4", "postal_code", "11000", "city", "Beograd",
					"email", ZARKO_MAIL, "phone", "+381 65 111 2222",
					"license_number", "310123456", "position", "Direktor",
					"company_name", "Projektni biro \xc4\x8cvor d.o.o.",
					"company_mb", "17167418", "company_pib", "101745818",
					"company_street", "Nemanjina 4", "company_postal_code",
					"11000", "company_city", "Beograd", "company_email",
					"office@cvor.example", "office", office, "validity", "2y",
					"consent", "1", NULL),
			 303);
	return journey_confirm(&f->member, &f->r);
}

static int count_event(void *arg, const struct order_event *e)
{
	(void)e;
	(*(int *)arg)++;
	return 0;
}

static int history_len(struct office *f, long long id)
{
	struct store *st = office_db(f);
	int n = 0;

	assert_int_equal(store_order_events(st, id, count_event, &n), STORE_OK);
	store_close(st);
	return n;
}

/* Moves the order's confirmation `days` into the past. */
static void age_order(struct office *f, long long id, int days)
{
	char secs[32], ids[32];
	const char *params[] = {secs, ids, NULL};

	snprintf(secs, sizeof(secs), "%lld", (long long)days * 86400);
	snprintf(ids, sizeof(ids), "%lld", id);
	free(server_sql_ok(
		&f->s,
		"UPDATE order_state SET confirmed_at = confirmed_at - $1 WHERE order_id = $2",
		params));
}

static void assert_redirect_to(struct office *f, const char *want)
{
	char *loc = journey_location(&f->r);

	assert_int_equal(f->r.status, 303);
	assert_non_null(loc);
	if (strcmp(loc, want) != 0)
		fprintf(stderr, "redirect to %s, wanted %s\n", loc, want);
	assert_string_equal(loc, want);
	free(loc);
}

/* Occurrences of text in the body. */
static int body_count(struct office *f, const char *text)
{
	const char *p = BODY(f);
	int n = 0;

	while ((p = strstr(p, text)) != NULL) {
		n++;
		p += strlen(text);
	}
	return n;
}

static void assert_mail_has(const char *eml, const char *text)
{
	if (strstr(eml, text) == NULL)
		fprintf(stderr, "mail lacks \"%s\":\n%s\n", text, eml);
	assert_non_null(strstr(eml, text));
}

/* ---- Access ------------------------------------------------------------------------ */

static void test_member_session_never_reaches_ra_pages(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	static const char *const pages[] = {"/ra", "/ra/queue", "/ra/shipments", "/ra/audit"};
	size_t i;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(office_get(f, &f->member, "%s", pages[i]), 303);
		assert_redirect_to(f, "/ra/login");
	}
	assert_int_equal(office_get(f, &f->member, "%s", office_path(id, "")), 303);
	assert_redirect_to(f, "/ra/login");
	assert_int_equal(office_get(f, &f->member, "%s", office_path(id, "request.pdf")), 303);
	/* A POST with the member's own valid CSRF token moves nothing. */
	assert_int_equal(office_documents_all(f, &f->member, id), 303);
	assert_redirect_to(f, "/ra/login");
	assert_string_equal(office_state(f, id), "confirmed");
}

static void test_operator_of_another_office_gets_404_like_a_missing_order(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	static const char *const docs[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	size_t i;

	/* The NS operator sees the order and its three documents. */
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, "Zahtev br. ");
	for (i = 0; i < 3; i++) {
		char *ct;

		assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, docs[i])), 200);
		ct = response_header(&f->r, "Content-Type");
		assert_non_null(ct);
		assert_string_equal(ct, "application/pdf");
		free(ct);
		assert_memory_equal(BODY(f), "%PDF-", 5);
	}
	/* The BG operator gets what a missing order gets. */
	assert_int_equal(office_get(f, &f->bg, "/ra/orders/%lld", id + 1000), 404);
	office_body_has(f, MSG_NOT_FOUND);
	assert_int_equal(office_get(f, &f->bg, "%s", office_path(id, "")), 404);
	office_body_has(f, MSG_NOT_FOUND);
	office_body_lacks(f, "\xc4\x90ura\xc5\xa1kovi\xc4\x87");
	for (i = 0; i < 3; i++) {
		assert_int_equal(office_get(f, &f->bg, "%s", office_path(id, docs[i])), 404);
		office_body_has(f, MSG_NOT_FOUND);
	}
	assert_int_equal(office_documents_all(f, &f->bg, id), 404);
	assert_int_equal(office_post(f, &f->bg, office_path(id, "reject"), "reason", "x", "confirm",
				     "1", NULL),
			 404);
	assert_string_equal(office_state(f, id), "confirmed");
	/* ... and does not find it by searching either. */
	assert_int_equal(office_get(f, &f->bg, "/ra/queue?q=%lld", id), 200);
	office_body_lacks(f, office_path(id, ""));
	/* An office in the query does not widen an operator's view. */
	assert_int_equal(office_get(f, &f->bg, "/ra/queue?office=NS&q=%lld", id), 200);
	office_body_lacks(f, office_path(id, ""));
	/* Administrators and auditors see every office. */
	assert_int_equal(office_get(f, &f->admin, "%s", office_path(id, "")), 200);
	assert_int_equal(office_get(f, &f->auditor, "%s", office_path(id, "proforma.pdf")), 200);
}

static void test_auditor_reads_but_cannot_act(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	int events = history_len(f, id);

	assert_int_equal(office_get(f, &f->auditor, "%s", office_path(id, "")), 200);
	office_body_lacks(f, "action=\"/ra/orders/");
	assert_int_equal(office_documents_all(f, &f->auditor, id), 403);
	assert_int_equal(office_post(f, &f->auditor, office_path(id, "reject"), "reason",
				     "Nepotpuno", "confirm", "1", NULL),
			 403);
	assert_int_equal(office_post(f, &f->auditor, "/ra/shipments/receive", "shipment",
				     "TESTCA-S000001", NULL),
			 403);
	assert_string_equal(office_state(f, id), "confirmed");
	assert_int_equal(history_len(f, id), events);
}

/* ---- Queues and search ---------------------------------------------------------------- */

static void test_queues_count_and_list_the_offices_orders(void **state)
{
	struct office *f = *state;
	long long a = office_order(f, "NS"), b = office_order(f, "NS"), c = office_order(f, "BG");

	assert_int_equal(office_documents_all(f, &f->ns, b), 303);
	assert_int_equal(office_get(f, &f->ns, "/ra"), 200);
	/* a waits for both documents and payment; b for payment only. */
	office_body_has(f, "\xc4\x8c"
			   "ekaju dokumentaciju (1)");
	office_body_has(f, "\xc4\x8c"
			   "ekaju uplatu (2)");
	office_body_has(f, "Spremni za proveru (0)");
	office_body_has(f, office_path(a, ""));
	office_body_has(f, office_path(b, ""));
	office_body_lacks(f, office_path(c, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?state=documents"), 200);
	office_body_has(f, office_path(a, ""));
	office_body_lacks(f, office_path(b, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?state=payment"), 200);
	office_body_has(f, office_path(a, ""));
	office_body_has(f, office_path(b, ""));
	/* One state by its name. */
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?state=documents_received"), 200);
	office_body_has(f, office_path(b, ""));
	office_body_lacks(f, office_path(a, ""));
	/* The administrator sees both offices, or one with the filter. */
	assert_int_equal(office_get(f, &f->admin, "/ra/queue?state=payment"), 200);
	office_body_has(f, office_path(a, ""));
	office_body_has(f, office_path(c, ""));
	assert_int_equal(office_get(f, &f->admin, "/ra?office=BG"), 200);
	office_body_has(f, office_path(c, ""));
	office_body_lacks(f, office_path(a, ""));
}

static void test_search_by_number_name_jmbg_pib_and_license(void **state)
{
	struct office *f = *state;
	long long nat = office_order(f, "NS"), leg = order_new_legal(f, "NS");

	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=%lld", nat), 200);
	office_body_has(f, office_path(nat, ""));
	office_body_lacks(f, office_path(leg, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=101745818"), 200); /* PIB */
	office_body_has(f, office_path(leg, ""));
	office_body_lacks(f, office_path(nat, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=1203978711237"), 200); /* JMBG */
	office_body_has(f, office_path(nat, ""));
	office_body_has(f, office_path(leg, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=310123456"), 200); /* license */
	office_body_has(f, office_path(nat, ""));
	/* ... however it is written: spaces, dashes, dots. */
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=310+1234+56"), 200);
	office_body_has(f, office_path(nat, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=310-1234.56"), 200);
	office_body_has(f, office_path(nat, ""));
	/* A name by its words' first letters (migration 018: an index, not
	 * every order read), not by letters inside a word. */
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=%%C5%%BDAR+DJUR"), 200); /* ŽAR DJUR */
	office_body_has(f, office_path(nat, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=ARKO"), 200);
	office_body_lacks(f, office_path(nat, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=%%25"), 200); /* a LIKE wildcard */
	office_body_lacks(f, office_path(nat, ""));
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=Petrovi%%C4%%87"), 200);
	office_body_lacks(f, office_path(nat, ""));
	office_body_has(f, "<strong>0</strong>");
}

/* A search by names that no order has together says so at once, from
 * the pairs of words the orders have (issue 17, point 6); one whose
 * third word none of the first two's 1,300 orders has stops after
 * SEARCH_SCAN_CAP of them and says so, rather than read every one of
 * them; one that finds a page does not. */
static void test_search_that_finds_nothing_stops_and_says_so(void **state)
{
	struct office *f = *state;
	struct order o = office_order_get(f, office_order(f, "NS"));
	struct store *st = office_db(f);
	int i;

	assert_int_equal(store_begin(st), STORE_OK);
	for (i = 0; i < SEARCH_SCAN_CAP + 300; i++) {
		o.id = 0;
		snprintf(o.first_name, sizeof(o.first_name), "Ana");
		snprintf(o.last_name, sizeof(o.last_name), "Zzcapić");
		assert_int_equal(store_order_create(st, &o), STORE_OK);
	}
	assert_int_equal(store_commit(st), STORE_OK);
	store_close(st);
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=zzcapic+milica"), 200);
	office_body_has(f, "<strong>0</strong>");
	office_body_lacks(f, "Pretraga je prekinuta");
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=zzcapic+ana+qq"), 200);
	office_body_has(f, "<strong>0</strong>");
	office_body_has(f, "Pretraga je prekinuta posle 1000 pregledanih zahteva");
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=zzcapic+ana"), 200);
	office_body_has(f, "više od 100");
	office_body_lacks(f, "Pretraga je stala");
}

/* Names are found however they are typed: with or without diacritics,
 * "dj" for "đ", any case, or in Cyrillic (Žarko Đurašković). */
static void test_search_folds_diacritics_case_and_script(void **state)
{
	struct office *f = *state;
	long long nat = office_order(f, "NS");
	static const char *const typed[] = {
		"%C4%91ura%C5%A1", /* đuraš */
		"DJURASKOVIC",
		"duraskovic",
		"%D0%82%D1%83%D1%80%D0%B0%D1%88%D0%BA%D0%BE%D0%B2%D0%B8%D1%9B", /* Ђурашковић */
		"zarko+d",    /* "zarko d": first name, then last */
		"%C5%BDARKO", /* ŽARKO */
	};
	size_t i;

	for (i = 0; i < sizeof(typed) / sizeof(typed[0]); i++) {
		assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=%s", typed[i]), 200);
		office_body_has(f, office_path(nat, ""));
	}
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=durasovic"), 200);
	office_body_lacks(f, office_path(nat, ""));
}

static void test_queue_pages_hold_20_orders(void **state)
{
	struct office *f = *state;
	long long first = 0, twentieth = 0, id = 0;
	int i;

	for (i = 0; i < 21; i++) {
		id = office_order(f, "NS");
		if (i == 0)
			first = id;
		if (i == 19)
			twentieth = id;
	}
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?state=documents"), 200);
	office_body_has(f, "<strong>21</strong>");
	assert_int_equal(body_count(f, "<tr><td data-label=\"Broj\"><a href=\"/ra/orders/"), 20);
	office_body_has(f, office_path(first, "")); /* oldest first */
	office_body_has(f, "page=2");
	assert_int_equal(office_get(f, &f->ns,
				    "/ra/queue?state=documents&q=&office=&after=%lld&page=2",
				    twentieth),
			 200);
	assert_int_equal(body_count(f, "<tr><td data-label=\"Broj\"><a href=\"/ra/orders/"), 1);
	office_body_has(f, office_path(id, ""));
}

/* Pages by key, not by position (issue 17, point 6): the next page is
 * "the orders after the last one shown" (?after=ID), the previous one
 * "those before the first" (?before=ID), so each page reads a page's
 * worth however many orders there are, and an order leaving the queue
 * meanwhile moves no other order to another page. */
static void test_queue_pages_by_the_last_order_shown(void **state)
{
	struct office *f = *state;
	long long ids[21];
	char link[64];
	int i;

	for (i = 0; i < 21; i++)
		ids[i] = office_order(f, "NS");
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?state=documents"), 200);
	snprintf(link, sizeof(link), "after=%lld&amp;page=2\"", ids[19]);
	office_body_has(f, link);
	office_body_lacks(f, "rel=\"prev\"");
	/* The first order leaves the queue: the second page still starts
	 * after the last order the first one showed. */
	assert_int_equal(office_documents_all(f, &f->ns, ids[0]), 303);
	assert_int_equal(
		office_get(f, &f->ns, "/ra/queue?state=documents&after=%lld&page=2", ids[19]), 200);
	assert_int_equal(body_count(f, "<tr><td data-label=\"Broj\"><a href=\"/ra/orders/"), 1);
	office_body_has(f, office_path(ids[20], ""));
	office_body_lacks(f, "rel=\"next\"");
	snprintf(link, sizeof(link), "before=%lld&amp;page=1\"", ids[20]);
	office_body_has(f, link);
	/* Back: the 19 still in the queue before it, no page before them. */
	assert_int_equal(
		office_get(f, &f->ns, "/ra/queue?state=documents&before=%lld&page=1", ids[20]),
		200);
	assert_int_equal(body_count(f, "<tr><td data-label=\"Broj\"><a href=\"/ra/orders/"), 19);
	office_body_has(f, office_path(ids[1], ""));
	office_body_has(f, office_path(ids[19], ""));
	office_body_lacks(f, office_path(ids[20], ""));
	office_body_lacks(f, "rel=\"prev\"");
	/* A key that is not a number is the first page. */
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?state=documents&after=x"), 200);
	office_body_has(f, office_path(ids[1], ""));
}

/* ---- The detail page and its actions ------------------------------------------------ */

static void test_detail_shows_data_history_and_only_allowed_actions(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");

	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, "1203978711237");
	office_body_has(f, ZARKO_ID_CARD);
	office_body_has(f, NS_NAME);
	office_body_has(f, "zdjuras"); /* who confirmed, in the history */
	office_body_has(f, "id=\"payments\"");
	office_body_has(f, "action=\"/ra/orders/");
	office_body_has(f, "/documents\"");
	office_body_has(f, "/reject\"");
	office_body_has(f, DOC_IDENTITY);
	office_body_lacks(f, "/verify\"");
	office_body_lacks(f, "/send\"");
	office_body_lacks(f, "/hand-over\"");
	office_body_has(f, "/request.pdf");
}

static void test_action_in_a_wrong_state_is_409_and_changes_nothing(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	int events = history_len(f, id);

	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1", NULL),
		409);
	office_body_has(f, MSG_WRONG_STATE);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 409);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     ZARKO_ID_CARD, "confirm", "1", NULL),
			 409);
	assert_string_equal(office_state(f, id), "confirmed");
	assert_int_equal(history_len(f, id), events);
	/* A double submit: the second one finds the order moved on. */
	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	{
		char want[96];

		snprintf(want, sizeof(want), "/ra/orders/%lld?done=documents", id);
		assert_redirect_to(f, want);
	}
	assert_int_equal(office_documents_all(f, &f->ns, id), 409);
	assert_string_equal(office_state(f, id), "documents_received");
	assert_int_equal(history_len(f, id), events + 1);
}

static void test_post_without_csrf_token_is_403(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");

	assert_int_equal(journey_post(&f->ns, office_path(id, "documents"),
				      "doc_request=1&doc_contract=1&doc_0=1", &f->r),
			 403);
	assert_string_equal(office_state(f, id), "confirmed");
}

static void test_incomplete_documents_mail_the_member_what_is_missing(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char *eml;

	assert_int_equal(office_post(f, &f->ns, office_path(id, "documents"), "doc_request", "1",
				     "doc_contract", "1", "note", "Kopija nije \xc4\x8djitka",
				     NULL),
			 303);
	assert_string_equal(office_state(f, id), "documents_incomplete");
	eml = office_mail(f, ZARKO_MAIL, "mail.bo_docs_missing");
	assert_mail_has(eml, "Nedostaje");
	assert_mail_has(eml, "- " DOC_IDENTITY);
	assert_mail_has(eml, "Kopija nije \xc4\x8djitka");
	assert_mail_has(eml, NS_NAME);
	assert_mail_has(eml, NS_STREET);
	assert_mail_has(eml, NS_HOURS);
	free(eml);
	/* The history says what is missing. */
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, "Nedostaje: " DOC_IDENTITY);
	/* Still incomplete: refused, the order keeps waiting. */
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "documents"), "doc_request", "1", NULL),
		422);
	assert_string_equal(office_state(f, id), "documents_incomplete");
	/* Everything arrived. */
	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	assert_string_equal(office_state(f, id), "documents_received");
}

static void test_reject_needs_a_reason_and_mails_it(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char *eml;

	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason", "  ",
				     "confirm", "1", NULL),
			 422);
	assert_string_equal(office_state(f, id), "confirmed");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason",
				     "Licenca nije va\xc5\xbe"
				     "e\xc4\x87"
				     "a",
				     "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "rejected");
	eml = office_mail(f, ZARKO_MAIL, "mail.bo_rejected");
	assert_mail_has(eml, "Licenca nije va\xc5\xbe"
			     "e\xc4\x87"
			     "a");
	free(eml);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason", "Opet",
				     "confirm", "1", NULL),
			 409);
}

static void test_verify_needs_the_identity_checkbox(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");

	assert_int_equal(office_documents_all(f, &f->ns, id), 303);
	office_pay(f, id);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "verify"), NULL), 422);
	assert_string_equal(office_state(f, id), "ready");
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "verify"), "identity_checked", "1", NULL),
		303);
	assert_string_equal(office_state(f, id), "verified");
}

static void test_ca_failure_leaves_the_order_verified_with_the_cas_message(void **state)
{
	struct office *f = *state;
	long long id = office_order_verified(f);
	const char *fail[] = {"testca", "fail", "--message",
			      "CA odr\xc5\xbe"
			      "avanje u toku",
			      NULL};
	const char *off[] = {"testca", "fail", "--off", NULL};

	assert_int_equal(office_cli(f, fail), 0);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 503);
	office_body_has(f, MSG_CA_FAILED);
	office_body_has(f, "CA odr\xc5\xbe"
			   "avanje u toku");
	assert_string_equal(office_state(f, id), "verified");
	assert_int_equal(office_cli(f, off), 0);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_string_equal(office_state(f, id), "sent_to_ca");
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, "TESTCA-R");
	/* The history speaks the reader's language, whoever wrote it. */
	office_body_has(f, "Identitet i dokumentacija provereni uvidom u ispravu: "
			   "Li\xc4\x8dna karta br. " ZARKO_ID_CARD);
	assert_int_equal(office_get(f, &f->ns, "%s?lang=en", office_path(id, "")), 200);
	office_body_has(f, "Identity and documents checked against the identity document: "
			   "ID card no. " ZARKO_ID_CARD);
	office_body_has(f, "Sent to the Certification Authority, reference TESTCA-R");
	assert_int_equal(office_get(f, &f->member, "/orders/%lld?lang=en", id), 200);
	office_body_has(f, "Identity and documents checked against the identity document: "
			   "ID card no. " ZARKO_ID_CARD);
	office_body_lacks(f, "\x1e");
}

/* ---- From verified to the member's hands ----------------------------------------------- */

static void test_test_ca_issues_and_the_shipment_arrival_mails_the_member(void **state)
{
	struct office *f = *state;
	long long id = office_order_verified(f), other = office_order_verified(f);
	char cmd_order[32];
	const char *issue_one[] = {"testca", "issue", "--order", cmd_order, NULL};
	const char *issue_all[] = {"testca", "issue", "--all", NULL};
	char *eml, *ref;

	/* Nothing was sent yet: nothing to issue. */
	snprintf(cmd_order, sizeof(cmd_order), "%lld", id);
	assert_int_equal(office_cli(f, issue_one), 1);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	assert_int_equal(office_post(f, &f->ns, office_path(other, "send"), NULL), 303);
	assert_int_equal(office_cli(f, issue_one), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "issued 1 certificate"));
	assert_string_equal(office_state(f, id), "issued");
	assert_string_equal(office_state(f, other), "sent_to_ca");
	assert_int_equal(office_cli(f, issue_all), 0);
	assert_string_equal(office_state(f, other), "issued");

	/* Two shipments to NS; BG sees none, and cannot receive them. */
	assert_int_equal(office_get(f, &f->bg, "/ra/shipments"), 200);
	office_body_lacks(f, "TESTCA-S");
	assert_int_equal(office_get(f, &f->ns, "/ra/shipments"), 200);
	office_body_has(f, "TESTCA-S000001");
	office_body_has(f, "TESTCA-S000002");
	ref = form_field_value(BODY(f), "shipment");
	assert_non_null(ref);
	assert_string_equal(ref, "TESTCA-S000001");
	assert_int_equal(office_post(f, &f->bg, "/ra/shipments/receive", "shipment", ref, NULL),
			 404);
	assert_int_equal(
		office_post(f, &f->ns, "/ra/shipments/receive", "shipment", "TESTCA-S999", NULL),
		404);
	assert_string_equal(office_state(f, id), "issued");

	assert_int_equal(office_post(f, &f->ns, "/ra/shipments/receive", "shipment", ref, NULL),
			 303);
	assert_redirect_to(f, "/ra/shipments?done=1");
	assert_string_equal(office_state(f, id), "at_office");
	assert_string_equal(office_state(f, other), "issued");
	eml = office_mail(f, ZARKO_MAIL, "mail.bo_arrived");
	assert_mail_has(eml, NS_NAME);
	assert_mail_has(eml, NS_STREET);
	assert_mail_has(eml, NS_HOURS);
	assert_mail_has(eml, "li\xc4\x8dno");
	free(eml);
	/* Received once only. */
	assert_int_equal(office_post(f, &f->ns, "/ra/shipments/receive", "shipment", ref, NULL),
			 409);
	assert_int_equal(office_get(f, &f->ns, "/ra/shipments"), 200);
	office_body_lacks(f, "TESTCA-S000001");
	free(ref);
}

static void test_hand_over_needs_the_id_card_of_the_request(void **state)
{
	struct office *f = *state;
	long long id = office_order_verified(f), id2;
	const char *issue_all[] = {"testca", "issue", "--all", NULL};

	assert_int_equal(office_post(f, &f->ns, office_path(id, "send"), NULL), 303);
	id2 = office_order_verified(f);
	assert_int_equal(office_post(f, &f->ns, office_path(id2, "send"), NULL), 303);
	assert_int_equal(office_cli(f, issue_all), 0);
	assert_int_equal(
		office_post(f, &f->ns, "/ra/shipments/receive", "shipment", "TESTCA-S000001", NULL),
		303);
	assert_string_equal(office_state(f, id), "at_office");
	assert_string_equal(office_state(f, id2), "at_office");

	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     "999999999", "confirm", "1", NULL),
			 422);
	office_body_has(f, MSG_ID_MISMATCH);
	assert_string_equal(office_state(f, id), "at_office");
	/* A new ID card needs a note. */
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     "999999999", "new_id", "1", "confirm", "1", NULL),
			 422);
	assert_string_equal(office_state(f, id), "at_office");
	/* The card of the request, written with a space. */
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     "0123 45678", "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "handed_over");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     ZARKO_ID_CARD, "confirm", "1", NULL),
			 409);
	/* A new valid ID card with a note. */
	assert_int_equal(office_post(f, &f->ns, office_path(id2, "hand-over"), "id_number",
				     "987654321", "new_id", "1", "note",
				     "Nova li\xc4\x8dna karta izdata 2025.", "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id2), "handed_over");
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id2, "")), 200);
	office_body_has(f, "987654321");
	office_body_has(f, "Nova li\xc4\x8dna karta izdata 2025.");
}

/* The whole way, every transition in the audit log, the chain intact. */
static void test_audit_log_records_every_action_and_verifies(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	const char *verify[] = {"audit", "verify", NULL};
	static const char *const actions[] = {
		"documents_missing", "documents", "payment", "verify", "send", "issue", "arrive",
		"hand_over"};
	char want[64];
	size_t i;

	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "documents"), "doc_request", "1", NULL),
		303);
	office_verify(f, id);
	office_deliver(f, id);
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     ZARKO_ID_CARD, "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "handed_over");

	assert_int_equal(office_get(f, &f->auditor, "/ra/audit?object=order:%lld", id), 200);
	for (i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		snprintf(want, sizeof(want), "\">%s</td>", actions[i]);
		office_body_has(f, want);
	}
	office_body_has(f, "operator:ns1");
	office_body_has(f, "ca:testca");
	assert_int_equal(office_get(f, &f->auditor, "/ra/audit?action=ra.shipment_receive"), 200);
	office_body_has(f, "TESTCA-S000001");
	assert_int_equal(office_cli(f, verify), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "intact"));
}

/* Rows of the audit page, and the id of its last (oldest) one. */
static int audit_rows(struct office *f, long long *last)
{
	const char *p = BODY(f), *cell = "<td data-label=\"#\">";
	int n = 0;

	for (*last = 0; (p = strstr(p, cell)) != NULL; n++) {
		p += strlen(cell);
		*last = strtoll(p, NULL, 10);
	}
	return n;
}

/* The audit log reads back to its first entry: 200 entries a page,
 * newest first, then a link to the older ones that keeps the filter. */
static void test_audit_log_pages_back_to_its_first_entry(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS"), last, first_last;
	char want[160];
	int i, n;

	/* 205 refusals of another office's order: as many entries of it. */
	for (i = 0; i < 205; i++)
		assert_int_equal(office_get(f, &f->bg, "%s", office_path(id, "")), 404);
	assert_int_equal(office_get(f, &f->auditor, "/ra/audit?object=order:%lld", id), 200);
	assert_int_equal(audit_rows(f, &first_last), 200);
	snprintf(want, sizeof(want),
		 "href=\"/ra/audit?actor=&amp;action=&amp;object=order%%3A%lld&amp;before=%lld\"",
		 id, first_last);
	office_body_has(f, want);
	assert_int_equal(office_get(f, &f->auditor, "/ra/audit?object=order:%lld&before=%lld", id,
				    first_last),
			 200);
	n = audit_rows(f, &last);
	assert_true(n >= 5 && n < 200);
	assert_true(last < first_last);
	office_body_lacks(f, "rel=\"next\""); /* the language links keep ?before= */
	office_body_has(f, "href=\"/ra/audit?actor=&amp;action=&amp;object=order%3A");
}

/* ---- Expiry ------------------------------------------------------------------------- */

static void test_orders_expire_after_the_configured_days(void **state)
{
	struct office *f = *state;
	long long old = office_order(f, "NS"), fresh = office_order(f, "NS"),
		  done = office_order_verified(f);
	const char *expire[] = {"orders", "expire", NULL};
	char *eml;

	age_order(f, old, 31);
	age_order(f, done, 40);
	assert_int_equal(office_cli(f, expire), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "expired 1 order"));
	assert_string_equal(office_state(f, old), "expired");
	assert_string_equal(office_state(f, fresh), "confirmed");
	assert_string_equal(office_state(f, done), "verified");
	/* The outbox row was written by the command; the server's worker sends it. */
	eml = office_mail(f, ZARKO_MAIL, "mail.bo_order_expired");
	assert_mail_has(eml, "istekao");
	free(eml);
	assert_int_equal(office_cli(f, expire), 0);
	assert_non_null(strstr(buf_cstr(&f->out), "expired 0 order"));
	assert_int_equal(office_documents_all(f, &f->ns, old), 409);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_member_session_never_reaches_ra_pages,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(
			test_operator_of_another_office_gets_404_like_a_missing_order, office_setup,
			office_teardown),
		cmocka_unit_test_setup_teardown(test_audit_log_pages_back_to_its_first_entry,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_auditor_reads_but_cannot_act, office_setup,
						office_teardown),
		cmocka_unit_test_setup_teardown(test_queues_count_and_list_the_offices_orders,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_search_folds_diacritics_case_and_script,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_search_that_finds_nothing_stops_and_says_so,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_search_by_number_name_jmbg_pib_and_license,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_queue_pages_hold_20_orders, office_setup,
						office_teardown),
		cmocka_unit_test_setup_teardown(test_queue_pages_by_the_last_order_shown,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(
			test_detail_shows_data_history_and_only_allowed_actions, office_setup,
			office_teardown),
		cmocka_unit_test_setup_teardown(
			test_action_in_a_wrong_state_is_409_and_changes_nothing, office_setup,
			office_teardown),
		cmocka_unit_test_setup_teardown(test_post_without_csrf_token_is_403, office_setup,
						office_teardown),
		cmocka_unit_test_setup_teardown(
			test_incomplete_documents_mail_the_member_what_is_missing, office_setup,
			office_teardown),
		cmocka_unit_test_setup_teardown(test_reject_needs_a_reason_and_mails_it,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_verify_needs_the_identity_checkbox,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(
			test_ca_failure_leaves_the_order_verified_with_the_cas_message,
			office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(
			test_test_ca_issues_and_the_shipment_arrival_mails_the_member, office_setup,
			office_teardown),
		cmocka_unit_test_setup_teardown(test_hand_over_needs_the_id_card_of_the_request,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_audit_log_records_every_action_and_verifies,
						office_setup, office_teardown),
		cmocka_unit_test_setup_teardown(test_orders_expire_after_the_configured_days,
						office_setup, office_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
