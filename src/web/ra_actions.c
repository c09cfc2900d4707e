/*
 * What operators do with an order: record the delivered documents
 * (complete, or incomplete with the list of what is missing), verify
 * the holder's identity, send the registration to the CA, reject with
 * a reason, receive the CA's shipments at the office, and hand the
 * certificate over against the holder's ID card.
 *
 * Each handler reads its form and calls one use case (app/office.h),
 * which owns the transaction: the transition, its history entry, its
 * audit entry and the member's mail commit together or not at all
 * (ASVS 2.3.3).  An action the order's state no longer allows (a stale
 * page, a double submit) answers 409 and changes nothing.  Auditors
 * never reach these handlers (route roles: 403).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/office.h"
#include "app/order.h"
#include "connector/connector.h"
#include "domain/catalog.h"
#include "domain/workflow.h"
#include "util/log.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/ra_order.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- The CA connector, opened on first use ------------------------------------- */

static pthread_mutex_t ca_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ca_connector *ca_shared; /* lives as long as the process */

/* The configured connector, or NULL with the reason in err. */
struct ca_connector *web_ca_connector(struct req *r, char *err, size_t errlen)
{
	struct ca_connector *c;

	pthread_mutex_lock(&ca_mu);
	if (ca_shared == NULL)
		ca_shared = ca_connector_open(app_of(r)->cfg, app_of(r)->store, err, errlen);
	c = ca_shared;
	pthread_mutex_unlock(&ca_mu);
	if (c == NULL)
		log_warnx("%s", err);
	return c;
}

/* ---- Shared steps ------------------------------------------------------------------ */

static const char *check_shipment(const struct field_ctx *cx, const char *v,
				  struct field_value *out)
{
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != '_' && *v != '.')
			return "bo.shipment_not_found";
	return NULL;
}

static int allowed(const struct order *o, enum wf_event ev)
{
	return office_may(o, ev);
}

/* The back office's page of order o, where "back" leads. */
static const char *office_path_of(struct req *r, const struct order *o)
{
	return arena_printf(&r->arena, "/ra/orders/%lld", o->id);
}

/* The 409 page: the order detail as it is now, saying why nothing was
 * done. */
static void conflict_page(struct req *r, const struct order *o)
{
	struct tctx *c = page_ctx(r);

	tctx_set(c, "action_error",
		 i18n_format(&r->arena, r->lang, "bo.wrong_state", "state",
			     page_state_label(r, o->state), NULL));
	ra_order_page(r, 409, o, c);
}

/* The same, audited as denied. */
static void conflict(struct req *r, const struct order *o, enum wf_event ev)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);

	uc_order_denied(&env, &a, o, ev);
	conflict_page(r, o);
}

/* Loads the order and checks that some of the events may happen now;
 * else the 404 or 409 page and -1. */
static int action_load(struct req *r, struct order *o, enum wf_event ev, enum wf_event ev2)
{
	if (ra_order_load(r, o) != 0)
		return -1;
	if (!allowed(o, ev) && !allowed(o, ev2)) {
		conflict(r, o, ev);
		return -1;
	}
	return 0;
}

/* The detail page with an action's error (status 422 and friends),
 * said once: when a field is at fault, the text next to it and at the
 * top the request to correct it; otherwise (a CA's refusal, say) the
 * text at the top only. */
static void action_error(struct req *r, unsigned status, const struct order *o, struct tctx *c,
			 const char *form, const char *text, int field)
{
	char name[32];

	if (c == NULL)
		c = page_ctx(r);
	if (field) {
		snprintf(name, sizeof(name), "err_%s", form);
		tctx_set(c, name, text);
	}
	tctx_set(c, "action_error", field ? msg(r, "bo.action_failed") : text);
	ra_order_page(r, status, o, c);
}

/* After an action's use case: a redirect to the order page saying
 * what was done, the 409 page for an order in another state by now
 * (o reloaded), or the 503 page. */
