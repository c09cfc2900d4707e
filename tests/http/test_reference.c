/*
 * The payment reference ("poziv na broj", model 97) written one way
 * everywhere a person reads it: the model "97" apart, the reference
 * grouped as "95 00000001" (control digits, then the number), on the
 * member's order page, the back office's order page and manual payment
 * form, and in the three PDFs; and read back however staff or a bank
 * statement write it (with or without the model, spaces, dashes).
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

/* The reference of order o as people read it: "CC NNNNNNNN". */
static void grouped(const struct order *o, char *out, size_t size)
{
	snprintf(out, size, "%.2s %s", o->payment_ref + 2, o->payment_ref + 4);
}

/* The text of the PDF at path as c gets it (pdf_text).  Caller frees. */
static char *pdf_at(struct office *f, struct client *c, const char *path)
{
	char *text;

	assert_int_equal(journey_get(c, path, &f->r), 200);
	assert_non_null(text = pdf_text(&f->s, f->r.body.data, f->r.body.len));
	return text;
}

static void text_has(const char *what, const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fprintf(stderr, "%s lacks \"%s\":\n%s\n", what, want, text);
	assert_non_null(strstr(text, want));
}

static void text_lacks(const char *what, const char *text, const char *bad)
{
	if (strstr(text, bad) != NULL)
		fprintf(stderr, "%s has \"%s\"\n", what, bad);
	assert_null(strstr(text, bad));
}

/* Today the order page says 979500000001 and the PDFs 9500000001: one
 * way, "95 00000001" with the model apart, in every place. */
static void test_reference_is_written_one_way_on_pages_and_pdfs(void **state)
{
	static const char *const docs[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	struct office *f = *state;
	long long id = office_order(f, "NS");
	struct order o = office_order_get(f, id);
	char want[64], path[96], *text;
	size_t i;

	grouped(&o, want, sizeof(want));
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", id), 200);
	office_body_has(f, want);
	office_body_has(f, "<strong>97</strong>");
	office_body_lacks(f, o.payment_ref + 2); /* neither 979500000001 nor 9500000001 */
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		snprintf(path, sizeof(path), "/orders/%lld/%s", id, docs[i]);
		text = pdf_at(f, &f->member, path);
		text_has(docs[i], text, want);
		text_lacks(docs[i], text, o.payment_ref + 2);
		free(text);
	}
	/* The back office: the order page and its manual payment form. */
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld", id), 200);
	office_body_has(f, want);
	office_body_lacks(f, o.payment_ref + 2);
	text = pdf_at(f, &f->ns, office_path(id, "proforma.pdf"));
	text_has("the back office's proforma", text, want);
	free(text);
}

/* The manual payment form of order id posted by NS with reference ref
 * (and confirm=1: the form asks first).  Returns the status. */
static long pay(struct office *f, long long id, const char *ref)
{
	char *nonce, *date;
	long status;

	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld", id), 200);
	assert_non_null(nonce = form_field_value(BODY(f), "nonce"));
	assert_non_null(date = form_field_value(BODY(f), "paid_on"));
	status = office_post(f, &f->ns, office_path(id, "payments"), "nonce", nonce, "amount",
			     "100,00", "paid_on", date, "reference", ref, "payer", "Test",
			     "confirm", "1", NULL);
	free(nonce);
	free(date);
	return status;
}

/* The reference typed by staff with or without the model, spaces and
 * dashes, is the order's; the payments table shows it grouped. */
static void test_reference_typed_any_way_is_the_orders(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	struct order o = office_order_get(f, id);
	char want[64], typed[4][160];
	size_t i;

	grouped(&o, want, sizeof(want));
	snprintf(typed[0], sizeof(typed[0]), "97 %s", want);
	snprintf(typed[1], sizeof(typed[1]), "%s", want);
	snprintf(typed[2], sizeof(typed[2]), "%.2s-%s", o.payment_ref + 2, o.payment_ref + 4);
	snprintf(typed[3], sizeof(typed[3]), "97-%.2s-%.4s %s", o.payment_ref + 2,
		 o.payment_ref + 4, o.payment_ref + 8);
	for (i = 0; i < 4; i++) {
		if (pay(f, id, typed[i]) != 303)
			fprintf(stderr, "typed \"%s\": %ld\n%s\n", typed[i], f->r.status, BODY(f));
		assert_int_equal(f->r.status, 303);
	}
	assert_int_equal(office_get(f, &f->ns, "/ra/orders/%lld", id), 200);
	snprintf(typed[0], sizeof(typed[0]), "\">%s</td>", want);
	office_body_has(f, typed[0]);
	office_body_lacks(f, o.payment_ref);
	/* The search box takes it as people write it. */
	assert_int_equal(office_get(f, &f->ns, "/ra/queue?q=97+%.2s+%s", o.payment_ref + 2,
				    o.payment_ref + 4),
			 200);
	snprintf(typed[0], sizeof(typed[0]), "/ra/orders/%lld\"", id);
	office_body_has(f, typed[0]);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, office_setup, office_teardown)
	const struct CMUnitTest tests[] = {
		T(test_reference_is_written_one_way_on_pages_and_pdfs),
		T(test_reference_typed_any_way_is_the_orders),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
