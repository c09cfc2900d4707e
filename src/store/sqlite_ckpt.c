/*
 * WAL checkpoints off the request path (store.h, store_checkpoints).
 *
 * By default SQLite checkpoints in whichever connection's commit takes
 * the WAL past 1,000 pages: that commit's caller waits while every page
 * the WAL holds is copied into the database and synced.  The data was
 * durable before (synchronous=FULL syncs the WAL at commit), so the
 * wait buys nothing.  STORE_CKPT_THREAD: commits only note the WAL's
 * size (a WAL hook); a thread of the store's own checkpoints once the
 * WAL has grown past CKPT_PAGES, and every CKPT_IDLE_S anyway, for WAL
 * written by other processes.  STORE_CKPT_LEAVE (a bulk command such
 * as `qcra payments import`): no checkpoint at commit or close unless
 * the WAL has grown past CKPT_LEAVE_PAGES; the portal's thread, or the
 * next process to close the database last, does it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "store/sqlite_int.h"
#include "util/log.h"

#define CKPT_PAGES 1000        /* as SQLite's own default */
#define CKPT_IDLE_S 10         /* a look at the WAL at least this often */
#define CKPT_LEAVE_PAGES 16384 /* 256 MiB of 16 KiB pages */

struct sq_ckpt {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wanted; /* a commit left the WAL past CKPT_PAGES */
	int stop;
	sqlite3 *db; /* the thread's own connection */
};

static int wal_noted(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_ckpt *k = arg;

	(void)db;
	(void)name;
	if (pages >= CKPT_PAGES) {
		pthread_mutex_lock(&k->mu);
		k->wanted = 1;
		pthread_cond_signal(&k->cv);
		pthread_mutex_unlock(&k->mu);
	}
	return SQLITE_OK;
}

static void *run(void *arg)
{
	struct sq_ckpt *k = arg;
	struct timespec until;
	int log_pages, done_pages, rc;

	pthread_mutex_lock(&k->mu);
	while (!k->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += CKPT_IDLE_S;
		while (!k->wanted && !k->stop)
			if (pthread_cond_timedwait(&k->cv, &k->mu, &until) == ETIMEDOUT)
				break;
		if (k->stop)
			break;
		k->wanted = 0;
		pthread_mutex_unlock(&k->mu);
		/* PASSIVE: never waits for readers or writers; what it cannot
		 * copy now waits for the next round. */
		rc = sqlite3_wal_checkpoint_v2(k->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log_pages,
					       &done_pages);
		if (rc != SQLITE_OK && rc != SQLITE_BUSY)
			log_warnx("store: checkpoint: %s", sqlite3_errmsg(k->db));
		pthread_mutex_lock(&k->mu);
	}
	pthread_mutex_unlock(&k->mu);
	return NULL;
}

void sq_ckpt_attach(struct store *st, sqlite3 *db)
{
	switch (st->ckpt_mode) {
	case STORE_CKPT_THREAD:
		sqlite3_wal_hook(db, wal_noted, st->ckpt); /* replaces auto-checkpoints */
		break;
	case STORE_CKPT_LEAVE:
		sqlite3_wal_autocheckpoint(db, CKPT_LEAVE_PAGES);
		sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		break;
	default:
		break;
	}
}

int store_checkpoints(struct store *st, enum store_checkpoints how)
{
	struct sq_ckpt *k;
	struct conn *c;

	if (how == STORE_CKPT_THREAD) {
		if ((k = calloc(1, sizeof(*k))) == NULL)
			return STORE_ERROR;
		if (sqlite3_open_v2(st->path, &k->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
				    NULL) != SQLITE_OK) {
			log_warnx("store: checkpoints: %s", sqlite3_errmsg(k->db));
			sqlite3_close(k->db);
			free(k);
			return STORE_ERROR;
		}
		sqlite3_busy_timeout(k->db, 1000);
		/* A connection knows the database is in WAL mode once it has
		 * read it; until then a checkpoint does nothing. */
		sqlite3_exec(k->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
		pthread_mutex_init(&k->mu, NULL);
		pthread_cond_init(&k->cv, NULL);
		if (pthread_create(&k->thread, NULL, run, k) != 0) {
			sqlite3_close(k->db);
			pthread_cond_destroy(&k->cv);
			pthread_mutex_destroy(&k->mu);
			free(k);
			return STORE_ERROR;
		}
		st->ckpt = k;
	}
	pthread_mutex_lock(&st->mu);
	st->ckpt_mode = how;
	for (c = st->conns; c != NULL; c = c->next)
		sq_ckpt_attach(st, c->db);
	pthread_mutex_unlock(&st->mu);
	return STORE_OK;
}

void sq_ckpt_stop(struct store *st)
{
	struct sq_ckpt *k = st->ckpt;

	if (k == NULL)
		return;
	pthread_mutex_lock(&k->mu);
	k->stop = 1;
	pthread_cond_signal(&k->cv);
	pthread_mutex_unlock(&k->mu);
	pthread_join(k->thread, NULL);
	sqlite3_close(k->db);
	pthread_cond_destroy(&k->cv);
	pthread_mutex_destroy(&k->mu);
	free(k);
	st->ckpt = NULL;
}
