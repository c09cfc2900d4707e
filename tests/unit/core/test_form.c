/* Specification of the urlencoded form parser (http/form.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "http/form.h"

struct fixture {
	struct arena a;
	struct form f;
};

static int setup(void **state)
{
	static struct fixture fx;

	arena_init(&fx.a);
	memset(&fx.f, 0, sizeof(fx.f));
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	arena_free(&fx->a);
	return 0;
}

static int parse(void **state, const char *s)
{
	struct fixture *fx = *state;

	return form_parse(&fx->a, s, strlen(s), &fx->f);
}

static const struct form *form_of(void **state)
{
	return &((struct fixture *)*state)->f;
}

static void assert_rejected(void **state, const char *s)
{
	assert_int_equal(parse(state, s), -1);
	assert_int_equal(form_of(state)->n, 0);
	assert_null(form_of(state)->params);
}

static void test_form_parses_pairs_in_order(void **state)
{
	const struct form *f = form_of(state);

	assert_int_equal(parse(state, "name=Ana&city=Novi%20Sad&age=30"), 0);
	assert_int_equal(f->n, 3);
	assert_string_equal(f->params[0].name, "name");
	assert_string_equal(f->params[0].value, "Ana");
	assert_string_equal(f->params[1].name, "city");
	assert_string_equal(f->params[1].value, "Novi Sad");
	assert_string_equal(f->params[2].name, "age");
	assert_string_equal(f->params[2].value, "30");
}

static void test_form_plus_is_space(void **state)
{
	assert_int_equal(parse(state, "q=a+b++c&x+y=1"), 0);
	assert_string_equal(form_get(form_of(state), "q"), "a b  c");
	assert_string_equal(form_get(form_of(state), "x y"), "1");
}

static void test_form_encoded_plus_is_plus(void **state)
{
	assert_int_equal(parse(state, "tel=%2B381"), 0);
	assert_string_equal(form_get(form_of(state), "tel"), "+381");
}

static void test_form_decodes_hex_either_case(void **state)
{
	assert_int_equal(parse(state, "a=%3c%3E%26%3d"), 0);
	assert_string_equal(form_get(form_of(state), "a"), "<>&=");
}

static void test_form_decodes_names(void **state)
{
	assert_int_equal(parse(state, "first%5Fname=x"), 0);
	assert_string_equal(form_get(form_of(state), "first_name"), "x");
}

static void test_form_splits_at_first_equals(void **state)
{
	assert_int_equal(parse(state, "expr=a=b=c"), 0);
	assert_string_equal(form_get(form_of(state), "expr"), "a=b=c");
}

static void test_form_pair_without_equals_has_empty_value(void **state)
{
	assert_int_equal(parse(state, "flag&b=2"), 0);
	assert_int_equal(form_of(state)->n, 2);
	assert_string_equal(form_get(form_of(state), "flag"), "");
	assert_string_equal(form_get(form_of(state), "b"), "2");
}

static void test_form_empty_value(void **state)
{
	assert_int_equal(parse(state, "a="), 0);
	assert_string_equal(form_get(form_of(state), "a"), "");
}

static void test_form_skips_empty_pairs(void **state)
{
	assert_int_equal(parse(state, "&a=1&&b=2&"), 0);
	assert_int_equal(form_of(state)->n, 2);
	assert_string_equal(form_get(form_of(state), "a"), "1");
	assert_string_equal(form_get(form_of(state), "b"), "2");
}

static void test_form_empty_input(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(parse(state, ""), 0);
	assert_int_equal(fx->f.n, 0);
	assert_int_equal(form_parse(&fx->a, NULL, 0, &fx->f), 0);
	assert_int_equal(fx->f.n, 0);
	assert_int_equal(parse(state, "&&&"), 0);
	assert_int_equal(fx->f.n, 0);
}

static void test_form_get_returns_first_value(void **state)
{
	assert_int_equal(parse(state, "role=a&role=b"), 0);
	assert_int_equal(form_of(state)->n, 2);
	assert_string_equal(form_get(form_of(state), "role"), "a");
}

static void test_form_get_missing_is_null(void **state)
{
	assert_int_equal(parse(state, "a=1"), 0);
	assert_null(form_get(form_of(state), "b"));
	assert_null(form_get(form_of(state), "A"));
}

static void test_form_respects_length(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(form_parse(&fx->a, "a=12345", 4, &fx->f), 0);
	assert_string_equal(form_get(&fx->f, "a"), "12");
}

static void test_form_rejects_bad_percent_escape(void **state)
{
	assert_rejected(state, "a=%");
	assert_rejected(state, "a=%4");
	assert_rejected(state, "a=%zz");
	assert_rejected(state, "a=%4g");
	assert_rejected(state, "ok=1&a=100%");
	assert_rejected(state, "%=1");
	assert_rejected(state, "a=%%41");
}

static void test_form_rejects_decoded_nul(void **state)
{
	assert_rejected(state, "a=x%00y");
	assert_rejected(state, "a%00=1");
}

static void test_form_rejects_raw_nul(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(form_parse(&fx->a, "a=x\0y", 5, &fx->f), -1);
	assert_int_equal(fx->f.n, 0);
}

static void test_form_rejects_invalid_utf8(void **state)
{
	assert_rejected(state, "a=%C4");       /* truncated */
	assert_rejected(state, "a=%C0%AF");    /* overlong '/' */
	assert_rejected(state, "a=%ED%A0%80"); /* surrogate */
	assert_rejected(state, "a=%FF");
	assert_rejected(state, "%E8=1");  /* in a name */
	assert_rejected(state, "a=\xc4"); /* raw, not encoded */
}

