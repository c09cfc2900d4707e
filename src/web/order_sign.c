/*
 * Documents signed electronically on the member's order page (issue 19):
 * POST /orders/N/signed takes one signed PDF (multipart: doc, file),
 * draws the document as the portal issued it in each language, and hands
 * both to uc_sign_upload (app/sign.h).  A signature whose certificate
 * names no JMBG waits for the office: its order page shows the
 * certificate beside the request, and POST /ra/orders/N/signed confirms
 * or refuses the signer (uc_sign_decide), after a confirmation step.
 */
#include "web/order_sign.h"

#include <stdio.h>
#include <string.h>

#include "app/sign.h"
#include "docs/docs.h"
#include "store/store_sign.h"
#include "web/handlers.h"
#include "web/pages.h"
#include "web/ra_order.h"

struct sign_rows {
	struct req *r;
	struct tctx *c;
	struct order_signature got[SIGN_DOC__MAX];
	int have[SIGN_DOC__MAX];
};

static int keep(void *arg, const struct order_signature *s)
{
	struct sign_rows *x = arg;
	enum sign_doc d;

	if (sign_doc_parse(s->doc, &d) == 0) {
		x->got[d] = *s;
		x->have[d] = 1;
	}
	return 0;
}

static const char *doc_key(enum sign_doc d)
{
	return d == SIGN_DOC_REQUEST ? "sign.doc_request" : "sign.doc_contract";
}

void sign_order_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	struct sign_rows x;
	struct tctx *d;

	if (!sign_awaited(o) || !(wf_props(o->state)->printable & WF_MEMBER))
		return;
	memset(&x, 0, sizeof(x));
	store_sign_each(app_of(r)->store, o->id, keep, &x);
	tctx_set_bool(c, "sign", 1);
	tctx_set_list(c, "sign_docs");
	for (int i = 0; i < SIGN_DOC__MAX; i++) {
		d = tctx_add(c, "sign_docs");
		tctx_set(d, "doc", sign_doc_name((enum sign_doc)i));
		tctx_set(d, "doc_label", msg(r, doc_key((enum sign_doc)i)));
		if (!x.have[i])
			continue;
		if (x.got[i].review == SIGN_REVIEW_HELD)
			tctx_set(d, "held", msg(r, "sign.held"));
		else if (x.got[i].review == SIGN_REVIEW_REFUSED)
			tctx_set(d, "refused", msg(r, "sign.refused_office"));
		else
			tctx_set(d, "signed",
				 i18n_format(&r->arena, r->lang, "sign.signed", "signer",
					     x.got[i].signer, "serial", x.got[i].serial, NULL));
	}
}

/* A held signature beside the request, with the decision's buttons for
 * an operator of the order's office. */
static void held_ctx(struct req *r, struct tctx *c, const struct order *o, enum sign_doc d,
		     const struct order_signature *s)
{
	const struct ra_user *u = ra_user(r);
	struct tctx *h = tctx_add(c, "sign_held");

	tctx_set(h, "doc", sign_doc_name(d));
	tctx_set(h, "title",
		 i18n_format(&r->arena, r->lang, "bo.sign_held_title", "doc", msg(r, doc_key(d)),
			     NULL));
	tctx_set(h, "name", *s->signer_name ? s->signer_name : s->signer);
	tctx_set(h, "sn", *s->signer_sn ? s->signer_sn : msg(r, "bo.sign_no_sn"));
	tctx_set(h, "issuer", s->issuer);
	tctx_set(h, "cert",
		 i18n_format(&r->arena, r->lang, "bo.sign_held_cert", "serial", s->serial, "status",
			     s->status, "at", page_time(r, s->signed_at, 1), NULL));
	tctx_setf(h, "holder", "%s %s", o->first_name, o->last_name);
	tctx_set(h, "jmbg", o->jmbg);
	if (u != NULL && u->role == RA_OPERATOR && sign_awaited(o))
		tctx_set_bool(h, "may_decide", 1);
}

void sign_staff_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	struct sign_rows x;
	struct tctx *d;

	memset(&x, 0, sizeof(x));
	if (store_sign_each(app_of(r)->store, o->id, keep, &x) != STORE_OK)
		return;
	tctx_set_list(c, "signatures");
	tctx_set_list(c, "sign_held");
	for (int i = 0; i < SIGN_DOC__MAX; i++)
		if (x.have[i] && x.got[i].review == SIGN_REVIEW_HELD)
			held_ctx(r, c, o, (enum sign_doc)i, &x.got[i]);
		else if (x.have[i]) {
			d = tctx_add(c, "signatures");
			tctx_set(d, "text",
				 i18n_format(&r->arena, r->lang,
					     x.got[i].review == SIGN_REVIEW_REFUSED
						     ? "bo.sign_row_refused"
						     : "bo.sign_row",
					     "doc", msg(r, doc_key((enum sign_doc)i)), "signer",
					     x.got[i].signer, "serial", x.got[i].serial, "status",
					     x.got[i].status, "at",
					     page_time(r, x.got[i].signed_at, 1), NULL));
			tctx_set_bool(c, "signed_any", 1);
		}
}

