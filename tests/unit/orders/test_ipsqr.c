/*
 * NBS IPS QR payload for the proforma invoice.  The account
 * 160-0000045832471-66 and the reference 9714123412 (DOMAIN.md's
 * example) carry correct mod 97 control digits, computed by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "domain/ipsqr.h"

#define ACCOUNT "160000004583247166"
#define PAYEE "Inženjerska komora Srbije\nKneza Miloša 9/I, 11000 Beograd"
#define PAYER "Petar Petrović\nBulevar oslobođenja 1, Novi Sad"

static struct ips_qr example(void)
{
	struct ips_qr q = {
		.account = ACCOUNT,
		.payee = PAYEE,
		.amount_para = 102550,
		.payer = PAYER,
		.payment_code = "221",
		.purpose = "Kvalifikovani sertifikat",
		.reference = "9714123412",
	};

	return q;
}

/* The minimal payload: only the mandatory tags. */
static struct ips_qr minimal(void)
{
	struct ips_qr q = {
		.account = ACCOUNT,
		.payee = PAYEE,
		.amount_para = 102550,
		.payment_code = "221",
	};

	return q;
}

/* A string of n code points, each "č" (two bytes). */
static void diacritics(char *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(out + 2 * i, "č", 2);
	out[2 * n] = '\0';
}

static void test_format_writes_known_example_exactly(void **state)
{
	struct ips_qr q = example();
	char out[512];

	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_string_equal(out, "K:PR|V:01|C:1|R:160000004583247166"
				 "|N:Inženjerska komora Srbije\nKneza Miloša 9/I, 11000 Beograd"
				 "|I:RSD1025,50"
				 "|P:Petar Petrović\nBulevar oslobođenja 1, Novi Sad"
				 "|SF:221|S:Kvalifikovani sertifikat|RO:9714123412");
}

static void test_format_omits_optional_tags_without_value(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_string_equal(out, "K:PR|V:01|C:1|R:" ACCOUNT "|N:" PAYEE "|I:RSD1025,50|SF:221");
	q.payer = "";
	q.purpose = "";
	q.reference = "";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_string_equal(out, "K:PR|V:01|C:1|R:" ACCOUNT "|N:" PAYEE "|I:RSD1025,50|SF:221");
}

static void test_format_writes_amount_with_decimal_comma(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.amount_para = 5;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "|I:RSD0,05|"));
	q.amount_para = 100;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "|I:RSD1,00|"));
	q.amount_para = 123456789; /* no thousands separators */
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "|I:RSD1234567,89|"));
}

static void test_format_rejects_amount_not_positive(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.amount_para = 0;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.amount_para = -100;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_amount_over_18_characters(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.amount_para = 99999999999999LL; /* RSD999999999999,99: 18 */
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	q.amount_para = 100000000000000LL; /* RSD1000000000000,00: 19 */
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_normalises_dashed_account(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.account = "160-45832471-66";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "|R:160000004583247166|"));
	q.account = "160-0000045832471-66";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "|R:160000004583247166|"));
}

static void test_format_rejects_bad_account(void **state)
{
	static const char *const bad[] = {
		"160000004583247167",    /* control digits wrong */
		"16000000458324716",     /* 17 digits */
		"1600000045832471660",   /* 19 digits */
		"16000000458324716a",    /* a letter */
		"160-45832471-67",       /* dashed, control wrong */
		"16-45832471-66",        /* bank not 3 digits */
		"160-45832474583247-66", /* account over 13 digits */
		"160--66",               /* no account digits */
		"160-45832471-6",        /* control not 2 digits */
		"160-4583-2471-66",      /* too many dashes */
		"",
	};
	struct ips_qr q = minimal();
	char out[512];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q.account = bad[i];
		assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
		assert_string_equal(out, "");
	}
	q.account = NULL;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_account_normalises_to_18_digits(void **state)
{
	char out[19];

	assert_int_equal(ips_qr_account("160-45832471-66", out), 0);
	assert_string_equal(out, "160000004583247166");
	assert_int_equal(ips_qr_account("160000004583247166", out), 0);
	assert_string_equal(out, "160000004583247166");
	assert_int_equal(ips_qr_account("160-45832471-65", out), -1);
	assert_string_equal(out, "");
}

