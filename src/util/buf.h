/*
 * Growable byte buffer.  Owns its memory (malloc); buf_free() releases
 * it, buf_detach() hands it over to the caller.  Out-of-memory aborts.
 * data is always NUL-terminated when len > 0 or after buf_cstr().
 */
#ifndef QCRA_BUF_H
#define QCRA_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len, cap;
};

#define BUF_INIT                                                                                   \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
const char *buf_cstr(struct buf *b); /* never NULL */
char *buf_detach(struct buf *b);     /* caller frees; buffer emptied */
void buf_reset(struct buf *b);       /* keeps capacity */
void buf_free(struct buf *b);

#endif
