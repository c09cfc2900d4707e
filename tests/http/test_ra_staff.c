/*
 * Registration authority staff over real HTTP: an administrator creates
 * an operator in the web UI, the operator enrols the authenticator at
 * the first login, TOTP codes are single-use, roles are enforced, an
 * administrator deactivates an account, `qcra operator add` holds to
 * the web form's rules, the commands refuse a --var without a
 * database, the audit log detects tampering (`qcra audit verify`), and
 * the portal anchors the log's head outside the database at start, on
 * its timer and at shutdown.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/totp.h"
#include "harness.h"
#include "harness_sql.h"
#include "journey.h"
#include "store/store.h"

#define PW "Dugacka lozinka sluzbenika 1"

struct fx {
	struct server s;
	struct client admin, op, other;
	struct response r;
	char admin_secret[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL || journey_server(&f->s, NULL) != 0 || client_init(&f->admin, &f->s) != 0 ||
	    client_init(&f->op, &f->s) != 0 || client_init(&f->other, &f->s) != 0)
		return -1;
	journey_staff(&f->s, &f->admin, "admin1", "admin", NULL, PW, f->admin_secret,
		      sizeof(f->admin_secret));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	response_free(&f->r);
	client_free(&f->admin);
	client_free(&f->op);
	client_free(&f->other);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

#define BODY(f) buf_cstr(&(f)->r.body)

/* Creates operator `name` of office NS through the admin page; returns
 * its TOTP secret (malloc'd) read from the otpauth URI shown once. */
static char *admin_creates(struct fx *f, const char *name)
{
	const char *p;
	size_t n;
	char *secret;

	assert_int_equal(journey_submit(&f->admin, "/ra/operators", "/ra/operators", &f->r,
					"username", name, "role", "operator", "office", "NS",
					"password", PW, NULL),
			 200);
	assert_non_null(strstr(BODY(f), "otpauth://totp/"));
	assert_non_null(strstr(BODY(f), "<svg")); /* the QR code */
	p = strstr(BODY(f), "secret=");
	assert_non_null(p);
	p += 7;
	n = strcspn(p, "&\"<");
	secret = strndup(p, n);
	assert_true(strlen(secret) >= 16);
	return secret;
}

static long login(struct fx *f, struct client *c, const char *name, const char *code)
{
	return journey_submit(c, "/ra/login", "/ra/login", &f->r, "username", name, "password", PW,
			      "totp", code, NULL);
}

static void test_admin_creates_operator_who_enrols_at_first_login(void **state)
{
	struct fx *f = *state;
	char *secret = admin_creates(f, "ns7"), code[7], *loc;

	assert_int_equal(login(f, &f->op, "ns7", ""), 303);
	loc = journey_location(&f->r);
	assert_string_equal(loc, "/ra/enroll");
	free(loc);
	/* The enrolment page shows the QR code again. */
	assert_int_equal(journey_get(&f->op, "/ra/enroll", &f->r), 200);
	assert_non_null(strstr(BODY(f), "<svg"));
	assert_int_equal(totp_code(secret, (uint64_t)time(NULL) / 30, code), 0);
	{
		char wrong[7];

		memcpy(wrong, code, sizeof(wrong));
		wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
		assert_int_equal(journey_submit(&f->op, "/ra/enroll", "/ra/enroll", &f->r, "totp",
						wrong, NULL),
				 422);
		assert_non_null(strstr(BODY(f), "id=\"e-totp\""));
	}
	assert_int_equal(
		journey_submit(&f->op, "/ra/enroll", "/ra/enroll", &f->r, "totp", code, NULL), 303);
	assert_int_equal(journey_get(&f->op, "/ra", &f->r), 200);
	assert_non_null(strstr(BODY(f), "ns7"));
	free(secret);
}

static void test_enrolled_login_needs_a_fresh_code(void **state)
{
	struct fx *f = *state;
	char code[7];
	uint64_t step = (uint64_t)time(NULL) / 30;

	/* The next step's code works once (setup spent at most this
	 * step's); the same code again, or an older one, does not. */
	assert_int_equal(login(f, &f->other, "admin1", ""), 422);
	assert_int_equal(totp_code(f->admin_secret, step + 1, code), 0);
	assert_int_equal(login(f, &f->other, "admin1", code), 303);
	assert_int_equal(login(f, &f->op, "admin1", code), 422); /* replayed elsewhere */
	assert_int_equal(totp_code(f->admin_secret, step, code), 0);
	assert_int_equal(login(f, &f->op, "admin1", code), 422); /* older than the last */
}

