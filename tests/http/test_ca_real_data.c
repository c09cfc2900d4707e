/*
 * Real data all the way, through the real CA service: each of these is
 * taken to a handed-over certificate whose subject says what the order
 * says: a company whose full name has typographic quotes, '&' and more
 * than 64 characters (its certificate name beside it); a member who
 * registered with a spaced license number; a member whose register
 * name is in Cyrillic; a name from the identity document, confirmed by
 * the office; an order the CA refused at send, and another refused
 * later through the queue, both corrected by the office.  Then one
 * order per refusal reason the portal can meet (data stored before
 * today's rules), each returned with its reason and issued after the
 * office corrected it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ca_stack.h"
#include "journey.h"

static const struct demo_member marija_spaced = {"315 6789 01", "Marija", "\xc5\xbdivkovi\xc4\x87",
						 "3004975917777", "marija.zivkovic@example.rs"};
static const struct demo_member ljiljana = {
	"318 0000 01", "\xd0\x89\xd0\xb8\xd1\x99\xd0\xb0\xd0\xbd\xd0\xb0",
	"\xd0\x82\xd1\x83\xd1\x80\xd1\x92\xd0\xb5\xd0\xb2\xd0\xb8\xd1\x9b", "0101985710008",
	"ljiljana.djurdjevic@example.rs"};

#define FULL_NAME                                                                                  \
	"Projektni biro \xe2\x80\x9e\xc4\x90"                                                      \
	"erdap\xe2\x80\x9c & partneri dru\xc5\xa1tvo sa ograni\xc4\x8d"                            \
	"enom odgovorno\xc5\xa1\xc4\x87u za projektovanje Kladovo"
#define CERT_NAME                                                                                  \
	"Projektni biro \xe2\x80\x9e\xc4\x90"                                                      \
	"erdap\xe2\x80\x9c & partneri d.o.o."

/* A member's natural-person (or, with company set, legal-entity)
 * request, confirmed; the pairs that follow (NULL-terminated) are
 * added to the form.  Returns the order's id. */
static long long order_of(struct stack *f, struct client *c, const char *email, const char *company,
			  ...)
{
	const char *pairs[64] = {"id_type",     "id_card",
				 "id_number",   "012345678",
				 "id_issuer",   "PU za grad Beograd",
				 "street",      "Nemanjina 4",
				 "postal_code", "11000",
				 "city",        "Beograd",
				 "email",       email,
				 "phone",       "064 123 4567",
				 "office",      "NS",
				 "validity",    "3y",
				 "consent",     "1"};
	size_t n = 22;
	char path[64], *csrf, *body, *loc;
	const char *k;
	long long id;
	va_list ap;

	if (company != NULL) {
		const char *legal[] = {"position",
				       "Direktor",
				       "company_name",
				       company,
				       "company_mb",
				       "17167418",
				       "company_pib",
				       "101745818",
				       "company_street",
				       "Nemanjina 4",
				       "company_postal_code",
				       "11000",
				       "company_city",
				       "Beograd",
				       "company_email",
				       "office@biro.example"};

		memcpy(pairs + n, legal, sizeof(legal));
		n += sizeof(legal) / sizeof(legal[0]);
	}
	va_start(ap, company);
	while ((k = va_arg(ap, const char *)) != NULL && n + 4 < 64) {
		pairs[n++] = k;
		pairs[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	snprintf(path, sizeof(path), "/certificates/new/%s", company ? "legal" : "natural");
	assert_int_equal(journey_get(c, path, &f->r), 200);
	csrf = form_field_value(buf_cstr(&f->r.body), "csrf_token");
	pairs[n++] = "csrf_token";
	pairs[n++] = csrf;
	pairs[n] = NULL;
	body = form_encode(pairs);
	if (journey_post(c, path, body, &f->r) != 303)
		fail_msg("the request was refused:\n%s", buf_cstr(&f->r.body));
	free(body);
	free(csrf);
	loc = journey_location(&f->r);
	assert_non_null(loc);
	assert_int_equal(sscanf(loc, "/orders/%lld/review", &id), 1);
	free(loc);
	return journey_confirm(c, &f->r);
}

/* Documents and payment recorded by the NS operator. */
static void docs_and_pay(struct stack *f, long long id)
{
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "documents"), "doc_request", "1",
				    "doc_contract", "1", "doc_0", "1", "doc_1", "1", "doc_2", "1",
				    "doc_3", "1", NULL),
			 303);
	stack_pay(f, id);
}

