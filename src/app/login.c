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

int uc_session_open(const struct app_env *env, const struct login_session *ls,
		    enum session_kind kind, long long id)
{
	struct session s;
	int rc = STORE_OK;

	if (ls == NULL)
		return STORE_OK;
	if (ls->has_old)
		rc = store_session_delete(env->store, ls->old_hash);
	memset(&s, 0, sizeof(s));
	memcpy(s.id_hash, ls->id_hash, sizeof(s.id_hash));
	s.kind = kind;
	s.account_id = id;
	s.created_at = s.last_seen_at = time(NULL);
	return rc == STORE_OK ? store_session_add(env->store, &s) : rc;
}

/* A try's outcome, one transaction: the count taken back (passed) or
 * kept, the write of more (may be NULL: a new password hash, a staff
 * code's step) which may turn the outcome into a failure (*passed set
 * to 0, then audited as failed_action), the audit entry, and for a
 * login the session ls of kind for id.  STORE_OK, or STORE_ERROR with
 * nothing written. */
struct outcome {
	int passed;
	const char *action, *key, *result, *detail;
	const char *failed_action;
	int (*more)(const struct app_env *env, const void *arg);
	const void *arg;
	const struct login_session *ls;
	enum session_kind kind;
	long long id;
};

static int outcome(const struct app_env *env, const struct actor *a, struct throttle *t,
		   struct outcome *o)
{
	struct store *s = env->store;
	int rc;

	if (store_begin(s) != STORE_OK)
		return STORE_ERROR;
	if (o->passed && o->more != NULL && (rc = o->more(env, o->arg)) != STORE_OK) {
		if (rc == STORE_ERROR)
			goto fail;
		o->passed = 0; /* refused by the write (a code used before) */
		o->action = o->failed_action;
		o->result = "failed";
		o->detail = "";
	}
	rc = o->passed ? uc_throttle_passed_tx(env, t) : uc_throttle_failed_tx(env, t);
	if (rc == STORE_OK)
		rc = uc_audit(env, a, o->action, o->key, o->result, "%s", o->detail);
	if (rc == STORE_OK && o->passed && o->kind != 0)
		rc = uc_session_open(env, o->ls, o->kind, o->id);
	if (rc == STORE_OK && store_commit(s) == STORE_OK)
		return STORE_OK;
fail:
	store_rollback(s);
	return STORE_ERROR;
}

/* A member's new password hash (made before the transaction). */
static int rehash(const struct app_env *env, const void *arg)
{
	const struct account *acc = arg;

	return store_account_set_password(env->store, acc->id, acc->password_hash);
}

/* The try counted (count()), then the password checked against hash:
 * NULL when the name is no one's, checked against a dummy hash at the
 * same cost.  LOGIN_OK with *ok set, or count()'s refusal. */
static enum login_outcome try_password(const struct app_env *env, const struct actor *a,
				       struct throttle *t, enum throttle_kind kind,
				       const char *name, const char *key, const char *action,
				       const char *hash, const char *password, int *ok)
{
	enum login_outcome out = count(env, a, t, kind, name, key, action);

	*ok = 0;
	if (out != LOGIN_OK)
		return out;
	if (hash != NULL)
		*ok = pwhash_verify(hash, password);
	else
		pwhash_dummy_verify(password);
	return LOGIN_OK;
}

