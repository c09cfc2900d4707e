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

/*
 * The formats pages use most ("%lld", "%s %s", "/orders/%lld/edit"):
 * literal bytes and %s, %d, %u, %lld, %zu, %c, %% without flags, width
 * or precision, written without vsnprintf (~1k instructions a call).
 * Returns the length written into out, or -1 for any other format, a
 * NULL string or a result of size bytes or more: vsnprintf then does it.
 */
static int quick_vprintf(char *out, size_t size, const char *fmt, va_list ap)
{
	char num[24], *d;
	const char *s;
	unsigned long long u;
	long long v;
	size_t o = 0, n;
	int neg;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			if (o + 1 >= size)
				return -1;
			out[o++] = *fmt;
			continue;
		}
		fmt++;
		neg = 0;
		s = NULL;
		switch (*fmt) {
		case '%':
			s = "%";
			break;
		case 's':
			if ((s = va_arg(ap, const char *)) == NULL)
				return -1;
			break;
		case 'c':
			num[0] = (char)va_arg(ap, int);
			num[1] = '\0';
			if (num[0] == '\0')
				return -1;
			s = num;
			break;
		case 'd':
			v = va_arg(ap, int);
			goto sign;
		case 'u':
			u = va_arg(ap, unsigned);
			goto digits;
		case 'l':
			if (fmt[1] != 'l' || fmt[2] != 'd')
				return -1;
			fmt += 2;
			v = va_arg(ap, long long);
			goto sign;
		case 'z':
			if (fmt[1] != 'u')
				return -1;
			fmt++;
			u = va_arg(ap, size_t);
			goto digits;
		default:
			return -1;
		}
		goto copy;
	sign:
		neg = v < 0;
		u = neg ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	digits:
		d = num + sizeof(num);
		*--d = '\0';
		do
			*--d = (char)('0' + u % 10);
		while ((u /= 10) != 0);
		if (neg)
			*--d = '-';
		s = d;
	copy:
		n = strlen(s);
		if (o + n >= size)
			return -1;
		memcpy(out + o, s, n);
		o += n;
	}
	out[o] = '\0';
	return (int)o;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	char small[256], *p;
	va_list ap2;
	int n;

	/* One pass for short strings; a second only when it did not fit. */
	va_copy(ap2, ap);
	n = quick_vprintf(small, sizeof(small), fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		va_copy(ap2, ap);
		n = vsnprintf(small, sizeof(small), fmt, ap2);
		va_end(ap2);
	}
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
