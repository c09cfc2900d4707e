/*
 * The back-office fixture of the RA tests (test_ra_orders.c,
 * test_ra_payments.c): a server with the demo member register, the
 * member Žarko logged in, and four staff accounts logged in with TOTP:
 * operators of Novi Sad (NS) and Belgrade (BG), an administrator and an
 * auditor.  With it, the requests, order creation and database reads
 * those tests share.  Failures abort the test through cmocka.
 */
#ifndef QCRA_TEST_OFFICE_H
#define QCRA_TEST_OFFICE_H

#include "harness.h"
#include "journey.h"
#include "store/store.h"

#define OFFICE_PW "Tri ma\xc4\x8dke spavaju na krovu"

struct office {
	struct server s;
	struct client member;
	struct client ns;      /* operator, office NS */
	struct client bg;      /* operator, office BG */
	struct client admin;   /* administrator */
	struct client auditor; /* auditor */
	struct response r;     /* the last answer */
	struct buf out;        /* the last command's output */
};

#define BODY(f) buf_cstr(&(f)->r.body)

/* cmocka setup and teardown: *state is the struct office. */
int office_setup(void **state);
int office_teardown(void **state);

/* Runs qcra with args (the var directory appended); returns the exit
 * code, output in f->out. */
int office_cli(struct office *f, const char *const *args);

/* GET the formatted path as c; returns the status (answer in f->r). */
long office_get(struct office *f, struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* POSTs the NULL-terminated name, value pairs to action with c's CSRF
 * token; returns the status (answer in f->r). */
long office_post(struct office *f, struct client *c, const char *action, ...)
	__attribute__((sentinel));
void office_body_has(struct office *f, const char *text);
void office_body_lacks(struct office *f, const char *text);

/* A confirmed natural-person order of Žarko picked up at office; field
 * (may be NULL) gets value instead of the default.  Returns its id. */
long long office_order_with(struct office *f, const char *office, const char *field,
			    const char *value);
long long office_order(struct office *f, const char *office);

/* The server's database, for what the pages do not show (close it with
 * store_close); the order as stored; its state (static storage). */
struct store *office_db(struct office *f);
struct order office_order_get(struct office *f, long long id);
const char *office_state(struct office *f, long long id);

/* "/ra/orders/N/what" ("" what: the detail page); a static buffer. */
const char *office_path(long long id, const char *what);
/* Records order id as paid in full (the payments job's transition). */
void office_pay(struct office *f, long long id);
/* Records every document of a natural-person order's checklist. */
long office_documents_all(struct office *f, struct client *c, long long id);
/* A natural-person order of Žarko brought to "verified" by NS. */
long long office_order_verified(struct office *f);
/* Order id verified by NS: every document recorded, paid in full, the
 * identity checked. */
void office_verify(struct office *f, long long id);
/* Verified order id sent to the CA by NS, issued by the test CA and its
 * shipment (the test CA's first, TESTCA-S000001) received by NS: the
 * order is then "at_office". */
void office_deliver(struct office *f, long long id);

/* The newest mail to addr queued as message key key ("mail.bo_arrived"),
 * once the outbox has delivered it (15 s at most): the file the server
 * wrote.  Caller frees. */
char *office_mail(struct office *f, const char *addr, const char *key);
/* How many mails to addr were queued as message key key. */
long long office_mail_count(struct office *f, const char *addr, const char *key);

/* The manual payment form of order id as c sees it, posted with amount,
 * paid_on (NULL: the form's default), reference (NULL: none), and
 * confirm=1; returns the status.  *nonce_out (may be NULL) gets the
 * form's nonce (caller frees). */
long office_pay_by_hand(struct office *f, struct client *c, long long id, const char *amount,
			const char *paid_on, const char *reference, char **nonce_out);

#endif
