/*
 * Order transitions by the system, named by a string (the jobs thread,
 * the CA worker): the one implementation, uc_order_move_tx
 * (app/order.h), by an ACTOR_SYSTEM of that name.
 */
#include "app/order.h"
#include "app/jobs.h"

int jobs_order_apply(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
		     const char *actor, const char *note, time_t now)
{
	struct app_env env = {NULL, NULL, st, NULL, NULL};
	struct actor a = {ACTOR_SYSTEM, 0, actor, "", LANG_SR};
	struct order_move m = {ev, role, note, 0, 0, now, NULL, NULL};

	return uc_order_move_tx(&env, &a, o, &m);
}
