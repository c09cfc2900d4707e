/*
 * Secrets at rest (SECURITY.md, issue 13): delivered mail leaves no
 * live link in the outbox, the database, its WAL and every file under
 * VAR are private to the portal's user whatever the umask it was
 * started with, and a username typed at a failed login that names no
 * account (perhaps a password typed into the wrong field) is stored
 * nowhere in the database.
 */
#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "harness.h"
#include "journey.h"

#define PW "Tri mačke spavaju na krovu"
#define USER "zdjuras"
/* What a member types into the username field: their password. */
#define TYPED_MEMBER "Moja-Tajna-Lozinka-U-Polju-Za-Ime-7"
#define TYPED_STAFF "Lozinka-Sluzbenika-U-Polju-Za-Ime-9"

struct fx {
	struct server s;
	struct client c;
	struct response r;
	mode_t umask_before;
};

#define BODY(f) buf_cstr(&(f)->r.body)

/* The server (and every command) is started with the usual umask 022,
 * which would leave new files readable by everyone. */
static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->umask_before = umask(022);
	if (journey_server(&f->s, NULL) != 0 || client_init(&f->c, &f->s) != 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	umask(f->umask_before);
	response_free(&f->r);
	client_free(&f->c);
	server_cleanup(&f->s);
	free(f);
	return 0;
}

static sqlite3 *db_open(struct fx *f)
{
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;

	snprintf(path, sizeof(path), "%s/qcra.db", f->s.var);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	return db;
}

static long long db_count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	long long n;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

/* 1 when text (or its lower-case form) is anywhere in VAR/name. */
static int file_holds(struct fx *f, const char *name, const char *text)
{
	char path[PATH_MAX + 16], lower[128];
	size_t len, i;
	char *data;
	int found;

	snprintf(path, sizeof(path), "%s/%s", f->s.var, name);
	if ((data = file_read(path, &len)) == NULL)
		return 0;
	for (i = 0; text[i] && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] + 32 : text[i]);
	lower[i] = '\0';
	found = memmem(data, len, text, strlen(text)) != NULL ||
		memmem(data, len, lower, strlen(lower)) != NULL;
	free(data);
	return found;
}

/* ---- The outbox keeps no delivered body --------------------------------------- */

static void test_delivered_mail_keeps_recipient_time_and_subject_but_no_body(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	int waited;

	journey_member(&f->s, &f->c, &demo_zarko, USER, PW); /* a confirmation link */
	assert_int_equal(journey_submit(&f->c, "/password/forgot", "/password/forgot", &f->r,
					"email", demo_zarko.email, NULL),
			 303); /* a reset link */
	db = db_open(f);
	for (waited = 0; db_count(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL") > 0;
	     waited += 50) {
		struct timespec nap = {0, 50 * 1000000L};

		assert_true(waited < 10000);
		nanosleep(&nap, NULL);
	}
	assert_true(db_count(db, "SELECT COUNT(*) FROM outbox WHERE recipient = "
				 "'zarko.djuraskovic@example.rs' AND sent_at IS NOT NULL AND "
				 "created_at > 0 AND subject <> ''") >= 2);
	assert_int_equal(db_count(db, "SELECT COUNT(*) FROM outbox WHERE body <> ''"), 0);
	assert_int_equal(db_count(db, "SELECT COUNT(*) FROM outbox WHERE body LIKE '%token=%'"), 0);
	/* A mail kept as a key with values: the values are gone too. */
	assert_int_equal(db_count(db, "SELECT COUNT(*) FROM outbox WHERE message <> ''"), 0);
	assert_true(db_count(db, "SELECT COUNT(*) FROM outbox WHERE subject = 'mail.reset'") >= 1);
	/* Nor do their bytes stay in the file's free space: the pages are
	 * copied back from the WAL, which is emptied, and the link the
	 * mails carried is nowhere in the database. */
	for (waited = 0; db_count(db, "PRAGMA wal_checkpoint(TRUNCATE)") != 0; waited += 50) {
		struct timespec nap = {0, 50 * 1000000L};

		assert_true(waited < 10000); /* busy: a reader of the server's, for a moment */
		nanosleep(&nap, NULL);
	}
	sqlite3_close(db);
	assert_false(file_holds(f, "qcra.db", "/password/reset"));
	assert_false(file_holds(f, "qcra.db-wal", "/password/reset"));
}

/* ---- Files under VAR are private -------------------------------------------------- */

/* Fails for any file under dir (recursively) that others could read or
 * a directory that is not 0700; the harness's own server.log aside.
 * Returns the number of files seen. */
static int assert_private(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[PATH_MAX + 256];
		struct stat sb;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    strcmp(e->d_name, "server.log") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		assert_int_equal(lstat(path, &sb), 0);
		if (S_ISDIR(sb.st_mode)) {
			if ((sb.st_mode & 07777) != 0700)
				fprintf(stderr, "%s: directory mode %04o\n", path,
					(unsigned)(sb.st_mode & 07777));
			assert_int_equal(sb.st_mode & 07777, 0700);
			n += assert_private(path);
			continue;
		}
		if ((sb.st_mode & 077) != 0)
			fprintf(stderr, "%s: mode %04o\n", path, (unsigned)(sb.st_mode & 07777));
		assert_int_equal(sb.st_mode & 077, 0);
		n++;
	}
	closedir(d);
	return n;
}

