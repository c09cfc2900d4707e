/*
 * The CA worker: delivers the durable queue to the CA (ca_outbox:
 * submissions made while the CA was down, revocations confirmed by
 * operators), asks the CA about the orders it has not issued yet, and
 * runs the expiry reminders.  One thread, like the mail worker
 * (mail/outbox.c), woken by ca_worker_kick or every ca_poll_seconds.
 *
 * What it learns is recorded by the use cases of app/ca_work.h, each in
 * its own transaction.  A job is claimed before it is delivered (leased
 * to this process past the request's timeout in one transaction:
 * store_ca_job_claim), so a second worker, here or in another
 * instance, does not take it meanwhile, and takes it over when this
 * process dies before the lease ends.  Delivery is idempotent at the CA (by order
 * id; a second revocation answers the first), so the one window that
 * could repeat a request - a crash between the CA's answer and marking
 * the job done - still changes nothing twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/ca_work.h"
#include "app/reminders.h"
#include "connector/caservice.h"
#include "store/store_ca.h"
#include "util/log.h"
#include "util/worker.h"

#define CAQ_CLAIM_SECS 120  /* longer than one request to the CA */
#define CAQ_BACKOFF_MAX 600 /* the longest wait between attempts */
#define CAQ_WAIT_SEND 5     /* the send's transaction is not committed yet */
#define CAQ_REMINDERS_EVERY 3600
#define TASK_LEASE_SLACK 5 /* s a periodic pass's lease outlasts two passes */

struct ca_worker {
	struct store *st;
	const struct config *cfg; /* borrowed: outlives the worker */
	struct ca_connector *ca;
	struct worker *thread;
	time_t last_reminders;
};

/* Seconds after the attempts-th failure: the poll interval doubling,
 * at most CAQ_BACKOFF_MAX. */
static time_t caq_backoff(const struct config *cfg, int attempts)
{
	time_t d = cfg->ca_poll_secs > 0 ? cfg->ca_poll_secs : 10;
	int i;

	for (i = 1; i < attempts && d < CAQ_BACKOFF_MAX; i++)
		d *= 2;
	return d < CAQ_BACKOFF_MAX ? d : CAQ_BACKOFF_MAX;
}

/* Delivers job j.  Returns the result; err gets the CA's words. */
static enum cs_result caq_deliver(struct store *st, struct ca_connector *ca, const struct ca_job *j,
				  int *later, char code[CA_CODE_MAX], char *err, size_t errlen)
{
	struct order o;

	*later = 0;
	if (store_order_get(st, j->order_id, &o) != STORE_OK) {
		snprintf(err, errlen, "order %lld cannot be read", j->order_id);
		return CS_DOWN;
	}
	if (strcmp(j->kind, CA_JOB_SUBMIT) == 0) {
		if (o.state == WF_VERIFIED) {
			/* Queued by a send whose transaction has not
			 * committed (or failed: then the order waits for
			 * the operator's next send, which finds it here). */
			*later = 1;
			snprintf(err, errlen, "waiting for the order to be sent");
			return CS_DOWN;
		}
		if (o.state != WF_SENT_TO_CA)
			return CS_OK; /* issued meanwhile: nothing left to do */
		if (!caservice_is(ca)) {
			snprintf(err, errlen, "ca_connector %s cannot deliver a queued submission",
				 ca->name);
			return CS_DOWN;
		}
		return caservice_submit_now(ca, &o, code, err, errlen);
	}
	if (strcmp(j->kind, CA_JOB_REVOKE) == 0) {
		if (caservice_is(ca))
			return caservice_revoke_now(ca, &o, j->reason, err, errlen);
		return ca->revoke(ca, &o, j->reason, err, errlen) == 0 ? CS_OK : CS_DOWN;
	}
	snprintf(err, errlen, "unknown job kind %s", j->kind);
	return CS_REFUSED;
}

/* Seconds between the worker's passes. */
static int poll_secs(const struct config *cfg)
{
	return cfg->ca_poll_secs > 0 ? cfg->ca_poll_secs : 10;
}

