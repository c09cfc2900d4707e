/* Commit groups (group.h). */
#include "web/group.h"

#include <pthread.h>
#include <stdlib.h>

#include "mail/mail.h"
#include "store/store.h"
#include "util/log.h"
#include "util/worker.h"
#include "web/app.h"

/* At most this many requests share one commit: bounds the wait of the
 * first of them behind the others' handlers. */
#define GROUP_MAX 64
/* Threads at most (store_group_threads). */
#define GROUP_THREADS_MAX 16

struct commit_group {
	struct app *app;
	pthread_t threads[GROUP_THREADS_MAX];
	int nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct req *head, *tail; /* under mu */
	int stop;                /* under mu */
};

int group_deferrable(struct req *r)
{
	return app_of(r)->group != NULL && app_route_grouped(r);
}

void group_defer(struct req *r)
{
	struct commit_group *g = app_of(r)->group;

	r->next_deferred = NULL;
	pthread_mutex_lock(&g->mu);
	if (g->stop) {
		/* Stopping (the server is shutting down): this thread runs it
		 * on its own, as without a group. */
		pthread_mutex_unlock(&g->mu);
		app_handle(r);
		http_resume(r);
		return;
	}
	if (g->tail != NULL)
		g->tail->next_deferred = r;
	else
		g->head = r;
	g->tail = r;
	/* One thread wakes; the others find what is left when they are
	 * done with their batch, or the next request's signal. */
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

/* Up to GROUP_MAX queued requests into batch; 0 when stopping with
 * nothing left. */
static size_t take(struct commit_group *g, struct req **batch)
{
	size_t n = 0;

	pthread_mutex_lock(&g->mu);
	while (g->head == NULL && !g->stop)
		pthread_cond_wait(&g->cv, &g->mu);
	while (g->head != NULL && n < GROUP_MAX) {
		batch[n++] = g->head;
		if ((g->head = g->head->next_deferred) == NULL)
			g->tail = NULL;
	}
	pthread_mutex_unlock(&g->mu);
	return n;
}

/* A request whose work was not made durable: its response becomes 503
 * (the form can be sent again; nothing of it was kept). */
static void fail(struct req *r)
{
	buf_reset(&r->out);
	r->nheaders = 0;
	r->content_type = NULL;
	page_error(r, 503, "error.storage");
}

static void run_batch(struct commit_group *g, struct req **batch, size_t n)
{
	struct store *st = g->app->store;
	size_t i, ran = 0;
	int ok = store_group_begin(st) == STORE_OK;

	for (; ok && ran < n; ran++) {
		app_handle(batch[ran]);
		ok = store_group_alive(st);
	}
	if (ok)
		ok = store_group_commit(st) == STORE_OK;
	else
		store_group_rollback(st);
	if (!ok)
		log_warnx("commit group of %zu requests failed: answered 503", n);
	else if (g->app->mail != NULL && (store_group_queued(st) & STORE_WAKE_MAIL))
		mail_worker_kick(g->app->mail); /* a confirmation queued its mail */
	for (i = 0; i < n; i++) {
		if (!ok)
			fail(batch[i]);
		http_resume(batch[i]);
	}
}

static void *run(void *arg)
{
	struct commit_group *g = arg;
	struct req *batch[GROUP_MAX];
	size_t n;

	while ((n = take(g, batch)) > 0)
		run_batch(g, batch, n);
	return NULL;
}

struct commit_group *group_start(struct app *app)
{
	struct commit_group *g = calloc(1, sizeof(*g));
	int n = store_group_threads(app->store);

	if (g == NULL)
		return NULL;
	g->app = app;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	if (n > GROUP_THREADS_MAX)
		n = GROUP_THREADS_MAX;
	for (; g->nthreads < n; g->nthreads++)
		if (worker_thread(&g->threads[g->nthreads], run, g) != 0)
			break;
	if (g->nthreads == 0) {
		pthread_mutex_destroy(&g->mu);
		pthread_cond_destroy(&g->cv);
		free(g);
		return NULL;
	}
	return g;
}

void group_stop(struct commit_group *g)
{
	int i;

	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
	for (i = 0; i < g->nthreads; i++)
		pthread_join(g->threads[i], NULL);
}

void group_free(struct commit_group *g)
{
	if (g == NULL)
		return;
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->cv);
	free(g);
}
