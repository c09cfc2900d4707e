/*
 * RFC 4180 CSV reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "domain/csv.h"

static void csv_open(struct csv *r, const char *s)
{
	csv_init(r, s, strlen(s));
}

static void test_csv_reads_simple_records(void **state)
{
	struct csv r;

	csv_open(&r, "a,b,c\n1,2,3\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(r.fields[0], "a");
	assert_string_equal(r.fields[1], "b");
	assert_string_equal(r.fields[2], "c");
	assert_int_equal(r.line, 1);
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 3);
	assert_string_equal(r.fields[2], "3");
	assert_int_equal(r.line, 2);
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

/* With ';' as the separator a comma is ordinary text; a quoted ';' too. */
static void test_csv_semicolon_separator(void **state)
{
	const char *text = "5.880,00;\"a;b\";;x,y\n";
	struct csv r;

	(void)state;
	csv_init_sep(&r, text, strlen(text), ';');
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 4);
	assert_string_equal(r.fields[0], "5.880,00");
	assert_string_equal(r.fields[1], "a;b");
	assert_string_equal(r.fields[2], "");
	assert_string_equal(r.fields[3], "x,y");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_reads_empty_fields(void **state)
{
	struct csv r;

	csv_open(&r, ",a,,\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 4);
	assert_string_equal(r.fields[0], "");
	assert_string_equal(r.fields[1], "a");
	assert_string_equal(r.fields[2], "");
	assert_string_equal(r.fields[3], "");
	csv_free(&r);
}

static void test_csv_unquotes_quoted_field(void **state)
{
	struct csv r;

	csv_open(&r, "\"Žarko Đurašković\",\"\"\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "Žarko Đurašković");
	assert_string_equal(r.fields[1], "");
	csv_free(&r);
}

static void test_csv_reads_escaped_quote(void **state)
{
	struct csv r;

	csv_open(&r, "\"Firma \"\"Primer\"\" d.o.o.\",\"\"\"\"\n");
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[0], "Firma \"Primer\" d.o.o.");
	assert_string_equal(r.fields[1], "\"");
	csv_free(&r);
}

static void test_csv_keeps_comma_inside_quotes(void **state)
{
	struct csv r;

	csv_open(&r, "\"Beograd, Srbija\",x\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "Beograd, Srbija");
	assert_string_equal(r.fields[1], "x");
	csv_free(&r);
}

static void test_csv_keeps_newline_inside_quotes(void **state)
{
	struct csv r;

	csv_open(&r, "\"Knez Mihailova 1\n11000 Beograd\",x\nnext,y\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "Knez Mihailova 1\n11000 Beograd");
	assert_int_equal(r.line, 1);
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[0], "next");
	assert_int_equal(r.line, 3);
	csv_free(&r);
}

static void test_csv_accepts_crlf(void **state)
{
	struct csv r;

	csv_open(&r, "a,b\r\nc,\"d\r\ne\"\r\nf,g\r\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[1], "b");
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[0], "c");
	assert_string_equal(r.fields[1], "d\r\ne");
	assert_int_equal(r.line, 2);
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[1], "g");
	assert_int_equal(r.line, 4);
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_keeps_lone_cr_as_data(void **state)
{
	struct csv r;

	csv_open(&r, "a\rb,c\r");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "a\rb");
	assert_string_equal(r.fields[1], "c");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_skips_bom(void **state)
{
	struct csv r;

	csv_open(&r, "\xef\xbb\xbfime,prezime\n");
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[0], "ime");
	assert_int_equal(r.line, 1);
	csv_free(&r);
}

static void test_csv_keeps_bom_after_start_as_data(void **state)
{
	struct csv r;

	csv_open(&r, "a,\357\273\277b\n");
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[1], "\357\273\277b");
	csv_free(&r);
}

static void test_csv_skips_blank_lines(void **state)
{
	struct csv r;

	csv_open(&r, "\n\r\na\n\n\nb\r\n\r\n");
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[0], "a");
	assert_int_equal(r.line, 3);
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[0], "b");
	assert_int_equal(r.line, 6);
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_reads_last_record_without_newline(void **state)
{
	struct csv r;

	csv_open(&r, "a,b\nc,d");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[0], "c");
	assert_string_equal(r.fields[1], "d");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_reads_last_quoted_field_without_newline(void **state)
{
	struct csv r;

	csv_open(&r, "a,\"b\"");
	assert_int_equal(csv_next(&r), 1);
	assert_string_equal(r.fields[1], "b");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_reads_trailing_empty_field_at_end(void **state)
{
	struct csv r;

	csv_open(&r, "a,");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_string_equal(r.fields[1], "");
	csv_free(&r);
}

static void test_csv_returns_0_for_empty_input(void **state)
{
	struct csv r;

	csv_open(&r, "");
	assert_int_equal(csv_next(&r), 0);
	assert_int_equal(r.nfields, 0);
	csv_open(&r, "\xef\xbb\xbf\n\n");
	assert_int_equal(csv_next(&r), 0);
	csv_free(&r);
}

static void test_csv_reports_unterminated_quote_with_line(void **state)
{
	struct csv r;

	csv_open(&r, "a,b\nc,\"d\ne,f\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.line, 2);
	assert_string_equal(r.error, "unterminated quoted field");
	assert_int_equal(r.err, CSV_E_UNTERMINATED);
	csv_free(&r);
}

static void test_csv_reports_quote_inside_unquoted_field(void **state)
{
	struct csv r;

	csv_open(&r, "a,b\n\nc,d\"e\n");
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.line, 3);
	assert_string_equal(r.error, "quote inside an unquoted field");
	assert_int_equal(r.err, CSV_E_QUOTE_INSIDE);
	csv_free(&r);
}

static void test_csv_reports_text_after_closing_quote(void **state)
{
	struct csv r;

	csv_open(&r, "\"ab\"c,d\n");
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.line, 1);
	assert_string_equal(r.error, "text after the closing quote of a field");
	assert_int_equal(r.err, CSV_E_AFTER_QUOTE);
	csv_free(&r);
}

