/*
 * SQLite backend of store.h.
 *
 * Each thread gets its own connection (pthread key), opened on first
 * use with WAL, synchronous=FULL, foreign keys and a busy timeout.
 * Statements are prepared once per connection from the table below and
 * reset after each use.  The SQL is portable: $N parameters in order,
 * no SQLite-only syntax in queries.
 */
#include "store/store.h"
#include "store/sqlite_int.h"

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
#include "util/embedded.h"
#include "util/log.h"

enum stmt_id {
	S_BEGIN,
	S_COMMIT,
	S_ROLLBACK,
	S_BEGIN_READ,
	S_SAVEPOINT,
	S_RELEASE,
	S_ROLLBACK_TO,
	S_MEMBER_BY_LICENSE,
	S_MEMBER_GET,
	S_MEMBER_INSERT,
	S_MEMBER_UPDATE,
	S_MEMBER_COUNT,
	S_ACCOUNT_INSERT,
	S_ACCOUNT_GET,
	S_ACCOUNT_BY_USERNAME,
	S_ACCOUNT_BY_MEMBER,
	S_ACCOUNT_BY_EMAIL,
	S_ACCOUNT_CONFIRM,
	S_ACCOUNT_SET_PASSWORD,
	S_TOKEN_INSERT,
	S_TOKEN_WITHHELD,
	S_TOKEN_PEEK,
	S_TOKEN_USE,
	S_SESSION_INSERT,
	S_SESSION_GET,
	S_SESSION_TOUCH,
	S_SESSION_DELETE,
	S_SESSION_DELETE_ACCOUNT,
	S_SESSION_DELETE_ACCOUNT_EXCEPT,
	S_LOGIN_FAILURE_ADD,
	S_LOGIN_FAILURES,
	S_LOGIN_FAILURES_CLEAR,
	S_LOGIN_FAILURE_REMOVE,
	S_LOGIN_FAILURES_PURGE,
	S_OUTBOX_ADD,
	S_OUTBOX_WITHHELD,
	S_OUTBOX_NEXT,
	S_OUTBOX_SENT,
	S_OUTBOX_RETRY,
	S_OUTBOX_PENDING,
	S_SCHEMA_VERSION,
	S_SCHEMA_INSERT,
	S_ORDER_INSERT,
	S_ORDER_SET_REF,
	S_ORDER_UPDATE_DRAFT,
	S_ORDER_CONFIRM_NAME,
	S_ORDER_SET_RETURNED,
	S_ORDER_GET,
	S_ORDER_GET_OWNED,
	S_ORDER_TRANSITION,
	S_ORDER_FIX_PRICES,
	S_ORDER_EACH_OWNED,
	S_ORDER_EVENT_ADD,
	S_ORDER_EVENTS,
	S__MAX
};

#define ACCOUNT_COLS                                                                               \
	"id, member_id, username, password_hash, email, lang, created_at, "                        \
	"COALESCE(confirmed_at, 0)"
/* ---- Orders (generated column lists: keep in the order of order_text) --- */

#define ORDER_SELECT                                                                               \
	"SELECT id, account_id, type, state, first_name, last_name, jmbg, "                        \
	"id_type, id_number, id_issuer, street, postal_code, city, email, "                        \
	"phone, license_number, office, validity, position, company_name, "                        \
	"company_mb, company_pib, company_street, company_postal_code, "                           \
	"company_city, company_email, card_reader, payment_ref, total_para, "                      \
	"created_at, updated_at, confirmed_at, prices_fixed, price_para, reader_para, vat_pct, "   \
	"company_cert_name, name_differs, name_confirmed_at, name_confirmed_by, returned_code, "   \
	"returned_text FROM orders"

static const struct {
	size_t off, size;
} order_text[] = {
	{offsetof(struct order, first_name), sizeof(((struct order *)0)->first_name)},
	{offsetof(struct order, last_name), sizeof(((struct order *)0)->last_name)},
	{offsetof(struct order, jmbg), sizeof(((struct order *)0)->jmbg)},
	{offsetof(struct order, id_type), sizeof(((struct order *)0)->id_type)},
	{offsetof(struct order, id_number), sizeof(((struct order *)0)->id_number)},
	{offsetof(struct order, id_issuer), sizeof(((struct order *)0)->id_issuer)},
	{offsetof(struct order, street), sizeof(((struct order *)0)->street)},
	{offsetof(struct order, postal_code), sizeof(((struct order *)0)->postal_code)},
	{offsetof(struct order, city), sizeof(((struct order *)0)->city)},
	{offsetof(struct order, email), sizeof(((struct order *)0)->email)},
	{offsetof(struct order, phone), sizeof(((struct order *)0)->phone)},
	{offsetof(struct order, license_number), sizeof(((struct order *)0)->license_number)},
	{offsetof(struct order, office), sizeof(((struct order *)0)->office)},
	{offsetof(struct order, validity), sizeof(((struct order *)0)->validity)},
	{offsetof(struct order, position), sizeof(((struct order *)0)->position)},
	{offsetof(struct order, company_name), sizeof(((struct order *)0)->company_name)},
	{offsetof(struct order, company_mb), sizeof(((struct order *)0)->company_mb)},
	{offsetof(struct order, company_pib), sizeof(((struct order *)0)->company_pib)},
	{offsetof(struct order, company_street), sizeof(((struct order *)0)->company_street)},
	{offsetof(struct order, company_postal_code),
	 sizeof(((struct order *)0)->company_postal_code)},
	{offsetof(struct order, company_city), sizeof(((struct order *)0)->company_city)},
	{offsetof(struct order, company_email), sizeof(((struct order *)0)->company_email)},
};

