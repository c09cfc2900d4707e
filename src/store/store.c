/*
 * The store's backend-neutral part: store_open() picks the driver by
 * the database string (store/db.h), the helpers the area files share
 * (store_int.h), and transactions, commit groups and the read scope,
 * written once over the driver's tx() and in_tx().
 */
#include "store/store_int.h"
#include "store/store_payments.h"

#include <malloc.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/log.h"

/* The store in a read scope on this thread (store_read_begin), or NULL. */
static _Thread_local struct store *read_st;

/* ---- Lifecycle -------------------------------------------------------- */

/* The driver for a database string: a PostgreSQL URL, else a path. */
static const struct db_driver *driver_for(const char *target)
{
	if (strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0) {
#ifdef QCRA_HAVE_PG
		return &db_pg;
#else
		return NULL;
#endif
	}
	return &db_sqlite;
}

/* st->instance: this host's name and this process's id, what a claim
 * of queued work records as its holder (outbox.c, ca.c). */
static void store_name_instance(struct store *st)
{
	char host[64];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(st->instance, sizeof(st->instance), "%s:%ld", host, (long)getpid());
}

const char *store_instance(const struct store *st)
{
	return st->instance;
}

/* The lease taken when it is over or already ours; a row back when so. */
static const char SQL_TASK_CLAIM[] =
	"INSERT INTO task_leases (name, claimed_by, lease_until) VALUES ($1, $2, $3) "
	"ON CONFLICT (name) DO UPDATE SET claimed_by = excluded.claimed_by, lease_until = "
	"excluded.lease_until WHERE task_leases.lease_until <= $4 OR task_leases.claimed_by = "
	"excluded.claimed_by RETURNING lease_until";

int store_task_claim(struct store *st, const char *task, time_t now, int secs)
{
	int own = !st->drv->in_tx(st), rc;
	long long until;

	if (own && store_begin(st) != STORE_OK)
		return STORE_ERROR;
	rc = db_step_int64(db_bound(st, SQL_TASK_CLAIM, SQ_TEXT(task), SQ_TEXT(st->instance),
				    SQ_INT((long long)now + secs), SQ_INT((long long)now)),
			   &until, "task claim");
	if (rc == STORE_NOTFOUND)
		rc = STORE_CONFLICT;
	if (own) {
		if (rc == STORE_ERROR || store_commit(st) != STORE_OK) {
			store_rollback(st);
			return STORE_ERROR;
		}
	}
	return rc;
}

static const char SQL_TASK_RELEASE[] =
	"UPDATE task_leases SET lease_until = 0 WHERE name = $1 AND claimed_by = $2";

int store_task_release(struct store *st, const char *task)
{
	int own = !st->drv->in_tx(st), rc;

	if (own && store_begin(st) != STORE_OK)
		return STORE_ERROR;
	rc = db_run(st, SQL_TASK_RELEASE, "task release", SQ_TEXT(task), SQ_TEXT(st->instance));
	if (own && (rc != STORE_OK || store_commit(st) != STORE_OK)) {
		store_rollback(st);
		return STORE_ERROR;
	}
	return rc;
}

