/*
 * Real data all the way, over real HTTP: the certificate's identity
 * comes from the member register (a forged license number, JMBG or name
 * is refused; a name that differs from the register only by an explicit
 * choice, marked for the office), license numbers are one number however
 * they are written, names written in Cyrillic reach the certificate in
 * Latin, and a company's full name has a separate, certificate-sized
 * name beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"
#include "journey.h"
#include "store/store.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"

/* Marija Živković of the demo register (315678901), with her license
 * number written as the registration form's hint shows it. */
static const struct demo_member marija_spaced = {"315 6789 01", "Marija", "\xc5\xbdivkovi\xc4\x87",
						 "3004975917777", "marija.zivkovic@example.rs"};
/* A member whose register entry is in Cyrillic: Љиљана Ђурђевић. */
static const struct demo_member ljiljana = {
	"318 0000 01", "\xd0\x89\xd0\xb8\xd1\x99\xd0\xb0\xd0\xbd\xd0\xb0",
	"\xd0\x82\xd1\x83\xd1\x80\xd1\x92\xd0\xb5\xd0\xb2\xd0\xb8\xd1\x9b", "0101985710008",
	"ljiljana.djurdjevic@example.rs"};

struct fx {
	struct journey_fx j; /* the server, a client and its last response */
	struct buf import;   /* what `member import` said of the extra rows */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char csv[PATH_MAX + 32];
	const char *args[] = {"member", "import", "--var", NULL, csv, NULL};
	FILE *fp;

	if (f == NULL || journey_fx_start(&f->j, NULL) != 0)
		return -1;
	snprintf(csv, sizeof(csv), "%s/extra-members.csv", f->j.s.var);
	fp = fopen(csv, "w");
	if (fp == NULL)
		return -1;
	fprintf(fp, "license_number,first_name,last_name,jmbg,email\n%s,%s,%s,%s,%s\n",
		ljiljana.license, ljiljana.first, ljiljana.last, ljiljana.jmbg, ljiljana.email);
	fclose(fp);
	args[3] = f->j.s.var;
	if (server_run_cli(&f->j.s, args, &f->import) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	buf_free(&f->import);
	journey_fx_stop(&f->j);
	free(f);
	return 0;
}

#define BODY(f) buf_cstr(&(f)->j.r.body)

/* Order o of the server's database. */
static void read_order(struct fx *f, long long id, struct order *o)
{
	char path[PATH_MAX + 16], err[256];
	struct store *st;

	snprintf(path, sizeof(path), "%s/qcra.db", f->j.s.var);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_order_get(st, id, o), STORE_OK);
	store_close(st);
}

/* The id of the draft a 303 to /orders/N/review names. */
static long long draft_id(struct fx *f)
{
	char *loc = journey_location(&f->j.r);
	long long id = 0;

	assert_non_null(loc);
	assert_int_equal(sscanf(loc, "/orders/%lld/review", &id), 1);
	free(loc);
	return id;
}

/* The natural-person form with the fields a member types; the pairs
 * that follow (NULL-terminated) are added or replace these. */
static long submit(struct fx *f, const char *type, ...)
{
	static const char *const base[] = {
		"id_type",
		"id_card",
		"id_number",
		"012345678",
		"id_issuer",
		"PU za grad Beograd",
		"street",
		"Nemanjina 4",
		"postal_code",
		"11000",
		"city",
		"Beograd",
		"email",
		"member@example.rs",
		"phone",
		"064 123 4567",
		"office",
		"BG",
		"validity",
		"3y",
		"consent",
		"1",
		"position",
		"Direktor",
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
		"office@biro.example",
	};
	const char *pairs[80];
	char path[64], *csrf, *body;
	long status;
	size_t n = 0, i, j;
	const char *k, *v;
	va_list ap;
	int replaced;

	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++)
		pairs[n++] = base[i];
	va_start(ap, type);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		replaced = 0;
		for (j = 0; j < n; j += 2)
			if (strcmp(pairs[j], k) == 0) {
				pairs[j + 1] = v;
				replaced = 1;
			}
		if (!replaced && n + 5 < sizeof(pairs) / sizeof(pairs[0])) {
			pairs[n++] = k;
			pairs[n++] = v;
		}
	}
	va_end(ap);
	snprintf(path, sizeof(path), "/certificates/new/%s", type);
	assert_int_equal(journey_get(&f->j.c, path, &f->j.r), 200);
	csrf = form_field_value(BODY(f), "csrf_token");
	assert_non_null(csrf);
	pairs[n++] = "csrf_token";
	pairs[n++] = csrf;
	pairs[n] = NULL;
	body = form_encode(pairs);
	status = journey_post(&f->j.c, path, body, &f->j.r);
	free(body);
	free(csrf);
	return status;
}

