#include "domain/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void put(crypto_hash_sha256_state *h, const char *s)
{
	char len[24];

	snprintf(len, sizeof(len), "%zu:", strlen(s));
	crypto_hash_sha256_update(h, (const unsigned char *)len, strlen(len));
	crypto_hash_sha256_update(h, (const unsigned char *)s, strlen(s));
}

void audit_hash(const struct audit_entry *e, char out[65])
{
	crypto_hash_sha256_state h;
	unsigned char d[crypto_hash_sha256_BYTES];
	char at[24];

	snprintf(at, sizeof(at), "%lld", (long long)e->at);
	crypto_hash_sha256_init(&h);
	put(&h, e->prev_hash);
	put(&h, at);
	put(&h, e->actor);
	put(&h, e->addr);
	put(&h, e->action);
	put(&h, e->object);
	put(&h, e->outcome);
	put(&h, e->detail);
	crypto_hash_sha256_final(&h, d);
	sodium_bin2hex(out, 65, d, sizeof(d));
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
