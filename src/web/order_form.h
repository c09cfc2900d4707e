/*
 * The member's request form (order_form.c), for the pages in orders.c
 * and certificates.c (renewal), and the office's use of the same form
 * (ra_correct.c).
 */
#ifndef QCRA_WEB_ORDER_FORM_H
#define QCRA_WEB_ORDER_FORM_H

#include "web/app.h"

struct office;
struct tariff_item;

/* The declared fields of an order of type t, in order, into out
 * (FORM_MAX_FIELDS); their number. */
size_t order_form_type_fields(enum order_type t, struct field *out);
/* Reads and validates the form for type t against the member register
 * (m): values cleaned as they will be stored, the holder's JMBG and
 * license number the register's.  The number of errors. */
int order_form_read(struct req *r, enum order_type t, struct fstate *st, struct field *f,
		    size_t *nf, const struct member *m);
/* Copies validated form values into o. */
void order_form_apply(const struct fstate *st, struct order *o);
/* The form state showing order o's values. */
void order_form_show(const struct order *o, const struct field *f, size_t n, struct fstate *st,
		     struct req *r);
/* The form page (the documents to bring beside it); edit_id: the order
 * it changes, 0 for a new one. */
void order_form_render(struct req *r, unsigned status, enum order_type t, long long edit_id,
		       const struct fstate *st);
/* The documents to bring for an order of type t (list "documents"). */
void order_form_documents(struct req *r, struct tctx *c, enum order_type t);
/* The same as the list named list. */
void order_form_documents_as(struct req *r, struct tctx *c, enum order_type t, const char *list);
/* The order's values as the member gave them, one row per field of its
 * type (list "rows": label, value); off and ti: its office and tariff
 * item from the catalogue, or NULL. */
void order_form_rows(struct req *r, struct tctx *c, const struct order *o, const struct office *off,
		     const struct tariff_item *ti);
/* The order form of o's type prefilled from o, posting a new order
 * (for renewal). */
void order_form_prefilled(struct req *r, const struct order *o);

/* The request form as the office corrects it (ra_correct.c): the
 * member's fields without consent, card reader, validity and the
 * differing-name choice; JMBG and license number stay the order's. */
size_t order_form_fields(enum order_type t, struct field *out);
/* Reads and cleans it as the member's form does (names as typed);
 * returns the number of errors. */
int order_form_read_office(struct req *r, enum order_type t, struct fstate *st,
			   const struct field *f, size_t n, const struct order *o);
void order_form_to_order(const struct fstate *st, struct order *o);
void order_form_from_order(struct req *r, const struct order *o, const struct field *f, size_t n,
			   struct fstate *st);

#endif
