/*
 * libFuzzer target for form_parse().  Besides "does not crash", checks
 * what handlers rely on: every accepted name and value is valid UTF-8
 * without NUL and equals an independent (lenient) decoding of its
 * pair; a rejected form is empty.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"
#include "util/escape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference decoding of s[0..n) into d (at least n bytes); returns the
 * decoded length.  Assumes the escapes are well-formed, which holds
 * whenever form_parse() accepted the input. */
static size_t ref_decode(const char *s, size_t n, char *d)
{
	size_t i, j = 0;
	char hex[3] = {0};

	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			d[j++] = ' ';
		} else if (s[i] == '%' && n - i >= 3) {
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			d[j++] = (char)strtoul(hex, NULL, 16);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	return j;
}

static void check_equal(const char *got, const char *s, size_t n, char *tmp)
{
	size_t len = ref_decode(s, n, tmp);

	if (strlen(got) != len || memcmp(got, tmp, len) != 0)
		abort();
	if (!utf8_valid(got, len))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *p, *end, *amp, *eq;
	struct arena a;
	struct form f;
	char *tmp;
	size_t k = 0;

	arena_init(&a);
	if (form_parse(&a, s, size, &f) != 0) {
		if (f.n != 0 || f.params != NULL)
			abort();
		arena_free(&a);
		return 0;
	}
	if (f.n > FORM_MAX_PARAMS)
		abort();
	tmp = malloc(size + 1);
	if (tmp == NULL)
		abort();
	p = s;
	end = s + size;
	while (size > 0 && p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p) {
			if (k >= f.n)
				abort();
			eq = memchr(p, '=', (size_t)(amp - p));
			if (eq == NULL)
				eq = amp;
			check_equal(f.params[k].name, p, (size_t)(eq - p), tmp);
			check_equal(f.params[k].value, eq < amp ? eq + 1 : amp,
				    eq < amp ? (size_t)(amp - eq - 1) : 0, tmp);
			if (form_get(&f, f.params[k].name) == NULL)
				abort();
			k++;
		}
		p = amp + 1;
	}
	if (k != f.n)
		abort();
	free(tmp);
	arena_free(&a);
	return 0;
}
