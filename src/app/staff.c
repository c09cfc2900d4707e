/*
 * Staff accounts (staff.h).
 */
#include "app/staff.h"

#include <string.h>
#include <time.h>

#include "core/pwhash.h"
#include "core/totp.h"

struct uc_result uc_operator_add(const struct app_env *env, const struct actor *a,
				 struct operator* o, const char *password)
{
	struct store *s = env->store;
	struct uc_result res = {UC_REFUSED, "username", "register.username_taken"};
	int rc;

	totp_secret_new(o->totp_secret);
	o->active = 1;
	o->created_at = time(NULL);
	if (pwhash_make(o->password_hash, password) != 0)
		return uc_unavailable;
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = store_operator_create(s, o);
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "ra.operator_add", o->username, "ok", "role %s office %s",
			      o->role, o->office);
	if (rc != STORE_OK || store_commit(s) != STORE_OK) {
		store_rollback(s);
		return rc == STORE_CONFLICT ? res : uc_unavailable;
	}
	return uc_ok;
}

struct uc_result uc_operator_set_active(const struct app_env *env, const struct actor *a,
					long long id, int active, struct operator* o)
{
	struct store *s = env->store;
	struct uc_result res = {UC_NOTFOUND, NULL, "error.not_found"};

	if (store_operator_get(s, id, o) != STORE_OK)
		return res;
	if (a->kind == ACTOR_STAFF && o->id == a->id)
		return uc_refused(NULL, "ra.not_self");
	/* Asked for the state it is in (sent twice, or by two people):
	 * nothing to do, and the answer says so. */
	if (!o->active == !active)
		return uc_refused(NULL, active ? "ra.already_active" : "ra.already_inactive");
	o->active = active != 0;
	if (store_begin(s) != STORE_OK || store_operator_update(s, o) != STORE_OK ||
	    (!o->active &&
	     store_session_delete_account(s, SESSION_OPERATOR, o->id, NULL) != STORE_OK) ||
	    uc_audit(env, a, o->active ? "ra.operator_activate" : "ra.operator_deactivate",
		     o->username, "ok", "%s", "") != STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		return uc_unavailable;
	}
	return uc_ok;
}
