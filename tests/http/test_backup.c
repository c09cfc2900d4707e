/*
 * Backup and restore (issue 18, point 5), with the real server and CLI:
 * a backup taken while members submit orders holds every order
 * acknowledged before it began; restored into an empty folder, the
 * audit chain verifies and the orders are there; an encrypted backup
 * opens only with its key; a folder with something in it is refused.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "journey.h"
#include "office.h"
#include "store/store.h"

#define MAX_ACKED 4096

struct submitter {
	struct office *f;
	struct response r;
	atomic_int stop;
	atomic_size_t n; /* written by the thread; the arrays read after the join */
	long long id[MAX_ACKED];
	struct timespec acked[MAX_ACKED];
};

static void *submit_orders(void *arg)
{
	struct submitter *x = arg;

	size_t n;

	while (!atomic_load(&x->stop) && (n = atomic_load(&x->n)) < MAX_ACKED) {
		long long id = journey_order(&x->f->member, &x->r, "BG", NULL, NULL);

		clock_gettime(CLOCK_REALTIME, &x->acked[n]);
		x->id[n] = id;
		atomic_store(&x->n, n + 1);
	}
	return NULL;
}

static int before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* Runs qcra with argv (no --var added); output into f->out. */
static int cli(struct office *f, const char *const *argv)
{
	buf_reset(&f->out);
	return server_run_cli(&f->s, argv, &f->out);
}

static void path_in(char *out, size_t size, const struct office *f, const char *name)
{
	if ((size_t)snprintf(out, size, "%s/%s", f->s.var, name) >= size)
		fail_msg("path too long");
}

static void test_backup_while_orders_arrive_holds_every_acknowledged_one(void **state)
{
	struct office *f = *state;
	struct submitter *x = calloc(1, sizeof(*x));
	char file[PATH_MAX], dir[PATH_MAX], db[PATH_MAX + 16];
	struct timespec began;
	struct store *st;
	struct order o;
	pthread_t t;
	size_t i, kept = 0;

	assert_non_null(x);
	x->f = f;
	path_in(file, sizeof(file), f, "backup.tar.gz");
	path_in(dir, sizeof(dir), f, "restored");
	assert_int_equal(pthread_create(&t, NULL, submit_orders, x), 0);
	while (atomic_load(&x->n) < 3)
		usleep(50 * 1000);
	clock_gettime(CLOCK_REALTIME, &began);
	{
		const char *argv[] = {"backup", file, "--var", f->s.var, NULL};

		assert_int_equal(cli(f, argv), 0);
	}
	atomic_store(&x->stop, 1);
	pthread_join(t, NULL);
	response_free(&x->r);
	{
		const char *argv[] = {"restore", file, "--var", dir, NULL};

		if (cli(f, argv) != 0)
			fail_msg("restore: %s", buf_cstr(&f->out));
	}
	{
		const char *argv[] = {"audit", "verify", "--var", dir, NULL};

		if (cli(f, argv) != 0)
			fail_msg("audit verify on the restored copy: %s", buf_cstr(&f->out));
	}
	snprintf(db, sizeof(db), "%s/qcra.db", dir);
	{
		char err[256];

		assert_int_equal(store_open(&st, db, err, sizeof(err)), STORE_OK);
	}
	for (i = 0; i < x->n; i++) {
		if (!before(&x->acked[i], &began))
			continue;
		kept++;
		if (store_order_get(st, x->id[i], &o) != STORE_OK)
			fail_msg("order %lld, acknowledged before the backup began, is not in it",
				 x->id[i]);
		assert_string_equal(wf_state_name(o.state), "confirmed");
	}
	store_close(st);
	assert_true(kept >= 3);
	/* secret.key came along: the restored copy is the same installation. */
	{
		char a[PATH_MAX + 16], b[PATH_MAX + 16];
		size_t la, lb;
		char *ka, *kb;

		snprintf(a, sizeof(a), "%s/secret.key", f->s.var);
		snprintf(b, sizeof(b), "%s/secret.key", dir);
		ka = file_read(a, &la);
		kb = file_read(b, &lb);
		assert_non_null(ka);
		assert_non_null(kb);
		assert_int_equal(la, lb);
		assert_memory_equal(ka, kb, la);
		free(ka);
		free(kb);
	}
	free(x);
}

