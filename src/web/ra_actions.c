/*
 * What operators do with an order: record the delivered documents
 * (complete, or incomplete with the list of what is missing), verify
 * the holder's identity, send the registration to the CA, reject with
 * a reason, receive the CA's shipments at the office, and hand the
 * certificate over against the holder's ID card.
 *
 * Each action is one transaction: the transition (workflow table,
 * compare-and-set), its history entry, its audit entry and the
 * member's mail commit together or not at all (ASVS 2.3.3).  An action
 * the order's state no longer allows (a stale page, a double submit)
 * answers 409 and changes nothing.  Auditors never reach these
 * handlers (route roles: 403).
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "connector/connector.h"
#include "domain/catalog.h"
#include "domain/workflow.h"
#include "app/jobs.h"
#include "store/store_office.h"
#include "util/log.h"
#include "web/app.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- The CA connector, opened on first use ------------------------------------- */

static pthread_mutex_t ca_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ca_connector *ca_shared; /* lives as long as the process */

/* The configured connector, or NULL with the reason in err. */
static struct ca_connector *connector(struct req *r, char *err, size_t errlen)
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

static const char *check_flag(const char *v)
{
	return strcmp(v, "1") == 0 ? NULL : "field.choose_option";
}

static const char *check_doc_number(const char *v)
{
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != ' ')
			return "field.doc_number_invalid";
	return NULL;
}

static const char *check_shipment(const char *v)
{
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '-' && *v != '_' && *v != '.')
			return "bo.shipment_not_found";
	return NULL;
}

static int allowed(const struct order *o, enum wf_event ev)
{
	enum wf_state s;

	return wf_state_parse(o->state, &s) == 0 && workflow_next(s, ev, WF_OPERATOR) >= 0;
}

static const char *actor(struct req *r)
{
	return ra_user(r)->username;
}

static const char *object_of(struct req *r, const struct order *o)
{
	return arena_printf(&r->arena, "order:%lld", o->id);
}

/* The 409 page: the order detail as it is now, saying why nothing was
 * done.  Audited as denied. */
static void conflict(struct req *r, const struct order *o, enum wf_event ev)
{
	struct tctx *c = page_ctx(r);
	char key[48];

	snprintf(key, sizeof(key), "state.%s", o->state);
	app_audit(r, wf_event_name(ev), object_of(r, o), "denied", "from %s", o->state);
	tctx_set(c, "action_error",
		 i18n_format(&r->arena, r->lang, "bo.wrong_state", "state", msg(r, key), NULL));
	ra_order_page(r, 409, o, c);
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

/* After a failed transaction: 409 when the order moved meanwhile (it
 * is reloaded to show its state), else 503. */
static void action_failed(struct req *r, struct order *o, enum wf_event ev, int rc)
{
	if (rc == STORE_NOTFOUND && store_order_get(app_of(r)->store, o->id, o) == STORE_OK) {
		conflict(r, o, ev);
		return;
	}
	page_error(r, 503, "error.storage");
}

/* The detail page with an action's error (status 422 and friends):
 * text next to the form, and at the top either the same text or, when
 * a field is at fault, the request to correct it. */
static void action_error(struct req *r, unsigned status, const struct order *o, struct tctx *c,
			 const char *form, const char *text, int field)
{
	char name[32];

	if (c == NULL)
		c = page_ctx(r);
	snprintf(name, sizeof(name), "err_%s", form);
	tctx_set(c, name, text);
	tctx_set(c, "action_error", field ? msg(r, "bo.action_failed") : text);
	ra_order_page(r, status, o, c);
}

static void done(struct req *r, const struct order *o, const char *what)
{
	char loc[80];

	app_mail_kick(r);
	snprintf(loc, sizeof(loc), "/ra/orders/%lld?done=%s", o->id, what);
	http_redirect(r, loc);
}

enum lang ra_member_lang(struct req *r, const struct order *o)
{
	struct account a;
	enum lang l = LANG_SR;

	if (store_account_get(app_of(r)->store, o->account_id, &a) == STORE_OK)
		i18n_parse(a.lang, &l);
	return l;
}

static const char *office_name(struct req *r, const struct order *o, enum lang l)
{
	const struct office *off = catalog_office(app_of(r)->catalog, o->office);

	return off ? off->name[l] : o->office;
}

static const char *office_address(struct req *r, const struct order *o)
{
	const struct office *off = catalog_office(app_of(r)->catalog, o->office);

	return off ? arena_printf(&r->arena, "%s, %s %s", off->street, off->postal_code, off->city)
		   : "";
}

static const char *office_hours(struct req *r, const struct order *o, enum lang l)
{
	const struct office *off = catalog_office(app_of(r)->catalog, o->office);

	return off ? off->hours[l] : "";
}

const char *ra_order_link(struct req *r, const struct order *o)
{
	return arena_printf(&r->arena, "%s/orders/%lld", app_of(r)->cfg->base_url, o->id);
}

/* ---- Record documents ---------------------------------------------------------------- */

/* The checklist of order type t: the signed papers, then the supporting
 * documents of the catalogue.  Fields (f may be NULL) "doc_request",
 * "doc_contract", "doc_0" ... (catalogue index); texts[] in language l.
 * Returns how many. */
#define CHECK_MAX (2 + CATALOG_MAX_DOCS)

static size_t checklist(struct req *r, enum order_type t, enum lang l, struct field *f,
			const char **texts)
{
	const struct catalog *cat = app_of(r)->catalog;
	const char *names[CHECK_MAX];
	size_t i, n = 0;

	names[n] = "doc_request";
	texts[n++] = i18n_get(l, "bo.check_request");
	names[n] = "doc_contract";
	texts[n++] = i18n_get(l, "bo.check_contract");
	for (i = 0; i < cat->ndocs && n < CHECK_MAX; i++)
		if (cat->docs[i].types & (1u << t)) {
			names[n] = arena_printf(&r->arena, "doc_%zu", i);
			texts[n++] = cat->docs[i].text[l];
		}
	for (i = 0; f != NULL && i < n; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].name = names[i];
		f[i].label_key = "bo.checklist";
		f[i].type = "checkbox";
		f[i].maxlen = 1;
		f[i].check = check_flag;
	}
	return n;
}

