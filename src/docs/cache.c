/*
 * A bounded in-process cache of the order documents (docs.h).
 *
 * The documents are deterministic: the same order gives the same bytes.
 * An entry is therefore keyed by a full copy of the order it was drawn
 * from (id, updated_at and every field), the document and the catalogue
 * (its address, and its contents: see catalog_check);
 * a lookup serves it only when all of them compare equal, so another
 * order's document, or an older version of this one, is never served:
 * any difference (even in padding) is a miss and a fresh render.  Access
 * checks are the caller's and happen before.
 *
 * At most DOC_CACHE_SLOTS documents and DOC_CACHE_BYTES bytes of PDF are
 * kept; the least recently used go first.  One mutex guards the table;
 * rendering happens outside it (two threads missing the same document
 * both render it, and the second insert replaces the first).
 */
#include "docs/docs.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"

#define DOC_CACHE_SLOTS 64
#define DOC_CACHE_BYTES (4u << 20)              /* 4 MiB of PDF at most */
#define DOC_CACHE_MAX_DOC (DOC_CACHE_BYTES / 8) /* larger ones are not kept */

enum doc_kind { DOC_NONE, DOC_REQUEST, DOC_CONTRACT, DOC_PROFORMA };

struct doc_entry {
	enum doc_kind kind; /* DOC_NONE: free */
	enum lang lang;     /* LANG_SR or LANG_SR_CYRL: the script */
	const struct catalog *c;
	struct order o;
	unsigned char *pdf;
	size_t len;
	unsigned long long used; /* tick of the last use */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct doc_entry cache[DOC_CACHE_SLOTS];
static size_t cache_bytes;
static unsigned long long cache_tick;
/* A copy of the catalogue the entries were drawn with: the documents
 * depend on its contents (seller, prices, offices), and a catalogue
 * freed and another loaded at the same address (tests start several
 * apps in one process) must not meet the old documents. */
static struct catalog *cache_catalog;
static doc_renderer renderer;

void doc_set_renderer(doc_renderer fn)
{
	renderer = fn;
}

static enum doc_kind doc_kind_of(const char *name)
{
	if (strcmp(name, "request.pdf") == 0)
		return DOC_REQUEST;
	if (strcmp(name, "contract.pdf") == 0)
		return DOC_CONTRACT;
	if (strcmp(name, "proforma.pdf") == 0)
		return DOC_PROFORMA;
	return DOC_NONE;
}

static void entry_drop(struct doc_entry *e)
{
	cache_bytes -= e->len;
	free(e->pdf);
	memset(e, 0, sizeof(*e));
}

static void drop_all(void)
{
	size_t i;

	for (i = 0; i < DOC_CACHE_SLOTS; i++)
		if (cache[i].kind != DOC_NONE)
			entry_drop(&cache[i]);
}

/* Under cache_mu: empties the cache unless its entries were drawn with
 * a catalogue equal to c.  Returns 0, or -1 when c cannot be copied
 * (nothing is cached then). */
static int catalog_check(const struct catalog *c)
{
	if (cache_catalog != NULL && memcmp(cache_catalog, c, sizeof(*c)) == 0)
		return 0;
	drop_all();
	if (cache_catalog == NULL && (cache_catalog = malloc(sizeof(*c))) == NULL)
		return -1;
	memcpy(cache_catalog, c, sizeof(*c));
	return 0;
}

/* Under cache_mu: the entry of exactly this order, document and
 * catalogue, or NULL. */
static struct doc_entry *lookup(const struct order *o, const struct catalog *c, enum doc_kind k,
				enum lang l)
{
	size_t i;

	for (i = 0; i < DOC_CACHE_SLOTS; i++)
		if (cache[i].kind == k && cache[i].lang == l && cache[i].o.id == o->id &&
		    cache[i].c == c && memcmp(&cache[i].o, o, sizeof(*o)) == 0)
			return &cache[i];
	return NULL;
}

/* Under cache_mu: keeps a copy of pdf for (o, c, k), replacing the
 * order's previous version of the document and evicting the least
 * recently used entries beyond the bounds. */
static void insert(const struct order *o, const struct catalog *c, enum doc_kind k, enum lang l,
		   const void *pdf, size_t len)
{
	struct doc_entry *slot = NULL, *e;
	unsigned char *copy;
	size_t i;

	if (len == 0 || len > DOC_CACHE_MAX_DOC || (copy = malloc(len)) == NULL)
		return;
	memcpy(copy, pdf, len);
	for (i = 0; i < DOC_CACHE_SLOTS; i++) {
		e = &cache[i];
		if (e->kind == k && e->lang == l && e->o.id == o->id)
			entry_drop(e); /* an older version, or the same rendered twice */
	}
	while (cache_bytes + len > DOC_CACHE_BYTES || slot == NULL) {
		struct doc_entry *lru = NULL;

		slot = NULL;
		for (i = 0; i < DOC_CACHE_SLOTS; i++) {
			e = &cache[i];
			if (e->kind == DOC_NONE) {
				if (slot == NULL)
					slot = e;
			} else if (lru == NULL || e->used < lru->used)
				lru = e;
		}
		if (slot != NULL && cache_bytes + len <= DOC_CACHE_BYTES)
			break;
		if (lru == NULL)
			break; /* cannot happen: len <= DOC_CACHE_BYTES */
		entry_drop(lru);
	}
	if (slot == NULL) {
		free(copy);
		return;
	}
	slot->kind = k;
	slot->lang = l;
	slot->c = c;
	slot->o = *o;
	slot->pdf = copy;
	slot->len = len;
	slot->used = ++cache_tick;
	cache_bytes += len;
}

int doc_order_pdf(const struct order *o, const struct catalog *c, const char *name, enum lang l,
		  struct buf *out)
{
	enum doc_kind k = doc_kind_of(name);
	struct doc_entry *e;
	size_t mark = out->len;
	int rc;

	if (k == DOC_NONE)
		return -2;
	l = l == LANG_SR_CYRL ? LANG_SR_CYRL : LANG_SR; /* the same Latin ones for English */
	pthread_mutex_lock(&cache_mu);
	if (catalog_check(c) == 0 && (e = lookup(o, c, k, l)) != NULL) {
		e->used = ++cache_tick;
		buf_append(out, e->pdf, e->len);
		pthread_mutex_unlock(&cache_mu);
		return 0;
	}
	pthread_mutex_unlock(&cache_mu);

	if (renderer == NULL) {
		log_warnx("documents: no renderer configured");
		return -1;
	}
	if ((rc = renderer(o, c, name, l, out)) != 0)
		return rc;
	pthread_mutex_lock(&cache_mu);
	if (catalog_check(c) == 0)
		insert(o, c, k, l, out->data + mark, out->len - mark);
	pthread_mutex_unlock(&cache_mu);
	return 0;
}

void doc_cache_clear(void)
{
	pthread_mutex_lock(&cache_mu);
	drop_all();
	free(cache_catalog);
	cache_catalog = NULL;
	pthread_mutex_unlock(&cache_mu);
}