static void test_restore_refuses_a_folder_with_something_in_it(void **state)
{
	struct office *f = *state;
	char file[PATH_MAX], dir[PATH_MAX], keep[PATH_MAX + 16];
	const char *argv[] = {"restore", file, "--var", dir, NULL};
	FILE *fp;

	path_in(file, sizeof(file), f, "backup.tar.gz");
	path_in(dir, sizeof(dir), f, "busy");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(keep, sizeof(keep), "%s/notes.txt", dir);
	assert_non_null(fp = fopen(keep, "w"));
	fputs("mine\n", fp);
	fclose(fp);
	assert_int_equal(cli(f, argv), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "is not empty"));
	assert_int_equal(access(keep, F_OK), 0);
	snprintf(keep, sizeof(keep), "%s/qcra.db", dir);
	assert_int_not_equal(access(keep, F_OK), 0);
}

static void test_encrypted_backup_opens_only_with_its_key(void **state)
{
	struct office *f = *state;
	char file[PATH_MAX], dir[PATH_MAX], key[PATH_MAX], cert[PATH_MAX], other[PATH_MAX];
	char cmd[4 * PATH_MAX + 256], *data;
	size_t len;

	path_in(file, sizeof(file), f, "sealed.bak");
	path_in(dir, sizeof(dir), f, "from-sealed");
	path_in(key, sizeof(key), f, "backup-key.pem");
	path_in(cert, sizeof(cert), f, "backup-cert.pem");
	path_in(other, sizeof(other), f, "other-key.pem");
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s -out %s -subj /CN=backup "
		 "-days 2 2>/dev/null && openssl genpkey -algorithm RSA -out %s 2>/dev/null",
		 key, cert, other);
	assert_int_equal(system(cmd), 0);
	{
		const char *argv[] = {"backup", file, "--encrypt-to", cert, "--var",
				      f->s.var, NULL};

		if (cli(f, argv) != 0)
			fail_msg("backup --encrypt-to: %s", buf_cstr(&f->out));
	}
	data = file_read(file, &len);
	assert_non_null(data);
	assert_true(len > 1000);
	assert_false((unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b);
	assert_null(memmem(data, len, "SQLite format 3", 15));
	assert_null(memmem(data, len, "MANIFEST", 8));
	free(data);
	{
		const char *argv[] = {"restore", file, "--var", dir, NULL};

		assert_int_equal(cli(f, argv), 1);
		assert_non_null(strstr(buf_cstr(&f->out), "--key"));
		assert_int_not_equal(access(dir, F_OK), 0);
	}
	{
		const char *argv[] = {"restore", file, "--var", dir, "--key", other, NULL};

		assert_int_equal(cli(f, argv), 1);
		assert_non_null(strstr(buf_cstr(&f->out), "cannot be opened"));
		assert_int_not_equal(access(dir, F_OK), 0);
	}
	{
		const char *argv[] = {"restore", file, "--var", dir, "--key", key, NULL};

		if (cli(f, argv) != 0)
			fail_msg("restore --key: %s", buf_cstr(&f->out));
	}
	{
		const char *argv[] = {"audit", "verify", "--var", dir, NULL};

		if (cli(f, argv) != 0)
			fail_msg("audit verify: %s", buf_cstr(&f->out));
	}
}

/* The database on PostgreSQL: qcra backup does not copy it (yet), so it
 * says so and what to use, rather than archive a VAR/qcra.db that is
 * not the installation's database. */
static void test_backup_of_a_postgresql_database_is_refused(void **state)
{
	struct office *f = *state;
	char file[PATH_MAX];
	const char *argv[] = {"backup", file, "--var", f->s.var, NULL};
	static const char *const env[] = {"QCRA_DATABASE=postgresql://qcra@127.0.0.1:9/qcra", NULL};

	path_in(file, sizeof(file), f, "pg.bak");
	buf_reset(&f->out);
	assert_int_equal(server_run_cli_env(&f->s, argv, env, &f->out), 1);
	if (strstr(buf_cstr(&f->out), "pg_dump") == NULL)
		fail_msg("no word of pg_dump: %s", buf_cstr(&f->out));
	assert_int_not_equal(access(file, F_OK), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_while_orders_arrive_holds_every_acknowledged_one),
		cmocka_unit_test(test_restore_refuses_a_folder_with_something_in_it),
		cmocka_unit_test(test_encrypted_backup_opens_only_with_its_key),
		cmocka_unit_test(test_backup_of_a_postgresql_database_is_refused),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, office_setup, office_teardown);
}
