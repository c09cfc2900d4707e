/*
 * Member accounts: registration against the member register, email
 * confirmation, login with throttling, logout, forgotten username,
 * password reset and change.
 *
 * No enumeration (OWASP forgot-password cheat sheet): forgot-username
 * and forgot-password answer the same whether or not the address is
 * known; login says only "wrong username or password"; registration
 * for a member who already has an account answers like a new
 * registration and tells the owner by mail.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pwhash.h"
#include "domain/ident.h"
#include "domain/password.h"
#include "app/account.h"
#include "util/escape.h"
#include "util/log.h"
#include "web/app.h"
#include "web/handlers.h"
#include "web/login.h"
#include "web/order_panel.h"
#include "web/throttle.h"

#define CONFIRM_TTL (24 * 3600)
#define RESET_TTL (30 * 60)

/* ---- Validators ---------------------------------------------------------- */

static const char *check_license(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	char norm[32];

	return license_normalize(v, norm, sizeof(norm)) ? NULL : "field.license_invalid";
}

const char *password_policy_key(int e)
{
	switch (e) {
	case PASSWORD_OK:
		return NULL;
	case PASSWORD_TOO_SHORT:
		return "field.password_short";
	case PASSWORD_TOO_LONG:
		return "field.password_long";
	case PASSWORD_IS_USERNAME:
		return "field.password_username";
	case PASSWORD_COMMON:
		return "field.password_common";
	}
	return "field.password_short";
}

/* New password + confirmation: policy and equality. */
static void check_new_password(struct fstate *st, const char *username)
{
	const char *pw = fields_value(st, "password");
	const char *again = fields_value(st, "password_confirm");
	const char *e;

	if (*pw && (e = password_policy_key(password_check(pw, username))) != NULL)
		fields_error(st, "password", e);
	else if (*pw && strcmp(pw, again) != 0)
		fields_error(st, "password_confirm", "field.password_mismatch");
}

/* Where to go after login: a path on this site ("/x...", not "//": no
 * open redirect), else the home page. */
static const char *safe_next(const char *next)
{
	return http_local_path(next) ? next : "/";
}

/* The language of the account's mail: one of the catalogue's (any
 * language added to domain/lang.h is offered). */
static const char *check_lang(const struct field_ctx *cx, const char *v, struct field_value *out)
{
	enum lang l;

	if (i18n_parse(v, &l) != 0)
		return "field.choose_option";
	out->n = l;
	return NULL;
}

static void lang_options(struct req *r, struct tctx *item, const char *v)
{
	struct tctx *o;
	int l;

	tctx_set_list(item, "options");
	for (l = 0; l < LANG__MAX; l++) {
		o = tctx_add(item, "options");
		tctx_set(o, "value", i18n_code((enum lang)l));
		tctx_set(o, "label", msg(r, i18n_name_key((enum lang)l)));
		if (strcmp(i18n_code((enum lang)l), v) == 0)
			tctx_set_bool(o, "selected", 1);
	}
}

/* ---- Forms ------------------------------------------------------------------ */

static const struct field register_fields[] = {
	{"license_number", "field.license_number", "text", "off", 20, F_REQUIRED, check_license,
	 "hint.license_number", NULL},
	{"jmbg", "field.jmbg", "text", "off", 13, F_REQUIRED, field_jmbg, "hint.jmbg", NULL},
	{"email", "field.email", "email", "email", 254, F_REQUIRED, field_email, "hint.email",
	 NULL},
	{"username", "field.username", "text", "username", 32, F_REQUIRED, field_username,
	 "hint.username", NULL},
	{"password", "field.password", "password", "new-password", 256, F_REQUIRED | F_SECRET, NULL,
	 "hint.password", NULL},
	{"password_confirm", "field.password_confirm", "password", "new-password", 256,
	 F_REQUIRED | F_SECRET, NULL, NULL, NULL},
	{"lang", "field.lang", "select", "off", 16, 0, check_lang, "hint.lang", lang_options},
};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static const struct field lang_fields[] = {
	{"lang", "field.lang", "select", "off", 16, F_REQUIRED, check_lang, NULL, lang_options},
};

