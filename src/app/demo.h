/*
 * Demo data for demonstrations and the benchmarks (`qcra demo seed`,
 * cli/demo.c): members, one confirmed account each, and orders walked
 * through the workflow with their history, all deterministic for a
 * given seed and day (app/demo.c).
 */
#ifndef QCRA_APP_DEMO_H
#define QCRA_APP_DEMO_H

#include <stdint.h>
#include <time.h>

#include "core/pwhash.h"
#include "domain/catalog.h"
#include "domain/workflow.h"
#include "store/store.h"

/* splitmix64: the same seed, the same data. */
struct demo_rng {
	uint64_t s;
};

/* What to seed (set by the caller) and what was seeded. */
struct demo_seed {
	struct store *st;
	struct catalog cat; /* offices and tariff the orders use */
	struct demo_rng rng;
	long members, orders;
	char hash[PWHASH_STRBYTES];        /* every account's password hash */
	long long *account_ids;            /* [members], filled by uc_demo_members */
	long long *member_ids;             /* [members], filled by uc_demo_members */
	long per_state[WF_STATE__MAX];     /* orders by the state they ended in */
	time_t today;                      /* 00:00 UTC of the reference day */
	int expiry_days;                   /* order_expiry_days of the configuration */
	long long first_order, last_order; /* ids */
};

/* Adds s->members members (license numbers DEMO-000001...) with one
 * confirmed account each (demo00001...), in one transaction.  0, or -1
 * with nothing added. */
int uc_demo_members(struct demo_seed *s);
/* Adds s->orders orders round-robin over the accounts, each walked
 * along a path of the workflow with its history, in transactions of
 * 25,000 orders.  0, or -1 (the transactions committed before stay). */
int uc_demo_orders(struct demo_seed *s);

#endif