int ca_queue_run_once(struct store *st, struct ca_connector *ca, const struct config *cfg,
		      time_t now)
{
	struct ca_job j;
	enum cs_result res;
	char err[512], code[CA_CODE_MAX];
	int rc, later, done = 0;

	for (;;) {
		rc = uc_ca_job_claim(st, now, CAQ_CLAIM_SECS, &j);
		if (rc == STORE_NOTFOUND)
			break;
		if (rc != STORE_OK) {
			log_warnx("ca queue: cannot read the queue");
			return -1;
		}
		err[0] = code[0] = '\0';
		res = caq_deliver(st, ca, &j, &later, code, err, sizeof(err));
		/* Out of reach past the retry window: the office decides. */
		if (res == CS_DOWN && !later && strcmp(j.kind, CA_JOB_SUBMIT) == 0 &&
		    now - j.created_at >= cfg->ca_retry_secs) {
			snprintf(code, CA_CODE_MAX, "ca_unreachable");
			res = CS_REFUSED;
		}
		if (res == CS_OK) {
			rc = uc_ca_job_delivered(st, &j, now);
			done++;
			if (strcmp(j.kind, CA_JOB_SUBMIT) == 0 && caservice_is(ca) &&
			    caservice_sync_order(ca, j.order_id, err, sizeof(err)) < 0)
				log_warnx("ca queue: order %lld: %s", j.order_id, err);
		} else if (res == CS_REFUSED) {
			log_warnx("ca queue: order %lld: the CA refused the %s: %s", j.order_id,
				  j.kind, err);
			rc = uc_ca_job_refused(st, &j, code[0] ? code : "refused", err, now);
			done++;
		} else if (later) {
			rc = store_ca_job_retry(st, j.id, j.attempts, now + CAQ_WAIT_SEND, err);
		} else {
			log_warnx("ca queue: order %lld: %s attempt %d failed: %s", j.order_id,
				  j.kind, j.attempts + 1, err);
			rc = store_ca_job_retry(st, j.id, j.attempts + 1,
						now + caq_backoff(cfg, j.attempts + 1), err);
		}
		if (rc != STORE_OK) {
			log_warnx("ca queue: order %lld: the outcome cannot be recorded",
				  j.order_id);
			return -1;
		}
		if (res == CS_DOWN && !later)
			break; /* the CA is down: the rest waits too */
	}
	/* One instance at a time asks about every waiting order: the one
	 * that holds the pass's lease, renewed each pass.  The lease is
	 * short (two passes and TASK_LEASE_SLACK): after a crash another
	 * instance takes the sync over within seconds, and a pass longer
	 * than that only means a sync made twice, applied by compare and
	 * set. */
	if (caservice_is(ca) &&
	    store_task_claim(st, "ca_sync", now, 2 * poll_secs(cfg) + TASK_LEASE_SLACK) ==
		    STORE_OK &&
	    caservice_sync(ca) < 0)
		log_warnx("ca queue: asking the CA about waiting orders failed; retrying later");
	return done;
}

/* ---- The thread ----------------------------------------------------------------------------- */

/* One pass over the queue, and the expiry reminders every
 * CAQ_REMINDERS_EVERY; then a sleep of ca_poll_secs unless kicked. */
static int queue_pass(void *arg)
{
	struct ca_worker *w = arg;
	time_t now = time(NULL);

	ca_queue_run_once(w->st, w->ca, w->cfg, now);
	if (now - w->last_reminders >= CAQ_REMINDERS_EVERY) {
		/* The reminders' pass by one instance at a time, as the sync. */
		if (store_task_claim(w->st, "reminders", now,
				     2 * CAQ_REMINDERS_EVERY + TASK_LEASE_SLACK) == STORE_OK &&
		    jobs_cert_reminders(w->st, w->cfg, now) < 0)
			log_warnx("reminders: pass failed; retrying later");
		w->last_reminders = now;
	}
	return poll_secs(w->cfg);
}

struct ca_worker *ca_worker_start(struct store *st, const struct config *cfg, char *err,
				  size_t errlen)
{
	struct ca_worker *w = calloc(1, sizeof(*w));
	int why;

	if (w == NULL) {
		snprintf(err, errlen, "ca worker: out of memory");
		return NULL;
	}
	w->st = st;
	w->cfg = cfg;
	if ((w->ca = ca_connector_open(cfg, st, err, errlen)) == NULL) {
		free(w);
		return NULL;
	}
	if ((w->thread = worker_start(queue_pass, w, 0, &why)) == NULL) {
		snprintf(err, errlen, "ca worker: cannot start: %s", strerror(why));
		ca_connector_close(w->ca);
		free(w);
		return NULL;
	}
	return w;
}

void ca_worker_kick(struct ca_worker *w)
{
	if (w != NULL)
		worker_kick(w->thread);
}

void ca_worker_stop(struct ca_worker *w)
{
	if (w == NULL)
		return;
	worker_stop(w->thread);
	/* Its passes' leases back: another instance, or this service
	 * started again, takes them at once. */
	store_task_release(w->st, "ca_sync");
	store_task_release(w->st, "reminders");
	ca_connector_close(w->ca);
	free(w);
}