static void test_operator_cannot_manage_staff(void **state)
{
	struct fx *f = *state;
	char *secret = admin_creates(f, "ns8"), code[7];

	assert_int_equal(login(f, &f->op, "ns8", ""), 303);
	assert_int_equal(totp_code(secret, (uint64_t)time(NULL) / 30, code), 0);
	assert_int_equal(
		journey_submit(&f->op, "/ra/enroll", "/ra/enroll", &f->r, "totp", code, NULL), 303);
	assert_int_equal(journey_get(&f->op, "/ra/operators", &f->r), 403);
	assert_int_equal(journey_get(&f->op, "/ra/audit", &f->r), 403);
	free(secret);
}

static void test_member_session_never_reaches_ra_pages(void **state)
{
	struct fx *f = *state;
	char *loc;

	journey_member(&f->s, &f->other, &demo_zarko, "zdjuras", "Tri ma\xc4\x8dke spavaju");
	assert_int_equal(journey_get(&f->other, "/ra", &f->r), 303);
	loc = journey_location(&f->r);
	assert_string_equal(loc, "/ra/login");
	free(loc);
	assert_int_equal(journey_get(&f->other, "/ra/operators", &f->r), 303);
}

static void test_deactivated_operator_is_logged_out(void **state)
{
	struct fx *f = *state;
	char *secret = admin_creates(f, "ns9"), code[7], action[64], needle[64], *p;
	long long id = 0;

	assert_int_equal(login(f, &f->op, "ns9", ""), 303);
	assert_int_equal(totp_code(secret, (uint64_t)time(NULL) / 30, code), 0);
	assert_int_equal(
		journey_submit(&f->op, "/ra/enroll", "/ra/enroll", &f->r, "totp", code, NULL), 303);
	assert_int_equal(journey_get(&f->admin, "/ra/operators", &f->r), 200);
	snprintf(needle, sizeof(needle), "\">ns9</td>");
	p = strstr(BODY(f), needle);
	assert_non_null(p);
	p = strstr(p, "/ra/operators/");
	assert_int_equal(sscanf(p, "/ra/operators/%lld/toggle", &id), 1);
	snprintf(action, sizeof(action), "/ra/operators/%lld/toggle", id);
	assert_int_equal(
		journey_submit(&f->admin, "/ra/operators", action, &f->r, "active", "0", NULL),
		303);
	assert_int_equal(journey_get(&f->op, "/ra", &f->r), 303);
	free(secret);
}

/* The row of staff account name on the operators page as c sees it
 * (malloc'd), its id in *id. */
static char *operator_row(struct fx *f, const char *name, long long *id)
{
	char needle[64];
	const char *p, *end;

	assert_int_equal(journey_get(&f->admin, "/ra/operators", &f->r), 200);
	snprintf(needle, sizeof(needle), "\">%s</td>", name);
	p = strstr(BODY(f), needle);
	assert_non_null(p);
	end = strstr(p, "</tr>");
	assert_non_null(end);
	assert_non_null(strstr(p, "/ra/operators/"));
	assert_int_equal(sscanf(strstr(p, "/ra/operators/"), "/ra/operators/%lld/", id), 1);
	return strndup(p, (size_t)(end - p));
}

/* The form says which state it wants: sent twice (a double click, two
 * administrators, a page left open), deactivation leaves the account
 * inactive and says it was inactive already (409, Serbian and English);
 * the same for activation.  The row's form asks for the other state. */
