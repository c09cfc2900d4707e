/*
 * Mail: formatting RFC 5322 messages, the two transports, and the
 * outbox worker that delivers what the store's outbox holds.
 */
#ifndef QCRA_MAIL_H
#define QCRA_MAIL_H

#include <stdatomic.h>
#include <stddef.h>
#include <time.h>

#include "util/arena.h"
#include "util/buf.h"

struct store;
struct outbox_item;

struct mail_msg {
	const char *from;       /* "Name <addr>" or "addr" */
	const char *to;         /* one address */
	const char *subject;    /* UTF-8 */
	const char *body;       /* UTF-8, LF or CRLF line ends */
	const char *message_id; /* without <>, e.g. "42.qcra@localhost" */
	time_t date;
};

/*
 * Appends the message in RFC 5322 form to out: Date, From, To, Subject
 * (RFC 2047 B-encoded when not plain ASCII), Message-ID, MIME-Version,
 * Content-Type text/plain; charset=UTF-8, Content-Transfer-Encoding
 * 8bit, a blank line, the body with CRLF line ends.  Returns -1 (out
 * unchanged) when a header value holds CR, LF or another control
 * character (header injection) or an address is empty.
 */
int mail_format(const struct mail_msg *m, struct buf *out);

/* Writes msg atomically as DIR/NAME.eml (write to DIR/.tmp-NAME, fsync,
 * rename, fsync DIR); creating DIR if missing.  Delivering the same
 * NAME twice leaves one file.  0 or -1 with err. */
int mail_deliver_maildir(const char *dir, const char *name, const char *msg, size_t len, char *err,
			 size_t errlen);

struct smtp_conf {
	const char *url;  /* smtp://host:port or smtps://host:port */
	int starttls;     /* 1: require STARTTLS on smtp:// */
	const char *user; /* NULL/"" for no authentication */
	const char *password;
	long timeout_secs; /* connect+transfer timeout */
	/* Non-NULL: a delivery under way ends (fails) within about a
	 * second once *stop is set, whatever the server does. */
	const atomic_int *stop;
};

/* Sends msg to one recipient with libcurl.  0 or -1 with err. */
int mail_deliver_smtp(const struct smtp_conf *c, const char *from, const char *to, const char *msg,
		      size_t len, char *err, size_t errlen);

enum mail_transport { MAIL_MAILDIR, MAIL_SMTP };

struct mail_conf {
	enum mail_transport transport;
	const char *maildir;   /* for MAIL_MAILDIR */
	struct smtp_conf smtp; /* for MAIL_SMTP */
	const char *from;
	const char *hostname; /* right side of Message-IDs */
	const char *base_url; /* the portal's address: {base} in a message's text */
	int poll_secs;        /* how often the worker looks for due mail */
	int retry_secs;       /* the first backoff (0: 30 s), doubling */
	/* Non-NULL: once *stop is set, a pass takes no further item, and an
	 * item whose delivery the stop cut short is due again at once
	 * (its lease ended) for the next start or another instance. */
	const atomic_int *stop;
};

/*
 * The subject and body of outbox item it, in ar: its text, or for a
 * mail kept as a message key with values, that key's ".subject" and
 * ".body" in the item's language (core/i18n.h, loaded) with its values
 * and {base}, conf->base_url.  What the worker delivers.
 */
void mail_outbox_text(const struct mail_conf *conf, const struct outbox_item *it, struct arena *ar,
		      const char **subject, const char **body);

/*
 * The outbox worker: a thread that repeatedly takes the oldest due
 * item from the store's outbox, writes the mail as mail_outbox_text
 * says (in the recipient's language, at delivery), delivers it, and marks it
 * sent, or schedules a retry with exponential backoff (retry_secs
 * doubling, at most 1 h) recording the error.  The Message-ID is derived from the
 * outbox id so a redelivery after a crash is recognisable, and maildir
 * names are the outbox id so a redelivery overwrites, not duplicates.
 */
struct mail_worker;

/* Starts the thread; the conf strings must outlive the worker.
 * Returns NULL on failure. */
struct mail_worker *mail_worker_start(struct store *st, const struct mail_conf *conf);
/* Wakes the worker now (call after committing a transaction that queued mail). */
void mail_worker_kick(struct mail_worker *w);
/* 0 when mail can go out now (the SMTP server accepts a connection, or
 * the mail folder is writable), else -1 with err (GET /readyz). */
int mail_worker_ready(const struct mail_worker *w, char *err, size_t errlen);
/* 0 when the SMTP server of c accepts a connection, else -1 with err. */
int mail_smtp_reachable(const struct smtp_conf *c, char *err, size_t errlen);
/* Stops the thread after the delivery under way (one to an SMTP server
 * that does not answer is cut short); what is left waits in the outbox
 * for the next start or another instance.  NULL-safe. */
void mail_worker_stop(struct mail_worker *w);

/* One pass, in the calling thread: delivers every item due at now.
 * Returns the number delivered, -1 on a store error. */
int mail_outbox_run_once(struct store *st, const struct mail_conf *conf, time_t now);

#endif
