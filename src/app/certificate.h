/*
 * Revocation of a member's certificate (use cases, app.h): the member
 * asks for it, an operator confirms the request (or revokes on a
 * reported loss) and it is queued for the CA in the same transaction
 * (ASVS 2.3.3), delivered by the CA worker.  The caller has checked
 * that the actor may reach the order (its member, or its office).
 */
#ifndef QCRA_APP_CERTIFICATE_H
#define QCRA_APP_CERTIFICATE_H

#include "app/app.h"
#include "domain/order.h"
#include "store/store_ca.h"

/* The member asks for the revocation of cert (order o's) for reason
 * (one of the reasons offered to members).  Refused
 * "cert.revoke_exists" (audited) when revoked or asked before. */
struct uc_result uc_cert_revoke_request(const struct app_env *env, const struct actor *a,
					const struct order *o, const struct ca_cert *cert,
					const char *reason);

/* An operator confirms the revocation of cert (order o's) for reason,
 * NULL when the form's reason was not valid: refused, field "reason",
 * "cert.reason_invalid".  Refused "cert.revoke_confirmed_before"
 * (audited) when it is revoked or confirmed already: that is checked
 * first.  The revocation is queued for the CA (the caller wakes the CA
 * worker on UC_OK). */
struct uc_result uc_cert_revoke_confirm(const struct app_env *env, const struct actor *a,
					const struct order *o, const struct ca_cert *cert,
					const char *reason);

#endif
