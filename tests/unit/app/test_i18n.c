/* The message catalogue: complete in both languages, used keys exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/catalog_load.h"
#include "core/i18n.h"
#include "util/arena.h"
#include "util/embedded.h"

/* The messages with the built-in (demo) catalogue's brand in them, as
 * the portal loads them. */
static int setup(void **state)
{
	static struct config cfg; /* no catalog_file: the built-in one */
	char err[256];

	if (catalog_messages_load(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	i18n_free();
	return 0;
}

static void test_every_key_exists_in_both_languages(void **state)
{
	size_t i;
	int l, missing = 0;

	for (l = 0; l < LANG__MAX; l++)
		for (i = 0; i < i18n_count((enum lang)l); i++) {
			const char *k = i18n_key_at((enum lang)l, i);
			enum lang other = l == LANG_SR ? LANG_EN : LANG_SR;

			if (!i18n_has(other, k)) {
				fprintf(stderr, "key %s missing in %s\n", k, i18n_code(other));
				missing++;
			}
		}
	assert_int_equal(missing, 0);
	assert_true(i18n_count(LANG_SR) > 50);
}

/* Every {{@key}} in every template, and every key named in the C
 * sources' message tables, resolves in both catalogues. */
static void test_template_keys_exist(void **state)
{
	size_t i;
	int missing = 0;

	for (i = 0; i < embedded_count; i++) {
		const char *p = (const char *)embedded_files[i].data, *q;

		if (strncmp(embedded_files[i].name, "templates/", 10) != 0)
			continue;
		while ((p = strstr(p, "{{@")) != NULL) {
			char key[128];
			size_t n;

			p += 3;
			q = strstr(p, "}}");
			assert_non_null(q);
			n = (size_t)(q - p);
			assert_true(n < sizeof(key));
			memcpy(key, p, n);
			key[n] = '\0';
			if (!i18n_has(LANG_SR, key) || !i18n_has(LANG_EN, key)) {
				fprintf(stderr, "%s: key %s missing\n", embedded_files[i].name,
					key);
				missing++;
			}
		}
	}
	assert_int_equal(missing, 0);
}

static void test_serbian_is_default_and_diacritics_intact(void **state)
{
	enum lang l;

	assert_int_equal(i18n_parse("sr", &l), 0);
	assert_int_equal(l, LANG_SR);
	assert_int_equal(i18n_parse("de", &l), -1);
	assert_non_null(strstr(i18n_get(LANG_SR, "site.name"), "Inženjerska"));
	assert_string_equal(i18n_get(LANG_EN, "no.such.key"), "no.such.key");
}

/* Every "{brand.NAME}" of the catalogue is filled in from the catalogue
 * file: no text keeps one. */
static void test_brand_names_come_from_the_catalogue_file(void **state)
{
	for (int l = 0; l < LANG__MAX; l++)
		for (size_t i = 0; i < i18n_count((enum lang)l); i++) {
			const char *k = i18n_key_at((enum lang)l, i);

			if (strstr(i18n_get((enum lang)l, k), "{brand.") != NULL)
				fail_msg("%s: %s keeps a brand placeholder",
					 i18n_code((enum lang)l), k);
		}
	assert_string_equal(i18n_get(LANG_EN, "site.name"),
			    "Engineering Chamber of Serbia \xc2\xb7 Qualified certificates");
}

static void test_format_replaces_placeholders(void **state)
{
	struct arena a;
	char *s;

	arena_init(&a);
	s = i18n_format(&a, LANG_SR, "mail.username.body", "username", "žarko", "link",
			"http://x/login", NULL);
	assert_non_null(strstr(s, "žarko"));
	assert_non_null(strstr(s, "http://x/login"));
	assert_null(strstr(s, "{username}"));
	assert_non_null(strchr(s, '\n'));
	arena_free(&a);
}

/* A count agrees with its noun: Serbian has three forms (1, 21, 101
 * znak; 2-4, 22-24 znaka; 5-20, 11-14, 25 znakova), English two, and
 * the Cyrillic page writes the chosen form in Cyrillic. */
static void test_counts_agree_with_their_nouns(void **state)
{
	static const struct {
		enum lang l;
		const char *max, *want;
	} cases[] = {
		{LANG_SR, "1", "najviše 1 znak."},
		{LANG_SR, "21", "najviše 21 znak."},
		{LANG_SR, "64", "najviše 64 znaka."},
		{LANG_SR, "63", "najviše 63 znaka."},
		{LANG_SR, "12", "najviše 12 znakova."},
		{LANG_SR, "111", "najviše 111 znakova."},
		{LANG_SR, "95", "najviše 95 znakova."},
		{LANG_SR, "254", "najviše 254 znaka."},
		{LANG_EN, "1", "at most 1 character is"},
		{LANG_EN, "64", "at most 64 characters are"},
		{LANG_SR_CYRL, "64", "64 \xd0\xb7\xd0\xbd\xd0\xb0\xd0\xba\xd0\xb0."}, /* знака */
	};
	struct arena a;
	size_t i;
	char *s;

	(void)state;
	arena_init(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = i18n_format(&a, cases[i].l, "field.too_long", "max", cases[i].max, NULL);
		if (strstr(s, cases[i].want) == NULL)
			fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].max, s, cases[i].want);
	}
	s = i18n_format(&a, LANG_SR, "mail.cert_expiry.subject", "days", "1", NULL);
	assert_non_null(strstr(s, "za 1 dan"));
	assert_null(strstr(s, "1 dana"));
	s = i18n_format(&a, LANG_EN, "mail.cert_expiry.subject", "days", "1", NULL);
	assert_non_null(strstr(s, "in 1 day"));
	arena_free(&a);
}

