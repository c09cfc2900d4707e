/*
 * The member account journey over real HTTP: importing the member
 * register, registration, email confirmation, login with throttling,
 * logout, the account page, forgotten username, password reset and
 * change, language, and bad input.  Each test runs its own server with
 * the demo member register loaded (tests/http/harness.h), so no test
 * depends on another.
 *
 * Every response is checked for what must hold everywhere: never a
 * 500, and the security headers (SECURITY.md, Headers).
 */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#include "harness.h"
#include "harness_extra.h"

#define MAIL_WAIT_MS 10000
#define MAX_PAIRS 12
#define CONFIRM_PREFIX "/register/confirm?token="
#define RESET_PREFIX "/password/reset?token="

/* A row of data/demo-members.csv. */
struct member {
	const char *license, *first, *last, *jmbg, *email;
};

/* Rows of the demo register; the source is UTF-8. */
static const struct member zarko = {"310123456", "Žarko", "Đurašković", "1203978711237",
				    "zarko.djuraskovic@example.rs"};
static const struct member ana = {"311234567", "Ana", "Petrović", "0511985715143",
				  "ana.petrovic@example.rs"};
static const struct member milos = {"312345678", "Miloš", "Čolić", "2307969802312",
				    "milos.colic@example.rs"};

/* Usernames that appear in no email address, so a mail "contains the
 * username" only where the body names it. */
#define USER "zdjuras"
#define USER_ANA "apetro"
#define PW "Tri mačke spavaju na krovu" /* 26 characters, UTF-8 */
#define PW_NEW "novi-dugacki-pasus-42"
#define PW_OTHER "treca-lozinka-od-starog-linka"

/* Serbian messages (messages/sr.txt), the default language. */
#define MSG_LOGIN_FAILED "Pogrešno korisničko ime ili lozinka"
#define MSG_UNCONFIRMED "Nalog još nije potvrđen"
#define MSG_THROTTLED "Previše neuspešnih pokušaja"
#define MSG_NO_MATCH "ne slažu sa registrom"
#define MSG_JMBG_CHECK "Kontrolna cifra JMBG-a"
#define MSG_EMAIL "nije ispravna adresa e-pošte"
#define MSG_USERNAME "3 do 32 znaka"
#define MSG_PW_SHORT "najmanje 12 znakova"
#define MSG_PW_USERNAME "ne sme biti jednaka korisničkom imenu"
#define MSG_PW_COMMON "često korišćenim"
#define MSG_PW_MISMATCH "Lozinke se ne poklapaju"
#define MSG_TAKEN "ime je zauzeto"
#define MSG_CURRENT_WRONG "Trenutna lozinka nije tačna"
#define MSG_REQUIRED "Ovo polje je obavezno"
#define MSG_RESET_INVALID "Link za novu lozinku nije ispravan"
#define MSG_CONFIRM_INVALID "Link za potvrdu nije ispravan"
/* English (messages/en.txt). */
#define MSG_RESET_INVALID_EN "This password link is not valid"

struct fixture {
	struct server s;
	struct client c;  /* the member's browser */
	struct client c2; /* the same member on a second device */
	struct response r;
	struct buf out; /* command output */
};

/* ---- Setup ---------------------------------------------------------------- */

/* data/demo-members.csv in the source tree (static storage). */
static const char *demo_csv(void)
{
	static char path[PATH_MAX];
	const char *src = getenv("QCRA_SRCDIR");

	snprintf(path, sizeof(path), "%s/data/demo-members.csv", src ? src : ".");
	return path;
}

/*
 * A server (env: more of its environment, or NULL), the register
 * imported when import is set.  No case here is about the cost of a
 * password hash (test_config, test_timing are): the server hashes with
 * 8 KiB instead of 19 MiB (password_hash_memory_kib, allowed beside the
 * TEST CA), which takes the test from about 85 s to 55 s.
 */
static int fixture_start(void **state, const char *const *env, int import)
{
	const char *all[8] = {"QCRA_PASSWORD_HASH_MEMORY_KIB=8"};
	struct fixture *f = calloc(1, sizeof(*f));
	size_t n = 1;
	int rc;

	for (; env != NULL && *env != NULL && n + 1 < sizeof(all) / sizeof(all[0]); env++)
		all[n++] = *env;
	if (f == NULL)
		return -1;
	if (server_start(&f->s, all) == -1 || client_init(&f->c, &f->s) == -1 ||
	    client_init(&f->c2, &f->s) == -1)
		goto fail;
	if (import) {
		const char *argv[] = {"member", "import", "--var", f->s.var, demo_csv(), NULL};

		if ((rc = server_run_cli(&f->s, argv, &f->out)) != 0) {
			fprintf(stderr, "member import: exit %d: %s\n", rc, buf_cstr(&f->out));
			goto fail;
		}
		buf_reset(&f->out);
	}
	*state = f;
	return 0;
fail:
	buf_free(&f->out);
	client_free(&f->c);
	client_free(&f->c2);
	server_cleanup(&f->s);
	free(f);
	return -1;
}

/* A server with the demo member register loaded. */
static int setup_members(void **state)
{
	return fixture_start(state, NULL, 1);
}

/* A server with an empty member register. */
static int setup_empty(void **state)
{
	return fixture_start(state, NULL, 0);
}

