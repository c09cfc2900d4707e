/*
 * NBS IPS QR payload for an invoice ("K:PR").  The rules are the NBS
 * recommendations for the textual record (nbs.rs/QRcode/info_g_lat.html)
 * as summarised in DOMAIN.md: TAG:value pairs joined by '|', tags in
 * the fixed order K V C R N I P SF S RO, an optional tag without a value
 * left out, nothing after the last value.  Lengths are UTF-8 code
 * points.  ips_qr_format() and ips_qr_valid() share every value check,
 * so whatever the first writes the second accepts.
 */
#include "domain/ipsqr.h"

#include <stdio.h>
#include <string.h>

#include "domain/ident.h"
#include "util/escape.h"

#define IPS_ACCOUNT_LEN 18
#define IPS_NAME_MAX 70    /* N and P */
#define IPS_PURPOSE_MAX 35 /* S */
#define IPS_REF_MAX 35     /* RO */
#define IPS_AMOUNT_MIN 5   /* I: "RSD" + amount, 5-18 characters */
#define IPS_AMOUNT_MAX 18

static int ips_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static int ips_present(const char *s)
{
	return s != NULL && s[0] != '\0';
}

/*
 * A free-text value (N, P, S): well-formed UTF-8 of 1 to max code
 * points, no '|' (the separator), no control character except '\n'
 * where multiline (N and P put the address on a new line), and no space
 * or line break at the end: NBS forbids them after the last value, and
 * forbidding them after every value keeps the rule independent of which
 * optional tags are present.  Returns 1 or 0.
 */
static int ips_text_valid(const char *s, size_t n, size_t max, int multiline)
{
	size_t i, points = 0;
	unsigned char c;

	if (n == 0 || n > max * 4 || !utf8_valid(s, n))
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '|' || c == 0x7f || (c < 0x20 && !(c == '\n' && multiline)))
			return 0;
		if ((c & 0xc0) != 0x80)
			points++;
	}
	return points <= max && s[n - 1] != ' ' && s[n - 1] != '\n';
}

/* SF: the payment code, exactly 3 digits. */
static int ips_code_valid(const char *s, size_t n)
{
	return n == 3 && ident_digits_in(s, 3);
}

/* RO: the model and the reference as one run of 3-35 digits; model 97
 * must carry correct control digits (ISO 7064 MOD 97-10). */
static int ips_ref_valid(const char *s, size_t n)
{
	char ref[IPS_REF_MAX + 1];

	if (n < 3 || n > IPS_REF_MAX || !ident_digits_in(s, n))
		return 0;
	if (s[0] != '9' || s[1] != '7')
		return 1;
	memcpy(ref, s, n);
	ref[n] = '\0';
	return ref97_valid(ref);
}

int ips_qr_account(const char *s, char out[19])
{
	const char *d1, *d2;
	char first16[17], cc[3];
	size_t mid;

	out[0] = '\0';
	if (s == NULL)
		return -1;
	d1 = strchr(s, '-');
	if (d1 == NULL) {
		if (strnlen(s, IPS_ACCOUNT_LEN + 1) != IPS_ACCOUNT_LEN ||
		    !ident_digits_in(s, IPS_ACCOUNT_LEN))
			return -1;
		memcpy(out, s, IPS_ACCOUNT_LEN);
	} else {
		d2 = strchr(d1 + 1, '-');
		if (d2 == NULL || strchr(d2 + 1, '-') != NULL)
			return -1;
		mid = (size_t)(d2 - d1 - 1);
		if (d1 - s != 3 || !ident_digits_in(s, 3) || mid < 1 || mid > 13 ||
		    !ident_digits_in(d1 + 1, mid) || strnlen(d2 + 1, 3) != 2 ||
		    !ident_digits_in(d2 + 1, 2))
			return -1;
		memcpy(out, s, 3);
		memset(out + 3, '0', 13 - mid);
		memcpy(out + 16 - mid, d1 + 1, mid);
		memcpy(out + 16, d2 + 1, 2);
	}
	out[IPS_ACCOUNT_LEN] = '\0';
	memcpy(first16, out, 16);
	first16[16] = '\0';
	if (ref97_control(first16, cc) != 0 || cc[0] != out[16] || cc[1] != out[17]) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* "RSD" + para with a decimal comma ("RSD1025,50") into buf.  Returns 0,
 * or -1 when para is not positive or the value passes 18 characters. */
static int ips_amount_format(long long para, char *buf, size_t len)
{
	int n;

	if (para <= 0)
		return -1;
	n = snprintf(buf, len, "RSD%lld,%02lld", para / 100, para % 100);
	if (n < 0 || (size_t)n >= len || n > IPS_AMOUNT_MAX)
		return -1;
	return 0;
}

/* I: "RSD", at least one integer digit, a decimal comma, at most two
 * decimals, 5-18 characters in all, and not zero. */
static int ips_amount_valid(const char *s, size_t n)
{
	size_t i = 3, int_digits = 0, decimals = 0;
	int nonzero = 0;

	if (n < IPS_AMOUNT_MIN || n > IPS_AMOUNT_MAX || memcmp(s, "RSD", 3) != 0)
		return 0;
	for (; i < n && ips_isdigit(s[i]); i++, int_digits++)
		nonzero |= s[i] != '0';
	if (int_digits == 0 || i == n || s[i] != ',')
		return 0;
	for (i++; i < n && ips_isdigit(s[i]); i++, decimals++)
		nonzero |= s[i] != '0';
	return i == n && decimals <= 2 && nonzero;
}

/* Appends to out, never past its end; one overflow spoils the result. */
struct ips_out {
	char *p;
	size_t len, cap;
	int overflow;
};

static void ips_put(struct ips_out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->overflow || n >= o->cap - o->len) {
		o->overflow = 1;
		return;
	}
	memcpy(o->p + o->len, s, n + 1);
	o->len += n;
}

