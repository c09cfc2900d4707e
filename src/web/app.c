/*
 * Routing, dispatch and page rendering.  Adding a page is one line in
 * routes[] plus its handler and template.
 */
#include "web/app.h"
#include "web/pages.h"
#include "web/handlers.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/catalog_load.h"
#include "core/secret.h"
#include "docs/docs.h"
#include "domain/catalog.h"
#include "domain/translit.h"
#include "mail/mail.h"
#include "store/store_metrics.h"
#include "util/embedded.h"
#include "util/escape.h"
#include "util/log.h"

enum route_flags {
	R_MEMBER = 1 << 0, /* needs a logged-in member; else to /login */
	R_FORM = 1 << 1,   /* POST form: parsed and CSRF-checked before the handler */
	R_GROUP = 1 << 2,  /* short write: run in a commit group (group.h) */
	R_UPLOAD = 1 << 3, /* may carry a file (multipart), up to max_upload_bytes, for its roles */
	R_BARE = 1 << 4,   /* for machines: no session, no language, no read transaction */
};

struct route {
	enum http_method method;
	const char *pattern; /* '#' segment: a number, stored in r->ids */
	void (*fn)(struct req *r);
	unsigned flags;
	unsigned roles; /* RA staff roles allowed (enum ra_role bits); 0: not a staff page */
};

#define ANY_STAFF (RA_OPERATOR | RA_ADMIN | RA_AUDITOR)

static void web_health(struct req *r);
static void web_static(struct req *r);

