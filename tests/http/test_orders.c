/*
 * Ordering a qualified certificate over real HTTP: instructions, the
 * natural-person and legal-entity forms with their field errors, the
 * review, confirmation (once, however often it is clicked), frozen data,
 * the three PDFs, cancellation, and who may see what.
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "journey.h"
#include "store/store.h"
#include "util/embedded.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"

struct fx {
	struct server s;
	struct client c, other;
	struct response r;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || journey_server(&f->s, NULL) != 0 || client_init(&f->c, &f->s) != 0 ||
	    client_init(&f->other, &f->s) != 0)
		return -1;
	journey_member(&f->s, &f->c, &demo_zarko, "zdjuras", PW);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	response_free(&f->r);
	client_free(&f->c);
	client_free(&f->other);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

#define BODY(f) buf_cstr(&(f)->r.body)

/* The natural-person request of demo_zarko; `over` replaces one field. */
static long submit_natural(struct fx *f, const char *field, const char *value)
{
#define V(name, def) name, (field && strcmp(field, name) == 0 ? value : def)
	return journey_submit(
		&f->c, "/certificates/new/natural", "/certificates/new/natural", &f->r,
		V("first_name", "\xc5\xbd"
				"arko"),
		V("last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87"), V("jmbg", "1203978711237"),
		V("id_type", "id_card"), V("id_number", "012345678"),
		V("id_issuer", "PU za grad Beograd"),
		V("street", "Kneza Milo\xc5\xa1"
			    "a 9"),
		V("postal_code", "11000"), V("city", "Beograd"),
		V("email", "zarko.djuraskovic@example.rs"), V("phone", "064 123 4567"),
		V("license_number", "310123456"), V("office", "NS"), V("validity", "3y"),
		V("card_reader", "1"), V("consent", "1"), NULL);
}

static long submit_legal(struct fx *f, const char *field, const char *value)
{
	return journey_submit(
		&f->c, "/certificates/new/legal", "/certificates/new/legal", &f->r,
		V("first_name", "\xc5\xbd"
				"arko"),
		V("last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87"), V("jmbg", "1203978711237"),
		V("id_type", "passport"), V("id_number", "P1234567"),
		V("id_issuer", "MUP Republike Srbije"),
		V("street", "Bulevar oslobo\xc4\x91"
			    "enja 1"),
		V("postal_code", "21000"), V("city", "Novi Sad"),
		V("email", "zarko.djuraskovic@example.rs"), V("phone", "+381 65 111 2222"),
		V("license_number", "310123456"), V("position", "Direktor"),
		V("company_name", "Projektni biro \xc4\x8cvor d.o.o."), V("company_mb", "17167418"),
		V("company_pib", "101745818"), V("company_street", "Nemanjina 4"),
		V("company_postal_code", "11000"), V("company_city", "Beograd"),
		V("company_email", "office@cvor.example"), V("office", "BG"), V("validity", "2y"),
		V("consent", "1"), NULL);
#undef V
}

/* Creates a draft; returns its id. */
static long long new_draft(struct fx *f)
{
	char *loc;
	long long id = 0;

	assert_int_equal(submit_natural(f, NULL, NULL), 303);
	loc = journey_location(&f->r);
	assert_non_null(loc);
	assert_int_equal(sscanf(loc, "/orders/%lld/review", &id), 1);
	free(loc);
	return id;
}

static long confirm(struct fx *f, long long id)
{
	char page[64], action[64];

	snprintf(page, sizeof(page), "/orders/%lld/review", id);
	snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
	return journey_submit(&f->c, page, action, &f->r, NULL);
}

static void assert_field_error(struct fx *f, const char *name)
{
	char needle[64];

	snprintf(needle, sizeof(needle), "id=\"e-%s\"", name);
	if (strstr(BODY(f), needle) == NULL)
		fail_msg("no error shown for field %s", name);
}

