/*
 * GET /account/data: the member's own data as one JSON file (GDPR
 * art. 15 and 20; issue 18, point 7): the account, the member
 * register's entry and every order with its history, the history in
 * the words of the member's own pages (roles and places, order_panel.c)
 * and in the page's language.  No secret: no password hash, no token,
 * no staff member's username.  The export is recorded in the audit log.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "domain/payment.h"
#include "domain/workflow.h"
#include "store/store.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/order_panel.h"
#include "web/pages.h"

/* o[key] = v as a string (v is UTF-8 from the forms; an invalid one
 * would be dropped by jansson, so it is written as ""). */
static void put(json_t *o, const char *key, const char *v)
{
	json_t *s = json_string(v != NULL ? v : "");

	json_object_set_new(o, key, s != NULL ? s : json_string(""));
}

/* A time as UTC ISO 8601; 0 (never) as null. */
static void put_time(json_t *o, const char *key, time_t t)
{
	char ts[32];
	struct tm tm;

	if (t == 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	gmtime_r(&t, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	put(o, key, ts);
}

struct history_ctx {
	struct req *r;
	json_t *list;
};

static int add_event(void *arg, const struct order_event *e)
{
	struct history_ctx *x = arg;
	json_t *ev = json_object();

	if (ev == NULL)
		return 1;
	put_time(ev, "at", e->at);
	put(ev, "state", wf_state_name(e->state));
	put(ev, "state_label", page_state_label(x->r, e->state));
	put(ev, "by", order_history_actor(x->r, e->actor));
	put(ev, "note", i18n_note_text_as(&x->r->arena, x->r->lang, e->note, "mnote."));
	json_array_append_new(x->list, ev);
	return 0;
}

static json_t *order_json(struct req *r, const struct order *o)
{
	struct history_ctx h = {r, json_array()};
	json_t *j = json_object();
	char ref[48], amount[32];

	if (j == NULL || h.list == NULL) {
		json_decref(j);
		json_decref(h.list);
		return NULL;
	}
	json_object_set_new(j, "id", json_integer(o->id));
	put(j, "type", o->type == ORDER_LEGAL ? "legal_entity" : "natural_person");
	put(j, "state", wf_state_name(o->state));
	put(j, "state_label", page_state_label(r, o->state));
	put(j, "first_name", o->first_name);
	put(j, "last_name", o->last_name);
	put(j, "jmbg", o->jmbg);
	put(j, "id_type", o->id_type);
	put(j, "id_number", o->id_number);
	put(j, "id_issuer", o->id_issuer);
	put(j, "street", o->street);
	put(j, "postal_code", o->postal_code);
	put(j, "city", o->city);
	put(j, "email", o->email);
	put(j, "phone", o->phone);
	put(j, "license_number", o->license_number);
	put(j, "office", o->office);
	put(j, "validity", o->validity);
	json_object_set_new(j, "card_reader", json_boolean(o->card_reader));
	if (o->type == ORDER_LEGAL) {
		put(j, "position", o->position);
		put(j, "company_name", o->company_name);
		put(j, "company_cert_name", o->company_cert_name);
		put(j, "company_mb", o->company_mb);
		put(j, "company_pib", o->company_pib);
		put(j, "company_street", o->company_street);
		put(j, "company_postal_code", o->company_postal_code);
		put(j, "company_city", o->company_city);
		put(j, "company_email", o->company_email);
	}
	if (payment_ref_display(o->payment_ref, ref, sizeof(ref)) != 0)
		snprintf(ref, sizeof(ref), "%s", o->payment_ref);
	put(j, "payment_reference", ref);
	snprintf(amount, sizeof(amount), "%lld.%02lld", o->total_para / 100, o->total_para % 100);
	put(j, "amount_rsd", amount);
	put_time(j, "created_at", o->created_at);
	put_time(j, "confirmed_at", o->confirmed_at);
	put_time(j, "updated_at", o->updated_at);
	if (store_order_events(app_of(r)->store, o->id, add_event, &h) != STORE_OK) {
		json_decref(h.list);
		json_decref(j);
		return NULL;
	}
	json_object_set_new(j, "history", h.list);
	return j;
}

struct orders_ctx {
	struct req *r;
	long long account_id;
	json_t *list;
	int failed;
};

static int add_order(void *arg, const struct order_summary *s)
{
	struct orders_ctx *x = arg;
	struct order o;
	json_t *j;

	if (store_order_get_owned(app_of(x->r)->store, s->id, x->account_id, &o) != STORE_OK ||
	    (j = order_json(x->r, &o)) == NULL) {
		x->failed = 1;
		return 1;
	}
	json_array_append_new(x->list, j);
	return 0;
}

void web_account_data(struct req *r)
{
	const struct session_user *u = session_user(r);
	struct store *st = app_of(r)->store;
	struct orders_ctx x = {r, u->account_id, json_array(), 0};
	json_t *root = json_object(), *acc = json_object(), *mem = json_object();
	struct account a;
	struct member m;
	char *text = NULL, disp[96], day[16];
	time_t now = time(NULL);
	struct tm tm;

	if (root == NULL || acc == NULL || mem == NULL || x.list == NULL ||
	    store_account_get(st, u->account_id, &a) != STORE_OK ||
	    store_member_get(st, a.member_id, &m) != STORE_OK ||
	    store_order_each_owned(st, a.id, 0, add_order, &x) != STORE_OK || x.failed)
		goto fail;
	put_time(root, "exported_at", now);
	put(acc, "username", a.username);
	put(acc, "email", a.email);
	put(acc, "language", a.lang);
	put_time(acc, "created_at", a.created_at);
	put_time(acc, "confirmed_at", a.confirmed_at);
	put(mem, "license_number", m.license_number);
	put(mem, "first_name", m.first_name);
	put(mem, "last_name", m.last_name);
	put(mem, "jmbg", m.jmbg);
	put(mem, "email", m.email);
	json_object_set_new(root, "account", acc);
	json_object_set_new(root, "member", mem);
	json_object_set_new(root, "orders", x.list);
	acc = mem = x.list = NULL;
	if ((text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER)) == NULL ||
	    app_audit(r, "account.data_export", "account", "ok", "%zu order(s)",
		      json_array_size(json_object_get(root, "orders"))) != 0)
		goto fail;
	gmtime_r(&now, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	snprintf(disp, sizeof(disp), "attachment; filename=\"qcra-%s.json\"", day);
	buf_reset(&r->out);
	buf_puts(&r->out, text);
	buf_puts(&r->out, "\n");
	r->status = 200;
	r->content_type = "application/json; charset=utf-8";
	http_header(r, "Content-Disposition", arena_strdup(&r->arena, disp));
	free(text);
	json_decref(root);
	return;
fail:
	free(text);
	json_decref(root);
	json_decref(acc);
	json_decref(mem);
	json_decref(x.list);
	page_error(r, 503, "error.storage");
}
