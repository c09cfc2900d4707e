/*
 * Expiry of orders that were confirmed but never completed: after
 * order_expiry_days without the documents and the payment, the order
 * moves to "expired" and the member is told by mail.  Run by the
 * server's periodic loop and by `qcra orders expire`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "app/jobs.h"
#include "app/order.h"
#include "store/store_office.h"
#include "util/log.h"

struct due {
	struct order *v;
	size_t n, cap;
};

/* At most this many orders are held at once; more are taken in further
 * batches, so a large backlog does not grow the process. */
#define EXPIRE_BATCH 500

static int collect(void *arg, const struct order *o)
{
	struct due *d = arg;

	if (d->n == EXPIRE_BATCH)
		return 1;
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		struct order *grown = realloc(d->v, cap * sizeof(*o));

		if (grown == NULL)
			return 1;
		d->v = grown;
		d->cap = cap;
	}
	d->v[d->n++] = *o;
	return 0;
}

static int returned_event(void *arg, const struct order_event *e)
{
	if (e->state != WF_RETURNED)
		return 0;
	*(int *)arg = 1;
	return 1;
}

int jobs_returned_once(struct store *st, long long id)
{
	int returned = 0;

	return store_order_events(st, id, returned_event, &returned) == STORE_OK ? returned : -1;
}

int jobs_expire_orders(struct store *st, const struct config *cfg, time_t now)
{
	struct app_env env = {cfg, NULL, st, NULL, NULL};
	struct actor system = {ACTOR_SYSTEM, 0, "system", "", LANG_SR};
	struct order_filter f;
	struct due d = {NULL, 0, 0};
	char note[96], days[16];
	const char *mail[] = {"days", days, NULL};
	struct order_move m = {WF_EV_EXPIRE, WF_SYSTEM, note, 0, 0, now, mail, NULL};
	size_t i;
	int s, rc, expired = 0, returned, failed = 0;

	memset(&f, 0, sizeof(f));
	/* The states the workflow lets the system expire. */
	for (s = 0; s < WF_STATE__MAX && f.nstates < ORDER_FILTER_STATES; s++)
		if (workflow_next((enum wf_state)s, WF_EV_EXPIRE, WF_SYSTEM) >= 0)
			f.states[f.nstates++] = wf_state_name((enum wf_state)s);
	f.confirmed_before = now - (time_t)cfg->order_expiry_days * 24 * 3600;
	f.limit = EXPIRE_BATCH; /* a batch read, not every due order */
	if (f.nstates == 0)
		return 0;
	snprintf(days, sizeof(days), "%d", cfg->order_expiry_days);
	i18n_note_to(note, sizeof(note), "hist.expired", "days", days, NULL);
	/* Batch after batch by id, past the orders a batch leaves. */
	do {
		d.n = 0;
		if (store_office_orders(st, &f, NULL, collect, &d) != STORE_OK) {
			failed = 1;
			break;
		}
		for (i = 0; i < d.n; i++) {
			if (d.v[i].id > f.after)
				f.after = d.v[i].id;
			if ((returned = jobs_returned_once(st, d.v[i].id)) != 0) {
				failed |= returned < 0;
				continue;
			}
			if (store_begin(st) != STORE_OK) {
				failed = 1;
				break;
			}
			/* With the member's mail (order_mail.c). */
			rc = uc_order_move_tx(&env, &system, &d.v[i], &m);
			if (rc == STORE_OK && store_commit(st) == STORE_OK) {
				expired++;
				continue;
			}
			store_rollback(st);
			if (rc != STORE_NOTFOUND) { /* NOTFOUND: moved on meanwhile */
				log_warnx("expire: order %lld: storage error", d.v[i].id);
				failed = 1;
			}
		}
	} while (!failed && d.n == EXPIRE_BATCH);
	free(d.v);
	if (expired > 0)
		log_info("expire: %d order(s) expired after %d days", expired,
			 cfg->order_expiry_days);
	return failed ? -1 : expired;
}
