/*
 * Payments and bank statement imports (payments.c).
 *
 * A payment is recorded once (its fingerprint is unique) and never
 * deleted.  It is "open" until settled: automatically when it paid its
 * order in full, or by an operator (accepted, refunded, or assigned to
 * an order when its reference named none).  Refunded payments do not
 * count towards what an order has been paid.
 *
 * Office scope: a payment belongs to the pickup office of its order.
 * Payments whose reference names no order belong to no office; the
 * lists give them to every office (any operator may recognise the payer
 * and assign the payment to an order of their own office).
 *
 * Return codes as in store.h.
 */
#ifndef QCRA_STORE_PAYMENTS_H
#define QCRA_STORE_PAYMENTS_H

#include <time.h>

#include "domain/payment.h"
#include "store/store.h"

#define PAYMENT_FP_SIZE 96    /* 64 hex (import), or "m:<order>:" + 64 hex (manual), + NUL */
#define PAYMENT_ACTOR_SIZE 96 /* created_by, resolved_by */
/* What a payment entered by hand may hold, in characters (the form's
 * limits, web/ra_payments.c): sized for them, 4 bytes a character. */
#define PAYMENT_PAYER_MAX 120
#define PAYMENT_REF_TEXT_MAX 60 /* a reference as written, any model */
#define PAYMENT_NOTE_MAX 300    /* the note entered, and a resolution's */
/* The note: the one entered, a statement line's that took the payment
 * and a resolution's, each joined by " / " (store/payments.c). */
#define PAYMENT_NOTE_SIZE (2 * UTF8_BUF(PAYMENT_NOTE_MAX) + 256)

struct payment {
	long long id;
	long long order_id; /* 0: no order (unknown reference) */
	long long amount_para;
	char paid_on[11]; /* YYYY-MM-DD */
	char payer[UTF8_BUF(PAYMENT_PAYER_MAX)];
	char reference[UTF8_BUF(PAYMENT_REF_TEXT_MAX)]; /* PAYMENT_REF_SIZE from a statement */
	char purpose[140];
	char bank_id[64];
	char source[8];                    /* "manual" or "import" */
	long long import_id;               /* 0 for manual */
	long long line;                    /* line in the statement, 0 for manual */
	char fingerprint[PAYMENT_FP_SIZE]; /* "" stores NULL */
	char match[20];                    /* match_result_name() */
	char resolution[12];               /* "" while open, "paid", "completed", ... */
	time_t resolved_at;                /* 0 while open */
	char resolved_by[PAYMENT_ACTOR_SIZE];
	char note[PAYMENT_NOTE_SIZE];
	time_t created_at;
	char created_by[PAYMENT_ACTOR_SIZE];
	/* Read from the order by the get and list calls, not stored. */
	char office[16];
	enum wf_state order_state;
};

/* Inserts p, setting p->id.  STORE_CONFLICT (nothing written) when a
 * payment with the same fingerprint exists: it was recorded before. */
int store_payment_add(struct store *st, struct payment *p);
/* The payment with its order's office and state. */
int store_payment_get(struct store *st, long long id, struct payment *out);
/*
 * A statement line that is a payment already entered by hand: the
 * oldest payment of order_id entered by hand, of the same amount, paid
 * between from and to (YYYY-MM-DD) and not yet seen on a statement,
 * takes the line's import id, line, fingerprint and bank id, and note.
 * STORE_OK (*id set), STORE_NOTFOUND when there is none, STORE_CONFLICT
 * when the line's fingerprint was recorded before.
 */
int store_payment_claim_manual(struct store *st, const struct payment *line, const char *from,
			       const char *to, const char *note, long long *id);

/* What matching a payment against an order needs, in one query. */
struct payment_order {
	long long id;
	enum wf_state state;
	char office[16];
	long long total_para; /* amount due */
	long long paid_para;  /* payments recorded for it, refunds excluded */
};

/* STORE_NOTFOUND when no order has this id. */
int store_payment_order(struct store *st, long long order_id, struct payment_order *out);
/* The sum of the payments of the order (refunds excluded) into *paid. */
int store_payment_sum(struct store *st, long long order_id, long long *paid);
/* Calls fn for each payment of the order, oldest first; fn returning
 * non-zero stops. */
