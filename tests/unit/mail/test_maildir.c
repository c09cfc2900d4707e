/*
 * mail_deliver_maildir: atomic, idempotent files in one directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "mail/mail.h"
#include "mailtest.h"

#define MSG "Subject: t\r\n\r\nbody \xc4\x8d\r\n"

static int setup(void **state)
{
	*state = mailtest_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	mailtest_rmtree(*state);
	free(*state);
	return 0;
}

static void test_maildir_writes_message_as_name_eml(void **state)
{
	char err[256], path[PATH_MAX], *got;
	struct stat st;
	size_t len;

	assert_int_equal(mail_deliver_maildir(*state, "000042", MSG, strlen(MSG), err, sizeof(err)),
			 0);
	snprintf(path, sizeof(path), "%s/000042.eml", (char *)*state);
	got = mailtest_read(path, &len);
	assert_non_null(got);
	assert_int_equal(len, strlen(MSG));
	assert_memory_equal(got, MSG, len);
	/* mail carries one-time tokens: owner only */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(got);
}

static void test_maildir_leaves_no_temporary_file(void **state)
{
	char err[256];

	assert_int_equal(mail_deliver_maildir(*state, "1", MSG, strlen(MSG), err, sizeof(err)), 0);
	assert_int_equal(mailtest_count(*state, ""), 1);
	assert_int_equal(mailtest_count(*state, ".eml"), 1);
}

static void test_maildir_redelivery_overwrites(void **state)
{
	char err[256], path[PATH_MAX], *got;

	assert_int_equal(mail_deliver_maildir(*state, "000007", "first\r\n", 7, err, sizeof(err)),
			 0);
	assert_int_equal(mail_deliver_maildir(*state, "000007", "second\r\n", 8, err, sizeof(err)),
			 0);
	assert_int_equal(mailtest_count(*state, ""), 1);
	snprintf(path, sizeof(path), "%s/000007.eml", (char *)*state);
	got = mailtest_read(path, NULL);
	assert_string_equal(got, "second\r\n");
	free(got);
}

static void test_maildir_creates_missing_directories(void **state)
{
	char err[256], dir[PATH_MAX], path[PATH_MAX + 16];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/var/mail/qcra", (char *)*state);
	assert_int_equal(mail_deliver_maildir(dir, "1", MSG, strlen(MSG), err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/1.eml", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
}

static void test_maildir_accepts_trailing_slash_in_dir(void **state)
{
	char err[256], dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/new/", (char *)*state);
	assert_int_equal(mail_deliver_maildir(dir, "1", MSG, strlen(MSG), err, sizeof(err)), 0);
	snprintf(dir, sizeof(dir), "%s/new", (char *)*state);
	assert_int_equal(mailtest_count(dir, ".eml"), 1);
}

static void test_maildir_rejects_names_that_leave_the_directory(void **state)
{
	static const char *const bad[] = {"", "../x", "a/b", ".hidden", "..", "a b", NULL};
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(
			mail_deliver_maildir(*state, bad[i], MSG, strlen(MSG), err, sizeof(err)),
			-1);
		assert_true(err[0] != '\0');
	}
	assert_int_equal(mailtest_count(*state, ""), 0);
}

static void test_maildir_reports_unwritable_directory(void **state)
{
	char err[256], file[PATH_MAX], dir[PATH_MAX + 16];
	FILE *f;

	/* a regular file where a directory should be */
	snprintf(file, sizeof(file), "%s/plain", (char *)*state);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(dir, sizeof(dir), "%s/sub", file);
	err[0] = '\0';
	assert_int_equal(mail_deliver_maildir(dir, "1", MSG, strlen(MSG), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "maildir"));
	assert_int_equal(mail_deliver_maildir(file, "1", MSG, strlen(MSG), err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_maildir_writes_message_as_name_eml, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_maildir_leaves_no_temporary_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_maildir_redelivery_overwrites, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_maildir_creates_missing_directories, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_maildir_accepts_trailing_slash_in_dir, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_maildir_rejects_names_that_leave_the_directory,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_maildir_reports_unwritable_directory, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
