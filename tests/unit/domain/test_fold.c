/* Search folding of Serbian text (domain/fold.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "domain/fold.h"

static void assert_folds(const char *in, const char *want)
{
	char out[128];

	assert_int_equal(text_fold(in, strlen(in), out, sizeof(out)), strlen(want));
	assert_string_equal(out, want);
}

static void test_latin_diacritics_and_case(void **state)
{
	(void)state;
	assert_folds("\xc4\x90ura\xc5\xa1kovi\xc4\x87", "duraskovic"); /* Đurašković */
	assert_folds("\xc5\xbd"
		     "ARKO \xc4\x8c"
		     "A\xc4\x86"
		     "I\xc4\x86",
		     "zarko cacic"); /* ŽARKO ČAĆIĆ */
	assert_folds("DJORDJE Djuri\xc4\x87", "dorde duric");
	assert_folds("D\xc5\xbe"
		     "amonja",
		     "dzamonja"); /* Džamonja */
}

static void test_cyrillic_to_latin(void **state)
{
	(void)state;
	/* Ђурашковић Жарко */
	assert_folds(
		"\xd0\x82\xd1\x83\xd1\x80\xd0\xb0\xd1\x88\xd0\xba\xd0\xbe\xd0\xb2\xd0\xb8\xd1\x9b "
		"\xd0\x96\xd0\xb0\xd1\x80\xd0\xba\xd0\xbe",
		"duraskovic zarko");
	/* Љубица Њемачки Џаја Јована */
	assert_folds(
		"\xd0\x89\xd1\x83\xd0\xb1\xd0\xb8\xd1\x86\xd0\xb0 "
		"\xd0\x8a\xd0\xb5\xd0\xbc\xd0\xb0\xd1\x87\xd0\xba\xd0\xb8 "
		"\xd0\x8f\xd0\xb0\xd1\x98\xd0\xb0 \xd0\x88\xd0\xbe\xd0\xb2\xd0\xb0\xd0\xbd\xd0\xb0",
		"ljubica njemacki dzaja jovana");
}

static void test_other_text_is_kept(void **state)
{
	(void)state;
	assert_folds("caf\xc3\xa9 \xe2\x80\x94 100%", "caf\xc3\xa9 \xe2\x80\x94 100%");
	assert_folds("\xff\x80x", "\xff\x80x"); /* invalid UTF-8 as it is */
	assert_folds("", "");
}

/* Cut at a character boundary, always terminated, never past size. */
static void test_small_room(void **state)
{
	char out[4];

	(void)state;
	memset(out, 'x', sizeof(out));
	assert_int_equal(text_fold("\xc5\xa0"
				   "ABCD",
				   6, out, sizeof(out)),
			 3);
	assert_string_equal(out, "sab");
	assert_int_equal(text_fold("ab\xe2\x80\x94", 5, out, sizeof(out)), 2);
	assert_string_equal(out, "ab");
	assert_int_equal(text_fold("abc", 3, out, 1), 0);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin_diacritics_and_case),
		cmocka_unit_test(test_cyrillic_to_latin),
		cmocka_unit_test(test_other_text_is_kept),
		cmocka_unit_test(test_small_room),
	};

	return cmocka_run_group_tests_name("fold", tests, NULL, NULL);
}
