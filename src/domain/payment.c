/*
 * Payments: amount, date and reference parsing shared by statement
 * import and hand entry, and the classification of a payment against
 * the order it pays.
 */
#include "domain/payment.h"

#include <string.h>

#include "domain/ident.h"
#include "domain/order.h"

/* 15 integer digits and two decimals. */
#define PAYMENT_PARA_MAX 99999999999999999LL
/* Longest amount text looked at: 15 digits grouped, a sign, decimals. */
#define PAYMENT_AMOUNT_MAX_LEN 48
/* Digits of one run of free text examined for a reference. */
#define PAYMENT_RUN_MAX 128
/* Separator positions remembered in such a run. */
#define PAYMENT_RUN_MARKS 16

static const char *const match_result_names[MATCH__MAX] = {
	[MATCH_EXACT] = "exact",
	[MATCH_PARTIAL] = "partial",
	[MATCH_OVERPAID] = "overpaid",
	[MATCH_UNKNOWN_REFERENCE] = "unknown_reference",
};

static int pay_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Length of the valid UTF-8 sequence at s (n bytes available): 1-4, or
 * 0 when the bytes there are not valid UTF-8 (RFC 3629 section 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF).
 */
static size_t pay_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if ((c == 0xe0 && s[1] < 0xa0) || (c == 0xed && s[1] >= 0xa0))
			return 0;
		return 3;
	}
	if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
		return 0;
	if ((c == 0xf0 && s[1] < 0x90) || (c == 0xf4 && s[1] >= 0x90))
		return 0;
	return 4;
}

/* 1 when the k-byte character at s separates words: ASCII white space
 * and controls, DEL, the C1 controls and the no-break space (U+00A0). */
static int pay_is_space(const unsigned char *s, size_t k)
{
	if (k == 1)
		return s[0] <= 0x20 || s[0] == 0x7f;
	return k == 2 && s[0] == 0xc2 && s[1] <= 0xa0;
}

size_t payment_text_clean(char *out, size_t outlen, const char *s, size_t n)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	const char *c;
	size_t i = 0, len = 0, k, clen;
	int space = 0;

	if (out == NULL || outlen == 0)
		return 0;
	while (s != NULL && i < n) {
		k = pay_utf8_len(p + i, n - i);
		if (k != 0 && pay_is_space(p + i, k)) {
			space = len > 0;
			i += k;
			continue;
		}
		if (k == 0) {
			c = replacement;
			clen = 3;
			k = 1;
		} else {
			c = s + i;
			clen = k;
		}
		if (len + (size_t)space + clen >= outlen)
			break;
		if (space)
			out[len++] = ' ';
		space = 0;
		memcpy(out + len, c, clen);
		len += clen;
		i += k;
	}
	out[len] = '\0';
	return len;
}

static int pay_fail(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
	return -1;
}

/*
 * Copies the amount at s (without sign or surrounding spaces) into buf
 * as digits, '.', ',' and ' ' (for a space or a no-break space).
 * Returns the length, or -1 with *why set.
 */
static int pay_amount_chars(const char *s, size_t n, char *buf, size_t cap, const char **why)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++) {
		if (len + 1 >= cap)
			return pay_fail(why, "amount too long");
		if (pay_isdigit(s[i]) || s[i] == '.' || s[i] == ',' || s[i] == ' ') {
			buf[len++] = s[i];
		} else if (s[i] == '\xc2' && i + 1 < n && s[i + 1] == '\xa0') {
			buf[len++] = ' ';
			i++;
		} else {
			return pay_fail(why, "not a number");
		}
	}
	buf[len] = '\0';
	return (int)len;
}

/*
 * Where the decimal separator of buf (len chars) is: its index, len when
 * there is none, or -1 with *why set.  Rules in payment.h.
 */
