/*
 * The catalogue (offices, tariff, seller, supporting documents) and the
 * proforma invoice arithmetic.  BASE is a small valid catalogue; each
 * rejection test changes one line of it and expects the error to name
 * the section and key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/catalog.h"
#include "domain/ident.h"
#include "domain/ipsqr.h"
#include "util/embedded.h"

static const char BASE[] = "[office BG]\n"
			   "name_sr = Sekretarijat\n"
			   "name_en = Secretariat\n"
			   "street = Kneza Miloša 9/I\n"
			   "postal_code = 11000\n"
			   "city = Beograd\n"
			   "phone = +381 11 3300 100\n"
			   "email = bg@ikser.example\n"
			   "hours_sr = radnim danima 8-16\n"
			   "hours_en = weekdays 8-16\n"
			   "secretariat = 1\n"
			   "\n"
			   "[office NS]\n"
			   "name_sr = Regionalni centar Novi Sad\n"
			   "name_en = Regional office Novi Sad\n"
			   "street = Bulevar Mihajla Pupina 6\n"
			   "postal_code = 21000\n"
			   "city = Novi Sad\n"
			   "phone = +381 21 4720 310\n"
			   "email = ns@ikser.example\n"
			   "hours_sr = radnim danima 9-15\n"
			   "hours_en = weekdays 9-15\n"
			   "\n"
			   "[tariff 1y]\n"
			   "name_sr = Sertifikat, 1 godina\n"
			   "name_en = Certificate, 1 year\n"
			   "years = 1\n"
			   "price = 250000\n"
			   "\n"
			   "[tariff 3y]\n"
			   "name_sr = Sertifikat, 3 godine\n"
			   "name_en = Certificate, 3 years\n"
			   "years = 3\n"
			   "price = 490000\n"
			   "\n"
			   "[seller]\n"
			   "name = Inženjerska komora Srbije\n"
			   "street = Kneza Miloša 9/I\n"
			   "postal_code = 11000\n"
			   "city = Beograd\n"
			   "pib = 101745818\n"
			   "mb = 17167418\n"
			   "account = 160000004583247166\n"
			   "bank = Banca Intesa\n"
			   "payment_code = 221\n"
			   "purpose_sr = Kvalifikovani sertifikat\n"
			   "purpose_en = Qualified certificate\n"
			   "ca_name = QCRA Demo CA\n"
			   "vat_pct = 20\n"
			   "due_days = 8\n"
			   "card_reader_price = 150000\n"
			   "card_reader_name_sr = Čitač kartica\n"
			   "card_reader_name_en = Card reader\n"
			   "\n"
			   "[brand]\n"
			   "chamber_sr = Komora\n"
			   "chamber_en = Chamber\n"
			   "chamber_of_sr = Komore\n"
			   "chamber_of_en = the Chamber\n"
			   "site_sr = Sertifikati\n"
			   "site_en = Certificates\n"
			   "support_email = podrska@komora.example\n"
			   "support_phone = +381 11 1234 567\n"
			   "support_hours_sr = radnim danima\n"
			   "support_hours_en = working days\n"
			   "ca_terms_url = https://ca.example/terms\n"
			   "ca_cps_url = https://ca.example/cps\n"
			   "ca_pds_url = https://ca.example/pds\n"
			   "\n"
			   "[document identity]\n"
			   "text_sr = Lična karta\n"
			   "text_en = ID card\n"
			   "types = natural, legal\n"
			   "\n"
			   "[document registration]\n"
			   "text_sr = Izvod iz APR\n"
			   "text_en = APR excerpt\n"
			   "types = legal\n";

static struct catalog cat; /* 40 kB: kept off the stack */

/*
 * Parses BASE with the first line equal to old after "[section]"
 * replaced by repl ("" deletes it); old NULL inserts repl right after
 * the section header instead.  Returns catalog_parse()'s result.
 */