/* Members loaded; at most 3 failed logins per client address. */
static int setup_address_limit(void **state)
{
	const char *env[] = {"QCRA_LOGIN_MAX_FAILURES_PER_ADDRESS=3", NULL};

	return fixture_start(state, env, 1);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	response_free(&f->r);
	buf_free(&f->out);
	client_free(&f->c);
	client_free(&f->c2);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

/* ---- Checks on every response ----------------------------------------------- */

#define BODY(f) buf_cstr(&(f)->r.body)

/* What holds for every response: an answer, never a 500, and the
 * headers of ASVS 3.4 (SECURITY.md, Headers). */
static void check_response(const struct response *r)
{
	char *csp = response_header(r, "Content-Security-Policy");
	char *nosniff = response_header(r, "X-Content-Type-Options");
	char *referrer = response_header(r, "Referrer-Policy");

	assert_true(r->status >= 100);
	assert_int_not_equal(r->status, 500);
	assert_non_null(csp);
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_non_null(nosniff);
	assert_int_equal(strcasecmp(nosniff, "nosniff"), 0);
	assert_non_null(referrer);
	assert_true(referrer[0] != '\0');
	free(csp);
	free(nosniff);
	free(referrer);
}

static void assert_redirect(const struct response *r, const char *location)
{
	char *loc = response_header(r, "Location");

	assert_int_equal(r->status, 303);
	assert_non_null(loc);
	assert_string_equal(loc, location);
	free(loc);
}

static void assert_body_has(struct fixture *f, const char *text)
{
	if (strstr(BODY(f), text) == NULL)
		fprintf(stderr, "body lacks \"%s\":\n%s\n", text, BODY(f));
	assert_non_null(strstr(BODY(f), text));
}

static void assert_header_has(const struct response *r, const char *name, const char *text)
{
	char *v = response_header(r, name);

	assert_non_null(v);
	assert_non_null(strstr(v, text));
	free(v);
}

/* ---- Requests ---------------------------------------------------------------- */

static long get(struct fixture *f, struct client *c, const char *path)
{
	assert_int_equal(client_get(c, path, &f->r), 0);
	check_response(&f->r);
	return f->r.status;
}

static long post_body(struct fixture *f, struct client *c, const char *path, const char *body)
{
	assert_int_equal(client_post(c, path, body, &f->r), 0);
	check_response(&f->r);
	return f->r.status;
}

static long post_pairs(struct fixture *f, struct client *c, const char *path,
		       const char *const *pairs)
{
	char *body = form_encode(pairs);
	long status = post_body(f, c, path, body);

	free(body);
	return status;
}

/* The csrf_token of the form on page (GET with c, which must be 200). */
static char *csrf_of(struct fixture *f, struct client *c, const char *page)
{
	char *token;

	assert_int_equal(get(f, c, page), 200);
	token = form_field_value(BODY(f), "csrf_token");
	assert_non_null(token);
	assert_int_equal(strlen(token), 64);
	return token;
}

static long submit(struct fixture *f, struct client *c, const char *page, const char *action, ...)
	__attribute__((sentinel));

/*
 * What a browser does: GETs page with c, then POSTs to action the
 * key, value, ..., NULL pairs plus the page's csrf_token.  The answer
 * is in f->r; returns its status.
 */
static long submit(struct fixture *f, struct client *c, const char *page, const char *action, ...)
{
	const char *pairs[2 * MAX_PAIRS + 3], *k;
	char *csrf = csrf_of(f, c, page);
	size_t n = 0;
	va_list ap;
	long status;

	va_start(ap, action);
	while ((k = va_arg(ap, const char *)) != NULL) {
		assert_true(n < 2 * MAX_PAIRS);
		pairs[n++] = k;
		pairs[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	pairs[n++] = "csrf_token";
	pairs[n++] = csrf;
	pairs[n] = NULL;
	status = post_pairs(f, c, action, pairs);
	free(csrf);
	return status;
}

/* GET path on a new client that presents only the session cookie sid. */
static long get_with_session(struct fixture *f, const char *sid, const char *path)
{
	struct client c = {0};
	char cookie[160];
	const char *headers[] = {cookie, NULL};
	int rc;

	snprintf(cookie, sizeof(cookie), "Cookie: qcra_session=%s", sid);
	assert_int_equal(client_init(&c, &f->s), 0);
	rc = client_request(&c, "GET", path, NULL, NULL, 0, headers, &f->r);
	client_free(&c);
	assert_int_equal(rc, 0);
	check_response(&f->r);
	return f->r.status;
}

/* ---- Text ------------------------------------------------------------------- */

/* s with every from replaced by to; caller frees. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct buf b = BUF_INIT;
	size_t flen = strlen(from);
	const char *p;

	while ((p = strstr(s, from)) != NULL) {
		buf_append(&b, s, (size_t)(p - s));
		buf_puts(&b, to);
		s = p + flen;
	}
	buf_puts(&b, s);
	return buf_detach(&b);
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return s[64] == '\0';
}

/* The body of a mail message, after its header block. */
static const char *mail_body(const char *eml)
{
	const char *p = strstr(eml, "\r\n\r\n");

	if (p != NULL)
		return p + 4;
	p = strstr(eml, "\n\n");
	assert_non_null(p);
	return p + 2;
}

/*
 * The form control name carries an error: aria-invalid="true" on the
 * control and a class="error" element id="e-NAME" next to it whose
 * text holds fragment (any text when fragment is NULL).
 */
static void assert_field_error(struct fixture *f, const char *name, const char *fragment)
{
	const char *html = BODY(f), *id, *open, *text, *end;
	char *tag = html_control_tag(html, name);
	char want[96];

	if (tag == NULL || strstr(tag, "aria-invalid=\"true\"") == NULL)
		fprintf(stderr, "field %s not marked invalid: %s\n", name, tag ? tag : "(none)");
	assert_non_null(tag);
	assert_non_null(strstr(tag, "aria-invalid=\"true\""));
	free(tag);
	snprintf(want, sizeof(want), "id=\"e-%s\"", name);
	id = strstr(html, want);
	assert_non_null(id);
	for (open = id; open > html && *open != '<'; open--)
		;
	text = strchr(id, '>');
	assert_non_null(text);
	assert_non_null(memmem(open, (size_t)(text - open), "class=\"error\"", 13));
	end = strchr(text, '<');
	assert_non_null(end);
	if (fragment != NULL) {
		if (memmem(text, (size_t)(end - text), fragment, strlen(fragment)) == NULL)
			fprintf(stderr, "error of %s is \"%.*s\", not \"%s\"\n", name,
				(int)(end - text - 1), text + 1, fragment);
		assert_non_null(memmem(text, (size_t)(end - text), fragment, strlen(fragment)));
	}
}

static void assert_field_ok(struct fixture *f, const char *name)
{
	char *tag = html_control_tag(BODY(f), name);
	char want[96];

	assert_non_null(tag);
	assert_null(strstr(tag, "aria-invalid"));
	free(tag);
	snprintf(want, sizeof(want), "id=\"e-%s\"", name);
	assert_null(strstr(BODY(f), want));
}

static void assert_field_value(struct fixture *f, const char *name, const char *value)
{
	char *v = form_field_value(BODY(f), name);

	assert_non_null(v);
	assert_string_equal(v, value);
	free(v);
}

/* ---- The journey's steps ------------------------------------------------------------ */

static long register_full(struct fixture *f, struct client *c, const char *license,
			  const char *jmbg, const char *email, const char *username,
			  const char *password, const char *confirm)
{
	return submit(f, c, "/register", "/register", "license_number", license, "jmbg", jmbg,
		      "email", email, "username", username, "password", password,
		      "password_confirm", confirm, NULL);
}

static long register_as(struct fixture *f, const struct member *m, const char *username,
			const char *password)
{
	return register_full(f, &f->c, m->license, m->jmbg, m->email, username, password, password);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* The link starting with prefix in the first mail to email after the
 * first `before` of them that has one, or NULL. */
static char *find_link(struct fixture *f, const char *email, size_t before, const char *prefix)
{
	char **files = mail_files(&f->s, NULL), *link = NULL;
	size_t seen = 0;

	for (char **p = files; *p != NULL && link == NULL; p++) {
		char *eml = file_read(*p, NULL), *to = eml ? mail_header(eml, "To") : NULL;

		if (to != NULL && strcasestr(to, email) != NULL && seen++ >= before)
			link = mail_extract_link(eml, prefix);
		free(to);
		free(eml);
	}
	mail_files_free(files);
	return link;
}

/*
 * Waits for a mail to email, after the first `before` of them, holding
 * a link starting with prefix, and returns the link; caller frees.
 * Mail is sent in the background, so a mail caused by an earlier step
 * may still arrive first: it is passed over.
 */
static char *wait_link(struct fixture *f, const char *email, size_t before, const char *prefix)
{
	char *link;

	for (int waited = 0; (link = find_link(f, email, before, prefix)) == NULL; waited += 50) {
		if (waited >= MAIL_WAIT_MS) {
			fprintf(stderr, "no mail to %s with %s within %d ms\n", email, prefix,
				MAIL_WAIT_MS);
			break;
		}
		sleep_ms(50);
	}
	assert_non_null(link);
	assert_true(is_hex64(link + strlen(prefix)));
	return link;
}

/* Registers m as username and returns the link of the confirmation
 * mail; caller frees. */
static char *register_pending(struct fixture *f, const struct member *m, const char *username,
			      const char *password)
{
	size_t before = mail_count_to(&f->s, m->email);

	assert_int_equal(register_as(f, m, username, password), 303);
	assert_redirect(&f->r, "/register/sent");
	return wait_link(f, m->email, before, CONFIRM_PREFIX);
}

/* Opens the confirmation link with c and presses the button. */
static long confirm_link(struct fixture *f, struct client *c, const char *link)
{
	return submit(f, c, link, "/register/confirm", "token", link + strlen(CONFIRM_PREFIX),
		      NULL);
}

/* A registered and confirmed account. */
static void create_account(struct fixture *f, const struct member *m, const char *username,
			   const char *password)
{
	char *link = register_pending(f, m, username, password);

	assert_int_equal(confirm_link(f, &f->c, link), 303);
	assert_redirect(&f->r, "/login?confirmed=1");
	free(link);
}

/* Logs in with c, which must not be logged in. */
static long login(struct fixture *f, struct client *c, const char *username, const char *password)
{
	return submit(f, c, "/login", "/login", "username", username, "password", password, NULL);
}

static void login_ok(struct fixture *f, struct client *c, const char *username,
		     const char *password)
{
	assert_int_equal(login(f, c, username, password), 303);
	assert_redirect(&f->r, "/");
}

/* 1 when c's session reaches /account, 0 when it is sent to log in. */
static int logged_in(struct fixture *f, struct client *c)
{
	long status = get(f, c, "/account");

	if (status == 303) {
		assert_redirect(&f->r, "/login?next=%2Faccount");
		return 0;
	}
	assert_int_equal(status, 200);
	return 1;
}

/* Requests a reset link for m and returns it; caller frees. */
static char *reset_link(struct fixture *f, struct client *c, const struct member *m)
{
	size_t before = mail_count_to(&f->s, m->email);

	assert_int_equal(
		submit(f, c, "/password/forgot", "/password/forgot", "email", m->email, NULL), 303);
	assert_redirect(&f->r, "/password/forgot/sent");
	return wait_link(f, m->email, before, RESET_PREFIX);
}

static long reset_password(struct fixture *f, struct client *c, const char *link,
			   const char *password, const char *confirm)
{
	return submit(f, c, link, "/password/reset", "token", link + strlen(RESET_PREFIX),
		      "password", password, "password_confirm", confirm, NULL);
}

/* POSTs the reset form for link's token without opening the link first
 * (its page may refuse it), with c's CSRF token from /login. */
static long reset_with_token(struct fixture *f, struct client *c, const char *link,
			     const char *password)
{
	char *csrf = csrf_of(f, c, "/login");
	const char *pairs[] = {"token",
			       link + strlen(RESET_PREFIX),
			       "password",
			       password,
			       "password_confirm",
			       password,
			       "csrf_token",
			       csrf,
			       NULL};
	long status = post_pairs(f, c, "/password/reset", pairs);

	free(csrf);
	return status;
}

static long change_password(struct fixture *f, struct client *c, const char *current,
			    const char *password, const char *confirm)
{
	return submit(f, c, "/password/change", "/password/change", "current_password", current,
		      "password", password, "password_confirm", confirm, NULL);
}

/* ---- Member register import (CLI) ---------------------------------------------- */

static const char demo_summary[] = "added 8, updated 0, unchanged 0, rejected 0";

static int import_file(struct fixture *f, const char *path)
{
	const char *argv[] = {"member", "import", "--var", f->s.var, path, NULL};

	buf_reset(&f->out);
	return server_run_cli(&f->s, argv, &f->out);
}

/* Writes text to VAR/name and returns the path (static storage). */
static const char *write_csv(struct fixture *f, const char *name, const char *text)
{
	static char path[PATH_MAX + 64];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", f->s.var, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
	return path;
}

static void assert_output_has(struct fixture *f, const char *text)
{
	if (strstr(buf_cstr(&f->out), text) == NULL)
		fprintf(stderr, "output lacks \"%s\":\n%s\n", text, buf_cstr(&f->out));
	assert_non_null(strstr(buf_cstr(&f->out), text));
}

static void test_member_import_loads_all_rows_and_exits_0(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(import_file(f, demo_csv()), 0);
	assert_output_has(f, demo_summary);
}

/* Rows with a bad JMBG check digit (line 3), a missing field (line 4)
 * and a license number seen earlier in the file (line 5). */
static const char bad_rows_csv[] =
	"license_number,first_name,last_name,jmbg,email\n"
	"310123456,Žarko,Đurašković,1203978711237,zarko.djuraskovic@example.rs\n"
	"311234567,Ana,Petrović,0511985715144,ana.petrovic@example.rs\n"
	"312345678,,Čolić,2307969802312,milos.colic@example.rs\n"
	"310123456,Jelena,Šćepanović,0102990716029,jelena.scepanovic@example.rs\n";

static void test_member_import_reports_rejected_rows_and_exits_3(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(import_file(f, write_csv(f, "bad.csv", bad_rows_csv)), 3);
	assert_output_has(f, "line 3: rejected: bad JMBG check digit");
	assert_output_has(f, "line 4: rejected: missing first_name");
	assert_output_has(f, "line 5: rejected: duplicate license_number");
	assert_output_has(f, "added 1, updated 0, unchanged 0, rejected 3");
}

static void test_member_import_skips_rejected_rows(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(import_file(f, write_csv(f, "bad.csv", bad_rows_csv)), 3);
	/* Miloš's row lacked his first name: he is not in the register. */
	assert_int_equal(register_as(f, &milos, "mcolic", PW), 422);
	assert_field_error(f, "license_number", MSG_NO_MATCH);
}

static void test_member_reimport_updates_changed_rows(void **state)
{
	struct fixture *f = *state;
	char *demo, *changed;
	size_t len;
	const char *path = demo_csv();

	assert_int_equal(import_file(f, path), 0);
	assert_output_has(f, demo_summary);
	assert_int_equal(import_file(f, path), 0);
	assert_output_has(f, "added 0, updated 0, unchanged 8, rejected 0");

	demo = file_read(path, &len);
	assert_non_null(demo);
	changed = replace_all(demo, "zarko.djuraskovic@example.rs", "zarko@novi.example.rs");
	free(demo);
	assert_int_equal(import_file(f, write_csv(f, "changed.csv", changed)), 0);
	free(changed);
	assert_output_has(f, "added 0, updated 1, unchanged 7, rejected 0");

	/* The register now holds the new address, and only it. */
	assert_int_equal(
		register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email, USER, PW, PW), 422);
	assert_field_error(f, "license_number", MSG_NO_MATCH);
	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, "zarko@novi.example.rs",
				       USER, PW, PW),
			 303);
}

/* ---- Registration --------------------------------------------------------------- */

static void test_register_page_shows_the_form(void **state)
{
	struct fixture *f = *state;
	const char *names[] = {"license_number",   "jmbg",      "email", "username", "password",
			       "password_confirm", "csrf_token"};
	char *tag;

	assert_int_equal(get(f, &f->c, "/register"), 200);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		tag = html_control_tag(BODY(f), names[i]);
		assert_non_null(tag);
		free(tag);
	}
}