static void finish(struct req *r, const struct order *o, struct uc_result res, const char *what)
{
	char loc[80];

	if (res.status == UC_REFUSED && strcmp(res.msg, OFFICE_WRONG_STATE) == 0) {
		conflict_page(r, o);
		return;
	}
	if (res.status != UC_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	snprintf(loc, sizeof(loc), "/ra/orders/%lld?done=%s", o->id, what);
	http_redirect(r, loc);
}

/* ---- Record documents ---------------------------------------------------------------- */

/* The checklist's fields (office_checklist: the papers, then the
 * catalogue's documents), texts[] in the page's language.  Returns how
 * many. */
static size_t checklist(struct req *r, enum order_type t, struct field *f, const char **texts)
{
	struct app_env env = web_env(r);
	const char *names[OFFICE_CHECK_MAX];
	size_t i, n = office_checklist(&env, &r->arena, t, r->lang, names, texts);

	for (i = 0; f != NULL && i < n; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].name = names[i];
		f[i].label_key = "bo.checklist";
		f[i].type = "checkbox";
		f[i].maxlen = 1;
		f[i].check = field_flag;
	}
	return n;
}

static const struct field note_field = {"note", "bo.note", "text", "off", 300, 0, NULL, NULL, NULL};

/* POST /ra/orders/N/documents: doc_* ticks, note. */
void web_ra_documents(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct field f[OFFICE_CHECK_MAX + 1];
	const char *texts[OFFICE_CHECK_MAX];
	unsigned char ticked[OFFICE_CHECK_MAX];
	struct office_docs in;
	struct uc_result res;
	struct fstate st;
	struct order o;
	size_t n, i;
	int complete;

	if (action_load(r, &o, WF_EV_DOCS_OK, WF_EV_DOCS_MISSING) != 0)
		return;
	n = checklist(r, o.type, f, texts);
	f[n] = note_field;
	fields_read(r, f, n + 1, &st);
	if (st.nerrors > 0) {
		action_error(r, 422, &o, NULL, "documents", msg(r, "bo.checklist_invalid"), 0);
		return;
	}
	for (i = 0; i < n; i++)
		ticked[i] = *st.values[i] != '\0';
	in.ticked = ticked;
	in.n = n;
	in.remark = fields_value(&st, "note");
	res = uc_office_documents(&env, &a, &r->arena, &o, &in, &complete);
	if (res.status == UC_REFUSED && strcmp(res.msg, OFFICE_WRONG_STATE) != 0) {
		action_error(r, 422, &o, NULL, "documents", msg(r, res.msg), 0);
		return;
	}
	finish(r, &o, res, complete ? "documents" : "documents_missing");
}

/* ---- Verify --------------------------------------------------------------------------- */

static const struct field verify_fields[] = {
	{"identity_checked", "bo.identity_checked", "checkbox", "off", 1, F_REQUIRED, field_flag,
	 NULL, NULL},
	{"name_confirmed", "bo.name_confirm", "checkbox", "off", 1, 0, field_flag, NULL, NULL},
};

/* POST /ra/orders/N/verify: identity_checked=1; for a holder's name
 * that differs from the register also name_confirmed=1 (checked
 * against the identity document, audited). */
void web_ra_verify(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct fstate st;
	struct order o;

	if (action_load(r, &o, WF_EV_VERIFY, WF_EV_VERIFY) != 0)
		return;
	if (fields_read(r, verify_fields, NFIELDS(verify_fields), &st) > 0) {
		action_error(r, 422, &o, NULL, "verify", msg(r, "bo.identity_required"), 1);
		return;
	}
	res = uc_office_verify(&env, &a, &r->arena, &o,
			       strcmp(fields_value(&st, "name_confirmed"), "1") == 0);
	if (res.status == UC_REFUSED && strcmp(res.msg, OFFICE_WRONG_STATE) != 0) {
		action_error(r, 422, &o, NULL, "verify", msg(r, res.msg), 1);
		return;
	}
	finish(r, &o, res, "verify");
}

