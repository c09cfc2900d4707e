/*
 * The outbox worker: delivers the mail the store's outbox holds, at
 * least once and, as far as a transport allows, at most once.
 *
 * An item is claimed before it is delivered: in one write transaction
 * it is read and leased to this process past the delivery's timeout
 * (store_outbox_claim), so a second worker (another thread, another
 * instance on the same database) does not pick it up meanwhile, and
 * takes it over if this process dies before the lease ends.  After delivery it is marked
 * sent, or rescheduled with exponential backoff.  Only a crash between
 * delivery and marking sends an item twice, and then with the same
 * Message-ID (and, in a maildir, to the same file name).
 */
#include "mail/mail.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/i18n.h"
#include "store/store.h"
#include "util/log.h"
#include "util/worker.h"

#define OUTBOX_BACKOFF_FIRST 30 /* seconds before the first retry, by default */
#define OUTBOX_BACKOFF_MAX 3600 /* the longest wait between attempts */
#define OUTBOX_CLAIM_SLACK 60   /* added to the transport timeout */
#define OUTBOX_SMTP_TIMEOUT 60  /* when the conf gives none */
#define OUTBOX_POLL_DEFAULT 30  /* seconds, when the conf gives none */

struct mail_worker {
	struct store *st;
	struct mail_conf conf; /* strings borrowed from the caller */
	struct worker *thread;
	atomic_int stopping; /* conf.stop, conf.smtp.stop */
};

/* Seconds to wait after the attempts-th failed attempt: the first
 * backoff (conf->retry_secs, or 30 s) doubling, at most an hour. */
static time_t outbox_backoff(const struct mail_conf *conf, int attempts)
{
	time_t d = conf->retry_secs > 0 ? conf->retry_secs : OUTBOX_BACKOFF_FIRST;
	int i;

	for (i = 1; i < attempts && d < OUTBOX_BACKOFF_MAX; i++)
		d *= 2;
	return d < OUTBOX_BACKOFF_MAX ? d : OUTBOX_BACKOFF_MAX;
}

/* How long a claimed item stays invisible to other workers: longer
 * than one delivery can take. */
static time_t outbox_claim_secs(const struct mail_conf *conf)
{
	long t = OUTBOX_SMTP_TIMEOUT;

	if (conf->transport == MAIL_SMTP && conf->smtp.timeout_secs > 0)
		t = conf->smtp.timeout_secs;
	return (time_t)t + OUTBOX_CLAIM_SLACK;
}

/* Takes the oldest item due at now, its next attempt pushed past the
 * delivery (store_outbox_claim). */
static int outbox_claim(struct store *st, const struct mail_conf *conf, time_t now,
			struct outbox_item *it)
{
	return store_outbox_claim(st, now, now + outbox_claim_secs(conf), it);
}

/* See mail.h. */
void mail_outbox_text(const struct mail_conf *conf, const struct outbox_item *it, struct arena *ar,
		      const char **subject, const char **body)
{
	const char *base = conf->base_url != NULL ? conf->base_url : "";
	enum lang l = LANG_SR;

	if (it->message == NULL || it->message[0] == '\0') { /* written when queued */
		*subject = it->subject;
		*body = it->body;
		return;
	}
	i18n_parse(it->lang, &l); /* an unknown code: Serbian */
	*subject = i18n_note_format(ar, l, arena_printf(ar, "%s.subject", it->subject), it->message,
				    "base", base, NULL);
	*body = i18n_note_format(ar, l, arena_printf(ar, "%s.body", it->subject), it->message,
				 "base", base, NULL);
}

/* Writes and hands one item to the configured transport.  0 or -1
 * with err. */
static int outbox_deliver(const struct mail_conf *conf, const struct outbox_item *it, char *err,
			  size_t errlen)
{
	struct buf msg = BUF_INIT;
	char msgid[320], name[32];
	struct mail_msg m;
	struct arena ar;
	int rc = -1;

	/* Both derived from the id alone, so a redelivery is the same
	 * message: recognisable by Message-ID, and overwriting in a
	 * maildir. */
	snprintf(msgid, sizeof(msgid), "%lld.qcra@%s", it->id,
		 conf->hostname != NULL && conf->hostname[0] != '\0' ? conf->hostname
								     : "localhost");
	snprintf(name, sizeof(name), "%06lld", it->id);

	memset(&m, 0, sizeof(m));
	arena_init(&ar);
	m.from = conf->from;
	m.to = it->to;
	mail_outbox_text(conf, it, &ar, &m.subject, &m.body);
	m.message_id = msgid;
	m.date = it->created_at != 0 ? it->created_at : time(NULL);
	if (mail_format(&m, &msg) == -1) {
		snprintf(err, errlen, "invalid message: a header or address was refused");
		goto out;
	}

	switch (conf->transport) {
	case MAIL_MAILDIR:
		rc = mail_deliver_maildir(conf->maildir, name, msg.data, msg.len, err, errlen);
		break;
	case MAIL_SMTP:
		rc = mail_deliver_smtp(&conf->smtp, conf->from, it->to, msg.data, msg.len, err,
				       errlen);
		break;
	default:
		snprintf(err, errlen, "unknown mail transport %d", (int)conf->transport);
		break;
	}
out:
	/* The message holds one-time tokens. */
	if (msg.data != NULL)
		sodium_memzero(msg.data, msg.cap);
	buf_free(&msg);
	/* So does its text (the row's, or written from a kept message in
	 * the arena) and the kept message's values. */
	if (m.body != NULL)
		sodium_memzero((char *)m.body, strlen(m.body));
	if (it->message != NULL)
		sodium_memzero(it->message, strlen(it->message));
	arena_free(&ar);
	return rc;
}

