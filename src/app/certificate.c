/*
 * Revocation of a member's certificate (certificate.h).
 */
#include "app/certificate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

struct uc_result uc_cert_revoke_request(const struct app_env *env, const struct actor *a,
					const struct order *o, const struct ca_cert *cert,
					const char *reason)
{
	struct store *s = env->store;
	struct ca_revocation rev;
	char object[32];
	int rc;

	snprintf(object, sizeof(object), "order:%lld", o->id);
	if (cert->revoked_at != 0 || store_ca_revocation_get(s, o->id, &rev) != STORE_NOTFOUND) {
		uc_audit(env, a, "cert.revoke_request", object, "denied", "requested before");
		return uc_refused(NULL, "cert.revoke_exists");
	}
	memset(&rev, 0, sizeof(rev));
	rev.order_id = o->id;
	snprintf(rev.reason, sizeof(rev.reason), "%s", reason);
	actor_audit_name(a, rev.requested_by, sizeof(rev.requested_by));
	rev.requested_at = time(NULL);
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = store_ca_revocation_add(s, &rev);
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "cert.revoke_request", object, "ok", "reason %s, serial %s",
			      rev.reason, cert->serial);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		return rc == STORE_CONFLICT ? uc_refused(NULL, "cert.revoke_exists")
					    : uc_unavailable;
	}
	return uc_ok;
}

struct uc_result uc_cert_revoke_confirm(const struct app_env *env, const struct actor *a,
					const struct order *o, const struct ca_cert *cert,
					const char *reason)
{
	struct store *s = env->store;
	struct ca_revocation rev;
	char object[32], by[96];
	int rc, has_rev;

	snprintf(object, sizeof(object), "order:%lld", o->id);
	has_rev = store_ca_revocation_get(s, o->id, &rev) == STORE_OK;
	if (cert->revoked_at != 0 || (has_rev && rev.confirmed_at != 0)) {
		uc_audit(env, a, "cert.revoke_confirm", object, "denied", "confirmed before");
		return uc_refused(NULL, "cert.revoke_confirmed_before");
	}
	if (reason == NULL)
		return uc_refused("reason", "cert.reason_invalid");
	actor_audit_name(a, by, sizeof(by));
	if (store_begin(s) != STORE_OK)
		return uc_unavailable;
	rc = store_ca_revocation_confirm(s, o->id, reason, by, time(NULL));
	if (rc == STORE_OK)
		rc = store_ca_job_add(s, o->id, CA_JOB_REVOKE, reason, time(NULL));
	if (rc == STORE_OK)
		rc = uc_audit(env, a, "cert.revoke_confirm", object, "ok",
			      "%s, reason %s, serial %s",
			      has_rev ? "member's request confirmed" : "reported by the office",
			      reason, cert->serial);
	if (rc == STORE_OK)
		rc = store_commit(s);
	if (rc != STORE_OK) {
		store_rollback(s);
		return uc_unavailable;
	}
	return uc_ok;
}
