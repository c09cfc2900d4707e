/*
 * The store's SQLite driver (store/db.h): connections, the statement
 * cache, the transaction statements, and what only SQLite needs: the
 * PRAGMAs, the busy handler, the process's writer mutex, the SQL
 * functions qcra_fold and qcra_fp_key (defined in db_sqlite_fn.c, on
 * each connection opened here), the database file kept private
 * (0600), checkpoints left to other processes, a bulk transaction's
 * page cache and WAL written ahead (sqlite_wal.h).
 * The SQL itself is in the area files (accounts.c, orders.c, ...),
 * the same for every backend.
 *
 * Each thread gets its own connection (pthread key), opened on first
 * use with WAL, synchronous=FULL, foreign keys and a busy timeout.
 * Statements are prepared once per connection (the transaction
 * statements from the table below, the areas' through stmt(), cached
 * by their SQL text's address) and reset after each use.
 */
#include "store/db_sqlite.h"
#include "store/sqlite_mem.h"
#include "store/sqlite_wal.h"
#include "store/store_int.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "util/sq.h"

#define STMT_CACHE 256 /* per connection, keyed by the SQL text's address */

/* A statement as db.h hands it out: the driver, then SQLite's. */
struct lite_stmt {
	struct db_stmt base;
	sqlite3_stmt *s;
	/* "INSERT ... RETURNING id" run without it (returns_rowid): row 1
	 * on the new id's row, 2 past it, else 0; id_text once asked for. */
	int rowid, row;
	long long id;
	char id_text[24];
};

struct conn {
	struct db_conn dc; /* the neutral state (store.c, audit.c) */
	sqlite3 *db;
	struct lite_stmt tx[DB_ROLLBACK_TO + 1]; /* the transaction statements, by enum db_tx */
	struct {
		const char *sql;
		struct lite_stmt st;
	} cache[STMT_CACHE];
	struct conn *next; /* in lite->conns */
	struct lite *owner;
};

/* The backend's part of struct store (st->be). */
struct lite {
	char path[PATH_MAX];
	pthread_key_t key;
	pthread_mutex_t mu; /* guards conns */
	struct conn *conns;
	int ckpt_leave;        /* store_checkpoints_leave() was called */
	struct wal_ahead *wal; /* store_bulk_begin(): under mu, with its users */
	int wal_users;
};

static const char *const tx_sql[] = {
	[DB_BEGIN_WRITE] = "BEGIN IMMEDIATE",
	[DB_BEGIN_READ] = "BEGIN DEFERRED",
	[DB_COMMIT] = "COMMIT",
	[DB_ROLLBACK] = "ROLLBACK",
	[DB_SAVEPOINT] = "SAVEPOINT g",
	[DB_RELEASE] = "RELEASE g",
	[DB_ROLLBACK_TO] = "ROLLBACK TO g",
};
static const char *const tx_what[] = {
	[DB_BEGIN_WRITE] = "begin",
	[DB_BEGIN_READ] = "begin read transaction",
	[DB_COMMIT] = "commit",
	[DB_ROLLBACK] = "rollback",
	[DB_SAVEPOINT] = "savepoint",
	[DB_RELEASE] = "release savepoint",
	[DB_ROLLBACK_TO] = "rollback to savepoint",
};

static inline sqlite3_stmt *raw(struct db_stmt *s)
{
	return ((struct lite_stmt *)s)->s;
}

static inline struct lite *lite_of(struct store *st)
{
	return st->be;
}

static void conn_close(struct conn *c)
{
	size_t i;

	for (i = 0; i < sizeof(c->tx) / sizeof(c->tx[0]); i++)
		sqlite3_finalize(c->tx[i].s);
	for (i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(c->cache[i].st.s);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(c->db));
	audit_mac_key_wipe(&c->dc.audit_mac);
	free(c);
}