static void test_instructions_page_offers_both_types(void **state)
{
	struct fx *f = *state;

	assert_int_equal(journey_get(&f->c, "/certificates/new", &f->r), 200);
	assert_non_null(
		strstr(BODY(f), "Izdavanje kvalifikovanog elektronskog sertifikata - novo"));
	assert_non_null(strstr(BODY(f), "href=\"/certificates/new/natural\""));
	assert_non_null(strstr(BODY(f), "href=\"/certificates/new/legal\""));
	assert_non_null(strstr(BODY(f), "li\xc4\x8dnu kartu")); /* pickup with an ID card */
}

static void test_form_links_manual_and_is_prefilled_from_register(void **state)
{
	struct fx *f = *state;
	char *v;

	assert_int_equal(journey_get(&f->c, "/certificates/new/natural", &f->r), 200);
	assert_non_null(strstr(BODY(f), "href=\"/help/request\""));
	v = form_field_value(BODY(f), "license_number");
	assert_string_equal(v, "310123456");
	free(v);
	v = form_field_value(BODY(f), "jmbg");
	assert_string_equal(v, "1203978711237");
	free(v);
	/* The supporting documents are listed on the form. */
	assert_non_null(strstr(BODY(f), "docs-h"));
}

static void test_anonymous_visitor_is_sent_to_login(void **state)
{
	struct fx *f = *state;
	struct client anon;
	char *loc;

	assert_int_equal(client_init(&anon, &f->s), 0);
	assert_int_equal(journey_get(&anon, "/certificates/new/natural", &f->r), 303);
	loc = journey_location(&f->r);
	assert_non_null(strstr(loc, "/login?next="));
	free(loc);
	client_free(&anon);
}

static void test_valid_natural_request_goes_to_review_with_every_value(void **state)
{
	struct fx *f = *state;
	char path[64];
	long long id = new_draft(f);

	snprintf(path, sizeof(path), "/orders/%lld/review", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	assert_non_null(strstr(BODY(f), "\xc4\x90ura\xc5\xa1kovi\xc4\x87"));
	assert_non_null(strstr(BODY(f), "012345678"));
	assert_non_null(strstr(BODY(f), "+381641234567"));
	assert_non_null(strstr(BODY(f), "Potvrdite zahtev"));
	assert_non_null(strstr(BODY(f), "/edit\""));
}

static void test_natural_field_errors_are_shown_and_values_kept(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *field, *value;
	} bad[] = {
		{"jmbg", "1203978711238"}, /* check digit */
		{"jmbg", "3102978711237"}, /* 31 Feb */
		{"jmbg", "0511985715143"}, /* valid, but not this member's */
		{"postal_code", "1100"},
		{"phone", "011 123 456"}, /* not a mobile number */
		{"email", "not-an-email"},
		{"id_type", "driving_licence"},
		{"office", "XX"},
		{"validity", "99y"},
		{"consent", ""},
		{"first_name", "Ivan2"}, /* not a name */
		{"city", ""},
	};
	size_t i;
	char *kept;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(submit_natural(f, bad[i].field, bad[i].value), 422);
		assert_field_error(f, bad[i].field);
		kept = form_field_value(BODY(f), "id_number");
		assert_string_equal(kept, "012345678");
		free(kept);
	}
}

static void test_legal_request_checks_pib_and_mb(void **state)
{
	struct fx *f = *state;

	assert_int_equal(submit_legal(f, "company_pib", "101745819"), 422);
	assert_field_error(f, "company_pib");
	assert_non_null(strstr(BODY(f), "PIB"));
	assert_int_equal(submit_legal(f, "company_pib", "12345"), 422);
	assert_field_error(f, "company_pib");
	assert_int_equal(submit_legal(f, "company_mb", "17167419"), 422);
	assert_field_error(f, "company_mb");
	assert_int_equal(submit_legal(f, "company_email", "x@"), 422);
	assert_field_error(f, "company_email");
	assert_int_equal(submit_legal(f, NULL, NULL), 303);
}

