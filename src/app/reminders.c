/*
 * Expiry reminders (reminders.h).  Which reminders went is recorded in
 * ca_reminders (order, days), in the transaction that queues the mail,
 * so a reminder is mailed once however often the job runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "app/order_mail.h"
#include "app/reminders.h"
#include "store/store_ca.h"
#include "util/log.h"

const int reminder_days[REMINDER_DAYS_N] = {60, 30, 7};

#define DAY 86400

struct due {
	long long *ids;
	time_t *until;
	size_t n, cap;
};

static int collect(void *arg, const struct ca_cert *c)
{
	struct due *d = arg;

	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 16;
		long long *ids = realloc(d->ids, cap * sizeof(*ids));
		time_t *until;

		if (ids == NULL)
			return 1;
		d->ids = ids;
		if ((until = realloc(d->until, cap * sizeof(*until))) == NULL)
			return 1;
		d->until = until;
		d->cap = cap;
	}
	d->ids[d->n] = c->order_id;
	d->until[d->n++] = c->not_after;
	return 0;
}

int jobs_mail_cert_revoked(struct store *st, const char *base_url, const struct order *o,
			   time_t revoked_at)
{
	char date[32], link[600];
	const char *values[] = {"date", date, "link", link, NULL};
	struct tm tm;

	localtime_r(&revoked_at, &tm);
	strftime(date, sizeof(date), "%d.%m.%Y. %H:%M", &tm);
	snprintf(link, sizeof(link), "%s/orders/%lld", base_url, o->id);
	return order_mail_queue(st, o->id, NULL, "mail.cert_revoked", values);
}

/* Queues reminder `days` for order o, whose certificate expires at
 * until (inside the caller's transaction). */
static int reminder_mail(struct store *st, const struct config *cfg, const struct order *o,
			 time_t until, int days_left)
{
	char left[16], date[32], link[600];
	const char *values[] = {"days", left, "date", date, "link", link, NULL};
	struct tm tm;

	localtime_r(&until, &tm);
	strftime(date, sizeof(date), "%d.%m.%Y.", &tm);
	snprintf(left, sizeof(left), "%d", days_left);
	snprintf(link, sizeof(link), "%s/certificates/renew/%lld", cfg->base_url, o->id);
	return order_mail_queue(st, o->id, NULL, "mail.cert_expiry", values);
}

/* Sends the reminder of one certificate if one is due.  1 when a mail
 * was queued, 0 when none was due, -1 on a store error. */
static int remind_one(struct store *st, const struct config *cfg, long long order_id, time_t until,
		      time_t now)
{
	int left = (int)((until - now + DAY - 1) / DAY), i, nearest = -1, rc, mailed = 0;
	struct order o;

	for (i = 0; i < REMINDER_DAYS_N; i++)
		if (left <= reminder_days[i])
			nearest = i; /* thresholds are largest first */
	if (nearest < 0)
		return 0;
	if (store_order_get(st, order_id, &o) != STORE_OK)
		return -1;
	if (o.state != WF_HANDED_OVER)
		return 0; /* never handed over: nobody holds it */
	if (store_begin(st) != STORE_OK)
		return -1;
	rc = store_ca_reminder_add(st, order_id, reminder_days[nearest], now);
	if (rc == STORE_OK) {
		/* The larger thresholds count as passed. */
		for (i = 0; i < nearest && rc == STORE_OK; i++)
			if ((rc = store_ca_reminder_add(st, order_id, reminder_days[i], now)) ==
			    STORE_CONFLICT)
				rc = STORE_OK;
		if (rc == STORE_OK)
			rc = reminder_mail(st, cfg, &o, until, left);
		mailed = 1;
	}
	if (rc == STORE_CONFLICT) { /* sent before */
		store_rollback(st);
		return 0;
	}
	if (rc != STORE_OK || store_commit(st) != STORE_OK) {
		store_rollback(st);
		return -1;
	}
	return mailed;
}

int jobs_cert_reminders(struct store *st, const struct config *cfg, time_t now)
{
	struct due d = {NULL, NULL, 0, 0};
	size_t i;
	int rc, sent = 0, failed = 0;

	if (store_ca_certs_expiring(st, now, now + (time_t)reminder_days[0] * DAY, collect, &d) !=
	    STORE_OK) {
		free(d.ids);
		free(d.until);
		return -1;
	}
	for (i = 0; i < d.n; i++) {
		rc = remind_one(st, cfg, d.ids[i], d.until[i], now);
		if (rc < 0) {
			log_warnx("reminders: order %lld: storage error", d.ids[i]);
			failed = 1;
		} else
			sent += rc;
	}
	free(d.ids);
	free(d.until);
	if (sent > 0)
		log_info("reminders: %d expiry reminder(s) queued", sent);
	return failed ? -1 : sent;
}
