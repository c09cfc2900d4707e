/*
 * The office's actions on an order (office.h).  An action the order's
 * state no longer allows changes nothing and is audited as denied.
 */
#include "app/office.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/order.h"
#include "app/ca_port.h"
#include "app/jobs.h"
#include "store/store_office.h"
#include "util/buf.h"
#include "util/log.h"

int office_may(const struct order *o, enum wf_event ev)
{
	enum wf_state s;

	return (s = o->state) < WF_STATE__MAX && workflow_next(s, ev, WF_OPERATOR) >= 0;
}

enum lang office_member_lang(const struct app_env *env, const struct order *o)
{
	struct account a;
	enum lang l = LANG_SR;

	if (store_account_get(env->store, o->account_id, &a) == STORE_OK)
		i18n_parse(a.lang, &l);
	return l;
}

static const char *order_object(struct arena *ar, const struct order *o)
{
	return arena_printf(ar, "order:%lld", o->id);
}

struct uc_result office_end(const struct app_env *env, const struct actor *a, struct order *o,
			    enum wf_event ev, int rc)
{
	if (rc == STORE_OK)
		rc = store_commit(env->store);
	if (rc == STORE_OK) {
		uc_mail_kick(env);
		return uc_ok;
	}
	store_rollback(env->store);
	if (rc == STORE_NOTFOUND && store_order_get(env->store, o->id, o) == STORE_OK) {
		uc_order_denied(env, a, o, ev);
		return uc_refused(NULL, OFFICE_WRONG_STATE);
	}
	return uc_unavailable;
}

/* The move by an operator, in the open transaction. */
static int move(const struct app_env *env, const struct actor *a, struct order *o, enum wf_event ev,
		const char *note)
{
	struct order_move m = {ev, WF_OPERATOR, note, 0, 0, 0, NULL, NULL};

	return uc_order_move_tx(env, a, o, &m);
}

/* ---- Documents -------------------------------------------------------------------------- */

size_t office_checklist(const struct app_env *env, struct arena *ar, enum order_type t, enum lang l,
			const char **names, const char **texts)
{
	const struct catalog *cat = env->catalog;
	size_t i, n = 0;

	if (names != NULL)
		names[n] = "doc_request";
	texts[n++] = i18n_get(l, "bo.check_request");
	if (names != NULL)
		names[n] = "doc_contract";
	texts[n++] = i18n_get(l, "bo.check_contract");
	for (i = 0; i < cat->ndocs && n < OFFICE_CHECK_MAX; i++)
		if (cat->docs[i].types & (1u << t)) {
			if (names != NULL)
				names[n] = arena_printf(ar, "doc_%zu", i);
			texts[n++] = cat->docs[i].text[l];
		}
	return n;
}

/* The unticked items of the checklist: one "- text" line each (lines)
 * or joined with "; " (for the status history). */