/* POST /orders/N/signed: doc=request|contract, file=the signed PDF. */
void web_order_signed_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct buf pdf[LANG__MAX];
	const unsigned char *orig[LANG__MAX];
	size_t orig_len[LANG__MAX], n = 0, len = 0;
	struct sign_upload in;
	struct uc_result res;
	struct order o;
	char name[32], loc[64];
	int complete, rc;

	rc = store_order_get_owned(app_of(r)->store, r->ids[0], r->account_id, &o);
	if (rc != STORE_OK) {
		page_error(r, rc == STORE_NOTFOUND ? 404 : 503,
			   rc == STORE_NOTFOUND ? "order.not_found" : "error.storage");
		return;
	}
	memset(&in, 0, sizeof(in));
	if (sign_doc_parse(form_get(&r->form, "doc"), &in.doc) != 0) {
		page_error(r, 400, "sign.err_doc");
		return;
	}
	in.file = (const unsigned char *)form_get_len(&r->form, "file", &len);
	in.len = in.file ? len : 0;
	snprintf(name, sizeof(name), "%s.pdf", sign_doc_name(in.doc));
	/* The member may have downloaded it in any language. */
	for (int l = 0; l < LANG__MAX; l++) {
		pdf[l] = (struct buf)BUF_INIT;
		if (sign_awaited(&o) && in.len > 0 &&
		    doc_order_pdf(&o, app_of(r)->catalog, name, (enum lang)l, &pdf[l]) == 0) {
			orig[n] = (const unsigned char *)pdf[l].data;
			orig_len[n++] = pdf[l].len;
		}
	}
	in.orig = orig;
	in.orig_len = orig_len;
	in.norig = n;
	if (sign_awaited(&o) && in.len > 0 && n == 0)
		res = (struct uc_result){UC_UNAVAILABLE, NULL, "error.documents"};
	else
		res = uc_sign_upload(&env, &who, &r->arena, &o, &in, &complete);
	for (int l = 0; l < LANG__MAX; l++)
		buf_free(&pdf[l]);
	snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
	web_answer(r, res, loc);
}

static const struct field decide_fields[] = {
	{"doc", "bo.sign_doc", "text", "off", 16, F_REQUIRED, NULL, NULL, NULL},
	{"decision", "bo.sign_decision", "text", "off", 16, F_REQUIRED, NULL, NULL, NULL},
};

/* POST /ra/orders/N/signed: doc=request|contract,
 * decision=confirm|refuse, confirm=1 after the confirmation page.  An
 * operator of the order's office only (route roles, ra_order_load). */
void web_ra_sign_decide(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct order_signature s;
	struct uc_result res;
	struct fstate st;
	struct order o;
	enum sign_doc doc;
	const char *decision, *what;
	char loc[80];
	int confirm, complete;

	if (ra_order_load(r, &o) != 0)
		return;
	fields_read(r, decide_fields, sizeof(decide_fields) / sizeof(decide_fields[0]), &st);
	decision = fields_value(&st, "decision");
	confirm = strcmp(decision, "confirm") == 0;
	if (sign_doc_parse(fields_value(&st, "doc"), &doc) != 0 ||
	    (!confirm && strcmp(decision, "refuse") != 0)) {
		page_error(r, 400, "bo.sign_decision_invalid");
		return;
	}
	if (store_sign_get(app_of(r)->store, o.id, sign_doc_name(doc), &s) != STORE_OK ||
	    s.review != SIGN_REVIEW_HELD) {
		page_error(r, 409, "sign.err_not_held");
		return;
	}
	what = i18n_format(&r->arena, r->lang, confirm ? "ask.sign_confirm" : "ask.sign_refuse",
			   "id", arena_printf(&r->arena, "%lld", o.id), "doc", msg(r, doc_key(doc)),
			   "signer", *s.signer_name ? s.signer_name : s.signer, "sn", s.signer_sn,
			   "holder", arena_printf(&r->arena, "%s %s", o.first_name, o.last_name),
			   NULL);
	if (page_ask_first(r, confirm ? "ask.sign_confirm_title" : "ask.sign_refuse_title", what,
			   confirm ? "ask.sign_confirm_button" : "ask.sign_refuse_button",
			   arena_printf(&r->arena, "/ra/orders/%lld", o.id)))
		return;
	res = uc_sign_decide(&env, &a, &r->arena, &o, doc, confirm, &complete);
	snprintf(loc, sizeof(loc), "/ra/orders/%lld?done=%s", o.id,
		 confirm ? "sign_confirm" : "sign_refuse");
	web_answer_item(r, res, loc);
}
