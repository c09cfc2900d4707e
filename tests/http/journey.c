#include "journey.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/secret.h"
#include "core/totp.h"
#include "store/store.h"

const struct demo_member demo_zarko = {"310123456",
				       "\xc5\xbd"
				       "arko",
				       "\xc4\x90ura\xc5\xa1kovi\xc4\x87", "1203978711237",
				       "zarko.djuraskovic@example.rs"};
const struct demo_member demo_ana = {"311234567", "Ana", "Petrovi\xc4\x87", "0511985715143",
				     "ana.petrovic@example.rs"};

/* data/demo-members.csv imported into s's database.  0 or -1. */
static int import_members(struct server *s)
{
	char path[PATH_MAX];
	const char *src = getenv("QCRA_SRCDIR");
	struct buf out = BUF_INIT;
	int rc;

	snprintf(path, sizeof(path), "%s/data/demo-members.csv", src ? src : ".");
	{
		const char *argv[] = {"member", "import", "--var", s->var, path, NULL};

		rc = server_run_cli(s, argv, &out);
	}
	if (rc != 0)
		fprintf(stderr, "member import: exit %d: %s\n", rc, buf_cstr(&out));
	buf_free(&out);
	return rc == 0 ? 0 : -1;
}

int journey_server(struct server *s, const char *const *env)
{
	if (server_start(s, env) == -1)
		return -1;
	return import_members(s);
}

int journey_server_tls(struct server *s, const char *const *env)
{
	if (server_start_tls(s, env) == -1)
		return -1;
	return import_members(s);
}

static void check(const struct response *r)
{
	char *csp;

	assert_true(r->status > 0);
	assert_int_not_equal(r->status, 500);
	csp = response_header(r, "Content-Security-Policy");
	assert_non_null(csp);
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	free(csp);
	assert_true(response_has_header(r, "X-Content-Type-Options"));
}

long journey_get(struct client *c, const char *path, struct response *r)
{
	response_free(r);
	assert_int_equal(client_get(c, path, r), 0);
	check(r);
	return r->status;
}

long journey_vgetf(struct client *c, struct response *r, const char *fmt, va_list ap)
{
	char path[256];

	vsnprintf(path, sizeof(path), fmt, ap);
	return journey_get(c, path, r);
}

long journey_post(struct client *c, const char *path, const char *body, struct response *r)
{
	response_free(r);
	assert_int_equal(client_post(c, path, body, r), 0);
	check(r);
	return r->status;
}