/* Thread exit: drop this thread's connection. */
static void conn_release(void *arg)
{
	struct conn *c = arg, **pp;
	struct lite *l = c->owner;

	pthread_mutex_lock(&l->mu);
	for (pp = &l->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	pthread_mutex_unlock(&l->mu);
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
 * mostly wait on writer_mu instead (tx DB_BEGIN_WRITE).
 */
#define BUSY_TIMEOUT_MS 5000

/* Per thread, as connections are: time waited for the current
 * statement, and what BEGIN already waited for the writer mutex (so
 * BEGIN's whole wait stays within BUSY_TIMEOUT_MS). */
static _Thread_local long busy_waited_us, busy_credit_us;

static int busy_wait(void *arg, int count)
{
	struct timespec nap = {0, 0};
	long us;

	(void)arg;
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

/* Checkpoints left to other processes (store_checkpoints_leave): only
 * past 256 MiB of WAL (16,384 pages of 16 KiB), never at close. */
static void conn_leave_checkpoints(sqlite3 *db)
{
	sqlite3_wal_autocheckpoint(db, 16384);
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
}

static void lite_checkpoints_leave(struct store *st)
{
	struct lite *l = lite_of(st);
	struct conn *c;

	pthread_mutex_lock(&l->mu);
	l->ckpt_leave = 1;
	for (c = l->conns; c != NULL; c = c->next)
		conn_leave_checkpoints(c->db);
	pthread_mutex_unlock(&l->mu);
}

static struct conn *conn_open(struct lite *l, char *err, size_t errlen)
{
	struct conn *c;
	size_t i;
	int rc;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->owner = l;
	for (i = 0; i < sizeof(c->tx) / sizeof(c->tx[0]); i++)
		c->tx[i].base.drv = &db_sqlite;
	for (i = 0; i < STMT_CACHE; i++)
		c->cache[i].st.base.drv = &db_sqlite;
	rc = sqlite3_open_v2(l->path, &c->db,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			     NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", l->path,
			 c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_handler(c->db, busy_wait, NULL);
	sqlite3_extended_result_codes(c->db, 1);
	if (db_sqlite_functions(c->db) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", l->path, sqlite3_errmsg(c->db));
		goto fail;
	}
	/* Page size: 16 KiB for a new database (an existing one keeps its
	 * own; in WAL mode it cannot change).  A bank statement import then
	 * dirties a quarter of the pages (~0.2 s of 100,000 lines); order
	 * submission pays ~25% for writing bigger pages, still ~90% of the
	 * bare durable commit rate (bench/README.md).  A WAL grown large by
	 * a bulk write is cut back to 64 MiB when it starts over.
	 * Durability: an acknowledged commit survives power loss.  Deleted
	 * and overwritten content is zeroed (secure_delete, Debian's build
	 * default, set here so that no build can drop it): what retention
	 * blanks and a delivered mail's link do not stay in free space
	 * (test at_rest).  Page cache: up to 8 MiB a connection (SQLite's
	 * default is 2 MB, ~125 pages of 16 KiB), filled only as pages are
	 * read.  A back-office search at 1,000,000 orders reads ~200 pages;
	 * in 125, a cache that evicts the least recently used page lost
	 * every one of them, the trees' upper levels too, before the next
	 * request came round to it (test plans; bench/README.md, "The page
	 * cache": the search over HTTP 2.4x faster at 1,000,000 orders, the
	 * portal's idle memory unchanged). */
	if (sq_exec(c->db,
		    "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
		    "PRAGMA journal_size_limit=67108864; PRAGMA cache_size=-8192; "
		    "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA secure_delete=ON;",
		    err, errlen) != 0)
		goto fail;
	pthread_mutex_lock(&l->mu);
	if (l->ckpt_leave)
		conn_leave_checkpoints(c->db);
	c->next = l->conns;
	l->conns = c;
	pthread_mutex_unlock(&l->mu);
	return c;
fail:
	sqlite3_close(c->db);
	free(c);
	return NULL;
}

static struct conn *conn_get(struct store *st)
{
	struct lite *l = lite_of(st);
	struct conn *c = pthread_getspecific(l->key);
	char err[256];

	if (c != NULL)
		return c;
	if ((c = conn_open(l, err, sizeof(err))) == NULL) {
		log_warnx("store: open: %s", err);
		return NULL;
	}
	pthread_setspecific(l->key, c);
	return c;
}

static struct db_conn *lite_conn(struct store *st)
{
	struct conn *c = conn_get(st);

	return c != NULL ? &c->dc : NULL;
}

sqlite3 *db_sqlite_handle(struct store *st)
{
	struct conn *c;

	if (st->drv != &db_sqlite)
		return NULL;
	store_read_end(st);
	return (c = conn_get(st)) != NULL ? c->db : NULL;
}

/* The statement text on c, kept for the connection's life (util/sq.h:
 * $N parameters, one statement), NULL (logged) on an error. */
static sqlite3_stmt *prepare(struct conn *c, const char *text)
{
	return sq_prepare(c->db, text, SQLITE_PREPARE_PERSISTENT, "store");
}

#define RETURNING_ID " RETURNING id"

/* 1 when table is a rowid table whose primary key is its one column id
 * of type INTEGER, the rowid's alias. */
static int id_is_rowid(sqlite3 *db, const char *table)
{
	sqlite3_stmt *q;
	int n = 0, alias = 0;

	if (sqlite3_table_column_metadata(db, "main", table, "rowid", NULL, NULL, NULL, NULL,
					  NULL) != SQLITE_OK ||
	    (q = sq_prepare(db,
			    "SELECT name = 'id' AND upper(type) = 'INTEGER' FROM "
			    "pragma_table_info($1) WHERE pk > 0",
			    0, "store")) == NULL)
		return 0;
	sq_bind_text(q, 1, table);
	while (sq_step(q) == SQLITE_ROW)
		alias = ++n == 1 && sqlite3_column_int(q, 0);
	sq_forget(q);
	sqlite3_finalize(q);
	return n == 1 && alias;
}

/* 1 when sql is a one-row "INSERT INTO t ... RETURNING id", id t's
 * rowid, *len the SQL's length without RETURNING (the id is read as the
 * last insert rowid): SQLite runs a RETURNING as a trigger, in a
 * statement journal copying every 16 KiB page the INSERT changes, three
 * times the cost of the INSERT (bench/README.md, scenario 7). */
static int returns_rowid(sqlite3 *db, const char *sql, size_t *len)
{
	static const char head[] = "INSERT INTO ";
	size_t n = strlen(sql), k = sizeof(RETURNING_ID) - 1, t;
	char table[64];

	if (strncmp(sql, head, sizeof(head) - 1) != 0 || n <= k ||
	    strcmp(sql + n - k, RETURNING_ID) != 0 || strstr(sql, "SELECT") != NULL)
		return 0;
	t = strcspn(sql + sizeof(head) - 1, " (");
	if (t == 0 || t >= sizeof(table))
		return 0;
	memcpy(table, sql + sizeof(head) - 1, t);
	table[t] = '\0';
	if (!id_is_rowid(db, table))
		return 0;
	*len = n - k;
	return 1;
}

/* sql prepared into t, an INSERT's RETURNING id read as its rowid
 * when it can be.  0, or -1 (logged). */
static int stmt_prepare(struct conn *c, struct lite_stmt *t, const char *sql)
{
	size_t len;
	char *text;

	t->rowid = returns_rowid(c->db, sql, &len);
	if (!t->rowid)
		return (t->s = prepare(c, sql)) != NULL ? 0 : -1;
	if ((text = strndup(sql, len)) == NULL) {
		log_warnx("store: prepare \"%.60s\": out of memory", sql);
		return -1;
	}
	t->s = prepare(c, text);
	free(text);
	return t->s != NULL ? 0 : -1;
}

static struct db_stmt *lite_stmt(struct store *st, const char *sql)
{
	struct conn *c = conn_get(st);
	size_t h, i;

	if (c == NULL)
		return NULL;
	h = ((size_t)(uintptr_t)sql >> 4) % STMT_CACHE;
	for (i = 0; i < STMT_CACHE; i++, h = (h + 1) % STMT_CACHE) {
		if (c->cache[h].sql == NULL) {
			if (stmt_prepare(c, &c->cache[h].st, sql) != 0)
				return NULL;
			c->cache[h].sql = sql;
		}
		if (c->cache[h].sql == sql) {
			sq_forget(c->cache[h].st.s); /* a new use: no bind of it has failed yet */
			return &c->cache[h].st.base;
		}
	}
	log_warnx("store: statement cache full");
	return NULL;
}

static void lite_bind(struct db_stmt *s, const struct sq_arg *args)
{
	sq_bind_list(raw(s), args);
}

static enum db_rc lite_step(struct db_stmt *s)
{
	struct lite_stmt *t = (struct lite_stmt *)s;
	sqlite3 *db = sqlite3_db_handle(t->s);
	int rc;

	if (t->row != 0) { /* past the one row of an INSERT ... RETURNING id */
		t->row = 2;
		return DB_DONE;
	}
	rc = sq_step(t->s);
	if (t->rowid && rc == SQLITE_DONE && sqlite3_changes64(db) > 0) {
		t->row = 1;
		t->id = sqlite3_last_insert_rowid(db);
		return DB_ROW;
	}
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
		return DB_CONFLICT;
	return DB_ERROR;
}

/* 1 on the row of an INSERT ... RETURNING id run without it. */
static inline int id_row(struct db_stmt *s)
{
	return ((struct lite_stmt *)s)->row == 1;
}

/* That row's id as text (written when first asked for). */
static const char *id_text(struct db_stmt *s)
{
	struct lite_stmt *t = (struct lite_stmt *)s;

	snprintf(t->id_text, sizeof(t->id_text), "%lld", t->id);
	return t->id_text;
}

static void lite_reset(struct db_stmt *s)
{
	((struct lite_stmt *)s)->row = 0;
	sq_done(raw(s));
}

static long long lite_changes(struct db_stmt *s)
{
	return sqlite3_changes64(sqlite3_db_handle(raw(s)));
}

static int lite_readonly(struct db_stmt *s)
{
	return sqlite3_stmt_readonly(raw(s));
}

static long long lite_col_int64(struct db_stmt *s, int i)
{
	if (id_row(s))
		return i == 0 ? ((struct lite_stmt *)s)->id : 0;
	return sqlite3_column_int64(raw(s), i);
}

static const char *lite_col_text(struct db_stmt *s, int i)
{
	if (id_row(s))
		return i == 0 ? id_text(s) : NULL;
	return (const char *)sqlite3_column_text(raw(s), i);
}

static const void *lite_col_blob(struct db_stmt *s, int i, size_t *n)
{
	const void *b;

	if (id_row(s)) {
		*n = i == 0 ? strlen(id_text(s)) : 0;
		return i == 0 ? id_text(s) : NULL;
	}
	b = sqlite3_column_blob(raw(s), i);

	*n = (size_t)sqlite3_column_bytes(raw(s), i);
	return b;
}

static int lite_col_null(struct db_stmt *s, int i)
{
	if (id_row(s))
		return i != 0;
	return sqlite3_column_type(raw(s), i) == SQLITE_NULL;
}

static int lite_col_type(struct db_stmt *s, int i)
{
	if (id_row(s))
		return i == 0 ? DB_T_INT : DB_T_NULL;
	switch (sqlite3_column_type(raw(s), i)) {
	case SQLITE_INTEGER:
		return DB_T_INT;
	case SQLITE_FLOAT:
		return DB_T_FLOAT;
	case SQLITE_TEXT:
		return DB_T_TEXT;
	case SQLITE_BLOB:
		return DB_T_BLOB;
	default:
		return DB_T_NULL;
	}
}

static size_t lite_col_bytes(struct db_stmt *s, int i)
{
	if (id_row(s))
		return i == 0 ? strlen(id_text(s)) : 0;
	return (size_t)sqlite3_column_bytes(raw(s), i);
}

static int lite_col_count(struct db_stmt *s)
{
	return sqlite3_column_count(raw(s));
}

static const char *lite_col_name(struct db_stmt *s, int i)
{
	return sqlite3_column_name(raw(s), i);
}

static void lite_warn(struct db_stmt *s, const char *who, const char *what)
{
	sq_warn(raw(s), who, what);
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

/*
 * One transaction statement.  The writer mutex is taken before BEGIN
 * IMMEDIATE and let go once the transaction has ended (a COMMIT that
 * failed leaves it open: the ROLLBACK after lets go).  A ROLLBACK with
 * no transaction open (one ended under us by an I/O error) only lets
 * go of the mutex.
 */
static enum db_rc lite_tx(struct store *st, enum db_tx what)
{
	struct conn *c = conn_get(st);
	struct lite_stmt *t;
	enum db_rc rc;

	if (c == NULL) {
		if (what == DB_COMMIT || what == DB_ROLLBACK)
			writer_release(NULL);
		return DB_ERROR;
	}
	if (what == DB_ROLLBACK && sqlite3_get_autocommit(c->db)) {
		writer_release(c);
		return DB_DONE;
	}
	t = &c->tx[what];
	if (t->s == NULL && (t->s = prepare(c, tx_sql[what])) == NULL) {
		if (what == DB_COMMIT || what == DB_ROLLBACK)
			writer_release(c);
		return DB_ERROR;
	}
	sq_forget(t->s);
	if (what == DB_BEGIN_WRITE)
		writer_acquire();
	rc = lite_step(&t->base);
	if (rc == DB_DONE) {
		sq_done(t->s);
	} else {
		/* Another writer (busy) is a conflict, as a violated key. */
		if ((sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_BUSY)
			rc = DB_CONFLICT;
		sq_warn(t->s, "store", tx_what[what]);
		sq_done(t->s);
		if (rc != DB_CONFLICT)
			rc = DB_ERROR;
	}
	if (what == DB_BEGIN_WRITE) {
		busy_credit_us = 0;
		if (rc != DB_DONE)
			writer_release(c);
	} else if (what == DB_COMMIT || what == DB_ROLLBACK) {
		writer_release(c);
	}
	return rc;
}

static int lite_in_tx(struct store *st)
{
	struct conn *c = conn_get(st);

	return c != NULL && !sqlite3_get_autocommit(c->db);
}

static int lite_exec(struct store *st, const char *sql, char *err, size_t errlen)
{
	struct conn *c = conn_get(st);

	if (c == NULL) {
		snprintf(err, errlen, "cannot open database");
		return -1;
	}
	return sq_exec(c->db, sql, err, errlen);
}

/* store_bulk_begin(): the connection's cache to size, the one before
 * into *old; the WAL written out as it grows, by one thread for all
 * the bulk transactions under way (sqlite_wal.h). */
static int lite_bulk_begin(struct store *st, long long size, long long *old)
{
	struct lite *l = lite_of(st);
	struct conn *c = conn_get(st);
	sqlite3_stmt *s;
	char sql[64];
	int rc = -1;

	if (c == NULL || (s = sq_prepare(c->db, "PRAGMA cache_size", 0, "store")) == NULL)
		return -1;
	if (sq_step(s) == SQLITE_ROW) {
		*old = sqlite3_column_int64(s, 0);
		snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", size);
		rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	}
	sqlite3_finalize(s);
	if (rc == 0) {
		pthread_mutex_lock(&l->mu);
		if (l->wal_users++ == 0)
			l->wal = wal_ahead_start(l->path); /* NULL: no writing ahead */
		pthread_mutex_unlock(&l->mu);
	}
	return rc;
}

static void lite_bulk_end(struct store *st, long long old)
{
	struct lite *l = lite_of(st);
	struct conn *c = conn_get(st);
	struct wal_ahead *w = NULL;
	char sql[64];

	if (c != NULL) {
		snprintf(sql, sizeof(sql), "PRAGMA cache_size = %lld", old);
		(void)sqlite3_exec(c->db, sql, NULL, NULL, NULL);
	}
	pthread_mutex_lock(&l->mu);
	if (l->wal_users > 0 && --l->wal_users == 0) {
		w = l->wal;
		l->wal = NULL;
	}
	pthread_mutex_unlock(&l->mu);
	wal_ahead_stop(w);
}

static void lite_release_memory(struct store *st)
{
	struct conn *c = pthread_getspecific(lite_of(st)->key);

	if (c != NULL)
		(void)sqlite3_db_release_memory(c->db);
}

/* ---- Lifecycle -------------------------------------------------------- */

/* Process-wide SQLite settings, before the library initialises.
 * Memory statistics off: nothing reads them, and keeping them takes a
 * global mutex on every allocation, which every query makes.  No bulk
 * page-cache allocation per connection (20 pages of 16 KiB, 330 KB,
 * at its first read, kept for its life even when release_memory
 * empties the cache): pages are allocated as they are read. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_config(SQLITE_CONFIG_PAGECACHE, NULL, 0, 0);
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

static int lite_open(struct store *st, const char *path, char *err, size_t errlen)
{
	static pthread_once_t configured = PTHREAD_ONCE_INIT;
	struct lite *l;
	struct conn *c;

	if (strlen(path) >= sizeof(l->path)) {
		snprintf(err, errlen, "database path too long");
		return -1;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_once(&configured, sqlite_configure);
	if (strcmp(path, ":memory:") != 0 && db_file_private(path, err, errlen) != 0) {
		free(l);
		return -1;
	}
	snprintf(l->path, sizeof(l->path), "%s", path);
	pthread_mutex_init(&l->mu, NULL);
	if (pthread_key_create(&l->key, conn_release) != 0) {
		snprintf(err, errlen, "pthread_key_create failed");
		pthread_mutex_destroy(&l->mu);
		free(l);
		return -1;
	}
	/* Open this thread's connection now so a bad path fails here. */
	if ((c = conn_open(l, err, errlen)) == NULL) {
		pthread_key_delete(l->key);
		pthread_mutex_destroy(&l->mu);
		free(l);
		return -1;
	}
	pthread_setspecific(l->key, c);
	st->be = l;
	return 0;
}

static void lite_close(struct store *st)
{
	struct lite *l = lite_of(st);
	struct conn *c, *next;

	if (l == NULL)
		return;
	pthread_setspecific(l->key, NULL);
	pthread_key_delete(l->key);
	for (c = l->conns; c != NULL; c = next) {
		next = c->next;
		conn_close(c);
	}
	wal_ahead_stop(l->wal); /* a bulk transaction not ended */
	pthread_mutex_destroy(&l->mu);
	free(l);
	st->be = NULL;
}

const struct db_driver db_sqlite = {
	.name = "sqlite",
	.open = lite_open,
	.close = lite_close,
	.conn = lite_conn,
	.stmt = lite_stmt,
	.bind = lite_bind,
	.step = lite_step,
	.reset = lite_reset,
	.changes = lite_changes,
	.readonly = lite_readonly,
	.col_int64 = lite_col_int64,
	.col_text = lite_col_text,
	.col_blob = lite_col_blob,
	.col_null = lite_col_null,
	.col_type = lite_col_type,
	.col_bytes = lite_col_bytes,
	.col_count = lite_col_count,
	.col_name = lite_col_name,
	.warn = lite_warn,
	.tx = lite_tx,
	.in_tx = lite_in_tx,
	.exec = lite_exec,
	.size_sql = "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
	.tables_sql = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
		      "'sqlite\\_%' ESCAPE '\\'",
	.checkpoints_leave = lite_checkpoints_leave,
	.bulk_begin = lite_bulk_begin,
	.bulk_end = lite_bulk_end,
	.release_memory = lite_release_memory,
};