static const struct field login_fields[] = {
	{"username", "field.username", "text", "username", 64, F_REQUIRED, NULL, NULL, NULL},
	{"password", "field.password", "password", "current-password", 256, F_REQUIRED | F_SECRET,
	 NULL, NULL, NULL},
};

static const struct field email_fields[] = {
	{"email", "field.email", "email", "email", 254, F_REQUIRED, field_email, NULL, NULL},
};

static const struct field reset_fields[] = {
	{"password", "field.password_new", "password", "new-password", 256, F_REQUIRED | F_SECRET,
	 NULL, "hint.password", NULL},
	{"password_confirm", "field.password_confirm", "password", "new-password", 256,
	 F_REQUIRED | F_SECRET, NULL, NULL, NULL},
};

static const struct field change_fields[] = {
	{"current_password", "field.password_current", "password", "current-password", 256,
	 F_REQUIRED | F_SECRET, NULL, NULL, NULL},
	{"password", "field.password_new", "password", "new-password", 256, F_REQUIRED | F_SECRET,
	 NULL, "hint.password", NULL},
	{"password_confirm", "field.password_confirm", "password", "new-password", 256,
	 F_REQUIRED | F_SECRET, NULL, NULL, NULL},
};

/* Renders a form page: template `name` with its fields and status. */
static void form_page(struct req *r, unsigned status, const char *name, const char *title_key,
		      const struct fstate *st, struct tctx *c)
{
	if (c == NULL)
		c = page_ctx(r);
	fields_ctx(r, c, st);
	page_render(r, status, name, title_key, c);
}

static void simple_page(struct req *r, const char *name, const char *title_key)
{
	page_render(r, 200, name, title_key, page_ctx(r));
}

/* ---- Home and account ----------------------------------------------------------- */

void web_home(struct req *r)
{
	struct tctx *c = page_ctx(r);

	order_panel_open_orders(r, c);
	page_render(r, 200, "home", "home.title", c);
}

