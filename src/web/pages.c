/*
 * Page pieces shared by the member's and the back office's pages, so
 * that each lives once and no area's file reaches into another's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docs/docs.h"
#include "domain/catalog.h"
#include "domain/payment.h"
#include "domain/workflow.h"
#include "store/store_payments.h"
#include "util/log.h"
#include "web/pages.h"

const char *page_state_label(struct req *r, enum wf_state state)
{
	const char *label = wf_props(state)->label, *staff;

	/* Labels written to the member ("returned to you") have a ".staff"
	 * twin for the office. */
	if (ra_user(r) != NULL &&
	    i18n_has(LANG_SR, staff = arena_printf(&r->arena, "%s.staff", label)))
		return msg(r, staff);
	return msg(r, label);
}

const char *page_payment_ref(struct req *r, const char *ref)
{
	char out[UTF8_BUF(PAYMENT_REF_TEXT_MAX) + PAYMENT_REF_SIZE]; /* as written, or grouped */

	payment_ref_display(ref, out, sizeof(out));
	return arena_strdup(&r->arena, out);
}

int page_ask_first(struct req *r, const char *title_key, const char *what, const char *button_key,
		   const char *back)
{
	const char *confirm = http_param(r, "confirm");
	struct tctx *c, *field;
	size_t i;

	if (confirm != NULL && strcmp(confirm, "1") == 0)
		return 0;
	c = page_ctx(r);
	tctx_set(c, "ask_title", msg(r, title_key));
	tctx_set(c, "ask_action", r->path);
	tctx_set(c, "ask_what", what);
	tctx_set(c, "ask_button", msg(r, button_key));
	tctx_set(c, "ask_back", back);
	tctx_set_list(c, "ask_fields");
	for (i = 0; i < r->form.n; i++) {
		const struct form_param *p = &r->form.params[i];

		if (strcmp(p->name, "csrf_token") == 0 || strcmp(p->name, "confirm") == 0)
			continue;
		field = tctx_add(c, "ask_fields");
		tctx_set(field, "name", p->name);
		tctx_set(field, "value", p->value);
	}
	page_render(r, 200, "ask", title_key, c);
	return 1;
}

const char *page_time(struct req *r, time_t t, int with_time)
{
	char out[32];
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, sizeof(out), with_time ? "%d.%m.%Y. %H:%M" : "%d.%m.%Y.", &tm);
	return arena_strdup(&r->arena, out);
}

void page_brand_ctx(struct req *r, struct tctx *c)
{
	const struct catalog *cat = app_of(r)->catalog;
	const struct brand *b = &cat->brand;
	enum lang l = b->chamber[r->lang][0] ? r->lang : LANG_SR;

	tctx_set(c, "brand_chamber", b->chamber[l]);
	tctx_set(c, "brand_chamber_of", b->chamber_of[l]);
	tctx_set(c, "brand_support_email", b->support_email);
	tctx_set(c, "brand_support_phone", b->support_phone);
	tctx_set(c, "brand_support_tel", page_tel(r, b->support_phone));
	tctx_set(c, "brand_support_hours", b->support_hours[l]);
	tctx_set(c, "ca_name", cat->seller.ca_name);
	tctx_set(c, "ca_terms_url", b->ca_terms_url);
	tctx_set(c, "ca_cps_url", b->ca_cps_url);
	tctx_set(c, "ca_pds_url", b->ca_pds_url);
}

const char *page_tel(struct req *r, const char *phone)
{
	char out[40];
	size_t n = 0;

	n = (size_t)snprintf(out, sizeof(out), "tel:");
	for (; *phone && n + 1 < sizeof(out); phone++)
		if ((*phone >= '0' && *phone <= '9') || (*phone == '+' && n == 4))
			out[n++] = *phone;
	out[n] = '\0';
	return arena_strdup(&r->arena, out);
}

int page_number(struct req *r)
{
	const char *p = http_query(r, "page");
	long n;
	char *end;

	if (p == NULL || *p == '\0')
		return 1;
	n = strtol(p, &end, 10);
	return *end == '\0' && n >= 1 && n <= 100000 ? (int)n : 1;
}

/* A key as ?after= or ?before= carries it: a positive number, else 0. */
static long long query_id(struct req *r, const char *name)
{
	const char *p = http_query(r, name);
	long long n;
	char *end;

	if (p == NULL || *p < '1' || *p > '9' || strlen(p) > 18)
		return 0;
	n = strtoll(p, &end, 10);
	return *end == '\0' ? n : 0;
}

