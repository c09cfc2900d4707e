/*
 * Prices, the CA's documents, and branding from the catalogue (issue
 * 15, points 6 and 9), over real HTTP.
 *
 * With the built-in demo catalogue: the price list with VAT from the
 * tariff; the review page's breakdown (net, VAT, total); the CA's
 * terms, CP/CPS and PDS linked, from the catalogue, beside the order
 * form's consent and on the help pages, opening in a new tab like the
 * filling guide; the guide covering both natural and legal persons.
 *
 * With another catalogue file (no demo = 1): pages, a mail and the three
 * PDFs name the configured chamber and CA and never "Demo" nor the demo
 * chamber.
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

#include "harness.h"
#include "journey.h"
#include "util/embedded.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"
#define NEW_TAB_SR "(otvara se u novoj kartici)"

static void has(struct response *r, const char *text)
{
	if (strstr(buf_cstr(&r->body), text) == NULL) {
		fprintf(stderr, "body lacks \"%s\":\n%s\n", text, buf_cstr(&r->body));
		fail_msg("body lacks \"%s\"", text);
	}
}

static void lacks(const char *what, const char *body, const char *text)
{
	if (strstr(body, text) != NULL)
		fail_msg("%s has \"%s\"", what, text);
}

/* ---- The demo catalogue ------------------------------------------------------------- */

static void test_price_list_shows_the_tariff_with_vat(void **state)
{
	struct journey_fx *f = *state;

	assert_int_equal(journey_get(&f->c, "/prices?lang=sr", &f->r), 200);
	has(&f->r, "Kvalifikovani elektronski sertifikat, 3 godine");
	/* 4.900,00 + 20% = 980,00 -> 5.880,00; the reader 1.500,00 + 300,00. */
	has(&f->r, "4.900,00</td>");
	has(&f->r, "980,00</td>");
	has(&f->r, "5.880,00</strong>");
	has(&f->r, "\xc4\x8c"
		   "ita\xc4\x8d kartica (USB)");
	has(&f->r, "1.800,00</strong>");
	has(&f->r, "PDV (20%)");
	/* Reachable from every page. */
	has(&f->r, "href=\"/prices\"");
	assert_int_equal(journey_get(&f->c, "/prices?lang=en", &f->r), 200);
	has(&f->r, "Qualified electronic certificate, 1 year");
	has(&f->r, "VAT (20%)");
}

static void test_review_page_breaks_the_price_down(void **state)
{
	struct journey_fx *f = *state;
	char *loc;

	journey_member(&f->s, &f->c, &demo_zarko, "zdjuras", PW);
	/* Žarko's form: 3 years, no card reader. */
	assert_int_equal(journey_order_draft(&f->c, &f->r, "NS", NULL, NULL), 303);
	assert_non_null(loc = journey_location(&f->r));
	loc = realloc(loc, strlen(loc) + 16);
	strcat(loc, "?lang=sr");
	assert_int_equal(journey_get(&f->c, loc, &f->r), 200);
	free(loc);
	has(&f->r, "Osnovica (bez PDV-a)</th><td class=\"num\">4.900,00 RSD");
	has(&f->r, "PDV (20%)</th><td class=\"num\">980,00 RSD");
	has(&f->r, "<strong>5.880,00 RSD</strong>");
	has(&f->r, "Kvalifikovani elektronski sertifikat, 3 godine</th><td class=\"num\">4.900,00");
}

