/*
 * Sessions (ASVS 7.x): a random 256-bit id in an HttpOnly, SameSite=Lax
 * cookie; the server stores only its SHA-256.  Idle and absolute
 * timeouts are enforced here on every request; last_seen is written at
 * most once a minute so reading a page costs no durable write.
 *
 * CSRF (ASVS 3.5): a synchronizer token derived as HMAC-SHA256(server
 * secret, binder), where the binder is the session id, or for visitors
 * without a session a random value in the qcra_csrf cookie.  Nothing
 * is stored for anonymous visitors.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/log.h"
#include "util/sha256.h"
#include "app/login.h"
#include "web/app.h"

#define SESSION_COOKIE "qcra_session"
#define CSRF_COOKIE "qcra_csrf"
#define TOUCH_EVERY 60

static int is_token(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == '\0';
}

/* Per thread: the last session cookie looked up and its SHA-256, the
 * key of its row (a member's requests on a kept-alive connection come
 * to the same thread).  Only the hash is memoised: the row is read on
 * every request, so a session ended elsewhere ends here at once.
 * c is a token (is_token): 64 hex digits, compared in constant time. */
static _Thread_local struct {
	int set;
	char cookie[64];
	unsigned char hash[32];
} cookie_memo;

static void cookie_hash(const char *c, unsigned char h[32])
{
	if (cookie_memo.set && sodium_memcmp(cookie_memo.cookie, c, 64) == 0) {
		memcpy(h, cookie_memo.hash, 32);
		return;
	}
	token_hash(c, h);
	memcpy(cookie_memo.cookie, c, 64);
	memcpy(cookie_memo.hash, h, 32);
	cookie_memo.set = 1;
}

static void clear_cookie(struct req *r)
{
	http_set_cookie(r, SESSION_COOKIE, "", 0);
}

static const char *const role_names[] = {"operator", "admin", "auditor"};

int ra_role_parse(const char *name, enum ra_role *out)
{
	int i;

	for (i = 0; i < 3; i++)
		if (name != NULL && strcmp(name, role_names[i]) == 0) {
			*out = (enum ra_role)(1 << i);
			return 0;
		}
	return -1;
}

const char *ra_role_name(enum ra_role role)
{
	return role == RA_ADMIN ? "admin" : role == RA_AUDITOR ? "auditor" : "operator";
}

/* An operator's session: active accounts only. */
static void load_operator(struct req *r, const struct session_view *v, const char *cookie)
{
	struct ra_user *u;
	enum ra_role role;

	if (!v->active || ra_role_parse(v->role, &role) != 0)
		return;
	u = arena_alloc(&r->arena, sizeof(*u));
	u->id = v->s.account_id;
	u->role = role;
	snprintf(u->username, sizeof(u->username), "%s", v->username);
	snprintf(u->office, sizeof(u->office), "%s", v->office);
	r->user = u;
	r->account_id = v->s.account_id;
	r->session_kind = v->s.kind;
	r->session_token = arena_strdup(&r->arena, cookie);
	r->csrf_binder = NULL;
}

/* The session of r's cookie, live (not timed out):
 * 1 with *v, else 0.  Read before the body, so without session_load. */
static int session_live(struct req *r, struct session_view *v)
{
	const struct app *app = app_of(r);
	const char *c = http_cookie(r, SESSION_COOKIE);
	unsigned char h[32];
	time_t now = time(NULL);

	if (!is_token(c))
		return 0;
	cookie_hash(c, h);
	return store_session_view(app->store, h, v) == STORE_OK &&
	       now - v->s.created_at <= app->cfg->session_lifetime_secs &&
	       now - v->s.last_seen_at <= app->cfg->session_idle_secs;
}

int session_staff_may(struct req *r, unsigned roles)
{
	struct session_view v;
	enum ra_role role;

	return session_live(r, &v) && v.s.kind == SESSION_OPERATOR && v.active &&
	       ra_role_parse(v.role, &role) == 0 && (role & roles) != 0;
}

int session_member_live(struct req *r)
{
	struct session_view v;

	return session_live(r, &v) && v.s.kind == SESSION_MEMBER;
}

const struct ra_user *ra_user(const struct req *r)
{
	return r->session_kind == SESSION_OPERATOR ? r->user : NULL;
}

long long ra_enrolling(const struct req *r)
{
	return r->session_kind == SESSION_OPERATOR_ENROLL ? r->account_id : 0;
}

void session_load(struct req *r)
{
	const struct app *app = app_of(r);
	const char *c = http_cookie(r, SESSION_COOKIE);
	struct session_user *u;
	struct session_view v;
	unsigned char h[32];
	time_t now = time(NULL);

	if (!is_token(c))
		return;
	cookie_hash(c, h);
	/* One query: the session, and its member or operator. */
	if (store_session_view(app->store, h, &v) != STORE_OK) {
		clear_cookie(r);
		return;
	}
	if (now - v.s.created_at > app->cfg->session_lifetime_secs ||
	    now - v.s.last_seen_at > app->cfg->session_idle_secs) {
		store_session_delete(app->store, h);
		clear_cookie(r);
		return;
	}
	if (now - v.s.last_seen_at >= TOUCH_EVERY)
		store_session_touch(app->store, h, now);
	if (v.s.kind == SESSION_OPERATOR || v.s.kind == SESSION_OPERATOR_ENROLL) {
		load_operator(r, &v, c);
		return;
	}
	if (v.s.kind != SESSION_MEMBER || v.username[0] == '\0')
		return;
	u = arena_alloc(&r->arena, sizeof(*u));
	u->account_id = v.s.account_id;
	snprintf(u->username, sizeof(u->username), "%s", v.username);
	snprintf(u->display_name, sizeof(u->display_name), "%s %s", v.first_name, v.last_name);
	r->user = u;
	r->account_id = v.s.account_id;
	r->session_kind = v.s.kind;
	r->session_token = arena_strdup(&r->arena, c);
	r->csrf_binder = NULL;
}

