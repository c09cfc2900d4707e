/*
 * Order transitions made by a web request: the actor and client
 * address come from the session; the transition itself (workflow check,
 * compare-and-set, history, audit) is order_transition_tx in
 * jobs/transition.c, the one implementation shared with jobs and CLIs.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jobs/jobs.h"
#include "web/app.h"

int order_apply_tx(struct req *r, struct order *o, enum wf_event ev, enum wf_role role,
		   const char *actor, const char *note, long long total, time_t confirmed_at)
{
	const struct session_user *m = session_user(r);
	const struct ra_user *u = ra_user(r);
	char audit_actor[96], object[32];
	int rc;

	if (u != NULL)
		snprintf(audit_actor, sizeof(audit_actor), "operator:%s", u->username);
	else if (m != NULL)
		snprintf(audit_actor, sizeof(audit_actor), "member:%s", m->username);
	else
		snprintf(audit_actor, sizeof(audit_actor), "%s", actor);
	rc = order_transition_tx(app_of(r)->store, o, ev, role, actor, audit_actor, r->client_addr,
				 note, total, confirmed_at, time(NULL));
	if (rc == STORE_NOTFOUND) {
		snprintf(object, sizeof(object), "order:%lld", o->id);
		app_audit(r, wf_event_name(ev), object, "denied", "from %s", o->state);
	}
	return rc;
}

int order_apply_then(struct req *r, struct order *o, enum wf_event ev, enum wf_role role,
		     const char *actor, const char *note, long long total, time_t confirmed_at,
		     int (*then)(struct req *r, struct order *o, void *arg), void *arg)
{
	struct store *s = app_of(r)->store;
	char before[sizeof(o->state)];
	int rc;

	memcpy(before, o->state, sizeof(before));
	if (store_begin(s) != STORE_OK)
		return STORE_ERROR;
	rc = order_apply_tx(r, o, ev, role, actor, note, total, confirmed_at);
	if (rc == STORE_OK && then != NULL)
		rc = then(r, o, arg);
	if (rc != STORE_OK || store_commit(s) != STORE_OK) {
		store_rollback(s);
		memcpy(o->state, before, sizeof(before));
		return rc == STORE_OK ? STORE_ERROR : rc;
	}
	return STORE_OK;
}

int order_apply(struct req *r, struct order *o, enum wf_event ev, enum wf_role role,
		const char *actor, const char *note, long long total, time_t confirmed_at)
{
	return order_apply_then(r, o, ev, role, actor, note, total, confirmed_at, NULL, NULL);
}
