/*
 * Accounts (account.h).  Paths that must not tell whether an address
 * or a member has an account (ASVS 2.1: no enumeration by answer or by
 * timing) do the same work either way: the same hashing, one write
 * transaction with a token row, an outbox row and an audit entry.
 */
#include "app/account.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/pwhash.h"
#include "domain/ident.h"

#define CONFIRM_TTL (24 * 3600)
#define RESET_TTL (30 * 60)

static struct uc_result not_found(const char *msg)
{
	struct uc_result r = {UC_NOTFOUND, NULL, msg};

	return r;
}

/* Commits, or rolls back when rc says the work failed. */
static struct uc_result finish(const struct app_env *env, int rc)
{
	if (rc != STORE_OK || store_commit(env->store) != STORE_OK) {
		store_rollback(env->store);
		return uc_unavailable;
	}
	return uc_ok;
}

static void link_for(const struct app_env *env, char *out, size_t size, const char *path,
		     const char *token)
{
	snprintf(out, size, "%s%s?token=%s", env->cfg->base_url, path, token);
}

/* The language the account's mail is written in (Serbian for a code
 * the catalogue does not know). */
static enum lang account_lang(const struct account *acc)
{
	enum lang l = LANG_SR;

	i18n_parse(acc->lang, &l);
	return l;
}

/* The member already has an account: the owner learns it by mail, after
 * the same work as a new account (the password hashed, a confirmation
 * token written, but dead, a mail queued). */
static struct uc_result register_existing(const struct app_env *env, const struct actor *a,
					  struct arena *ar, const struct register_input *in,
					  const struct member *m, const struct account *existing)
{
	char hash[PWHASH_STRBYTES], link[600], token[65];
	unsigned char th[32];
	int rc;

	if (pwhash_make(hash, in->password) != 0)
		return uc_unavailable;
	token_new(token, th);
	sodium_memzero(token, sizeof(token));
	snprintf(link, sizeof(link), "%s/password/forgot", env->cfg->base_url);
	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = store_token_withheld(env->store, th, TOKEN_CONFIRM, time(NULL));
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "register_existing", existing->username, "denied",
			      "member %s", m->license_number);
	if (rc == STORE_OK)
		rc = uc_mail(env, ar, existing->email, account_lang(existing), "mail.already",
			     "username", existing->username, "link", link, NULL);
	if (finish(env, rc).status != UC_OK)
		return uc_unavailable;
	uc_mail_kick(env);
	return uc_ok;
}

struct uc_result uc_register(const struct app_env *env, const struct actor *a, struct arena *ar,
			     const struct register_input *in)
{
	struct store *s = env->store;
	struct member m;
	struct account acc, existing;
	unsigned char th[32];
	char license[32], token[65], link[600];
	int rc;

	/* Written as on the chamber's papers or not: "315 6789 01". */
	license_normalize(in->license, license, sizeof(license));
	rc = store_member_by_license(s, license, &m);
	if (rc == STORE_ERROR)
		return uc_unavailable;
	if (rc != STORE_OK || strcmp(m.jmbg, in->jmbg) != 0 || strcasecmp(m.email, in->email) != 0)
		return uc_refused("license_number", "register.no_match");
	rc = store_account_by_member(s, m.id, &existing);
	if (rc == STORE_ERROR)
		return uc_unavailable;
	if (rc == STORE_OK)
		return register_existing(env, a, ar, in, &m, &existing);

	memset(&acc, 0, sizeof(acc));
	acc.member_id = m.id;
	snprintf(acc.username, sizeof(acc.username), "%s", in->username);
	snprintf(acc.email, sizeof(acc.email), "%s", m.email);
	snprintf(acc.lang, sizeof(acc.lang), "%s", i18n_code(in->lang));
	acc.created_at = time(NULL);
	if (pwhash_make(acc.password_hash, in->password) != 0)
		return uc_unavailable;
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = store_account_create(s, &acc);
	if (rc == STORE_CONFLICT) {
		store_rollback(s);
		if (store_account_by_member(s, m.id, &existing) == STORE_OK)
			return uc_ok; /* a double submit */
		return uc_refused("username", "register.username_taken");
	}
	if (rc == STORE_OK) {
		token_new(token, th);
		rc = store_token_add(s, th, TOKEN_CONFIRM, acc.id, time(NULL) + CONFIRM_TTL);
		link_for(env, link, sizeof(link), "/register/confirm", token);
		sodium_memzero(token, sizeof(token));
	}
	if (rc == STORE_OK)
		rc = uc_mail(env, ar, acc.email, in->lang, "mail.confirm", "username", acc.username,
			     "link", link, NULL);
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "register", acc.username, "ok", "member %s",
			      m.license_number);
	if (finish(env, rc).status != UC_OK)
		return uc_unavailable;
	uc_mail_kick(env);
	return uc_ok;
}