/* The form at field name carries an error message. */
static void assert_field_error(struct fx *f, const char *name)
{
	char id[64];

	snprintf(id, sizeof(id), "id=\"e-%s\"", name);
	if (strstr(BODY(f), id) == NULL)
		fail_msg("no error beside %s", name);
}

static void test_license_written_with_spaces_is_the_same_member(void **state)
{
	struct fx *f = *state;

	/* Registration with "315 6789 01", the way the hint writes it. */
	journey_member(&f->j.s, &f->j.c, &marija_spaced, "mzivkovic", PW);
	assert_int_equal(journey_get(&f->j.c, "/certificates/new/natural", &f->j.r), 200);
	assert_non_null(strstr(BODY(f), "value=\"315678901\""));
}

static void test_forged_license_jmbg_or_name_is_refused(void **state)
{
	struct fx *f = *state;
	char *kept;

	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);
	assert_int_equal(submit(f, "natural", "license_number", "999999999", NULL), 422);
	assert_field_error(f, "license_number");
	assert_int_equal(submit(f, "natural", "jmbg", "0511985715143", NULL), 422);
	assert_field_error(f, "jmbg");
	/* Another person's name, without saying the name differs. */
	assert_int_equal(
		submit(f, "natural", "first_name", "Marko", "last_name", "Markovi\xc4\x87", NULL),
		422);
	assert_field_error(f, "name_differs");
	kept = form_field_value(BODY(f), "first_name");
	assert_string_equal(kept, "Marko"); /* values kept */
	free(kept);
	/* The register's own values, written another way, are fine. */
	assert_int_equal(submit(f, "natural", "license_number", "310-1234-56", "jmbg",
				" 1203978711237 ", NULL),
			 303);
}

static void test_register_values_are_stored_whatever_was_left_out(void **state)
{
	struct fx *f = *state;
	struct order o;

	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);
	/* A POST with no name, JMBG or license at all. */
	assert_int_equal(submit(f, "natural", NULL), 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.first_name, demo_zarko.first);
	assert_string_equal(o.last_name, demo_zarko.last);
	assert_string_equal(o.jmbg, demo_zarko.jmbg);
	assert_string_equal(o.license_number, "310123456");
	assert_int_equal(o.name_differs, 0);
}

static void test_a_name_from_the_identity_document_needs_the_choice(void **state)
{
	struct fx *f = *state;
	struct order o;

	journey_member(&f->j.s, &f->j.c, &demo_ana, "apetrovic", PW);
	assert_int_equal(submit(f, "legal", "name_differs", "1", "first_name", "  Ana   Marija ",
				"last_name", "Petrovi\xc4\x87-Njego\xc5\xa1", "company_name",
				"Biro d.o.o.", "license_number", "999999999", NULL),
			 422); /* still not another license */
	assert_field_error(f, "license_number");
	assert_int_equal(submit(f, "legal", "name_differs", "1", "first_name", "  Ana   Marija ",
				"last_name", "Petrovi\xc4\x87-Njego\xc5\xa1", "company_name",
				"Biro d.o.o.", NULL),
			 303);
	read_order(f, draft_id(f), &o);
	assert_int_equal(o.name_differs, 1);
	assert_string_equal(o.first_name, "Ana Marija");
	assert_string_equal(o.last_name, "Petrovi\xc4\x87-Njego\xc5\xa1");
	assert_string_equal(o.license_number, demo_ana.license);
	assert_int_equal(o.name_confirmed_at, 0);
	/* Invisible characters in a typed name are refused, with a message. */
	assert_int_equal(submit(f, "natural", "name_differs", "1", "first_name", "Ana\xe2\x80\x8b",
				"last_name", "Petrovi\xc4\x87", NULL),
			 422);
	assert_field_error(f, "first_name");
	/* First and last name over the 64 characters of a commonName. */
	assert_int_equal(submit(f, "natural", "name_differs", "1", "first_name",
				"Anastasija Marija Jelisaveta", "last_name",
				"Petrovi\xc4\x87-Njego\xc5\xa1-Kara\xc4\x91or\xc4\x91"
				"evi\xc4\x87-Obrenovi\xc4\x87",
				NULL),
			 422);
	assert_field_error(f, "last_name");
}

