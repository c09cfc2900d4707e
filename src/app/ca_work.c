/*
 * The CA worker's and connectors' records in the portal (ca_work.h):
 * each a transaction of its own, so that the connector (below the
 * pages, beside the use cases) only speaks to the CA.
 */
#include <stdio.h>
#include <string.h>

#include "app/ca_work.h"
#include "app/jobs.h"
#include "app/reminders.h"
#include "core/i18n.h"
#include "domain/audit.h"
#include "util/log.h"

/* An audit entry by actor about order_id; a failure is logged, not
 * fatal (the work it describes is done). */
static void ca_audit(struct store *st, const char *actor, const char *action, long long order_id,
		     const char *outcome, const char *detail)
{
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.at = time(NULL);
	snprintf(e.actor, sizeof(e.actor), "%s", actor);
	snprintf(e.action, sizeof(e.action), "%s", action);
	snprintf(e.object, sizeof(e.object), "order:%lld", order_id);
	snprintf(e.outcome, sizeof(e.outcome), "%s", outcome);
	audit_clean(e.detail, sizeof(e.detail), detail);
	if (store_audit_append(st, &e) != STORE_OK)
		log_warnx("%s: order %lld: audit entry not written", actor, order_id);
}

static void job_audit(struct store *st, const struct ca_job *j, const char *outcome,
		      const char *detail)
{
	char action[48];

	snprintf(action, sizeof(action), "ca.%s", j->kind);
	ca_audit(st, "system:ca-queue", action, j->order_id, outcome, detail);
}

/* Commits when rc is STORE_OK, else rolls back; STORE_OK or
 * STORE_ERROR (keep: a STORE_NOTFOUND to hand back as it is). */
static int finish(struct store *st, int rc, int keep)
{
	if (rc != STORE_OK || store_commit(st) != STORE_OK) {
		store_rollback(st);
		return rc == keep ? rc : STORE_ERROR;
	}
	return STORE_OK;
}

int uc_ca_job_claim(struct store *st, time_t now, time_t hold, struct ca_job *j)
{
	int rc;

	if (store_begin(st) != STORE_OK)
		return STORE_ERROR;
	rc = store_ca_job_claim(st, now, now + hold, j);
	return finish(st, rc, STORE_NOTFOUND);
}

int uc_ca_job_delivered(struct store *st, const struct ca_job *j, time_t now)
{
	int rc;

	if (store_begin(st) != STORE_OK)
		return STORE_ERROR;
	rc = store_ca_job_done(st, j->id, now, 0, "");
	if (rc == STORE_OK)
		job_audit(st, j, "ok", j->attempts ? "delivered after the CA was back" : "");
	return finish(st, rc, STORE_OK);
}

int uc_ca_job_refused(struct store *st, const struct ca_job *j, const char *code, const char *why,
		      time_t now)
{
	static const struct actor ca = {ACTOR_SYSTEM, 0, "ca:service", "", LANG_SR};
	struct order o;
	int rc;

	if (store_begin(st) != STORE_OK)
		return STORE_ERROR;
	rc = store_ca_job_done(st, j->id, now, 1, why);
	if (rc == STORE_OK && strcmp(j->kind, CA_JOB_SUBMIT) == 0 &&
	    store_order_get(st, j->order_id, &o) == STORE_OK &&
	    jobs_order_return(st, &o, strcmp(code, "ca_unreachable") == 0 ? WF_SYSTEM : WF_CA, &ca,
			      NULL, code, why, now) == STORE_ERROR)
		rc = STORE_ERROR;
	if (rc == STORE_OK)
		job_audit(st, j, "denied", why);
	return finish(st, rc, STORE_OK);
}

int uc_ca_cert_record(struct store *st, const char *base_url, struct ca_cert *cert)
{
	struct ca_cert old;
	struct order o;
	char note[160];
	int rc, moved = 0;

	memset(&old, 0, sizeof(old)); /* none recorded before: not revoked */
	if (store_order_get(st, cert->order_id, &o) != STORE_OK)
		return -1;
	cert->recorded_at = time(NULL);
	if (store_begin(st) != STORE_OK)
		return -1;
	rc = store_ca_cert_get(st, cert->order_id, &old);
	if (rc == STORE_OK && old.revoked_at != 0 && cert->revoked_at == 0) {
		cert->revoked_at = old.revoked_at; /* never un-revoke */
		snprintf(cert->revoke_reason, sizeof(cert->revoke_reason), "%s", old.revoke_reason);
	}
	rc = rc == STORE_ERROR ? rc : store_ca_cert_put(st, cert);
	if (rc == STORE_OK && o.state == WF_SENT_TO_CA) {
		i18n_note_to(note, sizeof(note), "hist.ca_issued", "serial", cert->serial, NULL);
		rc = jobs_order_apply(st, &o, WF_EV_ISSUE, WF_CA, "ca:service", note, time(NULL));
		moved = rc == STORE_OK;
		if (rc == STORE_NOTFOUND) /* moved meanwhile */
			rc = STORE_OK;
	}
	if (rc == STORE_OK && cert->revoked_at != 0 && (old.revoked_at == 0 || moved)) {
		ca_audit(st, "ca:service", "ca.revoked", cert->order_id, "ok", cert->revoke_reason);
		/* The holder hears it from the portal too (with the order). */
		rc = jobs_mail_cert_revoked(st, base_url, &o, cert->revoked_at);
	}
	return finish(st, rc, STORE_OK) == STORE_OK ? moved : -1;
}
