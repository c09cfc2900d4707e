/*
 * mail_format: RFC 5322 messages with RFC 2047 subjects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "mail/mail.h"

/* 2023-11-14 22:13:20 UTC, a Tuesday */
#define T_2023 1700000000

static struct mail_msg sample(void)
{
	struct mail_msg m = {
		.from = "Komora <noreply@qcra.test>",
		.to = "pera@example.org",
		.subject = "Potvrda naloga",
		.body = "Zdravo,\nklik na link.\n",
		.message_id = "42.qcra@qcra.test",
		.date = T_2023,
	};
	return m;
}

/* The value of header name (unfolded, CRLFs inside removed), or NULL.
 * Caller frees. */
static char *header(const char *msg, const char *name)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *e;
	size_t nl = strlen(name);
	char *v, *q;

	while (p < end) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			if (*p == ' ')
				p++;
			e = p;
			while (!(e[0] == '\r' && e[1] == '\n' && e[2] != ' ' && e[2] != '\t'))
				e++;
			v = strndup(p, (size_t)(e - p));
			for (q = v; (q = strstr(q, "\r\n")) != NULL;)
				memmove(q, q + 2, strlen(q + 2) + 1);
			return v;
		}
		p = strstr(p, "\r\n") + 2;
	}
	return NULL;
}

/*
 * Decodes a run of "=?UTF-8?B?...?=" words separated by white space,
 * checking that each word is at most 75 characters and decodes to
 * well-formed UTF-8 on its own.  Caller frees.
 */
static char *decode_words(const char *s)
{
	unsigned char bin[128];
	char *out = calloc(1, 1024);
	const char *end;
	size_t binlen, wl;

	assert_non_null(out);
	while (*s != '\0') {
		s += strspn(s, " \t\r\n");
		if (*s == '\0')
			break;
		assert_memory_equal(s, "=?UTF-8?B?", 10);
		end = strstr(s + 10, "?=");
		assert_non_null(end);
		wl = (size_t)(end + 2 - s);
		assert_true(wl <= 75);
		assert_int_equal(sodium_base642bin(bin, sizeof(bin), s + 10, (size_t)(end - s - 10),
						   NULL, &binlen, NULL,
						   sodium_base64_VARIANT_ORIGINAL),
				 0);
		/* strnlen guards the string functions below */
		assert_true(binlen > 0 && strnlen((char *)bin, binlen) == binlen);
		{
			/* well-formed on its own: no sequence cut at either end */
			size_t i = 0;

			while (i < binlen) {
				unsigned char c = bin[i];
				size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;

				assert_true(c < 0x80 || c >= 0xc2);
				assert_true(i + n <= binlen);
				for (size_t k = 1; k < n; k++)
					assert_int_equal(bin[i + k] & 0xc0, 0x80);
				i += n;
			}
		}
		strncat(out, (char *)bin, binlen);
		s = end + 2;
	}
	return out;
}

static void assert_lines_within(const char *msg, size_t max)
{
	const char *end = strstr(msg, "\r\n\r\n"), *p = msg, *e;

	while (p < end) {
		e = strstr(p, "\r\n");
		assert_true((size_t)(e - p) <= max);
		p = e + 2;
	}
}

static void test_format_writes_headers_in_order_with_crlf(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;

	assert_int_equal(mail_format(&m, &b), 0);
	assert_string_equal(buf_cstr(&b), "Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n"
					  "From: Komora <noreply@qcra.test>\r\n"
					  "To: pera@example.org\r\n"
					  "Subject: Potvrda naloga\r\n"
					  "Message-ID: <42.qcra@qcra.test>\r\n"
					  "MIME-Version: 1.0\r\n"
					  "Content-Type: text/plain; charset=UTF-8\r\n"
					  "Content-Transfer-Encoding: 8bit\r\n"
					  "\r\n"
					  "Zdravo,\r\n"
					  "klik na link.\r\n");
	buf_free(&b);
}

static void test_format_date_is_utc_whatever_the_local_zone(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	char *date;

	setenv("TZ", "America/New_York", 1);
	tzset();
	m.date = 0;
	assert_int_equal(mail_format(&m, &b), 0);
	date = header(buf_cstr(&b), "Date");
	assert_string_equal(date, "Thu, 01 Jan 1970 00:00:00 +0000");
	free(date);
	unsetenv("TZ");
	tzset();
	buf_free(&b);
}

