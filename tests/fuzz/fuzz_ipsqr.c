/*
 * libFuzzer target for the IPS QR payload.  Two properties:
 * 1. ips_qr_valid() on the input as text.  When it accepts, the values
 *    of the payload go back through ips_qr_format(), which must accept
 *    them (unless the amount needs more than 12 integer digits) and
 *    write a payload ips_qr_valid() accepts; when the amount is written
 *    canonically ("RSD1025,50") the bytes must be the same.
 * 2. ips_qr_format() on values cut from the input at NUL bytes: what it
 *    writes, ips_qr_valid() accepts, and it never writes past outlen.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ipsqr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAYLOAD 2048

/* "RSD" + digits + ',' + 0-2 digits (ips_qr_valid checked the shape)
 * into para; *canonical is 1 for two decimals and no leading zero. */
static long long amount_para(const char *v, int *canonical)
{
	const char *p = v + 3, *comma = strchr(v, ',');
	long long units = 0, para;
	size_t decimals = strlen(comma + 1);

	for (; p < comma; p++)
		units = units * 10 + (*p - '0');
	para = units * 100;
	if (decimals >= 1)
		para += (comma[1] - '0') * 10;
	if (decimals == 2)
		para += comma[2] - '0';
	*canonical = decimals == 2 && (v[3] != '0' || comma == v + 4);
	return para;
}

static void check_valid_reformats(const char *s)
{
	char copy[MAX_PAYLOAD], out[MAX_PAYLOAD], *field, *next, *colon;
	struct ips_qr q;
	int canonical = 0;

	if (strlen(s) >= sizeof(copy))
		abort(); /* a valid payload is far shorter */
	strcpy(copy, s);
	memset(&q, 0, sizeof(q));
	for (field = copy; field != NULL; field = next) {
		next = strchr(field, '|');
		if (next != NULL)
			*next++ = '\0';
		colon = strchr(field, ':');
		if (colon == NULL)
			abort();
		*colon++ = '\0';
		if (strcmp(field, "R") == 0)
			q.account = colon;
		else if (strcmp(field, "N") == 0)
			q.payee = colon;
		else if (strcmp(field, "I") == 0)
			q.amount_para = amount_para(colon, &canonical);
		else if (strcmp(field, "P") == 0)
			q.payer = colon;
		else if (strcmp(field, "SF") == 0)
			q.payment_code = colon;
		else if (strcmp(field, "S") == 0)
			q.purpose = colon;
		else if (strcmp(field, "RO") == 0)
			q.reference = colon;
	}
	/* NBS allows "RSD1234567890123," (18 characters), which with the
	 * two decimals ips_qr_format() always writes would not fit. */
	if (q.amount_para >= 100000000000000LL)
		return;
	if (ips_qr_format(&q, out, sizeof(out)) != 0 || !ips_qr_valid(out))
		abort();
	if (canonical && strcmp(out, s) != 0)
		abort();
}

static void check_format_output_is_valid(const char *data, size_t size)
{
	const char *part[7] = {NULL};
	char out[MAX_PAYLOAD];
	struct ips_qr q;
	size_t i, n = 0, outlen;

	for (i = 0; i < size && n < 7; i += strlen(data + i) + 1)
		part[n++] = data + i;
	q.account = part[0];
	q.payee = part[1];
	q.payer = part[2];
	q.payment_code = part[3];
	q.purpose = part[4];
	q.reference = part[5];
	q.amount_para = part[6] != NULL ? strtoll(part[6], NULL, 10) : 102550;
	if (ips_qr_format(&q, out, sizeof(out)) == 0 && !ips_qr_valid(out))
		abort();
	/* a short buffer: either the whole payload or nothing */
	outlen = size % 300 + 1;
	memset(out, 'x', sizeof(out));
	if (ips_qr_format(&q, out, outlen) == 0) {
		if (strlen(out) >= outlen || !ips_qr_valid(out))
			abort();
	} else if (out[0] != '\0') {
		abort();
	}
	if (out[outlen] != 'x')
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text == NULL)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ips_qr_valid(text))
		check_valid_reformats(text);
	check_format_output_is_valid(text, size);
	free(text);
	return 0;
}
