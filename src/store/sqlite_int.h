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
	int ckpt_leave; /* store_checkpoints_leave() was called */
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

/* Payment fingerprints as stored (sqlite_payments.c): the 16-byte key
 * of fingerprint fp (len bytes), and the SQL function qcra_fp_key. */
#define SQ_FP_KEY 16
void sq_fp_key(const char *fp, size_t len, unsigned char key[SQ_FP_KEY]);
void sq_fp_key_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv);

#endif
