/*
 * The one place where an order changes state: the workflow table says
 * whether (state, event, role) is allowed; the store moves the order
 * with a compare-and-set on the old state; the status history and the
 * audit log get their entries in the same transaction (ASVS 2.3.3).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/app.h"

int order_apply_tx(struct req *r, struct order *o, enum wf_event ev, enum wf_role role,
		   const char *actor, const char *note, long long total, time_t confirmed_at)
{
	struct store *s = app_of(r)->store;
	enum wf_state from;
	time_t now = time(NULL);
	char object[32];
	const char *to_name;
	int to, rc;

	snprintf(object, sizeof(object), "order:%lld", o->id);
	if (wf_state_parse(o->state, &from) != 0 || (to = workflow_next(from, ev, role)) < 0) {
		app_audit(r, wf_event_name(ev), object, "denied", "from %s", o->state);
		return STORE_NOTFOUND;
	}
	to_name = wf_state_name((enum wf_state)to);
	rc = store_order_transition(s, o->id, o->state, to_name, total, confirmed_at, now);
	if (rc == STORE_OK)
		rc = store_order_event_add(s, o->id, to_name, actor, note ? note : "", now);
	if (rc == STORE_OK)
		rc = app_audit(r, wf_event_name(ev), object, "ok", "%s -> %s%s%s", o->state,
			       to_name, note && *note ? ": " : "", note ? note : "");
	if (rc == STORE_OK)
		snprintf(o->state, sizeof(o->state), "%s", to_name);
	return rc;
}

int order_apply(struct req *r, struct order *o, enum wf_event ev, enum wf_role role,
		const char *actor, const char *note, long long total, time_t confirmed_at)
{
	struct store *s = app_of(r)->store;
	char before[sizeof(o->state)];
	int rc;

	memcpy(before, o->state, sizeof(before));
	if (store_begin(s) != STORE_OK)
		return STORE_ERROR;
	rc = order_apply_tx(r, o, ev, role, actor, note, total, confirmed_at);
	if (rc != STORE_OK || store_commit(s) != STORE_OK) {
		store_rollback(s);
		memcpy(o->state, before, sizeof(before));
		return rc == STORE_OK ? STORE_ERROR : rc;
	}
	return STORE_OK;
}
