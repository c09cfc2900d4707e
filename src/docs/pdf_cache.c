/*
 * The warm context and the layouts kept between documents: see
 * pdf_cache.h.  One cache per thread (pango's default font map is per
 * thread too), freed when the thread ends.
 */
#include "docs/pdf_cache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <pango/pangocairo.h>

#define SLOTS (2 * PDF_CACHE_LAYOUTS) /* open addressing, at most half full */

struct slot {
	uint64_t hash; /* 0: empty */
	struct pdf_layout_key key;
	PangoLayout *layout;
};

struct cache {
	PangoContext *pc;
	struct slot slots[SLOTS];
	size_t n;
};

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_clear(struct cache *c)
{
	size_t i;

	for (i = 0; i < SLOTS; i++)
		if (c->slots[i].hash != 0) {
			g_object_unref(c->slots[i].layout);
			free((char *)c->slots[i].key.text);
		}
	memset(c->slots, 0, sizeof(c->slots));
	c->n = 0;
}

static void cache_free(void *arg)
{
	struct cache *c = arg;

	cache_clear(c);
	g_object_unref(c->pc);
	free(c);
}

static void cache_init(void)
{
	pthread_key_create(&cache_key, cache_free);
}

/* The pango context of the documents: everything that could vary with
 * the environment (locale, screen resolution, hinting) is fixed. */
static PangoContext *context_new(void)
{
	PangoContext *pc = pango_font_map_create_context(pango_cairo_font_map_get_default());
	cairo_font_options_t *fo = cairo_font_options_create();

	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	pango_cairo_context_set_font_options(pc, fo);
	cairo_font_options_destroy(fo);
	pango_cairo_context_set_resolution(pc, 72);
	pango_context_set_round_glyph_positions(pc, FALSE);
	pango_context_set_language(pc, pango_language_from_string("sr"));
	pango_context_set_base_dir(pc, PANGO_DIRECTION_LTR);
	return pc;
}

static struct cache *cache_get(void)
{
	struct cache *c;

	pthread_once(&cache_once, cache_init);
	if ((c = pthread_getspecific(cache_key)) != NULL)
		return c;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		abort(); /* as glib does when out of memory */
	c->pc = context_new();
	pthread_setspecific(cache_key, c);
	return c;
}

PangoContext *pdf_cache_context(void)
{
	return cache_get()->pc;
}

/* FNV-1a over the key; never 0 (the empty slot). */
static uint64_t key_hash(const struct pdf_layout_key *k)
{
	uint64_t h = 14695981039346656037u;
	int f[4] = {k->style, k->align, k->markup, k->width};
	const unsigned char *s;
	size_t i;

	for (i = 0, s = (const unsigned char *)f; i < sizeof(f); i++)
		h = (h ^ s[i]) * 1099511628211u;
	for (s = (const unsigned char *)k->text; *s != '\0'; s++)
		h = (h ^ *s) * 1099511628211u;
	return h != 0 ? h : 1;
}

static int key_equal(const struct pdf_layout_key *a, const struct pdf_layout_key *b)
{
	return a->style == b->style && a->align == b->align && a->markup == b->markup &&
	       a->width == b->width && strcmp(a->text, b->text) == 0;
}

/* The slot of k, or the empty slot where it would go. */
static struct slot *slot_of(struct cache *c, const struct pdf_layout_key *k, uint64_t h)
{
	size_t i = (size_t)(h % SLOTS);

	while (c->slots[i].hash != 0 && (c->slots[i].hash != h || !key_equal(&c->slots[i].key, k)))
		i = (i + 1) % SLOTS;
	return &c->slots[i];
}

void pdf_cache_free(void)
{
	struct cache *c;

	pthread_once(&cache_once, cache_init);
	if ((c = pthread_getspecific(cache_key)) != NULL) {
		pthread_setspecific(cache_key, NULL);
		cache_free(c);
	}
}

PangoLayout *pdf_cache_get(const struct pdf_layout_key *k)
{
	struct slot *s = slot_of(cache_get(), k, key_hash(k));

	return s->hash != 0 ? g_object_ref(s->layout) : NULL;
}

void pdf_cache_put(const struct pdf_layout_key *k, PangoLayout *l)
{
	struct cache *c = cache_get();
	uint64_t h = key_hash(k);
	struct slot *s;
	char *text;

	if (c->n >= PDF_CACHE_LAYOUTS)
		cache_clear(c);
	s = slot_of(c, k, h);
	if (s->hash != 0 || (text = strdup(k->text)) == NULL)
		return; /* kept already; or no memory: simply not kept */
	s->hash = h;
	s->key = *k;
	s->key.text = text;
	s->layout = g_object_ref(l);
	c->n++;
}
