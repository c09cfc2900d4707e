/*
 * Internals shared by the SQLite backend's files (sqlite.c holds the
 * connections, the statement cache and transactions; each area of the
 * schema has its own sqlite_<area>.c).  Not for use outside src/store/.
 */
#ifndef QCRA_SQLITE_INT_H
#define QCRA_SQLITE_INT_H

#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <string.h>
#include <time.h>

#include "store/store.h"
#include "util/sq.h"

#define STMT_CACHE 256 /* per connection, keyed by the SQL text's address */

struct conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[16]; /* sqlite.c's transaction statements, by enum */
	struct {
		const char *sql;
		sqlite3_stmt *s;
	} cache[STMT_CACHE];
	/* In a write transaction of store_begin: 1, and the hash of the
	 * audit entry appended last in it ("" when none), the next entry's
	 * link without reading it back.  Reset when the transaction ends. */
	int writing;
	char audit_last[65];
	long long audit_last_id; /* with audit_last: that entry's id and key epoch */
	int audit_last_epoch;
	/* The keyed chain's HMAC for the epoch sealed last on this
	 * connection, and the store's audit_gen it was set under. */
	struct audit_mac_key audit_mac;
	unsigned audit_mac_gen;
	int group;         /* in a commit group (store_group_begin) */
	struct conn *next; /* in store->conns */
	struct store *owner;
};

struct store {
	char path[PATH_MAX];
	pthread_key_t key;
	pthread_mutex_t mu; /* guards conns */
	struct conn *conns;
	/* The key sealing secrets at rest (core/secret.h); unset: stored
	 * and read as they are (tools that do not hold the key). */
	unsigned char seal_key[32];
	int seal_set;
	/* The installation secret the audit chain is keyed with
	 * (store_set_audit_secret); unset: entries are appended unkeyed
	 * until the chain is keyed, and refused after. */
	unsigned char audit_secret[32];
	int audit_set;
	unsigned audit_gen; /* changes with audit_secret: the connections' audit_mac is stale */
	int ckpt_leave;     /* store_checkpoints_leave() was called */
};

/* The statement for `sql` (a string with static storage: its address is
 * the cache key) on this thread's connection, prepared once; NULL on
 * error (logged).  $N parameters are bound by number, with util/sq.h's
 * sq_bind_* (a failed bind fails the step helpers below). */
sqlite3_stmt *sq_stmt(struct store *st, const char *sql);
struct conn *sq_conn(struct store *st);

int sq_fail(sqlite3_stmt *s, const char *what);         /* logs, resets, STORE_ERROR */
int sq_step_done(sqlite3_stmt *s, const char *what);    /* OK / CONFLICT / ERROR */
int sq_step_changed(sqlite3_stmt *s, const char *what); /* + NOTFOUND when no row */
/* One row: STORE_OK leaving the row readable (call sq_done after), or
 * STORE_NOTFOUND / STORE_ERROR with the statement reset. */
int sq_step_row(sqlite3_stmt *s, const char *what);
/* SELECT COUNT(*) ...: the one integer of the one row sql returns. */
int sq_count(struct store *st, const char *sql, long long *count, const char *what);

/*
 * A statement run with its parameters written as a list, $1 first
 * (util/sq.h: SQ_INT, SQ_TEXT, SQ_BLOB, SQ_NULL):
 *
 *   return sq_changed(st, SQL_ACCOUNT_CONFIRM, "account confirm", SQ_INT(id), SQ_INT(now));
 */
/* The cached statement for sql (sq_stmt) with args bound; NULL on error
 * (logged).  Every step helper and row reader takes a NULL statement as
 * STORE_ERROR, so the result may be passed on unchecked. */
sqlite3_stmt *sq_bind_args(struct store *st, const char *sql, const struct sq_arg *args);
#define sq_bound(st, sql, ...) sq_bind_args((st), (sql), SQ_ARGS_(__VA_ARGS__))
/* sq_step_done / sq_step_changed of sq_bound(st, sql, ...). */
#define sq_run(st, sql, what, ...) sq_step_done(sq_bound((st), (sql), __VA_ARGS__), (what))
#define sq_changed(st, sql, what, ...) sq_step_changed(sq_bound((st), (sql), __VA_ARGS__), (what))
/* Runs an INSERT; on STORE_OK *id (when id is not NULL) is the new row's id. */
int sq_insert_args(struct store *st, const char *sql, const char *what, long long *id,
		   const struct sq_arg *args);
#define sq_insert(st, sql, what, id, ...)                                                          \
	sq_insert_args((st), (sql), (what), (id), SQ_ARGS_(__VA_ARGS__))
/* One row's first column as an integer into *v: STORE_OK, STORE_NOTFOUND
 * (no row) or STORE_ERROR; s is reset either way. */