static void test_register_redirects_to_sent_and_mails_confirmation_link(void **state)
{
	struct fixture *f = *state;
	char *link, *eml, want[128];

	link = register_pending(f, &zarko, USER, PW);
	eml = mail_latest_to(&f->s, zarko.email);
	assert_non_null(eml);
	/* The link is absolute, on the portal's public address. */
	snprintf(want, sizeof(want), "%s%s", f->s.base, CONFIRM_PREFIX);
	assert_non_null(strstr(eml, want));
	assert_non_null(strstr(mail_body(eml), USER));
	assert_int_equal(mail_count_to(&f->s, zarko.email), 1);
	free(eml);
	free(link);
	assert_int_equal(get(f, &f->c, "/register/sent"), 200);
}

static void test_register_without_csrf_token_is_403_and_creates_nothing(void **state)
{
	struct fixture *f = *state;
	const char *pairs[] = {"license_number",
			       zarko.license,
			       "jmbg",
			       zarko.jmbg,
			       "email",
			       zarko.email,
			       "username",
			       USER,
			       "password",
			       PW,
			       "password_confirm",
			       PW,
			       NULL};
	char *link;

	assert_int_equal(get(f, &f->c, "/register"), 200); /* has the CSRF cookie */
	assert_int_equal(post_pairs(f, &f->c, "/register", pairs), 403);
	/* Had the first POST created the account, this one would be
	 * answered by an "already registered" mail besides the first. */
	link = register_pending(f, &zarko, USER, PW);
	assert_int_equal(mail_count_to(&f->s, zarko.email), 1);
	free(link);
}

static void test_register_with_wrong_csrf_token_is_403(void **state)
{
	struct fixture *f = *state;
	char *bad = csrf_of(f, &f->c, "/register");
	const char *pairs[] = {"license_number",
			       zarko.license,
			       "jmbg",
			       zarko.jmbg,
			       "email",
			       zarko.email,
			       "username",
			       USER,
			       "password",
			       PW,
			       "password_confirm",
			       PW,
			       "csrf_token",
			       bad,
			       NULL};

	bad[0] = bad[0] == '0' ? '1' : '0';
	assert_int_equal(post_pairs(f, &f->c, "/register", pairs), 403);
	free(bad);
}

/* A token made for one browser is worth nothing in another. */
static void test_register_with_csrf_token_of_another_browser_is_403(void **state)
{
	struct fixture *f = *state;
	char *other = csrf_of(f, &f->c2, "/register");
	const char *pairs[] = {"license_number",
			       zarko.license,
			       "jmbg",
			       zarko.jmbg,
			       "email",
			       zarko.email,
			       "username",
			       USER,
			       "password",
			       PW,
			       "password_confirm",
			       PW,
			       "csrf_token",
			       other,
			       NULL};

	assert_int_equal(get(f, &f->c, "/register"), 200);
	assert_int_equal(post_pairs(f, &f->c, "/register", pairs), 403);
	free(other);
}

static void test_register_rejects_data_not_matching_register(void **state)
{
	struct fixture *f = *state;

	/* A valid JMBG, but Ana's, with Žarko's license and address. */
	assert_int_equal(
		register_full(f, &f->c, zarko.license, ana.jmbg, zarko.email, USER, PW, PW), 422);
	assert_field_error(f, "license_number", MSG_NO_MATCH);
	/* Žarko's data with Ana's address. */
	assert_int_equal(
		register_full(f, &f->c, zarko.license, zarko.jmbg, ana.email, USER, PW, PW), 422);
	assert_field_error(f, "license_number", MSG_NO_MATCH);
}

static void test_register_rejects_unknown_license(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		register_full(f, &f->c, "399999999", zarko.jmbg, zarko.email, USER, PW, PW), 422);
	assert_field_error(f, "license_number", MSG_NO_MATCH);
}

static void test_register_rejects_bad_jmbg_check_digit(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		register_full(f, &f->c, zarko.license, "1203978711238", zarko.email, USER, PW, PW),
		422);
	assert_field_error(f, "jmbg", MSG_JMBG_CHECK);
	assert_field_ok(f, "license_number");
}

static void test_register_rejects_invalid_email(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"zarko.example.rs", "zarko@", "@example.rs", "zarko@@example.rs"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
			register_full(f, &f->c, zarko.license, zarko.jmbg, bad[i], USER, PW, PW),
			422);
		assert_field_error(f, "email", MSG_EMAIL);
	}
}

