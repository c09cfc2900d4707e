/*
 * Orders returned for correction (the CA refused them, or could not be
 * reached for too long): the office corrects the order's data (each
 * change audited with its old and new value; the documents follow the
 * data, being drawn from it) and sends the order again, or asks for
 * newly signed papers when printed data changed; returns it to the
 * member, who edits and confirms it again; or cancels it with a reason
 * (its payments are reopened on the unresolved list, to be refunded).
 * Each is one use case (app/correct.h): one transaction with its
 * history note, audit entries and the member's mail.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/correct.h"
#include "domain/workflow.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/order_form.h"
#include "web/ra_order.h"

/* The returned order r->ids[0] in a state allowing ev by the office,
 * or the 404 / 409 page and -1. */
static int load_returned(struct req *r, struct order *o, enum wf_event ev)
{
	enum wf_state s;

	if (ra_order_load(r, o) != 0)
		return -1;
	if ((s = o->state) >= WF_STATE__MAX || workflow_next(s, ev, WF_OPERATOR) < 0 ||
	    (ev == WF_EV_CANCEL && s != WF_RETURNED && s != WF_RETURNED_TO_MEMBER)) {
		struct tctx *c = page_ctx(r);

		tctx_set(c, "action_error", msg(r, "bo.not_returned"));
		ra_order_page(r, 409, o, c);
		return -1;
	}
	return 0;
}

/* After a use case: to the order page saying what was done, or the
 * error page (409 for an order no longer returned). */
static void after(struct req *r, const struct order *o, struct uc_result res, const char *what)
{
	char loc[80];

	if (res.status != UC_OK) {
		page_error(r, res.status == UC_REFUSED ? 409 : 503, res.msg);
		return;
	}
	snprintf(loc, sizeof(loc), "/ra/orders/%lld?done=%s", o->id, what);
	http_redirect(r, loc);
}

/* ---- Correcting the data ------------------------------------------------------------------ */

static const struct field papers_field = {
	"new_papers", "bo.new_papers", "checkbox", "off", 1, 0, NULL, "bo.new_papers_hint", NULL};

static void correct_form(struct req *r, unsigned status, const struct order *o,
			 const struct fstate *st)
{
	struct tctx *c = page_ctx(r);
	char key[64];

	tctx_setf(c, "id", "%lld", o->id);
	snprintf(key, sizeof(key), "return.%s", o->returned_code[0] ? o->returned_code : "refused");
	tctx_set(c, "reason", msg(r, key));
	tctx_set(c, "ca_words", o->returned_text);
	fields_ctx(r, c, st);
	page_render(r, status, "ra_correct", "bo.correct_title", c);
}

/* GET /ra/orders/N/correct */
void web_ra_correct_get(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	struct order o;
	size_t n;

	if (load_returned(r, &o, WF_EV_SEND) != 0)
		return;
	n = order_form_fields(o.type, f);
	f[n++] = papers_field;
	order_form_from_order(r, &o, f, n, &st);
	correct_form(r, 200, &o, &st);
}

/* POST /ra/orders/N/correct: the form's fields, new_papers. */
void web_ra_correct_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct field f[FORM_MAX_FIELDS];
	struct office_change changes[FORM_MAX_FIELDS];
	struct office_correction in;
	struct fstate st, was;
	struct order o, n_o;
	struct uc_result res;
	size_t n, i;

	if (load_returned(r, &o, WF_EV_SEND) != 0)
		return;
	n = order_form_fields(o.type, f);
	f[n++] = papers_field;
	if (order_form_read_office(r, o.type, &st, f, n, &o) > 0) {
		correct_form(r, 422, &o, &st);
		return;
	}
	order_form_from_order(r, &o, f, n, &was);
	n_o = o;
	order_form_to_order(&st, &n_o);
	memset(&in, 0, sizeof(in));
	in.now = &n_o;
	in.changes = changes;
	in.new_papers = strcmp(fields_value(&st, "new_papers"), "1") == 0;
	for (i = 0; i < n; i++) {
		if (strcmp(f[i].name, "new_papers") == 0 ||
		    strcmp(was.values[i], st.values[i]) == 0)
			continue;
		changes[in.nchanges].name = f[i].name;
		changes[in.nchanges].label_key = f[i].label_key;
		changes[in.nchanges].was = was.values[i];
		changes[in.nchanges++].now = st.values[i];
	}
	res = uc_office_correct(&env, &a, &r->arena, &o, &in);
	after(r, &o, res, in.new_papers ? "new_papers" : "corrected");
}