static const struct field note_field = {"note", "bo.note", "text", "off", 300, 0, NULL, NULL, NULL};

/* The unticked items of the checklist: one "- text" line each (lines)
 * or joined with "; " (for the status history). */
static const char *missing_list(struct req *r, const struct fstate *st, const char **texts,
				size_t n, int lines)
{
	struct buf b = BUF_INIT;
	const char *out;
	size_t i;

	for (i = 0; i < n; i++)
		if (*st->values[i] == '\0') {
			if (lines)
				buf_printf(&b, "- %s\n", texts[i]);
			else
				buf_printf(&b, "%s%s", b.len ? "; " : "", texts[i]);
		}
	out = arena_strdup(&r->arena, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* POST /ra/orders/N/documents: doc_* ticks, note. */
void web_ra_documents(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct field f[CHECK_MAX + 1];
	const char *texts[CHECK_MAX], *texts_sr[CHECK_MAX], *texts_m[CHECK_MAX];
	const char *note, *remark, *note_remark, *mail_remark;
	struct fstate st;
	struct order o;
	enum wf_event ev;
	enum lang ml;
	size_t n, i, missing = 0;
	int rc;

	if (action_load(r, &o, WF_EV_DOCS_OK, WF_EV_DOCS_MISSING) != 0)
		return;
	n = checklist(r, o.type, r->lang, f, texts);
	f[n] = note_field;
	fields_read(r, f, n + 1, &st);
	if (st.nerrors > 0) {
		action_error(r, 422, &o, NULL, "documents", msg(r, "bo.checklist_invalid"), 0);
		return;
	}
	for (i = 0; i < n; i++)
		if (*st.values[i] == '\0')
			missing++;
	remark = fields_value(&st, "note");
	ev = missing == 0 ? WF_EV_DOCS_OK : WF_EV_DOCS_MISSING;
	if (!allowed(&o, ev)) {
		/* Still incomplete: the order already waits for the rest. */
		action_error(r, 422, &o, NULL, "documents", msg(r, "bo.docs_still_missing"), 0);
		return;
	}
	ml = ra_member_lang(r, &o);
	checklist(r, o.type, LANG_SR, NULL, texts_sr);
	checklist(r, o.type, ml, NULL, texts_m);
	note_remark = *remark ? arena_printf(&r->arena, "; %s", remark) : "";
	if (ev == WF_EV_DOCS_OK)
		note = i18n_note(&r->arena, "bo.note_docs_ok", "remark", note_remark, NULL);
	else
		note = i18n_note(&r->arena, "bo.note_docs_missing", "missing",
				 missing_list(r, &st, texts_sr, n, 0), "remark", note_remark, NULL);
	mail_remark = "";
	if (*remark)
		mail_remark = i18n_format(&r->arena, ml, "bo.mail_remark", "remark", remark, NULL);
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	rc = order_apply_tx(r, &o, ev, WF_OPERATOR, note);
	if (rc == STORE_OK && ev == WF_EV_DOCS_MISSING)
		rc = app_mail(r, o.email, ml, "mail.bo_docs_missing.subject",
			      "mail.bo_docs_missing.body", "id",
			      arena_printf(&r->arena, "%lld", o.id), "missing",
			      missing_list(r, &st, texts_m, n, 1), "remark", mail_remark, "office",
			      office_name(r, &o, ml), "address", office_address(r, &o), "hours",
			      office_hours(r, &o, ml), "link", ra_order_link(r, &o), NULL);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		action_failed(r, &o, ev, rc);
		return;
	}
	done(r, &o, ev == WF_EV_DOCS_OK ? "documents" : "documents_missing");
}

/* ---- Verify --------------------------------------------------------------------------- */

static const struct field verify_fields[] = {
	{"identity_checked", "bo.identity_checked", "checkbox", "off", 1, F_REQUIRED, check_flag,
	 NULL, NULL},
	{"name_confirmed", "bo.name_confirm", "checkbox", "off", 1, 0, check_flag, NULL, NULL},
};

/* POST /ra/orders/N/verify: identity_checked=1; for a holder's name
 * that differs from the register also name_confirmed=1 (checked
 * against the identity document, audited). */
void web_ra_verify(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct fstate st;
	struct order o;
	const char *note;
	int rc, confirm;

	if (action_load(r, &o, WF_EV_VERIFY, WF_EV_VERIFY) != 0)
		return;
	if (fields_read(r, verify_fields, NFIELDS(verify_fields), &st) > 0) {
		action_error(r, 422, &o, NULL, "verify", msg(r, "bo.identity_required"), 1);
		return;
	}
	confirm = o.name_differs && o.name_confirmed_at == 0;
	if (confirm && strcmp(fields_value(&st, "name_confirmed"), "1") != 0) {
		action_error(r, 422, &o, NULL, "verify", msg(r, "bo.name_confirm_required"), 1);
		return;
	}
	note = i18n_note(&r->arena, "bo.note_verified", "@id_type",
			 strcmp(o.id_type, "passport") == 0 ? "order.passport" : "order.id_card",
			 "id_number", o.id_number, NULL);
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	rc = order_apply_tx(r, &o, WF_EV_VERIFY, WF_OPERATOR, note);
	if (rc == STORE_OK && confirm)
		rc = store_order_confirm_name(s, o.id, actor(r), time(NULL));
	if (rc == STORE_OK && confirm)
		rc = app_audit(r, "order.name_confirmed", object_of(r, &o), "ok",
			       "%s %s checked against %s %s", o.first_name, o.last_name, o.id_type,
			       o.id_number);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		action_failed(r, &o, WF_EV_VERIFY, rc);
		return;
	}
	done(r, &o, "verify");
}

