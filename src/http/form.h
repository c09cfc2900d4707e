/*
 * application/x-www-form-urlencoded parsing (bodies and query strings).
 */
#ifndef QCRA_FORM_H
#define QCRA_FORM_H

#include <stddef.h>

#include "util/arena.h"

#define FORM_MAX_PARAMS 256

struct form_param {
	const char *name;  /* decoded, NUL-terminated, arena-owned */
	const char *value; /* decoded, NUL-terminated, arena-owned */
	size_t len;        /* of value (an uploaded file may hold NUL bytes) */
};

struct form {
	struct form_param *params;
	size_t n;
};

/*
 * Parses data[0..len): pairs separated by '&', name and value by the
 * first '='; '+' is a space, %XX a byte.  Empty pairs ("a=1&&b=2") are
 * skipped; a pair without '=' has an empty value.  Rejects (returns -1,
 * *out emptied): a '%' not followed by two hex digits, a decoded NUL,
 * names or values that are not valid UTF-8, more than FORM_MAX_PARAMS
 * pairs.  Returns 0 on success.  Everything lives in arena a.
 */
int form_parse(struct arena *a, const char *data, size_t len, struct form *out);

/* First value of name, or NULL; with its length into *len (may be
 * NULL). */
const char *form_get(const struct form *f, const char *name);
const char *form_get_len(const struct form *f, const char *name, size_t *len);

#endif
