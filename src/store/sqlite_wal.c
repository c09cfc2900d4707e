/*
 * The WAL written out ahead of the commit (sqlite_wal.h).
 */
#include "store/sqlite_wal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

/* How often the thread asks: at the ~75 MB/s an import appends, 1.5 MB
 * at a time; the request itself takes microseconds. */
#define WAL_AHEAD_NS (20L * 1000 * 1000)

struct wal_ahead {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop; /* under mu */
	char path[PATH_MAX];
};

/* The WAL may not exist yet when the thread starts (SQLite makes it at
 * the first write): it is opened once it does.  Read-only is enough
 * for sync_file_range, which writes the file's dirty pages whatever
 * descriptor names it. */
static void *wal_ahead_run(void *arg)
{
	struct wal_ahead *w = arg;
	struct timespec until;
	int fd = -1;

	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += WAL_AHEAD_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&w->cv, &w->mu, &until) != ETIMEDOUT)
			continue; /* told to stop (or woken for nothing) */
		pthread_mutex_unlock(&w->mu);
		if (fd < 0)
			fd = open(w->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	if (fd >= 0)
		close(fd);
	return NULL;
}

struct wal_ahead *wal_ahead_start(const char *db_path)
{
	struct wal_ahead *w = calloc(1, sizeof(*w));
	pthread_condattr_t ca;

	if (w == NULL)
		return NULL;
	if ((size_t)snprintf(w->path, sizeof(w->path), "%s-wal", db_path) >= sizeof(w->path)) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->thread, NULL, wal_ahead_run, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	return w;
}

void wal_ahead_stop(struct wal_ahead *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