/* ---- Send to the CA --------------------------------------------------------------------- */

/* The CA refused order o at send: it is returned for correction with
 * the CA's reason, in a transaction of its own (the send's was rolled
 * back).  STORE_OK, STORE_NOTFOUND (moved meanwhile) or STORE_ERROR. */
static int order_return_refused(struct req *r, struct order *o, const char *code, const char *text)
{
	struct store *s = app_of(r)->store;
	char audit_actor[96];
	int rc;

	snprintf(audit_actor, sizeof(audit_actor), "operator:%s", actor(r));
	if (store_begin(s) != STORE_OK)
		return STORE_ERROR;
	rc = jobs_order_return(s, o, WF_OPERATOR, "ca:service", audit_actor, r->client_addr, code,
			       text, time(NULL));
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK)
		store_rollback(s);
	return rc;
}

/* POST /ra/orders/N/send (from verified, or again from returned).  The
 * CA is asked first (a submission is idempotent per order, so a retry
 * is safe); when it accepted, the order moves to sent_to_ca.  When it
 * refused the registration for its content, the order is returned for
 * correction with the CA's reason (order_return_refused); when it could
 * not be asked, nothing changes and the page says why. */
void web_ra_send(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct ca_connector *ca;
	struct ca_request cr;
	struct order o;
	char ref[CA_REF_MAX], code[CA_CODE_MAX], err[512];
	const char *note;
	int rc, sub;

	if (action_load(r, &o, WF_EV_SEND, WF_EV_SEND) != 0)
		return;
	if (o.name_differs && o.name_confirmed_at == 0) {
		action_error(r, 409, &o, NULL, "send", msg(r, "bo.name_unconfirmed"), 0);
		return;
	}
	err[0] = code[0] = '\0';
	/* The transaction opens first, so that a connector which queues the
	 * order (CA unreachable) does it in the same commit as the send. */
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	ca = connector(r, err, sizeof(err));
	sub = ca == NULL ? CA_SUBMIT_FAILED : ca->submit(ca, &o, ref, code, err, sizeof(err));
	if (sub == CA_SUBMIT_REFUSED) {
		store_rollback(s);
		app_audit(r, wf_event_name(WF_EV_SEND), object_of(r, &o), "denied", "CA: %s [%s]",
			  err, code);
		rc = order_return_refused(r, &o, code, err);
		if (rc != STORE_OK) {
			action_failed(r, &o, WF_EV_CA_REFUSE, rc);
			return;
		}
		done(r, &o, "returned");
		return;
	}
	if (sub != CA_SUBMIT_OK) {
		store_rollback(s);
		app_audit(r, wf_event_name(WF_EV_SEND), object_of(r, &o), "failed", "CA: %s", err);
		action_error(r, 503, &o, NULL, "send",
			     i18n_format(&r->arena, r->lang, "bo.ca_failed", "message", err, NULL),
			     0);
		return;
	}
	memset(&cr, 0, sizeof(cr));
	cr.order_id = o.id;
	snprintf(cr.connector, sizeof(cr.connector), "%s", ca->name);
	snprintf(cr.reference, sizeof(cr.reference), "%s", ref);
	cr.submitted_at = time(NULL);
	note = i18n_note(&r->arena, "bo.note_sent", "reference", ref, NULL);
	rc = store_ca_request_put(s, &cr);
	if (rc == STORE_OK)
		rc = order_apply_tx(r, &o, WF_EV_SEND, WF_OPERATOR, note);
	if (rc == STORE_OK && o.returned_code[0] != '\0')
		rc = store_order_set_returned(s, o.id, "", "");
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		action_failed(r, &o, WF_EV_SEND, rc);
		return;
	}
	done(r, &o, "send");
}

