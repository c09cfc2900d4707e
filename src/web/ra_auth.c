/*
 * Registration authority staff: login with password and TOTP (ASVS
 * 6.3.3; EN 319 401 trusted roles), first-login enrolment of the
 * authenticator, logout, operator management by administrators, and
 * the audit log for auditors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/staff.h"
#include "core/pwhash.h"
#include "core/totp.h"
#include "domain/catalog.h"
#include "domain/ident.h"
#include "domain/password.h"
#include "util/escape.h"
#include "util/log.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/login.h"
#include "web/qrsvg.h"
#include "web/throttle.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))
#define TOTP_ISSUER "IKS RA"

static const char *check_totp_format(const struct field_ctx *cx, const char *v,
				     struct field_value *out)
{
	return strlen(v) == 6 && strspn(v, "0123456789") == 6 ? NULL : "ra.totp_format";
}

static const struct field ra_login_fields[] = {
	{"username", "field.username", "text", "username", 64, F_REQUIRED, NULL, NULL, NULL},
	{"password", "field.password", "password", "current-password", 256, F_REQUIRED | F_SECRET,
	 NULL, NULL, NULL},
	{"totp", "field.totp", "text", "one-time-code", 6, 0, check_totp_format, "hint.totp", NULL},
};

static const struct field ra_enroll_fields[] = {
	{"totp", "field.totp", "text", "one-time-code", 6, F_REQUIRED, check_totp_format,
	 "hint.totp", NULL},
};

/* The staff login page; error (may be NULL) is the text above the form. */
static void ra_login_form(struct req *r, unsigned status, struct fstate *st, const char *error)
{
	struct tctx *c = page_ctx(r);

	if (error)
		tctx_set(c, "form_error", error);
	fields_ctx(r, c, st);
	page_render(r, status, "ra_login", "ra.login_title", c);
}

void web_ra_login_get(struct req *r)
{
	struct fstate st;

	if (ra_user(r) != NULL) {
		http_redirect(r, "/ra");
		return;
	}
	fields_blank(ra_login_fields, NFIELDS(ra_login_fields), &st);
	ra_login_form(r, 200, &st, NULL);
}

static struct login_result staff_login(const struct app_env *env, const struct actor *a,
				       const struct fstate *st, const struct login_session *ls)
{
	return uc_staff_login(env, a, fields_value(st, "username"), fields_value(st, "password"),
			      fields_value(st, "totp"), ls);
}

/* A failed staff login says only that it failed. */
static const struct login_page staff_login_page = {
	ra_login_fields,  NFIELDS(ra_login_fields), ra_login_form,     staff_login,
	SESSION_OPERATOR, "ra.login_failed",        "ra.login_failed",
};

void web_ra_login_post(struct req *r)
{
	login_post(r, &staff_login_page, "/ra");
}

static void enroll_page(struct req *r, unsigned status, const struct operator* o, struct fstate *st)
{
	struct tctx *c = page_ctx(r);
	char uri[512];

	totp_uri(TOTP_ISSUER, o->username, o->totp_secret, uri, sizeof(uri));
	tctx_set(c, "secret", o->totp_secret);
	tctx_set(c, "uri", uri);
	tctx_set(c, "qr", qr_svg(r, uri));
	fields_ctx(r, c, st);
	page_render(r, status, "ra_enroll", "ra.enroll_title", c);
}

/* The operator of the enrolment session into o; else a redirect to
 * the login page and -1. */
static int enrolling_operator(struct req *r, struct operator* o)
{
	if (ra_enrolling(r) != 0 &&
	    store_operator_get(app_of(r)->store, ra_enrolling(r), o) == STORE_OK)
		return 0;
	http_redirect(r, "/ra/login");
	return -1;
}

void web_ra_enroll_get(struct req *r)
{
	struct operator o;
	struct fstate st;

	if (enrolling_operator(r, &o) != 0)
		return;
	fields_blank(ra_enroll_fields, NFIELDS(ra_enroll_fields), &st);
	enroll_page(r, 200, &o, &st);
}

void web_ra_enroll_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct operator o;
	struct fstate st;

	if (enrolling_operator(r, &o) != 0)
		return;
	fields_read(r, ra_enroll_fields, NFIELDS(ra_enroll_fields), &st);
	if (st.nerrors == 0) {
		res = uc_staff_enroll(&env, &a, o.id, fields_value(&st, "totp"));
		if (res.status == UC_REFUSED)
			fields_error(&st, res.field, res.msg);
		else if (res.status != UC_OK) {
			page_error(r, 503, "error.storage");
			return;
		}
	}
	if (st.nerrors > 0) {
		enroll_page(r, 422, &o, &st);
		return;
	}
	if (session_start(r, SESSION_OPERATOR, o.id) != 0) {
		page_error(r, 503, "error.storage");
		return;
	}
	http_redirect(r, "/ra");
}