/* Documents, payment and verification by the NS operator. */
static void verify(struct stack *f, long long id, int confirm_name)
{
	if (strcmp(stack_state(f, id), "ready") != 0)
		docs_and_pay(f, id);
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "verify"), "identity_checked", "1",
				    confirm_name ? "name_confirmed" : NULL, "1", NULL),
			 303);
	assert_string_equal(stack_state(f, id), "verified");
}

/* From "sent_to_ca" to the holder's hands; the certificate's subject
 * must hold want. */
static void to_holder(struct stack *f, long long id, const char *want)
{
	char *ref, subject[1024] = "";
	sqlite3_stmt *s;

	/* Another order's shipment may have brought it already. */
	if (strcmp(stack_state(f, id), "at_office") != 0) {
		stack_wait_state(f, id, "issued");
		ref = stack_shipment_of(f, id);
		assert_non_null(ref);
		assert_int_equal(
			stack_post(f, &f->ns, "/ra/shipments/receive", "shipment", ref, NULL), 303);
		free(ref);
	}
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "hand-over"), "id_number",
				    "012345678", "confirm", "1", NULL),
			 303);
	assert_string_equal(stack_state(f, id), "handed_over");
	{
		sqlite3 *db;
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		sqlite3_busy_timeout(db, 5000);
		assert_int_equal(sqlite3_prepare_v2(db,
						    "SELECT subject FROM ca_certificates WHERE "
						    "order_id = ?1",
						    -1, &s, NULL),
				 SQLITE_OK);
		sqlite3_bind_int64(s, 1, id);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		snprintf(subject, sizeof(subject), "%s", (const char *)sqlite3_column_text(s, 0));
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	if (strstr(subject, want) == NULL)
		fail_msg("the certificate says \"%s\", not \"%s\"", subject, want);
}

/* Writes value into column of order id as data stored before today's
 * rules would be (the portal's forms no longer accept it). */
static void stored_before(struct stack *f, long long id, const char *column, const char *value)
{
	char path[PATH_MAX + 16], sql[128];
	sqlite3_stmt *s;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
	snprintf(sql, sizeof(sql), "UPDATE orders SET %s = ?2 WHERE id = ?1", column);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_text(s, 2, value, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(s), SQLITE_DONE);
	sqlite3_finalize(s);
	sqlite3_close(db);
}

/* The office's correction form sent back with its values, the pairs
 * that follow replacing them (NULL-terminated). */
static void correct(struct stack *f, long long id, ...)
{
	static const char *const inputs[] = {
		"first_name",   "last_name",    "id_number",      "id_issuer",
		"street",       "postal_code",  "city",           "email",
		"phone",        "position",     "company_name",   "company_cert_name",
		"company_mb",   "company_pib",  "company_street", "company_postal_code",
		"company_city", "company_email"};
	const char *pairs[80];
	char *vals[18], *csrf, *body;
	size_t n = 0, i, j;
	const char *k, *v;
	va_list ap;

	assert_int_equal(stack_get(f, &f->ns, "%s", stack_path(id, "correct")), 200);
	for (i = 0; i < 18; i++) {
		vals[i] = form_field_value(buf_cstr(&f->r.body), inputs[i]);
		if (vals[i] != NULL) {
			pairs[n++] = inputs[i];
			pairs[n++] = vals[i];
		}
	}
	pairs[n++] = "id_type";
	pairs[n++] = "id_card";
	pairs[n++] = "office";
	pairs[n++] = "NS";
	va_start(ap, id);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		for (j = 0; j < n; j += 2)
			if (strcmp(pairs[j], k) == 0)
				break;
		if (j == n) {
			pairs[n++] = k;
			pairs[n++] = v;
		} else
			pairs[j + 1] = v;
	}
	va_end(ap);
	csrf = form_field_value(buf_cstr(&f->r.body), "csrf_token");
	pairs[n++] = "csrf_token";
	pairs[n++] = csrf;
	pairs[n] = NULL;
	body = form_encode(pairs);
	if (journey_post(&f->ns, stack_path(id, "correct"), body, &f->r) != 303)
		fail_msg("the correction was refused:\n%s", buf_cstr(&f->r.body));
	free(body);
	free(csrf);
	for (i = 0; i < 18; i++)
		free(vals[i]);
}