/* The account page, with the language form in st (NULL: the account's). */
static void account_page(struct req *r, unsigned status, const struct fstate *st)
{
	const struct session_user *u = session_user(r);
	struct tctx *c = page_ctx(r);
	struct fstate blank;
	struct account a;
	struct member m;

	if (store_account_get(app_of(r)->store, u->account_id, &a) != STORE_OK ||
	    store_member_get(app_of(r)->store, a.member_id, &m) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	tctx_set(c, "email", a.email);
	tctx_set(c, "license_number", m.license_number);
	tctx_set(c, "first_name", m.first_name);
	tctx_set(c, "last_name", m.last_name);
	if (http_query(r, "changed") != NULL)
		tctx_set(c, "notice", msg(r, "password.changed"));
	if (http_query(r, "lang_saved") != NULL)
		tctx_set(c, "notice", msg(r, "account.lang_saved"));
	if (st == NULL) {
		fields_blank(lang_fields, NFIELDS(lang_fields), &blank);
		fields_set(&blank, "lang", a.lang);
		st = &blank;
	}
	form_page(r, status, "account", "account.title", st, c);
}

void web_account(struct req *r)
{
	account_page(r, 200, NULL);
}

/* The account's language of mail, chosen on the account page. */
void web_account_lang_post(struct req *r)
{
	const struct session_user *u = session_user(r);
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct account a;
	struct fstate st;

	fields_read(r, lang_fields, NFIELDS(lang_fields), &st);
	if (st.nerrors > 0) {
		account_page(r, 422, &st);
		return;
	}
	if (store_account_get(env.store, u->account_id, &a) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	web_answer(r, uc_account_set_lang(&env, &who, &a, (enum lang)fields_number(&st, "lang")),
		   "/account?lang_saved=1");
}

/* ---- Registration ---------------------------------------------------------------- */

void web_register_get(struct req *r)
{
	struct fstate st;

	fields_blank(register_fields, NFIELDS(register_fields), &st);
	fields_set(&st, "lang", i18n_code(r->lang)); /* the page's, unless chosen */
	form_page(r, 200, "register", "register.title", &st, NULL);
}

void web_register_sent(struct req *r)
{
	simple_page(r, "register_sent", "register.sent_title");
}

/* Renders a use case's result: the form again with the field marked
 * (422), an error page, or nothing (UC_OK: the caller redirects). */
static int refused_page(struct req *r, struct uc_result res, const char *tmpl,
			const char *title_key, struct fstate *st, struct tctx *c)
{
	if (res.status == UC_OK)
		return 0;
	if (res.status == UC_REFUSED) {
		fields_error(st, res.field, res.msg);
		form_page(r, 422, tmpl, title_key, st, c);
	} else
		web_answer(r, res, NULL);
	return -1;
}

void web_register_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct register_input in;
	struct fstate st;
	char username[64];

	fields_read(r, register_fields, NFIELDS(register_fields), &st);
	snprintf(username, sizeof(username), "%s", fields_value(&st, "username"));
	ascii_lower(username);
	check_new_password(&st, username);
	if (st.nerrors > 0) {
		form_page(r, 422, "register", "register.title", &st, NULL);
		return;
	}
	in.username = username;
	in.password = fields_value(&st, "password");
	in.license = fields_value(&st, "license_number");
	in.jmbg = fields_value(&st, "jmbg");
	in.email = fields_value(&st, "email");
	in.lang = *fields_value(&st, "lang") ? (enum lang)fields_number(&st, "lang") : r->lang;
	if (refused_page(r, uc_register(&env, &who, &r->arena, &in), "register", "register.title",
			 &st, NULL) == 0)
		http_redirect(r, "/register/sent");
}

void web_confirm_get(struct req *r)
{
	const char *token = http_query(r, "token");
	unsigned char hash[32];
	long long account_id;
	struct tctx *c;

	if (token == NULL || strlen(token) != 64) {
		page_error(r, 400, "confirm.invalid");
		return;
	}
	token_hash(token, hash);
	if (store_token_peek(app_of(r)->store, hash, TOKEN_CONFIRM, time(NULL), &account_id) !=
	    STORE_OK) {
		page_error(r, 400, "confirm.invalid");
		return;
	}
	c = page_ctx(r);
	tctx_set(c, "token", token);
	page_render(r, 200, "confirm", "confirm.title", c);
}

void web_confirm_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);

	web_answer(r, uc_account_confirm(&env, &who, http_param(r, "token")), "/login?confirmed=1");
}

/* ---- Login and logout ------------------------------------------------------------ */

/* The login page; error (may be NULL) is the text above the form. */
static void login_form(struct req *r, unsigned status, struct fstate *st, const char *error)
{
	struct tctx *c = page_ctx(r);
	const char *next = http_query(r, "next");

	if (next == NULL)
		next = http_param(r, "next");
	tctx_set(c, "next", safe_next(next));
	if (error)
		tctx_set(c, "form_error", error);
	/* The certificate listener's page, else the one behind the proxy. */
	if (*app_of(r)->cfg->cert_login_url || *app_of(r)->cfg->client_cert_header_from) {
		tctx_set_bool(c, "cert_login", 1);
		tctx_set(c, "cert_login_url",
			 *app_of(r)->cfg->cert_login_url ? app_of(r)->cfg->cert_login_url
							 : "/login/certificate");
	}
	if (http_query(r, "confirmed"))
		tctx_set(c, "notice", msg(r, "login.confirmed"));
	else if (http_query(r, "reset"))
		tctx_set(c, "notice", msg(r, "login.reset"));
	form_page(r, status, "login", "login.title", st, c);
}