static void test_format_appends_to_what_the_buffer_holds(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;

	buf_puts(&b, "X");
	assert_int_equal(mail_format(&m, &b), 0);
	assert_memory_equal(b.data, "XDate: ", 7);
	buf_free(&b);
}

static void test_format_keeps_ascii_subject_plain(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;

	m.subject = "Your order #12 (RA) is ready: pay 1.200,00 RSD";
	assert_int_equal(mail_format(&m, &b), 0);
	assert_non_null(strstr(buf_cstr(&b), "\r\nSubject: Your order #12 (RA) is ready: pay "
					     "1.200,00 RSD\r\n"));
	assert_null(strstr(buf_cstr(&b), "=?"));
	buf_free(&b);
}

static void test_format_encodes_non_ascii_subject(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	char *subj, *text;

	m.subject = "Потврда налога — čćžšđ";
	assert_int_equal(mail_format(&m, &b), 0);
	subj = header(buf_cstr(&b), "Subject");
	assert_memory_equal(subj, "=?UTF-8?B?", 10);
	text = decode_words(subj);
	assert_string_equal(text, m.subject);
	/* the raw UTF-8 never appears in the header block */
	assert_null(strstr(buf_cstr(&b), "čćž"));
	free(text);
	free(subj);
	buf_free(&b);
}

static void test_format_splits_long_subject_without_cutting_characters(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	char subject[1024] = "";
	char *subj, *text;
	int i;

	/* 1-, 2-, 3- and 4-byte sequences, so a split could land anywhere */
	for (i = 0; i < 12; i++)
		strcat(subject, "aЖ€😀 ");
	m.subject = subject;
	assert_int_equal(mail_format(&m, &b), 0);
	subj = header(buf_cstr(&b), "Subject");
	text = decode_words(subj); /* checks each word <= 75 and whole */
	assert_string_equal(text, subject);
	assert_lines_within(buf_cstr(&b), 76);
	free(text);
	free(subj);
	buf_free(&b);
}

static void test_format_folds_long_ascii_subject(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	char *subj;

	m.subject = "This is a rather long subject line that goes on and on, well past the "
		    "seventy-eight characters a line should hold, and then some more words";
	assert_int_equal(mail_format(&m, &b), 0);
	assert_lines_within(buf_cstr(&b), 78);
	subj = header(buf_cstr(&b), "Subject");
	assert_string_equal(subj, m.subject); /* unfolding gives it back */
	free(subj);
	buf_free(&b);
}

static void test_format_encodes_subject_that_looks_encoded(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	char *subj, *text;

	m.subject = "=?UTF-8?B?SGk=?=";
	assert_int_equal(mail_format(&m, &b), 0);
	subj = header(buf_cstr(&b), "Subject");
	text = decode_words(subj);
	assert_string_equal(text, m.subject);
	free(text);
	free(subj);
	buf_free(&b);
}

static void test_format_encodes_non_ascii_display_name(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	char *from, *name, *lt;

	m.from = "Комора Србије <noreply@qcra.test>";
	assert_int_equal(mail_format(&m, &b), 0);
	from = header(buf_cstr(&b), "From");
	lt = strrchr(from, '<');
	assert_string_equal(lt, "<noreply@qcra.test>");
	*lt = '\0';
	name = decode_words(from);
	assert_string_equal(name, "Комора Србије");
	free(name);
	free(from);
	buf_free(&b);
}

static void test_format_quotes_display_name_with_specials(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;

	m.from = "Komora d.o.o. <noreply@qcra.test>";
	assert_int_equal(mail_format(&m, &b), 0);
	assert_non_null(
		strstr(buf_cstr(&b), "\r\nFrom: \"Komora d.o.o.\" <noreply@qcra.test>\r\n"));
	buf_free(&b);
}

static void test_format_normalises_body_line_ends_to_crlf(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	const char *body;

	m.body = "a\nb\r\nc\rd\n\ne";
	assert_int_equal(mail_format(&m, &b), 0);
	body = strstr(buf_cstr(&b), "\r\n\r\n") + 4;
	assert_string_equal(body, "a\r\nb\r\nc\r\nd\r\n\r\ne\r\n");
	buf_free(&b);
}