static void test_a_company_name_over_64_with_quotes_and_ampersand(void **state)
{
	struct stack *f = *state;
	long long id;

	stack_ca_start(f);
	id = order_of(f, &f->member, JOURNEY_ZARKO_MAIL, FULL_NAME, "company_cert_name", CERT_NAME,
		      NULL);
	verify(f, id, 0);
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
	to_holder(f, id, "O=" CERT_NAME);
	/* The papers keep the full name. */
	assert_int_equal(
		stack_int(f, "SELECT length(company_name) > 64 FROM orders WHERE id = ?1", id), 1);
}

static void test_a_spaced_license_and_a_cyrillic_register_name(void **state)
{
	struct stack *f = *state;
	struct client marija, ljilja;
	char csv[PATH_MAX + 32];
	const char *args[] = {"member", "import", "--var", f->s.var, csv, NULL};
	long long a, b;
	FILE *fp;

	stack_ca_start(f);
	snprintf(csv, sizeof(csv), "%s/extra.csv", f->s.var);
	fp = fopen(csv, "w");
	assert_non_null(fp);
	fprintf(fp, "license_number,first_name,last_name,jmbg,email\n%s,%s,%s,%s,%s\n",
		ljiljana.license, ljiljana.first, ljiljana.last, ljiljana.jmbg, ljiljana.email);
	fclose(fp);
	assert_int_equal(server_run_cli(&f->s, args, &f->out), 0);
	assert_int_equal(client_init(&marija, &f->s), 0);
	assert_int_equal(client_init(&ljilja, &f->s), 0);
	journey_member(&f->s, &marija, &marija_spaced, "mzivkovic",
		       "Tri ma\xc4\x8dke spavaju na krovu");
	journey_member(&f->s, &ljilja, &ljiljana, "ldjurdjevic",
		       "Tri ma\xc4\x8dke spavaju na krovu");
	a = order_of(f, &marija, marija_spaced.email, NULL, NULL);
	b = order_of(f, &ljilja, ljiljana.email, NULL, NULL);
	verify(f, a, 0);
	verify(f, b, 0);
	assert_int_equal(stack_post(f, &f->ns, stack_path(a, "send"), NULL), 303);
	assert_int_equal(stack_post(f, &f->ns, stack_path(b, "send"), NULL), 303);
	to_holder(f, a, "PNORS-3004975917777");
	to_holder(f, b,
		  "CN=Ljiljana \xc4\x90ur\xc4\x91"
		  "evi\xc4\x87");
	client_free(&marija);
	client_free(&ljilja);
}

static void test_a_name_from_the_identity_document_confirmed_by_the_office(void **state)
{
	struct stack *f = *state;
	long long id;

	stack_ca_start(f);
	id = order_of(f, &f->member, JOURNEY_ZARKO_MAIL, NULL, "name_differs", "1", "first_name",
		      "\xc5\xbd"
		      "arko",
		      "last_name", "Petrovi\xc4\x87", NULL);
	docs_and_pay(f, id);
	assert_int_equal(
		stack_post(f, &f->ns, stack_path(id, "verify"), "identity_checked", "1", NULL),
		422);
	verify(f, id, 1);
	assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
	to_holder(f, id, "Petrovi\xc4\x87");
}

