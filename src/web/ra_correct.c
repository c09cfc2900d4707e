/*
 * Orders returned for correction (the CA refused them, or could not be
 * reached for too long): the office corrects the order's data (each
 * change audited with its old and new value; the documents follow the
 * data, being drawn from it) and sends the order again, or asks for
 * newly signed papers when printed data changed; returns it to the
 * member, who edits and confirms it again; or cancels it with a reason
 * (its payments are reopened on the unresolved list, to be refunded).
 * Each is one transaction with its history note, audit entries and the
 * member's mail.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "domain/catalog.h"
#include "domain/subject.h"
#include "domain/workflow.h"
#include "store/store_payments.h"
#include "web/app.h"

static const char *operator_name(struct req *r)
{
	return ra_user(r)->username;
}

/* The returned order r->ids[0] in a state allowing ev by the office,
 * or the 404 / 409 page and -1. */
static int load_returned(struct req *r, struct order *o, enum wf_event ev)
{
	enum wf_state s;

	if (ra_order_load(r, o) != 0)
		return -1;
	if (wf_state_parse(o->state, &s) != 0 || workflow_next(s, ev, WF_OPERATOR) < 0 ||
	    (ev == WF_EV_CANCEL && s != WF_RETURNED && s != WF_RETURNED_TO_MEMBER)) {
		struct tctx *c = page_ctx(r);

		tctx_set(c, "action_error", msg(r, "bo.not_returned"));
		ra_order_page(r, 409, o, c);
		return -1;
	}
	return 0;
}

