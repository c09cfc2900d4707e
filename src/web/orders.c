/*
 * Ordering a qualified certificate: instructions, the request form for
 * a natural person or a legal entity, the review of a draft, its
 * confirmation, the member's order list and order page, cancellation,
 * and the three printable documents.
 *
 * Access (ASVS 8.2): every order is fetched with the member's account
 * id; someone else's order, or an id that does not exist, is 404 alike.
 * State changes go through workflow_next() and a compare-and-set in the
 * store, so a replayed or doubled POST changes nothing twice.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/order.h"
#include "core/secret.h"
#include "domain/catalog.h"
#include "domain/subject.h"
#include "domain/workflow.h"
#include "web/app.h"
#include "web/certificates.h"
#include "web/order_sign.h"
#include "web/handlers.h"
#include "web/order_form.h"
#include "web/order_panel.h"
#include "web/pages.h"

/* The type in the path: /certificates/new/natural or /legal. */
static int path_type(struct req *r, enum order_type *t)
{
	const char *last = strrchr(r->path, '/');

	return last ? order_type_parse(last + 1, t) : -1;
}

static int own_member(struct req *r, struct member *m)
{
	return store_member_of_account(app_of(r)->store, r->account_id, m) == STORE_OK;
}

void web_cert_new(struct req *r)
{
	struct tctx *c = page_ctx(r);

	order_form_documents(r, c, ORDER_NATURAL);
	page_render(r, 200, "cert_new", "cert_new.title", c);
}

void web_cert_form_get(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	enum order_type t;
	struct fstate st;
	struct member m;
	size_t n, i;

	if (path_type(r, &t) != 0) {
		page_error(r, 404, "error.not_found");
		return;
	}
	n = order_form_type_fields(t, f);
	fields_blank(f, n, &st);
	/* Prefilled from the member register, as the certificate will say it. */
	if (own_member(r, &m))
		for (i = 0; i < n; i++) {
			char v[SUBJECT_BYTES(SUBJECT_NAME_MAX)];
			const char *name = f[i].name;

			if (strcmp(name, "first_name") == 0 || strcmp(name, "last_name") == 0)
				st.values[i] =
					subject_clean(SUBJ_NAME,
						      name[0] == 'f' ? m.first_name : m.last_name,
						      v, sizeof(v), NULL, NULL) == SUBJ_OK
						? arena_strdup(&r->arena, v)
						: "";
			else if (strcmp(name, "jmbg") == 0)
				st.values[i] = arena_strdup(&r->arena, m.jmbg);
			else if (strcmp(name, "email") == 0)
				st.values[i] = arena_strdup(&r->arena, m.email);
			else if (strcmp(name, "license_number") == 0)
				st.values[i] = arena_strdup(&r->arena, m.license_number);
		}
	order_form_render(r, 200, t, 0, &st);
}

/* The member's form for an order of type t, read and checked into st
 * (f, n as for order_form_read); -1 after an error page when the member
 * cannot be read. */
static int read_form(struct req *r, enum order_type t, struct fstate *st, struct field *f,
		     size_t *n)
{
	struct member m;

	if (!own_member(r, &m)) {
		page_error(r, 503, "error.storage");
		return -1;
	}
	order_form_read(r, t, st, f, n, &m);
	return 0;
}

/* Saves order o, read from the member's form, through use case save
 * (creating or editing it), then on to its review page, or the error
 * page (refused: status). */
static void save_to_review(struct req *r, struct order *o,
			   struct uc_result (*save)(const struct app_env *env,
						    const struct actor *a, struct order *o),
			   unsigned refused)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct uc_result res = save(&env, &who, o);
	char loc[64];

	if (res.status != UC_OK) {
		page_error(r, res.status == UC_REFUSED ? refused : 503, res.msg);
		return;
	}
	snprintf(loc, sizeof(loc), "/orders/%lld/review", o->id);
	http_redirect(r, loc);
}

