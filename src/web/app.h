/*
 * The application: what every handler can reach (configuration, store,
 * templates, mail, the server secret), routing, page rendering and the
 * shared form machinery.  Page handlers live in one file per area
 * (account.c, ...) and are listed in the route table in app.c.
 */
#ifndef QCRA_APP_H
#define QCRA_APP_H

#include <stddef.h>
#include <time.h>

#include "app/app.h"
#include "core/config.h"
#include "domain/workflow.h"
#include "http/http.h"
#include "store/store.h"
#include "tmpl/tmpl.h"

struct mail_worker;
struct ca_worker;

struct catalog;

struct app {
	const struct config *cfg;
	struct catalog *catalog; /* offices, tariff, seller, documents */
	struct store *store;
	struct tmpl_set *tmpl;
	struct mail_worker *mail;   /* NULL: mail is delivered by someone else */
	struct ca_worker *ca;       /* the CA queue's worker; NULL: none in this process */
	unsigned char secret[32];   /* HMAC key for CSRF tokens */
	struct commit_group *group; /* NULL: every request on the server's threads */
};

/* Operator roles, as bits for route checks. */
enum ra_role { RA_OPERATOR = 1 << 0, RA_ADMIN = 1 << 1, RA_AUDITOR = 1 << 2 };

/* Loads the catalogue and templates, and the secret from VAR/secret.key
 * (created on first start).  Returns 0, or -1 with err. */
int app_init(struct app *app, const struct config *cfg, struct store *st, char *err, size_t errlen);
void app_free(struct app *app);

/* The http_handler: routes and runs one request. */
void app_handle(struct req *r);
/* 1 when r is a POST to a route whose work goes through a commit group
 * (group.h). */
int app_route_grouped(struct req *r);
/* For the server, before a POST's body is read: 1 when it may carry a
 * file (a route marked for uploads, and a live session of a staff
 * member allowed there), so it may be up to max_upload_bytes. */
int app_route_upload(struct req *r);

/* The routes, numbered from 1 as r->route says (metrics.c): how many,
 * and route's pattern and method ("GET"/"POST"); NULL past the last. */
size_t app_route_count(void);
const char *app_route_name(int route, const char **method);

/* GET /metrics (Prometheus text format, to metrics_allow only) and
 * GET /readyz (metrics.c); metrics_done is the server's done hook. */
void web_metrics(struct req *r);
/* The configured CA connector, opened on first use and kept (ra_actions.c);
 * NULL (logged) with the reason in err. */
struct ca_connector *web_ca_connector(struct req *r, char *err, size_t errlen);
void web_readyz(struct req *r);
void metrics_done(const struct req *r, int aborted);
/* The server whose connections /metrics counts (set once it runs). */
void metrics_set_server(struct http_server *s);

static inline struct app *app_of(const struct req *r)
{
	return r->app;
}

/* The use-case layer's environment (app/app.h) and this request's actor:
 * the staff member or member of the session, else anonymous, with the
 * client's address and the page's language. */
struct app_env web_env(const struct req *r);
struct actor web_actor(const struct req *r);
/* Answers with a use case's result: UC_OK, a redirect to `then`;
 * UC_REFUSED, 409 with its message; UC_NOTFOUND, 400 with it; else 503. */
void web_answer(struct req *r, struct uc_result res, const char *then);
/* The same for an action on a named thing (an operator, a shipment):
 * UC_NOTFOUND is 404, UC_REFUSED 409, else 503, each with the use
 * case's message. */
void web_answer_item(struct req *r, struct uc_result res, const char *then);

/* ---- Pages ------------------------------------------------------------- */

/* A root template context with what the layout needs (language, user,
 * CSRF token, the current path for the language switch). */
struct tctx *page_ctx(struct req *r);

/* A request and the page context rows go into: the argument of the
 * store's row callbacks that add a list to a page. */
