/*
 * Texts found wrong in a real browser (issue 15, point 7): each field
 * error names its own field and says how to fix it (a surname is not a
 * "name", a box is ticked, not filled in, "too long" says the limit);
 * the contract's grammar follows the document; a passport holder is
 * not told to bring an ID card; the offices page does not say
 * "Secretariat" twice; a renewal asks for consent anew.  (The back
 * office's revocation reasons: test_ca_e2e.c, which has a certificate.)
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

/* Žarko's natural-person form with field set to value (NULL: none)
 * and a second field2/value2 (may be NULL); returns the status. */
static long submit(struct office *f, const char *field, const char *value, const char *field2,
		   const char *value2)
{
#define V(name, def)                                                                               \
	name, (field && strcmp(field, name) == 0     ? value                                       \
	       : field2 && strcmp(field2, name) == 0 ? value2                                      \
						     : def)
	return journey_submit(
		&f->member, "/certificates/new/natural", "/certificates/new/natural", &f->r,
		V("first_name", "\xc5\xbd"
				"arko"),
		V("last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87"), V("name_differs", ""),
		V("jmbg", "1203978711237"), V("id_type", "id_card"),
		V("id_number", JOURNEY_ZARKO_ID_CARD), V("id_issuer", "PU za grad Beograd"),
		V("street", "Kneza Milo\xc5\xa1"
			    "a 9"),
		V("postal_code", "11000"), V("city", "Beograd"), V("email", JOURNEY_ZARKO_MAIL),
		V("phone", "064 123 4567"), V("license_number", "310123456"), "office", "NS",
		V("validity", "3y"), V("card_reader", "1"), V("consent", "1"), NULL);
#undef V
}

/* The text of the error beside field name (between its tags). */
static char *field_error(struct office *f, const char *name)
{
	char needle[64];
	const char *p, *q;

	snprintf(needle, sizeof(needle), "id=\"e-%s\">", name);
	p = strstr(BODY(f), needle);
	if (p == NULL)
		fprintf(stderr, "no error for %s:\n%s\n", name, BODY(f));
	assert_non_null(p);
	p += strlen(needle);
	q = strchr(p, '<');
	assert_non_null(q);
	return strndup(p, (size_t)(q - p));
}

static void test_field_errors_name_the_field_and_say_the_limit(void **state)
{
	struct office *f = *state;
	char *e, street[300];

	/* A surname that does not start with a letter: about the surname. */
	assert_int_equal(submit(f, "name_differs", "1", "last_name", "1\xc4\x90ura"), 422);
	e = field_error(f, "last_name");
	assert_non_null(strstr(e, "Prezime"));
	assert_null(strstr(e, "Ime"));
	free(e);
	/* A box left unticked is to be ticked, not "filled in". */
	assert_int_equal(submit(f, "consent", "", NULL, NULL), 422);
	e = field_error(f, "consent");
	assert_null(strstr(e, "Popunite"));
	assert_non_null(strstr(e, "Ozna\xc4\x8d"
				  "ite"));
	free(e);
	/* Too long says how long it may be. */
	memset(street, 'a', 200);
	street[200] = '\0';
	assert_int_equal(submit(f, "street", street, NULL, NULL), 422);
	e = field_error(f, "street");
	assert_non_null(strstr(e, "95"));
	free(e);
	/* And in English. */
	assert_int_equal(journey_get(&f->member, "/?lang=en", &f->r), 200);
	assert_int_equal(submit(f, "name_differs", "1", "last_name", "1\xc4\x90ura"), 422);
	e = field_error(f, "last_name");
	assert_null(strstr(e, "Name and surname"));
	assert_non_null(strstr(e, "Last name"));
	free(e);
}

/* n copies of the UTF-8 character c into out. */
static char *repeat(char *out, const char *c, int n)
{
	out[0] = '\0';
	while (n-- > 0)
		strcat(out, c);
	return out;
}

/* A limit the form states in characters is counted in characters: 95
 * letters "Š" (190 bytes) are a valid street and come back whole; one
 * more is too long, and the message says 95. */