static void test_form_rejection_empties_previous_result(void **state)
{
	assert_int_equal(parse(state, "a=1"), 0);
	assert_rejected(state, "a=1&b=%");
}

static void test_form_passes_serbian_latin(void **state)
{
	/* "čćšžđ ČĆŠŽĐ" as a browser sends it */
	assert_int_equal(parse(state, "ime=%C4%8D%C4%87%C5%A1%C5%BE%C4%91+"
				      "%C4%8C%C4%86%C5%A0%C5%BD%C4%90"),
			 0);
	assert_string_equal(form_get(form_of(state), "ime"), "čćšžđ ČĆŠŽĐ");
}

static void test_form_passes_cyrillic(void **state)
{
	/* "Ђорђе Љубић" */
	assert_int_equal(parse(state, "ime=%D0%82%D0%BE%D1%80%D1%92%D0%B5+"
				      "%D0%89%D1%83%D0%B1%D0%B8%D1%9B"),
			 0);
	assert_string_equal(form_get(form_of(state), "ime"), "Ђорђе Љубић");
}

static void test_form_passes_raw_utf8(void **state)
{
	assert_int_equal(parse(state, "grad=Niš&улица=Кнеза Милоша"), 0);
	assert_string_equal(form_get(form_of(state), "grad"), "Niš");
	assert_string_equal(form_get(form_of(state), "улица"), "Кнеза Милоша");
}

static void test_form_accepts_max_params(void **state)
{
	char data[FORM_MAX_PARAMS * 16];
	size_t i, n = 0;

	for (i = 0; i < FORM_MAX_PARAMS; i++)
		n += (size_t)snprintf(data + n, sizeof(data) - n, "%sp%zu=%zu", i ? "&" : "", i, i);
	assert_int_equal(parse(state, data), 0);
	assert_int_equal(form_of(state)->n, FORM_MAX_PARAMS);
	assert_string_equal(form_get(form_of(state), "p255"), "255");
}

static void test_form_rejects_too_many_params(void **state)
{
	char data[(FORM_MAX_PARAMS + 1) * 16];
	size_t i, n = 0;

	for (i = 0; i < FORM_MAX_PARAMS + 1; i++)
		n += (size_t)snprintf(data + n, sizeof(data) - n, "%sp%zu=%zu", i ? "&" : "", i, i);
	assert_rejected(state, data);
}

static void test_form_empty_pairs_do_not_count_towards_limit(void **state)
{
	char data[FORM_MAX_PARAMS * 16];
	size_t i, n = 0;

	for (i = 0; i < FORM_MAX_PARAMS; i++)
		n += (size_t)snprintf(data + n, sizeof(data) - n, "&&p%zu=1", i);
	assert_int_equal(parse(state, data), 0);
	assert_int_equal(form_of(state)->n, FORM_MAX_PARAMS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_form_parses_pairs_in_order),
		T(test_form_plus_is_space),
		T(test_form_encoded_plus_is_plus),
		T(test_form_decodes_hex_either_case),
		T(test_form_decodes_names),
		T(test_form_splits_at_first_equals),
		T(test_form_pair_without_equals_has_empty_value),
		T(test_form_empty_value),
		T(test_form_skips_empty_pairs),
		T(test_form_empty_input),
		T(test_form_get_returns_first_value),
		T(test_form_get_missing_is_null),
		T(test_form_respects_length),
		T(test_form_rejects_bad_percent_escape),
		T(test_form_rejects_decoded_nul),
		T(test_form_rejects_raw_nul),
		T(test_form_rejects_invalid_utf8),
		T(test_form_rejection_empties_previous_result),
		T(test_form_passes_serbian_latin),
		T(test_form_passes_cyrillic),
		T(test_form_passes_raw_utf8),
		T(test_form_accepts_max_params),
		T(test_form_rejects_too_many_params),
		T(test_form_empty_pairs_do_not_count_towards_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
