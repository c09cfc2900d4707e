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
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/pwhash.h"
#include "domain/ident.h"
#include "domain/password.h"
#include "util/log.h"
#include "web/app.h"

#define CONFIRM_TTL (24 * 3600)
#define RESET_TTL (30 * 60)

/* ---- Validators ---------------------------------------------------------- */

static const char *check_license(const char *v)
{
	char norm[32];

	return license_normalize(v, norm, sizeof(norm)) ? NULL : "field.license_invalid";
}

static const char *check_jmbg(const char *v)
{
	switch (jmbg_check(v)) {
	case JMBG_OK:
		return NULL;
	case JMBG_LENGTH:
	case JMBG_DIGITS:
		return "field.jmbg_format";
	case JMBG_DATE:
		return "field.jmbg_date";
	case JMBG_CHECK:
		return "field.jmbg_check";
	}
	return "field.jmbg_format";
}

static const char *check_email(const char *v)
{
	return email_valid(v) ? NULL : "field.email_invalid";
}

static const char *check_username(const char *v)
{
	return username_valid(v) ? NULL : "field.username_invalid";
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

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* A safe local redirect target: "/x..." but not "//" (open redirect). */
/* Where to go after login: a path on this site, else the home page. */
static const char *safe_next(const char *next)
{
	return http_local_path(next) ? next : "/";
}

static void link_for(struct req *r, char *out, size_t size, const char *path, const char *token)
{
	snprintf(out, size, "%s%s?token=%s", app_of(r)->cfg->base_url, path, token);
}

/* ---- Forms ------------------------------------------------------------------ */

static const struct field register_fields[] = {
	{"license_number", "field.license_number", "text", "off", 20, F_REQUIRED, check_license,
	 "hint.license_number", NULL},
	{"jmbg", "field.jmbg", "text", "off", 13, F_REQUIRED, check_jmbg, "hint.jmbg", NULL},
	{"email", "field.email", "email", "email", 254, F_REQUIRED, check_email, "hint.email",
	 NULL},
	{"username", "field.username", "text", "username", 32, F_REQUIRED, check_username,
	 "hint.username", NULL},
	{"password", "field.password", "password", "new-password", 256, F_REQUIRED | F_SECRET, NULL,
	 "hint.password", NULL},
	{"password_confirm", "field.password_confirm", "password", "new-password", 256,
	 F_REQUIRED | F_SECRET, NULL, NULL, NULL},
};
#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

static const struct field login_fields[] = {
	{"username", "field.username", "text", "username", 64, F_REQUIRED, NULL, NULL, NULL},
	{"password", "field.password", "password", "current-password", 256, F_REQUIRED | F_SECRET,
	 NULL, NULL, NULL},
};

static const struct field email_fields[] = {
	{"email", "field.email", "email", "email", 254, F_REQUIRED, check_email, NULL, NULL},
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
	simple_page(r, "home", "home.title");
}

void web_account(struct req *r)
{
	const struct session_user *u = session_user(r);
	struct tctx *c = page_ctx(r);
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
	page_render(r, 200, "account", "account.title", c);
}

/* ---- Registration ---------------------------------------------------------------- */

void web_register_get(struct req *r)
{
	struct fstate st;

	fields_blank(register_fields, NFIELDS(register_fields), &st);
	form_page(r, 200, "register", "register.title", &st, NULL);
}

void web_register_sent(struct req *r)
{
	simple_page(r, "register_sent", "register.sent_title");
}

/* Queues the confirmation link for a new account (inside the tx). */
static int queue_confirmation(struct req *r, const struct account *a)
{
	unsigned char hash[32];
	char token[65], link[600];

	token_new(token, hash);
	if (store_token_add(app_of(r)->store, hash, TOKEN_CONFIRM, a->id,
			    time(NULL) + CONFIRM_TTL) != STORE_OK)
		return -1;
	link_for(r, link, sizeof(link), "/register/confirm", token);
	return app_mail(r, a->email, r->lang, "mail.confirm.subject", "mail.confirm.body",
			"username", a->username, "link", link, NULL) == STORE_OK
		       ? 0
		       : -1;
}

void web_register_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct fstate st;
	struct member m;
	struct account a, existing;
	char username[64], license[32];
	int rc;

	fields_read(r, register_fields, NFIELDS(register_fields), &st);
	snprintf(username, sizeof(username), "%s", fields_value(&st, "username"));
	lower(username);
	check_new_password(&st, username);
	if (st.nerrors > 0)
		goto invalid;
	/* Written as on the chamber's papers or not: "315 6789 01". */
	license_normalize(fields_value(&st, "license_number"), license, sizeof(license));
	rc = store_member_by_license(s, license, &m);
	if (rc == STORE_ERROR)
		goto unavailable;
	if (rc != STORE_OK || strcmp(m.jmbg, fields_value(&st, "jmbg")) != 0 ||
	    strcasecmp(m.email, fields_value(&st, "email")) != 0) {
		fields_error(&st, "license_number", "register.no_match");
		goto invalid;
	}
	rc = store_account_by_member(s, m.id, &existing);
	if (rc == STORE_ERROR)
		goto unavailable;
	if (rc == STORE_OK) {
		/* Already registered: same answer, the owner learns it by mail.
		 * The same work as a new account (no enumeration by timing):
		 * the password hashed, a confirmation token written (dead),
		 * a mail queued. */
		unsigned char th[32];
		char link[600], token[65];

		if (pwhash_make(a.password_hash, fields_value(&st, "password")) != 0)
			goto unavailable;
		token_new(token, th);
		sodium_memzero(token, sizeof(token));
		snprintf(link, sizeof(link), "%s/password/forgot", app_of(r)->cfg->base_url);
		if (store_begin(s) != STORE_OK)
			goto unavailable;
		if (store_token_withheld(s, th, TOKEN_CONFIRM, time(NULL)) != STORE_OK ||
		    app_audit(r, "register_existing", existing.username, "denied", "member %s",
			      m.license_number) != STORE_OK ||
		    app_mail(r, existing.email, r->lang, "mail.already.subject",
			     "mail.already.body", "username", existing.username, "link", link,
			     NULL) != STORE_OK ||
		    store_commit(s) != STORE_OK) {
			store_rollback(s);
			goto unavailable;
		}
		app_mail_kick(r);
		http_redirect(r, "/register/sent");
		return;
	}
	memset(&a, 0, sizeof(a));
	a.member_id = m.id;
	snprintf(a.username, sizeof(a.username), "%s", username);
	snprintf(a.email, sizeof(a.email), "%s", m.email);
	snprintf(a.lang, sizeof(a.lang), "%s", i18n_code(r->lang));
	a.created_at = time(NULL);
	if (pwhash_make(a.password_hash, fields_value(&st, "password")) != 0)
		goto unavailable;
	if (store_begin(s) != STORE_OK)
		goto unavailable;
	rc = store_account_create(s, &a);
	if (rc == STORE_CONFLICT) {
		store_rollback(s);
		if (store_account_by_member(s, m.id, &existing) == STORE_OK) {
			http_redirect(r, "/register/sent"); /* a double submit */
			return;
		}
		fields_error(&st, "username", "register.username_taken");
		goto invalid;
	}
	if (rc != STORE_OK || queue_confirmation(r, &a) != 0 ||
	    app_audit(r, "register", a.username, "ok", "member %s", m.license_number) != STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		goto unavailable;
	}
	app_mail_kick(r);
	http_redirect(r, "/register/sent");
	return;
invalid:
	form_page(r, 422, "register", "register.title", &st, NULL);
	return;
unavailable:
	page_error(r, 503, "error.storage");
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
	struct store *s = app_of(r)->store;
	const char *token = http_param(r, "token");
	unsigned char hash[32];
	long long account_id;
	int rc;

	if (token == NULL || strlen(token) != 64) {
		page_error(r, 400, "confirm.invalid");
		return;
	}
	token_hash(token, hash);
	if (store_begin(s) != STORE_OK) {
		page_error(r, 503, "error.storage");
		return;
	}
	rc = store_token_use(s, hash, TOKEN_CONFIRM, time(NULL), &account_id);
	if (rc == STORE_OK) {
		rc = store_account_confirm(s, account_id, time(NULL));
		if (rc == STORE_NOTFOUND)
			rc = STORE_OK; /* confirmed already */
		if (rc == STORE_OK)
			rc = app_audit(r, "account_confirmed", "", "ok", "account %lld",
				       account_id);
	}
	if (rc != STORE_OK || store_commit(s) != STORE_OK) {
		store_rollback(s);
		page_error(r, rc == STORE_NOTFOUND ? 400 : 503,
			   rc == STORE_NOTFOUND ? "confirm.invalid" : "error.storage");
		return;
	}
	http_redirect(r, "/login?confirmed=1");
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
	if (http_query(r, "confirmed"))
		tctx_set(c, "notice", msg(r, "login.confirmed"));
	else if (http_query(r, "reset"))
		tctx_set(c, "notice", msg(r, "login.reset"));
	form_page(r, status, "login", "login.title", st, c);
}