static void test_csv_reports_error_on_line_inside_multiline_record(void **state)
{
	struct csv r;

	csv_open(&r, "\"a\nb\nc\"x\n");
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(r.line, 3);
	csv_free(&r);
}

static void test_csv_accepts_64_fields(void **state)
{
	char s[200];
	struct csv r;

	memset(s, ',', 63);
	strcpy(s + 63, "\n");
	csv_open(&r, s);
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, CSV_MAX_FIELDS);
	csv_free(&r);
}

static void test_csv_rejects_65_fields(void **state)
{
	char s[200];
	struct csv r;

	memset(s, ',', 64);
	strcpy(s + 64, "\n");
	csv_open(&r, s);
	assert_int_equal(csv_next(&r), -1);
	assert_string_equal(r.error, "more than 64 fields in a record");
	assert_int_equal(r.err, CSV_E_FIELDS);
	assert_int_equal(r.nfields, 0);
	csv_free(&r);
}

static void test_csv_rejects_nul_byte(void **state)
{
	static const char s[] = "a,b\0c\n";
	struct csv r;

	csv_init(&r, s, sizeof(s) - 1);
	assert_int_equal(csv_next(&r), -1);
	assert_string_equal(r.error, "NUL byte in input");
	csv_free(&r);
}

static void test_csv_stays_failed_after_error(void **state)
{
	struct csv r;

	csv_open(&r, "a\"b\nc,d\n");
	assert_int_equal(csv_next(&r), -1);
	assert_int_equal(csv_next(&r), -1);
	csv_free(&r);
}

static void test_csv_grows_storage_for_long_fields(void **state)
{
	size_t n = 100000;
	char *s = malloc(n + 4);
	struct csv r;

	assert_non_null(s);
	s[0] = '"';
	memset(s + 1, 'x', n);
	strcpy(s + 1 + n, "\",");
	csv_open(&r, s);
	assert_int_equal(csv_next(&r), 1);
	assert_int_equal(r.nfields, 2);
	assert_int_equal(strlen(r.fields[0]), n);
	assert_string_equal(r.fields[1], "");
	csv_free(&r);
	free(s);
}

static void test_csv_free_accepts_null_and_repeats(void **state)
{
	struct csv r;

	csv_free(NULL);
	csv_open(&r, "a\n");
	assert_int_equal(csv_next(&r), 1);
	csv_free(&r);
	csv_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_reads_simple_records),
		cmocka_unit_test(test_csv_semicolon_separator),
		cmocka_unit_test(test_csv_reads_empty_fields),
		cmocka_unit_test(test_csv_unquotes_quoted_field),
		cmocka_unit_test(test_csv_reads_escaped_quote),
		cmocka_unit_test(test_csv_keeps_comma_inside_quotes),
		cmocka_unit_test(test_csv_keeps_newline_inside_quotes),
		cmocka_unit_test(test_csv_accepts_crlf),
		cmocka_unit_test(test_csv_keeps_lone_cr_as_data),
		cmocka_unit_test(test_csv_skips_bom),
		cmocka_unit_test(test_csv_keeps_bom_after_start_as_data),
		cmocka_unit_test(test_csv_skips_blank_lines),
		cmocka_unit_test(test_csv_reads_last_record_without_newline),
		cmocka_unit_test(test_csv_reads_last_quoted_field_without_newline),
		cmocka_unit_test(test_csv_reads_trailing_empty_field_at_end),
		cmocka_unit_test(test_csv_returns_0_for_empty_input),
		cmocka_unit_test(test_csv_reports_unterminated_quote_with_line),
		cmocka_unit_test(test_csv_reports_quote_inside_unquoted_field),
		cmocka_unit_test(test_csv_reports_text_after_closing_quote),
		cmocka_unit_test(test_csv_reports_error_on_line_inside_multiline_record),
		cmocka_unit_test(test_csv_accepts_64_fields),
		cmocka_unit_test(test_csv_rejects_65_fields),
		cmocka_unit_test(test_csv_rejects_nul_byte),
		cmocka_unit_test(test_csv_stays_failed_after_error),
		cmocka_unit_test(test_csv_grows_storage_for_long_fields),
		cmocka_unit_test(test_csv_free_accepts_null_and_repeats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
