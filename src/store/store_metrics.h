/*
 * What the portal's metrics read from the database (GET /metrics,
 * web/metrics.c): queue depths and ages, orders by state, the
 * database's size.  A few aggregate queries over indexed columns.
 */
#ifndef QCRA_STORE_METRICS_H
#define QCRA_STORE_METRICS_H

#include <time.h>

#include "domain/workflow.h"
#include "store/store.h"

struct store_metrics {
	long long outbox_queued; /* mail not yet delivered */
	time_t outbox_oldest;    /* the oldest of it was queued then; 0: none */
	long long ca_queued;     /* submissions and revocations not yet done */
	time_t ca_oldest;
	long long
		orders[WF_STATE__MAX]; /* by state (a state this version does not know: left out) */
	long long db_bytes;            /* the database's size */
};

/* Fills *m (zeroed first).  STORE_OK or STORE_ERROR. */
int store_metrics_read(struct store *st, struct store_metrics *m);

/* STORE_OK when a write transaction can begin now (it is rolled back:
 * GET /readyz), else STORE_ERROR. */
int store_write_check(struct store *st);

/* STORE_OK when the database answers a query now (SELECT 1 on this
 * thread's connection, made again if it was lost: GET /healthz), else
 * STORE_ERROR (logged). */
int store_ping(struct store *st);

#endif