int sq_step_int64(sqlite3_stmt *s, long long *v, const char *what);

/* The first column of every row of s, read whole into a new array
 * (*ids, *n; the caller frees it) before the caller acts on any, so
 * that it may use the store (and write) itself.  STORE_OK, or
 * STORE_ERROR (logged) with *ids NULL; s reset either way. */
int sq_step_ids(sqlite3_stmt *s, long long **ids, size_t *n, const char *what);

/* An order state stored by its name (domain/workflow.h); a name this
 * version does not know reads as WF_STATE__MAX, which allows nothing. */
enum wf_state sq_col_state(sqlite3_stmt *s, int i);

/* The end of a loop over rows: rc is the step that ended it (or
 * SQLITE_ROW when the caller stopped early).  STORE_OK with s reset,
 * or STORE_ERROR (logged) when a step failed. */
int sq_rows_end(sqlite3_stmt *s, int rc, const char *what);

/*
 * Declared column lists.  A table's columns are written once, in the
 * order they are selected:
 *
 *   #define MEMBER_COLS(X, _) X("id", INT64, id) _ X("email", TEXT, email)
 *
 * each X(sql, kind, field): the SQL expression, how it is read (SQ_GET_
 * kind) and the member of the struct it goes to.  SQ_NAMES(LIST) is the
 * SELECT list as a string literal, for every SELECT that the reader
 * reads; SQ_READER(name, type, LIST) defines that reader,
 *
 *   static void name_from_row(sqlite3_stmt *s, type *r)   every field, in order
 *   static int name_one(sqlite3_stmt *s, type *r, const char *what)
 *       steps s for one row (sq_step_row), reads it and resets s
 *   static int name_each(sqlite3_stmt *s, int (*fn)(void *arg, const type *r),
 *                        void *arg, const char *what)
 *       calls fn for each row (read into one struct on the stack) until
 *       fn returns non-zero; sq_rows_end's result
 *
 * so the SELECT text and the reader cannot drift apart.  The reader is
 * straight-line code (no table walked per row, nothing allocated);
 * fields with no column are zero.
 */
#define SQ_NAME(sql, kind, field) sql
#define SQ_NAMES(LIST) LIST(SQ_NAME, ", ")
#define SQ_GET(sql, kind, field) SQ_GET_##kind(s, c++, r->field);
#define SQ_GET_INT(s, i, dst) (dst) = sqlite3_column_int((s), (i))
#define SQ_GET_INT64(s, i, dst) (dst) = sqlite3_column_int64((s), (i))
#define SQ_GET_TIME(s, i, dst) (dst) = (time_t)sqlite3_column_int64((s), (i))
#define SQ_GET_TEXT(s, i, dst) sq_col_text((s), (i), (dst), sizeof(dst))
#define SQ_GET_STATE(s, i, dst) (dst) = sq_col_state((s), (i))
#define SQ_READER(name, type, LIST)                                                                \
	__attribute__((unused)) static inline void name##_from_row(sqlite3_stmt *s, type *r)       \
	{                                                                                          \
		int c = 0;                                                                         \
                                                                                                   \
		memset(r, 0, sizeof(*r));                                                          \
		LIST(SQ_GET, )                                                                     \
	}                                                                                          \
	__attribute__((unused)) static inline int name##_one(sqlite3_stmt *s, type *r,             \
							     const char *what)                     \
	{                                                                                          \
		int rc = sq_step_row(s, what);                                                     \
                                                                                                   \
		if (rc == STORE_OK) {                                                              \
			name##_from_row(s, r);                                                     \
			sq_done(s);                                                                \
		}                                                                                  \
		return rc;                                                                         \
	}                                                                                          \
	__attribute__((unused)) static inline int name##_each(                                     \
		sqlite3_stmt *s, int (*fn)(void *arg, const type *r), void *arg, const char *what) \
	{                                                                                          \
		type row;                                                                          \
		int rc;                                                                            \
                                                                                                   \
		if (s == NULL)                                                                     \
			return STORE_ERROR;                                                        \
		while ((rc = sq_step(s)) == SQLITE_ROW) {                                          \
			name##_from_row(s, &row);                                                  \
			if (fn(arg, &row) != 0)                                                    \
				break;                                                             \
		}                                                                                  \
		return sq_rows_end(s, rc, what);                                                   \
	}

/* Payment fingerprints as stored (payments.c): the 16-byte key
 * of fingerprint fp (len bytes), and the SQL function qcra_fp_key. */
#define SQ_FP_KEY 16
void sq_fp_key(const char *fp, size_t len, unsigned char key[SQ_FP_KEY]);
void sq_fp_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);

#endif
