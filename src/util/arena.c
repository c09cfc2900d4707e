#include "util/arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t size, used;
	_Alignas(16) unsigned char data[];
};

static size_t align16(size_t n)
{
	return (n + 15) & ~(size_t)15;
}

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->inline_used = 0;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head, *next;

	for (; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = NULL;
	a->inline_used = 0;
}

/* n bytes, not cleared: for callers that write every byte (string
 * copies), so large strings are not zeroed first and copied over. */
static void *alloc_raw(struct arena *a, size_t n)
{
	struct arena_block *b;
	size_t need = align16(n ? n : 1), size;
	void *p;

	if (need < n)
		abort(); /* overflow */
	if (sizeof(a->inline_buf) - a->inline_used >= need) {
		p = a->inline_buf + a->inline_used;
		a->inline_used += need;
		return p;
	}
	b = a->head;
	if (b == NULL || b->size - b->used < need) {
		size = need > 16384 ? need : 16384;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			abort();
		b->size = size;
		b->used = 0;
		b->next = a->head;
		a->head = b;
	}
	p = b->data + b->used;
	b->used += need;
	return p;
}

void *arena_alloc(struct arena *a, size_t n)
{
	void *p = alloc_raw(a, n);

	memset(p, 0, n);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p;

	if (s == NULL)
		return NULL;
	if (n + 1 == 0)
		abort(); /* overflow */
	p = alloc_raw(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	char small[256], *p;
	va_list ap2;
	int n;

	/* One pass for short strings; a second only when it did not fit. */
	va_copy(ap2, ap);
	n = vsnprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0)
		abort();
	p = alloc_raw(a, (size_t)n + 1);
	if ((size_t)n < sizeof(small))
		memcpy(p, small, (size_t)n + 1);
	else
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