#define ORDER_INSERT                                                                               \
	"INSERT INTO orders (account_id, type, state, first_name, last_name, "                     \
	"jmbg, id_type, id_number, id_issuer, street, postal_code, city, email, "                  \
	"phone, license_number, office, validity, position, company_name, "                        \
	"company_mb, company_pib, company_street, company_postal_code, "                           \
	"company_city, company_email, card_reader, payment_ref, total_para, "                      \
	"created_at, updated_at, confirmed_at, company_cert_name, name_differs) VALUES ($1, $2, "  \
	"$3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, "      \
	"$21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)"
#define ORDER_UPDATE_DRAFT                                                                         \
	"UPDATE orders SET type = $3, first_name = $4, last_name = $5, jmbg = "                    \
	"$6, id_type = $7, id_number = $8, id_issuer = $9, street = $10, "                         \
	"postal_code = $11, city = $12, email = $13, phone = $14, "                                \
	"license_number = $15, office = $16, validity = $17, position = $18, "                     \
	"company_name = $19, company_mb = $20, company_pib = $21, "                                \
	"company_street = $22, company_postal_code = $23, company_city = $24, "                    \
	"company_email = $25, card_reader = $26, updated_at = $27, company_cert_name = $28, "      \
	"name_differs = $29, name_confirmed_at = $31, name_confirmed_by = $32 WHERE id = $1 "      \
	"AND ($2 = 0 OR account_id = $2) AND state = $30"

#define MEMBER_COLS "id, license_number, first_name, last_name, jmbg, email"

