/*
 * Order transitions made outside a web request (jobs.h): the periodic
 * jobs, the CA and the command line.  The twin of web/transition.c,
 * which takes the actor and client address from the request.
 */
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "domain/audit.h"
#include "jobs/jobs.h"

int order_transition_tx(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
			const char *history_actor, const char *audit_actor, const char *addr,
			const char *note, long long total, time_t confirmed_at, time_t now)
{
	struct audit_entry e;
	enum wf_state from;
	const char *to_name;
	char detail[600], plain[512];
	int to, rc;

	if (wf_state_parse(o->state, &from) != 0 || (to = workflow_next(from, ev, role)) < 0)
		return STORE_NOTFOUND;
	to_name = wf_state_name((enum wf_state)to);
	note = note ? note : "";
	rc = store_order_transition(st, o->id, o->state, to_name, total, confirmed_at, now);
	if (rc == STORE_OK)
		rc = store_order_event_add(st, o->id, to_name, history_actor, note, now);
	if (rc == STORE_OK) {
		memset(&e, 0, sizeof(e));
		e.at = now;
		audit_clean(e.actor, sizeof(e.actor), audit_actor);
		audit_clean(e.addr, sizeof(e.addr), addr ? addr : "");
		audit_clean(e.action, sizeof(e.action), wf_event_name(ev));
		snprintf(e.object, sizeof(e.object), "order:%lld", o->id);
		snprintf(e.outcome, sizeof(e.outcome), "ok");
		i18n_note_plain(plain, sizeof(plain), note);
		snprintf(detail, sizeof(detail), "%s -> %s%s%s", o->state, to_name,
			 *plain ? ": " : "", plain);
		audit_clean(e.detail, sizeof(e.detail), detail);
		rc = store_audit_append(st, &e);
	}
	if (rc == STORE_OK)
		snprintf(o->state, sizeof(o->state), "%s", to_name);
	return rc;
}

int jobs_order_apply(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
		     const char *actor, const char *note, time_t now)
{
	return order_transition_tx(st, o, ev, role, actor, actor, "", note, 0, 0, now);
}
