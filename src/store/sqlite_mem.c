/*
 * SQLite's allocator (SQLITE_CONFIG_MALLOC): the C library's, with a
 * per-thread cache of the one block size that dominates order writes.
 *
 * With temp_store=MEMORY a savepoint's journal is a chain of 1 KiB
 * blocks; the commit group (web/group.c) runs each request in its own
 * savepoint, and every 16 KiB page a request changes is copied into
 * sixteen of them, allocated and freed within the transaction: ~270
 * blocks per order POST, more than the C library's per-thread cache
 * keeps (7), so most went through its slow path.  Here a thread keeps
 * up to CACHE_MAX freed blocks of that size for its next transaction.
 *
 * Every block carries its usable size in front (xSize), as SQLite's
 * own default allocator does.
 */
#include "store/sqlite_mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define HDR 8          /* the size in front; keeps SQLite's 8-byte alignment */
#define CACHED 1024    /* the in-memory journal's block (memjournal.c) */
#define CACHE_MAX 1024 /* per thread: 1 MiB */

struct free_block {
	struct free_block *next;
};

static _Thread_local struct {
	struct free_block *head;
	unsigned n;
	int registered;
} cache;

static pthread_key_t cache_key;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

/* A thread's blocks go back to the C library when it ends. */
static void cache_drop(void *unused)
{
	struct free_block *b;

	(void)unused;
	while ((b = cache.head) != NULL) {
		cache.head = b->next;
		free(b);
	}
	cache.n = 0;
}

static void cache_key_make(void)
{
	(void)pthread_key_create(&cache_key, cache_drop);
}

static int mem_roundup(int n)
{
	return (n + 7) & ~7;
}

static void *mem_malloc(int n)
{
	sqlite3_int64 *p;
	struct free_block *b;

	if (n <= 0)
		return NULL;
	n = mem_roundup(n);
	if (n == CACHED && (b = cache.head) != NULL) {
		cache.head = b->next;
		cache.n--;
		p = (sqlite3_int64 *)(void *)b;
	} else if ((p = malloc((size_t)n + HDR)) == NULL)
		return NULL;
	p[0] = n;
	return p + 1;
}

static void mem_free(void *q)
{
	sqlite3_int64 *p = (sqlite3_int64 *)q - 1;
	struct free_block *b;

	if (q == NULL)
		return;
	if (p[0] == CACHED && cache.n < CACHE_MAX) {
		if (!cache.registered) {
			(void)pthread_once(&cache_once, cache_key_make);
			(void)pthread_setspecific(cache_key, &cache);
			cache.registered = 1;
		}
		b = (struct free_block *)(void *)p;
		b->next = cache.head;
		cache.head = b;
		cache.n++;
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

	if (q == NULL)
		return mem_malloc(n);
	if (n <= 0)
		return NULL;
	n = mem_roundup(n);
	if (mem_size(q) == CACHED) { /* may come from the cache: no realloc */
		if ((p = mem_malloc(n)) == NULL)
			return NULL;
		memcpy(p, q, (size_t)(n < CACHED ? n : CACHED));
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
