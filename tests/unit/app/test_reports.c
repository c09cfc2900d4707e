/* Report helpers: exact medians, month parsing, CSV cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "web/app.h"
#include "web/reports.h"

static void test_median_of_odd_count_is_the_middle_value(void **state)
{
	long long v[] = {10, 1, 3};

	assert_int_equal(report_median2(v, 3), 6);
	assert_int_equal(v[0], 1); /* sorted in place */
}

static void test_median_of_even_count_is_exact_half(void **state)
{
	long long v[] = {5, 2};
	long long w[] = {4, 1, 3, 2};
	long long one[] = {7};

	assert_int_equal(report_median2(v, 2), 7); /* 3.5 days */
	assert_int_equal(report_median2(w, 4), 5); /* 2.5 */
	assert_int_equal(report_median2(one, 1), 14);
	assert_int_equal(report_median2(NULL, 0), 0);
}

static void test_median_has_no_overflow_or_rounding_for_large_values(void **state)
{
	long long v[] = {1000000000001LL, 1000000000000LL};

	assert_int_equal(report_median2(v, 2), 2000000000001LL);
}

static void test_half_format_writes_whole_and_half_days(void **state)
{
	char out[32];

	report_half_format(6, '.', out, sizeof(out));
	assert_string_equal(out, "3");
	report_half_format(7, '.', out, sizeof(out));
	assert_string_equal(out, "3.5");
	report_half_format(7, ',', out, sizeof(out));
	assert_string_equal(out, "3,5");
	report_half_format(0, ',', out, sizeof(out));
	assert_string_equal(out, "0");
	report_half_format(-3, '.', out, sizeof(out));
	assert_string_equal(out, "-1.5");
}

static void test_month_parse_accepts_only_year_dash_month(void **state)
{
	int ym;

	assert_int_equal(report_month_parse("2025-03", &ym), 0);
	assert_int_equal(ym, 2025 * 12 + 2);
	assert_int_equal(report_month_parse("1970-01", &ym), 0);
	assert_int_equal(ym, 1970 * 12);
	assert_int_equal(report_month_parse("2025-13", &ym), -1);
	assert_int_equal(report_month_parse("2025-00", &ym), -1);
	assert_int_equal(report_month_parse("1969-12", &ym), -1);
	assert_int_equal(report_month_parse("2025-3", &ym), -1);
	assert_int_equal(report_month_parse("2025-03-01", &ym), -1);
	assert_int_equal(report_month_parse("+025-03", &ym), -1);
	assert_int_equal(report_month_parse("2025/03", &ym), -1);
	assert_int_equal(report_month_parse("", &ym), -1);
	assert_int_equal(report_month_parse(NULL, &ym), -1);
}

static void cell_is(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	report_csv_cell(&b, in);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

/* RFC 4180 2.6, 2.7. */
static void test_csv_cell_quotes_separators_and_quotes(void **state)
{
	cell_is("plain", "plain");
	cell_is("", "");
	cell_is("Potvr\xc4\x91"
		"en, \xc4\x8d"
		"eka",
		"\"Potvr\xc4\x91"
		"en, \xc4\x8d"
		"eka\"");
	cell_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	cell_is("two\r\nlines", "\"two\r\nlines\"");
}

/* OWASP CSV injection. */
static void test_csv_cell_defuses_formula_starts(void **state)
{
	cell_is("=1+2", "'=1+2");
	cell_is("+381", "'+381");
	cell_is("-5", "'-5");
	cell_is("@SUM(A1)", "'@SUM(A1)");
	cell_is("\tx", "'\tx");
	cell_is("=a,b", "\"'=a,b\"");
	cell_is("a=b", "a=b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_of_odd_count_is_the_middle_value),
		cmocka_unit_test(test_median_of_even_count_is_exact_half),
		cmocka_unit_test(test_median_has_no_overflow_or_rounding_for_large_values),
		cmocka_unit_test(test_half_format_writes_whole_and_half_days),
		cmocka_unit_test(test_month_parse_accepts_only_year_dash_month),
		cmocka_unit_test(test_csv_cell_quotes_separators_and_quotes),
		cmocka_unit_test(test_csv_cell_defuses_formula_starts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
