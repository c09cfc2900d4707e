/*
 * A member downloads their own data (issue 18, point 7; GDPR art. 15
 * and 20): GET /account/data is one JSON file with the account, the
 * member register's entry and every order with its history, in the
 * words the member's own pages use (roles and places, never a staff
 * member's username) and no secret (no password hash, no token); only
 * to the member logged in.
 */
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
#include "office.h"

static json_t *get_data(struct office *f)
{
	json_error_t jerr;
	json_t *o;
	char *h;

	assert_int_equal(office_get(f, &f->member, "/account/data"), 200);
	h = response_header(&f->r, "Content-Type");
	assert_non_null(h);
	assert_string_equal(h, "application/json; charset=utf-8");
	free(h);
	h = response_header(&f->r, "Content-Disposition");
	assert_non_null(h);
	assert_non_null(strstr(h, "attachment; filename=\"qcra-"));
	free(h);
	if ((o = json_loads(BODY(f), JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		fail_msg("not JSON: %s\n%s", jerr.text, BODY(f));
	return o;
}

static void test_member_downloads_own_data(void **state)
{
	struct office *f = *state;
	long long id = office_order(f, "NS");
	json_t *o, *orders, *ord, *hist;
	size_t i, found = 0;
	const char *text;
	char *h;

	/* Something done by an operator shows in the history as the office. */
	assert_int_equal(
		office_post(f, &f->ns, office_path(id, "documents"), "doc_request", "1", NULL),
		303);
	o = get_data(f);
	text = BODY(f);
	assert_null(strstr(text, "$argon2"));
	assert_null(strstr(text, "password"));
	assert_null(strstr(text, "\"ns1\""));
	assert_true(json_is_string(json_object_get(json_object_get(o, "account"), "username")));
	assert_true(json_is_string(json_object_get(json_object_get(o, "account"), "email")));
	assert_true(json_is_string(json_object_get(json_object_get(o, "member"), "jmbg")));
	assert_true(
		json_is_string(json_object_get(json_object_get(o, "member"), "license_number")));
	assert_true(json_is_string(json_object_get(o, "exported_at")));
	orders = json_object_get(o, "orders");
	assert_true(json_is_array(orders));
	for (i = 0; i < json_array_size(orders); i++) {
		ord = json_array_get(orders, i);
		if (json_integer_value(json_object_get(ord, "id")) != id)
			continue;
		found++;
		assert_string_equal(json_string_value(json_object_get(ord, "state")),
				    "documents_incomplete");
		assert_string_equal(json_string_value(json_object_get(ord, "office")), "NS");
		assert_true(json_is_string(json_object_get(ord, "jmbg")));
		assert_true(json_is_string(json_object_get(ord, "payment_reference")));
		hist = json_object_get(ord, "history");
		assert_true(json_is_array(hist));
		assert_true(json_array_size(hist) >= 2);
		/* The office's step, named as the member's pages name it. */
		h = json_dumps(hist, 0);
		assert_non_null(h);
		assert_non_null(strstr(h, "Kancelarija Novi Sad"));
		free(h);
	}
	assert_int_equal(found, 1);
	json_decref(o);
}

static void test_only_for_the_logged_in_member(void **state)
{
	struct office *f = *state;
	struct client anon;

	assert_int_equal(client_init(&anon, &f->s), 0);
	response_free(&f->r);
	assert_int_equal(client_get(&anon, "/account/data", &f->r), 0);
	assert_int_equal(f->r.status, 303);
	assert_null(strstr(BODY(f), "jmbg"));
	client_free(&anon);
	/* Staff have no member data of their own here. */
	response_free(&f->r);
	assert_int_equal(client_get(&f->ns, "/account/data", &f->r), 0);
	assert_int_not_equal(f->r.status, 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_member_downloads_own_data),
		cmocka_unit_test(test_only_for_the_logged_in_member),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, office_setup, office_teardown);
}
