/*
 * The use-case layer: one function per thing the portal lets someone
 * do (register, confirm an account, ask for a username or a password
 * reset, reset or change a password, move an order, ...).  Each takes
 * the environment (store, configuration, secret, mail), the actor (who,
 * in which role, from where) and plain input; it owns the transaction,
 * the workflow check, the history note, the audit entry and the queued
 * mail; and it returns a result the caller renders.  Web handlers read
 * their form, call one of these, and render; the CLI and the jobs
 * thread call the same functions.
 *
 * Nothing here knows HTTP or templates.
 */
#ifndef QCRA_APP_APP_H
#define QCRA_APP_APP_H

#include <stdarg.h>
#include <stddef.h>
#include <time.h>

#include "core/config.h"
#include "core/i18n.h"
#include "domain/workflow.h"
#include "store/store.h"
#include "util/arena.h"

struct catalog;
struct mail_worker;

/* What use cases work with; one per process, read-only once set up. */
struct app_env {
	const struct config *cfg;
	const struct catalog *catalog; /* offices, tariff, seller, documents */
	struct store *store;
	const unsigned char *secret; /* 32 bytes: keyed tags (core/secret.h) */
	struct mail_worker *mail;    /* woken after a commit that queued mail; may be NULL */
};

enum actor_kind { ACTOR_ANON, ACTOR_MEMBER, ACTOR_STAFF, ACTOR_SYSTEM };

/* Who does it.  name: the account's or staff member's username, or the
 * system's name ("jobs", "ca:service"); addr: the client's address, ""
 * outside a request. */
struct actor {
	enum actor_kind kind;
	long long id; /* account or staff id; 0 for anonymous and the system */
	const char *name;
	const char *addr;
	enum lang lang; /* the language of what is written for this actor */
};

/* How a use case ended. */
enum uc_status {
	UC_OK,
	UC_REFUSED,    /* the input or the state does not allow it: see .field / .msg */
	UC_NOTFOUND,   /* a link, token or object that is not (or no longer) valid */
	UC_UNAVAILABLE /* storage failed: nothing was done */
};

struct uc_result {
	enum uc_status status;
	const char *field; /* the form field at fault, or NULL */
	const char *msg;   /* the message key to show, or NULL */
};

/* Done; and storage failed, nothing was done ("error.storage"). */
extern const struct uc_result uc_ok, uc_unavailable;
/* The input or the state does not allow it: field is the form field at
 * fault (or NULL), msg the message key to show. */
struct uc_result uc_refused(const char *field, const char *msg);

/* The result of a use case whose work ended with store result rc:
 * STORE_OK is UC_OK; STORE_NOTFOUND is UC_REFUSED with msg (UC_OK when
 * msg is NULL: nothing left to do); anything else UC_UNAVAILABLE. */
struct uc_result uc_result_of(int rc, const char *msg);

/* The audit log's name for an actor ("member:ana", "operator:bob",
 * "anonymous", or the system's name), in out. */
void actor_audit_name(const struct actor *a, char *out, size_t size);

/* Appends an audit entry by actor inside the open transaction (or alone
 * when none is open).  detail is printf-style; control characters are
 * escaped (domain/audit.h). */
int uc_audit(const struct app_env *env, const struct actor *a, const char *action,
	     const char *object, const char *outcome, const char *detail_fmt, ...)
	__attribute__((format(printf, 6, 7)));
int uc_vaudit(const struct app_env *env, const struct actor *a, const char *action,
	      const char *object, const char *outcome, const char *detail_fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* Queues a mail in the open transaction: message key `key` ("mail.x":
 * subject "mail.x.subject", body "mail.x.body") with the NULL-
 * terminated name, value pairs that follow, written in lang when it is
 * delivered (mail/outbox.c; {base} there is the portal's address). */
int uc_mail(const struct app_env *env, struct arena *ar, const char *to, enum lang lang,
	    const char *key, ...) __attribute__((sentinel));
/* For an address with no account: the same work as uc_mail (the
 * message kept, one outbox row written), but nothing is sent. */
int uc_mail_withheld(const struct app_env *env, struct arena *ar, enum lang lang, const char *key,
		     ...) __attribute__((sentinel));
/* Wakes the mail worker (after a commit that queued mail). */
void uc_mail_kick(const struct app_env *env);

/* "tag:" and the keyed tag of text, in ar: what the audit records
 * instead of typed text that names no account. */
const char *uc_tag(const struct app_env *env, struct arena *ar, const char *text);

/* A fresh random token (64 hex characters) and its SHA-256; and the
 * SHA-256 of a token (what the store keeps). */
void token_new(char out[65], unsigned char hash[32]);
void token_hash(const char *token, unsigned char hash[32]);

#endif