static const char *const stmt_sql[S__MAX] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_BEGIN_READ] = "BEGIN DEFERRED",
	[S_SAVEPOINT] = "SAVEPOINT g",
	[S_RELEASE] = "RELEASE g",
	[S_ROLLBACK_TO] = "ROLLBACK TO g",
	[S_MEMBER_BY_LICENSE] = "SELECT " MEMBER_COLS " FROM members WHERE license_number = $1",
	[S_MEMBER_GET] = "SELECT " MEMBER_COLS " FROM members WHERE id = $1",
	[S_MEMBER_INSERT] = "INSERT INTO members (license_number, first_name, last_name, jmbg, "
			    "email, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
	[S_MEMBER_UPDATE] = "UPDATE members SET first_name = $2, last_name = $3, jmbg = $4, "
			    "email = $5, updated_at = $6 WHERE id = $1",
	[S_MEMBER_COUNT] = "SELECT COUNT(*) FROM members",
	[S_ACCOUNT_INSERT] = "INSERT INTO accounts (member_id, username, password_hash, email, "
			     "lang, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
	[S_ACCOUNT_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE id = $1",
	[S_ACCOUNT_BY_USERNAME] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE username = $1",
	[S_ACCOUNT_BY_MEMBER] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE member_id = $1",
	[S_ACCOUNT_BY_EMAIL] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE lower(email) = "
			       "lower($1) ORDER BY id LIMIT 1",
	[S_ACCOUNT_CONFIRM] = "UPDATE accounts SET confirmed_at = $2 WHERE id = $1 AND "
			      "confirmed_at IS NULL",
	[S_ACCOUNT_SET_PASSWORD] = "UPDATE accounts SET password_hash = $2 WHERE id = $1",
	[S_TOKEN_INSERT] = "INSERT INTO tokens (hash, kind, account_id, expires_at) "
			   "VALUES ($1, $2, $3, $4)",
	[S_TOKEN_WITHHELD] = "INSERT INTO tokens (hash, kind, account_id, expires_at, used_at) "
			     "VALUES ($1, $2, NULL, $3, $3)",
	[S_TOKEN_PEEK] = "SELECT account_id FROM tokens WHERE hash = $1 AND kind = $2 AND "
			 "used_at IS NULL AND expires_at > $3 AND account_id IS NOT NULL",
	[S_TOKEN_USE] = "UPDATE tokens SET used_at = $3 WHERE hash = $1 AND kind = $2 AND "
			"used_at IS NULL AND expires_at > $3 AND account_id IS NOT NULL",
	[S_SESSION_INSERT] = "INSERT INTO sessions (id_hash, kind, account_id, created_at, "
			     "last_seen_at) VALUES ($1, $2, $3, $4, $4)",
	[S_SESSION_GET] = "SELECT kind, account_id, created_at, last_seen_at FROM sessions "
			  "WHERE id_hash = $1",
	[S_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
	[S_SESSION_DELETE] = "DELETE FROM sessions WHERE id_hash = $1",
	[S_SESSION_DELETE_ACCOUNT] = "DELETE FROM sessions WHERE kind = $1 AND account_id = $2",
	[S_SESSION_DELETE_ACCOUNT_EXCEPT] = "DELETE FROM sessions WHERE kind = $1 AND "
					    "account_id = $2 AND id_hash <> $3",
	[S_LOGIN_FAILURE_ADD] = "INSERT INTO login_failures (key, at) VALUES ($1, $2)",
	[S_LOGIN_FAILURES] = "SELECT COUNT(*), COALESCE(MIN(at), 0), COALESCE(MAX(at), 0) "
			     "FROM login_failures WHERE key = $1 AND at >= $2",
	[S_LOGIN_FAILURES_CLEAR] = "DELETE FROM login_failures WHERE key = $1",
	[S_LOGIN_FAILURE_REMOVE] = "DELETE FROM login_failures WHERE id = $1",
	[S_LOGIN_FAILURES_PURGE] = "DELETE FROM login_failures WHERE at < $1",
	[S_OUTBOX_ADD] = "INSERT INTO outbox (recipient, subject, body, created_at, "
			 "next_attempt_at) VALUES ($1, $2, $3, $4, $4)",
	[S_OUTBOX_WITHHELD] = "INSERT INTO outbox (recipient, subject, body, created_at, "
			      "next_attempt_at, sent_at, last_error) VALUES ('', $1, '', $2, $2, "
			      "$2, 'withheld: no account')",
	[S_OUTBOX_NEXT] = "SELECT id, recipient, subject, body, attempts, created_at FROM outbox "
			  "WHERE sent_at IS NULL AND next_attempt_at <= $1 "
			  "ORDER BY next_attempt_at, id LIMIT 1",
	/* A delivered body is cleared: it held live confirmation and reset
	 * links.  Recipient, subject and times stay as the record. */
	[S_OUTBOX_SENT] = "UPDATE outbox SET sent_at = $2, last_error = NULL, body = '' "
			  "WHERE id = $1",
	[S_OUTBOX_RETRY] = "UPDATE outbox SET attempts = $2, next_attempt_at = $3, "
			   "last_error = $4 WHERE id = $1",
	[S_OUTBOX_PENDING] = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL",
	[S_SCHEMA_VERSION] = "SELECT COALESCE(MAX(version), 0) FROM schema_version",
	[S_SCHEMA_INSERT] = "INSERT INTO schema_version (version, applied_at) VALUES ($1, $2)",
	[S_ORDER_INSERT] = ORDER_INSERT,
	[S_ORDER_SET_REF] = "UPDATE orders SET payment_ref = $2 WHERE id = $1",
	[S_ORDER_UPDATE_DRAFT] = ORDER_UPDATE_DRAFT,
	[S_ORDER_CONFIRM_NAME] = "UPDATE orders SET name_confirmed_at = $2, name_confirmed_by = $3 "
				 "WHERE id = $1 AND name_differs = 1 AND name_confirmed_at = 0",
	[S_ORDER_SET_RETURNED] = "UPDATE orders SET returned_code = $2, returned_text = $3 "
				 "WHERE id = $1",
	[S_ORDER_GET] = ORDER_SELECT " WHERE id = $1",
	[S_ORDER_GET_OWNED] = ORDER_SELECT " WHERE id = $1 AND account_id = $2",
	[S_ORDER_TRANSITION] = "UPDATE orders SET state = $3, updated_at = $4, "
			       "total_para = CASE WHEN $5 <> 0 THEN $5 ELSE total_para END, "
			       "confirmed_at = CASE WHEN $6 <> 0 THEN $6 ELSE confirmed_at END "
			       "WHERE id = $1 AND state = $2",
	[S_ORDER_FIX_PRICES] =
		"UPDATE orders SET prices_fixed = 1, price_para = $2, reader_para = $3, "
		"vat_pct = $4 WHERE id = $1",
	[S_ORDER_EACH_OWNED] = "SELECT id, type, state, first_name, last_name, company_name, "
			       "created_at FROM orders WHERE account_id = $1 ORDER BY id DESC",
	[S_ORDER_EVENT_ADD] = "INSERT INTO order_events (order_id, at, state, actor, note) "
			      "VALUES ($1, $2, $3, $4, $5)",
	[S_ORDER_EVENTS] = "SELECT at, state, actor, note FROM order_events WHERE order_id = $1 "
			   "ORDER BY id",
};

_Static_assert(S__MAX <= 64, "struct conn.stmt is too small");

static void conn_close(struct conn *c)
{
	int i;

	for (i = 0; i < S__MAX; i++)
		sqlite3_finalize(c->stmt[i]);
	for (i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(c->cache[i].s);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("store: close: %s", sqlite3_errmsg(c->db));
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
 * unique/primary key violation, else STORE_ERROR. */
int sq_step_done(sqlite3_stmt *s, const char *what)
{
	int rc = sq_step(s);

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
	int rc = sq_step(s);

	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	return sq_fail(s, what);
}

/* ---- Lifecycle -------------------------------------------------------- */

/* Process-wide SQLite settings, before the library initialises.
 * Memory statistics off: nothing reads them, and keeping them takes a
 * global mutex on every allocation, which every query makes. */
static void sqlite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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

/* ---- Migrations -------------------------------------------------------- */

#define MIGRATION_PREFIX "src/store/migrations/"

static int migration_cmp(const void *a, const void *b)
{
	const struct embedded_file *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

int store_schema_version(struct store *st, int *version)
{
	sqlite3_stmt *s = stmt(st, S_SCHEMA_VERSION);

	if (s == NULL)
		return STORE_ERROR;
	if (sq_step(s) != SQLITE_ROW)
		return sq_fail(s, "schema version");
	*version = sqlite3_column_int(s, 0);
	sq_done(s);
	return STORE_OK;
}

int store_migrate(struct store *st, int *applied, char *err, size_t errlen)
{
	return store_migrate_upto(st, INT_MAX, applied, err, errlen);
}

int store_migrate_upto(struct store *st, int upto, int *applied, char *err, size_t errlen)
{
	const struct embedded_file *files[256];
	struct conn *c = conn_get(st);
	size_t n = 0, i;
	int version, num, count = 0;
	sqlite3_stmt *s;

	if (applied)
		*applied = 0;
	if (c == NULL) {
		snprintf(err, errlen, "cannot open database");
		return STORE_ERROR;
	}
	if (sq_exec(c->db,
		    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
		    "applied_at BIGINT NOT NULL)",
		    err, errlen) != 0)
		return STORE_ERROR;
	for (i = 0; i < embedded_count && n < 256; i++)
		if (strncmp(embedded_files[i].name, MIGRATION_PREFIX, strlen(MIGRATION_PREFIX)) ==
		    0)
			files[n++] = &embedded_files[i];
	qsort(files, n, sizeof(files[0]), migration_cmp);
	if (store_schema_version(st, &version) != STORE_OK) {
		snprintf(err, errlen, "cannot read schema version");
		return STORE_ERROR;
	}
	for (i = 0; i < n; i++) {
		num = atoi(files[i]->name + strlen(MIGRATION_PREFIX));
		if (num <= version || num > upto)
			continue;
		if (sq_exec(c->db, "BEGIN IMMEDIATE", err, errlen) != 0)
			return STORE_ERROR;
		if (sq_exec(c->db, (const char *)files[i]->data, err, errlen) != 0) {
			char why[512];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "%s: %s", files[i]->name, why);
			sq_exec(c->db, "ROLLBACK", why, sizeof(why));
			return STORE_ERROR;
		}
		if ((s = stmt(st, S_SCHEMA_INSERT)) == NULL)
			goto rollback;
		sq_bind_int(s, 1, num);
		sq_bind_int64(s, 2, (sqlite3_int64)time(NULL));
		if (sq_step_done(s, "schema insert") != STORE_OK)
			goto rollback;
		if (sq_exec(c->db, "COMMIT", err, errlen) != 0)
			return STORE_ERROR;
		count++;
	}
	if (applied)
		*applied = count;
	return STORE_OK;
rollback:
	snprintf(err, errlen, "recording schema version failed");
	{
		char why[256];

		sq_exec(c->db, "ROLLBACK", why, sizeof(why));
	}
	return STORE_ERROR;
}

/* ---- Members ------------------------------------------------------------ */

static int member_row(sqlite3_stmt *s, struct member *m, const char *what)
{
	int rc = sq_step(s);

	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(s, what);
	m->id = sqlite3_column_int64(s, 0);
	sq_col_text(s, 1, m->license_number, sizeof(m->license_number));
	sq_col_text(s, 2, m->first_name, sizeof(m->first_name));
	sq_col_text(s, 3, m->last_name, sizeof(m->last_name));
	sq_col_text(s, 4, m->jmbg, sizeof(m->jmbg));
	sq_col_text(s, 5, m->email, sizeof(m->email));
	sq_done(s);
	return STORE_OK;
}

int store_member_get(struct store *st, long long id, struct member *out)
{
	sqlite3_stmt *s = stmt(st, S_MEMBER_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return member_row(s, out, "member get");
}

int store_member_by_license(struct store *st, const char *license, struct member *out)
{
	sqlite3_stmt *s = stmt(st, S_MEMBER_BY_LICENSE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, license);
	return member_row(s, out, "member by license");
}

int store_member_upsert(struct store *st, const struct member *m, enum member_upsert *outcome)
{
	struct member old;
	sqlite3_stmt *s;
	int rc;

	rc = store_member_by_license(st, m->license_number, &old);
	if (rc == STORE_ERROR)
		return rc;
	if (rc == STORE_OK && strcmp(old.first_name, m->first_name) == 0 &&
	    strcmp(old.last_name, m->last_name) == 0 && strcmp(old.jmbg, m->jmbg) == 0 &&
	    strcmp(old.email, m->email) == 0) {
		*outcome = MEMBER_UNCHANGED;
		return STORE_OK;
	}
	if ((s = stmt(st, rc == STORE_OK ? S_MEMBER_UPDATE : S_MEMBER_INSERT)) == NULL)
		return STORE_ERROR;
	if (rc == STORE_OK)
		sq_bind_int64(s, 1, old.id);
	else
		sq_bind_text(s, 1, m->license_number);
	sq_bind_text(s, 2, m->first_name);
	sq_bind_text(s, 3, m->last_name);
	sq_bind_text(s, 4, m->jmbg);
	sq_bind_text(s, 5, m->email);
	sq_bind_int64(s, 6, (sqlite3_int64)time(NULL));
	*outcome = rc == STORE_OK ? MEMBER_UPDATED : MEMBER_ADDED;
	return sq_step_done(s, "member upsert");
}

static int count_query(struct store *st, enum stmt_id id, long long *count, const char *what)
{
	sqlite3_stmt *s = stmt(st, id);

	if (s == NULL)
		return STORE_ERROR;
	if (sq_step(s) != SQLITE_ROW)
		return sq_fail(s, what);
	*count = sqlite3_column_int64(s, 0);
	sq_done(s);
	return STORE_OK;
}

int store_member_count(struct store *st, long long *count)
{
	return count_query(st, S_MEMBER_COUNT, count, "member count");
}

/* ---- Accounts ------------------------------------------------------------ */

static int account_row(sqlite3_stmt *s, struct account *a, const char *what)
{
	int rc = sq_step(s);

	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(s, what);
	a->id = sqlite3_column_int64(s, 0);
	a->member_id = sqlite3_column_int64(s, 1);
	sq_col_text(s, 2, a->username, sizeof(a->username));
	sq_col_text(s, 3, a->password_hash, sizeof(a->password_hash));
	sq_col_text(s, 4, a->email, sizeof(a->email));
	sq_col_text(s, 5, a->lang, sizeof(a->lang));
	a->created_at = (time_t)sqlite3_column_int64(s, 6);
	a->confirmed_at = (time_t)sqlite3_column_int64(s, 7);
	sq_done(s);
	return STORE_OK;
}

int store_account_create(struct store *st, struct account *a)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_INSERT);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, a->member_id);
	sq_bind_text(s, 2, a->username);
	sq_bind_text(s, 3, a->password_hash);
	sq_bind_text(s, 4, a->email);
	sq_bind_text(s, 5, a->lang[0] ? a->lang : "sr");
	sq_bind_int64(s, 6, (sqlite3_int64)a->created_at);
	rc = sq_step_done(s, "account create");
	if (rc == STORE_OK)
		a->id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return rc;
}

int store_account_get(struct store *st, long long id, struct account *out)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return account_row(s, out, "account get");
}