static int exists(const char *dir, const char *name)
{
	char path[2 * PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

static void test_database_wal_and_var_files_are_private_under_umask_022(void **state)
{
	struct fx *f = *state;
	char fresh[PATH_MAX + 16];
	const char *migrate[] = {"migrate", "--var", fresh, NULL};

	journey_member(&f->s, &f->c, &demo_zarko, USER, PW); /* mail delivered to VAR/mail */
	assert_true(exists(f->s.var, "qcra.db"));
	assert_true(exists(f->s.var, "qcra.db-wal"));
	assert_true(exists(f->s.var, "secret.key"));
	assert_true(assert_private(f->s.var) >= 4);
	/* A command run first makes the var directory and the database. */
	snprintf(fresh, sizeof(fresh), "%s/by-command", f->s.var);
	assert_int_equal(server_run_cli(&f->s, migrate, NULL), 0);
	assert_true(exists(fresh, "qcra.db"));
	assert_true(assert_private(f->s.var) >= 6);
}

/* ---- A username that names no account is not stored ---------------------------- */

static void test_unknown_username_typed_at_login_is_stored_nowhere(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;

	assert_int_equal(journey_submit(&f->c, "/login", "/login", &f->r, "username", TYPED_MEMBER,
					"password", "Pogresna lozinka 1", NULL),
			 422);
	assert_int_equal(journey_submit(&f->c, "/ra/login", "/ra/login", &f->r, "username",
					TYPED_STAFF, "password", "Pogresna lozinka 1", "totp", "",
					NULL),
			 422);
	/* The failures are audited all the same. */
	db = db_open(f);
	assert_int_equal(db_count(db, "SELECT COUNT(*) FROM audit_log WHERE action IN "
				      "('login_failed', 'ra.login_failed')"),
			 2);
	sqlite3_close(db);
	assert_false(file_holds(f, "qcra.db", TYPED_MEMBER));
	assert_false(file_holds(f, "qcra.db-wal", TYPED_MEMBER));
	assert_false(file_holds(f, "qcra.db", TYPED_STAFF));
	assert_false(file_holds(f, "qcra.db-wal", TYPED_STAFF));
}

/* ---- The key of what is sealed is never replaced -------------------------------- */

/* A database that holds what VAR/secret.key seals (the keyed audit chain,
 * the staff's TOTP secrets, the company links' keys) is never given a
 * new key: without its secret.key (a backup restored without it, a file
 * deleted) a command refuses, says to restore it, and writes none. */
static void test_a_missing_secret_key_is_not_replaced_by_a_new_one(void **state)
{
	struct fx *f = *state;
	char key[PATH_MAX + 16], moved[PATH_MAX + 16];
	const char *verify[] = {"audit", "verify", "--var", f->s.var, NULL};
	const char *migrate[] = {"migrate", "--var", f->s.var, NULL};
	struct buf out = BUF_INIT;

	journey_member(&f->s, &f->c, &demo_zarko, USER, PW); /* audit entries */
	snprintf(key, sizeof(key), "%s/secret.key", f->s.var);
	snprintf(moved, sizeof(moved), "%s/secret.key.kept", f->s.var);
	assert_int_equal(rename(key, moved), 0);
	assert_int_equal(server_run_cli(&f->s, verify, &out), 1);
	assert_non_null(strstr(buf_cstr(&out), "restore"));
	assert_false(exists(f->s.var, "secret.key"));
	buf_reset(&out);
	assert_int_equal(server_run_cli(&f->s, migrate, &out), 1);
	assert_non_null(strstr(buf_cstr(&out), "restore"));
	assert_false(exists(f->s.var, "secret.key"));
	assert_int_equal(rename(moved, key), 0);
	buf_reset(&out);
	assert_int_equal(server_run_cli(&f->s, verify, &out), 0);
	buf_free(&out);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_delivered_mail_keeps_recipient_time_and_subject_but_no_body),
		TEST(test_database_wal_and_var_files_are_private_under_umask_022),
		TEST(test_unknown_username_typed_at_login_is_stored_nowhere),
		TEST(test_a_missing_secret_key_is_not_replaced_by_a_new_one),
	};

	return cmocka_run_group_tests_name("http_at_rest", tests, NULL, NULL);
}