void web_login_get(struct req *r)
{
	struct fstate st;

	if (session_user(r) != NULL) {
		http_redirect(r, "/");
		return;
	}
	fields_blank(login_fields, NFIELDS(login_fields), &st);
	login_form(r, 200, &st, NULL);
}

/* Login (ASVS 6.3.1): the try is counted (throttle.c) before the
 * password is checked, and taken back when it was right. */
void web_login_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct throttle t;
	struct fstate st;
	struct account a;
	char username[64], user_key[80], hash[PWHASH_STRBYTES];
	const char *pw;
	long wait;
	int rc, ok;

	if (fields_read(r, login_fields, NFIELDS(login_fields), &st) > 0) {
		login_form(r, 422, &st, NULL);
		return;
	}
	snprintf(username, sizeof(username), "%s", fields_value(&st, "username"));
	lower(username);
	pw = fields_value(&st, "password");
	rc = store_account_by_username(s, username, &a);
	if (rc == STORE_ERROR) {
		page_error(r, 503, "error.storage");
		return;
	}
	/* A name that is no account's is audited as its keyed tag: it may
	 * be a password typed into the wrong field. */
	if (rc == STORE_OK)
		snprintf(user_key, sizeof(user_key), "u:%s", username);
	else
		snprintf(user_key, sizeof(user_key), "u:%s", app_tag(r, username));
	if ((wait = throttle_try(r, &t, THROTTLE_MEMBER, username)) != 0) {
		if (wait < 0) {
			page_error(r, 503, "error.storage");
			return;
		}
		app_audit(r, "login_throttled", user_key, "denied", "retry after %ld s", wait);
		login_form(r, 429, &st, throttle_refuse(r, &t));
		return;
	}
	if (rc == STORE_OK)
		ok = pwhash_verify(a.password_hash, pw);
	else {
		pwhash_dummy_verify(pw);
		ok = 0;
	}
	if (!ok) {
		app_audit(r, "login_failed", user_key, "failed", "%s",
			  rc == STORE_OK ? "wrong password" : "unknown username");
		login_form(r, 422, &st, msg(r, "login.failed"));
		return;
	}
	throttle_passed(r, &t);
	if (a.confirmed_at == 0) {
		app_audit(r, "login_unconfirmed", user_key, "denied", "%s", "");
		login_form(r, 422, &st, msg(r, "login.unconfirmed"));
		return;
	}
	if (pwhash_needs_rehash(a.password_hash) && pwhash_make(hash, pw) == 0)
		store_account_set_password(s, a.id, hash);
	if (session_start(r, SESSION_MEMBER, a.id) != 0) {
		page_error(r, 503, "error.storage");
		return;
	}
	app_audit(r, "login", user_key, "ok", "%s", "");
	http_redirect(r, safe_next(http_param(r, "next")));
}