static void test_format_counts_name_in_code_points(void **state)
{
	struct ips_qr q = minimal();
	char name[2 * 71 + 1], out[512];

	diacritics(name, 70); /* 140 bytes, 70 characters */
	q.payee = name;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
}

static void test_format_rejects_71_character_name(void **state)
{
	struct ips_qr q = minimal();
	char name[2 * 71 + 1], out[512];

	diacritics(name, 71);
	q.payee = name;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	memset(name, 'a', 71);
	name[71] = '\0';
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.payee = minimal().payee;
	q.payer = name;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_empty_name(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.payee = "";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.payee = NULL;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_separator_in_value(void **state)
{
	struct ips_qr q;
	char out[512];

	q = example();
	q.payee = "Inženjerska|komora";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q = example();
	q.payer = "Petar|Petrović";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q = example();
	q.purpose = "Sertifikat|RO:97";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_purpose_over_35_characters(void **state)
{
	struct ips_qr q = minimal();
	char purpose[2 * 36 + 1], out[512];

	diacritics(purpose, 35);
	q.purpose = purpose;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	diacritics(purpose, 36);
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_line_break_in_purpose(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.purpose = "Kvalifikovani\nsertifikat";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_trailing_space_or_line_break(void **state)
{
	struct ips_qr q;
	char out[512];

	q = minimal();
	q.payee = "Inženjerska komora Srbije ";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q = minimal();
	q.payee = "Inženjerska komora Srbije\n";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_invalid_utf8(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.payee = "Komora \xc3";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_payment_code_not_3_digits(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.payment_code = "22";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.payment_code = "2211";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.payment_code = "22a";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.payment_code = NULL;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_bad_reference(void **state)
{
	struct ips_qr q = minimal();
	char out[512];

	q.reference = "9715123412"; /* wrong model 97 control */
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.reference = "97-14-123412";
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
	q.reference = "971412341212341234123412341234123412"; /* 36 digits */
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), -1);
}

static void test_format_rejects_short_buffer(void **state)
{
	struct ips_qr q = example();
	char out[512];
	size_t need;

	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	need = strlen(out) + 1;
	assert_int_equal(ips_qr_format(&q, out, need), 0);
	assert_int_equal(ips_qr_format(&q, out, need - 1), -1);
	assert_string_equal(out, "");
	assert_int_equal(ips_qr_format(&q, NULL, 0), -1);
}

static void test_valid_accepts_what_format_wrote(void **state)
{
	struct ips_qr q;
	char out[512];

	q = example();
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_true(ips_qr_valid(out));
	q = minimal();
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_true(ips_qr_valid(out));
	q = minimal();
	q.purpose = "Sertifikat";
	q.amount_para = 1;
	assert_int_equal(ips_qr_format(&q, out, sizeof(out)), 0);
	assert_true(ips_qr_valid(out));
}

static void test_valid_rejects_missing_mandatory_tag(void **state)
{
	static const char *const tags[] = {"K:PR|",          "V:01|",        "C:1|",
					   "R:" ACCOUNT "|", "N:" PAYEE "|", "I:RSD1025,50|",
					   "SF:221|"};
	char full[512], cut[512], *p;
	size_t i, n;

	snprintf(full, sizeof(full),
		 "K:PR|V:01|C:1|R:" ACCOUNT "|N:" PAYEE "|I:RSD1025,50|SF:221|RO:9714123412");
	assert_true(ips_qr_valid(full));
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		p = strstr(full, tags[i]);
		assert_non_null(p);
		n = strlen(tags[i]);
		memcpy(cut, full, (size_t)(p - full));
		strcpy(cut + (p - full), p + n);
		assert_false(ips_qr_valid(cut));
	}
}

static void test_valid_rejects_tags_out_of_order_or_twice(void **state)
{
	assert_false(ips_qr_valid("V:01|K:PR|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221|P:Petar"));
	assert_false(
		ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|N:Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221|X:1"));
}

static void test_valid_rejects_separator_at_either_end(void **state)
{
	assert_true(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid("|K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221|"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221\n"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221 "));
}

static void test_valid_rejects_optional_tag_without_value(void **state)
{
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221|S:"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|P:|SF:221"));
}

static void test_valid_checks_amount_shape(void **state)
{
	const char *head = "K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:";
	static const char *const good[] = {"RSD1025,50", "RSD1025,5", "RSD1025,", "RSD0,01"};
	static const char *const bad[] = {"RSD1025",     "RSD,50",     "RSD1.025,50",
					  "RSD1025,505", "EUR1025,50", "RSD0,00",
					  "RSD-1,00",    "RSD 1,00",   "RSD1234567890123,00"};
	char s[256];
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(s, sizeof(s), "%s%s|SF:221", head, good[i]);
		assert_true(ips_qr_valid(s));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(s, sizeof(s), "%s%s|SF:221", head, bad[i]);
		assert_false(ips_qr_valid(s));
	}
}

static void test_valid_rejects_bad_values(void **state)
{
	/* account control */
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:160000004583247167|N:Komora|I:RSD1,00|SF:221"));
	/* dashes belong only to the printed form */
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:160-45832471-66|N:Komora|I:RSD1,00|SF:221"));
	/* another form, version or character set */
	assert_false(ips_qr_valid("K:PT|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid("K:PR|V:02|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid("K:PR|V:01|C:2|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:221"));
	/* payment code, reference */
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|N:Komora|I:RSD1,00|SF:22"));
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT
				  "|N:Komora|I:RSD1,00|SF:221|RO:9715123412"));
	assert_true(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT
				 "|N:Komora|I:RSD1,00|SF:221|RO:9714123412"));
	/* a field without a tag */
	assert_false(ips_qr_valid("K:PR|V:01|C:1|R:" ACCOUNT "|Komora|I:RSD1,00|SF:221"));
	assert_false(ips_qr_valid(""));
	assert_false(ips_qr_valid(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_writes_known_example_exactly),
		cmocka_unit_test(test_format_omits_optional_tags_without_value),
		cmocka_unit_test(test_format_writes_amount_with_decimal_comma),
		cmocka_unit_test(test_format_rejects_amount_not_positive),
		cmocka_unit_test(test_format_rejects_amount_over_18_characters),
		cmocka_unit_test(test_format_normalises_dashed_account),
		cmocka_unit_test(test_format_rejects_bad_account),
		cmocka_unit_test(test_account_normalises_to_18_digits),
		cmocka_unit_test(test_format_counts_name_in_code_points),
		cmocka_unit_test(test_format_rejects_71_character_name),
		cmocka_unit_test(test_format_rejects_empty_name),
		cmocka_unit_test(test_format_rejects_separator_in_value),
		cmocka_unit_test(test_format_rejects_purpose_over_35_characters),
		cmocka_unit_test(test_format_rejects_line_break_in_purpose),
		cmocka_unit_test(test_format_rejects_trailing_space_or_line_break),
		cmocka_unit_test(test_format_rejects_invalid_utf8),
		cmocka_unit_test(test_format_rejects_payment_code_not_3_digits),
		cmocka_unit_test(test_format_rejects_bad_reference),
		cmocka_unit_test(test_format_rejects_short_buffer),
		cmocka_unit_test(test_valid_accepts_what_format_wrote),
		cmocka_unit_test(test_valid_rejects_missing_mandatory_tag),
		cmocka_unit_test(test_valid_rejects_tags_out_of_order_or_twice),
		cmocka_unit_test(test_valid_rejects_separator_at_either_end),
		cmocka_unit_test(test_valid_rejects_optional_tag_without_value),
		cmocka_unit_test(test_valid_checks_amount_shape),
		cmocka_unit_test(test_valid_rejects_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
