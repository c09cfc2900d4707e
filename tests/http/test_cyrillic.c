/*
 * Serbian Cyrillic (issue 15.8) over real HTTP: ?lang=sr-Cyrl and the
 * cookie that keeps it, the pages and the help written per language, a
 * member who registers in Cyrillic (the account keeps 'sr-Cyrl', the
 * mail is in Cyrillic with the link as it is) and the order's PDFs in
 * Cyrillic (pdftotext), with what the member typed kept as typed; an
 * order of multi-byte place names the form accepts prints its proforma.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "journey.h"
#include "store/store.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"

#define BODY(f) buf_cstr(&(f)->r.body)
#define assert_has(text, s)                                                                        \
	do {                                                                                       \
		if (strstr((text), (s)) == NULL)                                                   \
			fail_msg("\"%s\" is not in the answer", (s));                              \
	} while (0)
#define assert_lacks(text, s)                                                                      \
	do {                                                                                       \
		if (strstr((text), (s)) != NULL)                                                   \
			fail_msg("\"%s\" is in the answer", (s));                                  \
	} while (0)

static void assert_cookie(struct journey_fx *f, const char *want)
{
	char *lang = client_cookie(&f->c, "qcra_lang");

	assert_non_null(lang);
	assert_string_equal(lang, want);
	free(lang);
}

/* Chosen once with ?lang=, every page after it is in Cyrillic: the
 * layout, the catalogue's offices, the help pages written per language;
 * the switcher offers the two others, each in its own script. */
static void test_cyrillic_is_chosen_once_and_kept(void **state)
{
	static const char *const pages[] = {"/login", "/register", "/help/request", "/offices",
					    "/no-such-page"};
	struct journey_fx *f = *state;
	size_t i;

	assert_int_equal(journey_get(&f->c, "/?lang=SR-CYRL", &f->r), 200);
	assert_cookie(f, "sr-Cyrl"); /* by its code, whatever the case asked */
	assert_has(BODY(f), "<html lang=\"sr-Cyrl\">");
	assert_has(BODY(f), "Инжењерска комора Србије");
	assert_has(BODY(f), "href=\"/?lang=sr\" lang=\"sr\" hreflang=\"sr\">Latinica</a>");
	assert_has(BODY(f), "href=\"/?lang=en\" lang=\"en\" hreflang=\"en\">English</a>");
	assert_lacks(BODY(f), "Uputstvo");

	assert_int_equal(journey_get(&f->c, "/help", &f->r), 200);
	assert_has(BODY(f), "<html lang=\"sr-Cyrl\">");
	assert_has(BODY(f), "Техничка подршка");
	assert_lacks(BODY(f), "Tehnička podrška");
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		journey_get(&f->c, pages[i], &f->r);
		assert_has(BODY(f), "<html lang=\"sr-Cyrl\">");
		assert_has(BODY(f), "Упутство"); /* the navigation */
	}
	assert_int_equal(journey_get(&f->c, "/offices", &f->r), 200);
	assert_has(BODY(f), "Регионални центар Нови Сад");

	assert_int_equal(journey_get(&f->c, "/help?lang=sr", &f->r), 200);
	assert_cookie(f, "sr");
	assert_has(BODY(f), "Tehnička podrška");
	assert_has(BODY(f), "hreflang=\"sr-Cyrl\">Ћирилица</a>");
}

/* pdftotext of an answer's PDF body; the caller frees it. */
static char *pdf_text_of(struct journey_fx *f, const char *name)
{
	char path[4200], cmd[4300], chunk[4096];
	struct buf b = BUF_INIT;
	FILE *out, *p;
	size_t n;

	assert_memory_equal(f->r.body.data, "%PDF", 4);
	snprintf(path, sizeof(path), "%s/%s", f->s.var, name);
	assert_non_null(out = fopen(path, "wb"));
	assert_int_equal(fwrite(f->r.body.data, 1, f->r.body.len, out), f->r.body.len);
	assert_int_equal(fclose(out), 0);
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", path);
	assert_non_null(p = popen(cmd, "r"));
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_append(&b, chunk, n);
	assert_int_equal(pclose(p), 0);
	buf_cstr(&b);
	return buf_detach(&b);
}

/* A member who registers in Cyrillic: the account keeps the language,
 * the confirmation mail is in Cyrillic with the username and the link
 * as they are; the order page and the three PDFs are in Cyrillic with
 * the name as the member typed it, and in Latin again with ?lang=sr. */
