/*
 * The portal and the real CA service side by side, for the end-to-end
 * tests (test_ca_e2e.c, test_ca_real_data.c): `qcra ca init` in a
 * temporary directory with free ports, `qcra ca serve` started and
 * stopped by the test, the portal with ca_connector = service, Žarko
 * logged in as a member and "ns1" as the NS operator; requests, the
 * portal's database, and the steps of an order.
 */
#ifndef QCRA_TEST_CA_STACK_H
#define QCRA_TEST_CA_STACK_H

#include <limits.h>
#include <sys/types.h>

#include "harness.h"
#include "store/store.h"

#define PW "Tri ma\xc4\x8dke spavaju na krovu"
#define ZARKO_MAIL JOURNEY_ZARKO_MAIL
#define ZARKO_ID_CARD JOURNEY_ZARKO_ID_CARD
#define WAIT_SECS 60

struct stack {
	struct server s;
	struct client member;
	struct client ns; /* operator, office NS */
	struct response r;
	struct buf out;
	char tmp[64]; /* the CA's directory's parent (mkdtemp) */
	char cadir[PATH_MAX];
	int tls_port, pub_port;
	pid_t ca; /* the CA service, 0 when not running */
};

#define BODY(f) buf_cstr(&(f)->r.body)

/* Runs a shell command line; its stdout into out (may be NULL).
 * Returns the exit status. */
int stack_sh(struct buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* f->tmp from tmp_template (mkdtemp), free ports and `qcra ca init` in
 * f->cadir (not started).  0, or -1 with nothing left behind. */
int stack_ca_init(struct stack *f, const char *tmp_template);
/* `qcra ca serve` on the stack's ports; waits until both listen. */
void stack_ca_start(struct stack *f);
void stack_ca_stop(struct stack *f);
/* cmocka setup and teardown: the CA initialised (not started), the
 * portal serving, the member and the operator logged in. */
int stack_setup(void **state);
int stack_teardown(void **state);
long stack_get(struct stack *f, struct client *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* POSTs the name, value pairs with the CSRF token of c's session. */
long stack_post(struct stack *f, struct client *c, const char *action, ...)
	__attribute__((sentinel));
/* "/ra/orders/N/what" (a static buffer). */
const char *stack_path(long long id, const char *what);
void stack_body_has(struct stack *f, const char *text);
/* The single integer a query with ?1 = arg gives on the portal's
 * database (-1: no row). */
long long stack_int(struct stack *f, const char *sql, long long arg);
struct store *stack_db(struct stack *f);
const char *stack_state(struct stack *f, long long id);
/* Waits until order id is in state want (WAIT_SECS). */
void stack_wait_state(struct stack *f, long long id, const char *want);
/* Records order id as paid in full (the payments job's transition). */
void stack_pay(struct stack *f, long long id);
/* Žarko's confirmed natural-person order at NS, brought to "verified". */
long long stack_order_verified(struct stack *f);
/* The shipment holding order id, from the office's shipments page. */
char *stack_shipment_of(struct stack *f, long long id);

#endif
