/* Specification of the output encoders (util/escape.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/escape.h"

static void assert_html(const char *in, size_t n, const char *want)
{
	struct buf b = BUF_INIT;

	html_escape(&b, in, n);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

static void assert_url(const char *in, const char *want)
{
	struct buf b = BUF_INIT;

	url_encode(&b, in);
	assert_string_equal(buf_cstr(&b), want);
	buf_free(&b);
}

#define VALID(lit) utf8_valid(lit, sizeof(lit) - 1)

static void test_html_escape_replaces_all_five_specials(void **state)
{
	const char *s = "<a href=\"x\" title='y'>&</a>";

	(void)state;
	assert_html(s, strlen(s), "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
}

static void test_html_escape_passes_plain_text(void **state)
{
	(void)state;
	assert_html("Petar Petrović", strlen("Petar Petrović"), "Petar Petrović");
}

static void test_html_escape_passes_serbian_letters(void **state)
{
	const char *s = "čćšžđ ČĆŠŽĐ Љубиша Ђорђевић";

	(void)state;
	assert_html(s, strlen(s), s);
}

static void test_html_escape_drops_nul(void **state)
{
	(void)state;
	assert_html("a\0b<\0", 5, "ab&lt;");
}

static void test_html_escape_empty_input(void **state)
{
	(void)state;
	assert_html("", 0, "");
}

/* Byte at a time, as html_escape did before it scanned 16 bytes a step. */
static void escape_slow(struct buf *out, const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		switch (p[i]) {
		case '&':
			buf_puts(out, "&amp;");
			break;
		case '<':
			buf_puts(out, "&lt;");
			break;
		case '>':
			buf_puts(out, "&gt;");
			break;
		case '"':
			buf_puts(out, "&quot;");
			break;
		case '\'':
			buf_puts(out, "&#39;");
			break;
		case '\0':
			break;
		default:
			buf_append(out, p + i, 1);
		}
}

/* Every special byte (and its neighbours in value, '%', '(', ';', '=',
 * '?', '!', '#') at every offset of strings of 1..70 bytes, so each
 * lands in each lane of a 16-byte step and in the tail after it. */
static void test_html_escape_finds_specials_at_every_offset(void **state)
{
	static const unsigned char probe[] = {'&', '<', '>', '"', '\'', '\0', '%',  '(',
					      ';', '=', '?', '!', '#',  0xC4, 0x8D, ' '};
	unsigned char in[70];
	struct buf want = BUF_INIT, got = BUF_INIT;
	size_t n, at, k;

	(void)state;
	for (n = 1; n <= sizeof(in); n++)
		for (at = 0; at < n; at++)
			for (k = 0; k < sizeof(probe); k++) {
				memset(in, 'a' + (int)(n % 26), n);
				in[at] = probe[k];
				in[n - 1 - at / 2] = probe[(k + 3) % sizeof(probe)];
				buf_reset(&want);
				buf_reset(&got);
				escape_slow(&want, in, n);
				html_escape(&got, (const char *)in, n);
				assert_int_equal(got.len, want.len);
				assert_memory_equal(buf_cstr(&got), buf_cstr(&want), want.len);
			}
	buf_free(&want);
	buf_free(&got);
}

static void test_html_escape_appends(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	buf_puts(&b, "x=");
	html_escape(&b, "1<2", 3);
	assert_string_equal(buf_cstr(&b), "x=1&lt;2");
	buf_free(&b);
}

static void test_html_escape_respects_length(void **state)
{
	(void)state;
	assert_html("ab<cd", 2, "ab");
}

static void test_url_encode_passes_unreserved(void **state)
{
	(void)state;
	assert_url("AZaz09-._~", "AZaz09-._~");
}

static void test_url_encode_encodes_reserved_and_space(void **state)
{
	(void)state;
	assert_url("a b&c=d/e?f#g+h%", "a%20b%26c%3Dd%2Fe%3Ff%23g%2Bh%25");
}

