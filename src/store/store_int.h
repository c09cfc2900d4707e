/*
 * Internals shared by the store's files, whichever database holds the
 * data (store.c: the shared helpers, transactions; the area files:
 * accounts.c, orders.c, ...).  They run SQL only through store/db.h's
 * driver; nothing here knows SQLite or PostgreSQL.  Not for use outside
 * src/store/.
 */
#ifndef QCRA_STORE_INT_H
#define QCRA_STORE_INT_H

#include <string.h>
#include <time.h>

#include "store/db.h"
#include "store/store.h"

struct store {
	const struct db_driver *drv;
	void *be; /* the backend's own state (its connections, ...) */
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
	/* This process as a claim names it (claimed_by): "host:pid". */
	char instance[96];
};

/* Tells the listeners of every instance that work of kind what
 * (STORE_WAKE_*) was queued: inside a write transaction at its commit,
 * once per transaction.  Nothing on a backend without wake-ups.
 * STORE_OK, or STORE_ERROR (logged) as any statement of the
 * transaction that fails. */
int db_wake(struct store *st, unsigned what);

/* store_begin for a write transaction that is exact beside commit
 * groups and others of its kind, e.g. a claim of queued work whose
 * SELECT locks its row (db.h, row_locks): on PostgreSQL the writers'
 * lock shared (DB_BEGIN_SHARED), so that it does not wait for every
 * group in flight nor they for it; elsewhere store_begin. */
int db_begin_shared(struct store *st);

/* The audit entries c's write transaction kept (driver's
 * audit_lock_sql): appended now, under the audit lock, before its
 * commit (store_commit).  STORE_OK, or STORE_ERROR (logged): the
 * transaction must then be rolled back.  audit.c. */
int store_audit_flush(struct store *st, struct db_conn *c);
/* Frees c's kept audit entries (its connection closes). */
void audit_q_free(struct db_conn *c);

/* This thread's connection's neutral state, after ending a read scope
 * (store_read_begin) since the caller may write; NULL (logged). */
struct db_conn *db_conn(struct store *st);

/* s's next row, or DB_DONE / DB_CONFLICT / DB_ERROR. */
static inline enum db_rc db_step(struct db_stmt *s)
{
	return s->drv->step(s);
}
/* Resets s for its next use (db.h: reset). */
static inline void db_reset(struct db_stmt *s)
{
	s->drv->reset(s);
}

int db_fail(struct db_stmt *s, const char *what);         /* logs, resets, STORE_ERROR */
int db_step_done(struct db_stmt *s, const char *what);    /* OK / CONFLICT / ERROR */
int db_step_changed(struct db_stmt *s, const char *what); /* + NOTFOUND when no row */
/* db_step_done, the rows it changed into *n (0 unless STORE_OK). */
int db_step_count(struct db_stmt *s, long long *n, const char *what);
/* One row: STORE_OK leaving the row readable (call db_reset after), or
 * STORE_NOTFOUND / STORE_ERROR with the statement reset. */
int db_step_row(struct db_stmt *s, const char *what);
/* SELECT COUNT(*) ...: the one integer of the one row sql returns. */
int db_count(struct store *st, const char *sql, long long *count, const char *what);

/*
 * A statement run with its parameters written as a list, $1 first
 * (util/sqarg.h: SQ_INT, SQ_TEXT, SQ_BLOB, SQ_NULL):
 *
 *   return db_changed(st, SQL_ACCOUNT_CONFIRM, "account confirm", SQ_INT(id), SQ_INT(now));
 *
 * db_bound (db.h) gives the statement bound; NULL on error (logged).
 * Every step helper and row reader takes a NULL statement as
 * STORE_ERROR, so the result may be passed on unchecked.
 */
#define db_run(st, sql, what, ...) db_step_done(db_bound((st), (sql), __VA_ARGS__), (what))
#define db_changed(st, sql, what, ...) db_step_changed(db_bound((st), (sql), __VA_ARGS__), (what))
/* Runs an INSERT ... RETURNING id; on STORE_OK *id (when id is not
 * NULL) is the new row's id.  STORE_NOTFOUND when no row was inserted
 * (ON CONFLICT DO NOTHING). */
