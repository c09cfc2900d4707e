/*
 * Payments: the values a payment line carries (amount, date, model 97
 * reference) and matching a payment to an order.  Pure functions: no
 * I/O, no allocation, no SQL.  Bank statement files are read by
 * statement.h, which uses these parsers; a payment recorded by hand
 * goes through the same ones.
 */
#ifndef QCRA_PAYMENT_H
#define QCRA_PAYMENT_H

#include <stddef.h>

/* "97" + CC + up to 35 digits + NUL (model 97 allows N of 35 digits). */
#define PAYMENT_REF_SIZE 40
/* Amounts have at most 15 integer digits: para never overflows. */
#define PAYMENT_AMOUNT_MAX_DIGITS 15

/*
 * Copies the n bytes at s as one line of display text into out: leading
 * and trailing white space dropped, every run of white space or control
 * characters (C0, DEL, C1, no-break space) made one space, each byte
 * that is not part of valid UTF-8 replaced by U+FFFD, and the result
 * truncated at a character boundary to fit outlen (with the NUL).  So
 * out is valid UTF-8 whatever s holds.  Returns the length written.
 */
size_t payment_text_clean(char *out, size_t outlen, const char *s, size_t n);

/*
 * Parses an amount as banks and people write it into para (1/100 RSD),
 * exactly, without floating point.  Accepted: an optional sign ('-' or
 * '+'), digits, optionally grouped in threes by '.', ',', ' ' or a
 * no-break space, and a decimal separator ('.' or ',') followed by one
 * or two digits: "5.880,00", "5,880.00", "5880.00", "5880,00",
 * "5 880,00", "5880".  When both '.' and ',' appear, the last one is the
 * decimal separator.  A single separator followed by exactly three
 * digits ("5.880") is refused as ambiguous (a thousands separator, or
 * three decimals?).  Returns 0 with *para set (negative for a leading
 * '-'; zero is returned as 0, callers decide), or -1 with *why set to a
 * static English message (why may be NULL).
 */
int payment_amount_parse(const char *s, long long *para, const char **why);

/* Writes para as "5.880,00" (Serbian grouping, decimal comma, '-' for a
 * negative amount) into out.  Returns 0, or -1 when out is too short
 * (out is then ""). */
int payment_amount_format(long long para, char *out, size_t outlen);

/*
 * Parses a date written "YYYY-MM-DD", "DD.MM.YYYY" or "D.M.YYYY" (an
 * optional final '.', as Serbian writes dates) into "YYYY-MM-DD" in
 * out.  The date must exist (leap years per the Gregorian calendar);
 * years 1900-2999.  Surrounding spaces are ignored.  Returns 0, or -1
 * (out is then "").
 */
int payment_date_parse(const char *s, char out[11]);

/*
 * Normalises a payment reference ("poziv na broj").  Spaces, tabs and
 * dashes are removed; when what remains is digits and either is "97" +
 * correct control digits + N (ref97_valid), or is CC + N where CC is the
 * correct control for N (a reference written without the model), out
 * gets the canonical "97" + CC + N and 1 is returned.  Otherwise out
 * gets the text as given (trimmed, runs of white space made one space,
 * truncated at a UTF-8 character boundary to fit) and 0 is returned.
 * Returns -1 only when out is NULL or outlen is 0.  The input must be
 * valid UTF-8 for the truncation to be.
 */
int payment_ref_normalize(const char *s, char *out, size_t outlen);

/*
 * A model 97 reference as people read it: the model ("97") left out,
 * to be shown apart, and the rest grouped as control digits, a space,
 * the number: "979500000001" gives "95 00000001".  Anything else
 * payment_ref_normalize() left as text (a reference of another model,
 * free text from a statement) is copied as it is, truncated at a UTF-8
 * character boundary to fit.  The inverse is payment_ref_normalize(),
 * which accepts what this writes, with or without the model.  Returns
 * 1 for a model 97 reference, 0 for text copied, -1 when out is NULL or
 * outlen is 0.
 */
int payment_ref_display(const char *ref, char *out, size_t outlen);

/*
 * Finds a model 97 reference written inside free text (a purpose or an
 * unstructured remittance line: "uplata po pozivu 97 14-123412"): the
 * first run of digits, possibly split by single spaces or dashes, that
 * starts with "97" and passes ref97_valid.  References without the
 * model are not looked for in free text (too many false matches).
 * Returns 1 with the canonical reference in out, else 0 (out "").
 */
int payment_ref_find(const char *text, char *out, size_t outlen);

/*
 * The order id behind a canonical order reference: "97" + CC + the id
 * zero-padded to 8 digits, exactly as order_payment_ref() writes it.
 * Returns 0 with *id set, or -1 for anything else (a valid model 97
 * reference that is not an order's, e.g. not zero-padded canonically).
 */
int payment_ref_order_id(const char *ref, long long *id);

enum match_result {
	MATCH_EXACT,             /* earlier payments + this one = total */
	MATCH_PARTIAL,           /* still less than the total */
	MATCH_OVERPAID,          /* more than the total (also: order already paid) */
	MATCH_UNKNOWN_REFERENCE, /* no order carries the reference */
	MATCH__MAX
};

/* "exact", "partial", "overpaid", "unknown_reference"; NULL out of range. */
const char *match_result_name(enum match_result r);

struct payment_match {
	enum match_result result;
	long long paid_para;   /* earlier payments + this one */
	long long due_para;    /* still due after this one: > 0 only when partial */
	long long excess_para; /* paid beyond the total: > 0 only when overpaid */
};

/*
 * Classifies a new payment of amount_para against an order.  order_known
 * is 0 when no order carries the payment's reference (then the result is
 * MATCH_UNKNOWN_REFERENCE and the totals are 0 apart from paid_para =
 * amount_para).  total_para is the order's amount due, paid_before_para
 * the sum of the payments already recorded for the same reference
 * (including earlier lines of the statement being imported).  An order
 * already paid in full gets MATCH_OVERPAID for any further payment.
 * Returns 0 with *out filled, or -1 when amount_para is not positive,
 * total_para or paid_before_para is negative, or a value exceeds
 * PAYMENT_AMOUNT_MAX_DIGITS integer digits.
 */
int payment_match(int order_known, long long total_para, long long paid_before_para,
		  long long amount_para, struct payment_match *out);

#endif
