/*
 * What the office writes with a step is kept whole (over real HTTP): a
 * remark with the documents and a reason for a rejection, at the
 * length the form accepts and in Cyrillic (two bytes a letter), reach
 * the order's history, in each language, and the audit entry of the
 * step whole and as valid UTF-8, never cut inside a character or with
 * a message's {placeholder} shown for a value that was lost; so do a
 * payment's payer, reference and note entered by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "office.h"
#include "store/store.h"
#include "store/store_payments.h"
#include "util/escape.h"

/* "Ђ" (U+0402, two bytes) */
#define DJE "\xd0\x82"
/* The end of the identity document's text (data/catalog.ini) in Cyrillic. */
#define IDENTITY_END_CYRL                                                                          \
	"\xd1\x81\xd0\xb0 "                                                                        \
	"\xd1\x84\xd0\xbe\xd1\x82\xd0\xbe\xd0\xb3\xd1\x80\xd0\xb0\xd1\x84\xd0\xb8"                 \
	"\xd1\x98\xd0\xbe\xd0\xbc"

/* n copies of s then end, malloc'd. */
static char *repeat(const char *s, size_t n, const char *end)
{
	size_t len = strlen(s), i;
	char *out = malloc(len * n + strlen(end) + 1);

	assert_non_null(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	strcpy(out + len * n, end);
	return out;
}

struct seen {
	const char *action;
	char *detail; /* the newest entry's with this action */
	char *note;   /* the newest history note */
	int bad;      /* an entry or note that is not valid UTF-8 */
};

static int audit_seen(void *arg, const struct audit_entry *e)
{
	struct seen *x = arg;

	if (!utf8_valid(e->detail, strlen(e->detail)))
		x->bad++;
	if (strcmp(e->action, x->action) == 0) {
		free(x->detail);
		x->detail = strdup(e->detail);
	}
	return 0;
}

static int event_seen(void *arg, const struct order_event *e)
{
	struct seen *x = arg;

	if (!utf8_valid(e->note, strlen(e->note)))
		x->bad++;
	free(x->note);
	x->note = strdup(e->note);
	return 0;
}

/* The order's newest history note and the detail of its newest audit
 * entry of action, as stored; caller frees both. */
static struct seen stored(struct office *f, long long id, const char *action)
{
	struct store *st = office_db(f);
	struct audit_filter flt;
	struct seen x = {action, NULL, NULL, 0};
	char object[32];

	snprintf(object, sizeof(object), "order:%lld", id);
	memset(&flt, 0, sizeof(flt));
	flt.object = object;
	assert_int_equal(store_audit_each(st, &flt, audit_seen, &x), STORE_OK);
	assert_int_equal(store_order_events(st, id, event_seen, &x), STORE_OK);
	store_close(st);
	assert_int_equal(x.bad, 0);
	assert_non_null(x.detail);
	assert_non_null(x.note);
	return x;
}

/* Documents with only the request ticked and a remark of 300 Cyrillic
 * letters (the form's limit): the history names every missing document
 * and ends with the remark, in Latin and in Cyrillic; the audit entry
 * of the step carries the remark. */
static void test_documents_remark_is_kept_whole(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char *remark = repeat(DJE, 299, "!");
	struct seen x;

	assert_int_equal(office_post(f, &f->ns, office_path(id, "documents"), "doc_request", "1",
				     "note", remark, NULL),
			 303);
	assert_string_equal(office_state(f, id), "documents_incomplete");
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, "Nedostaje: Ugovor u dva primerka");
	office_body_has(f, "sa fotografijom; ");
	office_body_has(f, remark);
	office_body_lacks(f, "{remark}");
	office_body_lacks(f, "{missing}");
	assert_int_equal(office_get(f, &f->ns, "%s?lang=sr-Cyrl", office_path(id, "")), 200);
	office_body_has(f, IDENTITY_END_CYRL "; ");
	office_body_has(f, remark);
	office_body_lacks(f, "{remark}");
	x = stored(f, id, "documents_missing");
	assert_non_null(strstr(x.detail, remark));
	assert_non_null(strstr(x.note, remark));
	free(x.detail);
	free(x.note);
	free(remark);
}

/* A reason of 500 characters, 499 of them Cyrillic (999 bytes): the
 * history, the member's page and the audit entry keep all of it. */
static void test_reject_reason_is_kept_whole(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char *reason = repeat(DJE, 499, "!");
	struct seen x;
	size_t dl, rl = strlen(reason);

	assert_int_equal(office_post(f, &f->ns, office_path(id, "reject"), "reason", reason,
				     "confirm", "1", NULL),
			 303);
	assert_string_equal(office_state(f, id), "rejected");
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, reason);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", id), 200);
	office_body_has(f, reason);
	x = stored(f, id, "reject");
	assert_string_equal(x.note, reason);
	dl = strlen(x.detail);
	assert_true(dl > rl && strcmp(x.detail + dl - rl, reason) == 0);
	free(x.detail);
	free(x.note);
	free(reason);
}

static int payment_seen(void *arg, const struct payment *p)
{
	*(struct payment *)arg = *p;
	return 0;
}

/* A payment entered by hand with a payer of 120 Cyrillic letters, a
 * note of 300 and a reference of 60 characters (the form's limits):
 * stored and shown whole, on both backends. */
static void test_manual_payment_fields_are_kept_whole(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	char *payer = repeat(DJE, 119, "!"), *note = repeat(DJE, 299, "!");
	char *reference = repeat("1234567890", 6, ""), path[64], *csrf, *nonce, *date, *body;
	struct payment p;
	struct store *st;

	memcpy(reference, "97 ", 3);
	snprintf(path, sizeof(path), "/ra/orders/%lld", id);
	assert_int_equal(journey_get(&f->ns, path, &f->r), 200);
	assert_non_null(csrf = form_field_value(BODY(f), "csrf_token"));
	assert_non_null(nonce = form_field_value(BODY(f), "nonce"));
	assert_non_null(date = form_field_value(BODY(f), "paid_on"));
	body = form_encodef("csrf_token", csrf, "nonce", nonce, "amount", "100,00", "paid_on", date,
			    "reference", reference, "payer", payer, "note", note, "confirm", "1",
			    NULL);
	snprintf(path, sizeof(path), "/ra/orders/%lld/payments", id);
	assert_int_equal(journey_post(&f->ns, path, body, &f->r), 303);
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_has(f, payer);
	office_body_has(f, note);
	office_body_has(f, reference);
	memset(&p, 0, sizeof(p));
	assert_non_null(st = office_db(f));
	assert_int_equal(store_payment_each_order(st, id, payment_seen, &p), STORE_OK);
	store_close(st);
	assert_string_equal(p.payer, payer);
	assert_string_equal(p.note, note);
	assert_string_equal(p.reference, reference);
	free(body);
	free(csrf);
	free(nonce);
	free(date);
	free(payer);
	free(note);
	free(reference);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, office_setup, office_teardown)
	const struct CMUnitTest tests[] = {
		T(test_documents_remark_is_kept_whole),
		T(test_reject_reason_is_kept_whole),
		T(test_manual_payment_fields_are_kept_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