/* See mail.h.  Each failure is logged (never the message) and
 * rescheduled; a store error ends the pass. */
int mail_outbox_run_once(struct store *st, const struct mail_conf *conf, time_t now)
{
	struct outbox_item it;
	char err[512];
	int rc, attempts, sent = 0;

	for (;;) {
		if (conf->stop != NULL && atomic_load(conf->stop))
			break; /* the rest waits for the next start or another instance */
		memset(&it, 0, sizeof(it));
		rc = outbox_claim(st, conf, now, &it);
		if (rc == STORE_NOTFOUND)
			break;
		if (rc != STORE_OK) {
			log_warnx("mail outbox: cannot read the outbox");
			return -1;
		}
		err[0] = '\0';
		if (outbox_deliver(conf, &it, err, sizeof(err)) == 0) {
			rc = store_outbox_sent(st, it.id, now);
			if (rc == STORE_OK)
				sent++;
			else
				log_warnx("mail outbox %lld: delivered, but not marked sent",
					  it.id);
		} else if (conf->stop != NULL && atomic_load(conf->stop)) {
			/* Cut short by the stop: not an attempt; due again
			 * now, its lease ended, for whoever comes next. */
			rc = store_outbox_retry(st, it.id, it.attempts, now,
						"delivery stopped: the portal was stopping");
			if (rc != STORE_OK)
				log_warnx("mail outbox %lld: cannot end its lease", it.id);
		} else {
			attempts = it.attempts + 1;
			log_warnx("mail outbox %lld: attempt %d failed: %s", it.id, attempts, err);
			rc = store_outbox_retry(st, it.id, attempts,
						now + outbox_backoff(conf, attempts), err);
			if (rc != STORE_OK)
				log_warnx("mail outbox %lld: cannot schedule a retry", it.id);
		}
		store_outbox_item_free(&it);
		if (rc != STORE_OK)
			return -1;
	}
	return sent;
}

/* One pass over the outbox; then a sleep of poll_secs unless kicked.
 * A stop ends the pass after the delivery under way (mail.h). */
static int outbox_pass(void *arg)
{
	struct mail_worker *w = arg;

	if (mail_outbox_run_once(w->st, &w->conf, time(NULL)) == -1)
		log_warnx("mail outbox: pass failed; retrying later");
	return w->conf.poll_secs > 0 ? w->conf.poll_secs : OUTBOX_POLL_DEFAULT;
}

/* See mail.h. */
struct mail_worker *mail_worker_start(struct store *st, const struct mail_conf *conf)
{
	struct mail_worker *w;
	int why;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->st = st;
	w->conf = *conf;
	atomic_init(&w->stopping, 0);
	w->conf.stop = &w->stopping;
	w->conf.smtp.stop = &w->stopping;
	if ((w->thread = worker_start(outbox_pass, w, 0, &why)) == NULL) {
		log_warnx("mail worker: cannot start: %s", strerror(why));
		free(w);
		return NULL;
	}
	return w;
}

void mail_worker_kick(struct mail_worker *w)
{
	if (w != NULL)
		worker_kick(w->thread);
}

void mail_worker_stop(struct mail_worker *w)
{
	if (w == NULL)
		return;
	atomic_store(&w->stopping, 1);
	worker_stop(w->thread);
	free(w);
}

int mail_worker_ready(const struct mail_worker *w, char *err, size_t errlen)
{
	if (w->conf.transport == MAIL_SMTP)
		return mail_smtp_reachable(&w->conf.smtp, err, errlen);
	if (access(w->conf.maildir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "mail folder %s cannot be written: %s", w->conf.maildir,
			 strerror(errno));
		return -1;
	}
	return 0;
}