static const struct route routes[] = {
	{HTTP_GET, "/", web_home, 0, 0},
	{HTTP_GET, "/healthz", web_health, R_BARE, 0},
	{HTTP_GET, "/readyz", web_readyz, R_BARE, 0},
	{HTTP_GET, "/metrics", web_metrics, R_BARE, 0},
	{HTTP_GET, "/static/style.css", web_static, R_BARE, 0},
	{HTTP_GET, "/static/favicon.svg", web_static, R_BARE, 0},
	{HTTP_GET, "/register", web_register_get, 0, 0},
	{HTTP_POST, "/register", web_register_post, R_FORM, 0},
	{HTTP_GET, "/register/sent", web_register_sent, 0, 0},
	{HTTP_GET, "/register/confirm", web_confirm_get, 0, 0},
	{HTTP_POST, "/register/confirm", web_confirm_post, R_FORM, 0},
	{HTTP_GET, "/login", web_login_get, 0, 0},
	{HTTP_POST, "/login", web_login_post, R_FORM, 0},
	{HTTP_GET, "/login/certificate", web_login_cert, 0, 0},
	{HTTP_POST, "/logout", web_logout, R_FORM, 0},
	{HTTP_GET, "/forgot-username", web_by_email_get, 0, 0},
	{HTTP_POST, "/forgot-username", web_by_email_post, R_FORM, 0},
	{HTTP_GET, "/forgot-username/sent", web_by_email_sent, 0, 0},
	{HTTP_GET, "/password/forgot", web_by_email_get, 0, 0},
	{HTTP_POST, "/password/forgot", web_by_email_post, R_FORM, 0},
	{HTTP_GET, "/password/forgot/sent", web_by_email_sent, 0, 0},
	{HTTP_GET, "/password/reset", web_password_reset_get, 0, 0},
	{HTTP_POST, "/password/reset", web_password_reset_post, R_FORM, 0},
	{HTTP_GET, "/password/change", web_password_change_get, R_MEMBER, 0},
	{HTTP_POST, "/password/change", web_password_change_post, R_MEMBER | R_FORM, 0},
	{HTTP_GET, "/account", web_account, R_MEMBER, 0},
	{HTTP_GET, "/account/data", web_account_data, R_MEMBER, 0},
	{HTTP_POST, "/account/lang", web_account_lang_post, R_MEMBER | R_FORM, 0},
	{HTTP_GET, "/certificates/new", web_cert_new, R_MEMBER, 0},
	{HTTP_GET, "/certificates/new/natural", web_cert_form_get, R_MEMBER, 0},
	{HTTP_POST, "/certificates/new/natural", web_cert_form_post, R_MEMBER | R_FORM | R_GROUP,
	 0},
	{HTTP_GET, "/certificates/new/legal", web_cert_form_get, R_MEMBER, 0},
	{HTTP_POST, "/certificates/new/legal", web_cert_form_post, R_MEMBER | R_FORM | R_GROUP, 0},
	{HTTP_GET, "/orders", web_orders, R_MEMBER, 0},
	{HTTP_GET, "/orders/#", web_order_page, R_MEMBER, 0},
	{HTTP_GET, "/orders/#/review", web_order_review, R_MEMBER, 0},
	{HTTP_GET, "/orders/#/edit", web_order_edit_get, R_MEMBER, 0},
	{HTTP_POST, "/orders/#/edit", web_order_edit_post, R_MEMBER | R_FORM | R_GROUP, 0},
	{HTTP_POST, "/orders/#/confirm", web_order_confirm, R_MEMBER | R_FORM | R_GROUP, 0},
	{HTTP_POST, "/orders/#/cancel", web_order_cancel, R_MEMBER | R_FORM | R_GROUP, 0},
	{HTTP_GET, "/orders/#/request.pdf", web_order_pdf, R_MEMBER, 0},
	{HTTP_GET, "/orders/#/contract.pdf", web_order_pdf, R_MEMBER, 0},
	{HTTP_GET, "/orders/#/proforma.pdf", web_order_pdf, R_MEMBER, 0},
	{HTTP_POST, "/orders/#/signed", web_order_signed_post, R_MEMBER | R_FORM | R_UPLOAD, 0},
	{HTTP_GET, "/company/#/proforma.pdf", web_company_proforma, 0, 0},
	{HTTP_GET, "/help", web_help, 0, 0},
	{HTTP_GET, "/prices", web_prices, 0, 0},
	{HTTP_GET, "/help/request", web_help_request, 0, 0},
	{HTTP_GET, "/offices", web_offices, 0, 0},
	{HTTP_GET, "/ra/login", web_ra_login_get, 0, 0},
	{HTTP_POST, "/ra/login", web_ra_login_post, R_FORM, 0},
	{HTTP_GET, "/ra/enroll", web_ra_enroll_get, 0, 0},
	{HTTP_POST, "/ra/enroll", web_ra_enroll_post, R_FORM, 0},
	{HTTP_POST, "/ra/logout", web_ra_logout, R_FORM, 0},
	{HTTP_GET, "/ra", web_ra_home, 0, ANY_STAFF},
	{HTTP_GET, "/ra/operators", web_ra_operators, 0, RA_ADMIN},
	{HTTP_POST, "/ra/operators", web_ra_operator_add, R_FORM, RA_ADMIN},
	{HTTP_POST, "/ra/operators/#/toggle", web_ra_operator_active, R_FORM, RA_ADMIN},
	{HTTP_GET, "/ra/audit", web_ra_audit, 0, RA_AUDITOR | RA_ADMIN},
	{HTTP_GET, "/ra/queue", web_ra_queue, 0, ANY_STAFF},
	{HTTP_GET, "/ra/orders/#", web_ra_order, 0, ANY_STAFF},
	{HTTP_GET, "/ra/orders/#/request.pdf", web_ra_order_pdf, 0, ANY_STAFF},
	{HTTP_GET, "/ra/orders/#/contract.pdf", web_ra_order_pdf, 0, ANY_STAFF},
	{HTTP_GET, "/ra/orders/#/proforma.pdf", web_ra_order_pdf, 0, ANY_STAFF},
	{HTTP_POST, "/ra/orders/#/documents", web_ra_documents, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_POST, "/ra/orders/#/verify", web_ra_verify, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_POST, "/ra/orders/#/send", web_ra_send, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_POST, "/ra/orders/#/reject", web_ra_reject, R_FORM, RA_OPERATOR | RA_ADMIN},
	/* A signer the certificate does not name: the office's own operators. */
	{HTTP_POST, "/ra/orders/#/signed", web_ra_sign_decide, R_FORM, RA_OPERATOR},
	{HTTP_POST, "/ra/orders/#/hand-over", web_ra_hand_over, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_GET, "/ra/orders/#/correct", web_ra_correct_get, 0, RA_OPERATOR | RA_ADMIN},
	{HTTP_POST, "/ra/orders/#/correct", web_ra_correct_post, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_POST, "/ra/orders/#/return", web_ra_return, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_POST, "/ra/orders/#/cancel", web_ra_cancel, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_GET, "/ra/shipments", web_ra_shipments, 0, ANY_STAFF},
	{HTTP_POST, "/ra/shipments/receive", web_ra_shipment_receive, R_FORM,
	 RA_OPERATOR | RA_ADMIN},
	{HTTP_GET, "/orders/#/certificate.pem", web_cert_download, R_MEMBER, 0},
	{HTTP_GET, "/orders/#/certificate.der", web_cert_download, R_MEMBER, 0},
	{HTTP_POST, "/orders/#/revoke", web_cert_revoke, R_MEMBER | R_FORM, 0},
	{HTTP_GET, "/certificates/renew/#", web_cert_renew, R_MEMBER, 0},
	{HTTP_GET, "/ra/orders/#/certificate", web_ra_certificate, 0, ANY_STAFF},
	{HTTP_POST, "/ra/orders/#/revoke", web_ra_cert_revoke, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_GET, "/ra/orders/#/certificate.pem", web_ra_cert_download, 0, ANY_STAFF},
	{HTTP_GET, "/ra/orders/#/certificate.der", web_ra_cert_download, 0, ANY_STAFF},
	{HTTP_GET, "/ra/reports", web_ra_reports, 0, RA_OPERATOR | RA_ADMIN | RA_AUDITOR},
	{HTTP_GET, "/ra/reports.csv", web_ra_reports_csv, 0, RA_OPERATOR | RA_ADMIN | RA_AUDITOR},
	{HTTP_GET, "/ra/reports/chart.svg", web_ra_reports_chart, 0,
	 RA_OPERATOR | RA_ADMIN | RA_AUDITOR},
	{HTTP_POST, "/ra/orders/#/payments", web_ra_payment_add, R_FORM, RA_OPERATOR | RA_ADMIN},
	{HTTP_GET, "/ra/payments/import", web_ra_payments_import_get, 0, ANY_STAFF},
	{HTTP_POST, "/ra/payments/import", web_ra_payments_import_post, R_FORM | R_UPLOAD,
	 RA_OPERATOR | RA_ADMIN},
	{HTTP_GET, "/ra/payments/imports/#", web_ra_payments_import_report, 0, ANY_STAFF},
	{HTTP_GET, "/ra/payments/unresolved", web_ra_payments_unresolved, 0, ANY_STAFF},
	{HTTP_POST, "/ra/payments/#/resolve", web_ra_payment_resolve, R_FORM,
	 RA_OPERATOR | RA_ADMIN},
};