static void test_register_rejects_bad_username(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"zd",           "9zarko", ".zarko", "_zarko",
			     "zarko djuras", "žarko",  "zarko!", "zarko@home"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email,
					       bad[i], PW, PW),
				 422);
		assert_field_error(f, "username", MSG_USERNAME);
	}
}

static void test_register_rejects_username_over_32_characters(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email,
				       "z234567890123456789012345678901x3", PW, PW),
			 422);
	assert_field_error(f, "username", NULL);
}

static void test_register_accepts_username_of_32_characters(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email,
				       "z.d-r_01234567890123456789012345", PW, PW),
			 303);
}

static void test_register_rejects_password_under_12_characters(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email, USER,
				       "Kratka-Lozi", "Kratka-Lozi"),
			 422);
	assert_field_error(f, "password", MSG_PW_SHORT);
}

static void test_register_rejects_password_equal_to_username(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email,
				       "zarko.inzenjer", "zarko.inzenjer", "zarko.inzenjer"),
			 422);
	assert_field_error(f, "password", MSG_PW_USERNAME);
}

static void test_register_rejects_common_password(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email, USER,
				       "password1234", "password1234"),
			 422);
	assert_field_error(f, "password", MSG_PW_COMMON);
}

static void test_register_rejects_confirmation_mismatch(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
		register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email, USER, PW, PW "!"),
		422);
	assert_field_error(f, "password_confirm", MSG_PW_MISMATCH);
}

static void test_register_rejects_missing_fields(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, "", "", "", "", "", ""), 422);
	assert_field_error(f, "license_number", MSG_REQUIRED);
	assert_field_error(f, "jmbg", MSG_REQUIRED);
	assert_field_error(f, "email", MSG_REQUIRED);
	assert_field_error(f, "username", MSG_REQUIRED);
	assert_field_error(f, "password", MSG_REQUIRED);
}

/* The form comes back with what was typed, except the passwords. */
static void test_register_errors_keep_values_but_never_passwords(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(register_full(f, &f->c, zarko.license, zarko.jmbg, zarko.email, USER,
				       "Tajna-lozinka-73", "Tajna-lozinka-74"),
			 422);
	assert_field_value(f, "license_number", zarko.license);
	assert_field_value(f, "jmbg", zarko.jmbg);
	assert_field_value(f, "email", zarko.email);
	assert_field_value(f, "username", USER);
	assert_field_value(f, "password", "");
	assert_field_value(f, "password_confirm", "");
	assert_null(strstr(BODY(f), "Tajna-lozinka"));
}

static void test_register_rejects_username_taken_by_another_member(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	assert_int_equal(register_as(f, &ana, USER, PW), 422);
	assert_field_error(f, "username", MSG_TAKEN);
	assert_field_value(f, "username", USER);
	/* Usernames are case-insensitive. */
	assert_int_equal(register_as(f, &ana, "ZDjuras", PW), 422);
	assert_field_error(f, "username", MSG_TAKEN);
}

/* No enumeration: the answer is that of a new registration, the owner
 * learns their username by mail, and no second account appears. */
static void test_register_again_answers_alike_and_mails_existing_username(void **state)
{
	struct fixture *f = *state;
	size_t before;
	char *eml;

	create_account(f, &zarko, USER, PW);
	before = mail_count_to(&f->s, zarko.email);
	assert_int_equal(register_as(f, &zarko, "zarko.drugi", PW_NEW), 303);
	assert_redirect(&f->r, "/register/sent");
	eml = mail_wait_to(&f->s, zarko.email, before, MAIL_WAIT_MS);
	assert_non_null(eml);
	assert_non_null(strstr(mail_body(eml), USER));
	assert_null(strstr(eml, CONFIRM_PREFIX));
	assert_null(strstr(eml, "zarko.drugi"));
	free(eml);
	assert_int_equal(login(f, &f->c, "zarko.drugi", PW_NEW), 422);
	assert_body_has(f, MSG_LOGIN_FAILED);
	login_ok(f, &f->c, USER, PW);
}

static void test_register_again_before_confirming_sends_no_second_link(void **state)
{
	struct fixture *f = *state;
	char *link = register_pending(f, &zarko, USER, PW), *eml;
	size_t before = mail_count_to(&f->s, zarko.email);

	assert_int_equal(register_as(f, &zarko, USER, PW), 303);
	assert_redirect(&f->r, "/register/sent");
	eml = mail_wait_to(&f->s, zarko.email, before, MAIL_WAIT_MS);
	assert_non_null(eml);
	assert_null(strstr(eml, CONFIRM_PREFIX));
	free(eml);
	/* The first link still confirms the one account. */
	assert_int_equal(confirm_link(f, &f->c, link), 303);
	free(link);
	login_ok(f, &f->c, USER, PW);
}

/* Passwords up to at least 64 characters count in full (ASVS 6.2.9). */
static void test_password_of_64_characters_is_not_truncated(void **state)
{
	struct fixture *f = *state;
	const char *pw64 = "0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOPQRSTUVWXYZ!";
	char pw63[64];

	assert_int_equal(strlen(pw64), 64);
	memcpy(pw63, pw64, 63);
	pw63[63] = '\0';
	create_account(f, &zarko, USER, pw64);
	assert_int_equal(login(f, &f->c, USER, pw63), 422);
	login_ok(f, &f->c, USER, pw64);
}

/* ---- Confirmation ----------------------------------------------------------------- */

static void test_confirm_link_shows_form_with_token(void **state)
{
	struct fixture *f = *state;
	char *link = register_pending(f, &zarko, USER, PW);

	assert_int_equal(get(f, &f->c, link), 200);
	assert_field_value(f, "token", link + strlen(CONFIRM_PREFIX));
	free(csrf_of(f, &f->c, link));
	free(link);
}

static void test_confirm_redirects_to_login_and_activates_account(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	assert_int_equal(get(f, &f->c, "/login?confirmed=1"), 200);
	assert_body_has(f, "Nalog je potvrđen");
	login_ok(f, &f->c, USER, PW);
}

static void test_confirm_token_reuse_is_400(void **state)
{
	struct fixture *f = *state;
	char *link = register_pending(f, &zarko, USER, PW);
	char *csrf;
	const char *pairs[] = {"token", link + strlen(CONFIRM_PREFIX), "csrf_token", NULL, NULL};

	assert_int_equal(confirm_link(f, &f->c, link), 303);
	csrf = csrf_of(f, &f->c, "/login");
	pairs[3] = csrf;
	assert_int_equal(post_pairs(f, &f->c, "/register/confirm", pairs), 400);
	assert_int_equal(get(f, &f->c, link), 400);
	free(csrf);
	free(link);
}

static void test_confirm_with_unknown_token_is_400(void **state)
{
	struct fixture *f = *state;
	const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
	char path[160], *csrf = csrf_of(f, &f->c, "/register");
	const char *pairs[] = {"token", zeros, "csrf_token", csrf, NULL};

	snprintf(path, sizeof(path), "%s%s", CONFIRM_PREFIX, zeros);
	assert_int_equal(get(f, &f->c, path), 400);
	/* What gets a new link: registering again only says the account
	 * exists; a new password confirms it. */
	assert_body_has(f, "Zaboravili ste lozinku?");
	assert_int_equal(get(f, &f->c, CONFIRM_PREFIX "abc"), 400);
	assert_int_equal(get(f, &f->c, "/register/confirm"), 400);
	assert_int_equal(post_pairs(f, &f->c, "/register/confirm", pairs), 400);
	free(csrf);
}

static void test_confirm_without_csrf_token_is_403_and_account_stays_unconfirmed(void **state)
{
	struct fixture *f = *state;
	char *link = register_pending(f, &zarko, USER, PW);
	const char *pairs[] = {"token", link + strlen(CONFIRM_PREFIX), NULL};

	assert_int_equal(get(f, &f->c, link), 200);
	assert_int_equal(post_pairs(f, &f->c, "/register/confirm", pairs), 403);
	assert_int_equal(login(f, &f->c, USER, PW), 422);
	assert_body_has(f, MSG_UNCONFIRMED);
	/* The link was not used up. */
	assert_int_equal(confirm_link(f, &f->c, link), 303);
	free(link);
}

static void test_login_before_confirmation_says_not_confirmed(void **state)
{
	struct fixture *f = *state;
	char *link = register_pending(f, &zarko, USER, PW);

	assert_int_equal(login(f, &f->c, USER, PW), 422);
	assert_body_has(f, MSG_UNCONFIRMED);
	assert_null(client_cookie(&f->c, "qcra_session"));
	free(link);
}

/* ---- Login ------------------------------------------------------------------------ */