void web_logout(struct req *r)
{
	if (session_user(r) != NULL)
		app_audit(r, "logout", session_user(r)->username, "ok", "%s", "");
	session_end(r);
	http_redirect(r, "/");
}

/* ---- Forgotten username ---------------------------------------------------------- */

void web_forgot_username_get(struct req *r)
{
	struct fstate st;

	fields_blank(email_fields, NFIELDS(email_fields), &st);
	form_page(r, 200, "forgot_username", "forgot_username.title", &st, NULL);
}

/* The same work whether or not the address has an account (no
 * enumeration by timing): one write transaction with an audit entry and
 * an outbox row, the mail withheld when there is no account. */
void web_forgot_username_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	struct fstate st;
	struct account a;
	char link[600], email[256];
	int rc, known;

	if (fields_read(r, email_fields, NFIELDS(email_fields), &st) > 0) {
		form_page(r, 422, "forgot_username", "forgot_username.title", &st, NULL);
		return;
	}
	snprintf(email, sizeof(email), "%s", fields_value(&st, "email"));
	lower(email);
	if ((rc = store_account_by_email(s, email, &a)) == STORE_ERROR)
		goto unavailable;
	known = rc == STORE_OK;
	snprintf(link, sizeof(link), "%s/login", app_of(r)->cfg->base_url);
	if (store_begin(s) != STORE_OK)
		goto unavailable;
	if (known)
		rc = app_mail(r, a.email, r->lang, "mail.username.subject", "mail.username.body",
			      "username", a.username, "link", link, NULL);
	else
		rc = app_mail_withheld(r, r->lang, "mail.username.subject", "mail.username.body",
				       "username", email, "link", link, NULL);
	if (rc != STORE_OK ||
	    app_audit(r, "username_reminder_requested", known ? a.username : app_tag(r, email),
		      known ? "ok" : "unknown", "%s",
		      known ? "" : "no account: nothing sent") != STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		goto unavailable;
	}
	if (known)
		app_mail_kick(r);
	http_redirect(r, "/forgot-username/sent");
	return;