/* ---- Start-up ----------------------------------------------------------- */

/* A page written in Serbian ("help_sr") also in Cyrillic ("help_sr-Cyrl"),
 * transliterated once here (its markup and {{tags}} kept). */
static int add_cyrillic(struct tmpl_set *set, const char *name, const struct embedded_file *f,
			char *err, size_t errlen)
{
	char cyrl[160], *src;
	size_t n;
	int rc;

	if ((src = malloc(2 * f->len + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	n = translit_cyrl(src, 2 * f->len + 1, (const char *)f->data, f->len);
	snprintf(cyrl, sizeof(cyrl), "%s-Cyrl", name);
	rc = tmpl_set_add(set, cyrl, src, n, err, errlen);
	free(src);
	return rc;
}

static int load_templates(struct app *app, char *err, size_t errlen)
{
	const char *prefix = "templates/";
	char name[128];
	size_t i, plen = strlen(prefix), n;

	if ((app->tmpl = tmpl_set_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (i = 0; i < embedded_count; i++) {
		const struct embedded_file *f = embedded_at(i);

		if (strncmp(f->name, prefix, plen) != 0)
			continue;
		n = strlen(f->name + plen);
		if (n < 6 || strcmp(f->name + plen + n - 5, ".html") != 0 || n - 5 >= sizeof(name))
			continue;
		memcpy(name, f->name + plen, n - 5);
		name[n - 5] = '\0';
		if (tmpl_set_add(app->tmpl, name, (const char *)f->data, f->len, err, errlen) != 0)
			return -1;
		if (n - 5 > 3 && strcmp(name + n - 8, "_sr") == 0 &&
		    add_cyrillic(app->tmpl, name, f, err, errlen) != 0)
			return -1;
	}
	return tmpl_set_check(app->tmpl, err, errlen);
}

/* The CSRF key: random on first start, kept in VAR/secret.key (0600). */
int app_init(struct app *app, const struct config *cfg, struct store *st, char *err, size_t errlen)
{
	memset(app, 0, sizeof(*app));
	app->cfg = cfg;
	app->store = st;
	if (i18n_load(err, errlen) != 0)
		return -1;
	if ((app->catalog = calloc(1, sizeof(*app->catalog))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (catalog_load(app->catalog, cfg, err, errlen) != 0)
		return -1;
	if (catalog_brand_messages(app->catalog) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (load_templates(app, err, errlen) != 0)
		return -1;
	return secret_load(cfg->var_dir, app->secret, err, errlen);
}

void app_free(struct app *app)
{
	tmpl_set_free(app->tmpl);
	app->tmpl = NULL;
	free(app->catalog);
	app->catalog = NULL;
	doc_cache_clear();
	sodium_memzero(app->secret, sizeof(app->secret));
	i18n_free();
}

/* ---- Rendering ------------------------------------------------------------- */

const char *msg(const struct req *r, const char *key)
{
	return i18n_get(r->lang, key);
}

static const char *tmpl_msg(void *arg, const char *key)
{
	return i18n_get(((struct req *)arg)->lang, key);
}

/* The language switcher: a link to the same page in each other
 * language, named in that language (its query (a token, a filter) kept
 * when query is set; the home page for a path a browser would read as
 * another site's: "//host/x", "/\t/host"). */
static void lang_links(struct req *r, struct tctx *c, int query)
{
	struct buf q = BUF_INIT;
	struct tctx *o;
	int l;

	tctx_set(c, "lang", i18n_code(r->lang));
	if (query)
		http_query_without(r, "lang", &q);
	tctx_set_list(c, "langs");
	for (l = 0; l < LANG__MAX; l++) {
		if ((enum lang)l == r->lang)
			continue;
		o = tctx_add(c, "langs");
		tctx_set(o, "code", i18n_code((enum lang)l));
		tctx_set(o, "name", i18n_get((enum lang)l, i18n_name_key((enum lang)l)));
		tctx_setf(o, "href", "%s%s%clang=%s",
			  query && http_local_path(r->path) ? r->path : "/", buf_cstr(&q),
			  q.len ? '&' : '?', i18n_code((enum lang)l));
	}
	buf_free(&q);
}

struct tctx *page_ctx(struct req *r)
{
	struct tctx *c = tctx_new(&r->arena);
	const struct session_user *u = session_user(r);

	lang_links(r, c, 1);
	tctx_set(c, "csrf", csrf_token(r));
	page_brand_ctx(r, c);
	/* A portal on the TEST CA says so on every page. */
	if (strcmp(app_of(r)->cfg->ca_connector, "testca") == 0)
		tctx_set_bool(c, "test_ca", 1);
	/* The back office's pages, its login included, show no member
	 * navigation. */
	if (strncmp(r->path, "/ra", 3) == 0 && (r->path[3] == '\0' || r->path[3] == '/'))
		tctx_set_bool(c, "staff_area", 1);
	if (ra_user(r) != NULL) {
		tctx_set_bool(c, "staff", 1);
		tctx_set(c, "staff_name", ra_user(r)->username);
	}
	if (u != NULL) {
		tctx_set_bool(c, "logged_in", 1);
		tctx_set(c, "username", u->username);
		tctx_set(c, "display_name", u->display_name);
	}
	return c;
}

void page_render(struct req *r, unsigned status, const char *name, const char *title_key,
		 struct tctx *ctx)
{
	struct buf body = BUF_INIT;

	if (tmpl_render(app_of(r)->tmpl, name, ctx, tmpl_msg, r, &body) != 0) {
		log_warnx("render: template %s failed", name);
		buf_free(&body);
		http_text(r, 500, "internal error");
		return;
	}
	tctx_set(ctx, "title", i18n_get(r->lang, title_key));
	tctx_set(ctx, "body", buf_cstr(&body));
	buf_free(&body);
	buf_reset(&r->out);
	if (tmpl_render(app_of(r)->tmpl, "layout", ctx, tmpl_msg, r, &r->out) != 0) {
		http_text(r, 500, "internal error");
		return;
	}
	r->status = status;
	r->content_type = "text/html; charset=utf-8";
}

const char *page_lang_template(struct req *r, const char *base)
{
	return arena_printf(&r->arena, "%s_%s", base, i18n_code(r->lang));
}

void page_error(struct req *r, unsigned status, const char *msg_key)
{
	struct tctx *c = page_ctx(r);

	tctx_setf(c, "status", "%u", status);
	tctx_set(c, "message", i18n_get(r->lang, msg_key));
	tctx_set(c, "rid", r->id);
	page_render(r, status, "error", "error.title", c);
}

/* A request the server refused before routing (http.h, refused): the
 * error page in the asker's language, without session or form token
 * (the server may have no more of the request than its head). */
static void page_refused(struct req *r)
{
	static const struct {
		unsigned status;
		const char *key;
	} keys[] = {
		{400, "error.bad_request"},     {408, "error.timeout"},
		{411, "error.length_required"}, {414, "error.uri_too_long"},
		{431, "error.head_too_large"},  {505, "error.version"},
	};
	struct tctx *c = tctx_new(&r->arena);
	const char *key = "error.bad_request";
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].status == r->refused)
			key = keys[i].key;
	lang_links(r, c, 0);
	tctx_setf(c, "status", "%u", r->refused);
	tctx_set(c, "message", i18n_get(r->lang, key));
	tctx_set(c, "rid", r->id);
	page_render(r, r->refused, "error", "error.title", c);
}

/* ---- Dispatch ------------------------------------------------------------- */

/* Liveness for a load balancer: this process answers and reaches the
 * database (any instance can then serve any request); the CA and the
 * mail are GET /readyz's. */
static void web_health(struct req *r)
{
	if (store_ping(app_of(r)->store) != STORE_OK) {
		http_text(r, 503, "database: not reachable\n");
		return;
	}
	http_text(r, 200, "ok\n");
}

static void web_static(struct req *r)
{
	const struct embedded_file *f = embedded_find(r->path + 1);

	if (f == NULL) {
		page_error(r, 404, "error.not_found");
		return;
	}
	buf_append(&r->out, f->data, f->len);
	r->status = 200;
	r->content_type =
		strstr(r->path, ".svg") != NULL ? "image/svg+xml" : "text/css; charset=utf-8";
	r->cacheable = 1;
}

/* Matches path against pattern; numeric '#' segments go into r->ids. */
static int route_match(struct req *r, const char *pattern, const char *path)
{
	const char *p = pattern, *s = path;
	size_t nids = 0;

	while (*p && *s) {
		if (*p == '#') {
			long long v = 0;
			int digits = 0;

			while (*s >= '0' && *s <= '9' && digits < 15) {
				v = v * 10 + (*s++ - '0');
				digits++;
			}
			if (digits == 0 || (*s >= '0' && *s <= '9') || nids == HTTP_MAX_IDS)
				return 0;
			r->ids[nids++] = v;
			p++;
			continue;
		}
		if (*p++ != *s++)
			return 0;
	}
	if (*p || *s)
		return 0;
	r->nids = nids;
	return 1;
}

static void pick_lang(struct req *r)
{
	const char *q = http_query(r, "lang"), *c;
	enum lang l;

	r->lang = LANG_SR;
	if (q != NULL && i18n_parse(q, &l) == 0) {
		r->lang = l;
		http_set_cookie(r, "qcra_lang", i18n_code(l), 365L * 24 * 3600);
		return;
	}
	if ((c = http_cookie(r, "qcra_lang")) != NULL && i18n_parse(c, &l) == 0)
		r->lang = l;
}

int app_route_grouped(struct req *r)
{
	size_t i;

	if (r->method != HTTP_POST || r->body_too_large)
		return 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].method == HTTP_POST && route_match(r, routes[i].pattern, r->path))
			return (routes[i].flags & R_GROUP) != 0;
	return 0;
}

int app_route_upload(struct req *r)
{
	size_t i;

	if (r->method != HTTP_POST)
		return 0;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (routes[i].method == HTTP_POST && route_match(r, routes[i].pattern, r->path))
			return (routes[i].flags & R_UPLOAD) != 0 &&
			       (routes[i].roles != 0 ? session_staff_may(r, routes[i].roles)
						     : session_member_live(r));
	return 0;
}

static void handle(struct req *r)
{
	const struct route *rt = NULL;
	enum http_method m = r->method == HTTP_HEAD ? HTTP_GET : r->method;
	size_t i;
	int path_known = 0, reading = 0;
	struct buf allow = BUF_INIT;

	pick_lang(r);
	if (r->refused) {
		page_refused(r);
		return;
	}
	if (r->body_too_large) {
		page_error(r, 413, "error.too_large");
		return;
	}
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (!route_match(r, routes[i].pattern, r->path))
			continue;
		path_known = 1;
		buf_printf(&allow, "%s%s", allow.len ? ", " : "",
			   routes[i].method == HTTP_GET ? "GET, HEAD" : "POST");
		if (routes[i].method == m) {
			rt = &routes[i];
			r->route = (int)i + 1;
			break;
		}
	}
	/* The certificate listener (cert_login_listen) has one page. */
	if (r->cert_listener && (rt == NULL || rt->fn != web_login_cert)) {
		page_error(r, 404, "error.not_found");
		buf_free(&allow);
		return;
	}
	if (rt == NULL || (rt->flags & R_BARE)) {
		if (rt != NULL)
			rt->fn(r);
		else if (path_known) {
			session_load(r);
			page_error(r, 405, "error.method");
			http_header(r, "Allow", buf_cstr(&allow));
		} else {
			session_load(r);
			page_error(r, 404, "error.not_found");
		}
		buf_free(&allow);
		return;
	}
	buf_free(&allow);
	/* A GET's reads (session, account, member, list) in one read
	 * transaction; a write on the way (the session touch, an audit
	 * entry) ends it first (store_read_begin). */
	if (m == HTTP_GET)
		reading = store_read_begin(app_of(r)->store) == STORE_OK;
	session_load(r);
	if (rt->flags & R_FORM) {
		if (http_parse_form(r) != 0) {
			page_error(r, 400, "error.bad_form");
			goto out;
		}
		if (!csrf_valid(r)) {
			log_warnx("csrf: %s %s refused: the form's token is missing or wrong",
				  r->method_name, r->path);
			page_error(r, 403, "error.csrf");
			goto out;
		}
	}
	if (rt->roles != 0) {
		const struct ra_user *u = ra_user(r);

		if (u == NULL) {
			http_redirect(r, "/ra/login");
			goto out;
		}
		if (!(u->role & rt->roles)) {
			app_audit(r, "access_denied", r->path, "denied", "role %s",
				  ra_role_name(u->role));
			page_error(r, 403, "error.forbidden");
			goto out;
		}
	}
	if ((rt->flags & R_MEMBER) && session_user(r) == NULL) {
		struct buf loc = BUF_INIT;

		buf_puts(&loc, "/login");
		if (http_local_path(r->path)) { /* short enough for Location */
			buf_puts(&loc, "?next=");
			url_encode(&loc, r->path);
		}
		http_redirect(r, buf_cstr(&loc));
		buf_free(&loc);
		goto out;
	}
	rt->fn(r);
out:
	if (reading)
		store_read_end(app_of(r)->store);
}

size_t app_route_count(void)
{
	return sizeof(routes) / sizeof(routes[0]);
}

const char *app_route_name(int route, const char **method)
{
	if (route < 1 || (size_t)route > app_route_count())
		return NULL;
	*method = routes[route - 1].method == HTTP_GET ? "GET" : "POST";
	return routes[route - 1].pattern;
}

/* Every line logged while r is handled carries its id (util/log.h). */
void app_handle(struct req *r)
{
	log_set_request(r->id);
	handle(r);
	log_set_request(NULL);
}

/* ---- Mail ---------------------------------------------------------------- */

struct app_env web_env(const struct req *r)
{
	const struct app *app = app_of(r);
	struct app_env env = {app->cfg, app->catalog, app->store, app->secret, app->mail};

	return env;
}

struct actor web_actor(const struct req *r)
{
	const struct session_user *m = session_user(r);
	const struct ra_user *o = ra_user(r);
	struct actor a = {ACTOR_ANON, 0, "", r->client_addr, r->lang};

	if (o != NULL) {
		a.kind = ACTOR_STAFF;
		a.id = o->id;
		a.name = o->username;
	} else if (m != NULL) {
		a.kind = ACTOR_MEMBER;
		a.id = m->account_id;
		a.name = m->username;
	}
	return a;
}

void web_answer(struct req *r, struct uc_result res, const char *then)
{
	switch (res.status) {
	case UC_OK:
		http_redirect(r, then);
		break;
	case UC_REFUSED:
		page_error(r, 409, res.msg);
		break;
	case UC_NOTFOUND:
		page_error(r, 400, res.msg);
		break;
	default:
		page_error(r, 503, "error.storage");
	}
}

void web_answer_item(struct req *r, struct uc_result res, const char *then)
{
	if (res.status == UC_OK)
		http_redirect(r, then);
	else
		page_error(r,
			   res.status == UC_NOTFOUND  ? 404
			   : res.status == UC_REFUSED ? 409
						      : 503,
			   res.msg);
}

const char *app_tag(struct req *r, const char *text)
{
	struct app_env env = web_env(r);

	return uc_tag(&env, &r->arena, text);
}

int app_audit(struct req *r, const char *action, const char *object, const char *outcome,
	      const char *detail_fmt, ...)
{
	struct app_env env = web_env(r);
	struct actor a = web_actor(r);
	va_list ap;
	int rc;

	va_start(ap, detail_fmt);
	rc = uc_vaudit(&env, &a, action, object, outcome, detail_fmt, ap);
	va_end(ap);
	return rc;
}

void app_mail_kick(struct req *r)
{
	struct app_env env = web_env(r);

	uc_mail_kick(&env);
}
