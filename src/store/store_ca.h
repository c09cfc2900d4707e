/*
 * Storage for the portal's side of the CA service (ca.c): the
 * durable queue of submissions and revocations for the CA, the
 * certificates the CA issued, the members' revocation requests, and
 * the expiry reminders that were mailed.
 *
 * Conventions as in store.h: every function returns an enum store_rc,
 * joins the caller's open transaction or runs as its own, and fills
 * caller-owned structs.
 */
#ifndef QCRA_STORE_CA_H
#define QCRA_STORE_CA_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

/* ---- The queue to the CA (ca_outbox) ------------------------------------------ */

#define CA_JOB_SUBMIT "submit"
#define CA_JOB_REVOKE "revoke"

struct ca_job {
	long long id;
	long long order_id;
	char kind[8];    /* CA_JOB_SUBMIT or CA_JOB_REVOKE */
	char reason[32]; /* revoke: the RFC 5280 reason name */
	time_t created_at;
	int attempts; /* failed deliveries so far */
	time_t next_attempt_at;
	time_t done_at;  /* 0 while there is something to do */
	int refused;     /* 1: the CA refused it (error: its message) */
	char error[512]; /* the last failure, "" when none */
};

/* Queues kind for order_id: at most one per order and kind.  While it
 * is queued a second call changes nothing; once it has ended
 * (delivered, refused, given up), a call makes it due again with no
 * attempts (an order sent again, a submission the CA lost).  STORE_OK
 * either way.  Call inside the transaction of the change that causes
 * it. */
int store_ca_job_add(struct store *st, long long order_id, const char *kind, const char *reason,
		     time_t now);
/* The oldest job due at now (not done, next_attempt_at <= now, no
 * lease running: lease_until <= now). */
int store_ca_job_next(struct store *st, time_t now, struct ca_job *out);
/* Inside the caller's write transaction: the oldest job due at now,
 * leased to this process (claimed_by store_instance, lease_until) as
 * store_outbox_claim's items are (PostgreSQL: read FOR UPDATE SKIP
 * LOCKED).  STORE_OK, STORE_NOTFOUND or STORE_ERROR. */
int store_ca_job_claim(struct store *st, time_t now, time_t lease_until, struct ca_job *out);
int store_ca_job_get(struct store *st, long long order_id, const char *kind, struct ca_job *out);
/* Reschedules job id: attempts, next attempt, last error; the lease
 * ends. */
int store_ca_job_retry(struct store *st, long long id, int attempts, time_t next_attempt_at,
		       const char *error);
/* Marks job id done (refused: with the CA's message in error); the
 * lease ends. */
int store_ca_job_done(struct store *st, long long id, time_t now, int refused, const char *error);

/* ---- Issued certificates ------------------------------------------------------- */

#define CA_PEM_MAX 8192

struct ca_cert {
	long long order_id;
	char serial[64];   /* upper-case hex */
	char subject[512]; /* RFC 2253, UTF-8 */
	time_t not_before;
	time_t not_after;
	char pem[CA_PEM_MAX];
	time_t revoked_at; /* 0 unless the CA confirmed a revocation */
	char revoke_reason[32];
	time_t recorded_at;
};

/* Records the certificate of c->order_id (a second call rewrites it). */
int store_ca_cert_put(struct store *st, const struct ca_cert *c);
int store_ca_cert_get(struct store *st, long long order_id, struct ca_cert *out);
/* Records the CA's confirmation of the revocation (first one kept). */
int store_ca_cert_revoked(struct store *st, long long order_id, const char *reason, time_t at);
/* Certificates not revoked whose not_after is in (after, before], by
 * not_after; fn returning non-zero stops. */
int store_ca_certs_expiring(struct store *st, time_t after, time_t before,
			    int (*fn)(void *arg, const struct ca_cert *c), void *arg);

/* ---- Revocation requests -------------------------------------------------------- */

struct ca_revocation {
	long long order_id;
	char reason[32];
	char requested_by[96]; /* "member:NAME" or "operator:NAME" */
	time_t requested_at;
	char confirmed_by[96]; /* "" until an operator confirms */
	time_t confirmed_at;
};

/* STORE_CONFLICT when the order has a request already. */
int store_ca_revocation_add(struct store *st, const struct ca_revocation *r);
int store_ca_revocation_get(struct store *st, long long order_id, struct ca_revocation *out);
/* Confirms the request of order_id with reason by `by`, creating it
 * when there is none (the operator acts on a reported loss).
 * STORE_NOTFOUND when it was confirmed before. */
int store_ca_revocation_confirm(struct store *st, long long order_id, const char *reason,
				const char *by, time_t now);

/* ---- Expiry reminders ------------------------------------------------------------ */

/* STORE_CONFLICT when the reminder `days` of the order went before. */
int store_ca_reminder_add(struct store *st, long long order_id, int days, time_t now);

/* ---- What the poller asks the CA about -------------------------------------------- */

/* Orders in state sent_to_ca that were submitted through connector
 * (ca_requests), oldest first. */
int store_ca_awaiting(struct store *st, const char *connector,
		      int (*fn)(void *arg, long long order_id), void *arg);
/* Pickup offices of the orders submitted through connector. */
int store_ca_offices(struct store *st, const char *connector,
		     int (*fn)(void *arg, const char *office), void *arg);

#endif