struct page_rows {
	struct req *r;
	struct tctx *c;
};
/* The name of a page written once per language ("help" -> "help_en",
 * "help_sr-Cyrl"); in r's arena. */
const char *page_lang_template(struct req *r, const char *base);
/* Renders template `name` inside the layout with status; `title_key`
 * is the message key of the page title. */
void page_render(struct req *r, unsigned status, const char *name, const char *title_key,
		 struct tctx *ctx);
/* An error page: status with the message `msg_key` (what is wrong and
 * what to do). */
void page_error(struct req *r, unsigned status, const char *msg_key);
/* 1 when addr is one of list's addresses (comma or space separated,
 * each compared whole): metrics_allow, client_cert_header_from. */
int web_addr_listed(const char *list, const char *addr);
/* Shortcut for a message in the request's language. */
const char *msg(const struct req *r, const char *key);

/* ---- Sessions and CSRF (session.c) ---------------------------------------- */

struct session_user {
	long long account_id;
	char username[64];
	char display_name[256];
};

/* Reads the session cookie; on a valid session fills r->account_id and
 * the user (r->user).  Expired or unknown sessions are cleared. */
void session_load(struct req *r);
/* Starts a new session for the account (rotating any old one).
 * Returns 0 or -1. */
int session_start(struct req *r, int kind, long long account_id);
/* The same in two steps, for a login that stores the session with its
 * outcome (app/login.h): the new key into token[65] and its hash, and
 * the request's old session, into *ls; once stored, the cookie set and
 * the request in the session. */
struct login_session;
void session_prepare(struct req *r, char token[65], struct login_session *ls);
void session_started(struct req *r, int kind, long long account_id, const char *token);
/* Ends the current session (server side and cookie). */
void session_end(struct req *r);
const struct session_user *session_user(const struct req *r);

struct ra_user {
	long long id;
	char username[64];
	enum ra_role role;
	char office[16]; /* "" for admin and auditor */
};

/* The logged-in RA staff member (fully authenticated), or NULL. */
const struct ra_user *ra_user(const struct req *r);
/* 1 when the request's session cookie names a live staff session with
 * one of roles; reads only, for deciding before the body arrives. */
int session_staff_may(struct req *r, unsigned roles);
/* 1 when r's cookie is a live member's session (an upload's body allowed). */
int session_member_live(struct req *r);
/* The operator id of an enrolment session (password checked, TOTP not
 * yet set up), or 0. */
long long ra_enrolling(const struct req *r);
int ra_role_parse(const char *name, enum ra_role *out); /* 0 or -1 */
const char *ra_role_name(enum ra_role role);

/* The CSRF token for forms on this response (creates the anonymous
 * binding cookie when needed). */
const char *csrf_token(struct req *r);
/* 1 when the submitted csrf_token matches, else 0. */
int csrf_valid(struct req *r);

/* token_new, token_hash: app/app.h. */

/* ---- Forms (fields.c) -------------------------------------------------------- */

enum field_flags {
	F_REQUIRED = 1 << 0,
	F_SECRET = 1 << 1,   /* never echoed back into the form */
	F_READONLY = 1 << 2, /* shown, never read from the form: the handler sets it */
};

/* What a validator may need besides the value. */
struct field_ctx {
	const struct catalog *catalog; /* offices, tariff, ... */
	enum lang lang;
	struct arena *arena; /* the request's: for a parsed text */
};

/* A value as the program uses it, when the validator parses it (an
 * amount in para, a date, a phone number written the one way): read
 * with fields_number / fields_parsed, never parsed again. */
struct field_value {
	long long n;
	const char *text; /* NULL: the value as typed */
};

/* Returns NULL when the (trimmed, non-empty) value is valid, else the
 * message key saying what is wrong and how to fix it; may set *out. */
typedef const char *(*field_check)(const struct field_ctx *cx, const char *value,
				   struct field_value *out);

