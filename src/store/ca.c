/*
 * The portal's side of the CA service (store_ca.h):
 * the queue to the CA, issued certificates, revocation requests,
 * expiry reminders and the record of each order's CA submission
 * (store_office.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "store/store_ca.h"
#include "store/store_office.h"

#define JOB_COLS(X, _)                                                                             \
	X("id", INT64, id) _ X("order_id", INT64, order_id)                                        \
	_ X("kind", TEXT, kind)                                                                    \
	_ X("reason", TEXT, reason)                                                                \
	_ X("created_at", TIME, created_at)                                                        \
	_ X("attempts", INT, attempts)                                                             \
	_ X("next_attempt_at", TIME, next_attempt_at)                                              \
	_ X("done_at", TIME, done_at)                                                              \
	_ X("refused", INT, refused)                                                               \
	_ X("error", TEXT, error)

/* A job that has ended (delivered, refused, given up) is due again; a
 * queued one stays as it is. */
static const char SQL_JOB_ADD[] =
	"INSERT INTO ca_outbox (order_id, kind, reason, created_at, next_attempt_at) VALUES ($1, "
	"$2, $3, $4, $4) ON CONFLICT (order_id, kind) DO UPDATE SET reason = excluded.reason, "
	"created_at = excluded.created_at, attempts = 0, next_attempt_at = excluded.created_at, "
	"done_at = 0, refused = 0, error = '', claimed_by = '', lease_until = 0 "
	"WHERE ca_outbox.done_at <> 0";
#define JOB_NEXT_SQL                                                                               \
	"SELECT " DB_NAMES(                                                                        \
		JOB_COLS) " FROM ca_outbox WHERE done_at = 0 AND next_attempt_at <= $1 "           \
			  "AND lease_until <= $1 ORDER BY next_attempt_at, id LIMIT 1"
static const char SQL_JOB_NEXT[] = JOB_NEXT_SQL;
/* The claim's read where rows lock (db.h, row_locks). */
static const char SQL_JOB_NEXT_LOCKED[] = JOB_NEXT_SQL " FOR UPDATE SKIP LOCKED";
static const char SQL_JOB_LEASE[] =
	"UPDATE ca_outbox SET claimed_by = $2, lease_until = $3 WHERE id = $1";
static const char SQL_JOB_GET[] =
	"SELECT " DB_NAMES(JOB_COLS) " FROM ca_outbox WHERE order_id = $1 AND kind = $2";
static const char SQL_JOB_RETRY[] =
	"UPDATE ca_outbox SET attempts = $2, next_attempt_at = $3, error = $4, claimed_by = '', "
	"lease_until = 0 WHERE id = $1";
static const char SQL_JOB_DONE[] =
	"UPDATE ca_outbox SET done_at = $2, refused = $3, error = $4, claimed_by = '', lease_until "
	"= 0 WHERE id = $1";

#define CERT_COLS(X, _)                                                                            \
	X("order_id", INT64, order_id) _ X("serial", TEXT, serial)                                 \
	_ X("subject", TEXT, subject)                                                              \
	_ X("not_before", TIME, not_before)                                                        \
	_ X("not_after", TIME, not_after)                                                          \
	_ X("pem", TEXT, pem)                                                                      \
	_ X("revoked_at", TIME, revoked_at)                                                        \
	_ X("revoke_reason", TEXT, revoke_reason)                                                  \
	_ X("recorded_at", TIME, recorded_at)

static const char SQL_CERT_PUT[] = "INSERT INTO ca_certificates (" DB_NAMES(
	CERT_COLS) ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
		   "ON CONFLICT (order_id) DO UPDATE SET serial = $2, subject = $3, not_before = "
		   "$4, not_after = $5, pem = $6, revoked_at = CASE WHEN "
		   "ca_certificates.revoked_at = 0 THEN $7 ELSE ca_certificates.revoked_at END, "
		   "revoke_reason = CASE WHEN ca_certificates.revoked_at = 0 THEN $8 ELSE "
		   "ca_certificates.revoke_reason END";
static const char SQL_CERT_GET[] =
	"SELECT " DB_NAMES(CERT_COLS) " FROM ca_certificates WHERE order_id = $1";
static const char SQL_CERT_REVOKED[] = "UPDATE ca_certificates SET revoked_at = $3, "
				       "revoke_reason = $2 WHERE order_id = $1 AND revoked_at = 0";
static const char SQL_CERT_EXPIRING[] = "SELECT " DB_NAMES(
	CERT_COLS) " FROM ca_certificates WHERE revoked_at = 0 AND not_after > $1 AND "
		   "not_after <= $2 ORDER BY not_after, order_id";

#define REV_COLS(X, _)                                                                             \
	X("order_id", INT64, order_id) _ X("reason", TEXT, reason)                                 \
	_ X("requested_by", TEXT, requested_by)                                                    \
	_ X("requested_at", TIME, requested_at)                                                    \
	_ X("confirmed_by", TEXT, confirmed_by)                                                    \
	_ X("confirmed_at", TIME, confirmed_at)

