/*
 * The IPS QR payload of an order's proforma (docs.h): also what the
 * portal shows on the order page, so it is kept apart from the drawing
 * code (no cairo here).
 */
#include <stdio.h>
#include <string.h>

#include "docs/docs.h"
#include "domain/ipsqr.h"
#include "util/escape.h"

#define IPS_NAME_MAX 70 /* N: and P: at most 70 characters (NBS IPS) */
/* A part of a name field: room for more than IPS_NAME_MAX characters
 * of any width, so that a part cut to fit is still too long and never
 * shown cut (a name alone is cut by characters, ips_name). */
#define IPS_PART (UTF8_BUF(IPS_NAME_MAX) + 1)

/* Copies s into out (n bytes) with '|' and control characters, which
 * the IPS format cannot carry, turned into spaces, and without leading
 * or trailing spaces; cut to fit at a character boundary. */
static void ips_clean(char *out, size_t n, const char *s)
{
	size_t i, len;

	while (*s == ' ')
		s++;
	utf8_copy(out, n, s);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] == '|' || (unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	len = strlen(out);
	while (len > 0 && out[len - 1] == ' ')
		out[--len] = '\0';
}

/* "a" sep "b", or whichever of them is not empty; cut to fit at a
 * character boundary. */
static void ips_join(char *out, size_t n, const char *a, const char *sep, const char *b)
{
	if ((size_t)snprintf(out, n, "%s%s%s", a, a[0] != '\0' && b[0] != '\0' ? sep : "", b) >= n)
		out[utf8_prefix(out, n - 1)] = '\0';
}

/*
 * An IPS name field (N, P): the name and, on a new line, the address,
 * in at most 70 characters: when too long the street goes first, then
 * the place, and a name alone is cut at a character boundary.  Empty
 * parts leave no stray separators (the format forbids trailing blanks).
 * Every part is held in IPS_PART bytes: what is cut there is past the
 * 70 characters and never shown, so out is valid whatever the parts'
 * lengths (an order's city of 63 euro signs is 189 bytes).
 */
static void ips_name(char *out, size_t n, const char *name, const char *street, const char *postal,
		     const char *city)
{
	char nm[IPS_PART], st[IPS_PART], pc[IPS_PART], ct[IPS_PART], place[IPS_PART],
		addr[IPS_PART];
	size_t cut, chars = 0;

	ips_clean(nm, sizeof(nm), name);
	ips_clean(st, sizeof(st), street);
	ips_clean(pc, sizeof(pc), postal);
	ips_clean(ct, sizeof(ct), city);
	ips_join(place, sizeof(place), pc, " ", ct);
	ips_join(addr, sizeof(addr), st, ", ", place);
	ips_join(out, n, nm, "\n", addr);
	if (utf8_chars(out) <= IPS_NAME_MAX)
		return;
	ips_join(out, n, nm, "\n", place);
	if (utf8_chars(out) <= IPS_NAME_MAX)
		return;
	for (cut = 0; nm[cut] != '\0'; cut++)
		if (((unsigned char)nm[cut] & 0xc0) != 0x80 && ++chars > IPS_NAME_MAX)
			break;
	while (cut > 0 && nm[cut - 1] == ' ')
		cut--;
	nm[cut] = '\0';
	utf8_copy(out, n, nm);
}

int doc_proforma_qr_text(const struct order *o, const struct catalog *c, char *out, size_t outlen)
{
	const struct seller *s = &c->seller;
	char payee[2 * IPS_PART], payer[2 * IPS_PART];
	struct invoice inv;
	struct ips_qr q;

	if (invoice_compute(o, c, &inv) != 0)
		return -1;
	ips_name(payee, sizeof(payee), s->name, s->street, s->postal_code, s->city);
	if (o->type == ORDER_LEGAL)
		ips_name(payer, sizeof(payer), o->company_name, o->company_street,
			 o->company_postal_code, o->company_city);
	else {
		char holder[sizeof(o->first_name) + sizeof(o->last_name)];

		ips_join(holder, sizeof(holder), o->first_name, " ", o->last_name);
		ips_name(payer, sizeof(payer), holder, o->street, o->postal_code, o->city);
	}
	q = (struct ips_qr){s->account,    payee,           inv.total_para,
			    payer,         s->payment_code, s->purpose[LANG_SR],
			    o->payment_ref};
	return ips_qr_format(&q, out, outlen);
}