/* ---- Return to the member, cancel ----------------------------------------------------------- */

static const struct field reason_fields[] = {
	{"reason", "bo.reason", "text", "off", 500, F_REQUIRED, NULL, NULL, NULL},
};

/* Reads the required reason, or shows the order page with the error
 * beside form (returns NULL). */
static const char *read_reason(struct req *r, const struct order *o, const char *form)
{
	struct fstate st;
	struct tctx *c;
	char name[32];

	if (fields_read(r, reason_fields, 1, &st) == 0)
		return fields_value(&st, "reason");
	c = page_ctx(r);
	snprintf(name, sizeof(name), "err_%s", form);
	tctx_set(c, name,
		 msg(r, *fields_value(&st, "reason")  ? "bo.reason_too_long"
			: strcmp(form, "return") == 0 ? "bo.return_reason_required"
						      : "bo.cancel_reason_required"));
	tctx_set(c, "action_error", msg(r, "bo.action_failed"));
	ra_order_page(r, 422, o, c);
	return NULL;
}

/* POST /ra/orders/N/return (ev WF_EV_RETURN_TO_MEMBER) and
 * /ra/orders/N/cancel (WF_EV_CANCEL): reason.  A returned order only;
 * cancelled, its payments go back on the unresolved list for a refund. */
static void close_returned(struct req *r, enum wf_event ev)
{
	int back = ev == WF_EV_RETURN_TO_MEMBER;
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	const char *reason;
	struct order o;

	if (load_returned(r, &o, ev) != 0 ||
	    (reason = read_reason(r, &o, back ? "return" : "cancel")) == NULL)
		return;
	after(r, &o, (back ? uc_office_return : uc_office_cancel)(&env, &a, &r->arena, &o, reason),
	      back ? "return_to_member" : "cancel");
}

void web_ra_return(struct req *r)
{
	close_returned(r, WF_EV_RETURN_TO_MEMBER);
}

void web_ra_cancel(struct req *r)
{
	close_returned(r, WF_EV_CANCEL);
}

/* ---- On the detail page --------------------------------------------------------------------- */

void ra_correct_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct ra_user *u = ra_user(r);
	enum wf_state s;
	char key[64];

	if ((s = o->state) >= WF_STATE__MAX)
		return;
	if (o->returned_code[0] != '\0' &&
	    (s == WF_RETURNED || s == WF_RETURNED_TO_MEMBER || s == WF_VERIFIED)) {
		snprintf(key, sizeof(key), "return.%s", o->returned_code);
		tctx_set(c, "returned_reason", msg(r, key));
		tctx_set(c, "returned_ca_words", o->returned_text);
	}
	if (o->name_differs) {
		tctx_set_bool(c, "name_differs", 1);
		if (o->name_confirmed_at)
			tctx_set(c, "name_confirmed_by", o->name_confirmed_by);
	}
	if (u == NULL || u->role == RA_AUDITOR)
		return;
	if (s == WF_RETURNED) {
		tctx_set_bool(c, "can_correct", 1);
		tctx_set_bool(c, "can_return", 1);
	}
	if (s == WF_RETURNED || s == WF_RETURNED_TO_MEMBER)
		tctx_set_bool(c, "can_cancel", 1);
	if (s == WF_RETURNED || s == WF_RETURNED_TO_MEMBER)
		tctx_set_bool(c, "has_actions", 1);
}