int store_account_by_username(struct store *st, const char *username, struct account *out)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_BY_USERNAME);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, username);
	return account_row(s, out, "account by username");
}

int store_account_by_member(struct store *st, long long member_id, struct account *out)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_BY_MEMBER);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, member_id);
	return account_row(s, out, "account by member");
}

int store_account_by_email(struct store *st, const char *email, struct account *out)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_BY_EMAIL);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, email);
	return account_row(s, out, "account by email");
}

int store_account_confirm(struct store *st, long long id, time_t now)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_CONFIRM);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	return sq_step_changed(s, "account confirm");
}

int store_account_set_password(struct store *st, long long id, const char *hash)
{
	sqlite3_stmt *s = stmt(st, S_ACCOUNT_SET_PASSWORD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_text(s, 2, hash);
	return sq_step_changed(s, "account set password");
}

/* ---- Tokens ---------------------------------------------------------------- */

int store_token_add(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    long long account_id, time_t expires_at)
{
	sqlite3_stmt *s = stmt(st, S_TOKEN_INSERT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, account_id);
	sq_bind_int64(s, 4, (sqlite3_int64)expires_at);
	return sq_step_done(s, "token add");
}

int store_token_withheld(struct store *st, const unsigned char hash[32], enum token_kind kind,
			 time_t now)
{
	sqlite3_stmt *s = stmt(st, S_TOKEN_WITHHELD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	return sq_step_done(s, "token withheld");
}

int store_token_peek(struct store *st, const unsigned char hash[32], enum token_kind kind,
		     time_t now, long long *account_id)
{
	sqlite3_stmt *s = stmt(st, S_TOKEN_PEEK);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	rc = sq_step(s);
	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(s, "token peek");
	*account_id = sqlite3_column_int64(s, 0);
	sq_done(s);
	return STORE_OK;
}

int store_token_use(struct store *st, const unsigned char hash[32], enum token_kind kind,
		    time_t now, long long *account_id)
{
	sqlite3_stmt *s;
	int rc;

	/* Peek and mark in one transaction when the caller has none open. */
	rc = store_token_peek(st, hash, kind, now, account_id);
	if (rc != STORE_OK)
		return rc;
	if ((s = stmt(st, S_TOKEN_USE)) == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, hash, 32);
	sq_bind_int(s, 2, (int)kind);
	sq_bind_int64(s, 3, (sqlite3_int64)now);
	return sq_step_changed(s, "token use");
}

/* ---- Sessions ---------------------------------------------------------------- */

int store_session_add(struct store *st, const struct session *se)
{
	sqlite3_stmt *s = stmt(st, S_SESSION_INSERT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, se->id_hash, 32);
	sq_bind_int(s, 2, (int)se->kind);
	sq_bind_int64(s, 3, se->account_id);
	sq_bind_int64(s, 4, (sqlite3_int64)se->created_at);
	return sq_step_done(s, "session add");
}

int store_session_get(struct store *st, const unsigned char id_hash[32], struct session *out)
{
	sqlite3_stmt *s = stmt(st, S_SESSION_GET);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, id_hash, 32);
	rc = sq_step(s);
	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(s, "session get");
	memcpy(out->id_hash, id_hash, 32);
	out->kind = (enum session_kind)sqlite3_column_int(s, 0);
	out->account_id = sqlite3_column_int64(s, 1);
	out->created_at = (time_t)sqlite3_column_int64(s, 2);
	out->last_seen_at = (time_t)sqlite3_column_int64(s, 3);
	sq_done(s);
	return STORE_OK;
}

int store_session_touch(struct store *st, const unsigned char id_hash[32], time_t now)
{
	sqlite3_stmt *s = stmt(st, S_SESSION_TOUCH);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, id_hash, 32);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	return sq_step_changed(s, "session touch");
}