struct uc_result uc_account_confirm(const struct app_env *env, const struct actor *a,
				    const char *token)
{
	struct store *s = env->store;
	unsigned char hash[32];
	long long account_id;
	int rc;

	if (token == NULL || strlen(token) != 64)
		return not_found("confirm.invalid");
	token_hash(token, hash);
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = store_token_use(s, hash, TOKEN_CONFIRM, time(NULL), &account_id);
	if (rc == STORE_OK) {
		rc = store_account_confirm(s, account_id, time(NULL));
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK; /* confirmed already */
		if (rc == STORE_OK)
			rc = uc_audit(env, a, "account_confirmed", "", "ok", "account %lld",
				      account_id);
	}
	if (rc == STORE_NOTFOUND) {
		store_rollback(s);
		return not_found("confirm.invalid");
	}
	return finish(env, rc);
}

/* The end of a request made with an e-mail address, after its work (rc)
 * in the open transaction: audits it (under the account's username, or
 * the tag of an address with no account, to which nothing is sent),
 * commits, and wakes the mail worker when a mail was queued. */
static struct uc_result by_email_done(const struct app_env *env, const struct actor *a,
				      struct arena *ar, const char *action, int rc,
				      const char *username, const char *email)
{
	if (rc == STORE_OK)
		rc = uc_audit(env, a, action, username ? username : uc_tag(env, ar, email),
			      username ? "ok" : "unknown", "%s",
			      username ? "" : "no account: nothing sent");
	if (finish(env, rc).status != UC_OK)
		return uc_unavailable;
	if (username)
		uc_mail_kick(env);
	return uc_ok;
}

struct uc_result uc_username_remind(const struct app_env *env, const struct actor *a,
				    struct arena *ar, const char *email)
{
	struct store *s = env->store;
	struct account acc;
	char link[600];
	int rc, known;

	if ((rc = store_account_by_email(s, email, &acc)) == STORE_ERROR)
		return uc_unavailable;
	known = rc == STORE_OK;
	snprintf(link, sizeof(link), "%s/login", env->cfg->base_url);
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	if (known)
		rc = uc_mail(env, ar, acc.email, account_lang(&acc), "mail.username", "username",
			     acc.username, "link", link, NULL);
	else
		rc = uc_mail_withheld(env, ar, a->lang, "mail.username", "username", email, "link",
				      link, NULL);
	return by_email_done(env, a, ar, "username_reminder_requested", rc,
			     known ? acc.username : NULL, email);
}

struct uc_result uc_password_forgot(const struct app_env *env, const struct actor *a,
				    struct arena *ar, const char *email)
{
	struct store *s = env->store;
	unsigned char hash[32];
	char token[65], link[600];
	struct account acc;
	int rc, known;

