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

/* How often the thread syncs: at the ~55 MB/s an import appends, about
 * 1 MB at a time (a sync taking longer than the period only delays the
 * next one). */
#define WAL_AHEAD_MS 20

struct wal_ahead {
	struct worker *thread;
	int fd; /* the WAL, once it exists; -1 before */
	char path[PATH_MAX];
};

/* The WAL may not exist yet when the thread starts (SQLite makes it at
 * the first write): it is opened once it does.  Read-only is enough
 * for fdatasync, which writes the file's dirty pages whatever
 * descriptor names it.  fdatasync, not sync_file_range's "start
 * writing": where the data go through the file system's journal (ext4
 * with data=journal, bench/slow-disk) the writes started were committed
 * only by the commit's own fsync, 84 ms of scenario 7's import there
 * (strace); syncing as it goes left 5 ms for it (15-31 ms and 1-2.5 ms
 * on this machine's disk). */
static int wal_ahead_pass(void *arg)
{
	struct wal_ahead *w = arg;

	if (w->fd < 0)
		w->fd = open(w->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (w->fd >= 0)
		(void)fdatasync(w->fd);
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