void web_ra_logout(struct req *r)
{
	const struct ra_user *u = ra_user(r);

	if (u != NULL)
		app_audit(r, "ra.logout", u->username, "ok", "%s", "");
	session_end(r);
	http_redirect(r, "/ra/login");
}

/* ---- Operator management (administrators) ------------------------------ */

static const char *check_role(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	enum ra_role role;

	return ra_role_parse(v, &role) == 0 ? NULL : "field.choose_option";
}

static void role_options(struct req *r, struct tctx *item, const char *v)
{
	static const char *const roles[] = {"operator", "admin", "auditor"};
	char key[32];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct tctx *o = tctx_add(item, "options");

		snprintf(key, sizeof(key), "role.%s", roles[i]);
		tctx_set(o, "value", roles[i]);
		tctx_set(o, "label", msg(r, key));
		if (strcmp(v, roles[i]) == 0)
			tctx_set_bool(o, "selected", 1);
	}
}

static void office_options(struct req *r, struct tctx *item, const char *v)
{
	const struct catalog *c = app_of(r)->catalog;
	size_t i;

	for (i = 0; i < c->noffices; i++) {
		struct tctx *o = tctx_add(item, "options");

		tctx_set(o, "value", c->offices[i].code);
		tctx_set(o, "label", c->offices[i].name[r->lang]);
		if (strcmp(v, c->offices[i].code) == 0)
			tctx_set_bool(o, "selected", 1);
	}
}

static const struct field operator_fields[] = {
	{"username", "field.username", "text", "off", 32, F_REQUIRED, field_username,
	 "hint.username", NULL},
	{"role", "field.role", "select", "off", 16, F_REQUIRED, check_role, NULL, role_options},
	{"office", "field.office_staff", "select", "off", 15, 0, NULL, "hint.office_staff",
	 office_options},
	{"password", "field.password", "password", "new-password", 256, F_REQUIRED | F_SECRET, NULL,
	 "hint.password", NULL},
};

static int add_operator_row(void *arg, const struct operator* o)
{
	struct page_rows *x = arg;
	struct tctx *row = tctx_add(x->c, "operators");
	char key[32];

	snprintf(key, sizeof(key), "role.%s", o->role);
	tctx_setf(row, "id", "%lld", o->id);
	tctx_set(row, "username", o->username);
	tctx_set(row, "role", msg(x->r, key));
	tctx_set(row, "office", o->office);
	tctx_set(row, "status", msg(x->r, o->active ? "ra.active" : "ra.inactive"));
	tctx_set(row, "enrolled", msg(x->r, o->totp_enrolled_at ? "order.yes" : "order.no"));
	tctx_set(row, "toggle", msg(x->r, o->active ? "ra.deactivate" : "ra.activate"));
	tctx_set(row, "want", o->active ? "0" : "1"); /* the state the button asks for */
	return 0;
}

static void operators_page(struct req *r, unsigned status, struct fstate *st, struct tctx *c)
{
	struct page_rows x;

	if (c == NULL)
		c = page_ctx(r);
	x.r = r;
	x.c = c;
	tctx_set_list(c, "operators");
	store_operator_each(app_of(r)->store, add_operator_row, &x);
	fields_ctx(r, c, st);
	page_render(r, status, "ra_operators", "ra.operators_title", c);
}

void web_ra_operators(struct req *r)
{
	struct fstate st;

	fields_blank(operator_fields, NFIELDS(operator_fields), &st);
	operators_page(r, 200, &st, NULL);
}

void web_ra_operator_add(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct operator o;
	struct fstate st;
	enum ra_role role = RA_OPERATOR;
	struct tctx *c;
	const char *e;
	char uri[512];

	fields_read(r, operator_fields, NFIELDS(operator_fields), &st);
	ra_role_parse(fields_value(&st, "role"), &role);
	if (*fields_value(&st, "password") &&
	    (e = password_policy_key(password_check(fields_value(&st, "password"),
						    fields_value(&st, "username")))) != NULL)
		fields_error(&st, "password", e);
	if (st.nerrors > 0) {
		operators_page(r, 422, &st, NULL);
		return;
	}
	memset(&o, 0, sizeof(o));
	snprintf(o.username, sizeof(o.username), "%s", fields_value(&st, "username"));
	snprintf(o.role, sizeof(o.role), "%s", ra_role_name(role));
	snprintf(o.office, sizeof(o.office), "%s", fields_value(&st, "office"));
	/* The office and the username's form are checked there, for this
	 * form and qcra operator add alike (refused: the field marked). */
	res = uc_operator_add(&env, &a, &o, fields_value(&st, "password"));
	if (res.status == UC_REFUSED) {
		fields_error(&st, res.field, res.msg);
		operators_page(r, 422, &st, NULL);
		return;
	}
	if (res.status != UC_OK) {
		page_error(r, 503, res.msg);
		return;
	}
	/* Shown once: the administrator hands it to the new operator, who
	 * also sees the QR code at the first login. */
	c = page_ctx(r);
	totp_uri(TOTP_ISSUER, o.username, o.totp_secret, uri, sizeof(uri));
	tctx_set(c, "created", o.username);
	tctx_set(c, "uri", uri);
	tctx_set(c, "qr", qr_svg(r, uri));
	fields_blank(operator_fields, NFIELDS(operator_fields), &st);
	operators_page(r, 200, &st, c);
}