int store_session_delete(struct store *st, const unsigned char id_hash[32])
{
	sqlite3_stmt *s = stmt(st, S_SESSION_DELETE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_blob(s, 1, id_hash, 32);
	return sq_step_done(s, "session delete");
}

int store_session_delete_account(struct store *st, enum session_kind kind, long long account_id,
				 const unsigned char *keep)
{
	sqlite3_stmt *s =
		stmt(st, keep ? S_SESSION_DELETE_ACCOUNT_EXCEPT : S_SESSION_DELETE_ACCOUNT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int(s, 1, (int)kind);
	sq_bind_int64(s, 2, account_id);
	if (keep)
		sq_bind_blob(s, 3, keep, 32);
	return sq_step_done(s, "session delete account");
}

/* ---- Login throttling --------------------------------------------------------- */

int store_login_failure_add(struct store *st, const char *key, time_t now, long long *id)
{
	sqlite3_stmt *s = stmt(st, S_LOGIN_FAILURE_ADD);
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, key);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	rc = sq_step_done(s, "login failure add");
	if (rc == STORE_OK && id != NULL)
		*id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	return rc;
}

int store_login_failures(struct store *st, const char *key, time_t since, int *count,
			 time_t *oldest, time_t *newest)
{
	sqlite3_stmt *s = stmt(st, S_LOGIN_FAILURES);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, key);
	sq_bind_int64(s, 2, (sqlite3_int64)since);
	if (sq_step(s) != SQLITE_ROW)
		return sq_fail(s, "login failures");
	*count = sqlite3_column_int(s, 0);
	*oldest = (time_t)sqlite3_column_int64(s, 1);
	if (newest != NULL)
		*newest = (time_t)sqlite3_column_int64(s, 2);
	sq_done(s);
	return STORE_OK;
}