static const char *missing_list(struct arena *ar, const struct office_docs *in, const char **texts,
				size_t n, int lines)
{
	struct buf b = BUF_INIT;
	const char *out;
	size_t i;

	for (i = 0; i < n && i < in->n; i++)
		if (!in->ticked[i]) {
			if (lines)
				buf_printf(&b, "- %s\n", texts[i]);
			else
				buf_printf(&b, "%s%s", b.len ? "; " : "", texts[i]);
		}
	out = arena_strdup(ar, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* The missing items joined for the history, in l. */
static const char *missing_in(const struct app_env *env, struct arena *ar, const struct order *o,
			      const struct office_docs *in, enum lang l)
{
	const char *texts[OFFICE_CHECK_MAX];
	size_t n = office_checklist(env, ar, o->type, l, NULL, texts);

	return missing_list(ar, in, texts, n, 0);
}

struct uc_result uc_office_documents(const struct app_env *env, const struct actor *a,
				     struct arena *ar, struct order *o,
				     const struct office_docs *in, int *complete)
{
	const char *texts_sr[OFFICE_CHECK_MAX], *texts_m[OFFICE_CHECK_MAX];
	const char *note, *note_remark, *mail_remark;
	const char *mail[] = {"missing", "", "remark", "", NULL};
	struct order_move m = {WF_EV_DOCS_OK, WF_OPERATOR, NULL, 0, 0, 0, mail, NULL};
	enum wf_event ev;
	enum lang ml;
	size_t n, i, missing = 0;
	int rc;

	for (i = 0; i < in->n; i++)
		if (!in->ticked[i])
			missing++;
	ev = missing == 0 ? WF_EV_DOCS_OK : WF_EV_DOCS_MISSING;
	*complete = missing == 0;
	if (!office_may(o, ev)) /* still incomplete: the order already waits for the rest */
		return uc_refused(NULL, "bo.docs_still_missing");
	ml = office_member_lang(env, o);
	n = office_checklist(env, ar, o->type, LANG_SR, NULL, texts_sr);
	office_checklist(env, ar, o->type, ml, NULL, texts_m);
	note_remark = *in->remark ? arena_printf(ar, "; %s", in->remark) : "";
	if (ev == WF_EV_DOCS_OK)
		note = i18n_note(ar, "bo.note_docs_ok", "remark", note_remark, NULL);
	else /* the list as each reader reads it (i18n.h: "name#CODE") */
		note = i18n_note(
			ar, "bo.note_docs_missing", "missing", missing_list(ar, in, texts_sr, n, 0),
			"missing#en", missing_in(env, ar, o, in, LANG_EN), "missing#sr-Cyrl",
			missing_in(env, ar, o, in, LANG_SR_CYRL), "remark", note_remark, NULL);
	mail_remark = "";
	if (*in->remark)
		mail_remark = i18n_format(ar, ml, "bo.mail_remark", "remark", in->remark, NULL);
	mail[1] = missing_list(ar, in, texts_m, n, 1);
	mail[3] = mail_remark;
	m.ev = ev;
	m.note = note;
	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = uc_order_move_tx(env, a, o, &m); /* the mail: order_mail.c */
	return office_end(env, a, o, ev, rc);
}

/* ---- Verify ------------------------------------------------------------------------------ */

struct uc_result uc_office_verify(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, int name_confirmed)
{
	const char *note;
	int rc, confirm = o->name_differs && o->name_confirmed_at == 0;

	if (confirm && !name_confirmed)
		return uc_refused("name_confirmed", "bo.name_confirm_required");
	note = i18n_note(ar, "bo.note_verified", "@id_type",
			 strcmp(o->id_type, "passport") == 0 ? "order.passport" : "order.id_card",
			 "id_number", o->id_number, NULL);
	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = move(env, a, o, WF_EV_VERIFY, note);
	if (rc == STORE_OK && confirm)
		rc = store_order_confirm_name(env->store, o->id, a->name, time(NULL));
	if (rc == STORE_OK && confirm)
		rc = uc_audit(env, a, "order.name_confirmed", order_object(ar, o), "ok",
			      "%s %s checked against %s %s", o->first_name, o->last_name,
			      o->id_type, o->id_number);
	return office_end(env, a, o, WF_EV_VERIFY, rc);
}

/* ---- Send to the CA ---------------------------------------------------------------------- */

/* The CA refused o at send: returned for correction with the CA's
 * reason, in a transaction of its own (the send's was rolled back).
 * The history names the CA, the audit the operator. */
static struct uc_result send_refused(const struct app_env *env, const struct actor *a,
				     struct order *o, const char *code, const char *text)
{
	int rc;

	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = jobs_order_return(env->store, o, WF_OPERATOR, a, "ca:service", code, text, time(NULL));
	return office_end(env, a, o, WF_EV_CA_REFUSE, rc);
}

struct uc_result uc_office_send(const struct app_env *env, const struct actor *a, struct arena *ar,
				struct order *o, struct ca_connector *ca, const char *why,
				int *returned, char *err, size_t errlen)
{
	struct store *s = env->store;
	struct ca_request cr;
	char ref[CA_REF_MAX], code[CA_CODE_MAX];
	const char *note;
	int rc, sub;

	*returned = 0;
	if (o->name_differs && o->name_confirmed_at == 0)
		return uc_refused(NULL, "bo.name_unconfirmed");
	err[0] = code[0] = '\0';
	if (ca == NULL)
		snprintf(err, errlen, "%s", why ? why : "");
	/* The transaction opens first, so that a connector which queues the
	 * order (CA unreachable) does it in the same commit as the send. */
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	sub = ca == NULL ? CA_SUBMIT_FAILED : ca->submit(ca, o, ref, code, err, errlen);
	if (sub == CA_SUBMIT_REFUSED) {
		store_rollback(s);
		uc_audit(env, a, wf_event_name(WF_EV_SEND), order_object(ar, o), "denied",
			 "CA: %s [%s]", err, code);
		*returned = 1;
		return send_refused(env, a, o, code, err);
	}
	if (sub != CA_SUBMIT_OK) {
		store_rollback(s);
		uc_audit(env, a, wf_event_name(WF_EV_SEND), order_object(ar, o), "failed", "CA: %s",
			 err);
		return (struct uc_result){UC_UNAVAILABLE, NULL, "bo.ca_failed"};
	}
	memset(&cr, 0, sizeof(cr));
	cr.order_id = o->id;
	snprintf(cr.connector, sizeof(cr.connector), "%s", ca->name);
	snprintf(cr.reference, sizeof(cr.reference), "%s", ref);
	cr.submitted_at = time(NULL);
	note = i18n_note(ar, "bo.note_sent", "reference", ref, NULL);
	rc = store_ca_request_put(s, &cr);
	if (rc == STORE_OK)
		rc = move(env, a, o, WF_EV_SEND, note);
	if (rc == STORE_OK && o->returned_code[0] != '\0')
		rc = store_order_set_returned(s, o->id, "", "");
	return office_end(env, a, o, WF_EV_SEND, rc);
}

/* ---- Reject -------------------------------------------------------------------------------- */

struct uc_result uc_office_reject(const struct app_env *env, const struct actor *a,
				  struct arena *ar, struct order *o, const char *reason)
{
	int rc;

	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = move(env, a, o, WF_EV_REJECT, reason); /* the mail: order_mail.c */
	return office_end(env, a, o, WF_EV_REJECT, rc);
}

/* ---- Hand over ------------------------------------------------------------------------------ */

/* A document number without spaces and hyphens, upper-case, so
 * "AB 123-456" and "ab123456" are the same card. */
static void doc_number_norm(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 1 < size; in++)
		if (*in != ' ' && *in != '-')
			out[n++] = (char)toupper((unsigned char)*in);
	out[n] = '\0';
}

struct uc_result uc_office_hand_over_check(const struct app_env *env, const struct actor *a,
					   struct arena *ar, const struct order *o,
					   const struct office_hand_over *in)
{
	char shown[32], asked[32];

	doc_number_norm(in->id_number, shown, sizeof(shown));
	doc_number_norm(o->id_number, asked, sizeof(asked));
	if (!in->new_id && strcmp(shown, asked) != 0) {
		uc_audit(env, a, "ra.hand_over_id_mismatch", order_object(ar, o), "denied",
			 "ID shown does not match the request");
		return uc_refused("id_number", "bo.id_mismatch");
	}
	if (in->new_id && *in->remark == '\0')
		return uc_refused("note", "bo.new_id_note_required");
	return (struct uc_result){UC_OK, NULL, NULL};
}

struct uc_result uc_office_hand_over(const struct app_env *env, const struct actor *a,
				     struct arena *ar, struct order *o,
				     const struct office_hand_over *in)
{
	struct uc_result res = uc_office_hand_over_check(env, a, ar, o, in);
	const char *note, *id_type;
	int rc;

	if (res.status != UC_OK)
		return res;
	id_type = strcmp(o->id_type, "passport") == 0 && !in->new_id ? "order.passport"
								     : "order.id_card";
	if (in->new_id)
		note = i18n_note(ar, "bo.note_handed_new_id", "id_number", in->id_number,
				 "old_number", o->id_number, "remark", in->remark, NULL);
	else
		note = i18n_note(ar, "bo.note_handed", "@id_type", id_type, "id_number",
				 in->id_number, NULL);
	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = move(env, a, o, WF_EV_HAND_OVER, note);
	return office_end(env, a, o, WF_EV_HAND_OVER, rc);
}

/* ---- Shipments from the CA ------------------------------------------------------------------ */

struct receive_ctx {
	long long ids[4096];
	size_t n;
};

static int collect_item(void *arg, const struct ca_shipment_item *it)
{
	struct receive_ctx *x = arg;

	if (x->n == sizeof(x->ids) / sizeof(x->ids[0]))
		return 1;
	x->ids[x->n++] = it->order_id;
	return 0;
}

/* Moves order id of shipment sh to "at the office" and mails its
 * member, inside the caller's transaction.  An order received before
 * is left alone (a repeated receipt).  Returns STORE_OK, 1 when it was
 * skipped, STORE_NOTFOUND when the order is in no state to arrive. */
static int receive_one(const struct app_env *env, const struct actor *a, struct arena *ar,
		       long long id, const struct ca_shipment *sh, struct order *o)
{
	enum wf_state st;
	const char *note;
	int rc;

	if ((rc = store_order_get(env->store, id, o)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_NOTFOUND : STORE_ERROR;
	if ((st = o->state) < WF_STATE__MAX && (st == WF_AT_OFFICE || st == WF_HANDED_OVER))
		return 1;
	if (strcmp(o->office, sh->office) != 0 || !office_may(o, WF_EV_ARRIVE))
		return STORE_NOTFOUND;
	note = i18n_note(ar, "bo.note_arrived", "shipment", sh->reference, NULL);
	return move(env, a, o, WF_EV_ARRIVE, note); /* the mail: order_mail.c */
}

struct uc_result uc_office_receive(const struct app_env *env, const struct actor *a,
				   struct arena *ar, struct ca_connector *ca, const char *reference,
				   const char *office)
{
	struct store *s = env->store;
	struct receive_ctx *items = arena_alloc(ar, sizeof(*items));
	struct ca_shipment sh;
	struct order o;
	char err[256];
	size_t i;
	int rc = STORE_OK, moved = 0;

	memset(&o, 0, sizeof(o));
	items->n = 0;
	if (ca == NULL)
		return (struct uc_result){UC_UNAVAILABLE, NULL, "bo.ca_unavailable"};
	if (ca->shipment(ca, reference, &sh, collect_item, items, err, sizeof(err)) != 0 ||
	    (*office && strcmp(sh.office, office) != 0))
		return (struct uc_result){UC_NOTFOUND, NULL, "bo.shipment_not_found"};
	if (sh.received_at != 0)
		return uc_refused(NULL, "bo.shipment_received_already");
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	for (i = 0; i < items->n && (rc == STORE_OK || rc == 1); i++)
		if ((rc = receive_one(env, a, ar, items->ids[i], &sh, &o)) == STORE_OK)
			moved++;
	if (rc == STORE_OK || rc == 1)
		rc = uc_audit(env, a, "ra.shipment_receive", sh.reference, "ok", "%d of %zu orders",
			      moved, items->n);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		if (rc != STORE_NOTFOUND)
			return uc_unavailable;
		uc_audit(env, a, "ra.shipment_receive", sh.reference, "denied", "order %lld is %s",
			 o.id, wf_state_name(o.state));
		return uc_refused(NULL, "bo.shipment_wrong_state");
	}
	uc_mail_kick(env);
	if (ca->shipment_received(ca, sh.reference, a->name, time(NULL), err, sizeof(err)) != 0)
		log_warnx("shipment %s: the CA was not told of the receipt: %s", sh.reference, err);
	return uc_ok;
}
