/*
 * Formatting a plain-text mail message (RFC 5322, MIME RFC 2045-2047).
 */
#include "mail/mail.h"

#include <string.h>
#include <time.h>

#include <sodium.h>

#define LINE_SOFT 78 /* RFC 5322 2.1.1: lines SHOULD stay within 78 */
#define LINE_EW 76   /* RFC 2047 2: a line holding encoded-words */
#define EW_MAX 75    /* RFC 2047 2: one encoded-word */
#define EW_OPEN "=?UTF-8?B?"
#define EW_CLOSE "?="
#define EW_OVERHEAD (sizeof(EW_OPEN) - 1 + sizeof(EW_CLOSE) - 1)
#define WORD_LONG 70 /* an ASCII word longer than this cannot be folded nicely */

/*
 * Length of the well-formed UTF-8 sequence at s (at most left bytes),
 * or 0 when it is malformed: overlong forms, surrogates and code points
 * above U+10FFFF are rejected (RFC 3629 4).
 */
static size_t utf8_seqlen(const unsigned char *s, size_t left)
{
	size_t n, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (left < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/*
 * A header value may hold any well-formed UTF-8 but no control
 * character: C0 (CR and LF included, so no header injection), DEL and
 * C1 (U+0080..U+009F).  A NULL value counts as empty.
 */
static int hdr_value_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left, n;

	if (s == NULL)
		return 1;
	left = strlen(s);
	while (left > 0) {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if ((n = utf8_seqlen(p, left)) == 0)
			return 0;
		if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)
			return 0;
		p += n;
		left -= n;
	}
	return 1;
}

static int is_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] >= 0x80)
			return 0;
	return 1;
}

/* RFC 5322 3.2.3 atext */
static int is_atext(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/*
 * An addr-spec as we accept it: local@domain, both sides non-empty,
 * printable ASCII without spaces or the specials that would let one
 * header value carry a second address (RFC 5322 3.4.1, simplified).
 */
static int addr_spec_ok(const char *s, size_t len)
{
	size_t i, at = 0, ats = 0;

	for (i = 0; i < len; i++) {
		if (s[i] <= ' ' || s[i] >= 0x7f || strchr("<>()[],;:\"\\", s[i]) != NULL)
			return 0;
		if (s[i] == '@')
			at = i, ats++;
	}
	return ats == 1 && at > 0 && at + 1 < len;
}

/*
 * Appends s (len bytes of UTF-8) as RFC 2047 B-encoded words.  col is
 * the column the first word starts at.  Every word stays within 75
 * characters and every line within 76, words are split only between
 * UTF-8 sequences, and successive words go on continuation lines
 * (folding white space between encoded-words is not part of the text,
 * RFC 2047 6.2).
 */
static void put_encoded_words(struct buf *out, const char *s, size_t len, size_t col)
{
	char b64[EW_MAX + 1];
	size_t max, take, n;

	while (len > 0) {
		/* base64 characters that fit, in whole quanta, as raw bytes */
		max = col + EW_OVERHEAD + 8 <= LINE_EW ? LINE_EW - col - EW_OVERHEAD : 0;
		if (max > EW_MAX - EW_OVERHEAD)
			max = EW_MAX - EW_OVERHEAD;
		max = max / 4 * 3;
		if (max < 4 && col > 1) {
			buf_puts(out, "\r\n ");
			col = 1;
			continue;
		}
		take = 0;
		while (take < len) {
			n = utf8_seqlen((const unsigned char *)s + take, len - take);
			if (n == 0)
				n = 1; /* unreachable after hdr_value_ok */
			if (take + n > max)
				break;
			take += n;
		}
		sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)s, take,
				  sodium_base64_VARIANT_ORIGINAL);
		buf_puts(out, EW_OPEN);
		buf_puts(out, b64);
		buf_puts(out, EW_CLOSE);
		s += take;
		len -= take;
		if (len > 0) {
			buf_puts(out, "\r\n ");
			col = 1;
		}
	}
}

/*
 * Appends plain ASCII text, folding at white space before a line would
 * pass 78 characters (RFC 5322 2.2.3).  A fold goes before a run of
 * spaces, never where it would leave a line of white space only.
 */
static void put_folded(struct buf *out, const char *s, size_t col)
{
	size_t sp, w;

	while (*s != '\0') {
		sp = strspn(s, " \t");
		w = strcspn(s + sp, " \t");
		if (sp > 0 && w > 0 && col + sp + w > LINE_SOFT) {
			buf_puts(out, "\r\n");
			col = 0;
		}
		buf_append(out, s, sp + w);
		col += sp + w;
		s += sp + w;
	}
}

/* An unstructured header value can go out as plain text unless it is
 * non-ASCII, could be mistaken for an encoded-word, or holds a word too
 * long to fold. */
static int needs_encoding(const char *s)
{
	size_t w;

	if (!is_ascii(s, strlen(s)) || strstr(s, "=?") != NULL)
		return 1;
	while (*s != '\0') {
		s += strspn(s, " \t");
		w = strcspn(s, " \t");
		if (w > WORD_LONG)
			return 1;
		s += w;
	}
	return 0;
}

static void put_unstructured(struct buf *out, const char *name, const char *value)
{
	size_t col;

	buf_printf(out, "%s: ", name);
	col = strlen(name) + 2;
	if (needs_encoding(value))
		put_encoded_words(out, value, strlen(value), col);
	else
		put_folded(out, value, col);
	buf_puts(out, "\r\n");
}

/*
 * Splits "Display Name <local@domain>", "\"Quoted\" <addr>" or a bare
 * "addr" into the display name (surrounding quotes and white space
 * removed, may be empty) and the addr-spec.  Returns -1 when the
 * address is empty or malformed.
 */