static void test_format_keeps_utf8_body_as_8bit(void **state)
{
	struct mail_msg m = sample();
	struct buf b = BUF_INIT;
	const char *body;

	m.body = "Поштовани, ваш налог је потврђен. Ćao, Đorđe!\n";
	assert_int_equal(mail_format(&m, &b), 0);
	body = strstr(buf_cstr(&b), "\r\n\r\n") + 4;
	assert_string_equal(body, "Поштовани, ваш налог је потврђен. Ćao, Đorđe!\r\n");
	buf_free(&b);
}

/* mail_format(m) fails and leaves the buffer exactly as it was. */
static void assert_refused(const struct mail_msg *m)
{
	struct buf b = BUF_INIT;

	buf_puts(&b, "before");
	assert_int_equal(mail_format(m, &b), -1);
	assert_int_equal(b.len, 6);
	assert_string_equal(buf_cstr(&b), "before");
	buf_free(&b);
}

static void test_format_rejects_header_injection(void **state)
{
	static const char *const bad[] = {
		"Hi\r\nBcc: victim@example.org",
		"Hi\nBcc: x@y.z",
		"Hi\rthere",
		"tab\there",
		"nul-ish \x01",
		"del \x7f",
		"C1 \xc2\x85 NEL",
	};
	struct mail_msg m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = sample();
		m.subject = bad[i];
		assert_refused(&m);
	}
	m = sample();
	m.to = "pera@example.org\r\nBcc: victim@example.org";
	assert_refused(&m);
	m = sample();
	m.from = "Komora\n <noreply@qcra.test>";
	assert_refused(&m);
	m = sample();
	m.message_id = "42@x\r\nBcc: victim@example.org";
	assert_refused(&m);
}

static void test_format_rejects_empty_address(void **state)
{
	static const char *const bad[] = {"", "   ", "Name <>", "Name"};
	struct mail_msg m;
	size_t i;

	m = sample();
	m.to = NULL;
	assert_refused(&m);
	m = sample();
	m.from = NULL;
	assert_refused(&m);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = sample();
		m.to = bad[i];
		assert_refused(&m);
		m = sample();
		m.from = bad[i];
		assert_refused(&m);
	}
}

static void test_format_rejects_more_than_one_address(void **state)
{
	struct mail_msg m = sample();

	m.to = "pera@example.org, mika@example.org";
	assert_refused(&m);
	m.to = "Pera <pera@example.org>, mika@example.org";
	assert_refused(&m);
}

static void test_format_rejects_malformed_utf8_subject(void **state)
{
	static const char *const bad[] = {"cut \xc3", "overlong \xc0\xaf", "surrogate \xed\xa0\x80",
					  "too big \xf4\x90\x80\x80", "stray \x80"};
	struct mail_msg m;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = sample();
		m.subject = bad[i];
		assert_refused(&m);
	}
}

static void test_format_rejects_malformed_message_id(void **state)
{
	struct mail_msg m = sample();

	m.message_id = "no-at-sign";
	assert_refused(&m);
	m.message_id = "a b@c";
	assert_refused(&m);
	m.message_id = "<42@c>";
	assert_refused(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_writes_headers_in_order_with_crlf),
		cmocka_unit_test(test_format_date_is_utc_whatever_the_local_zone),
		cmocka_unit_test(test_format_appends_to_what_the_buffer_holds),
		cmocka_unit_test(test_format_keeps_ascii_subject_plain),
		cmocka_unit_test(test_format_encodes_non_ascii_subject),
		cmocka_unit_test(test_format_splits_long_subject_without_cutting_characters),
		cmocka_unit_test(test_format_folds_long_ascii_subject),
		cmocka_unit_test(test_format_encodes_subject_that_looks_encoded),
		cmocka_unit_test(test_format_encodes_non_ascii_display_name),
		cmocka_unit_test(test_format_quotes_display_name_with_specials),
		cmocka_unit_test(test_format_normalises_body_line_ends_to_crlf),
		cmocka_unit_test(test_format_keeps_utf8_body_as_8bit),
		cmocka_unit_test(test_format_rejects_header_injection),
		cmocka_unit_test(test_format_rejects_empty_address),
		cmocka_unit_test(test_format_rejects_more_than_one_address),
		cmocka_unit_test(test_format_rejects_malformed_utf8_subject),
		cmocka_unit_test(test_format_rejects_malformed_message_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