int store_login_failures_clear(struct store *st, const char *key)
{
	sqlite3_stmt *s = stmt(st, S_LOGIN_FAILURES_CLEAR);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, key);
	return sq_step_done(s, "login failures clear");
}

int store_login_failure_remove(struct store *st, long long id)
{
	sqlite3_stmt *s = stmt(st, S_LOGIN_FAILURE_REMOVE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return sq_step_done(s, "login failure remove");
}

int store_login_failures_purge(struct store *st, time_t before)
{
	sqlite3_stmt *s = stmt(st, S_LOGIN_FAILURES_PURGE);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, (sqlite3_int64)before);
	return sq_step_done(s, "login failures purge");
}

/* ---- Outbox ------------------------------------------------------------------- */

int store_outbox_add(struct store *st, const char *to, const char *subject, const char *body,
		     time_t now)
{
	sqlite3_stmt *s = stmt(st, S_OUTBOX_ADD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, to);
	sq_bind_text(s, 2, subject);
	sq_bind_text(s, 3, body);
	sq_bind_int64(s, 4, (sqlite3_int64)now);
	return sq_step_done(s, "outbox add");
}

int store_outbox_withheld(struct store *st, const char *subject, time_t now)
{
	sqlite3_stmt *s = stmt(st, S_OUTBOX_WITHHELD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_text(s, 1, subject);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	return sq_step_done(s, "outbox withheld");
}

static char *col_strdup(sqlite3_stmt *s, int i)
{
	const unsigned char *v = sqlite3_column_text(s, i);
	char *p = strdup(v ? (const char *)v : "");

	if (p == NULL)
		abort();
	return p;
}

int store_outbox_next(struct store *st, time_t now, struct outbox_item *out)
{
	sqlite3_stmt *s = stmt(st, S_OUTBOX_NEXT);
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, (sqlite3_int64)now);
	rc = sq_step(s);
	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(s, "outbox next");
	out->id = sqlite3_column_int64(s, 0);
	sq_col_text(s, 1, out->to, sizeof(out->to));
	out->subject = col_strdup(s, 2);
	out->body = col_strdup(s, 3);
	out->attempts = sqlite3_column_int(s, 4);
	out->created_at = (time_t)sqlite3_column_int64(s, 5);
	sq_done(s);
	return STORE_OK;
}

