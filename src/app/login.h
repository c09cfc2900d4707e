/*
 * Logging in, for members and staff (ASVS 6.3.1): the try is counted
 * before the password is checked (throttle.h) and taken back when it
 * was right; every outcome is audited.  A password login is two
 * durable commits whatever its outcome: the try counted, then the
 * outcome (the count, the audit entry and, for LOGIN_OK and
 * LOGIN_ENROLL, the session the caller names) in one transaction.  The
 * caller hands the client its session's key and renders the rest.  (A
 * certificate login still leaves the session to its caller.)
 */
#ifndef QCRA_APP_LOGIN_H
#define QCRA_APP_LOGIN_H

#include "app/app.h"
#include "app/throttle.h"

enum login_outcome {
	LOGIN_OK,          /* start the member's (operator's) session */
	LOGIN_ENROLL,      /* staff, first login: the authenticator is set up next */
	LOGIN_FAILED,      /* wrong name, password or code (or a disabled operator) */
	LOGIN_UNCONFIRMED, /* a member whose email is not confirmed yet */
	LOGIN_THROTTLED,   /* too many tries: .t says how long to wait */
	LOGIN_UNAVAILABLE, /* storage failed: nothing was done */
};

struct login_result {
	enum login_outcome outcome;
	long long id;      /* the account's or operator's (OK, ENROLL) */
	struct throttle t; /* THROTTLED: the wait and its message key */
};

/* The session a login starts: the hash of the key the client will hold
 * (web/session.c makes both), and the session the client held before,
 * which the login ends (has_old). */
struct login_session {
	unsigned char id_hash[32];
	unsigned char old_hash[32];
	int has_old;
};

/* Stores ls as a session of kind for account or operator id, the
 * client's earlier one (ls->has_old) ended; in the caller's transaction
 * or on its own (web/session.c's session_start).  ls NULL: nothing.
 * STORE_OK or the store's error. */
int uc_session_open(const struct app_env *env, const struct login_session *ls,
		    enum session_kind kind, long long id);

/* username as typed (lower-cased here); a is the anonymous actor with
 * the client's address; ls (NULL: none) the session LOGIN_OK starts.
 * A member's hash made with older parameters is made anew. */
struct login_result uc_member_login(const struct app_env *env, const struct actor *a,
				    const char *username, const char *password,
				    const struct login_session *ls);
/* The same for staff, with the authenticator's code once enrolled (a
 * code is accepted once: it must be newer than the last one); ls
 * becomes an operator's session (LOGIN_OK) or one that may only set up
 * the authenticator (LOGIN_ENROLL). */
struct login_result uc_staff_login(const struct app_env *env, const struct actor *a,
				   const char *username, const char *password, const char *code,
				   const struct login_session *ls);
/* First login: the first code of the authenticator just set up by
 * operator_id.  UC_OK, UC_REFUSED (field "totp"), UC_UNAVAILABLE. */
struct uc_result uc_staff_enroll(const struct app_env *env, const struct actor *a,
				 long long operator_id, const char *code);

/* Login with a qualified certificate (issue 19, point 2): cert is the
 * client's certificate as a TLS proxy or the portal's own TLS verified
 * the key (PEM, DER or base64 DER; intermediates may follow a PEM).
 * Checked as a signer's is (app/sign_verify.h), now: trusted chain,
 * valid, key usage, PNORS-<JMBG>, not revoked; the member's account by
 * that JMBG.  LOGIN_OK with .id as a password login; else .msg names
 * what is wrong.  Each try is first counted per client address
 * (THROTTLE_CERT: a refusal may have cost a request to a CA), taken back
 * when it logs in; past the limit LOGIN_THROTTLED with .t, nothing
 * checked.  Every outcome audited as "login.certificate" with the
 * certificate's serial. */
struct cert_login {
	enum login_outcome outcome;
	long long id;
	const char *msg;
	struct throttle t; /* THROTTLED: the wait and its message key */
};
struct cert_login uc_member_login_cert(const struct app_env *env, const struct actor *a,
				       const unsigned char *cert, size_t len);
/* The message key of a refusal .msg may name, equal to key (a refusal
 * passed on in a URL, from the certificate listener to the login
 * page), else NULL. */
const char *uc_cert_refusal(const char *key);

#endif
