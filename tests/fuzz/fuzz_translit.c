/*
 * libFuzzer target for the Latin to Cyrillic transliteration
 * (domain/translit.h): on any bytes, with any room, the result is
 * NUL-terminated within the room and needs at most twice the input; with
 * 2 * len + 1 bytes all of it is written; and valid UTF-8 in gives valid
 * UTF-8 out, whole or cut short.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/translit.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t room = size > 0 ? data[0] % 64 + 1 : 1, n, whole_len;
	int valid = utf8_valid((const char *)data, size);
	char *in, *out, *whole;

	/* A copy of exactly size bytes, so that ASan sees any read past it. */
	if ((in = malloc(size ? size : 1)) == NULL || (out = malloc(room)) == NULL ||
	    (whole = malloc(2 * size + 1)) == NULL)
		abort();
	memcpy(in, data, size);
	whole_len = translit_cyrl(whole, 2 * size + 1, in, size);
	if (whole_len > 2 * size || whole[whole_len] != '\0')
		abort();
	if (valid && !utf8_valid(whole, whole_len))
		abort();
	n = translit_cyrl(out, room, in, size);
	if (n != whole_len || strnlen(out, room) >= room)
		abort();
	/* What fits of the text (NULs in the input end strlen early). */
	if (memchr(in, '\0', size) == NULL &&
	    (strlen(whole) != whole_len || memcmp(out, whole, strlen(out)) != 0 ||
	     (valid && !utf8_valid(out, strlen(out)))))
		abort();
	free(in);
	free(out);
	free(whole);
	return 0;
}