/* ---- Reject --------------------------------------------------------------------------------- */

static const struct field reject_fields[] = {
	{"reason", "bo.reason", "text", "off", 500, F_REQUIRED, NULL, NULL, NULL},
};

/* POST /ra/orders/N/reject: reason. */
void web_ra_reject(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct fstate st;
	struct order o;
	const char *reason;
	enum lang ml;
	struct tctx *c;
	int rc;

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
	reason = fields_value(&st, "reason");
	ml = ra_member_lang(r, &o);
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	rc = order_apply_tx(r, &o, WF_EV_REJECT, WF_OPERATOR, reason);
	if (rc == STORE_OK)
		rc = app_mail(r, o.email, ml, "mail.bo_rejected.subject", "mail.bo_rejected.body",
			      "id", arena_printf(&r->arena, "%lld", o.id), "reason", reason,
			      "office", office_name(r, &o, ml), "link", ra_order_link(r, &o), NULL);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		action_failed(r, &o, WF_EV_REJECT, rc);
		return;
	}
	done(r, &o, "reject");
}

/* ---- Hand over ------------------------------------------------------------------------------- */

static const struct field hand_over_fields[] = {
	{"id_number", "bo.id_shown", "text", "off", 20, F_REQUIRED, check_doc_number, NULL, NULL},
	{"new_id", "bo.new_id", "checkbox", "off", 1, 0, check_flag, NULL, NULL},
	{"note", "bo.new_id_note", "text", "off", 300, 0, NULL, NULL, NULL},
};

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