void web_cert_form_post(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	enum order_type t;
	struct fstate st;
	struct order o;
	size_t n;

	if (path_type(r, &t) != 0) {
		page_error(r, 404, "error.not_found");
		return;
	}
	if (read_form(r, t, &st, f, &n) != 0)
		return;
	if (st.nerrors > 0) {
		order_form_render(r, 422, t, 0, &st);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.type = t;
	order_form_apply(&st, &o);
	save_to_review(r, &o, uc_order_create, 503);
}

/* 1 when the member may change order o's data (a draft, or an order
 * the office returned to them). */
static int member_may_edit(const struct order *o)
{
	enum wf_state st;

	return (st = o->state) < WF_STATE__MAX && workflow_editable(st, WF_MEMBER);
}

/* The member's own order r->ids[0], or a 404 page (returns -1). */
static int load_own(struct req *r, struct order *o)
{
	int rc = store_order_get_owned(app_of(r)->store, r->ids[0], r->account_id, o);

	if (rc == STORE_OK)
		return 0;
	if (rc == STORE_NOTFOUND)
		page_error(r, 404, "order.not_found");
	else
		page_error(r, 503, "error.storage");
	return -1;
}

/* The member's own order r->ids[0] while they may change it; else a
 * 404 page, or a redirect to the order's page (returns -1). */
static int load_editable(struct req *r, struct order *o)
{
	char loc[64];

	if (load_own(r, o) != 0)
		return -1;
	if (member_may_edit(o))
		return 0;
	snprintf(loc, sizeof(loc), "/orders/%lld", o->id);
	http_redirect(r, loc);
	return -1;
}

void web_order_edit_get(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	struct order o;
	size_t n;

	if (load_editable(r, &o) != 0)
		return;
	n = order_form_type_fields(o.type, f);
	order_form_show(&o, f, n, &st, r);
	order_form_render(r, 200, o.type, o.id, &st);
}

void web_order_edit_post(struct req *r)
{
	struct field f[FORM_MAX_FIELDS];
	struct fstate st;
	struct order o;
	size_t n;

	if (load_own(r, &o) != 0)
		return;
	if (!member_may_edit(&o)) {
		page_error(r, 409, "order.frozen");
		return;
	}
	if (read_form(r, o.type, &st, f, &n) != 0)
		return;
	/* A returned order is paid: what was paid for stays. */
	if (o.state != WF_DRAFT) {
		if (strcmp(fields_value(&st, "validity"), o.validity) != 0)
			fields_error(&st, "validity", "order.paid_choice_fixed");
		if ((strcmp(fields_value(&st, "card_reader"), "1") == 0) != (o.card_reader != 0))
			fields_error(&st, "card_reader", "order.paid_choice_fixed");
	}
	if (st.nerrors > 0) {
		order_form_render(r, 422, o.type, o.id, &st);
		return;
	}
	order_form_apply(&st, &o);
	save_to_review(r, &o, uc_order_edit, 409);
}

/* ---- Showing an order -------------------------------------------------------- */

/* "PDV (20%)": the VAT's name with its rate. */
static const char *vat_label(struct req *r, int pct)
{
	return i18n_format(&r->arena, r->lang, "order.vat", "pct",
			   arena_printf(&r->arena, "%d", pct), NULL);
}

static void order_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct catalog *cat = app_of(r)->catalog;
	const struct office *off = catalog_office(cat, o->office);
	const struct tariff_item *ti = catalog_tariff(cat, o->validity);
	struct invoice inv;
	char money[32];

	tctx_setf(c, "id", "%lld", o->id);
	tctx_set(c, "type_label", msg(r, o->type == ORDER_LEGAL ? "order.legal" : "order.natural"));
	tctx_set(c, "state", wf_state_name(o->state));
	tctx_set(c, "state_label", page_state_label(r, o->state));
	tctx_set(c, "payment_ref", page_payment_ref(r, o->payment_ref));
	if (strcmp(o->id_type, "passport") == 0)
		tctx_set_bool(c, "id_passport", 1);
	if (o->type == ORDER_LEGAL)
		tctx_setf(c, "holder_name", "%s %s, %s", o->first_name, o->last_name,
			  o->company_name);
	else
		tctx_setf(c, "holder_name", "%s %s", o->first_name, o->last_name);
	order_form_rows(r, c, o, off, ti);
	if (off != NULL) {
		tctx_set(c, "office_name", off->name[r->lang]);
		tctx_setf(c, "office_address", "%s, %s %s", off->street[r->lang], off->postal_code,
			  off->city[r->lang]);
		tctx_set(c, "office_phone", off->phone);
		tctx_set(c, "office_tel", page_tel(r, off->phone));
		tctx_set(c, "office_email", off->email);
		tctx_set(c, "office_hours", off->hours[r->lang]);
	}
	if (invoice_compute(o, cat, &inv) == 0) {
		money_format(inv.total_para, money, sizeof(money));
		tctx_set(c, "total", money);
		money_format(inv.net_para, money, sizeof(money));
		tctx_set(c, "net", money);
		money_format(inv.vat_para, money, sizeof(money));
		tctx_set(c, "vat", money);
		tctx_set(c, "vat_label", vat_label(r, inv.vat_pct));
		for (size_t i = 0; i < inv.nlines; i++) {
			struct tctx *line = tctx_add(c, "lines");

			money_format(inv.lines[i].amount_para, money, sizeof(money));
			tctx_set(line, "name", inv.lines[i].name[r->lang]);
			tctx_set(line, "amount", money);
		}
	}
	order_form_documents(r, c, o->type);
}

