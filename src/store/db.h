/*
 * The store's database driver: what the area files (accounts.c,
 * orders.c, payments.c, ...) and the store's shared helpers (store.c)
 * use to run SQL, whichever database holds the data.  Not for use
 * outside src/store/.
 *
 * Two backends implement struct db_driver:
 *   db_sqlite.c  SQLite, the embedded default (a file path);
 *   db_pg.c      PostgreSQL through libpq ("postgresql://..." or
 *                "postgres://..." as the database).
 * store_open() picks one by the database string; everything above this
 * header is the same for both.
 *
 * The SQL the area files write is portable: $N parameters, ON CONFLICT,
 * RETURNING, no backend-only function except qcra_fold(text) (the
 * search folding of domain/fold.h, which each backend defines).  An
 * INSERT that needs the new row's id says RETURNING id and reads it as
 * a row.  Truth values are compared (flag <> 0), never used bare, and a
 * comparison is never a selected column (PostgreSQL's boolean is not an
 * integer).
 *
 * Connections: one per thread, opened on first use (PostgreSQL: taken
 * from the process's small pool, given back at thread exit).  A
 * statement is prepared once per connection, cached by the address of
 * its SQL text (a string with static storage).
 *
 * Errors: every call that can fail says so; a failure is logged once,
 * where it happens, with what the caller passed as `what` and never a
 * bound value.
 */
#ifndef QCRA_STORE_DB_H
#define QCRA_STORE_DB_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"
#include "util/sqarg.h" /* struct sq_arg, SQ_INT, SQ_TEXT, SQ_BLOB, SQ_NULL */

struct db_driver;

/* A prepared statement.  A backend's statement type begins with this
 * (the driver that made it); the area files see nothing else. */
struct db_stmt {
	const struct db_driver *drv;
};

/* What db_step() returns. */
enum db_rc {
	DB_ROW = 1,      /* a row is ready to be read */
	DB_DONE = 0,     /* no (more) rows; the statement ran */
	DB_CONFLICT = 2, /* a unique or primary key was violated */
	DB_ERROR = -1,   /* anything else (the statement's error is kept for db_warn) */
};

/*
 * Per-connection state the backend-neutral code keeps (store.c's
 * transactions and commit groups, audit.c's chain tip); each backend's
 * connection embeds one and hands it out through conn().
 */
struct db_conn {
	int writing; /* in a write transaction of store_begin */
	int group;   /* in a commit group (store_group_begin) */
	/* The hash of the audit entry appended last in this write
	 * transaction ("" when none), its id and key epoch. */
	char audit_last[65];
	long long audit_last_id;
	int audit_last_epoch;
	/* The keyed chain's HMAC for the epoch sealed last on this
	 * connection, and the store's audit_gen it was set under. */
	struct audit_mac_key audit_mac;
	unsigned audit_mac_gen;
	/* The wake-ups (STORE_WAKE_*) this write transaction has sent
	 * (db_wake): one each per transaction.  queued: the work it
	 * queued (every backend; kept past its commit for
	 * store_group_queued, cleared when the next one begins). */
	unsigned woke, queued;
	/* Savepoints open (store_begin inside a commit group). */
	int savepoints;
	/* Audit entries of this write transaction not written yet
	 * (driver's audit_lock_sql set): appended at its commit
	 * (store_audit_flush), under the audit lock.  audit_mark: how many
	 * there were when the group's outer savepoint began (its rollback
	 * drops the ones after).  Entry i is kept at its length, its detail
	 * cut after the NUL, from byte audit_off[i] of audit_q to
	 * audit_off[i + 1] (audit_off[0] is 0): dropping entries is setting
	 * audit_n.  The buffers outlive transactions: the connection's owner
	 * frees them (audit_q_free). */
	unsigned char *audit_q;
	size_t *audit_off;
	size_t audit_n, audit_mark;
	size_t audit_qcap, audit_offcap;
};

/* Transaction statements a driver runs (tx()). */
enum db_tx {
	DB_BEGIN_WRITE, /* SQLite BEGIN IMMEDIATE; PostgreSQL BEGIN + the writers' lock */
	DB_BEGIN_READ,  /* one snapshot for several reads (store_read_begin) */
	DB_COMMIT,
	DB_ROLLBACK,
	DB_SAVEPOINT, /* the savepoint of a commit group's member */
	DB_RELEASE,
	DB_ROLLBACK_TO,
	/* A write transaction exact beside others of its kind, when the
	 * driver runs commit groups at once (group_threads > 1;
	 * PostgreSQL): BEGIN and the writers' lock shared.  A commit
	 * group's, and a claim of queued work by row locks
	 * (db_begin_shared).  Never asked of a driver whose group_threads
	 * is 0. */
	DB_BEGIN_SHARED,
};