static void test_url_encode_encodes_utf8_bytes(void **state)
{
	(void)state;
	assert_url("čž", "%C4%8D%C5%BE");
	assert_url("Ђ", "%D0%82");
}

static void test_url_encode_empty(void **state)
{
	(void)state;
	assert_url("", "");
}

static void test_utf8_valid_accepts_ascii_and_empty(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(VALID("plain ASCII text that is longer than eight bytes"));
}

static void test_utf8_valid_accepts_serbian_latin_and_cyrillic(void **state)
{
	(void)state;
	assert_true(VALID("čćšžđ ČĆŠŽĐ"));
	assert_true(VALID("Београд, Ниш, Нови Сад — ђ ж ћ џ љ њ"));
}

static void test_utf8_valid_accepts_boundaries(void **state)
{
	(void)state;
	assert_true(VALID("\xc2\x80"));         /* U+0080 */
	assert_true(VALID("\xdf\xbf"));         /* U+07FF */
	assert_true(VALID("\xe0\xa0\x80"));     /* U+0800 */
	assert_true(VALID("\xed\x9f\xbf"));     /* U+D7FF */
	assert_true(VALID("\xee\x80\x80"));     /* U+E000 */
	assert_true(VALID("\xef\xbf\xbf"));     /* U+FFFF */
	assert_true(VALID("\xf0\x90\x80\x80")); /* U+10000 */
	assert_true(VALID("\xf4\x8f\xbf\xbf")); /* U+10FFFF */
}

static void test_utf8_valid_rejects_overlongs(void **state)
{
	(void)state;
	assert_false(VALID("\xc0\xaf"));
	assert_false(VALID("\xc1\xbf"));
	assert_false(VALID("\xe0\x80\xaf"));
	assert_false(VALID("\xe0\x9f\xbf"));
	assert_false(VALID("\xf0\x80\x80\xaf"));
	assert_false(VALID("\xf0\x8f\xbf\xbf"));
}

static void test_utf8_valid_rejects_surrogates(void **state)
{
	(void)state;
	assert_false(VALID("\xed\xa0\x80")); /* U+D800 */
	assert_false(VALID("\xed\xbf\xbf")); /* U+DFFF */
}

static void test_utf8_valid_rejects_above_10ffff(void **state)
{
	(void)state;
	assert_false(VALID("\xf4\x90\x80\x80"));
	assert_false(VALID("\xf5\x80\x80\x80"));
	assert_false(VALID("\xff"));
}

static void test_utf8_valid_rejects_truncated_and_stray(void **state)
{
	(void)state;
	assert_false(VALID("\xc4"));        /* lead byte at end */
	assert_false(VALID("abc\xe2\x82")); /* 3-byte cut short */
	assert_false(VALID("\x80"));        /* lone continuation */
	assert_false(VALID("\xc4\x41"));    /* continuation missing */
	assert_false(VALID("\xe2\x82\x41"));
	assert_false(VALID("12345678\xf0\x9f\x98")); /* after the ASCII fast path */
}

static void test_utf8_valid_respects_length(void **state)
{
	(void)state;
	/* the invalid byte lies past n */
	assert_true(utf8_valid("abc\xff", 3));
	/* n cuts a valid sequence in half */
	assert_false(utf8_valid("\xc4\x8d", 1));
}

/* Hex digits of either case read as their value; anything else is -1. */
static void test_hex_value_reads_digits_of_either_case(void **state)
{
	(void)state;
	assert_int_equal(hex_value('0'), 0);
	assert_int_equal(hex_value('9'), 9);
	assert_int_equal(hex_value('a'), 10);
	assert_int_equal(hex_value('F'), 15);
	assert_int_equal(hex_value('g'), -1);
	assert_int_equal(hex_value('/'), -1);
	assert_int_equal(hex_value(':'), -1);
	assert_int_equal(hex_value('\0'), -1);
	assert_int_equal(hex_value(0xc4), -1);
}