static void test_login_redirects_home_and_starts_session(void **state)
{
	struct fixture *f = *state;
	char *sid;

	create_account(f, &zarko, USER, PW);
	assert_int_equal(logged_in(f, &f->c), 0);
	login_ok(f, &f->c, USER, PW);
	sid = client_cookie(&f->c, "qcra_session");
	assert_non_null(sid);
	assert_true(is_hex64(sid)); /* 256 bits */
	free(sid);
	assert_int_equal(logged_in(f, &f->c), 1);
}

/* ASVS 3.3: HttpOnly and SameSite; Path=/ so it is one session. */
static void test_login_session_cookie_is_httponly_and_samesite_lax(void **state)
{
	struct fixture *f = *state;
	char *set;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	set = response_set_cookie(&f->r, "qcra_session");
	assert_non_null(set);
	assert_non_null(strcasestr(set, "; HttpOnly"));
	assert_non_null(strcasestr(set, "; SameSite=Lax"));
	assert_non_null(strstr(set, "; Path=/"));
	free(set);
}

/* ASVS 7.2.4: a new session id at every login; the old one is dead. */
static void test_login_issues_new_session_id_each_time(void **state)
{
	struct fixture *f = *state;
	char *first, *second, *other;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	first = client_cookie(&f->c, "qcra_session");
	assert_int_equal(submit(f, &f->c, "/", "/login", "username", USER, "password", PW, NULL),
			 303);
	second = client_cookie(&f->c, "qcra_session");
	login_ok(f, &f->c2, USER, PW);
	other = client_cookie(&f->c2, "qcra_session");
	assert_non_null(first);
	assert_non_null(second);
	assert_non_null(other);
	assert_string_not_equal(first, second);
	assert_string_not_equal(second, other);
	assert_string_not_equal(first, other);
	assert_int_equal(get_with_session(f, first, "/account"), 303);
	assert_int_equal(get_with_session(f, second, "/account"), 200);
	free(first);
	free(second);
	free(other);
}

static void test_login_redirects_to_next(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	assert_int_equal(get(f, &f->c, "/account"), 303);
	assert_redirect(&f->r, "/login?next=%2Faccount");
	assert_int_equal(get(f, &f->c, "/login?next=%2Faccount"), 200);
	assert_field_value(f, "next", "/account");
	assert_int_equal(submit(f, &f->c, "/login?next=%2Faccount", "/login", "username", USER,
				"password", PW, "next", "/account", NULL),
			 303);
	assert_redirect(&f->r, "/account");
}

/* No open redirect: next leaves the site only as "/". */
static void test_login_ignores_next_outside_the_site(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"//evil.example/", "https://evil.example/", "/\\evil.example",
			     "evil.example"};

	create_account(f, &zarko, USER, PW);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(submit(f, &f->c2, "/login", "/login", "username", USER, "password",
					PW, "next", bad[i], NULL),
				 303);
		assert_redirect(&f->r, "/");
		assert_int_equal(submit(f, &f->c2, "/account", "/logout", NULL), 303);
	}
}

/* No enumeration: an unknown username and a wrong password get the
 * same status and the same page, the typed username aside. */
static void test_login_failure_is_the_same_for_unknown_user_and_wrong_password(void **state)
{
	struct fixture *f = *state;
	char *wrong_pw, *unknown;

	create_account(f, &zarko, USER, PW);
	assert_int_equal(login(f, &f->c, USER, "Pogresna lozinka 1"), 422);
	assert_body_has(f, MSG_LOGIN_FAILED);
	wrong_pw = replace_all(BODY(f), "value=\"" USER "\"", "value=\"X\"");
	assert_int_equal(login(f, &f->c, "nepostojeci", "Pogresna lozinka 1"), 422);
	assert_body_has(f, MSG_LOGIN_FAILED);
	unknown = replace_all(BODY(f), "value=\"nepostojeci\"", "value=\"X\"");
	assert_string_equal(wrong_pw, unknown);
	free(wrong_pw);
	free(unknown);
}

static void test_login_with_missing_fields_is_422(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(login(f, &f->c, "", ""), 422);
	assert_field_error(f, "username", MSG_REQUIRED);
	assert_field_error(f, "password", MSG_REQUIRED);
}

/* ASVS 6.3.1: the 6th failure within 15 minutes gets 429 with
 * Retry-After, even with the right password. */
static void test_login_sixth_failure_gets_429_with_retry_after(void **state)
{
	struct fixture *f = *state;
	char *retry;
	long secs;

	create_account(f, &zarko, USER, PW);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(login(f, &f->c, USER, "Pogresna lozinka 1"), 422);
		assert_body_has(f, MSG_LOGIN_FAILED);
	}
	assert_int_equal(login(f, &f->c, USER, PW), 429);
	assert_body_has(f, MSG_THROTTLED);
	retry = response_header(&f->r, "Retry-After");
	assert_non_null(retry);
	secs = strtol(retry, NULL, 10);
	assert_true(secs > 0 && secs <= 15 * 60);
	free(retry);
	assert_null(client_cookie(&f->c, "qcra_session"));
	assert_int_equal(logged_in(f, &f->c), 0);
}

/* The per-username limit does not lock out other members. */
static void test_login_throttling_one_username_leaves_others_alone(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	create_account(f, &ana, USER_ANA, PW);
	for (int i = 0; i < 5; i++)
		assert_int_equal(login(f, &f->c, USER, "Pogresna lozinka 1"), 422);
	assert_int_equal(login(f, &f->c, USER, PW), 429);
	login_ok(f, &f->c2, USER_ANA, PW);
}

/* The per-address limit (here 3) also counts unknown usernames. */
static void test_login_per_address_limit_gets_429(void **state)
{
	struct fixture *f = *state;
	const char *names[] = {"nepostoji1", "nepostoji2", "nepostoji3"};
	char *retry;

	create_account(f, &zarko, USER, PW);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(login(f, &f->c, names[i], "Pogresna lozinka 1"), 422);
	assert_int_equal(login(f, &f->c2, USER, PW), 429);
	retry = response_header(&f->r, "Retry-After");
	assert_non_null(retry);
	assert_true(strtol(retry, NULL, 10) > 0);
	free(retry);
}

static void test_login_without_csrf_token_is_403_and_starts_no_session(void **state)
{
	struct fixture *f = *state;
	const char *pairs[] = {"username", USER, "password", PW, NULL};

	create_account(f, &zarko, USER, PW);
	assert_int_equal(get(f, &f->c, "/login"), 200);
	assert_int_equal(post_pairs(f, &f->c, "/login", pairs), 403);
	assert_null(client_cookie(&f->c, "qcra_session"));
	assert_int_equal(logged_in(f, &f->c), 0);
}

/* ---- Logout and the account page -------------------------------------------------- */

static void test_logout_redirects_home_and_ends_session(void **state)
{
	struct fixture *f = *state;
	char *sid;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	sid = client_cookie(&f->c, "qcra_session");
	assert_non_null(sid);
	assert_int_equal(submit(f, &f->c, "/account", "/logout", NULL), 303);
	assert_redirect(&f->r, "/");
	assert_int_equal(logged_in(f, &f->c), 0);
	/* Ended on the server too, not only forgotten by the browser. */
	assert_int_equal(get_with_session(f, sid, "/account"), 303);
	assert_redirect(&f->r, "/login?next=%2Faccount");
	free(sid);
}

static void test_logout_without_csrf_token_is_403_and_keeps_session(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(post_body(f, &f->c, "/logout", ""), 403);
	assert_int_equal(logged_in(f, &f->c), 1);
}

static void test_account_requires_login(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, &f->c, "/account"), 303);
	assert_redirect(&f->r, "/login?next=%2Faccount");
}

static void test_account_shows_username_and_member_name_with_diacritics(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(get(f, &f->c, "/account"), 200);
	assert_header_has(&f->r, "Content-Type", "charset=utf-8");
	assert_body_has(f, USER);
	assert_body_has(f, "Žarko Đurašković");
	assert_body_has(f, zarko.license);
	assert_body_has(f, zarko.email);
}

/* ASVS 3.4 / 14.3: authenticated pages are never stored by caches. */
static void test_pages_of_logged_in_member_are_no_store(void **state)
{
	struct fixture *f = *state;
	const char *pages[] = {"/", "/account", "/password/change"};

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_header_has(&f->r, "Cache-Control", "no-store");
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		assert_int_equal(get(f, &f->c, pages[i]), 200);
		assert_header_has(&f->r, "Cache-Control", "no-store");
	}
}

/* ---- Forgotten username ------------------------------------------------------------ */