struct db_driver {
	const char *name; /* "sqlite", "postgresql" */
	/* Opens the backend for target (a path or a URL) into *st's
	 * backend part, and this thread's connection so that a bad
	 * target fails here.  0, or -1 with err. */
	int (*open)(struct store *st, const char *target, char *err, size_t errlen);
	void (*close)(struct store *st);
	/* This thread's connection's neutral state; NULL (logged) when no
	 * connection can be had. */
	struct db_conn *(*conn)(struct store *st);

	/* The statement for sql on this thread's connection, prepared once,
	 * reset and unbound; NULL (logged). */
	struct db_stmt *(*stmt)(struct store *st, const char *sql);
	/* Binds args to parameters $1, $2, ... (parameters not listed are
	 * NULL).  Text and blobs are not copied: they stay until the
	 * statement is reset.  A bind that fails makes the next step
	 * return DB_ERROR without running the statement. */
	void (*bind)(struct db_stmt *s, const struct sq_arg *args);
	/* Runs s on its first call, and steps to the next row. */
	enum db_rc (*step)(struct db_stmt *s);
	/* Resets s for its next use: result dropped, bindings cleared,
	 * a failed bind forgotten.  Cannot fail. */
	void (*reset)(struct db_stmt *s);
	/* Rows the last statement run by s changed (after DB_DONE). */
	long long (*changes)(struct db_stmt *s);
	/* 1 when s only reads (it may run inside store_read_begin). */
	int (*readonly)(struct db_stmt *s);
	/* Column i of the current row.  NULL reads as 0, NULL text and
	 * blob as NULL; text and blobs stay valid until the next step or
	 * reset. */
	long long (*col_int64)(struct db_stmt *s, int i);
	const char *(*col_text)(struct db_stmt *s, int i);
	const void *(*col_blob)(struct db_stmt *s, int i, size_t *n);
	int (*col_null)(struct db_stmt *s, int i);
	/* Column i's type in the current row (enum db_type): the audit
	 * log's check reads a value stored with the wrong type as
	 * tampered with (SQLite keeps any type in any column). */
	int (*col_type)(struct db_stmt *s, int i);
	/* Column i's length in bytes as text or blob (after col_text or
	 * col_blob): a text with a NUL byte inside reads as longer than
	 * its strlen. */
	size_t (*col_bytes)(struct db_stmt *s, int i);
	/* The number of columns of s's result and column i's name (after
	 * s's first step; store_copy reads a table it does not know the
	 * columns of).  The name stays valid until s is reset. */
	int (*col_count)(struct db_stmt *s);
	const char *(*col_name)(struct db_stmt *s, int i);
	/* Logs why s failed: "who: what: " then the failed bind (its
	 * parameter and reason, never the value) or the database's
	 * message. */
	void (*warn)(struct db_stmt *s, const char *who, const char *what);

	/* Runs one transaction statement on this thread's connection:
	 * DB_DONE, DB_ERROR (logged), or DB_CONFLICT when a write could
	 * not start or commit because of another writer (busy). */
	enum db_rc (*tx)(struct store *st, enum db_tx what);
	/* 1 when this thread's connection is inside a transaction. */
	int (*in_tx)(struct store *st);
	/* Runs sql (one or more statements, nothing bound, e.g. a
	 * migration).  0, or -1 with the database's message in err. */
	int (*exec)(struct store *st, const char *sql, char *err, size_t errlen);

	/* 1 when the backend locks rows (PostgreSQL): a claim of queued
	 * work then reads its row with FOR UPDATE SKIP LOCKED, so that
	 * instances claiming at once take different rows; 0 on SQLite,
	 * where one writer at a time claims and the plain SELECT is the
	 * claim (outbox.c, ca.c). */
	int row_locks;

	/* A SELECT of one row, one column: the database's size in bytes
	 * (store_metrics_read).  A string with static storage. */
	const char *size_sql;
	/* A SELECT of the names of the database's tables, one a row
	 * (store_copy: a table it does not know is refused). */
	const char *tables_sql;
	/* Run (exec) after rows were inserted with their ids given
	 * (store_copy): each identity column's sequence set past the
	 * largest id, so that new rows do not collide.  NULL: nothing to
	 * do (SQLite's next id is the largest plus one). */
	const char *ids_sql;