static long pay_amount_decimal(const char *buf, size_t len, const char **why)
{
	const char *dot = strrchr(buf, '.'), *comma = strrchr(buf, ',');
	const char *last, *first;
	size_t after, before;

	if (dot != NULL && comma != NULL) {
		last = dot > comma ? dot : comma;
		first = strchr(buf, *last);
		if (first != last)
			return pay_fail(why, "malformed amount: separators out of place");
		return (long)(last - buf);
	}
	last = dot != NULL ? dot : comma;
	if (last == NULL)
		return (long)len;
	if (strchr(buf, *last) != last)
		return (long)len; /* repeated: thousands separators */
	after = len - (size_t)(last - buf) - 1;
	before = (size_t)(last - buf);
	if (after == 3 && strspn(last + 1, "0123456789") == 3 && before >= 1 && before <= 3 &&
	    strspn(buf, "0123456789") == before)
		return pay_fail(why, "ambiguous amount: write 5.880,00 or 5880.00");
	return (long)(last - buf);
}

/*
 * The integer part buf[0..n): digits, optionally grouped in threes by
 * one kind of separator.  Sets *value.  0 or -1 with *why set.
 */
static int pay_amount_integer(const char *buf, size_t n, long long *value, const char **why)
{
	size_t i, group = 0, groups = 0, significant = 0;
	char mark = 0;
	long long v = 0;

	for (i = 0; i < n; i++) {
		if (pay_isdigit(buf[i])) {
			group++;
			if (significant > 0 || buf[i] != '0')
				significant++;
			if (significant > PAYMENT_AMOUNT_MAX_DIGITS)
				return pay_fail(why, "amount too large");
			v = v * 10 + (buf[i] - '0');
			continue;
		}
		if (mark != 0 && buf[i] != mark)
			return pay_fail(why, "malformed amount: mixed thousands separators");
		mark = buf[i];
		if (group == 0 || group > 3 || (groups > 0 && group != 3))
			return pay_fail(why, "malformed amount: digits must be grouped in threes");
		groups++;
		group = 0;
	}
	if (group == 0)
		return pay_fail(why, "malformed amount: no digits before the decimal separator");
	if (groups > 0 && group != 3)
		return pay_fail(why, "malformed amount: digits must be grouped in threes");
	*value = v;
	return 0;
}

int payment_amount_parse(const char *s, long long *para, const char **why)
{
	char buf[PAYMENT_AMOUNT_MAX_LEN];
	size_t n, len, i, decimals;
	long long whole, frac = 0;
	long dec;
	int neg = 0, rc;

	if (s == NULL || para == NULL)
		return pay_fail(why, "no amount");
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++;
		n--;
	}
	if (n == 0)
		return pay_fail(why, "no amount");
	if ((rc = pay_amount_chars(s, n, buf, sizeof(buf), why)) < 0)
		return -1;
	len = (size_t)rc;
	if ((dec = pay_amount_decimal(buf, len, why)) < 0)
		return -1;
	if ((size_t)dec < len) {
		decimals = len - (size_t)dec - 1;
		if (strspn(buf + dec + 1, "0123456789") != decimals)
			return pay_fail(why, "malformed amount: separators out of place");
		if (decimals == 0)
			return pay_fail(why,
					"malformed amount: no digits after the decimal separator");
		if (decimals > 2)
			return pay_fail(why, "more than two decimals");
		for (i = 0; i < decimals; i++)
			frac = frac * 10 + (buf[dec + 1 + i] - '0');
		if (decimals == 1)
			frac *= 10;
	}
	if (pay_amount_integer(buf, (size_t)dec, &whole, why) != 0)
		return -1;
	*para = whole * 100 + frac;
	if (neg)
		*para = -*para;
	return 0;
}

int payment_amount_format(long long para, char *out, size_t outlen)
{
	char rev[40];
	unsigned long long v;
	size_t n = 0, i, digits = 0;

	if (out == NULL || outlen == 0)
		return -1;
	v = para < 0 ? 0ULL - (unsigned long long)para : (unsigned long long)para;
	rev[n++] = (char)('0' + v % 10);
	v /= 10;
	rev[n++] = (char)('0' + v % 10);
	v /= 10;
	rev[n++] = ',';
	do {
		if (digits > 0 && digits % 3 == 0)
			rev[n++] = '.';
		rev[n++] = (char)('0' + v % 10);
		v /= 10;
		digits++;
	} while (v != 0);
	if (para < 0)
		rev[n++] = '-';
	if (n + 1 > outlen) {
		out[0] = '\0';
		return -1;
	}
	for (i = 0; i < n; i++)
		out[i] = rev[n - 1 - i];
	out[n] = '\0';
	return 0;
}