void web_order_review(struct req *r)
{
	struct tctx *c;
	struct order o;

	if (load_editable(r, &o) != 0)
		return;
	c = page_ctx(r);
	order_ctx(r, c, &o);
	page_render(r, 200, "order_review", "order.review_title", c);
}

/* POST /orders/N/confirm and /orders/N/cancel: the member's own order
 * through its use case, answered back to the order's page. */
static void member_act(struct req *r, enum wf_event ev)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct order o;
	char loc[64];

	if (load_own(r, &o) != 0)
		return;
	snprintf(loc, sizeof(loc), "/orders/%lld", o.id);
	if (ev == WF_EV_CONFIRM) {
		web_answer(r, uc_order_confirm(&env, &who, &r->arena, &o), loc);
		return;
	}
	/* Asked first only while it can be done: otherwise the use case's
	 * refusal says why not. */
	if (o.state < WF_STATE__MAX && workflow_member_may_cancel(o.state) &&
	    page_ask_first(r, "ask.cancel_title",
			   i18n_format(&r->arena, r->lang, "ask.cancel", "id",
				       arena_printf(&r->arena, "%lld", o.id), NULL),
			   "ask.cancel_button", loc))
		return;
	web_answer(r, uc_order_cancel(&env, &who, &o), loc);
}

void web_order_confirm(struct req *r)
{
	member_act(r, WF_EV_CONFIRM);
}

void web_order_cancel(struct req *r)
{
	member_act(r, WF_EV_CANCEL);
}

struct events_ctx {
	struct req *r;
	struct tctx *c;
	const char *office_reason; /* the latest return to the member's note */
};

static int add_event(void *arg, const struct order_event *e)
{
	struct events_ctx *x = arg;
	struct tctx *ev = tctx_add(x->c, "events");
	tctx_set(ev, "when", page_time(x->r, e->at, 1));
	tctx_set(ev, "state_label", page_state_label(x->r, e->state));
	tctx_set(ev, "actor", order_history_actor(x->r, e->actor));
	tctx_set(ev, "note", i18n_note_text_as(&x->r->arena, x->r->lang, e->note, "mnote."));
	if (e->state == WF_RETURNED_TO_MEMBER)
		x->office_reason = arena_strdup(&x->r->arena, e->note);
	return 0;
}

/* A returned order: why, in plain words (never the CA's), and what
 * happens next. */
static void returned_panel(struct req *r, struct tctx *c, const struct order *o, enum wf_state st)
{
	char key[64];

	if (st != WF_RETURNED && st != WF_RETURNED_TO_MEMBER)
		return;
	snprintf(key, sizeof(key), "return.%s", o->returned_code[0] ? o->returned_code : "refused");
	tctx_set(c, "returned_panel",
		 i18n_format(&r->arena, r->lang,
			     st == WF_RETURNED ? "order.returned_panel"
					       : "order.returned_to_member_panel",
			     "@reason", key, NULL));
}

void web_order_page(struct req *r)
{
	struct events_ctx x;
	struct tctx *c;
	struct order o;
	enum wf_state st;

	if (load_own(r, &o) != 0)
		return;
	c = page_ctx(r);
	order_ctx(r, c, &o);
	order_panel_ctx(r, c, &o);
	cert_order_ctx(r, c, &o);
	sign_order_ctx(r, c, &o);
	if ((st = o.state) < WF_STATE__MAX) {
		if (st == WF_DRAFT)
			tctx_set_bool(c, "draft", 1);
		else if (workflow_editable(st, WF_MEMBER))
			tctx_set_bool(c, "to_correct", 1);
		else if (wf_props(st)->printable & WF_MEMBER)
			tctx_set_bool(c, "printable", 1);
		if (workflow_member_may_cancel(st))
			tctx_set_bool(c, "may_cancel", 1);
		returned_panel(r, c, &o, st);
	}
	x.r = r;
	x.c = c;
	x.office_reason = NULL;
	tctx_set_list(c, "events");
	store_order_events(app_of(r)->store, o.id, add_event, &x);
	/* What the office asked the member to correct, as it wrote it. */
	if (x.office_reason != NULL && o.state == WF_RETURNED_TO_MEMBER)
		tctx_set(c, "office_reason", x.office_reason);
	page_render(r, 200, "order_page", "order.page_title", c);
}

