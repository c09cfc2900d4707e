/*
 * Retention (issue 18, point 7; app/retention.c): what has passed its
 * period is deleted or its personal data blanked, in one transaction
 * of the caller's.
 */
#ifndef QCRA_STORE_RETENTION_H
#define QCRA_STORE_RETENTION_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

/* The cut-off times: what is older than each goes. */
struct retention_cuts {
	time_t draft;        /* drafts last changed before */
	time_t closed;       /* orders ended without a certificate before */
	time_t mail;         /* mail delivered before */
	time_t token;        /* tokens used or expired before */
	time_t session_idle; /* sessions last seen before */
	time_t session_born; /* sessions started before */
	time_t now;          /* recorded as the orders' anonymised_at */
};

struct retention_counts {
	long long drafts, closed, registrations, mail, tokens, sessions;
};

/* Does what the cuts say (dry: only counts it) and fills *n but for
 * n->registrations (the caller's, below).  STORE_OK or STORE_ERROR. */
int store_retention(struct store *st, const struct retention_cuts *c, int dry,
		    struct retention_counts *n);

/* An order whose certificate was issued, not yet blanked. */
struct retention_issued {
	long long order_id;
	char validity[16]; /* the tariff's code: its validity in years (domain/catalog.h) */
	time_t issued_at;  /* its "issued" event */
	time_t not_after;  /* the certificate's end as the CA told it; 0: not told */
};

/* Every such order, read whole into a new array (*out, *count; the
 * caller frees it).  STORE_OK or STORE_ERROR. */
int store_retention_issued(struct store *st, struct retention_issued **out, size_t *count);

/* Blanks order_id's personal data (as store_retention does for ended
 * orders) and its certificate's subject and PEM.  STORE_NOTFOUND when
 * it is blanked already. */
int store_order_anonymise(struct store *st, long long order_id, time_t now);

#endif
