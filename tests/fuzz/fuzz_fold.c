/*
 * libFuzzer target for the search folding (domain/fold.h): on any bytes,
 * with any output size, the result is NUL-terminated, no longer than the
 * input or the room, written within the room; and for valid UTF-8,
 * folding it again changes nothing (it is already folded; with invalid
 * bytes a dropped letter may join a stray lead byte and the next one).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/fold.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t room = size > 0 ? data[0] % 64 + 1 : 1, n, m;
	char *out, *again, *whole;

	if ((out = malloc(room)) == NULL || (whole = malloc(size + 1)) == NULL ||
	    (again = malloc(size + 1)) == NULL)
		abort();
	n = text_fold((const char *)data, size, out, room);
	if (n >= room || out[n] != '\0' || n > size)
		abort();
	n = text_fold((const char *)data, size, whole, size + 1);
	if (n > size || whole[n] != '\0')
		abort();
	if (utf8_valid((const char *)data, size)) {
		m = text_fold(whole, n, again, size + 1);
		if (m != n || memcmp(again, whole, n) != 0)
			abort();
	}
	free(out);
	free(whole);
	free(again);
	return 0;
}
