/*
 * The mail outbox (store.h), written in the transaction
 * that queues a mail and emptied by the mail worker.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/store_int.h"

static const char SQL_OUTBOX_ADD[] = "INSERT INTO outbox (recipient, subject, body, created_at, "
				     "next_attempt_at) VALUES ($1, $2, $3, $4, $4)";
/* A mail kept as its key (in subject) and message (key and values): to
 * an address in a language, or about an order: to $2, or when that is
 * '' to the order's email, in its account's language, both read at
 * delivery (SQL_OUTBOX_NEXT), so queuing is one plain INSERT. */
static const char SQL_OUTBOX_QUEUE[] =
	"INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, lang, message) "
	"VALUES ($1, $2, '', $4, $4, $5, $3)";
static const char SQL_OUTBOX_QUEUE_ORDER[] =
	"INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, lang, message, "
	"order_id) VALUES ($2, $3, '', $5, $5, '', $4, $1)";
static const char SQL_OUTBOX_WITHHELD[] =
	"INSERT INTO outbox (recipient, subject, body, created_at, next_attempt_at, sent_at, "
	"last_error) VALUES ('', $1, '', $2, $2, $2, 'withheld: no account')";
/* The next item due, chosen in outbox alone (its index, outbox_due, in
 * order) and only then joined to its order and account: joined first,
 * every item waiting was joined and sorted for the one taken (a
 * backlog of 660 mails: 4.9 ms a claim on PostgreSQL, most of the
 * server's CPU in scenario 6).  lock: the subquery's row lock. */
#define OUTBOX_NEXT_SQL(lock)                                                                      \
	"SELECT x.id, CASE WHEN x.recipient = '' THEN COALESCE(o.email, '') ELSE x.recipient "     \
	"END, x.subject, x.body, x.attempts, x.created_at, CASE WHEN x.lang = '' THEN "            \
	"COALESCE(a.lang, '') ELSE x.lang END, x.message FROM (SELECT id, recipient, subject, "    \
	"body, attempts, created_at, lang, message, order_id FROM outbox WHERE sent_at IS NULL "   \
	"AND next_attempt_at <= $1 AND lease_until <= $1 ORDER BY next_attempt_at, id "            \
	"LIMIT 1" lock ") x LEFT JOIN orders o ON o.id = x.order_id LEFT JOIN accounts a ON "      \
	"a.id = o.account_id"
static const char SQL_OUTBOX_NEXT[] = OUTBOX_NEXT_SQL("");
/* The claim's read where rows lock (db.h, row_locks): a row another
 * instance is claiming is passed over, not waited for. */
static const char SQL_OUTBOX_NEXT_LOCKED[] = OUTBOX_NEXT_SQL(" FOR UPDATE SKIP LOCKED");
static const char SQL_OUTBOX_LEASE[] =
	"UPDATE outbox SET claimed_by = $2, lease_until = $3 WHERE id = $1";
static const char SQL_OUTBOX_LEASE_GET[] =
	"SELECT claimed_by, lease_until FROM outbox WHERE id = $1";
/* A delivered body (and a message's values) is cleared: it held live
 * confirmation and reset links.  Recipient, subject (a message's key)
 * and times stay as the record. */
static const char SQL_OUTBOX_SENT[] =
	"UPDATE outbox SET sent_at = $2, last_error = NULL, body = '', message = '', recipient = "
	"CASE WHEN recipient = '' AND order_id IS NOT NULL THEN COALESCE((SELECT email FROM orders "
	"WHERE id = outbox.order_id), '') ELSE recipient END, claimed_by = '', lease_until = 0 "
	"WHERE id = $1";
static const char SQL_OUTBOX_RETRY[] =
	"UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4, claimed_by = '', "
	"lease_until = 0 WHERE id = $1";
static const char SQL_OUTBOX_PENDING[] = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL";

/* ---- Outbox ------------------------------------------------------------------- */

/* rc, after a mail was queued (STORE_OK): the mail workers of every
 * instance woken at the commit. */
static int queued(struct store *st, int rc)
{
	return rc == STORE_OK ? db_wake(st, STORE_WAKE_MAIL) : rc;
}

int store_outbox_add(struct store *st, const char *to, const char *subject, const char *body,
		     time_t now)
{
	return queued(st, db_run(st, SQL_OUTBOX_ADD, "outbox add", SQ_TEXT(to), SQ_TEXT(subject),
				 SQ_TEXT(body), SQ_INT(now)));
}