static int addr_split(const char *s, const char **name, size_t *namelen, const char **addr,
		      size_t *addrlen)
{
	const char *lt, *gt, *e;

	if (s == NULL)
		return -1;
	s += strspn(s, " \t");
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if ((lt = memchr(s, '<', (size_t)(e - s))) == NULL) {
		*name = s, *namelen = 0;
		*addr = s, *addrlen = (size_t)(e - s);
	} else {
		gt = e - 1;
		if (gt <= lt || *gt != '>')
			return -1;
		*addr = lt + 1, *addrlen = (size_t)(gt - lt - 1);
		*name = s, *namelen = (size_t)(lt - s);
		while (*namelen > 0 && (s[*namelen - 1] == ' ' || s[*namelen - 1] == '\t'))
			(*namelen)--;
		if (*namelen >= 2 && s[0] == '"' && s[*namelen - 1] == '"')
			(*name)++, *namelen -= 2;
	}
	return addr_spec_ok(*addr, *addrlen) ? 0 : -1;
}

/*
 * Appends "Name: addr" or "Name: phrase <addr>".  The display name
 * goes out as atoms when it is only atext and spaces, as a quoted
 * string when it is other ASCII, and as encoded-words otherwise
 * (RFC 2047 5(3)).  A name that came quoted keeps its escapes.
 */
static void put_address(struct buf *out, const char *hdr, const char *name, size_t namelen,
			const char *addr, size_t addrlen)
{
	size_t i, plain = 1;

	buf_printf(out, "%s: ", hdr);
	if (namelen == 0) {
		buf_append(out, addr, addrlen);
		buf_puts(out, "\r\n");
		return;
	}
	for (i = 0; i < namelen; i++)
		if (!is_atext(name[i]) && name[i] != ' ')
			plain = 0;
	if (!is_ascii(name, namelen) || (namelen > 1 && memmem(name, namelen, "=?", 2))) {
		put_encoded_words(out, name, namelen, strlen(hdr) + 2);
		buf_puts(out, "\r\n ");
	} else if (plain) {
		buf_append(out, name, namelen);
		buf_putc(out, ' ');
	} else {
		buf_putc(out, '"');
		for (i = 0; i < namelen; i++) {
			if (name[i] == '\\' && i + 1 < namelen)
				buf_putc(out, name[i++]);
			else if (name[i] == '"' || name[i] == '\\')
				buf_putc(out, '\\');
			buf_putc(out, name[i]);
		}
		buf_puts(out, "\" ");
	}
	buf_putc(out, '<');
	buf_append(out, addr, addrlen);
	buf_puts(out, ">\r\n");
}

/* RFC 5322 3.3 date-time, in UTC; names from tables, not the locale. */
static int put_date(struct buf *out, time_t t)
{
	static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || tm.tm_year + 1900 < 1900 || tm.tm_year + 1900 > 9999)
		return -1;
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
		   tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
		   tm.tm_sec);
	return 0;
}

/* A msg-id's inside (RFC 5322 3.6.4): printable ASCII, one '@', no
 * spaces or angle brackets. */
static int message_id_ok(const char *s)
{
	return s != NULL && addr_spec_ok(s, strlen(s));
}

/* The body with every line end (LF, CRLF or a lone CR) as CRLF, ending
 * in CRLF when not empty. */
static void put_body(struct buf *out, const char *s)
{
	size_t n;

	if (s == NULL || *s == '\0')
		return;
	while (*s != '\0') {
		n = strcspn(s, "\r\n");
		buf_append(out, s, n);
		s += n;
		if (*s == '\0')
			break;
		if (s[0] == '\r' && s[1] == '\n')
			s++;
		s++;
		buf_puts(out, "\r\n");
	}
	if (out->len < 2 || memcmp(out->data + out->len - 2, "\r\n", 2) != 0)
		buf_puts(out, "\r\n");
}

/*
 * See mail.h.  Beyond CR, LF and other control characters, a header
 * value must be well-formed UTF-8, the addresses must each be one
 * local@domain (optionally with a display name), and a Message-ID, when
 * given, must look like one; otherwise -1 and out is unchanged.  A NULL
 * subject is sent empty; a NULL message_id omits the header.
 */
int mail_format(const struct mail_msg *m, struct buf *out)
{
	const char *fname, *faddr, *tname, *taddr, *subject;
	size_t fnamelen, faddrlen, tnamelen, taddrlen, start = out->len;

	subject = m->subject != NULL ? m->subject : "";
	if (!hdr_value_ok(m->from) || !hdr_value_ok(m->to) || !hdr_value_ok(subject) ||
	    !hdr_value_ok(m->message_id))
		return -1;
	if (addr_split(m->from, &fname, &fnamelen, &faddr, &faddrlen) == -1 ||
	    addr_split(m->to, &tname, &tnamelen, &taddr, &taddrlen) == -1)
		return -1;
	if (m->message_id != NULL && !message_id_ok(m->message_id))
		return -1;

	if (put_date(out, m->date) == -1)
		goto err;
	put_address(out, "From", fname, fnamelen, faddr, faddrlen);
	put_address(out, "To", tname, tnamelen, taddr, taddrlen);
	put_unstructured(out, "Subject", subject);
	if (m->message_id != NULL)
		buf_printf(out, "Message-ID: <%s>\r\n", m->message_id);
	buf_puts(out, "MIME-Version: 1.0\r\n"
		      "Content-Type: text/plain; charset=UTF-8\r\n"
		      "Content-Transfer-Encoding: 8bit\r\n"
		      "\r\n");
	put_body(out, m->body);
	return 0;
err:
	out->len = start;
	if (out->data != NULL)
		out->data[start] = '\0';
	return -1;
}
