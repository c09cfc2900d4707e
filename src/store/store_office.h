/*
 * Storage for the back office's order work (office.c, search.c, ca.c,
 * testca.c): office queues and search, orders due to expire, the
 * portal's record of CA submissions, and the tables of the in-process
 * TEST CA (connector/testca.c, for tests and the demo only).
 *
 * Conventions as in store.h: every function returns an enum store_rc,
 * joins the caller's open transaction or runs as its own, and fills
 * caller-owned structs.
 */
#ifndef QCRA_STORE_OFFICE_H
#define QCRA_STORE_OFFICE_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

/* ---- Office queues and search ------------------------------------------- */

#define ORDER_FILTER_STATES 5

struct order_filter {
	const char *office; /* office code; NULL or "": every office */
	/* Up to ORDER_FILTER_STATES state names; nstates 0: every state
	 * except "draft" (a draft is the member's business only). */
	const char *states[ORDER_FILTER_STATES];
	size_t nstates;
	/* Search text or NULL: an order number, a JMBG, a PIB, a license
	 * number or a payment reference (exact), or the holder's or the
	 * company's name: each word typed (up to three) starts one of the
	 * name's words, folded (domain/fold.h: case, diacritics, script). */
	const char *q;
	time_t confirmed_before; /* 0: any; else confirmed_at in (0, before) */
	int limit;               /* 0: no limit */
	/* Pages by key: after > 0, the orders with a greater id; else
	 * before > 0, the limit orders with the greatest ids below it
	 * (still given oldest first); neither, the first. */
	long long after, before;
};

/* How far store_office_orders counts: a total above it reads
 * ORDER_COUNT_CAP + 1 ("more than ORDER_COUNT_CAP"). */
#define ORDER_COUNT_CAP 1000
/* A search (f->q) counts up to SEARCH_COUNT_CAP + 1: each of those is
 * an order read, where a queue's count reads an index alone. */
#define SEARCH_COUNT_CAP 100
/* A search by two names or more that few orders have together (at
 * most 200 have the two longest) reads those orders alone and does not
 * stop, however many orders have either name.  Otherwise a search by a
 * name stops reading once it has read SEARCH_SCAN_CAP
 * orders whose names have a word starting with the longest word typed
 * (a short prefix: orders of the queue) without finding a page's worth
 * that have the other words too (and pass the filter): *total is then
 * SEARCH_STOPPED, the page what was found (ask for more of the name).
 * Otherwise a search that finds nothing reads every such order, as
 * many as the data grows to (a short prefix: every order). */
#define SEARCH_SCAN_CAP 1000
#define SEARCH_STOPPED (-1)
/* Calls fn for each order matching f, oldest first (by id); fn
 * returning non-zero stops.  *total (may be NULL) gets the number of
 * matching orders regardless of limit and keys, counted up to
 * ORDER_COUNT_CAP + 1 (a search: SEARCH_COUNT_CAP + 1; SEARCH_STOPPED, above).  A page reads about
 * a page's worth of orders however many there are (a search by a short prefix: as many as it takes
 * to find a page's worth). */
int store_office_orders(struct store *st, const struct order_filter *f, long long *total,
			int (*fn)(void *arg, const struct order *o), void *arg);

/* Calls fn with each state that has orders at office (NULL or "": every
 * office) and how many. */
int store_office_state_counts(struct store *st, const char *office,
			      int (*fn)(void *arg, const char *state, long long count), void *arg);

/* ---- What the portal sent to a CA ------------------------------------------ */

struct ca_request {
	long long order_id;
	char connector[16]; /* "testca", ... */
	char reference[64]; /* the CA's reference */
	time_t submitted_at;
};

/* Records (or, for a repeated submission, rewrites) the request. */
int store_ca_request_put(struct store *st, const struct ca_request *cr);
int store_ca_request_get(struct store *st, long long order_id, struct ca_request *out);

/* ---- TEST CA (testca.c only) ---------------------------------------------- */

struct testca_request {
	long long id;
	long long order_id;
	char reference[64];
	char office[16];
	char subject[256];
	time_t submitted_at;
	time_t issued_at; /* 0 while pending */
	char serial[48];
	long long shipment_id; /* 0 until issued */
	time_t revoked_at;
	char revoke_reason[256];
};

struct testca_shipment {
	long long id;
	char reference[64];
	char office[16];
	time_t created_at;
	time_t received_at; /* 0 until the office confirms */
	char received_by[96];
	long long count; /* certificates in it */
};

/* Inserts r (reference "TESTCA-R<id>" assigned, r->id set), unless the
 * order was submitted before: then *r is filled with that request and
 * the result is still STORE_OK (submission is idempotent per order). */
int store_testca_request_add(struct store *st, struct testca_request *r);
int store_testca_request_get(struct store *st, long long order_id, struct testca_request *out);
/* Pending (not issued) requests, oldest first; order_id 0: all. */
int store_testca_pending(struct store *st, long long order_id,
			 int (*fn)(void *arg, const struct testca_request *r), void *arg);
/* Marks request id issued with serial into shipment_id. */
int store_testca_issue(struct store *st, long long id, const char *serial, long long shipment_id,
		       time_t now);
int store_testca_revoke(struct store *st, long long order_id, const char *reason, time_t now);

/* Creates an empty shipment to office; sets s->id and s->reference. */
int store_testca_shipment_add(struct store *st, struct testca_shipment *s);
int store_testca_shipment_get(struct store *st, const char *reference, struct testca_shipment *out);
/* Shipments not yet received, oldest first; office NULL or "": all. */
int store_testca_shipments_open(struct store *st, const char *office,
				int (*fn)(void *arg, const struct testca_shipment *s), void *arg);
/* The requests in shipment id, by order id. */
int store_testca_shipment_items(struct store *st, long long shipment_id,
				int (*fn)(void *arg, const struct testca_request *r), void *arg);
/* STORE_NOTFOUND when there is no such open shipment. */
int store_testca_shipment_received(struct store *st, long long id, const char *by, time_t now);

/* The value of setting name into out ("" and STORE_NOTFOUND when unset). */
int store_testca_setting_get(struct store *st, const char *name, char *out, size_t size);
/* value NULL removes the setting. */
int store_testca_setting_set(struct store *st, const char *name, const char *value);

#endif
