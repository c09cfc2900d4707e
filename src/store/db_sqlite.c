/*
 * SQLite backend of store.h: connections, the statement cache,
 * transactions and the helpers the area files share (store_int.h).
 * The tables' SQL is in one file per area: migrate.c (schema),
 * accounts.c, outbox.c, orders.c, office.c, payments.c, ca.c, ra.c,
 * audit.c, reports.c.
 *
 * Each thread gets its own connection (pthread key), opened on first
 * use with WAL, synchronous=FULL, foreign keys and a busy timeout.
 * Statements are prepared once per connection (the transaction
 * statements from the table below, the areas' through sq_stmt) and
 * reset after each use.  The SQL is portable: $N parameters in order,
 * no SQLite-only syntax in queries.
 */
#include "store/store.h"
#include "store/store_int.h"
#include "store/sqlite_mem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "domain/fold.h"
#include "util/log.h"

/* The transaction statements, prepared once per connection. */
enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_BEGIN_READ,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S__MAX
};

static const char *const stmt_sql[S__MAX] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",     [S_COMMIT] = "COMMIT",         [S_ROLLBACK] = "ROLLBACK",
	[S_BEGIN_READ] = "BEGIN DEFERRED", [S_SAVEPOINT] = "SAVEPOINT g", [S_RELEASE] = "RELEASE g",
	[S_ROLLBACK_TO] = "ROLLBACK TO g",
};

_Static_assert(S__MAX <= 16, "struct conn.stmt is too small");