unavailable:
	page_error(r, 503, "error.storage");
}

void web_forgot_username_sent(struct req *r)
{
	simple_page(r, "forgot_username_sent", "forgot_username.title");
}

/* ---- Password reset ----------------------------------------------------------------- */

void web_password_forgot_get(struct req *r)
{
	struct fstate st;

	fields_blank(email_fields, NFIELDS(email_fields), &st);
	form_page(r, 200, "password_forgot", "password_forgot.title", &st, NULL);
}

/* As forgot-username: the same work on both paths; for an address with
 * no account the token is stored too, but dead (store_token_withheld). */
void web_password_forgot_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	unsigned char hash[32];
	char token[65], link[600], email[256];
	struct fstate st;
	struct account a;
	int rc, known;

	if (fields_read(r, email_fields, NFIELDS(email_fields), &st) > 0) {
		form_page(r, 422, "password_forgot", "password_forgot.title", &st, NULL);
		return;
	}
	snprintf(email, sizeof(email), "%s", fields_value(&st, "email"));
	lower(email);
	if ((rc = store_account_by_email(s, email, &a)) == STORE_ERROR)
		goto unavailable;
	known = rc == STORE_OK;
	token_new(token, hash);
	link_for(r, link, sizeof(link), "/password/reset", token);
	if (store_begin(s) != STORE_OK)
		goto unavailable;
	if (known) {
		rc = store_token_add(s, hash, TOKEN_RESET, a.id, time(NULL) + RESET_TTL);
		if (rc == STORE_OK)
			rc = app_mail(r, a.email, r->lang, "mail.reset.subject", "mail.reset.body",
				      "username", a.username, "link", link, NULL);
	} else {
		rc = store_token_withheld(s, hash, TOKEN_RESET, time(NULL));
		if (rc == STORE_OK)
			rc = app_mail_withheld(r, r->lang, "mail.reset.subject", "mail.reset.body",
					       "username", email, "link", link, NULL);
	}
	sodium_memzero(token, sizeof(token));
	if (rc != STORE_OK ||
	    app_audit(r, "password_reset_requested", known ? a.username : app_tag(r, email),
		      known ? "ok" : "unknown", "%s",
		      known ? "" : "no account: nothing sent") != STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		goto unavailable;
	}
	if (known)
		app_mail_kick(r);
	http_redirect(r, "/password/forgot/sent");
	return;
unavailable:
	page_error(r, 503, "error.storage");
}

