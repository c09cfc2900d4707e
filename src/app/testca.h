/*
 * The TEST CA (ca_connector = testca, connector/testca.c), for tests
 * and the demo: its issuing, a use case of its own (app/testca.c).
 */
#ifndef QCRA_APP_TESTCA_H
#define QCRA_APP_TESTCA_H

#include <stddef.h>
#include <time.h>

#include "store/store.h"

/*
 * Issues the pending registrations (order_id 0: all of them), each with
 * a made-up serial number, moving each order to "issued" (workflow
 * event issue, role CA) and grouping them into one new shipment per
 * pickup office.  All in one transaction.  *issued and *shipments (may
 * be NULL) get the counts.  Returns 0, or -1 with err (an order without
 * a pending registration when order_id is given, or a storage error).
 */
int testca_issue(struct store *st, long long order_id, time_t now, int *issued, int *shipments,
		 char *err, size_t errlen);

#endif
