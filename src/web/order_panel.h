/*
 * The member's view of where an order is (order_panel.c): the panel at
 * the top of the order page, its one line on the home page, and the
 * history's actors by role and place.
 */
#ifndef QCRA_WEB_ORDER_PANEL_H
#define QCRA_WEB_ORDER_PANEL_H

#include "web/app.h"

/* The panel of order o into c: "panel_where", "panel_next", "panel_todo"
 * (what to do, or that nothing is needed), "panel_by" (the expiry date
 * while the order may expire), "panel_missing" (what the office recorded
 * as missing, while it waits for documents) and "docs_needed" (while the
 * documents to bring are still needed). */
void order_panel_ctx(struct req *r, struct tctx *c, const struct order *o);
/* Where an order in state st, picked up at office (a code), is: one
 * sentence in r's arena. */
const char *order_panel_line(struct req *r, enum wf_state st, const char *office);
/* The member's open orders (not in a final state) as list "open_orders"
 * of c, each with "id", "order_line", "state_label" and "panel_line". */
void order_panel_open_orders(struct req *r, struct tctx *c);
/* Who made a history entry, as the member reads it: "Vi" (the member),
 * "Sertifikaciono telo", "Kancelarija CITY" (an operator's office), the
 * chamber's staff (an administrator), or "Sistem"; never a username. */
const char *order_history_actor(struct req *r, const char *actor);

#endif