static void test_deactivating_twice_leaves_the_operator_inactive(void **state)
{
	struct fx *f = *state;
	char *secret = admin_creates(f, "ns10"), *row, action[64];
	long long id = 0;

	row = operator_row(f, "ns10", &id);
	assert_non_null(strstr(row, ">Aktivan<"));
	assert_non_null(strstr(row, "name=\"active\" value=\"0\""));
	free(row);
	snprintf(action, sizeof(action), "/ra/operators/%lld/toggle", id);
	assert_int_equal(
		journey_submit(&f->admin, "/ra/operators", action, &f->r, "active", "0", NULL),
		303);
	assert_int_equal(
		journey_submit(&f->admin, "/ra/operators", action, &f->r, "active", "0", NULL),
		409);
	assert_non_null(strstr(BODY(f), "Nalog je već neaktivan"));
	assert_int_equal(journey_submit(&f->admin, "/ra/operators?lang=en", action, &f->r, "active",
					"0", NULL),
			 409);
	assert_non_null(strstr(BODY(f), "This account is inactive already"));
	assert_int_equal(journey_get(&f->admin, "/ra/operators?lang=sr", &f->r), 200);
	row = operator_row(f, "ns10", &id);
	assert_non_null(strstr(row, ">Neaktivan<"));
	assert_non_null(strstr(row, "name=\"active\" value=\"1\""));
	free(row);
	assert_int_equal(login(f, &f->op, "ns10", ""), 422);

	assert_int_equal(
		journey_submit(&f->admin, "/ra/operators", action, &f->r, "active", "1", NULL),
		303);
	assert_int_equal(
		journey_submit(&f->admin, "/ra/operators", action, &f->r, "active", "1", NULL),
		409);
	assert_non_null(strstr(BODY(f), "Nalog je već aktivan"));
	row = operator_row(f, "ns10", &id);
	assert_non_null(strstr(row, ">Aktivan<"));
	free(row);
	assert_int_equal(login(f, &f->op, "ns10", ""), 303);
	free(secret);
}

/* A form without the state it wants (a page from before) changes
 * nothing. */
static void test_operator_state_form_without_its_state_changes_nothing(void **state)
{
	struct fx *f = *state;
	char *secret = admin_creates(f, "ns11"), *row, action[64];
	long long id = 0;

	free(operator_row(f, "ns11", &id));
	snprintf(action, sizeof(action), "/ra/operators/%lld/toggle", id);
	assert_int_equal(journey_submit(&f->admin, "/ra/operators", action, &f->r, NULL), 400);
	assert_int_equal(
		journey_submit(&f->admin, "/ra/operators", action, &f->r, "active", "yes", NULL),
		400);
	row = operator_row(f, "ns11", &id);
	assert_non_null(strstr(row, ">Aktivan<"));
	free(row);
	free(secret);
}

/* Runs `qcra operator add` on the server's database with password PW;
 * the output in *out (reset first).  Returns the exit status. */
