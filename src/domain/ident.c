/*
 * Serbian identifiers and the other values users type into forms.
 * Every function takes a NUL-terminated string (NULL is invalid) and
 * touches nothing but its arguments.
 */
#include "domain/ident.h"

#include <ctype.h>
#include <string.h>

#define REF97_MAX_DIGITS 35

static int ident_isdigit(char c)
{
	return c >= '0' && c <= '9';
}

static int ident_isalpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int ident_digits_in(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!ident_isdigit(s[i]))
			return 0;
	return n > 0;
}

/* 1 when s is exactly n ASCII digits. */
static int ident_digits(const char *s, size_t n)
{
	return s != NULL && strnlen(s, n + 1) == n && (n == 0 || ident_digits_in(s, n));
}

/* 1 when s is one or more ASCII digits and nothing else. */
static int ident_all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!ident_isdigit(*s))
			return 0;
	return 1;
}

static int ident_num(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* 1 when day/month/year is a date of the Gregorian calendar. */
static int ident_date_exists(int day, int month, int year)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap, max;

	if (month < 1 || month > 12 || day < 1)
		return 0;
	leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	max = mdays[month - 1] + (month == 2 && leap);
	return day <= max;
}

/*
 * JMBG, DDMMYYYRRBBBK.  YYY >= 800 is 1YYY, otherwise 2YYY, and the
 * date must exist.  K: S = sum of the first 12 digits times
 * 7,6,5,4,3,2,7,6,5,4,3,2; r = S mod 11; r = 0 gives 0, r = 2..10 gives
 * 11 - r, r = 1 is never assigned.  The region and serial are not
 * checked: foreigners and older numbers use values outside 70-99.
 */
enum jmbg_error jmbg_check(const char *s)
{
	static const int w[12] = {7, 6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
	int sum = 0, r, k, yyy;
	size_t i;

	if (s == NULL || strnlen(s, 14) != 13)
		return JMBG_LENGTH;
	if (!ident_digits(s, 13))
		return JMBG_DIGITS;
	yyy = ident_num(s + 4, 3);
	if (!ident_date_exists(ident_num(s, 2), ident_num(s + 2, 2),
			       yyy >= 800 ? 1000 + yyy : 2000 + yyy))
		return JMBG_DATE;
	for (i = 0; i < 12; i++)
		sum += (s[i] - '0') * w[i];
	r = sum % 11;
	if (r == 1)
		return JMBG_CHECK;
	k = r == 0 ? 0 : 11 - r;
	return k == s[12] - '0' ? JMBG_OK : JMBG_CHECK;
}

/* PIB: ISO 7064 MOD 11,10 (pure hybrid system) over the first 8 digits. */
int pib_valid(const char *s)
{
	int c = 10;
	size_t i;

	if (!ident_digits(s, 9))
		return 0;
	for (i = 0; i < 8; i++) {
		c = (c + (s[i] - '0')) % 10;
		if (c == 0)
			c = 10;
		c = (2 * c) % 11;
	}
	return (11 - c) % 10 == s[8] - '0';
}

/*
 * Matični broj: S = sum of the first 7 digits times 8,7,6,5,4,3,2;
 * r = S mod 11; K = 11 - r, or 0 when r is 0 or 1.  The rule is observed,
 * not published, and some sole traders (numbers starting with 6) fail
 * it, so for them a mismatch is only a warning.
 */
enum mb_result mb_check(const char *s)
{
	int sum = 0, r, k;
	size_t i;