static void test_forgot_username_mails_username_to_known_email(void **state)
{
	struct fixture *f = *state;
	size_t before;
	char *eml;

	create_account(f, &zarko, USER, PW);
	before = mail_count_to(&f->s, zarko.email);
	assert_int_equal(submit(f, &f->c, "/forgot-username", "/forgot-username", "email",
				zarko.email, NULL),
			 303);
	assert_redirect(&f->r, "/forgot-username/sent");
	eml = mail_wait_to(&f->s, zarko.email, before, MAIL_WAIT_MS);
	assert_non_null(eml);
	assert_non_null(strstr(mail_body(eml), USER));
	free(eml);
	assert_int_equal(get(f, &f->c, "/forgot-username/sent"), 200);
}

/* No enumeration: an unknown address gets the same answer, and no
 * mail.  The known address is asked second: the outbox sends in
 * order, so once its mail is there a mail to the unknown one would be
 * too. */
static void test_forgot_username_unknown_email_answers_alike_and_mails_nothing(void **state)
{
	struct fixture *f = *state;
	const char *unknown = "niko.nepoznat@example.rs";
	size_t before;
	char *eml;

	create_account(f, &zarko, USER, PW);
	/* A member in the register without an account is unknown too. */
	assert_int_equal(
		submit(f, &f->c, "/forgot-username", "/forgot-username", "email", ana.email, NULL),
		303);
	assert_redirect(&f->r, "/forgot-username/sent");
	assert_int_equal(
		submit(f, &f->c, "/forgot-username", "/forgot-username", "email", unknown, NULL),
		303);
	assert_redirect(&f->r, "/forgot-username/sent");
	assert_int_equal(f->r.body.len, 0);
	before = mail_count_to(&f->s, zarko.email);
	assert_int_equal(submit(f, &f->c, "/forgot-username", "/forgot-username", "email",
				zarko.email, NULL),
			 303);
	assert_redirect(&f->r, "/forgot-username/sent");
	assert_int_equal(f->r.body.len, 0);
	eml = mail_wait_to(&f->s, zarko.email, before, MAIL_WAIT_MS);
	assert_non_null(eml);
	free(eml);
	assert_int_equal(mail_count_to(&f->s, unknown), 0);
	assert_int_equal(mail_count_to(&f->s, ana.email), 0);
}

/* ---- Password reset ------------------------------------------------------------------ */

static void test_password_forgot_mails_reset_link_to_known_email(void **state)
{
	struct fixture *f = *state;
	char *link;

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c, &zarko);
	free(link);
	assert_int_equal(get(f, &f->c, "/password/forgot/sent"), 200);
}

static void test_password_forgot_unknown_email_answers_alike_and_mails_nothing(void **state)
{
	struct fixture *f = *state;
	const char *unknown = "niko.nepoznat@example.rs";
	char *link;

	create_account(f, &zarko, USER, PW);
	assert_int_equal(
		submit(f, &f->c, "/password/forgot", "/password/forgot", "email", unknown, NULL),
		303);
	assert_redirect(&f->r, "/password/forgot/sent");
	assert_int_equal(f->r.body.len, 0);
	link = reset_link(f, &f->c, &zarko); /* see the forgot-username test */
	free(link);
	assert_int_equal(mail_count_to(&f->s, unknown), 0);
}

static void test_password_reset_link_shows_form(void **state)
{
	struct fixture *f = *state;
	char *link;

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(get(f, &f->c, link), 200);
	assert_field_value(f, "token", link + strlen(RESET_PREFIX));
	assert_field_value(f, "password", "");
	assert_field_value(f, "password_confirm", "");
	free(link);
}

static void test_password_reset_replaces_the_password(void **state)
{
	struct fixture *f = *state;
	char *link;

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW), 303);
	assert_redirect(&f->r, "/login?reset=1");
	free(link);
	assert_int_equal(get(f, &f->c, "/login?reset=1"), 200);
	assert_int_equal(login(f, &f->c, USER, PW), 422);
	login_ok(f, &f->c, USER, PW_NEW);
}

/* ASVS 7.4.3: every other session of the account ends. */
static void test_password_reset_ends_other_sessions(void **state)
{
	struct fixture *f = *state;
	char *link;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c2, USER, PW);
	assert_int_equal(logged_in(f, &f->c2), 1);
	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW), 303);
	free(link);
	assert_int_equal(logged_in(f, &f->c2), 0);
}

static void test_password_reset_token_is_single_use(void **state)
{
	struct fixture *f = *state;
	char *link, *csrf;
	const char *pairs[] = {"token",
			       NULL,
			       "password",
			       "drugi-put-nova-lozinka",
			       "password_confirm",
			       "drugi-put-nova-lozinka",
			       "csrf_token",
			       NULL,
			       NULL};

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW), 303);
	csrf = csrf_of(f, &f->c, "/login");
	pairs[1] = link + strlen(RESET_PREFIX);
	pairs[7] = csrf;
	assert_int_equal(post_pairs(f, &f->c, "/password/reset", pairs), 400);
	assert_int_equal(get(f, &f->c, link), 400);
	login_ok(f, &f->c, USER, PW_NEW);
	free(csrf);
	free(link);
}

/* Policy errors keep the link usable. */
static void test_password_reset_rejects_weak_password(void **state)
{
	struct fixture *f = *state;
	char *link;

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, link, "Kratka-Lozi", "Kratka-Lozi"), 422);
	assert_field_error(f, "password", MSG_PW_SHORT);
	assert_field_value(f, "token", link + strlen(RESET_PREFIX));
	assert_int_equal(reset_password(f, &f->c, link, "password1234", "password1234"), 422);
	assert_field_error(f, "password", MSG_PW_COMMON);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW "x"), 422);
	assert_field_error(f, "password_confirm", MSG_PW_MISMATCH);
	login_ok(f, &f->c2, USER, PW);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW), 303);
	free(link);
}

static void test_password_reset_with_unknown_token_is_400(void **state)
{
	struct fixture *f = *state;
	const char *zeros = "0000000000000000000000000000000000000000000000000000000000000000";
	char path[160], *csrf = csrf_of(f, &f->c, "/password/forgot");
	const char *pairs[] = {"token", zeros,        "password", PW_NEW, "password_confirm",
			       PW_NEW,  "csrf_token", csrf,       NULL};

	snprintf(path, sizeof(path), "%s%s", RESET_PREFIX, zeros);
	assert_int_equal(get(f, &f->c, path), 400);
	assert_int_equal(get(f, &f->c, "/password/reset"), 400);
	assert_int_equal(post_pairs(f, &f->c, "/password/reset", pairs), 400);
	free(csrf);
}

static void test_password_reset_without_csrf_token_is_403_and_keeps_password(void **state)
{
	struct fixture *f = *state;
	char *link;
	const char *pairs[] = {"token", NULL, "password", PW_NEW, "password_confirm", PW_NEW, NULL};

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c, &zarko);
	pairs[1] = link + strlen(RESET_PREFIX);
	assert_int_equal(get(f, &f->c, link), 200);
	assert_int_equal(post_pairs(f, &f->c, "/password/reset", pairs), 403);
	login_ok(f, &f->c2, USER, PW);
	free(link);
}

/* The reset link proves the address, so it confirms a pending account
 * (as the "not confirmed" message promises). */
static void test_password_reset_confirms_pending_account(void **state)
{
	struct fixture *f = *state;
	char *confirm = register_pending(f, &zarko, USER, PW), *link;

	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW), 303);
	login_ok(f, &f->c, USER, PW_NEW);
	free(link);
	free(confirm);
}

/* Setting a password ends every reset link the account was sent, not
 * only the one used: an older link of the same batch is refused, in
 * either language, and sets nothing. */
static void test_password_reset_voids_the_other_reset_links(void **state)
{
	struct fixture *f = *state;
	char *older, *old, *newest, path[200];

	create_account(f, &zarko, USER, PW);
	older = reset_link(f, &f->c, &zarko);
	old = reset_link(f, &f->c, &zarko);
	newest = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, newest, PW_NEW, PW_NEW), 303);
	assert_redirect(&f->r, "/login?reset=1");
	assert_int_equal(reset_with_token(f, &f->c, older, PW_OTHER), 400);
	assert_body_has(f, MSG_RESET_INVALID);
	assert_int_equal(get(f, &f->c, old), 400);
	assert_body_has(f, MSG_RESET_INVALID);
	snprintf(path, sizeof(path), "%s&lang=en", old);
	assert_int_equal(get(f, &f->c2, path), 400);
	assert_body_has(f, MSG_RESET_INVALID_EN);
	assert_int_equal(reset_with_token(f, &f->c2, old, PW_OTHER), 400);
	assert_body_has(f, MSG_RESET_INVALID_EN);
	assert_int_equal(login(f, &f->c, USER, PW_OTHER), 422);
	login_ok(f, &f->c, USER, PW_NEW);
	free(older);
	free(old);
	free(newest);
}

