/*
 * Logging in (login.h): members and staff, counted, checked, audited.
 */
#include "app/login.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/pwhash.h"
#include "core/totp.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/escape.h"

/* The audit's name for what was typed: prefix + the username when it is
 * someone's, else its keyed tag (it may be a password typed into the
 * wrong field). */
static void user_key(const struct app_env *env, char *out, size_t size, char prefix,
		     const char *username, int known)
{
	struct arena ar;

	arena_init(&ar);
	snprintf(out, size, "%c:%s", prefix, known ? username : uc_tag(env, &ar, username));
	arena_free(&ar);
}

/* The try counted; LOGIN_OK when it may go on. */
static enum login_outcome count(const struct app_env *env, const struct actor *a,
				struct throttle *t, enum throttle_kind kind, const char *username,
				const char *key, const char *action)
{
	long wait = uc_throttle_try(env, a->addr, t, kind, username);

	if (wait < 0)
		return LOGIN_UNAVAILABLE;
	if (wait > 0) {
		uc_audit(env, a, action, key, "denied", "retry after %ld s", wait);
		return LOGIN_THROTTLED;
	}
	return LOGIN_OK;
}

struct login_result uc_member_login(const struct app_env *env, const struct actor *a,
				    const char *username, const char *password)
{
	struct login_result res = {LOGIN_UNAVAILABLE, 0, {0}};
	char name[64], key[80], hash[PWHASH_STRBYTES];
	struct account acc;
	int rc, ok;

	snprintf(name, sizeof(name), "%s", username);
	ascii_lower(name);
	if ((rc = store_account_by_username(env->store, name, &acc)) == STORE_ERROR)
		return res;
	user_key(env, key, sizeof(key), 'u', name, rc == STORE_OK);
	if ((res.outcome = count(env, a, &res.t, THROTTLE_MEMBER, name, key, "login_throttled")) !=
	    LOGIN_OK)
		return res;
	if (rc == STORE_OK)
		ok = pwhash_verify(acc.password_hash, password);
	else {
		pwhash_dummy_verify(password);
		ok = 0;
	}
	if (!ok) {
		uc_throttle_failed(env, &res.t);
		uc_audit(env, a, "login_failed", key, "failed", "%s",
			 rc == STORE_OK ? "wrong password" : "unknown username");
		res.outcome = LOGIN_FAILED;
		return res;
	}
	uc_throttle_passed(env, &res.t);
	if (acc.confirmed_at == 0) {
		uc_audit(env, a, "login_unconfirmed", key, "denied", "%s", "");
		res.outcome = LOGIN_UNCONFIRMED;
		return res;
	}
	if (pwhash_needs_rehash(acc.password_hash) && pwhash_make(hash, password) == 0)
		store_account_set_password(env->store, acc.id, hash);
	uc_audit(env, a, "login", key, "ok", "%s", "");
	res.outcome = LOGIN_OK;
	res.id = acc.id;
	return res;
}

struct login_result uc_staff_login(const struct app_env *env, const struct actor *a,
				   const char *username, const char *password, const char *code)
{
	struct login_result res = {LOGIN_UNAVAILABLE, 0, {0}};
	char name[64], key[80];
	struct operator o;
	uint64_t step = 0;
	time_t now;
	int rc, ok;

	snprintf(name, sizeof(name), "%s", username);
	ascii_lower(name);
	if ((rc = store_operator_by_username(env->store, name, &o)) == STORE_ERROR)
		return res;
	user_key(env, key, sizeof(key), 'o', name, rc == STORE_OK);
	if ((res.outcome = count(env, a, &res.t, THROTTLE_STAFF, name, key,
				 "ra.login_throttled")) != LOGIN_OK)
		return res;
	if (rc == STORE_OK)
		ok = pwhash_verify(o.password_hash, password) && o.active;
	else {
		pwhash_dummy_verify(password);
		ok = 0;
	}
	/* Enrolled accounts need the code with the password; the code must
	 * be newer than the last one accepted (no replay). */
	now = time(NULL);
	if (ok && o.totp_enrolled_at != 0)
		ok = totp_verify(o.totp_secret, code, now, &step) &&
		     store_operator_totp_step(env->store, o.id, (long long)step, now) == STORE_OK;
	if (!ok) {
		uc_throttle_failed(env, &res.t);
		uc_audit(env, a, "ra.login_failed", key, "failed", "%s", "");
		res.outcome = LOGIN_FAILED;
		return res;
	}
	uc_throttle_passed(env, &res.t);
	res.id = o.id;
	if (o.totp_enrolled_at == 0) {
		uc_audit(env, a, "ra.login_enroll", key, "ok", "first login: authenticator setup");
		res.outcome = LOGIN_ENROLL;
		return res;
	}
	uc_audit(env, a, "ra.login", key, "ok", "role %s", o.role);
	res.outcome = LOGIN_OK;
	return res;
}

struct uc_result uc_staff_enroll(const struct app_env *env, const struct actor *a,
				 long long operator_id, const char *code)
{
	struct uc_result res = {UC_UNAVAILABLE, NULL, "error.storage"};
	struct operator o;
	uint64_t step;
	time_t now = time(NULL);

	if (store_operator_get(env->store, operator_id, &o) != STORE_OK)
		return res;
	if (!totp_verify(o.totp_secret, code, now, &step))
		return (struct uc_result){UC_REFUSED, "totp", "ra.totp_wrong"};
	if (store_operator_totp_step(env->store, o.id, (long long)step, now) != STORE_OK)
		return (struct uc_result){UC_REFUSED, "totp", "ra.totp_wrong"};
	uc_audit(env, a, "ra.enrolled", o.username, "ok", "authenticator set up");
	return (struct uc_result){UC_OK, NULL, NULL};
}