int db_insert_args(struct store *st, const char *sql, const char *what, long long *id,
		   const struct sq_arg *args);
#define db_insert(st, sql, what, id, ...)                                                          \
	db_insert_args((st), (sql), (what), (id), SQ_ARGS_(__VA_ARGS__))
/* One row's first column as an integer into *v: STORE_OK, STORE_NOTFOUND
 * (no row) or STORE_ERROR; s is reset either way. */
int db_step_int64(struct db_stmt *s, long long *v, const char *what);

/* Every row of s read whole into a new array of elements of size bytes,
 * each filled from its row by fill (*out, *n; the caller frees it)
 * before the caller acts on any, so that it may use the store (and
 * write) itself.  STORE_OK, or STORE_ERROR (logged) with *out NULL; s
 * reset either way. */
int db_step_array(struct db_stmt *s, size_t size, void (*fill)(struct db_stmt *s, void *elem),
		  void **out, size_t *n, const char *what);
/* The first column of every row of s, read whole into a new array
 * (*ids, *n; the caller frees it) before the caller acts on any, so
 * that it may use the store (and write) itself.  STORE_OK, or
 * STORE_ERROR (logged) with *ids NULL; s reset either way. */
int db_step_ids(struct db_stmt *s, long long **ids, size_t *n, const char *what);

/* An order state stored by its name (domain/workflow.h); a name this
 * version does not know reads as WF_STATE__MAX, which allows nothing. */
enum wf_state db_col_state(struct db_stmt *s, int i);

/* The end of a loop over rows: rc is the step that ended it (or DB_ROW
 * when the caller stopped early).  STORE_OK with s reset, or
 * STORE_ERROR (logged) when a step failed. */
int db_rows_end(struct db_stmt *s, enum db_rc rc, const char *what);

/*
 * Declared column lists.  A table's columns are written once, in the
 * order they are selected:
 *
 *   #define MEMBER_COLS(X, _) X("id", INT64, id) _ X("email", TEXT, email)
 *
 * each X(sql, kind, field): the SQL expression, how it is read (DB_GET_
 * kind: TEXT copies into a char array, BORROW points a const char * at
 * the row's text) and the member of the struct it goes to.  DB_NAMES(LIST) is the
 * SELECT list as a string literal, for every SELECT that the reader
 * reads; DB_READER(name, type, LIST) defines that reader,
 *
 *   static void name_from_row(struct db_stmt *s, type *r)   every field, in order
 *   static int name_one(struct db_stmt *s, type *r, const char *what)
 *       steps s for one row (db_step_row), reads it and resets s
 *   static int name_each(struct db_stmt *s, int (*fn)(void *arg, const type *r),
 *                        void *arg, const char *what)
 *       calls fn for each row (read into one struct on the stack) until
 *       fn returns non-zero; db_rows_end's result
 *
 * so the SELECT text and the reader cannot drift apart.  The reader is
 * straight-line code (no table walked per row, nothing allocated; one
 * call into the driver per column); fields with no column are zero.
 */
#define DB_NAME(sql, kind, field) sql
#define DB_NAMES(LIST) LIST(DB_NAME, ", ")
#define DB_GET(sql, kind, field) DB_GET_##kind(s, c++, r->field);
#define DB_GET_INT(s, i, dst) (dst) = db_col_int((s), (i))
#define DB_GET_INT64(s, i, dst) (dst) = db_col_int64((s), (i))
#define DB_GET_TIME(s, i, dst) (dst) = (time_t)db_col_int64((s), (i))
#define DB_GET_TEXT(s, i, dst) db_col_copy((s), (i), (dst), sizeof(dst))
/* A text of any length, not copied: dst (a const char *) points into the
 * row, valid until the statement steps again ("" for NULL). */
