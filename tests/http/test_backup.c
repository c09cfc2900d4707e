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
#include <limits.h>
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
#include "store_db.h" /* tests/unit/app: the _pg run's databases */

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

/* The database a restore of the backup into dir goes to: on
 * PostgreSQL (backup_pg) a new, empty database, else dir/qcra.db. */
static void restored_db(char *out, size_t size, const char *dir)
{
	if (store_fx_pg())
		store_fx_pg_new(out, size);
	else
		snprintf(out, size, "%s/qcra.db", dir);
}

/* qcra restore FILE --var DIR [--key KEY] [--clean], with --database db
 * on PostgreSQL; the exit status, the output in f->out. */
static int restore(struct office *f, const char *file, const char *dir, const char *key,
		   const char *db, int clean)
{
	const char *argv[12];
	int n = 0;

	argv[n++] = "restore";
	argv[n++] = file;
	argv[n++] = "--var";
	argv[n++] = dir;
	if (key != NULL) {
		argv[n++] = "--key";
		argv[n++] = key;
	}
	if (store_fx_pg()) {
		argv[n++] = "--database";
		argv[n++] = db;
	}
	if (clean)
		argv[n++] = "--clean";
	argv[n] = NULL;
	return cli(f, argv);
}

/* qcra audit verify --var dir on the database db. */
static int verify(struct office *f, const char *dir, const char *db)
{
	char env0[PATH_MAX + 32];
	const char *env[] = {env0, NULL};
	const char *argv[] = {"audit", "verify", "--var", dir, NULL};

	snprintf(env0, sizeof(env0), "QCRA_DATABASE=%s", db);
	buf_reset(&f->out);
	return server_run_cli_env(&f->s, argv, store_fx_pg() ? env : NULL, &f->out);
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
	restored_db(db, sizeof(db), dir);
	if (restore(f, file, dir, NULL, db, 0) != 0)
		fail_msg("restore: %s", buf_cstr(&f->out));
	if (verify(f, dir, db) != 0)
		fail_msg("audit verify on the restored copy: %s", buf_cstr(&f->out));
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
	store_fx_drop(db);
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
	FILE *fp;

	path_in(file, sizeof(file), f, "backup.tar.gz");
	path_in(dir, sizeof(dir), f, "busy");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(keep, sizeof(keep), "%s/notes.txt", dir);
	assert_non_null(fp = fopen(keep, "w"));
	fputs("mine\n", fp);
	fclose(fp);
	assert_int_equal(restore(f, file, dir, NULL, f->s.database, 0), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "is not empty"));
	assert_int_equal(access(keep, F_OK), 0);
	snprintf(keep, sizeof(keep), "%s/qcra.db", dir);
	assert_int_not_equal(access(keep, F_OK), 0);

	/* A file that is no backup is called so, not taken for a sealed one. */
	path_in(file, sizeof(file), f, "orders.csv");
	assert_non_null(fp = fopen(file, "w"));
	fputs("id,state\n1,confirmed\n", fp);
	fclose(fp);
	path_in(dir, sizeof(dir), f, "fresh");
	assert_int_equal(restore(f, file, dir, NULL, f->s.database, 0), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "not a qcra backup"));
	assert_int_not_equal(access(dir, F_OK), 0);
}

static void test_encrypted_backup_opens_only_with_its_key(void **state)
{
	struct office *f = *state;
	char file[PATH_MAX], dir[PATH_MAX], key[PATH_MAX], cert[PATH_MAX], other[PATH_MAX];
	char cmd[4 * PATH_MAX + 256], db[PATH_MAX + 16], *data;
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
	restored_db(db, sizeof(db), dir);
	assert_int_equal(restore(f, file, dir, NULL, db, 0), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "--key"));
	assert_int_not_equal(access(dir, F_OK), 0);
	assert_int_equal(restore(f, file, dir, other, db, 0), 1);
	assert_non_null(strstr(buf_cstr(&f->out), "cannot be opened"));
	assert_int_not_equal(access(dir, F_OK), 0);
	if (restore(f, file, dir, key, db, 0) != 0)
		fail_msg("restore --key: %s", buf_cstr(&f->out));
	if (verify(f, dir, db) != 0)
		fail_msg("audit verify: %s", buf_cstr(&f->out));
	store_fx_drop(db);
}

/* On PostgreSQL (backup_pg), the database dumped with pg_dump: restored
 * into the server's own database, which has rows, it is refused; with
 * --clean, the portal stopped, its tables are replaced by the backup's:
 * an order made after the backup is gone, one made before is there, and
 * the audit chain verifies.  On SQLite: a backup names no database. */
static void test_restore_into_a_database_with_rows(void **state)
{
	struct office *f = *state;
	char file[PATH_MAX], dir[PATH_MAX], dir2[PATH_MAX];
	long long before_id, after_id;
	struct store *st;
	struct order o;
	char err[256];

	if (!store_fx_pg()) {
		const char *argv[] = {"restore", "x",          "--var",
				      "y",       "--database", "postgresql://127.0.0.1:9/x",
				      NULL};

		/* --database is for a backup of PostgreSQL's; any other gets no
		 * further than reading its file. */
		assert_int_equal(cli(f, argv), 1);
		return;
	}
	before_id = office_order(f, "NS");
	path_in(file, sizeof(file), f, "pg.bak");
	path_in(dir, sizeof(dir), f, "pg-restored");
	path_in(dir2, sizeof(dir2), f, "pg-restored-2");
	{
		const char *argv[] = {"backup", file, "--var", f->s.var, NULL};

		if (cli(f, argv) != 0)
			fail_msg("backup: %s", buf_cstr(&f->out));
	}
	after_id = office_order(f, "NS");
	assert_int_equal(restore(f, file, dir, NULL, f->s.database, 0), 1);
	if (strstr(buf_cstr(&f->out), "not empty") == NULL)
		fail_msg("no word of the database not empty: %s", buf_cstr(&f->out));
	assert_int_not_equal(access(dir, F_OK), 0);
	assert_int_equal(server_stop(&f->s), 0);
	if (restore(f, file, dir2, NULL, f->s.database, 1) != 0)
		fail_msg("restore --clean: %s", buf_cstr(&f->out));
	if (verify(f, dir2, f->s.database) != 0)
		fail_msg("audit verify: %s", buf_cstr(&f->out));
	assert_int_equal(store_open(&st, f->s.database, err, sizeof(err)), STORE_OK);
	assert_int_equal(store_order_get(st, before_id, &o), STORE_OK);
	assert_int_equal(store_order_get(st, after_id, &o), STORE_NOTFOUND);
	store_close(st);
	assert_int_equal(server_restart(&f->s, NULL), 0);
	assert_int_equal(office_get(f, &f->member, "/orders/%lld", before_id), 200);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backup_while_orders_arrive_holds_every_acknowledged_one),
		cmocka_unit_test(test_restore_refuses_a_folder_with_something_in_it),
		cmocka_unit_test(test_encrypted_backup_opens_only_with_its_key),
		cmocka_unit_test(test_restore_into_a_database_with_rows),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, office_setup, office_teardown);
}
