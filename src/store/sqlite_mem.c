/*
 * SQLite's allocator (SQLITE_CONFIG_MALLOC): the C library's, with a
 * per-thread cache of freed blocks up to 1 KiB.
 *
 * The distribution's SQLite is built without its lookaside allocator
 * (SQLITE_OMIT_LOOKASIDE), so every record, index key and value a
 * statement makes is a malloc and a free: ~11 per statement of a
 * statement import, 2.7 million for scenario 7's, each pair ~250
 * instructions through the C library, whose per-thread cache keeps 7
 * blocks of a size and sends the rest through its slow path.  With
 * temp_store=MEMORY a savepoint's journal is a chain of 1 KiB blocks;
 * the commit group (web/group.c) runs each request in its own
 * savepoint, and every 16 KiB page a request changes is copied into
 * sixteen of them: ~270 blocks per order POST.  Here a thread keeps up
 * to JOURNAL_MAX freed journal blocks and CLASS_MAX of each smaller
 * size class for its next statements (bench/README.md).
 *
 * Every block carries its usable size in front (xSize), as SQLite's
 * own default allocator does.
 */
#include "store/sqlite_mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define HDR 8            /* the size in front; keeps SQLite's 8-byte alignment */
#define STEP 16          /* size classes: a block up to 1 KiB is a multiple of it */
#define CLASSES 65       /* 0 (unused) to 1 KiB */
#define JOURNAL 1024     /* the in-memory journal's block (memjournal.c) */
#define JOURNAL_MAX 1024 /* per thread: 1 MiB of journal blocks */
#define CLASS_MAX 32     /* per thread and smaller class: ~1 MiB for all */

struct free_block {
	struct free_block *next;
};

static _Thread_local struct {
	struct free_block *head[CLASSES];
	unsigned short n[CLASSES];
	int registered;
} cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* A thread's blocks go back to the C library when it ends. */
static void cache_drop(void *unused)
{
	struct free_block *b;
	int c;

	(void)unused;
	for (c = 0; c < CLASSES; c++) {
		while ((b = cache.head[c]) != NULL) {
			cache.head[c] = b->next;
			free(b);
		}
		cache.n[c] = 0;
	}
}

static void cache_key_make(void)
{
	(void)pthread_key_create(&cache_key, cache_drop);
}

static int mem_roundup(int n)
{
	return (n + 7) & ~7;
}

/* A block up to 1 KiB is a whole size class, STEP * c bytes (the C
 * library rounds its chunks to 16 bytes too); once freed it waits in
 * class c for the thread's next request of that class. */
static void *mem_malloc(int n)
{
	sqlite3_int64 *p;
	struct free_block *b;
	int c;

	if (n <= 0)
		return NULL;
	n = mem_roundup(n);
	if ((c = (n + STEP - 1) / STEP) < CLASSES) {
		n = c * STEP;
		if ((b = cache.head[c]) != NULL) {
			cache.head[c] = b->next;
			cache.n[c]--;
			p = (sqlite3_int64 *)(void *)b; /* its size was the link */
			p[0] = n;
			return p + 1;
		}
	}
	if ((p = malloc((size_t)n + HDR)) == NULL)
		return NULL;
	p[0] = n;
	return p + 1;
}

static void mem_free(void *q)
{
	sqlite3_int64 *p = (sqlite3_int64 *)q - 1;
	struct free_block *b;
	int c;

	if (q == NULL)
		return;
	c = (int)(p[0] / STEP);
	if (c > 0 && c < CLASSES && cache.n[c] < (c == JOURNAL / STEP ? JOURNAL_MAX : CLASS_MAX)) {
		if (!cache.registered) {
			(void)pthread_once(&cache_once, cache_key_make);
			(void)pthread_setspecific(cache_key, &cache);
			cache.registered = 1;
		}
		b = (struct free_block *)(void *)p;
		b->next = cache.head[c];
		cache.head[c] = b;
		cache.n[c]++;
		return;
	}
	free(p);
}

static int mem_size(void *q)
{
	return q == NULL ? 0 : (int)((sqlite3_int64 *)q)[-1];
}

static void *mem_realloc(void *q, int n)
{
	sqlite3_int64 *p;
	int had;

	if (q == NULL)
		return mem_malloc(n);
	if (n <= 0)
		return NULL;
	n = mem_roundup(n);
	had = mem_size(q);
	if (had / STEP < CLASSES) { /* a block the cache takes back: no realloc */
		if ((p = mem_malloc(n)) == NULL)
			return NULL;
		memcpy(p, q, (size_t)(n < had ? n : had));
		mem_free(q);
		return p;
	}
	if ((p = realloc((sqlite3_int64 *)q - 1, (size_t)n + HDR)) == NULL)
		return NULL;
	p[0] = n;
	return p + 1;
}

static int mem_init(void *unused)
{
	(void)unused;
	return SQLITE_OK;
}

static void mem_shutdown(void *unused)
{
	(void)unused;
}

void sqlite_mem_configure(void)
{
	static const sqlite3_mem_methods m = {mem_malloc,  mem_free, mem_realloc,  mem_size,
					      mem_roundup, mem_init, mem_shutdown, NULL};

	sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}
