/*
 * Order transitions made by a web request inside the handler's own
 * transaction: the actor and client address come from the session, the
 * transition is uc_order_move_tx (app/order.h).
 */
#include "app/order.h"
#include "web/app.h"

int order_apply_tx(struct req *r, struct order *o, enum wf_event ev, enum wf_role role,
		   const char *note)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct order_move m = {ev, role, note, 0, 0, 0};
	int rc = uc_order_move_tx(&env, &who, o, &m);

	if (rc == STORE_NOTFOUND)
		uc_order_denied(&env, &who, o, ev);
	return rc;
}