/* A password change ends the reset links asked for before it. */
static void test_password_change_voids_earlier_reset_links(void **state)
{
	struct fixture *f = *state;
	char *link, path[200];

	create_account(f, &zarko, USER, PW);
	link = reset_link(f, &f->c2, &zarko);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW), 303);
	assert_int_equal(get(f, &f->c2, link), 400);
	assert_body_has(f, MSG_RESET_INVALID);
	assert_int_equal(reset_with_token(f, &f->c2, link, PW_OTHER), 400);
	assert_body_has(f, MSG_RESET_INVALID);
	snprintf(path, sizeof(path), "%s&lang=en", link);
	assert_int_equal(get(f, &f->c2, path), 400);
	assert_body_has(f, MSG_RESET_INVALID_EN);
	assert_int_equal(login(f, &f->c2, USER, PW_OTHER), 422);
	login_ok(f, &f->c2, USER, PW_NEW);
	free(link);
}

/* The reset confirms a pending account; its confirmation link, which
 * has nothing left to do, is ended with the other links. */
static void test_password_reset_voids_the_confirmation_link(void **state)
{
	struct fixture *f = *state;
	char *confirm = register_pending(f, &zarko, USER, PW), *link;

	link = reset_link(f, &f->c, &zarko);
	assert_int_equal(reset_password(f, &f->c, link, PW_NEW, PW_NEW), 303);
	assert_int_equal(get(f, &f->c, confirm), 400);
	assert_body_has(f, MSG_CONFIRM_INVALID);
	login_ok(f, &f->c, USER, PW_NEW);
	free(link);
	free(confirm);
}

/* ---- Password change ------------------------------------------------------------------ */

static void test_password_change_requires_login(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, &f->c, "/password/change"), 303);
	assert_redirect(&f->r, "/login?next=%2Fpassword%2Fchange");
}

static void test_password_change_rejects_wrong_current_password(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(change_password(f, &f->c, "Pogresna lozinka 1", PW_NEW, PW_NEW), 422);
	assert_field_error(f, "current_password", MSG_CURRENT_WRONG);
	assert_field_value(f, "current_password", "");
	login_ok(f, &f->c2, USER, PW);
}

static void test_password_change_rejects_weak_new_password(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(change_password(f, &f->c, PW, "password1234", "password1234"), 422);
	assert_field_error(f, "password", MSG_PW_COMMON);
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW "x"), 422);
	assert_field_error(f, "password_confirm", MSG_PW_MISMATCH);
	login_ok(f, &f->c2, USER, PW);
}

static void test_password_change_redirects_to_account_with_notice(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW), 303);
	assert_redirect(&f->r, "/account?changed=1");
	assert_int_equal(get(f, &f->c, "/account?changed=1"), 200);
	assert_body_has(f, "Lozinka je promenjena");
}

static void test_password_change_keeps_this_session_and_ends_others(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	login_ok(f, &f->c2, USER, PW);
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW), 303);
	assert_int_equal(logged_in(f, &f->c), 1);
	assert_int_equal(logged_in(f, &f->c2), 0);
}

static void test_password_change_replaces_the_password(void **state)
{
	struct fixture *f = *state;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW), 303);
	assert_int_equal(login(f, &f->c2, USER, PW), 422);
	login_ok(f, &f->c2, USER, PW_NEW);
}

static void test_password_change_mails_the_member(void **state)
{
	struct fixture *f = *state;
	size_t before;
	char *eml;

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	before = mail_count_to(&f->s, zarko.email);
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW), 303);
	eml = mail_wait_to(&f->s, zarko.email, before, MAIL_WAIT_MS);
	assert_non_null(eml);
	assert_non_null(strstr(eml, "Lozinka je promenjena"));
	assert_non_null(strstr(mail_body(eml), USER));
	assert_null(strstr(eml, PW_NEW));
	free(eml);
}

static void test_password_change_without_csrf_token_is_403_and_keeps_password(void **state)
{
	struct fixture *f = *state;
	const char *pairs[] = {"current_password", PW,     "password", PW_NEW,
			       "password_confirm", PW_NEW, NULL};

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c, USER, PW);
	assert_int_equal(post_pairs(f, &f->c, "/password/change", pairs), 403);
	login_ok(f, &f->c2, USER, PW);
}

/* ---- CSRF on every form ---------------------------------------------------------------- */

static void test_every_post_form_without_csrf_token_is_403(void **state)
{
	struct fixture *f = *state;
	const char *actions[] = {"/register",       "/register/confirm", "/login",
				 "/logout",         "/forgot-username",  "/password/forgot",
				 "/password/reset", "/password/change"};

	create_account(f, &zarko, USER, PW);
	login_ok(f, &f->c2, USER, PW);
	assert_int_equal(get(f, &f->c, "/register"), 200);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		struct client *c = strcmp(actions[i], "/logout") == 0 ||
						   strcmp(actions[i], "/password/change") == 0
					   ? &f->c2
					   : &f->c;

		if (post_body(f, c, actions[i], "email=zarko.djuraskovic%40example.rs") != 403)
			fprintf(stderr, "POST %s without csrf_token: %ld\n", actions[i],
				f->r.status);
		assert_int_equal(f->r.status, 403);
	}
	assert_int_equal(logged_in(f, &f->c2), 1);
}

/* ---- Language --------------------------------------------------------------------------- */

static void test_default_language_is_serbian_with_intact_diacritics(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, &f->c, "/login"), 200);
	assert_header_has(&f->r, "Content-Type", "charset=utf-8");
	assert_body_has(f, "<html lang=\"sr\"");
	assert_body_has(f, "Prijava");
	assert_body_has(f, "Korisni\xc4\x8dko ime"); /* č as UTF-8 C4 8D */
}

static void test_lang_en_gives_english_pages_and_sets_cookie(void **state)
{
	struct fixture *f = *state;
	char *lang;

	assert_int_equal(get(f, &f->c, "/login?lang=en"), 200);
	assert_body_has(f, "<html lang=\"en\"");
	assert_body_has(f, "Log in");
	assert_body_has(f, "Username");
	lang = client_cookie(&f->c, "qcra_lang");
	assert_non_null(lang);
	assert_string_equal(lang, "en");
	free(lang);
	/* The cookie keeps the choice on the next pages. */
	assert_int_equal(get(f, &f->c, "/register"), 200);
	assert_body_has(f, "<html lang=\"en\"");
	assert_null(strstr(BODY(f), "Prijava"));
	/* And ?lang=sr switches back. */
	assert_int_equal(get(f, &f->c, "/login?lang=sr"), 200);
	assert_body_has(f, "Prijava");
}

static void test_english_form_errors_are_english(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, &f->c, "/register?lang=en"), 200);
	assert_int_equal(
		register_full(f, &f->c, zarko.license, "1203978711238", zarko.email, USER, PW, PW),
		422);
	assert_field_error(f, "jmbg", "JMBG check digit does not match");
}

static void test_mail_follows_the_language_of_the_page(void **state)
{
	struct fixture *f = *state;
	char *link, *eml;

	assert_int_equal(get(f, &f->c, "/register?lang=en"), 200);
	link = register_pending(f, &zarko, USER, PW);
	eml = mail_latest_to(&f->s, zarko.email);
	assert_non_null(eml);
	assert_non_null(strstr(mail_body(eml), "Hello,"));
	free(eml);
	free(link);
}

/* ---- Bad input --------------------------------------------------------------------------- */

static void test_register_body_over_64k_is_413(void **state)
{
	struct fixture *f = *state;
	size_t len = 70 * 1024;
	struct buf req = BUF_INIT;

	buf_printf(&req,
		   "POST /register HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		   "Content-Type: application/x-www-form-urlencoded\r\n"
		   "Content-Length: %zu\r\nConnection: close\r\n\r\nusername=",
		   len);
	for (size_t i = 9; i < len; i++)
		buf_putc(&req, 'x');
	raw_exchange(&f->s, buf_cstr(&req), req.len, &f->r, 10000);
	buf_free(&req);
	assert_int_equal(f->r.status, 413);
	check_response(&f->r);
}

