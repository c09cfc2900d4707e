/*
 * The WAL written out ahead of the commit (sqlite_wal.h).
 */
#include "store/sqlite_wal.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/worker.h"

/* How often the thread asks: at the ~75 MB/s an import appends, 1.5 MB
 * at a time; the request itself takes microseconds. */
#define WAL_AHEAD_MS 20

struct wal_ahead {
	struct worker *thread;
	int fd; /* the WAL, once it exists; -1 before */
	char path[PATH_MAX];
};

/* The WAL may not exist yet when the thread starts (SQLite makes it at
 * the first write): it is opened once it does.  Read-only is enough
 * for sync_file_range, which writes the file's dirty pages whatever
 * descriptor names it. */
static int wal_ahead_pass(void *arg)
{
	struct wal_ahead *w = arg;

	if (w->fd < 0)
		w->fd = open(w->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (w->fd >= 0)
		(void)sync_file_range(w->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	return 1;
}

struct wal_ahead *wal_ahead_start(const char *db_path)
{
	struct wal_ahead *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return NULL;
	w->fd = -1;
	if ((size_t)snprintf(w->path, sizeof(w->path), "%s-wal", db_path) >= sizeof(w->path) ||
	    (w->thread = worker_every(wal_ahead_pass, w, WAL_AHEAD_MS, NULL)) == NULL) {
		free(w);
		return NULL;
	}
	return w;
}

void wal_ahead_stop(struct wal_ahead *w)
{
	if (w == NULL)
		return;
	worker_stop(w->thread);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}