static void conn_close(struct conn *c)
{
	int i;

	for (i = 0; i < S__MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	for (i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(c->cache[i].s);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(c->db));
	audit_mac_key_wipe(&c->audit_mac);
	free(c);
}

/* Thread exit: drop this thread's connection. */
static void conn_release(void *arg)
{
	struct conn *c = arg, **pp;
	struct store *st = c->owner;

	pthread_mutex_lock(&st->mu);
	for (pp = &st->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&st->mu);
	conn_close(c);
}

/*
 * Busy handler: waits for another connection's write transaction to
 * end, giving up after BUSY_TIMEOUT_MS as sqlite3_busy_timeout(5000)
 * would.  SQLite's own handler sleeps 1, 2, 5, 10, 15, 20, 25 ms...
 * while a write transaction here holds the lock for well under a
 * millisecond (one fsync): a writer that lost the race slept far longer
 * than the lock was held, again and again while the other thread kept
 * writing (scenario 6 of bench/: p99 ~800 ms).  Short naps first,
 * longer ones once the wait is clearly long (a checkpoint, a bulk
 * import in another process).  Write transactions of this process
 * mostly wait on writer_mu instead (store_begin).
 */
#define BUSY_TIMEOUT_MS 5000

/* Per thread, as connections are: time waited for the current
 * statement, and what store_begin() already waited for the writer
 * mutex (so BEGIN's whole wait stays within BUSY_TIMEOUT_MS). */
static _Thread_local long busy_waited_us, busy_credit_us;

static int busy_wait(void *arg, int count)
{
	struct timespec nap = {0, 0};
	long us;

	if (count == 0)
		busy_waited_us = busy_credit_us;
	us = count < 20 ? 50 : count < 100 ? 250 : 2000;
	if (busy_waited_us + us > BUSY_TIMEOUT_MS * 1000L)
		return 0;
	nap.tv_nsec = us * 1000L;
	nanosleep(&nap, NULL);
	busy_waited_us += us;
	return 1;
}

/* SQL qcra_fold(text): domain/fold.h's search folding, for the back
 * office's search (a PostgreSQL backend defines the same function). */
static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *in = (const char *)sqlite3_value_text(argv[0]);
	int len = sqlite3_value_bytes(argv[0]);
	char stack[512], *out = stack;
	size_t n;

	(void)argc;
	if (in == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if ((size_t)len + 1 > sizeof(stack) && (out = sqlite3_malloc(len + 1)) == NULL) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	n = text_fold(in, (size_t)len, out, (size_t)len + 1);
	sqlite3_result_text(ctx, out, (int)n, SQLITE_TRANSIENT);
	if (out != stack)
		sqlite3_free(out);
}

/* Checkpoints left to other processes (store_checkpoints_leave): only
 * past 256 MiB of WAL (16,384 pages of 16 KiB), never at close. */
static void conn_leave_checkpoints(sqlite3 *db)
{
	sqlite3_wal_autocheckpoint(db, 16384);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
}

void store_checkpoints_leave(struct store *st)
{
	struct conn *c;

	pthread_mutex_lock(&st->mu);
	st->ckpt_leave = 1;
	for (c = st->conns; c != NULL; c = c->next)
		conn_leave_checkpoints(c->db);
	pthread_mutex_unlock(&st->mu);
}

static struct conn *conn_open(struct store *st, char *err, size_t errlen)
{
	struct conn *c;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->owner = st;
	rc = sqlite3_open_v2(st->path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_handler(c->db, busy_wait, NULL);
	sqlite3_extended_result_codes(c->db, 1);
	if (sqlite3_create_function_v2(c->db, "qcra_fold", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				       sql_fold, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function_v2(c->db, "qcra_fp_key", 1,
				       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
				       sq_fp_key_fn, NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", st->path, sqlite3_errmsg(c->db));
		goto fail;
	}
	/* Page size: 16 KiB for a new database (an existing one keeps its
	 * own; in WAL mode it cannot change).  A bank statement import then
	 * dirties a quarter of the pages (~0.2 s of 100,000 lines); order
	 * submission pays ~25% for writing bigger pages, still ~90% of the
	 * bare durable commit rate (bench/README.md).  A WAL grown large by
	 * a bulk write is cut back to 64 MiB when it starts over.
	 * Durability: an acknowledged commit survives power loss. */
	if (sq_exec(c->db,
		    "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		    "PRAGMA journal_size_limit=67108864; "
		    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
		    err, errlen) != 0)
		goto fail;
	pthread_mutex_lock(&st->mu);
	if (st->ckpt_leave)
		conn_leave_checkpoints(c->db);
	c->next = st->conns;
	st->conns = c;
	pthread_mutex_unlock(&st->mu);
	return c;
fail:
	sqlite3_close(c->db);
	free(c);
	return NULL;
}

static struct conn *conn_get(struct store *st)
{
	struct conn *c = pthread_getspecific(st->key);
	char err[256];

	if (c != NULL)
		return c;
	if ((c = conn_open(st, err, sizeof(err))) == NULL) {
		log_warnx("store: open: %s", err);
		return NULL;
	}
	pthread_setspecific(st->key, c);
	return c;
}

/* The statement text on c, kept for the connection's life (util/sq.h:
 * $N parameters, one statement), NULL (logged) on an error. */
static sqlite3_stmt *prepare(struct conn *c, const char *text)
{
	return sq_prepare(c->db, text, SQLITE_PREPARE_PERSISTENT, "store");
}

/*
 * Read scope (store_read_begin): this thread's connection while a
 * deferred read transaction opened by store_read_begin() is open, else
 * NULL.  Anything that may write ends it first, so writes run exactly
 * as without it: a statement that is not read-only, store_begin(), and
 * any raw use of the connection (sq_conn).
 */
static _Thread_local struct conn *read_conn;

static sqlite3_stmt *conn_stmt(struct conn *c, enum stmt_id id)
{
	if (c->stmt[id] == NULL)
		c->stmt[id] = prepare(c, stmt_sql[id]);
	return c->stmt[id];
}

static void read_scope_end(void)
{
	struct conn *c = read_conn;
	sqlite3_stmt *s;
	int rc;

	if (c == NULL)
		return;
	read_conn = NULL;
	if (sqlite3_get_autocommit(c->db) || (s = conn_stmt(c, S_COMMIT)) == NULL)
		return;
	rc = sq_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return;
	/* Never leave it open: what follows must run in autocommit. */
	log_warnx("store: end of read transaction: %s", sqlite3_errmsg(c->db));
	if ((s = conn_stmt(c, S_ROLLBACK)) != NULL) {
		sq_step(s);
		sqlite3_reset(s);
	}
}

/* The prepared statement `id` on this thread's connection, reset and
 * unbound, or NULL (logged). */
static sqlite3_stmt *stmt(struct store *st, enum stmt_id id)
{
	struct conn *c = conn_get(st);
	sqlite3_stmt *s;

	if (c == NULL)
		return NULL;
	if ((s = conn_stmt(c, id)) == NULL)
		return NULL;
	if (read_conn != NULL && (id == S_BEGIN || !sqlite3_stmt_readonly(s)))
		read_scope_end();
	sq_forget(s); /* a new use: no bind of it has failed yet */
	return s;
}

struct conn *sq_conn(struct store *st)
{
	read_scope_end();
	return conn_get(st);
}

int store_read_begin(struct store *st)
{
	struct conn *c = conn_get(st);
	sqlite3_stmt *s;
	int rc;

	if (c == NULL || read_conn != NULL || !sqlite3_get_autocommit(c->db))
		return STORE_ERROR;
	if ((s = conn_stmt(c, S_BEGIN_READ)) == NULL)
		return STORE_ERROR;
	rc = sq_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE) {
		log_warnx("store: begin read transaction: %s", sqlite3_errmsg(c->db));
		return STORE_ERROR;
	}
	read_conn = c;
	return STORE_OK;
}

void store_read_end(struct store *st)
{
	(void)st;
	read_scope_end();
}

sqlite3_stmt *sq_stmt(struct store *st, const char *sql)
{
	struct conn *c = conn_get(st);
	size_t h, i;

	if (c == NULL)
		return NULL;
	h = ((size_t)(uintptr_t)sql >> 4) % STMT_CACHE;
	for (i = 0; i < STMT_CACHE; i++, h = (h + 1) % STMT_CACHE) {
		if (c->cache[h].sql == NULL) {
			if ((c->cache[h].s = prepare(c, sql)) == NULL)
				return NULL;
			c->cache[h].sql = sql;
		}
		if (c->cache[h].sql == sql) {
			if (read_conn != NULL && !sqlite3_stmt_readonly(c->cache[h].s))
				read_scope_end();
			sq_forget(c->cache[h].s);
			return c->cache[h].s;
		}
	}
	log_warnx("store: statement cache full");
	return NULL;
}

/* Logs why s failed (a bind that failed, with its parameter, or the
 * connection's error), resets s; STORE_ERROR. */
int sq_fail(sqlite3_stmt *s, const char *what)
{
	sq_warn(s, "store", what);
	sq_done(s);
	return STORE_ERROR;
}

/* Runs a statement that returns no rows.  STORE_OK, STORE_CONFLICT on a
 * unique/primary key violation, else STORE_ERROR (also for s NULL: a
 * statement sq_stmt could not give, logged there). */
int sq_step_done(sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	rc = sq_step(s);
	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_OK;
	}
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
		sq_done(s);
		return STORE_CONFLICT;
	}
	return sq_fail(s, what);
}

/* Like sq_step_done, but STORE_NOTFOUND when no row changed. */
int sq_step_changed(sqlite3_stmt *s, const char *what)
{
	int rc = sq_step_done(s, what);

	if (rc == STORE_OK && sqlite3_changes(sqlite3_db_handle(s)) == 0)
		return STORE_NOTFOUND;
	return rc;
}

int sq_step_row(sqlite3_stmt *s, const char *what)
{
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	rc = sq_step(s);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	return sq_fail(s, what);
}

sqlite3_stmt *sq_bind_args(struct store *st, const char *sql, const struct sq_arg *args)
{
	sqlite3_stmt *s = sq_stmt(st, sql);

	if (s != NULL)
		sq_bind_list(s, args);
	return s;
}

int sq_insert_args(struct store *st, const char *sql, const char *what, long long *id,
		   const struct sq_arg *args)
{
	sqlite3_stmt *s = sq_bind_args(st, sql, args);
	int rc = sq_step_done(s, what);

	if (rc == STORE_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return rc;
}

int sq_step_int64(sqlite3_stmt *s, long long *v, const char *what)
{
	int rc = sq_step_row(s, what);

	if (rc == STORE_OK) {
		*v = sqlite3_column_int64(s, 0);
		sq_done(s);
	}
	return rc;
}

int sq_step_ids(sqlite3_stmt *s, long long **ids, size_t *n, const char *what)
{
	long long *v = NULL, *grown;
	size_t count = 0, cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return STORE_ERROR;
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		if (count == cap) {
			cap = cap ? 2 * cap : 32;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL) {
				free(v);
				sq_done(s);
				log_warnx("store: %s: out of memory", what);
				return STORE_ERROR;
			}
			v = grown;
		}
		v[count++] = sqlite3_column_int64(s, 0);
	}
	if (rc != SQLITE_DONE) {
		free(v);
		return sq_fail(s, what);
	}
	sq_done(s);
	*ids = v;
	*n = count;
	return STORE_OK;
}

