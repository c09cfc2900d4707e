/*
 * arena_printf: the formats it writes itself (literal bytes and %s, %d,
 * %u, %lld, %zu, %c, %% without flags) give what vsnprintf gives, and
 * every other format, a NULL string or a long result still goes
 * through vsnprintf.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "util/arena.h"

#define SAME(...)                                                                                  \
	do {                                                                                       \
		char want_[1024];                                                                  \
		snprintf(want_, sizeof(want_), __VA_ARGS__);                                       \
		assert_string_equal(arena_printf(&a, __VA_ARGS__), want_);                         \
	} while (0)

static void test_quick_formats_match_snprintf(void **state)
{
	struct arena a;
	char long_text[600];

	(void)state;
	arena_init(&a);
	memset(long_text, 'x', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	SAME("%lld", 0LL);
	SAME("%lld", 42LL);
	SAME("%lld", -42LL);
	SAME("%lld", LLONG_MAX);
	SAME("%lld", LLONG_MIN);
	SAME("%d|%d|%d", 0, INT_MIN, INT_MAX);
	SAME("%u %zu", UINT_MAX, (size_t)SIZE_MAX);
	SAME("%s %s", "Petar", "Petrović");
	SAME("%s%s", "", "");
	SAME("/orders/%lld/edit", 123456789LL);
	SAME("%s&page=%d", "/ra/orders?q=a", -1);
	SAME("%s%s%clang=%s", "/orders", "?x=1", '&', "sr-Cyrl");
	SAME("100%% %s", "sure");
	SAME("plain text, no conversions");
	/* Not the quick formats: vsnprintf writes them. */
	SAME("%5d|%-3s|%02x|%.2f|%ld", 7, "a", 10, 1.5, 99L);
	SAME("%s", long_text);
	SAME("%s and %lld", long_text + 300, -1LL);
	arena_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quick_formats_match_snprintf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