	/* Commit groups (web/group.c) that run at once, each its own
	 * transaction begun with DB_BEGIN_SHARED (PostgreSQL: the server
	 * makes concurrent commits durable together, and a group waits
	 * for the database, not for the CPU).  0: one group at a time, an
	 * ordinary write transaction (SQLite: one writer anyway). */
	int group_threads;
	/* Deferred audit entries (PostgreSQL; NULL on SQLite, where the one
	 * writer appends at once): a SELECT of one row that takes the audit
	 * chain's lock to the end of the transaction.  A write transaction
	 * then keeps its entries and appends them at its commit, after
	 * this lock (store_audit_flush): the chain's tip is held from
	 * there to the commit only, so commit groups (which share the
	 * writers' lock) run at once but for that, and one that holds the
	 * audit lock waits for nothing but its commit. */
	const char *audit_lock_sql;

	/* Optional (NULL: nothing to do on this backend). */
	/* Wake-ups across processes (PostgreSQL's NOTIFY; NULL on
	 * SQLite, where the one process kicks its own workers):
	 * wake_sql[i], a SELECT of one row, tells every listener that
	 * work of kind 1 << i (STORE_WAKE_*) was queued, at the commit of
	 * the transaction it runs in (db_wake). */
	const char *const *wake_sql;
	/* A listener on a connection of its own (store_listen): NULL when
	 * out of memory; it connects again by itself when lost. */
	void *(*listen)(struct store *st);
	/* Waits up to ms for wake-ups: their STORE_WAKE_* bits, 0 when
	 * none came, -1 when the connection is lost (made again on the
	 * next call, which then answers every bit: some may have been
	 * missed). */
	int (*listen_wait)(void *l, int ms);
	void (*listen_close)(void *l);
	/* store_checkpoints_leave(): WAL checkpoints left to other
	 * processes (SQLite). */
	void (*checkpoints_leave)(struct store *st);
	/* store_bulk_begin(): this thread's connection's page cache set to
	 * size (SQLite's PRAGMA cache_size: pages, or -KiB), the one before
	 * into *old, and the log written out as the transaction grows.  0
	 * or -1.  bulk_end() undoes it, the cache back to old. */
	int (*bulk_begin)(struct store *st, long long size, long long *old);
	void (*bulk_end)(struct store *st, long long old);
	/* store_release_memory(): this thread's connection, if it has one,
	 * frees its cache's unused pages. */
	void (*release_memory)(struct store *st);
};

/* What col_type() returns. */
enum db_type { DB_T_NULL, DB_T_INT, DB_T_FLOAT, DB_T_TEXT, DB_T_BLOB };

extern const struct db_driver db_sqlite;
extern const struct db_driver db_pg;

/* The migration `name` (an embedded file's name,
 * "src/store/migrations/NNN_name.sql") with text sql, for PostgreSQL:
 * src/store/migrations/pg/NNN_name.sql when there is one, else sql with
 * SQLite's types rewritten (db_pg_rewrite).  A new string (the caller
 * frees it), or NULL when out of memory.  db_pg_ddl.c. */
char *db_pg_ddl(const char *name, const char *sql);
char *db_pg_rewrite(const char *sql);

/* ---- Shorthands over st's driver (store.c) --------------------------------- */

struct db_stmt *db_stmt(struct store *st, const char *sql);
/* db_stmt with args bound; NULL (logged).  Every helper below takes a
 * NULL statement as STORE_ERROR, so the result may be passed on. */
struct db_stmt *db_bind_args(struct store *st, const char *sql, const struct sq_arg *args);
#define db_bound(st, sql, ...) db_bind_args((st), (sql), SQ_ARGS_(__VA_ARGS__))

static inline long long db_col_int64(struct db_stmt *s, int i)
{
	return s->drv->col_int64(s, i);
}
static inline int db_col_int(struct db_stmt *s, int i)
{
	return (int)s->drv->col_int64(s, i);
}
static inline const char *db_col_text(struct db_stmt *s, int i)
{
	return s->drv->col_text(s, i);
}
static inline const void *db_col_blob(struct db_stmt *s, int i, size_t *n)
{
	return s->drv->col_blob(s, i, n);
}
/* Column i's text, or "" for NULL: valid until s steps again. */
static inline const char *db_col_text_or_empty(struct db_stmt *s, int i)
{
	const char *v = s->drv->col_text(s, i);

	return v != NULL ? v : "";
}
static inline int db_col_null(struct db_stmt *s, int i)
{
	return s->drv->col_null(s, i);
}
static inline int db_col_type(struct db_stmt *s, int i)
{
	return s->drv->col_type(s, i);
}
static inline size_t db_col_bytes(struct db_stmt *s, int i)
{
	return s->drv->col_bytes(s, i);
}
/* Column i copied into dst[size], cut to fit at a UTF-8 character
 * boundary (the store's buffers are sized for their columns: a cut is
 * a column written by something else); NULL reads as "". */
void db_col_copy(struct db_stmt *s, int i, char *dst, size_t size);

#endif
