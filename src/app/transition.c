/*
 * Order transitions by callers that name their actor with strings (the
 * jobs thread, the CA worker, the command line): a wrapper of the one
 * implementation, uc_order_move_tx (app/order.h).
 */
#include <string.h>

#include "app/order.h"
#include "app/jobs.h"

int order_transition_tx(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
			const char *history_actor, const char *audit_actor, const char *addr,
			const char *note, long long total, time_t confirmed_at, time_t now)
{
	struct app_env env = {NULL, NULL, st, NULL, NULL};
	struct actor a = {ACTOR_SYSTEM, 0, history_actor, addr ? addr : "", LANG_SR};
	struct order_move m = {ev, role, note, total, confirmed_at, now};

	/* "operator:NAME" / "member:NAME" for a person, else the system's
	 * own name for both. */
	if (strncmp(audit_actor, "operator:", 9) == 0 &&
	    strcmp(audit_actor + 9, history_actor) == 0)
		a.kind = ACTOR_STAFF;
	else if (strncmp(audit_actor, "member:", 7) == 0 &&
		 strcmp(audit_actor + 7, history_actor) == 0)
		a.kind = ACTOR_MEMBER;
	return uc_order_move_tx(&env, &a, o, &m);
}

int jobs_order_apply(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
		     const char *actor, const char *note, time_t now)
{
	return order_transition_tx(st, o, ev, role, actor, actor, "", note, 0, 0, now);
}
