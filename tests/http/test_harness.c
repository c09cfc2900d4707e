/*
 * The harness's own text helpers, which every HTTP test trusts: form
 * fields, URL encoding, header lookup, access-log matching and mail.
 * No server needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "harness.h"

static void assert_owned_string(char *got, const char *want)
{
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_form_field_value_handles_attribute_order_and_entities(void **state)
{
	const char *html = "<form><INPUT type=hidden value=\"a&amp;b&quot;c&#39;d&lt;&gt;&#x41;\" "
			   "name=\"csrf_token\"><input name='other' value='x'><input name=empty>"
			   "<input value=v2 name=un type=text/><inputs name=nope value=no></form>";

	assert_owned_string(form_field_value(html, "csrf_token"), "a&b\"c'd<>A");
	assert_owned_string(form_field_value(html, "other"), "x");
	assert_owned_string(form_field_value(html, "empty"), "");
	assert_owned_string(form_field_value(html, "un"), "v2");
	assert_null(form_field_value(html, "nope"));
	assert_null(form_field_value(html, "missing"));
}

static void test_urlenc_keeps_only_unreserved_characters(void **state)
{
	assert_owned_string(urlenc("a b&c=d/\xc3\xa9~-._"), "a%20b%26c%3Dd%2F%C3%A9~-._");
	assert_owned_string(form_encodef("a", "1", "b c", "x&y", NULL), "a=1&b%20c=x%26y");
	assert_owned_string(form_encodef("only", "", NULL), "only=");
}

static void test_response_header_is_case_insensitive_and_unfolds(void **state)
{
	struct response r = {0};

	buf_puts(&r.headers, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
			     "Set-Cookie:  a=b \r\nX-Folded: 1\r\n 2\r\n\r\n");
	assert_owned_string(response_header(&r, "set-cookie"), "a=b");
	assert_owned_string(response_header(&r, "x-folded"), "1 2");
	assert_null(response_header(&r, "Content"));
	assert_false(response_has_header(&r, "Location"));
	response_free(&r);
}

static void test_response_parse_skips_interim_responses(void **state)
{
	const char raw[] = "HTTP/1.1 100 Continue\r\n\r\n"
			   "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\n\r\nbody";
	struct response r = {0};

	assert_int_equal(response_parse(raw, sizeof(raw) - 1, &r), 0);
	assert_int_equal(r.status, 413);
	assert_owned_string(response_header(&r, "connection"), "close");
	assert_string_equal(r.body.data, "body");
	assert_int_equal(response_parse("garbage", 7, &r), -1);
	response_free(&r);
}

static void test_log_count_requests_accepts_both_layouts(void **state)
{
	const char *log = "2026-01-01T00:00:00Z access method=GET path=/healthz status=200 us=5\n"
			  "GET /healthz 200 1ms\n"
			  "GET /healthz/x 200\n"
			  "POST /healthz 405\n";

	assert_int_equal(log_count_requests(log, "GET", "/healthz", 200), 2);
	assert_int_equal(log_count_requests(log, "POST", "/healthz", 405), 1);
	assert_int_equal(log_count_requests(log, "GET", "/healthz", 404), 0);
}

static void test_mail_extract_link_decodes_quoted_printable(void **state)
{
	const char *qp = "To: a@b.rs\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
			 "Open http://127.0.0.1:5/register/confirm?token=3Dab=\r\ncd.\r\n";
	const char *plain = "To: a@b.rs\r\n\r\nGo to <https://x/register/confirm?token=a-B_1>\r\n";

	assert_owned_string(mail_extract_link(qp, "/register/confirm?token="),
			    "/register/confirm?token=abcd");
	assert_owned_string(mail_extract_link(plain, "/register/confirm?token="),
			    "/register/confirm?token=a-B_1");
	assert_null(mail_extract_link(plain, "/reset?token="));
}

static void write_mail(const struct server *s, const char *name, const char *to)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/mail/%s", s->var, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "To: %s\r\n\r\nbody %s\r\n", to, name);
	fclose(f);
}

static void test_mail_files_sort_in_version_order(void **state)
{
	struct server *s = *state;
	char path[PATH_MAX + 8];
	size_t n;
	char **files;
	char *eml;

	snprintf(path, sizeof(path), "%s/mail", s->var);
	assert_int_equal(mkdir(path, 0700), 0);
	write_mail(s, "10.eml", "Pera <pera@example.com>");
	write_mail(s, "9.eml", "mika@example.com");
	write_mail(s, "2.eml", "pera@example.com");
	write_mail(s, ".tmp-11.eml", "pera@example.com");
	write_mail(s, "notes.txt", "pera@example.com");

	files = mail_files(s, &n);
	assert_int_equal(n, 3);
	assert_non_null(strstr(files[0], "/2.eml"));
	assert_non_null(strstr(files[2], "/10.eml"));
	assert_null(files[3]);
	mail_files_free(files);

	assert_int_equal(mail_count_to(s, "PERA@example.com"), 2);
	eml = mail_latest_to(s, "pera@example.com");
	assert_non_null(eml);
	assert_non_null(strstr(eml, "body 10.eml"));
	free(eml);
	assert_null(mail_wait_to(s, "pera@example.com", 2, 100));
	assert_null(mail_latest_to(s, "nobody@example.com"));
}

static int setup_var(void **state)
{
	struct server *s = calloc(1, sizeof(*s));

	if (s == NULL || server_var_init(s) == -1) {
		free(s);
		return -1;
	}
	*state = s;
	return 0;
}

static int teardown_var(void **state)
{
	struct server *s = *state;

	server_cleanup(s);
	free(s);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form_field_value_handles_attribute_order_and_entities),
		cmocka_unit_test(test_urlenc_keeps_only_unreserved_characters),
		cmocka_unit_test(test_response_header_is_case_insensitive_and_unfolds),
		cmocka_unit_test(test_response_parse_skips_interim_responses),
		cmocka_unit_test(test_log_count_requests_accepts_both_layouts),
		cmocka_unit_test(test_mail_extract_link_decodes_quoted_printable),
		cmocka_unit_test_setup_teardown(test_mail_files_sort_in_version_order, setup_var,
						teardown_var),
	};

	return cmocka_run_group_tests_name("http_harness", tests, NULL, NULL);
}