void store_outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->subject);
	free(it->body);
	it->subject = it->body = NULL;
}

int store_outbox_sent(struct store *st, long long id, time_t now)
{
	sqlite3_stmt *s = stmt(st, S_OUTBOX_SENT);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	return sq_step_changed(s, "outbox sent");
}

int store_outbox_retry(struct store *st, long long id, int attempts, time_t next_attempt_at,
		       const char *error)
{
	sqlite3_stmt *s = stmt(st, S_OUTBOX_RETRY);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int(s, 2, attempts);
	sq_bind_int64(s, 3, (sqlite3_int64)next_attempt_at);
	sq_bind_text(s, 4, error);
	return sq_step_changed(s, "outbox retry");
}

int store_outbox_pending(struct store *st, long long *count)
{
	return count_query(st, S_OUTBOX_PENDING, count, "outbox pending");
}

/* ---- Orders ----------------------------------------------------------------- */

#define NTEXT (sizeof(order_text) / sizeof(order_text[0]))

static void order_bind_text(sqlite3_stmt *s, const struct order *o, int first)
{
	size_t i;

	for (i = 0; i < NTEXT; i++)
		sq_bind_text(s, first + (int)i, (const char *)o + order_text[i].off);
}

static void order_read(sqlite3_stmt *s, struct order *o)
{
	size_t i;
	int c = 4;

	memset(o, 0, sizeof(*o));
	o->id = sqlite3_column_int64(s, 0);
	o->account_id = sqlite3_column_int64(s, 1);
	o->type = (enum order_type)sqlite3_column_int(s, 2);
	sq_col_text(s, 3, o->state, sizeof(o->state));
	for (i = 0; i < NTEXT; i++, c++)
		sq_col_text(s, c, (char *)o + order_text[i].off, order_text[i].size);
	o->card_reader = sqlite3_column_int(s, c++);
	sq_col_text(s, c++, o->payment_ref, sizeof(o->payment_ref));
	o->total_para = sqlite3_column_int64(s, c++);
	o->created_at = (time_t)sqlite3_column_int64(s, c++);
	o->updated_at = (time_t)sqlite3_column_int64(s, c++);
	o->confirmed_at = (time_t)sqlite3_column_int64(s, c++);
	o->prices_fixed = sqlite3_column_int(s, c++);
	o->price_para = sqlite3_column_int64(s, c++);
	o->reader_para = sqlite3_column_int64(s, c++);
	o->vat_pct = sqlite3_column_int(s, c++);
	sq_col_text(s, c++, o->company_cert_name, sizeof(o->company_cert_name));
	o->name_differs = sqlite3_column_int(s, c++);
	o->name_confirmed_at = (time_t)sqlite3_column_int64(s, c++);
	sq_col_text(s, c++, o->name_confirmed_by, sizeof(o->name_confirmed_by));
	sq_col_text(s, c++, o->returned_code, sizeof(o->returned_code));
	sq_col_text(s, c++, o->returned_text, sizeof(o->returned_text));
}

static int order_one(sqlite3_stmt *s, struct order *out, const char *what)
{
	int rc = sq_step(s);

	if (rc == SQLITE_DONE) {
		sq_done(s);
		return STORE_NOTFOUND;
	}
	if (rc != SQLITE_ROW)
		return sq_fail(s, what);
	order_read(s, out);
	sq_done(s);
	return STORE_OK;
}

int store_order_create(struct store *st, struct order *o)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_INSERT);
	int rc, c;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, o->account_id);
	sq_bind_int(s, 2, (int)o->type);
	sq_bind_text(s, 3, o->state);
	order_bind_text(s, o, 4);
	c = 4 + (int)NTEXT;
	sq_bind_int(s, c++, o->card_reader);
	sq_bind_text(s, c++, "");
	sq_bind_int64(s, c++, o->total_para);
	sq_bind_int64(s, c++, (sqlite3_int64)o->created_at);
	sq_bind_int64(s, c++, (sqlite3_int64)o->updated_at);
	sq_bind_int64(s, c++, (sqlite3_int64)o->confirmed_at);
	sq_bind_text(s, c++, o->company_cert_name);
	sq_bind_int(s, c++, o->name_differs);
	if ((rc = sq_step_done(s, "order create")) != STORE_OK)
		return rc;
	o->id = sqlite3_last_insert_rowid(sqlite3_db_handle(s));
	if (order_payment_ref(o->id, o->payment_ref, sizeof(o->payment_ref)) != 0)
		return STORE_ERROR;
	if ((s = stmt(st, S_ORDER_SET_REF)) == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, o->id);
	sq_bind_text(s, 2, o->payment_ref);
	return sq_step_done(s, "order set reference");
}