int store_payment_each_order(struct store *st, long long order_id,
			     int (*fn)(void *arg, const struct payment *p), void *arg);

struct payment_filter {
	const char *office;  /* NULL or "": every office; else that office's and unknown ones */
	long long import_id; /* 0: any; else the payments of that import */
	int limit;           /* 0: no limit; with before, at most 1000 */
	/* Pages by key: after > 0, the payments with a greater id; else
	 * before > 0, the limit payments with the greatest ids below it
	 * (still given oldest first); neither, the first. */
	long long after, before;
};

/* Calls fn for each open payment matching f, oldest first. */
int store_payment_each_open(struct store *st, const struct payment_filter *f,
			    int (*fn)(void *arg, const struct payment *p), void *arg);
/* How far store_payment_count_open counts: above it, *n reads
 * PAYMENT_COUNT_CAP + 1 ("more than PAYMENT_COUNT_CAP"). */
#define PAYMENT_COUNT_CAP 1000
/* How many open payments match f (limit and keys ignored), up to
 * PAYMENT_COUNT_CAP + 1. */
int store_payment_count_open(struct store *st, const struct payment_filter *f, long long *n);

/* Puts the settled payments of order order_id (refunded ones aside)
 * back on the unresolved list, with note when they had none: the order
 * was cancelled and its money is to be refunded.  *n gets how many. */
int store_payment_reopen_order(struct store *st, long long order_id, const char *note, int *n);

/* Settles open payment id with resolution ("accepted", "refunded", ...),
 * by whom and a note.  STORE_NOTFOUND when it is not open (any more). */
int store_payment_resolve(struct store *st, long long id, const char *resolution, const char *by,
			  const char *note, time_t now);
/* Attaches an open payment without an order to order_id with its new
 * match result; with resolution non-NULL it is settled at once (by,
 * now).  STORE_NOTFOUND when it is not open or has an order already. */
int store_payment_assign(struct store *st, long long id, long long order_id, const char *match,
			 const char *resolution, const char *by, time_t now);
/* Settles the open partial payments of the order other than except_id
 * as "completed" (a later payment completed them); *n (may be NULL)
 * gets how many. */
int store_payment_complete_partials(struct store *st, long long order_id, long long except_id,
				    const char *by, time_t now, long long *n);

/*
 * A large write transaction of this thread (a statement import), begun
 * before store_begin() and ended after its commit or rollback, with
 * the same b.  On SQLite the connection's page cache is size (SQLite's
 * cache_size: pages, or -KiB when negative) in between, so that the
 * pages the one transaction dirties are not spilled to the WAL and read
 * back (the end frees the extra pages), and the WAL is written out to
 * disk as it grows, so that the commit's fsync has little left to wait
 * for (store/sqlite_wal.h).  Elsewhere nothing changes.  STORE_OK, or
 * STORE_ERROR with nothing changed (store_bulk_end is then a no-op).
 */
struct store_bulk {
	long long cache; /* the size before */
	int on;
};

int store_bulk_begin(struct store *st, long long size, struct store_bulk *b);
void store_bulk_end(struct store *st, struct store_bulk *b);

/* ---- Statement imports ----------------------------------------------------- */

#define IMPORT_ERRORS_SIZE 8192

struct stmt_import {
	long long id;
	char file_name[128];
	char sha256[65];
	char format[12];
	long long lines, added, duplicates, errors, skipped, settled, unresolved;
	char error_lines[IMPORT_ERRORS_SIZE]; /* "line N: why\n"...; not read by the list */
	time_t created_at;
	char created_by[PAYMENT_ACTOR_SIZE];
};

/* Inserts imp (counts as given), setting imp->id. */
int store_import_add(struct store *st, struct stmt_import *imp);
/* Rewrites the counts, error_lines, sha256 and format of import imp->id. */
int store_import_update(struct store *st, const struct stmt_import *imp);
int store_import_get(struct store *st, long long id, struct stmt_import *out);
/* The latest import before imp_id of a file with this SHA-256, into
 * *id; STORE_NOTFOUND when there is none. */
int store_import_same_file(struct store *st, const char *sha256, long long before_id,
			   long long *id);
/* Calls fn for the latest imports, newest first, at most limit. */
int store_import_each(struct store *st, int limit,
		      int (*fn)(void *arg, const struct stmt_import *imp), void *arg);

#endif