static void test_confirmed_order_offers_three_pdfs(void **state)
{
	struct fx *f = *state;
	static const char *const docs[] = {"request", "contract", "proforma"};
	char path[64];
	long long id = new_draft(f);
	size_t i;

	assert_int_equal(confirm(f, id), 303);
	snprintf(path, sizeof(path), "/orders/%lld", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	assert_non_null(strstr(BODY(f), "97")); /* the payment reference */
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/orders/%lld/%s.pdf", id, docs[i]);
		assert_non_null(strstr(BODY(f), path) ? path : NULL);
	}
	for (i = 0; i < 3; i++) {
		char *ct;

		snprintf(path, sizeof(path), "/orders/%lld/%s.pdf", id, docs[i]);
		assert_int_equal(journey_get(&f->c, path, &f->r), 200);
		ct = response_header(&f->r, "Content-Type");
		assert_string_equal(ct, "application/pdf");
		free(ct);
		assert_memory_equal(f->r.body.data, "%PDF", 4);
	}
}

static void test_documents_are_identical_when_downloaded_again(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char path[64], *first;
	size_t len;

	assert_int_equal(confirm(f, id), 303);
	snprintf(path, sizeof(path), "/orders/%lld/proforma.pdf", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	len = f->r.body.len;
	first = malloc(len);
	memcpy(first, f->r.body.data, len);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	assert_int_equal(f->r.body.len, len);
	assert_memory_equal(f->r.body.data, first, len);
	free(first);
}

static void test_double_confirm_makes_one_confirmation(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char page[64], action[64], *csrf, body[128];
	const char *p;
	int n = 0;

	snprintf(page, sizeof(page), "/orders/%lld/review", id);
	snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	csrf = form_field_value(BODY(f), "csrf_token");
	snprintf(body, sizeof(body), "csrf_token=%s", csrf);
	assert_int_equal(journey_post(&f->c, action, body, &f->r), 303);
	assert_int_equal(journey_post(&f->c, action, body, &f->r), 303);
	free(csrf);
	snprintf(page, sizeof(page), "/orders/%lld", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	for (p = BODY(f); (p = strstr(p, "Potvr\xc4\x91"
					 "en, \xc4\x8d"
					 "eka")) != NULL;
	     p++)
		n++;
	assert_int_equal(n, 2); /* the state line and one history entry */
	assert_int_equal(journey_get(&f->c, "/orders", &f->r), 200);
	snprintf(page, sizeof(page), "href=\"/orders/%lld\"", id + 1);
	assert_null(strstr(BODY(f), page));
}

static void test_confirmed_order_is_frozen(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char page[64], action[64], *csrf, *body;

	snprintf(page, sizeof(page), "/orders/%lld/edit", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	csrf = form_field_value(BODY(f), "csrf_token");
	assert_int_equal(confirm(f, id), 303);
	/* Replaying the edit form after confirmation changes nothing. */
	snprintf(action, sizeof(action), "/orders/%lld/edit", id);
	body = form_encodef("csrf_token", csrf, "first_name", "Promenjeno", NULL);
	assert_int_equal(journey_post(&f->c, action, body, &f->r), 409);
	free(body);
	free(csrf);
	assert_int_equal(journey_get(&f->c, page, &f->r), 303);
	snprintf(page, sizeof(page), "/orders/%lld", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_null(strstr(BODY(f), "Promenjeno"));
}

static void test_draft_can_be_edited_before_confirmation(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char page[64];

	snprintf(page, sizeof(page), "/orders/%lld/edit", id);
	assert_int_equal(journey_submit(&f->c, page, page, &f->r, "first_name",
					"\xc5\xbd"
					"arko",
					"last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87", "jmbg",
					"1203978711237", "id_type", "passport", "id_number",
					"P7654321", "id_issuer", "MUP", "street", "Nova 1",
					"postal_code", "18000", "city", "Ni\xc5\xa1", "email",
					"zarko.djuraskovic@example.rs", "phone", "0641234567",
					"license_number", "310123456", "office", "NI", "validity",
					"1y", "consent", "1", NULL),
			 303);
	snprintf(page, sizeof(page), "/orders/%lld/review", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "P7654321"));
	assert_null(strstr(BODY(f), "012345678"));
}

static void test_drafts_have_no_documents(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char path[64];

	snprintf(path, sizeof(path), "/orders/%lld/request.pdf", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 409);
}

static void test_other_members_orders_are_404_like_missing_ones(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char path[64];
	struct response missing = {0};

	assert_int_equal(confirm(f, id), 303);
	journey_member(&f->s, &f->other, &demo_ana, "apetro", PW);
	snprintf(path, sizeof(path), "/orders/%lld", id);
	assert_int_equal(journey_get(&f->other, path, &f->r), 404);
	assert_int_equal(journey_get(&f->other, "/orders/999999", &missing), 404);
	snprintf(path, sizeof(path), "/orders/%lld/proforma.pdf", id);
	assert_int_equal(journey_get(&f->other, path, &f->r), 404);
	snprintf(path, sizeof(path), "/orders/%lld/review", id);
	assert_int_equal(journey_get(&f->other, path, &f->r), 404);
	assert_int_equal(journey_get(&f->other, "/orders/abc", &f->r), 404);
	assert_int_equal(journey_get(&f->other, "/orders/99999999999999999999", &f->r), 404);
	assert_int_equal(journey_get(&f->other, "/orders", &f->r), 200);
	assert_null(strstr(BODY(f), "\xc4\x90ura\xc5\xa1kovi\xc4\x87 ("));
	response_free(&missing);
}

static void test_cancel_before_processing(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char page[64], action[64];

	assert_int_equal(confirm(f, id), 303);
	snprintf(page, sizeof(page), "/orders/%lld", id);
	snprintf(action, sizeof(action), "/orders/%lld/cancel", id);
	/* Asked first: nothing changes until confirmed. */
	assert_int_equal(journey_submit(&f->c, page, action, &f->r, NULL), 200);
	assert_non_null(strstr(BODY(f), "name=\"confirm\" value=\"1\""));
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_null(strstr(BODY(f), "Otkazan"));
	assert_int_equal(journey_submit(&f->c, page, action, &f->r, "confirm", "1", NULL), 303);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "Otkazan"));
	assert_null(strstr(BODY(f), "/cancel\""));
	snprintf(page, sizeof(page), "/orders/%lld/request.pdf", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 409);
}

/* A cancelled order cancelled again (a second tab, the back button) is
 * simply shown cancelled; confirming it is refused saying it was
 * cancelled and what to do, not taken for a double click. */
static void test_a_cancelled_order_says_so(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char page[64], action[64];

	assert_int_equal(confirm(f, id), 303);
	snprintf(page, sizeof(page), "/orders/%lld", id);
	snprintf(action, sizeof(action), "/orders/%lld/cancel", id);
	assert_int_equal(journey_submit(&f->c, page, action, &f->r, "confirm", "1", NULL), 303);
	assert_int_equal(journey_submit(&f->c, page, action, &f->r, "confirm", "1", NULL), 303);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "Otkazan"));

	id = new_draft(f);
	snprintf(page, sizeof(page), "/orders/%lld", id);
	snprintf(action, sizeof(action), "/orders/%lld/cancel", id);
	assert_int_equal(journey_submit(&f->c, page, action, &f->r, "confirm", "1", NULL), 303);
	snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
	assert_int_equal(journey_submit(&f->c, page, action, &f->r, NULL), 409);
	assert_non_null(strstr(BODY(f), "je otkazan"));
	assert_non_null(strstr(BODY(f), "podnesite novi zahtev"));
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "Otkazan"));
}