int store_open(struct store **out, const char *target, char *err, size_t errlen)
{
	const struct db_driver *drv = driver_for(target);
	struct store *st;

	*out = NULL;
	if (drv == NULL) {
		snprintf(err, errlen,
			 "this qcra was built without PostgreSQL (libpq was not found): "
			 "rebuild with libpq installed, or give a database file");
		return STORE_ERROR;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	st->drv = drv;
	store_name_instance(st);
	if (drv->open(st, target, err, errlen) != 0) {
		free(st);
		return STORE_ERROR;
	}
	*out = st;
	return STORE_OK;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (read_st == st) /* (its transaction ends with the connection) */
		read_st = NULL;
	st->drv->close(st);
	sodium_memzero(st->seal_key, sizeof(st->seal_key));
	sodium_memzero(st->audit_secret, sizeof(st->audit_secret));
	free(st);
}

void store_set_seal_key(struct store *st, const unsigned char key[32])
{
	memcpy(st->seal_key, key, sizeof(st->seal_key));
	st->seal_set = 1;
}

void store_checkpoints_leave(struct store *st)
{
	if (st->drv->checkpoints_leave != NULL)
		st->drv->checkpoints_leave(st);
}

void store_release_memory(struct store *st)
{
	if (st->drv->release_memory != NULL)
		st->drv->release_memory(st);
	(void)malloc_trim(0);
}

int store_bulk_begin(struct store *st, long long size, struct store_bulk *b)
{
	b->on = 0;
	if (st->drv->bulk_begin == NULL)
		return STORE_OK;
	if (st->drv->bulk_begin(st, size, &b->cache) != 0)
		return STORE_ERROR;
	b->on = 1;
	return STORE_OK;
}

void store_bulk_end(struct store *st, struct store_bulk *b)
{
	if (b->on)
		st->drv->bulk_end(st, b->cache);
	b->on = 0;
}

/* ---- Read scope ------------------------------------------------------- */

/*
 * Read scope (store_read_begin): read_st is the store whose connection
 * on this thread has a read transaction opened by store_read_begin().
 * Anything that may write ends it first, so writes run exactly as
 * without it: a statement that is not read-only, store_begin(), and
 * any raw use of the connection (db_conn).
 */
static void read_scope_end(void)
{
	struct store *st = read_st;

	if (st == NULL)
		return;
	read_st = NULL;
	if (!st->drv->in_tx(st) || st->drv->tx(st, DB_COMMIT) == DB_DONE)
		return;
	/* Never leave it open: what follows must run in autocommit. */
	log_warnx("store: end of read transaction failed; rolled back");
	st->drv->tx(st, DB_ROLLBACK);
}

int store_read_begin(struct store *st)
{
	if (read_st != NULL || st->drv->conn(st) == NULL || st->drv->in_tx(st))
		return STORE_ERROR;
	if (st->drv->tx(st, DB_BEGIN_READ) != DB_DONE)
		return STORE_ERROR;
	read_st = st;
	return STORE_OK;
}

void store_read_end(struct store *st)
{
	(void)st;
	read_scope_end();
}

struct db_conn *db_conn(struct store *st)
{
	read_scope_end();
	return st->drv->conn(st);
}

/* ---- Statements ------------------------------------------------------- */

struct db_stmt *db_stmt(struct store *st, const char *sql)
{
	struct db_stmt *s = st->drv->stmt(st, sql);

	if (s != NULL && read_st != NULL && !s->drv->readonly(s))
		read_scope_end();
	return s;
}

struct db_stmt *db_bind_args(struct store *st, const char *sql, const struct sq_arg *args)
{
	struct db_stmt *s = db_stmt(st, sql);

	if (s != NULL)
		s->drv->bind(s, args);
	return s;
}

void db_col_copy(struct db_stmt *s, int i, char *dst, size_t size)
{
	const char *v;
	size_t n = 0;

	if (size == 0)
		return;
	if ((v = s->drv->col_text(s, i)) != NULL) {
		n = utf8_prefix(v, size - 1);
		memcpy(dst, v, n);
	}
	dst[n] = '\0';
}

/* Logs why s failed (a bind that failed, with its parameter, or the
 * database's error), resets s; STORE_ERROR. */
int db_fail(struct db_stmt *s, const char *what)
{
	s->drv->warn(s, "store", what);
	s->drv->reset(s);
	return STORE_ERROR;
}

/* Runs a statement that returns no rows.  STORE_OK, STORE_CONFLICT on a
 * unique/primary key violation, else STORE_ERROR (also for s NULL: a
 * statement db_stmt could not give, logged there).  changed (when not
 * NULL): the rows it changed, read before the reset. */
static int step_done(struct db_stmt *s, const char *what, long long *changed)
{
	enum db_rc rc;

	if (s == NULL)
		return STORE_ERROR;
	rc = db_step(s);
	if (rc == DB_DONE) {
		if (changed != NULL)
			*changed = s->drv->changes(s);
		db_reset(s);
		return STORE_OK;
	}
	if (rc == DB_CONFLICT) {
		db_reset(s);
		return STORE_CONFLICT;
	}
	return db_fail(s, what);
}

int db_step_done(struct db_stmt *s, const char *what)
{
	return step_done(s, what, NULL);
}

/* Like db_step_done, but STORE_NOTFOUND when no row changed. */
int db_step_changed(struct db_stmt *s, const char *what)
{
	long long n = 0;
	int rc = step_done(s, what, &n);

	return rc == STORE_OK && n == 0 ? STORE_NOTFOUND : rc;
}

/* db_step_done, the rows changed into *n (0 unless STORE_OK). */
int db_step_count(struct db_stmt *s, long long *n, const char *what)
{
	*n = 0;
	return step_done(s, what, n);
}

int db_step_row(struct db_stmt *s, const char *what)
{
	enum db_rc rc;

	if (s == NULL)
		return STORE_ERROR;
	rc = db_step(s);
	if (rc == DB_ROW)
		return STORE_OK;
	if (rc == DB_DONE) {
		db_reset(s);
		return STORE_NOTFOUND;
	}
	if (rc == DB_CONFLICT) { /* an INSERT ... RETURNING */
		db_reset(s);
		return STORE_CONFLICT;
	}
	return db_fail(s, what);
}

int db_insert_args(struct store *st, const char *sql, const char *what, long long *id,
		   const struct sq_arg *args)
{
	struct db_stmt *s = db_bind_args(st, sql, args);
	int rc = db_step_row(s, what);

	if (rc == STORE_OK) {
		if (id != NULL)
			*id = db_col_int64(s, 0);
		db_reset(s);
	}
	return rc;
}

int db_step_int64(struct db_stmt *s, long long *v, const char *what)
{
	int rc = db_step_row(s, what);

	if (rc == STORE_OK) {
		*v = db_col_int64(s, 0);
		db_reset(s);
	}
	return rc;
}

int db_step_array(struct db_stmt *s, size_t size, void (*fill)(struct db_stmt *s, void *elem),
		  void **out, size_t *n, const char *what)
{
	char *v = NULL, *grown;
	size_t count = 0, cap = 0;
	enum db_rc rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		if (count == cap) {
			cap = cap ? 2 * cap : 32;
			if ((grown = realloc(v, cap * size)) == NULL) {
				free(v);
				db_reset(s);
				log_warnx("store: %s: out of memory", what);
				return STORE_ERROR;
			}
			v = grown;
		}
		fill(s, v + count++ * size);
	}
	if (rc != DB_DONE) {
		free(v);
		return db_fail(s, what);
	}
	db_reset(s);
	*out = v;
	*n = count;
	return STORE_OK;
}