static void after(struct req *r, const struct order *o, const char *what)
{
	char loc[80];

	app_mail_kick(r);
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

/* Audits each field of f whose value differs between was and now (old
 * and new value), and lists their labels (in Serbian, the office's
 * record) into changed.  Returns how many, or -1 when an audit entry
 * could not be written. */
static int audit_changes(struct req *r, const struct order *o, const struct field *f, size_t n,
			 const struct fstate *was, const struct fstate *now, struct buf *changed)
{
	char object[32];
	int count = 0;
	size_t i;

	snprintf(object, sizeof(object), "order:%lld", o->id);
	for (i = 0; i < n; i++) {
		if (strcmp(f[i].name, "new_papers") == 0 ||
		    strcmp(was->values[i], now->values[i]) == 0)
			continue;
		if (app_audit(r, "order.correct", object, "ok", "%s: \"%s\" -> \"%s\"", f[i].name,
			      was->values[i], now->values[i]) != STORE_OK)
			return -1;
		buf_printf(changed, "%s%s", changed->len ? ", " : "",
			   i18n_get(LANG_SR, f[i].label_key));
		count++;
	}
	return count;
}

/* Order o's member in the register (*m), with the name as a
 * certificate says it; 0, or -1 when it cannot be read. */
static int register_member(struct req *r, const struct order *o, struct member *m, char *first,
			   char *last, size_t size)
{
	struct account a;

	if (store_account_get(app_of(r)->store, o->account_id, &a) != STORE_OK ||
	    store_member_get(app_of(r)->store, a.member_id, m) != STORE_OK)
		return -1;
	if (subject_clean(SUBJ_NAME, m->first_name, first, size, NULL, NULL) != SUBJ_OK ||
	    subject_clean(SUBJ_NAME, m->last_name, last, size, NULL, NULL) != SUBJ_OK)
		first[0] = last[0] = '\0';
	return 0;
}

/* JMBG and license number as the register says them now (they are
 * never typed at the office either); a change is audited. */
static int identity_from_register(struct req *r, struct order *n_o, const struct member *m)
{
	char object[32];

	if (strcmp(n_o->jmbg, m->jmbg) == 0 && strcmp(n_o->license_number, m->license_number) == 0)
		return STORE_OK;
	snprintf(object, sizeof(object), "order:%lld", n_o->id);
	if (app_audit(r, "order.correct", object, "ok",
		      "jmbg, license_number from the register: \"%s\" \"%s\" -> \"%s\" \"%s\"",
		      n_o->jmbg, n_o->license_number, m->jmbg, m->license_number) != STORE_OK)
		return STORE_ERROR;
	snprintf(n_o->jmbg, sizeof(n_o->jmbg), "%.13s", m->jmbg);
	snprintf(n_o->license_number, sizeof(n_o->license_number), "%s", m->license_number);
	return STORE_OK;
}

/* POST /ra/orders/N/correct: the form's fields, new_papers. */
void web_ra_correct_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	char first[SUBJECT_BYTES(SUBJECT_NAME_MAX)], last[SUBJECT_BYTES(SUBJECT_NAME_MAX)];
	struct field f[FORM_MAX_FIELDS];
	struct fstate st, was;
	struct buf changed = BUF_INIT;
	struct order o, n_o;
	struct member m;
	const char *note;
	int papers, count, rc;
	size_t n;

	if (load_returned(r, &o, WF_EV_SEND) != 0)
		return;
	n = order_form_fields(o.type, f);
	f[n++] = papers_field;
	if (order_form_read_office(r, o.type, &st, f, n, &o) > 0) {
		correct_form(r, 422, &o, &st);
		return;
	}
	if (register_member(r, &o, &m, first, last, sizeof(first)) != 0) {
		page_error(r, 503, "error.storage");
		return;
	}
	papers = strcmp(fields_value(&st, "new_papers"), "1") == 0;
	order_form_from_order(r, &o, f, n, &was);
	n_o = o;
	order_form_to_order(&st, &n_o);
	n_o.updated_at = time(NULL);
	/* A name other than the register's: the office that corrects it
	 * has checked it against the identity document. */
	n_o.name_differs = strcmp(n_o.first_name, first) != 0 || strcmp(n_o.last_name, last) != 0;
	if (n_o.name_differs && (strcmp(n_o.first_name, o.first_name) != 0 ||
				 strcmp(n_o.last_name, o.last_name) != 0 || !o.name_confirmed_at)) {
		n_o.name_confirmed_at = n_o.updated_at;
		snprintf(n_o.name_confirmed_by, sizeof(n_o.name_confirmed_by), "%s",
			 operator_name(r));
	}
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	count = audit_changes(r, &o, f, n, &was, &st, &changed);
	rc = count < 0 ? STORE_ERROR : identity_from_register(r, &n_o, &m);
	if (rc == STORE_OK)
		rc = store_order_rewrite(s, &n_o, o.state, 0);
	note = i18n_note(&r->arena, papers ? "note.corrected_papers" : "note.corrected_by_office",
			 "fields", count > 0 ? buf_cstr(&changed) : "-", NULL);
	if (rc == STORE_OK && papers) {
		rc = order_apply_tx(r, &n_o, WF_EV_NEW_PAPERS, WF_OPERATOR, note);
		if (rc == STORE_OK) {
			enum lang ml = ra_member_lang(r, &o);
			const struct office *off = catalog_office(app_of(r)->catalog, o.office);

			rc = app_mail(r, o.email, ml, "mail.bo_new_papers.subject",
				      "mail.bo_new_papers.body", "id",
				      arena_printf(&r->arena, "%lld", o.id), "office",
				      off ? off->name[ml] : o.office, "link", ra_order_link(r, &o),
				      NULL);
		}
	} else if (rc == STORE_OK)
		rc = store_order_event_add(s, o.id, o.state, operator_name(r), note,
					   n_o.updated_at);
	if (rc == STORE_OK)
		rc = store_commit(s);
	buf_free(&changed);
	if (rc != STORE_OK) {
		store_rollback(s);
		page_error(r, rc == STORE_NOTFOUND ? 409 : 503,
			   rc == STORE_NOTFOUND ? "bo.not_returned" : "error.storage");
		return;
	}
	after(r, &o, papers ? "new_papers" : "corrected");
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

/* Moves a returned order by ev (return to member, cancel) with the
 * reason, mails the member (mail key prefix mail_key) and, for a
 * cancellation, reopens its payments for a refund: one transaction. */
static void close_returned(struct req *r, enum wf_event ev, const char *form, const char *mail_key,
			   const char *done_what)
{
	struct store *s = app_of(r)->store;
	const char *reason;
	char subj[64], body[64];
	struct order o;
	enum lang ml;
	int rc, reopened = 0;

	if (load_returned(r, &o, ev) != 0 || (reason = read_reason(r, &o, form)) == NULL)
		return;
	ml = ra_member_lang(r, &o);
	snprintf(subj, sizeof(subj), "%s.subject", mail_key);
	snprintf(body, sizeof(body), "%s.body", mail_key);
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	rc = order_apply_tx(r, &o, ev, WF_OPERATOR, reason);
	if (rc == STORE_OK && ev == WF_EV_CANCEL)
		rc = store_payment_reopen_order(
			s, o.id, i18n_note(&r->arena, "pay.note_order_cancelled", NULL), &reopened);
	if (rc == STORE_OK && reopened > 0)
		rc = app_audit(r, "payment.reopen", arena_printf(&r->arena, "order:%lld", o.id),
			       "ok", "%d payment(s) to refund", reopened);
	if (rc == STORE_OK)
		rc = app_mail(r, o.email, ml, subj, body, "id",
			      arena_printf(&r->arena, "%lld", o.id), "reason", reason, "link",
			      ra_order_link(r, &o), NULL);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		page_error(r, rc == STORE_NOTFOUND ? 409 : 503,
			   rc == STORE_NOTFOUND ? "bo.not_returned" : "error.storage");
		return;
	}
	after(r, &o, done_what);
}

/* POST /ra/orders/N/return: reason. */
void web_ra_return(struct req *r)
{
	close_returned(r, WF_EV_RETURN_TO_MEMBER, "return", "mail.bo_returned", "return_to_member");
}

/* POST /ra/orders/N/cancel: reason.  A returned order only; its
 * payments go back on the unresolved list for a refund. */
void web_ra_cancel(struct req *r)
{
	close_returned(r, WF_EV_CANCEL, "cancel", "mail.bo_cancelled", "cancel");
}

/* ---- On the detail page --------------------------------------------------------------------- */

void ra_correct_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct ra_user *u = ra_user(r);
	enum wf_state s;
	char key[64];

	if (wf_state_parse(o->state, &s) != 0)
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
