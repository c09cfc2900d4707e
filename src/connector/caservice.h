/*
 * The connector for the CA service (`qcra ca serve`, docs/ca-api.md):
 * HTTPS with the RA's client certificate, the CA pinned to the
 * configured root, JSON bodies.  ca_connector = service.
 *
 * What the portal must tell the CA goes through a durable queue
 * (table ca_outbox, store_ca.h) drained by the CA worker (ca_queue.c),
 * which also asks the CA about the orders it has not yet issued, and
 * runs the certificate expiry reminders.
 */
#ifndef QCRA_CASERVICE_H
#define QCRA_CASERVICE_H

#include <stddef.h>
#include <time.h>

#include "connector/connector.h"
#include "core/config.h"

struct store;

/* Opens the service connector: ca_url, ca_cert, ca_key, ca_cacert
 * (paths default to VAR/ca/ra/{ra.pem,ra.key,ca.pem}).  Files are read
 * at each request, so the CA may be initialised after the portal
 * started.  NULL with err on failure (out of memory, bad catalogue). */
struct ca_connector *caservice_open(const struct config *cfg, struct store *st, char *err,
				    size_t errlen);

/* 1 when c is the service connector. */
int caservice_is(const struct ca_connector *c);

/* How a request to the CA ended. */
enum cs_result {
	CS_OK = 0,      /* done (or done before: idempotent) */
	CS_REFUSED = 1, /* the CA said no (400/404/409): retrying will not help */
	CS_DOWN = 2,    /* no answer, or 403/5xx: retry later */
};

/* Submits order o's registration now.  err gets the CA's message and,
 * when it refused, code its reason code ("" when it gave none). */
enum cs_result caservice_submit_now(struct ca_connector *c, const struct order *o,
				    char code[CA_CODE_MAX], char *err, size_t errlen);
/* Asks the CA to revoke the certificate of order o (reason: RFC 5280
 * name) and records the CA's confirmation in the store. */
enum cs_result caservice_revoke_now(struct ca_connector *c, const struct order *o,
				    const char *reason, char *err, size_t errlen);
/*
 * Asks the CA about order_id and records what it says: the
 * certificate (ca_certificates), the order's move from sent_to_ca to
 * issued (workflow event issue, role CA, with history and audit, in
 * one transaction), and a confirmed revocation.  Returns 0, 1 when the
 * CA does not know the order, -1 with err.
 */
int caservice_sync_order(struct ca_connector *c, long long order_id, char *err, size_t errlen);
/* caservice_sync_order for every order waiting at the CA.  Returns how
 * many moved to issued, -1 when the CA or the store failed. */
int caservice_sync(struct ca_connector *c);

/* ---- The CA worker (ca_queue.c) ------------------------------------------------------ */

struct ca_worker;

/*
 * Starts the worker thread with its own connector (the configured
 * one): it delivers the queue (ca_outbox) with backoff, polls the CA
 * every ca_poll_seconds, and runs the expiry reminders hourly.  NULL
 * with err when the connector cannot be opened.
 */
struct ca_worker *ca_worker_start(struct store *st, const struct config *cfg, char *err,
				  size_t errlen);
void ca_worker_kick(struct ca_worker *w); /* NULL-safe: run a pass now */
void ca_worker_stop(struct ca_worker *w); /* NULL-safe; joins the thread */

/* One pass of the worker: every job due at now, then the poll.  Returns
 * how many jobs were finished, -1 when the store failed. */
int ca_queue_run_once(struct store *st, struct ca_connector *c, const struct config *cfg,
		      time_t now);

#endif