/* ---- Lifecycle -------------------------------------------------------- */

/* Process-wide SQLite settings, before the library initialises.
 * Memory statistics off: nothing reads them, and keeping them takes a
 * global mutex on every allocation, which every query makes. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite_mem_configure();
}

/*
 * The database file made 0600 before SQLite opens it (SQLite creates
 * its WAL and shared-memory files with the database's mode); an
 * existing database, WAL or shm that others may read is made private.
 * Returns 0, or -1 with err.
 */
static int db_file_private(const char *path, char *err, size_t errlen)
{
	static const char *const suffix[] = {"", "-wal", "-shm"};
	char p[PATH_MAX + 8];
	struct stat sb;
	size_t i;
	int fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	close(fd);
	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", path, suffix[i]);
		if (stat(p, &sb) == 0 && (sb.st_mode & 077) != 0) {
			if (chmod(p, sb.st_mode & 0700) != 0) {
				snprintf(err, errlen, "%s: cannot make it private: %s", p,
					 strerror(errno));
				return -1;
			}
			log_info("store: %s was readable by others; now %04o", p,
				 (unsigned)(sb.st_mode & 0700));
		}
	}
	return 0;
}

int store_open(struct store **out, const char *path, char *err, size_t errlen)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	struct store *st;

	*out = NULL;
	if (strlen(path) >= sizeof(st->path)) {
		snprintf(err, errlen, "database path too long");
		return STORE_ERROR;
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	pthread_once(&configured, sqlite_configure);
	if (strcmp(path, ":memory:") != 0 && db_file_private(path, err, errlen) != 0) {
		free(st);
		return STORE_ERROR;
	}
	snprintf(st->path, sizeof(st->path), "%s", path);
	pthread_mutex_init(&st->mu, NULL);
	if (pthread_key_create(&st->key, conn_release) != 0) {
		snprintf(err, errlen, "pthread_key_create failed");
		free(st);
		return STORE_ERROR;
	}
	/* Open this thread's connection now so a bad path fails here. */
	{
		struct conn *c = conn_open(st, err, errlen);

		if (c == NULL) {
			pthread_key_delete(st->key);
			free(st);
			return STORE_ERROR;
		}
		pthread_setspecific(st->key, c);
	}
	*out = st;
	return STORE_OK;
}

