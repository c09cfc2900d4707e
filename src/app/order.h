/*
 * Orders (use cases, app.h): moving an order through the workflow, and
 * the member's own actions on it.
 */
#ifndef QCRA_APP_ORDER_H
#define QCRA_APP_ORDER_H

#include "app/app.h"
#include "domain/order.h"

/* One step of an order through the workflow (domain/workflow.h). */
struct order_move {
	enum wf_event ev;
	enum wf_role role;
	const char *note;    /* the history note (i18n_note's form), or NULL */
	long long total;     /* confirmation: the invoice total, else 0 */
	time_t confirmed_at; /* confirmation: when, else 0 */
	time_t now;          /* 0: the clock */
	/* More name, value pairs for the member's mail about the move
	 * (order_mail.h), NULL-terminated; or NULL. */
	const char *const *mail;
	/* confirmation: the prices fixed with the move (one UPDATE), or NULL */
	const struct order_prices *prices;
};

/*
 * Moves order o as m says, done by actor a, if the workflow allows it:
 * compare-and-set in the store, a history entry (by a's name, with the
 * note), an audit entry (a, the event's name, "order:N") and the
 * member's mail about it (order_mail_step), in the caller's open
 * transaction.  Returns STORE_OK with o->state updated;
 * STORE_NOTFOUND when the workflow does not allow it now or another
 * process moved the order first (nothing written); STORE_ERROR.
 */
int uc_order_move_tx(const struct app_env *env, const struct actor *a, struct order *o,
		     const struct order_move *m);

/* The same, with the history naming `by` (NULL: a's name) as the one
 * who moved it: a refusal the CA gave at an operator's send is the
 * CA's ("ca:service") in the history, the operator's in the audit. */
int uc_order_move_by_tx(const struct app_env *env, const struct actor *a, const char *by,
			struct order *o, const struct order_move *m);

/* The audit entry of a move refused to a person (outcome "denied",
 * "from STATE"), in the open transaction. */
int uc_order_denied(const struct app_env *env, const struct actor *a, const struct order *o,
		    enum wf_event ev);

/* uc_order_move_tx in a transaction of its own (o->state unchanged
 * unless it committed); a refused move is recorded (uc_order_denied). */
int uc_order_move(const struct app_env *env, const struct actor *a, struct order *o,
		  const struct order_move *m);

/* The member (a) starts order o, filled from their form: a draft, with
 * its first history entry and an audit entry.  o->id is set. */
struct uc_result uc_order_create(const struct app_env *env, const struct actor *a, struct order *o);

/* The member changes their order o (the form's values over the stored
 * order, o->state as loaded): UC_REFUSED ("order.frozen") when it has
 * moved meanwhile to a state they may not change.  A name changed is
 * checked against the ID document again. */
struct uc_result uc_order_edit(const struct app_env *env, const struct actor *a, struct order *o);

/*
 * The member confirms order o (theirs, loaded by the caller): a draft
 * gets its prices fixed from the tariff (UC_REFUSED, "order.tariff_gone"
 * when the tariff no longer prices it); an order the office returned to
 * the member goes back to the office at the prices fixed before.  An
 * order confirmed meanwhile (a double click) is UC_OK too.
 */
struct uc_result uc_order_confirm(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o);

/* The member cancels order o: UC_REFUSED ("order.cannot_cancel") when
 * its state does not allow it. */
struct uc_result uc_order_cancel(const struct app_env *env, const struct actor *a, struct order *o);

#endif