static void test_company_full_name_and_certificate_name(void **state)
{
	struct fx *f = *state;
	/* 97 characters, typographic quotes and '&'. */
	const char *full = "Projektni biro \xe2\x80\x9e\xc4\x90"
			   "erdap\xe2\x80\x9c & partneri "
			   "dru\xc5\xa1tvo sa ograni\xc4\x8d"
			   "enom odgovorno\xc5\xa1\xc4\x87u za "
			   "projektovanje Kladovo";
	const char *cert = "Projektni biro \xe2\x80\x9e\xc4\x90"
			   "erdap\xe2\x80\x9c & partneri d.o.o.";
	struct order o;
	char *kept;

	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);
	assert_int_equal(submit(f, "legal", "company_name", full, NULL), 422);
	assert_field_error(f, "company_cert_name");
	kept = form_field_value(BODY(f), "company_name");
	assert_string_equal(kept, full);
	free(kept);
	assert_int_equal(submit(f, "legal", "company_name", full, "company_cert_name", cert, NULL),
			 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.company_name, full);
	assert_string_equal(o.company_cert_name, cert);
	/* A full name that fits is the certificate's name too. */
	assert_int_equal(submit(f, "legal", "company_name", cert, NULL), 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.company_cert_name, cert);
	/* The certificate's name is held to 64 characters. */
	assert_int_equal(submit(f, "legal", "company_name", full, "company_cert_name", full, NULL),
			 422);
	assert_field_error(f, "company_cert_name");
}

static void test_a_register_name_in_cyrillic_reaches_the_form_in_latin(void **state)
{
	struct fx *f = *state;
	struct order o;

	assert_non_null(strstr(buf_cstr(&f->import), "stored in Latin: Ljiljana \xc4\x90ur\xc4\x91"
						     "evi\xc4\x87"));
	journey_member(&f->j.s, &f->j.c, &ljiljana, "ldjurdjevic", PW);
	assert_int_equal(journey_get(&f->j.c, "/certificates/new/natural", &f->j.r), 200);
	assert_non_null(strstr(BODY(f), "value=\"Ljiljana\""));
	assert_int_equal(submit(f, "natural", "first_name", "Ljiljana", "last_name",
				"\xc4\x90ur\xc4\x91"
				"evi\xc4\x87",
				NULL),
			 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.first_name, "Ljiljana");
	assert_string_equal(o.last_name, "\xc4\x90ur\xc4\x91"
					 "evi\xc4\x87");
	assert_string_equal(o.license_number, "318000001");
}

/* Cyrillic is stored in Latin, where Љ, Њ and Џ take two letters (Lj,
 * Nj, Dž).  A field's limit holds for the Latin text, or the order's
 * edit form would refuse what the portal itself stored: a street that
 * fits in Cyrillic but not in Latin is refused saying why ("Љ, Њ i
 * Џ" take two letters), the typed
 * text kept; one at the limit in Latin is stored, and taken back as
 * stored.  A name past the certificate's 64 characters only in Latin
 * is told why as well. */
static void test_cyrillic_is_held_to_the_limits_as_stored_in_latin(void **state)
{
	struct fx *f = *state;
	struct buf over = BUF_INIT, fits = BUF_INIT, name = BUF_INIT;
	struct order o;
	char *kept;
	int i;

	for (i = 0; i < 90; i++)
		buf_puts(&over, "\xd1\x9a");    /* њ */
	buf_puts(&over, " \xd0\xb1\xd0\xb1 1"); /* " бб 1": 95 characters, 185 in Latin */
	for (i = 0; i < 45; i++)
		buf_puts(&fits, "\xd1\x9a");
	buf_puts(&fits, " \xd0\xb1\xd0\xb1 1"); /* 50 characters, 95 in Latin */
	for (i = 0; i < 33; i++)
		buf_puts(&name, "\xd0\x8f"); /* Џ: 33 characters, 66 in Latin */
	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);

	assert_int_equal(submit(f, "natural", "street", buf_cstr(&over), NULL), 422);
	assert_field_error(f, "street");
	assert_non_null(strstr(BODY(f), "\xd0\x89, \xd0\x8a i \xd0\x8f"));
	kept = form_field_value(BODY(f), "street");
	assert_string_equal(kept, buf_cstr(&over));
	free(kept);

	assert_int_equal(submit(f, "natural", "street", buf_cstr(&fits), NULL), 303);
	read_order(f, draft_id(f), &o);
	assert_int_equal(strlen(o.street), 95);
	assert_int_equal(strncmp(o.street, "njnj", 4), 0);
	assert_int_equal(submit(f, "natural", "street", o.street, NULL), 303);

	assert_int_equal(submit(f, "natural", "name_differs", "1", "first_name", buf_cstr(&name),
				"last_name", "Petrovi\xc4\x87", NULL),
			 422);
	assert_field_error(f, "first_name");
	assert_non_null(strstr(BODY(f), "\xd0\x89, \xd0\x8a i \xd0\x8f"));
	buf_free(&over);
	buf_free(&fits);
	buf_free(&name);
}

