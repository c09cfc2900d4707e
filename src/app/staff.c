/*
 * Staff accounts (staff.h).
 */
#include "app/staff.h"

#include <string.h>
#include <time.h>

#include "core/pwhash.h"
#include "core/totp.h"
#include "domain/catalog.h"
#include "domain/ident.h"
#include "util/escape.h"

/* The rules every way of adding staff is held to (the web form and
 * qcra operator add): a username as a member's (3 to 32 letters without
 * diacritics, digits, '.', '-', '_'), stored in lower case as logins
 * look it up; a known role; an operator's office one of the catalogue's
 * codes as written, since orders are matched to it exactly (anyone else
 * has none).  The first refusal, or uc_ok. */
static struct uc_result operator_check(const struct app_env *env, struct operator* o)
{
	if (!username_valid(o->username))
		return uc_refused("username", "field.username_invalid");
	ascii_lower(o->username);
	if (strcmp(o->role, "operator") != 0 && strcmp(o->role, "admin") != 0 &&
	    strcmp(o->role, "auditor") != 0)
		return uc_refused("role", "field.choose_option");
	if (strcmp(o->role, "operator") != 0)
		o->office[0] = '\0';
	else if (catalog_office(env->catalog, o->office) == NULL)
		return uc_refused("office", "ra.office_required");
	return uc_ok;
}

struct uc_result uc_operator_add(const struct app_env *env, const struct actor *a,
				 struct operator* o, const char *password)
{
	struct store *s = env->store;
	struct uc_result res = operator_check(env, o);
	int rc;

	if (res.status != UC_OK)
		return res;
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
		return rc == STORE_CONFLICT ? uc_refused("username", "register.username_taken")
					    : uc_unavailable;
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