static const char SQL_REV_ADD[] = "INSERT INTO ca_revocations (order_id, reason, requested_by, "
				  "requested_at) VALUES ($1, $2, $3, $4)";
static const char SQL_REV_GET[] =
	"SELECT " DB_NAMES(REV_COLS) " FROM ca_revocations WHERE order_id = $1";
static const char SQL_REV_CONFIRM[] =
	"INSERT INTO ca_revocations (order_id, reason, requested_by, requested_at, confirmed_by, "
	"confirmed_at) VALUES ($1, $2, $3, $4, $3, $4) ON CONFLICT (order_id) DO UPDATE SET "
	"reason = $2, confirmed_by = $3, confirmed_at = $4 WHERE ca_revocations.confirmed_at = 0";

static const char SQL_REMINDER_ADD[] =
	"INSERT INTO ca_reminders (order_id, days, sent_at) VALUES ($1, $2, $3)";

static const char SQL_AWAITING[] =
	"SELECT r.order_id FROM ca_requests r JOIN order_state o ON o.order_id = r.order_id WHERE "
	"o.state = $2 AND r.connector = $1 ORDER BY r.order_id";
static const char SQL_OFFICES[] =
	"SELECT DISTINCT o.office FROM ca_requests r JOIN order_state o ON o.order_id = r.order_id "
	"WHERE "
	"r.connector = $1 ORDER BY o.office";

DB_READER(job, struct ca_job, JOB_COLS)
DB_READER(cert, struct ca_cert, CERT_COLS)
DB_READER(revocation, struct ca_revocation, REV_COLS)

/* ---- Queue --------------------------------------------------------------------------- */

int store_ca_job_add(struct store *st, long long order_id, const char *kind, const char *reason,
		     time_t now)
{
	int rc = db_run(st, SQL_JOB_ADD, "ca job add", SQ_INT(order_id), SQ_TEXT(kind),
			SQ_TEXT(reason ? reason : ""), SQ_INT(now));

	/* The CA workers of every instance woken at the commit. */
	return rc == STORE_OK ? db_wake(st, STORE_WAKE_CA) : rc;
}

int store_ca_job_next(struct store *st, time_t now, struct ca_job *out)
{
	return job_one(db_bound(st, SQL_JOB_NEXT, SQ_INT(now)), out, "ca job next");
}

int store_ca_job_claim(struct store *st, time_t now, time_t lease_until, struct ca_job *out)
{
	int rc = job_one(
		db_bound(st, st->drv->row_locks ? SQL_JOB_NEXT_LOCKED : SQL_JOB_NEXT, SQ_INT(now)),
		out, "ca job claim");

	if (rc != STORE_OK)
		return rc;
	return db_changed(st, SQL_JOB_LEASE, "ca job lease", SQ_INT(out->id), SQ_TEXT(st->instance),
			  SQ_INT(lease_until));
}

int store_ca_job_get(struct store *st, long long order_id, const char *kind, struct ca_job *out)
{
	return job_one(db_bound(st, SQL_JOB_GET, SQ_INT(order_id), SQ_TEXT(kind)), out,
		       "ca job get");
}

int store_ca_job_retry(struct store *st, long long id, int attempts, time_t next_attempt_at,
		       const char *error)
{
	return db_changed(st, SQL_JOB_RETRY, "ca job retry", SQ_INT(id), SQ_INT(attempts),
			  SQ_INT(next_attempt_at), SQ_TEXT(error ? error : ""));
}

int store_ca_job_done(struct store *st, long long id, time_t now, int refused, const char *error)
{
	return db_changed(st, SQL_JOB_DONE, "ca job done", SQ_INT(id), SQ_INT(now),
			  SQ_INT(refused ? 1 : 0), SQ_TEXT(error ? error : ""));
}

/* ---- Certificates ----------------------------------------------------------------------- */

int store_ca_cert_put(struct store *st, const struct ca_cert *c)
{
	return db_run(st, SQL_CERT_PUT, "ca cert put", SQ_INT(c->order_id), SQ_TEXT(c->serial),
		      SQ_TEXT(c->subject), SQ_INT(c->not_before), SQ_INT(c->not_after),
		      SQ_TEXT(c->pem), SQ_INT(c->revoked_at), SQ_TEXT(c->revoke_reason),
		      SQ_INT(c->recorded_at));
}

int store_ca_cert_get(struct store *st, long long order_id, struct ca_cert *out)
{
	return cert_one(db_bound(st, SQL_CERT_GET, SQ_INT(order_id)), out, "ca cert get");
}