void web_login_get(struct req *r)
{
	const char *cert = http_query(r, "cert"), *wait = http_query(r, "wait");
	const char *refusal = uc_cert_refusal(cert); /* from the certificate listener */
	struct throttle t = {.refusal = "login.throttled"};
	struct fstate st;

	if (session_user(r) != NULL) {
		http_redirect(r, "/");
		return;
	}
	fields_blank(login_fields, NFIELDS(login_fields), &st);
	/* The certificate listener's throttled try (web_login_cert): the
	 * wait it was told, within the window. */
	if (cert != NULL && strcmp(cert, "login.throttled") == 0) {
		t.wait = wait ? strtol(wait, NULL, 10) : 0;
		if (t.wait < 1 || t.wait > app_of(r)->cfg->login_window_secs)
			t.wait = app_of(r)->cfg->login_window_secs;
		login_form(r, 429, &st, throttle_refuse(r, &t));
	} else if (refusal != NULL)
		login_form(r, 403, &st, msg(r, refusal));
	else
		login_form(r, 200, &st, NULL);
}

static struct login_result member_login(const struct app_env *env, const struct actor *a,
					const struct fstate *st, const struct login_session *ls)
{
	return uc_member_login(env, a, fields_value(st, "username"), fields_value(st, "password"),
			       ls);
}

static const struct login_page member_login_page = {
	login_fields,   NFIELDS(login_fields), login_form,          member_login,
	SESSION_MEMBER, "login.failed",        "login.unconfirmed",
};

/* Login (ASVS 6.3.1): the try is counted (throttle.c) before the
 * password is checked, and taken back when it was right. */
void web_login_post(struct req *r)
{
	login_post(r, &member_login_page, safe_next(http_param(r, "next")));
}

/* The header's value percent-decoded in place (nginx's
 * $ssl_client_escaped_cert); haproxy's base64 passes unchanged. */
static size_t unescape(char *s)
{
	size_t i, o = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '%' && hex_value((unsigned char)s[i + 1]) >= 0 &&
		    hex_value((unsigned char)s[i + 2]) >= 0) {
			s[o++] = (char)(hex_value((unsigned char)s[i + 1]) * 16 +
					hex_value((unsigned char)s[i + 2]));
			i += 2;
		} else
			s[o++] = s[i];
	}
	s[o] = '\0';
	return o;
}

/* The certificate behind a TLS proxy: the one the proxy verified, in
 * X-Client-Certificate, believed only on connections from the addresses
 * of client_cert_header_from (the TCP peer's: a balancer's on a PROXY
 * protocol connection); from anywhere else the header is ignored and
 * its sending audited as denied.  NULL when there is none. */
static const char *proxy_cert(struct req *r, size_t *len)
{
	const char *list = app_of(r)->cfg->client_cert_header_from;
	const char *h = http_request_header(r, "X-Client-Certificate");
	char *pem, peer[64];

	*len = 0;
	if (h != NULL && *h &&
	    (http_peer_addr(r, peer, sizeof(peer)) != 0 || !web_addr_listed(list, peer))) {
		app_audit(r, "login.certificate", "-", "denied",
			  "X-Client-Certificate from an address not in client_cert_header_from");
		return NULL;
	}
	if (h == NULL || (pem = arena_strdup(&r->arena, h)) == NULL)
		return NULL;
	*len = unescape(pem);
	return pem;
}

/*
 * Login with a qualified certificate (issue 19): the one the browser
 * sent in the TLS handshake on the certificate listener
 * (cert_login_listen), or behind a TLS proxy the one it passes
 * (proxy_cert); checked the same way either way.  The certificate
 * listener then sends the browser on to the main site (base_url, the
 * same host: the session cookie holds there), logged in or to its
 * login page saying why not (uc_cert_refusal).
 */