/* The value of the n digits at s, or -1 when one is not a digit. */
static int pay_num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!pay_isdigit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Digits at s, at most max of them: the count (0 when none). */
static size_t pay_digit_run(const char *s, size_t max)
{
	size_t i = 0;

	while (i < max && pay_isdigit(s[i]))
		i++;
	return i;
}

static void pay_put_num(char *out, int v, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

int payment_date_parse(const char *s, char out[11])
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, m, d, leap;
	size_t n, dn, mn;

	if (out == NULL)
		return -1;
	out[0] = '\0';
	if (s == NULL)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 10 && s[4] == '-' && s[7] == '-') {
		y = pay_num(s, 4);
		m = pay_num(s + 5, 2);
		d = pay_num(s + 8, 2);
	} else {
		/* D.M.YYYY with 1-2 digit day and month, optional final '.' */
		dn = pay_digit_run(s, 3);
		if (dn < 1 || dn > 2 || dn >= n || s[dn] != '.')
			return -1;
		mn = pay_digit_run(s + dn + 1, 3);
		if (mn < 1 || mn > 2 || dn + 1 + mn >= n || s[dn + 1 + mn] != '.')
			return -1;
		if (n - (dn + mn + 2) != 4 && !(n - (dn + mn + 2) == 5 && s[n - 1] == '.'))
			return -1;
		d = pay_num(s, dn);
		m = pay_num(s + dn + 1, mn);
		y = pay_num(s + dn + mn + 2, 4);
	}
	if (y < 1900 || y > 2999 || m < 1 || m > 12 || d < 1)
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (d > mdays[m - 1] + (m == 2 && leap))
		return -1;
	pay_put_num(out, y, 4);
	out[4] = '-';
	pay_put_num(out + 5, m, 2);
	out[7] = '-';
	pay_put_num(out + 8, d, 2);
	out[10] = '\0';
	return 0;
}

/* 1 when the n digits at d (n < PAYMENT_REF_SIZE) are a valid model 97
 * reference with its "97" prefix. */
static int pay_ref97_digits(const char *d, size_t n)
{
	char tmp[PAYMENT_REF_SIZE];

	if (n < 5 || n >= sizeof(tmp) || d[0] != '9' || d[1] != '7')
		return 0;
	memcpy(tmp, d, n);
	tmp[n] = '\0';
	return ref97_valid(tmp);
}

int payment_ref_normalize(const char *s, char *out, size_t outlen)
{
	char d[PAYMENT_REF_SIZE], cc[3];
	size_t n = 0;
	const char *p;
	int digits = 1;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (s == NULL)
		return 0;
	for (p = s; *p != '\0' && digits; p++) {
		if (*p == ' ' || *p == '\t' || *p == '-')
			continue;
		if (!pay_isdigit(*p) || n + 1 >= sizeof(d))
			digits = 0;
		else
			d[n++] = *p;
	}
	d[n] = '\0';
	if (digits && pay_ref97_digits(d, n) && n < outlen) {
		memcpy(out, d, n + 1);
		return 1;
	}
	/* Without the model: CC + N, CC the control digits of N. */
	if (digits && n >= 3 && n + 2 < sizeof(d) && n + 2 < outlen &&
	    ref97_control(d + 2, cc) == 0 && cc[0] == d[0] && cc[1] == d[1]) {
		memcpy(out, "97", 2);
		memcpy(out + 2, d, n + 1);
		return 1;
	}
	payment_text_clean(out, outlen, s, strlen(s));
	return 0;
}