int store_outbox_queue(struct store *st, const char *to, const char *lang, const char *key,
		       const char *message, time_t now)
{
	return queued(st, db_run(st, SQL_OUTBOX_QUEUE, "outbox queue", SQ_TEXT(to), SQ_TEXT(key),
				 SQ_TEXT(message), SQ_INT(now), SQ_TEXT(lang)));
}

int store_outbox_queue_order(struct store *st, long long order_id, const char *to, const char *key,
			     const char *message, time_t now)
{
	return queued(st,
		      db_run(st, SQL_OUTBOX_QUEUE_ORDER, "outbox queue order", SQ_INT(order_id),
			     SQ_TEXT(to ? to : ""), SQ_TEXT(key), SQ_TEXT(message), SQ_INT(now)));
}

int store_outbox_withheld(struct store *st, const char *subject, time_t now)
{
	return db_run(st, SQL_OUTBOX_WITHHELD, "outbox withheld", SQ_TEXT(subject), SQ_INT(now));
}

static char *col_strdup(struct db_stmt *s, int i)
{
	const char *v = db_col_text(s, i);
	char *p = strdup(v ? v : "");

	if (p == NULL)
		abort();
	return p;
}

/* The item sql (SQL_OUTBOX_NEXT or its locking form) reads at now. */
static int outbox_next(struct store *st, const char *sql, time_t now, struct outbox_item *out)
{
	struct db_stmt *s = db_bound(st, sql, SQ_INT(now));
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = db_step_row(s, "outbox next")) != STORE_OK)
		return rc;
	out->id = db_col_int64(s, 0);
	db_col_copy(s, 1, out->to, sizeof(out->to));
	out->subject = col_strdup(s, 2);
	out->body = col_strdup(s, 3);
	out->attempts = db_col_int(s, 4);
	out->created_at = (time_t)db_col_int64(s, 5);
	db_col_copy(s, 6, out->lang, sizeof(out->lang));
	out->message = col_strdup(s, 7);
	db_reset(s);
	return STORE_OK;
}

int store_outbox_next(struct store *st, time_t now, struct outbox_item *out)
{
	return outbox_next(st, SQL_OUTBOX_NEXT, now, out);
}

int store_outbox_claim(struct store *st, time_t now, time_t lease_until, struct outbox_item *out)
{
	int rc;

	/* Its row locked (row_locks), or the one writer's: exact beside
	 * the commit groups that queue mail. */
	if (db_begin_shared(st) != STORE_OK)
		return STORE_ERROR;
	rc = outbox_next(st, st->drv->row_locks ? SQL_OUTBOX_NEXT_LOCKED : SQL_OUTBOX_NEXT, now,
			 out);
	if (rc != STORE_OK) {
		store_rollback(st);
		return rc;
	}
	if (db_changed(st, SQL_OUTBOX_LEASE, "outbox lease", SQ_INT(out->id), SQ_TEXT(st->instance),
		       SQ_INT(lease_until)) != STORE_OK ||
	    store_commit(st) != STORE_OK) {
		store_rollback(st);
		store_outbox_item_free(out);
		return STORE_ERROR;
	}
	return STORE_OK;
}

int store_outbox_lease(struct store *st, long long id, char *by, size_t size, time_t *until)
{
	struct db_stmt *s = db_bound(st, SQL_OUTBOX_LEASE_GET, SQ_INT(id));
	int rc;

	if ((rc = db_step_row(s, "outbox lease get")) != STORE_OK)
		return rc;
	db_col_copy(s, 0, by, size);
	*until = (time_t)db_col_int64(s, 1);
	db_reset(s);
	return STORE_OK;
}

void store_outbox_item_free(struct outbox_item *it)
{
	if (it == NULL)
		return;
	free(it->subject);
	free(it->body);
	free(it->message);
	it->subject = it->body = it->message = NULL;
}

int store_outbox_sent(struct store *st, long long id, time_t now)
{
	return db_changed(st, SQL_OUTBOX_SENT, "outbox sent", SQ_INT(id), SQ_INT(now));
}

int store_outbox_retry(struct store *st, long long id, int attempts, time_t next_attempt_at,
		       const char *error)
{
	return db_changed(st, SQL_OUTBOX_RETRY, "outbox retry", SQ_INT(id), SQ_INT(attempts),
			  SQ_INT(next_attempt_at), SQ_TEXT(error));
}

int store_outbox_pending(struct store *st, long long *count)
{
	return db_count(st, SQL_OUTBOX_PENDING, count, "outbox pending");
}