#define DB_GET_BORROW(s, i, dst) (dst) = db_col_text_or_empty((s), (i))
#define DB_GET_STATE(s, i, dst) (dst) = db_col_state((s), (i))
#define DB_READER(name, type, LIST)                                                                \
	__attribute__((unused)) static inline void name##_from_row(struct db_stmt *s, type *r)     \
	{                                                                                          \
		int c = 0;                                                                         \
                                                                                                   \
		memset(r, 0, sizeof(*r));                                                          \
		LIST(DB_GET, )                                                                     \
	}                                                                                          \
	__attribute__((unused)) static inline int name##_one(struct db_stmt *s, type *r,           \
							     const char *what)                     \
	{                                                                                          \
		int rc = db_step_row(s, what);                                                     \
                                                                                                   \
		if (rc == STORE_OK) {                                                              \
			name##_from_row(s, r);                                                     \
			db_reset(s);                                                               \
		}                                                                                  \
		return rc;                                                                         \
	}                                                                                          \
	__attribute__((unused)) static inline int name##_each(struct db_stmt *s,                   \
							      int (*fn)(void *arg, const type *r), \
							      void *arg, const char *what)         \
	{                                                                                          \
		type row;                                                                          \
		enum db_rc rc;                                                                     \
                                                                                                   \
		if (s == NULL)                                                                     \
			return STORE_ERROR;                                                        \
		while ((rc = db_step(s)) == DB_ROW) {                                              \
			name##_from_row(s, &row);                                                  \
			if (fn(arg, &row) != 0)                                                    \
				break;                                                             \
		}                                                                                  \
		return db_rows_end(s, rc, what);                                                   \
	}

/* Payment fingerprints as stored (payments.c): the 16-byte key of
 * fingerprint fp (len bytes); db_sqlite.c's SQL function qcra_fp_key
 * computes the same. */
#define DB_FP_KEY 16
void db_fp_key(const char *fp, size_t len, unsigned char key[DB_FP_KEY]);

/* ---- Orders (orders.c) ---- */

#define ORDERS_PER_READ 25
/* The orders ids[0..n) (n <= ORDERS_PER_READ; ascending) read in one
 * statement into a new array (*out, *got; the caller frees it), in id
 * order; an id with no order is left out.  STORE_OK or STORE_ERROR
 * (logged), *out NULL then. */
int store_orders_read(struct store *st, const long long *ids, size_t n, struct order **out,
		      size_t *got);

/* ---- Search words (words.c, migration 018) ---- */

#define SEARCH_WORD_SIZE 64
/* text folded (domain/fold.h) and cut into words (letters and digits;
 * anything else separates): up to max into words, each cut to
 * SEARCH_WORD_SIZE - 1 bytes at a character's start.  Their count. */
size_t search_words(const char *text, char words[][SEARCH_WORD_SIZE], size_t max);
/* Beside its words, order_words holds an order's pairs of different
 * words (migration 027), so that a search by two names that few
 * orders have together reads those orders alone, however many have
 * each name: "~" the first " " the second, for the first PAIR_WORDS
 * different words of its names; an order with more has, for each of
 * its words, "~" the word " *" ("paired with any"), so that a search
 * by a pair reads the orders that may have it too.  '~' and ' ' are
 * never in a word, so no word's prefix range holds a pair. */
#define PAIR_WORDS 8
#define PAIR_KEY_SIZE (2 * SEARCH_WORD_SIZE + 8)
#define PAIR_KEY(a, b) "~" a " " b
#define PAIR_ANY "*"
/* Order id's search words made those of its names (the holder's, as
 * person words, and the company's), with their pairs.  fresh: the
 * order was just made and has none yet (nothing to delete first). */
int order_words_put(struct store *st, long long id, const char *first, const char *last,
		    const char *company, int fresh);
/* Order id's person words removed (its holder's names were blanked). */
int order_words_forget_person(struct store *st, long long id);
/* The search words of every order (after migration 018 made the table,
 * and again after 027 added the pairs). */
int order_words_fill(struct store *st);

#endif
