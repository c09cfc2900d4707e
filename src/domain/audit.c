#include "domain/audit.h"

#include <stdio.h>
#include <string.h>

#include "util/sha256.h"

/* Room for the hashed text: every field at its largest, each with a
 * decimal length and a colon in front. */
#define HASHED_MAX                                                                                 \
	(sizeof(((struct audit_entry *)0)->prev_hash) + 24 +                                       \
	 sizeof(((struct audit_entry *)0)->actor) + sizeof(((struct audit_entry *)0)->addr) +      \
	 sizeof(((struct audit_entry *)0)->action) + sizeof(((struct audit_entry *)0)->object) +   \
	 sizeof(((struct audit_entry *)0)->outcome) + sizeof(((struct audit_entry *)0)->detail) +  \
	 8 * 24)

/* Appends "<decimal length>:<s>" at p, s being a string in a field of
 * size bytes; returns the end. */
static char *put(char *p, const char *s, size_t size)
{
	char digits[24];
	size_t len = strnlen(s, size - 1), k = 0, n = len;

	do
		digits[k++] = (char)('0' + n % 10);
	while ((n /= 10) != 0 && k < sizeof(digits));
	while (k > 0)
		*p++ = digits[--k];
	*p++ = ':';
	memcpy(p, s, len);
	return p + len;
}

void audit_hash(const struct audit_entry *e, char out[65])
{
	char buf[HASHED_MAX], at[24], *p = buf;

	snprintf(at, sizeof(at), "%lld", (long long)e->at);
	p = put(p, e->prev_hash, sizeof(e->prev_hash));
	p = put(p, at, sizeof(at));
	p = put(p, e->actor, sizeof(e->actor));
	p = put(p, e->addr, sizeof(e->addr));
	p = put(p, e->action, sizeof(e->action));
	p = put(p, e->object, sizeof(e->object));
	p = put(p, e->outcome, sizeof(e->outcome));
	p = put(p, e->detail, sizeof(e->detail));
	sha256_hex(buf, (size_t)(p - buf), out);
}

void audit_clean(char *dst, size_t size, const char *src)
{
	size_t o = 0;

	if (size == 0)
		return;
	for (; src && *src && o + 5 < size; src++) {
		unsigned char c = (unsigned char)*src;

		if (c < 0x20 || c == 0x7f || c == '\\')
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
		else
			dst[o++] = (char)c;
	}
	dst[o] = '\0';
}
