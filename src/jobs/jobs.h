/*
 * Work done outside a web request: the periodic jobs of the server
 * (expiry of orders that were never completed) and order transitions
 * made by the system, the CA or the command line.
 *
 * These run without an HTTP request, so they record transitions with
 * jobs_order_apply() instead of order_apply() (web/transition.c): the
 * same workflow table decides, the same compare-and-set moves the
 * order, and the status history and audit log get the same entries,
 * with the actor named by the caller and no client address.
 */
#ifndef QCRA_JOBS_H
#define QCRA_JOBS_H

#include <time.h>

#include "app/app.h"
#include "core/config.h"
#include "domain/workflow.h"
#include "store/store.h"

/*
 * Moves order o by event ev done by role, if the workflow allows it:
 * compare-and-set in the store, a status-history entry by `actor` with
 * `note`, and an audit entry (actor, action = the event's name, object
 * "order:N").  Runs inside the caller's open transaction (the caller
 * commits or rolls back).  Returns STORE_OK with o->state updated,
 * STORE_NOTFOUND when the workflow does not allow it now or another
 * process moved the order first (nothing written), or STORE_ERROR.
 */
int jobs_order_apply(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
		     const char *actor, const char *note, time_t now);

/*
 * Expiry (expire.c): every order confirmed more than
 * cfg->order_expiry_days days before `now` and still waiting for its
 * documents or payment moves to "expired" (event expire, role system),
 * each in its own transaction together with its history, audit entry
 * and a mail to the member.  Needs the message catalogue (i18n_load).
 * Returns how many orders expired, or -1 when the store failed (what
 * was done stays done; the next run continues).
 */
/* The one implementation of an order transition (web requests call it
 * through order_apply_tx): the workflow decides; the store moves the
 * order by compare-and-set; the history entry (by history_actor) and
 * the audit entry (audit_actor, addr) are written in the caller's open
 * transaction.  STORE_OK with o->state updated, STORE_NOTFOUND when the
 * workflow (or a concurrent change) does not allow it, STORE_ERROR. */
int order_transition_tx(struct store *st, struct order *o, enum wf_event ev, enum wf_role role,
			const char *history_actor, const char *audit_actor, const char *addr,
			const char *note, long long total, time_t confirmed_at, time_t now);

int jobs_expire_orders(struct store *st, const struct config *cfg, time_t now);

/*
 * The CA refused order o's registration (or could not be reached past
 * the retry window: ca_code "ca_unreachable"): the order is returned
 * for correction (event ca_refused by role) with the reason, in the
 * caller's open transaction: history note (the reason in the reader's
 * language, by `by`, NULL: a's name), audit entry (by a), returned_code
 * (order_return_code) and the CA's words for staff.  Returns as
 * uc_order_move_tx.
 */
int jobs_order_return(struct store *st, struct order *o, enum wf_role role, const struct actor *a,
		      const char *by, const char *ca_code, const char *ca_text, time_t now);
/* The reason code the portal explains (catalogue "return.<code>") for
 * the CA's code ca_code: itself when known, else "refused". */
const char *order_return_code(const char *ca_code);

#endif