static void fill_id(struct db_stmt *s, void *elem)
{
	*(long long *)elem = db_col_int64(s, 0);
}

int db_step_ids(struct db_stmt *s, long long **ids, size_t *n, const char *what)
{
	void *v;
	int rc = db_step_array(s, sizeof(**ids), fill_id, &v, n, what);

	*ids = v;
	return rc;
}

int db_rows_end(struct db_stmt *s, enum db_rc rc, const char *what)
{
	if (rc != DB_ROW && rc != DB_DONE)
		return db_fail(s, what);
	db_reset(s);
	return STORE_OK;
}

int db_count(struct store *st, const char *sql, long long *count, const char *what)
{
	int rc = db_step_int64(db_stmt(st, sql), count, what);

	return rc == STORE_NOTFOUND ? STORE_ERROR : rc; /* COUNT(*) always has its row */
}

enum wf_state db_col_state(struct db_stmt *s, int i)
{
	const char *name = db_col_text(s, i);
	enum wf_state st;

	if (name == NULL || wf_state_parse(name, &st) != 0)
		return WF_STATE__MAX;
	return st;
}

/* ---- Wake-ups across instances ----------------------------------------- */

int db_wake(struct store *st, unsigned what)
{
	struct db_conn *c;
	struct db_stmt *s;
	unsigned i;

	if ((c = st->drv->conn(st)) == NULL)
		return STORE_ERROR;
	if (c->writing)
		c->queued |= what;
	if (st->drv->wake_sql == NULL)
		return STORE_OK;
	for (i = 0; (1u << i) <= what; i++) {
		if (!(what & (1u << i)) || (c->writing && (c->woke & (1u << i))))
			continue;
		s = db_stmt(st, st->drv->wake_sql[i]);
		if (db_step_row(s, "wake") != STORE_OK)
			return STORE_ERROR;
		db_reset(s);
		if (c->writing)
			c->woke |= 1u << i;
	}
	return STORE_OK;
}

struct store_listener {
	const struct db_driver *drv;
	void *l;
};

struct store_listener *store_listen(struct store *st)
{
	struct store_listener *sl;

	if (st->drv->listen == NULL || (sl = calloc(1, sizeof(*sl))) == NULL)
		return NULL;
	sl->drv = st->drv;
	if ((sl->l = st->drv->listen(st)) == NULL) {
		free(sl);
		return NULL;
	}
	return sl;
}

int store_listen_wait(struct store_listener *l, int ms)
{
	return l->drv->listen_wait(l->l, ms);
}