int store_ca_cert_revoked(struct store *st, long long order_id, const char *reason, time_t at)
{
	int rc = db_changed(st, SQL_CERT_REVOKED, "ca cert revoked", SQ_INT(order_id),
			    SQ_TEXT(reason), SQ_INT(at));

	return rc == STORE_NOTFOUND ? STORE_OK : rc; /* revoked before: kept */
}

int store_ca_certs_expiring(struct store *st, time_t after, time_t before,
			    int (*fn)(void *arg, const struct ca_cert *c), void *arg)
{
	struct ca_cert *c = malloc(sizeof(*c)); /* CA_PEM_MAX: kept off the stack */
	struct db_stmt *s;
	int rc;

	if (c == NULL ||
	    (s = db_bound(st, SQL_CERT_EXPIRING, SQ_INT(after), SQ_INT(before))) == NULL) {
		free(c);
		return STORE_ERROR;
	}
	while ((rc = db_step(s)) == DB_ROW) {
		cert_from_row(s, c);
		if (fn(arg, c) != 0)
			break;
	}
	free(c);
	return db_rows_end(s, rc, "ca certs expiring");
}

/* ---- Revocation requests ------------------------------------------------------------------ */

int store_ca_revocation_add(struct store *st, const struct ca_revocation *r)
{
	return db_run(st, SQL_REV_ADD, "ca revocation add", SQ_INT(r->order_id), SQ_TEXT(r->reason),
		      SQ_TEXT(r->requested_by), SQ_INT(r->requested_at));
}

int store_ca_revocation_get(struct store *st, long long order_id, struct ca_revocation *out)
{
	return revocation_one(db_bound(st, SQL_REV_GET, SQ_INT(order_id)), out,
			      "ca revocation get");
}

int store_ca_revocation_confirm(struct store *st, long long order_id, const char *reason,
				const char *by, time_t now)
{
	return db_changed(st, SQL_REV_CONFIRM, "ca revocation confirm", SQ_INT(order_id),
			  SQ_TEXT(reason), SQ_TEXT(by), SQ_INT(now));
}

/* ---- Reminders ------------------------------------------------------------------------------ */

int store_ca_reminder_add(struct store *st, long long order_id, int days, time_t now)
{
	return db_run(st, SQL_REMINDER_ADD, "ca reminder add", SQ_INT(order_id), SQ_INT(days),
		      SQ_INT(now));
}

/* ---- For the poller ----------------------------------------------------------------------------
 */

int store_ca_awaiting(struct store *st, const char *connector,
		      int (*fn)(void *arg, long long order_id), void *arg)
{
	struct db_stmt *s = db_bound(st, SQL_AWAITING, SQ_TEXT(connector),
				     SQ_TEXT(wf_state_name(WF_SENT_TO_CA)));
	long long *ids;
	size_t n, i;
	int rc;

	/* Ids first: fn may use the store (and write) itself. */
	if ((rc = db_step_ids(s, &ids, &n, "ca awaiting")) != STORE_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (fn(arg, ids[i]) != 0)
			break;
	free(ids);
	return STORE_OK;
}

int store_ca_offices(struct store *st, const char *connector,
		     int (*fn)(void *arg, const char *office), void *arg)
{
	struct db_stmt *s = db_bound(st, SQL_OFFICES, SQ_TEXT(connector));
	char office[16];
	int rc;

	if (s == NULL)
		return STORE_ERROR;
	while ((rc = db_step(s)) == DB_ROW) {
		db_col_copy(s, 0, office, sizeof(office));
		if (fn(arg, office) != 0)
			break;
	}
	return db_rows_end(s, rc, "ca offices");
}

/* ---- CA submissions ------------------------------------------------------------ */

static const char SQL_CA_PUT[] =
	"INSERT INTO ca_requests (order_id, connector, reference, submitted_at) VALUES ($1, $2, "
	"$3, $4) ON CONFLICT (order_id) DO UPDATE SET connector = $2, reference = $3, "
	"submitted_at = $4";
#define CA_REQUEST_COLS(X, _)                                                                      \
	X("order_id", INT64, order_id) _ X("connector", TEXT, connector)                           \
	_ X("reference", TEXT, reference)                                                          \
	_ X("submitted_at", TIME, submitted_at)
static const char SQL_CA_GET[] =
	"SELECT " DB_NAMES(CA_REQUEST_COLS) " FROM ca_requests WHERE order_id = $1";

DB_READER(ca_request, struct ca_request, CA_REQUEST_COLS)

int store_ca_request_put(struct store *st, const struct ca_request *cr)
{
	return db_run(st, SQL_CA_PUT, "ca request put", SQ_INT(cr->order_id),
		      SQ_TEXT(cr->connector), SQ_TEXT(cr->reference), SQ_INT(cr->submitted_at));
}

int store_ca_request_get(struct store *st, long long order_id, struct ca_request *out)
{
	return ca_request_one(db_bound(st, SQL_CA_GET, SQ_INT(order_id)), out, "ca request get");
}
