/*
 * A background thread that runs a pass, then sleeps until it is kicked,
 * until the seconds the pass asked for have gone by, or until it is
 * stopped: the mail outbox (mail/outbox.c), the CA queue
 * (connector/ca_queue.c), the jobs and the audit anchors (cli/serve.c);
 * or every few milliseconds (worker_every).  The thread runs with every
 * signal blocked, so that signal handling stays with the main thread.
 */
#ifndef QCRA_WORKER_H
#define QCRA_WORKER_H

#include <pthread.h>

/* One pass over the work; returns the seconds to sleep at most (> 0). */
typedef int worker_pass_fn(void *arg);

struct worker;

/* Starts a thread running pass(arg).  With last_pass, worker_stop()
 * lets it run one more pass begun after the stop (what is due then is
 * still done).  NULL when the thread cannot start (errno-style reason
 * in *why, may be NULL). */
struct worker *worker_start(worker_pass_fn *pass, void *arg, int last_pass, int *why);
/* A thread running pass(arg) every period_ms milliseconds (its answer
 * ignored), until worker_stop: sqlite_wal.c's WAL written ahead. */
struct worker *worker_every(worker_pass_fn *pass, void *arg, long period_ms, int *why);
/* Runs a pass now (NULL-safe). */
void worker_kick(struct worker *w);
/* Stops and joins the thread, frees w (NULL-safe). */
void worker_stop(struct worker *w);

/* pthread_create(t, NULL, fn, arg) with every signal blocked in the new
 * thread, so that signals stay with the main thread (cli/serve.c
 * sigwait): the workers' threads and the commit group's (web/group.c).
 * pthread_create's result. */
int worker_thread(pthread_t *t, void *(*fn)(void *), void *arg);

#endif
