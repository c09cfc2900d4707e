#include "util/worker.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

struct worker {
	worker_pass_fn *pass;
	void *arg;
	int last_pass;
	long period_ms; /* > 0: the sleep, whatever the pass answers */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* on CLOCK_MONOTONIC */
	int kicked;        /* under mu */
	int stop;          /* under mu */
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct timespec ts;
	int secs, stop = 0;

	for (;;) {
		secs = w->pass(w->arg);
		if (stop)
			break;
		pthread_mutex_lock(&w->mu);
		if (!w->stop && !w->kicked) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			if (w->period_ms > 0) {
				ts.tv_sec += w->period_ms / 1000;
				ts.tv_nsec += w->period_ms % 1000 * 1000000L;
				if (ts.tv_nsec >= 1000000000L) {
					ts.tv_sec++;
					ts.tv_nsec -= 1000000000L;
				}
			} else
				ts.tv_sec += secs > 0 ? secs : 1;
			while (!w->stop && !w->kicked)
				if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) == ETIMEDOUT)
					break;
		}
		w->kicked = 0;
		stop = w->stop;
		pthread_mutex_unlock(&w->mu);
		if (stop && !w->last_pass)
			break;
	}
	return NULL;
}

int worker_thread(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static struct worker *start(worker_pass_fn *pass, void *arg, int last_pass, long period_ms,
			    int *why)
{
	struct worker *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;
	int rc = ENOMEM;

	if (w == NULL)
		goto fail;
	w->pass = pass;
	w->arg = arg;
	w->last_pass = last_pass;
	w->period_ms = period_ms;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = worker_thread(&w->thread, worker_main, w)) == 0)
		return w;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
fail:
	if (why != NULL)
		*why = rc;
	return NULL;
}

struct worker *worker_start(worker_pass_fn *pass, void *arg, int last_pass, int *why)
{
	return start(pass, arg, last_pass, 0, why);
}

struct worker *worker_every(worker_pass_fn *pass, void *arg, long period_ms, int *why)
{
	return start(pass, arg, 0, period_ms, why);
}

/* Sets *flag (w->kicked or w->stop) under w->mu and wakes the thread. */
static void worker_wake(struct worker *w, int *flag)
{
	pthread_mutex_lock(&w->mu);
	*flag = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void worker_kick(struct worker *w)
{
	if (w != NULL)
		worker_wake(w, &w->kicked);
}

void worker_stop(struct worker *w)
{
	if (w == NULL)
		return;
	worker_wake(w, &w->stop);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