struct login_result uc_member_login(const struct app_env *env, const struct actor *a,
				    const char *username, const char *password,
				    const struct login_session *ls)
{
	struct login_result res = {LOGIN_UNAVAILABLE, 0, {0}};
	struct outcome o = {0};
	char name[64], key[80];
	struct account acc;
	int rc, ok;

	snprintf(name, sizeof(name), "%s", username);
	ascii_lower(name);
	if ((rc = store_account_by_username(env->store, name, &acc)) == STORE_ERROR)
		return res;
	user_key(env, key, sizeof(key), 'u', name, rc == STORE_OK);
	if ((res.outcome = try_password(
		     env, a, &res.t, THROTTLE_MEMBER, name, key, "login_throttled",
		     rc == STORE_OK ? acc.password_hash : NULL, password, &ok)) != LOGIN_OK)
		return res;
	o.key = key;
	o.passed = ok;
	o.failed_action = "login_failed";
	if (!ok) {
		o.action = o.failed_action;
		o.result = "failed";
		o.detail = rc == STORE_OK ? "wrong password" : "unknown username";
		res.outcome = LOGIN_FAILED;
	} else if (acc.confirmed_at == 0) {
		o.action = "login_unconfirmed";
		o.result = "denied";
		o.detail = "";
		res.outcome = LOGIN_UNCONFIRMED;
	} else {
		o.action = "login";
		o.result = "ok";
		o.detail = "";
		if (pwhash_needs_rehash(acc.password_hash) &&
		    pwhash_make(acc.password_hash, password) == 0)
			o.more = rehash, o.arg = &acc;
		o.ls = ls, o.kind = SESSION_MEMBER, o.id = acc.id;
		res.outcome = LOGIN_OK;
		res.id = acc.id;
	}
	if (outcome(env, a, &res.t, &o) != STORE_OK)
		res.outcome = LOGIN_UNAVAILABLE;
	return res;
}

/* A staff code's time step, newer than the last one accepted (no
 * replay): STORE_NOTFOUND when it is not. */
struct code_step {
	long long operator_id, step;
	time_t now;
};

static int code_step(const struct app_env *env, const void *arg)
{
	const struct code_step *c = arg;

	return store_operator_totp_step(env->store, c->operator_id, c->step, c->now);
}

struct login_result uc_staff_login(const struct app_env *env, const struct actor *a,
				   const char *username, const char *password, const char *code,
				   const struct login_session *ls)
{
	struct login_result res = {LOGIN_UNAVAILABLE, 0, {0}};
	struct outcome o = {0};
	struct code_step cs = {0, 0, 0};
	char name[64], key[80], role[80];
	struct operator op;
	uint64_t step = 0;
	int rc, ok;

	snprintf(name, sizeof(name), "%s", username);
	ascii_lower(name);
	if ((rc = store_operator_by_username(env->store, name, &op)) == STORE_ERROR)
		return res;
	user_key(env, key, sizeof(key), 'o', name, rc == STORE_OK);
	if ((res.outcome = try_password(
		     env, a, &res.t, THROTTLE_STAFF, name, key, "ra.login_throttled",
		     rc == STORE_OK ? op.password_hash : NULL, password, &ok)) != LOGIN_OK)
		return res;
	ok = ok && op.active;
	/* Enrolled accounts need the code with the password; the code must
	 * be newer than the last one accepted (no replay): its step is
	 * written with the outcome. */
	cs.now = time(NULL);
	if (ok && op.totp_enrolled_at != 0) {
		ok = totp_verify(op.totp_secret, code, cs.now, &step);
		cs.operator_id = op.id, cs.step = (long long)step;
		o.more = code_step, o.arg = &cs;
	}
	o.key = key;
	o.passed = ok;
	o.failed_action = "ra.login_failed";
	if (!ok) {
		o.action = o.failed_action;
		o.result = "failed";
		o.detail = "";
	} else if (op.totp_enrolled_at == 0) {
		o.action = "ra.login_enroll";
		o.result = "ok";
		o.detail = "first login: authenticator setup";
		o.ls = ls, o.kind = SESSION_OPERATOR_ENROLL, o.id = op.id;
	} else {
		snprintf(role, sizeof(role), "role %s", op.role);
		o.action = "ra.login";
		o.result = "ok";
		o.detail = role;
		o.ls = ls, o.kind = SESSION_OPERATOR, o.id = op.id;
	}
	if (outcome(env, a, &res.t, &o) != STORE_OK)
		return res; /* LOGIN_UNAVAILABLE */
	if (!o.passed) {
		res.outcome = LOGIN_FAILED;
		return res;
	}
	res.id = op.id;
	res.outcome = op.totp_enrolled_at == 0 ? LOGIN_ENROLL : LOGIN_OK;
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