struct field {
	const char *name;      /* form field name */
	const char *label_key; /* message key of the label */
	const char *type;      /* input type: text, email, password, ... */
	const char *autocomplete;
	size_t maxlen; /* in characters (what the form says) */
	unsigned flags;
	field_check check;
	const char *hint_key; /* optional help text under the field */
	/* type "select": fills list "options" (value, label, selected) of item. */
	void (*options)(struct req *r, struct tctx *item, const char *value);
};

#define FORM_MAX_FIELDS 40

struct fstate {
	const struct field *fields;
	size_t n;
	const char *values[FORM_MAX_FIELDS]; /* trimmed, "" when absent */
	const char *errors[FORM_MAX_FIELDS]; /* message keys, NULL when fine */
	struct field_value parsed[FORM_MAX_FIELDS];
	int nerrors;
};

/* Reads and validates the declared fields from r->form.  Returns the
 * number of fields in error. */
int fields_read(struct req *r, const struct field *f, size_t n, struct fstate *st);
/* Validators more than one form uses: a JMBG (with what is wrong with
 * it), an e-mail address, a username (a member's or staff's), a ticked
 * box ("1"), an identity document's number (letters, digits, '-' and
 * ' '). */
const char *field_jmbg(const struct field_ctx *cx, const char *v, struct field_value *out);
const char *field_email(const struct field_ctx *cx, const char *v, struct field_value *out);
const char *field_username(const struct field_ctx *cx, const char *v, struct field_value *out);
const char *field_flag(const struct field_ctx *cx, const char *v, struct field_value *out);
const char *field_doc_number(const struct field_ctx *cx, const char *v, struct field_value *out);
/* Empty state for showing a form the first time. */
void fields_blank(const struct field *f, size_t n, struct fstate *st);
const char *fields_value(const struct fstate *st, const char *name);
/* What name's validator made of its value: the number (0 when none),
 * the text (the value as typed when none). */
long long fields_number(const struct fstate *st, const char *name);
const char *fields_parsed(const struct fstate *st, const char *name);
/* Marks a field wrong (cross-field and database checks). */
void fields_error(struct fstate *st, const char *name, const char *msg_key);
/* The message key of name's error, or NULL. */
const char *fields_error_of(const struct fstate *st, const char *name);
/* Name's limit in characters (0: no such field). */
size_t fields_maxlen(const struct fstate *st, const char *name);
/* Replaces name's value (a cleaned or derived one; value borrowed for
 * the request). */
void fields_set(struct fstate *st, const char *name, const char *value);
/* Puts the fields into ctx as list "fields" (for {{>field}}), and
 * "errors" (a summary at the top of the form). */
void fields_ctx(struct req *r, struct tctx *ctx, const struct fstate *st);
/* The error of field i in the page's language, its {field} (the label)
 * and {max} (the limit) filled in; NULL when it has none.  The first
 * field's with an error, NULL when none.  In r's arena. */
const char *fields_error_text(struct req *r, const struct fstate *st, size_t i);
const char *fields_first_error(struct req *r, const struct fstate *st);

/* ---- Mail ---------------------------------------------------------------- */

/* Wakes the mail worker (after commit). */
void app_mail_kick(struct req *r);

/* The message key for a password policy failure, NULL for PASSWORD_OK. */
const char *password_policy_key(int password_error);

/* ---- Audit --------------------------------------------------------------- */

/* "tag:" and the keyed tag of text (core/secret.h), in r's arena: what
 * the audit records instead of typed text that names no account (an
 * unknown address or username, perhaps a password typed in the wrong
 * field). */
const char *app_tag(struct req *r, const char *text);

/* Appends an audit entry for this request (actor and client address
 * from the session), inside the caller's transaction if one is open.
 * detail is printf-style; control characters are escaped. */
int app_audit(struct req *r, const char *action, const char *object, const char *outcome,
	      const char *detail_fmt, ...) __attribute__((format(printf, 5, 6)));

#endif