/* ---- Send to the CA --------------------------------------------------------------------- */

/* POST /ra/orders/N/send (from verified, or again from returned).  The
 * CA is asked first (a submission is idempotent per order, so a retry
 * is safe); when it accepted, the order moves to sent_to_ca.  When it
 * refused the registration for its content, the order is returned for
 * correction with the CA's reason; when it could not be asked, nothing
 * changes and the page says why. */
void web_ra_send(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct ca_connector *ca;
	struct uc_result res;
	struct order o;
	char why[512], err[512];
	int returned;

	if (action_load(r, &o, WF_EV_SEND, WF_EV_SEND) != 0)
		return;
	why[0] = '\0';
	ca = web_ca_connector(r, why, sizeof(why));
	res = uc_office_send(&env, &a, &r->arena, &o, ca, why, &returned, err, sizeof(err));
	if (res.status == UC_REFUSED && strcmp(res.msg, OFFICE_WRONG_STATE) != 0) {
		action_error(r, 409, &o, NULL, "send", msg(r, res.msg), 0);
		return;
	}
	if (res.status == UC_UNAVAILABLE && strcmp(res.msg, "bo.ca_failed") == 0) {
		action_error(r, 503, &o, NULL, "send",
			     i18n_format(&r->arena, r->lang, "bo.ca_failed", "message", err, NULL),
			     0);
		return;
	}
	finish(r, &o, res, returned ? "returned" : "send");
}

/* ---- Reject --------------------------------------------------------------------------------- */

static const struct field reject_fields[] = {
	{"reason", "bo.reason", "text", "off", 500, F_REQUIRED, NULL, NULL, NULL},
};

/* POST /ra/orders/N/reject: reason. */
void web_ra_reject(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct fstate st;
	struct order o;
	struct tctx *c;

	if (action_load(r, &o, WF_EV_REJECT, WF_EV_REJECT) != 0)
		return;
	if (fields_read(r, reject_fields, NFIELDS(reject_fields), &st) > 0) {
		c = page_ctx(r);
		tctx_set(c, "v_reason", fields_value(&st, "reason"));
		action_error(r, 422, &o, c, "reject",
			     msg(r, *fields_value(&st, "reason") ? "bo.reason_too_long"
								 : "bo.reason_required"),
			     1);
		return;
	}
	if (page_ask_first(r, "ask.reject_title",
			   i18n_format(&r->arena, r->lang, "ask.reject", "id",
				       arena_printf(&r->arena, "%lld", o.id), "reason",
				       fields_value(&st, "reason"), NULL),
			   "ask.reject_button", office_path_of(r, &o)))
		return;
	finish(r, &o, uc_office_reject(&env, &a, &r->arena, &o, fields_value(&st, "reason")),
	       "reject");
}

/* ---- Hand over ------------------------------------------------------------------------------- */

static const struct field hand_over_fields[] = {
	{"id_number", "bo.id_shown", "text", "off", 20, F_REQUIRED, field_doc_number, NULL, NULL},
	{"new_id", "bo.new_id", "checkbox", "off", 1, 0, field_flag, NULL, NULL},
	{"note", "bo.new_id_note", "text", "off", 300, 0, NULL, NULL, NULL},
};

/* POST /ra/orders/N/hand-over: id_number, and new_id=1 with a note
 * when the holder shows a new valid ID instead of the one in the
 * request (EN 319 411-1 REG-6.4.5: the ID shown is recorded). */