const struct session_user *session_user(const struct req *r)
{
	return r->session_kind == SESSION_MEMBER ? r->user : NULL;
}

void session_prepare(struct req *r, char token[65], struct login_session *ls)
{
	memset(ls, 0, sizeof(*ls));
	if (r->session_token != NULL) {
		token_hash(r->session_token, ls->old_hash);
		ls->has_old = 1;
	}
	token_new(token, ls->id_hash);
}

void session_started(struct req *r, int kind, long long account_id, const char *token)
{
	http_set_cookie(r, SESSION_COOKIE, token, COOKIE_SESSION_ONLY);
	r->session_token = arena_strdup(&r->arena, token);
	r->account_id = account_id;
	r->session_kind = kind;
	r->csrf_binder = NULL;
}

int session_start(struct req *r, int kind, long long account_id)
{
	struct app_env env = web_env(r);
	struct login_session ls;
	char token[65];

	session_prepare(r, token, &ls);
	if (uc_session_open(&env, &ls, (enum session_kind)kind, account_id) != STORE_OK)
		return -1;
	session_started(r, kind, account_id, token);
	return 0;
}

void session_end(struct req *r)
{
	unsigned char h[32];

	if (r->session_token != NULL) {
		token_hash(r->session_token, h);
		store_session_delete(app_of(r)->store, h);
	}
	clear_cookie(r);
	r->session_token = NULL;
	r->account_id = 0;
	r->session_kind = 0;
	r->user = NULL;
	r->csrf_binder = NULL;
}

/* The binder of this request's CSRF token; with create, makes the
 * anonymous cookie when there is none.  NULL when there is none. */
static const char *binder(struct req *r, int create)
{
	const char *c;
	char token[65];
	unsigned char unused[32];

	if (r->csrf_binder != NULL)
		return r->csrf_binder;
	if (r->session_token != NULL)
		r->csrf_binder = arena_printf(&r->arena, "s:%s", r->session_token);
	else if (is_token(c = http_cookie(r, CSRF_COOKIE)))
		r->csrf_binder = arena_printf(&r->arena, "a:%s", c);
	else if (create) {
		token_new(token, unused);
		http_set_cookie(r, CSRF_COOKIE, token, COOKIE_SESSION_ONLY);
		r->csrf_binder = arena_printf(&r->arena, "a:%s", token);
	}
	return r->csrf_binder;
}

/* Per thread: HMAC-SHA256 keyed with the secret in `key`, its inner and
 * outer pads already hashed (two of the five SHA-256 blocks of a token;
 * the result is crypto_auth_hmacsha256's), and the last binder with its
 * token: a member's pages and posts on a kept-alive connection come to
 * the same thread, and each needs the token (the layout's logout form),
 * so the HMAC runs once per binder in a row instead of once a request.
 * Binders are always "s:" or "a:" and 64 hex digits (binder()). */
#define BINDER_LEN 66
static _Thread_local struct {
	int set;
	unsigned char key[sizeof(((struct app *)0)->secret)];
	crypto_auth_hmacsha256_state st;
	int last_set;
	char last_binder[BINDER_LEN];
	char last_token[65];
} csrf_mac;

static void csrf_for(const struct app *app, const char *b, char out[65])
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	size_t n = strlen(b);

	if (!csrf_mac.set || sodium_memcmp(csrf_mac.key, app->secret, sizeof(csrf_mac.key)) != 0) {
		memcpy(csrf_mac.key, app->secret, sizeof(csrf_mac.key));
		crypto_auth_hmacsha256_init(&csrf_mac.st, app->secret, sizeof(app->secret));
		csrf_mac.set = 1;
		csrf_mac.last_set = 0;
	}
	/* Compared in constant time: an anonymous binder is the client's. */
	if (csrf_mac.last_set && n == BINDER_LEN &&
	    sodium_memcmp(csrf_mac.last_binder, b, BINDER_LEN) == 0) {
		memcpy(out, csrf_mac.last_token, 65);
		return;
	}
	st = csrf_mac.st;
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)b, n);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_memzero(&st, sizeof(st));
	sodium_bin2hex(out, 65, mac, sizeof(mac));
	if (n == BINDER_LEN) {
		memcpy(csrf_mac.last_binder, b, BINDER_LEN);
		memcpy(csrf_mac.last_token, out, 65);
		csrf_mac.last_set = 1;
	}
}

const char *csrf_token(struct req *r)
{
	char *out = arena_alloc(&r->arena, 65);

	csrf_for(app_of(r), binder(r, 1), out);
	return out;
}

int csrf_valid(struct req *r)
{
	const char *sent = http_param(r, "csrf_token"), *b = binder(r, 0);
	char want[65];

	if (b == NULL || sent == NULL || strlen(sent) != 64)
		return 0;
	csrf_for(app_of(r), b, want);
	return sodium_memcmp(want, sent, 64) == 0;
}