void web_password_forgot_sent(struct req *r)
{
	simple_page(r, "password_forgot_sent", "password_forgot.title");
}

/* The account behind a valid reset token in `token`, or 0. */
static long long reset_account(struct req *r, const char *token, struct account *a)
{
	unsigned char hash[32];
	long long id;

	if (token == NULL || strlen(token) != 64)
		return 0;
	token_hash(token, hash);
	if (store_token_peek(app_of(r)->store, hash, TOKEN_RESET, time(NULL), &id) != STORE_OK ||
	    store_account_get(app_of(r)->store, id, a) != STORE_OK)
		return 0;
	return id;
}

static void reset_form(struct req *r, unsigned status, const char *token, struct fstate *st)
{
	struct tctx *c = page_ctx(r);

	tctx_set(c, "token", token);
	form_page(r, status, "password_reset", "password_reset.title", st, c);
}

void web_password_reset_get(struct req *r)
{
	const char *token = http_query(r, "token");
	struct fstate st;
	struct account a;

	if (reset_account(r, token, &a) == 0) {
		page_error(r, 400, "reset.invalid");
		return;
	}
	fields_blank(reset_fields, NFIELDS(reset_fields), &st);
	reset_form(r, 200, token, &st);
}

void web_password_reset_post(struct req *r)
{
	struct store *s = app_of(r)->store;
	const char *token = http_param(r, "token");
	char hash[PWHASH_STRBYTES];
	unsigned char th[32];
	struct fstate st;
	struct account a;
	long long id;
	time_t now = time(NULL);

	if (reset_account(r, token, &a) == 0) {
		page_error(r, 400, "reset.invalid");
		return;
	}
	fields_read(r, reset_fields, NFIELDS(reset_fields), &st);
	check_new_password(&st, a.username);
	if (st.nerrors > 0) {
		reset_form(r, 422, token, &st);
		return;
	}
	if (pwhash_make(hash, fields_value(&st, "password")) != 0) {
		page_error(r, 503, "error.storage");
		return;
	}
	token_hash(token, th);
	if (store_begin(s) != STORE_OK)
		goto unavailable;
	if (store_token_use(s, th, TOKEN_RESET, now, &id) != STORE_OK || id != a.id) {
		store_rollback(s);
		page_error(r, 400, "reset.invalid");
		return;
	}
	/* The link proves the address, so it confirms a pending account. */
	if (store_account_set_password(s, a.id, hash) != STORE_OK ||
	    (a.confirmed_at == 0 && store_account_confirm(s, a.id, now) == STORE_ERROR) ||
	    store_session_delete_account(s, SESSION_MEMBER, a.id, NULL) != STORE_OK ||
	    app_mail(r, a.email, r->lang, "mail.changed.subject", "mail.changed.body", "username",
		     a.username, NULL) != STORE_OK ||
	    app_audit(r, "password_reset", a.username, "ok", "%s", "all sessions ended") !=
		    STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		goto unavailable;
	}
	app_mail_kick(r);
	if (r->session_token != NULL)
		session_end(r);
	http_redirect(r, "/login?reset=1");
	return;
unavailable:
	page_error(r, 503, "error.storage");
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
	struct store *s = app_of(r)->store;
	const char *current;
	char hash[PWHASH_STRBYTES];
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
	if (pwhash_make(hash, fields_value(&st, "password")) != 0)
		goto unavailable;
	token_hash(r->session_token, keep);
	if (store_begin(s) != STORE_OK)
		goto unavailable;
	if (store_account_set_password(s, a.id, hash) != STORE_OK ||
	    store_session_delete_account(s, SESSION_MEMBER, a.id, keep) != STORE_OK ||
	    app_mail(r, a.email, r->lang, "mail.changed.subject", "mail.changed.body", "username",
		     a.username, NULL) != STORE_OK ||
	    app_audit(r, "password_change", a.username, "ok", "%s", "other sessions ended") !=
		    STORE_OK ||
	    store_commit(s) != STORE_OK) {
		store_rollback(s);
		goto unavailable;
	}
	app_mail_kick(r);
	http_redirect(r, "/account?changed=1");
	return;
unavailable:
	page_error(r, 503, "error.storage");
}