/* Cut at a character boundary: "Đ" is two bytes, "€" three, "𝄞" four. */
static void test_utf8_copy_cuts_only_between_characters(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(utf8_copy(out, sizeof(out), "abc"), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(utf8_copy(out, 4, "abcd"), 3);
	assert_string_equal(out, "abc");
	assert_int_equal(utf8_copy(out, 4, "ab\xc4\x90"), 2); /* "abĐ" in 3 bytes */
	assert_string_equal(out, "ab");
	assert_int_equal(utf8_copy(out, 5, "ab\xc4\x90"), 4);
	assert_string_equal(out, "ab\xc4\x90");
	assert_int_equal(utf8_copy(out, 7, "\xe2\x82\xac\xe2\x82\xac"), 6);
	assert_int_equal(utf8_copy(out, 6, "\xe2\x82\xac\xe2\x82\xac"), 3);
	assert_string_equal(out, "\xe2\x82\xac");
	assert_int_equal(utf8_copy(out, 3, "\xe2\x82\xac"), 0);
	assert_string_equal(out, "");
	assert_int_equal(utf8_copy(out, 8,
				   "a\xf0\x9d\x84\x9e"
				   "bc"),
			 7);
	assert_int_equal(utf8_copy(out, 7,
				   "a\xf0\x9d\x84\x9e"
				   "bc"),
			 6);
	assert_int_equal(utf8_copy(out, 5, "a\xf0\x9d\x84\x9e"), 1);
	assert_string_equal(out, "a");
	assert_int_equal(utf8_copy(out, 1, "abc"), 0);
	assert_string_equal(out, "");
	assert_int_equal(utf8_copy(out, 0, "abc"), 0);
}

/* Every cut of a text of 1- to 4-byte characters is valid UTF-8 and
 * the longest that fits. */
static void test_utf8_prefix_is_valid_at_every_length(void **state)
{
	static const char s[] = "a\xc4\x90\xe2\x82\xac\xf0\x9d\x84\x9e"
				"b\xd0\x82";
	static const size_t ends[] = {0, 1, 3, 6, 10, 11, 13};
	size_t max, n, want, i;

	(void)state;
	for (max = 0; max <= sizeof(s) + 2; max++) {
		n = utf8_prefix(s, max);
		for (want = 0, i = 0; i < sizeof(ends) / sizeof(ends[0]); i++)
			if (ends[i] <= max)
				want = ends[i];
		assert_int_equal(n, want);
		assert_true(utf8_valid(s, n));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_html_escape_replaces_all_five_specials),
		cmocka_unit_test(test_html_escape_passes_plain_text),
		cmocka_unit_test(test_html_escape_passes_serbian_letters),
		cmocka_unit_test(test_html_escape_drops_nul),
		cmocka_unit_test(test_html_escape_empty_input),
		cmocka_unit_test(test_html_escape_appends),
		cmocka_unit_test(test_html_escape_finds_specials_at_every_offset),
		cmocka_unit_test(test_html_escape_respects_length),
		cmocka_unit_test(test_url_encode_passes_unreserved),
		cmocka_unit_test(test_url_encode_encodes_reserved_and_space),
		cmocka_unit_test(test_url_encode_encodes_utf8_bytes),
		cmocka_unit_test(test_url_encode_empty),
		cmocka_unit_test(test_utf8_valid_accepts_ascii_and_empty),
		cmocka_unit_test(test_utf8_valid_accepts_serbian_latin_and_cyrillic),
		cmocka_unit_test(test_utf8_valid_accepts_boundaries),
		cmocka_unit_test(test_utf8_valid_rejects_overlongs),
		cmocka_unit_test(test_utf8_valid_rejects_surrogates),
		cmocka_unit_test(test_utf8_valid_rejects_above_10ffff),
		cmocka_unit_test(test_utf8_valid_rejects_truncated_and_stray),
		cmocka_unit_test(test_utf8_valid_respects_length),
		cmocka_unit_test(test_utf8_copy_cuts_only_between_characters),
		cmocka_unit_test(test_utf8_prefix_is_valid_at_every_length),
		cmocka_unit_test(test_hex_value_reads_digits_of_either_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