static void test_consent_and_help_link_the_cas_documents_in_a_new_tab(void **state)
{
	static const char *const urls[] = {
		"href=\"https://ca.example/qcra-demo/uslovi-koriscenja.pdf\" target=\"_blank\" "
		"rel=\"noopener\"",
		"href=\"https://ca.example/qcra-demo/cp-cps.pdf\" target=\"_blank\" "
		"rel=\"noopener\"",
		"href=\"https://ca.example/qcra-demo/pds.pdf\" target=\"_blank\" rel=\"noopener\"",
	};
	struct journey_fx *f = *state;
	size_t i;

	assert_int_equal(journey_get(&f->c, "/certificates/new/natural?lang=sr", &f->r), 200);
	for (i = 0; i < 3; i++)
		has(&f->r, urls[i]);
	has(&f->r, "name=\"consent\"");
	/* The guide opens beside the form, which keeps what was typed. */
	has(&f->r, "href=\"/help/request\" target=\"_blank\" rel=\"noopener\"");
	has(&f->r, NEW_TAB_SR);
	assert_int_equal(journey_get(&f->c, "/help", &f->r), 200);
	for (i = 0; i < 3; i++)
		has(&f->r, urls[i]);
	has(&f->r, "QCRA Demo CA");
	assert_int_equal(journey_get(&f->c, "/help/request", &f->r), 200);
	for (i = 0; i < 3; i++)
		has(&f->r, urls[i]);
	/* Both kinds of request, each with its documents. */
	has(&f->r, "Fizi\xc4\x8dko ili pravno lice");
	has(&f->r, "Za pravno lice</h3>");
	has(&f->r, "Izvod iz registra privrednih subjekata (APR)");
	has(&f->r, "Dokaz o ovla\xc5\xa1\xc4\x87"
		   "enju lica");
	assert_int_equal(journey_get(&f->c, "/help/request?lang=en", &f->r), 200);
	has(&f->r, "For a legal entity</h3>");
	has(&f->r, "An excerpt from the Business Registers Agency (APR)");
	has(&f->r, "(opens in a new tab)");
}

/* ---- Another catalogue ---------------------------------------------------------- */

/* text with each from[i] replaced by to[i], malloc'd. */
static char *replaced(const char *text, const char *const (*pairs)[2], size_t n)
{
	char *out = strdup(text), *at;

	for (size_t i = 0; i < n; i++)
		while ((at = strstr(out, pairs[i][0])) != NULL) {
			size_t head = (size_t)(at - out), lf = strlen(pairs[i][0]),
			       lt = strlen(pairs[i][1]);
			char *next = malloc(strlen(out) - lf + lt + 1);

			memcpy(next, out, head);
			memcpy(next + head, pairs[i][1], lt);
			strcpy(next + head + lt, at + lf);
			free(out);
			out = next;
		}
	return out;
}

/* The PDF's text (pdftotext), malloc'd. */
static char *pdf_text(const struct server *s, const struct response *r, const char *name)
{
	char path[4200], cmd[4300], *text = calloc(1, 65536);
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", s->var, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(r->body.data, 1, r->body.len, fp), r->body.len);
	assert_int_equal(fclose(fp), 0);
	snprintf(cmd, sizeof(cmd), "pdftotext -enc UTF-8 '%s' -", path);
	assert_non_null(fp = popen(cmd, "r"));
	assert_true(fread(text, 1, 65535, fp) > 0);
	assert_int_equal(pclose(fp), 0);
	return text;
}