int store_order_rewrite(struct store *st, const struct order *o, const char *state,
			long long account_id)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_UPDATE_DRAFT);
	int c = 4 + (int)NTEXT;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, o->id);
	sq_bind_int64(s, 2, account_id);
	sq_bind_int(s, 3, (int)o->type);
	order_bind_text(s, o, 4);
	sq_bind_int(s, c++, o->card_reader);
	sq_bind_int64(s, c++, (sqlite3_int64)o->updated_at);
	sq_bind_text(s, c++, o->company_cert_name);
	sq_bind_int(s, c++, o->name_differs);
	sq_bind_text(s, c++, state);
	sq_bind_int64(s, c++, (sqlite3_int64)o->name_confirmed_at);
	sq_bind_text(s, c, o->name_confirmed_by);
	return sq_step_changed(s, "order rewrite");
}

int store_order_update_draft(struct store *st, const struct order *o)
{
	return store_order_rewrite(st, o, "draft", o->account_id);
}

int store_order_confirm_name(struct store *st, long long id, const char *by, time_t now)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_CONFIRM_NAME);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, (sqlite3_int64)now);
	sq_bind_text(s, 3, by);
	return sq_step_changed(s, "order confirm name");
}

int store_order_set_returned(struct store *st, long long id, const char *code, const char *text)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_SET_RETURNED);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_text(s, 2, code);
	sq_bind_text(s, 3, text);
	return sq_step_changed(s, "order set returned");
}

int store_order_get(struct store *st, long long id, struct order *out)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_GET);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	return order_one(s, out, "order get");
}

int store_order_get_owned(struct store *st, long long id, long long account_id, struct order *out)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_GET_OWNED);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, account_id);
	return order_one(s, out, "order get owned");
}

int store_order_transition(struct store *st, long long id, const char *from, const char *to,
			   long long total_para, time_t confirmed_at, time_t now)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_TRANSITION);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_text(s, 2, from);
	sq_bind_text(s, 3, to);
	sq_bind_int64(s, 4, (sqlite3_int64)now);
	sq_bind_int64(s, 5, total_para);
	sq_bind_int64(s, 6, (sqlite3_int64)confirmed_at);
	return sq_step_changed(s, "order transition");
}

int store_order_fix_prices(struct store *st, long long id, long long price_para,
			   long long reader_para, int vat_pct)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_FIX_PRICES);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, id);
	sq_bind_int64(s, 2, price_para);
	sq_bind_int64(s, 3, reader_para);
	sq_bind_int(s, 4, vat_pct);
	return sq_step_changed(s, "order prices");
}

int store_order_each_owned(struct store *st, long long account_id,
			   int (*fn)(void *arg, const struct order_summary *o), void *arg)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_EACH_OWNED);
	struct order_summary o;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, account_id);
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		o.id = sqlite3_column_int64(s, 0);
		o.type = (enum order_type)sqlite3_column_int(s, 1);
		sq_col_text(s, 2, o.state, sizeof(o.state));
		sq_col_text(s, 3, o.first_name, sizeof(o.first_name));
		sq_col_text(s, 4, o.last_name, sizeof(o.last_name));
		sq_col_text(s, 5, o.company_name, sizeof(o.company_name));
		o.created_at = (time_t)sqlite3_column_int64(s, 6);
		if (fn(arg, &o) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(s, "order list");
	sq_done(s);
	return STORE_OK;
}

int store_order_event_add(struct store *st, long long order_id, const char *state,
			  const char *actor, const char *note, time_t at)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_EVENT_ADD);

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	sq_bind_int64(s, 2, (sqlite3_int64)at);
	sq_bind_text(s, 3, state);
	sq_bind_text(s, 4, actor);
	sq_bind_text(s, 5, note ? note : "");
	return sq_step_done(s, "order event add");
}

int store_order_events(struct store *st, long long order_id,
		       int (*fn)(void *arg, const struct order_event *e), void *arg)
{
	sqlite3_stmt *s = stmt(st, S_ORDER_EVENTS);
	struct order_event e;
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	sq_bind_int64(s, 1, order_id);
	while ((rc = sq_step(s)) == SQLITE_ROW) {
		e.at = (time_t)sqlite3_column_int64(s, 0);
		sq_col_text(s, 1, e.state, sizeof(e.state));
		sq_col_text(s, 2, e.actor, sizeof(e.actor));
		sq_col_text(s, 3, e.note, sizeof(e.note));
		if (fn(arg, &e) != 0)
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return sq_fail(s, "order events");
	sq_done(s);
	return STORE_OK;
}