static void test_refused_at_send_and_through_the_queue_then_corrected(void **state)
{
	struct stack *f = *state;
	long long a, b;

	/* Refused at send. */
	stack_ca_start(f);
	a = order_of(f, &f->member, JOURNEY_ZARKO_MAIL, NULL, NULL);
	verify(f, a, 0);
	stored_before(f, a, "first_name", "Ivan2");
	assert_int_equal(stack_post(f, &f->ns, stack_path(a, "send"), NULL), 303);
	assert_string_equal(stack_state(f, a), "returned");
	correct(f, a, "first_name",
		"\xc5\xbd"
		"arko",
		NULL);
	assert_int_equal(stack_post(f, &f->ns, stack_path(a, "send"), NULL), 303);
	to_holder(f, a,
		  "CN=\xc5\xbd"
		  "arko");

	/* Refused later: the CA was down at send, the queue delivers. */
	stack_ca_stop(f);
	b = order_of(f, &f->member, JOURNEY_ZARKO_MAIL, NULL, NULL);
	verify(f, b, 0);
	stored_before(f, b, "last_name", "Petrovi\xc4\x87 & sin");
	assert_int_equal(stack_post(f, &f->ns, stack_path(b, "send"), NULL), 303);
	assert_string_equal(stack_state(f, b), "sent_to_ca");
	stack_ca_start(f);
	stack_wait_state(f, b, "returned");
	assert_int_equal(stack_get(f, &f->ns, "/ra/orders/%lld", b), 200);
	stack_body_has(f, "prezime ne mo\xc5\xbe"
			  "e da se upi\xc5\xa1"
			  "e u sertifikat");
	correct(f, b, "last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87", NULL);
	assert_int_equal(stack_post(f, &f->ns, stack_path(b, "send"), NULL), 303);
	to_holder(f, b, "\xc4\x90ura\xc5\xa1kovi\xc4\x87");
}

/* One order per refusal reason the portal can meet. */
static void test_every_refusal_reason_is_returned_and_issued_after_correction(void **state)
{
	struct stack *f = *state;
	static const struct {
		const char *code, *column, *bad, *field, *good;
		int legal;
	} cases[] = {
		{"invalid_given_name", "first_name", "Ivan2", "first_name",
		 "\xc5\xbd"
		 "arko",
		 0},
		{"invalid_surname", "last_name", "-Petrovi\xc4\x87", "last_name",
		 "\xc4\x90ura\xc5\xa1kovi\xc4\x87", 0},
		{"invalid_common_name", "first_name",
		 "Aleksandar Konstantin Maksimilijan Vladimir Svetozar Nikola", "first_name",
		 "\xc5\xbd"
		 "arko",
		 0},
		{"invalid_jmbg", "jmbg", "1203978711238", NULL, NULL, 0},
		{"invalid_organization", "company_cert_name", FULL_NAME, "company_cert_name",
		 CERT_NAME, 1},
		{"invalid_pib", "company_pib", "100000009", "company_pib", "101745818", 1},
	};
	char want[160];
	long long id;
	size_t i;

	stack_ca_start(f);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		id = order_of(f, &f->member, JOURNEY_ZARKO_MAIL, cases[i].legal ? CERT_NAME : NULL,
			      NULL);
		verify(f, id, 0);
		stored_before(f, id, cases[i].column, cases[i].bad);
		assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
		if (strcmp(stack_state(f, id), "returned") != 0)
			fail_msg("%s: the order is %s", cases[i].code, stack_state(f, id));
		snprintf(want, sizeof(want),
			 "SELECT returned_code = '%s' FROM orders WHERE id = ?1", cases[i].code);
		if (stack_int(f, want, id) != 1)
			fail_msg("%s: returned with another reason", cases[i].code);
		/* The JMBG comes back from the register with any correction. */
		if (cases[i].field != NULL)
			correct(f, id, cases[i].field, cases[i].good, NULL);
		else
			correct(f, id, NULL);
		assert_int_equal(stack_post(f, &f->ns, stack_path(id, "send"), NULL), 303);
		stack_wait_state(f, id, "issued");
	}
}

#define T(name) cmocka_unit_test_setup_teardown(name, stack_setup, stack_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_a_company_name_over_64_with_quotes_and_ampersand),
		T(test_a_spaced_license_and_a_cyrillic_register_name),
		T(test_a_name_from_the_identity_document_confirmed_by_the_office),
		T(test_refused_at_send_and_through_the_queue_then_corrected),
		T(test_every_refusal_reason_is_returned_and_issued_after_correction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