static void test_post_without_csrf_changes_nothing(void **state)
{
	struct fx *f = *state;
	long long id = new_draft(f);
	char action[64], page[64];

	snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
	assert_int_equal(journey_post(&f->c, action, "x=1", &f->r), 403);
	snprintf(page, sizeof(page), "/orders/%lld/review", id);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200); /* still a draft */
}

/* The tariff changes after a confirmation (a new catalogue, the server
 * restarted): the confirmed order keeps the total it was confirmed at,
 * a draft shows the new one. */
static void test_confirmed_order_keeps_its_prices_when_the_tariff_changes(void **state)
{
	struct fx *f = *state;
	const struct embedded_file *e = embedded_find("data/catalog.ini");
	long long done = new_draft(f), draft = new_draft(f);
	char path[PATH_MAX + 32], env[PATH_MAX + 64], page[64], *text, *at;
	const char *restart_env[] = {env, NULL};
	FILE *fp;

	assert_int_equal(confirm(f, done), 303);
	snprintf(page, sizeof(page), "/orders/%lld", done);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "7.680,00")); /* 3 years 4.900 + reader 1.500, +20% */

	assert_non_null(e);
	text = strndup((const char *)e->data, e->len);
	assert_non_null(at = strstr(text, "price = 490000"));
	memcpy(at, "price = 590000", 14);
	snprintf(path, sizeof(path), "%s/catalog.ini", f->s.var);
	assert_non_null(fp = fopen(path, "w"));
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
	free(text);
	assert_int_equal(server_stop(&f->s), 0);
	snprintf(env, sizeof(env), "QCRA_CATALOG_FILE=%s", path);
	assert_int_equal(server_restart(&f->s, restart_env), 0);

	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "7.680,00"));
	snprintf(page, sizeof(page), "/orders/%lld/review", draft);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	assert_non_null(strstr(BODY(f), "8.880,00")); /* 5.900 + 1.500, +20% */
	/* The proforma (drawn anew: the restarted server has no cache). */
	snprintf(page, sizeof(page), "/orders/%lld/proforma.pdf", done);
	assert_int_equal(journey_get(&f->c, page, &f->r), 200);
	snprintf(path, sizeof(path), "%s/proforma.pdf", f->s.var);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(f->r.body.data, 1, f->r.body.len, fp), f->r.body.len);
	assert_int_equal(fclose(fp), 0);
	snprintf(env, sizeof(env), "pdftotext -enc UTF-8 '%s' -", path);
	assert_non_null(fp = popen(env, "r"));
	text = calloc(1, 65536);
	assert_non_null(text);
	assert_true(fread(text, 1, 65535, fp) > 0);
	assert_int_equal(pclose(fp), 0);
	assert_non_null(strstr(text, "7.680,00"));
	assert_null(strstr(text, "8.880,00"));
	free(text);
}

