/*
 * Region allocator: many small allocations, one free.
 * A request owns one arena; everything derived from the request lives
 * in it and goes away with arena_free().  Allocation never fails
 * silently: on out-of-memory the process aborts, because a half-built
 * request is worse than a restart.
 */
#ifndef QCRA_ARENA_H
#define QCRA_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;
	/* First block lives inline so a small request never mallocs. */
	size_t inline_used;
	_Alignas(16) unsigned char inline_buf[8192];
};

void arena_init(struct arena *a);
void arena_free(struct arena *a);                   /* releases every block; arena reusable after */
void *arena_alloc(struct arena *a, size_t n);       /* 16-byte aligned, zeroed */
char *arena_strdup(struct arena *a, const char *s); /* NULL -> NULL */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