void web_ra_hand_over(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct office_hand_over in;
	struct uc_result res;
	struct fstate st;
	struct order o;
	struct tctx *c;

	if (action_load(r, &o, WF_EV_HAND_OVER, WF_EV_HAND_OVER) != 0)
		return;
	fields_read(r, hand_over_fields, NFIELDS(hand_over_fields), &st);
	in.id_number = fields_value(&st, "id_number");
	in.new_id = strcmp(fields_value(&st, "new_id"), "1") == 0;
	in.remark = fields_value(&st, "note");
	c = page_ctx(r);
	tctx_set(c, "v_id_number", in.id_number);
	tctx_set(c, "v_note", in.remark);
	if (in.new_id)
		tctx_set_bool(c, "v_new_id", 1);
	if (st.nerrors > 0) {
		action_error(
			r, 422, &o, c, "hand_over",
			msg(r, *in.id_number ? "bo.id_number_invalid" : "bo.id_number_required"),
			1);
		return;
	}
	res = uc_office_hand_over_check(&env, &a, &r->arena, &o, &in);
	if (res.status == UC_REFUSED) {
		action_error(r, 422, &o, c, "hand_over", msg(r, res.msg), 1);
		return;
	}
	if (page_ask_first(r, "ask.hand_over_title",
			   i18n_format(&r->arena, r->lang, "ask.hand_over", "id",
				       arena_printf(&r->arena, "%lld", o.id), "holder",
				       arena_printf(&r->arena, "%s %s", o.first_name, o.last_name),
				       "id_number", in.id_number, NULL),
			   "ask.hand_over_button", office_path_of(r, &o)))
		return;
	res = uc_office_hand_over(&env, &a, &r->arena, &o, &in);
	if (res.status == UC_REFUSED && strcmp(res.msg, OFFICE_WRONG_STATE) != 0) {
		action_error(r, 422, &o, c, "hand_over", msg(r, res.msg), 1);
		return;
	}
	finish(r, &o, res, "hand_over");
}

/* ---- The actions on the detail page ------------------------------------------------------- */

void ra_actions_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct ra_user *u = ra_user(r);
	struct field f[OFFICE_CHECK_MAX];
	const char *texts[OFFICE_CHECK_MAX];
	struct tctx *item;
	size_t n, i;
	int any = 0;

	if (u == NULL || u->role == RA_AUDITOR)
		return;
	if (allowed(o, WF_EV_DOCS_OK) || allowed(o, WF_EV_DOCS_MISSING)) {
		tctx_set_bool(c, "can_documents", 1);
		if (allowed(o, WF_EV_DOCS_MISSING))
			tctx_set_bool(c, "can_docs_missing", 1);
		n = checklist(r, o->type, f, texts);
		for (i = 0; i < n; i++) {
			item = tctx_add(c, "checklist");
			tctx_set(item, "name", f[i].name);
			tctx_set(item, "text", texts[i]);
		}
		any = 1;
	}
	if (allowed(o, WF_EV_VERIFY)) {
		tctx_set_bool(c, "can_verify", 1);
		if (o->name_differs && o->name_confirmed_at == 0) {
			tctx_set_bool(c, "confirm_name", 1);
			tctx_setf(c, "holder_name", "%s %s", o->first_name, o->last_name);
		}
		tctx_set(c, "id_type_label",
			 msg(r, strcmp(o->id_type, "passport") == 0 ? "order.passport"
								    : "order.id_card"));
		tctx_set(c, "id_number", o->id_number);
		any = 1;
	}
	if (allowed(o, WF_EV_SEND)) {
		tctx_set_bool(c, "can_send", 1);
		any = 1;
	}
	if (allowed(o, WF_EV_ARRIVE)) {
		tctx_set_bool(c, "can_arrive", 1);
		any = 1;
	}
	if (allowed(o, WF_EV_HAND_OVER)) {
		tctx_set_bool(c, "can_hand_over", 1);
		tctx_set(c, "id_number", o->id_number);
		any = 1;
	}
	if (allowed(o, WF_EV_REJECT)) {
		tctx_set_bool(c, "can_reject", 1);
		any = 1;
	}
	if (any)
		tctx_set_bool(c, "has_actions", 1);
	tctx_set_bool(c, "may_act", 1);
}

