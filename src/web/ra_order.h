/*
 * The back office's order detail page (ra_orders.c) and the sections
 * the other areas' files put on it; their actions answer with the page
 * again when they fail.
 */
#ifndef QCRA_WEB_RA_ORDER_H
#define QCRA_WEB_RA_ORDER_H

#include "web/app.h"

/* The order r->ids[0] when this staff member may see it (an operator:
 * only orders picked up at their office; a draft: nobody).  Else a 404
 * page, the same as for an id that does not exist (or 503), and -1. */
int ra_order_load(struct req *r, struct order *o);
/* The order detail page with status; c (NULL for a fresh page_ctx)
 * may carry an action's error message and submitted values. */
void ra_order_page(struct req *r, unsigned status, const struct order *o, struct tctx *c);
/* A GET of one of the order's staff pages (the detail page, the
 * certificate's): page with 200 for the order r->ids[0], or
 * ra_order_load's error page. */
void ra_order_show(struct req *r, void (*page)(struct req *r, unsigned status,
					       const struct order *o, struct tctx *c));
/* Puts the actions allowed on o in its state, with their forms, into
 * c (ra_actions.c); nothing for auditors. */
void ra_actions_ctx(struct req *r, struct tctx *c, const struct order *o);
/* Orders returned for correction (ra_correct.c): the reason, the
 * differing name, and the office's actions on the detail page. */
void ra_correct_ctx(struct req *r, struct tctx *c, const struct order *o);
/* Puts the order's payments, what is paid and due, and (for operators
 * and administrators) the manual payment form into c, all under names
 * starting "pay_", for the partial ra_payments_section.  Values
 * already in c (a form sent back with its errors) are kept. */
void ra_payments_ctx(struct req *r, struct tctx *c, const struct order *o);

#endif