int payment_ref_display(const char *ref, char *out, size_t outlen)
{
	size_t n;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (ref == NULL)
		return 0;
	n = strlen(ref);
	if (n < PAYMENT_REF_SIZE && ref97_valid(ref) && n <= outlen) {
		/* "97" + CC + N (n - 4 digits) -> CC + ' ' + N: n - 1 bytes. */
		memcpy(out, ref + 2, 2);
		out[2] = ' ';
		memcpy(out + 3, ref + 4, n - 4 + 1);
		return 1;
	}
	payment_text_clean(out, outlen, ref, n);
	return 0;
}

/*
 * Tests the digit run d (n digits, marks[] the positions where a space
 * or dash split it, with 0 and n) for a reference starting and ending at
 * a split, longest first.  1 with out set, or 0.
 */
static int pay_ref_in_run(const char *d, const size_t *marks, size_t nmarks, char *out,
			  size_t outlen)
{
	size_t a, b, len;

	for (a = 0; a < nmarks; a++) {
		for (b = nmarks; b-- > a + 1;) {
			len = marks[b] - marks[a];
			if (!pay_ref97_digits(d + marks[a], len) || len >= outlen)
				continue;
			memcpy(out, d + marks[a], len);
			out[len] = '\0';
			return 1;
		}
	}
	return 0;
}

int payment_ref_find(const char *text, char *out, size_t outlen)
{
	char d[PAYMENT_RUN_MAX];
	size_t marks[PAYMENT_RUN_MARKS + 2], nmarks, n;
	const char *p;

	if (out == NULL || outlen == 0)
		return 0;
	out[0] = '\0';
	if (text == NULL)
		return 0;
	for (p = text; *p != '\0';) {
		if (!pay_isdigit(*p)) {
			p++;
			continue;
		}
		n = 0;
		nmarks = 0;
		marks[nmarks++] = 0;
		while (n < sizeof(d)) {
			if (pay_isdigit(*p)) {
				d[n++] = *p++;
			} else if ((*p == ' ' || *p == '-') && pay_isdigit(p[1]) &&
				   nmarks < PAYMENT_RUN_MARKS) {
				marks[nmarks++] = n;
				p++;
			} else {
				break;
			}
		}
		marks[nmarks++] = n;
		if (pay_ref_in_run(d, marks, nmarks, out, outlen))
			return 1;
	}
	return 0;
}

int payment_ref_order_id(const char *ref, long long *id)
{
	char check[PAYMENT_REF_SIZE];
	const char *p;
	long long v = 0;
	size_t len;

	if (ref == NULL || id == NULL || !ref97_valid(ref))
		return -1;
	len = strlen(ref + 4);
	if (len < 8 || len > 18)
		return -1;
	for (p = ref + 4; *p != '\0'; p++)
		v = v * 10 + (*p - '0');
	if (v < 1 || order_payment_ref(v, check, sizeof(check)) != 0 || strcmp(check, ref) != 0)
		return -1;
	*id = v;
	return 0;
}

const char *match_result_name(enum match_result r)
{
	if ((int)r < 0 || r >= MATCH__MAX)
		return NULL;
	return match_result_names[r];
}

int payment_match(int order_known, long long total_para, long long paid_before_para,
		  long long amount_para, struct payment_match *out)
{
	if (out == NULL || amount_para <= 0 || amount_para > PAYMENT_PARA_MAX || total_para < 0 ||
	    total_para > PAYMENT_PARA_MAX || paid_before_para < 0 ||
	    paid_before_para > PAYMENT_PARA_MAX)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!order_known) {
		out->result = MATCH_UNKNOWN_REFERENCE;
		out->paid_para = amount_para;
		return 0;
	}
	/* Both terms are below 10^17: the sum cannot overflow. */
	out->paid_para = paid_before_para + amount_para;
	if (out->paid_para == total_para) {
		out->result = MATCH_EXACT;
	} else if (out->paid_para < total_para) {
		out->result = MATCH_PARTIAL;
		out->due_para = total_para - out->paid_para;
	} else {
		out->result = MATCH_OVERPAID;
		out->excess_para = out->paid_para - total_para;
	}
	return 0;
}