/* ---- GET /orders?before=ID|after=ID: the member's orders, newest first -------------- */

#define LIST_PAGE 20 /* orders a page of the list shows */

/* A row of the list as read: the summary's names copied at their
 * length into the request's arena, not its fixed buffers (~1.5 KB an
 * order, which a page of 21 would zero and copy on every request). */
struct list_row {
	long long id;
	enum order_type type;
	enum wf_state state;
	time_t created_at;
	const char *first_name, *last_name, *company_name;
};

/* A page of the list as read: up to LIST_PAGE + 1 rows (one more says
 * there is a page beyond), in the order of the read. */
struct list_page {
	struct arena *arena;
	struct list_row o[LIST_PAGE + 1];
	int n;
};

static int keep_summary(void *arg, const struct order_summary *o)
{
	struct list_page *p = arg;
	struct list_row *w = &p->o[p->n++];

	w->id = o->id;
	w->type = o->type;
	w->state = o->state;
	w->created_at = o->created_at;
	w->first_name = arena_strdup(p->arena, o->first_name);
	w->last_name = arena_strdup(p->arena, o->last_name);
	w->company_name = arena_strdup(p->arena, o->company_name);
	return p->n == LIST_PAGE + 1;
}

static void add_order_row(struct req *r, struct tctx *c, const struct list_row *o)
{
	struct tctx *row = tctx_add(c, "orders");

	tctx_set_bool(c, "has_orders", 1);
	tctx_setf(row, "id", "%lld", o->id);
	tctx_set(row, "created", page_time(r, o->created_at, 0));
	tctx_set(row, "type_label",
		 msg(r, o->type == ORDER_LEGAL ? "order.legal" : "order.natural"));
	tctx_set(row, "state_label", page_state_label(r, o->state));
	tctx_setf(row, "holder", "%s %s", o->first_name, o->last_name);
	if (o->type == ORDER_LEGAL)
		tctx_set(row, "company", o->company_name);
}

/* The page of key k into p; past either end (the orders beyond the key
 * deleted meanwhile, a key typed in), the newest page, k cleared. */
static int read_list_page(struct req *r, struct page_key *k, struct list_page *p)
{
	struct store *st = app_of(r)->store;
	int rc;

	p->n = 0;
	rc = store_order_page_owned(st, r->account_id, k->before, k->after, LIST_PAGE + 1,
				    keep_summary, p);
	if (rc != STORE_OK || p->n > 0 || (k->before == 0 && k->after == 0))
		return rc;
	k->before = k->after = 0;
	return store_order_page_owned(st, r->account_id, 0, 0, LIST_PAGE + 1, keep_summary, p);
}

/*
 * A page of LIST_PAGE orders, by key: the newest; ?before=ID those older
 * than ID (the "next" link, from a page's oldest); ?after=ID those newer
 * (the "prev" link, from a page's newest), read oldest first from ID so
 * that the page is the one next to it.  Shown newest first either way.
 */
