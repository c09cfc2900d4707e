/*
 * Work done outside a web request: the periodic jobs of the server
 * (expiry of orders that were never completed) and order transitions
 * made by the system, the CA or the command line.
 *
 * These run without an HTTP request: jobs_order_apply() records a
 * transition by the system's name (an ACTOR_SYSTEM, no client address)
 * through the one implementation, uc_order_move_tx (app/order.h).
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
int jobs_expire_orders(struct store *st, const struct config *cfg, time_t now);
/* 1 when order id was once returned by the CA: corrected by the office
 * or by the member since, it waits for new papers, and its first
 * confirmation's age says nothing of that wait, so it is not expired
 * (the office rejects it, with a refund, if they never come); 0 when
 * not; -1 on a store error. */
int jobs_returned_once(struct store *st, long long id);

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