static void ips_put_tag(struct ips_out *o, const char *tag, const char *value)
{
	if (o->len > 0)
		ips_put(o, "|");
	ips_put(o, tag);
	ips_put(o, ":");
	ips_put(o, value);
}

int ips_qr_format(const struct ips_qr *q, char *out, size_t outlen)
{
	struct ips_out o;
	char account[IPS_ACCOUNT_LEN + 1], amount[32];

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (q == NULL || ips_qr_account(q->account, account) != 0 ||
	    ips_amount_format(q->amount_para, amount, sizeof(amount)) != 0)
		return -1;
	if (q->payee == NULL || !ips_text_valid(q->payee, strlen(q->payee), IPS_NAME_MAX, 1))
		return -1;
	if (q->payment_code == NULL || !ips_code_valid(q->payment_code, strlen(q->payment_code)))
		return -1;
	if (ips_present(q->payer) && !ips_text_valid(q->payer, strlen(q->payer), IPS_NAME_MAX, 1))
		return -1;
	if (ips_present(q->purpose) &&
	    !ips_text_valid(q->purpose, strlen(q->purpose), IPS_PURPOSE_MAX, 0))
		return -1;
	if (ips_present(q->reference) && !ips_ref_valid(q->reference, strlen(q->reference)))
		return -1;

	o.p = out;
	o.len = 0;
	o.cap = outlen;
	o.overflow = 0;
	ips_put_tag(&o, "K", "PR");
	ips_put_tag(&o, "V", "01");
	ips_put_tag(&o, "C", "1");
	ips_put_tag(&o, "R", account);
	ips_put_tag(&o, "N", q->payee);
	ips_put_tag(&o, "I", amount);
	if (ips_present(q->payer))
		ips_put_tag(&o, "P", q->payer);
	ips_put_tag(&o, "SF", q->payment_code);
	if (ips_present(q->purpose))
		ips_put_tag(&o, "S", q->purpose);
	if (ips_present(q->reference))
		ips_put_tag(&o, "RO", q->reference);
	if (o.overflow) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}

/* ---- Checking a payload ---------------------------------------------- */

static int ips_v_k(const char *s, size_t n)
{
	return n == 2 && memcmp(s, "PR", 2) == 0;
}

static int ips_v_v(const char *s, size_t n)
{
	return n == 2 && memcmp(s, "01", 2) == 0;
}

static int ips_v_c(const char *s, size_t n)
{
	return n == 1 && s[0] == '1';
}

/* R: exactly 18 digits (no dashes inside a payload) with a correct
 * control. */
static int ips_v_r(const char *s, size_t n)
{
	char in[IPS_ACCOUNT_LEN + 1], out[IPS_ACCOUNT_LEN + 1];

	if (n != IPS_ACCOUNT_LEN || !ident_digits_in(s, n))
		return 0;
	memcpy(in, s, n);
	in[n] = '\0';
	return ips_qr_account(in, out) == 0;
}

static int ips_v_n(const char *s, size_t n)
{
	return ips_text_valid(s, n, IPS_NAME_MAX, 1);
}

static int ips_v_s(const char *s, size_t n)
{
	return ips_text_valid(s, n, IPS_PURPOSE_MAX, 0);
}

/* The tags of the "PR" form in their required order. */
static const struct ips_rule {
	const char *tag;
	int required;
	int (*valid)(const char *s, size_t n);
} ips_rules[] = {
	{"K", 1, ips_v_k}, {"V", 1, ips_v_v},          {"C", 1, ips_v_c}, {"R", 1, ips_v_r},
	{"N", 1, ips_v_n}, {"I", 1, ips_amount_valid}, {"P", 0, ips_v_n}, {"SF", 1, ips_code_valid},
	{"S", 0, ips_v_s}, {"RO", 0, ips_ref_valid},
};

#define IPS_NRULES (sizeof(ips_rules) / sizeof(ips_rules[0]))

/*
 * Walks the fields left to right; each must be the next expected tag or
 * a later one with only optional tags skipped in between, so order,
 * duplicates, unknown tags, empty fields (a leading, doubled or trailing
 * '|') and missing mandatory tags are all caught by one rule.
 */
int ips_qr_valid(const char *s)
{
	const char *field, *end, *colon;
	size_t next = 0, j, taglen;

	if (s == NULL)
		return 0;
	for (field = s;; field = end + 1) {
		end = strchr(field, '|');
		if (end == NULL)
			end = field + strlen(field);
		colon = memchr(field, ':', (size_t)(end - field));
		if (colon == NULL)
			return 0;
		taglen = (size_t)(colon - field);
		for (j = next; j < IPS_NRULES; j++) {
			if (strlen(ips_rules[j].tag) == taglen &&
			    memcmp(ips_rules[j].tag, field, taglen) == 0)
				break;
			if (ips_rules[j].required)
				return 0;
		}
		if (j == IPS_NRULES || !ips_rules[j].valid(colon + 1, (size_t)(end - colon - 1)))
			return 0;
		next = j + 1;
		if (*end == '\0')
			break;
	}
	for (; next < IPS_NRULES; next++)
		if (ips_rules[next].required)
			return 0;
	return 1;
}