static void test_another_catalogue_brands_pages_mail_and_pdfs(void **state)
{
	static const char *const pairs[][2] = {
		{"Sekretarijat In\xc5\xbe"
		 "enjerske komore Srbije",
		 "Sekretarijat Komore arhitekata"},
		{"In\xc5\xbe"
		 "enjerska komora Srbije",
		 "Komora arhitekata Primer"},
		{"In\xc5\xbe"
		 "enjerske komore Srbije",
		 "Komore arhitekata Primer"},
		{"Secretariat of the Serbian Chamber of Engineers",
		 "Secretariat of the Architects"},
		{"Engineering Chamber of Serbia", "Chamber of Architects Primer"},
		{"QCRA Demo CA", "Sertifikaciono telo Primer"},
		{"ikser.example", "arhitekti.example"},
		{"qcra-demo", "primer"},
		{"demo = 1\n", ""},
	};
	static const char *const never[] = {"Demo",
					    "demo",
					    ("In\xc5\xbe"
					     "enjersk"),
					    "Engineering Chamber",
					    "ikser",
					    "ingkomora"};
	static const char *const pdfs[] = {"request.pdf", "contract.pdf", "proforma.pdf"};
	const struct embedded_file *e = embedded_find("data/catalog.ini");
	char path[64], env[128], page[64], *text, *mail;
	const char *senv[] = {env, NULL};
	struct server s;
	struct client c;
	struct response r = {0};
	long long id;
	FILE *fp;
	size_t i, j;

	(void)state;
	assert_non_null(e);
	text = strndup((const char *)e->data, e->len);
	mail = replaced(text, pairs, sizeof(pairs) / sizeof(pairs[0]));
	free(text);
	snprintf(path, sizeof(path), "/tmp/qcra-brand-%d.ini", (int)getpid());
	assert_non_null(fp = fopen(path, "w"));
	fputs(mail, fp);
	assert_int_equal(fclose(fp), 0);
	free(mail);
	snprintf(env, sizeof(env), "QCRA_CATALOG_FILE=%s", path);
	assert_int_equal(journey_server(&s, senv), 0);
	assert_int_equal(client_init(&c, &s), 0);

	for (i = 0; i < 2; i++) {
		assert_int_equal(journey_get(&c, i ? "/register?lang=en" : "/register?lang=sr", &r),
				 200);
		has(&r, i ? "Chamber of Architects Primer" : "Komora arhitekata Primer");
		for (j = 0; j < sizeof(never) / sizeof(never[0]); j++)
			lacks("/register", buf_cstr(&r.body), never[j]);
	}
	journey_member(&s, &c, &demo_zarko, "zdjuras", PW);
	mail = mail_latest_to(&s, demo_zarko.email);
	assert_non_null(mail);
	for (j = 0; j < sizeof(never) / sizeof(never[0]); j++)
		lacks("the confirmation mail", mail, never[j]);
	assert_non_null(strstr(mail, "arhitekata Primer"));
	free(mail);

	id = journey_order(&c, &r, "NS", NULL, NULL);
	snprintf(page, sizeof(page), "/orders/%lld?lang=sr", id);
	const char *pages[] = {"/?lang=sr", "/help", "/help/request", "/prices", "/offices", page};
	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(journey_get(&c, pages[i], &r), 200);
		for (j = 0; j < sizeof(never) / sizeof(never[0]); j++)
			if (strstr(buf_cstr(&r.body), never[j]) != NULL)
				fail_msg("%s has \"%s\"", pages[i], never[j]);
	}
	assert_int_equal(journey_get(&c, "/help", &r), 200);
	has(&r, "Sertifikaciono telo Primer");
	has(&r, "https://ca.example/primer/pds.pdf");
	has(&r, "mailto:podrska@arhitekti.example");
	for (i = 0; i < 3; i++) {
		snprintf(page, sizeof(page), "/orders/%lld/%s", id, pdfs[i]);
		assert_int_equal(journey_get(&c, page, &r), 200);
		text = pdf_text(&s, &r, pdfs[i]);
		for (j = 0; j < sizeof(never) / sizeof(never[0]); j++)
			if (strstr(text, never[j]) != NULL)
				fail_msg("%s says \"%s\":\n%s", pdfs[i], never[j], text);
		if (strstr(text, "Primer") == NULL)
			fail_msg("%s names neither the configured chamber nor CA:\n%s", pdfs[i],
				 text);
		free(text);
	}
	response_free(&r);
	client_free(&c);
	server_cleanup(&s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_price_list_shows_the_tariff_with_vat),
		cmocka_unit_test(test_review_page_breaks_the_price_down),
		cmocka_unit_test(test_consent_and_help_link_the_cas_documents_in_a_new_tab),
		cmocka_unit_test(test_another_catalogue_brands_pages_mail_and_pdfs),
	};

	return cmocka_run_group_tests(tests, journey_fx_setup_plain, journey_fx_teardown);
}