void store_close(struct store *st)
{
	struct conn *c, *next;

	if (st == NULL)
		return;
	pthread_setspecific(st->key, NULL);
	pthread_key_delete(st->key);
	for (c = st->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
	pthread_mutex_destroy(&st->mu);
	sodium_memzero(st->seal_key, sizeof(st->seal_key));
	sodium_memzero(st->audit_secret, sizeof(st->audit_secret));
	free(st);
}

void store_set_seal_key(struct store *st, const unsigned char key[32])
{
	memcpy(st->seal_key, key, sizeof(st->seal_key));
	st->seal_set = 1;
}

/*
 * Write transactions of this process take turns on a mutex before
 * BEGIN IMMEDIATE, so a worker waiting to write is woken the moment the
 * other one commits, instead of polling SQLite's lock from its busy
 * handler.  Other processes (the CLI) and single-statement writes still
 * meet in SQLite's lock and the busy handler.  A transaction never
 * ended would hold the mutex: after BUSY_TIMEOUT_MS the waiter goes on
 * without it and SQLite decides, as it would without the mutex.
 */
static pthread_mutex_t writer_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local int writer_held;

static void writer_acquire(void)
{
	struct timespec until, t0, t1;

	if (writer_held)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += BUSY_TIMEOUT_MS / 1000;
	writer_held = pthread_mutex_timedlock(&writer_mu, &until) == 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	busy_credit_us = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_nsec - t0.tv_nsec) / 1000;
}

