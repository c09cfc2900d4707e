/*
 * The back office's view of orders: the dashboard with the office
 * queues, the queue and search page, the order detail with its status
 * history, and the order's printable documents.  The actions on an
 * order are in ra_actions.c.
 *
 * Access (ASVS 8.2; issue 4): an operator sees only the orders picked
 * up at their own office; any other order answers 404 exactly like an
 * id that does not exist.  Administrators and auditors see every
 * office and may narrow the lists with ?office=CODE.  The office in a
 * query is ignored for operators (mass assignment, ASVS 15.3.3).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docs/docs.h"
#include "domain/catalog.h"
#include "domain/workflow.h"
#include "store/store_office.h"
#include "store/store_sign.h"
#include "util/escape.h"
#include "util/log.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/order_sign.h"
#include "web/pages.h"
#include "web/ra_order.h"

#define PAGE_SIZE 20
#define HOME_ROWS 5 /* orders shown per queue on the dashboard */

/* The office queues (domain/workflow.h): the states each one gathers.
 * An order that waits for both documents and payment is in both. */
static const enum wf_queue queues[WF_QUEUE__COUNT] = {WF_Q_DOCUMENTS, WF_Q_PAYMENT, WF_Q_VERIFY,
						      WF_Q_CA, WF_Q_PICKUP};

#define NQUEUES WF_QUEUE__COUNT

/* t as page_time shows it, "" for 0 (not yet). */
static const char *date_of(struct req *r, time_t t, int with_time)
{
	return t == 0 ? "" : page_time(r, t, with_time);
}

/* ---- Lists ------------------------------------------------------------------ */

struct rows_ctx {
	struct req *r;
	struct tctx *c;
	const char *list; /* list name in c */
};

/* A row of the list; held: a signature awaits the office's confirmation. */
static void add_row(struct rows_ctx *x, const struct order *o, int held)
{
	struct tctx *row = tctx_add(x->c, x->list);

	tctx_set_bool(x->c, "has_rows", 1);
	tctx_setf(row, "id", "%lld", o->id);
	tctx_setf(row, "holder", "%s %s", o->first_name, o->last_name);
	tctx_set(row, "type_label",
		 msg(x->r, o->type == ORDER_LEGAL ? "order.legal" : "order.natural"));
	if (o->type == ORDER_LEGAL)
		tctx_set(row, "company", o->company_name);
	tctx_set(row, "license", o->license_number);
	tctx_set(row, "office", o->office);
	tctx_set(row, "state_label", page_state_label(x->r, o->state));
	tctx_set(row, "confirmed", date_of(x->r, o->confirmed_at, 0));
	if (held)
		tctx_set_bool(row, "sign_held", 1);
}

/* The rows of a page of orders (got's, n from from), whether each has
 * a signature awaiting the office read in one statement: 0, or -1 on a
 * storage error. */
static int add_rows(struct rows_ctx *x, const struct page_got *got, size_t from, size_t n)
{
	int held[SIGN_HELD_MAX];

	if (store_sign_held(app_of(x->r)->store, got->ids + from, n, held) != STORE_OK)
		return -1;
	for (size_t i = 0; i < n; i++)
		add_row(x, (const struct order *)(got->v + (from + i) * got->size), held[i]);
	return 0;
}

static int keep_order(void *arg, const struct order *o)
{
	return page_got_keep(arg, o->id, o);
}

static void filter_queue(struct order_filter *f, enum wf_queue q)
{
	f->nstates = 0;
	for (int s = 0; s < WF_STATE__MAX; s++)
		if (wf_props((enum wf_state)s)->queues & q)
			f->states[f->nstates++] = wf_state_name((enum wf_state)s);
}

struct counts {
	long long by_state[WF_STATE__MAX];
};

static int add_count(void *arg, const char *state, long long n)
{
	struct counts *k = arg;
	enum wf_state s;

	if (wf_state_parse(state, &s) == 0)
		k->by_state[s] = n;
	return 0;
}

/* GET /ra: the queues of the office (or of every office), each with its
 * count and its oldest orders. */
