/*
 * Login with a qualified certificate (login.h, issue 19 point 2): the
 * checks of a signed request's certificate (sign_verify.h), at login,
 * each try counted per client address first (throttle.h).
 */
#include <string.h>
#include <time.h>

#include "app/login.h"
#include "app/sign.h"
#include "app/sign_verify.h"
#include "store/store.h"

/* Every refusal's message (login.h: each its own). */
static const char *const refusals[] = {
	"login_cert.none",       "login_cert.unreadable", "login_cert.untrusted",
	"login_cert.expired",    "login_cert.revoked",    "login_cert.no_status",
	"login_cert.not_person", "login_cert.no_account", "login.unconfirmed",
};

const char *uc_cert_refusal(const char *key)
{
	for (size_t i = 0; key != NULL && i < sizeof(refusals) / sizeof(refusals[0]); i++)
		if (strcmp(key, refusals[i]) == 0)
			return refusals[i];
	return NULL;
}

/* The message for each refusal. */
static const char *refusal_key(enum sign_err e)
{
	switch (e) {
	case SIGN_UNTRUSTED:
		return "login_cert.untrusted";
	case SIGN_NOT_VALID:
		return "login_cert.expired";
	case SIGN_REVOKED:
		return "login_cert.revoked";
	case SIGN_NO_STATUS:
		return "login_cert.no_status";
	case SIGN_KEY_USAGE:
	case SIGN_NOT_MEMBER:
		return "login_cert.not_person";
	default:
		return "login_cert.unreadable";
	}
}

/* The checks, the try already counted (uc_member_login_cert). */
static struct cert_login check_cert(const struct app_env *env, const struct actor *a,
				    const unsigned char *cert, size_t len)
{
	struct cert_login res = {LOGIN_UNAVAILABLE, 0, "error.storage", {0}};
	struct sign_trust *t;
	struct sign_result r;
	struct account acc;
	char jmbg[14];
	enum sign_err e;
	int rc;

	if (cert == NULL || len == 0) {
		uc_audit(env, a, "login.certificate", "-", "failed", "no certificate");
		return (struct cert_login){LOGIN_FAILED, 0, "login_cert.none", {0}};
	}
	if ((t = sign_trust_config(env->cfg)) == NULL)
		return (struct cert_login){LOGIN_UNAVAILABLE, 0, "sign.err_no_trust", {0}};
	e = sign_verify_cert(t, cert, len, time(NULL), 0, jmbg, &r);
	sign_trust_free(t);
	sign_result_free(&r);
	if (e != SIGN_OK) {
		uc_audit(env, a, "login.certificate", r.serial, "failed", "%s, %s, %s",
			 refusal_key(e), r.signer, r.status);
		return (struct cert_login){LOGIN_FAILED, 0, refusal_key(e), {0}};
	}
	if ((rc = store_account_by_jmbg(env->store, jmbg, &acc)) == STORE_ERROR)
		return res;
	if (rc != STORE_OK) {
		uc_audit(env, a, "login.certificate", r.serial, "failed", "no account: %s",
			 r.signer);
		return (struct cert_login){LOGIN_FAILED, 0, "login_cert.no_account", {0}};
	}
	if (acc.confirmed_at == 0) {
		uc_audit(env, a, "login.certificate", r.serial, "denied", "u:%s unconfirmed",
			 acc.username);
		return (struct cert_login){LOGIN_UNCONFIRMED, 0, "login.unconfirmed", {0}};
	}
	uc_audit(env, a, "login.certificate", r.serial, "ok", "u:%s, %s, %s", acc.username,
		 r.signer, r.status);
	return (struct cert_login){LOGIN_OK, acc.id, NULL, {0}};
}

struct cert_login uc_member_login_cert(const struct app_env *env, const struct actor *a,
				       const unsigned char *cert, size_t len)
{
	struct throttle t;
	struct cert_login res;
	long wait = uc_throttle_try(env, a->addr, &t, THROTTLE_CERT, NULL);

	if (wait < 0)
		return (struct cert_login){LOGIN_UNAVAILABLE, 0, "error.storage", {0}};
	if (wait > 0) {
		uc_audit(env, a, "login.certificate", "-", "denied", "retry after %ld s", wait);
		return (struct cert_login){LOGIN_THROTTLED, 0, t.refusal, t};
	}
	res = check_cert(env, a, cert, len);
	/* Only a refused certificate counts (not a storage failure). */
	if (res.outcome == LOGIN_FAILED)
		uc_throttle_failed(env, &t);
	else
		uc_throttle_passed(env, &t);
	return res;
}