/* Lets the next writer in once c's transaction has ended. */
static void writer_release(struct conn *c)
{
	if (writer_held && (c == NULL || sqlite3_get_autocommit(c->db))) {
		writer_held = 0;
		pthread_mutex_unlock(&writer_mu);
	}
}

static void write_scope(struct store *st, int writing)
{
	struct conn *c = conn_get(st);

	if (c != NULL) {
		c->writing = writing;
		c->audit_last[0] = '\0';
	}
}

/* Inside a commit group, store_begin/commit/rollback are a savepoint of
 * the group's transaction. */
static int in_group(struct store *st)
{
	struct conn *c = conn_get(st);

	return c != NULL && c->group;
}

static int exec_stmt(struct store *st, enum stmt_id id, const char *what)
{
	sqlite3_stmt *s = stmt(st, id);

	return s == NULL ? STORE_ERROR : sq_step_done(s, what);
}

int store_begin(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (in_group(st))
		return exec_stmt(st, S_SAVEPOINT, "savepoint");
	if ((s = stmt(st, S_BEGIN)) == NULL)
		return STORE_ERROR;
	writer_acquire();
	rc = sq_step_done(s, "begin");
	write_scope(st, rc == STORE_OK);
	busy_credit_us = 0;
	if (rc != STORE_OK)
		writer_release(conn_get(st));
	return rc;
}

int store_commit(struct store *st)
{
	sqlite3_stmt *s;
	int rc;

	if (in_group(st))
		return exec_stmt(st, S_RELEASE, "release savepoint");
	if ((s = stmt(st, S_COMMIT)) == NULL)
		return STORE_ERROR;
	rc = sq_step_done(s, "commit");
	write_scope(st, 0);
	writer_release(conn_get(st));
	return rc;
}

void store_rollback(struct store *st)
{
	struct conn *c = conn_get(st);
	sqlite3_stmt *s = stmt(st, S_ROLLBACK);

	if (c != NULL && c->group) {
		/* The rows rolled back may hold the last audit entry. */
		c->audit_last[0] = '\0';
		if (!sqlite3_get_autocommit(c->db) &&
		    exec_stmt(st, S_ROLLBACK_TO, "rollback to savepoint") == STORE_OK)
			exec_stmt(st, S_RELEASE, "release savepoint");
		return;
	}
	if (s != NULL && c != NULL && !sqlite3_get_autocommit(c->db))
		sq_step_done(s, "rollback");
	write_scope(st, 0);
	writer_release(c);
}

int store_group_begin(struct store *st)
{
	struct conn *c = conn_get(st);

	if (c == NULL || c->group || store_begin(st) != STORE_OK)
		return STORE_ERROR;
	c->group = 1;
	return STORE_OK;
}

int store_group_alive(struct store *st)
{
	struct conn *c = conn_get(st);

	return c != NULL && c->group && !sqlite3_get_autocommit(c->db);
}

int store_group_commit(struct store *st)
{
	struct conn *c = conn_get(st);
	int rc;

	if (c == NULL || !c->group)
		return STORE_ERROR;
	c->group = 0;
	if (sqlite3_get_autocommit(c->db)) { /* ended under us (an I/O error) */
		store_rollback(st);
		return STORE_ERROR;
	}
	if ((rc = store_commit(st)) != STORE_OK)
		store_rollback(st);
	return rc;
}

void store_group_rollback(struct store *st)
{
	struct conn *c = conn_get(st);

	if (c != NULL)
		c->group = 0;
	store_rollback(st);
}

int sq_rows_end(sqlite3_stmt *s, int rc, const char *what)
{
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(s, what);
	sq_done(s);
	return STORE_OK;
}

int sq_count(struct store *st, const char *sql, long long *count, const char *what)
{
	int rc = sq_step_int64(sq_stmt(st, sql), count, what);

	return rc == STORE_NOTFOUND ? STORE_ERROR : rc; /* COUNT(*) always has its row */
}

enum wf_state sq_col_state(sqlite3_stmt *s, int i)
{
	const unsigned char *name = sqlite3_column_text(s, i);
	enum wf_state st;

	if (name == NULL || wf_state_parse((const char *)name, &st) != 0)
		return WF_STATE__MAX;
	return st;
}
