/*
 * Walking the audit chain against its anchors (audit.h): the pure part
 * of `qcra audit verify`.  The store hands the entries over in id
 * order, the caller reads the anchor file; this decides.
 */
#include "domain/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANCHOR_TAG "qcra-audit-anchor 1 "

/* The MAC of an anchor line's first len bytes, hex. */
static void anchor_mac(const char *text, size_t len, const unsigned char secret[AUDIT_SECRET_LEN],
		       char out[65])
{
	unsigned char key[AUDIT_KEY_LEN], mac[crypto_auth_hmacsha256_BYTES];

	audit_key(secret, 0, key);
	crypto_auth_hmacsha256(mac, (const unsigned char *)text, len, key);
	sodium_bin2hex(out, 65, mac, sizeof(mac));
	sodium_memzero(key, sizeof(key));
}

int audit_anchor_format(const struct audit_head *h, time_t at,
			const unsigned char secret[AUDIT_SECRET_LEN], char *out, size_t size)
{
	char when[32], mac[65];
	struct tm tm;
	int n, m;

	if (gmtime_r(&at, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return -1;
	n = snprintf(out, size, ANCHOR_TAG "%s id=%lld count=%lld hash=%s", when, h->id, h->count,
		     h->hash);
	if (n < 0 || (size_t)n >= size)
		return -1;
	anchor_mac(out, (size_t)n, secret, mac);
	m = snprintf(out + n, size - (size_t)n, " mac=%s\n", mac);
	if (m < 0 || (size_t)m >= size - (size_t)n)
		return -1;
	return n + m;
}

static int is_hex64(const char *s)
{
	return strspn(s, "0123456789abcdef") == 64;
}

enum audit_anchor_rc audit_anchor_parse(const char *line, size_t len,
					const unsigned char secret[AUDIT_SECRET_LEN],
					struct audit_anchor *a)
{
	char text[AUDIT_ANCHOR_MAX], *mac, when[32], want[65];
	struct tm tm;
	const char *end;
	int used = 0;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len >= sizeof(text) || memchr(line, '\0', len) != NULL)
		return AUDIT_ANCHOR_MALFORMED;
	memcpy(text, line, len);
	text[len] = '\0';
	memset(a, 0, sizeof(*a));
	if ((mac = strstr(text, " mac=")) == NULL || strlen(mac + 5) != 64 || !is_hex64(mac + 5))
		return AUDIT_ANCHOR_MALFORMED;
	*mac = '\0';
	mac += 5;
	if (sscanf(text, ANCHOR_TAG "%31s id=%lld count=%lld hash=%64s%n", when, &a->head.id,
		   &a->head.count, a->head.hash, &used) != 4 ||
	    (size_t)used != strlen(text) || !is_hex64(a->head.hash) || a->head.id < 0 ||
	    a->head.count < 0 || a->head.count > a->head.id)
		return AUDIT_ANCHOR_MALFORMED;
	memset(&tm, 0, sizeof(tm));
	end = strptime(when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (end == NULL || *end != '\0')
		return AUDIT_ANCHOR_MALFORMED;
	a->at = timegm(&tm);
	anchor_mac(text, strlen(text), secret, want);
	if (sodium_memcmp(want, mac, 64) != 0)
		return AUDIT_ANCHOR_FORGED;
	return AUDIT_ANCHOR_OK;
}

static int anchor_cmp(const void *x, const void *y)
{
	const struct audit_anchor *a = x, *b = y;

	if (a->head.id != b->head.id)
		return a->head.id < b->head.id ? -1 : 1;
	return a->line < b->line ? -1 : a->line > b->line;
}

void audit_anchor_sort(struct audit_anchor *a, size_t n)
{
	if (n > 1)
		qsort(a, n, sizeof(*a), anchor_cmp);
}

void audit_verify_begin(struct audit_verify *v, const unsigned char *secret,
			const struct audit_anchor *anchors, size_t n)
{
	memset(v, 0, sizeof(*v));
	v->secret = secret;
	v->anchors = anchors;
	v->n_anchors = n;
	snprintf(v->prev, sizeof(v->prev), "%s", AUDIT_GENESIS);
	/* An anchor of the empty chain says nothing. */
	while (v->next_anchor < n && anchors[v->next_anchor].head.id == 0)
		v->next_anchor++;
}

static const char *when(time_t at, char buf[32])
{
	struct tm tm;

	if (gmtime_r(&at, &tm) == NULL || strftime(buf, 32, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, 32, "%lld", (long long)at);
	return buf;
}

static int bad(struct audit_verify *v, long long id, const char *why)
{
	v->verdict = AUDIT_BAD_ENTRY;
	v->bad_id = id;
	snprintf(v->why, sizeof(v->why), "%s", why);
	return 1;
}

/* Whether e may carry its key epoch after the entries before it: the
 * same epoch; 0 -> 1 at the first entry or a chain.keyed entry; N ->
 * N + 1 at a chain.rekey entry.  Never back to unkeyed. */
static int epoch_follows(const struct audit_verify *v, const struct audit_entry *e)
{
	if (e->key_epoch == v->epoch)
		return 1;
	if (v->epoch == 0 && e->key_epoch == 1)
		return v->last_id == 0 || strcmp(e->action, AUDIT_KEYED) == 0;
	return v->epoch >= 1 && e->key_epoch == v->epoch + 1 && strcmp(e->action, AUDIT_REKEY) == 0;
}

/* The anchors at e's id, if any: each must name e's hash and count. */
static int check_anchors(struct audit_verify *v, const struct audit_entry *e)
{
	const struct audit_anchor *a;
	char t[32];

	for (; v->next_anchor < v->n_anchors; v->next_anchor++) {
		a = &v->anchors[v->next_anchor];
		if (a->head.id != e->id)
			break;
		if (strcmp(a->head.hash, e->hash) != 0 || a->head.count != v->count) {
			v->verdict = AUDIT_BAD_ENTRY;
			v->bad_id = e->id;
			snprintf(v->why, sizeof(v->why),
				 "differs from the anchor of %s (anchor line %ld): the log was "
				 "rewritten or re-chained up to here",
				 when(a->at, t), a->line);
			return 1;
		}
	}
	return 0;
}

int audit_verify_entry(struct audit_verify *v, const struct audit_entry *e)
{
	char h[65];
	int sealed;

	if (v->verdict != AUDIT_INTACT)
		return 1;
	if (e->id != v->last_id + 1) {
		v->verdict = AUDIT_MISSING;
		v->missing_from = v->last_id + 1;
		v->missing_to = e->id - 1;
		snprintf(v->why, sizeof(v->why), "the ids jump from %lld to %lld", v->last_id,
			 e->id);
		return 1;
	}
	v->count++;
	if (e->malformed)
		return bad(v, e->id,
			   "a column holds what the portal never writes (a NUL byte, a value "
			   "that is not text or not a number, or more than the field holds)");
	if (!epoch_follows(v, e))
		return bad(v, e->id,
			   e->key_epoch == 0
				   ? "an unkeyed entry after the keyed chain began"
				   : "its key epoch does not follow the chain (no chain.keyed or "
				     "chain.rekey entry starts it)");
	if (strcmp(e->prev_hash, v->prev) != 0)
		return bad(v, e->id, "does not link to the entry before it");
	sealed = audit_seal(e, v->secret, h);
	if (sealed != 0)
		return bad(v, e->id, "keyed, and no key to check it (VAR/secret.key)");
	if (sodium_memcmp(h, e->hash, 64) != 0)
		return bad(v, e->id,
			   e->key_epoch == 0
				   ? "its contents do not match its hash (changed after writing)"
				   : "its contents do not match its MAC (changed after writing, or "
				     "written without the key)");
	if (e->key_epoch > 0 && v->keyed_from == 0)
		v->keyed_from = e->id;
	v->epoch = e->key_epoch;
	v->last_id = e->id;
	memcpy(v->prev, e->hash, sizeof(v->prev));
	return check_anchors(v, e);
}

enum audit_verdict audit_verify_end(struct audit_verify *v)
{
	const struct audit_anchor *a;
	char t[32];

	if (v->verdict != AUDIT_INTACT || v->next_anchor >= v->n_anchors)
		return v->verdict;
	a = &v->anchors[v->n_anchors - 1]; /* the highest head id */
	v->verdict = AUDIT_MISSING;
	v->missing_from = v->last_id + 1;
	v->missing_to = a->head.id;
	snprintf(v->why, sizeof(v->why),
		 "the log ends at id %lld; the anchor of %s (anchor line %ld) records head id "
		 "%lld, %lld entries",
		 v->last_id, when(a->at, t), a->line, a->head.id, a->head.count);
	return v->verdict;
}
