/*
 * The TEST CA's issuing (`qcra testca issue`), for the tests and the
 * demo ONLY: the pending registrations the TEST CA connector
 * (connector/testca.c) recorded in the portal's database are issued
 * with made-up serial numbers, their orders move to "issued", and they
 * are packed into shipments to their pickup offices, as the real CA's
 * courier would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/jobs.h"
#include "app/testca.h"
#include "core/i18n.h"
#include "store/store_office.h"
#include "util/log.h"

struct pending {
	struct testca_request *v;
	size_t n, cap;
};

static int collect_pending(void *arg, const struct testca_request *r)
{
	struct pending *p = arg;

	if (p->n == p->cap) {
		struct testca_request *grown =
			realloc(p->v, (p->cap = p->cap ? 2 * p->cap : 16) * sizeof(*r));

		if (grown == NULL)
			return 1;
		p->v = grown;
	}
	p->v[p->n++] = *r;
	return 0;
}

#define MAX_OFFICES 64

/* The shipment of this run to office, created on first use; 0 on error. */
static long long shipment_for(struct store *st, const char *office, time_t now,
			      struct testca_shipment *ships, size_t *nships)
{
	size_t i;

	for (i = 0; i < *nships; i++)
		if (strcmp(ships[i].office, office) == 0)
			return ships[i].id;
	if (*nships == MAX_OFFICES)
		return 0;
	memset(&ships[*nships], 0, sizeof(ships[0]));
	snprintf(ships[*nships].office, sizeof(ships[0].office), "%s", office);
	ships[*nships].created_at = now;
	if (store_testca_shipment_add(st, &ships[*nships]) != STORE_OK)
		return 0;
	return ships[(*nships)++].id;
}

int testca_issue(struct store *st, long long order_id, time_t now, int *issued, int *shipments,
		 char *err, size_t errlen)
{
	struct testca_shipment ships[MAX_OFFICES];
	struct pending p = {NULL, 0, 0};
	struct order o;
	char serial[48], note[160];
	size_t nopen = 0, i;
	long long ship;
	int n = 0, rc;

	if (issued)
		*issued = 0;
	if (shipments)
		*shipments = 0;
	if (store_begin(st) != STORE_OK) {
		snprintf(err, errlen, "database error (cannot start a transaction)");
		return -1;
	}
	if (store_testca_pending(st, order_id, collect_pending, &p) != STORE_OK)
		goto dberr;
	if (order_id != 0 && p.n == 0) {
		snprintf(err, errlen,
			 "order %lld has no pending registration at the test CA (send it to the CA "
			 "first)",
			 order_id);
		goto fail;
	}
	for (i = 0; i < p.n; i++) {
		if (store_order_get(st, p.v[i].order_id, &o) != STORE_OK)
			goto dberr;
		snprintf(serial, sizeof(serial), "7E57CA%010llX", (unsigned long long)o.id);
		i18n_note_to(note, sizeof(note), "hist.testca_issued", "serial", serial, NULL);
		rc = jobs_order_apply(st, &o, WF_EV_ISSUE, WF_CA, "ca:testca", note, now);
		if (rc == STORE_NOTFOUND) {
			/* The portal does not (any longer) wait for it. */
			if (order_id != 0) {
				snprintf(err, errlen, "order %lld is %s, not sent_to_ca", o.id,
					 wf_state_name(o.state));
				goto fail;
			}
			log_warnx("testca: order %lld is %s, not issued", o.id,
				  wf_state_name(o.state));
			continue;
		}
		if (rc != STORE_OK)
			goto dberr;
		ship = shipment_for(st, o.office, now, ships, &nopen);
		if (ship == 0 || store_testca_issue(st, p.v[i].id, serial, ship, now) != STORE_OK)
			goto dberr;
		n++;
	}
	if (store_commit(st) != STORE_OK)
		goto dberr;
	free(p.v);
	if (issued)
		*issued = n;
	if (shipments)
		*shipments = (int)nopen;
	return 0;
dberr:
	snprintf(err, errlen, "database error while issuing (nothing was issued)");
fail:
	store_rollback(st);
	free(p.v);
	return -1;
}
