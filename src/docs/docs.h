/*
 * The printable documents of an order, generated in process as A4 PDFs
 * with cairo and pango (real, selectable text; fonts embedded; Serbian
 * Latin diacritics and Cyrillic render correctly), in Serbian:
 *
 *   request.pdf   the filled request, the supporting documents to bring,
 *                 places for signature and stamp, the order number
 *   contract.pdf  the contract between the holder (or the company) and
 *                 the CA, two identical copies (one per page set), each
 *                 with signature and stamp places; text from the template
 *                 templates/docs/contract.txt with the order's data
 *   proforma.pdf  the proforma invoice: seller, buyer, lines, net, VAT,
 *                 total, due date, account, model 97 reference and the
 *                 NBS IPS QR code (libqrencode)
 *
 * Output is deterministic: the same order gives the same bytes (the
 * PDF creation date is the order's confirmation time).
 *
 * The portal and the CA do not draw in their own process: they ask a
 * qcra-render child process (render.h), which keeps cairo, pango and the
 * fonts out of the processes that hold sessions, keys and the database.
 * The functions below that draw are what that process runs.
 */
#ifndef QCRA_DOCS_H
#define QCRA_DOCS_H

#include "domain/catalog.h"
#include "domain/order.h"
#include "util/buf.h"

/* Each appends the PDF to out.  Returns 0, or -1 (logged) when the
 * order's office or tariff is unknown or cairo fails. */
int doc_request_pdf(const struct order *o, const struct catalog *c, struct buf *out);
int doc_contract_pdf(const struct order *o, const struct catalog *c, struct buf *out);
int doc_proforma_pdf(const struct order *o, const struct catalog *c, struct buf *out);

/* The document `name` ("request.pdf", "contract.pdf", "proforma.pdf")
 * of o drawn in this process (render.c), in Serbian: in Cyrillic for
 * LANG_SR_CYRL (with the catalogue's Cyrillic texts; what the member
 * typed stays as typed), else in Latin (the documents have no English
 * text).  0, -1 (logged), -2 for an unknown name. */
int doc_render(const struct order *o, const struct catalog *c, const char *name, enum lang l,
	       struct buf *out);

/* The CA's PIN letter (letter.c): fixed-size fields, so that it crosses
 * to the renderer process as it is. */
struct doc_pin_letter {
	char issuer[65];   /* the CA's organisation */
	char holder[260];  /* the certificate holder */
	char company[257]; /* legal entity, or "" */
	char order[65];    /* the order's id */
	char card[65];     /* the card (token) label */
	char pin[17], puk[17];
};
int doc_pin_letter_pdf(const struct doc_pin_letter *l, struct buf *out);

/* What draws a document on a cache miss: doc_render, or render.h's
 * render_order_pdf (another process).  Set once at start-up. */
typedef int (*doc_renderer)(const struct order *o, const struct catalog *c, const char *name,
			    enum lang l, struct buf *out);
void doc_set_renderer(doc_renderer fn);

/*
 * The document name ("request.pdf", "contract.pdf" or "proforma.pdf")
 * of order o for a reader of language l (doc_render) appended to out, served from a bounded
 * in-process cache (cache.c) when exactly this order (every field, updated_at included) was drawn
 * before, else drawn by the renderer and kept.  Thread-safe. Returns 0, -1 (logged) when rendering
 * fails, -2 for an unknown name. The caller checks access first.
 */
int doc_order_pdf(const struct order *o, const struct catalog *c, const char *name, enum lang l,
		  struct buf *out);
/* Empties the cache (tests, shutdown). */
void doc_cache_clear(void);

/* The IPS QR payload printed on the proforma of order o. */
int doc_proforma_qr_text(const struct order *o, const struct catalog *c, char *out, size_t outlen);

#endif