/* POST /ra/orders/N/hand-over: id_number, and new_id=1 with a note
 * when the holder shows a new valid ID instead of the one in the
 * request (EN 319 411-1 REG-6.4.5: the ID shown is recorded). */
void web_ra_hand_over(struct req *r)
{
	struct store *s = app_of(r)->store;
	char shown[32], asked[32];
	const char *number, *remark, *note, *id_type;
	struct fstate st;
	struct order o;
	struct tctx *c;
	int new_id, rc;

	if (action_load(r, &o, WF_EV_HAND_OVER, WF_EV_HAND_OVER) != 0)
		return;
	fields_read(r, hand_over_fields, NFIELDS(hand_over_fields), &st);
	number = fields_value(&st, "id_number");
	new_id = strcmp(fields_value(&st, "new_id"), "1") == 0;
	remark = fields_value(&st, "note");
	doc_number_norm(number, shown, sizeof(shown));
	doc_number_norm(o.id_number, asked, sizeof(asked));
	c = page_ctx(r);
	tctx_set(c, "v_id_number", number);
	tctx_set(c, "v_note", remark);
	if (new_id)
		tctx_set_bool(c, "v_new_id", 1);
	if (st.nerrors > 0) {
		action_error(r, 422, &o, c, "hand_over",
			     msg(r, *number ? "bo.id_number_invalid" : "bo.id_number_required"), 1);
		return;
	}
	if (!new_id && strcmp(shown, asked) != 0) {
		app_audit(r, "ra.hand_over_id_mismatch", object_of(r, &o), "denied",
			  "ID shown does not match the request");
		action_error(r, 422, &o, c, "hand_over", msg(r, "bo.id_mismatch"), 1);
		return;
	}
	if (new_id && *remark == '\0') {
		action_error(r, 422, &o, c, "hand_over", msg(r, "bo.new_id_note_required"), 1);
		return;
	}
	id_type =
		strcmp(o.id_type, "passport") == 0 && !new_id ? "order.passport" : "order.id_card";
	if (new_id)
		note = i18n_note(&r->arena, "bo.note_handed_new_id", "id_number", number,
				 "old_number", o.id_number, "remark", remark, NULL);
	else
		note = i18n_note(&r->arena, "bo.note_handed", "@id_type", id_type, "id_number",
				 number, NULL);
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	rc = order_apply_tx(r, &o, WF_EV_HAND_OVER, WF_OPERATOR, note);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		action_failed(r, &o, WF_EV_HAND_OVER, rc);
		return;
	}
	done(r, &o, "hand_over");
}

/* ---- The actions on the detail page ------------------------------------------------------- */

void ra_actions_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct ra_user *u = ra_user(r);
	struct field f[CHECK_MAX];
	const char *texts[CHECK_MAX];
	struct tctx *item;
	size_t n, i;
	int any = 0;

	if (u == NULL || u->role == RA_AUDITOR)
		return;
	if (allowed(o, WF_EV_DOCS_OK) || allowed(o, WF_EV_DOCS_MISSING)) {
		tctx_set_bool(c, "can_documents", 1);
		if (allowed(o, WF_EV_DOCS_MISSING))
			tctx_set_bool(c, "can_docs_missing", 1);
		n = checklist(r, o->type, r->lang, f, texts);
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
		char key[48];

		snprintf(key, sizeof(key), "state.%s", o.state);
		tctx_setf(row, "holder", "%s %s", o.first_name, o.last_name);
		tctx_set(row, "state_label", msg(x->r, key));
	}
	return 0;
}