static const char *check_active(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	return strcmp(v, "0") == 0 || strcmp(v, "1") == 0 ? NULL : "error.bad_form";
}

/* The state the row's button asks for: 1 active, 0 inactive. */
static const struct field active_fields[] = {
	{"active", "ra.status", "hidden", "off", 1, F_REQUIRED, check_active, NULL, NULL},
};

/* POST /ra/operators/ID/toggle: sets the state the form asks for (the
 * route keeps its name; it no longer flips). */
void web_ra_operator_active(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	struct uc_result res;
	struct operator o;
	struct fstate st;

	if (fields_read(r, active_fields, NFIELDS(active_fields), &st) > 0) {
		page_error(r, 400, "error.bad_form");
		return;
	}
	res = uc_operator_set_active(&env, &a, r->ids[0],
				     strcmp(fields_value(&st, "active"), "1") == 0, &o);
	web_answer_item(r, res, "/ra/operators");
}

/* ---- Audit log (auditors, administrators) -------------------------------- */

#define AUDIT_PAGE 200

struct audit_rows {
	struct tctx *c;
	int n;
	long long last; /* the oldest entry shown */
};

static int add_audit_row(void *arg, const struct audit_entry *e)
{
	struct audit_rows *x = arg;
	struct tctx *row;
	char when[32];
	struct tm tm;

	if (++x->n > AUDIT_PAGE) /* the one more: older entries exist */
		return 1;
	x->last = e->id;
	row = tctx_add(x->c, "entries");

	gmtime_r(&e->at, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%SZ", &tm);
	tctx_setf(row, "id", "%lld", e->id);
	tctx_set(row, "when", when);
	tctx_set(row, "actor", e->actor);
	tctx_set(row, "addr", e->addr);
	tctx_set(row, "action", e->action);
	tctx_set(row, "object", e->object);
	tctx_set(row, "outcome", e->outcome);
	tctx_set(row, "detail", e->detail);
	tctx_set_bool(x->c, "has_entries", 1);
	return 0;
}

/* The page's address with its filters, for the links to older and to
 * the newest entries; in r's arena. */
static const char *audit_link(struct req *r, const char *actor, const char *action,
			      const char *object)
{
	struct buf b = BUF_INIT;
	const char *link;

	buf_puts(&b, "/ra/audit?actor=");
	url_encode(&b, actor);
	buf_puts(&b, "&action=");
	url_encode(&b, action);
	buf_puts(&b, "&object=");
	url_encode(&b, object);
	link = arena_strdup(&r->arena, buf_cstr(&b));
	buf_free(&b);
	return link;
}

/* GET /ra/audit: AUDIT_PAGE entries, newest first, filtered by actor,
 * action prefix and object; ?before=ID the ones older than entry ID. */
void web_ra_audit(struct req *r)
{
	const char *actor = http_query(r, "actor"), *action = http_query(r, "action"),
		   *object = http_query(r, "object"), *before = http_query(r, "before"), *link;
	struct audit_filter f;
	struct audit_rows x = {NULL, 0, 0};
	struct tctx *c = page_ctx(r);

	memset(&f, 0, sizeof(f));
	actor = actor ? actor : "";
	action = action ? action : "";
	object = object ? object : "";
	f.actor = *actor ? actor : NULL;
	f.action = *action ? action : NULL;
	f.object = *object ? object : NULL;
	f.before_id = before != NULL ? strtoll(before, NULL, 10) : 0;
	if (f.before_id < 0)
		f.before_id = 0;
	f.limit = AUDIT_PAGE + 1;
	f.newest_first = 1;
	tctx_set(c, "f_actor", actor);
	tctx_set(c, "f_action", action);
	tctx_set(c, "f_object", object);
	x.c = c;
	tctx_set_list(c, "entries");
	if (store_audit_each(app_of(r)->store, &f, add_audit_row, &x) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	link = audit_link(r, actor, action, object);
	if (x.n > AUDIT_PAGE)
		tctx_set(c, "older", arena_printf(&r->arena, "%s&before=%lld", link, x.last));
	if (f.before_id > 0)
		tctx_set(c, "newest", link);
	page_render(r, 200, "ra_audit", "ra.audit_title", c);
}