static void test_member_in_cyrillic_gets_mail_pages_and_documents_in_cyrillic(void **state)
{
	static const char *const docs[] = {"request", "contract", "proforma"};
	static const char *const titles[] = {"Захтев за издавање", "Уговор о издавању",
					     "Предрачун"};
	struct journey_fx *f = *state;
	struct account acc;
	struct store *st;
	char path[96], *eml, *text;
	long long id;
	size_t i;

	assert_int_equal(journey_get(&f->c, "/?lang=sr-Cyrl", &f->r), 200);
	journey_member(&f->s, &f->c, &demo_zarko, "zdjuras", PW);
	eml = mail_latest_to(&f->s, demo_zarko.email);
	assert_non_null(eml);
	assert_has(eml, "Поштовани,");
	assert_has(eml, "„zdjuras“");
	assert_has(eml, "/register/confirm?token=");
	assert_lacks(eml, "Poštovani");
	free(eml);
	assert_non_null(st = journey_db(&f->s));
	assert_int_equal(store_account_by_username(st, "zdjuras", &acc), STORE_OK);
	assert_string_equal(acc.lang, "sr-Cyrl");
	store_close(st);

	id = journey_order(&f->c, &f->r, "NS", NULL, NULL);
	snprintf(path, sizeof(path), "/orders/%lld", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	assert_has(BODY(f), "Регионални центар Нови Сад");
	assert_has(BODY(f), "Потврђен, чека документацију и уплату"); /* the state's label */
	assert_has(BODY(f), "Захтев (PDF)");
	assert_has(BODY(f), " RSD");
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/orders/%lld/%s.pdf", id, docs[i]);
		assert_int_equal(journey_get(&f->c, path, &f->r), 200);
		text = pdf_text_of(f, "doc.pdf");
		assert_has(text, titles[i]);
		assert_has(text, "Đurašković"); /* as typed */
		assert_lacks(text, "Ђурашковић");
		free(text);
	}
	snprintf(path, sizeof(path), "/orders/%lld/request.pdf?lang=sr", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	text = pdf_text_of(f, "doc-latin.pdf");
	assert_has(text, "Zahtev za izdavanje");
	assert_lacks(text, "Захтев");
	free(text);
}

/* n copies of s, malloc'd. */
static char *repeat(const char *s, size_t n)
{
	size_t len = strlen(s), i;
	char *out = malloc(len * n + 1);

	assert_non_null(out);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

/* GETs the order's proforma: a PDF, never a 503. */
static void assert_proforma_prints(struct journey_fx *f, long long id)
{
	char path[64], *type;

	snprintf(path, sizeof(path), "/orders/%lld/proforma.pdf", id);
	assert_int_equal(journey_get(&f->c, path, &f->r), 200);
	assert_non_null(type = response_header(&f->r, "Content-Type"));
	assert_string_equal(type, "application/pdf");
	free(type);
	assert_true(f->r.body.len > 4 && memcmp(f->r.body.data, "%PDF", 4) == 0);
}

/* The payer of the proforma's IPS QR code is the holder's (or the
 * company's) name and address in at most 70 characters: a city of 32
 * euro signs (96 bytes; the form takes 63 characters) and a company's
 * street of 43 (129 bytes; the form takes 95) are shortened there at a
 * character boundary, so an order the form accepted always prints. */
static void test_multibyte_place_names_the_form_accepts_print_the_proforma(void **state)
{
	struct journey_fx *f = *state;
	char *city = repeat("\xe2\x82\xac", 32), *street = repeat("\xe2\x82\xac", 43);
	long long id;

	journey_member(&f->s, &f->c, &demo_zarko, "zdjuras", PW);
	id = journey_order(&f->c, &f->r, "NS", "city", city);
	assert_proforma_prints(f, id);

	assert_int_equal(
		journey_submit(&f->c, "/certificates/new/legal", "/certificates/new/legal", &f->r,
			       "first_name", demo_zarko.first, "last_name", demo_zarko.last, "jmbg",
			       demo_zarko.jmbg, "id_type", "id_card", "id_number",
			       JOURNEY_ZARKO_ID_CARD, "id_issuer", "PU Novi Sad", "street",
			       "Dunavska 1", "postal_code", "21000", "city", "Novi Sad", "email",
			       JOURNEY_ZARKO_MAIL, "phone", "+381 65 111 2222", "license_number",
			       demo_zarko.license, "position", "Direktor", "company_name",
			       "Projektni biro", "company_mb", "17167418", "company_pib",
			       "101745818", "company_street", street, "company_postal_code",
			       "11000", "company_city", "Novi", "company_email", "biro@example.rs",
			       "office", "NS", "validity", "2y", "consent", "1", NULL),
		303);
	id = journey_confirm(&f->c, &f->r);
	assert_proforma_prints(f, id);
	free(city);
	free(street);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, journey_fx_setup_plain, journey_fx_teardown)
	const struct CMUnitTest tests[] = {
		T(test_cyrillic_is_chosen_once_and_kept),
		T(test_member_in_cyrillic_gets_mail_pages_and_documents_in_cyrillic),
		T(test_multibyte_place_names_the_form_accepts_print_the_proforma),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