	if (!ident_digits(s, 8))
		return MB_INVALID;
	for (i = 0; i < 7; i++)
		sum += (s[i] - '0') * (int)(8 - i);
	r = sum % 11;
	k = r <= 1 ? 0 : 11 - r;
	if (k == s[7] - '0')
		return MB_OK;
	return s[0] == '6' ? MB_WARN : MB_INVALID;
}

/*
 * Model 97: CC = 98 - ((N * 100) mod 97), ISO 7064 MOD 97-10.  N is
 * reduced one digit at a time so any length fits in an int.
 */
int ref97_control(const char *n, char cc[3])
{
	int r = 0;
	size_t len;
	const char *p;

	if (!ident_all_digits(n))
		return -1;
	len = strnlen(n, REF97_MAX_DIGITS + 1);
	if (len > REF97_MAX_DIGITS)
		return -1;
	for (p = n; *p != '\0'; p++)
		r = (r * 10 + (*p - '0')) % 97;
	r = (r * 100) % 97;
	r = 98 - r;
	cc[0] = (char)('0' + r / 10);
	cc[1] = (char)('0' + r % 10);
	cc[2] = '\0';
	return 0;
}

/* "97" + CC + n into out (outlen bytes with the NUL).  0 or -1. */
int ref97_format(const char *n, char *out, size_t outlen)
{
	char cc[3];
	size_t len;

	if (out == NULL || ref97_control(n, cc) == -1)
		return -1;
	len = strlen(n);
	if (outlen < 4 + len + 1)
		return -1;
	memcpy(out, "97", 2);
	memcpy(out + 2, cc, 2);
	memcpy(out + 4, n, len + 1);
	return 0;
}

/* 1 when s is "97" + the right control digits + 1 to 35 digits. */
int ref97_valid(const char *s)
{
	char cc[3];

	if (s == NULL || strncmp(s, "97", 2) != 0)
		return 0;
	if (!ident_isdigit(s[2]) || !ident_isdigit(s[3]))
		return 0;
	if (ref97_control(s + 4, cc) == -1)
		return 0;
	return s[2] == cc[0] && s[3] == cc[1];
}

/*
 * Local part: RFC 5322 3.2.3 dot-atom (atext runs joined by single
 * dots).  Stricter than "printable ASCII": it keeps out ',', ';', '<',
 * '>', '"', '\\' and '(', which would let one form field name several
 * recipients or break a mail header.  At most 64 octets (RFC 5321
 * 4.5.3.1.1).
 */
static int email_local_valid(const char *s, size_t len)
{
	static const char atext_special[] = "!#$%&'*+-/=?^_`{|}~";
	size_t i;

	if (len == 0 || len > 64 || s[0] == '.' || s[len - 1] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
			continue;
		}
		if (!ident_isalpha(s[i]) && !ident_isdigit(s[i]) &&
		    strchr(atext_special, s[i]) == NULL)
			return 0;
	}
	return 1;
}

/*
 * Domain: two or more labels of [A-Za-z0-9-], 1-63 characters each, not
 * starting or ending with '-' (RFC 1035 2.3.1, RFC 1123 2.1).
 */
static int email_domain_valid(const char *s)
{
	size_t labels = 0, n;
	const char *p = s;

	for (;;) {
		n = 0;
		while (ident_isalpha(p[n]) || ident_isdigit(p[n]) || p[n] == '-')
			n++;
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			return 0;
		labels++;
		if (p[n] == '\0')
			break;
		if (p[n] != '.')
			return 0;
		p += n + 1;
	}
	return labels >= 2;
}

/* Total at most 254 octets (RFC 5321 4.5.3.1.3 path limit less "<>"). */
int email_valid(const char *s)
{
	const char *at;
	size_t len;

	if (s == NULL)
		return 0;
	len = strnlen(s, 255);
	if (len == 0 || len > 254)
		return 0;
	at = strchr(s, '@');
	if (at == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	return email_local_valid(s, (size_t)(at - s)) && email_domain_valid(at + 1);
}

int username_valid(const char *s)
{
	size_t i;

	if (s == NULL || !ident_isalpha(s[0]))
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 32)
			return 0;
		if (!ident_isalpha(s[i]) && !ident_isdigit(s[i]) && s[i] != '.' && s[i] != '_' &&
		    s[i] != '-')
			return 0;
	}
	return i >= 3;
}

/*
 * Serbian mobile numbers (ITU-T E.164, country code 381, mobile ranges
 * 06x): the national significant number starts with 6 and has 8-10
 * digits.  Spaces, '-' and '/' may appear anywhere; '+' only as the
 * first character.  On success out holds "+381" and the national
 * number; on failure out is left an empty string when it has room.
 */
int phone_rs_normalize(const char *s, char *out, size_t outlen)
{
	char digits[32];
	const char *nsn, *p;
	size_t n = 0, len;
	int plus = 0;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (s == NULL || out == NULL)
		return 0;
	p = s;
	if (*p == '+') {
		plus = 1;
		p++;
	}
	for (; *p != '\0'; p++) {
		if (*p == ' ' || *p == '-' || *p == '/')
			continue;
		if (!ident_isdigit(*p) || n + 1 >= sizeof(digits))
			return 0;
		digits[n++] = *p;
	}
	digits[n] = '\0';
	if (strncmp(digits, "381", 3) == 0)
		nsn = digits + 3;
	else if (!plus && digits[0] == '0')
		nsn = digits + 1;
	else
		return 0;
	len = strlen(nsn);
	if (nsn[0] != '6' || len < 8 || len > 10)
		return 0;
	if (outlen < 4 + len + 1)
		return 0;
	memcpy(out, "+381", 4);
	memcpy(out + 4, nsn, len + 1);
	return 1;
}

int postal_code_valid(const char *s)
{
	return ident_digits(s, 5);
}

int license_normalize(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		char ch = *s;

		if (ch == ' ' || ch == '-' || ch == '.')
			continue;
		if (!isalnum((unsigned char)ch) && ch != '/')
			return 0;
		if (n + 1 >= outlen || n >= 31)
			return 0;
		out[n++] = (char)toupper((unsigned char)ch);
	}
	if (outlen > 0)
		out[n < outlen ? n : outlen - 1] = '\0';
	return n > 0;
}
