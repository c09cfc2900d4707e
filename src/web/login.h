/*
 * A password login's form posted, once for the member's login page
 * (account.c) and the staff's (ra_auth.c): what differs between them
 * is declared in a struct login_page.
 */
#ifndef QCRA_WEB_LOGIN_H
#define QCRA_WEB_LOGIN_H

#include "app/login.h"
#include "web/app.h"

struct login_page {
	const struct field *fields; /* the form's declared fields */
	size_t nfields;
	/* The page's form again with status and the text above it (NULL:
	 * none). */
	void (*form)(struct req *r, unsigned status, struct fstate *st, const char *error);
	/* The use case with the form's values; ls is the session it starts. */
	struct login_result (*login)(const struct app_env *env, const struct actor *a,
				     const struct fstate *st, const struct login_session *ls);
	int kind;                         /* the session LOGIN_OK starts (enum session_kind) */
	const char *failed, *unconfirmed; /* message keys above the form */
};

/*
 * Reads p's form and logs in with it (ASVS 6.3.1: the try is counted
 * before the password is checked, app/login.h), the new session's key
 * made first (session_prepare) so that the use case stores it with the
 * outcome.  Answers: LOGIN_OK, the session of p->kind and a redirect to
 * then; LOGIN_ENROLL (staff), the enrolment session and /ra/enroll;
 * the form again with 422 (a field wrong, LOGIN_FAILED,
 * LOGIN_UNCONFIRMED) or 429 (LOGIN_THROTTLED, with Retry-After); else
 * the 503 page.
 */
void login_post(struct req *r, const struct login_page *p, const char *then);

#endif