/* ---- Many members' forms at once, and what an acknowledgement promises ---- */

#define BURST_THREADS 8
#define BURST_ORDERS 6

struct burst {
	const struct server *s;
	long long confirmed[BURST_ORDERS]; /* acknowledged: 303 to /orders/ID */
	int n, failures;
};

/* POSTs body plus the csrf_token of page; the status, *loc the
 * Location path (malloc'd, may be NULL).  Harness calls only: cmocka's
 * asserts must stay on the test's own thread. */
static long burst_post(struct client *c, const char *page, const char *action, const char *body,
		       char **loc)
{
	struct response r = {0};
	struct buf b = BUF_INIT;
	char *csrf;
	long status = -1;

	*loc = NULL;
	if (client_get(c, page, &r) != 0 || r.status != 200 ||
	    (csrf = form_field_value(buf_cstr(&r.body), "csrf_token")) == NULL)
		goto out;
	buf_printf(&b, "%s%scsrf_token=%s", body, *body ? "&" : "", csrf);
	free(csrf);
	response_free(&r);
	memset(&r, 0, sizeof(r));
	if (client_post(c, action, buf_cstr(&b), &r) == 0) {
		status = r.status;
		*loc = journey_location(&r);
	}
out:
	buf_free(&b);
	response_free(&r);
	return status;
}