static int cli_operator_add(struct fx *f, const char *username, const char *role,
			    const char *office, struct buf *out)
{
	char pwfile[PATH_MAX + 16];
	const char *args[] = {"operator", "add",   "--username", username,          "--role",
			      role,       "--var", f->s.var,     "--password-file", pwfile,
			      "--office", office,  NULL};
	FILE *fp;

	snprintf(pwfile, sizeof(pwfile), "%s/pw-cli.txt", f->s.var);
	fp = fopen(pwfile, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", PW);
	fclose(fp);
	if (office == NULL)
		args[10] = NULL;
	buf_reset(out);
	return server_run_cli(&f->s, args, out);
}

/* The number of staff accounts named name (exactly as stored). */
static long staff_count(struct fx *f, const char *name)
{
	const char *params[] = {name, NULL};
	char *n =
		server_sql_ok(&f->s, "SELECT COUNT(*) FROM operators WHERE username = $1", params);
	long v = strtol(n, NULL, 10);

	free(n);
	return v;
}

/* The command line adds staff under the web form's rules: an
 * operator's office is one of the catalogue's codes as written (an
 * account of "ns" or "ZZ" would never see an order), a username 3 to 32
 * letters without diacritics, digits, '.', '-' or '_', kept in lower
 * case.  A refusal says what is wrong, exits 2 and adds nothing. */
static void test_cli_operator_add_checks_as_the_web_form_does(void **state)
{
	struct fx *f = *state;
	struct buf out = BUF_INIT;

	assert_int_equal(cli_operator_add(f, "zz1", "operator", "ZZ", &out), 2);
	assert_non_null(strstr(buf_cstr(&out), "--office ZZ: no such office"));
	assert_non_null(strstr(buf_cstr(&out), "NS"));
	assert_int_equal(staff_count(f, "zz1"), 0);
	assert_int_equal(cli_operator_add(f, "ns12", "operator", "ns", &out), 2);
	assert_non_null(strstr(buf_cstr(&out), "--office ns: no such office"));
	assert_int_equal(staff_count(f, "ns12"), 0);
	assert_int_equal(cli_operator_add(f, "\xd0\x82", "admin", NULL, &out), 2);
	assert_non_null(strstr(buf_cstr(&out), "3 to 32 characters"));
	assert_int_equal(staff_count(f, "\xd0\x82"), 0);
	assert_int_equal(cli_operator_add(f, "ab", "auditor", NULL, &out), 2);
	assert_non_null(strstr(buf_cstr(&out), "3 to 32 characters"));
	assert_int_equal(staff_count(f, "ab"), 0);
	/* Written in capitals, stored as the web form stores it. */
	assert_int_equal(cli_operator_add(f, "Ns12", "operator", "NS", &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "otpauth://totp/"));
	assert_int_equal(staff_count(f, "ns12"), 1);
	assert_int_equal(staff_count(f, "Ns12"), 0);
	buf_free(&out);
}

/* 1 when path exists. */
static int exists(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0;
}

/* A mistyped --var: every command that reads or works the portal's
 * database refuses a folder that holds none, says which folder the
 * portal runs with is wanted, exits 1 and leaves no database, key or
 * folder behind (the operators' and the audit's data would go to a
 * database nobody serves; "audit log intact: 0 entries" would be a lie).
 * qcra migrate still makes a new one where it is told to. */
static void test_commands_refuse_a_folder_without_a_database(void **state)
{
	struct fx *f = *state;
	char typo[PATH_MAX + 16], path[PATH_MAX + 32], pwfile[PATH_MAX + 16], csv[PATH_MAX];
	const char *src = getenv("QCRA_SRCDIR");
	const char *const cmds[][8] = {
		{"audit", "verify"},
		{"audit", "anchor"},
		{"audit", "rekey"},
		{"orders", "expire"},
		{"retention", "run", "--dry-run"},
		{"testca", "issue", "--all"},
		{"member", "import", csv},
		{"payments", "import", csv},
		{"backup", path},
		{"operator", "add", "--username", "zz9", "--role", "admin", "--password-file",
		 pwfile},
	};
	struct buf out = BUF_INIT;
	FILE *fp;
	int rc;

	snprintf(typo, sizeof(typo), "%s/typo_var", f->s.var);
	snprintf(csv, sizeof(csv), "%s/data/demo-members.csv", src ? src : ".");
	snprintf(pwfile, sizeof(pwfile), "%s/pw-typo.txt", f->s.var);
	fp = fopen(pwfile, "w");
	assert_non_null(fp);
	fprintf(fp, "%s\n", PW);
	fclose(fp);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const char *args[12];
		size_t n = 0;

		snprintf(path, sizeof(path), "%s/backup.bak", f->s.var);
		for (; n < 8 && cmds[i][n] != NULL; n++)
			args[n] = cmds[i][n];
		args[n++] = "--var";
		args[n++] = typo;
		args[n] = NULL;
		buf_reset(&out);
		rc = server_run_cli(&f->s, args, &out);
		if (rc != 1)
			fprintf(stderr, "qcra %s %s: exit %d: %s\n", args[0], args[1], rc,
				buf_cstr(&out));
		assert_int_equal(rc, 1);
		assert_non_null(
			strstr(buf_cstr(&out), "give --var the folder the portal runs with"));
		assert_non_null(strstr(buf_cstr(&out), typo));
		snprintf(path, sizeof(path), "%s/qcra.db", typo);
		assert_false(exists(path));
		snprintf(path, sizeof(path), "%s/secret.key", typo);
		assert_false(exists(path));
		assert_false(exists(typo));
	}
	/* Nothing was added to the real database either. */
	assert_int_equal(staff_count(f, "zz9"), 0);
	buf_free(&out);
}

/* qcra migrate is how a new database is made (make run, an install). */
static void test_migrate_makes_a_new_database(void **state)
{
	struct fx *f = *state;
	char dir[PATH_MAX + 16], path[PATH_MAX + 32];
	const char *args[] = {"migrate", "--var", dir, NULL};
	struct buf out = BUF_INIT;

	snprintf(dir, sizeof(dir), "%s/new_var", f->s.var);
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	if (strncmp(f->s.database, "postgresql://", 13) == 0) {
		/* On PostgreSQL the database is the installation's, keyed
		 * already: a folder for another instance needs its key. */
		assert_int_equal(server_run_cli(&f->s, args, &out), 1);
		assert_non_null(strstr(buf_cstr(&out), "restore secret.key"));
		assert_false(exists(path));
	} else {
		assert_int_equal(server_run_cli(&f->s, args, &out), 0);
		assert_non_null(strstr(buf_cstr(&out), "schema version"));
		assert_true(exists(path));
	}
	buf_free(&out);
}

/* The second factor's secret is not in the database in clear: it is
 * sealed with VAR/secret.key, and login with its codes works (setup). */