	if ((rc = store_account_by_email(s, email, &acc)) == STORE_ERROR)
		return uc_unavailable;
	known = rc == STORE_OK;
	token_new(token, hash);
	link_for(env, link, sizeof(link), "/password/reset", token);
	sodium_memzero(token, sizeof(token));
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	/* For an address with no account the token is stored too, but dead. */
	if (known) {
		rc = store_token_add(s, hash, TOKEN_RESET, acc.id, time(NULL) + RESET_TTL);
		if (rc == STORE_OK)
			rc = uc_mail(env, ar, acc.email, account_lang(&acc), "mail.reset",
				     "username", acc.username, "link", link, NULL);
	} else {
		rc = store_token_withheld(s, hash, TOKEN_RESET, time(NULL));
		if (rc == STORE_OK)
			rc = uc_mail_withheld(env, ar, a->lang, "mail.reset", "username", email,
					      "link", link, NULL);
	}
	sodium_memzero(link, sizeof(link));
	return by_email_done(env, a, ar, "password_reset_requested", rc,
			     known ? acc.username : NULL, email);
}

int uc_reset_account(const struct app_env *env, const char *token, struct account *acc)
{
	unsigned char hash[32];
	long long id;

	if (token == NULL || strlen(token) != 64)
		return 0;
	token_hash(token, hash);
	return store_token_peek(env->store, hash, TOKEN_RESET, time(NULL), &id) == STORE_OK &&
	       store_account_get(env->store, id, acc) == STORE_OK;
}

/* The end of setting a password (rc: how the work so far went): every
 * one-time link of the account still open ended (an older reset link
 * must not set another password), every session but keep's ended, the
 * owner told by mail, the change audited, all committed. */
static struct uc_result password_set(const struct app_env *env, const struct actor *a,
				     struct arena *ar, const struct account *acc, int rc,
				     const unsigned char *keep, const char *action,
				     const char *detail)
{
	if (rc == STORE_OK)
		rc = store_token_void_account(env->store, acc->id, time(NULL));
	if (rc == STORE_OK)
		rc = store_session_delete_account(env->store, SESSION_MEMBER, acc->id, keep);
	if (rc == STORE_OK)
		rc = uc_mail(env, ar, acc->email, account_lang(acc), "mail.changed", "username",
			     acc->username, NULL);
	if (rc == STORE_OK)
		rc = uc_audit(env, a, action, acc->username, "ok", "%s", detail);
	if (finish(env, rc).status != UC_OK)
		return uc_unavailable;
	uc_mail_kick(env);
	return uc_ok;
}

struct uc_result uc_password_reset(const struct app_env *env, const struct actor *a,
				   struct arena *ar, const char *token, const struct account *acc,
				   const char *password)
{
	struct store *s = env->store;
	char hash[PWHASH_STRBYTES];
	unsigned char th[32];
	time_t now = time(NULL);
	long long id;
	int rc;

	if (pwhash_make(hash, password) != 0)
		return uc_unavailable;
	token_hash(token, th);
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	if (store_token_use(s, th, TOKEN_RESET, now, &id) != STORE_OK || id != acc->id) {
		store_rollback(s);
		return not_found("reset.invalid");
	}
	/* The link proves the address, so it confirms a pending account. */
	rc = store_account_set_password(s, acc->id, hash);
	if (rc == STORE_OK && acc->confirmed_at == 0 &&
	    store_account_confirm(s, acc->id, now) == STORE_ERROR)
		rc = STORE_ERROR;
	return password_set(env, a, ar, acc, rc, NULL, "password_reset",
			    "all sessions and links ended");
}

struct uc_result uc_password_change(const struct app_env *env, const struct actor *a,
				    struct arena *ar, const struct account *acc,
				    const char *password, const unsigned char keep[32])
{
	struct store *s = env->store;
	char hash[PWHASH_STRBYTES];
	int rc;

	if (pwhash_make(hash, password) != 0)
		return uc_unavailable;
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = store_account_set_password(s, acc->id, hash);
	return password_set(env, a, ar, acc, rc, keep, "password_change",
			    "other sessions and all links ended");
}

struct uc_result uc_account_set_lang(const struct app_env *env, const struct actor *a,
				     const struct account *acc, enum lang lang)
{
	int rc;

	if (store_begin(env->store) != STORE_OK)
		return uc_unavailable;
	rc = store_account_set_lang(env->store, acc->id, i18n_code(lang));
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "account_lang", acc->username, "ok", "%s -> %s", acc->lang,
			      i18n_code(lang));
	return finish(env, rc);
}
