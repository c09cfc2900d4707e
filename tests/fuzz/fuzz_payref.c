/*
 * libFuzzer target for the payment reference as people write it and as
 * the pages show it (domain/payment.h).  Properties, for any input:
 * 1. payment_ref_normalize() writes a NUL-terminated string within its
 *    buffer; when it says model 97, what it wrote passes ref97_valid().
 * 2. For such a reference, payment_ref_display() writes "CC N" (one
 *    space, digits), and payment_ref_normalize() reads the display with
 *    the model in front, "97 CC N", to the same reference, and the
 *    display alone too (unless CC is 97 and "97 N" is a reference of
 *    its own): one way to write it, read back whichever way it comes.
 * 3. payment_ref_display() on anything never overruns a short buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ident.h"
#include "domain/payment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const char *ref)
{
	char shown[PAYMENT_REF_SIZE], typed[PAYMENT_REF_SIZE + 4], back[PAYMENT_REF_SIZE];
	size_t i;

	if (payment_ref_display(ref, shown, sizeof(shown)) != 1)
		abort();
	if (strlen(shown) != strlen(ref) - 1 || shown[2] != ' ')
		abort();
	for (i = 0; shown[i]; i++)
		if (i != 2 && (shown[i] < '0' || shown[i] > '9'))
			abort();
	/* Without the model, "97 N'" where N' is itself a valid reference
	 * with the model reads as that one: the one ambiguity there is. */
	if (payment_ref_normalize(shown, back, sizeof(back)) != 1 ||
	    (strcmp(back, ref) != 0 && strncmp(shown, "97", 2) != 0))
		abort();
	memcpy(typed, "97 ", 3);
	memcpy(typed + 3, shown, strlen(shown) + 1);
	if (payment_ref_normalize(typed, back, sizeof(back)) != 1 || strcmp(back, ref) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s, out[PAYMENT_REF_SIZE + 8], small[8];
	int rc;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(out, 'x', sizeof(out));
	rc = payment_ref_normalize(s, out, PAYMENT_REF_SIZE);
	if (memchr(out, '\0', PAYMENT_REF_SIZE) == NULL || out[PAYMENT_REF_SIZE] != 'x')
		abort();
	if (rc == 1) {
		if (!ref97_valid(out))
			abort();
		check_round_trip(out);
	}
	memset(small, 'x', sizeof(small));
	if (payment_ref_display(s, small, sizeof(small) - 1) < 0 ||
	    small[sizeof(small) - 1] != 'x' || memchr(small, '\0', sizeof(small) - 1) == NULL)
		abort();
	free(s);
	return 0;
}