static void test_malformed_urlencoded_body_is_400_and_registers_nothing(void **state)
{
	struct fixture *f = *state;
	char *csrf = csrf_of(f, &f->c, "/register");
	const char *pairs[] = {"license_number",
			       zarko.license,
			       "jmbg",
			       zarko.jmbg,
			       "email",
			       zarko.email,
			       "username",
			       USER,
			       "password",
			       PW,
			       "password_confirm",
			       PW,
			       "csrf_token",
			       csrf,
			       NULL};
	char *good = form_encode(pairs), *bad;
	char *link;

	assert_true(asprintf(&bad, "%s&note=%%zz", good) > 0);
	assert_int_equal(post_body(f, &f->c, "/register", bad), 400);
	free(bad);
	assert_true(asprintf(&bad, "%s&note=%%4", good) > 0);
	assert_int_equal(post_body(f, &f->c, "/register", bad), 400);
	free(bad);
	free(good);
	free(csrf);
	link = register_pending(f, &zarko, USER, PW);
	assert_int_equal(mail_count_to(&f->s, zarko.email), 1);
	free(link);
}

static void test_post_with_non_form_content_type_is_400(void **state)
{
	struct fixture *f = *state;
	const char *types[] = {"application/json", "text/plain", "application/xml"};
	char *csrf = csrf_of(f, &f->c, "/login"), *body;

	assert_true(asprintf(&body, "username=%s&password=x&csrf_token=%s", USER, csrf) > 0);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		assert_int_equal(client_request(&f->c, "POST", "/login", types[i], body,
						strlen(body), NULL, &f->r),
				 0);
		check_response(&f->r);
		assert_int_equal(f->r.status, 400);
	}
	free(body);
	free(csrf);
}

static void test_unknown_route_is_404(void **state)
{
	struct fixture *f = *state;
	const char *paths[] = {"/registerx", "/register/", "/account/1", "/password", "/orders/x"};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		assert_int_equal(get(f, &f->c, paths[i]), 404);
}

static void test_wrong_method_is_405_with_allow(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(get(f, &f->c, "/logout"), 405);
	assert_header_has(&f->r, "Allow", "POST");
	assert_int_equal(client_request(&f->c, "DELETE", "/register", NULL, NULL, 0, NULL, &f->r),
			 0);
	check_response(&f->r);
	assert_int_equal(f->r.status, 405);
	assert_header_has(&f->r, "Allow", "GET");
	assert_header_has(&f->r, "Allow", "POST");
	assert_int_equal(
		client_request(&f->c, "PUT", "/password/change", "text/plain", "x", 1, NULL, &f->r),
		0);
	check_response(&f->r);
	assert_int_equal(f->r.status, 405);
}

/* ---- The whole journey ------------------------------------------------------------------- */

static void test_member_journey_from_register_to_logout(void **state)
{
	struct fixture *f = *state;
	char *link;

	create_account(f, &milos, "mcolic", PW);
	login_ok(f, &f->c, "mcolic", PW);
	assert_int_equal(get(f, &f->c, "/account"), 200);
	assert_body_has(f, "Miloš Čolić");
	assert_int_equal(change_password(f, &f->c, PW, PW_NEW, PW_NEW), 303);
	assert_int_equal(submit(f, &f->c, "/account", "/logout", NULL), 303);
	link = reset_link(f, &f->c, &milos);
	assert_int_equal(reset_password(f, &f->c, link, "treca-lozinka-za-milosa",
					"treca-lozinka-za-milosa"),
			 303);
	free(link);
	assert_int_equal(login(f, &f->c, "mcolic", PW_NEW), 422);
	login_ok(f, &f->c, "mcolic", "treca-lozinka-za-milosa");
	assert_int_equal(submit(f, &f->c, "/account", "/logout", NULL), 303);
	assert_int_equal(logged_in(f, &f->c), 0);
}

/* Every test gets its own server. */
#define TEST(name) cmocka_unit_test_setup_teardown(name, setup_members, teardown)
#define TEST_ON(name, setup) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST_ON(test_member_import_loads_all_rows_and_exits_0, setup_empty),
		TEST_ON(test_member_import_reports_rejected_rows_and_exits_3, setup_empty),
		TEST_ON(test_member_import_skips_rejected_rows, setup_empty),
		TEST_ON(test_member_reimport_updates_changed_rows, setup_empty),

		TEST(test_register_page_shows_the_form),
		TEST(test_register_redirects_to_sent_and_mails_confirmation_link),
		TEST(test_register_without_csrf_token_is_403_and_creates_nothing),
		TEST(test_register_with_wrong_csrf_token_is_403),
		TEST(test_register_with_csrf_token_of_another_browser_is_403),
		TEST(test_register_rejects_data_not_matching_register),
		TEST(test_register_rejects_unknown_license),
		TEST(test_register_rejects_bad_jmbg_check_digit),
		TEST(test_register_rejects_invalid_email),
		TEST(test_register_rejects_bad_username),
		TEST(test_register_rejects_username_over_32_characters),
		TEST(test_register_accepts_username_of_32_characters),
		TEST(test_register_rejects_password_under_12_characters),
		TEST(test_register_rejects_password_equal_to_username),
		TEST(test_register_rejects_common_password),
		TEST(test_register_rejects_confirmation_mismatch),
		TEST(test_register_rejects_missing_fields),
		TEST(test_register_errors_keep_values_but_never_passwords),
		TEST(test_register_rejects_username_taken_by_another_member),
		TEST(test_register_again_answers_alike_and_mails_existing_username),
		TEST(test_register_again_before_confirming_sends_no_second_link),
		TEST(test_password_of_64_characters_is_not_truncated),

		TEST(test_confirm_link_shows_form_with_token),
		TEST(test_confirm_redirects_to_login_and_activates_account),
		TEST(test_confirm_token_reuse_is_400),
		TEST(test_confirm_with_unknown_token_is_400),
		TEST(test_confirm_without_csrf_token_is_403_and_account_stays_unconfirmed),
		TEST(test_login_before_confirmation_says_not_confirmed),

		TEST(test_login_redirects_home_and_starts_session),
		TEST(test_login_session_cookie_is_httponly_and_samesite_lax),
		TEST(test_login_issues_new_session_id_each_time),
		TEST(test_login_redirects_to_next),
		TEST(test_login_ignores_next_outside_the_site),
		TEST(test_login_failure_is_the_same_for_unknown_user_and_wrong_password),
		TEST(test_login_with_missing_fields_is_422),
		TEST(test_login_sixth_failure_gets_429_with_retry_after),
		TEST(test_login_throttling_one_username_leaves_others_alone),
		TEST_ON(test_login_per_address_limit_gets_429, setup_address_limit),
		TEST(test_login_without_csrf_token_is_403_and_starts_no_session),

		TEST(test_logout_redirects_home_and_ends_session),
		TEST(test_logout_without_csrf_token_is_403_and_keeps_session),
		TEST(test_account_requires_login),
		TEST(test_account_shows_username_and_member_name_with_diacritics),
		TEST(test_pages_of_logged_in_member_are_no_store),

		TEST(test_forgot_username_mails_username_to_known_email),
		TEST(test_forgot_username_unknown_email_answers_alike_and_mails_nothing),
		TEST(test_password_forgot_mails_reset_link_to_known_email),
		TEST(test_password_forgot_unknown_email_answers_alike_and_mails_nothing),
		TEST(test_password_reset_link_shows_form),
		TEST(test_password_reset_replaces_the_password),
		TEST(test_password_reset_ends_other_sessions),
		TEST(test_password_reset_token_is_single_use),
		TEST(test_password_reset_rejects_weak_password),
		TEST(test_password_reset_with_unknown_token_is_400),
		TEST(test_password_reset_without_csrf_token_is_403_and_keeps_password),
		TEST(test_password_reset_confirms_pending_account),
		TEST(test_password_reset_voids_the_other_reset_links),
		TEST(test_password_change_voids_earlier_reset_links),
		TEST(test_password_reset_voids_the_confirmation_link),

		TEST(test_password_change_requires_login),
		TEST(test_password_change_rejects_wrong_current_password),
		TEST(test_password_change_rejects_weak_new_password),
		TEST(test_password_change_redirects_to_account_with_notice),
		TEST(test_password_change_keeps_this_session_and_ends_others),
		TEST(test_password_change_replaces_the_password),
		TEST(test_password_change_mails_the_member),
		TEST(test_password_change_without_csrf_token_is_403_and_keeps_password),
		TEST(test_every_post_form_without_csrf_token_is_403),

		TEST(test_default_language_is_serbian_with_intact_diacritics),
		TEST(test_lang_en_gives_english_pages_and_sets_cookie),
		TEST(test_english_form_errors_are_english),
		TEST(test_mail_follows_the_language_of_the_page),

		TEST(test_register_body_over_64k_is_413),
		TEST(test_malformed_urlencoded_body_is_400_and_registers_nothing),
		TEST(test_post_with_non_form_content_type_is_400),
		TEST(test_unknown_route_is_404),
		TEST(test_wrong_method_is_405_with_allow),

		TEST(test_member_journey_from_register_to_logout),
	};

	return cmocka_run_group_tests_name("http_accounts", tests, NULL, NULL);
}
