/*
 * Staff accounts (use cases, app.h): an administrator (or the command
 * line) adds an operator, activates or deactivates one.
 */
#ifndef QCRA_APP_STAFF_H
#define QCRA_APP_STAFF_H

#include "app/app.h"

/*
 * Adds operator o (username, role, office and a password the caller has
 * held to the password policy): checked first as every way of adding
 * staff is (the username valid, then stored in lower case; role
 * "operator", "admin" or "auditor"; an operator's office a code of
 * env->catalog as written, anyone else's cleared); a fresh TOTP secret
 * (in o, to be shown once), active, the password hashed; one
 * transaction with the audit entry.  Refused, nothing added: field
 * "username" "field.username_invalid" or "register.username_taken",
 * "role" "field.choose_option", "office" "ra.office_required".
 */
struct uc_result uc_operator_add(const struct app_env *env, const struct actor *a,
				 struct operator* o, const char *password);

/* Activates operator id (active set), or deactivates them and ends
 * their sessions; *o: the operator as now.  The caller says which state
 * it wants, so a request sent twice does not undo itself: refused
 * "ra.already_active" / "ra.already_inactive" when the account is in it
 * already (nothing changed).  UC_NOTFOUND "error.not_found"; refused
 * "ra.not_self" for the actor's own account. */
struct uc_result uc_operator_set_active(const struct app_env *env, const struct actor *a,
					long long id, int active, struct operator* o);

#endif