void web_ra_home(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	struct store *s = app_of(r)->store;
	const char *office = ra_scope_office(r);
	struct tctx *c = page_ctx(r), *q;
	struct order_filter f;
	struct rows_ctx x;
	struct page_got got;
	struct counts k;
	long long n;
	size_t i, j;

	memset(&k, 0, sizeof(k));
	if (store_office_state_counts(s, office, add_count, &k) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	tctx_set(c, "staff", u->username);
	tctx_set(c, "role_label",
		 msg(r, u->role == RA_ADMIN     ? "role.admin"
			: u->role == RA_AUDITOR ? "role.auditor"
						: "role.operator"));
	if (u->role & RA_ADMIN)
		tctx_set_bool(c, "is_admin", 1);
	if (u->role & (RA_ADMIN | RA_AUDITOR))
		tctx_set_bool(c, "sees_audit", 1);
	ra_office_filter_ctx(r, c, office);
	tctx_set(c, "office_q", office);
	for (i = 0; i < NQUEUES; i++) {
		q = tctx_add(c, "queues");
		tctx_set(q, "name", wf_queue_name(queues[i]));
		tctx_set(q, "title", msg(r, wf_queue_title(queues[i])));
		for (n = 0, j = 0; j < WF_STATE__MAX; j++)
			if (wf_props((enum wf_state)j)->queues & queues[i])
				n += k.by_state[j];
		tctx_setf(q, "count", "%lld", n);
		if (n > HOME_ROWS)
			tctx_set_bool(q, "more", 1);
		tctx_set_list(q, "rows");
		if (n == 0)
			continue;
		memset(&f, 0, sizeof(f));
		f.office = office;
		filter_queue(&f, queues[i]);
		f.limit = HOME_ROWS;
		x.r = r;
		x.c = q;
		x.list = "rows";
		page_got_init(r, &got, sizeof(struct order), HOME_ROWS);
		if (store_office_orders(s, &f, NULL, keep_order, &got) != STORE_OK ||
		    add_rows(&x, &got, 0, got.n) != 0) {
			page_error(r, 503, "error.storage");
			return;
		}
	}
	page_render(r, 200, "ra_home", "ra.home_title", c);
}

/* The state filter options: the queues, then every state but draft. */
static void state_options(struct req *r, struct tctx *c, const char *current)
{
	struct tctx *o;
	size_t i;
	int s;

	for (i = 0; i < NQUEUES; i++) {
		o = tctx_add(c, "state_options");
		tctx_set(o, "value", wf_queue_name(queues[i]));
		tctx_set(o, "label", msg(r, wf_queue_title(queues[i])));
		if (strcmp(current, wf_queue_name(queues[i])) == 0)
			tctx_set_bool(o, "selected", 1);
	}
	for (s = 0; s < WF_STATE__MAX; s++) {
		if (!wf_props((enum wf_state)s)->staff)
			continue;
		o = tctx_add(c, "state_options");
		tctx_set(o, "value", wf_state_name((enum wf_state)s));
		tctx_set(o, "label", page_state_label(r, (enum wf_state)s));
		if (strcmp(current, wf_state_name((enum wf_state)s)) == 0)
			tctx_set_bool(o, "selected", 1);
	}
}

/* GET /ra/queue?state=QUEUE|STATE&q=TEXT&office=CODE&after=ID|before=ID&page=N */
void web_ra_queue(struct req *r)
{
	const char *state = http_query(r, "state"), *q = http_query(r, "q");
	const char *office = ra_scope_office(r);
	struct tctx *c = page_ctx(r);
	struct order_filter f;
	struct rows_ctx x;
	struct page_got got;
	struct page_read rows = {NULL, 0, PAGE_SIZE, 0, ORDER_COUNT_CAP, "bo.found_more"};
	struct page_key key;
	struct buf link = BUF_INIT;
	enum wf_state st;
	size_t i, from, n;

	memset(&f, 0, sizeof(f));
	f.office = office;
	state = state ? state : "";
	q = q ? q : "";
	if (strlen(q) > 100)
		q = arena_strndup(&r->arena, q, 100);
	for (i = 0; i < NQUEUES; i++)
		if (strcmp(state, wf_queue_name(queues[i])) == 0) {
			filter_queue(&f, queues[i]);
			tctx_set(c, "heading", msg(r, wf_queue_title(queues[i])));
		}
	if (f.nstates == 0 && wf_state_parse(state, &st) == 0 && wf_props(st)->staff) {
		f.states[f.nstates++] = wf_state_name(st);
		tctx_set(c, "heading", page_state_label(r, st));
	}
	if (f.nstates == 0)
		state = "";
	f.q = *q ? q : NULL;
	if (f.q != NULL) {
		rows.cap = SEARCH_COUNT_CAP;
		rows.more = "bo.search_found_more";
	}
	/* A row more than a page: whether there is a page beyond. */
	page_key_read(r, &key);
	f.limit = PAGE_SIZE + 1;
	f.after = key.after;
	f.before = key.before;
	page_got_init(r, &got, sizeof(struct order), PAGE_SIZE + 1);
	if (store_office_orders(app_of(r)->store, &f, &rows.total, keep_order, &got) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	if (rows.total == SEARCH_STOPPED) { /* what it found before it stopped */
		tctx_set(c, "stopped", msg(r, "bo.search_stopped"));
		rows.total = (long long)got.n;
	}
	tctx_set(c, "f_q", q);
	tctx_set(c, "f_state", state);
	ra_office_filter_ctx(r, c, office);
	state_options(r, c, state);
	/* The same filter on the neighbouring pages. */
	buf_puts(&link, "/ra/queue?state=");
	url_encode(&link, state);
	buf_puts(&link, "&q=");
	url_encode(&link, q);
	buf_puts(&link, "&office=");
	url_encode(&link, ra_user(r)->role == RA_OPERATOR ? "" : office);
	rows.ids = got.ids;
	rows.got = got.n;
	page_key_ctx(r, c, &key, &rows, buf_cstr(&link), &from, &n);
	buf_free(&link);
	x.r = r;
	x.c = c;
	x.list = "rows";
	tctx_set_list(c, "rows");
	if (add_rows(&x, &got, from, n) != 0) {
		page_error(r, 503, "error.storage");
		return;
	}
	page_render(r, 200, "ra_queue", "bo.queue_title", c);
}

/* ---- One order ------------------------------------------------------------------ */

int ra_order_load(struct req *r, struct order *o)
{
	const struct ra_user *u = ra_user(r);
	int rc = store_order_get(app_of(r)->store, r->ids[0], o);
	char object[32];

	if (rc == STORE_ERROR) {
		page_error(r, 503, "error.storage");
		return -1;
	}
	if (rc == STORE_OK && u->role == RA_OPERATOR && strcmp(o->office, u->office) != 0) {
		snprintf(object, sizeof(object), "order:%lld", o->id);
		app_audit(r, "ra.order_other_office", object, "denied", "office %s", o->office);
		rc = STORE_NOTFOUND;
	}
	if (rc == STORE_OK && !wf_props(o->state)->staff)
		rc = STORE_NOTFOUND;
	if (rc != STORE_OK) {
		page_error(r, 404, "bo.order_not_found");
		return -1;
	}
	return 0;
}

/* The request data, row by row (label key, field). */
struct detail_row {
	const char *label_key;
	size_t off;
	unsigned types; /* 1 << ORDER_NATURAL | 1 << ORDER_LEGAL */
};

#define BOTH ((1u << ORDER_NATURAL) | (1u << ORDER_LEGAL))
#define LEGAL (1u << ORDER_LEGAL)
#define AT(f) offsetof(struct order, f)

static const struct detail_row detail_rows[] = {
	{"field.first_name", AT(first_name), BOTH},
	{"field.last_name", AT(last_name), BOTH},
	{"field.jmbg", AT(jmbg), BOTH},
	{"field.id_type", AT(id_type), BOTH},
	{"field.id_number", AT(id_number), BOTH},
	{"field.id_issuer", AT(id_issuer), BOTH},
	{"field.street", AT(street), BOTH},
	{"field.postal_code", AT(postal_code), BOTH},
	{"field.city", AT(city), BOTH},
	{"field.email", AT(email), BOTH},
	{"field.phone", AT(phone), BOTH},
	{"field.license_number", AT(license_number), BOTH},
	{"field.position", AT(position), LEGAL},
	{"field.company_name", AT(company_name), LEGAL},
	{"field.company_cert_name", AT(company_cert_name), LEGAL},
	{"field.company_mb", AT(company_mb), LEGAL},
	{"field.company_pib", AT(company_pib), LEGAL},
	{"field.company_street", AT(company_street), LEGAL},
	{"field.company_postal_code", AT(company_postal_code), LEGAL},
	{"field.company_city", AT(company_city), LEGAL},
	{"field.company_email", AT(company_email), LEGAL},
	{"field.office", AT(office), BOTH},
	{"field.validity", AT(validity), BOTH},
};

static void detail_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct catalog *cat = app_of(r)->catalog;
	const struct office *off = catalog_office(cat, o->office);
	const struct tariff_item *ti = catalog_tariff(cat, o->validity);
	const char *v;
	struct tctx *row;
	char money[32];
	size_t i;

	tctx_set_list(c, "rows");
	for (i = 0; i < sizeof(detail_rows) / sizeof(detail_rows[0]); i++) {
		if (!(detail_rows[i].types & (1u << o->type)))
			continue;
		v = (const char *)o + detail_rows[i].off;
		if (detail_rows[i].off == AT(id_type))
			v = msg(r, strcmp(o->id_type, "passport") == 0 ? "order.passport"
								       : "order.id_card");
		else if (detail_rows[i].off == AT(office) && off != NULL)
			v = off->name[r->lang];
		else if (detail_rows[i].off == AT(validity) && ti != NULL)
			v = ti->name[r->lang];
		row = tctx_add(c, "rows");
		tctx_set(row, "label", msg(r, detail_rows[i].label_key));
		tctx_set(row, "value", v);
	}
	row = tctx_add(c, "rows");
	tctx_set(row, "label", msg(r, "field.card_reader"));
	tctx_set(row, "value", msg(r, o->card_reader ? "order.yes" : "order.no"));
	tctx_set(c, "type_label", msg(r, o->type == ORDER_LEGAL ? "order.legal" : "order.natural"));
	tctx_set(c, "payment_ref", page_payment_ref(r, o->payment_ref));
	if (o->total_para > 0) {
		money_format(o->total_para, money, sizeof(money));
		tctx_set(c, "total", money);
	}
	tctx_set(c, "confirmed", date_of(r, o->confirmed_at, 1));
}

static int add_event(void *arg, const struct order_event *e)
{
	struct page_rows *x = arg;
	struct tctx *ev = tctx_add(x->c, "events");

	tctx_set(ev, "when", date_of(x->r, e->at, 1));
	tctx_set(ev, "state_label", page_state_label(x->r, e->state));
	tctx_set(ev, "actor", e->actor);
	tctx_set(ev, "note", i18n_note_text(&x->r->arena, x->r->lang, e->note));
	return 0;
}

/* ?done=ACTION after a redirect: which action just succeeded. */
static void done_notice(struct req *r, struct tctx *c)
{
	static const char *const done[] = {
		"documents", "documents_missing", "verify",     "send",       "reject",
		"hand_over", "returned",          "corrected",  "new_papers", "return_to_member",
		"cancel",    "sign_confirm",      "sign_refuse"};
	const char *d = http_query(r, "done");
	char key[48];
	size_t i;

	if (d == NULL || tctx_get(c, "action_error") != NULL)
		return;
	for (i = 0; i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(d, done[i]) == 0) {
			snprintf(key, sizeof(key), "bo.done_%s", done[i]);
			tctx_set(c, "notice", msg(r, key));
		}
}

void ra_order_page(struct req *r, unsigned status, const struct order *o, struct tctx *c)
{
	struct ca_request cr;
	struct page_rows x;

	if (c == NULL)
		c = page_ctx(r);
	tctx_setf(c, "id", "%lld", o->id);
	tctx_set(c, "state", wf_state_name(o->state));
	tctx_set(c, "state_label", page_state_label(r, o->state));
	detail_ctx(r, c, o);
	if (wf_props(o->state)->printable & WF_OPERATOR)
		tctx_set_bool(c, "printable", 1);
	if (store_ca_request_get(app_of(r)->store, o->id, &cr) == STORE_OK)
		tctx_set(c, "ca_reference", cr.reference);
	done_notice(r, c);
	sign_staff_ctx(r, c, o);
	ra_actions_ctx(r, c, o);
	ra_correct_ctx(r, c, o);
	/* Payments: the payments area puts its section here (see the
	 * marked place in templates/ra_order.html). */
	ra_payments_ctx(r, c, o);
	x.r = r;
	x.c = c;
	tctx_set_list(c, "events");
	if (store_order_events(app_of(r)->store, o->id, add_event, &x) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	page_render(r, status, "ra_order", "bo.order_title", c);
}

void ra_order_show(struct req *r, void (*page)(struct req *r, unsigned status,
					       const struct order *o, struct tctx *c))
{
	struct order o;

	if (ra_order_load(r, &o) == 0)
		page(r, 200, &o, NULL);
}

/* GET /ra/orders/N */
void web_ra_order(struct req *r)
{
	ra_order_show(r, ra_order_page);
}

/* GET /ra/orders/N/{request,contract,proforma}.pdf: the documents the
 * member printed, from the same generator. */
void web_ra_order_pdf(struct req *r)
{
	const char *name = strrchr(r->path, '/') + 1;
	char object[32];
	struct order o;

	if (ra_order_load(r, &o) != 0)
		return;
	if (order_pdf_respond(r, &o, name, WF_OPERATOR) == 0) {
		snprintf(object, sizeof(object), "order:%lld", o.id);
		app_audit(r, "ra.order_pdf", object, "ok", "%s", name);
	}
}