static int add_shipment(void *arg, const struct ca_shipment *sh)
{
	struct ship_ctx *x = arg, y = *x;
	const struct office *off = catalog_office(app_of(x->r)->catalog, sh->office);
	struct tctx *row = tctx_add(x->c, "shipments");
	struct ca_shipment full;
	char when[32], err[256];
	struct tm tm;

	localtime_r(&sh->created_at, &tm);
	strftime(when, sizeof(when), "%d.%m.%Y. %H:%M", &tm);
	tctx_set(row, "reference", sh->reference);
	tctx_set(row, "office", off ? off->name[x->r->lang] : sh->office);
	tctx_set(row, "when", when);
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
	if ((x.ca = connector(r, err, sizeof(err))) == NULL ||
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
static int receive_one(struct req *r, long long id, const struct ca_shipment *sh, struct order *o)
{
	enum wf_state st;
	enum lang ml;
	const struct office *off;
	const char *note;
	int rc;

	if ((rc = store_order_get(app_of(r)->store, id, o)) != STORE_OK)
		return rc == STORE_NOTFOUND ? STORE_NOTFOUND : STORE_ERROR;
	if (wf_state_parse(o->state, &st) == 0 && (st == WF_AT_OFFICE || st == WF_HANDED_OVER))
		return 1;
	if (strcmp(o->office, sh->office) != 0 || !allowed(o, WF_EV_ARRIVE))
		return STORE_NOTFOUND;
	note = i18n_note(&r->arena, "bo.note_arrived", "shipment", sh->reference, NULL);
	rc = order_apply_tx(r, o, WF_EV_ARRIVE, WF_OPERATOR, note);
	if (rc != STORE_OK)
		return rc;
	ml = ra_member_lang(r, o);
	off = catalog_office(app_of(r)->catalog, o->office);
	return app_mail(r, o->email, ml, "mail.bo_arrived.subject", "mail.bo_arrived.body", "id",
			arena_printf(&r->arena, "%lld", o->id), "office", office_name(r, o, ml),
			"address", office_address(r, o), "hours", office_hours(r, o, ml), "phone",
			off ? off->phone : "", "link", ra_order_link(r, o), NULL);
}

/* POST /ra/shipments/receive: shipment=REFERENCE.  Every certificate of
 * the shipment arrives at once, in one transaction; then the CA is told
 * (idempotent, so a failure there is only retried). */
void web_ra_shipment_receive(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	struct store *s = app_of(r)->store;
	struct receive_ctx *items = arena_alloc(&r->arena, sizeof(*items));
	struct ca_connector *ca;
	struct ca_shipment sh;
	struct fstate st;
	struct order o;
	char err[256];
	size_t i;
	int rc = STORE_OK, moved = 0;

	memset(&o, 0, sizeof(o));
	if (fields_read(r, receive_fields, NFIELDS(receive_fields), &st) > 0) {
		page_error(r, 404, "bo.shipment_not_found");
		return;
	}
	if ((ca = connector(r, err, sizeof(err))) == NULL) {
		page_error(r, 503, "bo.ca_unavailable");
		return;
	}
	if (ca->shipment(ca, fields_value(&st, "shipment"), &sh, collect_item, items, err,
			 sizeof(err)) != 0 ||
	    (u->role == RA_OPERATOR && strcmp(sh.office, u->office) != 0)) {
		page_error(r, 404, "bo.shipment_not_found");
		return;
	}
	if (sh.received_at != 0) {
		page_error(r, 409, "bo.shipment_received_already");
		return;
	}
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	for (i = 0; i < items->n && (rc == STORE_OK || rc == 1); i++)
		if ((rc = receive_one(r, items->ids[i], &sh, &o)) == STORE_OK)
			moved++;
	if (rc == STORE_OK || rc == 1)
		rc = app_audit(r, "ra.shipment_receive", sh.reference, "ok", "%d of %zu orders",
			       moved, items->n);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		if (rc == STORE_NOTFOUND) {
			app_audit(r, "ra.shipment_receive", sh.reference, "denied",
				  "order %lld is %s", o.id, o.state);
			page_error(r, 409, "bo.shipment_wrong_state");
		} else
			page_error(r, 503, "error.storage");
		return;
	}
	app_mail_kick(r);
	if (ca->shipment_received(ca, sh.reference, u->username, time(NULL), err, sizeof(err)) != 0)
		log_warnx("shipment %s: the CA was not told of the receipt: %s", sh.reference, err);
	http_redirect(r, "/ra/shipments?done=1");
}
