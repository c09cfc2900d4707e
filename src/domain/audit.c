#include "domain/audit.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/escape.h"
#include "util/sha256.h"

/* Room for the hashed text: every field at its largest, each with a
 * decimal length and a colon in front, and for the keyed form the tag,
 * id and key epoch. */
#define HASHED_MAX                                                                                 \
	(sizeof(((struct audit_entry *)0)->prev_hash) + 24 +                                       \
	 sizeof(((struct audit_entry *)0)->actor) + sizeof(((struct audit_entry *)0)->addr) +      \
	 sizeof(((struct audit_entry *)0)->action) + sizeof(((struct audit_entry *)0)->object) +   \
	 sizeof(((struct audit_entry *)0)->outcome) + sizeof(((struct audit_entry *)0)->detail) +  \
	 sizeof(KEYED_TAG) + 2 * 24 + 11 * 24)

#define KEYED_TAG "qcra-audit-1"
#define KDF_CONTEXT "qcra-aud" /* crypto_kdf_CONTEXTBYTES = 8 */

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

/* Appends "<length>:<v in decimal>" at p, as put() of its snprintf
 * "%lld", without its format parsing (three per entry sealed). */
static char *put_num(char *p, long long v)
{
	char num[24];
	size_t k = sizeof(num) - 1;
	unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;

	num[k] = '\0';
	do
		num[--k] = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		num[--k] = '-';
	return put(p, num + k, sizeof(num) - k);
}

/* The text hashed: for the keyed form the tag, id and key epoch, then
 * prev_hash, time, actor, address, action, object, outcome, detail.
 * buf holds HASHED_MAX bytes; returns the length. */
static size_t hashed_text(const struct audit_entry *e, int keyed, char *buf)
{
	char *p = buf;

	if (keyed) {
		p = put(p, KEYED_TAG, sizeof(KEYED_TAG));
		p = put_num(p, e->id);
		p = put_num(p, e->key_epoch);
	}
	p = put(p, e->prev_hash, sizeof(e->prev_hash));
	p = put_num(p, (long long)e->at);
	p = put(p, e->actor, sizeof(e->actor));
	p = put(p, e->addr, sizeof(e->addr));
	p = put(p, e->action, sizeof(e->action));
	p = put(p, e->object, sizeof(e->object));
	p = put(p, e->outcome, sizeof(e->outcome));
	p = put(p, e->detail, sizeof(e->detail));
	return (size_t)(p - buf);
}

void audit_hash(const struct audit_entry *e, char out[65])
{
	char buf[HASHED_MAX];

	sha256_hex(buf, hashed_text(e, 0, buf), out);
}

void audit_key(const unsigned char secret[AUDIT_SECRET_LEN], int epoch,
	       unsigned char key[AUDIT_KEY_LEN])
{
	crypto_kdf_derive_from_key(key, AUDIT_KEY_LEN, (uint64_t)epoch, KDF_CONTEXT, secret);
}

void audit_mac(const struct audit_entry *e, const unsigned char key[AUDIT_KEY_LEN], char out[65])
{
	struct audit_mac_key k;

	sha256_hmac_init(&k.st, key, AUDIT_KEY_LEN);
	audit_mac_with(e, &k, out);
	sha256_hmac_wipe(&k.st);
}

void audit_mac_key_set(struct audit_mac_key *k, const unsigned char secret[AUDIT_SECRET_LEN],
		       int epoch)
{
	unsigned char key[AUDIT_KEY_LEN];

	audit_key(secret, epoch, key);
	sha256_hmac_init(&k->st, key, sizeof(key));
	sodium_memzero(key, sizeof(key));
	k->epoch = epoch;
}

void audit_mac_key_wipe(struct audit_mac_key *k)
{
	sodium_memzero(k, sizeof(*k));
}

void audit_mac_with(const struct audit_entry *e, const struct audit_mac_key *k, char out[65])
{
	unsigned char mac[SHA256_LEN];
	char buf[HASHED_MAX];

	sha256_hmac(&k->st, buf, hashed_text(e, 1, buf), mac);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
}

int audit_seal(const struct audit_entry *e, const unsigned char *secret, char out[65])
{
	unsigned char key[AUDIT_KEY_LEN];

	if (e->key_epoch == 0) {
		audit_hash(e, out);
		return 0;
	}
	out[0] = '\0';
	if (secret == NULL || e->key_epoch < 0)
		return -1;
	audit_key(secret, e->key_epoch, key);
	audit_mac(e, key, out);
	sodium_memzero(key, sizeof(key));
	return 0;
}

void audit_clean(char *dst, size_t size, const char *src)
{
	size_t o = 0, k;
	unsigned char c;

	if (size == 0)
		return;
	for (; src && *src; src += k) {
		c = (unsigned char)*src;
		k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c < 0x20 || c == 0x7f || c == '\\' ||
		    (k > 1 && (strnlen(src, k) < k || !utf8_valid(src, k)))) {
			/* escaped, as is a byte that starts no character */
			if (o + 4 >= size)
				break;
			o += (size_t)snprintf(dst + o, size - o, "\\x%02x", c);
			k = 1;
		} else { /* a character whole, or nothing more */
			if (o + k >= size)
				break;
			memcpy(dst + o, src, k);
			o += k;
		}
	}
	dst[o] = '\0';
}