static void test_totp_secret_is_sealed_at_rest(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct operator o;
	char err[256];

	assert_int_equal(store_open(&st, f->s.database, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_operator_by_username(st, "admin1", &o), STORE_OK);
	store_close(st);
	assert_memory_equal(o.totp_secret, "s1:", 3);
	assert_null(strstr(o.totp_secret, f->admin_secret));
	assert_true(strlen(f->admin_secret) >= 16);
}

static void test_tampered_audit_log_is_detected(void **state)
{
	struct fx *f = *state;
	const char *verify[] = {"audit", "verify", "--var", f->s.var, NULL};
	struct buf out = BUF_INIT;

	assert_int_equal(journey_get(&f->admin, "/ra/audit", &f->r), 200);
	assert_non_null(strstr(BODY(f), "ra.login"));
	assert_int_equal(server_run_cli(&f->s, verify, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "intact"));
	buf_reset(&out);
	/* Someone with file access removes the guard and rewrites entry 2. */
	free(server_sql_ok(
		&f->s,
		strncmp(f->s.database, "postgresql://", 13) == 0
			? "DROP TRIGGER audit_log_no_update ON audit_log; UPDATE audit_log "
			  "SET detail = 'forged' WHERE id = 2"
			: "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET detail = "
			  "'forged' WHERE id = 2",
		NULL));
	assert_int_equal(server_run_cli(&f->s, verify, &out), 1);
	assert_non_null(strstr(buf_cstr(&out), "BROKEN at entry 2"));
	buf_free(&out);
}

/* The head id of the last line of VAR/audit.anchor (-1 without one). */
static long long anchored_head(const struct server *s)
{
	char path[PATH_MAX + 16], line[512];
	const char *p;
	long long id = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/audit.anchor", s->var);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if ((p = strstr(line, " id=")) != NULL)
			id = atoll(p + 4);
	fclose(f);
	return id;
}

static long long db_head(const struct server *s)
{
	char err[256];
	struct audit_head h;
	struct store *st;

	assert_int_equal(store_open(&st, s->database, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_audit_head(st, &h), STORE_OK);
	store_close(st);
	return h.id;
}

static void test_portal_anchors_the_audit_log(void **state)
{
	struct fx *f = *state;
	const char *every_second[] = {"QCRA_AUDIT_ANCHOR_SECONDS=1", NULL};
	const char *verify[] = {"audit", "verify", "--var", f->s.var, NULL};
	char path[PATH_MAX + 16], secret[64];
	struct buf out = BUF_INIT;
	struct stat sb;
	long long head;
	int i;

	/* At start: the head the portal found, in a file of its own. */
	snprintf(path, sizeof(path), "%s/audit.anchor", f->s.var);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(anchored_head(&f->s) >= 0);
	/* At shutdown: the entries since (the timer's minute has not come). */
	journey_staff(&f->s, &f->other, "admin2", "admin", NULL, PW, secret, sizeof(secret));
	head = db_head(&f->s);
	assert_true(anchored_head(&f->s) < head);
	assert_int_equal(server_stop(&f->s), 0);
	assert_int_equal(anchored_head(&f->s), head);
	/* On the timer (here each second): the head while running. */
	assert_int_equal(server_restart(&f->s, every_second), 0);
	journey_staff(&f->s, &f->op, "admin3", "admin", NULL, PW, secret, sizeof(secret));
	head = db_head(&f->s);
	for (i = 0; i < 50 && anchored_head(&f->s) != head; i++)
		usleep(100 * 1000);
	assert_int_equal(anchored_head(&f->s), head);
	assert_int_equal(server_run_cli(&f->s, verify, &out), 0);
	assert_non_null(strstr(buf_cstr(&out), "intact"));
	assert_non_null(strstr(buf_cstr(&out), "agrees with the"));
	buf_free(&out);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_admin_creates_operator_who_enrols_at_first_login),
		T(test_enrolled_login_needs_a_fresh_code),
		T(test_operator_cannot_manage_staff),
		T(test_member_session_never_reaches_ra_pages),
		T(test_deactivated_operator_is_logged_out),
		T(test_deactivating_twice_leaves_the_operator_inactive),
		T(test_operator_state_form_without_its_state_changes_nothing),
		T(test_cli_operator_add_checks_as_the_web_form_does),
		T(test_commands_refuse_a_folder_without_a_database),
		T(test_migrate_makes_a_new_database),
		T(test_tampered_audit_log_is_detected),
		T(test_totp_secret_is_sealed_at_rest),
		T(test_portal_anchors_the_audit_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