void web_login_cert(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	const char *base = app_of(r)->cfg->base_url, *pem;
	struct cert_login res;
	struct fstate st;
	size_t len = 0;

	if (!r->cert_listener && *app_of(r)->cfg->client_cert_header_from == '\0') {
		page_error(r, 404, "error.not_found");
		return;
	}
	pem = r->cert_listener ? http_peer_cert(r, &len) : proxy_cert(r, &len);
	res = uc_member_login_cert(&env, &a, (const unsigned char *)pem, len);
	if (res.outcome == LOGIN_OK && session_start(r, SESSION_MEMBER, res.id) == 0) {
		http_redirect(r, r->cert_listener ? arena_printf(&r->arena, "%s/", base) : "/");
		return;
	}
	if (res.outcome == LOGIN_UNAVAILABLE || res.outcome == LOGIN_OK) {
		page_error(r, 503, res.msg ? res.msg : "error.storage");
		return;
	}
	if (res.outcome == LOGIN_THROTTLED && r->cert_listener) {
		http_redirect(r, arena_printf(&r->arena, "%s/login?cert=login.throttled&wait=%ld",
					      base, res.t.wait));
		return;
	}
	fields_blank(login_fields, NFIELDS(login_fields), &st);
	if (res.outcome == LOGIN_THROTTLED) {
		login_form(r, 429, &st, throttle_refuse(r, &res.t));
		return;
	}
	if (r->cert_listener) {
		http_redirect(r, arena_printf(&r->arena, "%s/login?cert=%s", base, res.msg));
		return;
	}
	login_form(r, 403, &st, msg(r, res.msg));
}

void web_logout(struct req *r)
{
	if (session_user(r) != NULL)
		app_audit(r, "logout", session_user(r)->username, "ok", "%s", "");
	session_end(r);
	http_redirect(r, "/");
}

/* ---- Forgotten username, forgotten password ------------------------------------------ */

/* The two "by e-mail" forms: the same answer whether or not the address
 * has an account (the use case does the same work either way).  One
 * handler each for the form, its post and its "sent" page serves both,
 * by the path (as web_cert_form_get serves both order types). */
struct by_email {
	const char *path; /* the form's, the start of its "sent" page's */
	const char *tmpl, *title, *sent, *sent_tmpl;
	struct uc_result (*ask)(const struct app_env *env, const struct actor *a, struct arena *ar,
				const char *email);
};

static const struct by_email by_email_forms[] = {
	{"/forgot-username", "forgot_username", "forgot_username.title", "/forgot-username/sent",
	 "forgot_username_sent", uc_username_remind},
	{"/password/forgot", "password_forgot", "password_forgot.title", "/password/forgot/sent",
	 "password_forgot_sent", uc_password_forgot},
};

/* The form of r's path (the route table sends only theirs here). */
static const struct by_email *by_email_of(const struct req *r)
{
	const struct by_email *f = &by_email_forms[0];

	return strncmp(r->path, f->path, strlen(f->path)) == 0 ? f : &by_email_forms[1];
}

void web_by_email_get(struct req *r)
{
	const struct by_email *f = by_email_of(r);
	struct fstate st;

	fields_blank(email_fields, NFIELDS(email_fields), &st);
	form_page(r, 200, f->tmpl, f->title, &st, NULL);
}

void web_by_email_post(struct req *r)
{
	const struct by_email *f = by_email_of(r);
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct fstate st;
	char email[256];

	if (fields_read(r, email_fields, NFIELDS(email_fields), &st) > 0) {
		form_page(r, 422, f->tmpl, f->title, &st, NULL);
		return;
	}
	snprintf(email, sizeof(email), "%s", fields_value(&st, "email"));
	ascii_lower(email);
	if (f->ask(&env, &who, &r->arena, email).status == UC_OK)
		http_redirect(r, f->sent);
	else
		page_error(r, 503, "error.storage");
}