void web_orders(struct req *r)
{
	struct tctx *c = page_ctx(r);
	struct list_page *p = arena_alloc(&r->arena, sizeof(*p));
	struct page_key k;
	int newer, older, n, i;

	p->arena = &r->arena;
	page_key_read(r, &k);
	if (read_list_page(r, &k, p) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	n = p->n > LIST_PAGE ? LIST_PAGE : p->n;
	if (k.after > 0) { /* oldest first: the page is its first n, turned */
		newer = p->n > LIST_PAGE;
		older = n > 0; /* the key's own order, at least */
		for (i = 0; i < n / 2; i++) {
			struct list_row t = p->o[i];

			p->o[i] = p->o[n - 1 - i];
			p->o[n - 1 - i] = t;
		}
	} else {
		newer = k.before > 0 && n > 0;
		older = p->n > LIST_PAGE;
	}
	tctx_set_list(c, "orders");
	for (i = 0; i < n; i++)
		add_order_row(r, c, &p->o[i]);
	tctx_set_bool(c, "paged", newer || older);
	if (newer)
		tctx_setf(c, "prev", "/orders?after=%lld", p->o[0].id);
	if (older)
		tctx_setf(c, "next", "/orders?before=%lld", p->o[n - 1].id);
	page_render(r, 200, "orders", "orders.title", c);
}

/* GET /orders/N/{request,contract,proforma}.pdf */
void web_order_pdf(struct req *r)
{
	struct order o;

	if (load_own(r, &o) != 0)
		return;
	order_pdf_respond(r, &o, strrchr(r->path, '/') + 1, WF_MEMBER);
}

/* GET /company/N/proforma.pdf?until=T&key=K: the link in a company's
 * mail (app/order_mail.c), which opens that order's proforma without
 * an account until T.  A link not made by us says nothing of the order. */
void web_company_proforma(struct req *r)
{
	const char *until = http_query(r, "until"), *key = http_query(r, "key");
	struct order o;
	char *end;
	long long t;
	int rc;

	errno = 0;
	t = until != NULL && *until >= '0' && *until <= '9' ? strtoll(until, &end, 10) : -1;
	if (t < 0 || errno != 0 || *end != '\0' || key == NULL) {
		page_error(r, 403, "company_link.bad");
		return;
	}
	switch (secret_link_check(app_of(r)->secret, r->ids[0], "proforma", (time_t)t, key,
				  time(NULL))) {
	case SECRET_LINK_OK:
		break;
	case SECRET_LINK_EXPIRED:
		page_error(r, 410, "company_link.expired");
		return;
	default:
		page_error(r, 403, "company_link.bad");
		return;
	}
	rc = store_order_get(app_of(r)->store, r->ids[0], &o);
	if (rc != STORE_OK) {
		page_error(r, rc == STORE_NOTFOUND ? 404 : 503,
			   rc == STORE_NOTFOUND ? "company_link.gone" : "error.storage");
		return;
	}
	/* Said to the company, which has no order page to look at. */
	if (o.state >= WF_STATE__MAX || !(wf_props(o.state)->printable & WF_MEMBER)) {
		page_error(r, 409, "company_link.gone");
		return;
	}
	order_pdf_respond(r, &o, "proforma.pdf", WF_MEMBER);
}

/* ---- Help and offices ---------------------------------------------------------------- */

static void offices_ctx(struct req *r, struct tctx *c)
{
	const struct catalog *cat = app_of(r)->catalog;
	struct tctx *o;
	size_t i;

	for (i = 0; i < cat->noffices; i++) {
		o = tctx_add(c, "offices");
		tctx_set(o, "code", cat->offices[i].code);
		tctx_set(o, "name", cat->offices[i].name[r->lang]);
		tctx_setf(o, "address", "%s, %s %s", cat->offices[i].street[r->lang],
			  cat->offices[i].postal_code, cat->offices[i].city[r->lang]);
		tctx_set(o, "phone", cat->offices[i].phone);
		tctx_set(o, "tel", page_tel(r, cat->offices[i].phone));
		tctx_set(o, "email", cat->offices[i].email);
		tctx_set(o, "hours", cat->offices[i].hours[r->lang]);
	}
}

void web_offices(struct req *r)
{
	struct tctx *c = page_ctx(r);

	offices_ctx(r, c);
	page_render(r, 200, "offices", "offices.title", c);
}

/* GET /prices: the tariff and the card reader, without VAT, the VAT and
 * with it, as the proforma invoice computes them. */
void web_prices(struct req *r)
{
	const struct catalog *cat = app_of(r)->catalog;
	const struct seller *s = &cat->seller;
	struct tctx *c = page_ctx(r), *row;
	char money[32];
	size_t i;

	tctx_set(c, "vat_label",
		 i18n_format(&r->arena, r->lang, "prices.vat", "pct",
			     arena_printf(&r->arena, "%d", s->vat_pct), NULL));
	for (i = 0; i <= cat->ntariff; i++) {
		long long net = i < cat->ntariff ? cat->tariff[i].price_para : s->card_reader_para;
		long long vat = invoice_vat(net, s->vat_pct);

		row = tctx_add(c, "prices");
		tctx_set(row, "name",
			 i < cat->ntariff ? cat->tariff[i].name[r->lang]
					  : s->card_reader_name[r->lang]);
		money_format(net, money, sizeof(money));
		tctx_set(row, "net", money);
		money_format(vat, money, sizeof(money));
		tctx_set(row, "vat", money);
		money_format(net + vat, money, sizeof(money));
		tctx_set(row, "total", money);
	}
	page_render(r, 200, "prices", "prices.title", c);
}

void web_help(struct req *r)
{
	struct tctx *c = page_ctx(r);

	page_render(r, 200, page_lang_template(r, "help"), "help.title", c);
}

void web_help_request(struct req *r)
{
	struct tctx *c = page_ctx(r);

	order_form_documents_as(r, c, ORDER_NATURAL, "documents_natural");
	order_form_documents_as(r, c, ORDER_LEGAL, "documents_legal");
	page_render(r, 200, page_lang_template(r, "help_request"), "help.request_title", c);
}
