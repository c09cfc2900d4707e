/*
 * application/x-www-form-urlencoded (WHATWG URL, "application/
 * x-www-form-urlencoded parsing"), made strict: where the standard
 * passes malformed input through, we reject the whole form, because a
 * handler should never see a value the browser did not mean to send.
 */
#include "http/form.h"

#include <string.h>

#include "util/escape.h"

/*
 * Decodes s[0..n) ('+' is a space, %XX a byte) into a NUL-terminated
 * arena string.  Returns NULL on a bad percent escape, a NUL byte (raw
 * or decoded) or invalid UTF-8 in the result.
 */
static const char *form_decode(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);
	size_t i, j = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			if (n - i < 3)
				return NULL;
			hi = hex_value((unsigned char)s[i + 1]);
			lo = hex_value((unsigned char)s[i + 2]);
			if (hi < 0 || lo < 0)
				return NULL;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
			return NULL;
		d[j++] = (char)c;
	}
	d[j] = '\0';
	return utf8_valid(d, j) ? d : NULL;
}

/* Number of non-empty '&'-separated pairs in data[0..len). */
static size_t form_count(const char *data, size_t len)
{
	const char *p = data, *end = data + len, *amp;
	size_t n = 0;

	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p)
			n++;
		p = amp + 1;
	}
	return n;
}

/*
 * Counts the pairs first so the parameter array is allocated exactly
 * and an oversized form is refused before any decoding work.
 */
int form_parse(struct arena *a, const char *data, size_t len, struct form *out)
{
	const char *p, *end, *amp, *eq;
	size_t n, k = 0;

	out->params = NULL;
	out->n = 0;
	if (len == 0)
		return 0;
	p = data;
	end = data + len;
	n = form_count(data, len);
	if (n > FORM_MAX_PARAMS)
		return -1;
	if (n == 0)
		return 0;
	out->params = arena_alloc(a, n * sizeof(*out->params));
	while (p < end) {
		amp = memchr(p, '&', (size_t)(end - p));
		if (amp == NULL)
			amp = end;
		if (amp > p) {
			eq = memchr(p, '=', (size_t)(amp - p));
			if (eq == NULL)
				eq = amp;
			out->params[k].name = form_decode(a, p, (size_t)(eq - p));
			out->params[k].value =
				eq < amp ? form_decode(a, eq + 1, (size_t)(amp - eq - 1)) : "";
			if (out->params[k].name == NULL || out->params[k].value == NULL)
				goto err;
			out->params[k].len = strlen(out->params[k].value); /* no NUL decoded */
			k++;
		}
		p = amp + 1;
	}
	out->n = k;
	return 0;
err:
	out->params = NULL;
	out->n = 0;
	return -1;
}

const char *form_get_len(const struct form *f, const char *name, size_t *len)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strcmp(f->params[i].name, name) == 0) {
			if (len != NULL)
				*len = f->params[i].len;
			return f->params[i].value;
		}
	return NULL;
}

const char *form_get(const struct form *f, const char *name)
{
	return form_get_len(f, name, NULL);
}