void web_by_email_sent(struct req *r)
{
	const struct by_email *f = by_email_of(r);

	simple_page(r, f->sent_tmpl, f->title);
}

/* ---- Password reset ----------------------------------------------------------------- */

static void reset_form(struct req *r, unsigned status, const char *token, struct fstate *st)
{
	struct tctx *c = page_ctx(r);

	tctx_set(c, "token", token);
	form_page(r, status, "password_reset", "password_reset.title", st, c);
}

void web_password_reset_get(struct req *r)
{
	const char *token = http_query(r, "token");
	struct app_env env = web_env(r);
	struct fstate st;
	struct account a;

	if (!uc_reset_account(&env, token, &a)) {
		page_error(r, 400, "reset.invalid");
		return;
	}
	fields_blank(reset_fields, NFIELDS(reset_fields), &st);
	reset_form(r, 200, token, &st);
}

void web_password_reset_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	const char *token = http_param(r, "token");
	struct uc_result res;
	struct fstate st;
	struct account a;

	if (!uc_reset_account(&env, token, &a)) {
		page_error(r, 400, "reset.invalid");
		return;
	}
	fields_read(r, reset_fields, NFIELDS(reset_fields), &st);
	check_new_password(&st, a.username);
	if (st.nerrors > 0) {
		reset_form(r, 422, token, &st);
		return;
	}
	res = uc_password_reset(&env, &who, &r->arena, token, &a, fields_value(&st, "password"));
	if (res.status != UC_OK) {
		page_error(r, res.status == UC_NOTFOUND ? 400 : 503, res.msg);
		return;
	}
	if (r->session_token != NULL)
		session_end(r);
	http_redirect(r, "/login?reset=1");
}

/* ---- Password change ----------------------------------------------------------------- */

void web_password_change_get(struct req *r)
{
	struct fstate st;

	fields_blank(change_fields, NFIELDS(change_fields), &st);
	form_page(r, 200, "password_change", "password_change.title", &st, NULL);
}

/* Re-authentication (ASVS 7.5.1): the current password is guessed no
 * more easily here than at login (throttle.c, the member's counts). */
void web_password_change_post(struct req *r)
{
	struct app_env env = web_env(r);
	struct actor who = web_actor(r);
	struct store *s = app_of(r)->store;
	const char *current;
	unsigned char keep[32];
	struct throttle t;
	struct fstate st;
	struct account a;
	long wait;

	if (store_account_get(s, r->account_id, &a) != STORE_OK)
		goto unavailable;
	fields_read(r, change_fields, NFIELDS(change_fields), &st);
	current = fields_value(&st, "current_password");
	if (*current) {
		if ((wait = throttle_try(r, &t, THROTTLE_REAUTH, a.username)) < 0)
			goto unavailable;
		if (wait > 0) {
			struct tctx *c = page_ctx(r);

			app_audit(r, "password_change_throttled", a.username, "denied",
				  "retry after %ld s", wait);
			tctx_set(c, "form_error", throttle_refuse(r, &t));
			form_page(r, 429, "password_change", "password_change.title", &st, c);
			return;
		}
		if (pwhash_verify(a.password_hash, current))
			throttle_passed(r, &t);
		else {
			throttle_failed(r, &t);
			app_audit(r, "password_change_failed", a.username, "failed", "%s",
				  "wrong current password");
			fields_error(&st, "current_password", "password.current_wrong");
		}
	}
	check_new_password(&st, a.username);
	if (st.nerrors > 0) {
		form_page(r, 422, "password_change", "password_change.title", &st, NULL);
		return;
	}
	token_hash(r->session_token, keep);
	if (uc_password_change(&env, &who, &r->arena, &a, fields_value(&st, "password"), keep)
		    .status != UC_OK)
		goto unavailable;
	http_redirect(r, "/account?changed=1");
	return;
unavailable:
	page_error(r, 503, "error.storage");
}
