/* The member's order page's "Sign electronically" section and the staff's
 * view of what was signed (order_sign.c, issue 19). */
#ifndef QCRA_WEB_ORDER_SIGN_H
#define QCRA_WEB_ORDER_SIGN_H

#include "web/app.h"

/* Into c: "sign" while order o waits for its documents, with
 * "sign_docs" (each document's links and, once verified, who signed). */
void sign_order_ctx(struct req *r, struct tctx *c, const struct order *o);
/* Into c: "signatures", the order's verified signed documents, for the
 * office's checklist. */
void sign_staff_ctx(struct req *r, struct tctx *c, const struct order *o);

#endif
