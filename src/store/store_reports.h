/*
 * Reports for the back office (reports.c): one pass over the
 * confirmed orders with what the reports count, so that counting,
 * months and medians are computed once in C for every backend (the
 * SQL stays portable: no date functions).
 */
#ifndef QCRA_STORE_REPORTS_H
#define QCRA_STORE_REPORTS_H

#include <time.h>

#include "store/store.h"

struct report_filter {
	const char *office; /* NULL or "": every office */
	time_t from;        /* confirmed_at >= from; 0: no lower bound */
	time_t until;       /* confirmed_at < until; 0: no upper bound */
};

struct report_order {
	long long id;
	char office[16];
	char state[ORDER_STATE_MAX];
	time_t confirmed_at;
	time_t handed_over_at; /* the first 'handed_over' event; 0 when none */
};

/* Calls fn for every order confirmed (confirmed_at > 0) that matches f,
 * by id; fn returns non-zero to stop early.  Drafts never confirmed are
 * not part of any report.  Returns STORE_OK or STORE_ERROR. */
int store_report_orders_each(struct store *st, const struct report_filter *f,
			     int (*fn)(void *arg, const struct report_order *o), void *arg);

#endif
