/*
 * Logs an operator can follow (issue 18, point 4), over real HTTP:
 * every answer carries a request id (X-Request-Id) that is also in the
 * access log line and in every other log line written while the
 * request ran, and an error page shows it to the user as the code to
 * quote to support; with log_format = json every line the server writes
 * is one JSON object.
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "harness.h"
#include "journey.h"

static int setup_text(void **state)
{
	return journey_fx_setup(state, NULL);
}

static int setup_json(void **state)
{
	static const char *const env[] = {"QCRA_LOG_FORMAT=json", NULL};

	return journey_fx_setup(state, env);
}

/* The response's request id, checked for its form (three groups of four
 * lowercase hex digits, easy to read out over the phone); malloc'd. */
static char *request_id(const struct response *r)
{
	char *id = response_header(r, "X-Request-Id");
	size_t i;

	if (id == NULL)
		fail_msg("no X-Request-Id header");
	if (strlen(id) != 14)
		fail_msg("request id \"%s\" is not 14 characters", id);
	for (i = 0; i < 14; i++)
		if (i % 5 == 4 ? id[i] != '-'
			       : !(isdigit((unsigned char)id[i]) || (id[i] >= 'a' && id[i] <= 'f')))
			fail_msg("request id \"%s\" is not xxxx-xxxx-xxxx (hex)", id);
	return id;
}

/* The number of lines of the server log holding every one of the
 * NULL-terminated needles. */
static int log_lines_with(const struct server *s, ...)
{
	char *log = server_log(s), *line, *save = NULL;
	const char *needle;
	int n = 0, all;
	va_list ap;

	assert_non_null(log);
	for (line = strtok_r(log, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		all = 1;
		va_start(ap, s);
		while ((needle = va_arg(ap, const char *)) != NULL)
			if (strstr(line, needle) == NULL)
				all = 0;
		va_end(ap);
		n += all;
	}
	free(log);
	return n;
}

static void test_error_page_quotes_the_request_id(void **state)
{
	struct journey_fx *f = *state;
	char *id, *rid;

	assert_int_equal(client_get(&f->c, "/no/such/page?lang=sr", &f->r), 0);
	assert_int_equal(f->r.status, 404);
	id = request_id(&f->r);
	/* Told to the user with what to do with it. */
	if (strstr(buf_cstr(&f->r.body), id) == NULL)
		fail_msg("the error page does not show the request id %s:\n%s", id,
			 buf_cstr(&f->r.body));
	assert_non_null(strstr(buf_cstr(&f->r.body), "podršk"));
	rid = malloc(strlen(id) + 8);
	sprintf(rid, "rid=%s", id);
	server_wait(&f->s, 200);
	assert_int_equal(log_lines_with(&f->s, " access ", "path=/no/such/page", rid, NULL), 1);
	free(rid);
	free(id);

	response_free(&f->r);
	assert_int_equal(client_get(&f->c, "/no/such/page?lang=en", &f->r), 0);
	id = request_id(&f->r);
	assert_non_null(strstr(buf_cstr(&f->r.body), id));
	assert_non_null(strstr(buf_cstr(&f->r.body), "support"));
	free(id);
}

static void test_each_answer_has_its_own_id(void **state)
{
	struct journey_fx *f = *state;
	char *a, *b;

	assert_int_equal(client_get(&f->c, "/login", &f->r), 0);
	assert_int_equal(f->r.status, 200);
	a = request_id(&f->r);
	response_free(&f->r);
	assert_int_equal(client_get(&f->c, "/login", &f->r), 0);
	b = request_id(&f->r);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}

/* A security event logged while a request ran (a form posted without
 * its CSRF token) carries that request's id, so the access line and the
 * warning can be put together. */
static void test_lines_written_during_a_request_carry_its_id(void **state)
{
	struct journey_fx *f = *state;
	char *id, rid[32];

	assert_int_equal(client_post(&f->c, "/login", "username=a&password=b", &f->r), 0);
	assert_int_equal(f->r.status, 403);
	id = request_id(&f->r);
	snprintf(rid, sizeof(rid), "rid=%s", id);
	server_wait(&f->s, 200);
	assert_int_equal(log_lines_with(&f->s, " warn ", "csrf", rid, NULL), 1);
	assert_int_equal(log_lines_with(&f->s, " access ", rid, NULL), 1);
	free(id);
}

/* log_format = json: every line is one object with a time and a level;
 * the access entry names the request's id, method, path and status. */
static void test_json_lines(void **state)
{
	struct journey_fx *f = *state;
	char *log, *line, *save = NULL, *id;
	int lines = 0, access = 0;
	json_error_t jerr;

	assert_int_equal(client_get(&f->c, "/no/such/page", &f->r), 0);
	assert_int_equal(f->r.status, 404);
	id = request_id(&f->r);
	server_wait(&f->s, 200);
	log = server_log(&f->s);
	assert_non_null(log);
	for (line = strtok_r(log, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		const char *rid, *path;

		if (o == NULL || !json_is_object(o))
			fail_msg("not a JSON object: %s (%s)", line, jerr.text);
		lines++;
		assert_true(json_is_string(json_object_get(o, "ts")));
		assert_true(json_is_string(json_object_get(o, "level")));
		path = json_string_value(json_object_get(o, "path"));
		rid = json_string_value(json_object_get(o, "rid"));
		if (path != NULL && strcmp(path, "/no/such/page") == 0) {
			access++;
			assert_non_null(rid);
			assert_string_equal(rid, id);
			assert_string_equal(json_string_value(json_object_get(o, "method")), "GET");
			assert_int_equal(json_integer_value(json_object_get(o, "status")), 404);
		} else {
			assert_true(json_is_string(json_object_get(o, "msg")) || path != NULL);
		}
		json_decref(o);
	}
	assert_true(lines >= 2); /* the start-up lines and the access entries */
	assert_int_equal(access, 1);
	free(log);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_page_quotes_the_request_id, setup_text,
						journey_fx_teardown),
		cmocka_unit_test_setup_teardown(test_each_answer_has_its_own_id, setup_text,
						journey_fx_teardown),
		cmocka_unit_test_setup_teardown(test_lines_written_during_a_request_carry_its_id,
						setup_text, journey_fx_teardown),
		cmocka_unit_test_setup_teardown(test_json_lines, setup_json, journey_fx_teardown),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
