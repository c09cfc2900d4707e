/*
 * Payments (payment.h).
 */
#include "app/payment.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/order_mail.h"
#include "domain/payment.h"
#include "store/store_payments.h"

static struct pay_ctx pay_ctx_of(const struct app_env *env, const struct actor *a)
{
	struct pay_ctx x = {env->store, a->kind == ACTOR_STAFF ? WF_OPERATOR : WF_SYSTEM, a,
			    time(NULL)};

	return x;
}

struct uc_result uc_payment_add(const struct app_env *env, const struct actor *a,
				const struct order *o, struct payment *p, const char **outcome)
{
	struct pay_ctx x = pay_ctx_of(env, a);
	struct payment_order po;
	int settled = 0, rc;

	if (store_begin(x.st) != STORE_OK)
		return uc_unavailable;
	rc = store_payment_order(x.st, o->id, &po);
	if (rc == STORE_OK)
		rc = pay_record(&x, p, &po, &settled);
	if (rc == STORE_OK)
		rc = store_commit(x.st);
	if (rc != STORE_OK) {
		store_rollback(x.st);
		if (rc != STORE_CONFLICT)
			return uc_unavailable;
	} else
		uc_mail_kick(env);
	*outcome = rc == STORE_CONFLICT ? "dup" : settled ? "settled" : "open";
	return uc_ok;
}

/* Assigns open payment p (no order) to order number `number`, matched
 * like a new payment.  In the caller's transaction.  Returns STORE_OK,
 * STORE_NOTFOUND when no such order is open to the actor, STORE_CONFLICT
 * when p was resolved meanwhile, or STORE_ERROR; *settled as for
 * pay_record. */
static int resolve_assign(struct pay_ctx *x, const struct payment *p,
			  const struct payment_resolution *in, int *settled)
{
	struct payment_order po;
	struct payment_match m;
	char object[32];
	int settle, rc;

	rc = store_payment_order(x->st, in->order, &po);
	if (rc == STORE_OK &&
	    (po.state == WF_DRAFT || (*in->office && strcmp(po.office, in->office) != 0)))
		rc = STORE_NOTFOUND;
	if (rc != STORE_OK)
		return rc;
	if (payment_match(1, po.total_para, po.paid_para, p->amount_para, &m) != 0)
		return STORE_ERROR;
	settle = m.result == MATCH_EXACT && pay_may_settle(x, po.state);
	rc = store_payment_assign(x->st, p->id, po.id, match_result_name(m.result),
				  settle ? "paid" : NULL, x->who->name, x->now);
	if (rc == STORE_NOTFOUND)
		return STORE_CONFLICT; /* resolved meanwhile */
	snprintf(object, sizeof(object), "payment:%lld", p->id);
	if (rc == STORE_OK)
		rc = pay_audit(x, "payment.assign", object, "ok", "to order %lld: %s%s%s%s", po.id,
			       match_result_name(m.result), settle ? " (settled)" : "",
			       *in->note ? "; " : "", in->note);
	if (rc == STORE_OK && settle)
		rc = pay_settle(x, &po, p->id, p->amount_para, in->note);
	else if (rc == STORE_OK && m.result == MATCH_PARTIAL && pay_may_settle(x, po.state))
		rc = order_mail_paid_part(x->st, po.id, p->amount_para, m.paid_para, m.due_para);
	*settled = settle && rc == STORE_OK;
	return rc;
}

/* Accepts (settling the order when its state allows) or refunds open
 * payment p.  In the caller's transaction.  STORE_CONFLICT when it was
 * resolved meanwhile; *ended set (nothing written) when p's order has
 * ended: its money goes back, it is not kept. */
static int resolve_close(struct pay_ctx *x, const struct payment *p, int refund, const char *note,
			 int *settled, int *ended)
{
	struct payment_order po;
	char object[32];
	int settle = 0, rc;

	if (!refund && p->order_id != 0) {
		if ((rc = store_payment_order(x->st, p->order_id, &po)) != STORE_OK)
			return STORE_ERROR;
		if (workflow_final(po.state)) {
			*ended = 1;
			return STORE_CONFLICT;
		}
		settle = pay_may_settle(x, po.state);
	}
	rc = store_payment_resolve(x->st, p->id, refund ? "refunded" : "accepted", x->who->name,
				   note, x->now);
	if (rc != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_CONFLICT : rc; /* resolved meanwhile */
	snprintf(object, sizeof(object), "payment:%lld", p->id);
	rc = pay_audit(x, refund ? "payment.refund" : "payment.accept", object, "ok",
		       "order %lld%s: %s", p->order_id, settle ? " (settled)" : "", note);
	if (rc == STORE_OK && settle)
		rc = pay_settle(x, &po, p->id, p->amount_para, note);
	*settled = settle && rc == STORE_OK;
	return rc;
}

struct uc_result uc_payment_resolve(const struct app_env *env, const struct actor *a,
				    const struct payment *p, const struct payment_resolution *in,
				    int *settled)
{
	struct pay_ctx x = pay_ctx_of(env, a);
	struct uc_result res = uc_ok;
	int ended = 0, rc;

	*settled = 0;
	if (store_begin(x.st) != STORE_OK)
		return uc_unavailable;
	if (strcmp(in->action, "assign") == 0)
		rc = resolve_assign(&x, p, in, settled);
	else
		rc = resolve_close(&x, p, strcmp(in->action, "refund") == 0, in->note, settled,
				   &ended);
	if (rc == STORE_OK)
		rc = store_commit(x.st);
	if (rc != STORE_OK) {
		store_rollback(x.st);
		*settled = 0;
		if (rc == STORE_NOTFOUND) {
			res.status = UC_REFUSED;
			res.field = "order";
			res.msg = "pay.order_unknown";
		} else if (rc == STORE_CONFLICT) {
			res.status = UC_REFUSED;
			res.msg = ended ? "pay.accept_ended" : "pay.resolved_already";
		} else
			res = uc_unavailable;
	} else
		uc_mail_kick(env);
	return res;
}

int uc_payments_import(const struct app_env *env, const struct actor *a, const char *file_name,
		       const char *data, size_t len, int format, struct pay_import_result *out)
{
	struct pay_ctx x = pay_ctx_of(env, a);
	int rc = payments_import(&x, file_name, data, len, format, out);

	if (rc == STORE_OK)
		uc_mail_kick(env);
	return rc;
}
