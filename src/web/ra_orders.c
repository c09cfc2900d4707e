/*
 * The back office's order work: the dashboard and office queues.
 */
#include "web/app.h"

void web_ra_home(struct req *r)
{
	const struct ra_user *u = ra_user(r);
	struct tctx *c = page_ctx(r);

	tctx_set(c, "staff", u->username);
	tctx_set(c, "office", u->office);
	if (u->role & RA_ADMIN)
		tctx_set_bool(c, "is_admin", 1);
	if (u->role & (RA_ADMIN | RA_AUDITOR))
		tctx_set_bool(c, "sees_audit", 1);
	page_render(r, 200, "ra_home", "ra.home_title", c);
}