/* A name written with combining marks (NFD: "Z" + U+030C, as pasted
 * from some PDFs and file names on macOS) is the same name as with the
 * letters whole (NFC): taken, and stored whole, so the certificate and
 * the papers say it as the register does. */
static void test_names_with_combining_marks_are_the_same_names(void **state)
{
	struct fx *f = *state;
	struct order o;

	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);
	assert_int_equal(submit(f, "natural", "first_name",
				"Z\xcc\x8c"
				"arko",
				"last_name",
				"\xc4\x90uras\xcc\x8c"
				"kovic\xcc\x81",
				NULL),
			 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.first_name, "\xc5\xbd"
					  "arko");
	assert_int_equal(o.name_differs, 0);
	assert_int_equal(submit(f, "natural", "name_differs", "1", "first_name",
				"C\xcc\x8c"
				"edomir",
				"last_name",
				"C\xcc\x81"
				"osic\xcc\x81",
				"street",
				"Kneza Milos\xcc\x8c"
				"a 9",
				NULL),
			 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.first_name, "\xc4\x8c"
					  "edomir");
	assert_string_equal(o.last_name, "\xc4\x86"
					 "osi\xc4\x87");
	assert_string_equal(o.street, "Kneza Milo\xc5\xa1"
				      "a 9");
}

/* Printed text (street, city, issuer, position) takes what the papers'
 * fonts print: Latin and Cyrillic letters (Greek too), digits and the
 * usual signs.  Characters they print as empty boxes or reorder (CJK,
 * Arabic, emoji) are refused saying which characters are taken, the
 * typed text kept. */
static void test_printed_text_takes_what_the_papers_print(void **state)
{
	struct fx *f = *state;
	static const char *const refused[][2] = {
		{"street", "Ulica \xf0\x9f\x98\x80 1"},                /* an emoji */
		{"id_issuer", "MUP \xe4\xb8\xad\xe6\x96\x87"},         /* CJK */
		{"city", "\xd8\xb4\xd8\xa7\xd8\xb1\xd8\xb9 Novi Sad"}, /* Arabic */
	};
	struct order o;
	char *kept;
	size_t i;

	journey_member(&f->j.s, &f->j.c, &demo_zarko, "zdjuras", PW);
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		assert_int_equal(submit(f, "natural", refused[i][0], refused[i][1], NULL), 422);
		assert_field_error(f, refused[i][0]);
		assert_non_null(strstr(BODY(f), "latinice ili \xc4\x87irilice"));
		kept = form_field_value(BODY(f), refused[i][0]);
		assert_string_equal(kept, refused[i][1]);
		free(kept);
	}
	assert_int_equal(submit(f, "natural", "street",
				"Kralja Petra I br. 5/II, 2\xc2\xb0 sprat \xe2\x80\x9e"
				"Dom\xe2\x80\x9c",
				"id_issuer", "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1", NULL),
			 303);
	read_order(f, draft_id(f), &o);
	assert_string_equal(o.id_issuer, "\xce\x91\xce\xb8\xce\xae\xce\xbd\xce\xb1"); /* Αθήνα */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_license_written_with_spaces_is_the_same_member,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_license_jmbg_or_name_is_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_register_values_are_stored_whatever_was_left_out, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_name_from_the_identity_document_needs_the_choice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_company_full_name_and_certificate_name, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_a_register_name_in_cyrillic_reaches_the_form_in_latin, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_cyrillic_is_held_to_the_limits_as_stored_in_latin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_with_combining_marks_are_the_same_names,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_printed_text_takes_what_the_papers_print,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