static void *burst_member(void *arg)
{
	struct burst *b = arg;
	struct client c;
	char *form, *loc, page[64], action[64], want[64];
	long long id;
	int i;

	if (client_init(&c, b->s) != 0) {
		b->failures++;
		return NULL;
	}
	form = form_encodef("username", "zdjuras", "password", PW, NULL);
	if (burst_post(&c, "/login", "/login", form, &loc) != 303)
		b->failures++;
	free(form);
	free(loc);
	form = form_encodef("first_name",
			    "\xc5\xbd"
			    "arko",
			    "last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87", "jmbg", "1203978711237",
			    "id_type", "id_card", "id_number", "012345678", "id_issuer",
			    "PU Beograd", "street", "Nemanjina 4", "postal_code", "11000", "city",
			    "Beograd", "email", "zarko.djuraskovic@example.rs", "phone",
			    "064 123 4567", "license_number", "310123456", "office", "BG",
			    "validity", "3y", "consent", "1", NULL);
	for (i = 0; i < BURST_ORDERS && b->failures == 0; i++) {
		id = 0;
		if (burst_post(&c, "/certificates/new/natural", "/certificates/new/natural", form,
			       &loc) != 303 ||
		    loc == NULL || sscanf(loc, "/orders/%lld/review", &id) != 1)
			b->failures++;
		free(loc);
		if (id == 0)
			break;
		snprintf(page, sizeof(page), "/orders/%lld/review", id);
		snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
		snprintf(want, sizeof(want), "/orders/%lld", id);
		if (burst_post(&c, page, action, "", &loc) == 303 && loc != NULL &&
		    strcmp(loc, want) == 0)
			b->confirmed[b->n++] = id;
		else
			b->failures++;
		free(loc);
	}
	free(form);
	client_free(&c);
	return NULL;
}

/*
 * Eight sessions of one member create and confirm orders at the same
 * time (the order forms go through a commit group: web/group.c); the
 * server is then killed without warning.  Every confirmation that was
 * acknowledged is in the database afterwards, and the audit chain is
 * intact: nothing is acknowledged before its commit.
 */
