/*
 * Payments (use cases, app.h): one recorded by hand at the office, an
 * open payment resolved, a bank statement imported.  The recording
 * rules (matching, settling an order paid in full) are jobs/payments.h's,
 * shared with `qcra payments import`.  A staff actor records as an
 * operator (workflow role WF_OPERATOR), any other as the system.
 */
#ifndef QCRA_APP_PAYMENT_H
#define QCRA_APP_PAYMENT_H

#include "app/app.h"
#include "domain/order.h"
#include "app/payments.h"

/*
 * Records payment p (amount, date, reference, payer, note, source and
 * fingerprint filled in) for order o, in one transaction with its audit
 * entry, settling the order when it is paid in full.  UC_OK with
 * *outcome "settled", "open", or "dup" (the same form sent before:
 * nothing written); UC_UNAVAILABLE.
 */
struct uc_result uc_payment_add(const struct app_env *env, const struct actor *a,
				const struct order *o, struct payment *p, const char **outcome);

/* How an open payment is resolved: action "assign" (to order number
 * `order`, only one of office `office` unless that is ""), "accept" or
 * "refund", with a note. */
struct payment_resolution {
	const char *action;
	long long order;
	const char *note;
	const char *office;
};

/* Resolves open payment p as in says, settling its order when the
 * payment pays it and its state allows (*settled = 1).  Refused:
 * field "order", "pay.order_unknown" (no such order open to the
 * actor), or "pay.resolved_already" (resolved meanwhile). */
struct uc_result uc_payment_resolve(const struct app_env *env, const struct actor *a,
				    const struct payment *p, const struct payment_resolution *in,
				    int *settled);

/* Imports bank statement data[0..len) (payments_import, in a
 * transaction of its own).  Returns as payments_import. */
int uc_payments_import(const struct app_env *env, const struct actor *a, const char *file_name,
		       const char *data, size_t len, int format, struct pay_import_result *out);

#endif
