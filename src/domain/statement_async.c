/*
 * A statement parsed in a thread of its own while the caller uses its
 * lines (statement.h, statement_async_*).  The parser hands out lines
 * as it finishes them (stmt_async_publish); the caller waits only when
 * it has caught up.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "domain/statement.h"
#include "domain/statement_int.h"

struct stmt_async {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int started;  /* 1: thread runs the parser */
	size_t ready; /* lines handed out */
	int done;     /* 1: the parser has finished */
	int rc;       /* its result, once done */
	struct statement *st;
	stmt_batch_fn *fn; /* the caller's work on each batch, or NULL */
	void *arg;
	const char *data;
	size_t len;
	enum stmt_format fmt;
};

/* In the parser's thread, the only one that changes a->ready. */
void stmt_async_publish(struct stmt_async *a, size_t n)
{
	if (a->fn != NULL && n > a->ready)
		a->fn(a->arg, a->st->lines, a->ready, n);
	pthread_mutex_lock(&a->mu);
	a->ready = n;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static void finish(struct stmt_async *a, int rc)
{
	if (rc == 0 && a->fn != NULL && a->st->nlines > a->ready)
		a->fn(a->arg, a->st->lines, a->ready, a->st->nlines);
	pthread_mutex_lock(&a->mu);
	a->rc = rc;
	a->ready = rc == 0 ? a->st->nlines : a->ready;
	a->done = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
}

static void *parse(void *arg)
{
	struct stmt_async *a = arg;

	finish(a, stmt_run(a->data, a->len, a->fmt, a->st));
	return NULL;
}

int statement_async_start(struct stmt_async **out, const char *data, size_t len,
			  enum stmt_format fmt, struct statement *st, stmt_batch_fn *fn, void *arg)
{
	struct stmt_async *a;

	*out = NULL;
	memset(st, 0, sizeof(*st));
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return -1;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	a->st = st;
	a->data = data;
	a->len = len;
	a->fmt = fmt;
	a->fn = fn;
	a->arg = arg;
	st->async = a;
	if (pthread_create(&a->thread, NULL, parse, a) == 0)
		a->started = 1;
	else
		parse(a); /* no thread: parsed here, handed out at once */
	*out = a;
	return 0;
}

int statement_async_line(struct stmt_async *a, size_t i, const struct stmt_line **line)
{
	int rc;

	pthread_mutex_lock(&a->mu);
	while (i >= a->ready && !a->done)
		pthread_cond_wait(&a->cv, &a->mu);
	if (a->done && a->rc != 0)
		rc = -1;
	else if (i < a->ready)
		rc = 1;
	else
		rc = 0;
	pthread_mutex_unlock(&a->mu);
	*line = rc == 1 ? &a->st->lines[i] : NULL;
	return rc;
}

int statement_async_end(struct stmt_async *a)
{
	struct statement *st = a->st;
	int rc;

	if (a->started)
		pthread_join(a->thread, NULL);
	rc = a->rc;
	st->async = NULL;
	st->published = 0;
	if (rc != 0)
		stmt_drop_lines(st);
	pthread_cond_destroy(&a->cv);
	pthread_mutex_destroy(&a->mu);
	free(a);
	return rc;
}
