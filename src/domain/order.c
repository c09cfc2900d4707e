/*
 * Certificate orders: the names of the two request types and the
 * payment reference each order is paid with.
 */
#include "domain/order.h"

#include <stdio.h>
#include <string.h>

#include "domain/ident.h"

#define ORDER_REF_DIGITS 8 /* N is at least this long: 00000123 */

static const char *const order_type_names[] = {
	[ORDER_NATURAL] = "natural",
	[ORDER_LEGAL] = "legal",
};

/* "natural" or "legal"; "unknown" for a value outside the enum, so a
 * corrupt row prints as such instead of crashing. */
const char *order_type_name(enum order_type t)
{
	if (t != ORDER_NATURAL && t != ORDER_LEGAL)
		return "unknown";
	return order_type_names[t];
}

/* Exact, case-sensitive names as order_type_name() writes them.  Returns
 * 0 and sets *out, or -1 and leaves *out alone. */
int order_type_parse(const char *s, enum order_type *out)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, order_type_names[ORDER_NATURAL]) == 0) {
		*out = ORDER_NATURAL;
		return 0;
	}
	if (strcmp(s, order_type_names[ORDER_LEGAL]) == 0) {
		*out = ORDER_LEGAL;
		return 0;
	}
	return -1;
}

/*
 * Model 97: N is the order id zero-padded to 8 digits (longer ids keep
 * all their digits), written as "97" + CC + N.  The id alone makes the
 * reference unique, and the padding keeps references of early orders
 * the same length as later ones.  Returns 0, or -1 (out then "" when it
 * has room) for an id below 1 or a short out.
 */
int order_payment_ref(long long id, char *out, size_t outlen)
{
	char n[32];

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	if (out == NULL || id < 1)
		return -1;
	snprintf(n, sizeof(n), "%0*lld", ORDER_REF_DIGITS, id);
	if (ref97_format(n, out, outlen) != 0) {
		if (outlen > 0)
			out[0] = '\0';
		return -1;
	}
	return 0;
}
