/*
 * Page pieces more than one area's pages use (pages.c): the state's
 * label, the back office's office scope and filter, and an order's
 * document as a download.
 */
#ifndef QCRA_WEB_PAGES_H
#define QCRA_WEB_PAGES_H

#include <time.h>

#include "web/app.h"

/* The label of an order state in the request's language. */
const char *page_state_label(struct req *r, enum wf_state state);

/* t as the pages show it in local time, "25.11.2024." or with the
 * time "25.11.2024. 19:55", in r's arena. */
const char *page_time(struct req *r, time_t t, int with_time);

/* A payment reference as the pages show it: a model 97 reference
 * grouped without the model, "95 00000001" (the model is shown apart),
 * anything else as it is (payment_ref_display).  In r's arena. */
const char *page_payment_ref(struct req *r, const char *ref);

/*
 * Irreversible actions ask first, without JavaScript.  A POST without
 * confirm=1 changes nothing: this answers it with 200 and the page
 * "ask": title_key as its heading, what (what will happen, in the
 * page's language), a button labelled button_key that posts every field
 * of this request again to the same path with confirm=1, and a link to
 * back.  Returns 1 when it answered (the handler stops there), 0 when
 * the request carries confirm=1 (the handler acts).
 */
int page_ask_first(struct req *r, const char *title_key, const char *what, const char *button_key,
		   const char *back);

/* The catalogue's brand for the layout and the pages: "brand_chamber",
 * "brand_chamber_of", "brand_support_email", "brand_support_phone" (and
 * "brand_support_tel", its tel: link), "brand_support_hours", "ca_name",
 * and the CA's documents "ca_terms_url", "ca_cps_url", "ca_pds_url". */
void page_brand_ctx(struct req *r, struct tctx *c);

/* A phone number as written ("+381 11 3300 100") as a tel: link's
 * target ("tel:+381113300100"), in r's arena. */
const char *page_tel(struct req *r, const char *phone);

/* The ?page= number, 1 when absent or nonsense. */
int page_number(struct req *r);
/* A list paged by key (issue 17, point 6), never by position: ?after=ID
 * is the rows after row ID, ?before=ID the page before row ID, neither
 * the first page; ?page=N only numbers the page shown. */
struct page_key {
	long long after, before; /* 0: not given (after wins) */
	int page;
};
void page_key_read(struct req *r, struct page_key *k);
/* The rows a page of such a list read, kept (copies, size bytes each,
 * cap at most, in r's arena) until the ones to show are chosen. */
struct page_got {
	unsigned char *v;
	long long *ids;
	size_t size, n, cap;
};
void page_got_init(struct req *r, struct page_got *g, size_t size, size_t cap);
/* Keeps a copy of row, whose id is id: 0, or 1 (nothing kept) when full. */
int page_got_keep(struct page_got *g, long long id, const void *row);
/* What a page of such a list read: up to size + 1 rows in the key's
 * direction (the one more says there is a page beyond), ids[got] their
 * ids oldest first; total counted up to cap + 1. */
struct page_read {
	const long long *ids;
	size_t got;
	int size;
	long long total, cap;
	const char *more; /* the text of a total above cap: "more than CAP" */
};
/* The paging of page p: "total" (above cap p->more),
 * "page", "pages" and the links "prev" and "next" (link, a URL with a
 * query, and "&before=ID&page=N" or "&after=ID&page=N") where there are
 * such pages; *from and *n: the rows of p to show. */
void page_key_ctx(struct req *r, struct tctx *c, const struct page_key *k,
		  const struct page_read *p, const char *link, size_t *from, size_t *n);

/* The office whose orders or payments this request lists: an
 * operator's own; for administrators and auditors the ?office= filter
 * when it names an office, else "" (every office). */
const char *ra_scope_office(struct req *r);
/* For an operator, "own_office" (the office's name); for the others
 * the office filter as list "offices" with current selected. */
void ra_office_filter_ctx(struct req *r, struct tctx *c, const char *current);

/* Answers with the order's document `name` ("request.pdf",
 * "contract.pdf", "proforma.pdf") as a download for reader (WF_MEMBER
 * or WF_OPERATOR), or an error page: 409 when the order's state prints
 * nothing for reader.  Access to the order is the caller's to check.
 * 0 or -1. */
int order_pdf_respond(struct req *r, const struct order *o, const char *name, enum wf_role reader);

#endif
