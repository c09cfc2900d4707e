/*
 * A password login's form posted (login.h): the steps and the answers
 * the member's login page and the staff's share.
 */
#include "web/login.h"

#include "store/store.h"
#include "web/throttle.h"

void login_post(struct req *r, const struct login_page *p, const char *then)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct login_session ls;
	struct login_result res;
	struct fstate st;
	char token[65];

	if (fields_read(r, p->fields, p->nfields, &st) > 0) {
		p->form(r, 422, &st, NULL);
		return;
	}
	session_prepare(r, token, &ls);
	res = p->login(&env, &a, &st, &ls);
	switch (res.outcome) {
	case LOGIN_ENROLL:
		session_started(r, SESSION_OPERATOR_ENROLL, res.id, token);
		http_redirect(r, "/ra/enroll");
		return;
	case LOGIN_OK:
		session_started(r, p->kind, res.id, token);
		http_redirect(r, then);
		return;
	case LOGIN_THROTTLED:
		p->form(r, 429, &st, throttle_refuse(r, &res.t));
		return;
	case LOGIN_FAILED:
		p->form(r, 422, &st, msg(r, p->failed));
		return;
	case LOGIN_UNCONFIRMED:
		p->form(r, 422, &st, msg(r, p->unconfirmed));
		return;
	default:
		break;
	}
	page_error(r, 503, "error.storage");
}