static void test_concurrent_orders_acknowledged_are_durable(void **state)
{
	struct fx *f = *state;
	struct burst b[BURST_THREADS];
	pthread_t t[BURST_THREADS];
	struct store *st;
	struct order o;
	char path[PATH_MAX + 16], err[256];
	const char *verify[] = {"audit", "verify", "--var", f->s.var, NULL};
	int i, j, total = 0;

	memset(b, 0, sizeof(b));
	for (i = 0; i < BURST_THREADS; i++) {
		b[i].s = &f->s;
		assert_int_equal(pthread_create(&t[i], NULL, burst_member, &b[i]), 0);
	}
	for (i = 0; i < BURST_THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	assert_int_equal(kill(f->s.pid, SIGKILL), 0);
	assert_int_equal(server_wait(&f->s, 10000), 128 + SIGKILL);
	snprintf(path, sizeof(path), "%s", f->s.database);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	for (i = 0; i < BURST_THREADS; i++) {
		assert_int_equal(b[i].failures, 0);
		for (j = 0; j < b[i].n; j++, total++) {
			assert_int_equal(store_order_get(st, b[i].confirmed[j], &o), STORE_OK);
			assert_string_equal(wf_state_name(o.state), "confirmed");
		}
	}
	store_close(st);
	assert_int_equal(total, BURST_THREADS * BURST_ORDERS);
	assert_int_equal(server_run_cli(&f->s, verify, NULL), 0);
}

static void test_offices_and_help_pages_in_both_languages(void **state)
{
	struct fx *f = *state;

	assert_int_equal(journey_get(&f->c, "/offices", &f->r), 200);
	assert_non_null(strstr(BODY(f), "Sekretarijat"));
	assert_non_null(strstr(BODY(f), "Novi Sad"));
	assert_non_null(strstr(BODY(f), "Ni\xc5\xa1"));
	assert_int_equal(journey_get(&f->c, "/help", &f->r), 200);
	assert_non_null(strstr(BODY(f), "Tehni\xc4\x8dka podr\xc5\xa1ka"));
	assert_non_null(strstr(BODY(f), "\xc4\x8d"
					"ita\xc4\x8d"));
	assert_int_equal(journey_get(&f->c, "/help?lang=en", &f->r), 200);
	assert_non_null(strstr(BODY(f), "Technical support"));
	assert_non_null(strstr(BODY(f), "card reader"));
	assert_int_equal(journey_get(&f->c, "/help/request", &f->r), 200);
	assert_non_null(strstr(BODY(f), "JMBG"));
	assert_int_equal(journey_get(&f->c, "/help/request?lang=sr", &f->r), 200);
}

/* ---- The member's list, a page at a time ---------------------------------------- */

#define LISTED 45   /* orders made: two full pages and a part */
#define PER_PAGE 20 /* what a page of the list shows */

/* The ids of the orders the list in f->r shows, in page order. */
static int listed_ids(struct fx *f, long long *ids, int max)
{
	static const char row[] = "<a href=\"/orders/";
	const char *p = BODY(f);
	char *end;
	int n = 0;

	while ((p = strstr(p, row)) != NULL) {
		long long id = strtoll(p + sizeof(row) - 1, &end, 10);

		p += sizeof(row) - 1;
		if (end == p || strncmp(end, "\">", 2) != 0)
			continue; /* a link into an order, not the order */
		assert_true(n < max);
		ids[n++] = id;
	}
	return n;
}

/* The page link with rel (next or prev) in f->r, unescaped; NULL when
 * there is none. */
static char *page_link(struct fx *f, const char *rel)
{
	char needle[32], *link;
	const char *at, *href;
	size_t n, i, k = 0;

	snprintf(needle, sizeof(needle), "\" rel=\"%s\"", rel);
	if ((at = strstr(BODY(f), needle)) == NULL)
		return NULL;
	for (href = at; href > BODY(f) && strncmp(href, "href=\"", 6) != 0; href--)
		;
	assert_true(href > BODY(f));
	href += 6;
	n = (size_t)(at - href);
	link = calloc(1, n + 1);
	assert_non_null(link);
	for (i = 0; i < n; i++) {
		link[k++] = href[i];
		if (strncmp(href + i, "&amp;", 5) == 0)
			i += 4;
	}
	return link;
}

/* Follows rel links from the page in f->r until there is none; the ids
 * shown, page after page, into seen; returns how many pages. */
static int walk_pages(struct fx *f, const char *rel, long long seen[][PER_PAGE], int *counts)
{
	int pages = 0;
	char *link;

	for (;;) {
		assert_true(pages < 5);
		counts[pages] = listed_ids(f, seen[pages], PER_PAGE);
		pages++;
		if ((link = page_link(f, rel)) == NULL)
			return pages;
		assert_int_equal(journey_get(&f->c, link, &f->r), 200);
		free(link);
	}
}

static void test_order_list_is_paged_newest_first_and_back_and_home_shows_ten(void **state)
{
	struct fx *f = *state;
	long long made[LISTED], fwd[5][PER_PAGE], back[5][PER_PAGE];
	int nfwd[5], nback[5], pages, i, k, at = 0;

	for (i = 0; i < LISTED; i++)
		made[i] = new_draft(f);
	assert_int_equal(journey_get(&f->c, "/orders", &f->r), 200);
	assert_null(page_link(f, "prev")); /* the newest page has none newer */
	pages = walk_pages(f, "next", fwd, nfwd);
	assert_int_equal(pages, 3);
	/* Every order once, newest first, pages full but the last. */
	for (i = 0; i < pages; i++) {
		assert_int_equal(nfwd[i], i < 2 ? PER_PAGE : LISTED - 2 * PER_PAGE);
		for (k = 0; k < nfwd[i]; k++, at++)
			assert_int_equal(fwd[i][k], made[LISTED - 1 - at]);
	}
	/* From the last page back to the first: the same pages. */
	assert_int_equal(walk_pages(f, "prev", back, nback), 3);
	for (i = 0; i < pages; i++) {
		assert_int_equal(nback[i], nfwd[pages - 1 - i]);
		for (k = 0; k < nback[i]; k++)
			assert_int_equal(back[i][k], fwd[pages - 1 - i][k]);
	}
	/* The home page: the ten newest open orders, and where the others are. */
	assert_int_equal(journey_get(&f->c, "/", &f->r), 200);
	assert_int_equal(listed_ids(f, fwd[0], PER_PAGE), 10);
	for (k = 0; k < 10; k++)
		assert_int_equal(fwd[0][k], made[LISTED - 1 - k]);
	assert_non_null(strstr(BODY(f), "<p><a href=\"/orders\">"));
	/* A key from elsewhere shows nothing of another account's. */
	journey_member(&f->s, &f->other, &demo_ana, "apetro", PW);
	assert_int_equal(journey_get(&f->other, "/orders?before=999999", &f->r), 200);
	assert_int_equal(listed_ids(f, fwd[0], PER_PAGE), 0);
}

/* The list names each order's holder, and a legal entity's company as
 * it was written: quotes, an ampersand, Serbian letters. */
static void test_order_list_names_holder_and_company_as_written(void **state)
{
	struct fx *f = *state;

	new_draft(f);
	assert_int_equal(submit_legal(f, "company_name",
				      "Biro \"\xc4\x8cvor & sinovi\" in\xc5\xbe"
				      "enjering d.o.o. Novi Sad"),
			 303);
	assert_int_equal(journey_get(&f->c, "/orders", &f->r), 200);
	assert_non_null(strstr(BODY(f),
			       ">\xc5\xbd"
			       "arko \xc4\x90ura\xc5\xa1kovi\xc4\x87 (Biro &quot;\xc4\x8cvor "
			       "&amp; sinovi&quot; in\xc5\xbe"
			       "enjering d.o.o. Novi Sad)</td>"));
	/* The natural person's order: the holder alone. */
	assert_non_null(strstr(BODY(f), ">\xc5\xbd"
					"arko \xc4\x90ura\xc5\xa1kovi\xc4\x87</td>"));
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_instructions_page_offers_both_types),
		T(test_form_links_manual_and_is_prefilled_from_register),
		T(test_anonymous_visitor_is_sent_to_login),
		T(test_valid_natural_request_goes_to_review_with_every_value),
		T(test_natural_field_errors_are_shown_and_values_kept),
		T(test_legal_request_checks_pib_and_mb),
		T(test_confirmed_order_offers_three_pdfs),
		T(test_documents_are_identical_when_downloaded_again),
		T(test_double_confirm_makes_one_confirmation),
		T(test_confirmed_order_is_frozen),
		T(test_draft_can_be_edited_before_confirmation),
		T(test_drafts_have_no_documents),
		T(test_other_members_orders_are_404_like_missing_ones),
		T(test_cancel_before_processing),
		T(test_a_cancelled_order_says_so),
		T(test_post_without_csrf_changes_nothing),
		T(test_offices_and_help_pages_in_both_languages),
		T(test_concurrent_orders_acknowledged_are_durable),
		T(test_confirmed_order_keeps_its_prices_when_the_tariff_changes),
		T(test_order_list_is_paged_newest_first_and_back_and_home_shows_ten),
		T(test_order_list_names_holder_and_company_as_written),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
