/* The Serbian Cyrillic catalogue: the Latin one written in Cyrillic at
 * load, its code round-trips, values put into it stay as typed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog_load.h"
#include "core/config.h"
#include "core/i18n.h"
#include "util/arena.h"

/* The messages as the portal loads them, the built-in catalogue's
 * brand in (in Cyrillic for the Cyrillic texts). */
static int setup(void **state)
{
	static struct config cfg; /* no catalog_file: the built-in one */
	char err[256];

	(void)state;
	if (catalog_messages_load(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	i18n_free();
	return 0;
}

static void test_code_round_trips(void **state)
{
	enum lang l;
	int i;

	(void)state;
	for (i = 0; i < LANG__MAX; i++) {
		assert_int_equal(i18n_parse(i18n_code((enum lang)i), &l), 0);
		assert_int_equal(l, i);
	}
	assert_string_equal(i18n_code(LANG_SR_CYRL), "sr-Cyrl");
	assert_int_equal(i18n_parse("sr-cyrl", &l), 0); /* BCP 47: case aside */
	assert_int_equal(l, LANG_SR_CYRL);
	assert_int_equal(i18n_parse("sr-Latn-x", &l), -1);
	assert_int_equal(i18n_parse("sr-", &l), -1);
}

static void test_every_latin_key_has_its_cyrillic_text(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(i18n_count(LANG_SR_CYRL), i18n_count(LANG_SR));
	for (i = 0; i < i18n_count(LANG_SR); i++)
		assert_true(i18n_has(LANG_SR_CYRL, i18n_key_at(LANG_SR, i)));
	assert_string_equal(i18n_get(LANG_SR_CYRL, "site.name"),
			    "Инжењерска комора Србије · Квалификовани сертификати");
	/* The catalogue's brand is put in, in Cyrillic too (the support
	 * address follows the text in the layout, left as it is). */
	assert_string_equal(i18n_get(LANG_SR_CYRL, "site.footer"),
			    "Инжењерска комора Србије, регистрационо тело Сертификационог тела. "
			    "Техничка подршка:");
}

static void test_each_language_names_itself(void **state)
{
	(void)state;
	assert_string_equal(i18n_get(LANG_SR_CYRL, i18n_name_key(LANG_SR_CYRL)), "Ћирилица");
	assert_string_equal(i18n_get(LANG_SR, i18n_name_key(LANG_SR)), "Latinica");
	assert_string_equal(i18n_get(LANG_EN, i18n_name_key(LANG_EN)), "English");
}

static void test_values_stay_as_typed(void **state)
{
	struct arena a;
	char *s, *note;

	(void)state;
	arena_init(&a);
	s = i18n_format(&a, LANG_SR_CYRL, "mail.username.body", "username", "ljubinka.nj", "link",
			"https://portal.example/login", NULL);
	assert_non_null(strstr(s, "Поштовани,"));
	assert_non_null(strstr(s, "корисничко име"));
	assert_non_null(strstr(s, ": ljubinka.nj\n"));
	assert_non_null(strstr(s, "https://portal.example/login"));
	/* A history note written once, read in Cyrillic. */
	note = i18n_note(&a, "bo.note_sent", "reference", "Nj-7 Đorđe", NULL);
	assert_string_equal(i18n_note_text(&a, LANG_SR_CYRL, note),
			    "Прослеђено Сертификационом телу, референца Nj-7 Đorđe");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_round_trips),
		cmocka_unit_test(test_every_latin_key_has_its_cyrillic_text),
		cmocka_unit_test(test_each_language_names_itself),
		cmocka_unit_test(test_values_stay_as_typed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