static void test_limits_count_characters_not_bytes(void **state)
{
	struct office *f = *state;
	char street[600], city[600], *e, *tag;
	long long id;
	struct order o;

	repeat(street, "\xc5\xa0", 95);
	repeat(city, "\xc4\x8d", 63);
	assert_int_equal(submit(f, "street", street, "city", city), 303);
	id = journey_confirm(&f->member, &f->r);
	o = office_order_get(f, id);
	assert_string_equal(o.street, street);
	assert_string_equal(o.city, city);
	/* The form says the same limit to the browser. */
	assert_int_equal(journey_get(&f->member, "/certificates/new/natural", &f->r), 200);
	assert_non_null(tag = html_control_tag(BODY(f), "street"));
	assert_non_null(strstr(tag, "maxlength=\"95\""));
	free(tag);
	strcat(street, "\xc5\xa0");
	assert_int_equal(submit(f, "street", street, NULL, NULL), 422);
	e = field_error(f, "street");
	assert_non_null(strstr(e, "95"));
	free(e);
}

/* The contract PDF's text (pdf_text).  Caller frees. */
static char *contract_text(struct office *f, long long id)
{
	char *text;

	assert_int_equal(office_get(f, &f->member, "/orders/%lld/contract.pdf", id), 200);
	assert_non_null(text = pdf_text(&f->s, f->r.body.data, f->r.body.len));
	return text;
}

#define ID_CARD_WORDS                                                                              \
	"uz va\xc5\xbe"                                                                            \
	"e\xc4\x87u li\xc4\x8dnu kartu"

static void test_documents_follow_the_id_document_chosen(void **state)
{
	struct office *f = *state;
	long long card = office_order(f, "NS");
	long long passport = office_order_with(f, "NS", "id_type", "passport");
	char *t;

	t = contract_text(f, card);
	assert_non_null(strstr(t, "li\xc4\x8dna karta broj " JOURNEY_ZARKO_ID_CARD ", izdata od"));
	free(t);
	t = contract_text(f, passport);
	assert_non_null(strstr(t, "paso\xc5\xa1 broj " JOURNEY_ZARKO_ID_CARD ", izdat od"));
	free(t);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", card), 200);
	office_body_has(f, ID_CARD_WORDS);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", passport), 200);
	office_body_lacks(f, ID_CARD_WORDS);
	office_body_has(f, "paso\xc5\xa1");
}

/* The office's hand-over form and its errors name the document of the
 * request in general words: a passport holder is not asked for an ID
 * card. */
static void test_hand_over_does_not_presume_an_id_card(void **state)
{
	struct office *f = *state;
	long long id = office_order_with(f, "NS", "id_type", "passport");

	office_verify(f, id);
	office_deliver(f, id);
	assert_string_equal(office_state(f, id), "at_office");
	assert_int_equal(office_get(f, &f->ns, "%s", office_path(id, "")), 200);
	office_body_lacks(f, "pokazane li\xc4\x8dne karte");
	office_body_lacks(f, "li\xc4\x8dne karte koju");
	assert_int_equal(office_post(f, &f->ns, office_path(id, "hand-over"), "id_number",
				     "999999999", NULL),
			 422);
	office_body_lacks(f, "pokazane li\xc4\x8dne karte");
	office_body_lacks(f, "li\xc4\x8dne karte koju");
}

static void test_offices_page_says_secretariat_once(void **state)
{
	struct office *f = *state;

	assert_int_equal(office_get(f, &f->member, "/offices"), 200);
	office_body_has(f, "Sekretarijat In\xc5\xbe"
			   "enjerske komore Srbije");
	office_body_lacks(f, ">Sekretarijat</span>");
}

static void test_renewal_asks_for_consent_and_the_reader_anew(void **state)
{
	struct office *f = *state;
	long long id;
	char *tag;

	assert_int_equal(submit(f, NULL, NULL, NULL, NULL), 303);
	id = journey_confirm(&f->member, &f->r);
	assert_int_equal(office_order_get(f, id).card_reader, 1);
	assert_int_equal(office_get(f, &f->member, "/certificates/renew/%lld", id), 200);
	assert_non_null(tag = html_control_tag(BODY(f), "consent"));
	assert_null(strstr(tag, "checked"));
	free(tag);
	assert_non_null(tag = html_control_tag(BODY(f), "card_reader"));
	assert_null(strstr(tag, "checked"));
	free(tag);
	/* The data is still prefilled. */
	assert_non_null(tag = html_control_tag(BODY(f), "id_number"));
	assert_non_null(strstr(tag, JOURNEY_ZARKO_ID_CARD));
	free(tag);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, office_setup, office_teardown)
	const struct CMUnitTest tests[] = {
		T(test_field_errors_name_the_field_and_say_the_limit),
		T(test_limits_count_characters_not_bytes),
		T(test_documents_follow_the_id_document_chosen),
		T(test_hand_over_does_not_presume_an_id_card),
		T(test_offices_page_says_secretariat_once),
		T(test_renewal_asks_for_consent_and_the_reader_anew),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
