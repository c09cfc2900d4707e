/*
 * Orders (order.h): the one implementation of an order transition,
 * used by the pages, the jobs thread, the CA worker and the CLI.
 */
#include "app/order.h"

#include <stdio.h>
#include <string.h>

#include "app/order_mail.h"
#include "domain/audit.h"
#include "domain/catalog.h"
#include "util/escape.h"

int uc_order_move_tx(const struct app_env *env, const struct actor *a, struct order *o,
		     const struct order_move *m)
{
	return uc_order_move_by_tx(env, a, NULL, o, m);
}

int uc_order_move_by_tx(const struct app_env *env, const struct actor *a, const char *by,
			struct order *o, const struct order_move *m)
{
	struct audit_entry e;
	enum wf_state from;
	const char *note = m->note ? m->note : "";
	char detail[AUDIT_DETAIL_SIZE], plain[AUDIT_DETAIL_SIZE - 64];
	time_t now = m->now ? m->now : time(NULL);
	int to, rc;

	if ((from = o->state) >= WF_STATE__MAX || (to = workflow_next(from, m->ev, m->role)) < 0)
		return STORE_NOTFOUND;
	rc = store_order_transition_priced(env->store, o->id, from, (enum wf_state)to, m->total,
					   m->confirmed_at, m->prices, now);
	if (rc == STORE_OK)
		rc = store_order_event_add(env->store, o->id, (enum wf_state)to, by ? by : a->name,
					   note, now);
	if (rc == STORE_OK) {
		memset(&e, 0, sizeof(e));
		e.at = now;
		actor_audit_name(a, e.actor, sizeof(e.actor));
		audit_clean(e.addr, sizeof(e.addr), a->addr ? a->addr : "");
		audit_clean(e.action, sizeof(e.action), wf_event_name(m->ev));
		snprintf(e.object, sizeof(e.object), "order:%lld", o->id);
		snprintf(e.outcome, sizeof(e.outcome), "ok");
		i18n_note_plain(plain, sizeof(plain), note);
		if (snprintf(detail, sizeof(detail), "%s -> %s%s%s", wf_state_name(from),
			     wf_state_name((enum wf_state)to), *plain ? ": " : "",
			     plain) >= (int)sizeof(detail))
			detail[utf8_prefix(detail, sizeof(detail) - 1)] = '\0';
		audit_clean(e.detail, sizeof(e.detail), detail);
		rc = store_audit_append(env->store, &e);
	}
	if (rc == STORE_OK) {
		o->state = (enum wf_state)to;
		rc = order_mail_step(env, a, o, m);
		if (rc != STORE_OK)
			o->state = from;
	}
	return rc;
}

int uc_order_denied(const struct app_env *env, const struct actor *a, const struct order *o,
		    enum wf_event ev)
{
	char object[32];

	snprintf(object, sizeof(object), "order:%lld", o->id);
	return uc_audit(env, a, wf_event_name(ev), object, "denied", "from %s",
			wf_state_name(o->state));
}

int uc_order_move(const struct app_env *env, const struct actor *a, struct order *o,
		  const struct order_move *m)
{
	enum wf_state before = o->state;
	int rc;

	if (store_begin(env->store) != STORE_OK)
		return STORE_ERROR;
	rc = uc_order_move_tx(env, a, o, m);
	if (rc == STORE_NOTFOUND) {
		/* Nothing moved: the denial is all there is to record. */
		if (uc_order_denied(env, a, o, m->ev) != STORE_OK ||
		    store_commit(env->store) != STORE_OK) {
			store_rollback(env->store);
			return STORE_ERROR;
		}
		return rc;
	}
	if (rc != STORE_OK || store_commit(env->store) != STORE_OK) {
		store_rollback(env->store);
		o->state = before;
		return rc == STORE_OK ? STORE_ERROR : rc;
	}
	return STORE_OK;
}

struct uc_result uc_order_create(const struct app_env *env, const struct actor *a, struct order *o)
{
	struct uc_result res = {UC_OK, NULL, NULL};
	struct store *s = env->store;

	o->account_id = a->id;
	o->state = WF_DRAFT;
	o->created_at = o->updated_at = time(NULL);
	if (store_begin(s) != STORE_OK || store_order_create(s, o) != STORE_OK ||
	    store_order_event_add(s, o->id, o->state, a->name, "", o->created_at) != STORE_OK ||
	    uc_audit(env, a, "order.create", "", "ok", "%s order %lld", order_type_name(o->type),
		     o->id) != STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		res.status = UC_UNAVAILABLE;
		res.msg = "error.storage";
	}
	return res;
}

struct uc_result uc_order_edit(const struct app_env *env, const struct actor *a, struct order *o)
{
	int rc;

	o->updated_at = time(NULL);
	o->name_confirmed_at = 0; /* a changed name is checked again */
	o->name_confirmed_by[0] = '\0';
	/* The rewrite is several statements (the state's row, the order's,
	 * its search words): one transaction. */
	if (store_begin(env->store) != STORE_OK)
		return uc_result_of(STORE_ERROR, NULL);
	if ((rc = store_order_rewrite(env->store, o, o->state, a->id)) == STORE_OK)
		rc = store_commit(env->store);
	if (rc != STORE_OK)
		store_rollback(env->store);
	return uc_result_of(rc, "order.frozen");
}

struct uc_result uc_order_confirm(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o)
{
	struct uc_result res = {UC_OK, NULL, NULL};
	struct order_move m = {WF_EV_CONFIRM, WF_MEMBER, NULL, 0, 0, 0, NULL, NULL};
	struct invoice inv;
	struct order_prices prices;
	int rc;

	if (o->state == WF_RETURNED_TO_MEMBER) {
		/* Corrected by the member: paid at the prices fixed before. */
		m.note = i18n_note(ar, "note.corrected_by_member", NULL);
		rc = uc_order_move(env, a, o, &m);
	} else if (o->state == WF_CANCELLED) {
		res.status = UC_REFUSED;
		res.msg = "order.confirm_cancelled";
		return res;
	} else if (o->state != WF_DRAFT) {
		return res; /* a double click: the first one confirmed it */
	} else if (invoice_compute(o, env->catalog, &inv) != 0) {
		res.status = UC_REFUSED;
		res.msg = "order.tariff_gone";
		return res;
	} else {
		/* The prices fixed by the move itself. */
		prices.price_para = inv.lines[0].unit_para;
		prices.reader_para = inv.nlines > 1 ? inv.lines[1].unit_para : 0;
		prices.vat_pct = inv.vat_pct;
		m.total = inv.total_para;
		m.confirmed_at = time(NULL);
		m.prices = &prices;
		rc = uc_order_move(env, a, o, &m);
	}
	return uc_result_of(rc, NULL); /* STORE_NOTFOUND: confirmed meanwhile */
}

struct uc_result uc_order_cancel(const struct app_env *env, const struct actor *a, struct order *o)
{
	struct order_move m = {WF_EV_CANCEL, WF_MEMBER, NULL, 0, 0, 0, NULL, NULL};

	if (o->state == WF_CANCELLED) /* a second tab, the back button: done */
		return uc_ok;
	return uc_result_of(uc_order_move(env, a, o, &m), "order.cannot_cancel");
}