void store_listen_close(struct store_listener *l)
{
	if (l == NULL)
		return;
	l->drv->listen_close(l->l);
	free(l);
}

/* ---- Transactions ----------------------------------------------------- */

/* One transaction statement: STORE_OK, else STORE_ERROR (the driver
 * logged why; another writer holding on past the wait is an error
 * here, as a failed BEGIN always was). */
static int tx(struct store *st, enum db_tx what)
{
	return st->drv->tx(st, what) == DB_DONE ? STORE_OK : STORE_ERROR;
}

static void write_scope(struct db_conn *c, int writing)
{
	if (c != NULL) {
		c->writing = writing;
		c->audit_last[0] = '\0';
		c->woke = 0;
		if (writing)
			c->queued = 0;
		c->savepoints = 0;
		c->audit_n = c->audit_mark = 0;
	}
}

static int begin(struct store *st, enum db_tx what)
{
	struct db_conn *c = db_conn(st);
	int rc;

	if (c != NULL && c->group) {
		if ((rc = tx(st, DB_SAVEPOINT)) == STORE_OK && c->savepoints++ == 0)
			c->audit_mark = c->audit_n;
		return rc;
	}
	rc = tx(st, what);
	write_scope(c, rc == STORE_OK);
	return rc;
}

/* Inside a commit group, store_begin/commit/rollback are a savepoint of
 * the group's transaction. */
int store_begin(struct store *st)
{
	return begin(st, DB_BEGIN_WRITE);
}

int store_commit(struct store *st)
{
	struct db_conn *c = st->drv->conn(st);
	int rc;

	if (c != NULL && c->group) {
		if ((rc = tx(st, DB_RELEASE)) == STORE_OK && c->savepoints > 0)
			c->savepoints--;
		return rc;
	}
	/* The audit entries kept, then the commit; a failed append leaves
	 * the transaction to the caller's rollback. */
	if (c != NULL && c->writing && store_audit_flush(st, c) != STORE_OK)
		return STORE_ERROR;
	rc = tx(st, DB_COMMIT);
	write_scope(c, 0);
	return rc;
}

void store_rollback(struct store *st)
{
	struct db_conn *c = st->drv->conn(st);

	if (c != NULL && c->group) {
		/* The rows rolled back may hold the last audit entry;
		 * the wake-ups sent in them are gone too, and so are the
		 * audit entries kept since the savepoint. */
		c->audit_last[0] = '\0';
		c->woke = 0;
		if (c->savepoints > 0 && --c->savepoints == 0)
			c->audit_n = c->audit_mark;
		if (st->drv->in_tx(st) && tx(st, DB_ROLLBACK_TO) == STORE_OK)
			tx(st, DB_RELEASE);
		return;
	}
	st->drv->tx(st, DB_ROLLBACK); /* (none open: lets go of what BEGIN took) */
	write_scope(c, 0);
}

int db_begin_shared(struct store *st)
{
	return begin(st, st->drv->group_threads > 1 ? DB_BEGIN_SHARED : DB_BEGIN_WRITE);
}

int store_group_threads(struct store *st)
{
	const char *env = getenv("QCRA_PG_GROUPS");

	if (st->drv->group_threads <= 1)
		return 1;
	return env != NULL && atoi(env) > 0 ? atoi(env) : st->drv->group_threads;
}

int store_group_begin(struct store *st)
{
	struct db_conn *c = db_conn(st);

	if (c == NULL || c->group || db_begin_shared(st) != STORE_OK)
		return STORE_ERROR;
	c->group = 1;
	return STORE_OK;
}

int store_group_alive(struct store *st)
{
	struct db_conn *c = st->drv->conn(st);

	return c != NULL && c->group && st->drv->in_tx(st);
}

int store_group_commit(struct store *st)
{
	struct db_conn *c = st->drv->conn(st);
	int rc;

	if (c == NULL || !c->group)
		return STORE_ERROR;
	c->group = 0;
	if (!st->drv->in_tx(st)) { /* ended under us (an I/O error) */
		store_rollback(st);
		return STORE_ERROR;
	}
	if ((rc = store_commit(st)) != STORE_OK)
		store_rollback(st);
	return rc;
}

unsigned store_group_queued(struct store *st)
{
	struct db_conn *c = st->drv->conn(st);

	return c != NULL ? c->queued : 0;
}

void store_group_rollback(struct store *st)
{
	struct db_conn *c = st->drv->conn(st);

	if (c != NULL)
		c->group = 0;
	store_rollback(st);
}