static int parse_edited(const char *section, const char *old, const char *repl, char *err,
			size_t errlen)
{
	char text[sizeof(BASE) + 512], header[64], *at;
	const char *from;
	size_t skip = 0;

	snprintf(header, sizeof(header), "[%s]\n", section);
	from = strstr(BASE, header);
	assert_non_null(from);
	from += strlen(header);
	if (old != NULL) {
		char line[256];

		snprintf(line, sizeof(line), "%s\n", old);
		from = strstr(from, line);
		assert_non_null(from);
		skip = strlen(line);
	}
	memcpy(text, BASE, (size_t)(from - BASE));
	at = text + (from - BASE);
	at += sprintf(at, "%s%s", repl, repl[0] != '\0' ? "\n" : "");
	strcpy(at, from + skip);
	return catalog_parse(&cat, text, err, errlen);
}

/* Asserts that the edit is rejected with an error containing want. */
static void assert_rejected(const char *section, const char *old, const char *repl,
			    const char *want)
{
	char err[256];

	assert_int_equal(parse_edited(section, old, repl, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" does not contain \"%s\"", err, want);
}

static int parse_demo(char *err, size_t errlen)
{
	const struct embedded_file *f = embedded_find("data/catalog.ini");

	assert_non_null(f);
	return catalog_parse(&cat, (const char *)f->data, err, errlen);
}

static struct order order_for(const char *validity, int card_reader)
{
	struct order o;

	memset(&o, 0, sizeof(o));
	o.type = ORDER_NATURAL;
	snprintf(o.validity, sizeof(o.validity), "%s", validity);
	o.card_reader = card_reader;
	return o;
}

/* ---- The demo catalogue ------------------------------------------------ */

static void test_demo_catalogue_parses(void **state)
{
	char err[256] = "";

	if (parse_demo(err, sizeof(err)) != 0)
		fail_msg("data/catalog.ini: %s", err);
}

static void test_demo_catalogue_has_six_offices_and_one_secretariat(void **state)
{
	char err[256];
	size_t i, secretariats = 0;
	const struct office *bg;

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_true(cat.noffices >= 6);
	for (i = 0; i < cat.noffices; i++)
		secretariats += cat.offices[i].secretariat;
	assert_int_equal(secretariats, 1);
	bg = catalog_office(&cat, "BG");
	assert_non_null(bg);
	assert_true(bg->secretariat);
	assert_string_equal(bg->street, "Kneza Miloša 9/I");
	assert_string_equal(bg->postal_code, "11000");
	assert_string_equal(bg->city, "Beograd");
}

static void test_demo_catalogue_offices_have_every_text_in_both_languages(void **state)
{
	char err[256];
	size_t i;
	int l;

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	for (i = 0; i < cat.noffices; i++)
		for (l = 0; l < LANG__MAX; l++) {
			assert_true(cat.offices[i].name[l][0] != '\0');
			assert_true(cat.offices[i].hours[l][0] != '\0');
		}
}

static void test_demo_catalogue_has_1_2_and_3_year_tariff(void **state)
{
	static const char *const codes[] = {"1y", "2y", "3y"};
	const struct tariff_item *t;
	char err[256];
	int i;

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	for (i = 0; i < 3; i++) {
		t = catalog_tariff(&cat, codes[i]);
		assert_non_null(t);
		assert_int_equal(t->validity_years, i + 1);
		assert_true(t->price_para > 0);
	}
	assert_int_equal(catalog_tariff(&cat, "3y")->price_para, 490000);
}

static void test_demo_catalogue_seller_identifiers_are_valid(void **state)
{
	char err[256], account[19];

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_true(pib_valid(cat.seller.pib));
	assert_int_equal(mb_check(cat.seller.mb), MB_OK);
	assert_int_equal(strlen(cat.seller.account), 18);
	assert_int_equal(ips_qr_account(cat.seller.account, account), 0);
	assert_int_equal(strlen(cat.seller.payment_code), 3);
	assert_int_equal(cat.seller.vat_pct, 20);
	assert_true(cat.seller.card_reader_para > 0);
}

static void test_demo_catalogue_legal_entities_bring_more_documents(void **state)
{
	char err[256];
	size_t i, natural = 0, legal = 0;

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	for (i = 0; i < cat.ndocs; i++) {
		assert_true(cat.docs[i].text[LANG_SR][0] != '\0');
		assert_true(cat.docs[i].text[LANG_EN][0] != '\0');
		natural += (cat.docs[i].types & (1u << ORDER_NATURAL)) != 0;
		legal += (cat.docs[i].types & (1u << ORDER_LEGAL)) != 0;
	}
	assert_true(natural >= 1);
	assert_true(legal >= natural + 2); /* registration and authorisation */
}

/* ---- Parsing ----------------------------------------------------------- */

static void test_parse_reads_every_section(void **state)
{
	char err[256];

	assert_int_equal(catalog_parse(&cat, BASE, err, sizeof(err)), 0);
	assert_int_equal(cat.noffices, 2);
	assert_int_equal(cat.ntariff, 2);
	assert_int_equal(cat.ndocs, 2);
	assert_string_equal(cat.offices[1].code, "NS");
	assert_string_equal(cat.offices[1].name[LANG_EN], "Regional office Novi Sad");
	assert_int_equal(cat.offices[1].secretariat, 0);
	assert_int_equal(cat.tariff[1].validity_years, 3);
	assert_int_equal(cat.tariff[1].price_para, 490000);
	assert_string_equal(cat.seller.name, "Inženjerska komora Srbije");
	assert_int_equal(cat.seller.due_days, 8);
	assert_int_equal(cat.docs[0].types, (1u << ORDER_NATURAL) | (1u << ORDER_LEGAL));
	assert_int_equal(cat.docs[1].types, 1u << ORDER_LEGAL);
}

static void test_lookup_of_unknown_code_is_null(void **state)
{
	char err[256];

	assert_int_equal(catalog_parse(&cat, BASE, err, sizeof(err)), 0);
	assert_null(catalog_office(&cat, "XX"));
	assert_null(catalog_office(&cat, "bg"));
	assert_null(catalog_office(&cat, NULL));
	assert_null(catalog_tariff(&cat, "5y"));
}

static void test_parse_joins_continuation_lines_with_a_space(void **state)
{
	char err[256];

	assert_int_equal(parse_edited("document identity", "text_en = ID card",
				      "text_en = A printout of the chip data\n"
				      "\tof the ID card",
				      err, sizeof(err)),
			 0);
	assert_string_equal(cat.docs[0].text[LANG_EN],
			    "A printout of the chip data of the ID card");
}

static void test_parse_normalises_dashed_account(void **state)
{
	char err[256];

	assert_int_equal(parse_edited("seller", "account = 160000004583247166",
				      "account = 160-45832471-66", err, sizeof(err)),
			 0);
	assert_string_equal(cat.seller.account, "160000004583247166");
}

/* Serbian Cyrillic (LANG_SR_CYRL) is the Latin text written in Cyrillic
 * at load, the offices' streets and cities too; the payment purpose, which the IPS QR carries,
 * stays Latin. */
static void test_parse_writes_the_serbian_texts_in_cyrillic(void **state)
{
	char err[256];
	const struct office *ns;

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	ns = catalog_office(&cat, "NS");
	assert_non_null(ns);
	assert_string_equal(ns->name[LANG_SR_CYRL], "Регионални центар Нови Сад");
	/* The address, written once in the file, in each script. */
	assert_string_equal(ns->street[LANG_SR], "Bulevar Mihajla Pupina 6");
	assert_string_equal(ns->street[LANG_EN], "Bulevar Mihajla Pupina 6");
	assert_string_equal(ns->street[LANG_SR_CYRL], "Булевар Михајла Пупина 6");
	assert_string_equal(ns->city[LANG_EN], "Novi Sad");
	assert_string_equal(ns->city[LANG_SR_CYRL], "Нови Сад");
	assert_string_equal(cat.seller.card_reader_name[LANG_SR_CYRL], "Читач картица (USB)");
	assert_string_equal(cat.seller.purpose[LANG_SR_CYRL], cat.seller.purpose[LANG_SR]);
	assert_true(cat.tariff[0].name[LANG_SR_CYRL][0] != '\0');
	assert_true(cat.docs[0].text[LANG_SR_CYRL][0] != '\0');
}

/* A text that fits in Latin but not once in Cyrillic (two bytes a
 * letter) stops the load, rather than being cut on the pages. */
static void test_parse_rejects_text_too_long_for_cyrillic(void **state)
{
	char repl[160];

	snprintf(repl, sizeof(repl), "name_sr = %0100d", 0);
	memset(repl + strlen("name_sr = "), 'a', 100);
	assert_rejected("office NS", "name_sr = Regionalni centar Novi Sad", repl,
			"NS: name_sr: too long once written in Cyrillic");
}

static void test_parse_rejects_unknown_key(void **state)
{
	assert_rejected("office NS", NULL, "fax = 021 123", "office NS: fax: unknown key");
}

static void test_parse_rejects_bad_postal_code(void **state)
{
	assert_rejected("office NS", "postal_code = 21000", "postal_code = 2100",
			"office NS: postal_code:");
}

static void test_parse_rejects_bad_email(void **state)
{
	assert_rejected("office BG", "email = bg@ikser.example", "email = bg@ikser",
			"office BG: email:");
}

static void test_parse_rejects_price_that_is_not_whole_para(void **state)
{
	assert_rejected("tariff 3y", "price = 490000", "price = 4900,00", "tariff 3y: price:");
	assert_rejected("tariff 3y", "price = 490000", "price = -490000", "tariff 3y: price:");
	assert_rejected("tariff 3y", "price = 490000", "price = 0", "tariff 3y: price:");
	assert_rejected("tariff 3y", "price = 490000", "price = 99999999999999999999",
			"tariff 3y: price:");
}

static void test_parse_rejects_years_out_of_range(void **state)
{
	assert_rejected("tariff 3y", "years = 3", "years = 0", "tariff 3y: years:");
	assert_rejected("tariff 3y", "years = 3", "years = three", "tariff 3y: years:");
}

static void test_parse_rejects_account_failing_its_control(void **state)
{
	assert_rejected("seller", "account = 160000004583247166", "account = 160000004583247167",
			"seller: account:");
	assert_rejected("seller", "account = 160000004583247166", "account = 16000000458324716",
			"seller: account:");
}

static void test_parse_rejects_bad_pib_and_mb(void **state)
{
	assert_rejected("seller", "pib = 101745818", "pib = 101745817", "seller: pib:");
	assert_rejected("seller", "mb = 17167418", "mb = 17167417", "seller: mb:");
}

static void test_parse_rejects_bad_payment_code(void **state)
{
	assert_rejected("seller", "payment_code = 221", "payment_code = 22",
			"seller: payment_code:");
}

static void test_parse_rejects_vat_over_100(void **state)
{
	assert_rejected("seller", "vat_pct = 20", "vat_pct = 120", "seller: vat_pct:");
}

static void test_parse_rejects_separator_in_seller_name(void **state)
{
	assert_rejected("seller", "name = Inženjerska komora Srbije", "name = Komora|RO:97",
			"seller: name:");
}

static void test_parse_rejects_purpose_too_long_for_the_qr_code(void **state)
{
	assert_rejected("seller", "purpose_sr = Kvalifikovani sertifikat",
			"purpose_sr = Kvalifikovani elektronski sertifikat za potpis",
			"seller: purpose_sr: too long");
}

static void test_parse_rejects_invalid_utf8(void **state)
{
	assert_rejected("office NS", "city = Novi Sad", "city = Novi \xc3", "office NS: city:");
}

static void test_parse_rejects_empty_value(void **state)
{
	assert_rejected("office NS", "city = Novi Sad", "city =", "office NS: city: empty");
}

static void test_parse_rejects_key_given_twice(void **state)
{
	assert_rejected("office NS", NULL, "street = Druga 1", "office NS: street: given twice");
}

static void test_parse_rejects_missing_key(void **state)
{
	assert_rejected("office NS", "phone = +381 21 4720 310", "", "office NS: phone: missing");
	assert_rejected("seller", "due_days = 8", "", "seller: due_days: missing");
	assert_rejected("document registration", "types = legal", "",
			"document registration: types: missing");
}

static void test_parse_rejects_bad_document_types(void **state)
{
	assert_rejected("document registration", "types = legal", "types = company",
			"document registration: types:");
	assert_rejected("document registration", "types = legal", "types = legal,",
			"document registration: types:");
}

static void test_parse_rejects_unknown_section(void **state)
{
	assert_rejected("seller", NULL, "[branch ZR]\nname = Zrenjanin", "branch ZR:");
}

static void test_parse_rejects_section_without_code(void **state)
{
	assert_rejected("seller", NULL, "[office]\nname_sr = Zrenjanin", "office:");
	assert_rejected("seller", NULL, "[office Z R]\nname_sr = Zrenjanin", "office Z R:");
}

static void test_parse_rejects_section_given_twice(void **state)
{
	assert_rejected("seller", NULL, "[office BG]\nname_sr = Beograd", "office BG:");
}

static void test_parse_rejects_two_secretariats(void **state)
{
	assert_rejected("office NS", NULL, "secretariat = 1", "secretariat");
}

static void test_parse_rejects_catalogue_without_secretariat(void **state)
{
	assert_rejected("office BG", "secretariat = 1", "", "secretariat");
}

static void test_parse_rejects_catalogue_without_tariff_or_seller(void **state)
{
	char err[256];
	const char *tariff = strstr(BASE, "[tariff 1y]");
	const char *seller = strstr(BASE, "[seller]");
	char text[sizeof(BASE)];

	/* offices only */
	memcpy(text, BASE, (size_t)(tariff - BASE));
	text[tariff - BASE] = '\0';
	assert_int_equal(catalog_parse(&cat, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "tariff"));
	/* offices and tariff */
	memcpy(text, BASE, (size_t)(seller - BASE));
	text[seller - BASE] = '\0';
	assert_int_equal(catalog_parse(&cat, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "seller"));
	/* nothing */
	assert_int_equal(catalog_parse(&cat, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "office"));
}

/* The brand: names, contacts and the CA's documents come from the file;
 * demo is off unless the file says so. */
static void test_brand_is_read_from_the_catalogue(void **state)
{
	char err[256] = "";

	if (catalog_parse(&cat, BASE, err, sizeof(err)) != 0)
		fail_msg("BASE: %s", err);
	assert_string_equal(cat.brand.chamber[LANG_SR], "Komora");
	assert_string_equal(cat.brand.chamber_of[LANG_EN], "the Chamber");
	assert_string_equal(cat.brand.support_email, "podrska@komora.example");
	assert_string_equal(cat.brand.ca_pds_url, "https://ca.example/pds");
	assert_int_equal(cat.brand.demo, 0);
	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_int_equal(cat.brand.demo, 1);
}

static void test_parse_rejects_a_brand_without_its_keys_or_with_a_bad_url(void **state)
{
	assert_rejected("brand", "ca_cps_url = https://ca.example/cps", "", "ca_cps_url: missing");
	assert_rejected("brand", "ca_terms_url = https://ca.example/terms",
			"ca_terms_url = ca.example/terms", "ca_terms_url");
	assert_rejected("brand", "ca_pds_url = https://ca.example/pds",
			"ca_pds_url = https://ca.example/p\"ds", "quote");
	assert_rejected("brand", "support_email = podrska@komora.example", "support_email = nobody",
			"support_email");
}

static void test_parse_rejects_key_before_any_section(void **state)
{
	char err[256], text[sizeof(BASE) + 32];

	snprintf(text, sizeof(text), "vat_pct = 20\n%s", BASE);
	assert_int_equal(catalog_parse(&cat, text, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "vat_pct"));
}

static void test_parse_rejects_syntax_error_with_line(void **state)
{
	assert_rejected("office BG", NULL, "this line has no equals sign", "line 2:");
}

static void test_parse_rejects_overlong_line_with_line(void **state)
{
	char line[300];

	memset(line, 'a', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "city = ", 7);
	assert_rejected("office NS", "city = Novi Sad", line, "line 18:");
}

static void test_failed_parse_leaves_catalogue_empty(void **state)
{
	char err[256];

	assert_int_equal(catalog_parse(&cat, BASE, err, sizeof(err)), 0);
	assert_int_equal(parse_edited("seller", "vat_pct = 20", "vat_pct = x", err, sizeof(err)),
			 -1);
	assert_int_equal(cat.noffices, 0);
	assert_int_equal(cat.ntariff, 0);
	assert_null(catalog_office(&cat, "BG"));
}

/* ---- Invoice ----------------------------------------------------------- */

static void assert_invoice(const char *validity, int card_reader, long long net, long long vat,
			   long long total)
{
	struct order o = order_for(validity, card_reader);
	struct invoice inv;

	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	assert_int_equal(inv.nlines, card_reader ? 2 : 1);
	assert_int_equal(inv.net_para, net);
	assert_int_equal(inv.vat_pct, 20);
	assert_int_equal(inv.vat_para, vat);
	assert_int_equal(inv.total_para, total);
}

static void test_invoice_for_each_tariff_without_card_reader(void **state)
{
	char err[256];

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_invoice("1y", 0, 250000, 50000, 300000);
	assert_invoice("2y", 0, 390000, 78000, 468000);
	assert_invoice("3y", 0, 490000, 98000, 588000);
}

static void test_invoice_for_each_tariff_with_card_reader(void **state)
{
	char err[256];

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_invoice("1y", 1, 400000, 80000, 480000);
	assert_invoice("2y", 1, 540000, 108000, 648000);
	assert_invoice("3y", 1, 640000, 128000, 768000);
}

static void test_invoice_lines_borrow_names_from_catalogue(void **state)
{
	struct order o = order_for("3y", 1);
	struct invoice inv;
	char err[256];

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	assert_ptr_equal(inv.lines[0].name[LANG_SR], catalog_tariff(&cat, "3y")->name[LANG_SR]);
	assert_ptr_equal(inv.lines[0].name[LANG_EN], catalog_tariff(&cat, "3y")->name[LANG_EN]);
	assert_int_equal(inv.lines[0].quantity, 1);
	assert_int_equal(inv.lines[0].unit_para, 490000);
	assert_int_equal(inv.lines[0].amount_para, 490000);
	assert_ptr_equal(inv.lines[1].name[LANG_SR], cat.seller.card_reader_name[LANG_SR]);
	assert_int_equal(inv.lines[1].amount_para, cat.seller.card_reader_para);
}

/* A confirmed order keeps the prices it was confirmed at: a tariff
 * changed (or withdrawn) since does not change its invoice; a draft
 * follows the tariff. */
static void test_invoice_of_confirmed_order_keeps_its_prices(void **state)
{
	struct order fixed = order_for("3y", 1), draft = order_for("3y", 1);
	struct invoice inv;
	char err[256];

	assert_int_equal(
		parse_edited("tariff 3y", "price = 490000", "price = 590000", err, sizeof(err)), 0);
	cat.seller.vat_pct = 10;
	fixed.prices_fixed = 1;
	fixed.price_para = 490000;
	fixed.reader_para = 150000;
	fixed.vat_pct = 20;
	assert_int_equal(invoice_compute(&fixed, &cat, &inv), 0);
	assert_int_equal(inv.lines[0].unit_para, 490000);
	assert_int_equal(inv.lines[1].unit_para, 150000);
	assert_int_equal(inv.vat_pct, 20);
	assert_int_equal(inv.total_para, 768000);
	assert_int_equal(invoice_compute(&draft, &cat, &inv), 0);
	assert_int_equal(inv.lines[0].unit_para, 590000);
	assert_int_equal(inv.vat_pct, 10);
	/* Withdrawn: the fixed order still has its invoice, named by code;
	 * a draft has none. */
	snprintf(fixed.validity, sizeof(fixed.validity), "9y");
	snprintf(draft.validity, sizeof(draft.validity), "9y");
	assert_int_equal(invoice_compute(&fixed, &cat, &inv), 0);
	assert_string_equal(inv.lines[0].name[LANG_SR], "9y");
	assert_int_equal(inv.total_para, 768000);
	assert_int_equal(invoice_compute(&draft, &cat, &inv), -1);
}

static void test_invoice_rounds_half_para_of_vat_up(void **state)
{
	struct order o = order_for("3y", 0);
	struct invoice inv;
	char err[256];

	/* 10 % of 4.900,05 is 490,005: half a para, rounded up to 490,01 */
	assert_int_equal(
		parse_edited("tariff 3y", "price = 490000", "price = 490005", err, sizeof(err)), 0);
	cat.seller.vat_pct = 10;
	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	assert_int_equal(inv.vat_para, 49001);
	assert_int_equal(inv.total_para, 539006);
	/* 10 % of 4.900,04 is 490,004: rounded down */
	cat.tariff[1].price_para = 490004;
	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	assert_int_equal(inv.vat_para, 49000);
	/* 20 % of 0,03 is 0,006: rounded up */
	cat.seller.vat_pct = 20;
	cat.tariff[1].price_para = 3;
	assert_int_equal(invoice_compute(&o, &cat, &inv), 0);
	assert_int_equal(inv.vat_para, 1);
	assert_int_equal(inv.total_para, 4);
}

static void test_invoice_rejects_validity_not_in_tariff(void **state)
{
	struct order o = order_for("5y", 0);
	struct invoice inv;
	char err[256];

	assert_int_equal(parse_demo(err, sizeof(err)), 0);
	assert_int_equal(invoice_compute(&o, &cat, &inv), -1);
	assert_int_equal(inv.nlines, 0);
	assert_int_equal(inv.total_para, 0);
}

/* ---- Money ------------------------------------------------------------- */

static void assert_money(long long para, const char *want)
{
	char out[32];

	money_format(para, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_money_format_zero(void **state)
{
	assert_money(0, "0,00");
}

static void test_money_format_para_only(void **state)
{
	assert_money(5, "0,05");
	assert_money(50, "0,50");
}

static void test_money_format_one_dinar(void **state)
{
	assert_money(100, "1,00");
}

static void test_money_format_groups_thousands_with_dots(void **state)
{
	assert_money(123456789, "1.234.567,89");
	assert_money(100000, "1.000,00");
	assert_money(99999, "999,99");
	assert_money(490000, "4.900,00");
}

static void test_money_format_negative_amount(void **state)
{
	assert_money(-150, "-1,50");
	assert_money(-123456789, "-1.234.567,89");
}

static void test_money_format_truncates_to_buffer(void **state)
{
	char out[5];

	money_format(123456789, out, sizeof(out));
	assert_string_equal(out, "1.23");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_catalogue_parses),
		cmocka_unit_test(test_demo_catalogue_has_six_offices_and_one_secretariat),
		cmocka_unit_test(test_demo_catalogue_offices_have_every_text_in_both_languages),
		cmocka_unit_test(test_demo_catalogue_has_1_2_and_3_year_tariff),
		cmocka_unit_test(test_demo_catalogue_seller_identifiers_are_valid),
		cmocka_unit_test(test_demo_catalogue_legal_entities_bring_more_documents),
		cmocka_unit_test(test_parse_reads_every_section),
		cmocka_unit_test(test_lookup_of_unknown_code_is_null),
		cmocka_unit_test(test_parse_joins_continuation_lines_with_a_space),
		cmocka_unit_test(test_parse_normalises_dashed_account),
		cmocka_unit_test(test_parse_rejects_unknown_key),
		cmocka_unit_test(test_parse_rejects_bad_postal_code),
		cmocka_unit_test(test_parse_rejects_bad_email),
		cmocka_unit_test(test_parse_rejects_price_that_is_not_whole_para),
		cmocka_unit_test(test_parse_rejects_years_out_of_range),
		cmocka_unit_test(test_parse_rejects_account_failing_its_control),
		cmocka_unit_test(test_parse_rejects_bad_pib_and_mb),
		cmocka_unit_test(test_parse_rejects_bad_payment_code),
		cmocka_unit_test(test_parse_rejects_vat_over_100),
		cmocka_unit_test(test_parse_rejects_separator_in_seller_name),
		cmocka_unit_test(test_parse_rejects_purpose_too_long_for_the_qr_code),
		cmocka_unit_test(test_parse_rejects_invalid_utf8),
		cmocka_unit_test(test_parse_rejects_empty_value),
		cmocka_unit_test(test_parse_rejects_key_given_twice),
		cmocka_unit_test(test_parse_rejects_missing_key),
		cmocka_unit_test(test_parse_rejects_bad_document_types),
		cmocka_unit_test(test_parse_rejects_unknown_section),
		cmocka_unit_test(test_parse_rejects_section_without_code),
		cmocka_unit_test(test_parse_rejects_section_given_twice),
		cmocka_unit_test(test_parse_rejects_two_secretariats),
		cmocka_unit_test(test_parse_rejects_catalogue_without_secretariat),
		cmocka_unit_test(test_parse_rejects_catalogue_without_tariff_or_seller),
		cmocka_unit_test(test_brand_is_read_from_the_catalogue),
		cmocka_unit_test(test_parse_rejects_a_brand_without_its_keys_or_with_a_bad_url),
		cmocka_unit_test(test_parse_rejects_key_before_any_section),
		cmocka_unit_test(test_parse_rejects_syntax_error_with_line),
		cmocka_unit_test(test_parse_rejects_overlong_line_with_line),
		cmocka_unit_test(test_failed_parse_leaves_catalogue_empty),
		cmocka_unit_test(test_invoice_for_each_tariff_without_card_reader),
		cmocka_unit_test(test_invoice_for_each_tariff_with_card_reader),
		cmocka_unit_test(test_invoice_lines_borrow_names_from_catalogue),
		cmocka_unit_test(test_invoice_rounds_half_para_of_vat_up),
		cmocka_unit_test(test_invoice_rejects_validity_not_in_tariff),
		cmocka_unit_test(test_money_format_zero),
		cmocka_unit_test(test_invoice_of_confirmed_order_keeps_its_prices),
		cmocka_unit_test(test_money_format_para_only),
		cmocka_unit_test(test_money_format_one_dinar),
		cmocka_unit_test(test_parse_writes_the_serbian_texts_in_cyrillic),
		cmocka_unit_test(test_parse_rejects_text_too_long_for_cyrillic),
		cmocka_unit_test(test_money_format_groups_thousands_with_dots),
		cmocka_unit_test(test_money_format_negative_amount),
		cmocka_unit_test(test_money_format_truncates_to_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
