/*
 * Certificate expiry reminders (reminders.c): a mail to the holder 60,
 * 30 and 7 days before the certificate expires, each sent once, with
 * the link that starts the renewal order.
 */
#ifndef QCRA_REMINDERS_H
#define QCRA_REMINDERS_H

#include <time.h>

#include "core/config.h"
#include "store/store.h"

/*
 * Mails the reminder due at `now` for each certificate that is not
 * revoked and expires within 60 days: the nearest threshold (60, 30 or
 * 7 days) not reached yet gets its mail; thresholds passed before the
 * first run are recorded without a mail of their own, so a holder
 * never gets several at once.  Each mail commits together with its
 * record.  Needs the message catalogue (i18n_load).  Returns how many
 * mails were queued, or -1 when the store failed.
 */
int jobs_cert_reminders(struct store *st, const struct config *cfg, time_t now);

/* Queues the mail telling the holder of order o that the CA revoked
 * its certificate at revoked_at (in the caller's transaction).  Needs
 * the message catalogue.  A STORE_* result. */
int jobs_mail_cert_revoked(struct store *st, const char *base_url, const struct order *o,
			   time_t revoked_at);

/* The thresholds in days, largest first; REMINDER_DAYS_N of them. */
#define REMINDER_DAYS_N 3
extern const int reminder_days[REMINDER_DAYS_N];

#endif
