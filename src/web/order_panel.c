/*
 * What the member reads about an order: the panel at the top of its
 * page (where it is, what happens next, what the member must do and by
 * when, the documents the office recorded as missing), the one-line
 * version on the home page, and who did what in its history, named by
 * role and place ("Kancelarija Čačak", "Sertifikaciono telo", "Vi")
 * rather than by a staff member's username.
 *
 * The texts are per state, keyed by the workflow table's panel prefix
 * (domain/workflow.c); what the member must bring or pay, and whether
 * the order may still expire, follow from the transitions the state
 * allows, so nothing here compares state names.
 */
#include "web/order_panel.h"

#include <stdio.h>
#include <string.h>

#include "domain/catalog.h"
#include "web/pages.h"

/* The pickup office's name in r's language, or "". */
static const char *office_of(struct req *r, const char *code)
{
	const struct office *off = catalog_office(app_of(r)->catalog, code);

	return off != NULL ? off->name[r->lang] : "";
}

/* The panel text "PREFIX.part" of state st, with the office filled in;
 * NULL when the catalogue has none (a state with nothing to do). */
static const char *panel_text(struct req *r, enum wf_state st, const char *part, const char *office)
{
	const char *key = arena_printf(&r->arena, "%s.%s", wf_props(st)->panel, part);

	if (!i18n_has(LANG_SR, key))
		return NULL;
	return i18n_format(&r->arena, r->lang, key, "office", office, NULL);
}

const char *order_panel_line(struct req *r, enum wf_state st, const char *office)
{
	return panel_text(r, st, "where", office_of(r, office));
}

/* One read of the order's history for the panel: the office's latest
 * note of what is missing (a documents check that found gaps, or a
 * correction that needs newly signed papers), forgotten once the order
 * moved past waiting for documents (events come oldest first); and
 * whether the CA once returned it (app/expire.c: then no deadline). */
struct missing_scan {
	struct req *r;
	const char *note;
	int returned;
};

static int scan_missing(void *arg, const struct order_event *e)
{
	struct missing_scan *m = arg;

	if (e->state == WF_RETURNED)
		m->returned = 1;
	if (i18n_note_is(e->note, "bo.note_docs_missing") ||
	    i18n_note_is(e->note, "note.corrected_papers") ||
	    i18n_note_is(e->note, "note.new_papers"))
		m->note = arena_strdup(&m->r->arena, e->note);
	else if (!workflow_awaits_documents(e->state))
		m->note = NULL;
	return 0;
}

void order_panel_ctx(struct req *r, struct tctx *c, const struct order *o)
{
	const struct config *cfg = app_of(r)->cfg;
	const char *office = office_of(r, o->office), *todo;
	enum wf_state st = o->state;
	struct missing_scan m = {r, NULL, 0};
	int scanned = 0;

	tctx_set(c, "panel_where", panel_text(r, st, "where", office));
	tctx_set(c, "panel_next", panel_text(r, st, "next", office));
	todo = panel_text(r, st, "todo", office);
	tctx_set(c, "panel_todo", todo != NULL ? todo : msg(r, "panel.nothing"));
	if (workflow_may_expire(st) || workflow_awaits_documents(st))
		scanned = store_order_events(app_of(r)->store, o->id, scan_missing, &m) == STORE_OK;
	/* The deadline (app/expire.c): not for an order the CA returned,
	 * which waits for its new papers; a paid one for the documents. */
	if (workflow_may_expire(st) && o->confirmed_at != 0 && scanned && !m.returned) {
		time_t until = o->confirmed_at + (time_t)cfg->order_expiry_days * 24 * 3600;

		tctx_set(c, "panel_by",
			 i18n_format(&r->arena, r->lang,
				     workflow_awaits_payment(st) ? "panel.deadline"
								 : "panel.deadline_paid",
				     "date", page_time(r, until, 0), "days",
				     arena_printf(&r->arena, "%d", cfg->order_expiry_days), NULL));
	}
	/* The documents to bring, only while the office waits for them. */
	if (workflow_awaits_documents(st) || workflow_editable(st, WF_MEMBER))
		tctx_set_bool(c, "docs_needed", 1);
	if (workflow_awaits_documents(st) && scanned && m.note != NULL)
		tctx_set(c, "panel_missing",
			 i18n_note_text_as(&r->arena, r->lang, m.note, "pnote."));
}

/* ---- Who did it, as the member may read it ------------------------------------------- */

const char *order_history_actor(struct req *r, const char *actor)
{
	const struct session_user *u = session_user(r);
	const struct office *off;
	struct operator op;

	if (u != NULL && strcmp(actor, u->username) == 0)
		return msg(r, "hist.you");
	if (strncmp(actor, "ca:", 3) == 0 || strcmp(actor, "ca") == 0)
		return msg(r, "hist.ca");
	if (*actor == '\0' || store_operator_by_username(app_of(r)->store, actor, &op) != STORE_OK)
		return msg(r, "hist.system");
	off = catalog_office(app_of(r)->catalog, op.office);
	if (off == NULL)
		return msg(r, "hist.chamber");
	return i18n_format(&r->arena, r->lang, "hist.office", "city", off->city[r->lang], NULL);
}

/* ---- The home page's open orders -------------------------------------------------------- */

/* The home page lists up to OPEN_SHOWN open orders, found among the
 * account's OPEN_SCAN newest; the list page (web/orders.c) has all. */
#define OPEN_SHOWN 10
#define OPEN_SCAN 200

struct open_rows {
	struct req *r;
	struct tctx *c;
	int shown;
};

static int add_open(void *arg, const struct order_summary *s)
{
	struct open_rows *x = arg;
	struct tctx *row;

	if (workflow_final(s->state))
		return 0;
	if (x->shown == OPEN_SHOWN) {
		tctx_set_bool(x->c, "more_open", 1);
		return 1;
	}
	x->shown++;
	tctx_set_bool(x->c, "has_open", 1);
	row = tctx_add(x->c, "open_orders");
	tctx_setf(row, "id", "%lld", s->id);
	tctx_set(row, "order_line",
		 i18n_format(&x->r->arena, x->r->lang, "panel.order_line", "id",
			     arena_printf(&x->r->arena, "%lld", s->id), NULL));
	tctx_set(row, "state_label", page_state_label(x->r, s->state));
	tctx_set(row, "panel_line", order_panel_line(x->r, s->state, s->office));
	return 0;
}

void order_panel_open_orders(struct req *r, struct tctx *c)
{
	struct open_rows x = {r, c, 0};

	tctx_set_list(c, "open_orders");
	if (r->account_id != 0)
		store_order_each_owned(app_of(r)->store, r->account_id, OPEN_SCAN, add_open, &x);
}