/* History notes: kept as key and values, shown in the reader's language;
 * a value never splits the note, keys named with "@" are translated. */
static void test_notes_are_shown_in_the_readers_language(void **state)
{
	struct arena a;
	char buf[256], plain[256];
	const char *note;

	(void)state;
	arena_init(&a);
	note = i18n_note(&a, "bo.note_handed", "@id_type", "order.passport", "id_number",
			 "P12\x1f"
			 "3\x1e",
			 NULL);
	assert_string_equal(i18n_note_text(&a, LANG_EN, note),
			    "Handed over in person against: Passport no. P12 3 ");
	assert_non_null(strstr(i18n_note_text(&a, LANG_SR, note), "Paso\xc5\xa1 br. P12 3 "));
	/* The buffer form writes the same note, and says what it needed. */
	assert_int_equal(i18n_note_to(buf, sizeof(buf), "bo.note_handed", "@id_type",
				      "order.passport", "id_number",
				      "P12\x1f"
				      "3\x1e",
				      NULL),
			 strlen(note));
	assert_string_equal(buf, note);
	assert_true(i18n_note_to(buf, 8, "bo.note_handed", NULL) > 7);
	assert_int_equal(strlen(buf), 7);
	/* For logs: plain text with the key. */
	i18n_note_plain(plain, sizeof(plain), note);
	assert_string_equal(plain, "bo.note_handed: @id_type=order.passport; id_number=P12 3 ");
	/* A key this catalogue lacks (a newer version's): as plain text. */
	assert_string_equal(i18n_note_text(&a, LANG_EN,
					   "\x1eno.such_key\x1f"
					   "a=1\x1f"
					   "b=2"),
			    "no.such_key: a=1; b=2");
	/* Free text, and notes written before, stay as they are. */
	assert_string_equal(i18n_note_text(&a, LANG_EN, "Dokumenta stigla"), "Dokumenta stigla");
	i18n_note_plain(plain, sizeof(plain), "a: b");
	assert_string_equal(plain, "a: b");
	/* i18n_format leaves values alone, "@" ones too, unless the name says. */
	assert_string_equal(
		i18n_format(&a, LANG_EN, "bo.note_sent", "reference", "@order.passport", NULL),
		"Sent to the Certification Authority, reference @order.passport");
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key_exists_in_both_languages),
		cmocka_unit_test(test_template_keys_exist),
		cmocka_unit_test(test_serbian_is_default_and_diacritics_intact),
		cmocka_unit_test(test_format_replaces_placeholders),
		cmocka_unit_test(test_counts_agree_with_their_nouns),
		cmocka_unit_test(test_brand_names_come_from_the_catalogue_file),
		cmocka_unit_test(test_notes_are_shown_in_the_readers_language),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