void page_key_read(struct req *r, struct page_key *k)
{
	k->after = query_id(r, "after");
	k->before = k->after > 0 ? 0 : query_id(r, "before");
	k->page = page_number(r);
}

void page_got_init(struct req *r, struct page_got *g, size_t size, size_t cap)
{
	g->v = arena_alloc(&r->arena, size * cap);
	g->ids = arena_alloc(&r->arena, sizeof(*g->ids) * cap);
	g->size = size;
	g->n = 0;
	g->cap = cap;
}

int page_got_keep(struct page_got *g, long long id, const void *row)
{
	if (g->n == g->cap)
		return 1;
	g->ids[g->n] = id;
	memcpy(g->v + g->n++ * g->size, row, g->size);
	return 0;
}

void page_key_ctx(struct req *r, struct tctx *c, const struct page_key *k,
		  const struct page_read *p, const char *link, size_t *from, size_t *n)
{
	long long pages = p->total == 0 ? 1 : (p->total + p->size - 1) / p->size;
	int prev, next, page;

	if (k->before > 0) { /* read backwards: a row more is a page before */
		prev = p->got > (size_t)p->size;
		*from = prev ? p->got - (size_t)p->size : 0;
		*n = p->got - *from;
		next = *n > 0;
	} else {
		*from = 0;
		*n = p->got < (size_t)p->size ? p->got : (size_t)p->size;
		prev = k->after > 0;
		next = p->got > (size_t)p->size;
	}
	page = !prev ? 1 : k->page > 1 ? k->page : 2;
	if (pages < page + next)
		pages = page + next;
	if (p->total > p->cap) {
		tctx_set(c, "total", msg(r, p->more));
		tctx_set(c, "pages", "…");
	} else {
		tctx_setf(c, "total", "%lld", p->total);
		tctx_setf(c, "pages", "%lld", pages);
	}
	tctx_setf(c, "page", "%d", page);
	/* After the last row shown, before the first (or, past the end,
	 * up to the key itself). */
	if (prev)
		tctx_setf(c, "prev", "%s&before=%lld&page=%d", link,
			  *n > 0 ? p->ids[*from] : k->after + 1, page - 1);
	if (next)
		tctx_setf(c, "next", "%s&after=%lld&page=%d", link, p->ids[*from + *n - 1],
			  page + 1);
}

const char *ra_scope_office(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	const char *q = http_query(r, "office");

	if (u->role == RA_OPERATOR)
		return u->office;
	if (q != NULL && catalog_office(app_of(r)->catalog, q) != NULL)
		return q;
	return "";
}

void ra_office_filter_ctx(struct req *r, struct tctx *c, const char *current)
{
	const struct catalog *cat = app_of(r)->catalog;
	struct tctx *o;
	size_t i;

	if (ra_user(r)->role == RA_OPERATOR) {
		const struct office *off = catalog_office(cat, current);

		tctx_set(c, "own_office", off ? off->name[r->lang] : current);
		return;
	}
	tctx_set_bool(c, "office_filter", 1);
	tctx_set(c, "f_office", current);
	for (i = 0; i < cat->noffices; i++) {
		o = tctx_add(c, "offices");
		tctx_set(o, "code", cat->offices[i].code);
		tctx_set(o, "name", cat->offices[i].name[r->lang]);
		if (strcmp(current, cat->offices[i].code) == 0)
			tctx_set_bool(o, "selected", 1);
	}
}

int order_pdf_respond(struct req *r, const struct order *o, const char *name, enum wf_role reader)
{
	char disp[128];
	int rc;

	if (!(wf_props(o->state)->printable & reader)) {
		page_error(r, 409,
			   reader == WF_OPERATOR ? "bo.not_printable" : "order.not_printable");
		return -1;
	}
	buf_reset(&r->out);
	/* Deterministic per order version: served from docs' cache (cache.c). */
	rc = doc_order_pdf(o, app_of(r)->catalog, name, r->lang, &r->out);
	if (rc != 0) {
		log_warnx("order %lld: %s failed", o->id, name);
		buf_reset(&r->out);
		page_error(r, 503, "error.documents");
		return -1;
	}
	r->status = 200;
	r->content_type = "application/pdf";
	snprintf(disp, sizeof(disp), "attachment; filename=\"qcra-%lld-%s\"", o->id, name);
	http_header(r, "Content-Disposition", disp);
	return 0;
}

int web_addr_listed(const char *list, const char *addr)
{
	size_t n, len = strlen(addr);

	while (*list != '\0') {
		list += strspn(list, ", ");
		n = strcspn(list, ", ");
		if (n > 0 && n == len && memcmp(list, addr, n) == 0)
			return 1;
		list += n;
	}
	return 0;
}