/* ---- Shipments from the CA ------------------------------------------------------------------ */

struct ship_ctx {
	struct req *r;
	struct tctx *c;   /* the page, or the shipment's item */
	const char *list; /* list to add to */
	int may_act;
	struct ca_connector *ca;
	int failed;
};

static int add_item(void *arg, const struct ca_shipment_item *it)
{
	struct ship_ctx *x = arg;
	struct tctx *row = tctx_add(x->c, "items");
	struct order o;

	tctx_setf(row, "id", "%lld", it->order_id);
	tctx_set(row, "serial", it->serial);
	if (store_order_get(app_of(x->r)->store, it->order_id, &o) == STORE_OK) {
		tctx_setf(row, "holder", "%s %s", o.first_name, o.last_name);
		tctx_set(row, "state_label", page_state_label(x->r, o.state));
	}
	return 0;
}

static int add_shipment(void *arg, const struct ca_shipment *sh)
{
	struct ship_ctx *x = arg, y = *x;
	const struct office *off = catalog_office(app_of(x->r)->catalog, sh->office);
	struct tctx *row = tctx_add(x->c, "shipments");
	struct ca_shipment full;
	char err[256];

	tctx_set(row, "reference", sh->reference);
	tctx_set(row, "office", off ? off->name[x->r->lang] : sh->office);
	tctx_set(row, "when", page_time(x->r, sh->created_at, 1));
	tctx_setf(row, "count", "%lld", sh->count);
	if (x->may_act)
		tctx_set_bool(row, "may_receive", 1);
	y.c = row;
	if (x->ca->shipment(x->ca, sh->reference, &full, add_item, &y, err, sizeof(err)) != 0)
		x->failed = 1;
	tctx_set_bool(x->c, "has_shipments", 1);
	return 0;
}

/* GET /ra/shipments: the CA's shipments to the office not yet received. */
void web_ra_shipments(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	const char *office = u->role == RA_OPERATOR ? u->office : "";
	const char *q = http_query(r, "office"), *d = http_query(r, "done");
	struct tctx *c = page_ctx(r);
	struct ship_ctx x;
	char err[256];

	if (u->role != RA_OPERATOR && q != NULL && catalog_office(app_of(r)->catalog, q) != NULL)
		office = q;
	memset(&x, 0, sizeof(x));
	x.r = r;
	x.c = c;
	x.may_act = u->role != RA_AUDITOR;
	if ((x.ca = web_ca_connector(r, err, sizeof(err))) == NULL ||
	    x.ca->shipments(x.ca, office, add_shipment, &x, err, sizeof(err)) != 0 || x.failed) {
		tctx_set(c, "form_error",
			 i18n_format(&r->arena, r->lang, "bo.ca_failed", "message", err, NULL));
	}
	if (d != NULL && strcmp(d, "1") == 0)
		tctx_set(c, "notice", msg(r, "bo.done_shipment"));
	tctx_set_list(c, "shipments");
	page_render(r, 200, "ra_shipments", "bo.shipments_title", c);
}

static const struct field receive_fields[] = {
	{"shipment", "bo.shipment", "text", "off", CA_REF_MAX - 1, F_REQUIRED, check_shipment, NULL,
	 NULL},
};

/* POST /ra/shipments/receive: shipment=REFERENCE.  Every certificate of
 * the shipment arrives at once (uc_office_receive); an operator
 * receives only for their office. */
void web_ra_shipment_receive(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct fstate st;
	char err[256];

	if (fields_read(r, receive_fields, NFIELDS(receive_fields), &st) > 0) {
		page_error(r, 404, "bo.shipment_not_found");
		return;
	}
	res = uc_office_receive(&env, &a, &r->arena, web_ca_connector(r, err, sizeof(err)),
				fields_value(&st, "shipment"),
				u->role == RA_OPERATOR ? u->office : "");
	web_answer_item(r, res, "/ra/shipments?done=1");
}
