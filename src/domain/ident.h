/*
 * Serbian identifiers and the other values users type into forms.
 * Pure functions: no I/O, no allocation.  Rules in ../shared/DOMAIN.md.
 */
#ifndef QCRA_IDENT_H
#define QCRA_IDENT_H

#include <stddef.h>

enum jmbg_error {
	JMBG_OK = 0,
	JMBG_LENGTH, /* not exactly 13 characters */
	JMBG_DIGITS, /* a character that is not 0-9 */
	JMBG_DATE,   /* DDMMYYY is not a real date */
	JMBG_CHECK,  /* check digit wrong, or remainder 1 (never assigned) */
};

/* JMBG: DDMMYYYRRBBBK, weights 7,6,5,4,3,2,7,6,5,4,3,2, mod 11. */
enum jmbg_error jmbg_check(const char *s);

/* PIB: 9 digits, ISO 7064 MOD 11,10 check digit.  1 valid, 0 not. */
int pib_valid(const char *s);

enum mb_result {
	MB_OK = 0,
	MB_INVALID, /* not 8 digits, or check digit wrong */
	MB_WARN,    /* check digit wrong but starts with 6 (sole traders): warn only */
};
/* Matični broj: 8 digits, weights 8..2 mod 11. */
enum mb_result mb_check(const char *s);

/* Model 97 (ISO 7064 MOD 97-10) over a string of digits n.  Writes the
 * two control digits into cc (with NUL).  Returns 0, or -1 when n is
 * empty, longer than 35 or holds a non-digit. */
int ref97_control(const char *n, char cc[3]);
/* Formats "97" + CC + n into out.  Returns 0 or -1 (bad n, short out). */
int ref97_format(const char *n, char *out, size_t outlen);
/* 1 when s is "97" + two correct control digits + digits. */
int ref97_valid(const char *s);

/* Email: one '@', a local part that is an RFC 5322 dot-atom of at most
 * 64 characters (letters, digits, !#$%&'*+-/=?^_`{|}~ and single inner
 * dots: no ',', '<', '"' that could split or break a mail header), a
 * domain with a dot, labels of [A-Za-z0-9-] of 1-63 characters not
 * starting or ending with '-', total <= 254. */
int email_valid(const char *s);

/* Username: 3-32 characters of [a-z0-9._-], starting with a letter
 * (case-insensitive; callers store it lower-cased). */
int username_valid(const char *s);

/* Serbian mobile number: accepts "06x...", "+3816x..." and "3816x..."
 * with optional spaces, '-' or '/'; 8-10 digits after the leading 0.
 * Writes the normalised "+3816..." form into out.  1 valid, 0 not. */
int phone_rs_normalize(const char *s, char *out, size_t outlen);

/* A chamber license number as stored and compared: the spaces, dashes
 * and dots people write it with dropped, letters upper-cased, so that
 * "315 6789 01", "315-6789-01", "315.6789.01" and "315678901" are one
 * number.  What is left must be 1-31 letters, digits or '/'.  1 and
 * the number in out, or 0 when it is not a license number. */
int license_normalize(const char *s, char *out, size_t outlen);

/* Postal code: exactly 5 digits. */
int postal_code_valid(const char *s);

/* 1 when s[0..n) are n > 0 ASCII digits (s need not end there). */
int ident_digits_in(const char *s, size_t n);

#endif