long journey_submit(struct client *c, const char *page, const char *action, struct response *r, ...)
{
	const char *pairs[80], *k;
	char *csrf, *body;
	size_t n = 0;
	va_list ap;
	long status;

	assert_int_equal(journey_get(c, page, r), 200);
	csrf = form_field_value(buf_cstr(&r->body), "csrf_token");
	assert_non_null(csrf);
	va_start(ap, r);
	while ((k = va_arg(ap, const char *)) != NULL && n + 4 < sizeof(pairs) / sizeof(*pairs)) {
		pairs[n++] = k;
		pairs[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	pairs[n++] = "csrf_token";
	pairs[n++] = csrf;
	pairs[n] = NULL;
	body = form_encode(pairs);
	status = journey_post(c, action, body, r);
	free(body);
	free(csrf);
	return status;
}

long journey_vpost(struct client *c, const char *action, struct response *r, va_list ap)
{
	const char *pairs[80], *k;
	char *csrf, *body;
	size_t n = 0;
	long status;

	if (journey_get(c, "/ra", r) != 200)
		assert_int_equal(journey_get(c, "/", r), 200);
	csrf = form_field_value(buf_cstr(&r->body), "csrf_token");
	assert_non_null(csrf);
	while ((k = va_arg(ap, const char *)) != NULL && n + 4 < sizeof(pairs) / sizeof(*pairs)) {
		pairs[n++] = k;
		pairs[n++] = va_arg(ap, const char *);
	}
	pairs[n++] = "csrf_token";
	pairs[n++] = csrf;
	pairs[n] = NULL;
	body = form_encode(pairs);
	status = journey_post(c, action, body, r);
	free(body);
	free(csrf);
	return status;
}

char *journey_location(const struct response *r)
{
	char *loc = response_header(r, "Location"), *p, *out;

	if (loc == NULL)
		return NULL;
	p = strstr(loc, "://");
	p = p ? strchr(p + 3, '/') : loc;
	out = strdup(p ? p : "/");
	free(loc);
	return out;
}

void journey_member(struct server *s, struct client *c, const struct demo_member *m,
		    const char *username, const char *password)
{
	struct response r = {0};
	char *eml, *link, *token;
	size_t before = mail_count_to(s, m->email);

	assert_int_equal(journey_submit(c, "/register", "/register", &r, "license_number",
					m->license, "jmbg", m->jmbg, "email", m->email, "username",
					username, "password", password, "password_confirm",
					password, NULL),
			 303);
	eml = mail_wait_to(s, m->email, before, 10000);
	assert_non_null(eml);
	link = mail_extract_link(eml, "/register/confirm?token=");
	assert_non_null(link);
	token = strstr(link, "token=") + 6;
	{
		char page[200];

		snprintf(page, sizeof(page), "/register/confirm?token=%s", token);
		assert_int_equal(
			journey_submit(c, page, "/register/confirm", &r, "token", token, NULL),
			303);
	}
	assert_int_equal(journey_submit(c, "/login", "/login", &r, "username", username, "password",
					password, NULL),
			 303);
	free(link);
	free(eml);
	response_free(&r);
}

void journey_staff(struct server *s, struct client *c, const char *username, const char *role,
		   const char *office, const char *password, char *secret_out, size_t size)
{
	char pwfile[PATH_MAX + 16], secret[64], code[7], *loc;
	const char *args[] = {"operator",
			      "add",
			      "--username",
			      username,
			      "--role",
			      role,
			      "--password-file",
			      pwfile,
			      "--var",
			      s->var,
			      office ? "--office" : NULL,
			      office,
			      NULL};
	struct buf out = BUF_INIT;
	struct response r = {0};
	const char *p;
	FILE *fp;
	size_t n;

	snprintf(pwfile, sizeof(pwfile), "%s/pw-%s.txt", s->var, username);
	fp = fopen(pwfile, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", password);
	fclose(fp);
	assert_int_equal(server_run_cli(s, args, &out), 0);
	p = strstr(buf_cstr(&out), "secret=");
	assert_non_null(p);
	p += 7;
	n = strcspn(p, "&\r\n");
	assert_true(n > 0 && n < sizeof(secret));
	memcpy(secret, p, n);
	secret[n] = '\0';
	buf_free(&out);
	if (secret_out != NULL)
		snprintf(secret_out, size, "%s", secret);
	assert_int_equal(journey_submit(c, "/ra/login", "/ra/login", &r, "username", username,
					"password", password, "totp", "", NULL),
			 303);
	loc = journey_location(&r);
	assert_string_equal(loc, "/ra/enroll");
	free(loc);
	assert_int_equal(totp_code(secret, (uint64_t)time(NULL) / 30, code), 0);
	assert_int_equal(journey_submit(c, "/ra/enroll", "/ra/enroll", &r, "totp", code, NULL),
			 303);
	loc = journey_location(&r);
	assert_string_equal(loc, "/ra");
	free(loc);
	response_free(&r);
}

long long journey_confirm(struct client *c, struct response *r)
{
	char page[64], action[64], *loc;
	long long id = 0;

	loc = journey_location(r);
	assert_non_null(loc);
	assert_int_equal(sscanf(loc, "/orders/%lld/review", &id), 1);
	free(loc);
	snprintf(page, sizeof(page), "/orders/%lld/review", id);
	snprintf(action, sizeof(action), "/orders/%lld/confirm", id);
	assert_int_equal(journey_submit(c, page, action, r, NULL), 303);
	return id;
}

#define V(name, def) name, (field && strcmp(field, name) == 0 ? value : def)

long journey_order_draft(struct client *c, struct response *r, const char *office,
			 const char *field, const char *value)
{
	return journey_submit(
		c, "/certificates/new/natural", "/certificates/new/natural", r,
		V("first_name", "\xc5\xbd"
				"arko"),
		V("last_name", "\xc4\x90ura\xc5\xa1kovi\xc4\x87"), V("jmbg", "1203978711237"),
		V("id_type", "id_card"), V("id_number", JOURNEY_ZARKO_ID_CARD),
		V("id_issuer", "PU za grad Beograd"),
		V("street", "Kneza Milo\xc5\xa1"
			    "a 9"),
		V("postal_code", "11000"), V("city", "Beograd"), V("email", JOURNEY_ZARKO_MAIL),
		V("phone", "064 123 4567"), V("license_number", "310123456"), "office", office,
		V("validity", "3y"), V("consent", "1"), NULL);
}

long long journey_order(struct client *c, struct response *r, const char *office, const char *field,
			const char *value)
{
	assert_int_equal(journey_order_draft(c, r, office, field, value), 303);
	return journey_confirm(c, r);
}

int journey_fx_start(struct journey_fx *f, const char *const *env)
{
	if (journey_server(&f->s, env) != 0) {
		server_cleanup(&f->s);
		return -1;
	}
	if (client_init(&f->c, &f->s) != 0) {
		server_cleanup(&f->s);
		return -1;
	}
	return 0;
}

void journey_fx_stop(struct journey_fx *f)
{
	response_free(&f->r);
	client_free(&f->c);
	server_cleanup(&f->s);
}

int journey_fx_setup(void **state, const char *const *env)
{
	struct journey_fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	if (journey_fx_start(f, env) != 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int journey_fx_setup_plain(void **state)
{
	return journey_fx_setup(state, NULL);
}

int journey_fx_teardown(void **state)
{
	struct journey_fx *f = *state;

	journey_fx_stop(f);
	free(f);
	return 0;
}

struct store *journey_db(const struct server *s)
{
	char path[PATH_MAX + 16], err[PATH_MAX + 128];
	unsigned char key[SECRET_LEN];
	struct store *st = NULL;

	snprintf(path, sizeof(path), "%s", s->database);
	assert_int_equal(store_open(&st, path, err, sizeof(err)), STORE_OK);
	if (secret_load(s->var, key, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	store_set_seal_key(st, key);
	store_set_audit_secret(st, key);
	return st;
}
