/*
 * What every use case shares (app.h): the actor's name in the audit
 * log, audit entries, queued mail, keyed tags and tokens.
 */
#include "app/app.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/secret.h"
#include "domain/audit.h"
#include "mail/mail.h"
#include "util/escape.h"
#include "util/sha256.h"

const struct uc_result uc_ok = {UC_OK, NULL, NULL};
const struct uc_result uc_unavailable = {UC_UNAVAILABLE, NULL, "error.storage"};

struct uc_result uc_refused(const char *field, const char *msg)
{
	struct uc_result r = {UC_REFUSED, field, msg};

	return r;
}

struct uc_result uc_result_of(int rc, const char *msg)
{
	struct uc_result res = {UC_OK, NULL, NULL};

	if (rc == STORE_NOTFOUND && msg != NULL) {
		res.status = UC_REFUSED;
		res.msg = msg;
	} else if (rc != STORE_OK && rc != STORE_NOTFOUND) {
		res.status = UC_UNAVAILABLE;
		res.msg = "error.storage";
	}
	return res;
}

void actor_audit_name(const struct actor *a, char *out, size_t size)
{
	switch (a->kind) {
	case ACTOR_MEMBER:
		snprintf(out, size, "member:%s", a->name);
		break;
	case ACTOR_STAFF:
		snprintf(out, size, "operator:%s", a->name);
		break;
	case ACTOR_SYSTEM:
		snprintf(out, size, "%s", a->name);
		break;
	default:
		snprintf(out, size, "anonymous");
	}
}

int uc_vaudit(const struct app_env *env, const struct actor *a, const char *action,
	      const char *object, const char *outcome, const char *detail_fmt, va_list ap)
{
	struct audit_entry e;
	char detail[AUDIT_DETAIL_SIZE];

	memset(&e, 0, sizeof(e));
	e.at = time(NULL);
	actor_audit_name(a, e.actor, sizeof(e.actor));
	snprintf(e.addr, sizeof(e.addr), "%s", a->addr ? a->addr : "");
	audit_clean(e.action, sizeof(e.action), action);
	audit_clean(e.object, sizeof(e.object), object ? object : "");
	audit_clean(e.outcome, sizeof(e.outcome), outcome);
	if (vsnprintf(detail, sizeof(detail), detail_fmt, ap) >= (int)sizeof(detail))
		detail[utf8_prefix(detail, sizeof(detail) - 1)] = '\0';
	audit_clean(e.detail, sizeof(e.detail), detail);
	return store_audit_append(env->store, &e);
}

int uc_audit(const struct app_env *env, const struct actor *a, const char *action,
	     const char *object, const char *outcome, const char *detail_fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, detail_fmt);
	rc = uc_vaudit(env, a, action, object, outcome, detail_fmt, ap);
	va_end(ap);
	return rc;
}

int uc_mail(const struct app_env *env, struct arena *ar, const char *to, enum lang lang,
	    const char *key, ...)
{
	va_list ap;
	char *message;

	va_start(ap, key);
	message = i18n_vnote(ar, key, ap); /* written at delivery (mail/outbox.c) */
	va_end(ap);
	return store_outbox_queue(env->store, to, i18n_code(lang), key, message, time(NULL));
}

int uc_mail_withheld(const struct app_env *env, struct arena *ar, enum lang lang, const char *key,
		     ...)
{
	va_list ap;
	char *message;

	/* Kept as uc_mail would, then dropped: the same work. */
	va_start(ap, key);
	message = i18n_vnote(ar, key, ap);
	va_end(ap);
	sodium_memzero(message, strlen(message));
	return store_outbox_withheld(env->store, key, time(NULL));
}

void uc_mail_kick(const struct app_env *env)
{
	if (env->mail != NULL)
		mail_worker_kick(env->mail);
}

const char *uc_tag(const struct app_env *env, struct arena *ar, const char *text)
{
	char tag[SECRET_TAG_HEX];

	secret_tag(env->secret, text, tag);
	return arena_printf(ar, "tag:%s", tag);
}

void token_new(char out[65], unsigned char hash[32])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, 65, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
	token_hash(out, hash);
}

void token_hash(const char *token, unsigned char hash[32])
{
	sha256(token, strlen(token), hash);
}
