/* The certificate section of the member's order page (certificates.c). */
#ifndef QCRA_WEB_CERTIFICATES_H
#define QCRA_WEB_CERTIFICATES_H

#include "web/app.h"

/* The certificate, its revocation and renewal on order o's page (after
 * handover), into c. */
void cert_order_ctx(struct req *r, struct tctx *c, const struct order *o);

#endif
