/*
 * Helpers shared by the harness's source files (harness.c: processes,
 * harness_http.c: HTTP, harness_text.c: forms and mail).  Not for tests.
 */
#ifndef QCRA_TEST_HARNESS_PRIVATE_H
#define QCRA_TEST_HARNESS_PRIVATE_H

#include <stddef.h>

#include "util/buf.h"

/* curl_global_init once; aborts on failure. */
void harness_curl_init(void);

/* CLOCK_MONOTONIC in milliseconds; sleeping through EINTR. */
long long harness_now_ms(void);
void harness_sleep_ms(long ms);

/* Allocation that aborts instead of returning NULL. */
char *harness_strdup(const char *s);
char *harness_strndup(const char *s, size_t n);
void *harness_calloc(size_t n, size_t size);

/* Reads fd until EOF or the deadline (harness_now_ms() time) into out
 * (may be NULL).  0 at EOF, -1 on timeout or error. */
int harness_drain(int fd, long long deadline, struct buf *out);

/*
 * Value of the first field called name in a header block (HTTP or RFC
 * 5322; lines without a colon such as a status line are skipped, a
 * blank line ends the block), unfolded and trimmed.  Caller frees;
 * NULL when absent.
 */
char *harness_header_lookup(const char *block, const char *name);

#endif
